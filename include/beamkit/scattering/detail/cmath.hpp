// SPDX-License-Identifier: BSD-3-Clause
// Complex special functions for the scattering kernels (device-safe, float/double):
// exp/sin/cos/sqrt on Kokkos::complex written on real kmath (identical on Kokkos 3.4 and 4.x),
// sinc, the sphere kernel 3 j1(x)/x, 2 J1(z)/z (series + Hankel asymptotics), and divided differences
// of exp(i x) on up to four complex nodes (the Hermite-Genocchi route to polygon/polyhedron transforms).
#pragma once
#include <beamkit/core/kokkos_compat.hpp>
#include <beamkit/core/types.hpp>

namespace beamkit::scattering::detail {

template <class R> using C = Kokkos::complex<R>;

template <class R> KOKKOS_INLINE_FUNCTION C<R> cexp(const C<R>& z) {
  const R e = kmath::exp(z.real());
  return C<R>(e * kmath::cos(z.imag()), e * kmath::sin(z.imag()));
}
/// exp(i z)
template <class R> KOKKOS_INLINE_FUNCTION C<R> cexpi(const C<R>& z) {
  const R e = kmath::exp(-z.imag());
  return C<R>(e * kmath::cos(z.real()), e * kmath::sin(z.real()));
}
template <class R> KOKKOS_INLINE_FUNCTION C<R> csin(const C<R>& z) {
  return C<R>(kmath::sin(z.real()) * kmath::cosh(z.imag()), kmath::cos(z.real()) * kmath::sinh(z.imag()));
}
template <class R> KOKKOS_INLINE_FUNCTION C<R> ccos(const C<R>& z) {
  return C<R>(kmath::cos(z.real()) * kmath::cosh(z.imag()), -kmath::sin(z.real()) * kmath::sinh(z.imag()));
}
template <class R> KOKKOS_INLINE_FUNCTION R cabs(const C<R>& z) { return kmath::hypot(z.real(), z.imag()); }
template <class R> KOKKOS_INLINE_FUNCTION R cnorm(const C<R>& z) { return z.real() * z.real() + z.imag() * z.imag(); }
/// a / b without the overflow-guarding rescaling of the generic operator (|b| is never near the
/// floating-point limits here) and always inlined.
template <class R> KOKKOS_FORCEINLINE_FUNCTION C<R> cdiv(const C<R>& a, const C<R>& b) {
  const R inv = R(1) / (b.real() * b.real() + b.imag() * b.imag());
  return C<R>((a.real() * b.real() + a.imag() * b.imag()) * inv, (a.imag() * b.real() - a.real() * b.imag()) * inv);
}
/// Principal square root (branch cut on the negative real axis, Re >= 0).
template <class R> KOKKOS_INLINE_FUNCTION C<R> csqrt(const C<R>& z) {
  const R x = z.real(), y = z.imag();
  if (y == R(0) && x >= R(0)) return C<R>(kmath::sqrt(x), 0);
  const R t = kmath::sqrt((kmath::fabs(x) + kmath::sqrt(x * x + y * y)) * R(0.5));
  if (x >= R(0)) return C<R>(t, y / (R(2) * t));
  return C<R>(kmath::fabs(y) / (R(2) * t), y < R(0) ? -t : t);
}
/// Square root with Im >= 0 (wavevector z-components in absorbing media decay into the medium).
template <class R> KOKKOS_INLINE_FUNCTION C<R> csqrt_upper(const C<R>& z) {
  C<R> s = csqrt(z);
  if (s.imag() < R(0)) s = -s;
  return s;
}

/// sin(z)/z, series near 0.
template <class R> KOKKOS_INLINE_FUNCTION C<R> sinc(const C<R>& z) {
  if (cnorm(z) < R(0.01)) {
    const C<R> z2 = z * z;
    return R(1) - z2 / R(6) * (R(1) - z2 / R(20) * (R(1) - z2 / R(42) * (R(1) - z2 / R(72))));
  }
  return csin(z) / z;
}

/// sinc(h) exp(i h) = (exp(2 i h) - 1) / (2 i h): the z factor of prisms/cylinders with one exponential.
template <class R> KOKKOS_INLINE_FUNCTION C<R> sinc_phase(const C<R>& h) {
  if (cnorm(h) < R(1e-4)) {  // 1 + i h - 2 h^2/3 - i h^3/3 + 2 h^4/15 + ...
    const C<R> ih = C<R>(-h.imag(), h.real());
    return R(1) + ih * (R(1) + ih * (R(2) / R(3) + ih * (R(1) / R(3) + ih * (R(2) / R(15)))));
  }
  const C<R> e = cexpi(R(2) * h);
  return cdiv(e - R(1), C<R>(-R(2) * h.imag(), R(2) * h.real()));
}

/// 3 (sin x - x cos x) / x^3 = 3 j1(x)/x, -> 1 at x = 0.
template <class R> KOKKOS_INLINE_FUNCTION C<R> sphere_kernel(const C<R>& x) {
  if (cnorm(x) < R(0.25)) {
    const C<R> x2 = x * x;
    // 3 * (1/3 - x^2/30 + x^4/840 - x^6/45360 + x^8/3991680 - x^10/518918400)
    return R(1) - x2 / R(10) * (R(1) - x2 / R(28) * (R(1) - x2 / R(54) * (R(1) - x2 / R(88) * (R(1) - x2 / R(130)))));
  }
  return R(3) * (csin(x) - x * ccos(x)) / (x * x * x);
}

/// 2 J1(z)/z for complex z (-> 1 at 0): power series for |z| <= 16, Hankel asymptotics beyond.
template <class R> KOKKOS_INLINE_FUNCTION C<R> bessel_j1c(const C<R>& z) {
  const R az = cabs(z);
  if (az <= R(16)) {
    const C<R> w = -z * z / R(4);
    C<R> term(1, 0), sum(1, 0);
    for (int k = 1; k < 80; ++k) {
      term = term * w / R(k * (k + 1));
      sum += term;
      if (cnorm(term) < R(1e-34) * cnorm(sum)) break;
    }
    return sum;
  }
  // Hankel: J1(z) = sqrt(2/(pi z)) (P cos chi - Q sin chi), chi = z - 3 pi/4, mu = 4.
  const R mu = 4;
  const C<R> eightz = R(8) * z;
  C<R> P(1, 0), Q(0, 0), term(1, 0);
  for (int k = 1; k < 40; ++k) {
    const R a = (mu - R((2 * k - 1) * (2 * k - 1)));
    term = term * a / (R(k) * eightz);
    const R t = cnorm(term);
    if (k % 2 == 1) Q += (k % 4 == 1 ? term : -term);
    else P += (k % 4 == 0 ? term : -term);
    if (t < R(1e-34)) break;
  }
  const C<R> chi = z - R(0.75) * kmath::pi<R>();
  const C<R> j1 = csqrt(R(2) / (kmath::pi<R>() * z)) * (P * ccos(chi) - Q * csin(chi));
  return R(2) * j1 / z;
}

/// 2 J1(x)/x for real x (the in-plane |q_par| r of the simulation): same series/asymptotics in real arithmetic.
template <class R> KOKKOS_INLINE_FUNCTION R bessel_j1c_real(R x) {
  const R ax = kmath::fabs(x);
  if (ax <= R(16)) {
    // sum_k (-x^2/4)^k / (k! (k+1)!), terms until below 1e-17 of the sum
    constexpr int K = 48;  // 1/(k(k+1)) for k = 1..K (|x| <= 16 converges by k ~ 35)
    constexpr double c[K + 1] = {0, 1. / 2, 1. / 6, 1. / 12, 1. / 20, 1. / 30, 1. / 42, 1. / 56, 1. / 72, 1. / 90, 1. / 110, 1. / 132, 1. / 156,
                                 1. / 182, 1. / 210, 1. / 240, 1. / 272, 1. / 306, 1. / 342, 1. / 380, 1. / 420, 1. / 462, 1. / 506, 1. / 552,
                                 1. / 600, 1. / 650, 1. / 702, 1. / 756, 1. / 812, 1. / 870, 1. / 930, 1. / 992, 1. / 1056, 1. / 1122,
                                 1. / 1190, 1. / 1260, 1. / 1332, 1. / 1406, 1. / 1482, 1. / 1560, 1. / 1640, 1. / 1722, 1. / 1806,
                                 1. / 1892, 1. / 1980, 1. / 2070, 1. / 2162, 1. / 2256, 1. / 2352};
    const R w = -x * x / R(4);
    R term = 1, sum = 1;
    for (int k = 1; k <= K; ++k) {
      term *= w * R(c[k]);
      sum += term;
      if (kmath::fabs(term) < R(1e-17) * kmath::fabs(sum)) break;
    }
    return sum;
  }
  const R eightx = R(8) * ax;
  R P = 1, Q = 0, term = 1;
  for (int k = 1; k < 40; ++k) {
    term = term * (R(4) - R((2 * k - 1) * (2 * k - 1))) / (R(k) * eightx);
    if (k % 2 == 1) Q += (k % 4 == 1 ? term : -term);
    else P += (k % 4 == 0 ? term : -term);
    if (kmath::fabs(term) < R(1e-17)) break;
  }
  const R chi = ax - R(0.75) * kmath::pi<R>();
  const R j1 = kmath::sqrt(R(2) / (kmath::pi<R>() * ax)) * (P * kmath::cos(chi) - Q * kmath::sin(chi));
  return R(2) * j1 / ax;
}

/// J0(x) for real x: power series for |x| <= 16, Hankel asymptotics beyond.
template <class R> KOKKOS_INLINE_FUNCTION R bessel_j0_real(R x) {
  const R ax = kmath::fabs(x);
  if (ax <= R(16)) {
    const R w = -x * x / R(4);
    R term = 1, sum = 1;
    for (int k = 1; k <= 60; ++k) {
      term *= w / R(k * k);
      sum += term;
      if (kmath::fabs(term) < R(1e-17) * kmath::fabs(sum) + R(1e-300)) break;
    }
    return sum;
  }
  const R eightx = R(8) * ax;
  R P = 1, Q = 0, term = 1;
  for (int k = 1; k < 40; ++k) {
    term = term * (R(0) - R((2 * k - 1) * (2 * k - 1))) / (R(k) * eightx);
    if (k % 2 == 1) Q += (k % 4 == 1 ? term : -term);
    else P += (k % 4 == 0 ? term : -term);
    if (kmath::fabs(term) < R(1e-17)) break;
  }
  const R chi = ax - R(0.25) * kmath::pi<R>();
  return kmath::sqrt(R(2) / (kmath::pi<R>() * ax)) * (P * kmath::cos(chi) - Q * kmath::sin(chi));
}

/// 2 J1(z)/z choosing the real path when z is real.
template <class R> KOKKOS_INLINE_FUNCTION C<R> bessel_j1c_auto(const C<R>& z) {
  if (z.imag() == R(0)) return C<R>(bessel_j1c_real(z.real()), 0);
  return bessel_j1c(z);
}

// ---- divided differences of E(x) = exp(i x) ------------------------------------------------------------
// E[x0..xn] = i^n * integral over the standard n-simplex of exp(i sum s_k x_k). Nodes closer than
// kClusterRadius use a Taylor series around their mean (complete homogeneous polynomials), otherwise
// the recursion on the farthest pair, so there is no cancellation at small q or for coincident nodes.
template <class R> struct DDConst {
  static constexpr R radius = R(0.5);
  static constexpr int terms = 17;
};

template <class R> KOKKOS_INLINE_FUNCTION C<R> dd_taylor(const C<R>* x, int n) {
  C<R> m(0, 0);
  for (int k = 0; k <= n; ++k) m += x[k];
  m = m / R(n + 1);
  // number of terms from the spread rho = max |x_k - m| (<= radius): rho^K / K! < 1e-17
  R rho2 = 0;
  for (int k = 0; k <= n; ++k) rho2 = kmath::max(rho2, cnorm(x[k] - m));
  const int K = rho2 < R(1e-6) ? 5 : rho2 < R(1e-2) ? 10 : rho2 < R(0.0625) ? 13 : DDConst<R>::terms;
  constexpr double inv_fact[] = {1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320,
                                 1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800.0,
                                 1.0 / 87178291200.0, 1.0 / 1307674368000.0, 1.0 / 20922789888000.0, 1.0 / 355687428096000.0,
                                 1.0 / 6402373705728000.0, 1.0 / 121645100408832000.0, 1.0 / 2432902008176640000.0,
                                 1.0 / 51090942171709440000.0, 1.0 / 1124000727777607680000.0, 1.0 / 25852016738884976640000.0,
                                 1.0 / 620448401733239439360000.0, 1.0 / 15511210043330985984000000.0};
  C<R> h[DDConst<R>::terms + 1];
  const C<R> y0 = x[0] - m;
  h[0] = C<R>(1, 0);
  for (int j = 1; j <= K; ++j) h[j] = h[j - 1] * y0;
  for (int l = 1; l <= n; ++l) {
    const C<R> yl = x[l] - m;
    for (int j = 1; j <= K; ++j) h[j] += yl * h[j - 1];
  }
  // sum_{k>=n} i^k / k! h_{k-n}: split by k mod 4 (i^k = 1, i, -1, -i)
  C<R> s(0, 0);
  for (int k = n; k <= n + K; ++k) {
    const C<R> t = h[k - n] * R(inv_fact[k]);
    switch (k & 3) {
      case 0: s += t; break;
      case 1: s += C<R>(-t.imag(), t.real()); break;
      case 2: s -= t; break;
      default: s += C<R>(t.imag(), -t.real()); break;
    }
  }
  return cexpi(m) * s;
}

template <class R> KOKKOS_INLINE_FUNCTION C<R> dd1(const C<R>& xa, const C<R>& xb, const C<R>& ea, const C<R>& eb) {
  const C<R> d = xb - xa;
  const R d2 = cnorm(d);
  if (d2 > DDConst<R>::radius * DDConst<R>::radius) return cdiv(eb - ea, d);
  // close nodes: E[xa, xb] = e^{i xa} (e^{i d} - 1)/d = i e^{i xa} sum_m (i d)^m / (m+1)!  (|d| <= 1/2;
  // the last term kept, (1/2)^15/16! = 1.5e-18, is below double rounding; no second exponential)
  constexpr double inv_fact[] = {1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320,
                                 1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800.0,
                                 1.0 / 87178291200.0, 1.0 / 1307674368000.0, 1.0 / 20922789888000.0};  // 1/(m+1)!
  const int M = d2 < R(1e-6) ? 5 : d2 < R(1e-2) ? 10 : 15;
  const C<R> id(-d.imag(), d.real());
  C<R> s(R(inv_fact[M]), 0);
  for (int m = M - 1; m >= 0; --m) s = s * id + R(inv_fact[m]);
  const C<R> es = ea * s;
  return C<R>(-es.imag(), es.real());
}

/// E[x0, x1, x2] from the three first differences d01 = E[x0, x1], d02 = E[x0, x2], d12 = E[x1, x2]
/// (the same farthest-pair recursion as dd2, without recomputing them).
template <class R>
KOKKOS_INLINE_FUNCTION C<R> dd2_pairs(const C<R>* x, const C<R>& d01, const C<R>& d02, const C<R>& d12) {
  const R n01 = cnorm(x[1] - x[0]), n02 = cnorm(x[2] - x[0]), n12 = cnorm(x[2] - x[1]);
  const R dm = kmath::max(n01, kmath::max(n02, n12));
  if (dm <= DDConst<R>::radius * DDConst<R>::radius) return dd_taylor(x, 2);
  if (n02 >= n01 && n02 >= n12) return cdiv(d12 - d01, x[2] - x[0]);
  if (n01 >= n12) return cdiv(d12 - d02, x[1] - x[0]);
  return cdiv(d02 - d01, x[2] - x[1]);
}

template <class R>
KOKKOS_INLINE_FUNCTION C<R> dd2(const C<R>* x, const C<R>* e) {  // 3 nodes
  const R d01 = cnorm(x[1] - x[0]), d02 = cnorm(x[2] - x[0]), d12 = cnorm(x[2] - x[1]);
  const R dm = kmath::max(d01, kmath::max(d02, d12));
  if (dm <= DDConst<R>::radius * DDConst<R>::radius) return dd_taylor(x, 2);
  if (d02 >= d01 && d02 >= d12)  // remove 0 / remove 2
    return cdiv(dd1(x[1], x[2], e[1], e[2]) - dd1(x[0], x[1], e[0], e[1]), x[2] - x[0]);
  if (d01 >= d12)  // pair (0,1): remove 0 / remove 1
    return cdiv(dd1(x[1], x[2], e[1], e[2]) - dd1(x[0], x[2], e[0], e[2]), x[1] - x[0]);
  return cdiv(dd1(x[0], x[2], e[0], e[2]) - dd1(x[0], x[1], e[0], e[1]), x[2] - x[1]);  // pair (1,2)
}

template <class R>
KOKKOS_INLINE_FUNCTION C<R> dd3(const C<R>* x, const C<R>* e) {  // 4 nodes
  int p = 0, q = 1;
  R dm = -1;
  for (int a = 0; a < 4; ++a)
    for (int b = a + 1; b < 4; ++b) {
      const R d = cnorm(x[b] - x[a]);
      if (d > dm) {
        dm = d;
        p = a;
        q = b;
      }
    }
  if (dm <= DDConst<R>::radius * DDConst<R>::radius) return dd_taylor(x, 3);
  C<R> xp[3], ep[3], xq[3], eq[3];
  int ip = 0, iq = 0;
  for (int k = 0; k < 4; ++k) {
    if (k != p) {
      xp[ip] = x[k];
      ep[ip++] = e[k];
    }
    if (k != q) {
      xq[iq] = x[k];
      eq[iq++] = e[k];
    }
  }
  return cdiv(dd2(xp, ep) - dd2(xq, eq), x[q] - x[p]);
}

}  // namespace beamkit::scattering::detail
