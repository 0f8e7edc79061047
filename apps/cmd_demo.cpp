// SPDX-License-Identifier: BSD-3-Clause
// `beamkit demo -o DIR`: the main job on built-in data. (1) A 3-D Shepp-Logan phantom is turned
// into a raw Data Exchange file (photon counts with Poisson noise, flat and dark frames), which is
// then reconstructed through exactly the `beamkit recon` pipeline; the reconstruction error against
// the phantom is printed. (2) A GISAXS pattern of gold cylinders on silicon is simulated (DWBA).
// Everything is written as HDF5 and PNG.
#include "tomo_volume.hpp"
#include <beamkit/core/random.hpp>
#include <beamkit/scattering/gisaxs.hpp>
#include <beamkit/tomo/phantom.hpp>
#include <sys/stat.h>

namespace {
using Host = Kokkos::DefaultHostExecutionSpace;

void demo_tomography(const std::string& dir, int n, int nz) {
  using namespace beamkit;
  const int P = int(std::ceil(3.141592653589793 * n / 2));
  cli::info(cat("[demo] tomography: ", nz, " slices of a ", n, " x ", n, " Shepp-Logan phantom, ", P,
                " projections over 180 degrees, 2e4 photons per pixel"));
  // attenuation per pixel: the phantom's values scaled so the densest ray loses ~85% of its photons
  auto ph = tomo::shepp_logan_3d<float, Host>(nz, n, 2);
  const float mu_scale = 2.0f / n;
  for (std::size_t i = 0; i < ph.span(); ++i) ph.data()[i] *= mu_scale;
  tomo::ParallelGeometry g;
  g.n_angles = P;
  g.n_det = n;
  g.n_grid = n;
  for (int a = 0; a < P; ++a) g.theta.push_back(180.0 * a / P);  // degrees, as many beamlines store them
  std::vector<double> rad;
  for (double t : g.theta) rad.push_back(t * 3.141592653589793 / 180);
  g.center = {n / 2.0};
  auto ang = tomo::angle_table<float, Host::memory_space>(rad);
  auto ctr = tomo::center_table<float, Host::memory_space>(g, nz);
  HostView3<float> sino("sino", nz, P, n);
  tomo::forward_project(Host(), ph, ang, ctr, sino);
  // raw counts [angles][slices][det] with Poisson noise (normal approximation, counter-based RNG)
  const double I0 = 2e4, dark_level = 100;
  HostView3<float> counts("counts", P, nz, n), flat("flat", 4, nz, n), dark("dark", 4, nz, n);
  Kokkos::parallel_for("demo_counts", Kokkos::MDRangePolicy<Host, Kokkos::Rank<3>>({0, 0, 0}, {P, nz, n}),
                       [=](int a, int s, int d) {
                         CounterRng rng(7, (std::uint64_t(a) * nz + s) * n + d);
                         const double lam = I0 * std::exp(-double(sino(s, a, d)));
                         const double u1 = rng.uniform() + 1e-300, u2 = rng.uniform();
                         const double z = std::sqrt(-2 * std::log(u1)) * std::cos(2 * 3.141592653589793 * u2);
                         counts(a, s, d) = float(std::max(0.0, lam + std::sqrt(lam) * z) + dark_level);
                       });
  Kokkos::deep_copy(flat, float(I0 + dark_level));
  Kokkos::deep_copy(dark, float(dark_level));
  const std::string raw = dir + "/phantom_raw.h5";
  {
    io::Writer w(raw);
    w.write("/exchange/data", counts, 1);
    w.write("/exchange/data_white", flat);
    w.write("/exchange/data_dark", dark);
    HostView1<double> th("theta", std::size_t(P));
    for (int a = 0; a < P; ++a) th(a) = g.theta[std::size_t(a)];
    w.write("/exchange/theta", th);
    w.write("/exchange/truth", ph, 1);
    w.attribute("/exchange/theta", "units", std::string("degrees"));
    w.attribute("/", "description", std::string("beamkit demo: synthetic raw projections of a 3-D Shepp-Logan phantom"));
    w.commit();
  }
  cli::info(cat("[demo] wrote ", raw));
  cli::ReconJob job;
  job.input = raw;
  job.output = dir + "/phantom_recon.h5";
  job.png = dir + "/phantom_recon.png";
  auto mid = cli::run_recon(job);
  // error against the truth inside the reconstruction circle
  double num = 0, den = 0;
  const int zs = nz / 2;
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) {
      const double y = r + 0.5 - n / 2.0, x = c + 0.5 - n / 2.0;
      if (x * x + y * y > 0.25 * n * n) continue;
      num += std::pow(mid(r, c) - ph(zs, r, c), 2);
      den += std::pow(ph(zs, r, c), 2);
    }
  std::cout << "tomography: middle slice relative RMSE vs the phantom = " << std::sqrt(num / den)
            << " (gridrec, shepp filter, Poisson noise)\n";
  io::PngOptions po;
  io::write_png(dir + "/phantom_truth.png", &ph(zs, 0, 0), n, n, po);
}
// Gold cylinders on silicon (examples/gisaxs/cylinders_on_si.json), 512 x 512 pixels.
const char* kGisaxsDemo = R"({
  "beam": {"wavelength": 0.1, "alpha_i": 0.2},
  "detector": {"type": "spherical", "phi": [-2, 2, 512], "alpha": [0, 2, 512]},
  "sample": {
    "layers": [{"name": "vacuum"}, {"name": "Si", "delta": 3.2e-6, "beta": 3.3e-8}],
    "layouts": [{"layer": 0, "density": 0.01, "interference": {"type": "none"},
                 "particles": [{"shape": {"type": "cylinder", "radius": 5, "height": 5},
                                "material": {"delta": 2.98e-5, "beta": 2.2e-6}}]}]
  }
})";

void demo_gisaxs(const std::string& dir) {
  using namespace beamkit;
  namespace sc = beamkit::scattering;
  cli::info("[demo] GISAXS: gold cylinders (R = H = 5 nm) on silicon, DWBA, alpha_i = 0.2 deg, 512 x 512 pixels");
  const sc::Config c = sc::parse_config(kGisaxsDemo);
  const auto grid = sc::make_pixels(c);
  int rows = 0, cols = 0;
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<double> img = sc::simulate(c, &rows, &cols);
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  io::Writer w(dir + "/gisaxs_cylinders.h5");
  const std::vector<index_t> dims = {rows, cols};
  w.write("/intensity", io::dtype::f64, dims, img.data());
  w.write("/qy", io::dtype::f64, dims, grid.qy.data());
  w.write("/qz", io::dtype::f64, dims, grid.qz.data());
  w.attribute("/intensity", "config", std::string(kGisaxsDemo));
  w.commit();
  io::PngOptions o;
  o.cmap = io::Colormap::inferno;
  o.log_scale = true;
  io::write_png(dir + "/gisaxs_cylinders.png", img.data(), rows, cols, o);
  double mx = 0;
  for (double v : img) mx = std::max(mx, v);
  std::cout << "gisaxs: " << rows << " x " << cols << " pattern in " << sec << " s, peak intensity " << mx << "\n";
}
}  // namespace

void cmd_demo(CLI::App& app) {
  auto* sub = app.add_subcommand("demo", "Run the main job on built-in data: simulate and reconstruct a phantom "
                                         "(writes HDF5 and PNG)");
  auto dir = std::make_shared<std::string>("out");
  auto size = std::make_shared<int>(512);
  auto slices = std::make_shared<int>(8);
  sub->add_option("-o,--output-dir", *dir, "directory for the results (created)");
  sub->add_option("--size", *size, "phantom size N (N x N slices)")->check(CLI::Range(16, 4096));
  sub->add_option("--slices", *slices, "number of slices")->check(CLI::Range(1, 1024));
  beamkit::cli::on_run(sub, [dir, size, slices] {
    ::mkdir(dir->c_str(), 0755);
    demo_tomography(*dir, *size, *slices);
    demo_gisaxs(*dir);
    std::cout << "results in " << *dir << "/\n";
  });
}
