// SPDX-License-Identifier: BSD-3-Clause
// Pre-processing kernels on a chunk of projections [angles][slices][det] (float32, host space):
// normalize+minus_log, median 3x3 / zinger removal, Gaussian, Fourier-wavelet and sorting stripe
// removal, Paganin. Counter "Mpix/s" = input pixels (angles * slices * det) processed per second.
#include "bench_main.hpp"
#include <beamkit/tomo/prep.hpp>
#include <random>

using namespace beamkit;
using ES = Kokkos::DefaultExecutionSpace;
using Mem = ES::memory_space;

namespace {
View3<float, Mem> block(int P, int S, int n, unsigned seed = 1) {
  View3<float, Mem> v("block", P, S, n);
  auto h = Kokkos::create_mirror_view(v);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.2f, 1.0f);
  for (std::size_t i = 0; i < h.span(); ++i) h.data()[i] = u(rng);
  Kokkos::deep_copy(v, h);
  return v;
}
void rate(benchmark::State& st, int P, int S, int n) {
  st.counters["Mpix/s"] = benchmark::Counter(double(P) * S * n * 1e-6, benchmark::Counter::kIsIterationInvariantRate);
}
}  // namespace

static void BM_normalize_minus_log(benchmark::State& st) {
  const int P = int(st.range(0)), S = int(st.range(1)), n = int(st.range(2));
  auto src = block(P, S, n);
  View3<float, Mem> x("x", P, S, n);
  View2<float, Mem> flat("flat", S, n), dark("dark", S, n);
  Kokkos::deep_copy(flat, 1.5f);
  Kokkos::deep_copy(dark, 0.1f);
  for (auto _ : st) {
    Kokkos::deep_copy(x, src);
    tomo::normalize(ES(), x, flat, dark);
    benchmark::DoNotOptimize(tomo::minus_log(ES(), x));
  }
  rate(st, P, S, n);
}

static void BM_remove_outlier(benchmark::State& st) {
  const int P = int(st.range(0)), S = int(st.range(1)), n = int(st.range(2));
  auto x = block(P, S, n);
  for (auto _ : st) benchmark::DoNotOptimize(tomo::remove_outlier(ES(), x, 0.5, 3));
  rate(st, P, S, n);
}

static void BM_gaussian(benchmark::State& st) {
  const int P = int(st.range(0)), S = int(st.range(1)), n = int(st.range(2));
  auto x = block(P, S, n);
  for (auto _ : st) {
    tomo::gaussian_filter(ES(), x, x, 3.0, 3.0);
    ES().fence();
  }
  rate(st, P, S, n);
}

static void BM_stripe_fw(benchmark::State& st) {
  const int P = int(st.range(0)), S = int(st.range(1)), n = int(st.range(2));
  auto x = block(P, S, n);
  tomo::StripeFwOptions o;  // TomoPy's defaults: db5, sigma 2, level ceil(log2(max shape)), pad
  for (auto _ : st) tomo::remove_stripe_fw(ES(), x, o);
  rate(st, P, S, n);
}

static void BM_stripe_sort(benchmark::State& st) {
  const int P = int(st.range(0)), S = int(st.range(1)), n = int(st.range(2));
  auto x = block(P, S, n);
  for (auto _ : st) tomo::remove_stripe_based_sorting(ES(), x, 0, 1);
  rate(st, P, S, n);
}

static void BM_retrieve_phase(benchmark::State& st) {
  const int P = int(st.range(0)), S = int(st.range(1)), n = int(st.range(2));
  auto x = block(P, S, n);
  tomo::PhaseOptions o;
  for (auto _ : st) tomo::retrieve_phase(ES(), x, o);
  rate(st, P, S, n);
}

// A chunk of 16 slices of a 1500-angle, 2048-pixel scan (the CLI benchmark geometry) and a
// smaller 720 x 8 x 1024 one.
#define PREP_ARGS ->Args({720, 8, 1024})->Args({1500, 16, 2048})->Unit(benchmark::kMillisecond)->UseRealTime()
BENCHMARK(BM_normalize_minus_log) PREP_ARGS;
BENCHMARK(BM_remove_outlier) PREP_ARGS;
BENCHMARK(BM_gaussian) PREP_ARGS;
BENCHMARK(BM_stripe_fw) PREP_ARGS;
BENCHMARK(BM_stripe_sort) PREP_ARGS;
BENCHMARK(BM_retrieve_phase)->Args({720, 8, 1024})->Args({180, 64, 2048})->Unit(benchmark::kMillisecond)->UseRealTime();

BEAMKIT_BENCHMARK_MAIN();
