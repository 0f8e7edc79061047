#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Idempotent set-up for a fresh Debian 12 machine:
#   1. installs the Debian packages beamkit needs (skipped when all are present),
#   2. builds Kokkos 3.4.01 with OpenMP+Serial from Debian's trilinos source package into
#      .deps/kokkos (skipped when already installed there, or when KOKKOS_ROOT/Kokkos_ROOT is set).
# A second run takes a few seconds. Needs root (or sudo) only for the apt step.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
deps="$here/.deps"
mkdir -p "$deps"

PACKAGES=(
  build-essential cmake pkg-config git dpkg-dev xz-utils
  libeigen3-dev libfftw3-dev libhdf5-dev hdf5-tools pybind11-dev python3-pybind11 doctest-dev
  libbenchmark-dev libcli11-dev nlohmann-json3-dev libtiff-dev libpng-dev
  libopenmpi-dev openmpi-bin
  python3-numpy python3-h5py python3-pytest python3-matplotlib python3-tqdm python3-mpi4py
  python3-skimage python3-bornagain python3-sasmodels python3-pyswarms
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "[setup] installing ${#missing[@]} Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "[setup] Debian packages present"
fi

# --- Kokkos with OpenMP ---------------------------------------------------------------------------
if [ -n "${Kokkos_ROOT:-${KOKKOS_ROOT:-}}" ]; then
  echo "[setup] using the Kokkos at ${Kokkos_ROOT:-$KOKKOS_ROOT}"
  exit 0
fi
prefix="$deps/kokkos"
# Kokkos owns the compiler flags (STYLE.md 2.2): tell it the host architecture so kernels get SIMD
# (AVX2+FMA as Kokkos' HSW target on any x86-64 that has them; otherwise the compiler's default).
arch_flags=()
if grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo 2>/dev/null; then
  arch_flags=(-DKokkos_ARCH_HSW=ON)
fi
stamp="kokkos-3.4.01 openmp serial ${arch_flags[*]:-generic}"
if [ -f "$prefix/.beamkit-stamp" ] && [ "$(cat "$prefix/.beamkit-stamp")" = "$stamp" ]; then
  echo "[setup] Kokkos (OpenMP, ${arch_flags[*]:-generic}) present in $prefix"
  exit 0
fi
rm -rf "$prefix"
echo "[setup] building Kokkos 3.4.01 (OpenMP+Serial ${arch_flags[*]:-}) from Debian's trilinos source package"
# A private apt configuration with a deb-src entry, so the system's sources stay untouched.
apt_dir="$deps/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/src"
cat > "$apt_dir/sources.list" <<SRC
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
SRC
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=-"
          -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
          -o "APT::Sandbox::User=root")
if ! ls "$apt_dir"/src/trilinos_*.orig.tar.* >/dev/null 2>&1; then
  apt-get "${apt_opts[@]}" update -qq
  (cd "$apt_dir/src" && apt-get "${apt_opts[@]}" source --download-only trilinos >/dev/null)
fi
tarball="$(ls "$apt_dir"/src/trilinos_*.orig.tar.* | head -n1)"
src="$deps/kokkos-src"
rm -rf "$src" && mkdir -p "$src"
tar -xf "$tarball" -C "$src" --strip-components=1 --wildcards '*/packages/kokkos/*'
build="$deps/kokkos-build"
rm -rf "$build"
cmake -S "$src/packages/kokkos" -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_CXX_STANDARD=17 -DCMAKE_CXX_EXTENSIONS=OFF \
  -DKokkos_ENABLE_OPENMP=ON -DKokkos_ENABLE_SERIAL=ON -DKokkos_ENABLE_TESTS=OFF \
  -DKokkos_ENABLE_COMPLEX_ALIGN=ON -DBUILD_SHARED_LIBS=ON -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
  "${arch_flags[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
cmake --install "$build" >/dev/null
rm -rf "$build" "$src"
echo "$stamp" > "$prefix/.beamkit-stamp"
echo "[setup] Kokkos installed in $prefix"
