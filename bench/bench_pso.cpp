// SPDX-License-Identifier: BSD-3-Clause
// PSO throughput: whole runs (200 iterations) of the fused move+evaluate kernel on the built-in
// objectives, 30-D. Counters: evaluations and particle-dimension updates per process CPU-second
// (MeasureProcessCPUTime: all threads counted, robust on a shared machine)
// (each update = 2 16-bit uniforms (a quarter Philox4x32-10 block) + ~10 flops of velocity/position/walls).
#include "bench_main.hpp"
#include <beamkit/fit/pso.hpp>

using namespace beamkit;
using namespace beamkit::fit;
using Host = Kokkos::DefaultHostExecutionSpace;

template <class Objective, class Real> static void BM_pso(benchmark::State& st) {
  const int n = int(st.range(0)), dim = int(st.range(1)), iters = 200;
  PsoOptions o;
  o.n_particles = n;
  o.max_iter = iters;
  o.boundary = Boundary::wrap;
  o.v_max = 0;
  const std::vector<double> lo(std::size_t(dim), -5.12), hi(std::size_t(dim), 5.12);
  std::int64_t evals = 0;
  for (auto _ : st) {
    auto r = pso_device<Host, Real>(Host(), Objective{}, lo, hi, o);
    evals += r.evaluations;
    benchmark::DoNotOptimize(r.cost);
  }
  st.counters["evals/s"] = benchmark::Counter(double(evals), benchmark::Counter::kIsRate);
  st.counters["updates/s"] = benchmark::Counter(double(evals) * dim, benchmark::Counter::kIsRate);
}
BENCHMARK_TEMPLATE(BM_pso, Sphere, double)->Args({64, 30})->Args({1024, 30})->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();
BENCHMARK_TEMPLATE(BM_pso, Rosenbrock, double)->Args({64, 30})->Args({1024, 30})->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();
BENCHMARK_TEMPLATE(BM_pso, Rastrigin, double)->Args({64, 30})->Args({1024, 30})->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();
BENCHMARK_TEMPLATE(BM_pso, Ackley, double)->Args({64, 30})->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();
BENCHMARK_TEMPLATE(BM_pso, Rastrigin, float)->Args({64, 30})->Args({1024, 30})->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

BEAMKIT_BENCHMARK_MAIN()
