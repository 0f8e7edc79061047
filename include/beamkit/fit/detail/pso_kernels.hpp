// SPDX-License-Identifier: BSD-3-Clause
// PSO kernels. The swarm is stored particle-minor ("SoA"): X(d, i) is coordinate d of particle i, so
// that one work item can move and evaluate a group of L consecutive particles with the particle as the
// innermost (vector) loop: L = 8 on host spaces (the lanes of two AVX2 registers in double, one in
// float), L = 1 on devices (one particle per thread; SoA makes the accesses coalesced). The particle
// count is padded to a multiple of L; the padding particles are moved and evaluated like the others
// but never read by real ones nor by the best scans.
// Personal bests are double-buffered (read generation `c`, write generation `n`) so that the velocity
// update of particle i may read its neighbours' bests while they are being replaced -- no races, no
// atomics, and the result does not depend on the order in which particles are processed (hence on the
// thread count or the backend): every group of particles runs the same code, and every lane the same
// operations in the same order as the one-particle code (the reproducibility tests compare the fused
// kernel with the host batch path and with chunked/serial runs).
#pragma once
#include <beamkit/core/kokkos_compat.hpp>
#include <beamkit/core/random.hpp>
#include <beamkit/core/types.hpp>
#include <beamkit/core/vector_loop.hpp>
#include <beamkit/fit/objectives.hpp>
#include <cstdint>
#include <type_traits>
#include <utility>

namespace beamkit::fit::detail {

enum class TopoId : int { global = 0, ring = 1, von_neumann = 2 };
enum class BoundId : int { reflect = 0, clamp = 1, wrap = 2 };

/// Particles per work item: vector lanes on host spaces, one particle per thread on devices.
template <class ExecSpace> constexpr int pso_lanes() { return beamkit::detail::is_host_space<ExecSpace>::value ? 8 : 1; }

/// Scalar parameters of one PSO step (POD, copied into the kernel).
template <class Real> struct StepParams {
  int n = 0, dim = 0, iteration = 0;
  TopoId topo = TopoId::global;
  int ring_k = 1, vn_rows = 1, vn_cols = 1;
  int gbest = 0;                // global-best particle (every topology: the elitist-learning copies use it)
  int n_els = 0;                // > 0: elitist learning this iteration (els_dim, els_dz of PsoMove are set)
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

/// Philox4x32-10 block `block` of the streams (iteration, particle p0 + p) for the L lanes p, computed
/// lane-wise (the lanes vectorise): out[j][p] is word j of that block -- draw 4 block + j of
/// CounterRng(seed, stream_id(iteration, p0 + p)).
template <int L>
KOKKOS_FORCEINLINE_FUNCTION void philox_lanes(const std::uint32_t key[2], std::uint64_t block, int p0, int iteration,
                                              std::uint32_t out[4][L]) {
  using u32 = std::uint32_t;
  using u64 = std::uint64_t;
  constexpr u32 M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
  u32 c0[L], c1[L], c2[L], c3[L];
  for (int p = 0; p < L; ++p) {
    c0[p] = u32(block);
    c1[p] = u32(block >> 32);
    c2[p] = u32(p0 + p);
    c3[p] = u32(iteration);
  }
  u32 k0 = key[0], k1 = key[1];
  for (int rnd = 0; rnd < 10; ++rnd) {
    BEAMKIT_PRAGMA_SIMD
    for (int p = 0; p < L; ++p) {
      const u64 q0 = u64(M0) * c0[p], q1 = u64(M1) * c2[p];
      const u32 n0 = u32(q1 >> 32) ^ c1[p] ^ k0, n1 = u32(q1), n2 = u32(q0 >> 32) ^ c3[p] ^ k1, n3 = u32(q0);
      c0[p] = n0;
      c1[p] = n1;
      c2[p] = n2;
      c3[p] = n3;
    }
    k0 += W0;
    k1 += W1;
  }
  for (int p = 0; p < L; ++p) {
    out[0][p] = c0[p];
    out[1][p] = c1[p];
    out[2][p] = c2[p];
    out[3][p] = c3[p];
  }
}

/// Best particle in i's neighbourhood (itself included) under pbest costs `pf`; ties -> first visited.
template <class Real, class F>
KOKKOS_INLINE_FUNCTION int neighbour_best(const StepParams<Real>& s, const F& pf, int i) {
  if (s.topo == TopoId::global) return s.gbest;
  if (i >= s.n) return i;  // padding particle: follows its own best only
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

/// Does the objective have a lane form `lanes<L>(const Real* x, int stride, int dim, Real* out)`
/// (out[p] = cost of the particle whose coordinate d is x[d * stride + p])?
template <class O, class Real, int L, class = void> struct has_lanes : std::false_type {};
template <class O, class Real, int L>
struct has_lanes<O, Real, L,
                 std::void_t<decltype(std::declval<const O&>().template lanes<L>(
                     std::declval<const Real*>(), 0, 0, std::declval<Real*>()))>> : std::true_type {};

/// Costs of L consecutive particles of a particle-minor swarm: the objective's lane form if it has
/// one (the built-ins: identical numbers, vectorised over the particles), else one call per particle.
template <int L, class Real, class Objective>
KOKKOS_FORCEINLINE_FUNCTION void eval_lanes(const Objective& obj, const Real* x, int stride, int dim, Real* out) {
  if constexpr (has_lanes<Objective, Real, L>::value) {
    obj.template lanes<L>(x, stride, dim, out);
  } else {
    for (int p = 0; p < L; ++p) out[p] = obj(Point<Real>{x + p, dim, stride});
  }
}

/// The wall rule for one coordinate x (any distance outside [lo, hi]): reflect (mirror once, then stop
/// at the far wall), clamp, or wrap (periodic image) -- the position part of PsoMove's walls.
template <class Real> KOKKOS_INLINE_FUNCTION Real wall_position(Real x, Real lo, Real hi, BoundId b) {
  if (x >= lo && x <= hi) return x;
  if (b == BoundId::reflect) x = x > hi ? hi - (x - hi) : lo + (lo - x);
  else if (b == BoundId::wrap) {
    const Real t = (x - lo) / (hi - lo);
    x = lo + (t - floor_exact(t)) * (hi - lo);
  }
  return x < lo ? lo : (hi < x ? hi : x);
}

/// One synchronous PSO move of every particle, optionally fused with the evaluation of a device
/// objective and the personal-best update (Eval = true), in a single kernel over groups of L particles:
///   inertia:       v <- w v + c1 r1 (p_i - x) + c2 r2 (p_l - x)
///   constriction:  v <- chi (v + phi1 r1 (p_i - x) + phi2 r2 (p_l - x))
///   x <- x + v, then the walls: reflect (mirror at the wall, reverse v), clamp (stop at the wall,
///   v = 0) or wrap (periodic); l = best particle of i's neighbourhood. r1, r2: the 16-bit halves of
///   word d of the stream (iteration, i) (Philox block d / 4).
/// Elitist learning (s.n_els > 0): a particle with els_dim(i) >= 0 is then placed on a copy of the
/// global best's position whose coordinate els_dim(i) is moved by els_dz(i) (and put back into the box
/// by the wall rule); its velocity is the one just computed. (Zhan et al., IEEE TSMC-B 39 (2009) 1362.)
/// (Kennedy & Eberhart 1995; Shi & Eberhart 1998; Clerc & Kennedy, IEEE TEC 6 (2002) 58.)
template <class ExecSpace, class Real, class Objective, bool Eval, int L> struct PsoMove {
  using mem = typename ExecSpace::memory_space;
  View2<Real, mem> x, v;  // [dim][np]
  View2<const Real, mem> pxc;
  View2<Real, mem> pxn;
  View1<const Real, mem> pfc;
  View1<Real, mem> pfn, f;
  View1<const Real, mem> lo, hi, vmax;
  Objective obj;
  StepParams<Real> s;
  View1<const int, mem> els_dim;   // [np] elitist learning: perturbed coordinate, -1: a normal move
  View1<const Real, mem> els_dz;   // [np] its displacement

  KOKKOS_INLINE_FUNCTION void operator()(const int g) const {
    const int i0 = g * L;
    if (s.topo == TopoId::global) dispatch<true>(i0);
    else dispatch<false>(i0);
    if (s.n_els > 0) elitist(i0);
    if (Eval) {
      Real fv[L];
      eval_lanes<L>(obj, &x(0, i0), int(x.extent(1)), s.dim, fv);
      update_best(i0, fv);
    }
  }
  template <bool Global> KOKKOS_INLINE_FUNCTION void dispatch(const int i0) const {
    if (s.bound == BoundId::reflect) move<BoundId::reflect, Global>(i0);
    else if (s.bound == BoundId::clamp) move<BoundId::clamp, Global>(i0);
    else move<BoundId::wrap, Global>(i0);
  }
  // Dimension-outer, particle-inner: the lane loop has no control flow (every wall rule is computed
  // as a candidate and selected), so it vectorises; the wall rule and the topology are template
  // parameters.
  template <BoundId B, bool Global> KOKKOS_INLINE_FUNCTION void move(const int i0) const {
    const std::uint32_t key[2] = {std::uint32_t(s.seed), std::uint32_t(s.seed >> 32)};
    int l[L];
    for (int p = 0; p < L; ++p) l[p] = Global ? s.gbest : neighbour_best(s, pfc, i0 + p);
    for (int d0 = 0; d0 < s.dim; d0 += 4) {
      std::uint32_t r[4][L];
      philox_lanes<L>(key, std::uint64_t(d0 / 4), i0, s.iteration, r);
      const int nd = s.dim - d0 < 4 ? s.dim - d0 : 4;
      for (int j = 0; j < nd; ++j) {
        const int d = d0 + j;
        Real* xr = &x(d, i0);
        Real* vr = &v(d, i0);
        const Real* pr = &pxc(d, i0);
        const Real lo_d = lo(d), hi_d = hi(d), vm = vmax(d), range = hi_d - lo_d;
        const Real gl = pxc(d, l[0]);
        const std::uint32_t* rj = r[j];
        BEAMKIT_PRAGMA_SIMD
        for (int p = 0; p < L; ++p) {
          // 2 uniforms with 16-bit resolution, (k + 1/2) / 2^16: low half -> r1, high half -> r2
          const Real r1 = (Real(int(rj[p] & 0xFFFFu)) + Real(0.5)) * Real(0x1.0p-16),
                     r2 = (Real(int(rj[p] >> 16)) + Real(0.5)) * Real(0x1.0p-16);
          const Real xi = xr[p], pl = Global ? gl : pxc(d, l[p]);
          const Real vi = s.w * vr[p] + s.c1 * r1 * (pr[p] - xi) + s.c2 * r2 * (pl - xi);
          const Real vc = select(vi < -vm, -vm, select(vm < vi, vm, vi));
          const Real vf = select(vm > Real(0), vc, vi);
          const Real xn = xi + vf;
          // the walls, for coordinates that left the box (computed for all, then selected by bit
          // blends, see select())
          const bool inside = (xn >= lo_d) & (xn <= hi_d);
          Real xw, vw;
          if (B == BoundId::reflect) {
            xw = select(xn > hi_d, hi_d - (xn - hi_d), lo_d + (lo_d - xn));
            vw = -vf;
          } else if (B == BoundId::clamp) {
            xw = xn;
            vw = Real(0);
          } else {  // wrap: periodic image, t in [0, 1)
            const Real t = (xn - lo_d) / range;
            xw = lo_d + (t - floor_exact(t)) * range;
            vw = vf;
          }
          xw = select(xw < lo_d, lo_d, select(hi_d < xw, hi_d, xw));  // a step longer than the box: stop at the far wall
          xr[p] = select(inside, xn, xw);
          vr[p] = select(inside, vf, vw);
        }
      }
    }
  }
  KOKKOS_INLINE_FUNCTION void elitist(const int i0) const {
    for (int p = 0; p < L; ++p) {
      const int i = i0 + p, e = els_dim(i);
      if (e < 0) continue;
      for (int d = 0; d < s.dim; ++d) x(d, i) = pxc(d, s.gbest);
      x(e, i) = wall_position(pxc(e, s.gbest) + els_dz(i), lo(e), hi(e), s.bound);
    }
  }
  KOKKOS_INLINE_FUNCTION void update_best(const int i0, const Real* fv) const {
    bool better[L];
    for (int p = 0; p < L; ++p) {
      const Real fi = sane(fv[p]), fc = pfc(i0 + p);
      better[p] = fi < fc;
      f(i0 + p) = fi;
      pfn(i0 + p) = better[p] ? fi : fc;
    }
    for (int d = 0; d < s.dim; ++d) {
      const Real* xr = &x(d, i0);
      const Real* pr = &pxc(d, i0);
      Real* qr = &pxn(d, i0);
      BEAMKIT_PRAGMA_SIMD
      for (int p = 0; p < L; ++p) qr[p] = better[p] ? xr[p] : pr[p];
    }
  }
};

/// Personal-best update after a host (batch) evaluation wrote f; one particle per work item.
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
    for (int d = 0; d < dim; ++d) pxn(d, i) = better ? x(d, i) : pxc(d, i);
  }
};

/// (Re)initialise particles uniformly in the box, velocities uniform in [lo - x, hi - x] (SPSO 2011),
/// in [-v_init, v_init] (hi - lo), or in the absolute range [va, vb) (pyswarms' generate_velocity);
/// personal best = the new position with cost +inf (accepted at the first evaluation). `keep` is a
/// particle left untouched (the incumbent best at a restart), -1 for none. One particle per work item.
template <class ExecSpace, class Real> struct PsoInit {
  using mem = typename ExecSpace::memory_space;
  View2<Real, mem> x, v, px;  // [dim][np]
  View1<Real, mem> pf;
  View1<const Real, mem> lo, hi;
  int dim, keep, iteration;
  std::uint64_t seed;
  Real v_init;  ///< < 0: v ~ U(lo - x, hi - x); else v ~ U(-v_init, v_init) (hi - lo)
  bool v_abs;   ///< v ~ U(va, vb) instead
  Real va, vb;
  KOKKOS_INLINE_FUNCTION void operator()(const int i) const {
    if (i == keep) return;
    CounterRng rng(seed, stream_id(iteration, i, 0x80000000u));
    for (int d = 0; d < dim; ++d) {
      const Real r = hi(d) - lo(d);
      const Real xi = lo(d) + u01<Real>(rng) * r;
      x(d, i) = kmath::clamp(xi, lo(d), hi(d));
      const Real u = u01<Real>(rng);
      v(d, i) = v_abs ? va + u * (vb - va)
                      : (v_init < Real(0) ? (lo(d) - xi) + u * r : v_init * r * (Real(2) * u - Real(1)));
      px(d, i) = x(d, i);
    }
    pf(i) = Kokkos::Experimental::infinity<Real>::value;
  }
};

/// Evaluate a device objective on every particle (the initial swarm), L particles per work item.
template <class ExecSpace, class Real, class Objective, int L> struct PsoEval {
  using mem = typename ExecSpace::memory_space;
  View2<const Real, mem> x;  // [dim][np]
  View1<Real, mem> f;
  Objective obj;
  int dim;
  KOKKOS_INLINE_FUNCTION void operator()(const int g) const {
    Real fv[L];
    eval_lanes<L>(obj, &x(0, g * L), int(x.extent(1)), dim, fv);
    for (int p = 0; p < L; ++p) f(g * L + p) = sane(fv[p]);
  }
};

}  // namespace beamkit::fit::detail
