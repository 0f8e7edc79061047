// SPDX-License-Identifier: BSD-3-Clause
// FFT facade throughput: batched r2c rows (the FBP filter's shape) and 2-D c2c (gridrec's shape).
// Counter "GFLOP/s" uses the conventional 5 N log2 N flops per complex transform (2.5 for r2c).
#include "bench_main.hpp"
#include <beamkit/fft/plan.hpp>
#include <cmath>

using namespace beamkit;
using Host = Kokkos::DefaultHostExecutionSpace;

template <class Real> static void BM_rfft_rows(benchmark::State& st) {
  const int n = int(st.range(0)), rows = int(st.range(1));
  View1<Real, Host::memory_space> in("in", std::size_t(n) * rows);
  View1<Kokkos::complex<Real>, Host::memory_space> out("out", std::size_t(n / 2 + 1) * rows);
  Kokkos::deep_copy(in, Real(1));
  fft::Plan<Host, Real> plan(fft::Kind::r2c, {n}, rows, true);
  for (auto _ : st) {
    plan.forward(in, out);
    Host().fence();
  }
  const double flops = 2.5 * n * std::log2(double(n)) * rows;
  st.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
template <class Real> static void BM_fft2(benchmark::State& st) {
  const int n = int(st.range(0));
  View1<Kokkos::complex<Real>, Host::memory_space> a("a", std::size_t(n) * n);
  fft::Plan<Host, Real> plan(fft::Kind::c2c, {n, n}, 1, true);
  for (auto _ : st) {
    plan.forward(a, a);
    Host().fence();
  }
  const double flops = 5.0 * n * n * std::log2(double(n) * n);
  st.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK_TEMPLATE(BM_rfft_rows, float)->Args({2048, 180})->Args({4096, 720})->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_fft2, float)->Arg(1024)->Arg(2048)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_fft2, double)->Arg(1024)->Unit(benchmark::kMillisecond);

BEAMKIT_BENCHMARK_MAIN()
