// SPDX-License-Identifier: BSD-3-Clause
// `beamkit recon INPUT.h5 -o OUTPUT.h5`: reconstruct a Data Exchange file slice chunk by slice chunk.
#include "tomo_pipeline.hpp"

void cmd_recon(CLI::App& app) {
  auto* sub = app.add_subcommand("recon", "Reconstruct an HDF5 Data Exchange file (/exchange/data, data_white, "
                                          "data_dark, theta) with gridrec or FBP");
  auto job = std::make_shared<beamkit::cli::ReconJob>();
  auto slices = std::make_shared<std::string>();
  sub->add_option("input", job->input, "input HDF5 file (Data Exchange layout)")->required()->check(CLI::ExistingFile);
  sub->add_option("-o,--output", job->output, "output HDF5 file (/exchange/data [slices][N][N], float32)")->required();
  sub->add_option("--algorithm", job->algorithm, "gridrec | fbp")->check(CLI::IsMember({"gridrec", "fbp"}));
  sub->add_option("--filter", job->filter, "none | ramlak | shepp | cosine | hamming | hann | parzen | butterworth")
      ->check(CLI::IsMember({"none", "ramlak", "shepp", "cosine", "hamming", "hann", "parzen", "butterworth"}));
  sub->add_option("--filter-par", job->filter_par, "butterworth cutoff and order (default 0.5 8)");
  sub->add_option("--center", job->center, "rotation centre in detector pixels, TomoPy convention (default n_det/2)");
  sub->add_option("--slices", *slices, "slice range A:B (default all)");
  sub->add_option("--chunk", job->chunk, "slices per chunk (bounds memory)")->check(CLI::PositiveNumber);
  sub->add_option("--theta-unit", job->theta_unit, "auto | deg | rad")->check(CLI::IsMember({"auto", "deg", "rad"}));
  sub->add_option("--png", job->png, "PNG picture of the middle slice");
  sub->add_option("--prep", job->prep,
                  "pre-processing chain, e.g. normalize,zinger=0.1,minus_log,stripe=fw (docs/cli.md); "
                  "default: flat/dark mean normalisation and -log");
  beamkit::cli::on_run(sub, [job, slices] {
    if (!slices->empty()) beamkit::cli::parse_slices(*slices, job->slice_begin, job->slice_end);
    (void)beamkit::tomo::parse_prep_chain(job->prep);  // a bad --prep fails before any reading
    beamkit::cli::run_recon(*job);
  });
}
