// SPDX-License-Identifier: BSD-3-Clause
// PNG pictures of 2-D arrays (libpng, compiled in src/io_png.cpp): a grey or colour-mapped image of
// a slice or a scattering pattern, optionally on a log scale. Written atomically (temp + rename).
#pragma once
#include <string>
#include <vector>

namespace beamkit::io {

enum class Colormap { gray, viridis, inferno };

struct PngOptions {
  Colormap cmap = Colormap::gray;
  bool log_scale = false;  ///< log10 of values above the smallest positive value
  double lo = 0, hi = 0;   ///< display range; lo == hi: from the 0.5/99.5 percentiles of finite values
  bool flip_vertical = false;  ///< row 0 at the bottom (detector images with q_z upwards)
  /// Optional axes drawn around the image (white margins, frame, ticks at "nice" values, numbers and
  /// labels in a built-in 5x7 bitmap font): x_axis[c] = value at the centre of column c, y_axis[r] =
  /// value at the centre of (displayed) row r, r = 0 at the top; each must be monotonic. Empty: no axes.
  std::vector<double> x_axis, y_axis;
  std::string x_label, y_label;
};

/// Write `data` (C order, ny rows of nx values) as an 8-bit PNG.
void write_png(const std::string& path, const double* data, int ny, int nx, const PngOptions& opt = {});
void write_png(const std::string& path, const float* data, int ny, int nx, const PngOptions& opt = {});

}  // namespace beamkit::io
