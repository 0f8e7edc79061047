#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Static check that beamkit's sources stay inside the Kokkos API common to 3.4.01 and 4.x
# (STYLE.md section 6): names that exist in only one of them, or that must go through
# include/beamkit/core/kokkos_compat.hpp. Run by ctest (label unit). Exit 1 and list offenders.
set -u
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
files=$(git ls-files 'include/*.hpp' 'src/*.cpp' 'bindings/*.cpp' 'bindings/*.hpp' 'apps/*.cpp' 'apps/*.hpp' \
  'tests/*.cpp' 'tests/*.hpp' 'bench/*.cpp' 'bench/*.hpp' 2>/dev/null || true)
[ -n "$files" ] || files=$(find include src bindings apps tests bench -name '*.hpp' -o -name '*.cpp')
compat=include/beamkit/core/kokkos_compat.hpp
patterns=(
  'KOKKOS_VERSION'                                  # only the compat header may branch on versions
  'Kokkos::Experimental::(sqrt|cbrt|exp|log|log10|pow|hypot|sin|cos|tan|asin|acos|atan|atan2|sinh|cosh|tanh|erf|erfc|tgamma|lgamma|ceil|floor|trunc|fabs|fmod|isnan|isfinite|isinf)\b'
  'Kokkos::(abs|round|fma|rsqrt|copysign|min|max|clamp|sqrt|exp|log|sin|cos|floor|ceil|fabs|pow|hypot|atan2|isnan|isfinite)\('
  'Kokkos::printf' 'KOKKOS_IMPL_DO_NOT_USE_PRINTF' 'Kokkos::numbers' 'KOKKOS_IF_ON_(HOST|DEVICE)'
  'Kokkos::SharedSpace' 'SharedHostPinnedSpace' 'CudaUVMSpace' 'partition_space'
  'atomic_inc\(' 'atomic_increment' 'atomic_dec\(' 'kokkos_swap' 'Experimental::swap'
  'is_view_v' 'is_execution_space_v' 'InitArguments' 'InitializationSettings' 'Kokkos::is_finalized'
  'create_mirror_view\(Kokkos::WithoutInitializing' 'fill_random\([a-z_]*space' 'Kokkos::sort\([a-z_]*space'
  '\.rank\(\)' 'TeamThreadMDRange' 'ThreadVectorMDRange' 'TeamVectorMDRange' 'to_mdspan' 'Kokkos::bit_cast'
  'Kokkos_StdAlgorithms' 'Experimental::MDRangePolicy' 'KOKKOS_ACTIVE_EXECUTION_MEMORY_SPACE'
  '\bfence\("'                                     # labelled fences are 4.x-only
)
bad=0
for p in "${patterns[@]}"; do
  hits=$(grep -nE -- "$p" $files 2>/dev/null | grep -v "^$compat:" | grep -v "check_kokkos_portability" || true)
  if [ -n "$hits" ]; then
    echo "not portable across Kokkos 3.4/4.x ($p):"
    echo "$hits" | sed 's/^/  /'
    bad=1
  fi
done
n=$(echo $files | wc -w)
if [ $bad -eq 0 ]; then echo "Kokkos portability: $n files checked, no 3.4/4.x-only API outside $compat"; fi
exit $bad
