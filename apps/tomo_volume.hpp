// SPDX-License-Identifier: BSD-3-Clause
// The volume driver behind `beamkit recon`: reconstructs [s0, s1) chunk of slices by chunk with memory
// bounded by --memory-limit, overlapping I/O with computation, with a progress bar on a terminal,
// writing HDF5 (and/or a TIFF stack) atomically, and under `mpirun -np K` spreading chunks over ranks.
//
//  * Chunk size: the largest that fits the limit by the estimate in plan_memory() (fixed workspaces of
//    the reconstruction plan + per-slice buffers, two of each when overlapping), at most a quarter of
//    the slices so the pipeline has something to overlap.
//  * Overlap: a reader thread fetches chunk k+1 (file I/O only, no Kokkos) and a writer thread writes
//    chunk k-1 while the main thread pre-processes and reconstructs chunk k. HDF5 calls are serialised
//    inside libbeamkit (io/hdf5.hpp), so reading and writing take turns on the file layer.
//  * Interruption: SIGINT/SIGTERM set a flag checked between chunks and between the reconstruction's
//    slice batches (a second signal terminates at once); the run then stops with an error
//    and the writers' destructors delete the partial files (io::Writer, the TIFF stack's
//    "<dir>.partial-<pid>"), as on any exception.
//  * MPI (BEAMKIT_HAS_MPI, launched by mpirun): chunk j goes to rank j mod K; after each round every
//    rank's status is combined (MPI_Allreduce), the other ranks send their chunks to rank 0, which
//    writes them in order into the one output file (Debian's libhdf5 is serial: no parallel HDF5).
#pragma once
#include "tomo_pipeline.hpp"
#include <atomic>
#include <beamkit/config.hpp>
#include <beamkit/io/checksum.hpp>
#include <beamkit/io/tiff.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <dirent.h>
#include <future>
#include <sys/resource.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#if BEAMKIT_HAS_MPI
#include <mpi.h>
#endif

namespace beamkit::cli {

// ---- ranks ---------------------------------------------------------------------------------------
/// This process's place among the ranks (size 1 without MPI or when not launched by mpirun).
struct Ranks {
  int rank = 0, size = 1;
  /// Initialises MPI when beamkit has it and the process was started by an MPI launcher.
  static Ranks init() {
    Ranks r;
#if BEAMKIT_HAS_MPI
    const char* env[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"};
    bool launched = false;
    for (const char* e : env) launched |= std::getenv(e) != nullptr;
    if (!launched) return r;
    int inited = 0;
    MPI_Initialized(&inited);
    if (!inited) {
      int provided = 0;
      MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
      std::atexit([] {
        int fin = 0;
        MPI_Finalized(&fin);
        if (!fin) MPI_Finalize();
      });
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &r.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &r.size);
#endif
    return r;
  }
  /// The largest of every rank's `mine` (collective).
  int max_over_ranks(int mine) const {
#if BEAMKIT_HAS_MPI
    if (size > 1) {
      int all = 0;
      MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
      return all;
    }
#endif
    return mine;
  }
  double bcast(double v) const {
#if BEAMKIT_HAS_MPI
    if (size > 1) MPI_Bcast(&v, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
#endif
    return v;
  }
  void send(const float* p, std::size_t n, int to) const {
#if BEAMKIT_HAS_MPI
    for (std::size_t o = 0; o < n; o += std::size_t(1) << 28)
      MPI_Send(p + o, int(std::min(n - o, std::size_t(1) << 28)), MPI_FLOAT, to, 7, MPI_COMM_WORLD);
#else
    (void)p, (void)n, (void)to;
#endif
  }
  void recv(float* p, std::size_t n, int from) const {
#if BEAMKIT_HAS_MPI
    for (std::size_t o = 0; o < n; o += std::size_t(1) << 28)
      MPI_Recv(p + o, int(std::min(n - o, std::size_t(1) << 28)), MPI_FLOAT, from, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
#else
    (void)p, (void)n, (void)from;
#endif
  }
};

// ---- signals -------------------------------------------------------------------------------------
inline std::atomic<int>& interrupt_signal() {
  static std::atomic<int> s{0};
  return s;
}
/// SIGINT/SIGTERM record the signal while alive (previous handlers restored afterwards).
class InterruptGuard {
public:
  InterruptGuard() {
    interrupt_signal() = 0;
    m_int = std::signal(SIGINT, handler);
    m_term = std::signal(SIGTERM, handler);
  }
  ~InterruptGuard() {
    std::signal(SIGINT, m_int);
    std::signal(SIGTERM, m_term);
  }
  /// The first signal asks the run to stop (outputs removed); a second one terminates at once.
  static void handler(int sig) {
    if (interrupt_signal() != 0) {
      std::signal(sig, SIG_DFL);
      std::raise(sig);
    }
    interrupt_signal() = sig;
  }

private:
  void (*m_int)(int) = SIG_DFL;
  void (*m_term)(int) = SIG_DFL;
};

// ---- progress ------------------------------------------------------------------------------------
/// "[#####.....] 45% 920/2048 slices  3.1 slices/s  ETA 6m04s" on stderr, only when it is a terminal.
class ProgressBar {
public:
  ProgressBar(int total, bool enabled) : m_total(total), m_on(enabled && ::isatty(2)), m_t0(clock::now()) {}
  void update(int done) {
    if (!m_on) return;
    const double s = std::chrono::duration<double>(clock::now() - m_t0).count();
    const double rate = s > 0 ? done / s : 0;
    const int width = 30, fill = m_total > 0 ? int(double(width) * done / m_total) : width;
    std::string bar(std::size_t(fill), '#');
    bar.append(std::size_t(width - fill), '.');
    char line[160];
    if (done < m_total && rate > 0) {
      const int eta = int((m_total - done) / rate);
      std::snprintf(line, sizeof line, "\r[%s] %3d%% %d/%d slices  %.2f slices/s  ETA %dm%02ds ", bar.c_str(),
                    int(100.0 * done / m_total), done, m_total, rate, eta / 60, eta % 60);
    } else {
      std::snprintf(line, sizeof line, "\r[%s] %3d%% %d/%d slices  %.2f slices/s  %.1f s       ", bar.c_str(),
                    m_total > 0 ? int(100.0 * done / m_total) : 100, done, m_total, rate, s);
    }
    std::fputs(line, stderr);
    std::fflush(stderr);
  }
  ~ProgressBar() {
    if (m_on) std::fputs("\n", stderr);
  }

private:
  using clock = std::chrono::steady_clock;
  int m_total;
  bool m_on;
  clock::time_point m_t0;
};

// ---- memory --------------------------------------------------------------------------------------
struct MemoryPlan {
  int chunk = 1;
  double limit = 0, fixed = 0, per_slice = 0;
  double peak() const { return fixed + per_slice * chunk; }
};

inline double physical_memory() { return double(::sysconf(_SC_PHYS_PAGES)) * double(::sysconf(_SC_PAGESIZE)); }

/// Peak resident memory of this process so far (getrusage ru_maxrss), bytes.
inline double max_rss() {
  struct rusage ru;
  ::getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_maxrss) * 1024.0;
}

/// Estimated memory of a run with P angles, F flats, D darks, n detector pixels, N x N output:
/// fixed = 100 MB (program, libraries, Kokkos) + the reconstruction plan's workspaces (padded rows
/// P x 2n complex, cropped rows and their per-sample tables ~48 bytes x P x 1.5N, the oversampled
/// grid and its FFT 16 bytes x (1.25N)^2, tomo::recon's own sinogram batch); per slice: its raw
/// frames (P+F+D) x n and its image N x N in float32, twice each when overlapping (+1 image on an
/// MPI run's rank 0, which receives while it writes).
/// `halo`: the --prep chain's extra slices read on each side of a chunk (2 x halo raw slices more per buffer).
inline MemoryPlan plan_memory(const ReconJob& job, int P, int F, int D, int n, int N, int S, int ranks, int halo = 0) {
  MemoryPlan m;
  m.limit = job.memory_limit > 0 ? job.memory_limit : 0.5 * physical_memory();
  const double np = 2.0 * n, nd = 1.5 * N, M = 1.25 * N;
  const double per_batch_slice = double(P) * 2 * n * 4 * 3;
  const double batch = std::max(2.0, std::min(32.0, 256e6 / std::max(per_batch_slice, 1.0))) + 1;
  m.fixed = 100e6 + double(P) * (np * 16 + nd * 48) + M * M * 16 + batch * double(P) * n * 4;
  const double in = double(P + F + D) * n * 4, out = double(N) * N * 4;
  const double copies = job.overlap == "on" ? 2 : 1;
  m.per_slice = copies * in + (copies + (ranks > 1 ? 1 : 0)) * out;
  m.fixed += copies * 2.0 * halo * in;
  if (job.chunk > 0) {
    m.chunk = job.chunk;
  } else {
    const double c = std::floor((m.limit - m.fixed) / m.per_slice);
    if (c < 1)
      fail(errc::invalid_argument, "beamkit recon",
           cat("--memory-limit ", m.limit / 1048576, " MiB is below the estimated need of one slice (",
               (m.fixed + m.per_slice) / 1048576, " MiB: ", m.fixed / 1048576, " MiB of workspaces + ", m.per_slice / 1048576,
               " MiB per slice)"));
    const int per_rank = (S + ranks - 1) / ranks;
    m.chunk = int(std::min<double>(c, std::max(1, (per_rank + 3) / 4)));
    if (m.chunk > 1 && m.chunk % 2) --m.chunk;  // gridrec reconstructs slices in pairs
  }
  return m;
}

// ---- output --------------------------------------------------------------------------------------
/// HDF5 volume (/exchange/data [S][N][N] float32, chunked by slice) and/or a TIFF stack directory
/// (slice_XXXXX.tif, float32, numbered by input slice), both made visible only by commit().
class VolumeSink {
public:
  VolumeSink(const ReconJob& job, int S, int N) : m_N(N), m_s0(job.slice_begin) {
    if (!job.output.empty()) {
      m_h5.reset(new io::Writer(job.output));
      m_h5->create("/exchange/data", io::dtype::f32, {S, N, N}, 1);
    }
    if (!job.tiff_dir.empty()) {
      m_dir = job.tiff_dir;
      while (m_dir.size() > 1 && m_dir.back() == '/') m_dir.pop_back();
      struct stat st;
      if (::stat(m_dir.c_str(), &st) == 0) {
        if (!S_ISDIR(st.st_mode) || !dir_is_empty(m_dir))
          fail(errc::io, "beamkit recon", cat("--tiff '", m_dir, "' exists and is not an empty directory"));
      }
      m_tmp = m_dir + ".partial-" + std::to_string(::getpid());
      if (::mkdir(m_tmp.c_str(), 0777) != 0)
        fail(errc::io, "beamkit recon", cat("cannot create '", m_tmp, "' (parent directory missing or not writable?)"));
    }
  }
  ~VolumeSink() {
    if (!m_tmp.empty()) {  // not committed: remove what was written
      for (const auto& f : m_written) std::remove(f.c_str());
      ::rmdir(m_tmp.c_str());
    }
  }
  /// Slices [offset, offset + nc) of the output (offset from the first output slice).
  void write(int offset, int nc, const float* data) {
    if (m_h5) m_h5->write_slab("/exchange/data", io::dtype::f32, offset, nc, data);
    if (!m_tmp.empty())
      for (int i = 0; i < nc; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "/slice_%05d.tif", m_s0 + offset + i);
        const std::string f = m_tmp + name;
        io::write_tiff(f, m_N, m_N, data + std::size_t(i) * m_N * m_N);
        m_written.push_back(f);
      }
  }
  io::Writer* hdf5() { return m_h5.get(); }
  void commit() {
    if (m_h5) m_h5->commit();
    if (!m_tmp.empty()) {
      ::rmdir(m_dir.c_str());  // an empty directory given as the target
      if (std::rename(m_tmp.c_str(), m_dir.c_str()) != 0)
        fail(errc::io, "beamkit recon", cat("cannot move the TIFF stack into place at '", m_dir, "'"));
      m_tmp.clear();
    }
  }

private:
  static bool dir_is_empty(const std::string& d) {
    DIR* h = ::opendir(d.c_str());
    if (!h) return false;
    int n = 0;
    while (const dirent* e = ::readdir(h)) n += std::string(e->d_name) != "." && std::string(e->d_name) != "..";
    ::closedir(h);
    return n == 0;
  }
  std::unique_ptr<io::Writer> m_h5;
  int m_N, m_s0;
  std::string m_dir, m_tmp;
  std::vector<std::string> m_written;
};

// ---- the driver ----------------------------------------------------------------------------------
/// Runs `fn` where `active`, then makes its failure everyone's: the failing rank rethrows its error,
/// the others throw "another MPI rank failed" (no rank is left waiting in a collective).
template <class Fn> void on_ranks(const Ranks& ranks, bool active, Fn&& fn) {
  int status = 0;
  std::exception_ptr err;
  if (active) {
    try {
      fn();
    } catch (...) {
      status = 1;
      err = std::current_exception();
    }
  }
  if (ranks.max_over_ranks(status) != 0) {
    if (err) std::rethrow_exception(err);
    fail(errc::runtime, "beamkit recon", "another MPI rank failed: no output written");
  }
}

struct StageTimes {
  double read = 0, read_wait = 0, prep = 0, recon = 0, write = 0, write_wait = 0, wall = 0;
};

/// SHA-256 of the input: of the one file, or of the list "<sha256>  <name>\n" of every file (TIFF stacks).
inline std::string input_checksum(const io::TomoSource& src) {
  const auto& files = src.files();
  if (files.size() == 1) return io::sha256_file(files[0]);
  io::Sha256 h;
  for (const auto& f : files) {
    const std::string line = io::sha256_file(f) + "  " + f.substr(f.rfind('/') + 1) + "\n";
    h.update(line.data(), line.size());
  }
  return h.hex_digest();
}

inline double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

/// Runs the job; returns the reconstructed middle slice on rank 0 (for pictures and summaries).
inline HostView2<float> run_recon(const ReconJob& job_in) {
  using Host = Kokkos::DefaultHostExecutionSpace;
  using clock = std::chrono::steady_clock;
  constexpr const char* where = "beamkit recon";
  ReconJob job = job_in;
  const Ranks ranks = Ranks::init();
  // Overlap pays only with a core to spare for the I/O threads: on 2 cores with 2 compute threads the
  // reader/writer threads slowed the reconstruction by more than they hid (docs/perf_pipeline.md).
  const int cores = int(std::thread::hardware_concurrency()), compute = Host().concurrency();
  const std::string overlap_why = job.overlap == "auto" ? cat(" (auto: ", cores, " cores, ", compute, " compute threads)") : "";
  if (job.overlap == "auto") job.overlap = cores > compute ? "on" : "off";
  const bool overlap = job.overlap == "on";
  const bool root = ranks.rank == 0;
  auto say = [&](const std::string& m) {
    if (root) info(m);
  };
  if (job.output.empty() && job.tiff_dir.empty()) fail(errc::invalid_argument, where, "give -o OUTPUT.h5 and/or --tiff DIR");
  const auto chain = tomo::parse_prep_chain(job.prep);  // before any output exists: a bad chain leaves none
  const int halo = chain.halo();
  tomo::PrepReport prep_report;
  const auto t_start = clock::now();
  InterruptGuard interrupts;
  const auto src = io::open_tomo_source(job.input, job.source);
  for (const auto& note : src->notes()) say(note);
  const int P = src->n_angles(), S_all = src->n_slices(), n = src->n_det();
  const int s0 = job.slice_begin, s1 = job.slice_end < 0 ? S_all : job.slice_end;
  if (s0 < 0 || s1 > S_all || s0 >= s1)
    fail(errc::invalid_argument, where, cat("--slices ", s0, ":", s1, " is outside the ", S_all, " slices of the input"));
  job.slice_begin = s0;
  job.slice_end = s1;
  const auto& theta = src->theta();
  tomo::ReconOptions opt;
  opt.algorithm = job.algorithm;
  opt.filter.type = tomo::filter_from_name(job.filter, where);
  if (job.filter_par.size() > 0) opt.filter.cutoff = job.filter_par[0];
  if (job.filter_par.size() > 1) opt.filter.order = job.filter_par[1];
  opt.filter.validate(where);
  opt.progress = [](int, int) { return interrupt_signal() == 0; };  // stop between slice batches on a signal
  const int S = s1 - s0, N = n;

  // rotation centre
  double center = std::isnan(job.center) ? n / 2.0 : job.center;
  std::string center_method = std::isnan(job.center) ? "detector middle (n_det / 2)" : "given";
  if (job.center_auto) {
    on_ranks(ranks, root, [&] {
      const int rows = std::min(8, S), r0 = s0 + (S - rows) / 2;
      long clipped = 0;
      auto li = load_line_integrals(*src, r0, rows, clipped);
      center = auto_center(li, theta, center_method);
      center_method = cat(center_method, ", slices ", r0, "..", r0 + rows - 1);
    });
    center = ranks.bcast(center);
    say(cat("center: ", center, " (", center_method, ")"));
  }

  // chunks and memory
  const MemoryPlan mem = plan_memory(job, P, src->n_flats(), src->n_darks(), n, N, S, ranks.size, std::min(halo, S_all));
  const int C = mem.chunk;
  std::vector<std::pair<int, int>> chunks;  // (first slice, count)
  for (int c0 = s0; c0 < s1; c0 += C) chunks.emplace_back(c0, std::min(C, s1 - c0));
  const int n_chunks = int(chunks.size());
  std::vector<int> mine;
  for (int k = ranks.rank; k < n_chunks; k += ranks.size) mine.push_back(k);
  say(cat("memory: limit ", mem.limit / 1048576, " MiB -> ", C, " slices per chunk, estimated peak ", mem.peak() / 1048576,
          " MiB per process (", mem.fixed / 1048576, " MiB workspaces + ", mem.per_slice / 1048576, " MiB per slice), overlap ",
          job.overlap, overlap_why,
          ranks.size > 1 ? cat(", ", ranks.size, " MPI ranks") : std::string()));

  std::future<std::string> checksum;
  std::atomic<double> checksum_s{0};
  if (root && job.checksum && !job.output.empty())  // recorded in the HDF5 output
    checksum = std::async(std::launch::async, [&src, &checksum_s] {
      const auto t0 = clock::now();
      auto h = input_checksum(*src);
      checksum_s = seconds_since(t0);
      return h;
    });

  std::unique_ptr<VolumeSink> sink;
  on_ranks(ranks, root, [&] { sink.reset(new VolumeSink(job, S, N)); });
  HostView2<float> middle("middle", N, N);
  const int mid = s0 + S / 2;
  StageTimes t;
  long clipped = 0;
  ProgressBar bar(S, root && verbose());
  int done = 0;

  // buffers: two raw chunks (current, next) and two images (current, being written)
  RawChunk raw[2];
  std::vector<float> img[2], recv_buf;
  const std::size_t img_elems = std::size_t(C) * N * N;
  std::future<double> reading, writing;  // declared after the buffers: joined before they go
  auto read_async = [&](int slot, int k) {
    const auto c = chunks[std::size_t(k)];
    auto job_fn = [&, slot, c] {
      const auto t0 = clock::now();
      read_chunk(*src, c.first, c.second, raw[slot], halo);
      return seconds_since(t0);
    };
    if (overlap) reading = std::async(std::launch::async, job_fn);
    else reading = std::async(std::launch::deferred, job_fn);
  };
  auto write_out = [&](int offset, int nc, const float* data) {
    if (nc <= 0) return;
    if (mid >= s0 + offset && mid < s0 + offset + nc)
      std::copy(data + std::size_t(mid - s0 - offset) * N * N, data + std::size_t(mid - s0 - offset + 1) * N * N, middle.data());
    const auto t0 = clock::now();
    sink->write(offset, nc, data);
    t.write += seconds_since(t0);
  };
  auto finish_write = [&] {
    if (writing.valid()) {
      const auto t0 = clock::now();
      writing.get();
      t.write_wait += seconds_since(t0);
    }
  };

  const int rounds = (n_chunks + ranks.size - 1) / ranks.size;
  if (!mine.empty()) read_async(0, mine[0]);
  for (int j = 0; j < rounds; ++j) {
    const int k = j * ranks.size + ranks.rank;  // this rank's chunk in round j (if k < n_chunks)
    const int slot = overlap ? j % 2 : 0;  // without overlap one raw chunk and one image suffice
    int status = 0;  // 0 ok, 1 error, 2 interrupted
    std::string err;
    errc code = errc::runtime;
    if (k < n_chunks) {
      try {
        const auto t0 = clock::now();
        t.read += reading.get();
        t.read_wait += seconds_since(t0);
        if (j + 1 < int(mine.size())) read_async(overlap ? 1 - slot : 0, mine[std::size_t(j + 1)]);
        const auto t1 = clock::now();
        auto proj = prepare_chunk(*src, raw[slot], clipped, &chain, &prep_report);
        t.prep += seconds_since(t1);
        const int nc = raw[slot].nc;
        // img[slot] was last written two rounds ago; that write finished before last round's began
        auto& out = img[slot];
        out.resize(img_elems);
        ChunkView rec(out.data(), std::size_t(nc), std::size_t(N), std::size_t(N));
        const auto t2 = clock::now();
        tomo::recon(Host(), proj, theta, {center}, opt, rec);
        Host().fence();
        t.recon += seconds_since(t2);
      } catch (const error& e) {
        status = 1;
        err = e.what();
        code = e.code();
      } catch (const std::exception& e) {
        status = 1;
        err = e.what();
      }
    }
    if (status == 0 && interrupt_signal() != 0) status = 2;
    const int all = ranks.max_over_ranks(status);
    if (all != 0) {
      if (status == 1) throw error(code, err);
      if (all == 2)
        fail(errc::runtime, where, cat("interrupted by a signal (", int(interrupt_signal()), "): no output written"));
      fail(errc::runtime, where, "another MPI rank failed: no output written");
    }
    // write this round's chunks (rank 0), receiving the other ranks'
    if (root) {
      if (ranks.size == 1) {
        const auto c = chunks[std::size_t(k)];
        const float* data = img[slot].data();
        finish_write();  // one write in flight at a time: the previous round's
        if (overlap) writing = std::async(std::launch::async, [&, c, data] {
          write_out(c.first - s0, c.second, data);
          return 0.0;
        });
        else write_out(c.first - s0, c.second, data);
      } else {  // a failed write stops the writing, but every message is still received
        std::exception_ptr werr;
        auto guarded = [&](int offset, int nc, const float* data) {
          if (werr) return;
          try {
            write_out(offset, nc, data);
          } catch (...) {
            werr = std::current_exception();
          }
        };
        if (k < n_chunks) guarded(chunks[std::size_t(k)].first - s0, chunks[std::size_t(k)].second, img[slot].data());
        for (int r = 1; r < ranks.size; ++r) {
          const int kr = j * ranks.size + r;
          if (kr >= n_chunks) break;
          const auto c = chunks[std::size_t(kr)];
          recv_buf.resize(std::size_t(c.second) * N * N);
          ranks.recv(recv_buf.data(), recv_buf.size(), r);
          guarded(c.first - s0, c.second, recv_buf.data());
        }
        on_ranks(ranks, true, [&] {
          if (werr) std::rethrow_exception(werr);
        });
      }
    } else {
      if (k < n_chunks) ranks.send(img[slot].data(), std::size_t(chunks[std::size_t(k)].second) * N * N, 0);
      on_ranks(ranks, false, [] {});
    }
    for (int r = 0; r < ranks.size; ++r)
      if (j * ranks.size + r < n_chunks) done += chunks[std::size_t(j * ranks.size + r)].second;
    bar.update(done);
  }
  finish_write();
  if (interrupt_signal() != 0)
    fail(errc::runtime, where, cat("interrupted by a signal (", int(interrupt_signal()), "): no output written"));
  long clipped_all = clipped;
#if BEAMKIT_HAS_MPI
  if (ranks.size > 1) MPI_Reduce(&clipped, &clipped_all, 1, MPI_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
#endif
  if (!root) return middle;
  if (clipped_all > 0) info(cat("warning: ", clipped_all, " non-positive normalised values were clipped before -log"));
  if (prep_report.zingers > 0)  // halo slices are filtered with every chunk that reads them, and their edge rows see
    // the block boundary: the count is an upper bound when chunks have halos
    info(cat("prep: ", prep_report.zingers, " zingers replaced on rank 0", halo > 0 && C < S ? " (counting halo slices, an upper bound)" : ""));

  // provenance
  double checksum_wait = 0;
  if (auto* w = sink->hdf5()) {
    w->attribute("/exchange/data", "units", std::string("attenuation per pixel (1/pixel)"));
    w->attribute("/exchange/data", "axes", std::string("slice, row, column ([slices][N][N], slice k = input detector row slices[0] + k)"));
    w->attribute("/", "beamkit_version", std::string(BEAMKIT_VERSION_STRING));
    w->attribute("/", "created", now_iso8601());
    w->attribute("/", "input_file", job.input);
    w->attribute("/", "input_format", std::string(src->format()));
    w->attribute("/", "input_dataset", src->data_location());
    if (checksum.valid()) {
      const auto t0 = clock::now();
      w->attribute("/", "input_sha256", checksum.get());
      checksum_wait = seconds_since(t0);
    }
    std::string notes;
    for (const auto& s : src->notes()) notes += s + "\n";
    w->attribute("/", "input_notes", notes);
    w->attribute("/", "algorithm", job.algorithm);
    w->attribute("/", "filter_name", job.filter);
    w->attribute("/", "filter_par", std::vector<double>{opt.filter.cutoff, double(opt.filter.order)});
    w->attribute("/", "center", center);
    w->attribute("/", "center_method", center_method);
    w->attribute("/", "theta_unit_option", job.source.theta_unit);
    w->attribute("/", "slices", std::vector<double>{double(s0), double(s1)});
    w->attribute("/", "n_angles", double(P));
    w->attribute("/", "normalized", std::string(!chain.empty() ? "see prep" : normalises(*src) ? "flat/dark mean, -log" : "none (input used as line integrals)"));
    if (!chain.empty()) w->attribute("/", "prep", chain.str());
    w->attribute("/", "chunk_slices", double(C));
    w->attribute("/", "memory_limit_bytes", mem.limit);
    w->attribute("/", "mpi_ranks", double(ranks.size));
    w->attribute("/", "overlap", job.overlap);
  }
  sink->commit();
  t.wall = seconds_since(t_start);
  const std::string outs = job.output.empty() ? job.tiff_dir : job.tiff_dir.empty() ? job.output : job.output + " and " + job.tiff_dir;
  info(cat("wrote ", outs, " (", S, " slices of ", N, " x ", N, ") in ", t.wall, " s"));
  info(cat("timing: read=", t.read, " read_wait=", t.read_wait, " prep=", t.prep, " recon=", t.recon, " write=", t.write,
           " write_wait=", t.write_wait, " checksum=", double(checksum_s), " checksum_wait=", checksum_wait, " wall=", t.wall, " slices_per_s=", S / t.wall, " chunk=", C,
           " est_peak_mib=", mem.peak() / 1048576, " maxrss_mib=", max_rss() / 1048576, " limit_mib=", mem.limit / 1048576));
  if (!job.png.empty()) {
    io::PngOptions po;
    io::write_png(job.png, middle.data(), N, N, po);
    info(cat("wrote ", job.png, " (slice ", mid, ")"));
  }
  return middle;
}

}  // namespace beamkit::cli
