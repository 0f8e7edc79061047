// SPDX-License-Identifier: BSD-3-Clause
// Single-distance phase retrieval after D. Paganin et al., J. Microsc. 206, 33 (2002), with TomoPy's
// retrieve_phase conventions (pixel_size and dist in cm, energy in keV; the version whose output is in
// TomoPy's test vectors):
//   lambda = 2 pi hbar c / E;  each projection [S][n] is padded (when `pad`) to Ny x Nz = the next
//   powers of two of dim + ceil(pi lambda dist / pixel_size^2), centred, edge values replicated;
//   its 2-D FFT is multiplied by H / max(H), H = 1 / (lambda dist |w|^2 / (4 pi) + alpha), on the
//   grid w = (-(N-1) .. N-1 step 2) / (2 (N-1) pixel_size) per axis (fftshifted), the inverse
//   transform's real part cropped back. The result is the low-pass filtered intensity (no log):
//   follow it with minus_log for a thickness-like quantity.
// Acts on whole projections, so a chunk of slices changes the result near its top and bottom:
// callers that work chunk by chunk read phase_halo() extra slices on each side.
#pragma once
#include <beamkit/core/error.hpp>
#include <beamkit/core/types.hpp>
#include <beamkit/fft/plan.hpp>
#include <beamkit/tomo/prep/detail/select.hpp>
#include <cmath>

namespace beamkit::tomo {

struct PhaseOptions {
  double pixel_size = 1e-4;  ///< cm
  double dist = 50;          ///< cm
  double energy = 20;        ///< keV
  double alpha = 1e-3;       ///< regularisation
  bool pad = true;
  int batch = 8;             ///< projections per FFT batch (memory: batch * Ny * Nz complex values)
};

namespace detail {
constexpr double tomopy_pi = 3.14159265359;  // TomoPy's rounded constants, kept for agreement
inline double xray_wavelength_cm(double energy_kev) {
  return 2 * tomopy_pi * 6.58211928e-19 * 299792458e+2 / energy_kev;
}
inline int phase_pad_width(int dim, double pixel_size, double wavelength, double dist) {
  const double pad_pix = std::ceil(tomopy_pi * wavelength * dist / (pixel_size * pixel_size));
  return int((std::pow(2.0, std::ceil(std::log2(dim + pad_pix))) - dim) * 0.5);
}
inline void check_phase(const PhaseOptions& o, const char* where) {
  check::positive(o.pixel_size, where, "pixel_size");
  check::positive(o.dist, where, "dist");
  check::positive(o.energy, where, "energy");
  check::positive(o.alpha, where, "alpha");
  check::finite(o.pixel_size, where, "pixel_size");
  check::finite(o.dist, where, "dist");
  check::finite(o.energy, where, "energy");
  check::finite(o.alpha, where, "alpha");
  check::require(o.batch >= 1, where, cat("argument 'batch' must be >= 1, got ", o.batch));
}
}  // namespace detail

/// Slices of context a chunk needs on each side so that its interior matches the whole-volume
/// result to ~1e-3 of the signal: 8 decay lengths of the filter's real-space kernel (at least 1).
inline int phase_halo(const PhaseOptions& o) {
  detail::check_phase(o, "beamkit::tomo::phase_halo");
  const double lam = detail::xray_wavelength_cm(o.energy);
  // H ~ 1 / (1 + (2 pi l)^2 u^2) in cycles u: kernel ~ exp(-|x| / l), l = sqrt(lambda dist / (4 pi alpha)) / (2 pi)
  const double l_pix = std::sqrt(lam * o.dist / (4 * detail::tomopy_pi * o.alpha)) / (2 * detail::tomopy_pi) / o.pixel_size;
  return std::max(1, int(std::ceil(8 * l_pix)));
}

/// In place on proj [n_angles][n_slices][n_det]: the filter applied to every projection.
template <class ExecSpace, class ProjView>
void retrieve_phase(const ExecSpace& space, const ProjView& proj, const PhaseOptions& opt = {}) {
  using Real = typename ProjView::non_const_value_type;
  using Mem = typename ExecSpace::memory_space;
  using C = Kokkos::complex<Real>;
  static_assert(ProjView::rank == 3, "beamkit::tomo::retrieve_phase: rank-3 view");
  constexpr const char* where = "beamkit::tomo::retrieve_phase";
  detail::check_phase(opt, where);
  const int P = int(proj.extent(0)), S = int(proj.extent(1)), n = int(proj.extent(2));
  check::require(P > 0 && S > 0 && n > 0, where, "argument 'tomo' is empty");
  const double lam = detail::xray_wavelength_cm(opt.energy);
  const int py = opt.pad ? detail::phase_pad_width(S, opt.pixel_size, lam, opt.dist) : 0;
  const int pz = opt.pad ? detail::phase_pad_width(n, opt.pixel_size, lam, opt.dist) : 0;
  const int Ny = S + 2 * py, Nz = n + 2 * pz, Nh = Nz / 2 + 1;
  check::require(double(Ny) * double(Nz) < 2e9, where, cat("padded projection ", Ny, " x ", Nz, " is too large"));
  // Filter on the r2c half grid, symmetrised over (k, -k) (the real part of TomoPy's complex result).
  View2<Real, Mem> filt(Kokkos::view_alloc(space, Kokkos::WithoutInitializing, "beamkit::tomo::phase_filter"), Ny, Nh);
  {
    auto coord = [&](int N) {  // TomoPy's float32 reciprocal coordinates, squared, in unshifted order
      std::vector<double> c2(N);
      const int m = N - 1;
      for (int k = 0; k < N; ++k) {
        const int i = ((k - N / 2) % N + N) % N;  // fftshift(F)[k] = F[(k - N/2) mod N]
        float rc = float(-m + 2 * i);
        rc *= float(0.5 / (m > 0 ? m * opt.pixel_size : opt.pixel_size));
        c2[k] = double(rc) * double(rc);
      }
      return c2;
    };
    const auto cy = coord(Ny), cz = coord(Nz);
    auto H = [&](int ky, int kz) { return 1.0 / (lam * opt.dist * (cy[ky] + cz[kz]) / (4 * detail::tomopy_pi) + opt.alpha); };
    double hmax = 0;
    for (int i = 0; i < Ny; ++i)
      for (int j = 0; j < Nz; ++j) hmax = std::max(hmax, H(i, j));
    auto fh = Kokkos::create_mirror_view(filt);
    for (int i = 0; i < Ny; ++i)
      for (int j = 0; j < Nh; ++j) fh(i, j) = Real(0.5 * (H(i, j) + H((Ny - i) % Ny, (Nz - j) % Nz)) / hmax);
    Kokkos::deep_copy(filt, fh);  // synchronous: fh dies with this scope
  }
  const int nb = std::min(opt.batch, P);
  View3<Real, Mem> img(Kokkos::view_alloc(space, Kokkos::WithoutInitializing, "beamkit::tomo::phase_img"), nb, Ny, Nz);
  View3<C, Mem> spec(Kokkos::view_alloc(space, Kokkos::WithoutInitializing, "beamkit::tomo::phase_spec"), nb, Ny, Nh);
  fft::Plan<ExecSpace, Real> fwd(space, fft::Kind::r2c, {Ny, Nz}, nb), bwd(space, fft::Kind::c2r, {Ny, Nz}, nb);
  for (int a0 = 0; a0 < P; a0 += nb) {
    const int cnt = std::min(nb, P - a0);
    Kokkos::parallel_for("beamkit::tomo::phase_pad", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(space, {0, 0, 0}, {nb, Ny, Nz}),
                         KOKKOS_LAMBDA(const int b, const int i, const int j) {
                           const int a = a0 + (b < cnt ? b : 0);  // a short last batch repeats a valid projection
                           img(b, i, j) = proj(a, detail::clamp_index(i - py, S), detail::clamp_index(j - pz, n));
                         });
    fwd.forward(img, spec);
    Kokkos::parallel_for("beamkit::tomo::phase_filter_apply", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(space, {0, 0, 0}, {nb, Ny, Nh}),
                         KOKKOS_LAMBDA(const int b, const int i, const int j) { spec(b, i, j) *= filt(i, j); });
    bwd.backward(spec, img, fft::Scale::by_n);
    Kokkos::parallel_for("beamkit::tomo::phase_crop", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(space, {0, 0, 0}, {cnt, S, n}),
                         KOKKOS_LAMBDA(const int b, const int s, const int d) { proj(a0 + b, s, d) = img(b, py + s, pz + d); });
  }
  space.fence();
}

}  // namespace beamkit::tomo
