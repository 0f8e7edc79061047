// SPDX-License-Identifier: BSD-3-Clause
// Local refinement after the swarm (host side; the linear algebra is Eigen, compiled into
// libbeamkit so that consumers need no Eigen):
//   * levenberg_marquardt: min_x sum_i r_i(x)^2 (Levenberg 1944; Marquardt 1963, with Marquardt's
//     diag(J^T J) scaling), finite-difference Jacobian, box bounds by projection; parameter covariance at
//     the optimum  C = s^2 (J^T J)^{-1},  s^2 = sum r^2 / (m - n)  (or s^2 = 1 when the residuals are
//     already divided by known sigmas: absolute_sigma), from a central-difference Jacobian.
//   * nelder_mead: derivative-free simplex (Nelder & Mead 1965; adaptive coefficients of Gao & Han,
//     Comput. Optim. Appl. 51 (2012) 259), box bounds by projection.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace beamkit::fit {

/// Residual vector r(x) (fill r; its size must be the same at every call).
using ResidualFn = std::function<void(const std::vector<double>& x, std::vector<double>& r)>;
/// Scalar cost f(x).
using CostFn = std::function<double(const std::vector<double>& x)>;

struct LsqOptions {
  int max_iter = 200;
  double ftol = 1e-12;         ///< stop when the relative decrease of sum r^2 is <= ftol
  double xtol = 1e-10;         ///< stop when |dx| <= xtol (|x| + xtol)
  double gtol = 1e-14;         ///< stop when max |J^T r| <= gtol
  double fd_step = 1e-6;       ///< finite-difference step, relative to max(|x_j|, scale_j)
  double lambda0 = 1e-3;       ///< initial damping
  bool absolute_sigma = false; ///< residuals are already (model - data)/sigma with true sigmas: C = (J^T J)^{-1}
  std::vector<double> lo, hi;  ///< optional bounds (empty: none)
};

struct LsqResult {
  std::vector<double> x;
  double chi2 = 0;                ///< sum r^2 at x
  double reduced_chi2 = 0;        ///< chi2 / (m - n)
  std::vector<double> residuals;
  std::vector<double> covariance; ///< [n][n] row-major
  std::vector<double> stderr_;    ///< sqrt(diag(covariance))
  int m = 0, dof = 0, iterations = 0;
  std::int64_t evaluations = 0;
  bool converged = false;
  std::string message;
};

/// Levenberg-Marquardt least squares from x0. Throws beamkit::error on bad input.
LsqResult levenberg_marquardt(const ResidualFn& f, const std::vector<double>& x0, const LsqOptions& opt = {});

/// Covariance s^2 (J^T J)^+ and its J at x by central differences (also used after other optimisers).
LsqResult lsq_uncertainty(const ResidualFn& f, const std::vector<double>& x, const LsqOptions& opt = {});

struct NelderMeadOptions {
  int max_iter = 5000;
  std::int64_t max_evals = 0;  ///< 0: 200 * n^2 + 1000
  double xtol = 1e-10;         ///< simplex diameter (relative to the box or to |x|)
  double ftol = 1e-12;         ///< spread of f over the simplex
  double initial_step = 0.05;  ///< initial simplex edge: fraction of (hi - lo), or of max(|x0|, 1) without bounds
  std::vector<double> lo, hi;
};

struct NelderMeadResult {
  std::vector<double> x;
  double cost = 0;
  int iterations = 0;
  std::int64_t evaluations = 0;
  bool converged = false;
  std::string message;
};

NelderMeadResult nelder_mead(const CostFn& f, const std::vector<double>& x0, const NelderMeadOptions& opt = {});

}  // namespace beamkit::fit
