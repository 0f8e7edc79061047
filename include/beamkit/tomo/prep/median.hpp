// SPDX-License-Identifier: BSD-3-Clause
// Median filtering and zinger (outlier) removal, with scipy.ndimage's conventions as TomoPy uses them:
//   median_filter(in, out, wy, wx): every plane in(b, :, :) of a [B][H][W] View filtered with a
//       wy x wx window covering [i - wy/2, i - wy/2 + wy) (likewise in x), 'reflect' boundary, and the
//       element of rank (wy*wx)/2 (the median for odd windows, scipy's choice for even ones);
//   remove_outlier(x, dif, size): x = (x - med >= dif) ? med : x with med the size x size median of
//       each plane; returns how many values were replaced (TomoPy's remove_outlier on axis 0).
// Other axes: permute the data so the plane you want is the last two axes (the Python layer does).
#pragma once
#include <beamkit/core/error.hpp>
#include <beamkit/core/kokkos_compat.hpp>
#include <beamkit/core/types.hpp>
#include <beamkit/tomo/prep/detail/select.hpp>

namespace beamkit::tomo {

/// Largest window (wy * wx) the median kernels accept: a 21 x 21 square or a 441-long line.
constexpr int median_max_window = 441;

namespace detail {
inline void check_median_window(int wy, int wx, const char* where) {
  check::require(wy >= 1 && wx >= 1, where, cat("argument 'size' must be >= 1, got ", wy, " x ", wx));
  check::require(wy * wx <= median_max_window, where,
                 cat("argument 'size' gives a ", wy, " x ", wx, " window; at most ", median_max_window, " values are supported"));
}
}  // namespace detail

/// out(b, i, j) = rank-(wy*wx/2) value of in(b, window around (i, j)); in and out must not alias.
template <class ExecSpace, class InView, class OutView>
void median_filter(const ExecSpace& space, const InView& in, const OutView& out, int wy, int wx) {
  using Real = typename OutView::non_const_value_type;
  static_assert(InView::rank == 3 && OutView::rank == 3, "beamkit::tomo::median_filter: rank-3 views");
  constexpr const char* where = "beamkit::tomo::median_filter";
  detail::check_median_window(wy, wx, where);
  const int B = int(in.extent(0)), H = int(in.extent(1)), W = int(in.extent(2));
  check::require(out.extent(0) == in.extent(0) && out.extent(1) == in.extent(1) && out.extent(2) == in.extent(2), where,
                 "input and output shapes differ");
  const int oy = wy / 2, ox = wx / 2, nwin = wy * wx, rank = nwin / 2;
  Kokkos::parallel_for(where, Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(space, {0, 0, 0}, {B, H, W}),
                       KOKKOS_LAMBDA(const int b, const int i, const int j) {
                         Kokkos::Array<Real, median_max_window> v;
                         int m = 0;
                         if (i - oy >= 0 && i - oy + wy <= H && j - ox >= 0 && j - ox + wx <= W) {  // interior
                           for (int p = 0; p < wy; ++p)
                             for (int q = 0; q < wx; ++q) v[m++] = Real(in(b, i - oy + p, j - ox + q));
                         } else {
                           for (int p = 0; p < wy; ++p) {
                             const int ii = detail::reflect_index(i - oy + p, H);
                             for (int q = 0; q < wx; ++q) v[m++] = Real(in(b, ii, detail::reflect_index(j - ox + q, W)));
                           }
                         }
                         out(b, i, j) = detail::select_kth(v.data(), nwin, rank);
                       });
}

/// In place: values exceeding their size x size plane median by >= dif are replaced by the median.
/// Returns the number of replaced values.
template <class ExecSpace, class View>
long remove_outlier(const ExecSpace& space, const View& x, double dif, int size = 3) {
  using Real = typename View::non_const_value_type;
  static_assert(View::rank == 3, "beamkit::tomo::remove_outlier: rank-3 view");
  constexpr const char* where = "beamkit::tomo::remove_outlier";
  check::finite(dif, where, "dif");
  detail::check_median_window(size, size, where);
  const int B = int(x.extent(0)), H = int(x.extent(1)), W = int(x.extent(2));
  View3<Real, typename ExecSpace::memory_space> med(Kokkos::view_alloc(space, Kokkos::WithoutInitializing, "beamkit::tomo::remove_outlier"), B, H, W);
  median_filter(space, x, med, size, size);
  const Real d = Real(dif);
  long replaced = 0;
  Kokkos::parallel_reduce("beamkit::tomo::remove_outlier_replace",
                          Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(space, {0, 0, 0}, {B, H, W}),
                          KOKKOS_LAMBDA(const int b, const int i, const int j, long& cnt) {
                            if (x(b, i, j) - med(b, i, j) >= d) {
                              x(b, i, j) = med(b, i, j);
                              ++cnt;
                            }
                          },
                          replaced);
  return replaced;
}

}  // namespace beamkit::tomo
