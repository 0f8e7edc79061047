// SPDX-License-Identifier: BSD-3-Clause
// `beamkit gisaxs CONFIG.json -o out.h5 [--png out.png]`: simulate a GISAXS image from a JSON
// description (docs/gisaxs.md). The HDF5 file holds /intensity (rows = alpha_f descending), the q maps
// /qx /qy /qz (1/nm, q = k_i - k_f), /alpha_f /phi_f (deg) and the configuration text as an attribute.
#include "cli_common.hpp"
#include <beamkit/scattering/gisaxs.hpp>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

void cmd_gisaxs(CLI::App& app) {
  auto* sub = app.add_subcommand("gisaxs", "Simulate a GISAXS detector image (DWBA/Born) from a JSON configuration");
  auto cfg = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto png = std::make_shared<std::string>();
  sub->add_option("config", *cfg, "JSON configuration (sample + instrument)")->required();
  sub->add_option("-o,--output", *out, "output HDF5 file")->required();
  sub->add_option("--png", *png, "also write a log-scale PNG (alpha_f upwards, phi_f to the right) with q axes in 1/nm");
  beamkit::cli::on_run(sub, [cfg, out, png] {
    namespace sc = beamkit::scattering;
    std::ifstream in(*cfg);
    if (!in) beamkit::fail(beamkit::errc::io, "beamkit gisaxs", "cannot read configuration '" + *cfg + "'");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    const sc::Config c = sc::parse_config(text);
    const auto grid = sc::make_pixels(c);
    int rows = 0, cols = 0;
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<double> img = sc::simulate(c, &rows, &cols);
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    {
      beamkit::io::Writer w(*out);
      const std::vector<beamkit::index_t> dims = {rows, cols};
      w.write("/intensity", beamkit::io::dtype::f64, dims, img.data());
      auto put = [&](const char* name, const std::vector<double>& v, double scale) {
        std::vector<double> s(v);
        for (auto& x : s) x *= scale;
        w.write(name, beamkit::io::dtype::f64, dims, s.data());
      };
      put("/qx", grid.qx, 1);
      put("/qy", grid.qy, 1);
      put("/qz", grid.qz, 1);
      put("/alpha_f", grid.alpha, 180 / M_PI);
      put("/phi_f", grid.phi, 180 / M_PI);
      w.attribute("/intensity", "config", text);
      w.attribute("/intensity", "units", std::string("BornAgain normalisation: dsigma/dOmega * density * solid angle / sin(alpha_i)"));
      w.commit();  // without it the Writer removes its partial file: no output at all
    }
    if (!png->empty()) {
      beamkit::io::PngOptions o;
      o.cmap = beamkit::io::Colormap::inferno;
      o.log_scale = true;
      // axes: q_y along the bottom row, |q_z| along the column closest to q_y = 0 (q = k_i - k_f, 1/nm)
      int c0 = 0;
      const std::size_t last = std::size_t(rows - 1) * cols;
      for (int cc = 0; cc < cols; ++cc) {
        o.x_axis.push_back(grid.qy[last + cc]);
        if (std::fabs(grid.qy[last + cc]) < std::fabs(grid.qy[last + c0])) c0 = cc;
      }
      for (int r = 0; r < rows; ++r) o.y_axis.push_back(std::fabs(grid.qz[std::size_t(r) * cols + c0]));
      o.x_label = "q_y (nm^-1)";
      o.y_label = "|q_z| (nm^-1)";
      beamkit::io::write_png(*png, img.data(), rows, cols, o);
    }
    if (beamkit::cli::verbose()) {
      std::ostringstream m;
      m << "gisaxs: " << rows << " x " << cols << " pixels in " << sec << " s (" << 1e6 * sec / (double(rows) * cols)
        << " us/pixel) -> " << *out;
      beamkit::cli::info(m.str());
    }
  });
}
