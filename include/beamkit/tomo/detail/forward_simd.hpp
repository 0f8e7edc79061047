// SPDX-License-Identifier: BSD-3-Clause
// Host fast path of the forward projector (Joseph) on AVX2 CPUs: no gathers.
//
// For one angle, line k of the image (a row, or a row of the transposed image for steep angles) is
// sampled by ray d at t = t_k + d dd, |dd| = 1/max(|cos|, |sin|) in [1, sqrt 2]. The 8 rays of a vector
// therefore sample one line at positions spanning at most 7 sqrt 2 < 9.9 pixels: their taps (floor t and
// floor t + 1) lie in 12 consecutive pixels. Two 8-float loads of the line (a 16-float window starting one
// pixel below the lowest tap) and, per tap, two in-register permutes (vpermps) and a blend give every
// lane its two pixel values: 2 loads + 4 permutes + 2 blends per 8 rays and line instead of 16 emulated
// gather loads (the back-projector's trick, detail/backproject_simd.hpp, turned around).
// Each vector of 8 rays keeps its sum in a register over a chunk of 32 lines (as the portable loop
// sums in Real over 32 lines), then adds it to a double accumulator.
// Blocks that meet the end of a line take a masked form of the same formula (floor instead of
// truncation, out-of-line taps weighted 0), which is exact for any t. Lines of fewer than 16 pixels are
// left to the portable loop (`usable`). Device builds and non-AVX2 hosts never include the intrinsics.
#pragma once
#include <beamkit/tomo/detail/backproject_simd.hpp>
#include <cmath>
#include <cstddef>

namespace beamkit::tomo::detail::simd_fp {

constexpr bool available = simd_bp::available;
constexpr int lines_per_chunk = 32;

/// Whether project() handles lines of n pixels (it needs a 16-pixel window inside the line).
inline bool usable(int n) { return n >= 16; }

#if BEAMKIT_BACKPROJECT_AVX2
namespace impl {
/// The two pixel values of every lane: window w = line[base .. base + 16), lane taps at k0 and k0 + 1
/// (both in [0, 16)).
inline void taps(__m256 w0, __m256 w1, __m256i k0, __m256& lo, __m256& hi) {
  const __m256i k1 = _mm256_add_epi32(k0, _mm256_set1_epi32(1));
  const __m256 m0 = _mm256_castsi256_ps(_mm256_slli_epi32(k0, 28));  // sign bit = (k >= 8)
  const __m256 m1 = _mm256_castsi256_ps(_mm256_slli_epi32(k1, 28));
  lo = _mm256_blendv_ps(_mm256_permutevar8x32_ps(w0, k0), _mm256_permutevar8x32_ps(w1, k0), m0);
  hi = _mm256_blendv_ps(_mm256_permutevar8x32_ps(w0, k1), _mm256_permutevar8x32_ps(w1, k1), m1);
}
/// taps() for a 24-float window w0 | w1 | w2 (indices k0, k0 + 1 in [0, 24)).
inline void taps24(__m256 w0, __m256 w1, __m256 w2, __m256i k0, __m256& lo, __m256& hi) {
  const __m256i k1 = _mm256_add_epi32(k0, _mm256_set1_epi32(1));
  auto pick = [&](__m256i k) {
    const __m256 b3 = _mm256_castsi256_ps(_mm256_slli_epi32(k, 28)), b4 = _mm256_castsi256_ps(_mm256_slli_epi32(k, 27));
    const __m256 a = _mm256_blendv_ps(_mm256_permutevar8x32_ps(w0, k), _mm256_permutevar8x32_ps(w1, k), b3);
    return _mm256_blendv_ps(a, _mm256_permutevar8x32_ps(w2, k), b4);
  };
  lo = pick(k0);
  hi = pick(k1);
}

/// The two pixel values of every lane from a W-float window (W = 16: taps(), W = 24: taps24()).
template <int W> inline void window_taps(const float* window, __m256i k0, __m256& lo, __m256& hi) {
  if constexpr (W == 16) {
    taps(_mm256_loadu_ps(window), _mm256_loadu_ps(window + 8), k0, lo, hi);
  } else {
    static_assert(W == 24, "windows of 16 or 24 floats");
    taps24(_mm256_loadu_ps(window), _mm256_loadu_ps(window + 8), _mm256_loadu_ps(window + 16), k0, lo, hi);
  }
}

/// The linear interpolation of `line` (n >= W pixels, taps outside counting 0) at the 8 lanes' t, whose
/// taps span fewer than W - 3 pixels (forward projection: 8 rays 1..1.41 pixels apart, W = 16; ART: 8 rays
/// 2..2.83 apart, W = 24); t_min: the lowest lane's t, computed exactly as the vector computes it; t_max
/// the highest. The caller has checked that some tap may lie in the line.
template <int W> inline __m256 interp_in_line(const float* line, int n, __m256 t, float t_min, float t_max) {
  const int fl_min = int(std::floor(t_min));
  if (t_min >= 1.0f && t_max < float(n) - 2.5f && fl_min + W - 1 <= n) {
    // every tap inside the line: truncation is floor, no masks. Window [fl_min - 1, fl_min - 1 + W): the
    // lanes' floors lie in [fl_min, fl_min + W - 3] (span < W - 3), so both taps are inside it.
    const int base = fl_min - 1;
    const __m256i i0 = _mm256_cvttps_epi32(t);
    const __m256 f = _mm256_sub_ps(t, _mm256_cvtepi32_ps(i0));
    __m256 lo, hi;
    window_taps<W>(line + base, _mm256_sub_epi32(i0, _mm256_set1_epi32(base)), lo, hi);
    return _mm256_fmadd_ps(f, _mm256_sub_ps(hi, lo), lo);
  }
  // A block meeting an end of the line: exact floor, the window clamped into the line, and taps outside
  // the line masked to 0. Lanes with a tap inside read it from the window: lo taps (0 <= i0 < n) have
  // i0 - base in [0, W), hi taps (-1 <= i0 < n - 1) i0 + 1 - base in [0, W). Other lanes read whatever
  // the low bits of their index pick, and are masked.
  int base = fl_min - 1;
  base = base < 0 ? 0 : base > n - W ? n - W : base;
  const __m256 fl = _mm256_floor_ps(t);
  const __m256i i0 = _mm256_cvttps_epi32(fl);
  const __m256 f = _mm256_sub_ps(t, fl);
  const __m256i ok0 = _mm256_and_si256(_mm256_cmpgt_epi32(i0, _mm256_set1_epi32(-1)), _mm256_cmpgt_epi32(_mm256_set1_epi32(n), i0));
  const __m256i ok1 = _mm256_and_si256(_mm256_cmpgt_epi32(i0, _mm256_set1_epi32(-2)), _mm256_cmpgt_epi32(_mm256_set1_epi32(n - 1), i0));
  __m256 lo, hi;
  window_taps<W>(line + base, _mm256_sub_epi32(i0, _mm256_set1_epi32(base)), lo, hi);
  lo = _mm256_and_ps(lo, _mm256_castsi256_ps(ok0));
  hi = _mm256_and_ps(hi, _mm256_castsi256_ps(ok1));
  return _mm256_fmadd_ps(f, _mm256_sub_ps(hi, lo), lo);
}
}  // namespace impl
#endif

#if BEAMKIT_BACKPROJECT_AVX2
namespace impl {
/// dst[j] += v[j] for the first min(count, 8) lanes (the last, partial vector of a run).
inline void add_lanes(float* dst, __m256 v, int count) {
  if (count >= 8) {
    _mm256_storeu_ps(dst, _mm256_add_ps(_mm256_loadu_ps(dst), v));
  } else {
    alignas(32) float tmp[8];
    _mm256_store_ps(tmp, v);
    for (int j = 0; j < count; ++j) dst[j] += tmp[j];
  }
}

/// sum += the interpolation of `line` (n pixels) at t = dv dd + tk for the 8 lanes (dv = d + lane);
/// t_min, t_max: the extreme lanes' t, computed exactly as the vector computes them.
inline __m256 line_taps(__m256 sum, const float* line, int n, __m256 t, float t_min, float t_max) {
  if (t_max < -1.5f || t_min > float(n) + 0.5f) return sum;  // no tap of these rays in the line
  return _mm256_add_ps(sum, interp_in_line<16>(line, n, t, t_min, t_max));
}
}  // namespace impl
#endif

/// out[d - d_begin] = weight * sum over lines k in [0, n_lines) of the linear interpolation of line k
/// (lines[k * n .. k * n + n)) at t = (t0 + k dk) + d dd, taps outside [0, n) counting 0, for the rays d
/// in [d_begin, d_end). Requires usable(n) and |dd| <= 1.5. Rays past d_end in the last vector are
/// computed and dropped (their positions are valid numbers, only never stored).
/// The lines are walked in order, `lines_per_pass` at a time for every vector of rays (contiguous
/// streams; walking one vector of rays down all lines would stride by the line length, which for
/// power-of-two sizes maps every line to the same cache sets), partial sums in a float buffer, added
/// to a double buffer every lines_per_chunk lines.
inline void project(float* out, const float* lines, int n, int n_lines, float t0, float dk, float dd, float weight,
                    int d_begin, int d_end) {
#if BEAMKIT_BACKPROJECT_AVX2
  constexpr int seg = 1024, lines_per_pass = 8;
  alignas(32) float part[seg];
  alignas(32) double acc[seg];
  const __m256 iota = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256 ddv = _mm256_set1_ps(dd);
  const int j_min = dd >= 0 ? 0 : 7;  // the lane with the smallest t
  for (int s0 = d_begin; s0 < d_end; s0 += seg) {
    const int s1 = s0 + seg < d_end ? s0 + seg : d_end, nv = (s1 - s0 + 7) / 8;
    for (int i = 0; i < nv * 8; ++i) acc[i] = 0;
    for (int k0 = 0; k0 < n_lines; k0 += lines_per_chunk) {
      const int k1 = k0 + lines_per_chunk < n_lines ? k0 + lines_per_chunk : n_lines;
      for (int i = 0; i < nv * 8; ++i) part[i] = 0;
      for (int kp = k0; kp < k1; kp += lines_per_pass) {
        const int m = kp + lines_per_pass < k1 ? lines_per_pass : k1 - kp;
        float tk[lines_per_pass];
        for (int j = 0; j < m; ++j) tk[j] = t0 + float(kp + j) * dk;
        const float* line0 = lines + std::size_t(kp) * std::size_t(n);
        for (int v = 0; v < nv; ++v) {
          const int d = s0 + 8 * v;
          const __m256 dv = _mm256_add_ps(_mm256_set1_ps(float(d)), iota);
          const float d_lo = float(d + j_min), d_hi = float(d + 7 - j_min);
          __m256 sum = _mm256_load_ps(part + 8 * v);
          // t is affine in the line, so its extremes over the pass are at the first or last line: if both
          // are inside the fast region, so is every line of the pass (the per-line checks are skipped)
          const float a_min = std::fma(d_lo, dd, tk[0]), a_max = std::fma(d_hi, dd, tk[0]);
          const float b_min = std::fma(d_lo, dd, tk[m - 1]), b_max = std::fma(d_hi, dd, tk[m - 1]);
          const float lo = a_min < b_min ? a_min : b_min, hi = a_max > b_max ? a_max : b_max;
          if (lo >= 1.0f && hi < float(n) - 2.5f && hi + 1.0f + 14.0f <= float(n) - 1.0f) {
            for (int j = 0; j < m; ++j) {
              const __m256 t = _mm256_fmadd_ps(dv, ddv, _mm256_set1_ps(tk[j]));
              const int base = int(std::fma(d_lo, dd, tk[j])) - 1;  // t >= 1: truncation = floor
              const __m256i i0 = _mm256_cvttps_epi32(t);
              const __m256 f = _mm256_sub_ps(t, _mm256_cvtepi32_ps(i0));
              const float* line = line0 + std::size_t(j) * std::size_t(n);
              __m256 lo_v, hi_v;
              impl::window_taps<16>(line + base, _mm256_sub_epi32(i0, _mm256_set1_epi32(base)), lo_v, hi_v);
              sum = _mm256_add_ps(sum, _mm256_fmadd_ps(f, _mm256_sub_ps(hi_v, lo_v), lo_v));
            }
            _mm256_store_ps(part + 8 * v, sum);
            continue;
          }
          for (int j = 0; j < m; ++j) {
            const __m256 t = _mm256_fmadd_ps(dv, ddv, _mm256_set1_ps(tk[j]));
            sum = impl::line_taps(sum, line0 + std::size_t(j) * std::size_t(n), n, t, std::fma(d_lo, dd, tk[j]),
                                  std::fma(d_hi, dd, tk[j]));
          }
          _mm256_store_ps(part + 8 * v, sum);
        }
      }
      for (int i = 0; i < nv * 8; ++i) acc[i] += double(part[i]);
    }
    for (int d = s0; d < s1; ++d) out[d - d_begin] = float(acc[d - s0] * double(weight));
  }
#else
  (void)out, (void)lines, (void)n, (void)n_lines, (void)t0, (void)dk, (void)dd, (void)weight, (void)d_begin, (void)d_end;
#endif
}

/// dst[c * n + r] = src[r * n + c] for r in [r0, r1), c in [c0, c1) (n x n images): the transposed copy
/// steep angles read. 8 x 8 blocks are transposed in registers (8 row loads, 24 unpack/shuffle/lane
/// permutes, 8 row stores); the ragged border element by element. The scalar loop GCC makes of the
/// plain copy (strided single-float loads and inserts) ran at ~2 GB/s, this one near L2 speed.
inline void transpose_tile(const float* src, float* dst, int n, int r0, int r1, int c0, int c1) {
  const std::size_t N = std::size_t(n);
  int rb = r0, cb = c0;  // the end of the 8-blocked part
#if BEAMKIT_BACKPROJECT_AVX2
  rb = r0 + (r1 - r0) / 8 * 8;
  cb = c0 + (c1 - c0) / 8 * 8;
  for (int r = r0; r < rb; r += 8)
    for (int c = c0; c < cb; c += 8) {
      const float* s = src + std::size_t(r) * N + std::size_t(c);
      __m256 a[8], t[8];
      for (int i = 0; i < 8; ++i) a[i] = _mm256_loadu_ps(s + std::size_t(i) * N);
      for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(a[i], a[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(a[i], a[i + 1]);
      }
      for (int i = 0; i < 8; i += 4) {
        a[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        a[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        a[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        a[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
      }
      float* d = dst + std::size_t(c) * N + std::size_t(r);
      for (int i = 0; i < 4; ++i) {
        _mm256_storeu_ps(d + std::size_t(i) * N, _mm256_permute2f128_ps(a[i], a[i + 4], 0x20));
        _mm256_storeu_ps(d + std::size_t(i + 4) * N, _mm256_permute2f128_ps(a[i], a[i + 4], 0x31));
      }
    }
#endif
  for (int r = r0; r < r1; ++r)
    for (int c = (r < rb ? cb : c0); c < c1; ++c) dst[std::size_t(c) * N + std::size_t(r)] = src[std::size_t(r) * N + std::size_t(c)];
}

/// ART's ray kernels (iterative.hpp, art_sweep) on one line for a chunk of rays of one half-step: rays
/// m = 0 .. count-1 at t_m = tk + m dm, 2 <= |dm| <= 2.9 (every other detector bin), so their taps never
/// overlap. They need lines of >= 24 pixels (`art_usable`).
inline bool art_usable(int n) { return n >= 24; }


#if BEAMKIT_BACKPROJECT_AVX2
namespace impl {
/// The linear interpolation of `line` (n pixels, taps outside counting 0) at the 8 lanes' t (rays 2 or
/// more bins apart: 8 rays span <= 7 |dm| < 20.3 pixels, a 24-float window, three permutes per tap);
/// t_min, t_max: the extreme lanes' t, computed exactly as the vector computes them.
inline __m256 art_taps(const float* line, int n, __m256 t, float t_min, float t_max) {
  if (t_max < -1.5f || t_min > float(n) + 0.5f) return _mm256_setzero_ps();  // no tap in the line
  return interp_in_line<24>(line, n, t, t_min, t_max);
}
}  // namespace impl
#endif

/// ART's dot products a_m x for a chunk of rays, over every line of an image in line order: line k
/// (n pixels at lines + k * stride) is sampled at t = tk + m dm, tk = (t0 + k dk) + t_shift, and dot[m]
/// += its linear interpolation (taps outside counting 0), m in [0, count). For each vector of 8 rays the
/// lines are walked 8 at a time with the sum in a register (one load and store of dot per 8 lines, not
/// per line; the same additions in the same order). `dot` must have room for `count` rounded up to 8 (lanes past count are written, unused).
inline void art_dot_lines(float* dot, const float* lines, std::size_t stride, int n, int n_lines, float t0, float dk,
                          float t_shift, float dm, int count) {
#if BEAMKIT_BACKPROJECT_AVX2
  constexpr int pass = 8;
  const __m256 iota = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7), dmv = _mm256_set1_ps(dm);
  const int j_min = dm >= 0 ? 0 : 7;
  const float fn = float(n);
  for (int k0 = 0; k0 < n_lines; k0 += pass) {
    const int lc = k0 + pass <= n_lines ? pass : n_lines - k0;
    float tk[pass];
    for (int j = 0; j < lc; ++j) tk[j] = (t0 + float(k0 + j) * dk) + t_shift;
    const float* line0 = lines + std::size_t(k0) * stride;
    for (int m = 0; m < count; m += 8) {
      const __m256 mv = _mm256_add_ps(_mm256_set1_ps(float(m)), iota);
      const float m_lo = float(m + j_min), m_hi = float(m + 7 - j_min);
      // t is affine in the line: its extremes over the pass are at the first or the last line
      const float a_min = std::fma(m_lo, dm, tk[0]), a_max = std::fma(m_hi, dm, tk[0]);
      const float b_min = std::fma(m_lo, dm, tk[lc - 1]), b_max = std::fma(m_hi, dm, tk[lc - 1]);
      const float lo = a_min < b_min ? a_min : b_min, hi = a_max > b_max ? a_max : b_max;
      const float lo_top = a_min > b_min ? a_min : b_min;  // the largest t_min of the pass
      __m256 sum = _mm256_loadu_ps(dot + m);
      if (hi < -1.5f || lo > fn + 0.5f) continue;  // no tap of these rays in the pass's lines
      if (lo >= 1.0f && hi < fn - 2.5f && int(std::floor(lo_top)) + 23 <= n) {  // every line on the fast path
        for (int j = 0; j < lc; ++j) {
          const __m256 t = _mm256_fmadd_ps(mv, dmv, _mm256_set1_ps(tk[j]));
          const int base = int(std::fma(m_lo, dm, tk[j])) - 1;  // t >= 1: truncation = floor
          const __m256i i0 = _mm256_cvttps_epi32(t);
          const __m256 f = _mm256_sub_ps(t, _mm256_cvtepi32_ps(i0));
          const float* line = line0 + std::size_t(j) * stride;
          __m256 lo_v, hi_v;
          impl::window_taps<24>(line + base, _mm256_sub_epi32(i0, _mm256_set1_epi32(base)), lo_v, hi_v);
          sum = _mm256_add_ps(sum, _mm256_fmadd_ps(f, _mm256_sub_ps(hi_v, lo_v), lo_v));
        }
      } else {
        for (int j = 0; j < lc; ++j) {
          const __m256 t = _mm256_fmadd_ps(mv, dmv, _mm256_set1_ps(tk[j]));
          sum = _mm256_add_ps(sum, impl::art_taps(line0 + std::size_t(j) * stride, n, t, std::fma(m_lo, dm, tk[j]),
                                                  std::fma(m_hi, dm, tk[j])));
        }
      }
      _mm256_storeu_ps(dot + m, sum);
    }
  }
#else
  (void)dot, (void)lines, (void)stride, (void)n, (void)n_lines, (void)t0, (void)dk, (void)t_shift, (void)dm, (void)count;
#endif
}

/// line[p] += sum over the rays m of coef[m] max(0, 1 - |p - t_m|) (the transpose of art_dot_lines), for the
/// pixels the rays' taps reach: p in [floor(t_first), floor(t_last) + 1] within [0, n), exactly the
/// pixels the ray-by-ray update writes, so chunks of rays two or more bins apart never write the same
/// pixel. Pixel-parallel: pixel p lies between rays m0 = floor(u) and m0 + 1, u = (p - tk) / dm, at
/// distances e = frac(u) |dm| and |dm| - e; as the rays are >= 2 apart only one is within 1, and the
/// weights are max(0, 1 - e) and max(0, e + 1 - |dm|). 8 pixels span <= 3.5 rays: an 8-float window of
/// the coefficients and two permutes give both. `cpad` holds coef[m] at cpad[8 + m], zeros at [0, 8) and
/// [8 + count, 24 + count).
inline void art_update(float* line, int n, float tk, float dm, const float* cpad, int count) {
#if BEAMKIT_BACKPROJECT_AVX2
  const float t_a = tk, t_b = std::fma(float(count - 1), dm, tk);  // first and last ray, as art_dot_lines computes them
  const float lo_t = t_a < t_b ? t_a : t_b, hi_t = t_a < t_b ? t_b : t_a;
  int p0 = int(std::floor(lo_t)), p1 = int(std::floor(hi_t)) + 2;  // [p0, p1)
  p0 = p0 < 0 ? 0 : p0;
  p1 = p1 > n ? n : p1;
  if (p1 <= p0) return;
  const float inv = 1.0f / dm, adm = std::fabs(dm);
  const __m256 iota = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7), tkv = _mm256_set1_ps(tk), invv = _mm256_set1_ps(inv);
  const __m256 admv = _mm256_set1_ps(adm), one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
  const __m256 adm_minus_1 = _mm256_set1_ps(adm - 1.0f);
  const __m256i one_i = _mm256_set1_epi32(1);
  const bool up = dm >= 0;  // u increases along the line: lane 0 has the smallest floor(u)
  // u = (p - tk) / dm as one FMA per vector from the line's first vector (instead of an add, a subtract
  // and a multiply), and the window's first ray (the lowest lane's m0) broadcast by a permute rather than
  // extracted to the scalar side and broadcast back: 4 instructions of ~25 fewer per 8 pixels. The
  // positions differ from the direct formula by an ulp; weights are continuous in u, so a pixel that
  // lands on the other side of a ray boundary still gets the same weight from the neighbouring ray.
  const __m256i low_lane = _mm256_set1_epi32(up ? 0 : 7);
  const __m256 u_first = _mm256_mul_ps(_mm256_sub_ps(_mm256_add_ps(_mm256_set1_ps(float(p0)), iota), tkv), invv);
  const __m256 u_step = _mm256_set1_ps(8.0f * inv);
  for (int p = p0, v = 0; p < p1; p += 8, ++v) {
    const __m256 u = _mm256_fmadd_ps(_mm256_set1_ps(float(v)), u_step, u_first);
    const __m256 fl = _mm256_floor_ps(u);
    const __m256i m0 = _mm256_cvttps_epi32(fl);
    // lanes of stored pixels have m0 in [-1, count - 1]; the last vector's extra lanes up to count + 3
    const __m256i mb_v = _mm256_permutevar8x32_epi32(m0, low_lane);
    const int mb = _mm256_cvtsi256_si32(mb_v);
    const __m256 w = _mm256_loadu_ps(cpad + 8 + mb);
    const __m256i k0 = _mm256_sub_epi32(m0, mb_v);
    const __m256 c0 = _mm256_permutevar8x32_ps(w, k0);
    const __m256 c1 = _mm256_permutevar8x32_ps(w, _mm256_add_epi32(k0, one_i));
    const __m256 e = _mm256_mul_ps(_mm256_sub_ps(u, fl), admv);
    const __m256 w0 = _mm256_max_ps(zero, _mm256_sub_ps(one, e));
    const __m256 w1 = _mm256_max_ps(zero, _mm256_sub_ps(e, adm_minus_1));
    const __m256 add = _mm256_fmadd_ps(w0, c0, _mm256_mul_ps(w1, c1));
    impl::add_lanes(line + p, add, p1 - p);
  }
#else
  (void)line, (void)n, (void)tk, (void)dm, (void)cpad, (void)count;
#endif
}

}  // namespace beamkit::tomo::detail::simd_fp
