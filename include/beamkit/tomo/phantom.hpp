// SPDX-License-Identifier: BSD-3-Clause
// Analytic phantoms: the modified Shepp-Logan head (Toft 1996, higher-contrast variant of Shepp &
// Logan 1974) in 2-D, its 3-D ellipsoid counterpart (Kak & Slaney, axial rotations only), and discs.
// A single slice (nz = 1) is the 2-D phantom (z ignored).
// Coordinates: [-1, 1] across the image, y pointing up (row 0 at the top), as in every textbook
// figure; values are point samples at pixel centres averaged over `supersample`^2 sub-pixels.
#pragma once
#include <beamkit/core/error.hpp>
#include <beamkit/core/kokkos_compat.hpp>
#include <beamkit/core/types.hpp>
#include <vector>

namespace beamkit::tomo {

/// An ellipsoid: value added inside, semi-axes (a, b, c), centre (x0, y0, z0), rotation phi about z (degrees).
struct Ellipsoid {
  double value, a, b, c, x0, y0, z0, phi_deg;
};

inline std::vector<Ellipsoid> shepp_logan_ellipses() {
  return {{1.0, .69, .92, .81, 0, 0, 0, 0},          {-.8, .6624, .874, .78, 0, -.0184, 0, 0},
          {-.2, .11, .31, .22, .22, 0, 0, -18},       {-.2, .16, .41, .28, -.22, 0, 0, 18},
          {.1, .21, .25, .41, 0, .35, -.15, 0},       {.1, .046, .046, .05, 0, .1, .25, 0},
          {.1, .046, .046, .05, 0, -.1, .25, 0},      {.1, .046, .023, .05, -.08, -.605, 0, 0},
          {.1, .023, .023, .02, 0, -.606, 0, 0},      {.1, .023, .046, .02, .06, -.605, 0, 0}};
}

/// Rasterise ellipsoids into `vol` [nz][N][N] (a 2-D phantom is nz = 1 at z = 0).
template <class ExecSpace, class VolView>
void rasterize_ellipsoids(const ExecSpace& space, const std::vector<Ellipsoid>& ell, const VolView& vol,
                          int supersample = 1) {
  using Real = typename VolView::non_const_value_type;
  constexpr const char* where = "beamkit::tomo::rasterize_ellipsoids";
  check::require(vol.extent(1) == vol.extent(2), where, "slices must be square");
  check::in_range(supersample, 1, 16, where, "supersample");
  const int ne = int(ell.size());
  Kokkos::View<double* [8], typename ExecSpace::memory_space> e("beamkit::tomo::ellipsoids", std::size_t(ne));
  auto he = Kokkos::create_mirror_view(e);
  for (int i = 0; i < ne; ++i) {
    const auto& q = ell[std::size_t(i)];
    check::require(q.a > 0 && q.b > 0 && q.c > 0, where, cat("ellipsoid ", i, " has a non-positive semi-axis"));
    const double ph = q.phi_deg * 3.141592653589793 / 180;
    const double v[8] = {q.value, q.a, q.b, q.c, q.x0, q.y0, q.z0, ph};
    for (int k = 0; k < 8; ++k) he(i, k) = v[k];
  }
  Kokkos::deep_copy(e, he);
  const int nz = int(vol.extent(0)), n = int(vol.extent(1)), ss = supersample;
  Kokkos::parallel_for(
      "beamkit::tomo::phantom", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(space, {0, 0, 0}, {nz, n, n}),
      KOKKOS_LAMBDA(const int iz, const int r, const int c) {
        const double z = nz == 1 ? 0.0 : -1.0 + (iz + 0.5) * 2.0 / nz;
        double acc = 0;
        for (int sy = 0; sy < ss; ++sy)
          for (int sx = 0; sx < ss; ++sx) {
            const double y = 1.0 - (r + (sy + 0.5) / ss) * 2.0 / n;
            const double x = -1.0 + (c + (sx + 0.5) / ss) * 2.0 / n;
            for (int i = 0; i < ne; ++i) {
              const double cp = kmath::cos(e(i, 7)), sp = kmath::sin(e(i, 7));
              const double dx = x - e(i, 4), dy = y - e(i, 5), dz = z - e(i, 6);
              const double u = (dx * cp + dy * sp) / e(i, 1), v = (-dx * sp + dy * cp) / e(i, 2);
              const double w = nz == 1 ? 0.0 : dz / e(i, 3);  // one slice: the 2-D phantom
              if (u * u + v * v + w * w <= 1.0) acc += e(i, 0);
            }
          }
        vol(iz, r, c) = Real(acc / (ss * ss));
      });
}

/// The modified Shepp-Logan phantom, [1][N][N].
template <class Real, class ExecSpace = Kokkos::DefaultExecutionSpace>
View3<Real, typename ExecSpace::memory_space> shepp_logan(int n, int supersample = 1, const ExecSpace& space = {}) {
  check::positive(n, "beamkit::tomo::shepp_logan", "N");
  View3<Real, typename ExecSpace::memory_space> v(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::shepp_logan"),
                                                  1, std::size_t(n), std::size_t(n));
  rasterize_ellipsoids(space, shepp_logan_ellipses(), v, supersample);
  return v;
}

/// The 3-D Shepp-Logan phantom, [nz][N][N].
template <class Real, class ExecSpace = Kokkos::DefaultExecutionSpace>
View3<Real, typename ExecSpace::memory_space> shepp_logan_3d(int nz, int n, int supersample = 1,
                                                             const ExecSpace& space = {}) {
  check::positive(n, "beamkit::tomo::shepp_logan_3d", "N");
  check::positive(nz, "beamkit::tomo::shepp_logan_3d", "nz");
  View3<Real, typename ExecSpace::memory_space> v(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::shepp_logan3d"),
                                                  std::size_t(nz), std::size_t(n), std::size_t(n));
  rasterize_ellipsoids(space, shepp_logan_ellipses(), v, supersample);
  return v;
}

}  // namespace beamkit::tomo
