// SPDX-License-Identifier: BSD-3-Clause
// The incremental Fourier transform of R binary N x N models ("replicas") and the fused move kernel.
//
// F(ky, kx) = sum_{y,x} m(y, x) exp(-2 pi i (ky y + kx x) / N)    (= numpy.fft.fft2(m), FFTW forward)
//
// A move empties cell (y0, x0) and fills (y1, x1), so every Fourier coefficient changes by two
// rank-one terms:  Delta(k) = t(ky y1) t(kx x1) - t(ky y0) t(kx x0),  t(j) = exp(-2 pi i j / N),
// with t read from a precomputed table (no sin/cos in the loop). The model is real, so
// F(-k) = conj F(k) and |F|^2 is centrosymmetric: only the half spectrum kx in [0, N/2] is stored and
// updated; the data of k and -k are folded into combined weights W(k) = w(k) + w(-k) and
// WD(k) = w(k) D(k) + w(-k) D(-k) (columns 0 and N/2 hold both k and -k already and keep w, wD).
//
// One pass over the half spectrum per move (MoveKernel) computes, for every replica at once,
//   dP = |F + Delta|^2 - |F|^2 = 2 Re(conj(F) Delta) + |Delta|^2   (no cancellation of large terms)
// and the changes of the chi^2 sums dS_pp = sum W dP (2P + dP), dS_p = sum W dP, dS_pd = sum WD dP.
// The chi^2 of the proposal follows on the host in O(1) (chi2.hpp). F itself is not written by
// that pass: an accepted move is kept "pending" and applied by the NEXT pass over the same memory
// (apply-then-propose), so a move costs one read of F (plus one write when the previous move was
// accepted). flush() applies a pending move on its own (before output or a full recomputation).
// recompute() replaces F by a 2-D FFT of the models (fft::Plan) and the sums by a fresh reduction,
// which bounds the rounding drift of the incremental updates.
//
// Partial sums are formed per row in a fixed order (8 interleaved lanes, then rows summed on the
// host in row order), so results are bitwise independent of the thread count.
#pragma once
#include <beamkit/core/error.hpp>
#include <beamkit/core/kokkos_compat.hpp>
#include <beamkit/core/types.hpp>
#include <beamkit/fft/plan.hpp>
#include <beamkit/rmc/chi2.hpp>
#include <cmath>
#include <complex>
#include <cstdint>
#include <memory>
#include <vector>

namespace beamkit::rmc {

/// One proposed swap for one replica: empty cell `from`, fill cell `to` (flat indices y*N + x).
struct Swap {
  int from = -1, to = -1;
  bool active() const { return from >= 0 && to >= 0; }
};

namespace detail {

constexpr int kLanes = 8;  ///< interleaved partial sums (vectorisable without -ffast-math)

/// Fused apply-pending + propose pass; one work item per (replica, ky) row of the half spectrum.
template <class ExecSpace, class Real> struct MoveKernel {
  using mem = typename ExecSpace::memory_space;
  Kokkos::View<Real***, Kokkos::LayoutRight, mem> m_fre, m_fim;            // [R][N][Hp]
  Kokkos::View<const Real**, Kokkos::LayoutRight, mem> m_w, m_wd;          // [N][Hp]
  Kokkos::View<const Real***, Kokkos::LayoutRight, mem> m_col;             // [R][8][Hp]
  Kokkos::View<const int**, Kokkos::LayoutRight, mem> m_rows;              // [R][6]
  Kokkos::View<const Real**, Kokkos::LayoutRight, mem> m_tab;              // [N][2] exp(-2 pi i j/N)
  Kokkos::View<double***, Kokkos::LayoutRight, mem> m_rowsum;              // [R][N][3]
  int m_n, m_hp;

  // m_rows(r, .) = {y1, y0, active, y1_pending, y0_pending, pending}
  // m_col(r, .)  = {c1re, c1im, c0re, c0im} of the proposal, then the same for the pending move.
  KOKKOS_INLINE_FUNCTION void operator()(const int item) const {
    const int r = item / m_n, ky = item - r * m_n;
    const int active = m_rows(r, 2), pending = m_rows(r, 5);
    double* rs = &m_rowsum(r, ky, 0);
    if (!active && !pending) {
      rs[0] = rs[1] = rs[2] = 0;
      return;
    }
    Real* KOKKOS_RESTRICT fr = &m_fre(r, ky, 0);
    Real* KOKKOS_RESTRICT fi = &m_fim(r, ky, 0);
    if (pending) {
      const int j1 = int((long long)(ky)*m_rows(r, 3) % m_n), j0 = int((long long)(ky)*m_rows(r, 4) % m_n);
      const Real a1r = m_tab(j1, 0), a1i = m_tab(j1, 1), a0r = m_tab(j0, 0), a0i = m_tab(j0, 1);
      const Real* KOKKOS_RESTRICT c1r = &m_col(r, 4, 0);
      const Real* KOKKOS_RESTRICT c1i = &m_col(r, 5, 0);
      const Real* KOKKOS_RESTRICT c0r = &m_col(r, 6, 0);
      const Real* KOKKOS_RESTRICT c0i = &m_col(r, 7, 0);
      if (!active) {
        for (int kx = 0; kx < m_hp; ++kx) {
          fr[kx] += (a1r * c1r[kx] - a1i * c1i[kx]) - (a0r * c0r[kx] - a0i * c0i[kx]);
          fi[kx] += (a1r * c1i[kx] + a1i * c1r[kx]) - (a0r * c0i[kx] + a0i * c0r[kx]);
        }
        rs[0] = rs[1] = rs[2] = 0;
        return;
      }
      propose<true>(r, ky, fr, fi, a1r, a1i, a0r, a0i, c1r, c1i, c0r, c0i, rs);
    } else {
      propose<false>(r, ky, fr, fi, Real(0), Real(0), Real(0), Real(0), nullptr, nullptr, nullptr, nullptr, rs);
    }
  }

  template <bool Pending>
  KOKKOS_INLINE_FUNCTION void propose(const int r, const int ky, Real* KOKKOS_RESTRICT fr, Real* KOKKOS_RESTRICT fi,
                                      const Real p1r, const Real p1i, const Real p0r, const Real p0i,
                                      const Real* KOKKOS_RESTRICT q1r, const Real* KOKKOS_RESTRICT q1i,
                                      const Real* KOKKOS_RESTRICT q0r, const Real* KOKKOS_RESTRICT q0i,
                                      double* rs) const {
    const int j1 = int((long long)(ky)*m_rows(r, 0) % m_n), j0 = int((long long)(ky)*m_rows(r, 1) % m_n);
    const Real a1r = m_tab(j1, 0), a1i = m_tab(j1, 1), a0r = m_tab(j0, 0), a0i = m_tab(j0, 1);
    const Real* KOKKOS_RESTRICT c1r = &m_col(r, 0, 0);
    const Real* KOKKOS_RESTRICT c1i = &m_col(r, 1, 0);
    const Real* KOKKOS_RESTRICT c0r = &m_col(r, 2, 0);
    const Real* KOKKOS_RESTRICT c0i = &m_col(r, 3, 0);
    const Real* KOKKOS_RESTRICT w = &m_w(ky, 0);
    const Real* KOKKOS_RESTRICT wd = &m_wd(ky, 0);
    Real spp[kLanes], sp[kLanes], spd[kLanes];
    for (int l = 0; l < kLanes; ++l) spp[l] = sp[l] = spd[l] = Real(0);
    for (int k0 = 0; k0 < m_hp; k0 += kLanes) {
      for (int l = 0; l < kLanes; ++l) {
        const int kx = k0 + l;
        Real f_r = fr[kx], f_i = fi[kx];
        if (Pending) {
          f_r += (p1r * q1r[kx] - p1i * q1i[kx]) - (p0r * q0r[kx] - p0i * q0i[kx]);
          f_i += (p1r * q1i[kx] + p1i * q1r[kx]) - (p0r * q0i[kx] + p0i * q0r[kx]);
          fr[kx] = f_r;
          fi[kx] = f_i;
        }
        const Real dr = (a1r * c1r[kx] - a1i * c1i[kx]) - (a0r * c0r[kx] - a0i * c0i[kx]);
        const Real di = (a1r * c1i[kx] + a1i * c1r[kx]) - (a0r * c0i[kx] + a0i * c0r[kx]);
        const Real dp = Real(2) * (f_r * dr + f_i * di) + (dr * dr + di * di);
        const Real p2 = Real(2) * (f_r * f_r + f_i * f_i) + dp;  // P_old + P_new
        spp[l] += w[kx] * (dp * p2);
        sp[l] += w[kx] * dp;
        spd[l] += wd[kx] * dp;
      }
    }
    double a = 0, b = 0, c = 0;
    for (int l = 0; l < kLanes; ++l) {
      a += double(spp[l]);
      b += double(sp[l]);
      c += double(spd[l]);
    }
    rs[0] = a;
    rs[1] = b;
    rs[2] = c;
  }
};

}  // namespace detail

/// R replicas of an N x N binary model with incrementally updated half spectra.
/// \tparam ExecSpace Kokkos execution space of the kernels (FFT through fft::Plan on that space).
/// \tparam Real      float or double: precision of F and of the per-row partial sums.
template <class ExecSpace, class Real> class Solver {
  static_assert(is_real<Real>::value, "beamkit::rmc::Solver: Real must be float or double");

public:
  using mem = typename ExecSpace::memory_space;
  using RealView3 = Kokkos::View<Real***, Kokkos::LayoutRight, mem>;
  using RealView2 = Kokkos::View<Real**, Kokkos::LayoutRight, mem>;

  /// \param n        model side N (even, 4..16384)
  /// \param replicas number of independent models R
  /// \param data     [N*N] data D(k) in FFT order (k = 0 at index 0; row = ky, column = kx)
  /// \param weight   [N*N] weights w(k) >= 0 (0 = masked) in the same order; w(0,0) is ignored (set to 0)
  Solver(const ExecSpace& space, int n, int replicas, const std::vector<double>& data,
         const std::vector<double>& weight, const ChiModel& chi)
      : m_space(space), m_n(n), m_r(replicas), m_chi(chi) {
    constexpr const char* where = "beamkit::rmc::Solver";
    check::require(n >= 4 && n <= 16384 && n % 2 == 0, where, cat("model size N must be even and in [4, 16384], got ", n));
    check::positive(replicas, where, "replicas");
    check::equal(data.size(), std::size_t(n) * n, where, "data size");
    check::equal(weight.size(), std::size_t(n) * n, where, "weight size");
    m_h = n / 2 + 1;
    m_hp = (m_h + detail::kLanes - 1) / detail::kLanes * detail::kLanes;
    m_fre = RealView3(BEAMKIT_LABEL("rmc", "F_re"), m_r, m_n, m_hp);
    m_fim = RealView3(BEAMKIT_LABEL("rmc", "F_im"), m_r, m_n, m_hp);
    m_w = RealView2(BEAMKIT_LABEL("rmc", "W"), m_n, m_hp);
    m_wd = RealView2(BEAMKIT_LABEL("rmc", "WD"), m_n, m_hp);
    m_col = RealView3(BEAMKIT_LABEL("rmc", "col_twiddles"), m_r, 8, m_hp);
    m_rows = Kokkos::View<int**, Kokkos::LayoutRight, mem>(BEAMKIT_LABEL("rmc", "row_info"), m_r, 6);
    m_tab = RealView2(BEAMKIT_LABEL("rmc", "twiddles"), m_n, 2);
    m_rowsum = Kokkos::View<double***, Kokkos::LayoutRight, mem>(BEAMKIT_LABEL("rmc", "row_sums"), m_r, m_n, 3);
    m_col_h = Kokkos::create_mirror_view(m_col);
    m_rows_h = Kokkos::create_mirror_view(m_rows);
    Kokkos::deep_copy(m_col_h, Real(0));
    Kokkos::deep_copy(m_rows_h, 0);
    // Twiddle table in double, rounded once to Real.
    m_tab_d.resize(std::size_t(2) * m_n);
    auto tab_h = Kokkos::create_mirror_view(m_tab);
    for (int j = 0; j < m_n; ++j) {
      const double a = -2.0 * M_PI * double(j) / double(m_n);
      m_tab_d[2 * j] = std::cos(a);
      m_tab_d[2 * j + 1] = std::sin(a);
      tab_h(j, 0) = Real(m_tab_d[2 * j]);
      tab_h(j, 1) = Real(m_tab_d[2 * j + 1]);
    }
    Kokkos::deep_copy(m_tab, tab_h);
    // Folded weights over the half spectrum and the data constants over the full grid.
    auto w_h = Kokkos::create_mirror_view(m_w);
    auto wd_h = Kokkos::create_mirror_view(m_wd);
    Kokkos::deep_copy(w_h, Real(0));
    Kokkos::deep_copy(wd_h, Real(0));
    auto W = [&](int ky, int kx) { return (ky == 0 && kx == 0) ? 0.0 : weight[std::size_t(ky) * n + kx]; };
    for (int ky = 0; ky < n; ++ky)
      for (int kx = 0; kx < n; ++kx) {
        const double w = W(ky, kx), d = data[std::size_t(ky) * n + kx];
        if (!(w >= 0 && std::isfinite(w))) fail(errc::invalid_argument, where, cat("weight at (", ky, ", ", kx, ") is ", w));
        if (w == 0) continue;
        if (!std::isfinite(d)) fail(errc::invalid_argument, where, cat("data at (", ky, ", ", kx, ") is ", d));
        m_c.w += w;
        m_c.d += w * d;
        m_c.dd += w * d * d;
      }
    for (int ky = 0; ky < n; ++ky)
      for (int kx = 0; kx < m_h; ++kx) {
        double w = W(ky, kx), wd = w > 0 ? w * data[std::size_t(ky) * n + kx] : 0;
        if (kx != 0 && kx != n / 2) {
          const int my = (n - ky) % n, mx = n - kx;
          const double w2 = W(my, mx);
          w += w2;
          if (w2 > 0) wd += w2 * data[std::size_t(my) * n + mx];
        }
        w_h(ky, kx) = Real(w);
        wd_h(ky, kx) = Real(wd);
      }
    Kokkos::deep_copy(m_w, w_h);
    Kokkos::deep_copy(m_wd, wd_h);
    check::require(m_c.w > 0, where, "every q point is masked (no data to fit)");
    m_models.assign(m_r, std::vector<std::uint8_t>(std::size_t(n) * n, 0));
    m_s.assign(m_r, Sums{});
    m_ds.assign(m_r, Sums{});
    m_prop.assign(m_r, Swap{});
    m_pend.assign(m_r, Swap{});
    // Host: a single-threaded FFTW plan, so the recomputed F (and every decision after it) has the same
    // bits for any thread count; elsewhere the space's own plan (cuFFT).
    if constexpr (kHost) m_fftw1 = std::make_unique<fft::detail::FftwPlan<Real>>(fft::Layout{fft::Kind::c2c, {n, n}, 1}, 1, false);
    else m_plan = std::make_unique<fft::Plan<ExecSpace, Real>>(m_space, fft::Kind::c2c, std::vector<int>{n, n}, 1);
    m_fft = Kokkos::View<Kokkos::complex<Real>*, Kokkos::LayoutRight, mem>(
        Kokkos::view_alloc(Kokkos::WithoutInitializing, BEAMKIT_LABEL("rmc", "fft_buffer")), std::size_t(n) * n);
  }

  int n() const { return m_n; }
  /// Moves touching fewer than this many half-spectrum values run as a plain host loop (host spaces
  /// only; 0: always launch the parallel kernel).
  void set_serial_below(std::int64_t values) { m_serial_below = values; }
  int replicas() const { return m_r; }
  const DataSums& data_sums() const { return m_c; }
  const ChiModel& chi_model() const { return m_chi; }

  /// Set replica r's model ([N*N], 0/1, row-major y*N + x). Call recompute() before moves.
  void set_model(int r, const std::vector<std::uint8_t>& model) {
    check::equal(model.size(), std::size_t(m_n) * m_n, "beamkit::rmc::Solver::set_model", "model size");
    flush();
    m_models[r] = model;
    m_fresh = false;
  }
  const std::vector<std::uint8_t>& model(int r) const { return m_models[r]; }

  /// Current sums and chi^2 of replica r (includes a pending accepted move).
  const Sums& sums(int r) const { return m_s[r]; }
  double chi2(int r) const { return rmc::chi2(m_s[r], m_c, m_chi); }
  void scale_background(int r, double& s, double& b) const { rmc::scale_background(m_s[r], m_c, m_chi, s, b); }

  /// Evaluate one swap per replica (inactive swaps are skipped) in one pass; also applies the
  /// pending accepted moves. Afterwards proposed_chi2(r) is the chi^2 the swap would give.
  void propose(const std::vector<Swap>& swaps) {
    if (swaps.size() != std::size_t(m_r))
      fail(errc::invalid_argument, "beamkit::rmc::Solver::propose", cat("got ", swaps.size(), " swaps for ", m_r, " replicas"));
    if (!m_fresh) fail(errc::invalid_argument, "beamkit::rmc::Solver::propose", "call recompute() after set_model()");
    bool any = false;
    for (int r = 0; r < m_r; ++r) {
      m_prop[r] = swaps[r];
      const bool act = swaps[r].active();
      if (act) {
        const int f = swaps[r].from, t = swaps[r].to;
        if (!(f < m_n * m_n && t < m_n * m_n && m_models[r][f] == 1 && m_models[r][t] == 0))  // message built on failure only
          fail(errc::invalid_argument, "beamkit::rmc::Solver::propose", cat("swap ", f, " -> ", t, " is not filled -> empty"));
        set_columns(r, 0, f, t);
        m_rows_h(r, 0) = t / m_n;
        m_rows_h(r, 1) = f / m_n;
      }
      m_rows_h(r, 2) = act ? 1 : 0;
      any = any || act || m_rows_h(r, 5);
    }
    if (any) launch();
    for (int r = 0; r < m_r; ++r) {
      if (m_pend[r].active()) finish_pending(r);
      m_ds[r] = Sums{};
      if (!m_prop[r].active()) continue;
      Sums d;
      for (int ky = 0; ky < m_n; ++ky) {
        d.pp += m_rowsum_h(r, ky, 0);
        d.p += m_rowsum_h(r, ky, 1);
        d.pd += m_rowsum_h(r, ky, 2);
      }
      m_ds[r] = d;
    }
  }
  /// chi^2 of replica r's last proposal (its current chi^2 if the swap was inactive).
  double proposed_chi2(int r) const { return rmc::chi2(m_s[r] + m_ds[r], m_c, m_chi); }
  const Sums& proposed_delta(int r) const { return m_ds[r]; }

  /// Accept replica r's last proposal: the model changes now, F on the next pass.
  void accept(int r) {
    const Swap s = m_prop[r];
    if (!s.active()) return;
    m_models[r][s.from] = 0;
    m_models[r][s.to] = 1;
    m_s[r] += m_ds[r];
    m_ds[r] = Sums{};
    m_pend[r] = s;
    m_prop[r] = Swap{};
    set_columns(r, 4, s.from, s.to);
    m_rows_h(r, 3) = s.to / m_n;
    m_rows_h(r, 4) = s.from / m_n;
    m_rows_h(r, 5) = 1;
  }

  /// Apply pending accepted moves to F (a pass of its own): of every replica, or only of `only`.
  void flush(int only = -1) {
    bool any = false;
    for (int r = 0; r < m_r; ++r) {
      m_rows_h(r, 2) = 0;
      if (only >= 0 && r != only) m_rows_h(r, 5) = 0;  // others keep theirs for their next pass
      any = any || m_rows_h(r, 5);
    }
    if (any) launch();
    for (int r = 0; r < m_r; ++r) {
      if (only >= 0 && r != only) m_rows_h(r, 5) = m_pend[r].active() ? 1 : 0;
      else if (m_pend[r].active() && any) finish_pending(r);
    }
  }

  struct Drift {
    double rel_l2 = 0;   ///< ||F_inc - F_fft||_2 / ||F_fft||_2 over the half spectrum
    double rel_max = 0;  ///< max |F_inc - F_fft| / max |F_fft|
  };
  /// Replace every replica's F by a 2-D FFT of its model and its sums by a fresh reduction; returns
  /// the largest drift of the incremental F found (zero on the first call after set_model()).
  /// `only` >= 0: that replica only (the others' F are not touched, so each replica's trajectory
  /// is independent of the others).
  Drift recompute(int only = -1) {
    flush(only);
    Drift out;
    using C = Kokkos::complex<Real>;
    auto buf_h = Kokkos::create_mirror_view(m_fft);
    for (int r = 0; r < m_r; ++r) {
      if (only >= 0 && r != only) continue;
      for (std::size_t i = 0; i < m_models[r].size(); ++i) buf_h(i) = C(Real(m_models[r][i]), Real(0));
      Kokkos::deep_copy(m_fft, buf_h);
      if constexpr (kHost) {
        m_space.fence();
        m_fftw1->execute(fft::Direction::forward, m_fft.data(), m_fft.data());
      } else {
        m_plan->forward(m_fft, m_fft);
      }
      auto fre = Kokkos::subview(m_fre, r, Kokkos::ALL, Kokkos::ALL);
      auto fim = Kokkos::subview(m_fim, r, Kokkos::ALL, Kokkos::ALL);
      auto fft = m_fft;
      auto w = m_w;
      auto wd = m_wd;
      const int n = m_n, h = m_h, hp = m_hp;
      const bool fresh = m_fresh;
      auto rowsum = Kokkos::subview(m_rowsum, r, Kokkos::ALL, Kokkos::ALL);
      double d2 = 0, f2 = 0, dmax = 0, fmax = 0;
      Kokkos::parallel_reduce(
          "beamkit::rmc::recompute", Kokkos::RangePolicy<ExecSpace>(m_space, 0, n),
          KOKKOS_LAMBDA(const int ky, double& a, double& b, double& c, double& d) {
            double e = 0, f = 0, g = 0;  // chi^2 sums per row: summed on the host in row order below
            for (int kx = 0; kx < hp; ++kx) {
              Real vr = 0, vi = 0;
              if (kx < h) {
                const C v = fft(std::size_t(ky) * n + kx);
                vr = v.real();
                vi = v.imag();
              }
              if (fresh) {
                const double er = double(fre(ky, kx)) - vr, ei = double(fim(ky, kx)) - vi;
                const double e2 = er * er + ei * ei, v2 = double(vr) * vr + double(vi) * vi;
                a += e2;
                b += v2;
                c = kmath::max(c, e2);
                d = kmath::max(d, v2);
              }
              fre(ky, kx) = vr;
              fim(ky, kx) = vi;
              const double p = double(vr) * vr + double(vi) * vi;
              e += double(w(ky, kx)) * p * p;
              f += double(w(ky, kx)) * p;
              g += double(wd(ky, kx)) * p;
            }
            rowsum(ky, 0) = e;
            rowsum(ky, 1) = f;
            rowsum(ky, 2) = g;
          },
          Kokkos::Sum<double>(d2), Kokkos::Sum<double>(f2), Kokkos::Max<double>(dmax), Kokkos::Max<double>(fmax));
      // Fixed-order sums: the same bits for any thread count (Metropolis decisions depend on them).
      auto rs = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), m_rowsum);
      double spp = 0, sp = 0, spd = 0;
      for (int ky = 0; ky < n; ++ky) {
        spp += rs(r, ky, 0);
        sp += rs(r, ky, 1);
        spd += rs(r, ky, 2);
      }
      if (fresh && f2 > 0) {
        out.rel_l2 = std::max(out.rel_l2, std::sqrt(d2 / f2));
        out.rel_max = std::max(out.rel_max, std::sqrt(dmax / fmax));
      }
      m_s[r] = Sums{spp, sp, spd};
      m_ds[r] = Sums{};
    }
    if (only < 0) m_fresh = true;
    return out;
  }

  /// The half spectrum of replica r, [N][N/2+1] complex in double (flushes pending moves).
  std::vector<std::complex<double>> half_spectrum(int r) {
    flush();
    auto fre = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), m_fre);
    auto fim = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), m_fim);
    std::vector<std::complex<double>> out(std::size_t(m_n) * m_h);
    for (int ky = 0; ky < m_n; ++ky)
      for (int kx = 0; kx < m_h; ++kx) out[std::size_t(ky) * m_h + kx] = {double(fre(r, ky, kx)), double(fim(r, ky, kx))};
    return out;
  }

  /// Model pattern s |F(k)|^2 + b of replica r on the full grid, [N*N] in FFT order.
  std::vector<double> pattern(int r) {
    const auto f = half_spectrum(r);
    double s, b;
    scale_background(r, s, b);
    std::vector<double> p(std::size_t(m_n) * m_n);
    for (int ky = 0; ky < m_n; ++ky)
      for (int kx = 0; kx < m_n; ++kx) {
        std::complex<double> v = kx < m_h ? f[std::size_t(ky) * m_h + kx]
                                          : std::conj(f[std::size_t((m_n - ky) % m_n) * m_h + (m_n - kx)]);
        p[std::size_t(ky) * m_n + kx] = s * std::norm(v) + b;
      }
    return p;
  }

private:
  // Column twiddles exp(-2 pi i kx x / N) of the proposal (slot 0) or the pending move (slot 4).
  void set_columns(int r, int slot, int from, int to) {
    const int x1 = to % m_n, x0 = from % m_n;
    long long j1 = 0, j0 = 0;
    for (int kx = 0; kx < m_hp; ++kx) {
      const bool live = kx < m_h;
      m_col_h(r, slot + 0, kx) = live ? Real(m_tab_d[2 * j1]) : Real(0);
      m_col_h(r, slot + 1, kx) = live ? Real(m_tab_d[2 * j1 + 1]) : Real(0);
      m_col_h(r, slot + 2, kx) = live ? Real(m_tab_d[2 * j0]) : Real(0);
      m_col_h(r, slot + 3, kx) = live ? Real(m_tab_d[2 * j0 + 1]) : Real(0);
      j1 += x1;
      if (j1 >= m_n) j1 -= m_n;
      j0 += x0;
      if (j0 >= m_n) j0 -= m_n;
    }
  }
  void finish_pending(int r) {
    m_pend[r] = Swap{};
    m_rows_h(r, 5) = 0;
  }
  void launch() {
    Kokkos::deep_copy(m_space, m_col, m_col_h);
    Kokkos::deep_copy(m_space, m_rows, m_rows_h);
    detail::MoveKernel<ExecSpace, Real> k{m_fre, m_fim, m_w, m_wd, m_col, m_rows, m_tab, m_rowsum, m_n, m_hp};
    // Small moves on a host space: a plain loop (forking threads for a few microseconds of work costs
    // more than it saves, and much more on a loaded machine). Same functor, same order: same results.
    if constexpr (Kokkos::SpaceAccessibility<Kokkos::HostSpace, mem>::accessible) {
      if (std::int64_t(m_r) * m_n * m_hp < m_serial_below) {
        for (int i = 0; i < m_r * m_n; ++i) k(i);
        m_rowsum_h = m_rowsum;
        return;
      }
    }
    Kokkos::parallel_for("beamkit::rmc::move", Kokkos::RangePolicy<ExecSpace>(m_space, 0, m_r * m_n), k);
    m_space.fence();
    m_rowsum_h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), m_rowsum);
  }

  ExecSpace m_space;
  int m_n, m_r, m_h = 0, m_hp = 0;
  ChiModel m_chi;
  DataSums m_c;
  RealView3 m_fre, m_fim, m_col;
  RealView2 m_w, m_wd, m_tab;
  Kokkos::View<int**, Kokkos::LayoutRight, mem> m_rows;
  Kokkos::View<double***, Kokkos::LayoutRight, mem> m_rowsum;
  typename RealView3::host_mirror_type m_col_h;
  typename Kokkos::View<int**, Kokkos::LayoutRight, mem>::host_mirror_type m_rows_h;
  Kokkos::View<double***, Kokkos::LayoutRight, Kokkos::HostSpace> m_rowsum_h;
  std::vector<double> m_tab_d;
  std::vector<std::vector<std::uint8_t>> m_models;
  std::vector<Sums> m_s, m_ds;
  std::vector<Swap> m_prop, m_pend;
  bool m_fresh = false;
  std::int64_t m_serial_below = 16384;
  static constexpr bool kHost = Kokkos::SpaceAccessibility<Kokkos::HostSpace, mem>::accessible;
  std::unique_ptr<fft::Plan<ExecSpace, Real>> m_plan;
  std::unique_ptr<fft::detail::FftwPlan<Real>> m_fftw1;
  Kokkos::View<Kokkos::complex<Real>*, Kokkos::LayoutRight, mem> m_fft;
};

}  // namespace beamkit::rmc
