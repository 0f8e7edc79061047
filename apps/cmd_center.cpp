// SPDX-License-Identifier: BSD-3-Clause
// `beamkit center INPUT.h5`: the rotation centre of a Data Exchange file by two independent methods
// (opposite-projection correlation and reconstruction entropy), printed in TomoPy's convention.
#include "tomo_pipeline.hpp"
#include <beamkit/tomo/center.hpp>

void cmd_center(CLI::App& app) {
  auto* sub = app.add_subcommand("center", "Find the rotation centre of a Data Exchange file (TomoPy's convention)");
  auto input = std::make_shared<std::string>();
  auto slice = std::make_shared<int>(-1);
  auto method = std::make_shared<std::string>("both");
  auto unit = std::make_shared<std::string>("auto");
  sub->add_option("input", *input, "input HDF5 file (Data Exchange layout)")->required()->check(CLI::ExistingFile);
  sub->add_option("--slice", *slice, "slice used (default: the middle one)");
  sub->add_option("--method", *method, "pc | entropy | both")->check(CLI::IsMember({"pc", "entropy", "both"}));
  sub->add_option("--theta-unit", *unit, "auto | deg | rad")->check(CLI::IsMember({"auto", "deg", "rad"}));
  beamkit::cli::on_run(sub, [input, slice, method, unit] {
    using namespace beamkit;
    const auto info = io::dataset_info(*input, "/exchange/data");
    if (info.dims.size() != 3) fail(errc::invalid_argument, "beamkit center", "/exchange/data must be [angles][slices][detector]");
    const int P = int(info.dims[0]), S = int(info.dims[1]), n = int(info.dims[2]);
    const int s = *slice < 0 ? S / 2 : *slice;
    if (s >= S) fail(errc::invalid_argument, "beamkit center", cat("--slice ", s, " is outside the ", S, " slices"));
    const auto theta = cli::read_theta(*input, *unit, P);
    long clipped = 0;
    const bool norm = io::has_dataset(*input, "/exchange/data_white") && io::has_dataset(*input, "/exchange/data_dark");
    auto proj = cli::load_line_integrals(*input, s, 1, norm, clipped);  // [P][1][n]
    if (*method != "entropy") {
      // the projection closest to theta[0] + 180 degrees
      int j = 0;
      for (int a = 1; a < P; ++a)
        if (std::abs(theta[a] - theta[0] - M_PI) < std::abs(theta[j] - theta[0] - M_PI)) j = a;
      if (std::abs(theta[j] - theta[0] - M_PI) > 0.02)
        fail(errc::invalid_argument, "beamkit center",
             cat("no projection near 180 degrees from the first (closest: ", (theta[j] - theta[0]) * 180 / M_PI, " deg)"));
      auto p0 = Kokkos::subview(proj, 0, Kokkos::ALL, Kokkos::ALL);
      auto p1 = Kokkos::subview(proj, j, Kokkos::ALL, Kokkos::ALL);
      std::cout << "center (opposite projections, " << theta[0] * 180 / M_PI << " and " << theta[j] * 180 / M_PI
                << " deg): " << tomo::center_from_opposite_projections(p0, p1) << "\n";
    }
    if (*method != "pc") {
      HostView3<float> sino("sino", 1, P, n);
      for (int a = 0; a < P; ++a)
        for (int d = 0; d < n; ++d) sino(0, a, d) = proj(a, 0, d);
      std::cout << "center (reconstruction entropy, slice " << s << "): "
                << tomo::center_by_entropy(sino, theta, n / 2.0, std::min(40.0, n / 4.0), 0.05) << "\n";
    }
  });
}
