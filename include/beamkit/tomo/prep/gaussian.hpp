// SPDX-License-Identifier: BSD-3-Clause
// Gaussian smoothing of every plane of a [B][H][W] View, as scipy.ndimage.gaussian_filter on each 2-D
// slice (TomoPy's gaussian_filter): kernel exp(-x^2 / (2 sigma^2)) on x = -r..r, r = int(4 sigma + 0.5),
// normalised to sum 1, 'reflect' boundary, applied along H and then along W (sums in double).
// sigma = 0 on an axis leaves that axis alone (scipy does the same).
#pragma once
#include <beamkit/core/error.hpp>
#include <beamkit/core/kokkos_compat.hpp>
#include <beamkit/core/types.hpp>
#include <beamkit/tomo/prep/detail/select.hpp>
#include <cmath>
#include <vector>

namespace beamkit::tomo {

namespace detail {
/// Normalised Gaussian weights on -r..r with r = int(truncate * sigma + 0.5).
inline std::vector<double> gaussian_weights(double sigma, double truncate = 4.0) {
  const int r = int(truncate * sigma + 0.5);
  std::vector<double> w(2 * r + 1);
  double sum = 0;
  for (int k = -r; k <= r; ++k) sum += w[k + r] = std::exp(-0.5 * double(k) * double(k) / (sigma * sigma));
  for (double& v : w) v /= sum;
  return w;
}

template <class ExecSpace, class InView, class OutView>
void gaussian_pass(const ExecSpace& space, const InView& in, const OutView& out, const std::vector<double>& wts, int axis) {
  using Real = typename OutView::non_const_value_type;
  const int B = int(in.extent(0)), H = int(in.extent(1)), W = int(in.extent(2));
  const int r = int(wts.size() / 2);
  View1<double, typename ExecSpace::memory_space> w("beamkit::tomo::gaussian_weights", wts.size());
  auto wh = Kokkos::create_mirror_view(w);
  for (std::size_t k = 0; k < wts.size(); ++k) wh(k) = wts[k];
  Kokkos::deep_copy(w, wh);  // synchronous: wh dies with this scope
  Kokkos::parallel_for("beamkit::tomo::gaussian_filter", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(space, {0, 0, 0}, {B, H, W}),
                       KOKKOS_LAMBDA(const int b, const int i, const int j) {
                         double acc = 0;
                         if (axis == 1) {
                           if (i - r >= 0 && i + r < H) {  // interior: no boundary arithmetic
                             for (int k = -r; k <= r; ++k) acc += w(k + r) * double(in(b, i + k, j));
                           } else {
                             for (int k = -r; k <= r; ++k) acc += w(k + r) * double(in(b, reflect_index(i + k, H), j));
                           }
                         } else {
                           if (j - r >= 0 && j + r < W) {
                             for (int k = -r; k <= r; ++k) acc += w(k + r) * double(in(b, i, j + k));
                           } else {
                             for (int k = -r; k <= r; ++k) acc += w(k + r) * double(in(b, i, reflect_index(j + k, W)));
                           }
                         }
                         out(b, i, j) = Real(acc);
                       });
}
}  // namespace detail

/// out = Gaussian-smoothed in, plane by plane; sigma_y along H, sigma_x along W. in and out may alias.
template <class ExecSpace, class InView, class OutView>
void gaussian_filter(const ExecSpace& space, const InView& in, const OutView& out, double sigma_y, double sigma_x) {
  using Real = typename OutView::non_const_value_type;
  static_assert(InView::rank == 3 && OutView::rank == 3, "beamkit::tomo::gaussian_filter: rank-3 views");
  constexpr const char* where = "beamkit::tomo::gaussian_filter";
  check::non_negative(sigma_y, where, "sigma");
  check::non_negative(sigma_x, where, "sigma");
  check::require(std::isfinite(sigma_y) && std::isfinite(sigma_x) && sigma_y < 1e4 && sigma_x < 1e4, where,
                 cat("argument 'sigma' must be finite and < 1e4, got ", sigma_y, ", ", sigma_x));
  const int B = int(in.extent(0)), H = int(in.extent(1)), W = int(in.extent(2));
  check::require(out.extent(0) == in.extent(0) && out.extent(1) == in.extent(1) && out.extent(2) == in.extent(2), where,
                 "input and output shapes differ");
  View3<Real, typename ExecSpace::memory_space> tmp(Kokkos::view_alloc(space, Kokkos::WithoutInitializing, "beamkit::tomo::gaussian_tmp"), B, H, W);
  if (sigma_y > 0) {
    detail::gaussian_pass(space, in, tmp, detail::gaussian_weights(sigma_y), 1);
  } else {
    Kokkos::deep_copy(space, tmp, in);
  }
  if (sigma_x > 0) {
    detail::gaussian_pass(space, tmp, out, detail::gaussian_weights(sigma_x), 2);
  } else {
    Kokkos::deep_copy(space, out, tmp);
  }
}

}  // namespace beamkit::tomo
