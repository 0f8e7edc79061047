// SPDX-License-Identifier: BSD-3-Clause
// Particle form factors F(q) = integral over the particle of exp(i q.r) d^3r for complex q (inside
// absorbing media only q_z is complex, but every component may be). Conventions follow BornAgain 1.19:
// the origin is the centre of the particle's bottom face (z from 0 to the height), q = k_i - k_f.
// Shapes are POD parameters + `enum class Shape` + one KOKKOS_INLINE_FUNCTION switch (no virtuals).
// Closed forms where they exist; shapes built of circular/elliptic slices use a fixed-order
// Gauss-Legendre rule along z whose order is fixed per simulation (never adaptive per q); polyhedra
// (pyramids, prisms, tetrahedra, grating ridges, triangulated meshes) use a decomposition into
// tetrahedra/triangles with divided differences of exp(i x), stable at q -> 0 (F(0) = volume).
#pragma once
#include <beamkit/scattering/detail/cmath.hpp>

namespace beamkit::scattering {

enum class Shape : int {
  sphere = 0,            ///< p: radius
  truncated_sphere,      ///< p: radius, height (from the bottom cut), dh (removed from the top)
  spheroid,              ///< p: radius (x,y semi-axis), height (full z axis = 2 * z semi-axis)
  truncated_spheroid,    ///< p: radius, height, fp (z semi-axis / radius), dh
  hemi_ellipsoid,        ///< p: a (x), b (y), c (height)
  cylinder,              ///< p: radius, height
  elliptic_cylinder,     ///< p: a (x semi-axis), b (y semi-axis), height
  box,                   ///< p: length (x), width (y), height
  cone,                  ///< p: radius (bottom), height, alpha (base angle, rad); truncated when top radius > 0
  pyramid,               ///< p: base edge, height, alpha (rad): square (truncated) pyramid
  aniso_pyramid,         ///< p: length (x), width (y), height, alpha (rad): rectangular (truncated) pyramid
  tetrahedron,           ///< p: base edge, height, alpha (rad): triangular (truncated) pyramid
  cone6,                 ///< p: base radius (hexagon), height, alpha (rad)
  prism3,                ///< p: base edge, height (triangle pointing to +x)
  prism6,                ///< p: base radius (= edge), height (corners on the x axis)
  ridge,                 ///< p: length (x), width (bottom, y), height, side-wall angle (rad): trapezoidal grating line
  mesh,                  ///< closed triangulated surface (vertices/triangles in MeshData), p[0..2] = reference point
  count_
};

/// Parameters of one shape. Angles in radians, lengths in nm. Rotation about z by `rot` = (cos, sin).
template <class Real> struct ShapeParams {
  Shape shape = Shape::sphere;
  Real p[6] = {0, 0, 0, 0, 0, 0};
  Real rot_c = 1, rot_s = 0;
  bool rot_general = false;  ///< rotation not about z only: rot = R (row-major), F_rot(q) = F(R^T q)
  Real rot[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  int gl_n = 0;                  ///< Gauss-Legendre order for slice-integrated shapes
  int mesh_first = 0, mesh_ntri = 0;  ///< triangles [first, first + ntri) of the MeshData tables
};

/// Device-side tables shared by all shapes of a simulation.
template <class Real> struct FFTables {
  const Real* gl_x = nullptr;  ///< nodes on [-1, 1] for orders 1..kMaxGL, order n at offset n(n-1)/2
  const Real* gl_w = nullptr;
  const Real* mesh_v = nullptr;  ///< vertices x,y,z
  const int* mesh_t = nullptr;   ///< triangles (3 vertex indices, outward counter-clockwise)
};
constexpr int kMaxGL = 128;
KOKKOS_INLINE_FUNCTION constexpr int gl_offset(int n) { return n * (n - 1) / 2; }

namespace detail {

template <class R> struct CVec {
  C<R> x, y, z;
};

/// z range [z0, z1] of a sliced shape.
template <class R> KOKKOS_INLINE_FUNCTION void slice_range(const ShapeParams<R>& s, R& z0, R& z1) {
  const R* p = s.p;
  z0 = 0;
  z1 = 0;
  switch (s.shape) {
    case Shape::truncated_sphere: z1 = p[1] - p[2]; break;
    case Shape::truncated_spheroid: z1 = p[1] - p[3]; break;
    case Shape::hemi_ellipsoid: z1 = p[2]; break;
    case Shape::cone: z1 = p[1]; break;
    default: break;
  }
}

/// Weighted slice transforms sl[k] = w_k (H/2) A(z_k) S(q_par, z_k) of the Gauss-Legendre nodes of a
/// sliced shape (real and imaginary parts in sr/si). Returns true when all are real (si untouched).
template <class R>
KOKKOS_INLINE_FUNCTION bool slice_weights(const ShapeParams<R>& s, const FFTables<R>& t, const C<R>& qx, const C<R>& qy,
                                          R* sr, R* si) {
  const int n = s.gl_n;
  const R* gx = t.gl_x + gl_offset(n);
  const R* gw = t.gl_w + gl_offset(n);
  R z0, z1;
  slice_range(s, z0, z1);
  const R* p = s.p;
  const R half = R(0.5) * (z1 - z0), mid = R(0.5) * (z1 + z0);
  const C<R> qpar2 = qx * qx + qy * qy;
  const bool circular = s.shape != Shape::hemi_ellipsoid;
  if (circular && qpar2.imag() == R(0) && qpar2.real() >= R(0)) {
    // real q_par (rotations about z): the Bessel series of all nodes at once, node-inner loops without
    // data-dependent exits (vectorisable); the number of terms is fixed by the largest argument
    R r2v[kMaxGL], term[kMaxGL], w4[kMaxGL];
    R x2max = 0;
    const R cot = s.shape == Shape::cone ? R(1) / kmath::tan(p[2]) : R(0);
    for (int k = 0; k < n; ++k) {
      const R z = mid + half * gx[k];
      R r2 = 0;
      if (s.shape == Shape::truncated_sphere) {
        const R dz = z - (p[1] - p[0]);
        r2 = kmath::max(R(0), p[0] * p[0] - dz * dz);
      } else if (s.shape == Shape::truncated_spheroid) {
        const R c = p[2] * p[0];
        const R dz = (z - (p[1] - c)) / c;
        r2 = kmath::max(R(0), p[0] * p[0] * (R(1) - dz * dz));
      } else if (s.shape == Shape::cone) {
        const R r = p[0] - z * cot;
        r2 = r * r;
      }
      r2v[k] = r2;
      const R x2 = qpar2.real() * r2;
      w4[k] = -x2 / R(4);
      x2max = kmath::max(x2max, x2);
    }
    R* sum = sr;
    if (x2max <= R(256)) {  // |x| <= 16 everywhere: power series (as bessel_j1c_real)
      for (int k = 0; k < n; ++k) term[k] = sum[k] = R(1);
      R bound = 1;  // the largest |term| over the nodes, (x2max/4)^j / (j! (j+1)!)
      for (int jt = 1; jt <= 60; ++jt) {
        const R cj = R(1) / R(jt * (jt + 1));
        bound *= R(0.25) * x2max * cj;
        for (int k = 0; k < n; ++k) {
          term[k] *= w4[k] * cj;
          sum[k] += term[k];
        }
        if (bound < R(1e-18)) break;
      }
    } else {
      for (int k = 0; k < n; ++k) sum[k] = bessel_j1c_real(kmath::sqrt(-R(4) * w4[k]));
    }
    for (int k = 0; k < n; ++k) sr[k] = kmath::pi<R>() * r2v[k] * sum[k] * (gw[k] * half);
    return true;
  }
  for (int k = 0; k < n; ++k) {
    const R z = mid + half * gx[k];
    C<R> slice;
    switch (s.shape) {
      case Shape::truncated_sphere: {
        const R dz = z - (p[1] - p[0]);
        const R r2 = kmath::max(R(0), p[0] * p[0] - dz * dz);
        slice = kmath::pi<R>() * r2 * bessel_j1c_auto(csqrt(qpar2 * r2));
        break;
      }
      case Shape::truncated_spheroid: {
        const R c = p[2] * p[0];
        const R dz = (z - (p[1] - c)) / c;
        const R r2 = kmath::max(R(0), p[0] * p[0] * (R(1) - dz * dz));
        slice = kmath::pi<R>() * r2 * bessel_j1c_auto(csqrt(qpar2 * r2));
        break;
      }
      case Shape::hemi_ellipsoid: {
        const R u = z / p[2];
        const R f2 = kmath::max(R(0), R(1) - u * u);
        const C<R> a = qx * p[0], b = qy * p[1];
        slice = kmath::pi<R>() * p[0] * p[1] * f2 * bessel_j1c_auto(csqrt((a * a + b * b) * f2));
        break;
      }
      case Shape::cone: {
        const R r = p[0] - z / kmath::tan(p[2]);
        const R r2 = r * r;
        slice = kmath::pi<R>() * r2 * bessel_j1c_auto(csqrt(qpar2 * r2));
        break;
      }
      default: slice = C<R>(0, 0);
    }
    slice = slice * (gw[k] * half);
    sr[k] = slice.real();
    si[k] = slice.imag();
  }
  return false;
}

/// Slice integral  sum_k w_k A(z_k) S(q_par, z_k) exp(i qz z_k)  for nq values of qz at once.
/// kind 0: circular slices r(z); kind 1: elliptic slices (a s(z), b s(z)).
template <class R>
KOKKOS_INLINE_FUNCTION void slices(const ShapeParams<R>& s, const FFTables<R>& t, const C<R>& qx, const C<R>& qy,
                                   const C<R>* qz, int nq, C<R>* out, bool dwba4 = false) {
  // DWBA: qz = {-a-b, a-b, -a+b, a+b}; exp(i qz z) from exp(+-i a z), exp(+-i b z)
  const C<R> qa = R(0.5) * (qz[3] + qz[1]), qb = R(0.5) * (qz[3] - qz[1]);
  const int n = s.gl_n;
  const R* gx = t.gl_x + gl_offset(n);
  R z0, z1;
  slice_range(s, z0, z1);
  const R half = R(0.5) * (z1 - z0), mid = R(0.5) * (z1 + z0);
  for (int j = 0; j < nq; ++j) out[j] = C<R>(0, 0);
  R sr[kMaxGL], si[kMaxGL];
  if (slice_weights(s, t, qx, qy, sr, si))
    for (int k = 0; k < n; ++k) si[k] = R(0);
  auto sl = [&](int k) { return C<R>(sr[k], si[k]); };
  // 2) the z phases. DWBA: exp(i qz z) from exp(+-i a z) exp(+-i b z); the Gauss-Legendre nodes are
  // symmetric about mid, so the mirrored node's exp(i a z') = exp(2 i a mid) / exp(i a z): one complex
  // exponential per pair of nodes and wavevector
  if (dwba4) {
    auto inv = [](const C<R>& e, bool real) { return real ? Kokkos::conj(e) : cdiv(C<R>(1, 0), e); };
    const bool ra = qa.imag() == R(0), rb = qb.imag() == R(0);
    const C<R> Ea = cexpi(R(2) * mid * qa), Eb = cexpi(R(2) * mid * qb);
    const C<R> Ea_ = inv(Ea, ra), Eb_ = inv(Eb, rb);
    auto add = [&](const C<R>& slice, const C<R>& ea, const C<R>& ea_, const C<R>& eb, const C<R>& eb_) {
      const C<R> sa = slice * ea, sa_ = slice * ea_;
      out[0] += sa_ * eb_;
      out[1] += sa * eb_;
      out[2] += sa_ * eb;
      out[3] += sa * eb;
    };
    for (int k = 0; k < n / 2; ++k) {
      const R z = mid + half * gx[k];
      const C<R> ea = cexpi(qa * z), eb = cexpi(qb * z);
      const C<R> ea_ = inv(ea, ra), eb_ = inv(eb, rb);
      add(sl(k), ea, ea_, eb, eb_);
      add(sl(n - 1 - k), Ea * ea_, Ea_ * ea, Eb * eb_, Eb_ * eb);  // node n-1-k = 2 mid - z
    }
    if (n % 2) {
      const int k = n / 2;
      const R z = mid + half * gx[k];
      const C<R> ea = cexpi(qa * z), eb = cexpi(qb * z);
      add(sl(k), ea, inv(ea, ra), eb, inv(eb, rb));
    }
  } else {
    for (int k = 0; k < n; ++k) {
      const R z = mid + half * gx[k];
      for (int j = 0; j < nq; ++j) out[j] += sl(k) * cexpi(qz[j] * z);
    }
  }
}

/// Convex frustum: base polygon v (n vertices, CCW) at z = 0, top polygon vt at z = h (may be degenerate).
template <class R>
KOKKOS_INLINE_FUNCTION C<R> frustum2(const R (*v)[2], const R (*vt)[2], int n, R h, const CVec<R>& q) {
  C<R> x[13], e[13];
  R pos[13][3];
  for (int k = 0; k < n; ++k) {
    pos[k][0] = v[k][0];
    pos[k][1] = v[k][1];
    pos[k][2] = 0;
    pos[n + k][0] = vt[k][0];
    pos[n + k][1] = vt[k][1];
    pos[n + k][2] = h;
  }
  pos[2 * n][0] = 0;
  pos[2 * n][1] = 0;
  pos[2 * n][2] = R(0.5) * h;
  for (int k = 0; k <= 2 * n; ++k) {
    x[k] = q.x * pos[k][0] + q.y * pos[k][1] + q.z * pos[k][2];
    e[k] = cexpi(x[k]);
  }
  const int c = 2 * n;
  C<R> sum(0, 0);
  auto tet = [&](int a, int b, int d) {
    const R ax = pos[a][0] - pos[c][0], ay = pos[a][1] - pos[c][1], az = pos[a][2] - pos[c][2];
    const R bx = pos[b][0] - pos[c][0], by = pos[b][1] - pos[c][1], bz = pos[b][2] - pos[c][2];
    const R dx = pos[d][0] - pos[c][0], dy = pos[d][1] - pos[c][1], dz = pos[d][2] - pos[c][2];
    const R trip = kmath::fabs(ax * (by * dz - bz * dy) - ay * (bx * dz - bz * dx) + az * (bx * dy - by * dx));
    if (trip == R(0)) return;
    const C<R> xs[4] = {x[c], x[a], x[b], x[d]};
    const C<R> es[4] = {e[c], e[a], e[b], e[d]};
    sum += trip * dd3(xs, es);
  };
  for (int k = 1; k + 1 < n; ++k) {
    tet(0, k, k + 1);
    tet(n, n + k, n + k + 1);
  }
  for (int k = 0; k < n; ++k) {
    const int k1 = (k + 1) % n;
    tet(k, k1, n + k1);
    tet(k, n + k1, n + k);
  }
  return C<R>(0, 1) * sum;
}

/// Cone over a convex base polygon v (z = 0) with apex (0, 0, za): fan of n - 2 tetrahedra.
template <class R>
KOKKOS_INLINE_FUNCTION C<R> apex_cone(const R (*v)[2], int n, R za, const CVec<R>& q) {
  C<R> x[6], e[6];
  for (int k = 0; k < n; ++k) {
    x[k] = q.x * v[k][0] + q.y * v[k][1];
    e[k] = cexpi(x[k]);
  }
  const C<R> xa = q.z * za, ea = cexpi(xa);
  C<R> sum(0, 0);
  for (int k = 1; k + 1 < n; ++k) {
    const R trip = kmath::fabs(za * ((v[k][0] - v[0][0]) * (v[k + 1][1] - v[0][1]) - (v[k][1] - v[0][1]) * (v[k + 1][0] - v[0][0])));
    const C<R> xs[4] = {xa, x[0], x[k], x[k + 1]};
    const C<R> es[4] = {ea, e[0], e[k], e[k + 1]};
    sum += trip * dd3(xs, es);
  }
  return C<R>(0, 1) * sum;
}

/// Regular truncated pyramid (scale < 0.75) for nq values of qz sharing (qx, qy): big cone minus top
/// cone, with the in-plane exponentials of the base vertices computed once.
template <class R>
KOKKOS_INLINE_FUNCTION void pyramid_multi(const R (*v)[2], int n, R scale, R h, const C<R>& qx, const C<R>& qy, const C<R>* qz,
                                          int nq, C<R>* out, const C<R>* e_za = nullptr, const C<R>* e_h = nullptr) {
  // e_za, e_h (optional): exp(i qz[j] za) and exp(i qz[j] h), e.g. from per-row tables
  const R za = h / (R(1) - scale);
  C<R> xb[6], eb[6], xs[6], es[6];
  R area2[6];
  // point-symmetric base (square, hexagon: v[k + n/2] = -v[k]): x[k + n/2] = -x[k], so e^{i x[k + n/2]}
  // is 1/e^{i x[k]} (the conjugate for real q_par): half the complex exponentials
  bool central = n % 2 == 0;
  for (int k = 0; central && k < n / 2; ++k)
    central = v[k + n / 2][0] == -v[k][0] && v[k + n / 2][1] == -v[k][1];
  const bool real_q = qx.imag() == R(0) && qy.imag() == R(0);
  for (int k = 0; k < n; ++k) {
    xb[k] = qx * v[k][0] + qy * v[k][1];
    xs[k] = scale * xb[k];
    if (central && k >= n / 2) {
      const C<R>& e0 = eb[k - n / 2];
      const C<R>& f0 = es[k - n / 2];
      eb[k] = real_q ? Kokkos::conj(e0) : cdiv(C<R>(1, 0), e0);
      es[k] = real_q ? Kokkos::conj(f0) : cdiv(C<R>(1, 0), f0);
    } else {
      eb[k] = cexpi(xb[k]);
      es[k] = scale > R(0) ? cexpi(xs[k]) : C<R>(1, 0);
    }
  }
  for (int k = 1; k + 1 < n; ++k)
    area2[k] = kmath::fabs((v[k][0] - v[0][0]) * (v[k + 1][1] - v[0][1]) - (v[k][1] - v[0][1]) * (v[k + 1][0] - v[0][0]));
  // divided differences of the base nodes alone are shared by all qz: E[b0,bk], E[bk,bk+1], E[b0,bk,bk+1]
  C<R> d1b[6], d2b[6], d1s[6], d2s[6];
  for (int k = 1; k < n; ++k) {
    d1b[k] = dd1(xb[0], xb[k], eb[0], eb[k]);
    if (scale > R(0)) d1s[k] = dd1(xs[0], xs[k], es[0], es[k]);
  }
  for (int k = 1; k + 1 < n; ++k) {
    const C<R> x3[3] = {xb[0], xb[k], xb[k + 1]};
    d2b[k] = dd2_pairs(x3, d1b[k], d1b[k + 1], dd1(xb[k], xb[k + 1], eb[k], eb[k + 1]));
    if (scale > R(0)) {
      const C<R> y3[3] = {xs[0], xs[k], xs[k + 1]};
      d2s[k] = dd2_pairs(y3, d1s[k], d1s[k + 1], dd1(xs[k], xs[k + 1], es[k], es[k + 1]));
    }
  }
  const R r2 = DDConst<R>::radius * DDConst<R>::radius;
  // E[xa, b0, bk, bk+1] by adding the apex to the shared base differences when it is far from every
  // base node (stable), otherwise the general dd3
  auto cone = [&](const C<R>& xa, const C<R>& ea, const C<R>* x, const C<R>* e, const C<R>* d1, const C<R>* d2,
                  const C<R>& shift_e, R height, R area_scale) {
    bool far = true;
    for (int k = 0; k < n; ++k) far = far && cnorm(x[k] - xa) > r2;
    C<R> sum(0, 0);
    if (far) {
      const C<R> a0 = cdiv(e[0] * shift_e - ea, x[0] - xa);
      for (int k = 1; k + 1 < n; ++k) {
        const C<R> a1 = cdiv(d1[k] * shift_e - a0, x[k] - xa);
        const C<R> a2 = cdiv(d2[k] * shift_e - a1, x[k + 1] - xa);
        sum += (height * area_scale * area2[k]) * a2;
      }
    } else {
      for (int k = 1; k + 1 < n; ++k) {
        const C<R> x4[4] = {xa, x[0], x[k], x[k + 1]};
        const C<R> e4[4] = {ea, e[0] * shift_e, e[k] * shift_e, e[k + 1] * shift_e};
        sum += (height * area_scale * area2[k]) * dd3(x4, e4);
      }
    }
    return sum;
  };
  for (int j = 0; j < nq; ++j) {
    const C<R> xa = qz[j] * za, ea = e_za ? e_za[j] : cexpi(xa);
    C<R> sum = cone(xa, ea, xb, eb, d1b, d2b, C<R>(1, 0), za, R(1));
    if (scale > R(0)) {
      const C<R> xh = qz[j] * h, eh = e_h ? e_h[j] : cexpi(xh);
      C<R> xsh[6];
      for (int k = 0; k < n; ++k) xsh[k] = xs[k] + xh;
      sum -= cone(xa, ea, xsh, es, d1s, d2s, eh, za - h, scale * scale);
    }
    out[j] = C<R>(0, 1) * sum;
  }
}

template <class R>
KOKKOS_INLINE_FUNCTION C<R> frustum(const R (*v)[2], int n, R scale, R h, const CVec<R>& q) {
  // Regular (truncated) pyramids: big cone minus the cone above the top face (2 (n-2) tetrahedra)
  // when the apex is not far above the top (otherwise the difference would cancel digits).
  if (scale < R(0.75)) {
    const R za = h / (R(1) - scale);
    C<R> f = apex_cone(v, n, za, q);
    if (scale > R(0)) {
      R vt[6][2];
      for (int k = 0; k < n; ++k) {
        vt[k][0] = scale * v[k][0];
        vt[k][1] = scale * v[k][1];
      }
      // the small cone: base at z = h, apex at za; shift in z by h (phase) and height za - h
      f -= apex_cone(vt, n, za - h, q) * cexpi(q.z * h);
    }
    return f;
  }
  R vt[6][2];
  for (int k = 0; k < n; ++k) {
    vt[k][0] = scale * v[k][0];
    vt[k][1] = scale * v[k][1];
  }
  return frustum2(v, vt, n, h, q);
}

/// 2-D transform of a convex polygon (vertices (u, v)) at wavevector components (qu, qv).
template <class R>
KOKKOS_INLINE_FUNCTION C<R> polygon2d(const R (*v)[2], int n, const C<R>& qu, const C<R>& qv) {
  C<R> x[8], e[8];
  for (int k = 0; k < n; ++k) {
    x[k] = qu * v[k][0] + qv * v[k][1];
    e[k] = cexpi(x[k]);
  }
  C<R> sum(0, 0);
  for (int k = 1; k + 1 < n; ++k) {
    const R area2 = kmath::fabs((v[k][0] - v[0][0]) * (v[k + 1][1] - v[0][1]) - (v[k][1] - v[0][1]) * (v[k + 1][0] - v[0][0]));
    if (area2 == R(0)) continue;
    const C<R> xs[3] = {x[0], x[k], x[k + 1]};
    const C<R> es[3] = {e[0], e[k], e[k + 1]};
    sum += area2 * dd2(xs, es);
  }
  return -sum;
}

template <class R>
KOKKOS_INLINE_FUNCTION C<R> mesh_ff(const ShapeParams<R>& s, const FFTables<R>& t, const CVec<R>& q) {
  const R cx = s.p[0], cy = s.p[1], cz = s.p[2];
  const C<R> xc = q.x * cx + q.y * cy + q.z * cz;
  const C<R> ec = cexpi(xc);
  C<R> sum(0, 0);
  for (int k = s.mesh_first; k < s.mesh_first + s.mesh_ntri; ++k) {
    C<R> xs[4], es[4];
    R d[3][3];
    xs[0] = xc;
    es[0] = ec;
    for (int m = 0; m < 3; ++m) {
      const R* v = t.mesh_v + 3 * t.mesh_t[3 * k + m];
      d[m][0] = v[0] - cx;
      d[m][1] = v[1] - cy;
      d[m][2] = v[2] - cz;
      xs[m + 1] = q.x * v[0] + q.y * v[1] + q.z * v[2];
      es[m + 1] = cexpi(xs[m + 1]);
    }
    const R trip = d[0][0] * (d[1][1] * d[2][2] - d[1][2] * d[2][1]) - d[0][1] * (d[1][0] * d[2][2] - d[1][2] * d[2][0]) +
                   d[0][2] * (d[1][0] * d[2][1] - d[1][1] * d[2][0]);
    if (trip == R(0)) continue;
    sum += trip * dd3(xs, es);
  }
  return C<R>(0, 1) * sum;
}

template <class R>
KOKKOS_INLINE_FUNCTION C<R> ff_single(const ShapeParams<R>& s, const FFTables<R>& t, const CVec<R>& q) {
  const R* p = s.p;
  const R pi = kmath::pi<R>();
  switch (s.shape) {
    case Shape::sphere: {
      const C<R> qq = csqrt(q.x * q.x + q.y * q.y + q.z * q.z);
      return (R(4) / R(3) * pi * p[0] * p[0] * p[0]) * sphere_kernel(qq * p[0]) * cexpi(q.z * p[0]);
    }
    case Shape::spheroid: {
      const R c = R(0.5) * p[1];
      const C<R> a = q.x * p[0], b = q.y * p[0], d = q.z * c;
      return (R(4) / R(3) * pi * p[0] * p[0] * c) * sphere_kernel(csqrt(a * a + b * b + d * d)) * cexpi(q.z * c);
    }
    case Shape::cylinder: {
      const C<R> qr = csqrt(q.x * q.x + q.y * q.y) * p[0];
      const C<R> hz = q.z * (R(0.5) * p[1]);
      return (pi * p[0] * p[0] * p[1]) * bessel_j1c(qr) * sinc(hz) * cexpi(hz);
    }
    case Shape::elliptic_cylinder: {
      const C<R> a = q.x * p[0], b = q.y * p[1];
      const C<R> hz = q.z * (R(0.5) * p[2]);
      return (pi * p[0] * p[1] * p[2]) * bessel_j1c(csqrt(a * a + b * b)) * sinc(hz) * cexpi(hz);
    }
    case Shape::box: {
      const C<R> hz = q.z * (R(0.5) * p[2]);
      return (p[0] * p[1] * p[2]) * sinc(q.x * (R(0.5) * p[0])) * sinc(q.y * (R(0.5) * p[1])) * sinc(hz) * cexpi(hz);
    }
    case Shape::pyramid: {
      const R a = R(0.5) * p[0];
      const R v[4][2] = {{-a, -a}, {a, -a}, {a, a}, {-a, a}};
      return frustum(v, 4, R(1) - p[1] / (a * kmath::tan(p[2])), p[1], q);
    }
    case Shape::aniso_pyramid: {
      const R a = R(0.5) * p[0], b = R(0.5) * p[1], d = p[2] / kmath::tan(p[3]);
      const R v[4][2] = {{-a, -b}, {a, -b}, {a, b}, {-a, b}};
      const R vt[4][2] = {{-a + d, -b + d}, {a - d, -b + d}, {a - d, b - d}, {-a + d, b - d}};
      return frustum2(v, vt, 4, p[2], q);
    }
    case Shape::tetrahedron: {
      const R L = p[0], as = L / 2, ac = L / kmath::sqrt(R(3)) / 2, ah = L / kmath::sqrt(R(3));
      const R v[3][2] = {{-ac, -as}, {ah, 0}, {-ac, as}};
      return frustum(v, 3, R(1) - p[1] / (ac * kmath::tan(p[2])), p[1], q);
    }
    case Shape::cone6: {
      const R a = p[0], as = a * kmath::sqrt(R(3)) / 2, ac = a / 2;
      const R v[6][2] = {{a, 0}, {ac, as}, {-ac, as}, {-a, 0}, {-ac, -as}, {ac, -as}};
      return frustum(v, 6, R(1) - p[1] / (as * kmath::tan(p[2])), p[1], q);
    }
    case Shape::prism3: {
      const R L = p[0], as = L / 2, ac = L / kmath::sqrt(R(3)) / 2, ah = L / kmath::sqrt(R(3));
      const R v[3][2] = {{-ac, -as}, {ah, 0}, {-ac, as}};
      const C<R> hz = q.z * (R(0.5) * p[1]);
      return p[1] * polygon2d(v, 3, q.x, q.y) * sinc(hz) * cexpi(hz);
    }
    case Shape::prism6: {
      const R a = p[0], as = a * kmath::sqrt(R(3)) / 2, ac = a / 2;
      const R v[6][2] = {{a, 0}, {ac, as}, {-ac, as}, {-a, 0}, {-ac, -as}, {ac, -as}};
      const C<R> hz = q.z * (R(0.5) * p[1]);
      return p[1] * polygon2d(v, 6, q.x, q.y) * sinc(hz) * cexpi(hz);
    }
    case Shape::ridge: {
      const R w = R(0.5) * p[1], h = p[2], d = p[2] / kmath::tan(p[3]);
      const R v[4][2] = {{-w, 0}, {w, 0}, {w - d, h}, {-w + d, h}};
      return p[0] * sinc(q.x * (R(0.5) * p[0])) * polygon2d(v, 4, q.y, q.z);
    }
    case Shape::mesh: return mesh_ff(s, t, q);
    default: {
      C<R> out;
      slices(s, t, q.x, q.y, &q.z, 1, &out);
      return out;
    }
  }
}

KOKKOS_INLINE_FUNCTION constexpr bool is_sliced(Shape s) {
  return s == Shape::truncated_sphere || s == Shape::truncated_spheroid || s == Shape::hemi_ellipsoid || s == Shape::cone;
}

/// Shapes F = lateral(q_x, q_y) x h sinc(q_z h/2) e^{i q_z h/2}: the lateral part and the height h.
template <class R>
KOKKOS_INLINE_FUNCTION bool separable_lateral(const ShapeParams<R>& s, const C<R>& rx, const C<R>& ry, C<R>& lateral, R& h) {
  const R* p = s.p;
  switch (s.shape) {
    case Shape::cylinder:
      lateral = (kmath::pi<R>() * p[0] * p[0]) * bessel_j1c_auto(csqrt(rx * rx + ry * ry) * p[0]);
      h = p[1];
      return true;
    case Shape::elliptic_cylinder: {
      const C<R> a = rx * p[0], b = ry * p[1];
      lateral = (kmath::pi<R>() * p[0] * p[1]) * bessel_j1c_auto(csqrt(a * a + b * b));
      h = p[2];
      return true;
    }
    case Shape::box:
      lateral = (p[0] * p[1]) * sinc(rx * (R(0.5) * p[0])) * sinc(ry * (R(0.5) * p[1]));
      h = p[2];
      return true;
    case Shape::prism3: {
      const R L = p[0], as = L / 2, ac = L / kmath::sqrt(R(3)) / 2, ah = L / kmath::sqrt(R(3));
      const R v[3][2] = {{-ac, -as}, {ah, 0}, {-ac, as}};
      lateral = polygon2d(v, 3, rx, ry);
      h = p[1];
      return true;
    }
    case Shape::prism6: {
      const R a = p[0], as = a * kmath::sqrt(R(3)) / 2, ac = a / 2;
      const R v[6][2] = {{a, 0}, {ac, as}, {-ac, as}, {-a, 0}, {-ac, -as}, {ac, -as}};
      lateral = polygon2d(v, 6, rx, ry);
      h = p[1];
      return true;
    }
    default: return false;
  }
}

/// Ridge with vertical side walls (a box along x).
template <class R> KOKKOS_INLINE_FUNCTION bool ridge_is_box(const ShapeParams<R>& s) {
  return s.shape == Shape::ridge && s.p[3] >= R(0.5) * kmath::pi<R>() * (R(1) - R(1e-12));
}

/// Base polygon (n vertices, CCW) of the regular pyramids (square, triangular, hexagonal) and the
/// scale of the top face (1 - height / (inradius tan alpha)).
template <class R> KOKKOS_INLINE_FUNCTION R regular_base(const ShapeParams<R>& s, R (*v)[2], int& n) {
  const R* p = s.p;
  R inr;
  if (s.shape == Shape::pyramid) {
    const R a = R(0.5) * p[0];
    const R vv[4][2] = {{-a, -a}, {a, -a}, {a, a}, {-a, a}};
    for (int k = 0; k < 4; ++k) v[k][0] = vv[k][0], v[k][1] = vv[k][1];
    n = 4;
    inr = a;
  } else if (s.shape == Shape::tetrahedron) {
    const R L = p[0], as = L / 2, ac = L / kmath::sqrt(R(3)) / 2, ah = L / kmath::sqrt(R(3));
    const R vv[3][2] = {{-ac, -as}, {ah, 0}, {-ac, as}};
    for (int k = 0; k < 3; ++k) v[k][0] = vv[k][0], v[k][1] = vv[k][1];
    n = 3;
    inr = ac;
  } else {
    const R a = p[0], as = a * kmath::sqrt(R(3)) / 2, ac = a / 2;
    const R vv[6][2] = {{a, 0}, {ac, as}, {-ac, as}, {-a, 0}, {-ac, -as}, {ac, -as}};
    for (int k = 0; k < 6; ++k) v[k][0] = vv[k][0], v[k][1] = vv[k][1];
    n = 6;
    inr = as;
  }
  return R(1) - p[1] / (inr * kmath::tan(p[2]));
}
KOKKOS_INLINE_FUNCTION constexpr bool is_regular_pyramid(Shape s) {
  return s == Shape::pyramid || s == Shape::tetrahedron || s == Shape::cone6;
}

}  // namespace detail

/// F(q) for nq wavevectors sharing (qx, qy) and differing in qz (the DWBA terms); out[j] for qz[j].
/// dwba4: nq == 4 and qz = {-a-b, a-b, -a+b, a+b} (lets sliced shapes reuse the exponentials).
/// The rotation about z is applied to q here (F_rot(q) = F(R^-1 q)).
template <class R>
KOKKOS_INLINE_FUNCTION void form_factor_multi(const ShapeParams<R>& s, const FFTables<R>& t, Kokkos::complex<R> qx,
                                              Kokkos::complex<R> qy, const Kokkos::complex<R>* qz, int nq,
                                              Kokkos::complex<R>* out, bool dwba4 = false) {
  if (s.rot_general) {  // q_z mixes into the in-plane components: no sharing between the terms
    const R* m = s.rot;
    for (int j = 0; j < nq; ++j) {
      const detail::CVec<R> qr{m[0] * qx + m[3] * qy + m[6] * qz[j], m[1] * qx + m[4] * qy + m[7] * qz[j],
                               m[2] * qx + m[5] * qy + m[8] * qz[j]};
      out[j] = detail::ff_single(s, t, qr);
    }
    return;
  }
  const Kokkos::complex<R> rx = s.rot_c * qx + s.rot_s * qy;
  const Kokkos::complex<R> ry = -s.rot_s * qx + s.rot_c * qy;
  if (detail::is_sliced(s.shape)) {
    detail::slices(s, t, rx, ry, qz, nq, out, dwba4 && nq == 4);
    return;
  }
  // shapes that factorise into (in-plane part) x (z part): the in-plane part is shared by all qz
  using Cx = Kokkos::complex<R>;
  const R* p = s.p;
  Cx lateral;
  R h = 0;
  bool separable = detail::separable_lateral(s, rx, ry, lateral, h);
  if (s.shape == Shape::ridge) {
    // long axis x: F = L sinc(qx L/2) F2D(qy, qz) -- the x factor is shared by the four terms
    const R hw = R(0.5) * p[1], hh = p[2], d = p[2] / kmath::tan(p[3]);
    const Cx fx = p[0] * detail::sinc(rx * (R(0.5) * p[0]));
    if (detail::ridge_is_box(s)) {  // vertical walls: a box
      const Cx fy = p[1] * detail::sinc(ry * hw);
      for (int j = 0; j < nq; ++j) out[j] = fx * fy * hh * detail::sinc_phase(qz[j] * (R(0.5) * hh));
      return;
    }
    const R v[4][2] = {{-hw, 0}, {hw, 0}, {hw - d, hh}, {-hw + d, hh}};
    for (int j = 0; j < nq; ++j) out[j] = fx * detail::polygon2d(v, 4, ry, qz[j]);
    return;
  }
  if (detail::is_regular_pyramid(s.shape)) {
    R v[6][2];
    int n;
    const R scale = detail::regular_base(s, v, n);
    if (scale < R(0.75)) {
      detail::pyramid_multi(v, n, scale, p[1], rx, ry, qz, nq, out);
      return;
    }
  }
  if (separable) {
    if (dwba4 && nq == 4) {
      // sinc(q_z h/2) e^{i q_z h/2} = (e^{i q_z h} - 1) / (i q_z h), e^{i q_z h} from e^{+-i a h}, e^{+-i b h}
      const Cx qa = R(0.5) * (qz[3] + qz[1]), qb = R(0.5) * (qz[3] - qz[1]);
      const Cx ea = detail::cexpi(qa * h), eb = detail::cexpi(qb * h);
      const Cx ea_ = qa.imag() == R(0) ? Kokkos::conj(ea) : detail::cexpi(-qa * h);
      const Cx eb_ = qb.imag() == R(0) ? Kokkos::conj(eb) : detail::cexpi(-qb * h);
      const Cx e[4] = {ea_ * eb_, ea * eb_, ea_ * eb, ea * eb};
      for (int j = 0; j < 4; ++j) {
        const Cx hz = qz[j] * (R(0.5) * h);
        Cx f;
        if (detail::cnorm(hz) < R(1e-4)) f = detail::sinc_phase(hz);
        else f = detail::cdiv(e[j] - R(1), Cx(-R(2) * hz.imag(), R(2) * hz.real()));
        out[j] = (lateral * h) * f;
      }
      return;
    }
    for (int j = 0; j < nq; ++j) {
      out[j] = (lateral * h) * detail::sinc_phase(qz[j] * (R(0.5) * h));
    }
    return;
  }
  for (int j = 0; j < nq; ++j) out[j] = detail::ff_single(s, t, detail::CVec<R>{rx, ry, qz[j]});
}

// ---- per-row z tables ----------------------------------------------------------------------------------
// In a DWBA simulation the four wavevector z-components depend on the detector row only (alpha_f), so
// every factor of a form factor that depends on q_z alone can be computed once per (particle, row):
// the z factor h sinc(q_z h/2) e^{i q_z h/2} of prisms/cylinders/boxes, the apex phases of the regular
// pyramids, and e^{i q_z z_k} at the Gauss-Legendre nodes of the sliced shapes. The per-pixel work is then
// the in-plane part and a few multiply-adds. Layout of a table (Real entries, j = DWBA term 0..3):
//   separable shapes, box-like ridges: 8  = {Re, Im} of the z factor for j = 0..3
//   regular pyramids (scale < 0.75):   16 = e^{i qz_j za} (j = 0..3), then e^{i qz_j h}
//   sliced shapes:                     8 n = Re e^{i qz_j z_k} (k = 0..n-1), then Im, for j = 0..3
//   anything else:                     0 (form_factor_multi per pixel)

/// Number of Real entries of the per-row z table of shape s (0: the shape has none).
template <class R> KOKKOS_INLINE_FUNCTION int ztab_width(const ShapeParams<R>& s) {
  if (s.rot_general) return 0;
  if (detail::is_sliced(s.shape)) return 8 * s.gl_n;
  if (detail::ridge_is_box(s)) return 8;
  switch (s.shape) {
    case Shape::cylinder:
    case Shape::elliptic_cylinder:
    case Shape::box:
    case Shape::prism3:
    case Shape::prism6: return 8;
    case Shape::pyramid:
    case Shape::tetrahedron:
    case Shape::cone6: {
      R v[6][2];
      int n;
      return detail::regular_base(s, v, n) < R(0.75) ? 16 : 0;
    }
    default: return 0;
  }
}

/// Fill the z table of shape s for the four DWBA z-components qz (ztab_width(s) entries).
template <class R>
KOKKOS_INLINE_FUNCTION void ztab_fill(const ShapeParams<R>& s, const FFTables<R>& t, const Kokkos::complex<R>* qz, R* out) {
  using Cx = Kokkos::complex<R>;
  const R* p = s.p;
  if (detail::is_sliced(s.shape)) {
    const int n = s.gl_n;
    const R* gx = t.gl_x + gl_offset(n);
    R z0, z1;
    detail::slice_range(s, z0, z1);
    const R half = R(0.5) * (z1 - z0), mid = R(0.5) * (z1 + z0);
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < n; ++k) {
        const Cx e = detail::cexpi(qz[j] * (mid + half * gx[k]));
        out[2 * j * n + k] = e.real();
        out[(2 * j + 1) * n + k] = e.imag();
      }
    return;
  }
  if (detail::is_regular_pyramid(s.shape)) {
    R v[6][2];
    int n;
    const R za = p[1] / (R(1) - detail::regular_base(s, v, n));
    for (int j = 0; j < 4; ++j) {
      const Cx ea = detail::cexpi(qz[j] * za), eh = detail::cexpi(qz[j] * p[1]);
      out[2 * j] = ea.real();
      out[2 * j + 1] = ea.imag();
      out[8 + 2 * j] = eh.real();
      out[8 + 2 * j + 1] = eh.imag();
    }
    return;
  }
  const R h = s.shape == Shape::cylinder || s.shape == Shape::prism3 || s.shape == Shape::prism6 ? p[1] : p[2];
  for (int j = 0; j < 4; ++j) {
    const Cx f = h * detail::sinc_phase(qz[j] * (R(0.5) * h));
    out[2 * j] = f.real();
    out[2 * j + 1] = f.imag();
  }
}

/// The four DWBA form factors at (qx, qy, qz[j]) from the row's z table zt (ztab_width(s) > 0).
template <class R>
KOKKOS_INLINE_FUNCTION void form_factor_ztab(const ShapeParams<R>& s, const FFTables<R>& t, const Kokkos::complex<R>& qx,
                                             const Kokkos::complex<R>& qy, const Kokkos::complex<R>* qz, const R* zt,
                                             Kokkos::complex<R>* out) {
  using Cx = Kokkos::complex<R>;
  const Cx rx = s.rot_c * qx + s.rot_s * qy;
  const Cx ry = -s.rot_s * qx + s.rot_c * qy;
  const R* p = s.p;
  if (detail::is_sliced(s.shape)) {
    const int n = s.gl_n;
    R sr[kMaxGL], si[kMaxGL];
    const bool real = detail::slice_weights(s, t, rx, ry, sr, si);
    for (int j = 0; j < 4; ++j) {
      const R* er = zt + 2 * j * n;
      const R* ei = er + n;
      R a = 0, b = 0;
      if (real) {
        for (int k = 0; k < n; ++k) {
          a += sr[k] * er[k];
          b += sr[k] * ei[k];
        }
      } else {
        for (int k = 0; k < n; ++k) {
          a += sr[k] * er[k] - si[k] * ei[k];
          b += sr[k] * ei[k] + si[k] * er[k];
        }
      }
      out[j] = Cx(a, b);
    }
    return;
  }
  if (detail::is_regular_pyramid(s.shape)) {
    R v[6][2];
    int n;
    const R scale = detail::regular_base(s, v, n);
    const Cx eza[4] = {Cx(zt[0], zt[1]), Cx(zt[2], zt[3]), Cx(zt[4], zt[5]), Cx(zt[6], zt[7])};
    const Cx eh[4] = {Cx(zt[8], zt[9]), Cx(zt[10], zt[11]), Cx(zt[12], zt[13]), Cx(zt[14], zt[15])};
    detail::pyramid_multi(v, n, scale, p[1], rx, ry, qz, 4, out, eza, eh);
    return;
  }
  Cx lateral;
  if (s.shape == Shape::ridge) {
    lateral = p[0] * detail::sinc(rx * (R(0.5) * p[0])) * (p[1] * detail::sinc(ry * (R(0.5) * p[1])));
  } else {
    R h;
    detail::separable_lateral(s, rx, ry, lateral, h);
  }
  for (int j = 0; j < 4; ++j) out[j] = lateral * Cx(zt[2 * j], zt[2 * j + 1]);
}

template <class R>
KOKKOS_INLINE_FUNCTION Kokkos::complex<R> form_factor(const ShapeParams<R>& s, const FFTables<R>& t, Kokkos::complex<R> qx,
                                                      Kokkos::complex<R> qy, Kokkos::complex<R> qz) {
  Kokkos::complex<R> out;
  form_factor_multi(s, t, qx, qy, &qz, 1, &out);
  return out;
}

}  // namespace beamkit::scattering
