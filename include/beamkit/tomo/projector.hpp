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
// pixel-parallel, neither needs atomics (each output element is owned by one thread).
#pragma once
#include <beamkit/tomo/geometry.hpp>

namespace beamkit::tomo {

enum class BackProjector { matched, interpolate };

namespace detail {

/// One team per (slice, angle); team threads over blocks of detector bins; for each image row (or
/// column) the bins of a block are updated in a vector loop, accumulating in per-thread scratch.
template <class ExecSpace, class ImageView, class SinoView, class AngleView, class CenterView>
struct ForwardProjectFunctor {
  using Real = typename SinoView::non_const_value_type;
  using Acc = accum_t<Real>;
  using policy_type = Kokkos::TeamPolicy<ExecSpace>;
  using member_type = typename policy_type::member_type;
  using scratch_view = Kokkos::View<Acc*, typename ExecSpace::scratch_memory_space, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
  static constexpr int dblock = 128;

  ImageView m_img;   // [S][N][N]
  SinoView m_sino;   // [S][P][n_det]
  AngleView m_ang;   // [P]
  CenterView m_ctr;  // [S]
  int m_n, m_ndet, m_nang;

  void run(const ExecSpace& space) const {
    const int nblocks = (m_ndet + dblock - 1) / dblock;
    policy_type pol(space, int(m_img.extent(0)) * m_nang, Kokkos::AUTO);
    pol = pol.set_scratch_size(0, Kokkos::PerThread(scratch_view::shmem_size(dblock)));
    (void)nblocks;
    Kokkos::parallel_for("beamkit::tomo::forward_project", pol, *this);
  }

  KOKKOS_INLINE_FUNCTION void operator()(const member_type& team) const {
    const int s = team.league_rank() / m_nang, a = team.league_rank() % m_nang;
    const AngleCoef<Real> ac = m_ang(a);
    const Real half = Real(0.5) - Real(0.5) * Real(m_n);  // centre of pixel 0 relative to the axis
    const Real off = m_ctr(s) - Real(0.5);
    const bool xdom = kmath::fabs(ac.ax) >= kmath::fabs(ac.ay);
    // Along the stepping axis k (rows if x-dominant), the fractional index along the other axis is
    // t(k, d) = t0 + k * dk + d * dd.
    const Real a_main = xdom ? ac.ax : ac.ay, a_step = xdom ? ac.ay : ac.ax;
    const Real inv = Real(1) / a_main;
    const Real t0 = (-off - half * (ac.ax + ac.ay)) * inv;  // - (centre terms) / a_main, at k = 0, d = 0
    const Real dk = -a_step * inv, dd = inv;
    const Real weight = Real(1) / ac.w;
    scratch_view acc(team.thread_scratch(0), dblock);
    const int nblocks = (m_ndet + dblock - 1) / dblock;
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, nblocks), [&](const int b) {
      const int d0 = b * dblock, nd = kmath::min(dblock, m_ndet - d0);
      for (int j = 0; j < nd; ++j) acc(j) = 0;
      for (int k = 0; k < m_n; ++k) {
        const Real tk = t0 + Real(k) * dk + Real(d0) * dd;
        Kokkos::parallel_for(Kokkos::ThreadVectorRange(team, nd), [&](const int j) {
          const Real t = tk + Real(j) * dd;
          const Real fl = kmath::floor(t);
          const int i0 = int(fl);
          const Real f = t - fl;
          Real v = 0;
          if (i0 >= 0 && i0 < m_n) v += (Real(1) - f) * (xdom ? m_img(s, k, i0) : m_img(s, i0, k));
          if (i0 + 1 >= 0 && i0 + 1 < m_n) v += f * (xdom ? m_img(s, k, i0 + 1) : m_img(s, i0 + 1, k));
          acc(j) += Acc(v);
        });
      }
      Kokkos::parallel_for(Kokkos::ThreadVectorRange(team, nd),
                           [&](const int j) { m_sino(s, a, d0 + j) = Real(acc(j) * Acc(weight)); });
    });
  }
};

/// One team per (slice, block of rows); team threads over rows; for each angle the pixels of a row
/// are updated in a vector loop, accumulating in per-thread scratch.
template <class ExecSpace, BackProjector Kind, class SinoView, class ImageView, class AngleView, class CenterView>
struct BackProjectFunctor {
  using Real = typename ImageView::non_const_value_type;
  using Acc = accum_t<Real>;
  using policy_type = Kokkos::TeamPolicy<ExecSpace>;
  using member_type = typename policy_type::member_type;
  using scratch_view = Kokkos::View<Acc*, typename ExecSpace::scratch_memory_space, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
  static constexpr int rows_per_team = 4;

  SinoView m_sino;   // [S][P][n_det]
  ImageView m_img;   // [S][N][N]
  AngleView m_ang;   // [P]
  CenterView m_ctr;  // [S]
  int m_n, m_ndet, m_nang;
  Real m_scale;

  void run(const ExecSpace& space) const {
    const int blocks = (m_n + rows_per_team - 1) / rows_per_team;
    policy_type pol(space, int(m_img.extent(0)) * blocks, Kokkos::AUTO);
    pol = pol.set_scratch_size(0, Kokkos::PerThread(scratch_view::shmem_size(std::size_t(m_n))));
    Kokkos::parallel_for("beamkit::tomo::back_project", pol, *this);
  }

  KOKKOS_INLINE_FUNCTION void operator()(const member_type& team) const {
    const int blocks = (m_n + rows_per_team - 1) / rows_per_team;
    const int s = team.league_rank() / blocks, r0 = (team.league_rank() % blocks) * rows_per_team;
    const int nr = kmath::min(rows_per_team, m_n - r0);
    const Real half = Real(0.5) - Real(0.5) * Real(m_n);
    const Real off = m_ctr(s) - Real(0.5);
    scratch_view acc(team.thread_scratch(0), m_n);
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, nr), [&](const int rr) {
      const int r = r0 + rr;
      const Real y = half + Real(r);
      Kokkos::parallel_for(Kokkos::ThreadVectorRange(team, m_n), [&](const int c) { acc(c) = 0; });
      for (int a = 0; a < m_nang; ++a) {
        const AngleCoef<Real> ac = m_ang(a);
        const Real u0 = ac.ax * half + ac.ay * y + off;  // detector index of pixel (r, 0)
        const Real inv_w = Real(1) / ac.w;
        Kokkos::parallel_for(Kokkos::ThreadVectorRange(team, m_n), [&](const int c) {
          const Real u = u0 + Real(c) * ac.ax;
          const Real fl = kmath::floor(u);
          const int d0 = int(fl);
          const Real f = u - fl;
          Real w0, w1;
          if (Kind == BackProjector::matched) {  // tent of half-width w, height 1/w
            w0 = kmath::max(Real(0), Real(1) - f * inv_w) * inv_w;
            w1 = kmath::max(Real(0), Real(1) - (Real(1) - f) * inv_w) * inv_w;
          } else {  // linear interpolation
            w0 = Real(1) - f;
            w1 = f;
          }
          Real v = 0;
          if (d0 >= 0 && d0 < m_ndet) v += w0 * m_sino(s, a, d0);
          if (d0 + 1 >= 0 && d0 + 1 < m_ndet) v += w1 * m_sino(s, a, d0 + 1);
          acc(c) += Acc(v);
        });
      }
      Kokkos::parallel_for(Kokkos::ThreadVectorRange(team, m_n),
                           [&](const int c) { m_img(s, r, c) = Real(acc(c) * Acc(m_scale)); });
    });
  }
};

template <class View> void require_layout_right() {
  static_assert(std::is_same<typename View::array_layout, Kokkos::LayoutRight>::value,
                "beamkit::tomo: views must be LayoutRight ([slices][rows][cols] in C order)");
}
}  // namespace detail

/// Forward-project a stack of images.
/// \param image  [n_slices][N][N]
/// \param angles table from angle_table() [n_angles]; \param centers [n_slices] (geometry.hpp)
/// \param sino   [n_slices][n_angles][n_det] (overwritten)
template <class ExecSpace, class ImageView, class AngleView, class CenterView, class SinoView>
void forward_project(const ExecSpace& space, const ImageView& image, const AngleView& angles,
                     const CenterView& centers, const SinoView& sino) {
  static_assert(ImageView::rank == 3 && SinoView::rank == 3, "beamkit::tomo::forward_project: rank-3 views");
  detail::require_layout_right<ImageView>();
  detail::require_layout_right<SinoView>();
  constexpr const char* where = "beamkit::tomo::forward_project";
  check::require(image.extent(0) == sino.extent(0), where,
                 cat("image has ", image.extent(0), " slices, sinogram ", sino.extent(0)));
  check::require(image.extent(1) == image.extent(2), where,
                 cat("image must be square, got ", image.extent(1), " x ", image.extent(2)));
  check::require(angles.extent(0) == sino.extent(1), where,
                 cat("sinogram has ", sino.extent(1), " angles, the angle table ", angles.extent(0)));
  check::require(centers.extent(0) == sino.extent(0), where, "one centre per slice expected");
  if (sino.size() == 0) return;
  detail::ForwardProjectFunctor<ExecSpace, ImageView, SinoView, AngleView, CenterView> f{
      image, sino, angles, centers, int(image.extent(1)), int(sino.extent(2)), int(sino.extent(1))};
  f.run(space);
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
  check::require(image.extent(0) == sino.extent(0), where,
                 cat("image has ", image.extent(0), " slices, sinogram ", sino.extent(0)));
  check::require(image.extent(1) == image.extent(2), where,
                 cat("image must be square, got ", image.extent(1), " x ", image.extent(2)));
  check::require(angles.extent(0) == sino.extent(1), where,
                 cat("sinogram has ", sino.extent(1), " angles, the angle table ", angles.extent(0)));
  check::require(centers.extent(0) == sino.extent(0), where, "one centre per slice expected");
  if (image.size() == 0) return;
  const int n = int(image.extent(1)), ndet = int(sino.extent(2)), nang = int(sino.extent(1));
  if (kind == BackProjector::matched) {
    detail::BackProjectFunctor<ExecSpace, BackProjector::matched, SinoView, ImageView, AngleView, CenterView> f{
        sino, image, angles, centers, n, ndet, nang, scale};
    f.run(space);
  } else {
    detail::BackProjectFunctor<ExecSpace, BackProjector::interpolate, SinoView, ImageView, AngleView, CenterView> f{
        sino, image, angles, centers, n, ndet, nang, scale};
    f.run(space);
  }
}

}  // namespace beamkit::tomo
