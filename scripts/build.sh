#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Configure and build beamkit in ./build (after scripts/setup.sh). Extra arguments go to cmake's
# configure step, e.g. scripts/build.sh -DKokkos_ROOT=/opt/kokkos-4.6 -DBEAMKIT_ENABLE_MPI=ON
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BEAMKIT_BUILD_DIR:-$here/build}"
# The first python3 on PATH may be an interpreter without numpy; beamkit uses Debian's.
export PATH="/usr/bin:$PATH"
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release "$@" >"$build.configure.log" 2>&1 ||
  { cat "$build.configure.log"; exit 1; }
grep -A12 "beamkit .* configuration" "$build.configure.log" || true
cmake --build "$build" -j"$(nproc)"
