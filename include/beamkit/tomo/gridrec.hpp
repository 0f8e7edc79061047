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
#include <array>
#include <cstdint>
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
  static constexpr int tile = 64;        // target spreading tile (grid points per side)
  static constexpr int max_width = 16;
  static constexpr int max_degree = 20;  // Horner degree of the piecewise kernel polynomials
  /// What spreading needs of one polar sample besides its coefficient: the footprint's first grid
  /// point (x, y) in [0, M) and the Horner arguments of its fractional offsets.
  struct SampleRecord {
    int bx, by;
    Real ax, ay;
  };

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
    // (cos, -sin) per angle, in double: only the plan set-up needs the sample positions (spreading
    // reads the per-sample origins and kernel arguments build_tiles derives from them).
    Kokkos::View<double* [2], Kokkos::HostSpace> htrig(
        Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::gridrec_trig"), std::size_t(P));
    for (int a = 0; a < P; ++a) {
      htrig(a, 0) = std::cos(g.theta[std::size_t(a)]);
      htrig(a, 1) = -std::sin(g.theta[std::size_t(a)]);
    }
    build_tables();
    build_tiles(htrig);
    auto alloc = [](const char* label) { return Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string(label)); };
    m_pad = View2<complex_type, Mem>(alloc("beamkit::tomo::gridrec_padded"), std::size_t(P), std::size_t(m_np));
    m_ld = padded_row(m_m, m_w);
    m_grid = View2<complex_type, Mem>("beamkit::tomo::gridrec_grid", std::size_t(m_m), std::size_t(m_ld));
    // Plans made once, reused for every slice pair (with fft_measure, remembered as FFTW wisdom).
    m_pad_fft = fft::Plan<ExecSpace, Real>(space, fft::Kind::c2c, {m_np}, P, opt.fft_measure);
    m_row_fft = fft::Plan<ExecSpace, Real>(space, fft::Layout::strided_c2c(m_nd, P, 1, m_np), opt.fft_measure);
    // The 2-D inverse transform as row transforms of the whole grid, then column transforms of only
    // the columns the image keeps ((c - N/2) mod M: two runs of ceil(N/2) columns): with M = 1.25 N
    // that is 10% fewer 1-D transforms, and FFTW runs the strided column batch faster than inside its
    // own 2-D plan.
    m_grid_rows = fft::Plan<ExecSpace, Real>(space, fft::Layout::strided_c2c(m_m, m_m, 1, m_ld), opt.fft_measure);
    m_grid_cols = fft::Plan<ExecSpace, Real>(space, fft::Layout::strided_c2c(m_m, m_n - m_n / 2, m_ld, 1), opt.fft_measure);
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
      row_fft();
      coefficients(m_geom.center_of(first_slice + s), m_geom.center_of(first_slice + (s2 >= 0 ? s2 : s)), s2 >= 0);
      spread();
      inverse_grid_fft();
      extract(image, s, s2);
    }
  }

private:
  /// Grid row stride: M plus a few elements, so that no two rows of one footprint start at the same
  /// address modulo 4 KiB (with M = 1280 every second row did, and a row's loads then waited on the
  /// previous row's stores: 4K aliasing in the spreading loop).
  static int padded_row(int M, int w) {
    for (int pad = 0; pad < 64; pad += 8 / int(sizeof(Real))) {
      const long bytes = long(M + pad) * long(sizeof(complex_type));
      bool ok = true;
      for (int j = 1; j < w && ok; ++j) {
        const long r = (bytes * j) % 4096;
        ok = r >= 256 && r <= 4096 - 256;
      }
      if (ok) return M + pad;
    }
    return M;
  }
  static int even_smooth(int n) {
    int m = next_smooth(n);
    while (m % 2) m = next_smooth(m + 1);
    return m;
  }
  /// Kernel width for ~1e-6 (float) / ~1e-9 (double) relative accuracy at oversampling sigma
  /// (FINUFFT's rule: digits per grid point = pi sqrt(1 - 1/sigma) / ln 10).
  static int default_width(double sigma) {
    const double digits = std::is_same<Real, float>::value ? 4.8 : 9.5;
    const double per = 3.141592653589793 * std::sqrt(1.0 - 1.0 / sigma) / std::log(10.0);
    return std::min(max_width, int(std::ceil(digits / per)));
  }

  double phi(double t) const {  // the ES kernel, t in grid units
    const double z = 2.0 * t / m_w;
    return std::abs(z) >= 1 ? 0.0 : std::exp(m_beta * (std::sqrt(1.0 - z * z) - 1.0));
  }
  /// The kernel on its closed support (exp(-beta) at |t| = w/2, not 0): the footprint's end points
  /// are fitted continuously; the jump of size exp(-beta) there is the kernel's own error level.
  double phi_closed(double t) const {
    const double z = std::min(1.0, std::abs(2.0 * t / m_w));
    return std::exp(m_beta * (std::sqrt(1.0 - z * z) - 1.0));
  }

  /// Radial frequency of row-FFT index k (cycles per pixel).
  KOKKOS_INLINE_FUNCTION static double nu_of(int k, int nd) { return double(2 * k < nd ? k : k - nd) / double(nd); }

  void build_tables() {
    auto host_mirror = [](const auto& v) {
      return Kokkos::create_mirror_view(Kokkos::view_alloc(Kokkos::HostSpace(), Kokkos::WithoutInitializing), v);
    };
    // The kernel as w polynomials in x = 2z - 1, z in [0, 1] the footprint's fractional offset:
    // weight j of a sample is phi(j + 1 - w/2 - z) (FINUFFT's piecewise-polynomial "Horner" kernel).
    // Evaluating all w weights is one short vector recurrence instead of w table gathers.
    fit_horner();
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
    // The filter on the padded length, with the 1/n_p of the inverse FFT and a circular shift by ext
    // samples (e^{-2 pi i k ext / n_p}), so the filtered row's window [-ext, n_d - ext) comes out as
    // the first n_d samples of the padded row, where the row FFT reads it (no crop pass). Filter and
    // shift are real operations on the rows, so the two slices packed as p1 + i p2 stay separate.
    const auto H = filter_response(m_opt.filter, m_np);
    m_filter = View1<complex_type, Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::gridrec_filter"),
                                        std::size_t(m_np));
    auto hf = host_mirror(m_filter);
    for (int k = 0; k < m_np; ++k) {
      const double h = H[std::size_t(k <= m_np / 2 ? k : m_np - k)] / m_np;
      const double ph = -2 * 3.141592653589793 * double(k) * m_ext / m_np;
      hf(k) = complex_type(Real(h * std::cos(ph)), Real(h * std::sin(ph)));
    }
    Kokkos::deep_copy(m_filter, hf);
    m_cphase = View2<complex_type, Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::gridrec_cphase"),
                                        2, std::size_t(m_nd));
  }

  /// The polynomials for weight j (0 <= j < w), fitted in double by interpolation at Chebyshev nodes
  /// (Chebyshev coefficients by a direct cosine sum, then converted to monomials in x); the degree is
  /// the smallest that meets the kernel's own accuracy (max error on [-1, 1] below exp(-beta), and
  /// 1e-7 float / 1e-11 double). Stored [degree][max_width] with zero columns past w, so padded lanes stay zero.
  void fit_horner() {
    // The kernel itself is only as good as its edge value exp(-beta): fit no closer than that.
    const double target = std::max(std::is_same<Real, float>::value ? 1e-7 : 1e-11, std::exp(-m_beta));
    std::vector<double> mono;  // [(D + 1) * w]
    int D = 6;
    for (; D <= max_degree; ++D) {
      mono.assign(std::size_t(D + 1) * m_w, 0.0);
      const int nn = D + 1;
      // T_k in monomials: T_0 = 1, T_1 = x, T_{k+1} = 2x T_k - T_{k-1}.
      std::vector<std::vector<double>> T(static_cast<std::size_t>(nn), std::vector<double>(static_cast<std::size_t>(nn), 0.0));
      T[0][0] = 1;
      if (nn > 1) T[1][1] = 1;
      for (int k = 2; k < nn; ++k)
        for (int d = 0; d <= k; ++d)
          T[std::size_t(k)][std::size_t(d)] = (d > 0 ? 2 * T[std::size_t(k - 1)][std::size_t(d - 1)] : 0.0) - T[std::size_t(k - 2)][std::size_t(d)];
      for (int j = 0; j < m_w; ++j) {
        auto f = [&](double x) { return phi_closed(j + 1 - 0.5 * m_w - 0.5 * (x + 1)); };
        std::vector<double> fx(static_cast<std::size_t>(nn)), cheb(static_cast<std::size_t>(nn));
        for (int i = 0; i < nn; ++i) fx[std::size_t(i)] = f(std::cos(3.141592653589793 * (i + 0.5) / nn));
        for (int k = 0; k < nn; ++k) {
          double s = 0;
          for (int i = 0; i < nn; ++i) s += fx[std::size_t(i)] * std::cos(3.141592653589793 * k * (i + 0.5) / nn);
          cheb[std::size_t(k)] = (k == 0 ? 1.0 : 2.0) * s / nn;
        }
        for (int k = 0; k < nn; ++k)
          for (int d = 0; d <= k; ++d) mono[std::size_t(d) * m_w + j] += cheb[std::size_t(k)] * T[std::size_t(k)][std::size_t(d)];
      }
      double err = 0;
      for (int i = 0; i <= 2000; ++i) {
        const double x = -1 + 2.0 * i / 2000;
        for (int j = 0; j < m_w; ++j) {
          double v = 0;
          for (int d = D; d >= 0; --d) v = v * x + mono[std::size_t(d) * m_w + j];
          err = std::max(err, std::abs(v - phi_closed(j + 1 - 0.5 * m_w - 0.5 * (x + 1))));
        }
      }
      if (err <= target || D == max_degree) break;
    }
    m_degree = D;
    m_horner = View2<Real, Mem>("beamkit::tomo::gridrec_kernel_poly", std::size_t(D + 1), std::size_t(max_width));
    auto hh = Kokkos::create_mirror_view(Kokkos::view_alloc(Kokkos::HostSpace(), Kokkos::WithoutInitializing), m_horner);
    for (int d = 0; d <= D; ++d)
      for (int j = 0; j < max_width; ++j) hh(d, j) = j < m_w ? Real(mono[std::size_t(d) * m_w + j]) : Real(0);
    Kokkos::deep_copy(m_horner, hh);
  }

  /// Groups the polar samples by the tile that holds their footprint's first grid point (CSR). Tiles are
  /// at least w wide and their count per side is even, so a footprint reaches at most into the next
  /// tile, and tiles of one colour (tile row parity, tile column parity) never touch each other's
  /// footprints, even across the periodic wrap: the four colours are spread one after another, the
  /// tiles of a colour in parallel, with plain (non-atomic) adds and no clipping.
  template <class HostTrig> void build_tiles(const HostTrig& trig) {
    const int P = m_geom.n_angles, nd = m_nd, M = m_m, w = m_w;
    int nt = std::max(2, 2 * int(std::lround(double(M) / (2.0 * tile))));
    while (nt > 2 && M / nt < w) nt -= 2;
    std::vector<int> tile_of(static_cast<std::size_t>(M));
    for (int i = 0; i < nt; ++i)
      for (int x = int(std::int64_t(i) * M / nt); x < int(std::int64_t(i + 1) * M / nt); ++x) tile_of[std::size_t(x)] = i;
    // Per sample, once, in double: the footprint's first grid point wrapped into [0, M) and the Horner
    // argument of its fractional offset, so spreading needs no division and no double math.
    // And its factor: (pi / P) (1 / n_det) x the half-pixel phase. Pixel centres are
    // x = c + 1/2 - N/2 = x' + delta with integer x' = c - floor(N/2): delta = 1/2 for even N, 0 for odd N.
    std::vector<SampleRecord> rec(std::size_t(P) * nd);
    std::vector<complex_type> factor(std::size_t(P) * nd);
    const double delta = (m_n % 2 == 0) ? 0.5 : 0.0;
    const double scale = (m_opt.filter.type == Filter::none ? 1.0 : 3.141592653589793 / P) / nd;
    std::vector<std::vector<int>> lists(std::size_t(nt) * nt);
    for (int a = 0; a < P; ++a)
      for (int k = 0; k < nd; ++k) {
        const std::size_t i = std::size_t(a) * nd + k;
        const double nu = nu_of(k, nd);
        const double ph = 2 * 3.141592653589793 * delta * nu * (trig(a, 0) + trig(a, 1));
        factor[i] = complex_type(Real(scale * std::cos(ph)), Real(scale * std::sin(ph)));
        const double gxd = double(M) * nu * trig(a, 0), gyd = double(M) * nu * trig(a, 1);
        const int lx0 = int(std::ceil(gxd - 0.5 * double(w))), ly0 = int(std::ceil(gyd - 0.5 * double(w)));
        rec[i].bx = ((lx0 % M) + M) % M;
        rec[i].by = ((ly0 % M) + M) % M;
        rec[i].ax = Real(2 * (gxd - lx0 - (0.5 * w - 1)) - 1);
        rec[i].ay = Real(2 * (gyd - ly0 - (0.5 * w - 1)) - 1);
        if (nd % 2 == 0 && k == nd / 2) continue;  // the Nyquist sample has coefficient 0
        lists[std::size_t(tile_of[std::size_t(rec[i].by)]) * nt + std::size_t(tile_of[std::size_t(rec[i].bx)])].push_back(int(i));
      }
    // Within a tile, consecutive samples of one angle (k, k + 1) overlap in w - 1 of their w columns:
    // spreading them back to back makes every grid load wait for the previous sample's stores
    // (failed store-to-load forwarding). Visiting k in residue classes mod R, R samples ~ w grid
    // points apart, keeps consecutive footprints disjoint and the reads still in ascending order.
    const int R = int(std::ceil(double(w) * nd / M)) + 1;
    for (auto& l : lists)
      std::stable_sort(l.begin(), l.end(), [&](int i1, int i2) {
        const int k1 = i1 % nd, k2 = i2 % nd;
        return k1 % R != k2 % R ? k1 % R < k2 % R : i1 < i2;
      });
    std::size_t total = 0;
    for (auto& l : lists) total += l.size();
    m_tile_start = Kokkos::View<int*, Mem>("beamkit::tomo::gridrec_tile_start", lists.size() + 1);
    m_tile_items = Kokkos::View<int*, Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::gridrec_tile_items"),
                                           total);
    // The records are stored in spreading order: the spreading loop then streams them (and the
    // coefficients, written in the same order) instead of gathering them at random sample indices.
    m_record = Kokkos::View<SampleRecord*, Mem>(
        Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::gridrec_sample_record"), total);
    m_coef = Kokkos::View<complex_type*, Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::gridrec_coef"),
                                              total);
    m_item_k = Kokkos::View<int*, Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::gridrec_item_k"), total);
    m_item_factor = Kokkos::View<complex_type*, Mem>(
        Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::gridrec_item_factor"), total);
    auto hs = Kokkos::create_mirror_view(m_tile_start);
    auto hi = Kokkos::create_mirror_view(m_tile_items);
    auto hk = Kokkos::create_mirror_view(m_item_k);
    auto hr = Kokkos::create_mirror_view(m_record);
    auto hfi = Kokkos::create_mirror_view(m_item_factor);
    std::size_t pos = 0;
    for (std::size_t t = 0; t < lists.size(); ++t) {
      hs(t) = int(pos);
      for (int v : lists[t]) {
        hr(pos) = rec[std::size_t(v)];
        hk(pos) = v % nd;
        hfi(pos) = factor[std::size_t(v)];
        hi(pos++) = (v / nd) * m_np + v % nd;
      }
    }
    hs(lists.size()) = int(pos);
    Kokkos::deep_copy(m_tile_start, hs);
    Kokkos::deep_copy(m_tile_items, hi);
    Kokkos::deep_copy(m_item_k, hk);
    Kokkos::deep_copy(m_item_factor, hfi);
    Kokkos::deep_copy(m_record, hr);
    // Tile order: by colour, and within a colour the heaviest first (the tiles around the frequency
    // origin hold far more samples: every angle passes through it), so dynamic scheduling ends balanced.
    std::vector<int> order;
    for (int colour = 0; colour < 4; ++colour) {
      m_colour_start[std::size_t(colour)] = int(order.size());
      const std::size_t first = order.size();
      for (int t = 0; t < nt * nt; ++t)
        if (((t / nt) % 2) * 2 + (t % nt) % 2 == colour) order.push_back(t);
      std::stable_sort(order.begin() + std::ptrdiff_t(first), order.end(),
                       [&](int a, int b) { return lists[std::size_t(a)].size() > lists[std::size_t(b)].size(); });
    }
    m_colour_start[4] = int(order.size());
    m_tile_order = Kokkos::View<int*, Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::gridrec_tile_order"),
                                           order.size());
    auto hord = Kokkos::create_mirror_view(m_tile_order);
    for (std::size_t i = 0; i < order.size(); ++i) hord(i) = order[i];
    Kokkos::deep_copy(m_tile_order, hord);
  }

  /// Pack slices s1 (+ i s2) into zero-padded complex rows and filter them (shifted by ext).
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
  }

  /// FFT of each angle's first n_d padded samples (the window the shifted filter left there), in place.
  void row_fft() {
    Kokkos::View<complex_type*, Mem, Kokkos::MemoryTraits<Kokkos::Unmanaged>> flat(m_pad.data(), m_pad.span());
    const auto rows = Kokkos::subview(flat, std::make_pair(std::size_t(0), m_row_fft.layout().span()));
    m_row_fft.forward(rows, rows);
  }

  /// c(a, k) = factor(a, k) x centre phase x Q(a, k), untangling the two slices when their centres differ.
  void coefficients(double c1, double c2, bool two) {
    const int nd = m_nd;
    auto hc = Kokkos::create_mirror_view(Kokkos::view_alloc(Kokkos::HostSpace(), Kokkos::WithoutInitializing), m_cphase);
    for (int k = 0; k < nd; ++k) {
      const double nu = nu_of(k, nd);
      // row sample j sits at detector index j - ext: s_j = j - ext + 1/2 - centre
      const double p1 = -2 * 3.141592653589793 * nu * (0.5 - m_ext - c1), p2 = -2 * 3.141592653589793 * nu * (0.5 - m_ext - c2);
      hc(0, k) = complex_type(Real(std::cos(p1)), Real(std::sin(p1)));
      hc(1, k) = complex_type(Real(std::cos(p2)), Real(std::sin(p2)));
    }
    Kokkos::deep_copy(m_space, m_cphase, hc);
    const complex_type* rows = m_pad.data();  // [P][np]: sample (a, k) at a * np + k
    auto fac = m_item_factor;
    auto cph = m_cphase;
    auto items = m_tile_items;
    auto ks = m_item_k;
    auto coef = m_coef;
    const bool separate = two && c1 != c2;
    // One coefficient per sample, written in spreading order (the per-sample factor is stored in that
    // order too; only the row values and the small phase table are gathered).
    Kokkos::parallel_for(
        "beamkit::tomo::gridrec_coefficients",
        Kokkos::RangePolicy<ExecSpace>(m_space, 0, int(coef.extent(0))), KOKKOS_LAMBDA(const int i) {
          const int s = items(i), k = ks(i);  // s: (a, k)'s index in the padded rows
          const complex_type z = rows[s];
          if (separate) {  // P1 = (Z(k) + conj Z(-k)) / 2, P2 = (Z(k) - conj Z(-k)) / 2i
            const complex_type zm = rows[s - k + (k == 0 ? 0 : nd - k)];
            const complex_type p1 = (z + Kokkos::conj(zm)) * Real(0.5), p2 = (z - Kokkos::conj(zm)) * complex_type(0, Real(-0.5));
            coef(i) = fac(i) * (p1 * cph(0, k) + complex_type(0, 1) * p2 * cph(1, k));
          } else {
            coef(i) = fac(i) * cph(0, k) * z;
          }
        });
  }

  /// Spreading: every polar sample adds c * phi(x - gx) phi(y - gy) to its w x w footprint of the grid.
  struct SpreadArgs {
    View2<complex_type, Mem> grid;
    Kokkos::View<complex_type*, Mem> coef;
    Kokkos::View<SampleRecord*, Mem> record;
    View2<Real, Mem> horner;
    int M, ld, degree;  // grid size, grid row stride (elements), Horner degree
  };

  /// The w kernel weights of a footprint along one axis (lanes past w come out 0), by Horner.
  template <int WP>
  KOKKOS_FORCEINLINE_FUNCTION static void kernel_weights(const Real* poly, int degree, Real x, Real y, Real* wx, Real* wy) {
    for (int j = 0; j < WP; ++j) wx[j] = wy[j] = poly[std::size_t(degree) * max_width + j];
    for (int d = degree - 1; d >= 0; --d) {
      const Real* c = poly + std::size_t(d) * max_width;
      BEAMKIT_PRAGMA_SIMD
      for (int j = 0; j < WP; ++j) {
        wx[j] = wx[j] * x + c[j];
        wy[j] = wy[j] * y + c[j];
      }
    }
  }

  /// Adds sample `i`'s (spreading order) whole footprint (W = w known at compile time). Footprint rows are handed to
  /// `rows(begin, end, f)` (a team's threads on a GPU, a plain loop on the host); the W complex adds
  /// of a row are one contiguous run of 2W floats unless the footprint wraps around the grid's edge.
  template <int W, class RowLoop>
  KOKKOS_FORCEINLINE_FUNCTION static void spread_sample(const SpreadArgs& A, int i, const RowLoop& rows) {
    constexpr int WP = (W + 7) / 8 * 8;
    Real wx[WP], wy[WP], cw[2 * WP];
    const SampleRecord rec = A.record(i);
    kernel_weights<WP>(A.horner.data(), A.degree, rec.ax, rec.ay, wx, wy);
    const complex_type c = A.coef(i);
    for (int j = 0; j < WP; ++j) {
      cw[2 * j] = c.real() * wx[j];
      cw[2 * j + 1] = c.imag() * wx[j];
    }
    const int M = A.M, bx = rec.bx, by = rec.by;
    const std::size_t ld = std::size_t(A.ld);
    Real* g = reinterpret_cast<Real*>(A.grid.data());  // interleaved (re, im): complex<Real> layout
    if (bx + W <= M) {
      rows(0, W, [&](const int jy) {
        const int r = by + jy < M ? by + jy : by + jy - M;
        Real* dst = g + 2 * (std::size_t(r) * ld + std::size_t(bx));
        const Real wyj = wy[jy];
        BEAMKIT_PRAGMA_SIMD
        for (int k = 0; k < 2 * W; ++k) dst[k] += wyj * cw[k];
      });
    } else {  // the footprint wraps around the periodic grid in x
      rows(0, W, [&](const int jy) {
        const int r = by + jy < M ? by + jy : by + jy - M;
        Real* row = g + 2 * std::size_t(r) * ld;
        const Real wyj = wy[jy];
        for (int jx = 0; jx < W; ++jx) {
          const int col = bx + jx < M ? bx + jx : bx + jx - M;
          row[2 * col] += wyj * cw[2 * jx];
          row[2 * col + 1] += wyj * cw[2 * jx + 1];
        }
      });
    }
  }

  void spread() {
    switch (m_w) {
      case 2: spread_w<2>(); return;
      case 3: spread_w<3>(); return;
      case 4: spread_w<4>(); return;
      case 5: spread_w<5>(); return;
      case 6: spread_w<6>(); return;
      case 7: spread_w<7>(); return;
      case 8: spread_w<8>(); return;
      case 9: spread_w<9>(); return;
      case 10: spread_w<10>(); return;
      case 11: spread_w<11>(); return;
      case 12: spread_w<12>(); return;
      case 13: spread_w<13>(); return;
      case 14: spread_w<14>(); return;
      case 15: spread_w<15>(); return;
      default: spread_w<16>(); return;
    }
  }

  template <int W> void spread_w() {
    static_assert(W <= max_width, "beamkit::tomo::GridrecPlan: kernel width above max_width");
    Kokkos::deep_copy(m_space, m_grid, complex_type(0, 0));
    const SpreadArgs A{m_grid, m_coef, m_record, m_horner, m_m, m_ld, m_degree};
    auto start = m_tile_start;
    auto order = m_tile_order;
    for (int colour = 0; colour < 4; ++colour) {
      const int t0 = m_colour_start[std::size_t(colour)], t1 = m_colour_start[std::size_t(colour) + 1];
      if (t0 == t1) continue;
      if constexpr (beamkit::detail::is_host_space<ExecSpace>::value) {
        // Host: one tile per iteration (heaviest first), its samples in a tight loop.
        Kokkos::parallel_for(
            "beamkit::tomo::gridrec_spread",
            Kokkos::RangePolicy<ExecSpace, Kokkos::Schedule<Kokkos::Dynamic>>(m_space, t0, t1, Kokkos::ChunkSize(1)),
            KOKKOS_LAMBDA(const int i) {
              const int t = order(i);
              auto rows = [](int b, int e, const auto& f) {
                for (int j = b; j < e; ++j) f(j);
              };
              for (int it = start(t); it < start(t + 1); ++it) spread_sample<W>(A, it, rows);
            });
      } else {
        // Device: one team per tile; a sample's footprint rows go to the team's threads (distinct rows,
        // so no atomics), samples one after another.
        using policy = Kokkos::TeamPolicy<ExecSpace>;
        using member = typename policy::member_type;
        Kokkos::parallel_for(
            "beamkit::tomo::gridrec_spread", policy(m_space, t1 - t0, Kokkos::AUTO), KOKKOS_LAMBDA(const member& team) {
              const int t = order(t0 + team.league_rank());
              auto rows = [&](int b, int e, const auto& f) { Kokkos::parallel_for(Kokkos::TeamThreadRange(team, b, e), f); };
              for (int it = start(t); it < start(t + 1); ++it) {
                spread_sample<W>(A, it, rows);
                team.team_barrier();
              }
            });
      }
    }
  }

  void inverse_grid_fft() {
    const std::size_t M = std::size_t(m_m), kept = std::size_t(m_n - m_n / 2), span = m_grid_cols.layout().span();
    Kokkos::View<complex_type*, Mem, Kokkos::MemoryTraits<Kokkos::Unmanaged>> flat(m_grid.data(), m_grid.span());
    const auto rows = Kokkos::subview(flat, std::make_pair(std::size_t(0), m_grid_rows.layout().span()));
    m_grid_rows.backward(rows, rows);
    m_grid_cols.backward(Kokkos::subview(flat, std::make_pair(std::size_t(0), span)),
                         Kokkos::subview(flat, std::make_pair(std::size_t(0), span)));
    m_grid_cols.backward(Kokkos::subview(flat, std::make_pair(M - kept, M - kept + span)),
                         Kokkos::subview(flat, std::make_pair(M - kept, M - kept + span)));
  }

  template <class ImageView> void extract(const ImageView& image, int s1, int s2) {
    auto grid = m_grid;
    auto deapo = m_deapo;
    const int n = m_n, M = m_m, h = n / 2;
    // Image pixel (r, c) is grid point ((r - n/2) mod M, (c - n/2) mod M).
    if constexpr (beamkit::detail::is_host_space<ExecSpace>::value) {
      // Host: an image row is two contiguous runs of a grid row (its end, then its start): two
      // vectorised loops, no per-pixel index arithmetic (1.5x faster than the 2-D range below).
      Kokkos::parallel_for(
          "beamkit::tomo::gridrec_extract", Kokkos::RangePolicy<ExecSpace>(m_space, 0, n), KOKKOS_LAMBDA(const int r) {
            const complex_type* g = &grid(r < h ? r - h + M : r - h, 0);
            const Real dr = deapo(r);
            auto run = [&](int c0, int c1, int shift) {
              BEAMKIT_PRAGMA_SIMD
              for (int c = c0; c < c1; ++c) {
                const Real d = dr * deapo(c);
                const complex_type v = g[c + shift];
                image(s1, r, c) = v.real() * d;
                if (s2 >= 0) image(s2, r, c) = v.imag() * d;
              }
            };
            run(0, h, M - h);
            run(h, n, -h);
          });
    } else {
      Kokkos::parallel_for("beamkit::tomo::gridrec_extract",
                           Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<2>>(m_space, {0, 0}, {n, n}),
                           KOKKOS_LAMBDA(const int r, const int c) {
                             const int gy = r < h ? r - h + M : r - h, gx = c < h ? c - h + M : c - h;
                             const complex_type v = grid(gy, gx) * (deapo(r) * deapo(c));
                             image(s1, r, c) = v.real();
                             if (s2 >= 0) image(s2, r, c) = v.imag();
                           });
    }
  }

  ExecSpace m_space;
  ParallelGeometry m_geom;
  GridrecOptions m_opt;
  int m_w = 7, m_nd = 0, m_ext = 0, m_np = 0, m_n = 0, m_m = 0;  // m_nd: radial samples per angle
  int m_ld = 0;      // grid row stride (elements), >= m_m
  int m_degree = 0;                     // Horner degree of the kernel polynomials
  std::array<int, 5> m_colour_start{};  // tile_order ranges of the four colours
  double m_beta = 0;
  View1<Real, Mem> m_deapo;
  View1<complex_type, Mem> m_filter;  // filter x 1/n_p x shift by ext, on the padded length
  View2<Real, Mem> m_horner;  // [degree + 1][max_width] kernel polynomial coefficients
  View2<complex_type, Mem> m_cphase;
  Kokkos::View<int*, Mem> m_tile_start, m_tile_order;  // CSR of the samples per tile; tiles by colour, heaviest first
  Kokkos::View<int*, Mem> m_tile_items;  // per sample, spreading order: its index a * n_p + k in the padded rows
  Kokkos::View<SampleRecord*, Mem> m_record;  // per sample, spreading order: footprint origin, Horner arguments
  Kokkos::View<complex_type*, Mem> m_coef;    // per sample, spreading order: this slice pair's coefficient
  Kokkos::View<complex_type*, Mem> m_item_factor;  // per sample, spreading order: quadrature weight x half-pixel phase
  Kokkos::View<int*, Mem> m_item_k;           // per sample, spreading order: radial index k
  View2<complex_type, Mem> m_pad, m_grid;
  fft::Plan<ExecSpace, Real> m_pad_fft{fft::Kind::c2c, {1}, 1}, m_row_fft{fft::Kind::c2c, {1}, 1},
      m_grid_rows{fft::Kind::c2c, {1}, 1}, m_grid_cols{fft::Kind::c2c, {1}, 1};
};

}  // namespace beamkit::tomo
