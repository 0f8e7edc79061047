// SPDX-License-Identifier: BSD-3-Clause
// GISAXS: form factors (F(0) = volume, q -> 0 continuity, symmetries, BornAgain values at a complex q),
// Parratt amplitudes (Fresnel limits, flux conservation, Nevot-Croce), JSON errors, and a full
// DWBA simulation against BornAgain's CylindersAndPrisms reference map.
#include "test_helpers.hpp"
#include <beamkit/scattering/gisaxs.hpp>
#include <array>
#include <complex>
#include <fstream>
#include <sstream>
#include <vector>

using namespace beamkit;
namespace sc = beamkit::scattering;

namespace {
constexpr double deg = M_PI / 180;
using cd = std::complex<double>;

struct Tables {
  std::vector<double> x, w;
  Tables() { sc::gauss_legendre_tables(x, w); }
  template <class R> sc::FFTables<R> get(std::vector<R>& xr, std::vector<R>& wr) const {
    xr.assign(x.begin(), x.end());
    wr.assign(w.begin(), w.end());
    sc::FFTables<R> t;
    t.gl_x = xr.data();
    t.gl_w = wr.data();
    return t;
  }
};

sc::ShapeSpec spec(sc::Shape s, std::initializer_list<double> p) {
  sc::ShapeSpec o;
  o.shape = s;
  int i = 0;
  for (double v : p) o.p[i++] = v;
  return o;
}

std::vector<sc::ShapeSpec> all_shapes() {
  using S = sc::Shape;
  return {spec(S::sphere, {5}), spec(S::truncated_sphere, {5, 7, 1}), spec(S::spheroid, {5, 10}),
          spec(S::truncated_spheroid, {5, 7, 1.2, 1}), spec(S::hemi_ellipsoid, {5, 7, 4}), spec(S::cylinder, {5, 10}),
          spec(S::elliptic_cylinder, {5, 10, 15}), spec(S::box, {10, 20, 5}), spec(S::cone, {5, 6, 54.73 * deg}),
          spec(S::pyramid, {10, 5, 54.73 * deg}), spec(S::aniso_pyramid, {10, 20, 5, 54.73 * deg}),
          spec(S::tetrahedron, {10, 4, 54.73 * deg}), spec(S::cone6, {5, 3, 54.73 * deg}), spec(S::prism3, {10, 5}),
          spec(S::prism6, {5, 11}), spec(S::ridge, {100, 20, 4, 70 * deg})};
}

template <class R> cd ff(const sc::ShapeSpec& s, const sc::FFTables<R>& t, cd qx, cd qy, cd qz, int order = 48) {
  const auto p = sc::detail::to_params<R>(s, order, 0);
  using C = Kokkos::complex<R>;
  const C r = sc::form_factor(p, t, C(R(qx.real()), R(qx.imag())), C(R(qy.real()), R(qy.imag())), C(R(qz.real()), R(qz.imag())));
  return cd(r.real(), r.imag());
}
}  // namespace

TEST_SUITE("unit") {
  TEST_CASE_TEMPLATE("gisaxs form factors: F(0) = volume and smooth q -> 0 limit", R, float, double) {
    Tables T;
    std::vector<R> xr, wr;
    const auto t = T.get<R>(xr, wr);
    const double tol = std::is_same<R, float>::value ? 2e-6 : 1e-12;
    for (const auto& s : all_shapes()) {
      CAPTURE(int(s.shape));
      const double v = sc::shape_volume(s);
      CHECK(std::abs(ff<R>(s, t, 0, 0, 0) - v) <= tol * v);
      // along a generic complex direction F(eps d) -> V without cancellation blow-up
      const cd d[3] = {cd(0.3, 0.01), cd(-0.5, 0.02), cd(0.8, -0.01)};
      for (double eps : {1e-3, 1e-5, 1e-7}) {
        const cd f = ff<R>(s, t, eps * d[0], eps * d[1], eps * d[2]);
        CHECK(std::abs(f - v) <= (std::is_same<R, float>::value ? 1e-5 : 1e-12) * v + 20 * eps * v);
      }
    }
  }

  TEST_CASE("gisaxs form factors: BornAgain 1.19 values at a complex q") {
    Tables T;
    std::vector<double> xr, wr;
    const auto t = T.get<double>(xr, wr);
    using S = sc::Shape;
    const cd q[3] = {cd(0.31, 0.002), cd(-0.17, 0), cd(0.42, -0.003)};
    struct Ref {
      sc::ShapeSpec s;
      cd f;
    };
    // from python3-bornagain 1.19: FormFactorX(...).evaluate_for_q(cvector_t(q))
    const Ref refs[] = {
        {spec(S::cylinder, {5, 10}), {-110.8373722273741, 184.64748741273004}},
        {spec(S::truncated_sphere, {5, 7, 1}), {85.074659177852013, 198.63894373295386}},
        {spec(S::cone, {5, 6, 54.73 * deg}), {87.72875197349633, 85.757329436595924}},
        {spec(S::pyramid, {10, 5, 54.73 * deg}), {103.92213942368367, 98.982309922478606}},
        {spec(S::tetrahedron, {10, 4, 54.73 * deg}), {43.043351502269516, 20.511445776773375}},
        {spec(S::prism6, {5, 11}), {-113.13555178378215, 119.5719681933102}},
        {spec(S::spheroid, {5, 10}), {-114.4057811123202, 193.72133072657499}},
    };
    for (const auto& r : refs) {
      CAPTURE(int(r.s.shape));
      CHECK(std::abs(ff<double>(r.s, t, q[0], q[1], q[2]) - r.f) < 1e-8 * std::abs(r.f));
    }
  }

  TEST_CASE("gisaxs form factors: symmetries and closed-form limits") {
    Tables T;
    std::vector<double> xr, wr;
    const auto t = T.get<double>(xr, wr);
    using S = sc::Shape;
    const cd qs[][3] = {{0.2, 0.1, 0.3}, {-0.4, 0.25, 0.05}, {0.7, -0.3, 0.6}};
    for (const auto& q : qs) {
      for (const auto& s : all_shapes()) {  // real q: F(-q) = conj F(q)
        CAPTURE(int(s.shape));
        const cd a = ff<double>(s, t, q[0], q[1], q[2]), b = ff<double>(s, t, -q[0], -q[1], -q[2]);
        CHECK(std::abs(a - std::conj(b)) < 1e-9 * sc::shape_volume(s));
      }
      // vertical side walls: ridge = box; cone at 90 deg = cylinder; spheroid 2R = sphere
      CHECK(std::abs(ff<double>(spec(S::ridge, {30, 8, 6, 90 * deg}), t, q[0], q[1], q[2]) -
                     ff<double>(spec(S::box, {30, 8, 6}), t, q[0], q[1], q[2])) < 1e-9);
      CHECK(std::abs(ff<double>(spec(S::cone, {4, 3, 90 * deg}), t, q[0], q[1], q[2]) -
                     ff<double>(spec(S::cylinder, {4, 3}), t, q[0], q[1], q[2])) < 1e-9);
      CHECK(std::abs(ff<double>(spec(S::spheroid, {4, 8}), t, q[0], q[1], q[2]) -
                     ff<double>(spec(S::sphere, {4}), t, q[0], q[1], q[2])) < 1e-9);
      // rotation by 90 degrees about z swaps the box's edges
      auto b = spec(S::box, {10, 20, 5});
      b.rotation = 90 * deg;
      CHECK(std::abs(ff<double>(b, t, q[0], q[1], q[2]) - ff<double>(spec(S::box, {20, 10, 5}), t, q[0], q[1], q[2])) < 1e-9);
    }
  }

  TEST_CASE("gisaxs Parratt: Fresnel limits, flux conservation, Nevot-Croce") {
    using C = Kokkos::complex<double>;
    auto layer = [](double delta, double beta, double d, double sigma) {
      sc::LayerData<double> L;
      const cd n(1 - delta, beta);
      const cd e = n * n;
      L.eps = C(e.real(), e.imag());
      L.epsm1 = C(-2 * delta + delta * delta - beta * beta, 2 * beta * (1 - delta));
      L.thickness = d;
      L.sigma = sigma;
      return L;
    };
    const double k = 2 * M_PI / 0.1;
    for (double a : {0.05, 0.2, 0.5}) {
      const double sa = std::sin(a * deg);
      // single interface: R = Fresnel r, T in the substrate = 1 + r
      sc::LayerData<double> two[2] = {layer(0, 0, 0, 0), layer(6e-6, 0, 0, 0)};
      const auto top = sc::parratt(two, 2, 0, k, sa);
      const auto sub = sc::parratt(two, 2, 1, k, sa);
      const cd k0 = k * sa, k1 = k * std::sqrt(cd(sa * sa - 2 * 6e-6 + 36e-12));
      const cd r = (k0 - k1) / (k0 + k1);
      CHECK(std::abs(cd(top.R.real(), top.R.imag()) - r) < 1e-12);
      CHECK(std::abs(cd(sub.T.real(), sub.T.imag()) - (1.0 + r)) < 1e-12);
      // lossless multilayer: |R|^2 + Re(kz_sub)/kz_0 |T_sub|^2 = 1
      sc::LayerData<double> ml[4] = {layer(0, 0, 0, 0), layer(8e-6, 0, 12, 0), layer(2e-6, 0, 7, 0), layer(6e-6, 0, 0, 0)};
      const auto r0 = sc::parratt(ml, 4, 0, k, sa);
      const auto t3 = sc::parratt(ml, 4, 3, k, sa);
      const double flux = std::norm(cd(r0.R.real(), r0.R.imag())) + t3.kz.real() / (k * sa) * std::norm(cd(t3.T.real(), t3.T.imag()));
      CHECK(flux == doctest::Approx(1.0).epsilon(1e-12));
      // Nevot-Croce: r -> r exp(-2 kz0 kz1 sigma^2)
      sc::LayerData<double> rough[2] = {layer(0, 0, 0, 0), layer(6e-6, 0, 0, 0.8)};
      const auto rr = sc::parratt(rough, 2, 0, k, sa);
      CHECK(std::abs(cd(rr.R.real(), rr.R.imag()) - r * std::exp(-2.0 * k0 * k1 * 0.64)) < 1e-12);
    }
  }

  TEST_CASE("gisaxs superlattice factor: finite lattice sum at complex q, Bragg peaks") {
    // brute force: sum over all basis + lattice points of exp(i q.r), q complex (absorbing media)
    const int n[3] = {3, 4, 2};
    for (auto kind : {sc::Lattice3D::sc, sc::Lattice3D::bcc, sc::Lattice3D::fcc, sc::Lattice3D::hcp}) {
      sc::SuperlatticeSpec L;
      L.kind = kind;
      L.a = 11;
      L.c = 17;
      for (int k = 0; k < 3; ++k) L.n[k] = n[k];
      sc::ShapeSpec s = spec(sc::Shape::sphere, {3});
      s.rotation = 0.3;
      const auto d = sc::detail::to_lattice<double>(L, s);
      const std::array<std::array<cd, 3>, 2> qs = {{{cd(0.11, 0.002), cd(-0.37, 0), cd(0.5, 0.01)},
                                                     {cd(2 * M_PI / 11 * std::cos(0.3), 0), cd(2 * M_PI / 11 * std::sin(0.3), 0), cd(0, 1e-3)}}};
      for (const auto& q3 : qs) {
        cd ref = 0;
        for (int b = 0; b < d.nbasis; ++b)
          for (int i = 0; i < n[0]; ++i)
            for (int j = 0; j < n[1]; ++j)
              for (int k = 0; k < n[2]; ++k) {
                cd ph = 0;
                for (int c = 0; c < 3; ++c) ph += q3[c] * (i * d.a[c] + j * d.a[3 + c] + k * d.a[6 + c] + d.b[3 * b + c]);
                ref += std::exp(cd(0, 1) * ph);
              }
        using C = Kokkos::complex<double>;
        const C got = sc::superlattice_factor(d, C(q3[0].real(), q3[0].imag()), C(q3[1].real(), q3[1].imag()), C(q3[2].real(), q3[2].imag()));
        CHECK(std::abs(cd(got.real(), got.imag()) - ref) < 1e-11 * std::max(1.0, std::abs(ref)));
      }
    }
    // FCC at (2, 0, 0) 2 pi / a: all 4 n1 n2 n3 points in phase; at (1, 0, 0): extinct
    sc::SuperlatticeSpec L;
    L.kind = sc::Lattice3D::fcc;
    L.a = 10;
    L.n[0] = L.n[1] = L.n[2] = 5;
    const auto d = sc::detail::to_lattice<double>(L, spec(sc::Shape::sphere, {1}));
    using C = Kokkos::complex<double>;
    const double g = 2 * M_PI / 10;
    CHECK(sc::detail::cabs(sc::superlattice_factor(d, C(2 * g, 0), C(0, 0), C(0, 0))) == doctest::Approx(500).epsilon(1e-12));
    CHECK(sc::detail::cabs(sc::superlattice_factor(d, C(g, 0), C(0, 0), C(0, 0))) < 1e-10);
    CHECK(sc::detail::cabs(sc::superlattice_factor(d, C(g, 0), C(g, 0), C(g, 0))) == doctest::Approx(500).epsilon(1e-12));
  }

  TEST_CASE("gisaxs beam distributions sample like BornAgain 1.19") {
    // values printed by python3-bornagain 1.19: DistributionLogNormal(1, 0.1).equidistantSamples(5, 0),
    // DistributionGate(-0.1 deg, 0.02 deg).equidistantSamples(3, 0) (the last point rounds outside the gate)
    sc::BeamDistribution ln;
    ln.kind = sc::BeamDistribution::lognormal;
    ln.sigma = 0.1;
    ln.samples = 5;
    const auto s = sc::beam_samples(ln, 1.0);
    const double x[5] = {0.8187307530779818, 0.9193987543485288, 1.020066755619076, 1.1207347568896229, 1.2214027581601699};
    const double w[5] = {0.06699452171034061, 0.30968300030229656, 0.3895552737565165, 0.18885943335383507, 0.0449077708770112};
    REQUIRE(s.size() == 5);
    for (int i = 0; i < 5; ++i) {
      CHECK(s[i].first == doctest::Approx(x[i]).epsilon(1e-14));
      CHECK(s[i].second == doctest::Approx(w[i]).epsilon(1e-13));
    }
    sc::BeamDistribution gate;
    gate.kind = sc::BeamDistribution::gate;
    gate.min = -0.1 * deg;
    gate.max = 0.02 * deg;
    gate.samples = 3;
    const auto t = sc::beam_samples(gate, 0);
    REQUIRE(t.size() == 3);
    CHECK(t[0].second == 0.5);
    CHECK(t[1].second == 0.5);
    CHECK(t[2].second == 0.0);
  }

  TEST_CASE("gisaxs detector resolution: a delta spreads into the bin-integrated Gaussian, total conserved") {
    const int rows = 21, cols = 31;
    std::vector<double> img(rows * cols, 0.0);
    img[10 * cols + 15] = 1;
    sc::apply_resolution(img, rows, cols, 1.5, 0.7);
    double sum = 0;
    for (double v : img) sum += v;
    CHECK(sum == doctest::Approx(1).epsilon(1e-12));
    auto bin = [](double d, double s) { return 0.5 * (std::erf((d + 0.5) / (s * std::sqrt(2.0))) - std::erf((d - 0.5) / (s * std::sqrt(2.0)))); };
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c) CHECK(img[r * cols + c] == doctest::Approx(bin(c - 15, 1.5) * bin(r - 10, 0.7)).epsilon(1e-10));
  }

  TEST_CASE("gisaxs JSON errors name the path of the bad value") {
    const std::string good = R"({"beam": {"wavelength": 0.1, "alpha_i": 0.2},
      "detector": {"type": "spherical", "phi": [-1, 1, 5], "alpha": [0, 1, 5]},
      "sample": {"layers": [{}, {"delta": 6e-6, "beta": 2e-8}],
                 "layouts": [{"particles": [{"shape": {"type": "cylinder", "radius": 5, "height": 5}}]}]}})";
    CHECK_NOTHROW(sc::parse_config(good));
    auto expect = [&](const std::string& from, const std::string& to, const std::string& path) {
      std::string t = good;
      const auto pos = t.find(from);
      REQUIRE(pos != std::string::npos);
      t.replace(pos, from.size(), to);
      try {
        sc::parse_config(t);
        FAIL("no error for " << to);
      } catch (const beamkit::error& e) {
        CHECK(e.code() == errc::invalid_argument);
        CHECK_MESSAGE(std::string(e.what()).find(path) != std::string::npos, e.what());
      }
    };
    expect("\"radius\": 5", "\"radius\": -5", "$.sample.layouts[0].particles[0].shape.radius");
    expect("\"cylinder\"", "\"cylindre\"", "$.sample.layouts[0].particles[0].shape.type");
    expect("\"alpha\": [0, 1, 5]", "\"alpha\": [0, 1, 0]", "$.detector.alpha[2]");
    expect("\"wavelength\": 0.1", "\"wavelenght\": 0.1", "$.beam.wavelenght");
    expect("{\"delta\": 6e-6, \"beta\": 2e-8}", "{\"delta\": 6e-6, \"beta\": -2e-8}", "$.sample.layers[1].beta");
    expect("\"radius\": 5, \"height\": 5}", "\"radius\": 5, \"height\": 5}, \"lattice\": {\"type\": \"fcc\", \"a\": 0, \"repetitions\": [1, 1, 1]}",
           "$.sample.layouts[0].particles[0].lattice.a");
    expect("\"alpha\": [0, 1, 5]", "\"alpha\": [0, 1, 5], \"masks\": [{\"x\": [-5, 5], \"y\": [-5, 5]}]", "$.detector.masks");
  }
}

TEST_SUITE("integration") {
  TEST_CASE("gisaxs DWBA simulation matches BornAgain CylindersAndPrisms") {
    const std::string path = bk_test::shared_data("bornagain/Tests/ReferenceData/Std/CylindersAndPrisms.int.gz");
    if (!bk_test::file_exists(path)) return;
    // decompress with gzip -dc into a string
    const std::string cmd = "gzip -dc '" + path + "'";
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    std::string text;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
    pclose(p);
    std::istringstream in(text.substr(text.find("# data") + 7));
    std::vector<double> ref;
    double v;
    while (in >> v) ref.push_back(v);
    REQUIRE(ref.size() == 625);
    const auto cfg = sc::parse_config(R"({"beam": {"wavelength": 0.1, "alpha_i": 0.2},
      "detector": {"type": "spherical", "phi": [-2, 2, 25], "alpha": [0, 2, 25]},
      "sample": {"layers": [{}, {"delta": 6e-6, "beta": 2e-8}],
        "layouts": [{"particles": [
          {"shape": {"type": "cylinder", "radius": 5, "height": 5}, "material": {"delta": 6e-4, "beta": 2e-8}, "abundance": 0.5},
          {"shape": {"type": "prism3", "base_edge": 10, "height": 5}, "material": {"delta": 6e-4, "beta": 2e-8}, "abundance": 0.5}]}]}})");
    sc::Simulation<bk_test::ExecSpace, double> sim(cfg);
    const auto img = sim.image();
    double worst = 0;
    for (int ip = 0; ip < 25; ++ip)
      for (int ia = 0; ia < 25; ++ia) {
        const double mine = img[std::size_t(24 - ia) * 25 + ip], r = ref[std::size_t(ip) * 25 + ia];
        worst = std::max(worst, std::abs(mine - r) / std::abs(r));
      }
    CHECK(worst < 1e-6);
  }
}
