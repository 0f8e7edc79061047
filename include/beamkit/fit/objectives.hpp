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
    Real s = Real(10) * Real(x.dim);
    const Real tp = Real(2) * kmath::pi<Real>();
    for (int d = 0; d < x.dim; ++d) s += x(d) * x(d) - Real(10) * kmath::cos(tp * x(d));
    return s;
  }
};

struct Ackley {
  template <class Real> KOKKOS_INLINE_FUNCTION Real operator()(const Point<Real>& x) const {
    Real s2 = 0, sc = 0;
    const Real tp = Real(2) * kmath::pi<Real>();
    for (int d = 0; d < x.dim; ++d) {
      s2 += x(d) * x(d);
      sc += kmath::cos(tp * x(d));
    }
    const Real n = Real(x.dim);
    return Real(-20) * kmath::exp(Real(-0.2) * kmath::sqrt(s2 / n)) - kmath::exp(sc / n) + Real(20) +
           kmath::exp(Real(1));
  }
};

}  // namespace beamkit::fit
