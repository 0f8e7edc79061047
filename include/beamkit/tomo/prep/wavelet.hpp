// SPDX-License-Identifier: BSD-3-Clause
// Orthogonal wavelets and the separable 2-D discrete wavelet transform of a batch of images, with
// PyWavelets' conventions (what TomoPy's remove_stripe_fw is written against):
//   * filters: Daubechies db1..db10 ("haar" = db1) and symlets sym2..sym10 (detail/wavelet_tables.hpp);
//   * 'symmetric' extension (half-sample reflection: ... x1 x0 | x0 x1 ... x_{n-1} | x_{n-1} ...);
//   * 1-D analysis of length n with an L-tap filter gives m = (n + L - 1) / 2 coefficients
//     c[o] = sum_j f[j] x[2o + 1 - j]; synthesis of m coefficients gives 2m - L + 2 samples
//     y[o] = sum_k a[k] rec_lo[o + L - 2 - 2k] + d[k] rec_hi[o + L - 2 - 2k];
//   * 2-D: axis 1 (rows of the image, H) and axis 2 (W) of a [B][H][W] View; the four sub-bands are
//     named as pywt.dwt2: cA (low, low), cH (detail along H), cV (detail along W), cD (detail, detail).
#pragma once
#include <beamkit/core/error.hpp>
#include <beamkit/core/types.hpp>
#include <beamkit/tomo/prep/detail/select.hpp>
#include <beamkit/tomo/prep/detail/wavelet_tables.hpp>
#include <string>
#include <vector>

namespace beamkit::tomo {

/// The four filters of an orthogonal wavelet (host copy).
struct Wavelet {
  std::string name;
  std::vector<double> dec_lo, dec_hi, rec_lo, rec_hi;
  int length() const { return int(rec_lo.size()); }
};

/// Names wavelet() accepts.
inline std::vector<std::string> wavelet_names() {
  int count = 0;
  const auto* t = detail::wavelet_tables(count);
  std::vector<std::string> names{"haar"};
  for (int i = 0; i < count; ++i) names.push_back(t[i].name);
  return names;
}

/// The wavelet called `name` ("haar", "db1".."db10", "sym2".."sym10").
inline Wavelet wavelet(const std::string& name, const char* where = "beamkit::tomo::wavelet") {
  const std::string key = name == "haar" ? "db1" : name;
  int count = 0;
  const auto* t = detail::wavelet_tables(count);
  for (int i = 0; i < count; ++i) {
    if (key != t[i].name) continue;
    Wavelet w;
    w.name = name;
    const int L = t[i].length;
    w.rec_lo.assign(t[i].h, t[i].h + L);
    w.dec_lo.assign(w.rec_lo.rbegin(), w.rec_lo.rend());
    w.rec_hi.resize(L);
    for (int k = 0; k < L; ++k) w.rec_hi[k] = (k % 2 ? -1.0 : 1.0) * w.rec_lo[L - 1 - k];
    w.dec_hi.assign(w.rec_hi.rbegin(), w.rec_hi.rend());
    return w;
  }
  std::string list;
  for (const auto& s : wavelet_names()) list += (list.empty() ? "" : ", ") + s;
  fail(errc::invalid_argument, where, cat("unknown wavelet (argument 'wname') '", name, "'; choose from ", list));
}

/// Coefficients per axis after one analysis step of a length-n signal.
inline int dwt_length(int n, int filter_length) { return (n + filter_length - 1) / 2; }
/// Samples after one synthesis step of m coefficients.
inline int idwt_length(int m, int filter_length) { return 2 * m - filter_length + 2; }

/// The four sub-bands of one 2-D analysis step, each [B][mh][mw].
template <class Real, class Mem> struct Dwt2Bands {
  View3<Real, Mem> cA, cH, cV, cD;
};

/// The wavelet's filters on a memory space: rows dec_lo, dec_hi, rec_lo, rec_hi.
template <class Real, class Mem> View2<Real, Mem> wavelet_filters(const Wavelet& w) {
  View2<Real, Mem> f("beamkit::tomo::wavelet_filters", 4, w.length());
  auto h = Kokkos::create_mirror_view(f);
  for (int k = 0; k < w.length(); ++k) {
    h(0, k) = Real(w.dec_lo[k]);
    h(1, k) = Real(w.dec_hi[k]);
    h(2, k) = Real(w.rec_lo[k]);
    h(3, k) = Real(w.rec_hi[k]);
  }
  Kokkos::deep_copy(f, h);
  return f;
}

/// One 2-D analysis step of every image x(b, :, :) (float sums in Real's accumulator type).
template <class ExecSpace, class XView, class Real = typename XView::non_const_value_type>
Dwt2Bands<Real, typename ExecSpace::memory_space> dwt2(const ExecSpace& space, const XView& x,
                                                       const View2<Real, typename ExecSpace::memory_space>& filt) {
  using Mem = typename ExecSpace::memory_space;
  using Acc = accum_t<Real>;
  const int B = int(x.extent(0)), H = int(x.extent(1)), W = int(x.extent(2)), L = int(filt.extent(1));
  const int mh = dwt_length(H, L), mw = dwt_length(W, L);
  // Pass 1 along W: lo and hi halves side by side in one [B][H][2*mw] buffer.
  View3<Real, Mem> t(Kokkos::view_alloc(space, Kokkos::WithoutInitializing, "beamkit::tomo::dwt2_rows"), B, H, 2 * mw);
  Kokkos::parallel_for("beamkit::tomo::dwt2_w", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(space, {0, 0, 0}, {B, H, mw}),
                       KOKKOS_LAMBDA(const int b, const int i, const int o) {
                         Acc lo = 0, hi = 0;
                         for (int j = 0; j < L; ++j) {
                           const Acc v = x(b, i, detail::reflect_index(2 * o + 1 - j, W));
                           lo += Acc(filt(0, j)) * v;
                           hi += Acc(filt(1, j)) * v;
                         }
                         t(b, i, o) = Real(lo);
                         t(b, i, mw + o) = Real(hi);
                       });
  Dwt2Bands<Real, Mem> r;
  r.cA = View3<Real, Mem>(Kokkos::view_alloc(space, Kokkos::WithoutInitializing, "beamkit::tomo::dwt2_cA"), B, mh, mw);
  r.cH = View3<Real, Mem>(Kokkos::view_alloc(space, Kokkos::WithoutInitializing, "beamkit::tomo::dwt2_cH"), B, mh, mw);
  r.cV = View3<Real, Mem>(Kokkos::view_alloc(space, Kokkos::WithoutInitializing, "beamkit::tomo::dwt2_cV"), B, mh, mw);
  r.cD = View3<Real, Mem>(Kokkos::view_alloc(space, Kokkos::WithoutInitializing, "beamkit::tomo::dwt2_cD"), B, mh, mw);
  auto cA = r.cA, cH = r.cH, cV = r.cV, cD = r.cD;
  Kokkos::parallel_for("beamkit::tomo::dwt2_h", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(space, {0, 0, 0}, {B, mh, mw}),
                       KOKKOS_LAMBDA(const int b, const int o, const int c) {
                         Acc aa = 0, da = 0, ad = 0, dd = 0;
                         for (int j = 0; j < L; ++j) {
                           const int i = detail::reflect_index(2 * o + 1 - j, H);
                           const Acc lo = t(b, i, c), hi = t(b, i, mw + c);
                           aa += Acc(filt(0, j)) * lo;
                           da += Acc(filt(1, j)) * lo;
                           ad += Acc(filt(0, j)) * hi;
                           dd += Acc(filt(1, j)) * hi;
                         }
                         cA(b, o, c) = Real(aa);
                         cH(b, o, c) = Real(da);
                         cV(b, o, c) = Real(ad);
                         cD(b, o, c) = Real(dd);
                       });
  return r;
}

/// One 2-D synthesis step: bands [B][kh][kw] (cA may be larger: only its first kh x kw block is used,
/// as TomoPy crops it) -> [B][2kh - L + 2][2kw - L + 2].
template <class ExecSpace, class Real>
View3<Real, typename ExecSpace::memory_space> idwt2(const ExecSpace& space, const Dwt2Bands<Real, typename ExecSpace::memory_space>& bands,
                                                    const View2<Real, typename ExecSpace::memory_space>& filt) {
  using Mem = typename ExecSpace::memory_space;
  using Acc = accum_t<Real>;
  const int B = int(bands.cH.extent(0)), kh = int(bands.cH.extent(1)), kw = int(bands.cH.extent(2));
  const int L = int(filt.extent(1));
  check::require(bands.cA.extent(1) >= std::size_t(kh) && bands.cA.extent(2) >= std::size_t(kw), "beamkit::tomo::idwt2",
                 "the approximation band is smaller than the detail bands");
  const int nh = idwt_length(kh, L), nw = idwt_length(kw, L);
  auto cA = bands.cA, cH = bands.cH, cV = bands.cV, cD = bands.cD;
  // Pass 1 along H: low (from cA, cH) and high (from cV, cD) halves in one [B][nh][2*kw] buffer.
  View3<Real, Mem> t(Kokkos::view_alloc(space, Kokkos::WithoutInitializing, "beamkit::tomo::idwt2_cols"), B, nh, 2 * kw);
  Kokkos::parallel_for("beamkit::tomo::idwt2_h", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(space, {0, 0, 0}, {B, nh, kw}),
                       KOKKOS_LAMBDA(const int b, const int o, const int c) {
                         const int n = o + L - 2;
                         int k0 = (n - L + 2) / 2;  // smallest k with n - 2k <= L - 1
                         if (k0 < 0) k0 = 0;
                         int k1 = n / 2;
                         if (k1 > kh - 1) k1 = kh - 1;
                         Acc lo = 0, hi = 0;
                         for (int k = k0; k <= k1; ++k) {
                           const int j = n - 2 * k;
                           lo += Acc(cA(b, k, c)) * Acc(filt(2, j)) + Acc(cH(b, k, c)) * Acc(filt(3, j));
                           hi += Acc(cV(b, k, c)) * Acc(filt(2, j)) + Acc(cD(b, k, c)) * Acc(filt(3, j));
                         }
                         t(b, o, c) = Real(lo);
                         t(b, o, kw + c) = Real(hi);
                       });
  View3<Real, Mem> y(Kokkos::view_alloc(space, Kokkos::WithoutInitializing, "beamkit::tomo::idwt2"), B, nh, nw);
  Kokkos::parallel_for("beamkit::tomo::idwt2_w", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(space, {0, 0, 0}, {B, nh, nw}),
                       KOKKOS_LAMBDA(const int b, const int r, const int o) {
                         const int n = o + L - 2;
                         int k0 = (n - L + 2) / 2;
                         if (k0 < 0) k0 = 0;
                         int k1 = n / 2;
                         if (k1 > kw - 1) k1 = kw - 1;
                         Acc acc = 0;
                         for (int k = k0; k <= k1; ++k) {
                           const int j = n - 2 * k;
                           acc += Acc(t(b, r, k)) * Acc(filt(2, j)) + Acc(t(b, r, kw + k)) * Acc(filt(3, j));
                         }
                         y(b, r, o) = Real(acc);
                       });
  return y;
}

}  // namespace beamkit::tomo
