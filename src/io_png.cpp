// SPDX-License-Identifier: BSD-3-Clause
// PNG writer (libpng): 8-bit grey or colour-mapped pictures of 2-D arrays.
#include <algorithm>
#include <beamkit/core/error.hpp>
#include <beamkit/io/png.hpp>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <png.h>
#include <string>
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


// 5x7 bitmap font (rows top to bottom, bit 4 = left column) for axis numbers and labels.
struct Glyph {
  char c;
  unsigned char rows[7];
};
const Glyph kFont[] = {
    {'0', {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}}, {'1', {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'2', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}}, {'3', {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}},
    {'4', {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}}, {'5', {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}},
    {'6', {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}}, {'7', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
    {'8', {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}}, {'9', {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}},
    {'-', {0, 0, 0, 0x1F, 0, 0, 0}},                   {'.', {0, 0, 0, 0, 0, 0x0C, 0x0C}},
    {'(', {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02}}, {')', {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08}},
    {'^', {0x04, 0x0A, 0x11, 0, 0, 0, 0}},             {'_', {0, 0, 0, 0, 0, 0, 0x1F}},
    {'/', {0, 0x01, 0x02, 0x04, 0x08, 0x10, 0}},       {'+', {0, 0x04, 0x04, 0x1F, 0x04, 0x04, 0}},
    {'a', {0, 0, 0x0E, 0x01, 0x0F, 0x11, 0x0F}},       {'b', {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1E}},
    {'c', {0, 0, 0x0E, 0x10, 0x10, 0x11, 0x0E}},       {'d', {0x01, 0x01, 0x0D, 0x13, 0x11, 0x11, 0x0F}},
    {'e', {0, 0, 0x0E, 0x11, 0x1F, 0x10, 0x0E}},       {'f', {0x06, 0x09, 0x08, 0x1C, 0x08, 0x08, 0x08}},
    {'g', {0, 0, 0x0F, 0x11, 0x0F, 0x01, 0x0E}},       {'h', {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11}},
    {'i', {0x04, 0, 0x0C, 0x04, 0x04, 0x04, 0x0E}},    {'k', {0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12}},
    {'l', {0x0C, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}}, {'m', {0, 0, 0x1A, 0x15, 0x15, 0x11, 0x11}},
    {'n', {0, 0, 0x16, 0x19, 0x11, 0x11, 0x11}},       {'o', {0, 0, 0x0E, 0x11, 0x11, 0x11, 0x0E}},
    {'p', {0, 0, 0x1E, 0x11, 0x1E, 0x10, 0x10}},       {'q', {0, 0, 0x0F, 0x11, 0x0F, 0x01, 0x01}},
    {'r', {0, 0, 0x16, 0x19, 0x10, 0x10, 0x10}},       {'s', {0, 0, 0x0F, 0x10, 0x0E, 0x01, 0x1E}},
    {'t', {0x08, 0x08, 0x1C, 0x08, 0x08, 0x09, 0x06}}, {'u', {0, 0, 0x11, 0x11, 0x11, 0x13, 0x0D}},
    {'v', {0, 0, 0x11, 0x11, 0x11, 0x0A, 0x04}},       {'w', {0, 0, 0x11, 0x11, 0x15, 0x15, 0x0A}},
    {'x', {0, 0, 0x11, 0x0A, 0x04, 0x0A, 0x11}},       {'y', {0, 0, 0x11, 0x11, 0x0F, 0x01, 0x0E}},
    {'z', {0, 0, 0x1F, 0x02, 0x04, 0x08, 0x1F}},       {'|', {0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
};
constexpr int kScale = 2, kAdvance = 6 * kScale, kGlyphH = 7 * kScale;

const unsigned char* glyph(char c) {
  for (const auto& g : kFont)
    if (g.c == c) return g.rows;
  return nullptr;  // space and unknown characters: blank
}

struct Canvas {
  int w, h;
  std::vector<unsigned char> px;  // RGB
  void set(int x, int y, unsigned char v) {
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    unsigned char* p = &px[(std::size_t(y) * w + x) * 3];
    p[0] = p[1] = p[2] = v;
  }
  /// Text with its top-left corner at (x, y); vertical = rotated 90 deg counter-clockwise (reads upwards,
  /// (x, y) = bottom-left of the first glyph).
  void text(int x, int y, const std::string& s, bool vertical = false) {
    for (std::size_t i = 0; i < s.size(); ++i) {
      const unsigned char* g = glyph(s[i]);
      if (!g) continue;
      for (int r = 0; r < 7; ++r)
        for (int c = 0; c < 5; ++c)
          if (g[r] & (0x10 >> c))
            for (int a = 0; a < kScale; ++a)
              for (int b = 0; b < kScale; ++b) {
                const int gx = int(i) * kAdvance + c * kScale + b, gy = r * kScale + a;
                if (vertical) set(x + gy, y - gx, 0);
                else set(x + gx, y + gy, 0);
              }
    }
  }
};

int text_width(const std::string& s) { return int(s.size()) * kAdvance - kScale; }

/// Fractional index where a monotonic axis takes the value v (-1 if outside).
double locate(const std::vector<double>& ax, double v) {
  const int n = int(ax.size());
  if (n == 1) return ax[0] == v ? 0 : -1;
  for (int i = 0; i + 1 < n; ++i) {
    const double a = ax[i], b = ax[i + 1];
    if ((v - a) * (v - b) <= 0 && a != b) return i + (v - a) / (b - a);
  }
  return -1;
}

/// "Nice" tick values (1, 2, 5 x 10^k steps, about 5 ticks) inside [lo, hi], and the decimals to print.
std::vector<double> ticks(double lo, double hi, int& decimals) {
  if (lo > hi) std::swap(lo, hi);
  std::vector<double> t;
  decimals = 0;
  if (!(hi > lo)) return t;
  const double raw = (hi - lo) / 5, mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10 * mag;
  for (double m : {1.0, 2.0, 5.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  decimals = std::max(0, -int(std::floor(std::log10(step) + 1e-9)));
  for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step) t.push_back(std::fabs(v) < 1e-9 * step ? 0.0 : v);
  return t;
}

std::string fmt(double v, int decimals) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", decimals, v);
  return b;
}

/// Image pixels (RGB, ny x nx) placed in a white canvas with a frame, ticks, numbers and labels.
Canvas with_axes(const std::vector<unsigned char>& rgb, int ny, int nx, const PngOptions& opt) {
  int dx = 0, dy = 0;
  const auto xt = ticks(opt.x_axis.front(), opt.x_axis.back(), dx);
  const auto yt = ticks(opt.y_axis.front(), opt.y_axis.back(), dy);
  int ywidth = 0;
  for (double v : yt) ywidth = std::max(ywidth, text_width(fmt(v, dy)));
  const int tick = 6, gap = 4;
  const int left = gap + (opt.y_label.empty() ? 0 : kGlyphH + 2 * gap) + ywidth + gap + tick;
  const int bottom = tick + gap + kGlyphH + (opt.x_label.empty() ? 0 : 2 * gap + kGlyphH) + gap;
  int right = 12, top = 12;
  if (!xt.empty()) right = std::max(right, text_width(fmt(xt.back(), dx)) / 2 + 2);
  Canvas cv{left + nx + right, top + ny + bottom, {}};
  cv.px.assign(std::size_t(cv.w) * cv.h * 3, 255);
  for (int y = 0; y < ny; ++y) std::memcpy(&cv.px[(std::size_t(top + y) * cv.w + left) * 3], &rgb[std::size_t(y) * nx * 3], std::size_t(nx) * 3);
  for (int x = left - 1; x <= left + nx; ++x) cv.set(x, top - 1, 0), cv.set(x, top + ny, 0);
  for (int y = top - 1; y <= top + ny; ++y) cv.set(left - 1, y, 0), cv.set(left + nx, y, 0);
  for (double v : xt) {
    const double f = locate(opt.x_axis, v);
    if (f < 0) continue;
    const int x = left + int(std::lround(f));  // column f
    for (int k = 1; k <= tick; ++k) cv.set(x, top + ny + k, 0);
    const std::string s = fmt(v, dx);
    cv.text(x - text_width(s) / 2, top + ny + tick + gap, s);
  }
  for (double v : yt) {
    const double f = locate(opt.y_axis, v);
    if (f < 0) continue;
    const int y = top + int(std::lround(f));
    for (int k = 1; k <= tick; ++k) cv.set(left - 1 - k, y, 0);
    const std::string s = fmt(v, dy);
    cv.text(left - 1 - tick - gap - text_width(s), y - kGlyphH / 2, s);
  }
  if (!opt.x_label.empty())
    cv.text(left + nx / 2 - text_width(opt.x_label) / 2, top + ny + tick + gap + kGlyphH + 2 * gap, opt.x_label);
  if (!opt.y_label.empty()) cv.text(gap, top + ny / 2 + text_width(opt.y_label) / 2, opt.y_label, true);
  return cv;
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
  const bool axes = !opt.x_axis.empty() && !opt.y_axis.empty();
  if (axes)
    check::require(int(opt.x_axis.size()) == nx && int(opt.y_axis.size()) == ny, where,
                   cat("axis lengths (", opt.x_axis.size(), ", ", opt.y_axis.size(), ") must match the image (", nx, ", ", ny, ")"));
  const bool rgb = opt.cmap != Colormap::gray || axes;
  const int channels = rgb ? 3 : 1;
  std::vector<unsigned char> img(n * channels);
  for (int y = 0; y < ny; ++y) {
    const int sy = opt.flip_vertical ? ny - 1 - y : y;
    for (int x = 0; x < nx; ++x) {
      const double val = v[std::size_t(sy) * nx + x];
      const double t = std::isfinite(val) ? (val - lo) / (hi - lo) : 0.0;
      unsigned char* px = &img[(std::size_t(y) * nx + x) * channels];
      if (opt.cmap != Colormap::gray) colour(opt.cmap, t, px);
      else px[0] = px[channels - 1] = px[channels / 2] = (unsigned char)std::lround(255.0 * std::clamp(t, 0.0, 1.0));
    }
  }
  int W = nx, H = ny;
  if (axes) {
    Canvas cv = with_axes(img, ny, nx, opt);
    img.swap(cv.px);
    W = cv.w;
    H = cv.h;
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
  png_set_IHDR(png, info, png_uint_32(W), png_uint_32(H), 8, rgb ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < H; ++y) png_write_row(png, &img[std::size_t(y) * W * channels]);
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
