// SPDX-License-Identifier: BSD-3-Clause
// Levenberg-Marquardt and Nelder-Mead (see include/beamkit/fit/local.hpp). Eigen stays private here.
#include <beamkit/core/error.hpp>
#include <beamkit/fit/local.hpp>
#include <algorithm>
#include <cmath>
#include <eigen3/Eigen/Dense>
#include <limits>
#include <numeric>

namespace beamkit::fit {
namespace {

void check_bounds(const char* where, std::size_t n, const std::vector<double>& lo, const std::vector<double>& hi) {
  if (lo.empty() && hi.empty()) return;
  if (lo.size() != n || hi.size() != n)
    fail(errc::invalid_argument, where,
         cat("bounds must have ", n, " lower and upper values (= len(x0)), got ", lo.size(), " and ", hi.size()));
  for (std::size_t j = 0; j < n; ++j)
    if (!(lo[j] < hi[j])) fail(errc::invalid_argument, where, cat("bounds of parameter ", j, ": ", lo[j], " >= ", hi[j]));
}

void project(std::vector<double>& x, const std::vector<double>& lo, const std::vector<double>& hi) {
  if (lo.empty()) return;
  for (std::size_t j = 0; j < x.size(); ++j) x[j] = std::min(std::max(x[j], lo[j]), hi[j]);
}

struct Residuals {
  const ResidualFn& f;
  std::int64_t evals = 0;
  std::size_t m = 0;
  Eigen::VectorXd operator()(const std::vector<double>& x, const char* where) {
    std::vector<double> r;
    f(x, r);
    ++evals;
    if (m == 0) {
      if (r.empty()) fail(errc::invalid_argument, where, "the residual function returned no residuals");
      m = r.size();
    } else if (r.size() != m) {
      fail(errc::invalid_argument, where, cat("the residual function returned ", r.size(), " residuals, previously ", m));
    }
    for (double v : r)
      if (!std::isfinite(v)) return Eigen::VectorXd::Constant(Eigen::Index(m), std::numeric_limits<double>::infinity());
    return Eigen::Map<Eigen::VectorXd>(r.data(), Eigen::Index(m));
  }
};

double step_of(double xj, const LsqOptions& o) { return o.fd_step * std::max(std::fabs(xj), 1e-3); }

// Jacobian by forward (central = false) or central differences; steps stay inside the bounds.
Eigen::MatrixXd jacobian(Residuals& R, const std::vector<double>& x, const Eigen::VectorXd& r0, const LsqOptions& o,
                         bool central, const char* where) {
  const std::size_t n = x.size();
  Eigen::MatrixXd J(r0.size(), Eigen::Index(n));
  std::vector<double> xp = x;
  for (std::size_t j = 0; j < n; ++j) {
    double h = step_of(x[j], o);
    const bool bounded = !o.lo.empty();
    if (central) {
      double a = x[j] - h, b = x[j] + h;
      if (bounded) { a = std::max(a, o.lo[j]); b = std::min(b, o.hi[j]); }
      xp[j] = b;
      const Eigen::VectorXd rb = R(xp, where);
      xp[j] = a;
      const Eigen::VectorXd ra = R(xp, where);
      J.col(Eigen::Index(j)) = (rb - ra) / (b - a);
    } else {
      if (bounded && x[j] + h > o.hi[j]) h = -h;
      xp[j] = x[j] + h;
      J.col(Eigen::Index(j)) = (R(xp, where) - r0) / h;
    }
    xp[j] = x[j];
  }
  return J;
}

void fill_covariance(LsqResult& res, const Eigen::MatrixXd& J, const LsqOptions& o) {
  const Eigen::Index n = J.cols();
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(J, Eigen::ComputeThinV);
  const Eigen::VectorXd s = svd.singularValues();
  const double cut = s.size() ? s(0) * 1e-12 * double(std::max(J.rows(), n)) : 0;
  Eigen::VectorXd inv2 = Eigen::VectorXd::Zero(s.size());
  for (Eigen::Index k = 0; k < s.size(); ++k)
    if (s(k) > cut) inv2(k) = 1.0 / (s(k) * s(k));
  const Eigen::MatrixXd V = svd.matrixV();
  Eigen::MatrixXd C = V * inv2.asDiagonal() * V.transpose();
  res.dof = int(res.m) - int(n);
  res.reduced_chi2 = res.dof > 0 ? res.chi2 / res.dof : std::numeric_limits<double>::quiet_NaN();
  if (!o.absolute_sigma) C *= res.dof > 0 ? res.reduced_chi2 : std::numeric_limits<double>::infinity();
  res.covariance.assign(std::size_t(n * n), 0.0);
  res.stderr_.assign(std::size_t(n), 0.0);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) res.covariance[std::size_t(i * n + j)] = C(i, j);
    res.stderr_[std::size_t(i)] = std::sqrt(std::max(C(i, i), 0.0));
  }
}

}  // namespace

LsqResult lsq_uncertainty(const ResidualFn& f, const std::vector<double>& x, const LsqOptions& o) {
  constexpr const char* where = "beamkit::fit::lsq_uncertainty";
  check::require(!x.empty(), where, "argument 'x' is empty");
  check::all_finite(x.data(), x.size(), where, "x");
  check_bounds(where, x.size(), o.lo, o.hi);
  Residuals R{f};
  LsqResult res;
  res.x = x;
  const Eigen::VectorXd r = R(x, where);
  res.m = int(R.m);
  res.chi2 = r.squaredNorm();
  res.residuals.assign(r.data(), r.data() + r.size());
  fill_covariance(res, jacobian(R, x, r, o, true, where), o);
  res.evaluations = R.evals;
  res.converged = true;
  return res;
}

LsqResult levenberg_marquardt(const ResidualFn& f, const std::vector<double>& x0, const LsqOptions& o) {
  constexpr const char* where = "beamkit::fit::least_squares";
  check::require(!x0.empty(), where, "argument 'x0' is empty");
  check::all_finite(x0.data(), x0.size(), where, "x0");
  check_bounds(where, x0.size(), o.lo, o.hi);
  check::non_negative(o.max_iter, where, "max_iter");
  check::positive(o.fd_step, where, "fd_step");
  Residuals R{f};
  LsqResult res;
  std::vector<double> x = x0;
  project(x, o.lo, o.hi);
  Eigen::VectorXd r = R(x, where);
  double cost = r.squaredNorm();
  if (!std::isfinite(cost)) fail(errc::invalid_argument, where, "the residuals are not finite at x0");
  const Eigen::Index n = Eigen::Index(x.size());
  double lambda = o.lambda0;
  Eigen::MatrixXd J = jacobian(R, x, r, o, false, where);
  res.message = "max_iter reached";
  int it = 0;
  for (; it < o.max_iter; ++it) {
    const Eigen::MatrixXd A = J.transpose() * J;
    const Eigen::VectorXd g = J.transpose() * r;
    if (g.cwiseAbs().maxCoeff() <= o.gtol) { res.converged = true; res.message = "gradient below gtol"; break; }
    Eigen::VectorXd d = A.diagonal().cwiseMax(1e-12 * std::max(A.diagonal().maxCoeff(), 1e-300));
    bool accepted = false;
    while (!accepted) {
      Eigen::MatrixXd M = A;
      M.diagonal() += lambda * d;
      const Eigen::VectorXd dx = M.ldlt().solve(-g);
      std::vector<double> xn(x);
      for (Eigen::Index j = 0; j < n; ++j) xn[std::size_t(j)] += dx(j);
      project(xn, o.lo, o.hi);
      const Eigen::VectorXd rn = R(xn, where);
      const double cn = rn.squaredNorm();
      if (std::isfinite(cn) && cn < cost) {
        double step = 0, xnorm = 0;
        for (Eigen::Index j = 0; j < n; ++j) {
          step += (xn[std::size_t(j)] - x[std::size_t(j)]) * (xn[std::size_t(j)] - x[std::size_t(j)]);
          xnorm += x[std::size_t(j)] * x[std::size_t(j)];
        }
        const double rel = (cost - cn) / std::max(cost, 1e-300);
        x = xn;
        r = rn;
        cost = cn;
        lambda = std::max(lambda / 10, 1e-12);
        accepted = true;
        if (rel <= o.ftol) { res.converged = true; res.message = "relative reduction below ftol"; }
        else if (std::sqrt(step) <= o.xtol * (std::sqrt(xnorm) + o.xtol)) { res.converged = true; res.message = "step below xtol"; }
      } else {
        lambda *= 10;
        if (lambda > 1e16) { res.converged = true; res.message = "no further decrease (damping limit)"; break; }
      }
    }
    if (res.converged) { ++it; break; }
    J = jacobian(R, x, r, o, false, where);
  }
  res.iterations = it;
  res.x = x;
  res.m = int(R.m);
  res.chi2 = cost;
  res.residuals.assign(r.data(), r.data() + r.size());
  fill_covariance(res, jacobian(R, x, r, o, true, where), o);
  res.evaluations = R.evals;
  return res;
}

NelderMeadResult nelder_mead(const CostFn& f, const std::vector<double>& x0, const NelderMeadOptions& o) {
  constexpr const char* where = "beamkit::fit::nelder_mead";
  check::require(!x0.empty(), where, "argument 'x0' is empty");
  check::all_finite(x0.data(), x0.size(), where, "x0");
  check_bounds(where, x0.size(), o.lo, o.hi);
  check::positive(o.initial_step, where, "initial_step");
  const std::size_t n = x0.size();
  const double dn = double(n);
  // Gao & Han adaptive coefficients (equal to the classic 1, 2, 0.5, 0.5 for n = 2).
  const double alpha = 1, beta = 1 + 2 / dn, gamma = 0.75 - 1 / (2 * dn), delta = 1 - 1 / dn;
  const std::int64_t max_evals = o.max_evals > 0 ? o.max_evals : std::int64_t(200 * n * n + 1000);
  NelderMeadResult res;
  // Outside the box f is evaluated at the projection plus a penalty growing with the distance, so
  // the simplex may step over a wall without collapsing onto it, and the minimum stays inside.
  std::vector<double> xp(n);
  auto eval = [&](const std::vector<double>& x) {
    xp = x;
    project(xp, o.lo, o.hi);
    double pen = 0;
    for (std::size_t j = 0; j < n && !o.lo.empty(); ++j) {
      const double u = (x[j] - xp[j]) / (o.hi[j] - o.lo[j]);
      pen += u * u;
    }
    ++res.evaluations;
    const double v = f(xp);
    if (!std::isfinite(v)) return std::numeric_limits<double>::infinity();
    return pen > 0 ? v + pen * (1 + std::fabs(v)) + 1e-300 : v;
  };
  std::vector<double> x0p = x0;
  project(x0p, o.lo, o.hi);
  std::vector<std::vector<double>> S(n + 1, x0p);
  std::vector<double> F(n + 1);
  F[0] = eval(S[0]);
  for (std::size_t j = 0; j < n; ++j) {
    double h = o.lo.empty() ? o.initial_step * std::max(std::fabs(x0[j]), 1.0) : o.initial_step * (o.hi[j] - o.lo[j]);
    if (!o.lo.empty() && S[0][j] + h > o.hi[j]) h = -h;
    S[j + 1][j] += h;
    F[j + 1] = eval(S[j + 1]);
  }
  std::vector<std::size_t> idx(n + 1);
  std::vector<double> c(n), xr(n), xe(n), xc(n);
  res.message = "max_iter reached";
  int it = 0;
  for (; it < o.max_iter; ++it) {
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return F[a] < F[b]; });
    const std::size_t b = idx[0], w = idx[n], sw = idx[n - 1];
    double diam = 0;
    for (std::size_t k = 1; k <= n; ++k)
      for (std::size_t j = 0; j < n; ++j) {
        const double scale = o.lo.empty() ? std::max(std::fabs(S[b][j]), 1.0) : o.hi[j] - o.lo[j];
        diam = std::max(diam, std::fabs(S[idx[k]][j] - S[b][j]) / scale);
      }
    if (diam <= o.xtol && std::fabs(F[w] - F[b]) <= o.ftol * std::max(1.0, std::fabs(F[b]))) {
      res.converged = true;
      res.message = "simplex converged";
      break;
    }
    if (res.evaluations >= max_evals) { res.message = "max_evals reached"; break; }
    std::fill(c.begin(), c.end(), 0.0);
    for (std::size_t k = 0; k < n; ++k)
      for (std::size_t j = 0; j < n; ++j) c[j] += S[idx[k]][j] / dn;
    for (std::size_t j = 0; j < n; ++j) xr[j] = c[j] + alpha * (c[j] - S[w][j]);
    const double fr = eval(xr);
    if (fr < F[b]) {
      for (std::size_t j = 0; j < n; ++j) xe[j] = c[j] + beta * (xr[j] - c[j]);
      const double fe = eval(xe);
      if (fe < fr) { S[w] = xe; F[w] = fe; } else { S[w] = xr; F[w] = fr; }
    } else if (fr < F[sw]) {
      S[w] = xr;
      F[w] = fr;
    } else {
      const bool outside = fr < F[w];
      for (std::size_t j = 0; j < n; ++j)
        xc[j] = outside ? c[j] + gamma * (xr[j] - c[j]) : c[j] - gamma * (c[j] - S[w][j]);
      const double fc = eval(xc);
      if (fc < (outside ? fr : F[w])) {
        S[w] = xc;
        F[w] = fc;
      } else {  // shrink towards the best vertex
        for (std::size_t k = 1; k <= n; ++k) {
          auto& v = S[idx[k]];
          for (std::size_t j = 0; j < n; ++j) v[j] = S[b][j] + delta * (v[j] - S[b][j]);
          F[idx[k]] = eval(v);
        }
      }
    }
  }
  const std::size_t best = std::size_t(std::min_element(F.begin(), F.end()) - F.begin());
  res.x = S[best];
  project(res.x, o.lo, o.hi);
  res.cost = F[best];
  res.iterations = it;
  return res;
}

}  // namespace beamkit::fit
