// SPDX-License-Identifier: BSD-3-Clause
// Mapping a detector pattern onto the RMC model's q grid (see include/beamkit/rmc/data.hpp).
#include <beamkit/core/error.hpp>
#include <beamkit/rmc/data.hpp>
#include <algorithm>
#include <cmath>

namespace beamkit::rmc {

GridData grid_data(const double* pattern, int rows, int cols, const std::uint8_t* mask, const double* sigma,
                   const DataOptions& opt) {
  constexpr const char* where = "beamkit::rmc::grid_data";
  check::require(pattern != nullptr && rows > 0 && cols > 0, where,
                 cat("argument 'pattern' is empty (shape (", rows, ", ", cols, "))"));
  GridData g;
  g.center_row = std::isnan(opt.center_row) ? double(rows / 2) : opt.center_row;
  g.center_col = std::isnan(opt.center_col) ? double(cols / 2) : opt.center_col;
  check::finite(g.center_row, where, "center_row");
  check::finite(g.center_col, where, "center_col");
  const bool calibrated = opt.pixel_size > 0 && opt.distance > 0 && opt.wavelength > 0;
  for (double v : {opt.pixel_size, opt.distance, opt.wavelength, opt.cell_size, opt.step})
    check::require(std::isfinite(v) && v >= 0, where, cat("calibration values must be finite and >= 0, got ", v));
  check::require(opt.size == 0 || (opt.size >= 4 && opt.size % 2 == 0 && opt.size <= 16384), where,
                 cat("argument 'size' must be even and in [4, 16384], got ", opt.size));
  // Pixels: NaN/inf only allowed where masked.
  const std::size_t npix = std::size_t(rows) * cols;
  for (std::size_t i = 0; i < npix; ++i) {
    const bool masked = mask && mask[i];
    if (!masked && !std::isfinite(pattern[i]))
      fail(errc::invalid_argument, where,
           cat("argument 'pattern' contains a non-finite value (", pattern[i], ") at (", i / cols, ", ", i % cols,
               ") that is not masked"));
    if (!masked && sigma && !(sigma[i] > 0 && std::isfinite(sigma[i])))
      fail(errc::invalid_argument, where,
           cat("argument 'sigma' must be finite and > 0 on unmasked pixels, got ", sigma[i], " at (", i / cols, ", ",
               i % cols, ")"));
  }
  double step = opt.step;
  int n = opt.size;
  if (step == 0 && calibrated && opt.cell_size > 0 && n == 0)
    fail(errc::invalid_argument, where, "with a q calibration and 'cell_size', also give 'size' (the model side N)");
  if (step == 0) {
    if (calibrated && opt.cell_size > 0) step = opt.wavelength * opt.distance / (double(n) * opt.cell_size * opt.pixel_size);
    else step = 1;
  }
  if (n == 0) {
    // Largest even N whose grid rows cy + [-N/2, N/2) * step (and the same for columns) fit the detector.
    const double lo = std::min(g.center_row, g.center_col);
    const double hi = std::min(rows - 1 - g.center_row, cols - 1 - g.center_col);
    n = 2 * int(std::min(std::floor(lo / step), std::floor(hi / step) + 1));
    n = std::min(n, 16384);
    check::require(n >= 4, where,
                   cat("the beam centre (", g.center_row, ", ", g.center_col, ") is too close to the edge of a (",
                       rows, ", ", cols, ") pattern for a model grid; give 'size'"));
  }
  g.n = n;
  g.step = step;
  if (calibrated) {
    const double dq_pix = 2 * M_PI * opt.pixel_size / (opt.wavelength * opt.distance);
    g.dq = dq_pix * step;
    g.cell_size = 2 * M_PI / (n * g.dq);
  }
  g.data.assign(std::size_t(n) * n, 0.0);
  g.weight.assign(std::size_t(n) * n, 0.0);
  std::size_t used = 0;
  for (int iy = 0; iy < n; ++iy)
    for (int ix = 0; ix < n; ++ix) {
      const int ky = iy - n / 2, kx = ix - n / 2;  // centred index -> signed q index
      const double y = g.center_row + ky * step, x = g.center_col + kx * step;
      const int y0 = int(std::floor(y)), x0 = int(std::floor(x));
      const double fy = y - y0, fx = x - x0;
      double acc = 0, sacc = 0;
      bool ok = true;
      for (int dy = 0; dy < 2 && ok; ++dy)
        for (int dx = 0; dx < 2 && ok; ++dx) {
          const double wgt = (dy ? fy : 1 - fy) * (dx ? fx : 1 - fx);
          if (wgt == 0) continue;
          const int py = y0 + dy, px = x0 + dx;
          if (py < 0 || py >= rows || px < 0 || px >= cols) { ok = false; break; }
          const std::size_t p = std::size_t(py) * cols + px;
          if (mask && mask[p]) { ok = false; break; }
          acc += wgt * pattern[p];
          if (sigma) sacc += wgt * sigma[p];
        }
      const std::size_t k = std::size_t((ky + n) % n) * n + (kx + n) % n;  // FFT order
      if (!ok) continue;
      g.data[k] = acc;
      g.weight[k] = sigma ? 1.0 / (sacc * sacc) : 1.0;
      ++used;
    }
  if (g.weight[0] > 0) --used;
  g.weight[0] = 0;  // q = 0: F(0) = number of filled cells is fixed by the loading (and under the beam stop)
  check::require(used > 0, where, "no unmasked pattern pixel falls on the model grid");
  return g;
}

}  // namespace beamkit::rmc
