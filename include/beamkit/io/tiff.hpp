// SPDX-License-Identifier: BSD-3-Clause
// TIFF adapter (libtiff, compiled in src/io/tiff.cpp; libtiff stays private to libbeamkit).
// Reads single-channel images (8/16/32-bit signed or unsigned integers, 32/64-bit floats; strips or
// tiles, any compression libtiff decodes), whole or a range of rows, converted to float or double.
// Writes 32-bit float images (one directory, uncompressed) atomically (temporary file + rename).
// Failures throw beamkit::error: errc::io (missing, unreadable, corrupt) or errc::invalid_argument
// (unsupported sample layout, row range outside the image), naming the file.
#pragma once
#include <beamkit/core/error.hpp>
#include <string>

namespace beamkit::io {

struct TiffInfo {
  int rows = 0, cols = 0;
  int bits = 0;         ///< bits per sample
  bool is_float = false;
  bool is_signed = false;
};

/// Size and sample type of the first image of a TIFF file.
TiffInfo tiff_info(const std::string& path);

/// Rows [row0, row0 + nrows) of the first image, C order [nrows][cols], converted to float / double.
void read_tiff_rows(const std::string& path, int row0, int nrows, float* out);
void read_tiff_rows(const std::string& path, int row0, int nrows, double* out);

/// Write a [rows][cols] float32 image (written to "<path>.partial-<pid>" then renamed into place).
void write_tiff(const std::string& path, int rows, int cols, const float* data);

}  // namespace beamkit::io
