// SPDX-License-Identifier: BSD-3-Clause
// GISAXS simulation: DWBA (four terms, Parratt amplitudes in the particle's layer) or Born
// approximation, layouts with the decoupling approximation or the local monodisperse approximation,
// size distributions expanded into weighted samples, spherical (phi_f, alpha_f) or flat detectors.
// Conventions and normalisation follow BornAgain 1.19: q = k_i - k_f, I = density * dsigma/dOmega *
// solid angle / sin(alpha_i) * beam intensity. Images are [alpha_f descending, phi_f ascending]
// (BornAgain's result().array(); flat detector: row 0 = top).
#pragma once
#include <beamkit/core/error.hpp>
#include <beamkit/scattering/config.hpp>
#include <beamkit/scattering/formfactor.hpp>
#include <beamkit/scattering/interference.hpp>
#include <beamkit/scattering/multilayer.hpp>
#include <cmath>
#include <complex>
#include <type_traits>
#include <vector>

namespace beamkit::scattering {

template <class Real> struct ParticleData {
  ShapeParams<Real> outer, core;
  Kokkos::complex<Real> contrast_outer, contrast_core;  ///< core: (core - shell) potential
  bool has_core = false;
  Real core_z = 0;
  Real weight = 0;  ///< abundance x distribution weight (sums to 1 over a layout)
  Real z = 0;
  Real rad = 0;  ///< radial extension (SSCA)
  LatticeData<Real> lat;  ///< 3-D superlattice of the particle (nbasis = 0: none)
  int zw = 0;  ///< width of the shape part of its per-row z table (0: no table, form factor per pixel)
};

template <class Real> struct LayoutData {
  int layer = 0, first = 0, count = 0;
  int approx = 0;  ///< LayoutSpec::Approx: 0 DA, 1 LMA, 2 SSCA
  Real density = 0;
  Real kappa = 0, mean_rad = 0;  ///< SSCA
  InterferenceData<Real> iff;
  Amplitudes<Real> in;  ///< incoming wave in the layout's layer (computed once on the host)
};

/// Pixel geometry of a detector: alpha_f, phi_f (rad) and weight (solid angle, 0 where masked), and
/// the image shape (rows, cols).
struct PixelGrid {
  std::vector<double> alpha, phi, weight, qx, qy, qz;
  int rows = 0, cols = 0;
};

inline PixelGrid make_pixels(const Config& c) {
  PixelGrid g;
  const auto& d = c.detector;
  const double deg = M_PI / 180;
  auto masked = [&](double x, double y) {
    for (const auto& m : d.masks)
      if (x >= m.x0 && x <= m.x1 && y >= m.y0 && y <= m.y1) return true;
    return false;
  };
  const std::size_t npix = d.kind == DetectorSpec::spherical ? std::size_t(d.nalpha) * d.nphi : std::size_t(d.nx) * d.ny;
  g.alpha.reserve(npix);
  g.phi.reserve(npix);
  g.weight.reserve(npix);
  if (d.kind == DetectorSpec::spherical) {
    g.rows = d.nalpha;
    g.cols = d.nphi;
    g.alpha.resize(npix);
    g.phi.resize(npix);
    g.weight.resize(npix);
    const double dphi = (d.phi_max - d.phi_min) / d.nphi, dal = (d.alpha_max - d.alpha_min) / d.nalpha;
    for (int r = 0; r < g.rows; ++r) {
      const int ia = d.nalpha - 1 - r;
      const double a = d.alpha_min + (ia + 0.5) * dal;
      const double a0 = (d.alpha_min + ia * dal) * deg, a1 = (d.alpha_min + (ia + 1) * dal) * deg;
      const double w = std::fabs(dphi * deg * (std::sin(a1) - std::sin(a0)));  // one row: one solid angle
      const std::size_t o = std::size_t(r) * g.cols;
      for (int ip = 0; ip < g.cols; ++ip) {
        const double ph = d.phi_min + (ip + 0.5) * dphi;
        g.alpha[o + ip] = a * deg;
        g.phi[o + ip] = ph * deg;
        g.weight[o + ip] = d.masks.empty() || !masked(ph, a) ? w : 0.0;
      }
    }
  } else {
    g.rows = d.ny;
    g.cols = d.nx;
    for (int r = 0; r < g.rows; ++r) {
      const int iy = d.ny - 1 - r;
      const double v = (iy + 0.5) * d.pixel_y - d.v0;
      for (int ix = 0; ix < g.cols; ++ix) {
        const double u = (ix + 0.5) * d.pixel_x - d.u0;
        const double rr = std::sqrt(d.distance * d.distance + u * u + v * v);
        g.alpha.push_back(std::asin(v / rr));
        g.phi.push_back(std::atan2(u, d.distance));
        const double w = d.pixel_x * d.pixel_y * d.distance / (rr * rr * rr);
        g.weight.push_back(masked((ix + 0.5) * d.pixel_x, (iy + 0.5) * d.pixel_y) ? 0.0 : w);
      }
    }
  }
  const double k = 2 * M_PI / c.wavelength;
  const std::size_t n = g.alpha.size();
  g.qx.resize(n);
  g.qy.resize(n);
  g.qz.resize(n);
  const double ca_i = std::cos(c.alpha_i), sa_i = std::sin(c.alpha_i);
  const double cpi = std::cos(c.phi_i), spi = std::sin(c.phi_i);
  // a spherical detector's rows share alpha_f and its columns phi_f: their sines/cosines once per row/column
  const bool sph = d.kind == DetectorSpec::spherical;
  std::vector<double> cpc(sph ? g.cols : 0), spc(sph ? g.cols : 0);
  for (int ip = 0; sph && ip < g.cols; ++ip) cpc[ip] = std::cos(g.phi[ip]), spc[ip] = std::sin(g.phi[ip]);
  double last_a = NAN, ca = 0, sa = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double af = g.alpha[i], pf = g.phi[i];
    if (af != last_a) {
      ca = std::cos(af);
      sa = std::sin(af);
      last_a = af;
    }
    const std::size_t ic = sph ? i % std::size_t(g.cols) : 0;
    const double cp = sph ? cpc[ic] : std::cos(pf), sp = sph ? spc[ic] : std::sin(pf);
    g.qx[i] = k * (ca_i * cpi - ca * cp);
    g.qy[i] = k * (ca * sp - ca_i * spi);
    g.qz[i] = -k * (sa_i + sa);
  }
  return g;
}

namespace detail {
inline std::vector<std::pair<double, double>> distribution_samples(const SizeDistribution& d, double mean) {
  std::vector<std::pair<double, double>> out;
  if (d.kind == SizeDistribution::none || d.samples <= 1) {
    out.emplace_back(mean, 1.0);
    return out;
  }
  double lo, hi;
  if (d.kind == SizeDistribution::lognormal) {
    lo = mean * std::exp(-d.nsigma * d.sigma);
    hi = mean * std::exp(d.nsigma * d.sigma);
  } else {
    lo = mean - d.nsigma * d.sigma;
    hi = mean + d.nsigma * d.sigma;
    if (lo <= 0) lo = hi * 1e-6;
  }
  if (d.max > d.min) {  // limits (BornAgain's RealLimits): clip the sampled range
    lo = std::max(lo, d.min);
    hi = std::min(hi, d.max);
  }
  double sum = 0;
  for (int i = 0; i < d.samples; ++i) {
    const double x = lo + (hi - lo) * i / (d.samples - 1);
    double p;
    if (d.kind == SizeDistribution::gaussian) {
      p = std::exp(-0.5 * (x - mean) * (x - mean) / (d.sigma * d.sigma));
    } else if (d.kind == SizeDistribution::lognormal) {
      const double l = std::log(x / mean) / d.sigma;
      p = std::exp(-0.5 * l * l) / x;
    } else {  // Schulz (gamma) with mean and sigma: z + 1 = (mean/sigma)^2
      const double zp1 = mean * mean / (d.sigma * d.sigma);
      p = std::exp((zp1 - 1) * std::log(x / mean) - zp1 * (x / mean - 1));
    }
    out.emplace_back(x, p);
    sum += p;
  }
  for (auto& s : out) s.second /= sum;
  return out;
}

/// (angle offset or absolute angle for a gate, weight) samples of an orientation distribution.
inline std::vector<std::pair<double, double>> orientation_samples(const OrientationDistribution& o) {
  std::vector<std::pair<double, double>> out;
  if (o.kind == OrientationDistribution::none) {
    out.emplace_back(0.0, 1.0);
    return out;
  }
  const int n = std::max(1, o.samples);
  if (o.kind == OrientationDistribution::gate) {
    for (int i = 0; i < n; ++i) out.emplace_back(n == 1 ? 0.5 * (o.min + o.max) : o.min + (o.max - o.min) * i / (n - 1), 1.0 / n);
    return out;
  }
  if (n == 1) {
    out.emplace_back(0.0, 1.0);
    return out;
  }
  double sum = 0;
  for (int i = 0; i < n; ++i) {
    const double x = -o.nsigma * o.sigma + 2 * o.nsigma * o.sigma * i / (n - 1);
    const double w = std::exp(-0.5 * x * x / (o.sigma * o.sigma));
    out.emplace_back(x, w);
    sum += w;
  }
  for (auto& s : out) s.second /= sum;
  return out;
}

inline int auto_order(const ShapeSpec& s, double qpar_max, double qz_max) {
  const double h = shape_height(s);
  double r = 0;
  for (double v : s.p) r = std::max(r, v);
  if (s.shape == Shape::cone) r = s.p[0];
  const double phase = qz_max * h + qpar_max * r;
  return int(std::min<double>(kMaxGL, std::ceil(0.5 * phase + 6)));
}

/// Lattice vectors and basis of a superlattice, rotated like the shape (R: row-major active rotation).
template <class Real> LatticeData<Real> to_lattice(const SuperlatticeSpec& L, const ShapeSpec& s) {
  LatticeData<Real> d;
  if (L.kind == Lattice3D::none) return d;
  double a[9] = {L.a, 0, 0, 0, L.a, 0, 0, 0, L.a};
  double b[12] = {};
  int nb = 1;
  if (L.kind == Lattice3D::bcc) {
    nb = 2;
    b[3] = b[4] = b[5] = 0.5 * L.a;
  } else if (L.kind == Lattice3D::fcc) {
    nb = 4;
    const double h = 0.5 * L.a;
    const double f[9] = {h, h, 0, h, 0, h, 0, h, h};
    for (int i = 0; i < 9; ++i) b[3 + i] = f[i];
  } else if (L.kind == Lattice3D::hcp) {
    nb = 2;
    const double a2[9] = {L.a, 0, 0, 0.5 * L.a, 0.5 * std::sqrt(3.0) * L.a, 0, 0, 0, L.c};
    for (int i = 0; i < 9; ++i) a[i] = a2[i];
    for (int k = 0; k < 3; ++k) b[3 + k] = 2.0 / 3 * a[k] + 1.0 / 3 * a[3 + k] + 0.5 * a[6 + k];
  }
  double R[9];
  if (s.general) {
    for (int i = 0; i < 9; ++i) R[i] = s.R[i];
  } else {
    const double c = std::cos(s.rotation), sn = std::sin(s.rotation);
    const double Z[9] = {c, -sn, 0, sn, c, 0, 0, 0, 1};
    for (int i = 0; i < 9; ++i) R[i] = Z[i];
  }
  auto rot = [&](const double* v, Real* out) {
    for (int r = 0; r < 3; ++r) out[r] = Real(R[3 * r] * v[0] + R[3 * r + 1] * v[1] + R[3 * r + 2] * v[2]);
  };
  for (int k = 0; k < 3; ++k) rot(a + 3 * k, d.a + 3 * k);
  for (int j = 0; j < nb; ++j) rot(b + 3 * j, d.b + 3 * j);
  d.nbasis = nb;
  for (int k = 0; k < 3; ++k) d.n[k] = L.n[k];
  return d;
}

template <class Real> ShapeParams<Real> to_params(const ShapeSpec& s, int order, int mesh_first) {
  ShapeParams<Real> p;
  p.shape = s.shape;
  for (int i = 0; i < 6; ++i) p.p[i] = Real(s.p[i]);
  p.rot_c = Real(std::cos(s.rotation));
  p.rot_s = Real(std::sin(s.rotation));
  p.rot_general = s.general;
  for (int i = 0; i < 9; ++i) p.rot[i] = Real(s.R[i]);
  p.gl_n = order;
  if (s.shape == Shape::mesh) {
    p.mesh_first = mesh_first;
    p.mesh_ntri = int(s.mesh_t.size() / 3);
  }
  return p;
}
}  // namespace detail

/// Device-resident simulation built from a Config (tables, particles, layouts, pixels).
template <class ExecSpace, class Real> class Simulation {
public:
  using Mem = typename ExecSpace::memory_space;
  using Cx = Kokkos::complex<Real>;

  explicit Simulation(const Config& c) : m_cfg(c), m_grid(make_pixels(c)) {
    const double k = 2 * M_PI / c.wavelength;
    double qpar2_max = 0, qz_max = 0;
    for (std::size_t i = 0; i < m_grid.qx.size(); ++i) {
      qpar2_max = std::max(qpar2_max, m_grid.qx[i] * m_grid.qx[i] + m_grid.qy[i] * m_grid.qy[i]);
      qz_max = std::max(qz_max, std::fabs(m_grid.qz[i]));
    }
    const double qpar_max = std::sqrt(qpar2_max);
    (void)k;
    // layers
    std::vector<LayerData<Real>> layers;
    for (const auto& l : c.layers) {
      LayerData<Real> d;
      const std::complex<double> n(1 - l.material.delta, l.material.beta);
      const auto e = n * n;
      d.eps = Cx(Real(e.real()), Real(e.imag()));
      const double dl = l.material.delta, bl = l.material.beta;
      d.epsm1 = Cx(Real(-2 * dl + dl * dl - bl * bl), Real(2 * bl * (1 - dl)));
      d.thickness = Real(l.thickness);
      d.sigma = Real(l.roughness);
      layers.push_back(d);
    }
    // mesh + particles
    std::vector<double> mv;
    std::vector<int> mt;
    std::vector<ParticleData<Real>> parts;
    std::vector<LayoutData<Real>> lays;
    const double sld = M_PI / (c.wavelength * c.wavelength);
    auto eps_of = [](const Material& m) {
      const std::complex<double> n(1 - m.delta, m.beta);
      return n * n;
    };
    auto add_mesh = [&](const ShapeSpec& s) {
      const int first = int(mt.size() / 3), voff = int(mv.size() / 3);
      mv.insert(mv.end(), s.mesh_v.begin(), s.mesh_v.end());
      for (int t : s.mesh_t) mt.push_back(t + voff);
      return first;
    };
    for (const auto& L : c.layouts) {
      LayoutData<Real> ld;
      ld.layer = L.layer;
      ld.first = int(parts.size());
      ld.approx = int(L.approximation);
      ld.kappa = Real(L.interference.kappa);
      const auto eps_l = eps_of(c.layers[L.layer].material);
      double asum = 0;
      for (const auto& P : L.particles) asum += P.abundance;
      for (const auto& P : L.particles) {
        const auto eps_p = eps_of(P.material);
        const auto samples = detail::distribution_samples(
            P.distribution, P.distribution.params.empty() ? 1.0 : P.shape.p[P.distribution.params[0]]);
        const auto orients = detail::orientation_samples(P.orientation);
        for (const auto& osmp : orients)
        for (const auto& smp : samples) {
          ShapeSpec s = P.shape, core = P.core;
          if (P.orientation.kind == OrientationDistribution::gate) s.rotation = osmp.first;
          else s.rotation += osmp.first;
          if (!P.distribution.params.empty()) {
            const double f = smp.first / P.shape.p[P.distribution.params[0]];
            for (int idx : P.distribution.params) s.p[idx] *= f;
          }
          ParticleData<Real> pd;
          const int order = c.quadrature_order > 0 ? c.quadrature_order : detail::auto_order(s, qpar_max, qz_max);
          pd.outer = detail::to_params<Real>(s, order, s.shape == Shape::mesh ? add_mesh(s) : 0);
          const auto co = sld * (eps_l - eps_p);
          pd.contrast_outer = Cx(Real(co.real()), Real(co.imag()));
          if (P.core_shell) {
            pd.has_core = true;
            const int o2 = c.quadrature_order > 0 ? c.quadrature_order : detail::auto_order(core, qpar_max, qz_max);
            pd.core = detail::to_params<Real>(core, o2, core.shape == Shape::mesh ? add_mesh(core) : 0);
            const auto cc = sld * (eps_p - eps_of(P.core_material));
            pd.contrast_core = Cx(Real(cc.real()), Real(cc.imag()));
            pd.core_z = Real(P.core_offset_z);
          }
          pd.weight = Real(P.abundance / asum * smp.second * osmp.second);
          pd.z = Real(P.z);
          pd.rad = Real(radial_extension(s));
          pd.lat = detail::to_lattice<Real>(P.lattice, s);
          parts.push_back(pd);
        }
      }
      ld.count = int(parts.size()) - ld.first;
      double mean_rad = 0;
      for (int p = ld.first; p < ld.first + ld.count; ++p) mean_rad += double(parts[p].weight) * double(parts[p].rad);
      ld.mean_rad = Real(mean_rad);
      ld.iff = make_iff(L.interference, qpar_max);
      double density = L.density;
      if (!L.density_given && L.interference.kind == Interference::lattice2d) density = double(ld.iff.p[9]);
      if (!L.density_given && L.interference.kind == Interference::hard_disk) density = L.interference.b;
      if (!L.density_given && L.interference.kind == Interference::paracrystal2d)
        density = 1.0 / std::fabs(L.interference.a * L.interference.b * std::sin(L.interference.alpha));
      if (!L.density_given && L.interference.kind == Interference::lattice1d) density = 1.0 / L.interference.a;
      ld.density = Real(density);
      lays.push_back(ld);
    }
    std::vector<double> glx, glw;
    gauss_legendre_tables(glx, glw);
    // per-(particle, row) z tables (DWBA only): rows = unique consecutive alpha_f; skipped when they
    // would take more than 64 MiB (e.g. flat detectors, where every pixel has its own alpha_f)
    {
      std::size_t nu = 0;
      for (std::size_t i = 0; i < m_grid.alpha.size(); ++i)
        if (i == 0 || Real(m_grid.alpha[i]) != Real(m_grid.alpha[i - 1])) ++nu;
      int wmax = 0;
      for (auto& pd : parts) {
        pd.zw = (c.born || pd.has_core || pd.lat.nbasis) ? 0 : ztab_width(pd.outer);
        wmax = std::max(wmax, pd.zw);
      }
      const double bytes = double(parts.size()) * double(nu) * double(8 + wmax) * sizeof(Real);
      if (wmax == 0 || bytes > 64.0 * 1024 * 1024) {
        for (auto& pd : parts) pd.zw = 0;
        wmax = 0;
      }
      m_ztab_width = wmax ? 8 + wmax : 0;
      std::vector<int> owner(parts.size(), 0);
      for (std::size_t l = 0; l < lays.size(); ++l)
        for (int p = lays[l].first; p < lays[l].first + lays[l].count; ++p) owner[p] = int(l);
      m_part_layout = upload(owner, "particle_layout");
    }
    m_layers = upload(layers, "layers");
    m_parts = upload(parts, "particles");
    m_glx = upload(convert(glx), "gl_x");
    m_glw = upload(convert(glw), "gl_w");
    m_mesh_v = upload(convert(mv), "mesh_v");
    m_mesh_t = upload(mt, "mesh_t");
    // per-pixel alpha_f is read by the Born kernel only
    m_alpha = c.born ? upload(m_grid.alpha, "alpha_f") : View1<Real, Mem>("beamkit::scattering::alpha_f", 0);
    // incoming amplitudes per layout (host), unique outgoing angles (rows of a spherical detector)
    const Real sin_ai = Real(std::sin(c.alpha_i));
    for (auto& ld : lays) ld.in = parratt(layers.data(), int(layers.size()), ld.layer, Real(k), sin_ai);
    m_layouts = upload(lays, "layouts");
    std::vector<Real> uniq;
    std::vector<int> idx(m_grid.alpha.size());
    for (std::size_t i = 0; i < m_grid.alpha.size(); ++i) {
      const Real a = Real(m_grid.alpha[i]);
      if (uniq.empty() || uniq.back() != a) uniq.push_back(a);
      idx[i] = int(uniq.size()) - 1;
    }
    m_alpha_index = upload(idx, "alpha_index");
    m_alpha_unique = upload(uniq, "alpha_unique");
    m_qx = upload(m_grid.qx, "qx");
    m_qy = upload(m_grid.qy, "qy");
    m_weight = upload(m_grid.weight, "weight");
  }

  const PixelGrid& grid() const { return m_grid; }
  std::size_t particle_count() const { return m_parts.extent(0); }

  /// Run the kernel; returns the image (rows x cols) on the device.
  View2<Real, Mem> run(const ExecSpace& space = ExecSpace()) const {
    const int rows = m_grid.rows, cols = m_grid.cols;
    View2<Real, Mem> img(Kokkos::view_alloc(Kokkos::WithoutInitializing, BEAMKIT_LABEL("scattering", "image")),
                         rows, cols);
    const auto layers = m_layers;
    const auto parts = m_parts;
    const auto layouts = m_layouts;
    const auto alpha = m_alpha, weight = m_weight, qxv = m_qx, qyv = m_qy;
    const int nl = int(layers.extent(0)), nlay = int(layouts.extent(0));
    // outgoing amplitudes for each unique alpha_f and layout
    const auto au = m_alpha_unique;
    const auto aidx = m_alpha_index;
    const int nu = int(au.extent(0));
    const Real kk = Real(2 * M_PI / m_cfg.wavelength);
    View2<Amplitudes<Real>, Mem> amps(Kokkos::view_alloc(Kokkos::WithoutInitializing, BEAMKIT_LABEL("scattering", "amplitudes_out")),
                                      std::max(1, nlay), std::max(1, nu));
    Kokkos::parallel_for(
        "beamkit::scattering::gisaxs_amplitudes", Kokkos::RangePolicy<ExecSpace>(space, 0, nlay * nu), KOKKOS_LAMBDA(const int i) {
          const int l = i / nu, u = i % nu;
          amps(l, u) = parratt(layers.data(), nl, layouts(l).layer, kk, kmath::sin(au(u)));
        });
    FFTables<Real> tab;
    tab.gl_x = m_glx.data();
    tab.gl_w = m_glw.data();
    tab.mesh_v = m_mesh_v.data();
    tab.mesh_t = m_mesh_t.data();
    // per-(particle, row) z tables: {contrast x DWBA coefficient x position phase of the 4 terms, shape part}
    const int zwidth = m_ztab_width, np = int(parts.extent(0));
    View2<Real, Mem> ztab(Kokkos::view_alloc(Kokkos::WithoutInitializing, BEAMKIT_LABEL("scattering", "z_tables")),
                          zwidth ? np * nu : 0, zwidth);
    if (zwidth) {
      const auto owner = m_part_layout;
      Kokkos::parallel_for(
          "beamkit::scattering::gisaxs_z_tables", Kokkos::RangePolicy<ExecSpace>(space, 0, np * nu), KOKKOS_LAMBDA(const int i) {
            const int p = i / nu, u = i % nu;
            const ParticleData<Real>& P = parts(p);
            if (P.zw == 0) return;
            const int l = owner(p);
            const Amplitudes<Real>& in = layouts(l).in;
            const Amplitudes<Real> out = amps(l, u);
            const Cx qz[4] = {-in.kz - out.kz, in.kz - out.kz, -in.kz + out.kz, in.kz + out.kz};
            const Cx coef[4] = {in.T * out.T, in.R * out.T, in.T * out.R, in.R * out.R};
            Real* row = &ztab(i, 0);
            for (int t = 0; t < 4; ++t) {
              Cx c = P.contrast_outer * coef[t];
              if (P.z != Real(0)) c = c * detail::cexpi(qz[t] * P.z);
              row[2 * t] = c.real();
              row[2 * t + 1] = c.imag();
            }
            ztab_fill(P.outer, tab, qz, row + 8);
          });
    }
    const Real k = Real(2 * M_PI / m_cfg.wavelength);
    const Real ai = Real(m_cfg.alpha_i);
    const Real sin_ai = kmath::sin(ai);
    const Real norm = Real(m_cfg.intensity / std::sin(m_cfg.alpha_i));
    const bool born = m_cfg.born;
    Kokkos::parallel_for(
        "beamkit::scattering::gisaxs", Kokkos::RangePolicy<ExecSpace>(space, 0, rows * cols), KOKKOS_LAMBDA(const int i) {
          const Real w = weight(i);
          if (w == Real(0)) {
            img(i / cols, i % cols) = Real(0);
            return;
          }
          // q = k_i - k_f with BornAgain's k_f.y = -k cos(alpha_f) sin(phi_f); computed on the host in double
          const Real qx = qxv(i), qy = qyv(i);
          Real total = 0;
          for (int l = 0; l < nlay; ++l) {
            const LayoutData<Real>& L = layouts(l);
            Cx qz[4], coef[4];
            int nt = 1;
            if (born) {
              qz[0] = Cx(-k * (sin_ai + kmath::sin(alpha(i))), 0);
              coef[0] = Cx(1, 0);
            } else {
              const Amplitudes<Real>& in = L.in;
              const Amplitudes<Real> out = amps(l, aidx(i));
              qz[0] = -in.kz - out.kz;
              qz[1] = in.kz - out.kz;
              qz[2] = -in.kz + out.kz;
              qz[3] = in.kz + out.kz;
              coef[0] = in.T * out.T;
              coef[1] = in.R * out.T;
              coef[2] = in.T * out.R;
              coef[3] = in.R * out.R;
              nt = 4;
            }
            const bool ssca = L.approx == 2;
            const Real S = ssca ? Real(1) : interference(L.iff, qx, qy, tab.gl_x, tab.gl_w);
            const Real qpar = ssca ? kmath::sqrt(qx * qx + qy * qy) : Real(0);
            Cx amp(0, 0), amp_conj(0, 0), p2kappa(0, 0);
            Real inten = 0;
            for (int p = L.first; p < L.first + L.count; ++p) {
              const ParticleData<Real>& P = parts(p);
              Cx f[4], fc[4];
              Cx F(0, 0);
              if (P.zw) {  // z factors, DWBA coefficients and contrast from the row's table
                const Real* zt = &ztab(p * nu + aidx(i), 0);
                form_factor_ztab(P.outer, tab, Cx(qx, 0), Cx(qy, 0), qz, zt + 8, f);
                for (int t = 0; t < 4; ++t) F += Cx(zt[2 * t], zt[2 * t + 1]) * f[t];
              } else {
                form_factor_multi(P.outer, tab, Cx(qx, 0), Cx(qy, 0), qz, nt, f, nt == 4);
                if (P.has_core) form_factor_multi(P.core, tab, Cx(qx, 0), Cx(qy, 0), qz, nt, fc, nt == 4);
                for (int t = 0; t < nt; ++t) {
                  Cx ft = P.contrast_outer * f[t];
                  if (P.has_core) ft += P.contrast_core * fc[t] * (P.core_z != Real(0) ? detail::cexpi(qz[t] * P.core_z) : Cx(1, 0));
                  if (P.lat.nbasis) ft *= superlattice_factor(P.lat, Cx(qx, 0), Cx(qy, 0), qz[t]);
                  F += coef[t] * (P.z != Real(0) ? ft * detail::cexpi(qz[t] * P.z) : ft);
                }
              }
              const Real n2 = F.real() * F.real() + F.imag() * F.imag();
              inten += P.weight * n2;
              if (ssca) {  // BornAgain 1.19 SSCAStrategy: position offset phase exp(i kappa q_par (R - <R>))
                const Cx pre = P.weight * detail::cexpi(Cx(L.kappa * qpar * (P.rad - L.mean_rad), 0));
                amp += pre * F;
                amp_conj += pre * Kokkos::conj(F);
                p2kappa += P.weight * detail::cexpi(Cx(Real(2) * L.kappa * qpar * (P.rad - L.mean_rad), 0));
              } else {
                amp += P.weight * F;
              }
            }
            if (ssca) {
              const Real* ip = L.iff.p;  // radial paracrystal: characteristic function of the distance pdf
              Cx om = detail::cexpi(Cx(qpar * ip[0], 0)) * detail::ft_pdf1(int(ip[2]), qpar, ip[3]);
              if (ip[1] > Real(0)) om = om * kmath::exp(-ip[0] / ip[1]);
              const Cx iff = detail::cdiv(amp * amp_conj * om, Cx(1, 0) - p2kappa * om);
              total += L.density * (inten + Real(2) * iff.real());
              continue;
            }
            const Real a2 = amp.real() * amp.real() + amp.imag() * amp.imag();
            total += L.density * (L.approx == 1 ? inten * S : inten + a2 * (S - Real(1)));
          }
          img(i / cols, i % cols) = total * w * norm;
        });
    return img;
  }

  /// Host copy of the image as double.
  std::vector<double> image(const ExecSpace& space = ExecSpace()) const {
    auto img = run(space);
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), img);
    std::vector<double> out(h.size());
    for (int r = 0; r < m_grid.rows; ++r)
      for (int cc = 0; cc < m_grid.cols; ++cc) out[std::size_t(r) * m_grid.cols + cc] = double(h(r, cc));
    return out;
  }

  static InterferenceData<Real> make_iff(const InterferenceSpec& s, double qpar_max = 0) {
    InterferenceData<Real> d;
    d.kind = s.kind;
    auto set = [&](std::initializer_list<double> v) {
      int i = 0;
      for (double x : v) d.p[i++] = Real(x);
    };
    if (s.kind == Interference::radial_paracrystal) {
      set({s.peak_distance, s.damping_length, double(int(s.profile)), s.omega, s.domain_size});
    } else if (s.kind == Interference::lattice1d) {
      const double arec = 2 * M_PI / s.a;
      const double qa_max = (s.a / (2 * M_PI)) * 20 / s.decay_x;
      const int na = std::max(4, int(std::lround(std::fabs(qa_max) + 0.5)));
      (void)arec;
      set({s.a, s.xi, double(int(s.profile)), s.decay_x, double(na)});
    } else if (s.kind == Interference::hard_disk) {
      const double eta = M_PI * s.a * s.a * s.b, pp = 7.0 / 3.0 - 4.0 * std::sqrt(3.0) / M_PI;
      const double num = 1.0 + eta + 3.0 * pp * eta * eta - pp * eta * eta * eta;
      const double c0 = -num / std::pow(1.0 - eta, 3);
      const double s2 = 3.0 * eta * eta / 8.0 * (8.0 * (1.0 - 2.0 * pp) + (25.0 - 9.0 * pp) * pp * eta - (7.0 - 3.0 * pp) * pp * eta * eta) / num;
      const int order = int(std::min<double>(kMaxGL, std::ceil(std::max(qpar_max, 5.0 / s.a) * s.a + 16)));
      set({s.a, s.b, eta, c0, s2, double(order)});
    } else if (s.kind == Interference::paracrystal2d) {
      set({s.a, s.b, s.alpha, s.xi, s.damping_length, s.domain1, s.domain2, double(int(s.pdf1)), s.w1x, s.w1y, s.g1,
           double(int(s.pdf2)), s.w2x, s.w2y, s.g2});
    } else if (s.kind == Interference::lattice2d) {
      // reciprocal basis of the lattice with a along x (BornAgain BasicLattice2D)
      const double ax = s.a, ay = 0, bx = s.b * std::cos(s.alpha), by = s.b * std::sin(s.alpha);
      const double area = std::fabs(ax * by - ay * bx);
      const double f = 2 * M_PI / (ax * by - ay * bx);
      const double asx = f * by, asy = -f * bx, bsx = -f * ay, bsy = f * ax;
      // bounding reciprocal coordinates of the ellipse of half-axes 20/omega (rotated by gamma)
      const double qX = 20 / s.decay_x, qY = 20 / s.decay_y;
      const double cg = std::cos(s.gamma), sg = std::sin(s.gamma);
      const double ex = std::hypot(qX * cg, qY * sg), ey = std::hypot(qX * sg, qY * cg);
      const double na = std::fabs(s.a / (2 * M_PI) * ex) + std::fabs(s.a / (2 * M_PI) * ey);
      const double nb = std::fabs(s.b / (2 * M_PI) * ex) + std::fabs(s.b / (2 * M_PI) * ey);
      set({asx, asy, bsx, bsy, s.xi, double(int(s.profile)), s.decay_x, s.decay_y, s.gamma, 1.0 / area,
           double(std::max(4L, std::lround(na + 0.5))), double(std::max(4L, std::lround(nb + 0.5))), s.a, s.b, s.alpha});
    }
    return d;
  }

private:
  template <class T> static std::vector<Real> convert(const std::vector<T>& v) { return std::vector<Real>(v.begin(), v.end()); }
  /// Device copy of v (converted to Real for double input).
  template <class T, class U = std::conditional_t<std::is_same_v<T, double>, Real, T>>
  static View1<U, Mem> upload(const std::vector<T>& v, const char* name) {
    using T_ = U;
    View1<T_, Mem> d(Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string("beamkit::scattering::") + name),
                    std::max<std::size_t>(1, v.size()));
    auto h = Kokkos::create_mirror_view(d);
    for (std::size_t i = 0; i < v.size(); ++i) h(i) = T_(v[i]);
    Kokkos::deep_copy(d, h);
    if (v.empty()) return View1<T_, Mem>(std::string("beamkit::scattering::") + name, 0);
    return d;
  }

  Config m_cfg;
  PixelGrid m_grid;
  View1<LayerData<Real>, Mem> m_layers;
  View1<ParticleData<Real>, Mem> m_parts;
  View1<LayoutData<Real>, Mem> m_layouts;
  View1<Real, Mem> m_glx, m_glw, m_mesh_v, m_alpha, m_weight, m_qx, m_qy;
  View1<int, Mem> m_mesh_t, m_alpha_index, m_part_layout;
  int m_ztab_width = 0;
  View1<Real, Mem> m_alpha_unique;
};

/// Simulate a configuration on the default execution space; image as double, row-major (rows x cols).
std::vector<double> simulate(const Config& c, int* rows, int* cols);

}  // namespace beamkit::scattering
