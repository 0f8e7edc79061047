// SPDX-License-Identifier: BSD-3-Clause
// TIFF adapter bodies (libtiff 4). Shared by the RMC pattern reader and the tomography TIFF stacks.
#include <algorithm>
#include <beamkit/io/tiff.hpp>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>
#include <tiffio.h>
#include <unistd.h>
#include <vector>

namespace beamkit::io {
namespace {

constexpr const char* kWhere = "beamkit::io::tiff";

void silence_tiff(const char*, const char*, va_list) {}

/// An open TIFF (closed on scope exit) with its sample layout checked.
struct Tiff {
  TIFF* t = nullptr;
  TiffInfo info;
  std::uint16_t fmt = SAMPLEFORMAT_UINT;
  explicit Tiff(const std::string& path) {
    TIFFSetWarningHandler(silence_tiff);
    TIFFSetErrorHandler(silence_tiff);
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) fail(errc::io, kWhere, cat("cannot open TIFF file '", path, "' (no such file)"));
    t = TIFFOpen(path.c_str(), "r");
    if (!t) fail(errc::io, kWhere, cat("cannot open TIFF file '", path, "' (not a TIFF, or corrupt)"));
    std::uint32_t w = 0, h = 0;
    std::uint16_t bps = 0, spp = 1;
    TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w);
    TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h);
    TIFFGetFieldDefaulted(t, TIFFTAG_BITSPERSAMPLE, &bps);
    TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLESPERPIXEL, &spp);
    TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLEFORMAT, &fmt);
    if (w == 0 || h == 0) fail(errc::io, kWhere, cat("'", path, "' has an empty image (", h, " x ", w, ")"));
    if (spp != 1)
      fail(errc::invalid_argument, kWhere, cat("'", path, "' has ", spp, " samples per pixel; a single-channel image is needed"));
    const bool ok = (fmt == SAMPLEFORMAT_UINT || fmt == SAMPLEFORMAT_INT) ? (bps == 8 || bps == 16 || bps == 32)
                    : fmt == SAMPLEFORMAT_IEEEFP                          ? (bps == 32 || bps == 64)
                                                                          : false;
    if (!ok) fail(errc::invalid_argument, kWhere, cat("'", path, "': unsupported sample format ", fmt, " with ", bps, " bits"));
    info.rows = int(h);
    info.cols = int(w);
    info.bits = bps;
    info.is_float = fmt == SAMPLEFORMAT_IEEEFP;
    info.is_signed = fmt == SAMPLEFORMAT_INT;
  }
  ~Tiff() {
    if (t) TIFFClose(t);
  }
  Tiff(const Tiff&) = delete;
  Tiff& operator=(const Tiff&) = delete;
};

template <class S> double sample(const unsigned char* p) {
  S v;
  std::memcpy(&v, p, sizeof(S));
  return double(v);
}

double convert(const TiffInfo& in, const unsigned char* p) {
  if (in.is_float) return in.bits == 32 ? sample<float>(p) : sample<double>(p);
  if (in.is_signed)
    return in.bits == 8 ? sample<std::int8_t>(p) : in.bits == 16 ? sample<std::int16_t>(p) : sample<std::int32_t>(p);
  return in.bits == 8 ? sample<std::uint8_t>(p) : in.bits == 16 ? sample<std::uint16_t>(p) : sample<std::uint32_t>(p);
}

template <class T> void read_rows(const std::string& path, int row0, int nrows, T* out) {
  Tiff f(path);
  const TiffInfo& in = f.info;
  if (row0 < 0 || nrows < 0 || row0 + nrows > in.rows)
    fail(errc::invalid_argument, kWhere,
         cat("'", path, "': rows [", row0, ", ", row0 + nrows, ") outside the image's ", in.rows, " rows"));
  const std::size_t bytes = std::size_t(in.bits / 8), W = std::size_t(in.cols);
  const int r1 = row0 + nrows;
  if (TIFFIsTiled(f.t)) {
    std::uint32_t tw = 0, th = 0;
    TIFFGetField(f.t, TIFFTAG_TILEWIDTH, &tw);
    TIFFGetField(f.t, TIFFTAG_TILELENGTH, &th);
    if (tw == 0 || th == 0) fail(errc::io, kWhere, cat("'", path, "': tiled image without a tile size"));
    std::vector<unsigned char> buf(std::size_t(TIFFTileSize(f.t)));
    for (std::uint32_t y = std::uint32_t(row0) / th * th; y < std::uint32_t(r1); y += th)
      for (std::uint32_t x = 0; x < W; x += tw) {
        if (TIFFReadTile(f.t, buf.data(), x, y, 0, 0) < 0) fail(errc::io, kWhere, cat("'", path, "': cannot read a tile (corrupt?)"));
        for (std::uint32_t j = 0; j < th; ++j) {
          const int r = int(y + j);
          if (r < row0 || r >= r1) continue;
          for (std::uint32_t i = 0; i < tw && x + i < W; ++i)
            out[std::size_t(r - row0) * W + x + i] = T(convert(in, &buf[(std::size_t(j) * tw + i) * bytes]));
        }
      }
    return;
  }
  std::uint32_t rps = 0;
  TIFFGetFieldDefaulted(f.t, TIFFTAG_ROWSPERSTRIP, &rps);
  if (rps == 0 || rps > std::uint32_t(in.rows)) rps = std::uint32_t(in.rows);
  std::vector<unsigned char> buf(std::size_t(TIFFStripSize(f.t)));
  for (int s = row0 / int(rps); s * int(rps) < r1; ++s) {
    const tmsize_t got = TIFFReadEncodedStrip(f.t, tstrip_t(s), buf.data(), tmsize_t(buf.size()));
    if (got < 0) fail(errc::io, kWhere, cat("'", path, "': cannot read strip ", s, " (corrupt or truncated?)"));
    const int first = s * int(rps);
    const int have = int(std::size_t(got) / (W * bytes));  // rows actually in this strip
    for (int j = 0; j < have; ++j) {
      const int r = first + j;
      if (r < row0 || r >= r1) continue;
      const unsigned char* p = &buf[std::size_t(j) * W * bytes];
      T* o = out + std::size_t(r - row0) * W;
      for (std::size_t x = 0; x < W; ++x) o[x] = T(convert(in, p + x * bytes));
    }
    if (first + have < std::min(r1, first + int(rps)))
      fail(errc::io, kWhere, cat("'", path, "': strip ", s, " is short (truncated file?)"));
  }
}

}  // namespace

TiffInfo tiff_info(const std::string& path) { return Tiff(path).info; }

void read_tiff_rows(const std::string& path, int row0, int nrows, float* out) { read_rows(path, row0, nrows, out); }
void read_tiff_rows(const std::string& path, int row0, int nrows, double* out) { read_rows(path, row0, nrows, out); }

void write_tiff(const std::string& path, int rows, int cols, const float* data) {
  constexpr const char* where = "beamkit::io::write_tiff";
  check::require(rows > 0 && cols > 0, where, cat("empty image (", rows, " x ", cols, ")"));
  TIFFSetWarningHandler(silence_tiff);
  TIFFSetErrorHandler(silence_tiff);
  const std::string tmp = path + ".partial-" + std::to_string(::getpid());
  TIFF* t = TIFFOpen(tmp.c_str(), "w");
  if (!t) fail(errc::io, where, cat("cannot create '", tmp, "' (directory missing or not writable?)"));
  bool ok = TIFFSetField(t, TIFFTAG_IMAGEWIDTH, std::uint32_t(cols)) && TIFFSetField(t, TIFFTAG_IMAGELENGTH, std::uint32_t(rows)) &&
            TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 32) && TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1) &&
            TIFFSetField(t, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_IEEEFP) &&
            TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK) &&
            TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG) &&
            TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_NONE) &&
            TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, TIFFDefaultStripSize(t, 0));
  for (int r = 0; ok && r < rows; ++r)
    ok = TIFFWriteScanline(t, const_cast<float*>(data + std::size_t(r) * cols), std::uint32_t(r), 0) >= 0;
  ok = ok && TIFFFlush(t) == 1;
  TIFFClose(t);
  if (!ok) {
    std::remove(tmp.c_str());
    fail(errc::io, where, cat("writing '", tmp, "' failed (disk full?)"));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    fail(errc::io, where, cat("cannot move the output into place at '", path, "'"));
  }
}

}  // namespace beamkit::io
