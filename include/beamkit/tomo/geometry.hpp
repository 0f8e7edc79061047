// SPDX-License-Identifier: BSD-3-Clause
// Parallel-beam geometry in TomoPy's conventions, so users can switch in one line.
//
//  * Detector pixel d (0-based) spans [d, d+1) in "detector coordinates"; `center` is the rotation
//    axis in the same coordinates (default n_det/2, the detector middle). A centre found as a
//    0-based pixel-centre position c corresponds to center = c + 0.5.
//  * Reconstruction grid: N x N pixels of the detector pixel size, centred on the axis; pixel
//    (row r, column c) has its centre at x = c + 1/2 - N/2 (column axis), y = r + 1/2 - N/2 (row axis).
//  * At angle theta the point (x, y) projects to the signed distance from the axis
//        s = x cos(theta) - y sin(theta)          (TomoPy's orientation: images agree with TomoPy's)
//    i.e. onto detector index  U = s + center - 1/2  (pixel-centre units).
//  * Reconstructed values are attenuation per pixel: projecting a phantom and reconstructing it
//    returns the phantom's values (line integrals are in pixel units).
#pragma once
#include <beamkit/core/error.hpp>
#include <beamkit/core/kokkos_compat.hpp>
#include <beamkit/core/types.hpp>
#include <cmath>
#include <vector>

namespace beamkit::tomo {

/// Per-angle coefficients: s = ax * x + ay * y, and the Joseph tent half-width w = max(|ax|, |ay|).
template <class Real> struct AngleCoef {
  Real ax, ay, w;
};

/// Host-side description of a parallel-beam acquisition; build device tables with `angle_table`.
struct ParallelGeometry {
  int n_angles = 0, n_det = 0, n_grid = 0;  ///< projections, detector columns, output N (N x N)
  std::vector<double> theta;                ///< radians, n_angles
  std::vector<double> center;               ///< one per slice (or one for all)

  double center_of(int slice) const { return center.size() == 1 ? center[0] : center[std::size_t(slice)]; }

  void validate(const char* where, int n_slices) const {
    check::positive(n_angles, where, "n_angles");
    check::positive(n_det, where, "n_det");
    check::positive(n_grid, where, "num_gridx");
    check::require(int(theta.size()) == n_angles, where,
                   cat("argument 'theta' has ", theta.size(), " entries, expected ", n_angles, " (one per projection)"));
    for (std::size_t i = 0; i < theta.size(); ++i)
      if (!std::isfinite(theta[i])) fail(errc::invalid_argument, where, cat("argument 'theta' has a non-finite value at index ", i));
    check::require(center.size() == 1 || int(center.size()) == n_slices, where,
                   cat("argument 'center' has ", center.size(), " entries, expected 1 or ", n_slices, " (one per slice)"));
    for (double c : center) {
      check::finite(c, where, "center");
      check::require(c > -n_det && c < 2.0 * n_det, where,
                     cat("argument 'center' = ", c, " is far outside the detector (0 .. ", n_det, ")"));
    }
  }
};

/// Device table of angle coefficients [n_angles].
template <class Real, class MemSpace>
Kokkos::View<AngleCoef<Real>*, MemSpace> angle_table(const std::vector<double>& theta) {
  Kokkos::View<AngleCoef<Real>*, MemSpace> t(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::angles"),
                                             theta.size());
  auto h = Kokkos::create_mirror_view(Kokkos::view_alloc(Kokkos::HostSpace(), Kokkos::WithoutInitializing), t);
  for (std::size_t i = 0; i < theta.size(); ++i) {
    const double c = std::cos(theta[i]), s = std::sin(theta[i]);
    const double ax = std::abs(c) < 1e-15 ? 0.0 : c, ay = std::abs(s) < 1e-15 ? 0.0 : -s;
    h(i) = AngleCoef<Real>{Real(ax), Real(ay), Real(std::max(std::abs(ax), std::abs(ay)))};
  }
  Kokkos::deep_copy(t, h);
  return t;
}

/// Device table of per-slice centres [n_slices].
template <class Real, class MemSpace>
Kokkos::View<Real*, MemSpace> center_table(const ParallelGeometry& g, int n_slices) {
  Kokkos::View<Real*, MemSpace> t(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::centers"),
                                  std::size_t(n_slices));
  auto h = Kokkos::create_mirror_view(Kokkos::view_alloc(Kokkos::HostSpace(), Kokkos::WithoutInitializing), t);
  for (int i = 0; i < n_slices; ++i) h(i) = Real(g.center_of(i));
  Kokkos::deep_copy(t, h);
  return t;
}

}  // namespace beamkit::tomo
