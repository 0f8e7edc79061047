// SPDX-License-Identifier: BSD-3-Clause
// Iterative tomography: time per iteration of each algorithm (one slice, float), the plan (row/column
// sums, subsets, workspaces) built outside the timed loop. Args: {N, P, num_block}; n_det = N.
// TomoPy 1.15 on this machine type (512 x 180): SIRT 0.85 s, OSEM (10 blocks) 0.40 s, ART 0.67 s.
#include "bench_main.hpp"
#include "bench_tomo_geometry.hpp"
#include <beamkit/tomo/iterative.hpp>
#include <beamkit/tomo/phantom.hpp>
#include <cmath>

using namespace beamkit;
using ES = Kokkos::DefaultExecutionSpace;
using Mem = ES::memory_space;

namespace {
using bench_tomo::geom;

template <class Real> void iteration(benchmark::State& st, const char* alg) {
  const int n = int(st.range(0)), P = int(st.range(1));
  auto g = geom(n, P);
  auto ph = tomo::shepp_logan<Real>(n);
  View3<Real, Mem> b("b", 1, P, n);
  tomo::forward_project(ES(), ph, tomo::angle_table<Real, Mem>(g.theta), tomo::center_table<Real, Mem>(g, 1), b);
  tomo::IterativeOptions o;
  o.algorithm = alg;
  o.num_iter = 1;
  o.num_block = int(st.range(2));
  tomo::IterativePlan<ES, Real> plan(ES(), g, 1, o);
  View3<Real, Mem> x("x", 1, n, n);
  Kokkos::deep_copy(x, Real(1e-6));
  for (auto _ : st) {
    plan.run(b, x);
    ES().fence();
  }
  st.counters["s/iter"] = benchmark::Counter(1, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
}  // namespace

#define BK_ITER(NAME, BLOCKS)                                                                         \
  static void BM_##NAME(benchmark::State& st) { iteration<float>(st, #NAME); }                        \
  BENCHMARK(BM_##NAME)->Args({512, 180, BLOCKS})->Args({1024, 360, BLOCKS})->Unit(benchmark::kMillisecond) \
      ->UseRealTime();
BK_ITER(sirt, 1)
BK_ITER(osem, 10)
BK_ITER(art, 1)
BK_ITER(mlem, 1)
BK_ITER(bart, 10)
BK_ITER(cgls, 1)
BK_ITER(pml_hybrid, 1)
BK_ITER(tv, 1)

BEAMKIT_BENCHMARK_MAIN()
