// SPDX-License-Identifier: BSD-3-Clause
// `beamkit recon --prep CHAIN`: the pre-processing stage of the pipeline (tomo/prep/chain.hpp).
// A chunk of slices [c0, c0+nc) is read raw together with `chain.halo()` neighbouring slices on each
// side (as many as the dataset has), the flat and dark frames for the same rows when the chain
// normalises, the chain runs on the widened block, and the nc requested slices are returned.
// Steps on sinograms (stripe removal, normalize, minus_log) need no halo; steps on projections
// (zinger, median, gaussian, phase) see real neighbours across chunk boundaries this way, so chunked
// results equal whole-volume ones for the filters (exactly for zinger/median/gaussian, to ~1e-3 for
// phase, whose padding depends on the block's height).
#pragma once
#include "cli_common.hpp"
#include <beamkit/io/hdf5.hpp>
#include <beamkit/tomo/prep/chain.hpp>
#include <cmath>

namespace beamkit::cli {

/// Slices [c0, c0+nc) of /exchange/data after `chain` (which must not be empty); S_all slices in total.
inline HostView3<float> load_prepped(const std::string& input, const tomo::PrepChain& chain, int c0, int nc, int S_all,
                                     tomo::PrepReport& report) {
  using Host = Kokkos::DefaultHostExecutionSpace;
  constexpr const char* where = "beamkit recon --prep";
  const int h = chain.halo();
  const int r0 = std::max(0, c0 - h), r1 = std::min(S_all, c0 + nc + h);
  auto raw = io::read<float, 3>(input, "/exchange/data", 1, r0, r1 - r0);
  for (std::size_t i = 0; i < raw.span(); ++i)
    if (!std::isfinite(raw.data()[i]))
      fail(errc::invalid_argument, where, cat("/exchange/data has a non-finite value in slices ", r0, "..", r1 - 1));
  HostView3<float> flat("flat", 0, r1 - r0, raw.extent(2)), dark("dark", 0, r1 - r0, raw.extent(2));
  if (chain.has(tomo::PrepKind::normalize)) {
    for (const char* ds : {"/exchange/data_white", "/exchange/data_dark"})
      if (!io::has_dataset(input, ds))
        fail(errc::invalid_argument, where, cat("the chain normalises but '", input, "' has no ", ds));
    flat = io::read<float, 3>(input, "/exchange/data_white", 1, r0, r1 - r0);
    dark = io::read<float, 3>(input, "/exchange/data_dark", 1, r0, r1 - r0);
    if (flat.extent(2) != raw.extent(2) || dark.extent(2) != raw.extent(2))
      fail(errc::invalid_argument, where, "data_white/data_dark do not match the detector width of /exchange/data");
  }
  const auto rep = tomo::apply(Host(), chain, raw, flat, dark);
  report.clipped += rep.clipped;
  report.zingers += rep.zingers;
  if (r0 == c0 && r1 == c0 + nc) return raw;
  HostView3<float> out(Kokkos::view_alloc(Kokkos::WithoutInitializing, "prepped"), raw.extent(0), nc, raw.extent(2));
  Kokkos::deep_copy(out, Kokkos::subview(raw, Kokkos::ALL, std::make_pair(c0 - r0, c0 - r0 + nc), Kokkos::ALL));
  return out;
}

}  // namespace beamkit::cli
