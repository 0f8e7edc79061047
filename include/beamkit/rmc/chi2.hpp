// SPDX-License-Identifier: BSD-3-Clause
// The RMC cost: chi^2 between the model pattern s|F(k)|^2 + b and the data D(k) over the unmasked
// q points, with weights w(k) = 1/sigma(k)^2 (w = 1 without sigma, w = 0 where masked):
//
//   chi^2(s, b) = sum_k w (s P + b - D)^2,   P(k) = |F(k)|^2
//               = s^2 S_pp + 2 s b S_p + b^2 S_w - 2 s S_pd - 2 b S_d + S_dd
//
// with S_pp = sum w P^2, S_p = sum w P, S_pd = sum w P D (these change with the model) and the data
// constants S_w = sum w, S_d = sum w D, S_dd = sum w D^2. The scale s and background b are either
// given or the least-squares optimum for the current model (the 2x2 normal equations in s, b; the
// scale is clamped at s >= 0, a negative scale being unphysical). Default: s fitted, b = 0 given.
// Why not fit b by default: from a random start the model pattern is nearly uncorrelated with the
// data, the joint optimum then often has s <= 0, the clamped cost s = 0, b = mean(D) does not depend
// on the model and the walk is blind until chance makes s > 0. With b fixed, s = S_pd / S_pp > 0 for
// non-negative data and every move is informative. Fit b when the data carry a flat background. Because the cost depends on the
// model only through (S_pp, S_p, S_pd), a move only needs the three sums' changes -- which the
// solver computes in one pass over the half spectrum (solver.hpp).
#pragma once
#include <cmath>

namespace beamkit::rmc {

/// How the model pattern is scaled onto the data.
struct ChiModel {
  bool fit_scale = true;        ///< s = least-squares optimum (else `scale`)
  bool fit_background = false;  ///< b = least-squares optimum (else `background`; default 0)
  double scale = 1;            ///< used when !fit_scale
  double background = 0;       ///< used when !fit_background
};

/// The model-dependent sums (sum over all unmasked q of w P^2, w P, w P D).
struct Sums {
  double pp = 0, p = 0, pd = 0;
  Sums& operator+=(const Sums& o) {
    pp += o.pp;
    p += o.p;
    pd += o.pd;
    return *this;
  }
  friend Sums operator+(Sums a, const Sums& b) { return a += b; }
};

/// The data constants (sum over all unmasked q of w, w D, w D^2).
struct DataSums {
  double w = 0, d = 0, dd = 0;
};

/// Scale and background for model sums `s` (the optimum of the free ones).
inline void scale_background(const Sums& s, const DataSums& c, const ChiModel& m, double& scale,
                             double& background) {
  scale = m.scale;
  background = m.background;
  if (m.fit_scale && m.fit_background) {
    const double det = s.pp * c.w - s.p * s.p;
    if (det > 1e-300 * (s.pp * c.w + 1e-300)) {
      scale = (s.pd * c.w - s.p * c.d) / det;
      background = (s.pp * c.d - s.p * s.pd) / det;
    } else {
      scale = 0;
    }
    if (!(scale > 0)) {
      scale = 0;
      background = c.w > 0 ? c.d / c.w : 0;
    }
  } else if (m.fit_scale) {
    scale = s.pp > 0 ? (s.pd - background * s.p) / s.pp : 0;
    if (!(scale > 0)) scale = 0;
  } else if (m.fit_background) {
    background = c.w > 0 ? (c.d - scale * s.p) / c.w : 0;
  }
}

/// chi^2 for given scale and background.
inline double chi2_at(const Sums& s, const DataSums& c, double scale, double bg) {
  const double v = scale * scale * s.pp + 2 * scale * bg * s.p + bg * bg * c.w - 2 * scale * s.pd -
                   2 * bg * c.d + c.dd;
  return v > 0 ? v : 0;
}

/// chi^2 with the chosen (given or optimal) scale and background.
inline double chi2(const Sums& s, const DataSums& c, const ChiModel& m) {
  double scale, bg;
  scale_background(s, c, m, scale, bg);
  return chi2_at(s, c, scale, bg);
}

}  // namespace beamkit::rmc
