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
#include <beamkit/core/vector_loop.hpp>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace beamkit::fit {

/// One particle's position: coordinate d at p[d * stride] (stride 1: contiguous; the swarm is stored
/// particle-minor, so its kernels pass stride = the padded particle count).
///
/// An objective may also provide a lane form evaluating L particles at once, with the particle as the
/// inner (vectorisable) loop: `template <int L, class Real> void lanes(const Real* x, int stride, int dim,
/// Real* out) const`, out[p] = cost of the particle whose coordinate d is x[d * stride + p]. It must give
/// the same numbers as operator() (same operations in the same order per particle); the built-ins do.
template <class Real> struct Point {
  const Real* p;
  int dim;
  int stride = 1;
  KOKKOS_INLINE_FUNCTION Real operator()(int d) const { return p[d * stride]; }
  KOKKOS_INLINE_FUNCTION int size() const { return dim; }
};

namespace detail {
/// c ? a : b as a bit-mask blend. GCC (with the default -ftrapping-math) turns a ternary on doubles
/// into a branch and sinks the arithmetic of the unused side into it, which then blocks the
/// vectorisation of the loop; a blend of the bits keeps both sides unconditional. Same value as the
/// ternary, on any backend.
template <class Real> KOKKOS_FORCEINLINE_FUNCTION Real select(bool c, Real a, Real b) {
  using U = std::conditional_t<sizeof(Real) == 8, std::uint64_t, std::uint32_t>;
  U ia, ib;
  std::memcpy(&ia, &a, sizeof(Real));
  std::memcpy(&ib, &b, sizeof(Real));
  const U m = U(0) - U(c), r = (ia & m) | (ib & ~m);
  Real out;
  std::memcpy(&out, &r, sizeof(Real));
  return out;
}
/// The product v (computed from the coordinate x) with its rounding kept: the bit blend stops the
/// compiler from contracting v into an FMA with the following addition. GCC contracts by default in
/// C++ (-ffp-contract=fast) and does so in vectorised loops but not always in scalar ones (where it may
/// vectorise the products alone and add them in order), so without this the lane form, the
/// one-particle form and numpy (rounded products) could differ in the last bit. NaN x passes through.
template <class Real> KOKKOS_FORCEINLINE_FUNCTION Real rounded(Real v, Real x) { return select(x == x, v, x); }
/// floor(t), exact, without a libm call (GCC vectorises std::floor only with -fno-trapping-math):
/// |t| is rounded to an integer by adding and subtracting 2^52 (2^23 in float), then corrected by one
/// where rounding went up. Equal to std::floor except floor(-0) = +0; NaN and inf pass through.
template <class Real> KOKKOS_FORCEINLINE_FUNCTION Real floor_exact(Real t) {
  constexpr Real big = sizeof(Real) == 8 ? Real(4503599627370496.0) : Real(8388608.0f);
  const Real a = kmath::fabs(t);
  Real r = (a + big) - big;
  r = select(t < Real(0), -r, r);
  const Real f = r - select(r > t, Real(1), Real(0));
  return select(a < big, f, t);
}
}  // namespace detail

/// cos(2 pi x), branch-free and vectorisable (the cosine Rastrigin and Ackley need): exact reduction
/// in turns t = x - round(x) in [-1/2, 1/2], then by quarter turns, s = t - q/4 in [-1/8, 1/8], and
/// Taylor polynomials of cos/sin on |2 pi s| <= pi/4 to degree 16/17 (truncation < 3e-18). Agrees
/// with std::cos(2 pi x) to a few 1e-16 absolute. (One Horner evaluation with per-element selected
/// cos/sin coefficients instead of two was measured no faster: the blends cost what the FMAs saved.)
template <class Real> KOKKOS_INLINE_FUNCTION Real cos2pi(Real x) {
  // round to nearest by the 1.5 * 2^p trick (exact, no libm call, valid for |v| < 2^(p-1))
  constexpr Real big = sizeof(Real) == 8 ? Real(6755399441055744.0) : Real(12582912.0f);
  constexpr Real lim = sizeof(Real) == 8 ? Real(2251799813685248.0) : Real(4194304.0f);
  const Real ax = kmath::fabs(x);
  Real t = x - ((x + big) - big);
  t = detail::select(ax < lim, t, Real(0));  // |x| >= 2^51 (2^22 in float): x is an integer
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
    for (int d = 0; d < x.dim; ++d) s += detail::rounded(x(d) * x(d), x(d));
    return s;
  }
  template <int L, class Real>
  KOKKOS_INLINE_FUNCTION void lanes(const Real* x, int stride, int dim, Real* out) const {
    Real s[L];
    for (int p = 0; p < L; ++p) s[p] = Real(0);
    for (int d = 0; d < dim; ++d) {
      const Real* xd = x + d * stride;
      BEAMKIT_PRAGMA_SIMD
      for (int p = 0; p < L; ++p) s[p] += detail::rounded(xd[p] * xd[p], xd[p]);
    }
    for (int p = 0; p < L; ++p) out[p] = s[p];
  }
};

struct Rosenbrock {
  template <class Real> KOKKOS_INLINE_FUNCTION Real operator()(const Point<Real>& x) const {
    Real s = 0;
    for (int d = 0; d + 1 < x.dim; ++d) {
      const Real a = x(d + 1) - detail::rounded(x(d) * x(d), x(d)), b = Real(1) - x(d);
      s += detail::rounded(Real(100) * a * a, a) + detail::rounded(b * b, b);
    }
    return s;
  }
  template <int L, class Real>
  KOKKOS_INLINE_FUNCTION void lanes(const Real* x, int stride, int dim, Real* out) const {
    Real s[L];
    for (int p = 0; p < L; ++p) s[p] = Real(0);
    for (int d = 0; d + 1 < dim; ++d) {
      const Real *xd = x + d * stride, *xe = xd + stride;
      BEAMKIT_PRAGMA_SIMD
      for (int p = 0; p < L; ++p) {
        const Real a = xe[p] - detail::rounded(xd[p] * xd[p], xd[p]), b = Real(1) - xd[p];
        s[p] += detail::rounded(Real(100) * a * a, a) + detail::rounded(b * b, b);
      }
    }
    for (int p = 0; p < L; ++p) out[p] = s[p];
  }
};

struct Rastrigin {
  template <class Real> KOKKOS_INLINE_FUNCTION Real operator()(const Point<Real>& x) const {
    Real s = Real(10) * Real(x.dim);
    for (int d = 0; d < x.dim; ++d) s += term(x(d));
    return s;
  }
  template <int L, class Real>
  KOKKOS_INLINE_FUNCTION void lanes(const Real* x, int stride, int dim, Real* out) const {
    Real s[L];
    for (int p = 0; p < L; ++p) s[p] = Real(10) * Real(dim);
    for (int d = 0; d < dim; ++d) {
      const Real* xd = x + d * stride;
      BEAMKIT_PRAGMA_SIMD
      for (int p = 0; p < L; ++p) s[p] += term(xd[p]);
    }
    for (int p = 0; p < L; ++p) out[p] = s[p];
  }
  template <class Real> KOKKOS_FORCEINLINE_FUNCTION static Real term(Real v) {
    return detail::rounded(v * v, v) - detail::rounded(Real(10) * cos2pi(v), v);
  }
};

struct Ackley {
  template <class Real> KOKKOS_INLINE_FUNCTION Real operator()(const Point<Real>& x) const {
    Real s2 = 0, sc = 0;
    for (int d = 0; d < x.dim; ++d) {
      s2 += detail::rounded(x(d) * x(d), x(d));
      sc += cos2pi(x(d));
    }
    return value(s2, sc, x.dim);
  }
  template <int L, class Real>
  KOKKOS_INLINE_FUNCTION void lanes(const Real* x, int stride, int dim, Real* out) const {
    Real s2[L], sc[L];
    for (int p = 0; p < L; ++p) s2[p] = sc[p] = Real(0);
    for (int d = 0; d < dim; ++d) {
      const Real* xd = x + d * stride;
      BEAMKIT_PRAGMA_SIMD
      for (int p = 0; p < L; ++p) {
        s2[p] += detail::rounded(xd[p] * xd[p], xd[p]);
        sc[p] += cos2pi(xd[p]);
      }
    }
    for (int p = 0; p < L; ++p) out[p] = value(s2[p], sc[p], dim);
  }
  template <class Real> KOKKOS_INLINE_FUNCTION static Real value(Real s2, Real sc, int dim) {
    const Real n = Real(dim);
    return detail::rounded(Real(-20) * kmath::exp(Real(-0.2) * kmath::sqrt(s2 / n)), s2) - kmath::exp(sc / n) +
           Real(20) + kmath::exp(Real(1));
  }
};

}  // namespace beamkit::fit
