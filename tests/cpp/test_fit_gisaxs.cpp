// SPDX-License-Identifier: BSD-3-Clause
// GISAXS fit pieces: the cropped detector simulates exactly the corresponding part of the full image
// (flat detector with a mask, spherical detector), dotted JSON paths, the "fit" section's validation.
#include "test_helpers.hpp"
#include <beamkit/fit/gisaxs_fit.hpp>
#include <beamkit/scattering/gisaxs.hpp>
#include <string>
#include <vector>

using namespace beamkit;
namespace sc = beamkit::scattering;

namespace {
const char* kSample = R"("sample": {"layers": [{"name": "vacuum"}, {"delta": 6e-6, "beta": 2e-8}],
  "layouts": [{"layer": 0, "interference": {"type": "radial_paracrystal", "peak_distance": 20, "damping_length": 1000,
               "omega": 3, "domain_size": 2000},
               "particles": [{"shape": {"type": "cylinder", "radius": 4, "height": 5}, "material": {"delta": 2e-5, "beta": 1e-6}}]}]})";

void check_crop(const std::string& json, int r0, int r1, int c0, int c1) {
  const sc::Config full = sc::parse_config(json);
  int R = 0, C = 0, r = 0, c = 0;
  const auto img = sc::simulate(full, &R, &C);
  const auto sub = sc::simulate(fit::crop_detector(full, r0, r1, c0, c1), &r, &c);
  REQUIRE(r == r1 - r0);
  REQUIRE(c == c1 - c0);
  double worst = 0;
  for (int y = 0; y < r; ++y)
    for (int x = 0; x < c; ++x) {
      const double a = img[std::size_t(y + r0) * C + x + c0], b = sub[std::size_t(y) * c + x];
      worst = std::max(worst, std::fabs(a - b) / std::max(std::fabs(a), 1e-300));
      if (a == 0) CHECK(b == 0);  // masked pixels stay masked
    }
  CHECK(worst < 1e-9);
}
}  // namespace

TEST_SUITE("unit") {
TEST_CASE("gisaxs fit: a cropped detector simulates the same pixels as the full one") {
  const std::string flat = std::string(R"({"beam": {"wavelength": 0.1, "alpha_i": 0.2}, "quadrature_order": 24,
    "detector": {"type": "flat", "distance": 2000, "pixel_size": [0.172, 0.172], "pixels": [41, 33],
                 "beam_center": [3.5, -0.5], "masks": [{"x": [3.0, 4.1], "y": [1.0, 2.2]}]}, )") + kSample + "}";
  check_crop(flat, 5, 30, 7, 38);
  check_crop(flat, 0, 33, 0, 41);
  const std::string sph = std::string(R"({"beam": {"wavelength": 0.1, "alpha_i": 0.2}, "quadrature_order": 24,
    "detector": {"type": "spherical", "phi": [-1, 1, 30], "alpha": [0, 1.5, 25]}, )") + kSample + "}";
  check_crop(sph, 3, 20, 4, 29);
  CHECK_THROWS_WITH_AS(fit::crop_detector(sc::parse_config(sph), 0, 26, 0, 5), doctest::Contains("not inside"), beamkit::error);
}

TEST_CASE("gisaxs fit: dotted paths and the fit section") {
  const std::string cfg = R"({"a": {"b": [1, {"c": 2.5}]}, "fit": {"parameters": {"a.b.1.c": [1, 3], "a.b.0": [0, 2]},
                              "roi": {"rows": [1, 5], "cols": [0, 3]}, "refine": "nelder_mead", "seed": 7}})";
  CHECK(fit::set_json_path(cfg, "a.b.1.c", 4.0).find("\"c\":4.0") != std::string::npos);
  CHECK_THROWS_WITH_AS(fit::set_json_path(cfg, "a.x.c", 1), doctest::Contains("no 'a.x'"), beamkit::error);
  CHECK_THROWS_WITH_AS(fit::set_json_path(cfg, "a.b.7", 1), doctest::Contains("'7' is not a numeric value"), beamkit::error);
  const auto s = fit::parse_fit_spec(cfg);
  REQUIRE(s.parameters.size() == 2);
  CHECK(s.parameters[0].path == "a.b.1.c");  // file order kept
  CHECK(s.parameters[1].hi == 2);
  CHECK(s.refine == fit::Refine::nelder_mead);
  CHECK(s.seed == 7);
  CHECK(s.roi.kind == fit::GisaxsRoi::pixels);
  CHECK(s.roi.row1 == 5);
  const auto o = fit::parse_fit_spec(cfg, R"({"seed": 9, "transform": "sqrt"})");
  CHECK(o.seed == 9);
  CHECK(o.transform == fit::Transform::sqrt);
  CHECK(o.elitist == 0);
  CHECK(fit::parse_fit_spec(cfg, R"({"particles": 16, "elitist": 4})").elitist == 4);
  CHECK_THROWS_WITH_AS(fit::parse_fit_spec(cfg, R"({"particles": 16, "elitist": 16})"),
                       doctest::Contains("fit.elitist = 16 must be below fit.particles = 16"), beamkit::error);
  CHECK_THROWS_WITH_AS(fit::parse_fit_spec(cfg, R"({"elitist": -1})"), doctest::Contains("fit.elitist"), beamkit::error);
  CHECK_THROWS_WITH_AS(fit::parse_fit_spec(cfg, R"({"iterations": -1})"), doctest::Contains("fit.iterations"), beamkit::error);
  CHECK_THROWS_WITH_AS(fit::parse_fit_spec(cfg, R"({"parameters": {"a.b.0": [2, 2]}})"),
                       doctest::Contains("needs finite bounds lo < hi"), beamkit::error);
  CHECK_THROWS_WITH_AS(fit::parse_fit_spec(cfg, R"({"parameters": {"fit.seed": [0, 1]}})"), doctest::Contains("cannot be fitted"),
                       beamkit::error);
}
}
