// SPDX-License-Identifier: BSD-3-Clause
// Particle-swarm optimisation (Kennedy & Eberhart 1995) of a cost over a box, with
//   * topologies: global best, ring (k neighbours each side), von Neumann (2-D torus);
//   * updates: inertia weight (Shi & Eberhart 1998; optionally linearly decreasing) or Clerc's
//     constriction (Clerc & Kennedy, IEEE TEC 6 (2002) 58): chi = 2 / |2 - phi - sqrt(phi^2 - 4 phi)|;
//   * bounds: reflect, clamp or wrap; velocity clamp to a fraction of the box;
//   * restarts on stagnation (all particles but the incumbent best re-seeded);
//   * stopping on budget (iterations, evaluations), tolerance, target cost or a callback.
// The swarm state lives in Views in ExecSpace's memory. The swarm is evaluated as a batch, either
//   (a) a device functor `Real operator()(const Point<Real>&) const`, fused with the move into ONE
//       kernel over particles (pso_device), or
//   (b) a host callback evaluating the whole batch [n_particles][dim] -> [n_particles] (pso_batch),
//       for expensive objectives that parallelise inside each evaluation (or over MPI: pso_mpi.hpp).
// Every random number is a pure function of (seed, iteration, particle, dimension) -- Philox4x32-10 in
// the CounterRng layout, stream = (iteration, particle), word d for dimension d (its 16-bit halves give
// r1, r2) -- and personal bests are double-buffered: a fixed seed gives the same swarm, bit for bit, on
// any thread count and backend. The state is stored particle-minor, [dim][particles padded to a
// multiple of the lane count], so that the host kernels vectorise over particles (pso_kernels.hpp).
#pragma once
#include <beamkit/core/error.hpp>
#include <beamkit/core/kokkos_compat.hpp>
#include <beamkit/core/random.hpp>
#include <beamkit/core/types.hpp>
#include <beamkit/fit/detail/pso_kernels.hpp>
#include <beamkit/fit/objectives.hpp>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace beamkit::fit {

enum class Topology { global, ring, von_neumann };
enum class VelocityRule { inertia, constriction };
enum class Boundary { reflect, clamp, wrap };

/// PSO settings. Defaults: global best, inertia 0.7298 with c1 = c2 = 1.49618 (numerically the
/// constriction-equivalent setting of Clerc & Kennedy), reflective walls, |v_d| <= 0.5 (hi_d - lo_d).
struct PsoOptions {
  int n_particles = 64;
  int max_iter = 1000;            ///< iterations after the initial evaluation
  std::int64_t max_evals = 0;     ///< stop once this many evaluations were made (0: no limit)
  std::uint64_t seed = 0;
  Topology topology = Topology::global;
  int ring_neighbors = 1;         ///< ring: neighbours on each side
  VelocityRule velocity = VelocityRule::inertia;
  double w = 0.7298;              ///< inertia weight (at the first iteration)
  double w_end = -1;              ///< inertia at the last iteration (linear schedule); < 0: constant w
  double c1 = 1.49618, c2 = 1.49618;  ///< cognitive / social coefficients (inertia rule)
  double phi1 = 2.05, phi2 = 2.05;    ///< constriction rule, phi1 + phi2 > 4
  Boundary boundary = Boundary::reflect;
  double v_max = 0.5;             ///< velocity clamp as a fraction of (hi - lo); <= 0: none
  double v_init = -1;             ///< initial |v| <= v_init (hi - lo); < 0: v ~ U(lo - x, hi - x) (SPSO 2011)
  /// If v_init_min < v_init_max: initial velocities uniform in [v_init_min, v_init_max) in absolute
  /// units, every dimension (pyswarms' generate_velocity; its default without a clamp is [0, 1)).
  double v_init_min = 0, v_init_max = 0;
  double tol = 0;                 ///< stop if the best improved by <= tol over tol_iter iterations
  int tol_iter = 0;               ///< 0: tolerance test off
  double target = -std::numeric_limits<double>::infinity();  ///< stop once best <= target
  int restart_after = 0;          ///< re-seed the swarm after this many iterations without improvement (0: off)
  /// Elitist learning (the ELS of Zhan et al., IEEE TSMC-B 39 (2009) 1362, applied every iteration):
  /// the `elitist` particles with the worst personal bests (never the global best) are placed, instead
  /// of their PSO move, on a copy of the global best with one random coordinate d displaced by
  /// N(0, sigma^2) (hi_d - lo_d) and put back into the box by the wall rule; sigma falls linearly from
  /// elitist_sigma to elitist_sigma_end over max_iter. Same evaluations per iteration. 0: off.
  /// Recommended (docs/fit.md): elitist = n_particles / 4 with boundary wrap.
  int elitist = 0;
  double elitist_sigma = 1.0, elitist_sigma_end = 0.1;
};

/// Passed to the progress callback after every iteration (iteration 0 = the initial swarm).
struct PsoProgress {
  int iteration;
  std::int64_t evaluations;
  double best_cost;
  const std::vector<double>& best_x;
};
/// Return true to stop.
using PsoCallback = std::function<bool(const PsoProgress&)>;

struct PsoResult {
  std::vector<double> x;        ///< best position found
  double cost = 0;              ///< its cost
  std::vector<double> history;  ///< best cost after the initial swarm and after every iteration
  std::int64_t evaluations = 0;
  int iterations = 0;
  int restarts = 0;
  std::string stop_reason;      ///< "max_iter", "max_evals", "tol", "target", "callback"
};

/// The swarm: state Views and the iteration logic, templated on the execution space and precision.
template <class ExecSpace, class Real> class Swarm {
public:
  using mem = typename ExecSpace::memory_space;
  using Batch = std::function<void(HostView2<const Real> x, HostView1<Real> f)>;
  static constexpr int lanes = detail::pso_lanes<ExecSpace>();  ///< particles per work item

  /// \param lo, hi  [dim] box bounds (lo < hi, finite)
  Swarm(const ExecSpace& space, const std::vector<double>& lo, const std::vector<double>& hi, const PsoOptions& o)
      : m_space(space), m_opt(o), m_dim(int(lo.size())) {
    constexpr const char* where = "beamkit::fit::pso";
    check::require(!lo.empty(), where, "argument 'bounds' is empty (need at least one dimension)");
    check::equal(hi.size(), lo.size(), where, "number of upper bounds (bounds[1]) vs lower bounds");
    for (int d = 0; d < m_dim; ++d) {
      check::finite(lo[d], where, "bounds (lower)");
      check::finite(hi[d], where, "bounds (upper)");
      if (!(lo[d] < hi[d]))
        fail(errc::invalid_argument, where, cat("bounds of dimension ", d, ": lower ", lo[d], " >= upper ", hi[d]));
    }
    check::positive(o.n_particles, where, "n_particles");
    check::non_negative(o.max_iter, where, "max_iter");
    check::non_negative(o.max_evals, where, "max_evals");
    check::positive(o.ring_neighbors, where, "ring_neighbors");
    check::non_negative(o.tol, where, "tol");
    check::non_negative(o.tol_iter, where, "tol_iter");
    check::non_negative(o.restart_after, where, "restart_after");
    check::non_negative(o.elitist, where, "elitist");
    if (o.elitist >= o.n_particles)
      fail(errc::invalid_argument, where,
           cat("elitist = ", o.elitist, " must be smaller than n_particles = ", o.n_particles));
    for (double sg : {o.elitist_sigma, o.elitist_sigma_end})
      if (!(sg > 0) || !std::isfinite(sg))
        fail(errc::invalid_argument, where, cat("elitist_sigma must be finite and > 0, got ", sg));
    check::finite(o.v_init, where, "v_init");
    check::finite(o.v_init_min, where, "v_init_min");
    check::finite(o.v_init_max, where, "v_init_max");
    if (o.v_init_max < o.v_init_min)
      fail(errc::invalid_argument, where, cat("initial velocity range: v_init_min ", o.v_init_min, " > v_init_max ", o.v_init_max));
    for (double c : {o.w, o.c1, o.c2, o.phi1, o.phi2}) check::finite(c, where, "PSO coefficient");
    if (o.velocity == VelocityRule::constriction && !(o.phi1 + o.phi2 > 4))
      fail(errc::invalid_argument, where, cat("constriction needs phi1 + phi2 > 4, got ", o.phi1 + o.phi2));
    const int n = o.n_particles, np = (n + lanes - 1) / lanes * lanes;
    m_n = n;
    m_np = np;
    m_x = View2<Real, mem>(BEAMKIT_LABEL("fit", "pso_x"), m_dim, np);
    m_v = View2<Real, mem>(BEAMKIT_LABEL("fit", "pso_v"), m_dim, np);
    for (int k = 0; k < 2; ++k) {
      m_px[k] = View2<Real, mem>(BEAMKIT_LABEL("fit", "pso_pbest_x"), m_dim, np);
      m_pf[k] = View1<Real, mem>(BEAMKIT_LABEL("fit", "pso_pbest_f"), np);
    }
    m_f = View1<Real, mem>(BEAMKIT_LABEL("fit", "pso_f"), np);
    m_lo = View1<Real, mem>(BEAMKIT_LABEL("fit", "pso_lo"), m_dim);
    m_hi = View1<Real, mem>(BEAMKIT_LABEL("fit", "pso_hi"), m_dim);
    m_vmax = View1<Real, mem>(BEAMKIT_LABEL("fit", "pso_vmax"), m_dim);
    auto lo_h = Kokkos::create_mirror_view(m_lo), hi_h = Kokkos::create_mirror_view(m_hi),
         vm_h = Kokkos::create_mirror_view(m_vmax);
    for (int d = 0; d < m_dim; ++d) {
      lo_h(d) = Real(lo[d]);
      hi_h(d) = Real(hi[d]);
      vm_h(d) = o.v_max > 0 ? Real(o.v_max * (hi[d] - lo[d])) : Real(0);
    }
    Kokkos::deep_copy(space, m_lo, lo_h);
    Kokkos::deep_copy(space, m_hi, hi_h);
    Kokkos::deep_copy(space, m_vmax, vm_h);
    m_x_h = Kokkos::create_mirror_view(m_x);
    m_f_h = Kokkos::create_mirror_view(m_f);
    m_pf_h = Kokkos::create_mirror_view(m_pf[0]);
    m_els_dim = View1<int, mem>(BEAMKIT_LABEL("fit", "pso_els_dim"), o.elitist > 0 ? np : 0);
    m_els_dz = View1<Real, mem>(BEAMKIT_LABEL("fit", "pso_els_dz"), o.elitist > 0 ? np : 0);
    m_els_dim_h = Kokkos::create_mirror_view(m_els_dim);
    m_els_dz_h = Kokkos::create_mirror_view(m_els_dz);
    m_range.resize(std::size_t(m_dim));
    for (int d = 0; d < m_dim; ++d) m_range[std::size_t(d)] = hi[d] - lo[d];
    if (o.topology == Topology::von_neumann) {
      int r = int(std::sqrt(double(n)));
      while (r > 1 && n % r) --r;
      m_vn_rows = r;
      m_vn_cols = n / r;
    }
  }

  /// Optimise a device objective: move + evaluate + personal best in one kernel per iteration.
  template <class Objective> PsoResult run_device(const Objective& obj, const PsoCallback& cb = {}) {
    init();
    Kokkos::parallel_for("beamkit::fit::pso_eval", group_policy(),
                         detail::PsoEval<ExecSpace, Real, Objective, lanes>{m_x, m_f, obj, m_dim});
    first_best();
    return loop(cb, [&](const detail::StepParams<Real>& s) {
      detail::PsoMove<ExecSpace, Real, Objective, true, lanes> k{
          m_x, m_v, m_px[m_cur], m_px[1 - m_cur], m_pf[m_cur], m_pf[1 - m_cur], m_f, m_lo, m_hi, m_vmax, obj, s,
          m_els_dim, m_els_dz};
      Kokkos::parallel_for("beamkit::fit::pso_step", group_policy(), k);
    });
  }

  /// Optimise with a host batch evaluator: f(x[n][dim]) -> [n] (x, f are host Views).
  PsoResult run_batch(const Batch& batch, const PsoCallback& cb = {}) {
    init();
    evaluate_batch(batch);
    first_best();
    return loop(cb, [&](const detail::StepParams<Real>& s) {
      detail::PsoMove<ExecSpace, Real, detail::PsoNoObjective, false, lanes> k{
          m_x, m_v, m_px[m_cur], m_px[1 - m_cur], m_pf[m_cur], m_pf[1 - m_cur], m_f, m_lo, m_hi, m_vmax, {}, s,
          m_els_dim, m_els_dz};
      Kokkos::parallel_for("beamkit::fit::pso_move", group_policy(), k);
      evaluate_batch(batch);
      Kokkos::parallel_for("beamkit::fit::pso_best", policy(),
                           detail::PsoBest<ExecSpace, Real>{m_x, m_px[m_cur], m_px[1 - m_cur], m_pf[m_cur], m_f,
                                                            m_pf[1 - m_cur], m_dim});
    });
  }

  /// Work-item chunk size of the kernels over particles (0: Kokkos' default). Changing it changes the
  /// particle-to-thread assignment, never the result; the reproducibility tests use it.
  void set_chunk_size(int c) { m_chunk = c; }

  int dim() const { return m_dim; }
  int n_particles() const { return m_n; }
  /// Current positions, particle-minor: [dim][n_particles rounded up to `lanes`] (device memory;
  /// columns >= n_particles are padding).
  View2<const Real, mem> positions() const { return m_x; }

private:
  // one particle per work item (over the padded count)
  Kokkos::RangePolicy<ExecSpace> policy() const {
    Kokkos::RangePolicy<ExecSpace> p(m_space, 0, m_np);
    if (m_chunk > 0) p = p.set_chunk_size(m_chunk);
    return p;
  }
  // one group of `lanes` particles per work item
  Kokkos::RangePolicy<ExecSpace> group_policy() const {
    Kokkos::RangePolicy<ExecSpace> p(m_space, 0, m_np / lanes);
    if (m_chunk > 0) p = p.set_chunk_size(m_chunk);
    return p;
  }

  void init(int keep = -1, int iteration = 0) {
    Kokkos::parallel_for("beamkit::fit::pso_init", policy(),
                         detail::PsoInit<ExecSpace, Real>{m_x, m_v, m_px[m_cur], m_pf[m_cur], m_lo, m_hi, m_dim,
                                                          keep, iteration, m_opt.seed, Real(m_opt.v_init),
                                                          m_opt.v_init_min < m_opt.v_init_max,
                                                          Real(m_opt.v_init_min), Real(m_opt.v_init_max)});
  }

  // The batch sees the real particles as rows, [n][dim]; padding particles get cost +inf.
  void evaluate_batch(const Batch& batch) {
    Kokkos::deep_copy(m_space, m_x_h, m_x);
    m_space.fence();
    if (m_xb_h.extent(0) != std::size_t(m_n)) {
      m_xb_h = HostView2<Real>(BEAMKIT_LABEL("fit", "pso_batch_x"), m_n, m_dim);
      m_fb_h = HostView1<Real>(BEAMKIT_LABEL("fit", "pso_batch_f"), m_n);
    }
    for (int i = 0; i < m_n; ++i)
      for (int d = 0; d < m_dim; ++d) m_xb_h(i, d) = m_x_h(d, i);
    batch(HostView2<const Real>(m_xb_h), m_fb_h);
    for (int i = 0; i < m_np; ++i) m_f_h(i) = i < m_n ? m_fb_h(i) : Kokkos::Experimental::infinity<Real>::value;
    Kokkos::deep_copy(m_space, m_f, m_f_h);
  }

  // Initial swarm: personal best = first evaluation (written into the current generation).
  void first_best() {
    Kokkos::parallel_for("beamkit::fit::pso_best0", policy(),
                         detail::PsoBest<ExecSpace, Real>{m_x, m_px[m_cur], m_px[1 - m_cur], m_pf[m_cur], m_f,
                                                          m_pf[1 - m_cur], m_dim});
    m_cur = 1 - m_cur;
  }

  // Lowest-index minimum of the current personal bests (deterministic on ties), on the host.
  int scan_best(double& fbest) {
    Kokkos::deep_copy(m_space, m_pf_h, m_pf[m_cur]);
    m_space.fence();
    int g = 0;
    for (int i = 1; i < m_n; ++i)
      if (m_pf_h(i) < m_pf_h(g)) g = i;
    fbest = double(m_pf_h(g));
    return g;
  }

  // Elitist learning for iteration `it`: the o.elitist particles with the worst personal bests in the
  // host copy m_pf_h (ties: the higher index first; never g) get a coordinate and a Gaussian displacement,
  // drawn from the stream (it, i) tagged 0x40000000 (a pure function of seed, iteration and particle).
  int elitist_picks(int g, int it, double frac) {
    const PsoOptions& o = m_opt;
    const int k = o.elitist;
    if (m_order.empty()) {  // first call: no particle picked yet
      for (int i = 0; i < m_np; ++i) m_els_dim_h(i) = -1;
    } else {
      for (int j = 0; j < k; ++j) m_els_dim_h(m_order[std::size_t(j)]) = -1;  // unpick the previous ones
    }
    m_order.resize(std::size_t(m_n));
    for (int i = 0; i < m_n; ++i) m_order[std::size_t(i)] = i;
    auto worse = [&](int a, int b) {  // a strict total order: the picked set is unique
      const Real fa = m_pf_h(a), fb = m_pf_h(b);
      return fa > fb || (!(fa < fb) && a > b);
    };
    std::swap(m_order[std::size_t(g)], m_order.back());  // g is never picked
    std::nth_element(m_order.begin(), m_order.begin() + (k - 1), m_order.end() - 1, worse);
    const double sigma = o.elitist_sigma + (o.elitist_sigma_end - o.elitist_sigma) * frac;
    for (int j = 0; j < k; ++j) {
      const int i = m_order[std::size_t(j)];
      CounterRng rng(o.seed, detail::stream_id(it, i, 0x40000000u));
      const int d = int(rng.below(std::uint32_t(m_dim)));
      const double u1 = rng.uniform(), u2 = rng.uniform();
      const double z = std::sqrt(-2.0 * std::log1p(-u1)) * std::cos(2.0 * 3.14159265358979323846 * u2);  // Box-Muller
      m_els_dim_h(i) = d;
      m_els_dz_h(i) = Real(sigma * z * m_range[std::size_t(d)]);
    }
    if (m_els_dim_h.data() != m_els_dim.data()) {  // device memory: copy; host spaces share the mirror
      Kokkos::deep_copy(m_space, m_els_dim, m_els_dim_h);
      Kokkos::deep_copy(m_space, m_els_dz, m_els_dz_h);
    }
    return k;
  }

  void best_position(int g, std::vector<double>& x) {
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), m_px[m_cur]);  // no copy on host spaces
    x.resize(m_dim);
    for (int d = 0; d < m_dim; ++d) x[d] = double(h(d, g));
  }

  template <class Step> PsoResult loop(const PsoCallback& cb, const Step& step) {
    const PsoOptions& o = m_opt;
    PsoResult res;
    double fbest = 0;
    int g = scan_best(fbest);
    res.evaluations = m_n;
    res.history.push_back(fbest);
    std::vector<double> xbest;
    double incumbent = fbest;
    int since_improve = 0;
    auto stop_now = [&](int it) -> bool {
      if (fbest <= o.target) { res.stop_reason = "target"; return true; }
      if (o.tol_iter > 0 && it >= o.tol_iter &&
          res.history[std::size_t(it - o.tol_iter)] - fbest <= o.tol) { res.stop_reason = "tol"; return true; }
      if (cb) {
        best_position(g, xbest);
        if (cb(PsoProgress{it, res.evaluations, fbest, xbest})) { res.stop_reason = "callback"; return true; }
      }
      return false;
    };
    detail::StepParams<Real> s;
    s.n = m_n;
    s.dim = m_dim;
    s.topo = detail::TopoId(int(o.topology));
    s.ring_k = o.ring_neighbors;
    s.vn_rows = m_vn_rows;
    s.vn_cols = m_vn_cols;
    s.bound = detail::BoundId(int(o.boundary));
    s.seed = o.seed;
    s.constriction = o.velocity == VelocityRule::constriction;
    if (s.constriction) {
      const double phi = o.phi1 + o.phi2, chi = 2.0 / std::fabs(2.0 - phi - std::sqrt(phi * phi - 4.0 * phi));
      s.w = Real(chi);
      s.c1 = Real(chi * o.phi1);
      s.c2 = Real(chi * o.phi2);
    } else {
      s.c1 = Real(o.c1);
      s.c2 = Real(o.c2);
    }
    res.stop_reason = "max_iter";
    int it = 0;
    if (!stop_now(0)) {
      for (it = 1; it <= o.max_iter; ++it) {
        if (o.max_evals > 0 && res.evaluations + m_n > o.max_evals) { res.stop_reason = "max_evals"; --it; break; }
        const double frac = o.max_iter > 1 ? double(it - 1) / double(o.max_iter - 1) : 0.0;
        if (!s.constriction) s.w = Real(o.w_end < 0 ? o.w : o.w + (o.w_end - o.w) * frac);
        s.iteration = it;
        s.gbest = g;
        s.n_els = o.elitist > 0 ? elitist_picks(g, it, frac) : 0;
        step(s);
        m_cur = 1 - m_cur;
        res.evaluations += m_n;
        g = scan_best(fbest);
        res.history.push_back(fbest);
        if (fbest < incumbent) {
          incumbent = fbest;
          since_improve = 0;
        } else if (o.restart_after > 0 && ++since_improve >= o.restart_after) {
          init(g, it);  // keeps particle g (the best), re-seeds the others; their pbest is reset
          if (o.elitist > 0) g = scan_best(fbest);  // the elitist picks read the reset costs (g, fbest unchanged)
          ++res.restarts;
          since_improve = 0;
        }
        if (stop_now(it)) break;
      }
      if (it > o.max_iter) it = o.max_iter;
    }
    res.iterations = it;
    res.cost = fbest;
    best_position(g, res.x);
    return res;
  }

  ExecSpace m_space;
  PsoOptions m_opt;
  int m_dim, m_n = 0, m_np = 0, m_cur = 0, m_chunk = 0, m_vn_rows = 1, m_vn_cols = 1;
  View2<Real, mem> m_x, m_v, m_px[2];  // [dim][np]
  View1<Real, mem> m_pf[2], m_f, m_lo, m_hi, m_vmax;
  typename View2<Real, mem>::host_mirror_type m_x_h;
  typename View1<Real, mem>::host_mirror_type m_f_h, m_pf_h;
  HostView2<Real> m_xb_h;  // [n][dim] for the batch evaluator
  View1<int, mem> m_els_dim;  // [np] elitist learning (empty when off)
  View1<Real, mem> m_els_dz;
  typename View1<int, mem>::host_mirror_type m_els_dim_h;
  typename View1<Real, mem>::host_mirror_type m_els_dz_h;
  std::vector<double> m_range;
  std::vector<int> m_order;
  HostView1<Real> m_fb_h;
};

/// Minimise a device objective (functor `Real operator()(const Point<Real>&) const`) over the box
/// [lo, hi] with PSO; the swarm runs in ExecSpace.
template <class ExecSpace, class Real = double, class Objective>
PsoResult pso_device(const ExecSpace& space, const Objective& obj, const std::vector<double>& lo,
                     const std::vector<double>& hi, const PsoOptions& opt = {}, const PsoCallback& cb = {}) {
  Swarm<ExecSpace, Real> s(space, lo, hi, opt);
  return s.run_device(obj, cb);
}

/// Minimise with a host batch evaluator `void(HostView2<const Real> x [n][dim], HostView1<Real> f [n])`.
template <class ExecSpace = Kokkos::DefaultExecutionSpace, class Real = double>
PsoResult pso_batch(const ExecSpace& space, const typename Swarm<ExecSpace, Real>::Batch& batch,
                    const std::vector<double>& lo, const std::vector<double>& hi, const PsoOptions& opt = {},
                    const PsoCallback& cb = {}) {
  Swarm<ExecSpace, Real> s(space, lo, hi, opt);
  return s.run_batch(batch, cb);
}

/// Names of the built-in objectives: "sphere", "rosenbrock", "rastrigin", "ackley".
inline bool is_builtin_objective(const std::string& name) {
  return name == "sphere" || name == "rosenbrock" || name == "rastrigin" || name == "ackley";
}

/// Run a named built-in objective fully on the device.
template <class ExecSpace, class Real = double>
PsoResult pso_builtin(const ExecSpace& space, const std::string& name, const std::vector<double>& lo,
                      const std::vector<double>& hi, const PsoOptions& opt = {}, const PsoCallback& cb = {}) {
  if (name == "sphere") return pso_device<ExecSpace, Real>(space, Sphere{}, lo, hi, opt, cb);
  if (name == "rosenbrock") return pso_device<ExecSpace, Real>(space, Rosenbrock{}, lo, hi, opt, cb);
  if (name == "rastrigin") return pso_device<ExecSpace, Real>(space, Rastrigin{}, lo, hi, opt, cb);
  if (name == "ackley") return pso_device<ExecSpace, Real>(space, Ackley{}, lo, hi, opt, cb);
  fail(errc::invalid_argument, "beamkit::fit::pso",
       cat("unknown built-in objective '", name, "' (expected sphere, rosenbrock, rastrigin or ackley)"));
}

}  // namespace beamkit::fit
