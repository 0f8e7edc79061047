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

/// Bring a coordinate back into [lo, hi] (reflect: mirror at the wall and reverse the velocity;
/// clamp: stop at the wall, zero velocity; wrap: periodic).
template <class Real>
KOKKOS_INLINE_FUNCTION void apply_bounds(BoundId b, Real lo, Real hi, Real& x, Real& v) {
  if (x >= lo && x <= hi) return;
  const Real range = hi - lo;
  if (b == BoundId::reflect) {
    x = x > hi ? hi - (x - hi) : lo + (lo - x);
    v = -v;
    x = kmath::clamp(x, lo, hi);  // a step longer than the range: stop at the far wall
  } else if (b == BoundId::clamp) {
    x = kmath::clamp(x, lo, hi);
    v = Real(0);
  } else {
    Real t = kmath::fmod(x - lo, range);
    if (t < Real(0)) t += range;
    x = kmath::clamp(lo + t, lo, hi);
  }
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
///   x <- x + v, then bound handling; l = best particle of i's neighbourhood.
/// (Kennedy & Eberhart 1995; Shi & Eberhart 1998; Clerc & Kennedy, IEEE TEC 6 (2002) 58.)
template <class ExecSpace, class Real, class Objective, bool Eval> struct PsoMove {
  using mem = typename ExecSpace::memory_space;
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
    CounterRng rng(s.seed, stream_id(s.iteration, i));
    for (int d = 0; d < s.dim; ++d) {
      const Real r1 = u01<Real>(rng), r2 = u01<Real>(rng);
      const Real xi = x(i, d);
      Real vi = s.w * v(i, d) + s.c1 * r1 * (pxc(i, d) - xi) + s.c2 * r2 * (pxc(l, d) - xi);
      if (vmax(d) > Real(0)) vi = kmath::clamp(vi, -vmax(d), vmax(d));
      Real xn = xi + vi;
      apply_bounds(s.bound, lo(d), hi(d), xn, vi);
      x(i, d) = xn;
      v(i, d) = vi;
    }
    if (Eval) {
      const Real fi = sane(obj(Point<Real>{&x(i, 0), s.dim}));
      f(i) = fi;
      update_best(i, fi);
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

/// (Re)initialise particles uniformly in the box, velocities uniform in [lo - x, hi - x] (SPSO 2011),
/// personal best = the new position with cost +inf (accepted at the first evaluation). `keep` is a
/// particle left untouched (the incumbent best at a restart), -1 for none.
template <class ExecSpace, class Real> struct PsoInit {
  using mem = typename ExecSpace::memory_space;
  View2<Real, mem> x, v, px;
  View1<Real, mem> pf;
  View1<const Real, mem> lo, hi;
  int dim, keep, iteration;
  std::uint64_t seed;
  KOKKOS_INLINE_FUNCTION void operator()(const int i) const {
    if (i == keep) return;
    CounterRng rng(seed, stream_id(iteration, i, 0x80000000u));
    for (int d = 0; d < dim; ++d) {
      const Real r = hi(d) - lo(d);
      const Real xi = lo(d) + u01<Real>(rng) * r;
      x(i, d) = kmath::clamp(xi, lo(d), hi(d));
      v(i, d) = (lo(d) - xi) + u01<Real>(rng) * r;
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
