// SPDX-License-Identifier: BSD-3-Clause
// Flat/dark normalisation and the log transform (TomoPy's tomopy.prep.normalize definitions):
//   frame_mean / frame_median: flat or dark frames [n_frames][S][n] averaged over axis 0 into [S][n]
//                (median: the mean of the two middle values for an even count, as numpy.median);
//   normalize:  (proj - dark) / max(flat - dark, 1e-6), then min(., cutoff) if cutoff > 0;
//   normalize_bg: each row [n] of each projection divided by the straight line through the means of
//                its first and last `air` pixels (a mean <= 0 counts as 1), TomoPy's normalize_bg;
//   minus_log:  -log(x), non-positive values clipped to a floor first; returns how many were clipped.
// Views: proj [n_angles][n_slices][n_det]; flat, dark [n_frames][n_slices][n_det].
#pragma once
#include <beamkit/core/error.hpp>
#include <beamkit/core/kokkos_compat.hpp>
#include <beamkit/core/types.hpp>
#include <beamkit/tomo/prep/detail/select.hpp>

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

/// Median over axis 0 of [n_frames][S][n] into [S][n] (robust to zingers in single flats/darks).
template <class ExecSpace, class FrameView, class MedianView>
void frame_median(const ExecSpace& space, const FrameView& frames, const MedianView& med) {
  using Real = typename MedianView::non_const_value_type;
  const int F = int(frames.extent(0)), S = int(frames.extent(1)), n = int(frames.extent(2));
  check::require(F > 0, "beamkit::tomo::frame_median", "no frames to average");
  View3<double, typename ExecSpace::memory_space> work(
      Kokkos::view_alloc(space, Kokkos::WithoutInitializing, "beamkit::tomo::frame_median"), S, n, F);
  Kokkos::parallel_for("beamkit::tomo::frame_median", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<2>>(space, {0, 0}, {S, n}),
                       KOKKOS_LAMBDA(const int s, const int d) {
                         double* v = &work(s, d, 0);
                         for (int f = 0; f < F; ++f) v[f] = double(frames(f, s, d));
                         const double hi = detail::select_kth(v, F, F / 2);
                         if (F % 2 == 1) {
                           med(s, d) = Real(hi);
                         } else {
                           double lo = v[0];  // the largest of the lower half
                           for (int f = 1; f < F / 2; ++f) lo = v[f] > lo ? v[f] : lo;
                           med(s, d) = Real(0.5 * (lo + hi));
                         }
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

/// In place, TomoPy's normalize_bg: every detector row of every projection is divided by the line
/// from the mean of its first `air` pixels to the mean of its last `air` pixels (means <= 0 -> 1).
template <class ExecSpace, class ProjView>
void normalize_bg(const ExecSpace& space, const ProjView& proj, int air = 1) {
  using Real = typename ProjView::non_const_value_type;
  static_assert(ProjView::rank == 3, "beamkit::tomo::normalize_bg: rank-3 view");
  constexpr const char* where = "beamkit::tomo::normalize_bg";
  const int P = int(proj.extent(0)), S = int(proj.extent(1)), n = int(proj.extent(2));
  check::require(air >= 1 && air <= n, where, cat("argument 'air' must be in [1, ", n, "] (the detector width), got ", air));
  Kokkos::parallel_for("beamkit::tomo::normalize_bg", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<2>>(space, {0, 0}, {P, S}),
                       KOKKOS_LAMBDA(const int a, const int s) {
                         Real left = 0, right = 0;
                         for (int j = 0; j < air; ++j) {
                           left += proj(a, s, j);
                           right += proj(a, s, n - 1 - j);
                         }
                         left /= Real(air);
                         right /= Real(air);
                         if (left <= Real(0)) left = 1;
                         if (right <= Real(0)) right = 1;
                         const Real slope = n > 1 ? (right - left) / Real(n - 1) : Real(0);
                         for (int j = 0; j < n; ++j) proj(a, s, j) = proj(a, s, j) / (left + slope * Real(j));
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
