// SPDX-License-Identifier: BSD-3-Clause
// gridrec: filtered back-projection evaluated in Fourier space by gridding (Dowd et al. 1999,
// Marone & Stampanoni 2012), written as the type-1 non-uniform FFT it is (FINUFFT's formulation,
// Barnett, Magland & af Klinteberg 2019):
//
//   f(x) = sum_{theta, k} c(theta, k) exp(2 pi i nu_k e_theta . x),
//   c(theta, k) = (pi / P) (1 / n_p) H(k) P_hat_theta(k),   P_hat = FFT of the zero-padded row,
//
// with e_theta = (cos theta, -sin theta) (geometry.hpp). This is exactly FBP with the same filter
// and the same value scale; the sum is evaluated by
//   1. spreading every polar sample onto an M x M grid (M = sigma N, sigma = 2 by default) with the
//      "exponential of semicircle" kernel phi(t) = exp(beta (sqrt(1 - (2t/w)^2) - 1)), width w,
//   2. one 2-D inverse FFT of the grid,
//   3. dividing by the kernel's Fourier transform (de-apodisation) and cropping to N x N.
// Two slices share every transform (p1 + i p2 -> real and imaginary parts of the result); slices with
// different rotation centres are separated in frequency space, so each gets its own exact shift.
// Rows are zero-padded to >= 2 n_det by default: without padding the filter wraps around (TomoPy's
// unpadded gridrec shows exactly that error).
//
// Work per slice pair: P n_p w^2 complex multiply-adds (spreading) + one M^2 2-D FFT
// (5 M^2 log2 M^2 flops) + P FFTs of length n_p.
#pragma once
#include <beamkit/fft/plan.hpp>
#include <beamkit/tomo/filters.hpp>
#include <beamkit/tomo/geometry.hpp>
#include <algorithm>
#include <cmath>
#include <vector>

namespace beamkit::tomo {

struct GridrecOptions {
  FilterSpec filter;
  double pad_factor = 2.0;    ///< padded row length >= pad_factor * n_det
  double oversampling = 2.0;  ///< grid M >= sigma * N (1.25 .. 4)
  int kernel_width = 0;       ///< ES kernel width w in grid points; 0: 7 (float) or 10 (double)
};

template <class ExecSpace, class Real> class GridrecPlan {
  static_assert(is_real<Real>::value, "beamkit::tomo::GridrecPlan: Real must be float or double");

public:
  using Mem = typename ExecSpace::memory_space;
  using complex_type = Kokkos::complex<Real>;
  static constexpr int tile = 32;       // spreading tile (grid points per side)
  static constexpr int table_res = 4096;  // kernel table points per grid unit

  GridrecPlan(const ExecSpace& space, const ParallelGeometry& g, const GridrecOptions& opt = {})
      : m_space(space), m_geom(g), m_opt(opt) {
    constexpr const char* where = "beamkit::tomo::GridrecPlan";
    g.validate(where, int(g.center.size()));
    opt.filter.validate(where);
    check::in_range(opt.pad_factor, 1.0, 16.0, where, "pad_factor");
    check::in_range(opt.oversampling, 1.25, 4.0, where, "oversampling");
    m_w = opt.kernel_width > 0 ? opt.kernel_width : (std::is_same<Real, float>::value ? 7 : 10);
    check::in_range(m_w, 2, 16, where, "kernel_width");
    m_np = even_smooth(int(std::ceil(opt.pad_factor * g.n_det)));
    m_n = g.n_grid;
    m_m = even_smooth(std::max(int(std::ceil(opt.oversampling * m_n)), 2 * m_w));
    m_beta = 0.97 * 3.141592653589793 * (1.0 - 1.0 / (2.0 * opt.oversampling)) * m_w;
    m_angles = angle_table<Real, Mem>(g.theta);
    m_trig = Kokkos::View<double* [2], Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::gridrec_trig"),
                                            std::size_t(g.n_angles));
    auto htrig = Kokkos::create_mirror_view(Kokkos::view_alloc(Kokkos::HostSpace(), Kokkos::WithoutInitializing), m_trig);
    for (int a = 0; a < g.n_angles; ++a) {
      htrig(a, 0) = std::cos(g.theta[std::size_t(a)]);
      htrig(a, 1) = -std::sin(g.theta[std::size_t(a)]);
    }
    Kokkos::deep_copy(m_trig, htrig);
    build_tables();
    build_tiles();
    m_rows = View2<complex_type, Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::gridrec_rows"),
                                      std::size_t(g.n_angles), std::size_t(m_np));
    m_coef = View2<complex_type, Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::gridrec_coef"),
                                      std::size_t(g.n_angles), std::size_t(m_np));
    m_grid = View2<complex_type, Mem>("beamkit::tomo::gridrec_grid", std::size_t(m_m), std::size_t(m_m));
    m_row_fft = fft::Plan<ExecSpace, Real>(space, fft::Kind::c2c, {m_np}, g.n_angles);
    m_grid_fft = fft::Plan<ExecSpace, Real>(space, fft::Kind::c2c, {m_m, m_m}, 1);
  }

  int padded_length() const { return m_np; }
  int grid_size() const { return m_m; }
  int kernel_width() const { return m_w; }

  /// Reconstruct sinograms [S][P][n_det] into images [S][N][N]; `first_slice` selects the centres.
  template <class SinoView, class ImageView>
  void reconstruct(const SinoView& sino, const ImageView& image, int first_slice = 0) {
    constexpr const char* where = "beamkit::tomo::GridrecPlan::reconstruct";
    const int S = int(sino.extent(0)), P = m_geom.n_angles, n = m_geom.n_det;
    check::require(int(sino.extent(1)) == P && int(sino.extent(2)) == n, where,
                   cat("sinogram shape (", sino.extent(0), ", ", sino.extent(1), ", ", sino.extent(2),
                       ") does not match the geometry (", P, " angles, ", n, " detector pixels)"));
    check::require(int(image.extent(0)) == S && int(image.extent(1)) == m_n && int(image.extent(2)) == m_n, where,
                   cat("output must be (", S, ", ", m_n, ", ", m_n, ")"));
    for (int s = 0; s < S; s += 2) {
      const int s2 = s + 1 < S ? s + 1 : -1;
      load_pair(sino, s, s2);
      m_row_fft.forward(m_rows, m_rows);
      coefficients(m_geom.center_of(first_slice + s), m_geom.center_of(first_slice + (s2 >= 0 ? s2 : s)), s2 >= 0);
      spread();
      m_grid_fft.backward(m_grid, m_grid);
      extract(image, s, s2);
    }
  }

private:
  static int even_smooth(int n) {
    int m = next_smooth(n);
    while (m % 2) m = next_smooth(m + 1);
    return m;
  }

  double phi(double t) const {  // the ES kernel, t in grid units
    const double z = 2.0 * t / m_w;
    return std::abs(z) >= 1 ? 0.0 : std::exp(m_beta * (std::sqrt(1.0 - z * z) - 1.0));
  }

  void build_tables() {
    // Kernel table on [0, w/2] and the de-apodisation factors 1 / phi_hat(x / M), x = i - N/2.
    const int nt = m_w * table_res / 2 + 2;
    m_table = View1<Real, Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::es_table"), std::size_t(nt));
    auto ht = Kokkos::create_mirror_view(Kokkos::view_alloc(Kokkos::HostSpace(), Kokkos::WithoutInitializing), m_table);
    for (int i = 0; i < nt; ++i) ht(i) = Real(phi(double(i) / table_res));
    Kokkos::deep_copy(m_table, ht);
    // phi_hat(xi) = 2 int_0^{w/2} phi(t) cos(2 pi t xi) dt by composite Gauss-Legendre (8 points x 4w panels).
    static const double gx[8] = {-0.9602898564975363, -0.7966664774136267, -0.5255324099163290, -0.1834346424956498,
                                 0.1834346424956498,  0.5255324099163290,  0.7966664774136267,  0.9602898564975363};
    static const double gw[8] = {0.1012285362903763, 0.2223810344533745, 0.3137066458778873, 0.3626837833783620,
                                 0.3626837833783620, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763};
    const int panels = 4 * m_w;
    const double h = 0.5 * m_w / panels;
    m_deapo = View1<Real, Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::deapo"), std::size_t(m_n));
    auto hd = Kokkos::create_mirror_view(Kokkos::view_alloc(Kokkos::HostSpace(), Kokkos::WithoutInitializing), m_deapo);
    for (int i = 0; i < m_n; ++i) {
      const double xi = double(i - m_n / 2) / m_m;
      double sum = 0;
      for (int p = 0; p < panels; ++p)
        for (int q = 0; q < 8; ++q) {
          const double t = h * (p + 0.5 * (gx[q] + 1));
          sum += 0.5 * h * gw[q] * phi(t) * std::cos(2 * 3.141592653589793 * t * xi);
        }
      hd(i) = Real(1.0 / (2.0 * sum));
    }
    Kokkos::deep_copy(m_deapo, hd);
    // filter (with pi/P and 1/n_p) on the full c2c length
    const auto H = filter_response(m_opt.filter, m_np);
    const double scale = (m_opt.filter.type == Filter::none ? 1.0 : 3.141592653589793 / m_geom.n_angles) / m_np;
    m_filter = View1<Real, Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::gridrec_filter"),
                                std::size_t(m_np));
    auto hf = Kokkos::create_mirror_view(Kokkos::view_alloc(Kokkos::HostSpace(), Kokkos::WithoutInitializing), m_filter);
    for (int k = 0; k < m_np; ++k) hf(k) = Real(H[std::size_t(k <= m_np / 2 ? k : m_np - k)] * scale);
    hf(m_np / 2) = 0;  // the Nyquist sample has no sign: leave it out
    Kokkos::deep_copy(m_filter, hf);
  }

  /// Lists, per tile of the grid, the polar samples whose kernel footprint reaches into it (CSR).
  void build_tiles() {
    const int P = m_geom.n_angles, np = m_np, M = m_m, w = m_w;
    m_ntile = (M + tile - 1) / tile;
    std::vector<std::vector<int>> lists(std::size_t(m_ntile) * m_ntile);
    auto trig = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), m_trig);
    for (int a = 0; a < P; ++a)
      for (int k = 0; k < np; ++k) {
        if (k == np / 2) continue;
        // the same expressions as in spread(), in double, so host tiling and device spreading agree
        const double nu = double(k < np / 2 ? k : k - np) / double(np);
        const int lx0 = int(std::ceil(double(M) * nu * trig(a, 0) - 0.5 * double(w)));
        const int ly0 = int(std::ceil(double(M) * nu * trig(a, 1) - 0.5 * double(w)));
        int ty_seen[3] = {-1, -1, -1}, tx_seen[3] = {-1, -1, -1}, nty = 0, ntx = 0;
        for (int j = 0; j < w; ++j) {
          const int ty = (((ly0 + j) % M + M) % M) / tile, tx = (((lx0 + j) % M + M) % M) / tile;
          // a footprint can wrap around the periodic grid and re-enter a tile: list each tile once
          if (std::find(ty_seen, ty_seen + nty, ty) == ty_seen + nty) ty_seen[nty++] = ty;
          if (std::find(tx_seen, tx_seen + ntx, tx) == tx_seen + ntx) tx_seen[ntx++] = tx;
        }
        for (int i = 0; i < nty; ++i)
          for (int j = 0; j < ntx; ++j)
            lists[std::size_t(ty_seen[i]) * m_ntile + std::size_t(tx_seen[j])].push_back(a * np + k);
      }
    std::size_t total = 0;
    for (auto& l : lists) total += l.size();
    m_tile_start = Kokkos::View<int*, Mem>("beamkit::tomo::gridrec_tile_start", lists.size() + 1);
    m_tile_items = Kokkos::View<int*, Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::gridrec_tile_items"),
                                           total);
    auto hs = Kokkos::create_mirror_view(m_tile_start);
    auto hi = Kokkos::create_mirror_view(m_tile_items);
    std::size_t pos = 0;
    for (std::size_t t = 0; t < lists.size(); ++t) {
      hs(t) = int(pos);
      for (int v : lists[t]) hi(pos++) = v;
    }
    hs(lists.size()) = int(pos);
    Kokkos::deep_copy(m_tile_start, hs);
    Kokkos::deep_copy(m_tile_items, hi);
  }

  template <class SinoView> void load_pair(const SinoView& sino, int s1, int s2) {
    auto rows = m_rows;
    const int n = m_geom.n_det;
    Kokkos::parallel_for("beamkit::tomo::gridrec_load",
                         Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<2>>(m_space, {0, 0}, {m_geom.n_angles, m_np}),
                         KOKKOS_LAMBDA(const int a, const int d) {
                           Real re = 0, im = 0;
                           if (d < n) {
                             re = Real(sino(s1, a, d));
                             if (s2 >= 0) im = Real(sino(s2, a, d));
                           }
                           rows(a, d) = complex_type(re, im);
                         });
  }

  void coefficients(double c1, double c2, bool two) {
    auto rows = m_rows;
    auto coef = m_coef;
    auto H = m_filter;
    auto ang = m_angles;
    const int np = m_np;
    const bool separate = two && c1 != c2;
    const Real sh1 = Real(0.5 - c1), sh2 = Real(0.5 - c2);
    const Real delta = (m_n % 2 == 0) ? Real(0.5) : Real(0);
    Kokkos::parallel_for(
        "beamkit::tomo::gridrec_coefficients",
        Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<2>>(m_space, {0, 0}, {m_geom.n_angles, np}),
        KOKKOS_LAMBDA(const int a, const int k) {
          const Real nu = Real(k < np / 2 ? k : k - np) / Real(np);
          const Real tp = Real(2) * kmath::pi<Real>();
          // pixel centres x = c + 1/2 - N/2 = x' + delta with integer x' = c - floor(N/2):
          // delta = 1/2 for even N, 0 for odd N, folded into the coefficients as a phase
          const Real hp = tp * delta * nu * (ang(a).ax + ang(a).ay);
          const complex_type half(kmath::cos(hp), kmath::sin(hp));
          complex_type z = rows(a, k);
          const complex_type e1(kmath::cos(-tp * nu * sh1), kmath::sin(-tp * nu * sh1));
          if (separate) {  // untangle the two real rows: P1 = (Z(k) + conj Z(-k)) / 2, P2 = (Z(k) - conj Z(-k)) / 2i
            const complex_type zm = Kokkos::conj(rows(a, (np - k) % np));
            const complex_type p1 = (z + zm) * Real(0.5);
            const complex_type p2 = (z - zm) * complex_type(0, Real(-0.5));
            const complex_type e2(kmath::cos(-tp * nu * sh2), kmath::sin(-tp * nu * sh2));
            z = p1 * e1 + complex_type(0, 1) * p2 * e2;
          } else {
            z = z * e1;
          }
          coef(a, k) = z * half * H(k);
        });
  }

  void spread() {
    auto grid = m_grid;
    Kokkos::deep_copy(m_space, grid, complex_type(0, 0));
    auto coef = m_coef;
    auto trig = m_trig;
    auto table = m_table;
    auto start = m_tile_start;
    auto items = m_tile_items;
    const int np = m_np, M = m_m, w = m_w, nt = m_ntile;
    using policy = Kokkos::TeamPolicy<ExecSpace, Kokkos::Schedule<Kokkos::Dynamic>>;
    using member = typename policy::member_type;
    Kokkos::parallel_for(
        "beamkit::tomo::gridrec_spread", policy(m_space, nt * nt, Kokkos::AUTO), KOKKOS_LAMBDA(const member& team) {
          const int t = team.league_rank();
          const int ty = t / nt, tx = t % nt;
          const int r_lo = ty * tile, r_hi = kmath::min(M, r_lo + tile);
          const int c_lo = tx * tile, c_hi = kmath::min(M, c_lo + tile);
          for (int it = start(t); it < start(t + 1); ++it) {
            const int sidx = items(it);
            const int a = sidx / np, k = sidx % np;
            const complex_type c = coef(a, k);
            const double nu = double(k < np / 2 ? k : k - np) / double(np);
            const double gxd = double(M) * nu * trig(a, 0), gyd = double(M) * nu * trig(a, 1);
            const int lx0 = int(kmath::ceil(gxd - 0.5 * double(w)));
            const int ly0 = int(kmath::ceil(gyd - 0.5 * double(w)));
            const Real gx = Real(gxd - lx0), gy = Real(gyd - ly0);  // offsets from the footprint's first point
            Kokkos::parallel_for(Kokkos::TeamThreadRange(team, w), [&](const int j) {
              int row = (ly0 + j) % M;
              if (row < 0) row += M;
              if (row < r_lo || row >= r_hi) return;
              const Real ty_ = kmath::fabs(Real(j) - gy) * Real(table_res);
              const int iy = int(ty_);
              const Real fy = ty_ - Real(iy);
              const Real wy = (Real(1) - fy) * table(iy) + fy * table(iy + 1);
              const complex_type cy = c * wy;
              Kokkos::parallel_for(Kokkos::ThreadVectorRange(team, w), [&](const int i) {
                int col = (lx0 + i) % M;
                if (col < 0) col += M;
                if (col < c_lo || col >= c_hi) return;
                const Real tx_ = kmath::fabs(Real(i) - gx) * Real(table_res);
                const int ix = int(tx_);
                const Real fx = tx_ - Real(ix);
                grid(row, col) += cy * ((Real(1) - fx) * table(ix) + fx * table(ix + 1));
              });
            });
            team.team_barrier();
          }
        });
  }

  template <class ImageView> void extract(const ImageView& image, int s1, int s2) {
    auto grid = m_grid;
    auto deapo = m_deapo;
    const int n = m_n, M = m_m;
    Kokkos::parallel_for("beamkit::tomo::gridrec_extract",
                         Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<2>>(m_space, {0, 0}, {n, n}),
                         KOKKOS_LAMBDA(const int r, const int c) {
                           const int gy = (r - n / 2 + M) % M, gxx = (c - n / 2 + M) % M;
                           const complex_type v = grid(gy, gxx) * (deapo(r) * deapo(c));
                           image(s1, r, c) = v.real();
                           if (s2 >= 0) image(s2, r, c) = v.imag();
                         });
  }

  ExecSpace m_space;
  ParallelGeometry m_geom;
  GridrecOptions m_opt;
  int m_w = 7, m_np = 0, m_n = 0, m_m = 0, m_ntile = 0;
  double m_beta = 0;
  Kokkos::View<AngleCoef<Real>*, Mem> m_angles;
  Kokkos::View<double* [2], Mem> m_trig;  // (cos, -sin) per angle, double: the sample positions
  View1<Real, Mem> m_table, m_deapo, m_filter;
  Kokkos::View<int*, Mem> m_tile_start, m_tile_items;
  View2<complex_type, Mem> m_rows, m_coef, m_grid;
  fft::Plan<ExecSpace, Real> m_row_fft{fft::Kind::c2c, {1}, 1}, m_grid_fft{fft::Kind::c2c, {1}, 1};
};

}  // namespace beamkit::tomo
