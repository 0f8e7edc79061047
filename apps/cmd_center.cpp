// SPDX-License-Identifier: BSD-3-Clause
// `beamkit center INPUT`: the rotation centre (Data Exchange, NeXus NXtomo or a TIFF stack) by two
// independent methods (opposite-projection correlation and reconstruction entropy), printed in
// TomoPy's convention.
#include "tomo_pipeline.hpp"
#include <beamkit/tomo/center.hpp>

void cmd_center(CLI::App& app) {
  auto* sub = app.add_subcommand("center", "Find the rotation centre (TomoPy's convention) of projections "
                                           "(HDF5 Data Exchange, NeXus NXtomo or a TIFF stack directory)");
  auto input = std::make_shared<std::string>();
  auto slice = std::make_shared<int>(-1);
  auto method = std::make_shared<std::string>("both");
  auto src_opt = std::make_shared<beamkit::io::TomoSourceOptions>();
  sub->add_option("input", *input, "input: HDF5 Data Exchange or NeXus file, or a directory of TIFFs")
      ->required()
      ->check(CLI::ExistingPath);
  sub->add_option("--slice", *slice, "slice used (default: the middle one)");
  sub->add_option("--method", *method, "pc | entropy | both")->check(CLI::IsMember({"pc", "entropy", "both"}));
  sub->add_option("--theta-unit", src_opt->theta_unit, "auto | deg | rad")->check(CLI::IsMember({"auto", "deg", "rad"}));
  sub->add_option("--format", src_opt->format, "auto | dxchange | nxtomo | tiff")
      ->check(CLI::IsMember({"auto", "dxchange", "nxtomo", "tiff"}));
  sub->add_option("--angles-file", src_opt->angles_file, "TIFF stack: text file of angles (default: the one *.txt)");
  beamkit::cli::on_run(sub, [input, slice, method, src_opt] {
    using namespace beamkit;
    const auto src = io::open_tomo_source(*input, *src_opt);
    for (const auto& note : src->notes()) cli::info(note);
    const int P = src->n_angles(), S = src->n_slices(), n = src->n_det();
    const int s = *slice < 0 ? S / 2 : *slice;
    if (s >= S) fail(errc::invalid_argument, "beamkit center", cat("--slice ", s, " is outside the ", S, " slices"));
    const auto& theta = src->theta();
    long clipped = 0;
    auto proj = cli::load_line_integrals(*src, s, 1, clipped);  // [P][1][n]
    if (*method != "entropy") {
      const int j = cli::opposite_projection(theta);
      if (j < 0)
        fail(errc::invalid_argument, "beamkit center", "no projection within 0.02 rad of 180 degrees from the first (use --method entropy)");
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
