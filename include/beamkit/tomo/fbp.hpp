// SPDX-License-Identifier: BSD-3-Clause
// Filtered back-projection:  f(x) = (pi / P) sum_theta  (p_theta * h)(s(x, theta))
// with the filter h of filters.hpp applied by FFT on rows zero-padded to >= 2 n_det (so the
// circular convolution never wraps), and the interpolating back-projector of projector.hpp.
// Angles are assumed to cover [0, pi) or [0, 2 pi) evenly (weight pi / P either way).
//
// FbpPlan owns the filter, the FFT plans and the workspaces, so a volume reuses them slice batch
// after slice batch (no allocation per batch once the largest batch size has been seen).
#pragma once
#include <beamkit/fft/plan.hpp>
#include <beamkit/tomo/filters.hpp>
#include <beamkit/tomo/projector.hpp>
#include <map>

namespace beamkit::tomo {

struct FbpOptions {
  FilterSpec filter;
  double pad_factor = 2.0;  ///< padded FFT length >= pad_factor * n_det (>= 1)
};

template <class ExecSpace, class Real> class FbpPlan {
  static_assert(is_real<Real>::value, "beamkit::tomo::FbpPlan: Real must be float or double");

public:
  using Mem = typename ExecSpace::memory_space;
  using complex_type = Kokkos::complex<Real>;

  FbpPlan(const ExecSpace& space, const ParallelGeometry& g, const FbpOptions& opt = {})
      : m_space(space), m_geom(g), m_opt(opt) {
    constexpr const char* where = "beamkit::tomo::FbpPlan";
    g.validate(where, int(g.center.size()));
    opt.filter.validate(where);
    check::in_range(opt.pad_factor, 1.0, 16.0, where, "pad_factor");
    m_np = next_smooth(int(std::ceil(opt.pad_factor * g.n_det)));
    m_angles = angle_table<Real, Mem>(g.theta);
    // pi / P quadrature weight and the 1/np of the inverse FFT folded into the filter.
    const auto H = filter_response(opt.filter, m_np);
    const double scale = (opt.filter.type == Filter::none ? 1.0 : 3.141592653589793 / g.n_angles) / m_np;
    m_filter = View1<Real, Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::fbp_filter"), H.size());
    auto hf = Kokkos::create_mirror_view(Kokkos::view_alloc(Kokkos::HostSpace(), Kokkos::WithoutInitializing), m_filter);
    for (std::size_t k = 0; k < H.size(); ++k) hf(k) = Real(H[k] * scale);
    Kokkos::deep_copy(m_filter, hf);
  }

  int padded_length() const { return m_np; }
  const ParallelGeometry& geometry() const { return m_geom; }

  /// Reconstruct sinograms [S][P][n_det] into images [S][N][N]; `first_slice` selects the slices'
  /// centres from the geometry (one centre per slice of the whole volume, or one for all).
  template <class SinoView, class ImageView>
  void reconstruct(const SinoView& sino, const ImageView& image, int first_slice = 0) {
    constexpr const char* where = "beamkit::tomo::FbpPlan::reconstruct";
    const int S = int(sino.extent(0)), P = m_geom.n_angles, n = m_geom.n_det, np = m_np;
    check::require(int(sino.extent(1)) == P && int(sino.extent(2)) == n, where,
                   cat("sinogram shape (", sino.extent(0), ", ", sino.extent(1), ", ", sino.extent(2),
                       ") does not match the geometry (", P, " angles, ", n, " detector pixels)"));
    check::require(int(image.extent(0)) == S && int(image.extent(1)) == m_geom.n_grid &&
                       int(image.extent(2)) == m_geom.n_grid,
                   where, cat("output must be (", S, ", ", m_geom.n_grid, ", ", m_geom.n_grid, ")"));
    if (S == 0) return;
    Work& w = work(S);
    // 1. zero-padded copy of the rows
    auto pad = w.padded;
    Kokkos::parallel_for("beamkit::tomo::fbp_pad",
                         Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(m_space, {0, 0, 0}, {S, P, np}),
                         KOKKOS_LAMBDA(const int s, const int a, const int d) {
                           pad(s, a, d) = d < n ? Real(sino(s, a, d)) : Real(0);
                         });
    // 2. filter in frequency space
    w.r2c.forward(pad, w.spectrum);
    auto spec = w.spectrum;
    auto H = m_filter;
    const int nh = np / 2 + 1;
    Kokkos::parallel_for("beamkit::tomo::fbp_filter",
                         Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(m_space, {0, 0, 0}, {S, P, nh}),
                         KOKKOS_LAMBDA(const int s, const int a, const int k) { spec(s, a, k) *= H(k); });
    w.c2r.backward(spec, pad);
    // 3. back-project the filtered rows (the first n_det of each padded row)
    auto filtered = Kokkos::subview(pad, Kokkos::ALL, Kokkos::ALL, Kokkos::make_pair(0, n));
    auto centers = center_slice(first_slice, S);
    if constexpr (use_pairs) {
      // float rows without the SIMD path: pack (q[d], q[d+1] - q[d]) so the back-projection gathers once per pixel
      auto pairs = w.pairs;
      Kokkos::parallel_for("beamkit::tomo::fbp_pairs",
                           Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>>(m_space, {0, 0, 0}, {S, P, n}),
                           KOKKOS_LAMBDA(const int s, const int a, const int d) {
                             const float q0 = pad(s, a, d), q1 = d + 1 < n ? pad(s, a, d + 1) : 0.0f;
                             pairs(s, a, d) = detail::pack_pair(q0, q1 - q0);
                           });
      back_project_interpolate_pairs(m_space, filtered, pairs, m_angles, centers, image);
    } else {
      back_project(m_space, filtered, m_angles, centers, image, BackProjector::interpolate, Real(1));
    }
  }

private:
  // Float rows are packed as (value, difference) pairs for the gathering back-projector; the host SIMD
  // path reads the rows directly, so there the packing pass and its buffer are skipped.
  static constexpr bool use_pairs = std::is_same<Real, float>::value && !detail::simd_back_projection<ExecSpace, Real>;

  struct Work {
    View3<Real, Mem> padded;
    View3<complex_type, Mem> spectrum;
    fft::Plan<ExecSpace, Real> r2c, c2r;
    Kokkos::View<std::uint64_t***, Kokkos::LayoutRight, Mem> pairs;  // only when use_pairs (see back_project_interpolate_pairs)
  };

  Work& work(int S) {
    auto it = m_work.find(S);
    if (it != m_work.end()) return it->second;
    const int P = m_geom.n_angles;
    Work w{View3<Real, Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::fbp_rows"), S, P, m_np),
           View3<complex_type, Mem>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::fbp_spectrum"), S,
                                    P, m_np / 2 + 1),
           fft::Plan<ExecSpace, Real>(m_space, fft::Kind::r2c, {m_np}, S * P),
           fft::Plan<ExecSpace, Real>(m_space, fft::Kind::c2r, {m_np}, S * P),
           {}};
    if (use_pairs)
      w.pairs = Kokkos::View<std::uint64_t***, Kokkos::LayoutRight, Mem>(
          Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::tomo::fbp_pairs"), S, P, m_geom.n_det);
    return m_work.emplace(S, std::move(w)).first->second;
  }

  View1<Real, Mem> center_slice(int first, int S) {
    if (int(m_centers.extent(0)) != S || m_centers_first != first) {
      ParallelGeometry g = m_geom;
      if (g.center.size() > 1)
        g.center = std::vector<double>(m_geom.center.begin() + first, m_geom.center.begin() + first + S);
      m_centers = center_table<Real, Mem>(g, S);
      m_centers_first = first;
    }
    return m_centers;
  }

  ExecSpace m_space;
  ParallelGeometry m_geom;
  FbpOptions m_opt;
  int m_np = 0;
  Kokkos::View<AngleCoef<Real>*, Mem> m_angles;
  View1<Real, Mem> m_filter;
  std::map<int, Work> m_work;
  View1<Real, Mem> m_centers;
  int m_centers_first = -1;
};

}  // namespace beamkit::tomo
