// SPDX-License-Identifier: BSD-3-Clause
// The projector pair: adjoint identity <A x, y> = <x, A^T y>, and line integrals of a disc against
// the closed form 2 sqrt(R^2 - s^2).
#include "test_helpers.hpp"
#include <beamkit/tomo/projector.hpp>
#include <random>

using namespace beamkit;
using bk_test::ExecSpace;
using Mem = ExecSpace::memory_space;

namespace {
template <class Real> void check_adjoint(int n, int ndet, int nang, double center, bool full_circle) {
  const int S = 2;
  tomo::ParallelGeometry g;
  g.n_angles = nang;
  g.n_det = ndet;
  g.n_grid = n;
  for (int i = 0; i < nang; ++i) g.theta.push_back((full_circle ? 2.0 : 1.0) * M_PI * i / nang + 0.013);
  g.center = {center, center + 0.7};
  auto ang = tomo::angle_table<Real, Mem>(g.theta);
  auto ctr = tomo::center_table<Real, Mem>(g, S);
  View3<Real, Mem> x("x", S, n, n), atx("atx", S, n, n);
  View3<Real, Mem> y("y", S, nang, ndet), ax("ax", S, nang, ndet);
  auto hx = Kokkos::create_mirror_view(x);
  auto hy = Kokkos::create_mirror_view(y);
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> u(-1, 1);
  for (size_t i = 0; i < hx.span(); ++i) hx.data()[i] = Real(u(rng));
  for (size_t i = 0; i < hy.span(); ++i) hy.data()[i] = Real(u(rng));
  Kokkos::deep_copy(x, hx);
  Kokkos::deep_copy(y, hy);
  tomo::forward_project(ExecSpace(), x, ang, ctr, ax);
  tomo::back_project(ExecSpace(), y, ang, ctr, atx, tomo::BackProjector::matched);
  auto hax = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ax);
  auto hatx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), atx);
  double lhs = 0, rhs = 0, scale = 0;
  for (size_t i = 0; i < hy.span(); ++i) {
    lhs += double(hax.data()[i]) * hy.data()[i];
    scale += std::abs(double(hax.data()[i]) * hy.data()[i]);
  }
  for (size_t i = 0; i < hx.span(); ++i) rhs += double(hx.data()[i]) * hatx.data()[i];
  INFO("n=" << n << " ndet=" << ndet << " nang=" << nang << " lhs=" << lhs << " rhs=" << rhs);
  CHECK(std::abs(lhs - rhs) <= bk_test::tol<Real>() * scale);
}

// Float back-projection (on AVX2 hosts the gather-free SIMD path, with its fallbacks) against double
// (the portable formula), element by element, for angles that hit the path's edge cases: |cos| = 1,
// 0 and 1/sqrt(2), sweeps whose window meets the end of the row, a short final angle group.
template <tomo::BackProjector Kind> double float_vs_double_backprojection(int n, int ndet, double center) {
  std::vector<double> theta = {0.0, M_PI / 4, M_PI / 2, 3 * M_PI / 4, M_PI, 0.3, 1.1, 2.0, 2.9, -0.4, 0.05};
  tomo::ParallelGeometry g;
  g.n_angles = int(theta.size());
  g.n_det = ndet;
  g.n_grid = n;
  g.theta = theta;
  g.center = {center};
  View3<float, Mem> yf("yf", 1, g.n_angles, ndet), xf("xf", 1, n, n);
  View3<double, Mem> yd("yd", 1, g.n_angles, ndet), xd("xd", 1, n, n);
  auto hf = Kokkos::create_mirror_view(yf);
  auto hd = Kokkos::create_mirror_view(yd);
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(-1, 1);
  for (size_t i = 0; i < hf.span(); ++i) hd.data()[i] = hf.data()[i] = float(u(rng));
  Kokkos::deep_copy(yf, hf);
  Kokkos::deep_copy(yd, hd);
  tomo::back_project(ExecSpace(), yf, tomo::angle_table<float, Mem>(g.theta), tomo::center_table<float, Mem>(g, 1), xf, Kind);
  tomo::back_project(ExecSpace(), yd, tomo::angle_table<double, Mem>(g.theta), tomo::center_table<double, Mem>(g, 1), xd, Kind);
  auto rf = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), xf);
  auto rd = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), xd);
  double err = 0;
  for (size_t i = 0; i < rf.span(); ++i) err = std::max(err, std::abs(double(rf.data()[i]) - rd.data()[i]));
  return err;
}

// Float forward projection (on AVX2 hosts the gather-free SIMD path, detail/forward_simd.hpp) against
// double (the portable loop), ray by ray, relative to the largest ray sum: angles at 0, 45 and 90 degrees
// and just either side of 45 (the x/y-dominance switch, |dd| = sqrt 2), negative and > pi angles, axes
// off the middle so rays leave the image on either side, detectors narrower and wider than the grid and
// not a multiple of 8 rays, and the smallest line the SIMD path takes (16) and one below it.
double float_vs_double_forward(int n, int ndet, double center) {
  const std::vector<double> theta = {0.0,        M_PI / 4,   M_PI / 2, 3 * M_PI / 4, M_PI, 0.3,  1.1,  2.0,
                                     2.9,        -0.4,       0.05,     0.785398,     0.785399, 2.356194, 5.0};
  const int S = 2;
  tomo::ParallelGeometry g;
  g.n_angles = int(theta.size());
  g.n_det = ndet;
  g.n_grid = n;
  g.theta = theta;
  g.center = {center, center + 1.7};
  View3<float, Mem> xf("xf", S, n, n), yf("yf", S, g.n_angles, ndet), yw("yw", S, g.n_angles, ndet), work("work", S, n, n);
  View3<double, Mem> xd("xd", S, n, n), yd("yd", S, g.n_angles, ndet);
  auto hf = Kokkos::create_mirror_view(xf);
  auto hd = Kokkos::create_mirror_view(xd);
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(-1, 1);
  for (size_t i = 0; i < hf.span(); ++i) hd.data()[i] = hf.data()[i] = float(u(rng));
  Kokkos::deep_copy(xf, hf);
  Kokkos::deep_copy(xd, hd);
  auto angf = tomo::angle_table<float, Mem>(g.theta);
  auto ctrf = tomo::center_table<float, Mem>(g, S);
  tomo::forward_project(ExecSpace(), xf, angf, ctrf, yf);
  tomo::forward_project(ExecSpace(), xf, angf, ctrf, yw, work);  // with a caller's transposition workspace
  tomo::forward_project(ExecSpace(), xd, tomo::angle_table<double, Mem>(g.theta), tomo::center_table<double, Mem>(g, S), yd);
  auto rf = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), yf);
  auto rw = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), yw);
  auto rd = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), yd);
  double err = 0, top = 0;
  for (size_t i = 0; i < rf.span(); ++i) {
    err = std::max(err, std::abs(double(rf.data()[i]) - rd.data()[i]));
    top = std::max(top, std::abs(rd.data()[i]));
    if (rw.data()[i] != rf.data()[i]) return 1.0;  // the workspace must not change a bit
  }
  return err / top;
}
}  // namespace

TEST_SUITE("unit") {
  TEST_CASE_TEMPLATE("projector pair is matched: <Ax,y> = <x,A^T y>", Real, float, double) {
    check_adjoint<Real>(32, 32, 24, 16.0, false);        // even, centred
    check_adjoint<Real>(33, 35, 17, 18.3, false);        // odd sizes, off-centre axis
    check_adjoint<Real>(40, 48, 30, 21.75, true);        // wider detector, 360 degrees
    check_adjoint<Real>(25, 20, 45, 9.1, false);         // narrower detector than the grid
    check_adjoint<Real>(128, 131, 64, 66.4, false);      // long lines: the SIMD paths of both directions
  }

  TEST_CASE("float back-projection (host SIMD path) agrees with the double formula") {
    // values of order 1 summed over 11 angles: float rounding of the positions gives ~2e-5; a wrong tap ~1
    for (int n : {37, 64, 101})
      for (double c : {0.5 * n, 0.5 * n + 3.3, 0.5 * n - 7.9}) {
        INFO("n=" << n << " center=" << c);
        CHECK(float_vs_double_backprojection<tomo::BackProjector::interpolate>(n, n, c) < 2e-4);
        CHECK(float_vs_double_backprojection<tomo::BackProjector::matched>(n, n, c) < 2e-4);
        CHECK(float_vs_double_backprojection<tomo::BackProjector::interpolate>(n, n + 9, c) < 2e-4);
      }
  }

  TEST_CASE("float forward projection (host SIMD path) agrees with the double formula") {
    // ray sums of ~n values in [-1, 1]: float rounding gives ~1.5e-5 of the largest sum (the portable float
    // loop the same); one wrong tap in a ray costs ~1/20 of it at these sizes
    for (int n : {15, 16, 37, 64, 101})
      for (double c : {0.5 * n, 0.5 * n + 3.3, 0.5 * n - 7.9}) {
        INFO("n=" << n << " center=" << c);
        CHECK(float_vs_double_forward(n, n, c) < 1e-4);
        CHECK(float_vs_double_forward(n, n + 9, c) < 1e-4);
        CHECK(float_vs_double_forward(n, n - 5, c) < 1e-4);
      }
  }

  TEST_CASE_TEMPLATE("forward projection of a disc matches 2 sqrt(R^2 - s^2)", Real, float, double) {
    const int n = 128, nang = 16;
    const double R = 40;
    tomo::ParallelGeometry g;
    g.n_angles = nang;
    g.n_det = n;
    g.n_grid = n;
    for (int i = 0; i < nang; ++i) g.theta.push_back(M_PI * i / nang);
    g.center = {n / 2.0};
    auto ang = tomo::angle_table<Real, Mem>(g.theta);
    auto ctr = tomo::center_table<Real, Mem>(g, 1);
    View3<Real, Mem> img("img", 1, n, n);
    View3<Real, Mem> sino("sino", 1, nang, n);
    auto h = Kokkos::create_mirror_view(img);
    // area-weighted disc (16x16 supersampling) so the line integrals are accurate
    for (int r = 0; r < n; ++r)
      for (int c = 0; c < n; ++c) {
        int in = 0;
        for (int a = 0; a < 16; ++a)
          for (int b = 0; b < 16; ++b) {
            const double y = r + (a + 0.5) / 16 - n / 2.0, x = c + (b + 0.5) / 16 - n / 2.0;
            in += (x * x + y * y < R * R);
          }
        h(0, r, c) = Real(in / 256.0);
      }
    Kokkos::deep_copy(img, h);
    tomo::forward_project(ExecSpace(), img, ang, ctr, sino);
    auto hs = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), sino);
    double max_err = 0, max_mass_err = 0;
    for (int a = 0; a < nang; ++a) {
      double mass = 0;
      for (int d = 0; d < n; ++d) {
        const double s = d + 0.5 - n / 2.0;
        const double exact = std::abs(s) < R ? 2 * std::sqrt(R * R - s * s) : 0.0;
        mass += hs(0, a, d);
        // away from the rim, where the chord's curvature meets the interpolation's blur
        if (std::abs(s) < R - 5) max_err = std::max(max_err, std::abs(hs(0, a, d) - exact));
      }
      max_mass_err = std::max(max_mass_err, std::abs(mass - M_PI * R * R) / (M_PI * R * R));
    }
    CHECK(max_err < 0.005 * 2 * R);  // 0.5% of the diameter (the 45-degree ripple of the pixel rim is 0.35%)
    CHECK(max_mass_err < 2e-3);    // every projection carries the disc's area
  }

  TEST_CASE("back_project_update applies its step to exactly the back-projection, padded buffer or not") {
    // 2 slices, 19 angles (groups of 4 plus a short one; 0 and pi/2 take the guarded loop), a 70-pixel grid
    // on a 64-bin detector (edge pixels that see no bin), float (the host SIMD paths) and double
    const int S = 2, n = 70, nd = 64, P = 19;
    tomo::ParallelGeometry g;
    g.n_angles = P;
    g.n_det = nd;
    g.n_grid = n;
    for (int i = 0; i < P; ++i) g.theta.push_back(M_PI * i / 18.0);
    g.center = {31.7, 33.2};
    auto run = [&](auto real_tag) {
      using Real = decltype(real_tag);
      View1<Real, Mem> buf("buf", std::size_t(S * P * nd) + 8);
      View3<Real, Mem> y(buf.data(), S, P, nd);  // a plan-style buffer: 8 elements of slack
      auto hy = Kokkos::create_mirror_view(y);
      std::mt19937 rng(5);
      std::uniform_real_distribution<double> u(-1, 1);
      for (std::size_t i = 0; i < hy.span(); ++i) hy.data()[i] = Real(u(rng));
      Kokkos::deep_copy(y, hy);
      auto ang = tomo::angle_table<Real, Mem>(g.theta);
      auto ctr = tomo::center_table<Real, Mem>(g, S);
      View3<Real, Mem> ref("ref", S, n, n), x("x", S, n, n);
      tomo::back_project(ExecSpace(), y, ang, ctr, ref, tomo::BackProjector::matched);
      double worst = 0;
      for (int slack : {0, 8}) {
        Kokkos::deep_copy(x, Real(2));
        auto xv = x;
        tomo::back_project_update(ExecSpace(), y, ang, ctr, x,
                                  KOKKOS_LAMBDA(const int s, const int r, const int c, const Real v) {
                                    xv(s, r, c) = Real(3) * v - xv(s, r, c);
                                  }, slack);
        auto hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x);
        auto hr = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ref);
        for (std::size_t i = 0; i < hx.span(); ++i)
          worst = std::max(worst, std::abs(double(hx.data()[i]) - (3.0 * double(hr.data()[i]) - 2.0)));
      }
      return worst;
    };
    CHECK(run(float{}) < 1e-5);   // the same sums in the same order: only the step's own rounding
    CHECK(run(double{}) < 1e-12);
  }

  TEST_CASE("projector rejects mismatched shapes") {
    View3<float, Mem> img("img", 2, 8, 8), sino("sino", 1, 4, 8), nonsq("n", 2, 8, 9);
    tomo::ParallelGeometry g;
    g.theta = {0, 0.5, 1, 1.5};
    g.center = {4};
    auto ang = tomo::angle_table<float, Mem>(g.theta);
    auto ctr = tomo::center_table<float, Mem>(g, 2);
    CHECK_THROWS_WITH_AS(tomo::forward_project(ExecSpace(), img, ang, ctr, sino),
                         doctest::Contains("image has 2 slices, sinogram 1"), beamkit::error);
    View3<float, Mem> sino2("s2", 2, 4, 8);
    CHECK_THROWS_WITH_AS(tomo::back_project(ExecSpace(), sino2, ang, ctr, nonsq), doctest::Contains("must be square"),
                         beamkit::error);
  }
}
