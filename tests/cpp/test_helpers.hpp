// SPDX-License-Identifier: BSD-3-Clause
// Shared helpers for the doctest suites.
#pragma once
#include <beamkit/beamkit.hpp>
#include <beamkit/tomo/geometry.hpp>
#include <beamkit/tomo/projector.hpp>
#include <cmath>
#include <cstdio>
#include <doctest/doctest.h>
#include <string>
#include <unistd.h>

namespace bk_test {
using ExecSpace = Kokkos::DefaultExecutionSpace;

template <class Real> constexpr double tol() { return std::is_same<Real, float>::value ? 1e-5 : 1e-12; }

inline std::string shared_data(const std::string& rel) { return std::string(BEAMKIT_SHARED_DATA) + "/" + rel; }
inline bool file_exists(const std::string& p) { return ::access(p.c_str(), R_OK) == 0; }

/// A scratch file path unique to this process, removed at scope exit.
struct TempPath {
  std::string path;
  explicit TempPath(const std::string& name)
      : path("/tmp/beamkit_test_" + std::to_string(::getpid()) + "_" + name) {}
  ~TempPath() { std::remove(path.c_str()); }
};

/// Parallel-beam geometry of the tomography tests: n_angles equally spaced over [0, pi), one centre.
inline beamkit::tomo::ParallelGeometry parallel_geometry(int n_grid, int n_det, int n_angles, double center) {
  beamkit::tomo::ParallelGeometry g;
  g.n_angles = n_angles;
  g.n_det = n_det;
  g.n_grid = n_grid;
  for (int i = 0; i < n_angles; ++i) g.theta.push_back(M_PI * i / n_angles);
  g.center = {center};
  return g;
}

/// Sinograms [S][P][n_det] of images [S][N][N] by beamkit's forward projector.
template <class Real>
beamkit::View3<Real, ExecSpace::memory_space> project(const beamkit::View3<Real, ExecSpace::memory_space>& img,
                                                      const beamkit::tomo::ParallelGeometry& g) {
  using Mem = ExecSpace::memory_space;
  beamkit::View3<Real, Mem> sino("sino", img.extent(0), std::size_t(g.n_angles), std::size_t(g.n_det));
  beamkit::tomo::forward_project(ExecSpace(), img, beamkit::tomo::angle_table<Real, Mem>(g.theta),
                                 beamkit::tomo::center_table<Real, Mem>(g, int(img.extent(0))), sino);
  return sino;
}
}  // namespace bk_test
