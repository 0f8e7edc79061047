// SPDX-License-Identifier: BSD-3-Clause
// Binning: TomoPy's downsample(arr, level, axis). Along `axis`, each output sample is the mean of
// 2^level consecutive input samples; the output length is floor(n / 2^level) (a remainder is dropped).
#pragma once
#include <beamkit/core/error.hpp>
#include <beamkit/core/types.hpp>
#include <array>

namespace beamkit::tomo {

/// Output shape of downsample(in, level, axis).
inline std::array<int, 3> downsample_shape(const std::array<int, 3>& in, int level, int axis) {
  constexpr const char* where = "beamkit::tomo::downsample";
  check::require(axis >= 0 && axis <= 2, where, cat("argument 'axis' must be 0, 1 or 2, got ", axis));
  check::require(level >= 0 && level < 31, where, cat("argument 'level' must be in [0, 30], got ", level));
  auto out = in;
  out[axis] = in[axis] >> level;
  check::require(out[axis] >= 1, where,
                 cat("argument 'level' = ", level, " bins 2^", level, " samples but axis ", axis, " has only ", in[axis]));
  return out;
}

/// out = in binned by 2^level along `axis`; out must have downsample_shape(in) extents.
template <class ExecSpace, class InView, class OutView>
void downsample(const ExecSpace& space, const InView& in, const OutView& out, int level, int axis) {
  using Real = typename OutView::non_const_value_type;
  static_assert(InView::rank == 3 && OutView::rank == 3, "beamkit::tomo::downsample: rank-3 views");
  const auto shp = downsample_shape({int(in.extent(0)), int(in.extent(1)), int(in.extent(2))}, level, axis);
  check::require(int(out.extent(0)) == shp[0] && int(out.extent(1)) == shp[1] && int(out.extent(2)) == shp[2],
                 "beamkit::tomo::downsample", cat("output is (", out.extent(0), ", ", out.extent(1), ", ", out.extent(2),
                                                  "), expected (", shp[0], ", ", shp[1], ", ", shp[2], ")"));
  const int f = 1 << level;
  const double inv = 1.0 / f;
  Kokkos::parallel_for("beamkit::tomo::downsample",
                       Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(space, {0, 0, 0}, {shp[0], shp[1], shp[2]}),
                       KOKKOS_LAMBDA(const int a, const int b, const int c) {
                         double acc = 0;
                         for (int k = 0; k < f; ++k) {
                           if (axis == 0) acc += double(in(a * f + k, b, c));
                           else if (axis == 1) acc += double(in(a, b * f + k, c));
                           else acc += double(in(a, b, c * f + k));
                         }
                         out(a, b, c) = Real(acc * inv);
                       });
}

}  // namespace beamkit::tomo
