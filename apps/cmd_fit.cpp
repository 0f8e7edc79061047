// SPDX-License-Identifier: BSD-3-Clause
// `beamkit fit CONFIG.json DATA.(tif|h5) -o fit.h5 [--png fit.png]`: fit parameters of a GISAXS JSON
// description to a measured image (particle swarm + Levenberg-Marquardt, docs/fit.md). The fit settings
// are the "fit" section of CONFIG.json; the options below override them. Writes /fit/... (parameters,
// uncertainties, cost history, data, model, mask) atomically, and a data | model PNG.
#include "cli_common.hpp"
#include <beamkit/fit/gisaxs_fit.hpp>
#include <beamkit/io/hdf5.hpp>
#include <beamkit/rmc/data.hpp>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace {
struct FitArgs {
  std::string config, data, output, png, dataset, mask, mask_dataset, transform, sigma, refine;
  int particles = -1, iterations = -1;
  std::int64_t seed = -1;
};

void check_dir(const std::string& path, const char* what) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::absolute(fs::path(path)).parent_path();
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    beamkit::fail(beamkit::errc::io, "beamkit fit", beamkit::cat("cannot write ", what, " '", path, "': no directory '", dir.string(), "'"));
}
}  // namespace

void cmd_fit(CLI::App& app) {
  auto* sub = app.add_subcommand("fit", "Fit parameters of a GISAXS JSON description to a measured pattern (PSO + Levenberg-Marquardt)");
  auto a = std::make_shared<FitArgs>();
  sub->add_option("config", a->config, "JSON configuration with a \"fit\" section (docs/fit.md)")->required();
  sub->add_option("data", a->data, "measured image: .tif/.tiff, or HDF5 (.h5/.hdf5/.nxs) with --dataset")->required();
  sub->add_option("-o,--output", a->output, "output HDF5 file (datasets under /fit)")->required();
  sub->add_option("--png", a->png, "also write a PNG: data | model, one log colour scale");
  sub->add_option("--dataset", a->dataset, "HDF5 dataset of the image");
  sub->add_option("--mask", a->mask, "mask image (same shape; non-zero = excluded pixel), .tif or HDF5");
  sub->add_option("--mask-dataset", a->mask_dataset, "HDF5 dataset of the mask");
  sub->add_option("--particles", a->particles, "swarm size (overrides fit.particles)");
  sub->add_option("--iterations", a->iterations, "swarm iterations (overrides fit.iterations)");
  sub->add_option("--seed", a->seed, "random seed (overrides fit.seed)");
  sub->add_option("--transform", a->transform, "log | sqrt | linear (overrides fit.transform)");
  sub->add_option("--sigma", a->sigma, "poisson | none (overrides fit.sigma)");
  sub->add_option("--refine", a->refine, "lm | nelder_mead | none (overrides fit.refine)");
  beamkit::cli::on_run(sub, [a] {
    using namespace beamkit;
    std::ifstream in(a->config);
    if (!in) fail(errc::io, "beamkit fit", "cannot read configuration '" + a->config + "'");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    nlohmann::json over = nlohmann::json::object();
    if (a->particles >= 0) over["particles"] = a->particles;
    if (a->iterations >= 0) over["iterations"] = a->iterations;
    if (a->seed >= 0) over["seed"] = a->seed;
    if (!a->transform.empty()) over["transform"] = a->transform;
    if (!a->sigma.empty()) over["sigma"] = a->sigma;
    if (!a->refine.empty()) over["refine"] = a->refine;
    const fit::GisaxsFitSpec spec = fit::parse_fit_spec(text, over.dump());
    const auto img = rmc::read_pattern(a->data, a->dataset);
    std::vector<std::uint8_t> used;
    if (!a->mask.empty()) {
      const auto mk = rmc::read_pattern(a->mask, a->mask_dataset);
      if (mk.rows != img.rows || mk.cols != img.cols)
        fail(errc::invalid_argument, "beamkit fit",
             cat("mask '", a->mask, "' has shape (", mk.rows, ", ", mk.cols, "), the data (", img.rows, ", ", img.cols, ")"));
      for (double v : mk.values) used.push_back(v != 0 ? 0 : 1);
    }
    check_dir(a->output, "the output");
    if (!a->png.empty()) check_dir(a->png, "the PNG");
    io::Writer w(a->output);  // created now so a bad output path fails before the fit; removed on error
    cli::info(cat("fit: ", spec.parameters.size(), " parameters, ", img.rows, " x ", img.cols, " image, swarm ",
                  spec.particles, " x ", spec.iterations, " iterations (seed ", spec.seed, ")"));
    const fit::PsoCallback progress = [&spec](const fit::PsoProgress& p) {
      if (cli::verbose() && (p.iteration % 5 == 0 || p.iteration == spec.iterations))
        cli::info(cat("fit: iteration ", p.iteration, "/", spec.iterations, "  best chi2 ", p.best_cost, "  evaluations ",
                      p.evaluations));
      return false;
    };
    const fit::GisaxsFitResult r =
        fit::gisaxs_fit(text, img.values.data(), img.rows, img.cols, used.empty() ? nullptr : used.data(), nullptr, spec, progress);
    fit::write_gisaxs_fit(w, r);
    if (!a->png.empty()) fit::write_gisaxs_fit_png(a->png, r);
    try {
      w.commit();
    } catch (...) {
      if (!a->png.empty()) std::remove(a->png.c_str());
      throw;
    }
    std::ostringstream os;
    os << std::setprecision(8);
    for (std::size_t k = 0; k < r.x.size(); ++k) os << r.names[k] << " = " << r.x[k] << " +- " << r.stderr_[k] << "\n";
    os << "chi2 " << r.chi2 << "  reduced_chi2 " << r.reduced_chi2 << "  pixels " << r.n_used << "  scale " << r.scale
       << "  background " << r.background << "  evaluations " << r.evaluations << "  seconds " << r.seconds << "\n";
    std::cout << os.str();
  });
}
