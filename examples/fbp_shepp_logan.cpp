// SPDX-License-Identifier: BSD-3-Clause
// A complete C++ use of beamkit: project a Shepp-Logan phantom, reconstruct it with FBP and gridrec,
// report the error, write PNG pictures.   build/bin/example_fbp_shepp_logan [N] [out_prefix]
#include <beamkit/beamkit.hpp>
#include <beamkit/tomo/fbp.hpp>
#include <beamkit/tomo/gridrec.hpp>
#include <beamkit/tomo/phantom.hpp>
#include <cmath>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  Kokkos::ScopeGuard guard(argc, argv);
  using ES = Kokkos::DefaultExecutionSpace;
  using Mem = ES::memory_space;
  namespace tomo = beamkit::tomo;
  const int n = argc > 1 ? std::atoi(argv[1]) : 256;
  const std::string prefix = argc > 2 ? argv[2] : "example";
  try {
    tomo::ParallelGeometry g;  // TomoPy's conventions: centre n/2, theta in radians
    g.n_angles = int(std::ceil(M_PI * n / 2));
    g.n_det = g.n_grid = n;
    for (int a = 0; a < g.n_angles; ++a) g.theta.push_back(M_PI * a / g.n_angles);
    g.center = {n / 2.0};

    auto phantom = tomo::shepp_logan<float>(n);
    beamkit::View3<float, Mem> sino("sino", 1, g.n_angles, n), fbp("fbp", 1, n, n), grid("grid", 1, n, n);
    tomo::forward_project(ES(), phantom, tomo::angle_table<float, Mem>(g.theta), tomo::center_table<float, Mem>(g, 1), sino);
    tomo::FbpPlan<ES, float>(ES(), g).reconstruct(sino, fbp);
    tomo::GridrecPlan<ES, float>(ES(), g).reconstruct(sino, grid);

    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), phantom);
    for (auto [name, view] : {std::pair<const char*, beamkit::View3<float, Mem>>{"fbp", fbp}, {"gridrec", grid}}) {
      auto r = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), view);
      double num = 0, den = 0;
      for (std::size_t i = 0; i < r.span(); ++i) {
        num += std::pow(r.data()[i] - h.data()[i], 2);
        den += std::pow(h.data()[i], 2);
      }
      std::cout << name << ": relative RMSE " << std::sqrt(num / den) << "\n";
      beamkit::io::write_png(prefix + "_" + name + ".png", r.data(), n, n);
    }
  } catch (const beamkit::error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
