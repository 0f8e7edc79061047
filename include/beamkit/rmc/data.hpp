// SPDX-License-Identifier: BSD-3-Clause
// Putting a measured pattern on the model's q grid, and reading patterns from files
// (compiled in src/rmc/data.cpp and src/rmc/io.cpp).
//
// The model is N x N cells of side a; its DFT samples q on the grid q = (ky, kx) dq with
// dq = 2 pi / (N a), ky, kx in [-N/2, N/2). Model q point (ky, kx) is taken from the detector at
//   row = cy + ky * step,  col = cx + kx * step
// (cy, cx) = beam centre in 0-based pixel coordinates (default: (H/2, W/2) with integer division, the
// centre of numpy.fft.fftshift), step = detector pixels per model q step (default 1: one pixel per q
// point, i.e. a centred crop). Off-pixel positions are bilinearly interpolated; a q point is masked
// when any pixel with non-zero interpolation weight is outside the detector or masked. With a q
// calibration (pixel size p and distance L in one length unit, wavelength lambda and cell size a in
// another), small-angle geometry gives dq_pixel = 2 pi p / (lambda L) and
// step = dq / dq_pixel = lambda L / (N a p). sigma, when given, is interpolated the same way and the
// weight is w = 1/sigma^2 (else w = 1); masked points have w = 0. q = 0 always gets w = 0: F(0) is the
// number of filled cells, fixed by the loading, so it carries no information (and is under the beam stop).
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace beamkit::rmc {

/// How a detector pattern is mapped to the model grid.
struct DataOptions {
  int size = 0;                  ///< model side N (even); 0: the largest even N with N*step fitting the detector
  double center_row = NAN;       ///< beam centre row (0-based pixels); NaN: H/2 (integer division)
  double center_col = NAN;       ///< beam centre column; NaN: W/2
  double step = 0;               ///< detector pixels per model q step; 0: from calibration, else 1
  double pixel_size = 0;         ///< detector pixel size (same unit as distance), for the q calibration
  double distance = 0;           ///< sample-detector distance
  double wavelength = 0;         ///< X-ray wavelength (same unit as cell_size)
  double cell_size = 0;          ///< model cell side a; with the calibration it fixes `step`
};

/// A pattern on the model grid. Arrays are [N*N] row-major in FFT order (q = 0 at index 0).
struct GridData {
  int n = 0;
  std::vector<double> data, weight;  ///< weight 0 = masked
  double step = 1;                   ///< detector pixels per model q step actually used
  double dq = 0;                     ///< model q step (1/wavelength units), 0 without calibration
  double cell_size = 0;              ///< model cell side (wavelength units), 0 without calibration
  double center_row = 0, center_col = 0;
};

/// Map `pattern` [rows][cols] (C order) to the model grid.
/// \param mask  [rows][cols], non-zero = excluded pixel (pyFAI convention), or nullptr
/// \param sigma [rows][cols] standard deviations (> 0 where used), or nullptr
/// Throws errc::invalid_argument naming the bad value (NaN in an unmasked pixel, sigma <= 0, ...).
GridData grid_data(const double* pattern, int rows, int cols, const std::uint8_t* mask, const double* sigma,
                   const DataOptions& opt);

/// FFT order <-> centred order (numpy.fft.fftshift / ifftshift for even N).
template <class T> std::vector<T> fftshift(const std::vector<T>& a, int n) {
  std::vector<T> out(a.size());
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) out[std::size_t((y + n / 2) % n) * n + (x + n / 2) % n] = a[std::size_t(y) * n + x];
  return out;
}
template <class T> std::vector<T> ifftshift(const std::vector<T>& a, int n) { return fftshift(a, n); }

/// A 2-D image read from a file, as double.
struct Image {
  int rows = 0, cols = 0;
  std::vector<double> values;
};
/// Read a single-channel TIFF (8/16/32-bit integer or 32/64-bit float samples, strips or tiles).
Image read_tiff(const std::string& path);
/// Read a pattern: .tif/.tiff through libtiff; .h5/.hdf5/.nxs/.hdf/.cxi: the 2-D dataset `dataset`
/// (a 3-D dataset with a leading axis of 1 is accepted).
Image read_pattern(const std::string& path, const std::string& dataset = "");

}  // namespace beamkit::rmc
