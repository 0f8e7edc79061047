#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# One command from a fresh Debian 12 clone to every test: installs dependencies, builds, runs the
# C++ (doctest), Python (pytest), CLI and CMake-consumer tests through ctest.
#   bash scripts/test.sh            # everything (labels unit, integration, slow)
#   bash scripts/test.sh -L unit    # a subset: extra arguments go to ctest
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup.sh"
bash "$here/scripts/build.sh" -DBEAMKIT_ENABLE_MPI=ON
cd "${BEAMKIT_BUILD_DIR:-$here/build}"
ctest --output-on-failure -j1 "$@"
