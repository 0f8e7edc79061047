// SPDX-License-Identifier: BSD-3-Clause
// Reverse Monte Carlo: recover a binary real-space model (an N x N tile of filled/empty cells at a
// fixed loading) whose scattering pattern s |F(q)|^2 + b matches a measured 2-D small-angle pattern.
//
//   auto g = rmc::grid_data(pattern, rows, cols, mask, sigma, data_options);   // data on the q grid
//   rmc::Options o; o.loading = 0.3; o.seed = 1;
//   rmc::Result res = rmc::run<Kokkos::DefaultExecutionSpace, float>(g, o);
//   rmc::write_result("out.h5", res); rmc::write_result_png("out.png", res);
//
// Algorithm (docs/rmc.md): Metropolis Monte Carlo over swaps of one filled and one empty cell,
// chi^2 cost (chi2.hpp) evaluated incrementally in one O(N^2/2) pass per move (solver.hpp);
// geometric annealing from an automatic or given start temperature; optional multi-scale start
// (coarse models fitted to the low-q part of the data, then grown 2x per level); R independent
// replicas advanced in lockstep by the same kernels, with counter-based random numbers so results
// depend on the seed only (not on the thread count). Reference: HipRMC, A. Sarje et al., "Massively
// parallel X-ray scattering simulations", and the RMC method of McGreevy & Pusztai, Mol. Sim. 1 (1988).
#pragma once
#include <algorithm>
#include <beamkit/core/random.hpp>
#include <beamkit/rmc/chi2.hpp>
#include <beamkit/rmc/data.hpp>
#include <beamkit/rmc/solver.hpp>
#include <chrono>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

namespace beamkit::rmc {

/// Reported to Options::progress after every trace point.
struct Progress {
  int level = 0, levels = 1;       ///< level 0 = full size
  std::int64_t move = 0, moves = 0;  ///< moves done / planned at this level
  double chi2 = 0;                 ///< best replica's current chi^2
  double acceptance = 0;           ///< acceptance rate over the last trace interval (all replicas)
  double temperature = 0;          ///< current relative temperature
};

struct Options {
  double loading = 0.3;            ///< fraction of filled cells, in (0, 1)
  std::int64_t moves = 0;          ///< moves per replica at full size; 0: 30 per filled cell
  std::uint64_t seed = 0;
  int replicas = 1;                ///< independent models (the best one is reported first)
  int levels = 1;                  ///< multi-scale levels (1: none; L: start at N / 2^(L-1))
  int max_distance = 0;            ///< >0: the filled cell moves at most this many cells (per axis)
  double t_start = -1;             ///< start temperature (relative: Delta chi^2 / chi^2); <0: automatic
  double t_final_ratio = 1e-3;     ///< final temperature = t_start * t_final_ratio (geometric schedule)
  ChiModel chi;                    ///< scale/background given or fitted
  std::int64_t recompute_every = 20000;  ///< accepted moves (per replica) between exact FFT recomputations
  std::int64_t trace_every = 0;    ///< moves between trace points; 0: moves / 200 (at least 1)
  std::vector<std::vector<std::uint8_t>> initial;  ///< optional start models [R][N*N] (levels must be 1)
  std::function<bool(const Progress&)> progress;   ///< return false to stop early
};

/// Per-replica traces (one entry per trace point, all levels concatenated).
struct Trace {
  std::vector<std::int64_t> move;  ///< moves done at that level
  std::vector<int> level;
  std::vector<double> chi2, acceptance, temperature;
};

struct Result {
  int n = 0, replicas = 0, levels = 1;
  int filled = 0;                                 ///< filled cells at full size
  std::vector<std::vector<std::uint8_t>> models;  ///< [R][N*N] row-major (y*N + x), best replica first
  std::vector<std::vector<double>> patterns;      ///< [R][N*N] s|F|^2 + b, centred (q = 0 at (N/2, N/2))
  std::vector<double> data, weight;               ///< [N*N] the fitted data and weights, centred
  std::vector<double> chi2, scale, background;    ///< per replica, final
  std::vector<std::uint64_t> replica_index;       ///< original replica number of each entry
  std::vector<Trace> traces;                      ///< per replica
  std::vector<double> level_seconds;              ///< wall time per level (coarsest first)
  std::int64_t moves_done = 0;                    ///< full-size moves per replica actually done
  double max_drift = 0;                           ///< largest relative drift of F found by recomputation
  double seconds = 0;
  bool stopped = false;                           ///< the progress callback asked to stop
  double step = 1, dq = 0, cell_size = 0, loading = 0;
  std::uint64_t seed = 0;
};

namespace detail {

/// Occupancy with O(1) uniform picks of a filled or an empty cell.
struct Occupancy {
  std::vector<int> filled, empty, where;
  void build(const std::vector<std::uint8_t>& m) {
    filled.clear();
    empty.clear();
    where.assign(m.size(), 0);
    for (int i = 0; i < int(m.size()); ++i) {
      auto& l = m[i] ? filled : empty;
      where[i] = int(l.size());
      l.push_back(i);
    }
  }
  void swap(int from, int to) {  // from: filled -> empty, to: empty -> filled
    const int a = where[from], b = where[to];
    filled[a] = to;
    empty[b] = from;
    where[to] = a;
    where[from] = b;
  }
};

inline std::vector<std::uint8_t> random_model(int n, int nf, CounterRng& rng) {
  std::vector<int> idx(std::size_t(n) * n);
  for (int i = 0; i < int(idx.size()); ++i) idx[i] = i;
  std::vector<std::uint8_t> m(idx.size(), 0);
  for (int i = 0; i < nf; ++i) {
    const int j = i + int(rng.below(std::uint32_t(idx.size() - i)));
    std::swap(idx[i], idx[j]);
    m[idx[i]] = 1;
  }
  return m;
}

/// Each cell of an n x n model becomes 2x2 cells; then random cells are added/removed to reach nf.
inline std::vector<std::uint8_t> grow(const std::vector<std::uint8_t>& c, int n, int nf, CounterRng& rng) {
  const int n2 = 2 * n;
  std::vector<std::uint8_t> m(std::size_t(n2) * n2, 0);
  int count = 0;
  for (int y = 0; y < n2; ++y)
    for (int x = 0; x < n2; ++x) count += (m[std::size_t(y) * n2 + x] = c[std::size_t(y / 2) * n + x / 2]);
  while (count != nf) {
    const int i = int(rng.below(std::uint32_t(m.size())));
    if (count > nf && m[i]) { m[i] = 0; --count; }
    else if (count < nf && !m[i]) { m[i] = 1; ++count; }
  }
  return m;
}

inline int filled_count(double loading, int n) {
  return int(std::llround(loading * double(n) * double(n)));
}

}  // namespace detail

/// Run RMC on `g` (grid_data()) with R = o.replicas independent models.
/// \tparam Real float (fast) or double: precision of the incremental Fourier transform.
template <class ExecSpace, class Real>
Result run(const ExecSpace& space, const GridData& g, const Options& o) {
  constexpr const char* where = "beamkit::rmc::run";
  using clock = std::chrono::steady_clock;
  const auto t_all = clock::now();
  check::require(o.loading > 0 && o.loading < 1, where,
                 cat("argument 'loading' must be in (0, 1), got ", o.loading));
  check::positive(o.replicas, where, "replicas");
  check::require(o.levels >= 1 && o.levels <= 8, where, cat("argument 'levels' must be in [1, 8], got ", o.levels));
  check::non_negative(o.moves, where, "moves");
  check::non_negative(o.max_distance, where, "max_distance");
  check::require(std::isfinite(o.t_start), where, cat("argument 't_start' must be finite, got ", o.t_start));
  check::require(o.t_final_ratio > 0 && o.t_final_ratio <= 1, where,
                 cat("argument 't_final_ratio' must be in (0, 1], got ", o.t_final_ratio));
  check::positive(o.recompute_every, where, "recompute_every");
  const int N = g.n, R = o.replicas, L = o.levels;
  check::equal(g.data.size(), std::size_t(N) * N, where, "data size");
  const int coarsest = N >> (L - 1);
  check::require(coarsest >= 8 && (coarsest << (L - 1)) == N && coarsest % 2 == 0, where,
                 cat("N = ", N, " cannot be halved ", L - 1, " times down to an even size >= 8 (levels = ", L, ")"));
  const int nf0 = detail::filled_count(o.loading, N);
  check::require(nf0 >= 1 && nf0 < N * N, where,
                 cat("loading ", o.loading, " gives ", nf0, " filled cells of ", N * N, "; need at least one filled and one empty"));
  if (!o.initial.empty()) {
    check::require(L == 1, where, "initial models need levels = 1");
    check::equal(o.initial.size(), std::size_t(R), where, "number of initial models");
    for (const auto& m : o.initial) {
      check::equal(m.size(), std::size_t(N) * N, where, "initial model size");
      int c = 0;
      for (auto v : m) c += v ? 1 : 0;
      check::equal(c, nf0, where, "filled cells of an initial model");
    }
  }
  const std::int64_t moves0 = o.moves > 0 ? o.moves : std::int64_t(30) * nf0;

  Result res;
  res.n = N;
  res.replicas = R;
  res.levels = L;
  res.filled = nf0;
  res.step = g.step;
  res.dq = g.dq;
  res.cell_size = g.cell_size;
  res.loading = o.loading;
  res.seed = o.seed;
  res.traces.assign(R, Trace{});
  std::vector<std::vector<std::uint8_t>> models;

  for (int lev = L - 1; lev >= 0; --lev) {
    const auto t_lev = clock::now();
    const int n = N >> lev, m = 1 << lev;
    const int nf = detail::filled_count(o.loading, n);
    check::require(nf >= 1 && nf < n * n, where,
                   cat("loading ", o.loading, " leaves no filled or no empty cell at level size ", n));
    const std::int64_t moves = lev == 0 ? moves0 : std::max<std::int64_t>(1, std::llround(double(moves0) * nf / nf0));
    // Coarse data: the low-q part of the full grid divided by the form factor of an m x m block.
    std::vector<double> d(std::size_t(n) * n), w(std::size_t(n) * n);
    for (int iy = 0; iy < n; ++iy)
      for (int ix = 0; ix < n; ++ix) {
        const int ky = iy < n / 2 ? iy : iy - n, kx = ix < n / 2 ? ix : ix - n;
        auto block = [&](int k) {
          if (k == 0 || m == 1) return 1.0;
          const double a = M_PI * k / N;
          const double v = std::sin(m * a) / (m * std::sin(a));
          return v * v;
        };
        const double f = block(ky) * block(kx);
        const std::size_t src = std::size_t((ky + N) % N) * N + (kx + N) % N;
        d[std::size_t(iy) * n + ix] = g.data[src] / f;
        w[std::size_t(iy) * n + ix] = g.weight[src] * f * f;
      }
    Solver<ExecSpace, Real> s(space, n, R, d, w, o.chi);
    std::vector<CounterRng> rng;
    for (int r = 0; r < R; ++r) rng.emplace_back(o.seed, std::uint64_t(r) * 16 + std::uint64_t(lev) + 1);
    for (int r = 0; r < R; ++r) {
      std::vector<std::uint8_t> start;
      if (lev == L - 1) {
        if (!o.initial.empty()) {
          start = o.initial[r];
          for (auto& v : start) v = v ? 1 : 0;
        } else {
          CounterRng init(o.seed, std::uint64_t(r) * 16);
          start = detail::random_model(n, nf, init);
        }
      } else {
        start = detail::grow(models[r], n / 2, nf, rng[r]);
      }
      s.set_model(r, start);
    }
    s.recompute();
    std::vector<detail::Occupancy> occ(R);
    for (int r = 0; r < R; ++r) occ[r].build(s.model(r));
    std::vector<Swap> swaps(R);
    auto draw = [&](int r) {
      auto& oc = occ[r];
      auto& gen = rng[r];
      Swap sw;
      sw.from = oc.filled[gen.below(std::uint32_t(oc.filled.size()))];
      if (o.max_distance <= 0) {
        sw.to = oc.empty[gen.below(std::uint32_t(oc.empty.size()))];
        return sw;
      }
      const int y = sw.from / n, x = sw.from % n, dd = std::min(o.max_distance, n / 2), span = 2 * dd + 1;
      for (int tries = 0; tries < 32; ++tries) {
        const int dy = int(gen.below(std::uint32_t(span))) - dd, dx = int(gen.below(std::uint32_t(span))) - dd;
        const int t = ((y + dy + n) % n) * n + (x + dx + n) % n;
        if (!s.model(r)[t]) {
          sw.to = t;
          return sw;
        }
      }
      return Swap{};  // no empty cell found nearby: counts as a rejected move
    };
    // Start temperature: a move changing chi^2 by the median |relative change| of 64 probe moves is
    // accepted uphill with probability 0.2 at the start.
    // Per replica, so that a replica's run does not depend on how many others run beside it.
    std::vector<double> t0(R, o.t_start);
    if (o.t_start < 0) {
      std::vector<std::vector<double>> up(R);
      const int probes = int(std::min<std::int64_t>(64, moves));
      for (int p = 0; p < probes; ++p) {
        for (int r = 0; r < R; ++r) swaps[r] = draw(r);
        s.propose(swaps);
        for (int r = 0; r < R; ++r) {
          const double c = s.chi2(r), dc = s.proposed_chi2(r) - c;
          if (swaps[r].active() && dc != 0 && c > 0) up[r].push_back(std::fabs(dc) / c);
        }
      }
      for (int r = 0; r < R; ++r) {
        t0[r] = 0;
        if (!up[r].empty()) {
          std::nth_element(up[r].begin(), up[r].begin() + up[r].size() / 2, up[r].end());
          t0[r] = up[r][up[r].size() / 2] / std::log(5.0);
        }
      }
    }
    const std::int64_t trace_every = o.trace_every > 0 ? o.trace_every : std::max<std::int64_t>(1, moves / 200);
    std::vector<std::int64_t> acc_since_fft(R, 0), acc_interval(R, 0);
    std::int64_t interval = 0;
    const double lratio = std::log(o.t_final_ratio);
    auto temperature = [&](int r, std::int64_t mv) { return t0[r] * std::exp(lratio * double(mv) / double(moves)); };
    auto record = [&](std::int64_t mv) {
      double best = s.chi2(0), rate = 0;
      for (int r = 0; r < R; ++r) {
        auto& tr = res.traces[r];
        const double a = interval > 0 ? double(acc_interval[r]) / double(interval) : 0;
        tr.move.push_back(mv);
        tr.level.push_back(lev);
        tr.chi2.push_back(s.chi2(r));
        tr.acceptance.push_back(a);
        tr.temperature.push_back(temperature(r, mv));
        best = std::min(best, s.chi2(r));
        rate += a / R;
        acc_interval[r] = 0;
      }
      interval = 0;
      if (o.progress) {
        Progress p;
        p.level = lev;
        p.levels = L;
        p.move = mv;
        p.moves = moves;
        p.chi2 = best;
        p.acceptance = rate;
        p.temperature = temperature(0, mv);
        if (!o.progress(p)) res.stopped = true;
      }
    };
    record(0);
    std::int64_t mv = 0;
    while (mv < moves && !res.stopped) {
      for (int r = 0; r < R; ++r) swaps[r] = draw(r);
      s.propose(swaps);
      for (int r = 0; r < R; ++r) {
        const double u = rng[r].uniform();
        if (!swaps[r].active()) continue;
        const double temp = temperature(r, mv);
        const double c = s.chi2(r), dc = s.proposed_chi2(r) - c;
        const bool ok = dc <= 0 || (temp > 0 && c > 0 && u < std::exp(-dc / (temp * c)));
        if (!ok) continue;
        s.accept(r);
        occ[r].swap(swaps[r].from, swaps[r].to);
        ++acc_interval[r];
        ++acc_since_fft[r];
      }
      ++mv;
      ++interval;
      for (int r = 0; r < R; ++r)
        if (acc_since_fft[r] >= o.recompute_every) {
          res.max_drift = std::max(res.max_drift, s.recompute(r).rel_max);
          acc_since_fft[r] = 0;
        }
      if (mv % trace_every == 0 || mv == moves) record(mv);
    }
    if (lev == 0) res.moves_done = mv;
    // Final exact state: recompute removes the drift before chi^2, scale and pattern are reported.
    res.max_drift = std::max(res.max_drift, s.recompute().rel_max);
    models.assign(R, {});
    for (int r = 0; r < R; ++r) models[r] = s.model(r);
    res.level_seconds.push_back(std::chrono::duration<double>(clock::now() - t_lev).count());
    if (res.stopped) break;  // the final report grows a coarse model to full size
  }
  // Final report on the full grid: a fresh full-size solver in double (exact FFT, whatever the run's
  // precision; also after an early stop at a coarse level).
  Solver<ExecSpace, double> fin(space, N, R, g.data, g.weight, o.chi);
  std::vector<std::vector<std::uint8_t>> full(R);
  for (int r = 0; r < R; ++r) {
    full[r] = models[r];
    int n = int(std::lround(std::sqrt(double(full[r].size()))));
    CounterRng gr(o.seed, std::uint64_t(r) * 16 + 15);
    while (n < N) {
      full[r] = detail::grow(full[r], n, detail::filled_count(o.loading, 2 * n), gr);
      n *= 2;
    }
    fin.set_model(r, full[r]);
  }
  fin.recompute();
  std::vector<int> order(R);
  for (int r = 0; r < R; ++r) order[r] = r;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return fin.chi2(a) < fin.chi2(b); });
  std::vector<Trace> traces;
  for (int r : order) {
    res.models.push_back(full[r]);
    res.patterns.push_back(fftshift(fin.pattern(r), N));
    double sc, bg;
    fin.scale_background(r, sc, bg);
    res.chi2.push_back(fin.chi2(r));
    res.scale.push_back(sc);
    res.background.push_back(bg);
    res.replica_index.push_back(std::uint64_t(r));
    traces.push_back(res.traces[r]);
  }
  res.traces = std::move(traces);
  res.data = fftshift(g.data, N);
  res.weight = fftshift(g.weight, N);
  res.seconds = std::chrono::duration<double>(clock::now() - t_all).count();
  return res;
}

template <class ExecSpace, class Real> Result run(const GridData& g, const Options& o) {
  return run<ExecSpace, Real>(ExecSpace(), g, o);
}

/// Write a result: /rmc/model (best, uint8 [N][N]), /rmc/models [R][N][N], /rmc/pattern (best model's
/// s|F|^2+b, centred, [N][N]), /rmc/patterns, /rmc/data, /rmc/weight, /rmc/chi2, /rmc/scale,
/// /rmc/background ([R]), traces /rmc/trace/{move,level,chi2,acceptance,temperature} ([R][T]) and
/// attributes (loading, seed, step, dq, cell_size, moves, seconds, max_drift) on /rmc.
void write_result(const std::string& path, const Result& r);
/// PNG: model | model pattern | data (patterns on a common log scale; masked data grey).
void write_result_png(const std::string& path, const Result& r);

}  // namespace beamkit::rmc
