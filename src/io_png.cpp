// SPDX-License-Identifier: BSD-3-Clause
// PNG writer (libpng): 8-bit grey or colour-mapped pictures of 2-D arrays.
#include <algorithm>
#include <beamkit/core/error.hpp>
#include <beamkit/io/png.hpp>
#include <cmath>
#include <cstdio>
#include <png.h>
#include <unistd.h>
#include <vector>

namespace beamkit::io {
namespace {

// Anchor points of matplotlib's viridis and inferno (perceptually uniform), linearly interpolated.
const unsigned char kViridis[9][3] = {{68, 1, 84},    {71, 44, 122},  {59, 81, 139},  {44, 113, 142}, {33, 144, 141},
                                      {39, 173, 129}, {92, 200, 99},  {170, 220, 50}, {253, 231, 37}};
const unsigned char kInferno[9][3] = {{0, 0, 4},     {31, 12, 72},   {85, 15, 109},  {136, 34, 106}, {186, 54, 85},
                                      {227, 89, 51}, {249, 140, 10}, {249, 201, 50}, {252, 255, 164}};

void colour(Colormap cm, double t, unsigned char* rgb) {
  const auto& tab = cm == Colormap::inferno ? kInferno : kViridis;
  t = std::clamp(t, 0.0, 1.0) * 8.0;
  const int i = std::min(7, int(t));
  const double w = t - i;
  for (int c = 0; c < 3; ++c) rgb[c] = (unsigned char)std::lround((1 - w) * tab[i][c] + w * tab[i + 1][c]);
}

template <class T> void write_impl(const std::string& path, const T* data, int ny, int nx, const PngOptions& opt) {
  constexpr const char* where = "beamkit::io::write_png";
  check::require(ny > 0 && nx > 0, where, cat("image shape (", ny, ", ", nx, ") is empty"));
  const std::size_t n = std::size_t(ny) * nx;
  std::vector<double> v(n);
  double minpos = INFINITY;
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = double(data[i]);
    if (std::isfinite(v[i]) && v[i] > 0) minpos = std::min(minpos, v[i]);
  }
  if (opt.log_scale) {
    if (!std::isfinite(minpos)) minpos = 1;
    for (auto& x : v) x = std::isfinite(x) ? std::log10(std::max(x, minpos)) : x;
  }
  double lo = opt.lo, hi = opt.hi;
  if (opt.log_scale && lo != hi) {
    lo = std::log10(std::max(lo, minpos));
    hi = std::log10(std::max(hi, minpos));
  }
  if (lo == hi) {  // robust display range
    std::vector<double> f;
    f.reserve(n);
    for (double x : v)
      if (std::isfinite(x)) f.push_back(x);
    if (f.empty()) {
      lo = 0;
      hi = 1;
    } else {
      const std::size_t a = std::size_t(0.005 * (f.size() - 1)), b = std::size_t(0.995 * (f.size() - 1));
      std::nth_element(f.begin(), f.begin() + a, f.end());
      lo = f[a];
      std::nth_element(f.begin(), f.begin() + b, f.end());
      hi = f[b];
      if (!(hi > lo)) hi = lo + 1;
    }
  }
  const bool rgb = opt.cmap != Colormap::gray;
  const int channels = rgb ? 3 : 1;
  std::vector<unsigned char> img(n * channels);
  for (int y = 0; y < ny; ++y) {
    const int sy = opt.flip_vertical ? ny - 1 - y : y;
    for (int x = 0; x < nx; ++x) {
      const double val = v[std::size_t(sy) * nx + x];
      const double t = std::isfinite(val) ? (val - lo) / (hi - lo) : 0.0;
      unsigned char* px = &img[(std::size_t(y) * nx + x) * channels];
      if (rgb) colour(opt.cmap, t, px);
      else px[0] = (unsigned char)std::lround(255.0 * std::clamp(t, 0.0, 1.0));
    }
  }
  const std::string tmp = path + ".partial-" + std::to_string(::getpid());
  FILE* fp = std::fopen(tmp.c_str(), "wb");
  if (!fp) fail(errc::io, where, cat("cannot create '", path, "' (directory missing or not writable?)"));
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!png || !info || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    std::fclose(fp);
    std::remove(tmp.c_str());
    fail(errc::io, where, cat("libpng failed writing '", path, "'"));
  }
  png_init_io(png, fp);
  png_set_IHDR(png, info, png_uint_32(nx), png_uint_32(ny), 8, rgb ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < ny; ++y) png_write_row(png, &img[std::size_t(y) * nx * channels]);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  const bool ok = std::fclose(fp) == 0;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    fail(errc::io, where, cat("cannot write '", path, "'"));
  }
}
}  // namespace

void write_png(const std::string& path, const double* data, int ny, int nx, const PngOptions& opt) {
  write_impl(path, data, ny, nx, opt);
}
void write_png(const std::string& path, const float* data, int ny, int nx, const PngOptions& opt) {
  write_impl(path, data, ny, nx, opt);
}

}  // namespace beamkit::io
