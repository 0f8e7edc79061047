// SPDX-License-Identifier: BSD-3-Clause
// 3-D superlattices of particles (a grain of a nanoparticle crystal, as HipGISAXS's "lattice" structure
// factors): simple cubic, BCC, FCC (conventional cubic cell with its 1/2/4-point basis) and HCP
// (hexagonal cell a, a, c with the 2-point basis), n1 x n2 x n3 cells. The grain's amplitude is the
// particle's form factor times the finite lattice sum
//   L(q) = sum_basis exp(i q.b) * prod_k D(q.a_k, n_k),   D(phi, n) = sum_{m<n} exp(i m phi)
//        = (1 - exp(i n phi)) / (1 - exp(i phi)),
// evaluated for complex q (each DWBA term has its own complex q_z); near a Bragg peak (|1 - exp(i phi)|
// < 0.05) D is summed term by term, so the closed form is never used where it cancels. Orientation of
// a grain = the particle's rotation (lattice vectors rotated with the shape on the host); oriented /
// random grains = the particle's orientation distribution (incoherent average over grains).
#pragma once
#include <beamkit/scattering/detail/cmath.hpp>

namespace beamkit::scattering {

enum class Lattice3D : int { none = 0, sc, bcc, fcc, hcp };

template <class Real> struct LatticeData {
  int nbasis = 0;        ///< 0: no superlattice (a single particle)
  int n[3] = {1, 1, 1};  ///< repetitions along a1, a2, a3
  Real a[9] = {};        ///< lattice vectors (rows), rotated, nm
  Real b[12] = {};       ///< basis positions (up to 4 x (x, y, z)), rotated, nm
};

namespace detail {
/// sum_{m=0}^{n-1} exp(i m phi) for complex phi.
template <class R> KOKKOS_INLINE_FUNCTION Kokkos::complex<R> dirichlet(const Kokkos::complex<R>& phi, int n) {
  using Cx = Kokkos::complex<R>;
  const Cx z = cexpi(phi);
  const Cx d = Cx(1, 0) - z;
  if (cnorm(d) > R(0.0025)) return cdiv(Cx(1, 0) - cexpi(R(n) * phi), d);
  Cx s(0, 0), t(1, 0);
  for (int m = 0; m < n; ++m) {
    s += t;
    t = t * z;
  }
  return s;
}
}  // namespace detail

/// Finite lattice sum L(q) of a superlattice (1 for a plain particle).
template <class R>
KOKKOS_INLINE_FUNCTION Kokkos::complex<R> superlattice_factor(const LatticeData<R>& L, const Kokkos::complex<R>& qx,
                                                              const Kokkos::complex<R>& qy, const Kokkos::complex<R>& qz) {
  using Cx = Kokkos::complex<R>;
  if (L.nbasis == 0) return Cx(1, 0);
  Cx f(1, 0);
  for (int k = 0; k < 3; ++k)
    if (L.n[k] > 1) f = f * detail::dirichlet(qx * L.a[3 * k] + qy * L.a[3 * k + 1] + qz * L.a[3 * k + 2], L.n[k]);
  Cx s(0, 0);
  for (int j = 0; j < L.nbasis; ++j) s += detail::cexpi(qx * L.b[3 * j] + qy * L.b[3 * j + 1] + qz * L.b[3 * j + 2]);
  return f * s;
}

}  // namespace beamkit::scattering
