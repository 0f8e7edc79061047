// SPDX-License-Identifier: BSD-3-Clause
// Iterative reconstruction, built the ASTRA way: every algorithm is a short loop over the matched
// projector pair (projector.hpp) plus element-wise kernels and reductions; none owns a projector
// (ART alone has one fused ray kernel, below, because Kaczmarz updates are sequential by nature).
// Workspaces are allocated once per plan, never per iteration. Every division is guarded so zero
// rays and empty pixels never give NaN.
//
//   sirt  x <- x + lambda C^-1 A^T R^-1 (b - A x)          R = A 1 (row sums), C = A^T 1 (column sums)
//   cgls  conjugate gradients on the normal equations A^T A x = A^T b (Bjorck 1996)
//   mlem  x <- x / C  A^T (b / A x)                          (Shepp & Vardi 1982); b < 0 counts as 0
//   osem  mlem over ordered subsets of angles (Hudson & Larkin 1994): num_block subsets, ind_block order
//   sart  sirt one projection at a time (Andersen & Kak 1984): x <- x + lambda C_s^-1 A_s^T R_s^-1 (b_s - A_s x)
//   os_sart  the same over num_block ordered subsets
//   art   Kaczmarz (1937): for each ray i in turn, x <- x + lambda (b_i - a_i x) / |a_i|^2 a_i.
//         Row order: angle by angle (ind_block order); within an angle first the even detector bins,
//         then the odd ones. Two rays of one angle two or more bins apart share no pixel under the
//         projector's tent (half-width w <= 1), so each half is one parallel step and the result is
//         exactly sequential Kaczmarz in that order.
//   bart  block ART as TomoPy: per subset s, x <- x + lambda C_s^-1 A_s^T N_s^-1 (b_s - A_s x),
//         N = |a_i|^2 (row norms squared), C_s = A_s^T 1.
//   pml_quad / pml_hybrid, ospml_quad / ospml_hybrid: penalised maximum likelihood with De Pierro's
//         separable surrogate as TomoPy (one subset, or num_block ordered subsets): with
//         t = A_s^T (b / A_s x), C = A_s^T 1 and the 8-neighbourhood of pixel j (weights 1 side /
//         1/sqrt2 diagonal, normalised to sum 1 over the neighbours present),
//             E_j = -x_j t_j,  F_j = 2 beta sum_q w_q g_q,  G_j = C_j - 2 beta sum_q w_q g_q (x_j + x_q),
//             x_j <- the positive root of 2 F x^2 + G x + E = 0,
//         g_q = 1 (quad) or 1 / (1 + |x_j - x_q| / delta) (hybrid); reg_par = [beta, delta].
//         beta = 0 is MLEM/OSEM.
//   tv    total variation, Chambolle & Pock (2011) as TomoPy: min_u lambda TV(u) + 1/2 |r A u - b|^2,
//         x = r u, r = 1 / sqrt(n_det P / 2), steps sigma = tau = 0.35; reg_par = [lambda].
//         Returns r times the extrapolated iterate 2 u_n - u_{n-1}, as TomoPy does.
// Images [S][N][N], sinograms [S][P][n_det] (sinogram order); all slices iterate together.
#pragma once
#include <beamkit/tomo/projector.hpp>
#include <functional>
#include <numeric>
#include <string>

namespace beamkit::tomo {

/// Every algorithm name IterativePlan knows.
inline const std::vector<std::string>& iterative_algorithms() {
  static const std::vector<std::string> names{"sirt", "cgls", "mlem", "osem", "sart", "os_sart", "art", "bart",
                                              "pml_quad", "pml_hybrid", "ospml_quad", "ospml_hybrid", "tv"};
  return names;
}
inline bool is_iterative(const std::string& a) {
  for (const auto& n : iterative_algorithms())
    if (n == a) return true;
  return false;
}

struct IterativeOptions {
  std::string algorithm = "sirt";  ///< one of iterative_algorithms()
  int num_iter = 10;
  int num_block = 1;               ///< subsets (osem, os_sart, bart, ospml_*)
  std::vector<int> ind_block;      ///< projection order: subsets, ART's angle order (default 0..P-1; TomoPy's meaning)
  double relax = 1.0;              ///< relaxation lambda in (0, 2) (sirt, sart, os_sart, art, bart)
  /// TomoPy's reg_par: pml_* / ospml_* [beta, delta] (delta: hybrid only), tv [lambda]; empty: ones.
  std::vector<double> reg_par;
  bool nonneg = false;             ///< clip negative values (after each update; art: after each sweep)
  double tol = 0;                  ///< stop when the relative residual changes less than tol
  /// Called after every iteration with (iteration, residual norm ||b - A x|| / ||b||); false stops.
  std::function<bool(int, double)> callback;
  /// Called after every iteration with the iteration number only (no residual is computed for it,
  /// so it costs nothing: progress bars); false stops.
  std::function<bool(int)> progress;
};

namespace detail {

/// num / den where den > 1e-12, else 0: the guarded division of every normalisation (zero rays, empty
/// pixels). The division is done unconditionally (by max(den, 1e-12); same value where it is kept) so the
/// element-wise loops vectorise: GCC does not if-convert a conditional division (it may trap).
template <class Real> KOKKOS_FORCEINLINE_FUNCTION Real guarded_div(Real num, Real den) {
  const Real q = num / kmath::max(den, Real(1e-12));
  return den > Real(1e-12) ? q : Real(0);
}

/// The projector's ray parametrisation (ForwardProjectFunctor): ray (angle, bin d) crosses line k
/// (an image row if x-dominant, else a column) at fractional index t = t0 + k dk + d dd, with taps
/// (1 - f, f) / w on the two nearest pixels of the line.
template <class Real> struct RayParam {
  Real t0, dk, dd, weight;
  bool xdom;
  KOKKOS_INLINE_FUNCTION RayParam(const AngleCoef<Real>& ac, Real center, int n) {
    const Real half = Real(0.5) - Real(0.5) * Real(n);
    const Real off = center - Real(0.5);
    xdom = kmath::fabs(ac.ax) >= kmath::fabs(ac.ay);
    const Real a_main = xdom ? ac.ax : ac.ay, a_step = xdom ? ac.ay : ac.ax;
    const Real inv = Real(1) / a_main;
    t0 = (-off - half * (ac.ax + ac.ay)) * inv;
    dk = -a_step * inv;
    dd = inv;
    weight = Real(1) / ac.w;
  }
};

/// |a_i|^2 for every ray: out [S][P][n_det].
template <class ExecSpace, class Real, class AngleView, class CenterView>
void row_norms_squared(const ExecSpace& space, const AngleView& ang, const CenterView& ctr, int n,
                       const View3<Real, typename ExecSpace::memory_space>& out) {
  const int S = int(out.extent(0)), P = int(out.extent(1)), nd = int(out.extent(2));
  Kokkos::parallel_for(
      "beamkit::tomo::row_norms_squared", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(space, {0, 0, 0}, {S, P, nd}),
      KOKKOS_LAMBDA(const int s, const int a, const int d) {
        const RayParam<Real> rp(ang(a), ctr(s), n);
        accum_t<Real> acc = 0;
        for (int k = 0; k < n; ++k) {
          const Real t = rp.t0 + Real(k) * rp.dk + Real(d) * rp.dd;
          const Real fl = kmath::floor(t);
          const int i0 = int(fl);
          const Real f = t - fl;
          if (i0 >= 0 && i0 < n) acc += (Real(1) - f) * (Real(1) - f);
          if (i0 + 1 >= 0 && i0 + 1 < n) acc += f * f;
        }
        out(s, a, d) = Real(acc * rp.weight * rp.weight);
      });
}

/// One ART sweep (every ray once): angle by angle in `order`, each angle in two half-steps (even bins,
/// then odd bins). The rays of a half-step have disjoint supports (see the file comment), so they run in
/// parallel: one team per slice, the team's threads over chunks of `chunk` rays, each chunk walking the
/// image line by line (a dot-product pass, then an update pass), and a team barrier between half-steps.
/// One launch per sweep: the half-steps are far too small to pay a kernel launch each.
/// With `use_t`, steep (y-dominant) angles work on a transposed copy `xt` of the image, so every ray walks
/// contiguous rows (strided columns cost ~1.5x at 1024^2, where a column spans 1024 cache lines); the
/// copy is made when the dominance changes along `order`, so use it when that is rare.
/// On AVX2 hosts, float rays walking rows take the gather-free kernels simd_fp::art_dot_lines / art_update
/// (detail/forward_simd.hpp): the same rays, weights and pixels, computed 8 rays / 8 pixels at a time.
template <class ExecSpace, class Real, class ImageView, class BView, class AngleView, class CenterView, class NormView,
          class OrderView>
void art_sweep(const ExecSpace& space, const ImageView& x, const ImageView& xt, bool use_t, const BView& b,
               const AngleView& ang, const CenterView& ctr, const NormView& rn2, const OrderView& order, Real relax) {
  constexpr int chunk = 128;
  constexpr bool simd_art = simd_fp::available && is_host_space<ExecSpace>::value && std::is_same<Real, float>::value;
  const int S = int(x.extent(0)), n = int(x.extent(1)), nd = int(b.extent(2)), P = int(order.extent(0));
  const int nch_max = ((nd + 1) / 2 + chunk - 1) / chunk;
  const int conc = int(space.concurrency());
  const int ts = std::max(1, std::min(nch_max, conc / std::max(S, 1)));
  using policy_type = Kokkos::TeamPolicy<ExecSpace>;
  using member_type = typename policy_type::member_type;
  Kokkos::parallel_for(
      "beamkit::tomo::art_sweep", policy_type(space, S, ts), KOKKOS_LAMBDA(const member_type& team) {
        const int s = team.league_rank();
        Real* const img0 = &x(s, 0, 0);
        Real* const imgT = use_t ? &xt(s, 0, 0) : nullptr;
        bool in_t = false;  // the current image lives in imgT (transposed)
        auto transpose = [&](const Real* src, Real* dst) {
          Kokkos::parallel_for(Kokkos::TeamThreadRange(team, n), [&](const int r) {
            for (int c = 0; c < n; ++c) dst[std::size_t(c) * n + r] = src[std::size_t(r) * n + c];
          });
          team.team_barrier();
        };
        for (int ai = 0; ai < P; ++ai) {
          const int a = order(ai);
          const RayParam<Real> rp(ang(a), ctr(s), n);
          if (use_t && rp.xdom == in_t) {
            if (in_t) transpose(imgT, img0);
            else transpose(img0, imgT);
            in_t = !in_t;
          }
          Real* img = in_t ? imgT : img0;
          const bool rows = rp.xdom || in_t;                  // line k is a row of img
          const int ls = rows ? n : 1, es = rows ? 1 : n;  // line and element strides
          const Real dm = Real(2) * rp.dd;                       // t step from one ray of a chunk to the next
          for (int parity = 0; parity < 2; ++parity) {
            const int nrays = (nd - parity + 1) / 2, nch = (nrays + chunk - 1) / chunk;
            Kokkos::parallel_for(Kokkos::TeamThreadRange(team, nch), [&](const int j) {
              const int m_count = kmath::min(chunk, nrays - j * chunk);
              const int d_first = parity + 2 * j * chunk;
              const Real span = Real(m_count - 1) * dm;
              auto line_missed = [&](Real tk) {
                return kmath::max(tk, tk + span) < Real(-1) || kmath::min(tk, tk + span) > Real(n);
              };
              if constexpr (simd_art) {  // host AVX2, float, rows: the gather-free kernels (detail/forward_simd.hpp)
                if (rows && simd_fp::art_usable(n)) {
                  float dotv[chunk], cpad[chunk + 24];
                  for (int m = 0; m < chunk; ++m) dotv[m] = 0;
                  simd_fp::art_dot_lines(dotv, img, std::size_t(ls), n, n, rp.t0, rp.dk, Real(d_first) * rp.dd, dm, m_count);
                  for (int m = 0; m < chunk + 24; ++m) cpad[m] = 0;
                  for (int m = 0; m < m_count; ++m) {
                    const int d = d_first + 2 * m;
                    const Real nn = rn2(s, a, d);
                    cpad[8 + m] = guarded_div(relax * (Real(b(s, a, d)) - dotv[m] * rp.weight), nn) * rp.weight;
                  }
                  for (int k = 0; k < n; ++k) {
                    const Real tk = rp.t0 + Real(k) * rp.dk + Real(d_first) * rp.dd;
                    if (!line_missed(tk)) simd_fp::art_update(img + std::size_t(k) * ls, n, tk, dm, cpad, m_count);
                  }
                  return;
                }
              }
              Real dot[chunk], coef[chunk];
              for (int m = 0; m < chunk; ++m) dot[m] = 0;
              for (int k = 0; k < n; ++k) {
                const Real tk = rp.t0 + Real(k) * rp.dk + Real(d_first) * rp.dd;
                if (kmath::max(tk, tk + span) < Real(-1) || kmath::min(tk, tk + span) > Real(n)) continue;
                const Real* line = img + std::size_t(k) * ls;
                int m0, m1;
                safe_range(tk, dm, m_count, n - 1, m0, m1);
                BEAMKIT_PRAGMA_SIMD
                for (int m = m0; m < m1; ++m) {
                  const Real t = tk + Real(m) * dm;
                  const int i0 = int(t);
                  const Real f = t - Real(i0);
                  dot[m] += (Real(1) - f) * line[i0 * es] + f * line[(i0 + 1) * es];
                }
                auto edge = [&](int m) {
                  dot[m] += tap_exact<Real, false>(tk + Real(m) * dm, Real(1), n, [&](int i) { return line[i * es]; });
                };
                for (int m = 0; m < m0; ++m) edge(m);
                for (int m = m1; m < m_count; ++m) edge(m);
              }
              for (int m = 0; m < m_count; ++m) {
                const int d = d_first + 2 * m;
                const Real nn = rn2(s, a, d);
                coef[m] = guarded_div(relax * (Real(b(s, a, d)) - dot[m] * rp.weight), nn) * rp.weight;
              }
              for (int k = 0; k < n; ++k) {
                const Real tk = rp.t0 + Real(k) * rp.dk + Real(d_first) * rp.dd;
                if (kmath::max(tk, tk + span) < Real(-1) || kmath::min(tk, tk + span) > Real(n)) continue;
                Real* line = img + std::size_t(k) * ls;
                int m0, m1;
                safe_range(tk, dm, m_count, n - 1, m0, m1);
                for (int m = m0; m < m1; ++m) {  // taps of different rays are >= 2 apart: no conflicts
                  const Real t = tk + Real(m) * dm;
                  const int i0 = int(t);
                  const Real f = t - Real(i0);
                  line[i0 * es] += (Real(1) - f) * coef[m];
                  line[(i0 + 1) * es] += f * coef[m];
                }
                auto edge = [&](int m) {
                  const Real t = tk + Real(m) * dm;
                  const Real fl = kmath::floor(t);
                  const int i0 = int(fl);
                  const Real f = t - fl;
                  if (i0 >= 0 && i0 < n) line[i0 * es] += (Real(1) - f) * coef[m];
                  if (i0 + 1 >= 0 && i0 + 1 < n) line[(i0 + 1) * es] += f * coef[m];
                };
                for (int m = 0; m < m0; ++m) edge(m);
                for (int m = m1; m < m_count; ++m) edge(m);
              }
            });
            team.team_barrier();
          }
        }
        if (in_t) transpose(imgT, img0);
      });
}

}  // namespace detail

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
    const std::string& alg = opt.algorithm;
    if (!is_iterative(alg)) {
      std::string list;
      for (const auto& a : iterative_algorithms()) list += (list.empty() ? "" : ", ") + a;
      fail(errc::invalid_argument, where, cat("unknown algorithm '", alg, "' (", list, ")"));
    }
    if (alg == "sirt" || alg == "sart" || alg == "os_sart" || alg == "art" || alg == "bart")
      check::in_range(opt.relax, 1e-6, 2.0, where, "relax");
    check::in_range(opt.num_block, 1, g.n_angles, where, "num_block");
    m_beta = opt.reg_par.size() > 0 ? opt.reg_par[0] : 1.0;
    m_delta = opt.reg_par.size() > 1 ? opt.reg_par[1] : 1.0;
    if (alg == "tv") {
      check::require(std::isfinite(m_beta) && m_beta > 0, where, cat("argument 'reg_par[0]' (TV weight) must be > 0, got ", m_beta));
    } else if (is_pml()) {
      check::require(std::isfinite(m_beta) && m_beta >= 0, where, cat("argument 'reg_par[0]' (beta) must be >= 0, got ", m_beta));
      if (alg == "pml_hybrid" || alg == "ospml_hybrid")
        check::require(std::isfinite(m_delta) && m_delta > 0, where, cat("argument 'reg_par[1]' (delta) must be > 0, got ", m_delta));
    }
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
    const bool subsets = alg == "osem" || alg == "os_sart" || alg == "bart" || alg == "ospml_quad" || alg == "ospml_hybrid";
    const int B = subsets ? opt.num_block : alg == "sart" ? P : (alg == "cgls" || alg == "sirt" || alg == "art" || alg == "tv") ? 0 : 1;
    const auto S = std::size_t(n_slices);
    m_all = angle_table<Real, Mem>(g.theta);
    m_r_buf = View1<Real, Mem>("beamkit::tomo::iter_r", S * std::size_t(P) * std::size_t(n) + sino_slack);
    m_r = Sino(m_r_buf.data(), S, std::size_t(P), std::size_t(n));
    m_t = Image("beamkit::tomo::iter_t", S, std::size_t(N), std::size_t(N));
    // the forward projector's transposed copy for steep angles, kept instead of allocated per call
    m_fpT = Image(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::iter_fp_transposed"), S,
                  std::size_t(N), std::size_t(N));
    if (alg == "sirt") {
      m_rowsum = Sino("beamkit::tomo::iter_rowsum", S, std::size_t(P), std::size_t(n));
      m_colsum = Image("beamkit::tomo::iter_colsum", S, std::size_t(N), std::size_t(N));
      Kokkos::deep_copy(m_t, Real(1));
      forward_project(m_space, m_t, m_all, m_ctr, m_rowsum, m_fpT);
      Kokkos::deep_copy(m_r, Real(1));
      back_project(m_space, m_r, m_all, m_ctr, m_colsum, BackProjector::matched);
    }
    if (alg == "cgls" || is_pml() || alg == "tv") m_p = Image("beamkit::tomo::iter_p", S, std::size_t(N), std::size_t(N));
    if (alg == "cgls") m_q = Sino("beamkit::tomo::iter_q", S, std::size_t(P), std::size_t(n));
    if (alg == "tv") {
      m_q = Sino("beamkit::tomo::iter_q", S, std::size_t(P), std::size_t(n));
      m_u = Image("beamkit::tomo::tv_u", S, std::size_t(N), std::size_t(N));
      m_py = Image("beamkit::tomo::tv_py", S, std::size_t(N), std::size_t(N));
    }
    if (alg == "art" || alg == "bart") {
      m_rn2 = Sino("beamkit::tomo::row_norms_squared", S, std::size_t(P), std::size_t(n));
      detail::row_norms_squared(m_space, m_all, m_ctr, N, m_rn2);
      // steep angles on a transposed copy when the order changes dominance rarely (<= P/8 times)
      int switches = 0;
      for (int i = 1; i < P; ++i) {
        auto dom = [&](int k) { return std::abs(std::cos(g.theta[std::size_t(k)])) >= std::abs(std::sin(g.theta[std::size_t(k)])); };
        switches += dom(m_order[std::size_t(i)]) != dom(m_order[std::size_t(i - 1)]);
      }
      m_art_transpose = alg == "art" && switches <= std::max(2, P / 8);
      m_xt = Image("beamkit::tomo::art_transposed", m_art_transpose ? S : 0, std::size_t(N), std::size_t(N));
      m_order_dev = Kokkos::View<int*, Mem>("beamkit::tomo::art_order", std::size_t(P));
      auto ho = Kokkos::create_mirror_view(m_order_dev);
      for (int i = 0; i < P; ++i) ho(i) = m_order[std::size_t(i)];
      Kokkos::deep_copy(m_order_dev, ho);
    }
    // Subsets: num_block consecutive groups of the ordered projections.
    for (int bl = 0; bl < B; ++bl) {
      const int a0 = int(std::size_t(P) * bl / B), a1 = int(std::size_t(P) * (bl + 1) / B);
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
      sub.b = Sino("beamkit::tomo::subset_b", S, idx.size(), std::size_t(n));
      // A x_s and the ratio the back-projector reads: 8 floats of padding after the last row, so that
      // row takes the back-projector's unguarded vector loop too (it reads up to 7 floats past a row)
      sub.ax_buf = View1<Real, Mem>("beamkit::tomo::subset_ax", S * idx.size() * std::size_t(n) + sino_slack);
      sub.ax = Sino(sub.ax_buf.data(), S, idx.size(), std::size_t(n));
      sub.colsum = Image("beamkit::tomo::subset_colsum", S, std::size_t(N), std::size_t(N));
      sub.rowsum = Sino("beamkit::tomo::subset_rowsum", S, idx.size(), std::size_t(n));
      Kokkos::deep_copy(sub.b, Real(1));
      back_project(m_space, sub.b, sub.angles, m_ctr, sub.colsum, BackProjector::matched);
      if (alg == "bart") {
        gather_subset(m_rn2, sub, sub.rowsum);  // BART normalises rows by |a_i|^2
      } else {
        Kokkos::deep_copy(m_t, Real(1));
        forward_project(m_space, m_t, sub.angles, m_ctr, sub.rowsum, m_fpT);
      }
      m_sub.push_back(sub);
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
    const std::string& alg = m_opt.algorithm;
    if (alg == "cgls") return cgls(b, x, bnorm);
    if (alg == "sirt") return sirt(b, x, bnorm);
    if (alg == "sart" || alg == "os_sart" || alg == "bart") return sart(b, x, bnorm);
    if (alg == "art") return art(b, x, bnorm);
    if (alg == "tv") return tv(b, x, bnorm);
    if (is_pml()) return pml(b, x, bnorm);
    return em(b, x, bnorm);
  }

private:
  struct Subset {
    Kokkos::View<AngleCoef<Real>*, Mem> angles;
    Kokkos::View<int*, Mem> index;
    Sino b, ax, rowsum;  // ax: a view of ax_buf
    Image colsum;
    View1<Real, Mem> ax_buf;
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
    bool go = !m_opt.callback || m_opt.callback(it, resid);
    if (m_opt.progress && !m_opt.progress(it)) go = false;
    return go;
  }
  /// End of an iteration of the subset methods: the residual is computed only for a callback.
  template <class SinoView> bool continue_after(const SinoView& b, const Image& x, double bnorm, int it) {
    if (!m_opt.callback) return !m_opt.progress || m_opt.progress(it);
    return report(it, residual(b, x) / (bnorm > 0 ? bnorm : 1));
  }

  /// Runs `step()` (one iteration) up to num_iter times, stopping after the iteration where
  /// continue_after (callback, progress) says so; returns the iterations done.
  template <class SinoView, class Step> int iterate(const SinoView& b, const Image& x, double bnorm, const Step& step) {
    for (int it = 1; it <= m_opt.num_iter; ++it) {
      step();
      if (!continue_after(b, x, bnorm, it)) return it;
    }
    return m_opt.num_iter;
  }

  /// r = b - A x; returns ||r||.
  template <class SinoView> double residual(const SinoView& b, const Image& x) {
    forward_project(m_space, x, m_all, m_ctr, m_r, m_fpT);
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
      each(m_r.span(), KOKKOS_LAMBDA(const std::int64_t i) { r[i] = detail::guarded_div(r[i], R[i]); });
      landweber_step(m_r, m_all, m_colsum, x, lambda, nonneg);
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
      forward_project(m_space, m_p, m_all, m_ctr, m_q, m_fpT);  // q = A p
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

  /// Copy the subset's projections of b into dst (default sub.b).
  template <class SinoView> void gather_subset(const SinoView& b, Subset& sub, Sino dst = {}) {
    const int Ps = int(sub.index.extent(0)), n = m_geom.n_det, S = m_S;
    auto bs = dst.data() ? dst : sub.b;
    auto idx = sub.index;
    Kokkos::parallel_for("beamkit::tomo::subset_gather",
                         Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(m_space, {0, 0, 0}, {S, Ps, n}),
                         KOKKOS_LAMBDA(const int s, const int a, const int d) { bs(s, a, d) = Real(b(s, idx(a), d)); });
  }

  /// SART (one projection per subset) and OS-SART: SIRT's update applied subset after subset;
  /// BART the same with rows normalised by |a_i|^2 (sub.rowsum holds them for bart).
  template <class SinoView> int sart(const SinoView& b, const Image& x, double bnorm) {
    const Real lambda = Real(m_opt.relax);
    const bool nonneg = m_opt.nonneg;
    for (auto& sub : m_sub) gather_subset(b, sub);
    return iterate(b, x, bnorm, [&] {
      for (auto& sub : m_sub) {
        forward_project(m_space, x, sub.angles, m_ctr, sub.ax, m_fpT);
        Real* r = sub.ax.data();
        const Real* pb = sub.b.data();
        const Real* R = sub.rowsum.data();
        each(sub.ax.span(), KOKKOS_LAMBDA(const std::int64_t i) {
          r[i] = detail::guarded_div(pb[i] - r[i], R[i]);
        });
        landweber_step(sub.ax, sub.angles, sub.colsum, x, lambda, nonneg);
      }
    });
  }

  /// x <- x + lambda C^-1 A^T r (clipped at 0 if nonneg), the update fused into the back-projection
  /// (SIRT, SART, OS-SART, BART).
  template <class AngleView>
  void landweber_step(const Sino& r, const AngleView& angles, const Image& colsum, const Image& x, Real lambda, bool nonneg) {
    auto xv = x;
    auto C = colsum;
    back_project_update(m_space, r, angles, m_ctr, x, KOKKOS_LAMBDA(const int s, const int i, const int j, const Real t) {
      const Real v = xv(s, i, j) + detail::guarded_div(lambda * t, C(s, i, j));
      xv(s, i, j) = nonneg && v < Real(0) ? Real(0) : v;
    }, sino_slack);
  }

  /// MLEM (one subset) and OSEM. x must be positive where the object may be: 0 stays 0.
  template <class SinoView> int em(const SinoView& b, const Image& x, double bnorm) {
    for (auto& sub : m_sub) gather_subset(b, sub);
    return iterate(b, x, bnorm, [&] {
      for (auto& sub : m_sub) {
        forward_project(m_space, x, sub.angles, m_ctr, sub.ax, m_fpT);
        em_ratio(sub);
        // x <- x / C  A_s^T (b / A_s x), the update fused into the back-projection
        auto xv = x;
        auto C = sub.colsum;
        back_project_update(m_space, sub.ax, sub.angles, m_ctr, x, KOKKOS_LAMBDA(const int s, const int r, const int c, const Real t) {
          xv(s, r, c) = detail::guarded_div(xv(s, r, c) * t, C(s, r, c));
        }, sino_slack);
      }
    });
  }

  /// b / A x for one subset into sub.ax (A x there on entry); EM models counts: negative data
  /// (noise in -log'd projections) count as 0.
  void em_ratio(Subset& sub) {
    Real* q = sub.ax.data();
    const Real* pb = sub.b.data();
    each(sub.ax.span(), KOKKOS_LAMBDA(const std::int64_t i) {
      q[i] = detail::guarded_div(kmath::max(pb[i], Real(0)), q[i]);
    });
  }

  /// ART: Kaczmarz sweeps, angle by angle in ind_block order, even bins then odd bins.
  template <class SinoView> int art(const SinoView& b, const Image& x, double bnorm) {
    const Real lambda = Real(m_opt.relax);
    return iterate(b, x, bnorm, [&] {
      detail::art_sweep(m_space, x, m_xt, m_art_transpose, b, m_all, m_ctr, m_rn2, m_order_dev, lambda);
      if (m_opt.nonneg) clip(x);
    });
  }

  void clip(const Image& x) {
    Real* px = x.data();
    each(x.span(), KOKKOS_LAMBDA(const std::int64_t i) { px[i] = px[i] < Real(0) ? Real(0) : px[i]; });
  }

  bool is_pml() const {
    const std::string& a = m_opt.algorithm;
    return a == "pml_quad" || a == "pml_hybrid" || a == "ospml_quad" || a == "ospml_hybrid";
  }

  /// Penalised ML (De Pierro's surrogate, TomoPy's pml_* / ospml_*): see the file comment.
  template <class SinoView> int pml(const SinoView& b, const Image& x, double bnorm) {
    for (auto& sub : m_sub) gather_subset(b, sub);
    const bool hybrid = m_opt.algorithm == "pml_hybrid" || m_opt.algorithm == "ospml_hybrid";
    const Real beta = Real(m_beta), inv_delta = Real(1 / m_delta);
    const int S = m_S, N = m_geom.n_grid;
    return iterate(b, x, bnorm, [&] {
      for (auto& sub : m_sub) {
        forward_project(m_space, x, sub.angles, m_ctr, sub.ax, m_fpT);
        em_ratio(sub);
        back_project(m_space, sub.ax, sub.angles, m_ctr, m_t, BackProjector::matched);
        auto xv = x;
        auto tv = m_t;
        auto C = sub.colsum;
        auto out = m_p;
        Kokkos::parallel_for(
            "beamkit::tomo::pml_update", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(m_space, {0, 0, 0}, {S, N, N}),
            KOKKOS_LAMBDA(const int s, const int r, const int c) {
              const Real xj = xv(s, r, c);
              const Real inv_sqrt2 = Real(0.70710678118654752);
              Real wsum = 0, fsum = 0, gsum = 0;
              for (int dr = -1; dr <= 1; ++dr)
                for (int dc = -1; dc <= 1; ++dc) {
                  if ((dr == 0 && dc == 0) || r + dr < 0 || r + dr >= N || c + dc < 0 || c + dc >= N) continue;
                  const Real w = (dr == 0 || dc == 0) ? Real(1) : inv_sqrt2;
                  const Real xq = xv(s, r + dr, c + dc);
                  const Real gam = hybrid ? Real(1) / (Real(1) + kmath::fabs(xj - xq) * inv_delta) : Real(1);
                  wsum += w;
                  fsum += w * gam;
                  gsum += w * gam * (xj + xq);
                }
              const Real k = wsum > Real(0) ? Real(2) * beta / wsum : Real(0);
              const Real E = -xj * tv(s, r, c), F = k * fsum, G = C(s, r, c) - k * gsum;
              // positive root of 2F x^2 + G x + E = 0 (E <= 0 <= F), in the form without cancellation
              const Real disc = kmath::sqrt(kmath::max(Real(0), G * G - Real(8) * E * F));
              Real v = 0;
              if (G > Real(0)) v = Real(-2) * E / (G + disc);
              else if (F > Real(0)) v = (disc - G) / (Real(4) * F);
              out(s, r, c) = v;
            });
        Kokkos::deep_copy(m_space, x, m_p);
      }
    });
  }

  /// TV by Chambolle-Pock, as TomoPy's tv (file comment). Workspaces: u (m_u), the extrapolated
  /// point (m_t), dual gradient field (m_p, m_py), dual data variable (m_r), A xbar (m_q).
  template <class SinoView> int tv(const SinoView& b, const Image& x, double bnorm) {
    const int S = m_S, N = m_geom.n_grid;
    const Real c = Real(0.35), lam = Real(m_beta);
    const Real rs = Real(1 / std::sqrt(double(m_geom.n_det) * m_geom.n_angles / 2.0));
    const bool nonneg = m_opt.nonneg;
    auto u = m_u, xb = m_t, px = m_p, py = m_py;
    {
      const Real* px0 = x.data();
      Real* pu = u.data();
      Real* pxb = xb.data();
      each(x.span(), KOKKOS_LAMBDA(const std::int64_t i) { pu[i] = pxb[i] = px0[i] / rs; });
    }
    Kokkos::deep_copy(m_space, px, Real(0));
    Kokkos::deep_copy(m_space, py, Real(0));
    Kokkos::deep_copy(m_space, m_r, Real(0));
    using Pol = Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>;
    const int it = iterate(b, x, bnorm, [&] {
      // dual ascent on the gradient field, projected on |p| <= lambda
      Kokkos::parallel_for("beamkit::tomo::tv_dual", Pol(m_space, {0, 0, 0}, {S, N, N}),
                           KOKKOS_LAMBDA(const int s, const int r, const int cc) {
                             const Real v = xb(s, r, cc);
                             const Real gx = cc + 1 < N ? xb(s, r, cc + 1) - v : Real(0);
                             const Real gy = r + 1 < N ? xb(s, r + 1, cc) - v : Real(0);
                             Real ax = px(s, r, cc) + c * gx, ay = py(s, r, cc) + c * gy;
                             const Real nrm = kmath::sqrt(ax * ax + ay * ay) / lam;
                             if (nrm > Real(1)) {
                               ax /= nrm;
                               ay /= nrm;
                             }
                             px(s, r, cc) = ax;
                             py(s, r, cc) = ay;
                           });
      // dual step on the data term: y <- (y + c (rs A xbar - b)) / (1 + c)
      forward_project(m_space, xb, m_all, m_ctr, m_q, m_fpT);
      {
        Real* y = m_r.data();
        const Real* q = m_q.data();
        const auto* pb = b.data();
        each(m_r.span(), KOKKOS_LAMBDA(const std::int64_t i) { y[i] = (y[i] + c * (rs * q[i] - Real(pb[i]))) / (Real(1) + c); });
      }
      back_project(m_space, m_r, m_all, m_ctr, xb, BackProjector::matched);  // xb <- A^T y (xbar is rebuilt below)
      // primal step u <- u - c (rs A^T y - div p), then xbar = 2 u_new - u_old
      Kokkos::parallel_for("beamkit::tomo::tv_primal", Pol(m_space, {0, 0, 0}, {S, N, N}),
                           KOKKOS_LAMBDA(const int s, const int r, const int cc) {
                             const Real div = px(s, r, cc) - (cc > 0 ? px(s, r, cc - 1) : Real(0)) + py(s, r, cc) -
                                              (r > 0 ? py(s, r - 1, cc) : Real(0));
                             const Real old = u(s, r, cc);
                             Real v = old - c * (rs * xb(s, r, cc) - div);
                             if (nonneg && v < Real(0)) v = Real(0);
                             u(s, r, cc) = v;
                             xb(s, r, cc) = Real(2) * v - old;
                           });
      if (m_opt.callback || m_opt.progress) {  // the callback sees the current image
        Real* px0 = x.data();
        const Real* pu = xb.data();
        each(x.span(), KOKKOS_LAMBDA(const std::int64_t i) { px0[i] = rs * pu[i]; });
      }
    });
    Real* px0 = x.data();
    const Real* pu = xb.data();  // TomoPy's output: the extrapolated point
    each(x.span(), KOKKOS_LAMBDA(const std::int64_t i) { px0[i] = rs * pu[i]; });
    return it;
  }

  ExecSpace m_space;
  ParallelGeometry m_geom;
  IterativeOptions m_opt;
  int m_S;
  std::vector<int> m_order;
  Kokkos::View<int*, Mem> m_order_dev;  // ART's angle order
  Image m_xt;                           // ART: steep angles work on this transposed copy (if m_art_transpose)
  bool m_art_transpose = false;
  std::vector<Subset> m_sub;
  Kokkos::View<AngleCoef<Real>*, Mem> m_all;
  View1<Real, Mem> m_ctr;
  Sino m_r, m_rowsum, m_q, m_rn2;  // m_r: a view of m_r_buf
  View1<Real, Mem> m_r_buf;
  /// Padding after the sinogram buffers the back-projector reads (m_r, subset ax): see back_project_update.
  static constexpr int sino_slack = 8;
  Image m_colsum, m_t, m_p, m_u, m_py;
  Image m_fpT;  // forward_project's workspace (transposed image)
  double m_beta = 1, m_delta = 1;
};

}  // namespace beamkit::tomo
