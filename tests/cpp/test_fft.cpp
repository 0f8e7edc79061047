// SPDX-License-Identifier: BSD-3-Clause
// FFT facade against a direct O(n^2) DFT, for c2c / r2c / c2r, 1-D and 2-D, batched, both precisions.
#include "test_helpers.hpp"
#include <complex>
#include <random>
#include <vector>

using namespace beamkit;
using bk_test::ExecSpace;
using Host = Kokkos::DefaultHostExecutionSpace;

namespace {
using cd = std::complex<double>;
// Direct DFT of a 2-D array [n0][n1] (n0 = 1 for 1-D), sign -1 forward.
std::vector<cd> dft2(const std::vector<cd>& x, int n0, int n1, int sign) {
  std::vector<cd> y(x.size());
  const double tp = 2 * M_PI;
  for (int k0 = 0; k0 < n0; ++k0)
    for (int k1 = 0; k1 < n1; ++k1) {
      cd acc = 0;
      for (int j0 = 0; j0 < n0; ++j0)
        for (int j1 = 0; j1 < n1; ++j1)
          acc += x[j0 * n1 + j1] * std::polar(1.0, sign * tp * (double(k0) * j0 / n0 + double(k1) * j1 / n1));
      y[k0 * n1 + k1] = acc;
    }
  return y;
}
double rel_err(const std::vector<cd>& a, const std::vector<cd>& b) {
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    num += std::norm(a[i] - b[i]);
    den += std::norm(b[i]);
  }
  return std::sqrt(num / den);
}

template <class Real> void check_c2c(std::vector<int> dims, int howmany) {
  const int n0 = dims.size() == 2 ? dims[0] : 1, n1 = dims.back(), n = n0 * n1;
  std::mt19937 rng(7);
  std::normal_distribution<double> g;
  std::vector<cd> x(size_t(n) * howmany);
  for (auto& v : x) v = cd(g(rng), g(rng));
  using C = Kokkos::complex<Real>;
  View1<C, Host::memory_space> in("in", x.size()), out("out", x.size());
  for (size_t i = 0; i < x.size(); ++i) in(i) = C(Real(x[i].real()), Real(x[i].imag()));
  fft::Plan<Host, Real> plan(fft::Kind::c2c, dims, howmany);
  plan.forward(in, out);
  for (int b = 0; b < howmany; ++b) {
    std::vector<cd> xb(x.begin() + b * n, x.begin() + (b + 1) * n), got(n);
    auto ref = dft2(xb, n0, n1, -1);
    for (int i = 0; i < n; ++i) got[i] = cd(out(b * n + i).real(), out(b * n + i).imag());
    CHECK(rel_err(got, ref) < 20 * bk_test::tol<Real>());
  }
  // backward with 1/N restores the input (in place)
  plan.backward(out, out, fft::Scale::by_n);
  double err = 0;
  for (size_t i = 0; i < x.size(); ++i) err = std::max(err, std::abs(cd(out(i).real(), out(i).imag()) - x[i]));
  CHECK(err < 50 * bk_test::tol<Real>());
}

template <class Real> void check_r2c(std::vector<int> dims, int howmany) {
  const int n0 = dims.size() == 2 ? dims[0] : 1, n1 = dims.back(), n = n0 * n1, nh = n1 / 2 + 1;
  std::mt19937 rng(11);
  std::normal_distribution<double> g;
  using C = Kokkos::complex<Real>;
  View1<Real, Host::memory_space> in("in", size_t(n) * howmany), back("back", size_t(n) * howmany);
  View1<C, Host::memory_space> out("out", size_t(n0) * nh * howmany);
  for (size_t i = 0; i < in.extent(0); ++i) in(i) = Real(g(rng));
  fft::Plan<Host, Real> fwd(fft::Kind::r2c, dims, howmany), bwd(fft::Kind::c2r, dims, howmany);
  fwd.forward(in, out);
  for (int b = 0; b < howmany; ++b) {
    std::vector<cd> xb(n);
    for (int i = 0; i < n; ++i) xb[i] = in(b * n + i);
    auto ref = dft2(xb, n0, n1, -1);
    std::vector<cd> got, want;
    for (int k0 = 0; k0 < n0; ++k0)
      for (int k1 = 0; k1 < nh; ++k1) {
        const C v = out(size_t(b) * n0 * nh + k0 * nh + k1);
        got.emplace_back(v.real(), v.imag());
        want.push_back(ref[k0 * n1 + k1]);
      }
    CHECK(rel_err(got, want) < 20 * bk_test::tol<Real>());
  }
  bwd.backward(out, back, fft::Scale::by_n);
  double err = 0;
  for (size_t i = 0; i < in.extent(0); ++i) err = std::max(err, double(std::abs(back(i) - in(i))));
  CHECK(err < 50 * bk_test::tol<Real>());
}
}  // namespace

TEST_SUITE("unit") {
  TEST_CASE_TEMPLATE("fft c2c matches a direct DFT (1-D, 2-D, batched, odd and even)", Real, float, double) {
    check_c2c<Real>({16}, 3);
    check_c2c<Real>({15}, 2);
    check_c2c<Real>({6, 10}, 2);
    check_c2c<Real>({7, 5}, 1);
  }
  TEST_CASE_TEMPLATE("fft r2c/c2r match a direct DFT and invert", Real, float, double) {
    check_r2c<Real>({32}, 4);
    check_r2c<Real>({21}, 3);
    check_r2c<Real>({8, 12}, 2);
    check_r2c<Real>({9, 7}, 1);
  }
  TEST_CASE("fft rejects wrong sizes and kinds with a named error") {
    using C = Kokkos::complex<double>;
    View1<C, Host::memory_space> a("a", 10), b("b", 12);
    View1<double, Host::memory_space> r("r", 10);
    fft::Plan<Host, double> p(fft::Kind::c2c, {10}, 1);
    CHECK_THROWS_WITH_AS(p.forward(a, b), doctest::Contains("output has 12 elements, expected 10"), beamkit::error);
    fft::Plan<Host, double> q(fft::Kind::r2c, {10}, 1);
    CHECK_THROWS_AS(q.backward(a, r), beamkit::error);
    using P = fft::Plan<Host, double>;
    CHECK_THROWS_WITH_AS(P(fft::Kind::c2c, {0}, 1), doctest::Contains("'dims' must be > 0"), beamkit::error);
  }
  TEST_CASE("fft unaligned (offset) arrays give the same result as aligned ones") {
    using C = Kokkos::complex<float>;
    const int n = 64;
    std::vector<C> storage(n + 1);
    View1<C, Host::memory_space> al("al", n), out1("o1", n), out2("o2", n);
    for (int i = 0; i < n; ++i) al(i) = storage[i + 1] = C(float(std::sin(i * 0.3)), float(i % 5));
    // float complex is 8 bytes: offsetting by one element breaks 16-byte SIMD alignment
    Unmanaged1<C> un(storage.data() + 1, n);
    fft::Plan<Host, float> p(fft::Kind::c2c, {n}, 1);
    p.forward(al, out1);
    p.forward(un, out2);
    for (int i = 0; i < n; ++i) CHECK(std::abs(out1(i).real() - out2(i).real()) < 1e-5f);
  }
  TEST_CASE_TEMPLATE("fft strided c2c transforms the chosen columns of a matrix and nothing else", Real, float, double) {
    // A 9 x 7 row-major matrix; a strided plan (stride 7, dist 1) transforms 3 of its columns starting
    // at column 2 (the way gridrec transforms only the columns its image keeps).
    const int rows = 9, cols = 7, first = 2, count = 3;
    using C = Kokkos::complex<Real>;
    std::mt19937 rng(5);
    std::normal_distribution<double> g;
    View1<C, Host::memory_space> m("m", size_t(rows) * cols), orig("orig", size_t(rows) * cols);
    for (size_t i = 0; i < m.extent(0); ++i) orig(i) = m(i) = C(Real(g(rng)), Real(g(rng)));
    fft::Plan<Host, Real> plan(Host(), fft::Layout::strided_c2c(rows, count, cols, 1));
    const size_t span = plan.layout().span();
    CHECK(span == size_t(count - 1) + size_t(rows - 1) * cols + 1);
    auto part = Kokkos::subview(m, std::make_pair(size_t(first), size_t(first) + span));
    plan.backward(part, part);
    for (int c = 0; c < cols; ++c) {
      std::vector<cd> x(rows), got(rows);
      for (int r = 0; r < rows; ++r) {
        x[r] = cd(orig(r * cols + c).real(), orig(r * cols + c).imag());
        got[r] = cd(m(r * cols + c).real(), m(r * cols + c).imag());
      }
      if (c >= first && c < first + count) CHECK(rel_err(got, dft2(x, 1, rows, +1)) < 20 * bk_test::tol<Real>());
      else CHECK(rel_err(got, x) == 0.0);  // columns outside the batch are untouched
    }
    CHECK_THROWS_WITH_AS(plan.backward(part, part, fft::Scale::by_n), doctest::Contains("contiguous layout"), beamkit::error);
    using P = fft::Plan<Host, Real>;
    CHECK_THROWS_WITH_AS(P(Host(), fft::Layout::strided_c2c(rows, count, 0, 1)), doctest::Contains("'stride' must be > 0"),
                         beamkit::error);
    CHECK_THROWS_AS(plan.forward(m, m), beamkit::error);  // wrong span
  }
}
