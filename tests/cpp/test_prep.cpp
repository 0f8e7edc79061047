// SPDX-License-Identifier: BSD-3-Clause
// Pre-processing kernels against closed forms and brute force: wavelet filters (orthonormality,
// vanishing moments, perfect reconstruction), normalize / normalize_bg / minus_log, the median filter
// vs a sort of every window, downsample, a synthetic stripe removed by both stripe methods with the
// rest of the sinogram kept, Paganin on a flat field, and the --prep chain parser and apply().
// TomoPy's expected arrays are compared in tests/python/test_prep.py (numpy reads the .npy files).
#include "test_helpers.hpp"
#include <algorithm>
#include <beamkit/tomo/prep/chain.hpp>
#include <cmath>
#include <random>
#include <vector>

using namespace beamkit;
using Host = Kokkos::DefaultHostExecutionSpace;

namespace {
template <class Real> HostView3<Real> random_block(int a, int b, int c, unsigned seed, double lo = 0, double hi = 1) {
  HostView3<Real> v("v", a, b, c);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  for (std::size_t i = 0; i < v.span(); ++i) v.data()[i] = Real(u(rng));
  return v;
}
}  // namespace

TEST_SUITE("unit") {
  TEST_CASE("prep: wavelet filters are orthonormal with N vanishing moments") {
    for (const auto& name : tomo::wavelet_names()) {
      const auto w = tomo::wavelet(name);
      const int L = w.length();
      double s = 0, s2 = 0;
      for (double h : w.rec_lo) {
        s += h;
        s2 += h * h;
      }
      CHECK(s == doctest::Approx(std::sqrt(2.0)).epsilon(1e-10));
      CHECK(s2 == doctest::Approx(1.0).epsilon(1e-10));  // published tables: ~12 digits
      for (int m = 1; 2 * m < L; ++m) {  // double-shift orthogonality
        double c = 0;
        for (int k = 0; k + 2 * m < L; ++k) c += w.rec_lo[k] * w.rec_lo[k + 2 * m];
        CHECK(std::fabs(c) < 1e-10);
      }
      const int N = L / 2;  // db_N and sym_N: the high-pass filter kills polynomials of degree < N
      for (int p = 0; p < N; ++p) {
        double mom = 0, scale = 0;
        for (int k = 0; k < L; ++k) {
          mom += w.rec_hi[k] * std::pow(double(k), p);
          scale += std::fabs(w.rec_hi[k]) * std::pow(double(k), p);
        }
        CHECK(std::fabs(mom) < 1e-9 * scale);
      }
    }
    CHECK_THROWS_WITH_AS(tomo::wavelet("db42"), doctest::Contains("'wname'"), beamkit::error);
  }

  TEST_CASE_TEMPLATE("prep: dwt2 then idwt2 reconstructs the image", Real, float, double) {
    const double tol = std::is_same<Real, float>::value ? 1e-5 : 1e-12;
    for (const char* name : {"haar", "db5", "sym8"}) {
      const auto w = tomo::wavelet(name);
      auto filt = tomo::wavelet_filters<Real, Kokkos::HostSpace>(w);
      auto x = random_block<Real>(2, 13, 22, 3);
      auto b = tomo::dwt2(Host(), x, filt);
      auto y = tomo::idwt2(Host(), b, filt);
      REQUIRE(y.extent(1) >= 13);
      REQUIRE(y.extent(2) >= 22);
      double err = 0;
      for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 13; ++j)
          for (int k = 0; k < 22; ++k) err = std::max(err, std::fabs(double(y(i, j, k)) - double(x(i, j, k))));
      CHECK(err < tol);
      // energy is conserved up to the boundary extension: the bands hold at least the image's energy
    }
  }

  TEST_CASE("prep: normalize with mean and median frames, cutoff, normalize_bg, minus_log") {
    HostView3<double> proj("p", 2, 1, 3), flat("f", 3, 1, 3), dark("d", 2, 1, 3);
    const double fv[3] = {100, 110, 1000};  // the 1000 is a zinger the median ignores
    for (int f = 0; f < 3; ++f)
      for (int d = 0; d < 3; ++d) flat(f, 0, d) = fv[f] + d;
    for (int f = 0; f < 2; ++f)
      for (int d = 0; d < 3; ++d) dark(f, 0, d) = 10 + 2 * f;  // median of 2 = mean = 11
    for (int a = 0; a < 2; ++a)
      for (int d = 0; d < 3; ++d) proj(a, 0, d) = 50 + 10 * a + d;
    HostView2<double> fm("fm", 1, 3), dm("dm", 1, 3);
    tomo::frame_median(Host(), flat, fm);
    tomo::frame_median(Host(), dark, dm);
    CHECK(fm(0, 1) == 111.0);
    CHECK(dm(0, 0) == 11.0);
    auto p2 = HostView3<double>("p2", 2, 1, 3);
    Kokkos::deep_copy(p2, proj);
    tomo::normalize(Host(), p2, fm, dm, 0.5);
    CHECK(p2(0, 0, 0) == doctest::Approx((50.0 - 11) / (110 - 11)));
    CHECK(p2(1, 0, 2) == doctest::Approx(0.5));  // (62-11)/(112-11) = 0.505 -> cut at 0.5
    // normalize_bg: a row that is exactly a line a + b j comes out as ones
    HostView3<float> bg("bg", 1, 2, 5);
    for (int s = 0; s < 2; ++s)
      for (int j = 0; j < 5; ++j) bg(0, s, j) = float(2 + s + 0.5 * j);
    tomo::normalize_bg(Host(), bg, 1);
    for (int s = 0; s < 2; ++s)
      for (int j = 0; j < 5; ++j) CHECK(bg(0, s, j) == doctest::Approx(1.0f).epsilon(1e-6));
    CHECK_THROWS_WITH_AS(tomo::normalize_bg(Host(), bg, 0), doctest::Contains("'air'"), beamkit::error);
    HostView3<float> x("x", 1, 1, 3);
    x(0, 0, 0) = std::exp(-2.0f);
    x(0, 0, 1) = 0;
    x(0, 0, 2) = -1;
    CHECK(tomo::minus_log(Host(), x) == 2);
    CHECK(x(0, 0, 0) == doctest::Approx(2.0f));
    CHECK(x(0, 0, 1) == doctest::Approx(-std::log(1e-6f)));
  }

  TEST_CASE("prep: median filter equals a sort of every reflected window") {
    auto x = random_block<float>(2, 7, 9, 11);
    for (auto win : {std::make_pair(3, 3), std::make_pair(5, 1), std::make_pair(4, 2)}) {
      HostView3<float> y("y", 2, 7, 9);
      tomo::median_filter(Host(), x, y, win.first, win.second);
      int bad = 0;
      for (int b = 0; b < 2; ++b)
        for (int i = 0; i < 7; ++i)
          for (int j = 0; j < 9; ++j) {
            std::vector<float> v;
            for (int p = 0; p < win.first; ++p)
              for (int q = 0; q < win.second; ++q) {
                auto refl = [](int k, int n) {  // d c b a | a b c d
                  while (k < 0 || k >= n) k = k < 0 ? -k - 1 : 2 * n - 1 - k;
                  return k;
                };
                v.push_back(x(b, refl(i - win.first / 2 + p, 7), refl(j - win.second / 2 + q, 9)));
              }
            std::sort(v.begin(), v.end());
            bad += v[v.size() / 2] != y(b, i, j);
          }
      CHECK(bad == 0);
    }
    // zinger removal: one hot pixel replaced, nothing else touched
    HostView3<float> z("z", 1, 5, 5);
    Kokkos::deep_copy(z, 1.0f);
    z(0, 2, 3) = 9;
    CHECK(tomo::remove_outlier(Host(), z, 0.5, 3) == 1);
    CHECK(z(0, 2, 3) == 1.0f);
  }

  TEST_CASE("prep: downsample averages 2^level samples") {
    HostView3<double> x("x", 2, 3, 8);
    for (int k = 0; k < 8; ++k) x(1, 2, k) = k;
    HostView3<double> y("y", 2, 3, 2);
    tomo::downsample(Host(), x, y, 2, 2);
    CHECK(y(1, 2, 0) == doctest::Approx(1.5));
    CHECK(y(1, 2, 1) == doctest::Approx(5.5));
    CHECK_THROWS_WITH_AS(tomo::downsample_shape({2, 3, 8}, 4, 2), doctest::Contains("'level'"), beamkit::error);
  }

  TEST_CASE("prep: a synthetic stripe is removed and the sinogram otherwise kept") {
    // sinogram of a small off-centre disc (a sinusoidal trace) and a constant 0.4 offset on column 62
    const int P = 360, n = 128, col = 62;
    HostView3<float> clean("clean", P, 1, n), stripe("stripe", P, 1, n);
    double mean = 0;
    for (int a = 0; a < P; ++a)
      for (int d = 0; d < n; ++d) {
        const double th = M_PI * a / P, c = n / 2.0 + n / 4.0 * std::cos(th) + 3 * std::sin(th);
        const double t = (d + 0.5 - c) / (n / 10.0);
        clean(a, 0, d) = float(t * t < 1 ? 2 * std::sqrt(1 - t * t) : 0.0);
        stripe(a, 0, d) = d == col ? 0.4f : 0.0f;
        mean += clean(a, 0, d) / (double(P) * n);
      }
    SUBCASE("Fourier-wavelet (linear: the stripe and the object are filtered separately)") {
      tomo::StripeFwOptions o;
      o.level = 3;
      o.sigma = 2;
      o.pad = false;
      HostView3<float> obj("obj", P, 1, n);
      Kokkos::deep_copy(obj, clean);
      tomo::remove_stripe_fw(Host(), stripe, o);
      tomo::remove_stripe_fw(Host(), obj, o);
      double left = 0, change = 0;
      for (int a = 0; a < P; ++a) {
        left += stripe(a, 0, col) / P;
        for (int d = 0; d < n; ++d) change += std::fabs(obj(a, 0, d) - clean(a, 0, d)) / (double(P) * n);
      }
      INFO("stripe left ", left, " of 0.4; object changed by ", change, " (mean ", mean, ")");
      CHECK(std::fabs(left) < 0.07);  // PyWavelets-based reference of TomoPy's algorithm: 0.053
      CHECK(change < 0.025);          // reference: 0.0145 (the object mean is 0.31)
    }
    SUBCASE("sorting") {
      HostView3<float> x("x", P, 1, n);
      for (std::size_t i = 0; i < x.span(); ++i) x.data()[i] = clean.data()[i] + stripe.data()[i];
      tomo::remove_stripe_based_sorting(Host(), x, 5, 1);
      double off = 0, change = 0;
      int m = 0;
      for (int a = 0; a < P; ++a) {
        off += (x(a, 0, col) - clean(a, 0, col)) / P;
        for (int d = 0; d < n; ++d)
          if (std::abs(d - col) > 3) {
            change += std::fabs(x(a, 0, d) - clean(a, 0, d));
            ++m;
          }
      }
      change /= m;
      INFO("stripe offset left ", off, "; mean change elsewhere ", change);
      CHECK(std::fabs(off) < 0.03);
      CHECK(change < 0.01);
    }
  }

  TEST_CASE("prep: Paganin leaves a constant projection unchanged and conserves the mean") {
    HostView3<double> x("x", 2, 16, 24);
    Kokkos::deep_copy(x, 0.7);
    tomo::retrieve_phase(Host(), x, {});
    for (std::size_t i = 0; i < x.span(); ++i) CHECK(x.data()[i] == doctest::Approx(0.7).epsilon(1e-9));
    tomo::PhaseOptions bad;
    bad.energy = -1;
    CHECK_THROWS_WITH_AS(tomo::retrieve_phase(Host(), x, bad), doctest::Contains("'energy'"), beamkit::error);
  }

  TEST_CASE("prep: chain parsing, halo and errors naming the item") {
    auto c = tomo::parse_prep_chain("normalize=median:cutoff=2,zinger=0.1:size=5,minus_log,stripe=fw:level=4:wname=sym8,phase:energy=30");
    REQUIRE(c.steps.size() == 5);
    CHECK(c.steps[0].median_average);
    CHECK(c.steps[0].cutoff == 2);
    CHECK(c.steps[1].size == 5);
    CHECK(c.steps[3].fw.level == 4);
    CHECK(c.steps[3].fw.wname == "sym8");
    CHECK(c.steps[4].phase.energy == 30);
    CHECK(c.halo() == 2 + tomo::phase_halo(c.steps[4].phase));
    CHECK(tomo::parse_prep_chain("normalize,minus_log,stripe=fw").halo() == 0);
    CHECK(tomo::parse_prep_chain("").empty());
    CHECK_THROWS_WITH_AS(tomo::parse_prep_chain("normalize,blur=3"), doctest::Contains("unknown step 'blur'"), beamkit::error);
    CHECK_THROWS_WITH_AS(tomo::parse_prep_chain("zinger=abc"), doctest::Contains("'dif'"), beamkit::error);
    CHECK_THROWS_WITH_AS(tomo::parse_prep_chain("stripe=fw:wname=db99"), doctest::Contains("db99"), beamkit::error);
    CHECK_THROWS_WITH_AS(tomo::parse_prep_chain("stripe=ti"), doctest::Contains("'ti'"), beamkit::error);
    CHECK_THROWS_WITH_AS(tomo::parse_prep_chain("minus_log=2"), doctest::Contains("takes no value"), beamkit::error);
    CHECK_THROWS_WITH_AS(tomo::parse_prep_chain("phase:dist=-1"), doctest::Contains("'dist'"), beamkit::error);
  }

  TEST_CASE("prep: chain apply equals the kernels called one by one") {
    auto raw = random_block<float>(12, 4, 16, 5, 200, 900);
    auto flat = random_block<float>(3, 4, 16, 6, 950, 1050);
    auto dark = random_block<float>(2, 4, 16, 7, 5, 15);
    HostView3<float> a("a", 12, 4, 16), b("b", 12, 4, 16);
    Kokkos::deep_copy(a, raw);
    Kokkos::deep_copy(b, raw);
    auto rep = tomo::apply(Host(), tomo::parse_prep_chain("normalize,minus_log,stripe=sort:size=3"), a, flat, dark);
    CHECK(rep.clipped == 0);
    HostView2<float> fm("fm", 4, 16), dm("dm", 4, 16);
    tomo::frame_mean(Host(), flat, fm);
    tomo::frame_mean(Host(), dark, dm);
    tomo::normalize(Host(), b, fm, dm);
    tomo::minus_log(Host(), b);
    tomo::remove_stripe_based_sorting(Host(), b, 3, 1);
    double err = 0;
    for (std::size_t i = 0; i < a.span(); ++i) err = std::max(err, double(std::fabs(a.data()[i] - b.data()[i])));
    CHECK(err == 0.0);
    HostView3<float> none("none", 0, 4, 16);
    CHECK_THROWS_WITH_AS(tomo::apply(Host(), tomo::parse_prep_chain("normalize"), a, none, none),
                         doctest::Contains("needs flat and dark"), beamkit::error);
  }
}
