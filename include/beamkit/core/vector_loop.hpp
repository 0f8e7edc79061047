// SPDX-License-Identifier: BSD-3-Clause
// The innermost loop of a team kernel, mapped per backend: GPU vector lanes (ThreadVectorRange) on
// device spaces, an `omp simd` loop on host spaces. Kokkos 3.4's host ThreadVectorRange is a plain
// loop that GCC does not vectorise when the body reads captured pointers (it cannot hoist them);
// `omp simd` states what ThreadVectorRange means: iterations are independent.
#pragma once
#include <Kokkos_Core.hpp>
#include <beamkit/core/kokkos_compat.hpp>

namespace beamkit::detail {

template <class ExecSpace>
struct is_host_space
    : std::integral_constant<bool, Kokkos::SpaceAccessibility<Kokkos::HostSpace,
                                                              typename ExecSpace::memory_space>::accessible> {};

#if !BEAMKIT_ON_DEVICE && (defined(_OPENMP) || defined(__clang__) || defined(__GNUC__))
#define BEAMKIT_PRAGMA_SIMD _Pragma("omp simd")
#else
#define BEAMKIT_PRAGMA_SIMD
#endif

/// for (i = begin; i < end; ++i) f(i), iterations independent, over the vector lanes of `member`.
template <class ExecSpace, class Member, class F>
KOKKOS_FORCEINLINE_FUNCTION void vector_for(const Member& member, int begin, int end, const F& f) {
  if constexpr (is_host_space<ExecSpace>::value) {
    (void)member;
    BEAMKIT_PRAGMA_SIMD
    for (int i = begin; i < end; ++i) f(i);
  } else {
    Kokkos::parallel_for(Kokkos::ThreadVectorRange(member, begin, end), f);
  }
}

}  // namespace beamkit::detail
