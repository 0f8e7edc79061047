// SPDX-License-Identifier: BSD-3-Clause
// Rotation-centre finding, two independent methods (results in TomoPy's convention, geometry.hpp):
//
//  * center_from_opposite_projections: the projection at 180 degrees is the mirror image of the one at
//    0 degrees about the axis. With f[d] = p180[n-1-d], f[d] = p0[d + delta] where delta = 2c - n, so the
//    cross-correlation of p0 and f peaks at delta and c = (n + delta) / 2. The correlation is computed
//    by FFT on zero-padded, mean-free rows summed over the rows given, then refined to ~0.01 pixel by
//    evaluating its band-limited interpolation around the peak (and a parabola through the best 3).
//  * center_by_entropy: reconstruct one slice with gridrec for candidate centres and take the centre
//    whose image has the least histogram entropy (a wrong centre smears edges into arcs, which spreads
//    the histogram); coarse scan, then golden-section refinement (Donath et al., JOSA A 23, 2006).
// Both run on the host (they are a few FFTs or a few dozen reconstructions of one slice).
#pragma once
#include <beamkit/fft/plan.hpp>
#include <beamkit/tomo/gridrec.hpp>
#include <cmath>
#include <complex>
#include <vector>

namespace beamkit::tomo {

/// p0, p180: [rows][n] host views of the projections at 0 and 180 degrees (same rows of the detector).
template <class View0, class View180>
double center_from_opposite_projections(const View0& p0, const View180& p180) {
  constexpr const char* where = "beamkit::tomo::center_from_opposite_projections";
  const int rows = int(p0.extent(0)), n = int(p0.extent(1));
  check::require(p180.extent(0) == p0.extent(0) && p180.extent(1) == p0.extent(1), where,
                 cat("the two projections differ in shape: (", p0.extent(0), ", ", p0.extent(1), ") and (",
                     p180.extent(0), ", ", p180.extent(1), ")"));
  check::require(rows > 0 && n > 3, where, "projections are empty");
  using Host = Kokkos::DefaultHostExecutionSpace;
  const int L = next_smooth(2 * n);
  View1<double, Kokkos::HostSpace> a("a", std::size_t(L) * rows), b("b", std::size_t(L) * rows);
  for (int r = 0; r < rows; ++r) {
    double ma = 0, mb = 0;
    for (int d = 0; d < n; ++d) {
      ma += p0(r, d);
      mb += p180(r, n - 1 - d);
    }
    ma /= n;
    mb /= n;
    for (int d = 0; d < n; ++d) {
      check::finite(double(p0(r, d)), where, "p0");
      check::finite(double(p180(r, d)), where, "p180");
      a(std::size_t(r) * L + d) = p0(r, d) - ma;
      b(std::size_t(r) * L + d) = p180(r, n - 1 - d) - mb;  // the flipped 180-degree projection
    }
  }
  View1<Kokkos::complex<double>, Kokkos::HostSpace> A("A", std::size_t(L / 2 + 1) * rows), B("B", A.extent(0));
  fft::Plan<Host, double> plan(fft::Kind::r2c, {L}, rows);
  plan.forward(a, A);
  plan.forward(b, B);
  // Cross-power spectrum summed over rows: X(k) = sum_r A_r(k) conj(B_r(k)); R(tau) = sum_k X(k) e^{2 pi i k tau / L}.
  std::vector<std::complex<double>> X(std::size_t(L / 2 + 1));
  for (int r = 0; r < rows; ++r)
    for (int k = 0; k <= L / 2; ++k) {
      const auto va = A(std::size_t(r) * (L / 2 + 1) + k), vb = B(std::size_t(r) * (L / 2 + 1) + k);
      X[std::size_t(k)] += std::complex<double>(va.real(), va.imag()) * std::conj(std::complex<double>(vb.real(), vb.imag()));
    }
  auto R = [&](double tau) {  // band-limited correlation at real lag tau (real signal: Hermitian sum)
    double s = X[0].real();
    for (int k = 1; k < (L + 1) / 2; ++k)
      s += 2 * (X[std::size_t(k)] * std::polar(1.0, 2 * 3.141592653589793 * k * tau / L)).real();
    if (L % 2 == 0) s += (X[std::size_t(L / 2)] * std::polar(1.0, 3.141592653589793 * tau)).real();
    return s;
  };
  // integer peak over lags |tau| < n, then refine on a 0.02-pixel grid and a parabola
  double best = -1e300, tau0 = 0;
  for (int t = -(n - 2); t <= n - 2; ++t) {
    const double v = R(t);
    if (v > best) {
      best = v;
      tau0 = t;
    }
  }
  double tb = tau0, vb = best;
  for (double t = tau0 - 1; t <= tau0 + 1 + 1e-9; t += 0.02) {
    const double v = R(t);
    if (v > vb) {
      vb = v;
      tb = t;
    }
  }
  const double h = 0.02, ym = R(tb - h), yp = R(tb + h), den = ym - 2 * vb + yp;
  if (den < 0) tb += 0.5 * h * (ym - yp) / den;
  return (n + tb) / 2.0;
}

/// Histogram entropy of the reconstruction of one sinogram slice `sino` [1][P][n] for centre c,
/// inside the inscribed circle (64 bins over a fixed range so candidates are comparable).
template <class SinoView>
double reconstruction_entropy(const SinoView& sino, const std::vector<double>& theta, double c, double lo, double hi) {
  using Host = Kokkos::DefaultHostExecutionSpace;
  const int n = int(sino.extent(2));
  ParallelGeometry g;
  g.n_angles = int(theta.size());
  g.n_det = n;
  g.n_grid = n;
  g.theta = theta;
  g.center = {c};
  GridrecOptions opt;
  opt.filter.type = Filter::shepp;
  GridrecPlan<Host, float> plan(Host(), g, opt);
  View3<float, Kokkos::HostSpace> img("img", 1, n, n);
  plan.reconstruct(sino, img);
  std::vector<double> hist(64, 0.0);
  double total = 0;
  for (int r = 0; r < n; ++r)
    for (int col = 0; col < n; ++col) {
      const double y = r + 0.5 - n / 2.0, x = col + 0.5 - n / 2.0;
      if (x * x + y * y > 0.2025 * n * n) continue;  // 0.9 of the radius
      const double v = (img(0, r, col) - lo) / (hi - lo);
      const int bin = int(std::min(63.0, std::max(0.0, v * 64)));
      hist[std::size_t(bin)] += 1;
      total += 1;
    }
  double e = 0;
  for (double h : hist)
    if (h > 0) e -= (h / total) * std::log(h / total);
  return e;
}

/// Entropy-minimising centre for sinogram [1][P][n] (sinogram order), searched in [init - radius, init + radius].
template <class SinoView>
double center_by_entropy(const SinoView& sino, const std::vector<double>& theta, double init, double radius = 10,
                         double tol = 0.05) {
  constexpr const char* where = "beamkit::tomo::center_by_entropy";
  check::require(sino.extent(0) == 1, where, "one slice expected");
  check::require(int(sino.extent(1)) == int(theta.size()), where,
                 cat("sinogram has ", sino.extent(1), " angles, 'theta' ", theta.size()));
  check::positive(radius, where, "radius");
  check::positive(tol, where, "tol");
  // value range from the reconstruction at the initial guess
  using Host = Kokkos::DefaultHostExecutionSpace;
  const int n = int(sino.extent(2));
  double lo = 0, hi = 0;
  {
    ParallelGeometry g;
    g.n_angles = int(theta.size());
    g.n_det = n;
    g.n_grid = n;
    g.theta = theta;
    g.center = {init};
    GridrecPlan<Host, float> plan(Host(), g);
    View3<float, Kokkos::HostSpace> img("img", 1, n, n);
    plan.reconstruct(sino, img);
    std::vector<float> v(img.data(), img.data() + img.span());
    std::sort(v.begin(), v.end());
    lo = v[std::size_t(0.001 * (v.size() - 1))];
    hi = v[std::size_t(0.999 * (v.size() - 1))];
    if (!(hi > lo)) hi = lo + 1;
    const double span = hi - lo;
    lo -= 0.5 * span;
    hi += 0.5 * span;
  }
  auto f = [&](double c) { return reconstruction_entropy(sino, theta, c, lo, hi); };
  // coarse scan at 1 pixel
  double best_c = init, best = f(init);
  for (double c = init - radius; c <= init + radius + 1e-9; c += 1.0) {
    const double v = f(c);
    if (v < best) {
      best = v;
      best_c = c;
    }
  }
  // golden-section refinement in [best - 1, best + 1]
  double a = best_c - 1, b = best_c + 1;
  const double gr = 0.6180339887498949;
  double x1 = b - gr * (b - a), x2 = a + gr * (b - a), f1 = f(x1), f2 = f(x2);
  while (b - a > tol) {
    if (f1 < f2) {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - gr * (b - a);
      f1 = f(x1);
    } else {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + gr * (b - a);
      f2 = f(x2);
    }
  }
  return 0.5 * (a + b);
}

}  // namespace beamkit::tomo
