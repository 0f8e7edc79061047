// SPDX-License-Identifier: BSD-3-Clause
// Host fast path of the back-projector's inner loop on AVX2 CPUs: no gathers.
//
// Along an image row the detector position u(c) = u0 + c ax moves by |ax| <= 1 bin per pixel, so the
// 8 pixels of a vector touch at most 8 consecutive bins d..d+7 (and their right neighbours). Two
// unaligned 8-float loads of the sinogram row at d and d + 1 and two in-register permutes (vpermps)
// then give every lane its two taps. On Zen 3 this replaces 16 emulated gather loads (GCC does not
// emit vgather there: it is slower than scalar loads) by 2 loads + 2 permutes per angle and vector.
// Blocks where the guarantee does not hold (a span above 7 bins after rounding, the window running
// past the row's end) fall back to the portable scalar formula, which gives the same values.
// Device builds and non-AVX2 hosts never include the intrinsics: `available` is false there.
#pragma once
#include <beamkit/core/kokkos_compat.hpp>
#include <algorithm>
#include <cmath>
#if defined(__AVX2__) && defined(__FMA__) && !defined(__CUDA_ARCH__) && !defined(__HIP_DEVICE_COMPILE__)
#include <immintrin.h>
#define BEAMKIT_BACKPROJECT_AVX2 1
#else
#define BEAMKIT_BACKPROJECT_AVX2 0
#endif

namespace beamkit::tomo::detail::simd_bp {

constexpr bool available = BEAMKIT_BACKPROJECT_AVX2 != 0;

/// Weights of the two taps at fraction f: linear interpolation, or the matched projector's tent of
/// half-width w (inv_w = 1/w) and height 1/w (projector.hpp's Taps, repeated here in scalar form).
template <bool Matched> inline float tap_value(float lo, float hi, float f, float inv_w) {
  if (Matched) {
    const float w0 = std::max(0.0f, 1.0f - f * inv_w) * inv_w, w1 = std::max(0.0f, 1.0f - (1.0f - f) * inv_w) * inv_w;
    return w0 * lo + w1 * hi;
  }
  return lo + f * (hi - lo);
}

namespace impl {
/// The scalar formula for pixel c: sum over the G angles of the two-tap value of rows[q] at u0[q] + c ax[q].
template <int G, bool Matched>
inline float pixel_sum(const float* const* rows, const float* u0, const float* ax, const float* inv_w, int c) {
  float sum = 0;
  for (int q = 0; q < G; ++q) {
    const float u = u0[q] + float(c) * ax[q];
    const int d0 = int(u);
    sum += tap_value<Matched>(rows[q][d0], rows[q][d0 + 1], u - float(d0), inv_w[q]);
  }
  return sum;
}

#if BEAMKIT_BACKPROJECT_AVX2
/// acc + the two-tap value of the lanes' taps lo, hi at fraction f: tap_value in vector form.
template <bool Matched> inline __m256 add_taps(__m256 acc, __m256 lo, __m256 hi, __m256 f, float inv_w) {
  if (Matched) {  // w0 = max(0, 1 - f iw) iw, w1 = max(0, 1 - (1 - f) iw) iw
    const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps(), iw = _mm256_set1_ps(inv_w);
    const __m256 w0 = _mm256_mul_ps(_mm256_max_ps(zero, _mm256_fnmadd_ps(f, iw, one)), iw);
    const __m256 w1 = _mm256_mul_ps(_mm256_max_ps(zero, _mm256_fnmadd_ps(_mm256_sub_ps(one, f), iw, one)), iw);
    return _mm256_add_ps(acc, _mm256_fmadd_ps(w0, lo, _mm256_mul_ps(w1, hi)));
  }
  return _mm256_add_ps(acc, _mm256_fmadd_ps(f, _mm256_sub_ps(hi, lo), lo));
}
#endif
}  // namespace impl

/// pp[c] += sum over the G angles q of the two-tap value of rows[q] at u0[q] + c ax[q], for c in
/// [b0, b1). Every tap must lie inside its row (the caller's safe range), and |ax[q]| <= 1.
template <int G, bool Matched>
inline void accumulate(float* pp, const float* const* rows, const float* u0, const float* ax, const float* inv_w,
                       int b0, int b1, int ndet) {
  int c = b0;
#if BEAMKIT_BACKPROJECT_AVX2
  const __m256 iota = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7);
  for (; c + 8 <= b1; c += 8) {
    const __m256 cf = _mm256_add_ps(_mm256_set1_ps(float(c)), iota);
    __m256 acc = _mm256_setzero_ps();
    bool ok = true;
    for (int q = 0; q < G && ok; ++q) {
      const __m256 u = _mm256_fmadd_ps(cf, _mm256_set1_ps(ax[q]), _mm256_set1_ps(u0[q]));
      const __m256i d = _mm256_cvttps_epi32(u);  // u >= 0 in the safe range: truncation = floor
      const int d_first = _mm256_cvtsi256_si32(d), d_last = _mm256_extract_epi32(d, 7);
      const int base = d_first < d_last ? d_first : d_last, span = d_first < d_last ? d_last - d_first : d_first - d_last;
      if (span > 7 || base + 8 > ndet - 1) {
        ok = false;
        break;
      }
      const __m256i k = _mm256_sub_epi32(d, _mm256_set1_epi32(base));
      const __m256 lo = _mm256_permutevar8x32_ps(_mm256_loadu_ps(rows[q] + base), k);
      const __m256 hi = _mm256_permutevar8x32_ps(_mm256_loadu_ps(rows[q] + base + 1), k);
      const __m256 f = _mm256_sub_ps(u, _mm256_cvtepi32_ps(d));
      acc = impl::add_taps<Matched>(acc, lo, hi, f, inv_w[q]);
    }
    if (ok) {
      _mm256_storeu_ps(pp + c, _mm256_add_ps(_mm256_loadu_ps(pp + c), acc));
      continue;
    }
    // the portable formula for this block
    for (int i = c; i < c + 8; ++i) pp[i] += impl::pixel_sum<G, Matched>(rows, u0, ax, inv_w, i);
  }
#endif
  for (; c < b1; ++c) pp[c] += impl::pixel_sum<G, Matched>(rows, u0, ax, inv_w, c);
}

/// Whether the 8 lanes' floors span at most 7 bins for step ax on a row of ndet bins: their positions
/// differ by 7 |ax| up to two roundings of numbers below ndet (each <= ndet 2^-24); 4x margin.
inline bool fast_step(float ax, int ndet) { return 7.0 * std::fabs(double(ax)) + 4.8e-7 * double(ndet) < 7.0; }

/// accumulate() without its per-vector guards, for the bulk of the work: ~40% fewer instructions per
/// angle and vector (no lane extraction, scalar span/end tests or branch; the window base is lane 0's tap,
/// or lane 7's for ax < 0, broadcast by a permute). The caller guarantees what the guards test:
///   * every tap inside its row on [b0, b1) (the safe range, as for accumulate);
///   * fast_step(ax[q], ndet): the 8 lanes' floors span at most 7 bins;
///   * 7 floats readable past the end of every row (the window may run that far past the last tap;
///     lanes never select those values).
/// A range of 8 or more pixels ends with one vector overlapping the previous one, its repeated lanes
/// masked to 0, instead of a scalar tail.
template <int G, bool Matched>
inline void accumulate_fast(float* pp, const float* const* rows, const float* u0, const float* ax, const float* inv_w,
                            int b0, int b1) {
  int c = b0;
#if BEAMKIT_BACKPROJECT_AVX2
  const __m256 iota = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7);
  __m256i low_lane[G];
  for (int q = 0; q < G; ++q) low_lane[q] = _mm256_set1_epi32(ax[q] >= 0 ? 0 : 7);
  for (; c < b1; c += 8) {
    int skip = 0;  // lanes [0, skip) of this vector were added by the previous one
    if (c + 8 > b1) {
      if (b1 - b0 < 8) break;
      skip = c - (b1 - 8);
      c = b1 - 8;
    }
    const __m256 cf = _mm256_add_ps(_mm256_set1_ps(float(c)), iota);
    __m256 acc = _mm256_setzero_ps();
    for (int q = 0; q < G; ++q) {
      const __m256 u = _mm256_fmadd_ps(cf, _mm256_set1_ps(ax[q]), _mm256_set1_ps(u0[q]));
      const __m256i d = _mm256_cvttps_epi32(u);  // u >= 0 in the safe range: truncation = floor
      const __m256i base_v = _mm256_permutevar8x32_epi32(d, low_lane[q]);
      const int base = _mm256_cvtsi256_si32(base_v);
      const __m256i k = _mm256_sub_epi32(d, base_v);
      const __m256 lo = _mm256_permutevar8x32_ps(_mm256_loadu_ps(rows[q] + base), k);
      const __m256 hi = _mm256_permutevar8x32_ps(_mm256_loadu_ps(rows[q] + base + 1), k);
      const __m256 f = _mm256_sub_ps(u, _mm256_cvtepi32_ps(d));
      acc = impl::add_taps<Matched>(acc, lo, hi, f, inv_w[q]);
    }
    if (skip > 0)  // keep lanes >= skip
      acc = _mm256_and_ps(acc, _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                                                      _mm256_set1_epi32(skip - 1))));
    _mm256_storeu_ps(pp + c, _mm256_add_ps(_mm256_loadu_ps(pp + c), acc));
    if (skip > 0) {
      c = b1;
      break;
    }
  }
#endif
  for (; c < b1; ++c) pp[c] += impl::pixel_sum<G, Matched>(rows, u0, ax, inv_w, c);
}

}  // namespace beamkit::tomo::detail::simd_bp
