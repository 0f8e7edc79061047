// SPDX-License-Identifier: BSD-3-Clause
// Tomography kernels: forward/back projection, FBP and gridrec per slice.
// Counters: "interp/s" = pixel-angle (or ray-row) interpolations per second (2 gathers + ~6 flops each);
// "ms/slice" for the reconstructions.
#include "bench_main.hpp"
#include "bench_tomo_geometry.hpp"
#include <beamkit/tomo/fbp.hpp>
#include <beamkit/tomo/gridrec.hpp>
#include <beamkit/tomo/phantom.hpp>
#include <cmath>

using namespace beamkit;
using ES = Kokkos::DefaultExecutionSpace;
using Mem = ES::memory_space;

namespace {
using bench_tomo::geom;

template <class Real> View3<Real, Mem> sinogram(const tomo::ParallelGeometry& g, int S) {
  auto ph = tomo::shepp_logan_3d<Real>(S, g.n_det);
  View3<Real, Mem> sino("sino", S, g.n_angles, g.n_det);
  auto ang = tomo::angle_table<Real, Mem>(g.theta);
  auto ctr = tomo::center_table<Real, Mem>(g, S);
  tomo::forward_project(ES(), ph, ang, ctr, sino);
  return sino;
}
}  // namespace

template <class Real> static void BM_back_project(benchmark::State& st) {
  const int n = int(st.range(0)), P = int(st.range(1)), S = int(st.range(2));
  auto g = geom(n, P);
  auto sino = sinogram<Real>(g, S);
  View3<Real, Mem> img("img", S, n, n);
  auto ang = tomo::angle_table<Real, Mem>(g.theta);
  auto ctr = tomo::center_table<Real, Mem>(g, S);
  for (auto _ : st) {
    tomo::back_project(ES(), sino, ang, ctr, img, tomo::BackProjector::interpolate);
    ES().fence();
  }
  st.counters["interp/s"] = benchmark::Counter(double(S) * P * n * n, benchmark::Counter::kIsIterationInvariantRate);
}

template <class Real> static void BM_forward_project(benchmark::State& st) {
  const int n = int(st.range(0)), P = int(st.range(1)), S = int(st.range(2));
  auto g = geom(n, P);
  auto ph = tomo::shepp_logan_3d<Real>(S, n);
  View3<Real, Mem> sino("sino", S, P, n);
  auto ang = tomo::angle_table<Real, Mem>(g.theta);
  auto ctr = tomo::center_table<Real, Mem>(g, S);
  for (auto _ : st) {
    tomo::forward_project(ES(), ph, ang, ctr, sino);
    ES().fence();
  }
  st.counters["interp/s"] = benchmark::Counter(double(S) * P * n * n, benchmark::Counter::kIsIterationInvariantRate);
}

template <class Real> static void BM_fbp(benchmark::State& st) {
  const int n = int(st.range(0)), P = int(st.range(1)), S = int(st.range(2));
  auto g = geom(n, P);
  auto sino = sinogram<Real>(g, S);
  View3<Real, Mem> img("img", S, n, n);
  tomo::FbpPlan<ES, Real> plan(ES(), g);
  for (auto _ : st) {
    plan.reconstruct(sino, img);
    ES().fence();
  }
  st.counters["s/slice"] = benchmark::Counter(double(S), benchmark::Counter::kIsIterationInvariantRate |
                                                            benchmark::Counter::kInvert);
}

template <class Real> static void BM_gridrec(benchmark::State& st) {
  const int n = int(st.range(0)), P = int(st.range(1)), S = int(st.range(2));
  auto g = geom(n, P);
  auto sino = sinogram<Real>(g, S);
  View3<Real, Mem> img("img", S, n, n);
  tomo::GridrecOptions opt;
  opt.fft_measure = st.range(3) != 0;
  tomo::GridrecPlan<ES, Real> plan(ES(), g, opt);
  for (auto _ : st) {
    plan.reconstruct(sino, img);
    ES().fence();
  }
  st.counters["s/slice"] = benchmark::Counter(double(S), benchmark::Counter::kIsIterationInvariantRate |
                                                            benchmark::Counter::kInvert);
}

BENCHMARK_TEMPLATE(BM_back_project, float)->Args({512, 180, 2})->Args({1024, 180, 2})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_forward_project, float)->Args({512, 180, 2})->Args({1024, 180, 2})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_fbp, float)->Args({512, 180, 2})->Args({1024, 180, 2})->Args({2048, 180, 2})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_gridrec, float)
    ->Args({512, 804, 2, 0})->Args({1024, 180, 2, 0})->Args({1024, 180, 2, 1})->Args({1024, 720, 2, 0})
    ->Args({2048, 1500, 2, 0})->Unit(benchmark::kMillisecond)->UseRealTime();

BEAMKIT_BENCHMARK_MAIN()
