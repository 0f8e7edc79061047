// SPDX-License-Identifier: BSD-3-Clause
// `beamkit recon INPUT -o OUTPUT.h5`: reconstruct a Data Exchange / NeXus NXtomo file or a TIFF stack
// chunk of slices by chunk (apps/tomo_volume.hpp), on one process or under mpirun.
#include "tomo_volume.hpp"

void cmd_recon(CLI::App& app) {
  auto* sub = app.add_subcommand("recon", "Reconstruct projections (HDF5 Data Exchange, NeXus NXtomo or a TIFF stack "
                                          "directory) with gridrec or FBP, chunk by chunk within a memory limit");
  auto job = std::make_shared<beamkit::cli::ReconJob>();
  auto slices = std::make_shared<std::string>();
  auto center = std::make_shared<std::string>();
  auto memory = std::make_shared<std::string>();
  auto no_overlap = std::make_shared<bool>(false);
  auto no_checksum = std::make_shared<bool>(false);
  sub->add_option("input", job->input, "input: HDF5 Data Exchange or NeXus file, or a directory of TIFFs")
      ->required()
      ->check(CLI::ExistingPath);
  sub->add_option("-o,--output", job->output, "output HDF5 file (/exchange/data [slices][N][N], float32)");
  sub->add_option("--tiff", job->tiff_dir, "also (or instead) write a TIFF stack: DIR/slice_XXXXX.tif, float32");
  sub->add_option("--algorithm", job->algorithm, "gridrec | fbp")->check(CLI::IsMember({"gridrec", "fbp"}));
  sub->add_option("--filter", job->filter, "none | ramlak | shepp | cosine | hamming | hann | parzen | butterworth")
      ->check(CLI::IsMember({"none", "ramlak", "shepp", "cosine", "hamming", "hann", "parzen", "butterworth"}));
  sub->add_option("--filter-par", job->filter_par, "butterworth cutoff and order (default 0.5 8)");
  sub->add_option("--center", *center, "rotation centre in detector pixels (TomoPy convention), or 'auto' (default n_det/2)");
  sub->add_option("--slices", *slices, "slice range A:B (default all)");
  sub->add_option("--memory-limit", *memory, "memory for the run, e.g. 4G (default: half of the physical memory)");
  sub->add_option("--chunk", job->chunk, "slices per chunk (default: derived from --memory-limit)")->check(CLI::PositiveNumber);
  sub->add_option("--overlap", job->overlap, "on | off | auto: read/write in threads while reconstructing (auto: on when "
                                             "the compute threads leave a core free, e.g. --threads below the core count)")
      ->check(CLI::IsMember({"auto", "on", "off"}));
  sub->add_flag("--no-overlap", *no_overlap, "same as --overlap off");
  sub->add_flag("--no-checksum", *no_checksum, "do not record the input's SHA-256");
  sub->add_option("--theta-unit", job->source.theta_unit, "auto | deg | rad")->check(CLI::IsMember({"auto", "deg", "rad"}));
  sub->add_option("--format", job->source.format, "auto | dxchange | nxtomo | tiff")
      ->check(CLI::IsMember({"auto", "dxchange", "nxtomo", "tiff"}));
  sub->add_option("--data-path", job->source.data_path, "NeXus: the frame stack (default: found)");
  sub->add_option("--image-key-path", job->source.image_key_path, "NeXus: image_key (default: found)");
  sub->add_option("--angles-path", job->source.angles_path, "NeXus: rotation angles (default: found)");
  sub->add_option("--angles-file", job->source.angles_file, "TIFF stack: text file of angles (default: the one *.txt)");
  sub->add_option("--angles-skip", job->source.angles_skip, "TIFF stack: leading entries of the angles file to skip")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--png", job->png, "PNG picture of the middle slice");
  sub->add_option("--prep", job->prep,
                  "pre-processing chain, e.g. normalize,zinger=0.1,minus_log,stripe=fw (docs/cli.md); "
                  "default: flat/dark mean normalisation and -log");
  beamkit::cli::on_run(sub, [job, slices, center, memory, no_overlap, no_checksum] {
    using namespace beamkit;
    if (!slices->empty()) cli::parse_slices(*slices, job->slice_begin, job->slice_end);
    if (*center == "auto") {
      job->center_auto = true;
    } else if (!center->empty()) {
      try {
        std::size_t pos = 0;
        job->center = std::stod(*center, &pos);
        if (pos != center->size()) throw std::invalid_argument("trailing characters");
      } catch (const std::exception&) {
        fail(errc::invalid_argument, "beamkit recon", cat("--center '", *center, "' is neither a number nor 'auto'"));
      }
      check::finite(job->center, "beamkit recon", "--center");
    }
    (void)tomo::parse_prep_chain(job->prep);  // a bad --prep fails before any reading
    if (!memory->empty()) job->memory_limit = cli::parse_bytes(*memory);
    if (*no_overlap) job->overlap = "off";
    job->checksum = !*no_checksum;
    cli::run_recon(*job);
  });
}
