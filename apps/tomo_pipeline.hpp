// SPDX-License-Identifier: BSD-3-Clause
// The CLI's reconstruction pipeline on HDF5 Data Exchange files (/exchange/data [angles][slices][det],
// data_white, data_dark, theta): read a chunk of slices, normalise with the mean flat/dark, -log,
// reconstruct, write the chunk into a chunked output dataset. Memory stays bounded by the chunk.
#pragma once
#include "cli_common.hpp"
#include "tomo_prep_stage.hpp"
#include <beamkit/io/hdf5.hpp>
#include <beamkit/io/png.hpp>
#include <beamkit/tomo/prep.hpp>
#include <beamkit/tomo/recon.hpp>
#include <chrono>
#include <cmath>
#include <ctime>
#include <iostream>

namespace beamkit::cli {

struct ReconJob {
  std::string input, output, png;
  std::string algorithm = "gridrec", filter = "shepp";
  std::vector<double> filter_par;
  double center = NAN;  // NaN: n_det / 2
  int slice_begin = 0, slice_end = -1, chunk = 16;
  std::string theta_unit = "auto";  // auto | deg | rad
  std::string prep;                 // --prep chain (tomo_prep_stage.hpp); empty: flat/dark mean + -log
};

/// Angles in radians; degrees are detected when any |theta| exceeds 2 pi (and said so).
inline std::vector<double> read_theta(const std::string& file, const std::string& unit, int n_angles) {
  auto t = io::read<double, 1>(file, "/exchange/theta");
  if (int(t.extent(0)) != n_angles)
    fail(errc::invalid_argument, "beamkit recon",
         cat("'", file, ":/exchange/theta' has ", t.extent(0), " angles but /exchange/data has ", n_angles, " projections"));
  std::vector<double> th(t.data(), t.data() + t.extent(0));
  for (std::size_t i = 0; i < th.size(); ++i)
    if (!std::isfinite(th[i])) fail(errc::invalid_argument, "beamkit recon", cat("/exchange/theta[", i, "] is not finite"));
  bool deg = unit == "deg";
  if (unit == "auto") {
    double mx = 0;
    for (double v : th) mx = std::max(mx, std::abs(v));
    deg = mx > 2 * 3.141592653589793 + 0.01;
    info(cat("theta: assuming ", deg ? "degrees" : "radians", " (largest |theta| = ", mx, "; use --theta-unit to override)"));
  }
  if (deg)
    for (double& v : th) v *= 3.141592653589793 / 180;
  return th;
}

inline std::string now_iso8601() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

/// Slices [c0, c0+nc) of /exchange/data as [angles][nc][n_det] line integrals: normalised with the mean
/// flat and dark and -log'd when `normalise`, else as stored. Non-finite input is an error.
inline HostView3<float> load_line_integrals(const std::string& input, int c0, int nc, bool normalise, long& clipped) {
  using Host = Kokkos::DefaultHostExecutionSpace;
  constexpr const char* where = "beamkit";
  auto proj = io::read<float, 3>(input, "/exchange/data", 1, c0, nc);
  const std::size_t n = proj.extent(2);
  for (std::size_t i = 0; i < proj.span(); ++i)
    if (!std::isfinite(proj.data()[i]))
      fail(errc::invalid_argument, where, cat("/exchange/data has a non-finite value in slices ", c0, "..", c0 + nc - 1));
  if (normalise) {
    auto white = io::read<float, 3>(input, "/exchange/data_white", 1, c0, nc);
    auto dark = io::read<float, 3>(input, "/exchange/data_dark", 1, c0, nc);
    if (white.extent(2) != n || dark.extent(2) != n)
      fail(errc::invalid_argument, where, "data_white/data_dark do not match the detector width of /exchange/data");
    HostView2<float> wm("white_mean", nc, n), dm("dark_mean", nc, n);
    tomo::frame_mean(Host(), white, wm);
    tomo::frame_mean(Host(), dark, dm);
    tomo::normalize(Host(), proj, wm, dm);
    clipped += tomo::minus_log(Host(), proj);
  }
  return proj;
}

/// Runs the job; returns the reconstructed middle slice (for pictures and summaries).
inline HostView2<float> run_recon(const ReconJob& job) {
  using Host = Kokkos::DefaultHostExecutionSpace;
  constexpr const char* where = "beamkit recon";
  const auto info_d = io::dataset_info(job.input, "/exchange/data");
  if (info_d.dims.size() != 3)
    fail(errc::invalid_argument, where, cat("'", job.input, ":/exchange/data' has rank ", info_d.dims.size(),
                                            ", expected 3 ([angles][slices][detector])"));
  const int P = int(info_d.dims[0]), S_all = int(info_d.dims[1]), n = int(info_d.dims[2]);
  if (P < 1 || S_all < 1 || n < 2) fail(errc::invalid_argument, where, cat("/exchange/data is empty"));
  const int s0 = job.slice_begin, s1 = job.slice_end < 0 ? S_all : job.slice_end;
  if (s0 < 0 || s1 > S_all || s0 >= s1)
    fail(errc::invalid_argument, where, cat("--slices ", s0, ":", s1, " is outside the ", S_all, " slices of the input"));
  const auto theta = read_theta(job.input, job.theta_unit, P);
  const bool have_flat = io::has_dataset(job.input, "/exchange/data_white");
  const bool have_dark = io::has_dataset(job.input, "/exchange/data_dark");
  tomo::ReconOptions opt;
  opt.algorithm = job.algorithm;
  opt.filter.type = tomo::filter_from_name(job.filter, where);
  if (job.filter_par.size() > 0) opt.filter.cutoff = job.filter_par[0];
  if (job.filter_par.size() > 1) opt.filter.order = job.filter_par[1];
  opt.filter.validate(where);
  const double center = std::isnan(job.center) ? n / 2.0 : job.center;
  const int S = s1 - s0, N = n;
  const auto chain = tomo::parse_prep_chain(job.prep);  // before the output exists: a bad chain leaves none
  tomo::PrepReport prep_report;

  io::Writer out(job.output);
  out.create("/exchange/data", io::dtype::f32, {S, N, N}, 1);
  HostView2<float> middle("middle", N, N);
  const auto t_start = std::chrono::steady_clock::now();
  long clipped = 0;
  for (int c0 = s0; c0 < s1; c0 += job.chunk) {
    const int nc = std::min(job.chunk, s1 - c0);
    auto proj = chain.empty() ? load_line_integrals(job.input, c0, nc, have_flat && have_dark, clipped)
                              : load_prepped(job.input, chain, c0, nc, S_all, prep_report);
    HostView3<float> rec(Kokkos::view_alloc(Kokkos::WithoutInitializing, "rec"), nc, N, N);
    tomo::recon(Host(), proj, theta, {center}, opt, rec);
    Host().fence();
    out.write_slab("/exchange/data", io::dtype::f32, c0 - s0, nc, rec.data());
    const int mid = s0 + S / 2;
    if (mid >= c0 && mid < c0 + nc) Kokkos::deep_copy(middle, Kokkos::subview(rec, mid - c0, Kokkos::ALL, Kokkos::ALL));
    if (verbose()) std::cerr << "\r[beamkit recon] slices " << (c0 + nc - s0) << "/" << S << std::flush;
  }
  if (verbose()) std::cerr << "\n";
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  clipped += prep_report.clipped;
  if (prep_report.zingers > 0) info(cat("prep: ", prep_report.zingers, " zingers replaced"));
  if (clipped > 0) info(cat("warning: ", clipped, " non-positive normalised values were clipped before -log"));
  // provenance
  out.attribute("/exchange/data", "units", std::string("attenuation per pixel (1/pixel)"));
  out.attribute("/", "beamkit_version", std::string(BEAMKIT_VERSION_STRING));
  out.attribute("/", "created", now_iso8601());
  out.attribute("/", "input_file", job.input);
  out.attribute("/", "algorithm", job.algorithm);
  out.attribute("/", "filter_name", job.filter);
  out.attribute("/", "center", center);
  out.attribute("/", "slices", std::vector<double>{double(s0), double(s1)});
  out.attribute("/", "normalized", std::string(!chain.empty() ? "see prep" : have_flat && have_dark ? "flat/dark mean, -log" : "none (input used as line integrals)"));
  if (!chain.empty()) out.attribute("/", "prep", chain.str());
  out.commit();
  info(cat("wrote ", job.output, " (", S, " slices of ", N, " x ", N, ") in ", secs, " s"));
  if (!job.png.empty()) {
    io::PngOptions po;
    io::write_png(job.png, middle.data(), N, N, po);
    info(cat("wrote ", job.png, " (slice ", s0 + S / 2, ")"));
  }
  return middle;
}

/// Parse "A:B" into [A, B).
inline void parse_slices(const std::string& s, int& a, int& b) {
  const auto colon = s.find(':');
  try {
    if (colon == std::string::npos) {
      a = std::stoi(s);
      b = a + 1;
    } else {
      a = colon == 0 ? 0 : std::stoi(s.substr(0, colon));
      b = colon + 1 == s.size() ? -1 : std::stoi(s.substr(colon + 1));
    }
  } catch (const std::exception&) {
    fail(errc::invalid_argument, "beamkit recon", cat("--slices '", s, "' is not of the form A:B"));
  }
}

}  // namespace beamkit::cli
