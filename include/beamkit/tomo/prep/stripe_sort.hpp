// SPDX-License-Identifier: BSD-3-Clause
// Stripe removal by sorting, N. T. Vo, R. C. Atwood, M. Drakopoulos, Opt. Express 26, 28396 (2018),
// algorithm 3, as TomoPy's remove_stripe_based_sorting: in every sinogram each detector column is
// sorted along the angles, the sorted image [n_det][n_angles] is median filtered across the detector
// (window size x 1 for dim = 1, size x size for dim = 2, scipy 'reflect' boundary), and every value
// is put back at its column's original angle. A stripe (a column offset) becomes a step across
// columns of the sorted image, which the median removes; the object's structure is untouched.
#pragma once
#include <beamkit/core/error.hpp>
#include <beamkit/core/types.hpp>
#include <beamkit/tomo/prep/detail/select.hpp>
#include <beamkit/tomo/prep/median.hpp>

namespace beamkit::tomo {

/// TomoPy's default window: 21 for detectors wider than 2000 pixels, else max(5, int(0.01 n_det)).
inline int stripe_sort_default_size(int n_det) { return n_det > 2000 ? 21 : std::max(5, int(0.01 * n_det)); }

/// In place on proj [n_angles][n_slices][n_det]. size 0: TomoPy's default.
template <class ExecSpace, class ProjView>
void remove_stripe_based_sorting(const ExecSpace& space, const ProjView& proj, int size = 0, int dim = 1) {
  using Real = typename ProjView::non_const_value_type;
  using Mem = typename ExecSpace::memory_space;
  static_assert(ProjView::rank == 3, "beamkit::tomo::remove_stripe_based_sorting: rank-3 view");
  constexpr const char* where = "beamkit::tomo::remove_stripe_based_sorting";
  const int P = int(proj.extent(0)), S = int(proj.extent(1)), n = int(proj.extent(2));
  if (size == 0) size = stripe_sort_default_size(n);
  check::require(dim == 1 || dim == 2, where, cat("argument 'dim' must be 1 or 2, got ", dim));
  check::require(size >= 1, where, cat("argument 'size' must be >= 1, got ", size));
  const int wx = dim == 2 ? size : 1;
  detail::check_median_window(size, wx, where);
  View3<Real, Mem> key(Kokkos::view_alloc(space, Kokkos::WithoutInitializing, "beamkit::tomo::stripe_sort_key"), S, n, P);
  View3<Real, Mem> med(Kokkos::view_alloc(space, Kokkos::WithoutInitializing, "beamkit::tomo::stripe_sort_med"), S, n, P);
  View3<int, Mem> idx(Kokkos::view_alloc(space, Kokkos::WithoutInitializing, "beamkit::tomo::stripe_sort_idx"), S, n, P);
  Kokkos::parallel_for("beamkit::tomo::stripe_sort", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<2>>(space, {0, 0}, {S, n}),
                       KOKKOS_LAMBDA(const int s, const int d) {
                         Real* k = &key(s, d, 0);
                         int* ix = &idx(s, d, 0);
                         for (int a = 0; a < P; ++a) {
                           k[a] = proj(a, s, d);
                           ix[a] = a;
                         }
                         detail::heap_sort_with_index(k, ix, P);
                       });
  // rows of key(s) are detector columns: the window runs size along the detector (axis 1), wx along rank
  median_filter(space, key, med, size, wx);
  Kokkos::parallel_for("beamkit::tomo::stripe_sort_back", Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(space, {0, 0, 0}, {S, n, P}),
                       KOKKOS_LAMBDA(const int s, const int d, const int r) { proj(idx(s, d, r), s, d) = med(s, d, r); });
  space.fence();
}

}  // namespace beamkit::tomo
