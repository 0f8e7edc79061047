// SPDX-License-Identifier: BSD-3-Clause
// The parallel-beam projector pair: forward projection (Radon transform) and back-projection,
// batched over slices, written once on Kokkos.
//
// Model (Joseph 1982, "An improved algorithm for reprojecting rays through pixel images"):
// a ray is sampled once per image row (or column, whichever the ray crosses more steeply) with
// linear interpolation between the two nearest pixels, times the step length 1/w, where
// w = max(|cos|, |sin|). Equivalently, pixel (r, c) contributes to detector bin d with the tent
// weight  max(0, 1 - |d - U|/w) / w,  U = the pixel centre's detector position (geometry.hpp).
// The back-projector `back_project(..., BackProjector::matched)` applies exactly those weights,
// pixel by pixel, so <A x, y> = <x, A^T y> to rounding (tests/cpp/test_projector.cpp).
// `BackProjector::interpolate` is the classic FBP back-projector (linear interpolation at U,
// weight 1 per angle) — the one FBP uses; it is not the adjoint of A.
//
// Work (P angles, N x N image, S slices): both directions do S*P*N*N interpolations, i.e.
// 2 gathers + ~6 flops each. Both are gather-only: forward projection is ray-parallel, back-projection
// pixel-parallel, neither needs atomics (each output element is owned by one thread). On AVX2 hosts the
// float loops of both take gather-free paths (detail/forward_simd.hpp, detail/backproject_simd.hpp); the
// portable loops below are the reference they are tested against and what double and devices run.
#pragma once
#include <beamkit/core/vector_loop.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <beamkit/tomo/geometry.hpp>
#include <beamkit/tomo/detail/backproject_simd.hpp>
#include <beamkit/tomo/detail/forward_simd.hpp>

namespace beamkit::tomo {

enum class BackProjector { matched, interpolate };

namespace detail {
using beamkit::detail::is_host_space;
using beamkit::detail::vector_for;

/// The index range [c0, c1) of an affine sweep t(c) = t0 + c * dt, c in [0, n), on which
/// 0 <= t < hi - margin, i.e. where both interpolation taps int(t) and int(t) + 1 lie in [0, hi]:
/// there the vector loop needs no bounds checks. The endpoints are checked in the same arithmetic
/// the loop uses; everything outside takes the exact (bounds-checked) path.
template <class Real>
KOKKOS_INLINE_FUNCTION void safe_range(Real t0, Real dt, int n, int hi, int& c0, int& c1) {
  const Real lo_t = Real(0), hi_t = Real(hi) - Real(0.01);
  // solve lo_t <= t0 + c dt < hi_t in double (one division: this runs per row and angle), then verify in Real
  double a = 0, b = double(n);
  if (dt != Real(0)) {
    const double inv = 1.0 / double(dt);
    if (dt > Real(0)) {
      a = kmath::ceil((double(lo_t) - double(t0)) * inv);
      b = kmath::ceil((double(hi_t) - double(t0)) * inv);
    } else {
      a = kmath::floor((double(hi_t) - double(t0)) * inv) + 1;
      b = kmath::floor((double(lo_t) - double(t0)) * inv) + 1;
    }
  } else if (!(t0 >= lo_t && t0 < hi_t)) {
    a = b = 0;
  }
  c0 = int(kmath::max(0.0, kmath::min(double(n), a)));
  c1 = int(kmath::max(double(c0), kmath::min(double(n), b)));
  auto ok = [&](int c) {
    const Real t = t0 + Real(c) * dt;
    return t >= lo_t && t < hi_t;
  };
  while (c0 < c1 && !ok(c0)) ++c0;
  while (c1 > c0 && !ok(c1 - 1)) --c1;
}

/// A superset [c0, c1) of the indices c in [0, n) at which t(c) = t0 + c dt has a tap inside [0, len),
/// i.e. -1 < t < len; elsewhere both taps fall outside and the exact formula gives 0, so the edge loops
/// skip those indices (pixels beyond the detector's ends: a few percent of each angle's work at
/// n_det = N). Widened by one index on each side against rounding.
template <class Real>
KOKKOS_INLINE_FUNCTION void tap_support(Real t0, Real dt, int n, int len, int& c0, int& c1) {
  const double lo = -1.0, hi = double(len), t = double(t0), d = double(dt);
  double a = 0, b = double(n);
  if (d != 0) {
    const double inv = 1.0 / d;
    a = kmath::floor(((d > 0 ? lo : hi) - t) * inv);
    b = kmath::ceil(((d > 0 ? hi : lo) - t) * inv) + 1;
  } else if (!(t > lo && t < hi)) {
    a = b = 0;
  }
  c0 = int(kmath::max(0.0, kmath::min(double(n), a - 1)));
  c1 = int(kmath::max(double(c0), kmath::min(double(n), b + 1)));
}

/// Whether the back-projector's inner loop takes the gather-free host SIMD path
/// (detail/backproject_simd.hpp): float rows on an AVX2 host space. It reads the rows themselves, so
/// the (value, difference) pairs below are only worth preparing when this is false.
template <class ExecSpace, class Real>
constexpr bool simd_back_projection = simd_bp::available && is_host_space<ExecSpace>::value && std::is_same<Real, float>::value;

/// Whether the forward projector takes the gather-free host SIMD path (detail/forward_simd.hpp): float
/// images on an AVX2 host space (lines of >= 16 pixels; shorter ones take the portable loop).
template <class ExecSpace, class Real>
constexpr bool simd_forward_projection = simd_fp::available && is_host_space<ExecSpace>::value && std::is_same<Real, float>::value;

/// Two floats in one 64-bit word (the pair layout of BackProjectFunctor::m_pairs).
KOKKOS_FORCEINLINE_FUNCTION std::uint64_t pack_pair(float lo, float hi) {
  std::uint32_t a, b;
  memcpy(&a, &lo, 4);
  memcpy(&b, &hi, 4);
  return std::uint64_t(a) | (std::uint64_t(b) << 32);
}
KOKKOS_FORCEINLINE_FUNCTION float unpack_lo(std::uint64_t v) {
  const std::uint32_t a = std::uint32_t(v);
  float f;
  memcpy(&f, &a, 4);
  return f;
}
KOKKOS_FORCEINLINE_FUNCTION float unpack_hi(std::uint64_t v) {
  const std::uint32_t a = std::uint32_t(v >> 32);
  float f;
  memcpy(&f, &a, 4);
  return f;
}

/// Interpolation weights of the two taps at fractional position f (see the file comment).
template <class Real, bool Matched> struct Taps {
  KOKKOS_FORCEINLINE_FUNCTION static void weights(Real f, Real inv_w, Real& w0, Real& w1) {
    if (Matched) {  // tent of half-width w, height 1/w
      w0 = kmath::max(Real(0), Real(1) - f * inv_w) * inv_w;
      w1 = kmath::max(Real(0), Real(1) - (Real(1) - f) * inv_w) * inv_w;
    } else {  // linear interpolation
      w0 = Real(1) - f;
      w1 = f;
    }
  }
};

/// Bounds-checked contribution of `line` (taps at t = fractional index) for any t.
template <class Real, bool Matched, class Get>
KOKKOS_INLINE_FUNCTION Real tap_exact(Real t, Real inv_w, int len, const Get& get) {
  const Real fl = kmath::floor(t);
  const int i0 = int(fl);
  Real w0, w1;
  Taps<Real, Matched>::weights(t - fl, inv_w, w0, w1);
  Real v = 0;
  if (i0 >= 0 && i0 < len) v += w0 * get(i0);
  if (i0 + 1 >= 0 && i0 + 1 < len) v += w1 * get(i0 + 1);
  return v;
}

/// Forward projection: one team per (slice, angle); the rays of the projection are updated together
/// in vector loops, one image row (or column, for steep rays) after another. Each row adds
/// (1-f) img[i0] + f img[i0+1] at the ray's fractional crossing index t = t0 + k dk + d dd.
/// Sums run in Real over chunks of `chunk` rows, then in Accum<Real>.
template <class ExecSpace, class ImageView, class SinoView, class AngleView, class CenterView>
struct ForwardProjectFunctor {
  using Real = typename SinoView::non_const_value_type;
  using Acc = accum_t<Real>;
  using policy_type = Kokkos::TeamPolicy<ExecSpace>;
  using member_type = typename policy_type::member_type;
  using acc_view = Kokkos::View<Acc*, typename ExecSpace::scratch_memory_space, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
  using part_view = Kokkos::View<Real*, typename ExecSpace::scratch_memory_space, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
  static constexpr int chunk = 32;

  ImageView m_img;   // [S][N][N]
  View3<Real, typename ExecSpace::memory_space> m_imgT;  // [S][N][N] transposed copy: steep rays read rows too
  SinoView m_sino;   // [S][P][n_det]
  AngleView m_ang;   // [P]
  CenterView m_ctr;  // [S]
  int m_n, m_ndet, m_nang;

  static constexpr bool use_simd = simd_forward_projection<ExecSpace, Real>;

  /// \param steep whether some angle is y-dominant (then m_imgT must hold the image's shape: the
  /// transposed copy is made first); otherwise m_imgT is not touched.
  void run(const ExecSpace& space, bool steep) const {
    if (steep) transpose(space);
    policy_type pol(space, int(m_img.extent(0)) * m_nang, Kokkos::AUTO);
    if (!(use_simd && simd_fp::usable(m_n)))
      pol = pol.set_scratch_size(
          0, Kokkos::PerTeam(acc_view::shmem_size(std::size_t(m_ndet)) + part_view::shmem_size(std::size_t(m_ndet))));
    Kokkos::parallel_for("beamkit::tomo::forward_project", pol, *this);
  }

  /// m_imgT = the image transposed. On the host one work item per 32 x 32 tile (8 x 8 register
  /// transposes on AVX2 for float: simd_fp::transpose_tile); Kokkos' tiled MDRange ran at ~2 GB/s there
  /// (per-element index arithmetic, strided scalar stores). Devices keep the MDRange.
  void transpose(const ExecSpace& space) const {
    auto img = m_img;
    auto imgT = m_imgT;
    const int S = int(m_img.extent(0)), n = m_n;
    if constexpr (is_host_space<ExecSpace>::value) {
      constexpr int tile = 32;
      const int nt = (n + tile - 1) / tile;
      Kokkos::parallel_for("beamkit::tomo::forward_project_transpose", Kokkos::RangePolicy<ExecSpace>(space, 0, S * nt * nt),
                           KOKKOS_LAMBDA(const int i) {
                             const int s = i / (nt * nt), tr = (i / nt) % nt, tc = i % nt;
                             const int r0 = tr * tile, r1 = kmath::min(n, r0 + tile);
                             const int c0 = tc * tile, c1 = kmath::min(n, c0 + tile);
                             const auto* src = &img(s, 0, 0);
                             auto* dst = &imgT(s, 0, 0);
                             if constexpr (use_simd) {
                               simd_fp::transpose_tile(src, dst, n, r0, r1, c0, c1);
                               return;
                             }
                             for (int c = c0; c < c1; ++c) {
                               auto* out = dst + std::size_t(c) * std::size_t(n);
                               BEAMKIT_PRAGMA_SIMD
                               for (int r = r0; r < r1; ++r) out[r] = src[std::size_t(r) * std::size_t(n) + std::size_t(c)];
                             }
                           });
    } else {
      Kokkos::parallel_for("beamkit::tomo::forward_project_transpose",
                           Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(space, {0, 0, 0}, {S, n, n}, {1, 32, 32}),
                           KOKKOS_LAMBDA(const int s, const int r, const int c) { imgT(s, c, r) = img(s, r, c); });
    }
  }

  /// TeamVectorRange on device; an `omp simd` loop on the host (one thread per team there).
  template <class F> KOKKOS_FORCEINLINE_FUNCTION static void team_vector_for(const member_type& team, int b, int e, const F& f) {
    if constexpr (is_host_space<ExecSpace>::value) {
      vector_for<ExecSpace>(team, b, e, f);
    } else {
      Kokkos::parallel_for(Kokkos::TeamVectorRange(team, b, e), f);
    }
  }

  KOKKOS_INLINE_FUNCTION void operator()(const member_type& team) const {
    const int s = team.league_rank() / m_nang, a = team.league_rank() % m_nang;
    const AngleCoef<Real> ac = m_ang(a);
    const Real half = Real(0.5) - Real(0.5) * Real(m_n);  // centre of pixel 0 relative to the axis
    const Real off = m_ctr(s) - Real(0.5);
    const bool xdom = kmath::fabs(ac.ax) >= kmath::fabs(ac.ay);
    // Stepping along axis k (rows if x-dominant): t(k, d) = t0 + k dk + d dd along the other axis.
    const Real a_main = xdom ? ac.ax : ac.ay, a_step = xdom ? ac.ay : ac.ax;
    const Real inv = Real(1) / a_main;
    const Real t0 = (-off - half * (ac.ax + ac.ay)) * inv;
    const Real dk = -a_step * inv, dd = inv;
    const Real weight = Real(1) / ac.w;
    const int n = m_n, nd = m_ndet;
    if constexpr (use_simd) {  // host AVX2, float: the gather-free loop, team threads over groups of rays
      if (simd_fp::usable(n)) {
        const Real* lines = xdom ? &m_img(s, 0, 0) : &m_imgT(s, 0, 0);
        Real* out = &m_sino(s, a, 0);
        // team threads (one on most hosts) over ray ranges, multiples of 8
        const int parts = team.team_size(), per = ((nd + parts - 1) / parts + 7) / 8 * 8;
        Kokkos::parallel_for(Kokkos::TeamThreadRange(team, parts), [&](const int g) {
          const int d0 = kmath::min(nd, g * per), d1 = kmath::min(nd, d0 + per);
          if (d1 > d0) simd_fp::project(out + d0, lines, n, n, t0, dk, dd, weight, d0, d1);
        });
        return;
      }
    }
    acc_view acc(team.team_scratch(0), std::size_t(nd));
    part_view part(team.team_scratch(0), std::size_t(nd));
    Acc* ap = acc.data();
    Real* pp = part.data();
    // Line k of the image: a row of the image (x-dominant) or of its transpose (y-dominant).
    const Real* base = xdom ? &m_img(s, 0, 0) : &m_imgT(s, 0, 0);
    const int line_stride = n, elem_stride = 1;
    Kokkos::parallel_for(Kokkos::TeamVectorRange(team, nd), [&](const int d) { ap[d] = 0; });
    for (int k0 = 0; k0 < n; k0 += chunk) {
      const int k1 = kmath::min(n, k0 + chunk);
      Kokkos::parallel_for(Kokkos::TeamVectorRange(team, nd), [&](const int d) { pp[d] = 0; });
      team.team_barrier();
      for (int k = k0; k < k1; ++k) {
        const Real tk = t0 + Real(k) * dk;
        const Real* line = base + std::size_t(k) * line_stride;
        int d0, d1;
        safe_range(tk, dd, nd, n - 1, d0, d1);
        team_vector_for(team, d0, d1, [&](const int d) {
          const Real t = tk + Real(d) * dd;
          const int i0 = int(t);
          const Real f = t - Real(i0);
          pp[d] += (Real(1) - f) * line[i0 * elem_stride] + f * line[(i0 + 1) * elem_stride];
        });
        auto edge = [&](const int d) {
          pp[d] += tap_exact<Real, false>(tk + Real(d) * dd, Real(1), n,
                                          [&](int i) { return line[i * elem_stride]; });
        };
        Kokkos::parallel_for(Kokkos::TeamVectorRange(team, 0, d0), edge);
        Kokkos::parallel_for(Kokkos::TeamVectorRange(team, d1, nd), edge);
        team.team_barrier();
      }
      team_vector_for(team, 0, nd, [&](const int d) { ap[d] += Acc(pp[d]); });
    }
    team.team_barrier();
    Kokkos::parallel_for(Kokkos::TeamVectorRange(team, nd),
                         [&](const int d) { m_sino(s, a, d) = Real(ap[d] * Acc(weight)); });
  }
};

/// The back-projector's default output step: store the (scaled) sum.
struct StoreSum {};

/// Back-projection: one team per (slice, block of rows); team threads over rows; for each angle the
/// pixels of a row are updated in a vector loop (taps at u = u0 + c ax on the detector row).
/// Sums run in Real over chunks of `chunk` angles, then in Accum<Real>.
/// Output: image(s, r, c) = scale * sum, or, with an Update functor, update(s, r, c, scale * sum) (the
/// element-wise step of an iterative method fused into the back-projection: back_project_update).
template <class ExecSpace, BackProjector Kind, class SinoView, class ImageView, class AngleView, class CenterView,
          class Update = StoreSum>
struct BackProjectFunctor {
  using Real = typename ImageView::non_const_value_type;
  using Acc = accum_t<Real>;
  using policy_type = Kokkos::TeamPolicy<ExecSpace>;
  using member_type = typename policy_type::member_type;
  using acc_view = Kokkos::View<Acc*, typename ExecSpace::scratch_memory_space, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
  using part_view = Kokkos::View<Real*, typename ExecSpace::scratch_memory_space, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
  static constexpr int rows_per_team = 4, chunk = 32, G = 4;  // G: angles fused per pixel pass
  static constexpr bool matched = Kind == BackProjector::matched;
  static constexpr bool use_simd = simd_back_projection<ExecSpace, Real>;

  SinoView m_sino;   // [S][P][n_det] (the last axis contiguous)
  ImageView m_img;   // [S][N][N]
  AngleView m_ang;   // [P]
  CenterView m_ctr;  // [S]
  int m_n, m_ndet, m_nang;
  Real m_scale;
  /// Optional (interpolating back-projection of float rows): pairs(s, a, d) = (q[d], q[d+1] - q[d])
  /// packed in 64 bits, so each pixel needs one 64-bit gather instead of two 32-bit ones (a 1.6x
  /// faster inner loop on AVX2, where gathers cost per element). Empty: read the rows.
  Kokkos::View<const std::uint64_t***, Kokkos::LayoutRight, typename ExecSpace::memory_space> m_pairs;
  Update m_update;
  int m_slack = 0;  ///< floats readable past the sinogram's last element (back_project_update)

  KOKKOS_FORCEINLINE_FUNCTION void out(int s, int r, int c, Acc v) const {
    if constexpr (std::is_same<Update, StoreSum>::value) {
      m_img(s, r, c) = Real(v * Acc(m_scale));
    } else {
      m_update(s, r, c, Real(v * Acc(m_scale)));
    }
  }

  void run(const ExecSpace& space) const {
    const int blocks = (m_n + rows_per_team - 1) / rows_per_team;
    policy_type pol(space, int(m_img.extent(0)) * blocks, Kokkos::AUTO);
    const std::size_t len = std::size_t(rows_per_team) * std::size_t(m_n);
    pol = pol.set_scratch_size(0, Kokkos::PerTeam(acc_view::shmem_size(len) + part_view::shmem_size(len)));
    Kokkos::parallel_for("beamkit::tomo::back_project", pol, *this);
  }

  // A team owns `rows_per_team` image rows. The angle loop runs outside the row loop: the rows of a
  // team read nearly the same stretch of each sinogram row (shifted by sin(theta) per row), so that
  // stretch comes from L3/DRAM once per team instead of once per row. Each row's partial sums stay
  // with the same team thread throughout (TeamThreadRange maps rows to threads the same way every
  // time), so no barriers are needed.
  KOKKOS_INLINE_FUNCTION void operator()(const member_type& team) const {
    const int blocks = (m_n + rows_per_team - 1) / rows_per_team;
    const int s = team.league_rank() / blocks, r0 = (team.league_rank() % blocks) * rows_per_team;
    const int nr = kmath::min(rows_per_team, m_n - r0);
    const Real half = Real(0.5) - Real(0.5) * Real(m_n);
    const Real off = m_ctr(s) - Real(0.5);
    const int n = m_n, ndet = m_ndet;
    acc_view acc(team.team_scratch(0), std::size_t(rows_per_team) * std::size_t(n));
    part_view part(team.team_scratch(0), std::size_t(rows_per_team) * std::size_t(n));
    // One chunk of angles (the subsets of OSEM and friends): the float partial sums are the result, no
    // double pass (the same values: Acc(part) * scale either way).
    const bool one_chunk = m_nang <= chunk;
    if (!one_chunk)
      Kokkos::parallel_for(Kokkos::TeamThreadRange(team, nr), [&](const int rr) {
        Acc* ap = acc.data() + std::size_t(rr) * std::size_t(n);
        Kokkos::parallel_for(Kokkos::ThreadVectorRange(team, n), [&](const int c) { ap[c] = 0; });
      });
    for (int a0 = 0; a0 < m_nang; a0 += chunk) {
      const int a1 = kmath::min(m_nang, a0 + chunk);
      Kokkos::parallel_for(Kokkos::TeamThreadRange(team, nr), [&](const int rr) {
        Real* pp = part.data() + std::size_t(rr) * std::size_t(n);
        Kokkos::parallel_for(Kokkos::ThreadVectorRange(team, n), [&](const int c) { pp[c] = 0; });
      });
      // Angles in groups of G: where all G sweeps are inside their rows, one pass over the pixels adds
      // all G contributions (one load/store of the partial sums instead of G); the rest per angle.
      for (int a = a0; a < a1; a += G) {
        const int g = kmath::min(G, a1 - a);
        Kokkos::parallel_for(Kokkos::TeamThreadRange(team, nr), [&](const int rr) {
          Real* pp = part.data() + std::size_t(rr) * std::size_t(n);
          const Real y = half + Real(r0 + rr);
          Real u0[G], ax[G], inv_w[G];
          int c0[G], c1[G];
          int f0 = 0, f1 = n;
          for (int q = 0; q < g; ++q) {
            const AngleCoef<Real> ac = m_ang(a + q);
            u0[q] = ac.ax * half + ac.ay * y + off;  // detector index of pixel (r, 0)
            ax[q] = ac.ax;
            inv_w[q] = Real(1) / ac.w;
            safe_range(u0[q], ax[q], n, ndet - 1, c0[q], c1[q]);
            f0 = kmath::max(f0, c0[q]);
            f1 = kmath::min(f1, c1[q]);
          }
          const int f1_group = kmath::max(f0, f1);  // the host SIMD path fuses short groups too
          if (g < G) f1 = f0;  // a short group: every angle on its own
          f1 = kmath::max(f0, f1);
          auto edges = [&](const int q) {
            const Real* row = &m_sino(s, a + q, 0);
            const Real uq = u0[q], axq = ax[q], iw = inv_w[q];
            auto edge = [&](const int c) {
              pp[c] += tap_exact<Real, matched>(uq + Real(c) * axq, iw, ndet, [&](int i) { return row[i]; });
            };
            int e0, e1;  // pixels outside [e0, e1) see no detector bin
            tap_support(uq, axq, n, ndet, e0, e1);
            Kokkos::parallel_for(Kokkos::ThreadVectorRange(team, e0, kmath::max(e0, c0[q])), edge);
            Kokkos::parallel_for(Kokkos::ThreadVectorRange(team, kmath::min(c1[q], e1), e1), edge);
          };
          if constexpr (use_simd) {  // host AVX2, float: the gather-free inner loop
            bool slow_steps = false;
            for (int q = 0; q < g; ++q) slow_steps = slow_steps || kmath::fabs(ax[q]) > Real(1);
            if (!slow_steps) {
              const Real* rw[G];
              // the unguarded kernel where its preconditions hold (simd_bp::accumulate_fast): steps short
              // of 1 bin per pixel and 7 readable floats past each row (all rows but the view's last)
              bool fast[G];
              bool all_fast = true;
              const Real* const sino_end = m_sino.data() + m_sino.span() + m_slack;
              for (int q = 0; q < g; ++q) {
                rw[q] = &m_sino(s, a + q, 0);
                fast[q] = simd_bp::fast_step(ax[q], ndet) && rw[q] + ndet + 7 <= sino_end;
                all_fast = all_fast && fast[q];
              }
              // a short group (the last of a chunk) is fused as well where every angle is fast
              if (g < G && all_fast) f1 = f1_group;
              if (f1 > f0) {
                if (all_fast) {
                  if (g == G) simd_bp::accumulate_fast<G, matched>(pp, rw, u0, ax, inv_w, f0, f1);
                  else if (g == 3) simd_bp::accumulate_fast<3, matched>(pp, rw, u0, ax, inv_w, f0, f1);
                  else if (g == 2) simd_bp::accumulate_fast<2, matched>(pp, rw, u0, ax, inv_w, f0, f1);
                  else simd_bp::accumulate_fast<1, matched>(pp, rw, u0, ax, inv_w, f0, f1);
                } else {
                  simd_bp::accumulate<G, matched>(pp, rw, u0, ax, inv_w, f0, f1, ndet);
                }
              }
              for (int q = 0; q < g; ++q) {
                const int lo_end = kmath::min(f0, c1[q]), hi_begin = kmath::max(f1, c0[q]);
                auto single = [&](int b0, int b1) {
                  if (b1 <= b0) return;
                  if (fast[q]) simd_bp::accumulate_fast<1, matched>(pp, rw + q, u0 + q, ax + q, inv_w + q, b0, b1);
                  else simd_bp::accumulate<1, matched>(pp, rw + q, u0 + q, ax + q, inv_w + q, b0, b1, ndet);
                };
                single(c0[q], lo_end);
                single(hi_begin, c1[q]);
                edges(q);
              }
              return;
            }
          }
          const bool pairs = !matched && m_pairs.data() != nullptr;
          if (f1 > f0) {
            if (pairs) {
              const std::uint64_t* pr[G];
              for (int q = 0; q < G; ++q) pr[q] = &m_pairs(s, a + q, 0);
              vector_for<ExecSpace>(team, f0, f1, [&](const int c) {
                Real sum = 0;
                for (int q = 0; q < G; ++q) {
                  const Real u = u0[q] + Real(c) * ax[q];
                  const int d0 = int(u);
                  const std::uint64_t v = pr[q][d0];
                  sum += unpack_lo(v) + (u - Real(d0)) * unpack_hi(v);
                }
                pp[c] += sum;
              });
            } else {
              const Real* rw[G];
              for (int q = 0; q < G; ++q) rw[q] = &m_sino(s, a + q, 0);
              vector_for<ExecSpace>(team, f0, f1, [&](const int c) {
                Real sum = 0;
                for (int q = 0; q < G; ++q) {
                  const Real u = u0[q] + Real(c) * ax[q];
                  const int d0 = int(u);
                  Real w0, w1;
                  Taps<Real, matched>::weights(u - Real(d0), inv_w[q], w0, w1);
                  sum += w0 * rw[q][d0] + w1 * rw[q][d0 + 1];
                }
                pp[c] += sum;
              });
            }
          }
          for (int q = 0; q < g; ++q) {
            const Real* row = &m_sino(s, a + q, 0);
            const Real uq = u0[q], axq = ax[q], iw = inv_w[q];
            // the safe range outside the fused part: [c0, min(f0, c1)) and [max(f1, c0), c1)
            const int lo_end = kmath::min(f0, c1[q]), hi_begin = kmath::max(f1 > f0 ? f1 : f0, c0[q]);
            for (int part_i = 0; part_i < 2; ++part_i) {
              const int b0 = part_i == 0 ? c0[q] : hi_begin, b1 = part_i == 0 ? lo_end : c1[q];
              if (b1 <= b0) continue;
              if (pairs) {
                const std::uint64_t* pr = &m_pairs(s, a + q, 0);
                vector_for<ExecSpace>(team, b0, b1, [&](const int c) {
                  const Real u = uq + Real(c) * axq;
                  const int d0 = int(u);
                  const std::uint64_t v = pr[d0];
                  pp[c] += unpack_lo(v) + (u - Real(d0)) * unpack_hi(v);
                });
              } else {
                vector_for<ExecSpace>(team, b0, b1, [&](const int c) {
                  const Real u = uq + Real(c) * axq;
                  const int d0 = int(u);
                  Real w0, w1;
                  Taps<Real, matched>::weights(u - Real(d0), iw, w0, w1);
                  pp[c] += w0 * row[d0] + w1 * row[d0 + 1];
                });
              }
            }
            edges(q);
          }
        });
      }
      if (one_chunk) break;
      Kokkos::parallel_for(Kokkos::TeamThreadRange(team, nr), [&](const int rr) {
        Real* pp = part.data() + std::size_t(rr) * std::size_t(n);
        Acc* ap = acc.data() + std::size_t(rr) * std::size_t(n);
        vector_for<ExecSpace>(team, 0, n, [&](const int c) { ap[c] += Acc(pp[c]); });
      });
    }
    if (one_chunk) {
      Kokkos::parallel_for(Kokkos::TeamThreadRange(team, nr), [&](const int rr) {
        const Real* pp = part.data() + std::size_t(rr) * std::size_t(n);
        vector_for<ExecSpace>(team, 0, n, [&](const int c) { out(s, r0 + rr, c, Acc(pp[c])); });
      });
      return;
    }
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, nr), [&](const int rr) {
      const Acc* ap = acc.data() + std::size_t(rr) * std::size_t(n);
      Kokkos::parallel_for(Kokkos::ThreadVectorRange(team, n),
                           [&](const int c) { out(s, r0 + rr, c, ap[c]); });
    });
  }
};

/// The shape checks both projectors share: slices agree, images square, one angle per sinogram row,
/// one centre per slice.
template <class ImageView, class SinoView, class AngleView, class CenterView>
void check_shapes(const char* where, const ImageView& image, const SinoView& sino, const AngleView& angles,
                  const CenterView& centers) {
  check::require(image.extent(0) == sino.extent(0), where,
                 cat("image has ", image.extent(0), " slices, sinogram ", sino.extent(0)));
  check::require(image.extent(1) == image.extent(2), where,
                 cat("image must be square, got ", image.extent(1), " x ", image.extent(2)));
  check::require(angles.extent(0) == sino.extent(1), where,
                 cat("sinogram has ", sino.extent(1), " angles, the angle table ", angles.extent(0)));
  check::require(centers.extent(0) == sino.extent(0), where, "one centre per slice expected");
}

template <class View> void require_layout_right() {
  static_assert(std::is_same<typename View::array_layout, Kokkos::LayoutRight>::value,
                "beamkit::tomo: views must be LayoutRight ([slices][rows][cols] in C order)");
}
}  // namespace detail

/// Forward-project a stack of images.
/// \param image  [n_slices][N][N]
/// \param angles table from angle_table() [n_angles]; \param centers [n_slices] (geometry.hpp)
/// \param sino   [n_slices][n_angles][n_det] (overwritten)
/// \param transposed optional workspace [n_slices][N][N] for the transposed copy of the image that steep
/// angles read (iterative methods keep one per plan); empty or of another shape: allocated when needed.
template <class ExecSpace, class ImageView, class AngleView, class CenterView, class SinoView>
void forward_project(const ExecSpace& space, const ImageView& image, const AngleView& angles,
                     const CenterView& centers, const SinoView& sino,
                     const View3<typename SinoView::non_const_value_type, typename ExecSpace::memory_space>& transposed = {}) {
  static_assert(ImageView::rank == 3 && SinoView::rank == 3, "beamkit::tomo::forward_project: rank-3 views");
  detail::require_layout_right<ImageView>();
  detail::require_layout_right<SinoView>();
  constexpr const char* where = "beamkit::tomo::forward_project";
  detail::check_shapes(where, image, sino, angles, centers);
  if (sino.size() == 0) return;
  using Real = typename SinoView::non_const_value_type;
  using Work = View3<Real, typename ExecSpace::memory_space>;
  // Steep (y-dominant) rays read a transposed copy of the image; without steep angles none is made.
  bool steep = false;
  {
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), angles);
    for (std::size_t i = 0; i < h.extent(0); ++i) steep = steep || !(std::abs(h(i).ax) >= std::abs(h(i).ay));
  }
  Work imgT = transposed;
  if (steep && !(imgT.extent(0) == image.extent(0) && imgT.extent(1) == image.extent(2) && imgT.extent(2) == image.extent(1)))
    imgT = Work(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::image_transposed"), image.extent(0),
                image.extent(2), image.extent(1));
  detail::ForwardProjectFunctor<ExecSpace, ImageView, SinoView, AngleView, CenterView> f{
      image, imgT, sino, angles, centers, int(image.extent(1)), int(sino.extent(2)), int(sino.extent(1))};
  f.run(space, steep);
}

/// Back-project a stack of sinograms: image = scale * A^T sino (matched) or the interpolating
/// FBP back-projector. \param sino [n_slices][n_angles][n_det], \param image [n_slices][N][N].
template <class ExecSpace, class SinoView, class AngleView, class CenterView, class ImageView>
void back_project(const ExecSpace& space, const SinoView& sino, const AngleView& angles, const CenterView& centers,
                  const ImageView& image, BackProjector kind = BackProjector::matched,
                  typename ImageView::non_const_value_type scale = 1) {
  static_assert(ImageView::rank == 3 && SinoView::rank == 3, "beamkit::tomo::back_project: rank-3 views");
  detail::require_layout_right<ImageView>();  // the sinogram may be a strided subview (FBP's padded rows)
  constexpr const char* where = "beamkit::tomo::back_project";
  detail::check_shapes(where, image, sino, angles, centers);
  if (image.size() == 0) return;
  const int n = int(image.extent(1)), ndet = int(sino.extent(2)), nang = int(sino.extent(1));
  if (kind == BackProjector::matched) {
    detail::BackProjectFunctor<ExecSpace, BackProjector::matched, SinoView, ImageView, AngleView, CenterView> f{
        sino, image, angles, centers, n, ndet, nang, scale, {}};
    f.run(space);
  } else {
    detail::BackProjectFunctor<ExecSpace, BackProjector::interpolate, SinoView, ImageView, AngleView, CenterView> f{
        sino, image, angles, centers, n, ndet, nang, scale, {}};
    f.run(space);
  }
}

/// The matched back-projection fused with an element-wise step: for every pixel,
/// update(s, r, c, v) with v = (A^T sino)(s, r, c), instead of storing v in a workspace that a second
/// pass then reads (the iterative methods' x <- f(x, A^T r): one pass over the image per subset fewer).
/// `update` is a device-callable functor `void(int s, int r, int c, Real v) const`; each pixel is
/// visited once, by the thread that owns it, after its sum is complete, so it may read and write
/// `image` at (s, r, c) (only there: other pixels may be in flight). `image` gives the shape.
/// \param slack  how many elements past the sinogram's last one are allocated and readable (a plan's own
/// buffers: 8 lets the last row take the host SIMD path's unguarded loop as well; values never used).
template <class ExecSpace, class SinoView, class AngleView, class CenterView, class ImageView, class Update>
void back_project_update(const ExecSpace& space, const SinoView& sino, const AngleView& angles, const CenterView& centers,
                         const ImageView& image, const Update& update, int slack = 0) {
  static_assert(ImageView::rank == 3 && SinoView::rank == 3, "beamkit::tomo::back_project_update: rank-3 views");
  detail::require_layout_right<ImageView>();
  constexpr const char* where = "beamkit::tomo::back_project_update";
  detail::check_shapes(where, image, sino, angles, centers);
  if (image.size() == 0) return;
  detail::BackProjectFunctor<ExecSpace, BackProjector::matched, SinoView, ImageView, AngleView, CenterView, Update> f{
      sino, image, angles, centers, int(image.extent(1)), int(sino.extent(2)), int(sino.extent(1)), 1, {}, update, slack};
  f.run(space);
}

/// The interpolating back-projection of float rows with their (value, next - value) pairs prepared
/// (detail::pack_pair; pairs [S][P][n_det]): FBP's back-projector, same result, fewer gathers.
template <class ExecSpace, class SinoView, class PairView, class AngleView, class CenterView, class ImageView>
void back_project_interpolate_pairs(const ExecSpace& space, const SinoView& sino, const PairView& pairs,
                                    const AngleView& angles, const CenterView& centers, const ImageView& image) {
  static_assert(std::is_same<typename ImageView::non_const_value_type, float>::value,
                "beamkit::tomo::back_project_interpolate_pairs: float images only");
  detail::require_layout_right<ImageView>();
  constexpr const char* where = "beamkit::tomo::back_project_interpolate_pairs";
  detail::check_shapes(where, image, sino, angles, centers);
  check::require(pairs.extent(0) == sino.extent(0) && pairs.extent(1) == sino.extent(1) &&
                     pairs.extent(2) == sino.extent(2),
                 where, "pairs must have the sinogram's shape");
  if (image.size() == 0) return;
  detail::BackProjectFunctor<ExecSpace, BackProjector::interpolate, SinoView, ImageView, AngleView, CenterView> f{
      sino, image, angles, centers, int(image.extent(1)), int(sino.extent(2)), int(sino.extent(1)), 1.0f, pairs};
  f.run(space);
}

}  // namespace beamkit::tomo
