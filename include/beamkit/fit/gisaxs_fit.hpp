// SPDX-License-Identifier: BSD-3-Clause
// Fitting a GISAXS description (docs/gisaxs.md JSON) to a measured detector image: any numeric value
// of the JSON, named by its dotted path ("sample.layouts.0.particles.0.shape.radius"; list indices as
// numbers), with bounds. Objective: masked chi^2 of scaled_chi2 (log / sqrt / linear intensity,
// Poisson sigma by default) with the best scale and background solved analytically per simulation.
// A seeded particle swarm (pso_batch: one GISAXS simulation per particle, each parallel inside) finds
// the basin, then Levenberg-Marquardt (or Nelder-Mead) refines it; uncertainties from the Jacobian at
// the optimum. The fit settings live in a "fit" section of the same JSON (docs/fit.md); the CLI
// (`beamkit fit`) and Python (`beamkit.fit.gisaxs_fit`) both run this driver and write the same file.
#pragma once
#include <beamkit/fit/chi2.hpp>
#include <beamkit/fit/pso.hpp>
#include <beamkit/scattering/config.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace beamkit::io {
class Writer;
}

namespace beamkit::fit {

struct GisaxsParameter {
  std::string path;  ///< dotted JSON path of a numeric value
  double lo = 0, hi = 0;
};

enum class Refine { lm, nelder_mead, none };

/// Detector region of interest: a rectangle of data pixels. Either pixel indices (numpy order, row 0 =
/// top, half-open [row0, row1) x [col0, col1)) or detector units as for detector masks (flat: mm from
/// the lower-left corner; spherical: degrees), pixels whose centre lies inside.
struct GisaxsRoi {
  enum Kind { none, pixels, detector } kind = none;
  int row0 = 0, row1 = 0, col0 = 0, col1 = 0;
  double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
};

/// The "fit" section of the configuration (defaults in brackets):
///   "parameters": {"path": [lo, hi], ...}     required
///   "transform": "log" | "sqrt" | "linear"     ["log"]
///   "sigma": "poisson" | "none"               ["poisson"]; per-pixel sigma arrays through the API
///   "floor": intensity floor before sqrt/log   [1]
///   "exclude_below": data pixels below this value are not fitted (detector gaps = -1)  [0]
///   "roi": {"rows": [r0, r1], "cols": [c0, c1]} or {"x": [x0, x1], "y": [y0, y1]}  [whole image]
///   "particles", "iterations", "seed": the swarm   [24, 40, 0]
///   "elitist": particles per iteration doing elitist learning (PsoOptions::elitist), < particles  [0]
///   "refine": "lm" | "nelder_mead" | "none"   ["lm"]
struct GisaxsFitSpec {
  std::vector<GisaxsParameter> parameters;
  Transform transform = Transform::log;
  SigmaModel sigma = SigmaModel::poisson;
  double floor = 1;
  double exclude_below = 0;
  GisaxsRoi roi;
  int particles = 24, iterations = 40;
  int elitist = 0;
  std::uint64_t seed = 0;
  Refine refine = Refine::lm;
  std::string json;  ///< the (merged) "fit" object as JSON text, recorded in the output
};

/// Read the "fit" section of a configuration, with the keys of `overrides_json` (a JSON object with the
/// same keys, e.g. from command-line options; may be empty) replacing those of the file. Validates
/// paths, bounds and values (beamkit::error naming the bad key).
GisaxsFitSpec parse_fit_spec(const std::string& config_json, const std::string& overrides_json = "");

/// Set the value at a dotted path of a JSON text (the path must name an existing number); returns the
/// new text. Throws beamkit::error naming the first missing component.
std::string set_json_path(const std::string& json_text, const std::string& path, double value);

/// The same configuration restricted to a rectangle of its detector's pixels (rows [r0, r1), columns
/// [c0, c1) of the image simulate() returns): the sub-image of the full simulation, computed alone.
scattering::Config crop_detector(const scattering::Config& c, int row0, int row1, int col0, int col1);

struct GisaxsFitResult {
  std::vector<std::string> names;   ///< parameter paths
  std::vector<double> x, stderr_, lower, upper;
  std::vector<double> covariance;   ///< [n][n]
  std::vector<double> history;      ///< best chi^2 after the initial swarm and each PSO iteration
  double chi2 = 0, reduced_chi2 = 0, scale = 1, background = 0;
  double swarm_chi2 = 0;            ///< best chi^2 of the swarm (before refinement)
  std::int64_t n_used = 0, evaluations = 0;
  int rows = 0, cols = 0;           ///< fitted image (the region of interest)
  int roi[4] = {0, 0, 0, 0};        ///< row0, row1, col0, col1 in the data
  std::vector<double> data, model;  ///< [rows][cols]: data and scale * simulation + background
  std::vector<std::uint8_t> mask;   ///< [rows][cols]: 1 = pixel used in chi^2
  std::string config_json;          ///< the configuration with the fitted values (no "fit" section)
  std::string spec_json;            ///< the "fit" settings used
  std::string refine_message;
  double seconds = 0;
};

/// Fit. `data` [rows][cols] C order, matching the configuration's detector (a region of interest is
/// cut from both). `used` [rows][cols] (nonzero = pixel may be used) or nullptr; `sigma` [rows][cols]
/// (intensity units; replaces the spec's sigma model) or nullptr. `cb` gets the swarm's progress.
GisaxsFitResult gisaxs_fit(const std::string& config_json, const double* data, int rows, int cols,
                           const std::uint8_t* used, const double* sigma, const GisaxsFitSpec& spec,
                           const PsoCallback& cb = {});

/// Write a result under /fit of an open writer (the caller commits): datasets x, stderr, lower, upper,
/// covariance, history, data, model, mask, roi; attributes parameters (JSON list of paths), chi2,
/// reduced_chi2, scale, background, n_used, evaluations, seconds, config, fit.
void write_gisaxs_fit(io::Writer& w, const GisaxsFitResult& r);
/// Write the HDF5 file (and the PNG when png_path is not empty) atomically: on any error neither exists.
void write_gisaxs_fit(const std::string& path, const GisaxsFitResult& r, const std::string& png_path = "");
/// Data | model side by side on one log colour scale (inferno; unused pixels grey).
void write_gisaxs_fit_png(const std::string& path, const GisaxsFitResult& r);

}  // namespace beamkit::fit
