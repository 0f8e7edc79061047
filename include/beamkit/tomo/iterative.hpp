// SPDX-License-Identifier: BSD-3-Clause
// Iterative reconstruction, built the ASTRA way: every algorithm is a short loop over the matched
// projector pair (projector.hpp) plus element-wise kernels and reductions; none owns a projector.
// Workspaces are allocated once per plan, never per iteration. Every division is guarded so zero
// rays and empty pixels never give NaN.
//
//   sirt  x <- x + lambda C^-1 A^T R^-1 (b - A x)          R = A 1 (row sums), C = A^T 1 (column sums)
//   cgls  conjugate gradients on the normal equations A^T A x = A^T b (Bjorck 1996)
//   mlem  x <- x / C  A^T (b / A x)                          (Shepp & Vardi 1982); b < 0 counts as 0
//   osem  mlem over ordered subsets of angles (Hudson & Larkin 1994): num_block subsets, ind_block order
//   sart  sirt one projection at a time (Andersen & Kak 1984): x <- x + lambda C_s^-1 A_s^T R_s^-1 (b_s - A_s x)
//   os_sart  the same over num_block ordered subsets
// Images [S][N][N], sinograms [S][P][n_det] (sinogram order); all slices iterate together.
#pragma once
#include <beamkit/tomo/projector.hpp>
#include <functional>
#include <numeric>
#include <string>

namespace beamkit::tomo {

struct IterativeOptions {
  std::string algorithm = "sirt";  ///< sirt | cgls | mlem | osem | sart | os_sart
  int num_iter = 10;
  int num_block = 1;               ///< osem subsets
  std::vector<int> ind_block;      ///< projection order for the subsets (default 0..P-1; TomoPy's meaning)
  double relax = 1.0;              ///< sirt relaxation lambda in (0, 2)
  bool nonneg = false;             ///< clip negative values after each update (sirt, cgls)
  double tol = 0;                  ///< stop when the relative residual changes less than tol
  /// Called after every iteration with (iteration, residual norm ||b - A x|| / ||b||); false stops.
  std::function<bool(int, double)> callback;
};

template <class ExecSpace, class Real> class IterativePlan {
  static_assert(is_real<Real>::value, "beamkit::tomo::IterativePlan: Real must be float or double");

public:
  using Mem = typename ExecSpace::memory_space;
  using Image = View3<Real, Mem>;
  using Sino = View3<Real, Mem>;

  IterativePlan(const ExecSpace& space, const ParallelGeometry& g, int n_slices, const IterativeOptions& opt)
      : m_space(space), m_geom(g), m_opt(opt), m_S(n_slices) {
    constexpr const char* where = "beamkit::tomo::IterativePlan";
    g.validate(where, n_slices);
    check::positive(opt.num_iter, where, "num_iter");
    check::require(opt.algorithm == "sirt" || opt.algorithm == "cgls" || opt.algorithm == "mlem" ||
                       opt.algorithm == "osem" || opt.algorithm == "sart" || opt.algorithm == "os_sart",
                   where, cat("unknown algorithm '", opt.algorithm, "' (sirt, cgls, mlem, osem, sart, os_sart)"));
    if (opt.algorithm == "sirt" || opt.algorithm == "sart" || opt.algorithm == "os_sart")
      check::in_range(opt.relax, 1e-6, 2.0, where, "relax");
    check::in_range(opt.num_block, 1, g.n_angles, where, "num_block");
    const int P = g.n_angles, n = g.n_det, N = g.n_grid;
    m_order = opt.ind_block;
    if (m_order.empty()) {
      m_order.resize(std::size_t(P));
      std::iota(m_order.begin(), m_order.end(), 0);
    }
    check::require(int(m_order.size()) == P, where,
                   cat("argument 'ind_block' has ", m_order.size(), " entries, expected ", P, " (one per projection)"));
    {
      std::vector<int> seen(std::size_t(P), 0);
      for (int i : m_order) {
        check::require(i >= 0 && i < P && !seen[std::size_t(i)]++, where,
                       cat("argument 'ind_block' must be a permutation of 0..", P - 1, " (bad entry ", i, ")"));
      }
    }
    m_ctr = center_table<Real, Mem>(g, n_slices);
    const int B = (opt.algorithm == "osem" || opt.algorithm == "os_sart") ? opt.num_block
                  : opt.algorithm == "sart"                                ? P
                                                                          : 1;
    // Subsets: TomoPy splits the ordered projections into num_block consecutive groups.
    for (int b = 0; b < B; ++b) {
      const int a0 = int(std::size_t(P) * b / B), a1 = int(std::size_t(P) * (b + 1) / B);
      std::vector<double> th;
      std::vector<int> idx;
      for (int i = a0; i < a1; ++i) {
        idx.push_back(m_order[std::size_t(i)]);
        th.push_back(g.theta[std::size_t(m_order[std::size_t(i)])]);
      }
      Subset sub;
      sub.angles = angle_table<Real, Mem>(th);
      sub.index = Kokkos::View<int*, Mem>("beamkit::tomo::subset_index", idx.size());
      auto hi = Kokkos::create_mirror_view(sub.index);
      for (std::size_t i = 0; i < idx.size(); ++i) hi(i) = idx[i];
      Kokkos::deep_copy(sub.index, hi);
      sub.b = Sino("beamkit::tomo::subset_b", std::size_t(n_slices), idx.size(), std::size_t(n));
      sub.ax = Sino("beamkit::tomo::subset_ax", std::size_t(n_slices), idx.size(), std::size_t(n));
      sub.colsum = Image("beamkit::tomo::subset_colsum", std::size_t(n_slices), std::size_t(N), std::size_t(N));
      sub.rowsum = Sino("beamkit::tomo::subset_rowsum", std::size_t(n_slices), idx.size(), std::size_t(n));
      m_sub.push_back(sub);
    }
    m_all = angle_table<Real, Mem>(g.theta);
    m_r = Sino("beamkit::tomo::iter_r", std::size_t(n_slices), std::size_t(P), std::size_t(n));
    m_rowsum = Sino("beamkit::tomo::iter_rowsum", std::size_t(n_slices), std::size_t(P), std::size_t(n));
    m_colsum = Image("beamkit::tomo::iter_colsum", std::size_t(n_slices), std::size_t(N), std::size_t(N));
    m_t = Image("beamkit::tomo::iter_t", std::size_t(n_slices), std::size_t(N), std::size_t(N));
    m_p = Image("beamkit::tomo::iter_p", std::size_t(n_slices), std::size_t(N), std::size_t(N));
    m_q = Sino("beamkit::tomo::iter_q", std::size_t(n_slices), std::size_t(P), std::size_t(n));
    // row sums A 1 and column sums A^T 1 (whole set and per subset)
    Kokkos::deep_copy(m_t, Real(1));
    forward_project(m_space, m_t, m_all, m_ctr, m_rowsum);
    Kokkos::deep_copy(m_q, Real(1));
    back_project(m_space, m_q, m_all, m_ctr, m_colsum, BackProjector::matched);
    for (auto& sub : m_sub) {
      Kokkos::deep_copy(sub.b, Real(1));
      back_project(m_space, sub.b, sub.angles, m_ctr, sub.colsum, BackProjector::matched);
      forward_project(m_space, m_t, sub.angles, m_ctr, sub.rowsum);  // m_t is all ones here
    }
  }

  /// Iterate on x [S][N][N] (the initial value on entry) for sinograms b [S][P][n_det]. Returns the
  /// number of iterations done.
  template <class SinoView> int run(const SinoView& b, const Image& x) {
    constexpr const char* where = "beamkit::tomo::IterativePlan::run";
    check::require(int(b.extent(0)) == m_S && int(b.extent(1)) == m_geom.n_angles && int(b.extent(2)) == m_geom.n_det,
                   where, "sinogram shape does not match the plan");
    check::require(int(x.extent(0)) == m_S && int(x.extent(1)) == m_geom.n_grid, where, "image shape does not match the plan");
    const double bnorm = std::sqrt(dot(b, b));
    if (m_opt.algorithm == "cgls") return cgls(b, x, bnorm);
    if (m_opt.algorithm == "sirt") return sirt(b, x, bnorm);
    if (m_opt.algorithm == "sart" || m_opt.algorithm == "os_sart") return sart(b, x, bnorm);
    return em(b, x, bnorm);
  }

private:
  struct Subset {
    Kokkos::View<AngleCoef<Real>*, Mem> angles;
    Kokkos::View<int*, Mem> index;
    Sino b, ax, rowsum;
    Image colsum;
  };

  template <class A, class B> double dot(const A& a, const B& b) const {
    double s = 0;
    const std::size_t n = a.span();
    const auto* pa = a.data();
    const auto* pb = b.data();
    Kokkos::parallel_reduce("beamkit::tomo::dot", Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(m_space, 0, std::int64_t(n)),
                            KOKKOS_LAMBDA(const std::int64_t i, double& acc) { acc += double(pa[i]) * double(pb[i]); }, s);
    return s;
  }
  template <class F> void each(std::size_t n, const F& f) const {
    Kokkos::parallel_for("beamkit::tomo::elementwise",
                         Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(m_space, 0, std::int64_t(n)), f);
  }
  bool report(int it, double resid) {
    return !m_opt.callback || m_opt.callback(it, resid);
  }
  /// End of an iteration of the subset methods: the residual is computed only for a callback.
  template <class SinoView> bool continue_after(const SinoView& b, const Image& x, double bnorm, int it) {
    if (!m_opt.callback) return true;
    return report(it, residual(b, x) / (bnorm > 0 ? bnorm : 1));
  }

  /// r = b - A x; returns ||r||.
  template <class SinoView> double residual(const SinoView& b, const Image& x) {
    forward_project(m_space, x, m_all, m_ctr, m_r);
    Real* r = m_r.data();
    const auto* pb = b.data();
    each(m_r.span(), KOKKOS_LAMBDA(const std::int64_t i) { r[i] = Real(pb[i]) - r[i]; });
    return std::sqrt(dot(m_r, m_r));
  }

  template <class SinoView> int sirt(const SinoView& b, const Image& x, double bnorm) {
    const Real lambda = Real(m_opt.relax);
    const bool nonneg = m_opt.nonneg;
    double prev = -1;
    int it = 0;
    for (; it < m_opt.num_iter; ++it) {
      const double rn = residual(b, x);
      Real* r = m_r.data();
      const Real* R = m_rowsum.data();
      each(m_r.span(), KOKKOS_LAMBDA(const std::int64_t i) { r[i] = R[i] > Real(1e-12) ? r[i] / R[i] : Real(0); });
      back_project(m_space, m_r, m_all, m_ctr, m_t, BackProjector::matched);
      Real* px = x.data();
      const Real* t = m_t.data();
      const Real* C = m_colsum.data();
      each(x.span(), KOKKOS_LAMBDA(const std::int64_t i) {
        Real v = px[i] + (C[i] > Real(1e-12) ? lambda * t[i] / C[i] : Real(0));
        px[i] = nonneg && v < Real(0) ? Real(0) : v;
      });
      const double rel = bnorm > 0 ? rn / bnorm : rn;
      if (!report(it + 1, rel) || (m_opt.tol > 0 && prev >= 0 && std::abs(prev - rel) < m_opt.tol * prev)) {
        ++it;
        break;
      }
      prev = rel;
    }
    return it;
  }

  template <class SinoView> int cgls(const SinoView& b, const Image& x, double bnorm) {
    // r = b - A x; s = A^T r; p = s; gamma = |s|^2
    residual(b, x);
    back_project(m_space, m_r, m_all, m_ctr, m_t, BackProjector::matched);  // t = s
    Kokkos::deep_copy(m_space, m_p, m_t);
    double gamma = dot(m_t, m_t);
    int it = 0;
    for (; it < m_opt.num_iter && gamma > 0; ++it) {
      forward_project(m_space, m_p, m_all, m_ctr, m_q);  // q = A p
      const double qq = dot(m_q, m_q);
      if (!(qq > 0)) break;
      const Real alpha = Real(gamma / qq);
      Real* px = x.data();
      const Real* pp = m_p.data();
      const bool nonneg = m_opt.nonneg;
      each(x.span(), KOKKOS_LAMBDA(const std::int64_t i) {
        const Real v = px[i] + alpha * pp[i];
        px[i] = nonneg && v < Real(0) ? Real(0) : v;
      });
      Real* r = m_r.data();
      const Real* q = m_q.data();
      each(m_r.span(), KOKKOS_LAMBDA(const std::int64_t i) { r[i] -= alpha * q[i]; });
      if (m_opt.nonneg) residual(b, x);  // clipping breaks the recurrence: recompute
      back_project(m_space, m_r, m_all, m_ctr, m_t, BackProjector::matched);
      const double gnew = dot(m_t, m_t);
      const Real beta = Real(gnew / gamma);
      gamma = gnew;
      Real* pw = m_p.data();
      const Real* s = m_t.data();
      each(m_p.span(), KOKKOS_LAMBDA(const std::int64_t i) { pw[i] = s[i] + beta * pw[i]; });
      const double rel = std::sqrt(dot(m_r, m_r)) / (bnorm > 0 ? bnorm : 1);
      if (!report(it + 1, rel)) {
        ++it;
        break;
      }
    }
    return it;
  }

  /// Copy the subset's projections of b into sub.b.
  template <class SinoView> void gather_subset(const SinoView& b, Subset& sub) {
    const int Ps = int(sub.index.extent(0)), n = m_geom.n_det, S = m_S;
    auto bs = sub.b;
    auto idx = sub.index;
    Kokkos::parallel_for("beamkit::tomo::subset_gather",
                         Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(m_space, {0, 0, 0}, {S, Ps, n}),
                         KOKKOS_LAMBDA(const int s, const int a, const int d) { bs(s, a, d) = Real(b(s, idx(a), d)); });
  }

  /// SART (one projection per subset) and OS-SART: SIRT's update applied subset after subset.
  template <class SinoView> int sart(const SinoView& b, const Image& x, double bnorm) {
    const Real lambda = Real(m_opt.relax);
    const bool nonneg = m_opt.nonneg;
    int it = 0;
    for (; it < m_opt.num_iter; ++it) {
      for (auto& sub : m_sub) {
        gather_subset(b, sub);
        forward_project(m_space, x, sub.angles, m_ctr, sub.ax);
        Real* r = sub.ax.data();
        const Real* pb = sub.b.data();
        const Real* R = sub.rowsum.data();
        each(sub.ax.span(), KOKKOS_LAMBDA(const std::int64_t i) {
          r[i] = R[i] > Real(1e-12) ? (pb[i] - r[i]) / R[i] : Real(0);
        });
        back_project(m_space, sub.ax, sub.angles, m_ctr, m_t, BackProjector::matched);
        Real* px = x.data();
        const Real* t = m_t.data();
        const Real* C = sub.colsum.data();
        each(x.span(), KOKKOS_LAMBDA(const std::int64_t i) {
          const Real v = px[i] + (C[i] > Real(1e-12) ? lambda * t[i] / C[i] : Real(0));
          px[i] = nonneg && v < Real(0) ? Real(0) : v;
        });
      }
      if (!continue_after(b, x, bnorm, it + 1)) {
        ++it;
        break;
      }
    }
    return it;
  }

  /// MLEM (one subset) and OSEM. x must be positive where the object may be: 0 stays 0.
  template <class SinoView> int em(const SinoView& b, const Image& x, double bnorm) {
    int it = 0;
    for (; it < m_opt.num_iter; ++it) {
      for (auto& sub : m_sub) {
        gather_subset(b, sub);
        forward_project(m_space, x, sub.angles, m_ctr, sub.ax);
        Real* q = sub.ax.data();
        const Real* pb = sub.b.data();
        // EM models counts: negative data (noise in -log'd projections) count as 0
        each(sub.ax.span(), KOKKOS_LAMBDA(const std::int64_t i) {
          q[i] = q[i] > Real(1e-12) ? kmath::max(pb[i], Real(0)) / q[i] : Real(0);
        });
        back_project(m_space, sub.ax, sub.angles, m_ctr, m_t, BackProjector::matched);
        Real* px = x.data();
        const Real* t = m_t.data();
        const Real* C = sub.colsum.data();
        each(x.span(), KOKKOS_LAMBDA(const std::int64_t i) { px[i] = C[i] > Real(1e-12) ? px[i] * t[i] / C[i] : Real(0); });
      }
      if (!continue_after(b, x, bnorm, it + 1)) {
        ++it;
        break;
      }
    }
    return it;
  }

  ExecSpace m_space;
  ParallelGeometry m_geom;
  IterativeOptions m_opt;
  int m_S;
  std::vector<int> m_order;
  std::vector<Subset> m_sub;
  Kokkos::View<AngleCoef<Real>*, Mem> m_all;
  View1<Real, Mem> m_ctr;
  Sino m_r, m_rowsum, m_q;
  Image m_colsum, m_t, m_p;
};

}  // namespace beamkit::tomo
