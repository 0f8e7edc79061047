// SPDX-License-Identifier: BSD-3-Clause
// Interference functions S(q_par) of particle layouts (formulas as in BornAgain 1.19):
// dilute (S = 1), radial paracrystal (Gauss/Cauchy nearest-neighbour distance pdf, damping, finite
// domain), 1-D lattice and 2-D lattice with Cauchy/Gauss decay functions (sum over the reciprocal
// lattice points around q).
#pragma once
#include <beamkit/scattering/detail/cmath.hpp>
#include <cstdint>
#include <cstring>

#if !BEAMKIT_ON_DEVICE && (defined(_OPENMP) || defined(__clang__) || defined(__GNUC__))
#define BEAMKIT_SCATTERING_PRAGMA(x) _Pragma(#x)
#define BEAMKIT_SCATTERING_SIMD_SUM(var) BEAMKIT_SCATTERING_PRAGMA(omp simd reduction(+ : var))
#else
#define BEAMKIT_SCATTERING_SIMD_SUM(var)
#endif

namespace beamkit::scattering {

enum class Interference : int { none = 0, radial_paracrystal, lattice1d, lattice2d, paracrystal2d, hard_disk };
enum class Profile : int { gauss = 0, cauchy = 1 };

template <class Real> struct InterferenceData {
  Interference kind = Interference::none;
  /// radial_paracrystal: p = {peak distance, damping length, pdf (Profile), omega, domain size}
  /// lattice1d: p = {a, xi, decay (Profile), decay length, n_points}
  /// lattice2d: p = {a*x, a*y, b*x, b*y (reciprocal basis in the lattice frame), xi, decay (Profile),
  ///                 omega_x, omega_y, gamma, 1/unit cell area, n_a, n_b, a, b, alpha}
  /// paracrystal2d: p = {a, b, alpha, xi, damping, domain1, domain2, pdf1 (Profile), w1x, w1y, gamma1,
  ///                     pdf2 (Profile), w2x, w2y, gamma2}
  /// hard_disk (Percus-Yevick): p = {radius, density, packing eta, C0(eta), S2(eta), Gauss-Legendre order}
  Real p[16] = {};
};

namespace detail {
template <class R> KOKKOS_INLINE_FUNCTION R ft_pdf1(int prof, R q, R omega) {
  const R x = q * omega;
  return prof == int(Profile::gauss) ? kmath::exp(-R(0.5) * x * x) : R(1) / (R(1) + x * x);
}
template <class R> KOKKOS_INLINE_FUNCTION R ft_decay1(int prof, R q, R omega) {
  const R x = q * omega;
  return prof == int(Profile::gauss) ? omega * kmath::sqrt(R(2) * kmath::pi<R>()) * kmath::exp(-R(0.5) * x * x)
                                     : R(2) * omega / (R(1) + x * x);
}
template <class R> KOKKOS_INLINE_FUNCTION R ft_decay2(int prof, R qx, R qy, R wx, R wy) {
  const R s = qx * qx * wx * wx + qy * qy * wy * wy;
  const R norm = R(2) * kmath::pi<R>() * wx * wy;
  return prof == int(Profile::gauss) ? norm * kmath::exp(-R(0.5) * s) : norm / ((R(1) + s) * kmath::sqrt(R(1) + s));
}
/// Finite/infinite 1-D paracrystal sum for the characteristic function fp and n = domain / distance.
template <class R> KOKKOS_INLINE_FUNCTION R paracrystal_sum(const Kokkos::complex<R>& fp, int n) {
  using Cx = Kokkos::complex<R>;
  const Cx one(1, 0);
  if (n < 1) return ((one + fp) / (one - fp)).real();
  const R nd = R(n);
  if (cnorm(one - fp) < R(2.2e-16)) return nd;
  if (cabs(one - fp) * nd < R(2e-4)) {
    const Cx f1 = fp - one;
    const Cx im = (nd - R(1)) / R(2) + (nd * nd - R(1)) * f1 / R(6) + (nd * nd * nd - R(2) * nd * nd - nd + R(2)) * f1 * f1 / R(24);
    return R(1) + R(2) * im.real();
  }
  // fp^n by squaring (|fp| < 1: underflows harmlessly to 0)
  Cx fn(1, 0), b = fp;
  for (int e = n; e > 0; e >>= 1) {
    if (e & 1) fn = fn * b;
    b = b * b;
  }
  const Cx im = fp / (one - fp) - fp * (one - fn) / nd / (one - fp) / (one - fp);
  return R(1) + R(2) * im.real();
}
/// t^(-3/2) for t >= 1 without sqrt or division (both keep GCC from vectorising without
/// -fno-math-errno): the bit-level estimate of 1/sqrt(t) and Newton steps y <- y (3/2 - t y^2 / 2),
/// 4 in double (relative error 1.1e-15 measured over t in [1, 1e150]), 3 in float.
template <class R> KOKKOS_INLINE_FUNCTION R rsqrt_cubed(R t) {
  R y;
  if constexpr (sizeof(R) == 8) {
    std::uint64_t b;
    std::memcpy(&b, &t, 8);
    b = 0x5fe6eb50c7b537a9ULL - (b >> 1);
    std::memcpy(&y, &b, 8);
  } else {
    std::uint32_t b;
    std::memcpy(&b, &t, 4);
    b = 0x5f3759dfU - (b >> 1);
    std::memcpy(&y, &b, 4);
  }
  const R h = R(0.5) * t;
  y = y * (R(1.5) - h * y * y);
  y = y * (R(1.5) - h * y * y);
  y = y * (R(1.5) - h * y * y);
  if constexpr (sizeof(R) == 8) y = y * (R(1.5) - h * y * y);
  return y * y * y;
}
template <class R> KOKKOS_INLINE_FUNCTION R ft_pdf2(int prof, R q1, R q2, R w1, R w2) {
  const R s = q1 * q1 * w1 * w1 + q2 * q2 * w2 * w2;
  return prof == int(Profile::gauss) ? kmath::exp(-R(0.5) * s) : R(1) / ((R(1) + s) * kmath::sqrt(R(1) + s));
}
}  // namespace detail

constexpr int kLatticePad = 64;  ///< longest padded j row of the vectorised 2-D lattice sum

/// gl_x / gl_w: Gauss-Legendre tables (order n at offset n(n-1)/2), needed by hard_disk only.
template <class R>
KOKKOS_INLINE_FUNCTION R interference(const InterferenceData<R>& d, R qx, R qy, const R* gl_x = nullptr, const R* gl_w = nullptr) {
  using Cx = Kokkos::complex<R>;
  const R* p = d.p;
  switch (d.kind) {
    case Interference::radial_paracrystal: {
      const R qpar = kmath::sqrt(qx * qx + qy * qy);
      Cx fp = detail::cexpi(Cx(qpar * p[0], 0)) * detail::ft_pdf1(int(p[2]), qpar, p[3]);
      if (p[1] > R(0)) fp = fp * kmath::exp(-p[0] / p[1]);
      return detail::paracrystal_sum(fp, int(kmath::fabs(p[4] / p[0])));
    }
    case Interference::lattice1d: {
      const R a = p[0], xi = p[1];
      const R arec = R(2) * kmath::pi<R>() / a;
      const R qxp = qx * kmath::cos(xi) + qy * kmath::sin(xi);
      const int qa = int(qxp / arec);
      const R qf = qxp - R(qa) * arec;
      const int na = int(p[4]);
      R s = 0;
      for (int i = -na; i <= na; ++i) s += detail::ft_decay1(int(p[2]), qf + R(i) * arec, p[3]);
      return s / a;
    }
    case Interference::lattice2d: {
      const R xi = p[4];
      const R c = kmath::cos(xi), sn = kmath::sin(xi);
      const R qxr = qx * c + qy * sn, qyr = -qx * sn + qy * c;
      const R tpi = R(2) * kmath::pi<R>();
      const R a = p[12], b = p[13], alpha = p[14];
      const R qa = kmath::round(a * qxr / tpi);
      const R qb = kmath::round(b * (qxr * kmath::cos(alpha) + qyr * kmath::sin(alpha)) / tpi);
      const R fx = qxr - qa * p[0] - qb * p[2];
      const R fy = qyr - qa * p[1] - qb * p[3];
      const int na = int(p[10]), nb = int(p[11]);
      const R g = p[8], cg = kmath::cos(g), sg = kmath::sin(g);
      R s = 0;
      if (int(p[5]) == int(Profile::cauchy) && 2 * nb + 6 <= kLatticePad) {
        // 2 pi wx wy (1 + qx'^2 wx^2 + qy'^2 wy^2)^(-3/2): the j loop padded to a multiple of 4 with zero
        // weights and vectorised (no sqrt, no division; j and the weights as Real arrays so that no
        // 32-bit integer lanes double the vector length and leave a scalar tail)
        const R wx2 = p[6] * p[6], wy2 = p[7] * p[7];
        const int j0 = -nb - 1, j1 = nb + 2, npad = ((j1 - j0 + 3) / 4) * 4;
        R jv[kLatticePad], jw[kLatticePad];
        for (int jj = 0; jj < npad; ++jj) {
          jv[jj] = R(j0 + jj);
          jw[jj] = j0 + jj < j1 ? R(1) : R(0);
        }
        for (int i = -na - 1; i < na + 2; ++i) {
          const R ux0 = fx + R(i) * p[0], uy0 = fy + R(i) * p[1];
          R si = 0;
          BEAMKIT_SCATTERING_SIMD_SUM(si)
          for (int jj = 0; jj < npad; ++jj) {
            const R ux = ux0 + jv[jj] * p[2], uy = uy0 + jv[jj] * p[3];
            const R a = ux * cg + uy * sg, b = -ux * sg + uy * cg;
            si += jw[jj] * detail::rsqrt_cubed(R(1) + a * a * wx2 + b * b * wy2);
          }
          s += si;
        }
        return p[9] * (R(2) * kmath::pi<R>() * p[6] * p[7]) * s;
      }
      for (int i = -na - 1; i < na + 2; ++i)
        for (int j = -nb - 1; j < nb + 2; ++j) {
          const R ux = fx + R(i) * p[0] + R(j) * p[2];
          const R uy = fy + R(i) * p[1] + R(j) * p[3];
          s += detail::ft_decay2(int(p[5]), ux * cg + uy * sg, -ux * sg + uy * cg, p[6], p[7]);
        }
      return p[9] * s;
    }
    case Interference::paracrystal2d: {
      R r = 1;
      for (int idx = 0; idx < 2; ++idx) {
        const R len = idx ? p[1] : p[0];
        const R xi = idx ? p[3] + p[2] : p[3];
        const R* pd = p + 7 + 4 * idx;  // pdf kind, wx, wy, gamma
        Cx fp = detail::cexpi(Cx(qx * len * kmath::cos(xi) + qy * len * kmath::sin(xi), 0));
        const R g = xi + pd[3], dl = kmath::pi<R>() / 2;
        const R q1 = qx * kmath::cos(g) + qy * kmath::sin(g), q2 = qx * kmath::cos(g + dl) + qy * kmath::sin(g + dl);
        fp = fp * detail::ft_pdf2(int(pd[0]), q1, q2, pd[1], pd[2]);
        if (p[4] != R(0)) fp = fp * kmath::exp(-len / p[4]);
        r *= detail::paracrystal_sum(fp, int(kmath::fabs((idx ? p[6] : p[5]) / len)));
      }
      return r;
    }
    case Interference::hard_disk: {
      // S = 1 / (1 - rho c(q)), c(q) = 2 pi int_0^1 x C(x) J0(2 q_par R x) dx (Percus-Yevick, BornAgain)
      const R qq = R(2) * kmath::sqrt(qx * qx + qy * qy) * p[0];
      const R eta = p[2], c0 = p[3], s2 = p[4];
      const int n = int(p[5]);
      const R* gx = gl_x + n * (n - 1) / 2;
      const R* gw = gl_w + n * (n - 1) / 2;
      R integral = 0;
      for (int k = 0; k < n; ++k) {
        const R x = R(0.5) * (gx[k] + R(1)), h = R(0.5) * x;
        const R w2 = R(2) * (kmath::acos(h) - h * kmath::sqrt(R(1) - h * h)) / kmath::pi<R>();
        const R cx = c0 * (R(1) + R(4) * eta * (w2 - R(1)) + s2 * x);
        integral += gw[k] * x * cx * detail::bessel_j0_real(qq * x);
      }
      const R cq = R(2) * kmath::pi<R>() * R(0.5) * integral;
      return R(1) / (R(1) - R(4) * eta / kmath::pi<R>() * cq);
    }
    default: return R(1);
  }
}

}  // namespace beamkit::scattering
