// SPDX-License-Identifier: BSD-3-Clause
// Umbrella header: everything public in beamkit.
#pragma once
#include <beamkit/core/error.hpp>
#include <beamkit/core/kokkos_compat.hpp>
#include <beamkit/core/random.hpp>
#include <beamkit/core/types.hpp>
#include <beamkit/fft/plan.hpp>
#include <beamkit/io/hdf5.hpp>
#include <beamkit/io/png.hpp>
#include <beamkit/version.hpp>
#include <string>

namespace beamkit {
/// The library version, e.g. "0.1.0".
std::string version();
/// Versions of beamkit and its dependencies, Kokkos backends and thread count, one per line.
std::string config_summary();
}  // namespace beamkit
