// SPDX-License-Identifier: BSD-3-Clause
// main() for beamkit's Google Benchmark executables: Kokkos lives for the whole run.
#pragma once
#include <Kokkos_Core.hpp>
#include <benchmark/benchmark.h>

#define BEAMKIT_BENCHMARK_MAIN()                                 \
  int main(int argc, char** argv) {                              \
    Kokkos::ScopeGuard guard(argc, argv);                        \
    ::benchmark::Initialize(&argc, argv);                        \
    if (::benchmark::ReportUnrecognizedArguments(argc, argv)) return 1; \
    ::benchmark::RunSpecifiedBenchmarks();                       \
    ::benchmark::Shutdown();                                     \
    return 0;                                                    \
  }
