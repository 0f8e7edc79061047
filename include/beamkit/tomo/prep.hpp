// SPDX-License-Identifier: BSD-3-Clause
// Pre-processing kernels every reconstruction of raw data needs:
//   normalize:  (proj - dark) / (flat - dark), with flat and dark averaged over their frames
//               (TomoPy's definition; the denominator is floored at 1e-6 so dead pixels give no NaN),
//               optionally clipped above at `cutoff`;
//   minus_log:  -log(x), non-positive values clipped to a floor first; the count of clipped values is
//               returned so callers can warn.
// Views: proj [n_angles][n_slices][n_det]; flat, dark [n_frames][n_slices][n_det].
#pragma once
#include <beamkit/core/error.hpp>
#include <beamkit/core/kokkos_compat.hpp>
#include <beamkit/core/types.hpp>

namespace beamkit::tomo {

/// Mean over axis 0 of [n_frames][S][n] into [S][n].
template <class ExecSpace, class FrameView, class MeanView>
void frame_mean(const ExecSpace& space, const FrameView& frames, const MeanView& mean) {
  using Real = typename MeanView::non_const_value_type;
  const int F = int(frames.extent(0)), S = int(frames.extent(1)), n = int(frames.extent(2));
  check::require(F > 0, "beamkit::tomo::frame_mean", "no frames to average");
  Kokkos::parallel_for("beamkit::tomo::frame_mean", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<2>>(space, {0, 0}, {S, n}),
                       KOKKOS_LAMBDA(const int s, const int d) {
                         double acc = 0;
                         for (int f = 0; f < F; ++f) acc += double(frames(f, s, d));
                         mean(s, d) = Real(acc / F);
                       });
}

/// In place: proj = (proj - dark) / max(flat - dark, 1e-6), then min(., cutoff) if cutoff > 0.
template <class ExecSpace, class ProjView, class MeanView>
void normalize(const ExecSpace& space, const ProjView& proj, const MeanView& flat, const MeanView& dark,
               double cutoff = 0) {
  using Real = typename ProjView::non_const_value_type;
  constexpr const char* where = "beamkit::tomo::normalize";
  check::require(flat.extent(0) == proj.extent(1) && flat.extent(1) == proj.extent(2), where,
                 cat("flat field is (", flat.extent(0), ", ", flat.extent(1), "), projections have (", proj.extent(1),
                     ", ", proj.extent(2), ") per frame"));
  check::require(dark.extent(0) == proj.extent(1) && dark.extent(1) == proj.extent(2), where,
                 cat("dark field is (", dark.extent(0), ", ", dark.extent(1), "), projections have (", proj.extent(1),
                     ", ", proj.extent(2), ") per frame"));
  const int P = int(proj.extent(0)), S = int(proj.extent(1)), n = int(proj.extent(2));
  const Real cut = Real(cutoff);
  Kokkos::parallel_for("beamkit::tomo::normalize",
                       Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(space, {0, 0, 0}, {P, S, n}),
                       KOKKOS_LAMBDA(const int a, const int s, const int d) {
                         const Real den = kmath::max(Real(flat(s, d) - dark(s, d)), Real(1e-6));
                         Real v = (proj(a, s, d) - dark(s, d)) / den;
                         if (cut > Real(0)) v = kmath::min(v, cut);
                         proj(a, s, d) = v;
                       });
}

/// In place: x = -log(max(x, floor)); returns how many values were <= 0 (clipped).
template <class ExecSpace, class View>
long minus_log(const ExecSpace& space, const View& x, double floor_value = 1e-6) {
  using Real = typename View::non_const_value_type;
  static_assert(View::rank == 3, "beamkit::tomo::minus_log: rank-3 view");
  check::positive(floor_value, "beamkit::tomo::minus_log", "floor");
  const Real fl = Real(floor_value);
  long clipped = 0;
  const int P = int(x.extent(0)), S = int(x.extent(1)), n = int(x.extent(2));
  Kokkos::parallel_reduce("beamkit::tomo::minus_log",
                          Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(space, {0, 0, 0}, {P, S, n}),
                          KOKKOS_LAMBDA(const int a, const int s, const int d, long& cnt) {
                            Real v = x(a, s, d);
                            if (!(v > Real(0))) {
                              ++cnt;
                              v = fl;
                            }
                            x(a, s, d) = -kmath::log(kmath::max(v, fl));
                          },
                          clipped);
  return clipped;
}

}  // namespace beamkit::tomo
