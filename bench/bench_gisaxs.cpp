// SPDX-License-Identifier: BSD-3-Clause
// GISAXS kernel throughput on an n x n spherical detector (phi_f in [-2, 2] deg, alpha_f in [0, 2] deg,
// lambda 0.1 nm, alpha_i 0.2 deg, DWBA on a Si substrate): the cases of bench/gisaxs_vs_bornagain.py.
// Counter "us/pixel" = wall time per pixel with the threads Kokkos was started with
// (--kokkos-threads=N / --kokkos-num-threads=N); "Mpixel/s" the throughput.
#include "bench_main.hpp"
#include <beamkit/scattering/gisaxs.hpp>
#include <string>

using namespace beamkit;
namespace sc = beamkit::scattering;
using Exec = Kokkos::DefaultExecutionSpace;

namespace {
std::string config(int n, const std::string& shape, const std::string& iff) {
  return R"({"beam": {"wavelength": 0.1, "alpha_i": 0.2},
    "detector": {"type": "spherical", "phi": [-2, 2, )" + std::to_string(n) + R"(], "alpha": [0, 2, )" + std::to_string(n) + R"(]},
    "sample": {"layers": [{}, {"delta": 6e-6, "beta": 2e-8}],
      "layouts": [{"interference": )" + iff + R"(, "particles": [{"shape": )" + shape + R"(, "material": {"delta": 6e-4, "beta": 2e-8}}]}]}})";
}
const char* kNone = R"({"type": "none"})";
const char* kCyl = R"({"type": "cylinder", "radius": 5, "height": 5})";

template <class Real> void run(benchmark::State& st, const std::string& text) {
  const auto cfg = sc::parse_config(text);
  sc::Simulation<Exec, Real> sim(cfg);
  const double npix = double(sim.grid().rows) * sim.grid().cols;
  for (auto _ : st) {
    auto img = sim.run();
    Exec().fence();
    benchmark::DoNotOptimize(img.data());
  }
  st.counters["us/pixel"] = benchmark::Counter(npix * 1e-6, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  st.counters["Mpixel/s"] = benchmark::Counter(npix * 1e-6, benchmark::Counter::kIsIterationInvariantRate);
}

template <class Real> void BM_cylinders_dilute(benchmark::State& st) { run<Real>(st, config(int(st.range(0)), kCyl, kNone)); }
template <class Real> void BM_hex_lattice(benchmark::State& st) {
  run<Real>(st, config(int(st.range(0)), kCyl,
                       R"({"type": "lattice2d", "lattice": "hexagonal", "a": 20, "decay": "cauchy", "decay_lengths": [300, 300]})"));
}
template <class Real> void BM_truncated_pyramid(benchmark::State& st) {
  run<Real>(st, config(int(st.range(0)), R"({"type": "pyramid", "base_edge": 10, "height": 4, "alpha": 54.73})", kNone));
}
template <class Real> void BM_grating_ridge(benchmark::State& st) {
  run<Real>(st, config(int(st.range(0)), R"({"type": "ridge", "length": 200, "width": 50, "height": 80, "swa": 80})",
                       R"({"type": "lattice1d", "length": 100, "xi": 90, "decay": "cauchy", "decay_length": 1000})"));
}
template <class Real> void BM_truncated_cone(benchmark::State& st) {
  run<Real>(st, config(int(st.range(0)), R"({"type": "cone", "radius": 5, "height": 4, "alpha": 70})", kNone));
}
template <class Real> void BM_truncated_sphere(benchmark::State& st) {
  run<Real>(st, config(int(st.range(0)), R"({"type": "truncated_sphere", "radius": 5, "height": 7})", kNone));
}
template <class Real> void BM_fcc_superlattice(benchmark::State& st) {
  // one FCC grain (6 x 6 x 4 cells of 4 spheres): the sphere form factor x the finite lattice sum per DWBA term
  run<Real>(st, config(int(st.range(0)), R"({"type": "sphere", "radius": 4}, "lattice": {"type": "fcc", "a": 12, "repetitions": [6, 6, 4]})",
                       kNone));
}
}  // namespace

BENCHMARK_TEMPLATE(BM_cylinders_dilute, double)->Arg(256)->Arg(512)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_cylinders_dilute, float)->Arg(512)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_hex_lattice, double)->Arg(512)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_truncated_pyramid, double)->Arg(512)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_grating_ridge, double)->Arg(512)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_truncated_cone, double)->Arg(512)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_truncated_sphere, double)->Arg(512)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_truncated_sphere, float)->Arg(512)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_fcc_superlattice, double)->Arg(512)->Unit(benchmark::kMillisecond);

BEAMKIT_BENCHMARK_MAIN()
