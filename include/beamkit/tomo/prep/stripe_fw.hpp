// SPDX-License-Identifier: BSD-3-Clause
// Ring-artifact (stripe) removal by the combined wavelet-Fourier filter of B. Muench, P. Trtik,
// F. Marone, M. Stampanoni, Opt. Express 17, 8567 (2009), as TomoPy's remove_stripe_fw:
//   every sinogram [n_angles][n_det] (zero-padded by n_angles/8 rows when `pad`, split evenly above and
//   below) is decomposed `level` times by the 2-D DWT; each vertical-detail band cV (detail across the
//   detector, where stripes constant in angle live) is Fourier transformed along the angle axis and
//   multiplied by 1 - exp(-y^2 / (2 sigma^2)), y = (2i + 1 - m) / 2 the fftshifted frequency index
//   (TomoPy's grid, which keeps half of the mean); the image is then re-synthesised and un-padded.
// Only the real part of TomoPy's complex inverse FFT is kept, which equals a real transform with the
// damping symmetrised over +/- frequency, so the FFT facade's r2c/c2r pair is used.
// Whole sinograms are needed: a chunk of slices [P][S][n] with all angles is exactly what it takes.
#pragma once
#include <beamkit/core/error.hpp>
#include <beamkit/core/types.hpp>
#include <beamkit/fft/plan.hpp>
#include <beamkit/tomo/prep/wavelet.hpp>
#include <cmath>
#include <string>
#include <vector>

namespace beamkit::tomo {

struct StripeFwOptions {
  int level = 0;             ///< DWT levels; 0: ceil(log2(max(n_angles, n_slices, n_det))) as TomoPy
  std::string wname = "db5";
  double sigma = 2;          ///< damping width in Fourier space (frequency samples)
  bool pad = true;           ///< zero-pad the angle axis by n_angles / 8
};

/// The level TomoPy chooses for an array of this shape.
inline int stripe_fw_default_level(int n0, int n1, int n2) {
  const int m = std::max(n0, std::max(n1, n2));
  return int(std::ceil(std::log2(double(m))));
}

namespace detail {
/// Damp cV(b, :, c) along axis 1 in place: symmetrised TomoPy damping on the r2c half spectrum.
template <class ExecSpace, class Real>
void damp_vertical_band(const ExecSpace& space, const View3<Real, typename ExecSpace::memory_space>& cv, double sigma) {
  using Mem = typename ExecSpace::memory_space;
  const int B = int(cv.extent(0)), my = int(cv.extent(1)), mx = int(cv.extent(2));
  const int nh = my / 2 + 1;
  View3<Real, Mem> t(Kokkos::view_alloc(space, Kokkos::WithoutInitializing, "beamkit::tomo::stripe_fw_t"), B, mx, my);
  View3<Kokkos::complex<Real>, Mem> f(Kokkos::view_alloc(space, Kokkos::WithoutInitializing, "beamkit::tomo::stripe_fw_f"), B, mx, nh);
  View1<Real, Mem> damp(Kokkos::view_alloc(space, Kokkos::WithoutInitializing, "beamkit::tomo::stripe_fw_damp"), nh);
  auto dh = Kokkos::create_mirror_view(damp);
  auto d_shifted = [&](int i) {  // TomoPy's damping at position i of the fftshifted spectrum (float32 grid)
    const float y = (float(-my + 2 * i) + 1.0f) / 2.0f;
    return -std::expm1(-double(y) * double(y) / (2 * sigma * sigma));
  };
  for (int k = 0; k < nh; ++k) {  // unshifted k sits at shifted (k + my/2) mod my; -k likewise
    const double a = d_shifted((k + my / 2) % my), b = d_shifted(((my - k) % my + my / 2) % my);
    dh(k) = Real(0.5 * (a + b));
  }
  Kokkos::deep_copy(damp, dh);  // synchronous: dh dies with this scope
  Kokkos::parallel_for("beamkit::tomo::stripe_fw_transpose", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(space, {0, 0, 0}, {B, my, mx}),
                       KOKKOS_LAMBDA(const int b, const int i, const int c) { t(b, c, i) = cv(b, i, c); });
  fft::Plan<ExecSpace, Real> fwd(space, fft::Kind::r2c, {my}, B * mx), bwd(space, fft::Kind::c2r, {my}, B * mx);
  fwd.forward(t, f);
  Kokkos::parallel_for("beamkit::tomo::stripe_fw_damp", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(space, {0, 0, 0}, {B, mx, nh}),
                       KOKKOS_LAMBDA(const int b, const int c, const int k) { f(b, c, k) *= damp(k); });
  bwd.backward(f, t, fft::Scale::by_n);
  Kokkos::parallel_for("beamkit::tomo::stripe_fw_transpose_back", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(space, {0, 0, 0}, {B, my, mx}),
                       KOKKOS_LAMBDA(const int b, const int i, const int c) { cv(b, i, c) = t(b, c, i); });
}
}  // namespace detail

/// In place on proj [n_angles][n_slices][n_det]: Muench's filter on every sinogram.
template <class ExecSpace, class ProjView>
void remove_stripe_fw(const ExecSpace& space, const ProjView& proj, StripeFwOptions opt = {}) {
  using Real = typename ProjView::non_const_value_type;
  using Mem = typename ExecSpace::memory_space;
  static_assert(ProjView::rank == 3, "beamkit::tomo::remove_stripe_fw: rank-3 view");
  constexpr const char* where = "beamkit::tomo::remove_stripe_fw";
  const int P = int(proj.extent(0)), S = int(proj.extent(1)), n = int(proj.extent(2));
  check::require(P > 0 && S > 0 && n > 0, where, "argument 'tomo' is empty");
  if (opt.level == 0) opt.level = stripe_fw_default_level(P, S, n);
  check::require(opt.level >= 1 && opt.level <= 30, where, cat("argument 'level' must be in [1, 30], got ", opt.level));
  check::require(opt.sigma > 0 && std::isfinite(opt.sigma), where, cat("argument 'sigma' must be > 0, got ", opt.sigma));
  const Wavelet w = wavelet(opt.wname, where);
  const auto filt = wavelet_filters<Real, Mem>(w);
  const int nx = opt.pad ? P + P / 8 : P, xs = (nx - P) / 2;
  // sinograms as images [S][nx][n], zero padding rows
  View3<Real, Mem> x("beamkit::tomo::stripe_fw_sino", S, nx, n);
  Kokkos::parallel_for("beamkit::tomo::stripe_fw_load", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(space, {0, 0, 0}, {S, P, n}),
                       KOKKOS_LAMBDA(const int s, const int a, const int d) { x(s, xs + a, d) = proj(a, s, d); });
  std::vector<Dwt2Bands<Real, Mem>> bands;
  View3<Real, Mem> approx = x;
  for (int l = 0; l < opt.level; ++l) {
    bands.push_back(dwt2(space, approx, filt));
    approx = bands.back().cA;
  }
  for (auto& b : bands) detail::damp_vertical_band(space, b.cV, opt.sigma);
  for (int l = opt.level - 1; l >= 0; --l) {
    Dwt2Bands<Real, Mem> b = bands[l];
    b.cA = approx;  // the coarser reconstruction, cropped to the detail bands by idwt2
    approx = idwt2(space, b, filt);
  }
  auto y = approx;
  check::require(int(y.extent(1)) >= xs + P && int(y.extent(2)) >= n, where, "internal: reconstruction smaller than input");
  Kokkos::parallel_for("beamkit::tomo::stripe_fw_store", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(space, {0, 0, 0}, {P, S, n}),
                       KOKKOS_LAMBDA(const int a, const int s, const int d) { proj(a, s, d) = y(s, xs + a, d); });
  space.fence();
}

}  // namespace beamkit::tomo
