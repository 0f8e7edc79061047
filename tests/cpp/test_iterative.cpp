// SPDX-License-Identifier: BSD-3-Clause
// Iterative methods: monotone residuals (SIRT, CGLS), convergence to the exact image on a small
// consistent system, MLEM/OSEM positivity and count conservation; ART, BART, penalised ML and TV
// against literal dense-matrix implementations of their update formulas (TomoPy's definitions).
#include "test_helpers.hpp"
#include <beamkit/tomo/iterative.hpp>
#include <beamkit/tomo/phantom.hpp>
#include <tuple>

using namespace beamkit;
using bk_test::ExecSpace;
using Mem = ExecSpace::memory_space;

namespace {
tomo::ParallelGeometry geom(int n, int ndet, int nang) { return bk_test::parallel_geometry(n, ndet, nang, ndet / 2.0); }
using bk_test::project;
/// The system matrix A [P*n_det][N*N] of the projector, column by column (A e_j).
std::vector<std::vector<double>> dense_matrix(const tomo::ParallelGeometry& g) {
  const int N = g.n_grid, M = g.n_angles * g.n_det;
  std::vector<std::vector<double>> A(std::size_t(M), std::vector<double>(std::size_t(N * N)));
  View3<double, Mem> e("e", 1, N, N), col("col", 1, g.n_angles, g.n_det);
  auto he = Kokkos::create_mirror_view(e);
  auto ang = tomo::angle_table<double, Mem>(g.theta);
  auto ctr = tomo::center_table<double, Mem>(g, 1);
  for (int j = 0; j < N * N; ++j) {
    Kokkos::deep_copy(he, 0.0);
    he.data()[j] = 1;
    Kokkos::deep_copy(e, he);
    tomo::forward_project(ExecSpace(), e, ang, ctr, col);
    auto hc = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), col);
    for (int i = 0; i < M; ++i) A[std::size_t(i)][std::size_t(j)] = hc.data()[i];
  }
  return A;
}
std::vector<double> matvec(const std::vector<std::vector<double>>& A, const std::vector<double>& x) {
  std::vector<double> y(A.size(), 0.0);
  for (std::size_t i = 0; i < A.size(); ++i)
    for (std::size_t j = 0; j < x.size(); ++j) y[i] += A[i][j] * x[j];
  return y;
}
std::vector<double> rmatvec(const std::vector<std::vector<double>>& A, const std::vector<double>& y) {
  std::vector<double> x(A[0].size(), 0.0);
  for (std::size_t i = 0; i < A.size(); ++i)
    for (std::size_t j = 0; j < x.size(); ++j) x[j] += A[i][j] * y[i];
  return x;
}
template <class V> std::vector<double> to_vec(const V& v) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
  return std::vector<double>(h.data(), h.data() + h.span());
}
double max_rel_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0, s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    m = std::max(m, std::abs(a[i] - b[i]));
    s = std::max(s, std::abs(b[i]));
  }
  return m / s;
}
/// A smooth positive test image on N x N.
View3<double, Mem> smooth_image(int N) {
  View3<double, Mem> xt("xt", 1, N, N);
  auto h = Kokkos::create_mirror_view(xt);
  for (int r = 0; r < N; ++r)
    for (int c = 0; c < N; ++c) h(0, r, c) = std::sin(0.7 * r) * std::cos(0.4 * c) + 1.3;
  Kokkos::deep_copy(xt, h);
  return xt;
}
template <class Real> double rel_err(const View3<Real, Mem>& a, const View3<Real, Mem>& b) {
  auto ha = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), a);
  auto hb = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), b);
  double num = 0, den = 0;
  for (size_t i = 0; i < ha.span(); ++i) {
    num += std::pow(double(ha.data()[i]) - hb.data()[i], 2);
    den += std::pow(double(hb.data()[i]), 2);
  }
  return std::sqrt(num / den);
}
/// Literal Kaczmarz, 2 sweeps with relaxation 0.8 from x = 1e-6: angle by angle in `order`, each angle's
/// even detector bins then its odd ones (ART's documented row order), on the dense system matrix A.
std::vector<double> kaczmarz(const std::vector<std::vector<double>>& A, const std::vector<double>& bv, int nd,
                             const std::vector<int>& order) {
  std::vector<double> x(A.front().size(), 1e-6);
  for (int it = 0; it < 2; ++it)
    for (int a : order)
      for (int parity = 0; parity < 2; ++parity)
        for (int d = parity; d < nd; d += 2) {
          const auto& row = A[std::size_t(a * nd + d)];
          double dot = 0, nn = 0;
          for (std::size_t j = 0; j < x.size(); ++j) {
            dot += row[j] * x[j];
            nn += row[j] * row[j];
          }
          if (nn <= 0) continue;
          for (std::size_t j = 0; j < x.size(); ++j) x[j] += 0.8 * (bv[std::size_t(a * nd + d)] - dot) / nn * row[j];
        }
  return x;
}
}  // namespace

TEST_SUITE("unit") {
  TEST_CASE_TEMPLATE("SIRT and CGLS residuals decrease monotonically", Real, float, double) {
    auto g = geom(48, 48, 60);
    auto ph = tomo::shepp_logan<Real>(48);
    auto b = project(ph, g);
    for (std::string alg : {"sirt", "cgls"}) {
      tomo::IterativeOptions o;
      o.algorithm = alg;
      o.num_iter = 25;
      std::vector<double> res;
      o.callback = [&](int, double r) {
        res.push_back(r);
        return true;
      };
      View3<Real, Mem> x("x", 1, 48, 48);
      tomo::IterativePlan<ExecSpace, Real> plan(ExecSpace(), g, 1, o);
      CHECK(plan.run(b, x) == 25);
      REQUIRE(res.size() == 25);
      for (size_t i = 1; i < res.size(); ++i) CHECK(res[i] <= res[i - 1] * (1 + 1e-6));
      CHECK(res.back() < 0.2 * res.front());
    }
  }

  TEST_CASE("CGLS and SIRT converge to the exact image of a consistent system") {
    auto g = geom(12, 18, 40);  // 144 unknowns, 720 equations
    View3<double, Mem> xt("xt", 1, 12, 12);
    auto h = Kokkos::create_mirror_view(xt);
    for (int r = 0; r < 12; ++r)
      for (int c = 0; c < 12; ++c) h(0, r, c) = std::sin(0.7 * r) * std::cos(0.4 * c) + 0.3;
    Kokkos::deep_copy(xt, h);
    auto b = project(xt, g);
    tomo::IterativeOptions o;
    o.algorithm = "cgls";
    o.num_iter = 300;
    View3<double, Mem> x("x", 1, 12, 12);
    tomo::IterativePlan<ExecSpace, double>(ExecSpace(), g, 1, o).run(b, x);
    CHECK(rel_err(x, xt) < 1e-6);
    // SIRT converges (slowly in the weakest directions): the error keeps falling towards 0
    o.algorithm = "sirt";
    o.num_iter = 300;
    View3<double, Mem> y("y", 1, 12, 12);
    tomo::IterativePlan<ExecSpace, double> sirt(ExecSpace(), g, 1, o);
    sirt.run(b, y);
    const double e300 = rel_err(y, xt);
    for (int k = 0; k < 9; ++k) sirt.run(b, y);  // continue to 3000 iterations
    const double e3000 = rel_err(y, xt);
    INFO("SIRT error after 300: " << e300 << ", after 3000: " << e3000);
    CHECK(e3000 < 0.7 * e300);  // measured 0.0204 -> 0.0115
    CHECK(e3000 < 0.015);
  }

  TEST_CASE_TEMPLATE("MLEM and OSEM stay non-negative and conserve counts", Real, float, double) {
    auto g = geom(32, 40, 36);
    auto ph = tomo::shepp_logan<Real>(32);
    auto b = project(ph, g);
    auto hb = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), b);
    double total_b = 0;
    for (size_t i = 0; i < hb.span(); ++i) total_b += hb.data()[i];
    // column sums C = A^T 1 for the conservation identity sum_j C_j x_j = sum_i b_i
    View3<Real, Mem> ones("ones", 1, 36, 40), C("C", 1, 32, 32);
    Kokkos::deep_copy(ones, Real(1));
    tomo::back_project(ExecSpace(), ones, tomo::angle_table<Real, Mem>(g.theta), tomo::center_table<Real, Mem>(g, 1), C);
    auto hC = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), C);
    double mlem_res = 0, osem_res = 0;
    for (std::string alg : {"mlem", "osem"}) {
      tomo::IterativeOptions o;
      o.algorithm = alg;
      o.num_iter = 8;
      o.num_block = alg == "osem" ? 4 : 1;
      double last = 0;
      o.callback = [&](int, double r) {
        last = r;
        return true;
      };
      View3<Real, Mem> x("x", 1, 32, 32);
      Kokkos::deep_copy(x, Real(1e-6));
      tomo::IterativePlan<ExecSpace, Real> plan(ExecSpace(), g, 1, o);
      plan.run(b, x);
      auto hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x);
      double cx = 0, mn = 1e30;
      for (size_t i = 0; i < hx.span(); ++i) {
        cx += double(hC.data()[i]) * hx.data()[i];
        mn = std::min(mn, double(hx.data()[i]));
      }
      CHECK(mn >= 0);
      if (alg == "mlem") CHECK(std::abs(cx / total_b - 1) < (std::is_same<Real, float>::value ? 1e-4 : 1e-10));
      (alg == "mlem" ? mlem_res : osem_res) = last;
    }
    CHECK(osem_res < mlem_res);  // 4 subsets: ~4x the updates per pass
  }

  TEST_CASE("SART and OS-SART converge faster per pass than SIRT") {
    auto g = geom(32, 40, 48);
    auto ph = tomo::shepp_logan<double>(32);
    auto b = project(ph, g);
    auto err = [&](const std::string& alg, int blocks) {
      tomo::IterativeOptions o;
      o.algorithm = alg;
      o.num_iter = 5;
      o.num_block = blocks;
      View3<double, Mem> x("x", 1, 32, 32);
      tomo::IterativePlan<ExecSpace, double>(ExecSpace(), g, 1, o).run(b, x);
      return rel_err(x, ph);
    };
    const double e_sirt = err("sirt", 1), e_sart = err("sart", 1), e_os = err("os_sart", 8);
    INFO("image error after 5 passes: sirt " << e_sirt << ", sart " << e_sart << ", os_sart(8) " << e_os);
    CHECK(e_sart < 0.7 * e_sirt);
    CHECK(e_os < 0.9 * e_sirt);
    CHECK(e_sart < 0.35);
  }

  TEST_CASE("ART is sequential Kaczmarz in its documented row order; BART matches its block formula") {
    auto g = geom(10, 15, 7);
    auto A = dense_matrix(g);
    auto xt = smooth_image(10);
    auto b = project(xt, g);
    const auto bv = to_vec(b);
    const int P = g.n_angles, nd = g.n_det;
    auto run = [&](const std::string& alg, int iters, int blocks, std::vector<int> order) {
      tomo::IterativeOptions o;
      o.algorithm = alg;
      o.num_iter = iters;
      o.num_block = blocks;
      o.ind_block = order;
      o.relax = 0.8;
      View3<double, Mem> x("x", 1, 10, 10);
      Kokkos::deep_copy(x, 1e-6);
      tomo::IterativePlan<ExecSpace, double>(ExecSpace(), g, 1, o).run(b, x);
      return to_vec(x);
    };
    const std::vector<int> order{3, 0, 6, 1, 5, 2, 4};
    CHECK(max_rel_diff(run("art", 2, 1, order), kaczmarz(A, bv, nd, order)) < 1e-12);  // shuffled: steep rays walk columns
    CHECK(max_rel_diff(run("art", 2, 1, {}), kaczmarz(A, bv, nd, {0, 1, 2, 3, 4, 5, 6})) < 1e-12);  // in order: transposed copy
    // BART: x += lambda C_s^-1 A_s^T N_s^-1 (b_s - A_s x), subsets = consecutive groups of `order`
    std::vector<double> y(100, 1e-6);
    const int B = 3;
    for (int it = 0; it < 2; ++it)
      for (int bl = 0; bl < B; ++bl) {
        std::vector<double> upd(100, 0.0), C(100, 0.0);
        const auto ax = matvec(A, y);
        for (int q = P * bl / B; q < P * (bl + 1) / B; ++q)
          for (int d = 0; d < nd; ++d) {
            const std::size_t i = std::size_t(order[std::size_t(q)] * nd + d);
            double nn = 0;
            for (double v : A[i]) nn += v * v;
            for (int j = 0; j < 100; ++j) {
              C[std::size_t(j)] += A[i][std::size_t(j)];
              if (nn > 0) upd[std::size_t(j)] += (bv[i] - ax[i]) / nn * A[i][std::size_t(j)];
            }
          }
        for (int j = 0; j < 100; ++j)
          if (C[std::size_t(j)] > 0) y[std::size_t(j)] += 0.8 * upd[std::size_t(j)] / C[std::size_t(j)];
      }
    CHECK(max_rel_diff(run("bart", 2, B, order), y) < 1e-12);
  }

  TEST_CASE("float ART (host SIMD ray kernels) is the same Kaczmarz sweep") {
    // lines of 24 pixels: the smallest the gather-free ART kernels take (detail/forward_simd.hpp); chunks
    // of rays that meet both ends of the lines; a detector wider than the grid, an odd number of bins
    const int N = 24;
    auto g = geom(N, 29, 9);
    g.center = {14.1};
    auto A = dense_matrix(g);
    auto xt = smooth_image(N);
    auto b = project(xt, g);
    const auto bv = to_vec(b);
    View3<float, Mem> bf("bf", 1, std::size_t(g.n_angles), std::size_t(g.n_det));
    {
      auto h = Kokkos::create_mirror_view(bf);
      for (std::size_t i = 0; i < h.span(); ++i) h.data()[i] = float(bv[i]);
      Kokkos::deep_copy(bf, h);
    }
    const int nd = g.n_det;
    for (const std::vector<int>& order : {std::vector<int>{}, std::vector<int>{4, 0, 7, 2, 8, 1, 5, 3, 6}}) {
      tomo::IterativeOptions o;
      o.algorithm = "art";
      o.num_iter = 2;
      o.ind_block = order;
      o.relax = 0.8;
      View3<float, Mem> x("x", 1, N, N);
      Kokkos::deep_copy(x, 1e-6f);
      tomo::IterativePlan<ExecSpace, float>(ExecSpace(), g, 1, o).run(bf, x);
      std::vector<int> ord = order;
      if (ord.empty())
        for (int a = 0; a < g.n_angles; ++a) ord.push_back(a);
      const auto y = kaczmarz(A, bv, nd, ord);
      // float rounding over 2 sweeps: ~1e-6 of the image maximum; one wrong tap or weight: > 1e-2
      INFO("order " << (order.empty() ? "natural (transposed copy)" : "shuffled (steep rays walk columns)"));
      CHECK(max_rel_diff(to_vec(x), y) < 1e-4);
    }
  }

  TEST_CASE_TEMPLATE("ART and BART converge to the exact image of a consistent system", Real, float, double) {
    auto g = geom(12, 18, 40);  // 144 unknowns, 720 equations
    auto xt64 = smooth_image(12);
    View3<Real, Mem> xt("xt", 1, 12, 12);
    Kokkos::deep_copy(xt, Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), xt64));
    auto b = project(xt, g);
    for (auto [alg, iters, expect] : {std::tuple<const char*, int, double>{"art", 300, 6e-3}, {"bart", 300, 6e-3}}) {
      tomo::IterativeOptions o;
      o.algorithm = alg;
      o.num_iter = iters;
      o.num_block = std::string(alg) == "bart" ? 8 : 1;
      std::vector<double> res;
      o.callback = [&](int, double r) {
        res.push_back(r);
        return true;
      };
      View3<Real, Mem> x("x", 1, 12, 12);
      tomo::IterativePlan<ExecSpace, Real>(ExecSpace(), g, 1, o).run(b, x);
      const double e = rel_err(x, xt);
      // measured (300 sweeps): art 0.0045, bart(8) 0.0040 (SIRT: 0.020 after 300, 0.011 after 3000)
      INFO(std::string(alg) << ": image error " << e << ", residual " << res.front() << " -> " << res.back());
      CHECK(e < expect);
      CHECK(res.back() < 1e-2 * res.front());
    }
  }

  TEST_CASE("Penalised ML: one step equals TomoPy's surrogate formula; beta = 0 is MLEM/OSEM") {
    const int N = 9;
    auto g = geom(N, 13, 6);
    auto A = dense_matrix(g);
    auto xt = smooth_image(N);
    auto b = project(xt, g);
    const auto bv = to_vec(b);
    const std::vector<int> order{5, 2, 0, 3, 1, 4};
    auto run = [&](const std::string& alg, int blocks, std::vector<double> reg, View3<double, Mem> x0) {
      tomo::IterativeOptions o;
      o.algorithm = alg;
      o.num_iter = 1;
      o.num_block = blocks;
      o.ind_block = order;
      o.reg_par = reg;
      View3<double, Mem> x("x", 1, N, N);
      Kokkos::deep_copy(x, x0);
      tomo::IterativePlan<ExecSpace, double>(ExecSpace(), g, 1, o).run(b, x);
      return to_vec(x);
    };
    View3<double, Mem> x0("x0", 1, N, N);
    {
      auto h = Kokkos::create_mirror_view(x0);
      for (int i = 0; i < N * N; ++i) h.data()[i] = 0.5 + 0.3 * std::sin(1.7 * i);
      Kokkos::deep_copy(x0, h);
    }
    // TomoPy's pml (one subset) / ospml (subsets), written out with its explicit weights:
    // inner 4 + 4/sqrt2, edge 3 + 2/sqrt2, corner 2 + 1/sqrt2 (sides 1, diagonals 1/sqrt2)
    auto reference = [&](bool hybrid, int blocks, double beta, double delta) {
      auto x = to_vec(x0);
      const int P = g.n_angles, nd = g.n_det;
      for (int bl = 0; bl < blocks; ++bl) {
        const auto ax = matvec(A, x);
        std::vector<double> E(std::size_t(N * N), 0.0), F(E), G(E), C(E);
        for (int q = P * bl / blocks; q < P * (bl + 1) / blocks; ++q)
          for (int d = 0; d < nd; ++d) {
            const std::size_t i = std::size_t(order[std::size_t(q)] * nd + d);
            const double ratio = ax[i] > 1e-12 ? std::max(bv[i], 0.0) / ax[i] : 0.0;
            for (int j = 0; j < N * N; ++j) {
              C[std::size_t(j)] += A[i][std::size_t(j)];
              E[std::size_t(j)] -= x[std::size_t(j)] * ratio * A[i][std::size_t(j)];
            }
          }
        for (int r = 0; r < N; ++r)
          for (int c = 0; c < N; ++c) {
            const bool er = r == 0 || r == N - 1, ec = c == 0 || c == N - 1;
            const double tot = er && ec ? 2 + 1 / std::sqrt(2.0) : er || ec ? 3 + 2 / std::sqrt(2.0) : 4 + 4 / std::sqrt(2.0);
            const std::size_t j = std::size_t(r * N + c);
            for (int dr = -1; dr <= 1; ++dr)
              for (int dc = -1; dc <= 1; ++dc) {
                if ((dr == 0 && dc == 0) || r + dr < 0 || r + dr >= N || c + dc < 0 || c + dc >= N) continue;
                const double w = (dr == 0 || dc == 0 ? 1.0 : 1 / std::sqrt(2.0)) / tot;
                const double xq = x[std::size_t((r + dr) * N + c + dc)];
                const double gam = hybrid ? 1 / (1 + std::abs((x[j] - xq) / delta)) : 1.0;
                F[j] += 2 * beta * w * gam;
                G[j] -= 2 * beta * w * gam * (x[j] + xq);
              }
          }
        for (std::size_t j = 0; j < x.size(); ++j) {
          G[j] += C[j];
          x[j] = (-G[j] + std::sqrt(G[j] * G[j] - 8 * E[j] * F[j])) / (4 * F[j]);
        }
      }
      return x;
    };
    CHECK(max_rel_diff(run("pml_quad", 1, {0.7}, x0), reference(false, 1, 0.7, 1)) < 1e-10);
    CHECK(max_rel_diff(run("pml_hybrid", 1, {0.7, 0.2}, x0), reference(true, 1, 0.7, 0.2)) < 1e-10);
    CHECK(max_rel_diff(run("ospml_quad", 3, {2.0}, x0), reference(false, 3, 2.0, 1)) < 1e-10);
    CHECK(max_rel_diff(run("ospml_hybrid", 3, {2.0, 0.05}, x0), reference(true, 3, 2.0, 0.05)) < 1e-10);
    CHECK(max_rel_diff(run("pml_quad", 1, {0.0}, x0), run("mlem", 1, {}, x0)) < 1e-12);
    CHECK(max_rel_diff(run("ospml_hybrid", 3, {0.0, 1.0}, x0), run("osem", 3, {}, x0)) < 1e-12);
  }

  TEST_CASE("TV: Chambolle-Pock iterations equal a literal dense implementation") {
    const int N = 8;
    auto g = geom(N, 12, 5);
    auto A = dense_matrix(g);
    auto xt = smooth_image(N);
    auto b = project(xt, g);
    const auto bv = to_vec(b);
    const double lam = 0.3, c = 0.35, rs = 1 / std::sqrt(12 * 5 / 2.0);
    std::vector<double> u(std::size_t(N * N), 1e-6 / rs), xb(u), px(u.size(), 0.0), py(px), y(bv.size(), 0.0);
    for (int it = 0; it < 3; ++it) {
      for (int r = 0; r < N; ++r)
        for (int cc = 0; cc < N; ++cc) {
          const std::size_t j = std::size_t(r * N + cc);
          const double gx = cc + 1 < N ? xb[j + 1] - xb[j] : 0, gy = r + 1 < N ? xb[j + N] - xb[j] : 0;
          double ax = px[j] + c * gx, ay = py[j] + c * gy;
          const double nrm = std::max(1.0, std::hypot(ax, ay) / lam);
          px[j] = ax / nrm;
          py[j] = ay / nrm;
        }
      const auto q = matvec(A, xb);
      for (std::size_t i = 0; i < y.size(); ++i) y[i] = (y[i] + c * (rs * q[i] - bv[i])) / (1 + c);
      const auto aty = rmatvec(A, y);
      for (int r = 0; r < N; ++r)
        for (int cc = 0; cc < N; ++cc) {
          const std::size_t j = std::size_t(r * N + cc);
          const double div = px[j] - (cc > 0 ? px[j - 1] : 0) + py[j] - (r > 0 ? py[j - N] : 0);
          const double nu = u[j] - c * (rs * aty[j] - div);
          xb[j] = 2 * nu - u[j];
          u[j] = nu;
        }
    }
    for (auto& v : xb) v *= rs;  // the output is the extrapolated point, as TomoPy's
    tomo::IterativeOptions o;
    o.algorithm = "tv";
    o.num_iter = 3;
    o.reg_par = {lam};
    View3<double, Mem> x("x", 1, N, N);
    Kokkos::deep_copy(x, 1e-6);
    tomo::IterativePlan<ExecSpace, double>(ExecSpace(), g, 1, o).run(b, x);
    CHECK(max_rel_diff(to_vec(x), xb) < 1e-10);
  }

  TEST_CASE("iterative plans reject bad options") {
    auto g = geom(8, 8, 6);
    tomo::IterativeOptions o;
    o.algorithm = "art2";
    using IP = tomo::IterativePlan<ExecSpace, float>;
    CHECK_THROWS_WITH_AS(IP(ExecSpace(), g, 1, o), doctest::Contains("unknown algorithm 'art2'"), beamkit::error);
    o.algorithm = "osem";
    o.ind_block = {0, 1, 2, 3, 4, 4};
    CHECK_THROWS_WITH_AS(IP(ExecSpace(), g, 1, o), doctest::Contains("'ind_block' must be a permutation"), beamkit::error);
    o.ind_block = {};
    o.num_block = 9;
    CHECK_THROWS_WITH_AS(IP(ExecSpace(), g, 1, o), doctest::Contains("'num_block' must be in [1, 6]"), beamkit::error);
    o.num_block = 1;
    o.algorithm = "pml_hybrid";
    o.reg_par = {1.0, 0.0};
    CHECK_THROWS_WITH_AS(IP(ExecSpace(), g, 1, o), doctest::Contains("'reg_par[1]' (delta) must be > 0"), beamkit::error);
    o.algorithm = "tv";
    o.reg_par = {-1.0};
    CHECK_THROWS_WITH_AS(IP(ExecSpace(), g, 1, o), doctest::Contains("'reg_par[0]' (TV weight) must be > 0"), beamkit::error);
    o.algorithm = "art";
    o.reg_par = {};
    o.relax = 2.5;
    CHECK_THROWS_WITH_AS(IP(ExecSpace(), g, 1, o), doctest::Contains("relax"), beamkit::error);
  }
}
