// SPDX-License-Identifier: BSD-3-Clause
// Whole-volume reconstruction: TomoPy-ordered projections in, a stack of slices out, slice batch by
// slice batch through one plan (filters, FFT plans, workspaces made once).
//
//   tomo  [n_angles][n_slices][n_det]   (or [n_slices][n_angles][n_det] with sinogram_order)
//   out   [n_slices][N][N]
// Both are views the execution space can read (numpy buffers from Python on the host backends).
#pragma once
#include <beamkit/tomo/fbp.hpp>
#include <beamkit/tomo/gridrec.hpp>
#include <beamkit/tomo/iterative.hpp>
#include <beamkit/tomo/projector.hpp>
#include <functional>
#include <string>

namespace beamkit::tomo {

struct ReconOptions {
  std::string algorithm = "gridrec";  ///< gridrec | fbp | one of iterative_algorithms()
  FilterSpec filter;
  double pad_factor = 2.0;      ///< rows zero-padded to >= pad_factor * n_det before filtering
  int num_gridx = 0;            ///< output N (0: n_det)
  bool sinogram_order = false;  ///< input is [n_slices][n_angles][n_det]
  int slice_batch = 0;          ///< slices per batch (0: automatic)
  /// Called after each batch with (slices done, total) — for iterative algorithms after each
  /// iteration with (iterations done, total = batches x num_iter); return false to stop early.
  std::function<bool(int, int)> progress;
  /// Iterative algorithms: iterations, subsets, relaxation, ... (its callback sees every iteration).
  IterativeOptions iterative;
  double init_value = 1e-6;    ///< iterative start value (TomoPy's), unless init_from_out
  bool init_from_out = false;  ///< start from the values already in `out` (TomoPy's init_recon)
};


namespace detail {
/// Copy slices [s0, s0+S) of the input into a [S][P][n_det] batch (transposing projection order).
template <class ExecSpace, class TomoView, class SinoView>
void gather_sinograms(const ExecSpace& space, const TomoView& tomo, bool sinogram_order, int s0, const SinoView& sino) {
  const int S = int(sino.extent(0)), P = int(sino.extent(1)), n = int(sino.extent(2));
  Kokkos::parallel_for("beamkit::tomo::gather_sinograms",
                       Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(space, {0, 0, 0}, {S, P, n}),
                       KOKKOS_LAMBDA(const int s, const int a, const int d) {
                         sino(s, a, d) = sinogram_order ? tomo(s0 + s, a, d) : tomo(a, s0 + s, d);
                       });
}
}  // namespace detail

/// Reconstruct a volume with FBP or gridrec. `center`: one value for all slices or one per slice
/// (TomoPy convention, geometry.hpp); empty: n_det / 2.
template <class ExecSpace, class TomoView, class OutView>
void recon(const ExecSpace& space, const TomoView& tomo, const std::vector<double>& theta,
           std::vector<double> center, const ReconOptions& opt, const OutView& out) {
  using Real = typename OutView::non_const_value_type;
  using Mem = typename ExecSpace::memory_space;
  constexpr const char* where = "beamkit::tomo::recon";
  static_assert(TomoView::rank == 3 && OutView::rank == 3, "beamkit::tomo::recon: rank-3 views");
  const int P = int(opt.sinogram_order ? tomo.extent(1) : tomo.extent(0));
  const int S = int(opt.sinogram_order ? tomo.extent(0) : tomo.extent(1));
  const int n = int(tomo.extent(2));
  check::require(P > 0 && S > 0 && n > 0, where,
                 cat("argument 'tomo' is empty (shape ", tomo.extent(0), ", ", tomo.extent(1), ", ", tomo.extent(2), ")"));
  if (center.empty()) center = {n / 2.0};
  ParallelGeometry g;
  g.n_angles = P;
  g.n_det = n;
  g.n_grid = opt.num_gridx > 0 ? opt.num_gridx : n;
  g.theta = theta;
  g.center = center;
  g.validate(where, S);
  check::require(int(out.extent(0)) == S && int(out.extent(1)) == g.n_grid && int(out.extent(2)) == g.n_grid, where,
                 cat("argument 'out' has shape (", out.extent(0), ", ", out.extent(1), ", ", out.extent(2),
                     "), expected (", S, ", ", g.n_grid, ", ", g.n_grid, ")"));
  // Batch: enough slices to fill the machine, bounded to ~256 MB of padded rows.
  int batch = opt.slice_batch;
  if (batch <= 0) {
    const double per_slice = double(P) * opt.pad_factor * n * sizeof(Real) * 3;
    batch = int(std::max(2.0, std::min(32.0, 256e6 / std::max(per_slice, 1.0))));
    batch += batch % 2;  // gridrec pairs slices
  }
  batch = std::min(batch, S);
  View3<Real, Mem> sino(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::recon_batch"),
                        std::size_t(batch), std::size_t(P), std::size_t(n));
  const std::string alg = opt.algorithm;
  std::unique_ptr<FbpPlan<ExecSpace, Real>> fbp;
  std::unique_ptr<GridrecPlan<ExecSpace, Real>> grid;
  if (alg == "fbp") {
    fbp.reset(new FbpPlan<ExecSpace, Real>(space, g, FbpOptions{opt.filter, opt.pad_factor}));
  } else if (alg == "gridrec") {
    GridrecOptions go;
    go.filter = opt.filter;
    go.pad_factor = opt.pad_factor;
    grid.reset(new GridrecPlan<ExecSpace, Real>(space, g, go));
  } else if (!is_iterative(alg)) {
    std::string list = "gridrec, fbp";
    for (const auto& a : iterative_algorithms()) list += ", " + a;
    fail(errc::invalid_argument, where, cat("unknown algorithm '", alg, "' (", list, ")"));
  }
  const bool iterative = is_iterative(alg);
  bool stopped = false;  // a callback asked to stop
  for (int s0 = 0; s0 < S; s0 += batch) {
    const int nb = std::min(batch, S - s0);
    auto sb = Kokkos::subview(sino, Kokkos::make_pair(0, nb), Kokkos::ALL, Kokkos::ALL);
    detail::gather_sinograms(space, tomo, opt.sinogram_order, s0, sb);
    auto ob = Kokkos::subview(out, Kokkos::make_pair(s0, s0 + nb), Kokkos::ALL, Kokkos::ALL);
    if (fbp) {
      fbp->reconstruct(sb, ob, s0);
    } else if (grid) {
      grid->reconstruct(sb, ob, s0);
    } else {
      ParallelGeometry gb = g;
      if (g.center.size() > 1) gb.center = std::vector<double>(g.center.begin() + s0, g.center.begin() + s0 + nb);
      IterativeOptions io = opt.iterative;
      io.algorithm = alg;
      const int n_batches = (S + batch - 1) / batch, done_before = (s0 / batch) * io.num_iter;
      if (io.callback) {
        io.callback = [&opt, &stopped](int it, double r) {
          if (!opt.iterative.callback(it, r)) stopped = true;
          return !stopped;
        };
      }
      if (opt.progress) {
        const int total = n_batches * io.num_iter;
        io.progress = [&opt, &stopped, done_before, total](int it) {
          if (!opt.progress(done_before + it, total)) stopped = true;  // called even after a stop: the bar shows it
          return !stopped;
        };
      }
      View3<Real, Mem> x(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::recon_x"), std::size_t(nb),
                         std::size_t(g.n_grid), std::size_t(g.n_grid));
      if (opt.init_from_out) Kokkos::deep_copy(space, x, ob);
      else Kokkos::deep_copy(space, x, Real(opt.init_value));
      View3<Real, Mem> bcopy(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::recon_b"), std::size_t(nb),
                             std::size_t(P), std::size_t(n));
      Kokkos::deep_copy(space, bcopy, sb);
      IterativePlan<ExecSpace, Real>(space, gb, nb, io).run(bcopy, x);
      Kokkos::deep_copy(space, ob, x);
    }
    space.fence();
    if (stopped) break;
    if (!iterative && opt.progress && !opt.progress(s0 + nb, S)) break;
  }
}

/// Zero everything outside the disc of radius ratio * N / 2 (TomoPy's circ_mask, axis 0 = slices).
template <class ExecSpace, class VolView>
void circ_mask(const ExecSpace& space, const VolView& vol, double ratio = 1.0, double value = 0.0) {
  using Real = typename VolView::non_const_value_type;
  check::in_range(ratio, 0.0, 1.5, "beamkit::tomo::circ_mask", "ratio");
  const int S = int(vol.extent(0)), ny = int(vol.extent(1)), nx = int(vol.extent(2));
  const double rad = ratio * 0.5 * std::min(nx, ny);
  Kokkos::parallel_for("beamkit::tomo::circ_mask",
                       Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(space, {0, 0, 0}, {S, ny, nx}),
                       KOKKOS_LAMBDA(const int s, const int r, const int c) {
                         const double y = r + 0.5 - 0.5 * ny, x = c + 0.5 - 0.5 * nx;
                         if (x * x + y * y > rad * rad) vol(s, r, c) = Real(value);
                       });
}

}  // namespace beamkit::tomo
