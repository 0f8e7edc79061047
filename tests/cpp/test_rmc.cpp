// SPDX-License-Identifier: BSD-3-Clause
// Reverse Monte Carlo: chi^2 closed forms vs brute force, the incremental F vs a direct DFT and vs
// the FFT after 10^4 accepted moves, a disc model recovered from its pattern, the written model vs
// the written pattern (no transpose), reproducibility and input errors.
#include "test_helpers.hpp"
#include <beamkit/rmc/rmc.hpp>
#include <complex>
#include <random>

using namespace beamkit;
using bk_test::ExecSpace;

namespace {
using cd = std::complex<double>;

// Direct DFT |F|^2 of a binary model, FFT order.
std::vector<double> dft_power(const std::vector<std::uint8_t>& m, int n) {
  std::vector<double> p(std::size_t(n) * n);
  for (int ky = 0; ky < n; ++ky)
    for (int kx = 0; kx < n; ++kx) {
      cd acc = 0;
      for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x)
          if (m[std::size_t(y) * n + x]) acc += std::polar(1.0, -2 * M_PI * double(ky * y + kx * x) / n);
      p[std::size_t(ky) * n + kx] = std::norm(acc);
    }
  return p;
}

// Brute-force chi^2 with the least-squares (s, b) found by solving the normal equations directly.
double brute_chi2(const std::vector<double>& P, const std::vector<double>& D, const std::vector<double>& w,
                  const rmc::ChiModel& cm, double* s_out = nullptr, double* b_out = nullptr) {
  double a11 = 0, a12 = 0, a22 = 0, r1 = 0, r2 = 0;
  for (std::size_t i = 1; i < P.size(); ++i) {  // q = 0 excluded
    a11 += w[i] * P[i] * P[i];
    a12 += w[i] * P[i];
    a22 += w[i];
    r1 += w[i] * P[i] * D[i];
    r2 += w[i] * D[i];
  }
  double s = cm.scale, b = cm.background;
  if (cm.fit_scale && cm.fit_background) {
    const double det = a11 * a22 - a12 * a12;
    s = (r1 * a22 - a12 * r2) / det;
    b = (a11 * r2 - a12 * r1) / det;
  } else if (cm.fit_scale) {
    s = (r1 - b * a12) / a11;
  } else if (cm.fit_background) {
    b = (r2 - s * a12) / a22;
  }
  double c = 0;
  for (std::size_t i = 1; i < P.size(); ++i) c += w[i] * (s * P[i] + b - D[i]) * (s * P[i] + b - D[i]);
  if (s_out) *s_out = s;
  if (b_out) *b_out = b;
  return c;
}

std::vector<std::uint8_t> random_binary(int n, int nf, unsigned seed) {
  std::mt19937 g(seed);
  std::vector<std::uint8_t> m(std::size_t(n) * n, 0);
  std::vector<int> idx(m.size());
  for (int i = 0; i < int(idx.size()); ++i) idx[i] = i;
  std::shuffle(idx.begin(), idx.end(), g);
  for (int i = 0; i < nf; ++i) m[idx[i]] = 1;
  return m;
}

// Random non-overlapping discs of radius rad in a periodic n x n tile until `loading` is reached.
std::vector<std::uint8_t> disc_model(int n, double rad, double loading, unsigned seed) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<double> u(0, n);
  std::vector<std::uint8_t> m(std::size_t(n) * n, 0);
  std::vector<std::pair<double, double>> c;
  int filled = 0;
  for (int tries = 0; tries < 20000 && filled < loading * n * n; ++tries) {
    const double cy = u(g), cx = u(g);
    bool ok = true;
    for (auto& p : c) {
      double dy = std::fabs(p.first - cy), dx = std::fabs(p.second - cx);
      dy = std::min(dy, n - dy);
      dx = std::min(dx, n - dx);
      if (dy * dy + dx * dx < 4.4 * rad * rad) ok = false;
    }
    if (!ok) continue;
    c.emplace_back(cy, cx);
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x) {
        double dy = std::fabs(y + 0.5 - cy), dx = std::fabs(x + 0.5 - cx);
        dy = std::min(dy, n - dy);
        dx = std::min(dx, n - dx);
        if (dy * dy + dx * dx <= rad * rad && !m[std::size_t(y) * n + x]) {
          m[std::size_t(y) * n + x] = 1;
          ++filled;
        }
      }
  }
  return m;
}

int count(const std::vector<std::uint8_t>& m) {
  int c = 0;
  for (auto v : m) c += v;
  return c;
}

template <class Real> void check_proposal_vs_dft(const rmc::ChiModel& cm) {
  const int n = 12, nf = 40;
  std::mt19937 g(3);
  std::uniform_real_distribution<double> u(0.5, 2);
  std::vector<double> D(n * n), w(n * n);
  for (int i = 0; i < n * n; ++i) {
    D[i] = 10 * u(g);
    w[i] = (i % 7 == 3) ? 0 : u(g);  // asymmetric mask and weights: k and -k differ
  }
  auto m = random_binary(n, nf, 5);
  rmc::Solver<ExecSpace, Real> s(ExecSpace(), n, 2, D, w, cm);
  auto m2 = random_binary(n, nf, 9);
  s.set_model(0, m);
  s.set_model(1, m2);
  s.recompute();
  auto wz = w;
  wz[0] = 0;
  CHECK(s.chi2(0) == doctest::Approx(brute_chi2(dft_power(m, n), D, wz, cm)).epsilon(1e-9 * (sizeof(Real) == 8 ? 1 : 1e4)));
  std::mt19937 pick(11);
  for (int it = 0; it < 30; ++it) {
    std::vector<rmc::Swap> sw(2);
    auto choose = [&](const std::vector<std::uint8_t>& mm) {
      rmc::Swap x;
      do x.from = int(pick() % (n * n)); while (!mm[x.from]);
      do x.to = int(pick() % (n * n)); while (mm[x.to]);
      return x;
    };
    sw[0] = choose(m);
    sw[1] = it % 3 == 0 ? rmc::Swap{} : choose(m2);
    s.propose(sw);
    auto mt = m;
    mt[sw[0].from] = 0;
    mt[sw[0].to] = 1;
    const double want = brute_chi2(dft_power(mt, n), D, wz, cm);
    CHECK(s.proposed_chi2(0) == doctest::Approx(want).epsilon(sizeof(Real) == 8 ? 1e-9 : 1e-4));
    if (it % 2 == 0) {  // accept: the model and (on the next pass) F change
      s.accept(0);
      m = mt;
    }
    if (sw[1].active() && it % 4 == 1) {
      s.accept(1);
      m2[sw[1].from] = 0;
      m2[sw[1].to] = 1;
    }
    CHECK(s.chi2(0) == doctest::Approx(brute_chi2(dft_power(m, n), D, wz, cm)).epsilon(sizeof(Real) == 8 ? 1e-9 : 1e-4));
  }
  // F itself against the direct DFT after the accepted moves
  const auto f = s.half_spectrum(1);
  double err = 0, mx = 0;
  for (int ky = 0; ky < n; ++ky)
    for (int kx = 0; kx <= n / 2; ++kx) {
      cd acc = 0;
      for (int i = 0; i < n * n; ++i)
        if (m2[i]) acc += std::polar(1.0, -2 * M_PI * double(ky * (i / n) + kx * (i % n)) / n);
      err = std::max(err, std::abs(f[ky * (n / 2 + 1) + kx] - acc));
      mx = std::max(mx, std::abs(acc));
    }
  CHECK(err / mx < (sizeof(Real) == 8 ? 1e-13 : 1e-5));
  CHECK(s.model(1) == m2);
}

// Data: the centred (fftshift) pattern of a model, as a detector image.
std::vector<double> centred_pattern(const std::vector<std::uint8_t>& m, int n) {
  return rmc::fftshift(dft_power(m, n), n);
}

}  // namespace

TEST_SUITE("unit") {
  TEST_CASE("rmc chi2 closed forms equal a brute-force weighted least-squares fit") {
    std::mt19937 g(1);
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<double> P(50), D(50), w(50);
    for (int i = 0; i < 50; ++i) {
      P[i] = 5 * u(g);
      D[i] = 3 * P[i] + 2 + u(g);
      w[i] = u(g);
    }
    rmc::Sums s;
    rmc::DataSums c;
    for (int i = 1; i < 50; ++i) {
      s.pp += w[i] * P[i] * P[i];
      s.p += w[i] * P[i];
      s.pd += w[i] * P[i] * D[i];
      c.w += w[i];
      c.d += w[i] * D[i];
      c.dd += w[i] * D[i] * D[i];
    }
    for (int mode = 0; mode < 4; ++mode) {
      rmc::ChiModel cm;
      cm.fit_scale = mode & 1;
      cm.fit_background = mode & 2;
      cm.scale = 2.5;
      cm.background = 1.5;
      double sb, bb, sc, bc;
      const double want = brute_chi2(P, D, w, cm, &sb, &bb);
      rmc::scale_background(s, c, cm, sc, bc);
      CHECK(sc == doctest::Approx(sb).epsilon(1e-12));
      CHECK(bc == doctest::Approx(bb).epsilon(1e-12));
      CHECK(rmc::chi2(s, c, cm) == doctest::Approx(want).epsilon(1e-10));
    }
  }

  TEST_CASE_TEMPLATE("rmc proposed chi2 and incremental F equal a direct DFT of the swapped model", Real, float, double) {
    check_proposal_vs_dft<Real>(rmc::ChiModel{});
    rmc::ChiModel fixed;
    fixed.fit_scale = false;
    fixed.fit_background = false;
    fixed.scale = 0.3;
    fixed.background = 4;
    check_proposal_vs_dft<Real>(fixed);
  }

  TEST_CASE("rmc incremental F equals the FFT of the model after 10^4 accepted moves (double: 1e-9)") {
    const int n = 64;
    std::vector<double> D(n * n, 1.0), w(n * n, 1.0);
    auto drift_after = [&](auto tag) {
      using Real = decltype(tag);
      rmc::Solver<ExecSpace, Real> s(ExecSpace(), n, 1, D, w, rmc::ChiModel{});
      auto m = random_binary(n, n * n * 3 / 10, 2);
      s.set_model(0, m);
      s.recompute();
      rmc::detail::Occupancy occ;
      occ.build(m);
      CounterRng rng(42, 0);
      for (int it = 0; it < 10000; ++it) {
        rmc::Swap sw{occ.filled[rng.below(occ.filled.size())], occ.empty[rng.below(occ.empty.size())]};
        s.propose({sw});
        s.accept(0);
        occ.swap(sw.from, sw.to);
      }
      return s.recompute();
    };
    const auto dd = drift_after(double());
    MESSAGE("drift after 1e4 accepted moves, double: rel max ", dd.rel_max, ", rel l2 ", dd.rel_l2);
    CHECK(dd.rel_max < 1e-9);
    CHECK(dd.rel_l2 < 1e-9);
    CHECK(dd.rel_max > 0);  // it is a real comparison (rounding differs from FFTW's)
    const auto df = drift_after(float());
    MESSAGE("drift after 1e4 accepted moves, float: rel max ", df.rel_max);
    CHECK(df.rel_max < 1e-4);
  }

  TEST_CASE("rmc grid_data maps centre, step, mask and sigma as documented") {
    const int H = 21, W = 25;
    std::vector<double> pat(H * W), sig(H * W, 2.0);
    for (int i = 0; i < H * W; ++i) pat[i] = double(i);  // value = row*W + col
    std::vector<std::uint8_t> mask(H * W, 0);
    mask[12 * W + 13] = 1;
    rmc::DataOptions o;
    o.size = 8;
    o.center_row = 10.5;
    o.center_col = 12;
    auto g = rmc::grid_data(pat.data(), H, W, mask.data(), sig.data(), o);
    CHECK(g.n == 8);
    // q (ky, kx) = (1, 2) is at row 11.5, col 14: mean of rows 11 and 12 (col 14)
    CHECK(g.data[1 * 8 + 2] == doctest::Approx((11 * W + 14 + 12 * W + 14) / 2.0));
    CHECK(g.weight[1 * 8 + 2] == doctest::Approx(0.25));
    // (1, 1): rows 11..12, col 13 touches the masked pixel (12, 13)
    CHECK(g.weight[1 * 8 + 1] == 0);
    // (-4, -4): row 6.5, col 8 (FFT order index 4)
    CHECK(g.data[4 * 8 + 4] == doctest::Approx((6 * W + 8 + 7 * W + 8) / 2.0));
    CHECK(g.weight[0] == 0);  // q = 0 always excluded
    o.size = 0;
    o.step = 2;
    o.center_row = NAN;
    o.center_col = NAN;
    auto g2 = rmc::grid_data(pat.data(), H, W, nullptr, nullptr, o);
    CHECK(g2.n == 10);  // centre (10, 12), step 2: rows 10 + 2*[-5, 5) fit in [0, 21)
    CHECK(g2.data[1 * 10 + 9] == doctest::Approx(12 * W + 10));  // (ky, kx) = (1, -1) -> row 12, col 10
    o.step = 0;
    o.size = 8;
    o.pixel_size = 0.1;   // mm
    o.distance = 1000;    // mm
    o.wavelength = 0.1;   // nm
    o.cell_size = 25;     // nm -> step = 0.1*1000/(8*25*0.1) = 5
    auto g3 = rmc::grid_data(pat.data(), H, W, nullptr, nullptr, o);
    CHECK(g3.step == doctest::Approx(5));
    CHECK(g3.cell_size == doctest::Approx(25));
    CHECK(g3.dq == doctest::Approx(2 * M_PI / (8 * 25)));
    pat[3] = NAN;
    CHECK_THROWS_WITH_AS(rmc::grid_data(pat.data(), H, W, nullptr, nullptr, rmc::DataOptions{}),
                         doctest::Contains("non-finite value (nan) at (0, 3)"), beamkit::error);
    mask[3] = 1;
    CHECK_NOTHROW(rmc::grid_data(pat.data(), H, W, mask.data(), nullptr, rmc::DataOptions{}));
    sig[40] = 0;
    CHECK_THROWS_WITH_AS(rmc::grid_data(pat.data(), H, W, mask.data(), sig.data(), rmc::DataOptions{}),
                         doctest::Contains("'sigma'"), beamkit::error);
  }

  TEST_CASE("rmc run rejects a loading outside (0, 1) and impossible level counts") {
    const int n = 16;
    std::vector<double> pat(n * n, 1.0);
    auto g = rmc::grid_data(pat.data(), n, n, nullptr, nullptr, rmc::DataOptions{});
    rmc::Options o;
    o.moves = 10;
    o.loading = 1.2;
    CHECK_THROWS_WITH_AS((rmc::run<ExecSpace, double>(g, o)), doctest::Contains("'loading' must be in (0, 1), got 1.2"),
                         beamkit::error);
    o.loading = 0;
    CHECK_THROWS_AS((rmc::run<ExecSpace, double>(g, o)), beamkit::error);
    o.loading = 0.3;
    o.levels = 3;
    CHECK_THROWS_WITH_AS((rmc::run<ExecSpace, double>(g, o)), doctest::Contains("cannot be halved"), beamkit::error);
  }

  TEST_CASE("rmc written model is the fitted one, not transposed (FFT of /rmc/model reproduces /rmc/pattern)") {
    const int n = 16;
    // An asymmetric model (an L-shape and a bar): its pattern is not transpose-symmetric.
    std::vector<std::uint8_t> truth(n * n, 0);
    for (int y = 2; y < 9; ++y) truth[y * n + 3] = 1;
    for (int x = 3; x < 7; ++x) truth[8 * n + x] = 1;
    for (int x = 9; x < 15; ++x) truth[12 * n + x] = truth[13 * n + x] = 1;
    const int nf = count(truth);
    auto data = centred_pattern(truth, n);
    {  // the test can fail: the transposed model has a different pattern
      std::vector<std::uint8_t> tr(n * n);
      for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) tr[x * n + y] = truth[y * n + x];
      auto pt = centred_pattern(tr, n);
      double diff = 0;
      for (int i = 0; i < n * n; ++i) diff = std::max(diff, std::fabs(pt[i] - data[i]));
      REQUIRE(diff > 1);
    }
    auto g = rmc::grid_data(data.data(), n, n, nullptr, nullptr, rmc::DataOptions{});
    rmc::Options o;
    o.loading = double(nf) / (n * n);
    o.moves = 300;
    o.t_start = 0;  // quench: a perfect start is never left
    o.initial = {truth};
    auto res = rmc::run<ExecSpace, double>(g, o);
    double dd = 0;
    for (double v : data) dd += v * v;
    CHECK(res.chi2[0] < 1e-12 * dd);
    CHECK(res.models[0] == truth);
    bk_test::TempPath f("rmc_orient.h5");
    rmc::write_result(f.path, res);
    auto model = io::read<std::uint8_t, 2>(f.path, "/rmc/model");
    auto pat = io::read<double, 2>(f.path, "/rmc/pattern");
    auto dat = io::read<double, 2>(f.path, "/rmc/data");
    std::vector<std::uint8_t> mw(model.data(), model.data() + n * n);
    CHECK(mw == truth);
    // independent: direct DFT of the written model, fftshifted, with the written scale/background
    auto pw = centred_pattern(mw, n);
    auto sc = io::read<double, 1>(f.path, "/rmc/scale");
    auto bg = io::read<double, 1>(f.path, "/rmc/background");
    double err = 0, errd = 0;
    for (int i = 0; i < n * n; ++i) {
      if (i == (n / 2) * n + n / 2) continue;  // q = 0 is not fitted
      err = std::max(err, std::fabs(sc(0) * pw[i] + bg(0) - pat.data()[i]));
      errd = std::max(errd, std::fabs(pat.data()[i] - dat.data()[i]));
    }
    CHECK(err < 1e-8);
    CHECK(errd < 1e-8);
  }
}

TEST_SUITE("integration") {
  TEST_CASE("rmc recovers the low-q pattern of random discs from a random start; chi2 falls; seeds reproduce") {
    const int n = 64;
    auto truth = disc_model(n, 3.2, 0.2, 17);
    const int nf = count(truth);
    auto data = centred_pattern(truth, n);
    auto g = rmc::grid_data(data.data(), n, n, nullptr, nullptr, rmc::DataOptions{});
    rmc::Options o;
    o.loading = double(nf) / (n * n);
    o.seed = 7;
    o.moves = 30 * std::int64_t(nf);
    auto res = rmc::run<ExecSpace, double>(g, o);
    // relative error of the fitted pattern over the inner q region 0 < |q| <= N/8
    double num = 0, den = 0;
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x) {
        const int ky = y - n / 2, kx = x - n / 2;
        if ((ky == 0 && kx == 0) || ky * ky + kx * kx > (n / 8) * (n / 8)) continue;
        num += std::pow(res.patterns[0][y * n + x] - data[y * n + x], 2);
        den += std::pow(data[y * n + x], 2);
      }
    const double rel = std::sqrt(num / den);
    const auto& tr = res.traces[0].chi2;
    MESSAGE("discs N=64, filled ", nf, ", moves ", o.moves, ": inner-q relative error ", rel, ", chi2 ", tr.front(),
            " -> ", tr.back(), " in ", res.seconds, " s");
    CHECK(rel < 0.1);
    CHECK(tr.back() < 0.2 * tr.front());
    CHECK(count(res.models[0]) == nf);
    // the same seed gives the same run, bit for bit
    auto again = rmc::run<ExecSpace, double>(g, o);
    CHECK(again.models[0] == res.models[0]);
    CHECK(again.traces[0].chi2 == tr);
    o.seed = 8;
    auto other = rmc::run<ExecSpace, double>(g, o);
    CHECK(other.models[0] != res.models[0]);
  }
}
