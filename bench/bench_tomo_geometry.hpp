// SPDX-License-Identifier: BSD-3-Clause
// The geometry the tomography benchmarks share: N x N grid, n_det = N, P angles evenly over [0, pi),
// the axis in the middle of the detector.
#pragma once
#include <beamkit/tomo/geometry.hpp>
#include <cmath>

namespace bench_tomo {
inline beamkit::tomo::ParallelGeometry geom(int n, int nang) {
  beamkit::tomo::ParallelGeometry g;
  g.n_angles = nang;
  g.n_det = n;
  g.n_grid = n;
  for (int i = 0; i < nang; ++i) g.theta.push_back(M_PI * i / nang);
  g.center = {n / 2.0};
  return g;
}
}  // namespace bench_tomo
