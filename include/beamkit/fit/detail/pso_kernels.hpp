// SPDX-License-Identifier: BSD-3-Clause
// PSO kernels: one work item per particle. Personal bests are double-buffered (read generation `c`,
// write generation `n`) so that the velocity update of particle i may read its neighbours' bests
// while they are being replaced -- no races, no atomics, and the result does not depend on the
// order in which particles are processed (hence on the thread count or backend).
#pragma once
#include <beamkit/core/kokkos_compat.hpp>
#include <beamkit/core/random.hpp>
#include <beamkit/core/types.hpp>
#include <beamkit/fit/objectives.hpp>
#include <cstdint>

namespace beamkit::fit::detail {

enum class TopoId : int { global = 0, ring = 1, von_neumann = 2 };
enum class BoundId : int { reflect = 0, clamp = 1, wrap = 2 };

/// Scalar parameters of one PSO step (POD, copied into the kernel).
template <class Real> struct StepParams {
  int n = 0, dim = 0, iteration = 0;
  TopoId topo = TopoId::global;
  int ring_k = 1, vn_rows = 1, vn_cols = 1;
  int gbest = 0;                // global-best particle (topology global)
  bool constriction = false;
  Real w = 0, c1 = 0, c2 = 0;   // inertia form; constriction: w = chi, c1 = chi phi1, c2 = chi phi2
  BoundId bound = BoundId::reflect;
  std::uint64_t seed = 0;
};

/// Random stream of (iteration, particle): the counter-based generator makes draw k of this stream a
/// pure function of (seed, iteration, particle, k). `tag` separates initialisation/restart streams.
KOKKOS_INLINE_FUNCTION std::uint64_t stream_id(int iteration, int particle, std::uint32_t tag = 0) {
  return (std::uint64_t(std::uint32_t(iteration) | tag) << 32) | std::uint32_t(particle);
}
template <class Real> KOKKOS_INLINE_FUNCTION Real u01(CounterRng& r) {
  return Real(double(r.next_u32()) * 0x1.0p-32);  // [0, 1); 32 bits are plenty for PSO coefficients
}

/// NB consecutive Philox4x32-10 blocks (counters block0 .. block0 + NB - 1 on `stream`, the layout of
/// CounterRng) computed lane-wise so that the compiler can vectorise across blocks; out[4 k + j] is
/// word j of block k -- the same numbers CounterRng(seed, stream, block0) draws in sequence.
template <int NB>
KOKKOS_INLINE_FUNCTION void philox_blocks(const std::uint32_t key[2], std::uint64_t block0, std::uint64_t stream,
                                          std::uint32_t* out) {
  using u32 = std::uint32_t;
  using u64 = std::uint64_t;
  constexpr u32 M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
  u32 c0[NB], c1[NB], c2[NB], c3[NB];
  for (int k = 0; k < NB; ++k) {
    c0[k] = u32(block0 + u64(k));
    c1[k] = u32((block0 + u64(k)) >> 32);
    c2[k] = u32(stream);
    c3[k] = u32(stream >> 32);
  }
  u32 k0 = key[0], k1 = key[1];
  for (int rnd = 0; rnd < 10; ++rnd) {
    for (int k = 0; k < NB; ++k) {
      const u64 p0 = u64(M0) * c0[k], p1 = u64(M1) * c2[k];
      const u32 n0 = u32(p1 >> 32) ^ c1[k] ^ k0, n1 = u32(p1), n2 = u32(p0 >> 32) ^ c3[k] ^ k1, n3 = u32(p0);
      c0[k] = n0;
      c1[k] = n1;
      c2[k] = n2;
      c3[k] = n3;
    }
    k0 += W0;
    k1 += W1;
  }
  for (int k = 0; k < NB; ++k) {
    out[4 * k] = c0[k];
    out[4 * k + 1] = c1[k];
    out[4 * k + 2] = c2[k];
    out[4 * k + 3] = c3[k];
  }
}

/// Best particle in i's neighbourhood (itself included) under pbest costs `pf`; ties -> first visited.
template <class Real, class F>
KOKKOS_INLINE_FUNCTION int neighbour_best(const StepParams<Real>& s, const F& pf, int i) {
  if (s.topo == TopoId::global) return s.gbest;
  int best = i;
  Real bf = pf(i);
  if (s.topo == TopoId::ring) {
    for (int k = 1; k <= s.ring_k; ++k) {
      const int a = (i + k) % s.n, b = ((i - k) % s.n + s.n) % s.n;
      if (pf(a) < bf) { best = a; bf = pf(a); }
      if (pf(b) < bf) { best = b; bf = pf(b); }
    }
    return best;
  }
  const int r = i / s.vn_cols, c = i % s.vn_cols;
  const int nb[4] = {((r + s.vn_rows - 1) % s.vn_rows) * s.vn_cols + c, ((r + 1) % s.vn_rows) * s.vn_cols + c,
                     r * s.vn_cols + (c + s.vn_cols - 1) % s.vn_cols, r * s.vn_cols + (c + 1) % s.vn_cols};
  for (int k = 0; k < 4; ++k)
    if (pf(nb[k]) < bf) { best = nb[k]; bf = pf(nb[k]); }
  return best;
}

/// Cost as seen by the comparisons: NaN never wins.
template <class Real> KOKKOS_INLINE_FUNCTION Real sane(Real f) {
  return f == f ? f : Kokkos::Experimental::infinity<Real>::value;
}

/// Placeholder objective of the move-only kernel (the batch path evaluates on the host).
struct PsoNoObjective {
  template <class Real> KOKKOS_INLINE_FUNCTION Real operator()(const Point<Real>&) const { return Real(0); }
};

/// One synchronous PSO move of every particle, optionally fused with the evaluation of a device
/// objective and the personal-best update (Eval = true), in a single kernel over particles:
///   inertia:       v <- w v + c1 r1 (p_i - x) + c2 r2 (p_l - x)
///   constriction:  v <- chi (v + phi1 r1 (p_i - x) + phi2 r2 (p_l - x))
///   x <- x + v, then the walls: reflect (mirror at the wall, reverse v), clamp (stop at the wall,
///   v = 0) or wrap (periodic); l = best particle of i's neighbourhood.
/// (Kennedy & Eberhart 1995; Shi & Eberhart 1998; Clerc & Kennedy, IEEE TEC 6 (2002) 58.)
template <class ExecSpace, class Real, class Objective, bool Eval> struct PsoMove {
  using mem = typename ExecSpace::memory_space;
  static constexpr int kChunk = 16;  // dimensions per batch of random numbers
  View2<Real, mem> x, v;
  View2<const Real, mem> pxc;
  View2<Real, mem> pxn;
  View1<const Real, mem> pfc;
  View1<Real, mem> pfn, f;
  View1<const Real, mem> lo, hi, vmax;
  Objective obj;
  StepParams<Real> s;

  KOKKOS_INLINE_FUNCTION void operator()(const int i) const {
    const int l = neighbour_best(s, pfc, i);
    const std::uint64_t stream = stream_id(s.iteration, i);
    const std::uint32_t key[2] = {std::uint32_t(s.seed), std::uint32_t(s.seed >> 32)};
    if (s.bound == BoundId::reflect) move<BoundId::reflect>(i, l, stream, key);
    else if (s.bound == BoundId::clamp) move<BoundId::clamp>(i, l, stream, key);
    else move<BoundId::wrap>(i, l, stream, key);
    if (Eval) {
      const Real fi = sane(obj(Point<Real>{&x(i, 0), s.dim}));
      f(i) = fi;
      update_best(i, fi);
    }
  }
  // The wall rule is a template parameter so that the loop over dimensions is branch-free
  // (vectorisable); rows are contiguous (LayoutRight).
  template <BoundId B>
  KOKKOS_INLINE_FUNCTION void move(const int i, const int l, const std::uint64_t stream,
                                   const std::uint32_t key[2]) const {
    Real* xr = &x(i, 0);
    Real* vr = &v(i, 0);
    const Real* pi_ = &pxc(i, 0);
    const Real* pl = &pxc(l, 0);
    for (int d0 = 0; d0 < s.dim; d0 += kChunk) {
      // 2 uniforms per dimension with 16-bit resolution, r = (k + 1/2) / 2^16: dimension d uses word
      // d of CounterRng(seed, stream) (Philox block d / 4), low half -> r1, high half -> r2. The blocks
      // are generated kChunk/4 at a time in independent lanes, then a branch-free update follows.
      std::uint32_t r[kChunk];
      philox_blocks<kChunk / 4>(key, std::uint64_t(d0 / 4), stream, r);
      const int nd = s.dim - d0 < kChunk ? s.dim - d0 : kChunk;
      // (1) velocity and free move, no control flow: vectorises
      for (int j = 0; j < nd; ++j) {
        const int d = d0 + j;
        const Real r1 = (Real(int(r[j] & 0xFFFFu)) + Real(0.5)) * Real(0x1.0p-16),
                   r2 = (Real(int(r[j] >> 16)) + Real(0.5)) * Real(0x1.0p-16);
        const Real xi = xr[d], vm = vmax(d);
        const Real vi = s.w * vr[d] + s.c1 * r1 * (pi_[d] - xi) + s.c2 * r2 * (pl[d] - xi);
        const Real vc = vi < -vm ? -vm : (vm < vi ? vm : vi);
        const Real vf = vm > Real(0) ? vc : vi;
        vr[d] = vf;
        xr[d] = xi + vf;
      }
      // (2) the walls, for the (few) coordinates that left the box
      for (int j = 0; j < nd; ++j) {
        const int d = d0 + j;
        const Real lo_d = lo(d), hi_d = hi(d);
        Real xn = xr[d];
        if (xn >= lo_d && xn <= hi_d) continue;
        Real vi = vr[d];
        if (B == BoundId::reflect) {
          xn = xn > hi_d ? hi_d - (xn - hi_d) : lo_d + (lo_d - xn);
          vi = -vi;
        } else if (B == BoundId::clamp) {
          vi = Real(0);
        } else {  // wrap: periodic image, t in [0, 1)
          const Real range = hi_d - lo_d, t = (xn - lo_d) / range;
          xn = lo_d + (t - kmath::floor(t)) * range;
        }
        xr[d] = kmath::clamp(xn, lo_d, hi_d);  // a step longer than the box: stop at the far wall
        vr[d] = vi;
      }
    }
  }
  KOKKOS_INLINE_FUNCTION void update_best(int i, Real fi) const {
    const bool better = fi < pfc(i);
    pfn(i) = better ? fi : pfc(i);
    for (int d = 0; d < s.dim; ++d) pxn(i, d) = better ? x(i, d) : pxc(i, d);
  }
};

/// Personal-best update after a host (batch) evaluation wrote f.
template <class ExecSpace, class Real> struct PsoBest {
  using mem = typename ExecSpace::memory_space;
  View2<const Real, mem> x, pxc;
  View2<Real, mem> pxn;
  View1<const Real, mem> pfc, f;
  View1<Real, mem> pfn;
  int dim;
  KOKKOS_INLINE_FUNCTION void operator()(const int i) const {
    const Real fi = sane(f(i));
    const bool better = fi < pfc(i);
    pfn(i) = better ? fi : pfc(i);
    for (int d = 0; d < dim; ++d) pxn(i, d) = better ? x(i, d) : pxc(i, d);
  }
};

/// (Re)initialise particles uniformly in the box, velocities uniform in [lo - x, hi - x] (SPSO 2011)
/// or in [-v_init, v_init] (hi - lo),
/// personal best = the new position with cost +inf (accepted at the first evaluation). `keep` is a
/// particle left untouched (the incumbent best at a restart), -1 for none.
template <class ExecSpace, class Real> struct PsoInit {
  using mem = typename ExecSpace::memory_space;
  View2<Real, mem> x, v, px;
  View1<Real, mem> pf;
  View1<const Real, mem> lo, hi;
  int dim, keep, iteration;
  std::uint64_t seed;
  Real v_init;  ///< < 0: v ~ U(lo - x, hi - x); else v ~ U(-v_init, v_init) (hi - lo)
  KOKKOS_INLINE_FUNCTION void operator()(const int i) const {
    if (i == keep) return;
    CounterRng rng(seed, stream_id(iteration, i, 0x80000000u));
    for (int d = 0; d < dim; ++d) {
      const Real r = hi(d) - lo(d);
      const Real xi = lo(d) + u01<Real>(rng) * r;
      x(i, d) = kmath::clamp(xi, lo(d), hi(d));
      const Real u = u01<Real>(rng);
      v(i, d) = v_init < Real(0) ? (lo(d) - xi) + u * r : v_init * r * (Real(2) * u - Real(1));
      px(i, d) = x(i, d);
    }
    pf(i) = Kokkos::Experimental::infinity<Real>::value;
  }
};

/// Evaluate a device objective on every particle (the initial swarm).
template <class ExecSpace, class Real, class Objective> struct PsoEval {
  using mem = typename ExecSpace::memory_space;
  View2<const Real, mem> x;
  View1<Real, mem> f;
  Objective obj;
  int dim;
  KOKKOS_INLINE_FUNCTION void operator()(const int i) const { f(i) = sane(obj(Point<Real>{&x(i, 0), dim})); }
};

}  // namespace beamkit::fit::detail
