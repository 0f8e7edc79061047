// SPDX-License-Identifier: BSD-3-Clause
// RMC file input (TIFF via io/tiff, HDF5) and output (HDF5 via io::Writer, PNG via io::write_png).
#include <algorithm>
#include <beamkit/core/error.hpp>
#include <beamkit/io/hdf5.hpp>
#include <beamkit/io/png.hpp>
#include <beamkit/io/tiff.hpp>
#include <beamkit/rmc/rmc.hpp>
#include <cmath>

namespace beamkit::rmc {
namespace {

std::string lower_ext(const std::string& path) {
  const auto dot = path.rfind('.');
  if (dot == std::string::npos) return "";
  std::string e = path.substr(dot + 1);
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return e;
}

}  // namespace

Image read_tiff(const std::string& path) {
  const io::TiffInfo in = io::tiff_info(path);
  Image img;
  img.rows = in.rows;
  img.cols = in.cols;
  img.values.assign(std::size_t(in.rows) * in.cols, 0.0);
  io::read_tiff_rows(path, 0, in.rows, img.values.data());
  return img;
}

Image read_pattern(const std::string& path, const std::string& dataset) {
  constexpr const char* where = "beamkit::rmc::read_pattern";
  const std::string e = lower_ext(path);
  if (e == "tif" || e == "tiff") return read_tiff(path);
  if (e == "h5" || e == "hdf5" || e == "hdf" || e == "nxs" || e == "cxi") {
    check::require(!dataset.empty(), where, cat("'", path, "' is HDF5: give the pattern's dataset path"));
    const auto info = io::dataset_info(path, dataset);
    Image img;
    if (info.dims.size() == 3 && info.dims[0] == 1) {
      auto v = io::read<double, 3>(path, dataset);
      img.rows = int(v.extent(1));
      img.cols = int(v.extent(2));
      img.values.assign(v.data(), v.data() + v.size());
    } else {
      if (info.dims.size() != 2)
        fail(errc::invalid_argument, where, cat(path, ":", dataset, " has rank ", info.dims.size(), "; a 2-D pattern is needed"));
      auto v = io::read<double, 2>(path, dataset);
      img.rows = int(v.extent(0));
      img.cols = int(v.extent(1));
      img.values.assign(v.data(), v.data() + v.size());
    }
    return img;
  }
  fail(errc::invalid_argument, where,
       cat("cannot tell the format of '", path, "' from its extension (.tif/.tiff or .h5/.hdf5/.nxs/.hdf/.cxi)"));
}

void write_result(const std::string& path, const Result& r) {
  constexpr const char* where = "beamkit::rmc::write_result";
  check::require(r.n > 0 && !r.models.empty(), where, "the result is empty");
  const index_t N = r.n, R = index_t(r.models.size());
  io::Writer w(path);
  std::vector<std::uint8_t> models;
  std::vector<double> patterns;
  for (index_t k = 0; k < R; ++k) {
    models.insert(models.end(), r.models[k].begin(), r.models[k].end());
    patterns.insert(patterns.end(), r.patterns[k].begin(), r.patterns[k].end());
  }
  w.write("/rmc/model", io::dtype::u8, {N, N}, r.models[0].data());
  w.write("/rmc/pattern", io::dtype::f64, {N, N}, r.patterns[0].data());
  w.write("/rmc/models", io::dtype::u8, {R, N, N}, models.data());
  w.write("/rmc/patterns", io::dtype::f64, {R, N, N}, patterns.data());
  w.write("/rmc/data", io::dtype::f64, {N, N}, r.data.data());
  w.write("/rmc/weight", io::dtype::f64, {N, N}, r.weight.data());
  w.write("/rmc/chi2", io::dtype::f64, {R}, r.chi2.data());
  w.write("/rmc/scale", io::dtype::f64, {R}, r.scale.data());
  w.write("/rmc/background", io::dtype::f64, {R}, r.background.data());
  w.write("/rmc/replica", io::dtype::u64, {R}, r.replica_index.data());
  const index_t T = index_t(r.traces[0].chi2.size());
  std::vector<double> chi2, acc, temp;
  std::vector<std::int64_t> move, level;
  for (const auto& t : r.traces) {
    chi2.insert(chi2.end(), t.chi2.begin(), t.chi2.end());
    acc.insert(acc.end(), t.acceptance.begin(), t.acceptance.end());
    temp.insert(temp.end(), t.temperature.begin(), t.temperature.end());
  }
  move.assign(r.traces[0].move.begin(), r.traces[0].move.end());
  level.assign(r.traces[0].level.begin(), r.traces[0].level.end());
  w.write("/rmc/trace/chi2", io::dtype::f64, {R, T}, chi2.data());
  w.write("/rmc/trace/acceptance", io::dtype::f64, {R, T}, acc.data());
  w.write("/rmc/trace/temperature", io::dtype::f64, {R, T}, temp.data());
  w.write("/rmc/trace/move", io::dtype::i64, {T}, move.data());
  w.write("/rmc/trace/level", io::dtype::i64, {T}, level.data());
  w.attribute("/rmc", "loading", r.loading);
  w.attribute("/rmc", "seed", double(r.seed));
  w.attribute("/rmc", "filled", double(r.filled));
  w.attribute("/rmc", "levels", double(r.levels));
  w.attribute("/rmc", "step", r.step);
  w.attribute("/rmc", "dq", r.dq);
  w.attribute("/rmc", "cell_size", r.cell_size);
  w.attribute("/rmc", "moves", double(r.moves_done));
  w.attribute("/rmc", "seconds", r.seconds);
  w.attribute("/rmc", "max_drift", r.max_drift);
  w.attribute("/rmc", "convention",
              "pattern[N/2+ky][N/2+kx] = scale*|sum_{y,x} model[y][x] exp(-2 pi i (ky y + kx x)/N)|^2 + background "
              "= fftshift(scale*|numpy.fft.fft2(model)|^2 + background)");
  w.commit();
}

void write_result_png(const std::string& path, const Result& r) {
  constexpr const char* where = "beamkit::rmc::write_result_png";
  check::require(r.n > 0 && !r.models.empty(), where, "the result is empty");
  const int N = r.n, gap = std::max(2, N / 32), W = 3 * N + 2 * gap;
  // Common log scale for pattern and data from the unmasked data's positive values.
  double lo = INFINITY, hi = -INFINITY;
  for (std::size_t i = 0; i < r.data.size(); ++i)
    if (r.weight[i] > 0) {
      for (double v : {r.data[i], r.patterns[0][i]})
        if (v > 0) {
          lo = std::min(lo, std::log10(v));
          hi = std::max(hi, std::log10(v));
        }
    }
  if (!(hi > lo)) { lo = 0; hi = 1; }
  auto scaled = [&](double v) { return v > 0 ? std::clamp((std::log10(v) - lo) / (hi - lo), 0.0, 1.0) : 0.0; };
  std::vector<double> img(std::size_t(N) * W, 1.0);
  for (int y = 0; y < N; ++y)
    for (int x = 0; x < N; ++x) {
      const std::size_t i = std::size_t(y) * N + x;
      img[std::size_t(y) * W + x] = r.models[0][i] ? 1.0 : 0.0;
      img[std::size_t(y) * W + N + gap + x] = scaled(r.patterns[0][i]);
      img[std::size_t(y) * W + 2 * (N + gap) + x] = r.weight[i] > 0 ? scaled(r.data[i]) : 0.5;
    }
  io::PngOptions opt;
  opt.cmap = io::Colormap::viridis;
  opt.lo = 0;
  opt.hi = 1;
  io::write_png(path, img.data(), N, W, opt);
}

}  // namespace beamkit::rmc
