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

/// Slice integral  sum_k w_k A(z_k) S(q_par, z_k) exp(i qz z_k)  for nq values of qz at once.
/// kind 0: circular slices r(z); kind 1: elliptic slices (a s(z), b s(z)).
template <class R>
KOKKOS_INLINE_FUNCTION void slices(const ShapeParams<R>& s, const FFTables<R>& t, const C<R>& qx, const C<R>& qy,
                                   const C<R>* qz, int nq, C<R>* out, bool dwba4 = false) {
  // DWBA: qz = {-a-b, a-b, -a+b, a+b}; exp(i qz z) from exp(+-i a z), exp(+-i b z)
  const C<R> qa = R(0.5) * (qz[3] + qz[1]), qb = R(0.5) * (qz[3] - qz[1]);
  const int n = s.gl_n;
  const R* gx = t.gl_x + gl_offset(n);
  const R* gw = t.gl_w + gl_offset(n);
  R z0 = 0, z1 = 0;
  const R* p = s.p;
  switch (s.shape) {
    case Shape::truncated_sphere: z0 = 0; z1 = p[1] - p[2]; break;
    case Shape::truncated_spheroid: z0 = 0; z1 = p[1] - p[3]; break;
    case Shape::hemi_ellipsoid: z0 = 0; z1 = p[2]; break;
    case Shape::cone: z0 = 0; z1 = p[1]; break;
    default: break;
  }
  const R half = R(0.5) * (z1 - z0), mid = R(0.5) * (z1 + z0);
  for (int j = 0; j < nq; ++j) out[j] = C<R>(0, 0);
  const C<R> qpar2 = qx * qx + qy * qy;
  // 1) weighted slice transforms sl[k] = w_k (H/2) A(z_k) 2 J1(q_par r_k)/(q_par r_k)
  C<R> sl[kMaxGL];
  const bool circular = s.shape != Shape::hemi_ellipsoid;
  if (circular && qpar2.imag() == R(0) && qpar2.real() >= R(0)) {
    // real q_par (rotations about z): the Bessel series of all nodes at once, node-inner loops without
    // data-dependent exits (vectorisable); the number of terms is fixed by the largest argument
    R r2v[kMaxGL], term[kMaxGL], sum[kMaxGL], w4[kMaxGL];
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
    for (int k = 0; k < n; ++k) sl[k] = C<R>(kmath::pi<R>() * r2v[k] * sum[k] * (gw[k] * half), 0);
  } else {
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
      sl[k] = slice * (gw[k] * half);
    }
  }
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
      add(sl[k], ea, ea_, eb, eb_);
      add(sl[n - 1 - k], Ea * ea_, Ea_ * ea, Eb * eb_, Eb_ * eb);  // node n-1-k = 2 mid - z
    }
    if (n % 2) {
      const int k = n / 2;
      const R z = mid + half * gx[k];
      const C<R> ea = cexpi(qa * z), eb = cexpi(qb * z);
      add(sl[k], ea, inv(ea, ra), eb, inv(eb, rb));
    }
  } else {
    for (int k = 0; k < n; ++k) {
      const R z = mid + half * gx[k];
      for (int j = 0; j < nq; ++j) out[j] += sl[k] * cexpi(qz[j] * z);
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
                                          int nq, C<R>* out) {
  const R za = h / (R(1) - scale);
  C<R> xb[6], eb[6], xs[6], es[6];
  R area2[6];
  for (int k = 0; k < n; ++k) {
    xb[k] = qx * v[k][0] + qy * v[k][1];
    eb[k] = cexpi(xb[k]);
    xs[k] = scale * xb[k];
    es[k] = scale > R(0) ? cexpi(xs[k]) : C<R>(1, 0);
  }
  for (int k = 1; k + 1 < n; ++k)
    area2[k] = kmath::fabs((v[k][0] - v[0][0]) * (v[k + 1][1] - v[0][1]) - (v[k][1] - v[0][1]) * (v[k + 1][0] - v[0][0]));
  // divided differences of the base nodes alone are shared by all qz: E[b0,bk], E[b0,bk,bk+1]
  C<R> d1b[6], d2b[6], d1s[6], d2s[6];
  for (int k = 1; k < n; ++k) {
    d1b[k] = dd1(xb[0], xb[k], eb[0], eb[k]);
    if (scale > R(0)) d1s[k] = dd1(xs[0], xs[k], es[0], es[k]);
  }
  for (int k = 1; k + 1 < n; ++k) {
    const C<R> x3[3] = {xb[0], xb[k], xb[k + 1]}, e3[3] = {eb[0], eb[k], eb[k + 1]};
    d2b[k] = dd2(x3, e3);
    if (scale > R(0)) {
      const C<R> y3[3] = {xs[0], xs[k], xs[k + 1]}, f3[3] = {es[0], es[k], es[k + 1]};
      d2s[k] = dd2(y3, f3);
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
    const C<R> xa = qz[j] * za, ea = cexpi(xa);
    C<R> sum = cone(xa, ea, xb, eb, d1b, d2b, C<R>(1, 0), za, R(1));
    if (scale > R(0)) {
      const C<R> xh = qz[j] * h, eh = cexpi(xh);
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
  bool separable = true;
  switch (s.shape) {
    case Shape::cylinder:
      lateral = (kmath::pi<R>() * p[0] * p[0]) * detail::bessel_j1c_auto(detail::csqrt(rx * rx + ry * ry) * p[0]);
      h = p[1];
      break;
    case Shape::elliptic_cylinder: {
      const Cx a = rx * p[0], b = ry * p[1];
      lateral = (kmath::pi<R>() * p[0] * p[1]) * detail::bessel_j1c_auto(detail::csqrt(a * a + b * b));
      h = p[2];
      break;
    }
    case Shape::box:
      lateral = (p[0] * p[1]) * detail::sinc(rx * (R(0.5) * p[0])) * detail::sinc(ry * (R(0.5) * p[1]));
      h = p[2];
      break;
    case Shape::prism3: {
      const R L = p[0], as = L / 2, ac = L / kmath::sqrt(R(3)) / 2, ah = L / kmath::sqrt(R(3));
      const R v[3][2] = {{-ac, -as}, {ah, 0}, {-ac, as}};
      lateral = detail::polygon2d(v, 3, rx, ry);
      h = p[1];
      break;
    }
    case Shape::prism6: {
      const R a = p[0], as = a * kmath::sqrt(R(3)) / 2, ac = a / 2;
      const R v[6][2] = {{a, 0}, {ac, as}, {-ac, as}, {-a, 0}, {-ac, -as}, {ac, -as}};
      lateral = detail::polygon2d(v, 6, rx, ry);
      h = p[1];
      break;
    }
    case Shape::ridge: {
      // long axis x: F = L sinc(qx L/2) F2D(qy, qz) -- the x factor is shared by the four terms
      const R hw = R(0.5) * p[1], hh = p[2], d = p[2] / kmath::tan(p[3]);
      const Cx fx = p[0] * detail::sinc(rx * (R(0.5) * p[0]));
      if (p[3] >= R(0.5) * kmath::pi<R>() * (R(1) - R(1e-12))) {  // vertical walls: a box
        const Cx fy = p[1] * detail::sinc(ry * hw);
        for (int j = 0; j < nq; ++j) out[j] = fx * fy * hh * detail::sinc_phase(qz[j] * (R(0.5) * hh));
        return;
      }
      const R v[4][2] = {{-hw, 0}, {hw, 0}, {hw - d, hh}, {-hw + d, hh}};
      for (int j = 0; j < nq; ++j) out[j] = fx * detail::polygon2d(v, 4, ry, qz[j]);
      return;
    }
    case Shape::pyramid:
    case Shape::tetrahedron:
    case Shape::cone6: {
      R v[6][2];
      int n;
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
      const R scale = R(1) - p[1] / (inr * kmath::tan(p[2]));
      if (scale < R(0.75)) {
        detail::pyramid_multi(v, n, scale, p[1], rx, ry, qz, nq, out);
        return;
      }
      separable = false;
      break;
    }
    default: separable = false;
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

template <class R>
KOKKOS_INLINE_FUNCTION Kokkos::complex<R> form_factor(const ShapeParams<R>& s, const FFTables<R>& t, Kokkos::complex<R> qx,
                                                      Kokkos::complex<R> qy, Kokkos::complex<R> qz) {
  Kokkos::complex<R> out;
  form_factor_multi(s, t, qx, qy, &qz, 1, &out);
  return out;
}

}  // namespace beamkit::scattering
