// SPDX-License-Identifier: BSD-3-Clause
#include <beamkit/beamkit.hpp>
#include <cmath>
#include <iostream>

int main(int argc, char** argv) {
  Kokkos::ScopeGuard guard(argc, argv);
  using Host = Kokkos::DefaultHostExecutionSpace;
  // FFT of a cosine: energy in bins 3 and n-3 only.
  const int n = 32;
  beamkit::View1<Kokkos::complex<double>, Host::memory_space> a("a", n);
  for (int i = 0; i < n; ++i) a(i) = std::cos(2 * M_PI * 3 * i / n);
  beamkit::fft::Plan<Host, double> plan(beamkit::fft::Kind::c2c, {n});
  plan.forward(a, a);
  const bool ok = std::abs(a(3).real() - n / 2.0) < 1e-9 && std::abs(a(5).real()) < 1e-9;
  std::cout << "beamkit " << beamkit::version() << (ok ? " ok" : " WRONG") << std::endl;
  return ok ? 0 : 1;
}
