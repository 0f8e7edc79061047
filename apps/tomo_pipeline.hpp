// SPDX-License-Identifier: BSD-3-Clause
// The CLI's tomography pipeline, step by step (the volume driver that runs them chunk by chunk is
// apps/tomo_volume.hpp):
//   1. open the input through io::open_tomo_source (Data Exchange, NeXus NXtomo or a TIFF stack),
//   2. read a chunk of slices (projections, flats, darks) -- read_chunk, no Kokkos, any thread,
//   3. pre-process it into line integrals -- prepare_chunk (the --prep chain of tomo/prep/chain.hpp,
//      by default "normalize,minus_log", run on the chunk widened by the chain's halo slices),
//   4. reconstruct (tomo::recon), 5. write (apps/tomo_volume.hpp: HDF5 and/or TIFF, atomically).
#pragma once
#include "cli_common.hpp"
#include <beamkit/io/hdf5.hpp>
#include <beamkit/io/png.hpp>
#include <beamkit/io/tomo_source.hpp>
#include <beamkit/tomo/center.hpp>
#include <beamkit/tomo/prep.hpp>
#include <beamkit/tomo/prep/chain.hpp>
#include <beamkit/tomo/recon.hpp>
#include <cmath>
#include <cstring>
#include <ctime>
#include <iostream>
#include <vector>

namespace beamkit::cli {

struct ReconJob {
  std::string input, output, png, tiff_dir;
  std::string algorithm = "gridrec", filter = "shepp";
  std::vector<double> filter_par;
  double center = NAN;       // NaN: n_det / 2
  bool center_auto = false;  // --center auto
  int slice_begin = 0, slice_end = -1;
  int chunk = 0;             // slices per chunk; 0: derived from memory_limit
  double memory_limit = 0;   // bytes; 0: half of the physical memory
  std::string overlap = "auto";  // on | off | auto: read the next chunk and write the previous one while
                                 // reconstructing; auto = on when a core is left over by the compute threads
  bool checksum = true;      // SHA-256 of the input file(s) into the provenance
  io::TomoSourceOptions source;  // format, theta unit, NeXus paths, TIFF angles file
  std::string prep;              // --prep chain (tomo/prep/chain.hpp); empty: flat/dark mean + -log
};

inline std::string now_iso8601() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

/// Unmanaged host view over a chunk buffer.
using ChunkView = Kokkos::View<float***, Kokkos::LayoutRight, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

/// Raw frames of one chunk of slices [c0, c0 + nc), as the source stores them (converted to float32).
struct RawChunk {
  int c0 = 0, nc = 0;
  int r0 = 0, rows = 0;  // slices actually read: [r0, r0 + rows) (the chunk plus halo slices each side)
  std::vector<float> proj, flat, dark;  // [P][rows][n], [F][rows][n], [D][rows][n]
};

/// Step 2: read slices [c0, c0 + nc) into `out` (buffers grown as needed). Plain C++ and the I/O
/// libraries only (no Kokkos), so it may run on a reader thread. Non-finite projections are an error.
/// `halo` extra slices are read on each side where the dataset has them (for the --prep steps that
/// filter projections).
inline void read_chunk(const io::TomoSource& src, int c0, int nc, RawChunk& out, int halo = 0) {
  const int r0 = std::max(0, c0 - halo), r1 = std::min(src.n_slices(), c0 + nc + halo), rows = r1 - r0;
  const std::size_t per = std::size_t(rows) * src.n_det();
  out.c0 = c0;
  out.nc = nc;
  out.r0 = r0;
  out.rows = rows;
  out.proj.resize(per * src.n_angles());
  out.flat.resize(per * src.n_flats());
  out.dark.resize(per * src.n_darks());
  src.read_projections(r0, rows, out.proj.data());
  if (src.n_flats() > 0 && src.n_darks() > 0) {
    src.read_flats(r0, rows, out.flat.data());
    src.read_darks(r0, rows, out.dark.data());
  }
  for (std::size_t i = 0; i < out.proj.size(); ++i)
    if (!std::isfinite(out.proj[i]))
      fail(errc::invalid_argument, "beamkit",
           cat(src.data_location(), " has a non-finite value in slices ", r0, "..", r1 - 1));
}

/// Whether the chunk will be normalised (flats and darks both present).
inline bool normalises(const io::TomoSource& src) { return src.n_flats() > 0 && src.n_darks() > 0; }

/// Step 3: in place, raw frames -> line integrals [P][nc][n] (returned as a view of raw.proj's buffer):
/// (proj - mean dark) / (mean flat - mean dark), -log (clipped values counted in `clipped`).
/// Without flats and darks the data are taken as line integrals already.
/// With a --prep chain, the chain runs on all rows read (halo included) and the chunk's own slices
/// are then moved to the front of the buffer.
inline ChunkView prepare_chunk(const io::TomoSource& src, RawChunk& raw, long& clipped,
                               const tomo::PrepChain* chain = nullptr, tomo::PrepReport* report = nullptr) {
  using Host = Kokkos::DefaultHostExecutionSpace;
  using U = ChunkView;
  const int P = src.n_angles(), n = src.n_det(), nc = raw.nc;
  U proj(raw.proj.data(), std::size_t(P), std::size_t(nc), std::size_t(n));
  // Without --prep: mean flat/dark normalisation and -log where the source has the frames (one
  // mechanism: the same chain a user would write), else the data are taken as line integrals.
  static const tomo::PrepChain default_chain = tomo::parse_prep_chain("normalize,minus_log");
  if (chain == nullptr || chain->empty()) {
    if (!normalises(src)) return proj;
    chain = &default_chain;
  }
  const int rows = raw.rows, lo = raw.c0 - raw.r0;
  if (chain->has(tomo::PrepKind::normalize) && !normalises(src))
    fail(errc::invalid_argument, "beamkit recon --prep",
         cat("the chain normalises but ", src.data_location(), " comes without flat and dark fields (Data Exchange: "
             "/exchange/data_white and /exchange/data_dark; NeXus: image_key 1 and 2; TIFF stack: flat* and dark* files)"));
  const bool frames = normalises(src);
  U block(raw.proj.data(), std::size_t(P), std::size_t(rows), std::size_t(n));
  U white(raw.flat.data(), frames ? std::size_t(src.n_flats()) : 0, std::size_t(rows), std::size_t(n));
  U dark(raw.dark.data(), frames ? std::size_t(src.n_darks()) : 0, std::size_t(rows), std::size_t(n));
  const auto rep = tomo::apply(Host(), *chain, block, white, dark);
  Host().fence();
  clipped += rep.clipped;
  if (report != nullptr) {
    report->clipped += rep.clipped;
    report->zingers += rep.zingers;
  }
  if (rows != nc)  // drop the halo: angle p's nc rows move from p*rows + lo to p*nc (never forwards)
    for (int p = 0; p < P; ++p)
      std::memmove(raw.proj.data() + std::size_t(p) * nc * n, raw.proj.data() + (std::size_t(p) * rows + lo) * n,
                   std::size_t(nc) * n * sizeof(float));
  return proj;
}

/// Line integrals of slices [c0, c0 + nc) in one call (read + prepare), for small jobs (center).
inline HostView3<float> load_line_integrals(const io::TomoSource& src, int c0, int nc, long& clipped) {
  RawChunk raw;
  read_chunk(src, c0, nc, raw);
  auto li = prepare_chunk(src, raw, clipped);
  HostView3<float> v(Kokkos::view_alloc(Kokkos::WithoutInitializing, "line_integrals"), li.extent(0), li.extent(1), li.extent(2));
  Kokkos::deep_copy(v, li);
  return v;
}

/// The projection closest to theta[0] + 180 degrees, or -1 when none is within 0.02 rad.
inline int opposite_projection(const std::vector<double>& theta) {
  int j = 0;
  for (int a = 1; a < int(theta.size()); ++a)
    if (std::abs(theta[a] - theta[0] - M_PI) < std::abs(theta[j] - theta[0] - M_PI)) j = a;
  return std::abs(theta[j] - theta[0] - M_PI) <= 0.02 ? j : -1;
}

/// Rotation centre (TomoPy's convention) from line integrals proj [P][rows][n]: the opposite-projection
/// correlation over all rows when a projection near theta[0] + 180 degrees exists, else the
/// reconstruction-entropy search on the middle row. `method` says which was used.
template <class ProjView>
double auto_center(const ProjView& proj, const std::vector<double>& theta, std::string& method) {
  const int P = int(proj.extent(0)), rows = int(proj.extent(1)), n = int(proj.extent(2));
  const int j = opposite_projection(theta);
  if (j > 0) {
    method = cat("opposite projections at ", theta[0] * 180 / M_PI, " and ", theta[j] * 180 / M_PI, " deg");
    return tomo::center_from_opposite_projections(Kokkos::subview(proj, 0, Kokkos::ALL, Kokkos::ALL),
                                                  Kokkos::subview(proj, j, Kokkos::ALL, Kokkos::ALL));
  }
  method = "reconstruction entropy";
  HostView3<float> sino("sino", 1, P, n);
  for (int a = 0; a < P; ++a)
    for (int d = 0; d < n; ++d) sino(0, a, d) = proj(a, rows / 2, d);
  return tomo::center_by_entropy(sino, theta, n / 2.0, std::min(40.0, n / 4.0), 0.05);
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

/// Parse a size like "4G", "512M", "1.5GiB", "2000000000" into bytes (K/M/G/T are powers of 1024).
inline double parse_bytes(const std::string& s) {
  std::size_t pos = 0;
  double v = -1;
  try {
    v = std::stod(s, &pos);
  } catch (const std::exception&) {
    pos = 0;
  }
  std::string u = s.substr(pos);
  std::transform(u.begin(), u.end(), u.begin(), [](unsigned char c) { return char(std::toupper(c)); });
  if (u.size() > 1 && u.back() == 'B') u.pop_back();
  if (u.size() > 1 && u.back() == 'I') u.pop_back();
  double f = 0;
  if (u.empty() || u == "B") f = 1;
  else if (u == "K") f = 1024.0;
  else if (u == "M") f = 1024.0 * 1024;
  else if (u == "G") f = 1024.0 * 1024 * 1024;
  else if (u == "T") f = 1024.0 * 1024 * 1024 * 1024;
  if (!(v > 0) || f == 0)
    fail(errc::invalid_argument, "beamkit recon", cat("--memory-limit '", s, "' is not a size like 4G, 512M or 2000000000"));
  return v * f;
}

}  // namespace beamkit::cli
