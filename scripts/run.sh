#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# One command from a fresh Debian 12 clone to the main job: installs dependencies, builds, and runs
# `beamkit demo`, which writes HDF5 files and PNG pictures into ./out (or the directory given).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$here/out}"
bash "$here/scripts/setup.sh"
bash "$here/scripts/build.sh" >/dev/null
mkdir -p "$out"
"${BEAMKIT_BUILD_DIR:-$here/build}/bin/beamkit" demo -o "$out"
