// SPDX-License-Identifier: BSD-3-Clause
// Masked chi^2 of a model image against a data image, with the best scale a and background b of the
// model solved analytically at every evaluation ("model image vs data image"; the GISAXS fit uses it):
//   I_p = a M_p + b,   chi^2 = sum_{p in mask} ((T(I_p) - T(D_p)) / sigma_T,p)^2
// with T = identity, sqrt or log. sigma is given per pixel in intensity units, or Poisson
// (sigma^2 = max(D, 1), the default), or none (unit weights in the transformed space). In T space
// sigma_T = T'(D) sigma (error propagation); without sigma, sigma_T = 1.
// (a, b) minimise the linearised chi^2  sum w_p (a M_p + b - D_p)^2  with w_p = (T'(D_p) / sigma_T,p)^2:
// a 2x2 linear least-squares problem (closed form below, exact for T = identity), optionally
// constrained to a, b >= 0 (then the active constraint is fixed and the other parameter re-solved).
// Images are passed flattened ([n_pixels], LayoutRight); the mask is uint8 (nonzero = used), an
// empty mask View means all pixels.
#pragma once
#include <beamkit/core/error.hpp>
#include <beamkit/core/kokkos_compat.hpp>
#include <beamkit/core/types.hpp>
#include <algorithm>
#include <cstdint>

namespace beamkit::fit {

enum class Transform { linear = 0, sqrt = 1, log = 2 };
enum class SigmaModel { poisson = 0, given = 1, none = 2 };

struct Chi2Options {
  Transform transform = Transform::log;
  SigmaModel sigma = SigmaModel::poisson;
  bool fit_scale = true, fit_background = true;
  double scale = 1, background = 0;  ///< used when not fitted
  bool non_negative = true;          ///< constrain a, b >= 0
  double floor = 1.0;                ///< sqrt/log: intensities (model and data) below this are raised to it
};

struct Chi2Result {
  double chi2 = 0;
  double scale = 1, background = 0;
  std::int64_t n_used = 0;  ///< pixels in the mask
};

namespace detail {
template <class Real> struct Chi2Pixel {
  int transform, sigma_model;
  Real floor;
  // Transformed value and derivative at D.
  KOKKOS_INLINE_FUNCTION Real T(Real v) const {
    if (transform == 0) return v;
    const Real u = kmath::max(v, floor);
    return transform == 1 ? kmath::sqrt(u) : kmath::log(u);
  }
  KOKKOS_INLINE_FUNCTION Real dT(Real d) const {
    if (transform == 0) return Real(1);
    const Real u = kmath::max(d, floor);
    return transform == 1 ? Real(0.5) / kmath::sqrt(u) : Real(1) / u;
  }
  // 1 / sigma_T (in T space) and the linearised weight w = (T'(D) / sigma_T)^2.
  KOKKOS_INLINE_FUNCTION void weights(Real d, Real s, Real& inv_sT, Real& w) const {
    if (sigma_model == 2) {  // none
      inv_sT = Real(1);
      const Real g = dT(d);
      w = g * g;
      return;
    }
    const Real sig = sigma_model == 0 ? kmath::sqrt(kmath::max(d, Real(1))) : s;
    inv_sT = Real(1) / (dT(d) * sig);
    w = Real(1) / (sig * sig);
  }
};

/// Closed-form weighted 2x2 least squares for (a, b) from the sums S = sum w, Sm = sum w M, ...
inline void solve_scale_background(double S, double Sm, double Smm, double Sd, double Smd, const Chi2Options& o,
                                   double& a, double& b) {
  a = o.scale;
  b = o.background;
  if (o.fit_scale && o.fit_background) {
    const double det = S * Smm - Sm * Sm;
    if (det > 1e-300 * (S * Smm + 1e-300)) {
      a = (S * Smd - Sm * Sd) / det;
      b = (Sd - a * Sm) / S;
    } else {  // model constant over the mask: only the sum a M + b is determined; put it in b
      a = 0;
      b = S > 0 ? Sd / S : 0;
    }
    if (o.non_negative && b < 0) {
      b = 0;
      a = Smm > 0 ? Smd / Smm : 0;
    }
    if (o.non_negative && a < 0) {
      a = 0;
      b = S > 0 ? std::max(Sd / S, 0.0) : 0;
    }
  } else if (o.fit_scale) {
    a = Smm > 0 ? (Smd - b * Sm) / Smm : 0;
    if (o.non_negative && a < 0) a = 0;
  } else if (o.fit_background) {
    b = S > 0 ? (Sd - a * Sm) / S : 0;
    if (o.non_negative && b < 0) b = 0;
  }
}
}  // namespace detail

/// chi^2 with the best scale and background, and optionally the residual vector (pass an empty View
/// to skip): residual_p = (T(a M_p + b) - T(D_p)) / sigma_T,p inside the mask, 0 outside.
/// \param model, data [n]; mask [n] or empty; sigma [n] (intensity units; SigmaModel::given) or empty.
template <class ExecSpace, class MV, class DV, class KV, class SV, class RV>
Chi2Result scaled_chi2(const ExecSpace& space, const MV& model, const DV& data, const KV& mask, const SV& sigma,
                       const Chi2Options& o, const RV& residual) {
  static_assert(Kokkos::is_execution_space<ExecSpace>::value, "scaled_chi2: ExecSpace");
  static_assert(MV::rank == 1 && DV::rank == 1 && KV::rank == 1 && SV::rank == 1 && RV::rank == 1,
                "scaled_chi2: flattened (rank-1) Views");
  using Real = typename MV::non_const_value_type;
  constexpr const char* where = "beamkit::fit::scaled_chi2";
  const std::int64_t n = std::int64_t(data.extent(0));
  check::equal(std::int64_t(model.extent(0)), n, where, "model size (vs data size)");
  if (mask.extent(0) != 0) check::equal(std::int64_t(mask.extent(0)), n, where, "mask size (vs data size)");
  if (o.sigma == SigmaModel::given) check::equal(std::int64_t(sigma.extent(0)), n, where, "sigma size (vs data size)");
  if (residual.extent(0) != 0) check::equal(std::int64_t(residual.extent(0)), n, where, "residual size (vs data size)");
  check::positive(o.floor, where, "floor");
  const detail::Chi2Pixel<Real> px{int(o.transform), int(o.sigma), Real(o.floor)};
  const bool has_mask = mask.extent(0) != 0, given = o.sigma == SigmaModel::given;
  using Policy = Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>;
  double S = 0, Sm = 0, Smm = 0, Sd = 0, Smd = 0;
  std::int64_t used = 0;
  Kokkos::parallel_reduce(
      "beamkit::fit::chi2_sums1", Policy(space, 0, n),
      KOKKOS_LAMBDA(const std::int64_t p, double& s, double& sm, double& smm) {
        if (has_mask && !mask(p)) return;
        Real inv, w;
        px.weights(Real(data(p)), given ? Real(sigma(p)) : Real(1), inv, w);
        const double m = double(model(p));
        s += w;
        sm += w * m;
        smm += w * m * m;
      },
      Kokkos::Sum<double>(S), Kokkos::Sum<double>(Sm), Kokkos::Sum<double>(Smm));
  Kokkos::parallel_reduce(
      "beamkit::fit::chi2_sums2", Policy(space, 0, n),
      KOKKOS_LAMBDA(const std::int64_t p, double& sd, double& smd, std::int64_t& cnt) {
        if (has_mask && !mask(p)) return;
        Real inv, w;
        px.weights(Real(data(p)), given ? Real(sigma(p)) : Real(1), inv, w);
        const double d = double(data(p));
        sd += w * d;
        smd += w * d * double(model(p));
        cnt += 1;
      },
      Kokkos::Sum<double>(Sd), Kokkos::Sum<double>(Smd), Kokkos::Sum<std::int64_t>(used));
  Chi2Result res;
  res.n_used = used;
  if (used == 0) fail(errc::invalid_argument, where, "the mask selects no pixel");
  detail::solve_scale_background(S, Sm, Smm, Sd, Smd, o, res.scale, res.background);
  const Real a = Real(res.scale), b = Real(res.background);
  const bool want_r = residual.extent(0) != 0;
  double chi2 = 0;
  Kokkos::parallel_reduce(
      "beamkit::fit::chi2", Policy(space, 0, n),
      KOKKOS_LAMBDA(const std::int64_t p, double& acc) {
        Real r = 0;
        if (!has_mask || mask(p)) {
          Real inv, w;
          const Real d = Real(data(p));
          px.weights(d, given ? Real(sigma(p)) : Real(1), inv, w);
          r = (px.T(a * Real(model(p)) + b) - px.T(d)) * inv;
        }
        if (want_r) residual(p) = r;
        acc += double(r) * double(r);
      },
      Kokkos::Sum<double>(chi2));
  res.chi2 = chi2;
  return res;
}

/// chi^2 only (no residual vector).
template <class ExecSpace, class MV, class DV, class KV, class SV>
Chi2Result scaled_chi2(const ExecSpace& space, const MV& model, const DV& data, const KV& mask, const SV& sigma,
                       const Chi2Options& o) {
  using Real = typename MV::non_const_value_type;
  return scaled_chi2(space, model, data, mask, sigma, o, View1<Real, typename ExecSpace::memory_space>());
}

}  // namespace beamkit::fit
