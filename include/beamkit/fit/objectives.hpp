// SPDX-License-Identifier: BSD-3-Clause
// Built-in test objectives for the optimisers, as device functors: each takes a Point (one particle's
// coordinates, contiguous) and returns the cost. Global minima (all = 0):
//   sphere      f = sum x_d^2                                           at x = 0
//   rosenbrock  f = sum_{d<D-1} 100 (x_{d+1} - x_d^2)^2 + (1 - x_d)^2   at x = 1
//   rastrigin   f = 10 D + sum (x_d^2 - 10 cos(2 pi x_d))                at x = 0
//   ackley      f = -20 exp(-0.2 sqrt(mean x^2)) - exp(mean cos 2 pi x) + 20 + e   at x = 0
// (Jamil & Yang, "A literature survey of benchmark functions for global optimisation problems",
// Int. J. Math. Model. Numer. Optim. 4 (2013) 150.)
#pragma once
#include <beamkit/core/kokkos_compat.hpp>

namespace beamkit::fit {

/// One particle's position: `dim` contiguous values (a row of the LayoutRight swarm View).
template <class Real> struct Point {
  const Real* p;
  int dim;
  KOKKOS_INLINE_FUNCTION Real operator()(int d) const { return p[d]; }
  KOKKOS_INLINE_FUNCTION int size() const { return dim; }
};

/// cos(2 pi x), branch-free and vectorisable (the cosine Rastrigin and Ackley need): exact reduction
/// in turns t = x - round(x) in [-1/2, 1/2], then by quarter turns, s = t - q/4 in [-1/8, 1/8], and
/// Taylor polynomials of cos/sin on |2 pi s| <= pi/4 to degree 16/17 (truncation < 3e-18). Agrees
/// with std::cos(2 pi x) to a few 1e-16 absolute.
template <class Real> KOKKOS_INLINE_FUNCTION Real cos2pi(Real x) {
  // round to nearest by the 1.5 * 2^p trick (exact, no libm call, valid for |v| < 2^(p-1))
  constexpr Real big = sizeof(Real) == 8 ? Real(6755399441055744.0) : Real(12582912.0f);
  constexpr Real lim = sizeof(Real) == 8 ? Real(2251799813685248.0) : Real(4194304.0f);
  const Real ax = kmath::fabs(x);
  Real t = x - ((x + big) - big);
  t = ax < lim ? t : Real(0);                 // |x| >= 2^51 (2^22 in float): x is an integer
  const Real q = (Real(4) * t + big) - big;   // nearest quarter turn, in {-2, ..., 2}
  const Real a = Real(2) * kmath::pi<Real>() * (t - Real(0.25) * q), a2 = a * a;
  const Real c = Real(1) + a2 * (Real(-1.0 / 2) + a2 * (Real(1.0 / 24) + a2 * (Real(-1.0 / 720) +
                 a2 * (Real(1.0 / 40320) + a2 * (Real(-1.0 / 3628800) + a2 * (Real(1.0 / 479001600) +
                 a2 * (Real(-1.0 / 87178291200.0) + a2 * Real(1.0 / 20922789888000.0))))))));
  const Real sn = a * (Real(1) + a2 * (Real(-1.0 / 6) + a2 * (Real(1.0 / 120) + a2 * (Real(-1.0 / 5040) +
                  a2 * (Real(1.0 / 362880) + a2 * (Real(-1.0 / 39916800) + a2 * (Real(1.0 / 6227020800.0) +
                  a2 * (Real(-1.0 / 1307674368000.0) + a2 * Real(1.0 / 355687428096000.0)))))))));
  // cos(a + q pi/2): q = 0 -> cos a, 1 -> -sin a, -1 -> sin a, +-2 -> -cos a, selected arithmetically
  // (no branches; every product below is by 0 or +-1, hence exact): o = 1 for odd q, else 0.
  const Real q2 = q * q, o = q2 * (Real(4) - q2) * Real(1.0 / 3), e = Real(1) - o;
  return e * (Real(1) - Real(0.5) * q2) * c - o * q * sn;
}

struct Sphere {
  template <class Real> KOKKOS_INLINE_FUNCTION Real operator()(const Point<Real>& x) const {
    Real s = 0;
    for (int d = 0; d < x.dim; ++d) s += x(d) * x(d);
    return s;
  }
};

struct Rosenbrock {
  template <class Real> KOKKOS_INLINE_FUNCTION Real operator()(const Point<Real>& x) const {
    Real s = 0;
    for (int d = 0; d + 1 < x.dim; ++d) {
      const Real a = x(d + 1) - x(d) * x(d), b = Real(1) - x(d);
      s += Real(100) * a * a + b * b;
    }
    return s;
  }
};

struct Rastrigin {
  template <class Real> KOKKOS_INLINE_FUNCTION Real operator()(const Point<Real>& x) const {
    // terms in blocks of 16 (a loop without a reduction: vectorisable), summed in order afterwards
    Real s = Real(10) * Real(x.dim);
    for (int d0 = 0; d0 < x.dim; d0 += 16) {
      const int nd = x.dim - d0 < 16 ? x.dim - d0 : 16;
      Real t[16];
      for (int j = 0; j < nd; ++j) t[j] = x.p[d0 + j] * x.p[d0 + j] - Real(10) * cos2pi(x.p[d0 + j]);
      for (int j = 0; j < nd; ++j) s += t[j];
    }
    return s;
  }
};

struct Ackley {
  template <class Real> KOKKOS_INLINE_FUNCTION Real operator()(const Point<Real>& x) const {
    Real s2 = 0, sc = 0;
    for (int d0 = 0; d0 < x.dim; d0 += 16) {
      const int nd = x.dim - d0 < 16 ? x.dim - d0 : 16;
      Real t[16];
      for (int j = 0; j < nd; ++j) t[j] = cos2pi(x.p[d0 + j]);
      for (int j = 0; j < nd; ++j) {
        s2 += x.p[d0 + j] * x.p[d0 + j];
        sc += t[j];
      }
    }
    const Real n = Real(x.dim);
    return Real(-20) * kmath::exp(Real(-0.2) * kmath::sqrt(s2 / n)) - kmath::exp(sc / n) + Real(20) +
           kmath::exp(Real(1));
  }
};

}  // namespace beamkit::fit
