// SPDX-License-Identifier: BSD-3-Clause
// `beamkit rmc PATTERN -o out.h5 [--png out.png]`: reverse Monte Carlo fit of a 2-D pattern.
#include "cli_common.hpp"
#include <beamkit/rmc/rmc.hpp>
#include <iostream>
#include <sstream>

namespace {
struct RmcArgs {
  std::string pattern, output, png, dataset, mask, mask_dataset, sigma, sigma_dataset, background = "0";
  std::vector<double> center;
  double loading = -1, step = 0, pixel_size = 0, distance = 0, wavelength = 0, cell_size = 0, t_start = -1,
         t_final_ratio = 1e-3, scale = NAN;
  std::int64_t moves = 0, recompute_every = 20000;
  std::uint64_t seed = 0;
  int size = 0, replicas = 1, levels = 1, max_distance = 0;
  bool dbl = false;
};

std::vector<double> read_image(const std::string& path, const std::string& dataset, int rows, int cols, const char* what) {
  auto img = beamkit::rmc::read_pattern(path, dataset);
  if (img.rows != rows || img.cols != cols)
    beamkit::fail(beamkit::errc::invalid_argument, "beamkit rmc",
                  beamkit::cat(what, " '", path, "' has shape (", img.rows, ", ", img.cols, "), expected the pattern's (",
                               rows, ", ", cols, ")"));
  return img.values;
}
}  // namespace

void cmd_rmc(CLI::App& app) {
  auto* sub = app.add_subcommand("rmc", "Reverse Monte Carlo: fit a binary real-space model to a 2-D scattering pattern");
  auto a = std::make_shared<RmcArgs>();
  sub->add_option("pattern", a->pattern, "pattern file: .tif/.tiff, or HDF5 (.h5/.hdf5/.nxs) with --dataset")->required();
  sub->add_option("-o,--output", a->output, "output HDF5 file (datasets under /rmc)")->required();
  sub->add_option("--png", a->png, "also write a PNG: model | model pattern | data");
  sub->add_option("--dataset", a->dataset, "HDF5 dataset of the pattern");
  sub->add_option("--loading", a->loading, "fraction of filled cells, in (0, 1)")->required();
  sub->add_option("--moves", a->moves, "moves per replica at full size (default: 30 per filled cell)");
  sub->add_option("--seed", a->seed, "random seed (results depend on it only)");
  sub->add_option("--mask", a->mask, "mask image (same shape; non-zero = excluded pixel), .tif or HDF5");
  sub->add_option("--mask-dataset", a->mask_dataset, "HDF5 dataset of the mask");
  sub->add_option("--sigma", a->sigma, "standard deviations (same shape), .tif or HDF5");
  sub->add_option("--sigma-dataset", a->sigma_dataset, "HDF5 dataset of sigma");
  sub->add_option("--size", a->size, "model side N (even; default: largest that fits around the centre)");
  sub->add_option("--center", a->center, "beam centre ROW COL (0-based pixels; default: rows/2 cols/2)")->expected(2);
  sub->add_option("--step", a->step, "detector pixels per model q step (default 1 or from the calibration)");
  sub->add_option("--pixel-size", a->pixel_size, "detector pixel size (same unit as --distance)");
  sub->add_option("--distance", a->distance, "sample-detector distance");
  sub->add_option("--wavelength", a->wavelength, "wavelength (same unit as --cell-size)");
  sub->add_option("--cell-size", a->cell_size, "model cell side (with the calibration, sets the step)");
  sub->add_option("--replicas", a->replicas, "independent models (best one in /rmc/model)");
  sub->add_option("--levels", a->levels, "multi-scale levels (1: none)");
  sub->add_option("--max-distance", a->max_distance, "maximum move distance in cells (0: anywhere)");
  sub->add_option("--t-start", a->t_start, "start temperature relative to chi2 (default: automatic)");
  sub->add_option("--t-final-ratio", a->t_final_ratio, "final / start temperature");
  sub->add_option("--scale", a->scale, "fixed scale (default: least-squares optimum)");
  sub->add_option("--background", a->background, "fixed background (default 0) or 'fit'");
  sub->add_option("--recompute-every", a->recompute_every, "accepted moves between exact FFT recomputations");
  sub->add_flag("--double", a->dbl, "double-precision incremental F (default float)");
  beamkit::cli::on_run(sub, [a] {
    using namespace beamkit;
    const auto img = rmc::read_pattern(a->pattern, a->dataset);
    std::vector<std::uint8_t> mask;
    std::vector<double> sigma;
    if (!a->mask.empty()) {
      for (double v : read_image(a->mask, a->mask_dataset, img.rows, img.cols, "mask")) mask.push_back(v != 0 ? 1 : 0);
    }
    if (!a->sigma.empty()) sigma = read_image(a->sigma, a->sigma_dataset, img.rows, img.cols, "sigma");
    rmc::DataOptions d;
    d.size = a->size;
    if (!a->center.empty()) {
      d.center_row = a->center[0];
      d.center_col = a->center[1];
    }
    d.step = a->step;
    d.pixel_size = a->pixel_size;
    d.distance = a->distance;
    d.wavelength = a->wavelength;
    d.cell_size = a->cell_size;
    const auto g = rmc::grid_data(img.values.data(), img.rows, img.cols, mask.empty() ? nullptr : mask.data(),
                                  sigma.empty() ? nullptr : sigma.data(), d);
    rmc::Options o;
    o.loading = a->loading;
    o.moves = a->moves;
    o.seed = a->seed;
    o.replicas = a->replicas;
    o.levels = a->levels;
    o.max_distance = a->max_distance;
    o.t_start = a->t_start;
    o.t_final_ratio = a->t_final_ratio;
    o.recompute_every = a->recompute_every;
    if (!std::isnan(a->scale)) {
      o.chi.fit_scale = false;
      o.chi.scale = a->scale;
    }
    if (a->background == "fit") {
      o.chi.fit_background = true;
    } else {
      std::istringstream is(a->background);
      double b;
      if (!(is >> b) || !is.eof())
        fail(errc::invalid_argument, "beamkit rmc", cat("--background must be a number or 'fit', got '", a->background, "'"));
      o.chi.background = b;
    }
    int last_pct = -1;
    o.progress = [&last_pct](const rmc::Progress& p) {
      const int pct = p.moves ? int(100 * p.move / p.moves) : 100;
      if (cli::verbose() && (pct / 10 != last_pct / 10 || p.move == 0)) {
        last_pct = pct;
        cli::info(cat("rmc: level ", p.level, "/", p.levels - 1, "  ", pct, "%  chi2 ", p.chi2, "  acceptance ",
                      p.acceptance, "  T ", p.temperature));
      }
      return true;
    };
    cli::info(cat("rmc: ", img.rows, "x", img.cols, " pattern -> N = ", g.n, " model grid (step ", g.step,
                  " px per q step), loading ", o.loading));
    const auto res = a->dbl ? rmc::run<Kokkos::DefaultExecutionSpace, double>(g, o)
                            : rmc::run<Kokkos::DefaultExecutionSpace, float>(g, o);
    rmc::write_result(a->output, res);
    if (!a->png.empty()) rmc::write_result_png(a->png, res);
    std::cout << "chi2 " << res.chi2[0] << "  scale " << res.scale[0] << "  background " << res.background[0]
              << "  moves " << res.moves_done << "  seconds " << res.seconds << "\n";
  });
}
