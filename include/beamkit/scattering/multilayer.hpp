// SPDX-License-Identifier: BSD-3-Clause
// Scalar Parratt recursion for a stack of layers (ambient = layer 0 ... substrate = last), with
// Nevot-Croce roughness of each layer's top interface. Amplitudes T_j, R_j of the down- and up-going
// waves in layer j are referenced at the top of layer j (for the ambient: at its bottom, z = 0), i.e.
// the field in layer j is T_j exp(-i kz_j (z - z_j)) + R_j exp(+i kz_j (z - z_j)), Im kz_j >= 0.
#pragma once
#include <beamkit/scattering/detail/cmath.hpp>

namespace beamkit::scattering {

constexpr int kMaxLayers = 32;

template <class Real> struct LayerData {
  Kokkos::complex<Real> eps;  ///< n^2, n = 1 - delta + i beta
  Kokkos::complex<Real> epsm1;  ///< n^2 - 1, computed in double (kz^2 = k^2 (eps - eps_0 cos^2) loses digits in float)
  Real thickness = 0;         ///< nm (0 for ambient and substrate)
  Real sigma = 0;             ///< r.m.s. roughness of the top interface (nm), Nevot-Croce
};

template <class Real> struct Amplitudes {
  Kokkos::complex<Real> kz, T, R;
};

/// Amplitudes in layer j for a wave of vacuum wavenumber k at grazing angle alpha (sin_a = sin alpha)
/// coming from the ambient (nl layers, nl <= kMaxLayers).
template <class R>
KOKKOS_INLINE_FUNCTION Amplitudes<R> parratt(const LayerData<R>* L, int nl, int j, R k, R sin_a) {
  using Cx = Kokkos::complex<R>;
  Amplitudes<R> out;
  if (sin_a <= R(0)) {  // below the horizon: no wave reaches the layer from the ambient
    out.kz = Cx(0, 0);
    out.T = Cx(0, 0);
    out.R = Cx(0, 0);
    return out;
  }
  // eps_l - eps_0 cos^2(a) = (epsm1_l - epsm1_0) + eps_0 sin^2(a)
  const Cx s2 = L[0].eps * (sin_a * sin_a);
  Cx kz[kMaxLayers], X[kMaxLayers];
  for (int l = 0; l < nl; ++l) kz[l] = k * detail::csqrt_upper((L[l].epsm1 - L[0].epsm1) + s2);
  if (nl == 1) {
    out.kz = kz[0];
    out.T = Cx(1, 0);
    out.R = Cx(0, 0);
    return out;
  }
  X[nl - 1] = Cx(0, 0);
  for (int l = nl - 2; l >= 0; --l) {
    const R s = L[l + 1].sigma;
    Cx r = (kz[l] - kz[l + 1]) / (kz[l] + kz[l + 1]);
    if (s > R(0)) r = r * detail::cexp(R(-2) * s * s * kz[l] * kz[l + 1]);
    const Cx ph = l == 0 ? Cx(1, 0) : detail::cexpi(R(2) * L[l].thickness * kz[l]);
    X[l] = ph * (r + X[l + 1]) / (R(1) + r * X[l + 1]);
  }
  Cx T(1, 0);
  for (int l = 0; l < j; ++l) {
    const R s = L[l + 1].sigma;
    Cx r = (kz[l] - kz[l + 1]) / (kz[l] + kz[l + 1]);
    Cx t = R(2) * kz[l] / (kz[l] + kz[l + 1]);
    if (s > R(0)) {
      r = r * detail::cexp(R(-2) * s * s * kz[l] * kz[l + 1]);
      const Cx dk = kz[l] - kz[l + 1];
      t = t * detail::cexp(R(0.5) * s * s * dk * dk);
    }
    const Cx a = l == 0 ? T : T * detail::cexpi(L[l].thickness * kz[l]);
    T = a * t / (R(1) + r * X[l + 1]);
  }
  out.kz = kz[j];
  out.T = T;
  out.R = X[j] * T;
  return out;
}

}  // namespace beamkit::scattering
