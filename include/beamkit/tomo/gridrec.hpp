// SPDX-License-Identifier: BSD-3-Clause
// gridrec: filtered back-projection evaluated in Fourier space by gridding (Dowd et al. 1999,
// Marone & Stampanoni 2012), written as the type-1 non-uniform FFT it is (FINUFFT's formulation,
// Barnett, Magland & af Klinteberg 2019):
//
//   f(x) = sum_{theta, k} c(theta, k) exp(2 pi i nu_k e_theta . x),   nu_k = k / n_det,
//   c(theta, k) = (pi / P) (1 / n_det) Q_theta(k),   Q = FFT of the filtered row q = p * h,
//
// The filter is applied first, by FFT on rows zero-padded to n_p >= 2 n_det (so the convolution
// never wraps), and the filtered rows are cropped back to n_det: the polar samples then have the
// detector's own frequency spacing, which halves the samples to spread without changing the result
// inside the field of view (the periodic extension of q only shows beyond |s| > n_det / 2).
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
// Work per slice pair: P n_det w^2 complex multiply-adds (spreading) + one M^2 2-D FFT
// (5 M^2 log2 M^2 flops) + 2P FFTs of length n_p and P of length n_det.
#pragma once
#include <beamkit/core/vector_loop.hpp>
#include <beamkit/fft/plan.hpp>
#include <beamkit/tomo/filters.hpp>
#include <beamkit/tomo/geometry.hpp>
#include <algorithm>
#include <numeric>
#include <cmath>
#include <vector>

namespace beamkit::tomo {

struct GridrecOptions {
  FilterSpec filter;
  double pad_factor = 2.0;    ///< padded row length >= pad_factor * n_det
  double oversampling = 1.25;  ///< grid M >= sigma * N (1.25 .. 4); 1.25 keeps the 2-D FFT small
  int kernel_width = 0;       ///< ES kernel width w in grid points; 0: for ~1e-5 (float) / 1e-9 (double)
  bool fft_measure = false;   ///< FFTW_MEASURE planning: seconds once per machine (cached wisdom), ~10-30% faster FFTs
};

template <class ExecSpace, class Real> class GridrecPlan {
  static_assert(is_real<Real>::value, "beamkit::tomo::GridrecPlan: Real must be float or double");

public:
  using Mem = typename ExecSpace::memory_space;
  using complex_type = Kokkos::complex<Real>;
  static constexpr int tile = 64;         // spreading tile (grid points per side)
  static constexpr int table_res = 4096;  // kernel table points per grid unit
  static constexpr int max_width = 16;

  GridrecPlan(const ExecSpace& space, const ParallelGeometry& g, const GridrecOptions& opt = {})
      : m_space(space), m_geom(g), m_opt(opt) {
    constexpr const char* where = "beamkit::tomo::GridrecPlan";
    g.validate(where, int(g.center.size()));
    opt.filter.validate(where);
    check::in_range(opt.pad_factor, 1.0, 16.0, where, "pad_factor");
    check::in_range(opt.oversampling, 1.25, 4.0, where, "oversampling");
    m_w = opt.kernel_width > 0 ? opt.kernel_width : default_width(opt.oversampling);
    check::in_range(m_w, 2, max_width, where, "kernel_width");
    const int P = g.n_angles;
    m_np = even_smooth(int(std::ceil(opt.pad_factor * g.n_det)));
    // Filtered rows are cropped to a window that covers the whole reconstruction grid's diagonal
    // (and the axis offset), so the periodic extension of the band-limited rows never folds back
    // into the image; beyond the detector the window holds the filter's tails, as in exact FBP.
    double off = 0;
    for (double c : g.center) off = std::max(off, std::abs(c - g.n_det / 2.0));
    const int need = int(std::ceil(std::sqrt(2.0) * g.n_grid + 2 * off)) + 4;
    m_nd = std::min(m_np, even_smooth(std::max(g.n_det, need)));
    m_ext = (m_nd - g.n_det) / 2;
    m_n = g.n_grid;
    m_m = even_smooth(std::max(int(std::ceil(opt.oversampling * m_n)), 2 * m_w));
    m_beta = 0.97 * 3.141592653589793 * (1.0 - 1.0 / (2.0 * opt.oversampling)) * m_w;
    m_trig = Kokkos::View<double* [2], Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::gridrec_trig"),
                                            std::size_t(P));
    auto htrig = Kokkos::create_mirror_view(Kokkos::view_alloc(Kokkos::HostSpace(), Kokkos::WithoutInitializing), m_trig);
    for (int a = 0; a < P; ++a) {
      htrig(a, 0) = std::cos(g.theta[std::size_t(a)]);
      htrig(a, 1) = -std::sin(g.theta[std::size_t(a)]);
    }
    Kokkos::deep_copy(m_trig, htrig);
    build_tables(htrig);
    build_tiles(htrig);
    auto alloc = [](const char* label) { return Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string(label)); };
    m_pad = View2<complex_type, Mem>(alloc("beamkit::tomo::gridrec_padded"), std::size_t(P), std::size_t(m_np));
    m_rows = View2<complex_type, Mem>(alloc("beamkit::tomo::gridrec_rows"), std::size_t(P), std::size_t(m_nd));
    m_grid = View2<complex_type, Mem>("beamkit::tomo::gridrec_grid", std::size_t(m_m), std::size_t(m_m));
    // Plans made once, reused for every slice pair (with fft_measure, remembered as FFTW wisdom).
    m_pad_fft = fft::Plan<ExecSpace, Real>(space, fft::Kind::c2c, {m_np}, P, opt.fft_measure);
    m_row_fft = fft::Plan<ExecSpace, Real>(space, fft::Kind::c2c, {m_nd}, P, opt.fft_measure);
    m_grid_fft = fft::Plan<ExecSpace, Real>(space, fft::Kind::c2c, {m_m, m_m}, 1, opt.fft_measure);
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
      filter_pair(sino, s, s2);
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
  /// Kernel width for ~1e-6 (float) / ~1e-9 (double) relative accuracy at oversampling sigma
  /// (FINUFFT's rule: digits per grid point = pi sqrt(1 - 1/sigma) / ln 10).
  static int default_width(double sigma) {
    const double digits = std::is_same<Real, float>::value ? 5.0 : 9.5;
    const double per = 3.141592653589793 * std::sqrt(1.0 - 1.0 / sigma) / std::log(10.0);
    return std::min(max_width, int(std::ceil(digits / per)));
  }

  double phi(double t) const {  // the ES kernel, t in grid units
    const double z = 2.0 * t / m_w;
    return std::abs(z) >= 1 ? 0.0 : std::exp(m_beta * (std::sqrt(1.0 - z * z) - 1.0));
  }

  /// Radial frequency of row-FFT index k (cycles per pixel).
  KOKKOS_INLINE_FUNCTION static double nu_of(int k, int nd) { return double(2 * k < nd ? k : k - nd) / double(nd); }

  template <class HostTrig> void build_tables(const HostTrig& trig) {
    auto host_mirror = [](const auto& v) {
      return Kokkos::create_mirror_view(Kokkos::view_alloc(Kokkos::HostSpace(), Kokkos::WithoutInitializing), v);
    };
    // Kernel table on [0, w/2].
    const int nt = m_w * table_res / 2 + 2;
    m_table = View1<Real, Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::es_table"), std::size_t(nt));
    auto ht = host_mirror(m_table);
    for (int i = 0; i < nt; ++i) ht(i) = Real(phi(double(i) / table_res));
    Kokkos::deep_copy(m_table, ht);
    // De-apodisation 1 / phi_hat(x / M), x = i - floor(N/2), with phi_hat(xi) = 2 int_0^{w/2} phi(t) cos(2 pi t xi) dt
    // by composite Gauss-Legendre (8 points x 4w panels).
    static const double gx[8] = {-0.9602898564975363, -0.7966664774136267, -0.5255324099163290, -0.1834346424956498,
                                 0.1834346424956498,  0.5255324099163290,  0.7966664774136267,  0.9602898564975363};
    static const double gw[8] = {0.1012285362903763, 0.2223810344533745, 0.3137066458778873, 0.3626837833783620,
                                 0.3626837833783620, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763};
    const int panels = 4 * m_w;
    const double h = 0.5 * m_w / panels;
    m_deapo = View1<Real, Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::deapo"), std::size_t(m_n));
    auto hd = host_mirror(m_deapo);
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
    // The filter on the padded length, with the 1/n_p of the inverse FFT (real and even: the two
    // slices packed as p1 + i p2 stay separate).
    const auto H = filter_response(m_opt.filter, m_np);
    m_filter = View1<Real, Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::gridrec_filter"),
                                std::size_t(m_np));
    auto hf = host_mirror(m_filter);
    for (int k = 0; k < m_np; ++k) hf(k) = Real(H[std::size_t(k <= m_np / 2 ? k : m_np - k)] / m_np);
    Kokkos::deep_copy(m_filter, hf);
    // Per-sample factor: (pi / P) (1 / n_det) x the half-pixel phase. Pixel centres are
    // x = c + 1/2 - N/2 = x' + delta with integer x' = c - floor(N/2): delta = 1/2 for even N, 0 for odd N.
    const int P = m_geom.n_angles, nd = m_nd;
    const double delta = (m_n % 2 == 0) ? 0.5 : 0.0;
    const double scale = (m_opt.filter.type == Filter::none ? 1.0 : 3.141592653589793 / P) / nd;
    m_factor = View2<complex_type, Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::gridrec_factor"),
                                        std::size_t(P), std::size_t(nd));
    auto hfac = host_mirror(m_factor);
    for (int a = 0; a < P; ++a)
      for (int k = 0; k < nd; ++k) {
        const double nu = nu_of(k, nd);
        const double ph = 2 * 3.141592653589793 * delta * nu * (trig(a, 0) + trig(a, 1));
        const bool nyquist = (nd % 2 == 0 && k == nd / 2);  // no sign: leave it out
        hfac(a, k) = nyquist ? complex_type(0, 0) : complex_type(Real(scale * std::cos(ph)), Real(scale * std::sin(ph)));
      }
    Kokkos::deep_copy(m_factor, hfac);
    m_cphase = View2<complex_type, Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::gridrec_cphase"),
                                        2, std::size_t(nd));
  }

  /// Lists, per tile of the grid, the polar samples whose kernel footprint reaches into it (CSR).
  template <class HostTrig> void build_tiles(const HostTrig& trig) {
    const int P = m_geom.n_angles, nd = m_nd, M = m_m, w = m_w;
    m_ntile = (M + tile - 1) / tile;
    std::vector<std::vector<int>> lists(std::size_t(m_ntile) * m_ntile);
    for (int a = 0; a < P; ++a)
      for (int k = 0; k < nd; ++k) {
        if (nd % 2 == 0 && k == nd / 2) continue;
        // the same expressions as in spread(), in double, so host tiling and device spreading agree
        const double nu = nu_of(k, nd);
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
            lists[std::size_t(ty_seen[i]) * m_ntile + std::size_t(tx_seen[j])].push_back(a * nd + k);
      }
    // Per sample: the footprint's first grid point, wrapped into [0, M), and the kernel centre's offset
    // from it (computed once here in double; spreading then needs no division and no double math).
    m_origin = Kokkos::View<int* [2], Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::gridrec_origin"),
                                          std::size_t(P) * nd);
    m_offset = Kokkos::View<Real* [2], Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::gridrec_offset"),
                                           std::size_t(P) * nd);
    auto ho = Kokkos::create_mirror_view(m_origin);
    auto hoff = Kokkos::create_mirror_view(m_offset);
    for (int a = 0; a < P; ++a)
      for (int k = 0; k < nd; ++k) {
        const double nu = nu_of(k, nd);
        const double gxd = double(M) * nu * trig(a, 0), gyd = double(M) * nu * trig(a, 1);
        const int lx0 = int(std::ceil(gxd - 0.5 * double(w))), ly0 = int(std::ceil(gyd - 0.5 * double(w)));
        const std::size_t i = std::size_t(a) * nd + k;
        ho(i, 0) = ((lx0 % M) + M) % M;
        ho(i, 1) = ((ly0 % M) + M) % M;
        hoff(i, 0) = Real(gxd - lx0);
        hoff(i, 1) = Real(gyd - ly0);
      }
    Kokkos::deep_copy(m_origin, ho);
    Kokkos::deep_copy(m_offset, hoff);
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
    // Tiles near the frequency origin hold far more samples (every angle passes through it): hand
    // them out first so dynamic scheduling ends balanced.
    std::vector<int> order(lists.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return lists[std::size_t(a)].size() > lists[std::size_t(b)].size(); });
    m_tile_order = Kokkos::View<int*, Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::gridrec_tile_order"),
                                           order.size());
    auto hord = Kokkos::create_mirror_view(m_tile_order);
    for (std::size_t i = 0; i < order.size(); ++i) hord(i) = order[i];
    Kokkos::deep_copy(m_tile_order, hord);
  }

  /// Pack slices s1 (+ i s2) into zero-padded complex rows, filter them, crop back to n_det.
  template <class SinoView> void filter_pair(const SinoView& sino, int s1, int s2) {
    auto pad = m_pad;
    const int n = m_geom.n_det, np = m_np, P = m_geom.n_angles;
    Kokkos::parallel_for("beamkit::tomo::gridrec_pack",
                         Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<2>>(m_space, {0, 0}, {P, np}),
                         KOKKOS_LAMBDA(const int a, const int d) {
                           Real re = 0, im = 0;
                           if (d < n) {
                             re = Real(sino(s1, a, d));
                             if (s2 >= 0) im = Real(sino(s2, a, d));
                           }
                           pad(a, d) = complex_type(re, im);
                         });
    m_pad_fft.forward(pad, pad);
    auto H = m_filter;
    Kokkos::parallel_for("beamkit::tomo::gridrec_filter",
                         Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<2>>(m_space, {0, 0}, {P, np}),
                         KOKKOS_LAMBDA(const int a, const int k) { pad(a, k) *= H(k); });
    m_pad_fft.backward(pad, pad);
    auto rows = m_rows;
    const int nd = m_nd, ext = m_ext;
    Kokkos::parallel_for("beamkit::tomo::gridrec_crop",
                         Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<2>>(m_space, {0, 0}, {P, nd}),
                         KOKKOS_LAMBDA(const int a, const int j) { rows(a, j) = pad(a, (j - ext + np) % np); });
    (void)n;
  }

  /// c(a, k) = factor(a, k) x centre phase x Q(a, k), untangling the two slices when their centres differ.
  void coefficients(double c1, double c2, bool two) {
    const int nd = m_nd, P = m_geom.n_angles;
    auto hc = Kokkos::create_mirror_view(Kokkos::view_alloc(Kokkos::HostSpace(), Kokkos::WithoutInitializing), m_cphase);
    for (int k = 0; k < nd; ++k) {
      const double nu = nu_of(k, nd);
      // row sample j sits at detector index j - ext: s_j = j - ext + 1/2 - centre
      const double p1 = -2 * 3.141592653589793 * nu * (0.5 - m_ext - c1), p2 = -2 * 3.141592653589793 * nu * (0.5 - m_ext - c2);
      hc(0, k) = complex_type(Real(std::cos(p1)), Real(std::sin(p1)));
      hc(1, k) = complex_type(Real(std::cos(p2)), Real(std::sin(p2)));
    }
    Kokkos::deep_copy(m_space, m_cphase, hc);
    auto rows = m_rows;
    auto fac = m_factor;
    auto cph = m_cphase;
    const bool separate = two && c1 != c2;
    // Written into the row buffer in place: the untangling reads Z(-k), so pairs (k, -k) are done together.
    Kokkos::parallel_for(
        "beamkit::tomo::gridrec_coefficients",
        Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<2>>(m_space, {0, 0}, {P, nd / 2 + 1}),
        KOKKOS_LAMBDA(const int a, const int k) {
          const int km = (nd - k) % nd;
          const complex_type z = rows(a, k), zm = rows(a, km);
          if (separate) {  // P1 = (Z(k) + conj Z(-k)) / 2, P2 = (Z(k) - conj Z(-k)) / 2i
            const complex_type p1k = (z + Kokkos::conj(zm)) * Real(0.5), p2k = (z - Kokkos::conj(zm)) * complex_type(0, Real(-0.5));
            const complex_type p1m = (zm + Kokkos::conj(z)) * Real(0.5), p2m = (zm - Kokkos::conj(z)) * complex_type(0, Real(-0.5));
            rows(a, k) = fac(a, k) * (p1k * cph(0, k) + complex_type(0, 1) * p2k * cph(1, k));
            if (km != k) rows(a, km) = fac(a, km) * (p1m * cph(0, km) + complex_type(0, 1) * p2m * cph(1, km));
          } else {
            rows(a, k) = fac(a, k) * cph(0, k) * z;
            if (km != k) rows(a, km) = fac(a, km) * cph(0, km) * zm;
          }
        });
  }

  /// Adds sample (a, k)'s kernel footprint, clipped to grid rows [r_lo, r_hi) x columns [c_lo, c_hi).
  /// The rows of the footprint are distributed with `rows(begin, end, f)` (a team's threads on a GPU,
  /// a plain loop on the host); the columns run as an independent (vector) loop.
  struct SpreadArgs {
    View2<complex_type, Mem> grid, coef;
    Kokkos::View<int* [2], Mem> origin;
    Kokkos::View<Real* [2], Mem> offset;
    View1<Real, Mem> table;
    int nd, M, w;
  };
  template <class RowLoop>
  KOKKOS_INLINE_FUNCTION static void spread_sample(const SpreadArgs& A, int sidx, int r_lo, int r_hi, int c_lo, int c_hi,
                                                   const RowLoop& rows) {
    const int M = A.M, w = A.w;
    const complex_type c = A.coef.data()[sidx];  // coef is [P][nd], sample index a * nd + k
    const Real gx = A.offset(sidx, 0), gy = A.offset(sidx, 1);  // kernel centre from the footprint's first point
    // The footprint's rows/columns inside the tile: j with (b + j) mod M in [lo, hi), as up to two
    // runs (the second when the footprint wraps around the periodic grid).
    const int bx = A.origin(sidx, 0), by = A.origin(sidx, 1);
    const Real* tab = A.table.data();
    // Separable kernel: column weights times the coefficient, interleaved (re, im) like the grid, so
    // each footprint row is one contiguous multiply-add of a scalar row weight.
    Real wy[max_width], cw[2 * max_width];
    for (int j = 0; j < w; ++j) {
      const Real tx = kmath::fabs(Real(j) - gx) * Real(table_res), ty = kmath::fabs(Real(j) - gy) * Real(table_res);
      const int ix = int(tx), iy = int(ty);
      const Real wxj = tab[ix] + (tx - Real(ix)) * (tab[ix + 1] - tab[ix]);
      wy[j] = tab[iy] + (ty - Real(iy)) * (tab[iy + 1] - tab[iy]);
      cw[2 * j] = c.real() * wxj;
      cw[2 * j + 1] = c.imag() * wxj;
    }
    Real* g = reinterpret_cast<Real*>(A.grid.data());  // interleaved (re, im): complex<Real> layout
    const bool inside = by >= r_lo && by + w <= r_hi && bx >= c_lo && bx + w <= c_hi;
    if (inside) {  // the common case: the whole footprint in this tile, no wrap; fixed-length rows
      Real* base = g + 2 * (std::size_t(by) * std::size_t(M) + std::size_t(bx));
      switch (w) {
        case 7: full_rows<7>(base, M, wy, cw, rows); return;
        case 8: full_rows<8>(base, M, wy, cw, rows); return;
        case 9: full_rows<9>(base, M, wy, cw, rows); return;
        case 10: full_rows<10>(base, M, wy, cw, rows); return;
        case 12: full_rows<12>(base, M, wy, cw, rows); return;
        case 16: full_rows<16>(base, M, wy, cw, rows); return;
        default: break;
      }
    }
    for (int wrap_y = 0; wrap_y < 2; ++wrap_y) {
      const int jy0 = kmath::max(0, r_lo + wrap_y * M - by), jy1 = kmath::min(w, r_hi + wrap_y * M - by);
      if (jy0 >= jy1) continue;
      rows(jy0, jy1, [&](const int jy) {
        const Real wyj = wy[jy];
        Real* row = g + 2 * (std::size_t(by + jy - wrap_y * M) * std::size_t(M));
        for (int wrap_x = 0; wrap_x < 2; ++wrap_x) {
          const int jx0 = kmath::max(0, c_lo + wrap_x * M - bx), jx1 = kmath::min(w, c_hi + wrap_x * M - bx);
          Real* dst = row + 2 * (bx - wrap_x * M);
          for (int k = 2 * jx0; k < 2 * jx1; ++k) dst[k] += wyj * cw[k];
        }
      });
    }
  }

  /// All W rows of a footprint that lies inside one tile: fixed-length (unrolled, vectorised) rows.
  template <int W, class RowLoop>
  KOKKOS_FORCEINLINE_FUNCTION static void full_rows(Real* base, int M, const Real* wy, const Real* cw, const RowLoop& rows) {
    rows(0, W, [&](const int jy) {
      Real* dst = base + 2 * std::size_t(jy) * std::size_t(M);
      const Real wyj = wy[jy];
      for (int k = 0; k < 2 * W; ++k) dst[k] += wyj * cw[k];
    });
  }

  void spread() {
    Kokkos::deep_copy(m_space, m_grid, complex_type(0, 0));
    const SpreadArgs A{m_grid, m_rows, m_origin, m_offset, m_table, m_nd, m_m, m_w};
    auto start = m_tile_start;
    auto items = m_tile_items;
    auto order = m_tile_order;
    const int M = m_m, nt = m_ntile;
    if constexpr (beamkit::detail::is_host_space<ExecSpace>::value) {
      // Host: one tile per iteration (heaviest first, one at a time), its samples in a tight loop.
      Kokkos::parallel_for(
          "beamkit::tomo::gridrec_spread",
          Kokkos::RangePolicy<ExecSpace, Kokkos::Schedule<Kokkos::Dynamic>>(m_space, 0, nt * nt, Kokkos::ChunkSize(1)),
          KOKKOS_LAMBDA(const int i) {
            const int t = order(i);
            const int r_lo = (t / nt) * tile, r_hi = kmath::min(M, r_lo + tile);
            const int c_lo = (t % nt) * tile, c_hi = kmath::min(M, c_lo + tile);
            auto rows = [](int b, int e, const auto& f) {
              for (int j = b; j < e; ++j) f(j);
            };
            for (int it = start(t); it < start(t + 1); ++it) spread_sample(A, items(it), r_lo, r_hi, c_lo, c_hi, rows);
          });
    } else {
      // Device: one team per tile; a sample's footprint rows go to the team's threads (distinct rows,
      // so no atomics), samples one after another.
      using policy = Kokkos::TeamPolicy<ExecSpace>;
      using member = typename policy::member_type;
      Kokkos::parallel_for(
          "beamkit::tomo::gridrec_spread", policy(m_space, nt * nt, Kokkos::AUTO), KOKKOS_LAMBDA(const member& team) {
            const int t = team.league_rank();
            const int r_lo = (t / nt) * tile, r_hi = kmath::min(M, r_lo + tile);
            const int c_lo = (t % nt) * tile, c_hi = kmath::min(M, c_lo + tile);
            auto rows = [&](int b, int e, const auto& f) { Kokkos::parallel_for(Kokkos::TeamThreadRange(team, b, e), f); };
            for (int it = start(t); it < start(t + 1); ++it) {
              spread_sample(A, items(it), r_lo, r_hi, c_lo, c_hi, rows);
              team.team_barrier();
            }
          });
    }
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
  int m_w = 7, m_nd = 0, m_ext = 0, m_np = 0, m_n = 0, m_m = 0, m_ntile = 0;  // m_nd: radial samples per angle
  double m_beta = 0;
  Kokkos::View<double* [2], Mem> m_trig;  // (cos, -sin) per angle, double: the sample positions
  View1<Real, Mem> m_table, m_deapo, m_filter;
  View2<complex_type, Mem> m_factor, m_cphase;
  Kokkos::View<int*, Mem> m_tile_start, m_tile_items, m_tile_order;
  Kokkos::View<int* [2], Mem> m_origin;   // per sample: footprint origin (x, y) in [0, M)
  Kokkos::View<Real* [2], Mem> m_offset;  // per sample: kernel centre - origin (x, y)
  View2<complex_type, Mem> m_pad, m_rows, m_grid;
  fft::Plan<ExecSpace, Real> m_pad_fft{fft::Kind::c2c, {1}, 1}, m_row_fft{fft::Kind::c2c, {1}, 1},
      m_grid_fft{fft::Kind::c2c, {1}, 1};
};

}  // namespace beamkit::tomo
