// SPDX-License-Identifier: BSD-3-Clause
// RMC move throughput: one fused propose pass (plus the pending apply of the previous accepted move)
// per move, as in rmc::run. Every 4th move is accepted (25%, a typical mid-run rate), so 1/4 of the
// passes also write F. Run with --kokkos-threads=1 and =2 (--kokkos-num-threads on Kokkos >= 3.7).
// Counters: moves/s (all replicas), and the work counted in docs/perf_rmc.md:
//   per half-spectrum value (N (N/2+1) of them): 33 flops (propose) + 16 flops (apply, accepted moves);
//   bytes: F (2 Real) + W, WD (2 Real) read, F (2 Real) written on accepted moves.
#include "bench_main.hpp"
#include <beamkit/rmc/rmc.hpp>

using namespace beamkit;
using Space = Kokkos::DefaultExecutionSpace;

template <class Real> static void BM_rmc_move(benchmark::State& st) {
  const int n = int(st.range(0)), R = int(st.range(1));
  std::vector<double> d(std::size_t(n) * n, 1.0), w(std::size_t(n) * n, 1.0);
  rmc::Solver<Space, Real> s(Space(), n, R, d, w, rmc::ChiModel{});
  std::vector<rmc::detail::Occupancy> occ(R);
  std::vector<CounterRng> rng;
  for (int r = 0; r < R; ++r) {
    rng.emplace_back(1, r);
    auto m = rmc::detail::random_model(n, n * n / 4, rng[r]);
    s.set_model(r, m);
    occ[r].build(m);
  }
  s.recompute();
  std::vector<rmc::Swap> sw(R);
  std::int64_t it = 0;
  double sink = 0;
  for (auto _ : st) {
    for (int r = 0; r < R; ++r)
      sw[r] = rmc::Swap{occ[r].filled[rng[r].below(std::uint32_t(occ[r].filled.size()))],
                        occ[r].empty[rng[r].below(std::uint32_t(occ[r].empty.size()))]};
    s.propose(sw);  // fences (the row sums are read on the host)
    sink += s.proposed_chi2(0);
    if (++it % 4 == 0)
      for (int r = 0; r < R; ++r) {
        s.accept(r);
        occ[r].swap(sw[r].from, sw[r].to);
      }
  }
  benchmark::DoNotOptimize(sink);
  const double values = double(n) * (n / 2 + 1) * R;
  const double flops = values * (33.0 + 0.25 * 16.0);
  const double bytes = values * sizeof(Real) * (4.0 + 0.25 * 2.0);
  st.counters["moves/s"] = benchmark::Counter(double(R), benchmark::Counter::kIsIterationInvariantRate);
  st.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  st.counters["GB/s"] = benchmark::Counter(bytes * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  st.counters["threads"] = double(Space().concurrency());
}

// Args: {N, replicas}
BENCHMARK_TEMPLATE(BM_rmc_move, float)->Args({256, 1})->Args({512, 1})->Args({256, 2})->Args({512, 2})->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_rmc_move, double)->Args({256, 1})->Args({512, 1})->Unit(benchmark::kMicrosecond)->UseRealTime();

BEAMKIT_BENCHMARK_MAIN()
