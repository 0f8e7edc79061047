// SPDX-License-Identifier: BSD-3-Clause
// The GISAXS fit driver shared by `beamkit fit` and beamkit.fit.gisaxs_fit (see gisaxs_fit.hpp).
#include <beamkit/fit/gisaxs_fit.hpp>
#include <beamkit/fit/local.hpp>
#include <beamkit/io/hdf5.hpp>
#include <beamkit/io/png.hpp>
#include <beamkit/scattering/gisaxs.hpp>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

namespace beamkit::fit {
namespace {
using json = nlohmann::ordered_json;
constexpr const char* kWhere = "beamkit::fit::gisaxs_fit";
constexpr double kInfeasible = 1e300;  // cost of parameter combinations the model rejects

[[noreturn]] void bad(const std::string& what) { fail(errc::invalid_argument, kWhere, what); }

json parse_json(const std::string& text, const char* what) {
  try {
    return json::parse(text);
  } catch (const std::exception& e) {
    fail(errc::invalid_argument, kWhere, cat("invalid JSON in the ", what, ": ", e.what()));
  }
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> keys;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = path.find('.', start);
    keys.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return keys;
}

bool is_index(const std::string& k) { return !k.empty() && k.size() < 9 && std::all_of(k.begin(), k.end(), ::isdigit); }

/// The number at a dotted path (lists indexed by numbers); errors name the first missing component.
json& at_path(json& root, const std::string& path) {
  const auto keys = split_path(path);
  if (path.empty()) bad("parameter path '': empty");
  if (keys[0] == "fit") bad(cat("parameter path '", path, "': the 'fit' section cannot be fitted"));
  json* node = &root;
  std::string prefix;
  for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
    const std::string& k = keys[i];
    prefix += (i ? "." : "") + k;
    json* next = nullptr;
    if (node->is_array() && is_index(k) && std::stoul(k) < node->size()) next = &(*node)[std::stoul(k)];
    else if (node->is_object() && node->contains(k)) next = &(*node)[k];
    if (!next) bad(cat("parameter path '", path, "': no '", prefix, "' in the configuration"));
    node = next;
  }
  const std::string& last = keys.back();
  json* leaf = nullptr;
  if (node->is_array() && is_index(last) && std::stoul(last) < node->size()) leaf = &(*node)[std::stoul(last)];
  else if (node->is_object() && node->contains(last)) leaf = &(*node)[last];
  if (!leaf || !leaf->is_number())
    bad(cat("parameter path '", path, "': '", last, "' is not a numeric value in the configuration"));
  return *leaf;
}

std::pair<double, double> pair_of(const json& j, const std::string& what) {
  if (!j.is_array() || j.size() != 2 || !j[0].is_number() || !j[1].is_number())
    bad(cat(what, " must be [lo, hi], got ", j.dump()));
  return {j[0].get<double>(), j[1].get<double>()};
}

std::string str_of(const json& j, const std::string& what) {
  if (!j.is_string()) bad(cat(what, " must be a string, got ", j.dump()));
  return j.get<std::string>();
}

double num_of(const json& j, const std::string& what) {
  if (!j.is_number()) bad(cat(what, " must be a number, got ", j.dump()));
  const double v = j.get<double>();
  if (!std::isfinite(v)) bad(cat(what, " must be finite"));
  return v;
}

long int_of(const json& j, const std::string& what, long lo, long hi) {
  const double v = num_of(j, what);
  if (!(v == std::floor(v) && v >= double(lo) && v <= double(hi)))
    bad(cat(what, " must be an integer in [", lo, ", ", hi, "], got ", j.dump()));
  return long(v);
}

/// Pixel rectangle [r0, r1) x [c0, c1) of the region of interest on the full detector image.
void resolve_roi(const GisaxsRoi& roi, const scattering::DetectorSpec& d, int rows, int cols, int out[4]) {
  out[0] = 0, out[1] = rows, out[2] = 0, out[3] = cols;
  if (roi.kind == GisaxsRoi::none) return;
  if (roi.kind == GisaxsRoi::pixels) {
    out[0] = roi.row0, out[1] = roi.row1, out[2] = roi.col0, out[3] = roi.col1;
  } else {
    // pixel centres inside [x0, x1] x [y0, y1]; x along columns, y upwards (row = n - 1 - index)
    double x_start, dx, y_start, dy;
    if (d.kind == scattering::DetectorSpec::flat) {
      x_start = 0, dx = d.pixel_x, y_start = 0, dy = d.pixel_y;
    } else {
      x_start = d.phi_min, dx = (d.phi_max - d.phi_min) / d.nphi;
      y_start = d.alpha_min, dy = (d.alpha_max - d.alpha_min) / d.nalpha;
    }
    const int ix0 = int(std::ceil((roi.x0 - x_start) / dx - 0.5)), ix1 = int(std::floor((roi.x1 - x_start) / dx - 0.5));
    const int iy0 = int(std::ceil((roi.y0 - y_start) / dy - 0.5)), iy1 = int(std::floor((roi.y1 - y_start) / dy - 0.5));
    out[2] = std::max(ix0, 0), out[3] = std::min(ix1 + 1, cols);
    out[0] = std::max(rows - 1 - iy1, 0), out[1] = std::min(rows - iy0, rows);
  }
  if (!(out[0] >= 0 && out[1] <= rows && out[2] >= 0 && out[3] <= cols && out[1] > out[0] && out[3] > out[2]))
    bad(cat("fit.roi selects rows [", out[0], ", ", out[1], ") and columns [", out[2], ", ", out[3],
            ") of a ", rows, " x ", cols, " image: empty or outside"));
}
}  // namespace

std::string set_json_path(const std::string& json_text, const std::string& path, double value) {
  json j = parse_json(json_text, "configuration");
  at_path(j, path) = value;
  return j.dump();
}

GisaxsFitSpec parse_fit_spec(const std::string& config_json, const std::string& overrides_json) {
  json cfg = parse_json(config_json, "configuration");
  if (!cfg.is_object()) bad("the configuration must be a JSON object");
  json f = cfg.contains("fit") ? cfg["fit"] : json::object();
  if (!f.is_object()) bad(cat("fit must be an object, got ", f.dump()));
  if (!overrides_json.empty()) {
    const json o = parse_json(overrides_json, "fit options");
    if (!o.is_object()) bad("the fit options must be a JSON object");
    for (auto it = o.begin(); it != o.end(); ++it)
      if (!it.value().is_null()) f[it.key()] = it.value();
  }
  static const std::set<std::string> allowed = {"parameters", "transform", "sigma", "floor", "exclude_below", "roi",
                                                "particles", "iterations", "seed", "elitist", "refine", "comment"};
  for (auto it = f.begin(); it != f.end(); ++it)
    if (!allowed.count(it.key())) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      bad(cat("fit.", it.key(), " is an unknown key (allowed: ", list, ")"));
    }
  GisaxsFitSpec s;
  if (!f.contains("parameters") || !f["parameters"].is_object() || f["parameters"].empty())
    bad("argument 'parameters' is empty: name at least one path with bounds (fit.parameters: {\"path\": [lo, hi]})");
  for (auto it = f["parameters"].begin(); it != f["parameters"].end(); ++it) {
    const auto& b = it.value();
    if (!b.is_array() || b.size() != 2 || !b[0].is_number() || !b[1].is_number())
      bad(cat("parameter '", it.key(), "' needs bounds [lo, hi], got ", b.dump()));
    const double lo = b[0].get<double>(), hi = b[1].get<double>();
    if (!(std::isfinite(lo) && std::isfinite(hi) && lo < hi))
      bad(cat("parameter '", it.key(), "' needs finite bounds lo < hi, got ", b.dump()));
    at_path(cfg, it.key());  // the path exists and names a number
    s.parameters.push_back({it.key(), lo, hi});
  }
  if (f.contains("transform")) {
    const std::string t = str_of(f["transform"], "fit.transform");
    if (t == "log") s.transform = Transform::log;
    else if (t == "sqrt") s.transform = Transform::sqrt;
    else if (t == "linear") s.transform = Transform::linear;
    else bad(cat("fit.transform must be 'log', 'sqrt' or 'linear', got '", t, "'"));
  }
  if (f.contains("sigma")) {
    const std::string t = str_of(f["sigma"], "fit.sigma");
    if (t == "poisson") s.sigma = SigmaModel::poisson;
    else if (t == "none") s.sigma = SigmaModel::none;
    else bad(cat("fit.sigma must be 'poisson' or 'none', got '", t, "'"));
  }
  if (f.contains("floor")) {
    s.floor = num_of(f["floor"], "fit.floor");
    if (!(s.floor > 0)) bad(cat("fit.floor must be > 0, got ", s.floor));
  }
  if (f.contains("exclude_below")) s.exclude_below = num_of(f["exclude_below"], "fit.exclude_below");
  if (f.contains("roi")) {
    const json& r = f["roi"];
    if (!r.is_object()) bad(cat("fit.roi must be {\"rows\": [r0, r1], \"cols\": [c0, c1]} or {\"x\": [..], \"y\": [..]}, got ", r.dump()));
    for (auto it = r.begin(); it != r.end(); ++it)
      if (it.key() != "rows" && it.key() != "cols" && it.key() != "x" && it.key() != "y")
        bad(cat("fit.roi.", it.key(), " is an unknown key (allowed: rows, cols or x, y)"));
    if (r.contains("rows") || r.contains("cols")) {
      if (!r.contains("rows") || !r.contains("cols") || r.contains("x") || r.contains("y"))
        bad("fit.roi needs both 'rows' and 'cols' (pixels) or both 'x' and 'y' (detector units)");
      const auto rr = pair_of(r["rows"], "fit.roi.rows"), cc = pair_of(r["cols"], "fit.roi.cols");
      for (double v : {rr.first, rr.second, cc.first, cc.second})
        if (v != std::floor(v) || std::fabs(v) > 1e8) bad("fit.roi.rows/cols must be integer pixel indices");
      s.roi.kind = GisaxsRoi::pixels;
      s.roi.row0 = int(rr.first), s.roi.row1 = int(rr.second), s.roi.col0 = int(cc.first), s.roi.col1 = int(cc.second);
    } else {
      if (!r.contains("x") || !r.contains("y")) bad("fit.roi needs both 'x' and 'y' (detector units)");
      const auto x = pair_of(r["x"], "fit.roi.x"), y = pair_of(r["y"], "fit.roi.y");
      s.roi.kind = GisaxsRoi::detector;
      s.roi.x0 = std::min(x.first, x.second), s.roi.x1 = std::max(x.first, x.second);
      s.roi.y0 = std::min(y.first, y.second), s.roi.y1 = std::max(y.first, y.second);
    }
  }
  if (f.contains("particles")) s.particles = int(int_of(f["particles"], "fit.particles", 1, 1000000));
  if (f.contains("iterations")) s.iterations = int(int_of(f["iterations"], "fit.iterations", 0, 100000000));
  if (f.contains("elitist")) {
    s.elitist = int(int_of(f["elitist"], "fit.elitist", 0, 1000000));
    if (s.elitist >= s.particles)
      bad(cat("fit.elitist = ", s.elitist, " must be below fit.particles = ", s.particles, " (the global best never moves)"));
  }
  if (f.contains("seed")) s.seed = std::uint64_t(int_of(f["seed"], "fit.seed", 0, (1L << 53)));
  if (f.contains("refine")) {
    const std::string t = str_of(f["refine"], "fit.refine");
    if (t == "lm") s.refine = Refine::lm;
    else if (t == "nelder_mead") s.refine = Refine::nelder_mead;
    else if (t == "none") s.refine = Refine::none;
    else bad(cat("fit.refine must be 'lm', 'nelder_mead' or 'none', got '", t, "'"));
  }
  s.json = f.dump();
  return s;
}

scattering::Config crop_detector(const scattering::Config& c, int r0, int r1, int c0, int c1) {
  using scattering::DetectorSpec;
  scattering::Config o = c;
  auto& d = o.detector;
  const int rows = d.kind == DetectorSpec::flat ? d.ny : d.nalpha, cols = d.kind == DetectorSpec::flat ? d.nx : d.nphi;
  if (!(0 <= r0 && r0 < r1 && r1 <= rows && 0 <= c0 && c0 < c1 && c1 <= cols))
    fail(errc::invalid_argument, "beamkit::fit::crop_detector",
         cat("rows [", r0, ", ", r1, ") x columns [", c0, ", ", c1, ") is not inside the ", rows, " x ", cols, " detector"));
  if (d.kind == DetectorSpec::flat) {
    // pixel (ix, iy) from the lower-left corner; image row r holds iy = ny - 1 - r
    const double dx = c0 * d.pixel_x, dy = (d.ny - r1) * d.pixel_y;
    d.u0 -= dx;
    d.v0 -= dy;
    for (auto& m : d.masks) m.x0 -= dx, m.x1 -= dx, m.y0 -= dy, m.y1 -= dy;
    d.nx = c1 - c0;
    d.ny = r1 - r0;
  } else {
    const double dphi = (d.phi_max - d.phi_min) / d.nphi, dal = (d.alpha_max - d.alpha_min) / d.nalpha;
    const double p0 = d.phi_min, a0 = d.alpha_min;
    d.phi_min = p0 + c0 * dphi;
    d.phi_max = p0 + c1 * dphi;
    d.alpha_min = a0 + (d.nalpha - r1) * dal;
    d.alpha_max = a0 + (d.nalpha - r0) * dal;
    d.nphi = c1 - c0;
    d.nalpha = r1 - r0;
  }
  return o;
}

GisaxsFitResult gisaxs_fit(const std::string& config_json, const double* data, int rows, int cols,
                           const std::uint8_t* used, const double* sigma, const GisaxsFitSpec& spec, const PsoCallback& cb) {
  const auto t0 = std::chrono::steady_clock::now();
  const int n = int(spec.parameters.size());
  if (n == 0) bad("argument 'parameters' is empty: name at least one path with bounds");
  check::require(data != nullptr && rows > 0 && cols > 0, kWhere, "the data image is empty");
  json base = parse_json(config_json, "configuration");
  if (base.is_object()) base.erase("fit");
  for (const auto& p : spec.parameters) at_path(base, p.path);
  const scattering::Config full = scattering::parse_config(base.dump());
  const scattering::PixelGrid full_grid = scattering::make_pixels(full);
  if (full_grid.rows != rows || full_grid.cols != cols)
    bad(cat("the configuration's detector gives ", full_grid.rows, " x ", full_grid.cols, " pixels, the data image is ",
            rows, " x ", cols));
  GisaxsFitResult res;
  resolve_roi(spec.roi, full.detector, rows, cols, res.roi);
  const int r0 = res.roi[0], r1 = res.roi[1], c0 = res.roi[2], c1 = res.roi[3];
  const bool cropped = !(r0 == 0 && r1 == rows && c0 == 0 && c1 == cols);
  const int R = r1 - r0, C = c1 - c0;
  res.rows = R, res.cols = C;

  // Pixels used: inside the ROI, not under a detector mask, finite data >= exclude_below, allowed by
  // `used`, with a positive finite sigma when sigma is given.
  const scattering::PixelGrid grid = scattering::make_pixels(cropped ? crop_detector(full, r0, r1, c0, c1) : full);
  std::vector<std::int64_t> idx;  // ROI pixel index of each used pixel
  std::vector<double> d_used, s_used;
  res.data.resize(std::size_t(R) * C);
  res.mask.assign(std::size_t(R) * C, 0);
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      const std::size_t src = std::size_t(r + r0) * cols + (c + c0), dst = std::size_t(r) * C + c;
      const double v = data[src];
      res.data[dst] = v;
      bool ok = std::isfinite(v) && v >= spec.exclude_below && grid.weight[dst] > 0 && (!used || used[src]);
      if (ok && sigma) ok = std::isfinite(sigma[src]) && sigma[src] > 0;
      if (!ok) continue;
      res.mask[dst] = 1;
      idx.push_back(std::int64_t(dst));
      d_used.push_back(v);
      if (sigma) s_used.push_back(sigma[src]);
    }
  const std::int64_t m = std::int64_t(idx.size());
  if (m < n + 3)
    bad(cat(m, " pixels are usable (region of interest, masks, data >= ", spec.exclude_below, "), need more than ", n + 2));

  std::vector<double> lo(n), hi(n), width(n);
  for (int k = 0; k < n; ++k) {
    lo[k] = spec.parameters[k].lo, hi[k] = spec.parameters[k].hi, width[k] = hi[k] - lo[k];
    res.names.push_back(spec.parameters[k].path);
  }
  res.lower = lo, res.upper = hi;

  Chi2Options co;
  co.transform = spec.transform;
  co.sigma = sigma ? SigmaModel::given : spec.sigma;
  co.floor = spec.floor;
  using HS = Kokkos::DefaultHostExecutionSpace;
  const Unmanaged1<const double> dv(d_used.data(), std::size_t(m));
  const Unmanaged1<const double> sv(sigma ? s_used.data() : nullptr, sigma ? std::size_t(m) : 0);
  const Unmanaged1<const std::uint8_t> no_mask(nullptr, 0);
  std::vector<double> m_used(static_cast<std::size_t>(m));

  // One evaluation: configure, simulate the ROI, chi^2 with the best scale/background. Returns false
  // when the model rejects the parameters (e.g. a particle sticking out of its layer).
  std::int64_t evals = 0;
  std::vector<double> image;
  auto evaluate = [&](const std::vector<double>& x, Chi2Result& out, double* residual) -> bool {
    ++evals;
    json j = base;
    for (int k = 0; k < n; ++k) at_path(j, spec.parameters[k].path) = x[k];
    scattering::Config c;
    try {
      c = scattering::parse_config(j.dump());
    } catch (const beamkit::error& e) {
      if (e.code() != errc::invalid_argument) throw;
      return false;
    }
    if (cropped) c = crop_detector(c, r0, r1, c0, c1);
    int rr = 0, cc = 0;
    image = scattering::simulate(c, &rr, &cc);
    if (rr != R || cc != C) bad(cat("the simulated image has ", rr, " x ", cc, " pixels, the region of interest ", R, " x ", C));
    for (std::int64_t i = 0; i < m; ++i) m_used[std::size_t(i)] = image[std::size_t(idx[std::size_t(i)])];
    if (residual) {
      const Unmanaged1<double> rv(residual, std::size_t(m));
      out = scaled_chi2(HS(), Unmanaged1<const double>(m_used.data(), std::size_t(m)), dv, no_mask, sv, co, rv);
    } else {
      out = scaled_chi2(HS(), Unmanaged1<const double>(m_used.data(), std::size_t(m)), dv, no_mask, sv, co);
    }
    return std::isfinite(out.chi2);
  };

  // Global search.
  PsoOptions po;
  po.n_particles = spec.particles;
  po.max_iter = spec.iterations;
  po.seed = spec.seed;
  po.elitist = spec.elitist;
  const auto batch = [&](HostView2<const double> X, HostView1<double> F) {
    std::vector<double> x(n);
    for (std::size_t i = 0; i < X.extent(0); ++i) {
      for (int k = 0; k < n; ++k) x[k] = X(i, k);
      Chi2Result r;
      F(i) = evaluate(x, r, nullptr) ? r.chi2 : kInfeasible;
    }
  };
  const PsoResult swarm = pso_batch<HS, double>(HS(), batch, lo, hi, po, cb);
  res.history = swarm.history;
  res.swarm_chi2 = swarm.cost;
  if (!(swarm.cost < kInfeasible)) bad("no particle of the swarm found parameters the model accepts: check the bounds");
  std::vector<double> x = swarm.x;

  // Local refinement and uncertainties, in box units u = (x - lo) / (hi - lo) so the finite
  // differences are well scaled.
  auto to_x = [&](const std::vector<double>& u) {
    std::vector<double> v(n);
    for (int k = 0; k < n; ++k) v[k] = lo[k] + u[k] * width[k];
    return v;
  };
  std::vector<double> u(n);
  for (int k = 0; k < n; ++k) u[k] = (x[k] - lo[k]) / width[k];
  const ResidualFn rfun = [&](const std::vector<double>& uu, std::vector<double>& r) {
    r.resize(std::size_t(m));
    Chi2Result c;
    if (!evaluate(to_x(uu), c, r.data())) std::fill(r.begin(), r.end(), 1e150);
  };
  LsqOptions lo_opt;
  lo_opt.lo.assign(n, 0.0);
  lo_opt.hi.assign(n, 1.0);
  LsqResult unc;
  if (spec.refine == Refine::lm) {
    unc = levenberg_marquardt(rfun, u, lo_opt);
    u = unc.x;
    res.refine_message = "levenberg_marquardt: " + unc.message;
  } else {
    if (spec.refine == Refine::nelder_mead) {
      NelderMeadOptions no;
      no.lo.assign(n, 0.0);
      no.hi.assign(n, 1.0);
      no.max_evals = 200 * n + 100;
      const NelderMeadResult nm = nelder_mead(
          [&](const std::vector<double>& uu) {
            Chi2Result c;
            return evaluate(to_x(uu), c, nullptr) ? c.chi2 : kInfeasible;
          },
          u, no);
      if (nm.cost <= swarm.cost) u = nm.x;
      res.refine_message = "nelder_mead: " + nm.message;
    } else {
      res.refine_message = "none";
    }
    unc = lsq_uncertainty(rfun, u, lo_opt);
  }
  x = to_x(u);
  res.x = x;
  res.stderr_.resize(n);
  res.covariance.resize(std::size_t(n) * n);
  for (int a = 0; a < n; ++a) {
    res.stderr_[a] = unc.stderr_.size() == std::size_t(n) ? unc.stderr_[a] * width[a] : NAN;
    for (int b = 0; b < n; ++b)
      res.covariance[std::size_t(a) * n + b] =
          unc.covariance.size() == std::size_t(n) * n ? unc.covariance[std::size_t(a) * n + b] * width[a] * width[b] : NAN;
  }

  // The model at the optimum over the whole region of interest.
  Chi2Result fin;
  if (!evaluate(x, fin, nullptr)) bad("the refined parameters are rejected by the model");
  res.chi2 = fin.chi2;
  res.scale = fin.scale;
  res.background = fin.background;
  res.n_used = m;
  res.reduced_chi2 = fin.chi2 / double(std::max<std::int64_t>(1, m - n - 2));
  res.model.resize(image.size());
  for (std::size_t i = 0; i < image.size(); ++i) res.model[i] = fin.scale * image[i] + fin.background;
  for (int k = 0; k < n; ++k) at_path(base, spec.parameters[k].path) = x[k];
  res.config_json = base.dump(2);
  res.spec_json = spec.json;
  res.evaluations = evals;
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

void write_gisaxs_fit(io::Writer& w, const GisaxsFitResult& r) {
  const index_t n = index_t(r.x.size()), R = r.rows, C = r.cols;
  check::require(n > 0 && R > 0 && C > 0, "beamkit::fit::write_gisaxs_fit", "the result is empty");
  w.write("/fit/x", io::dtype::f64, {n}, r.x.data());
  w.write("/fit/stderr", io::dtype::f64, {n}, r.stderr_.data());
  w.write("/fit/lower", io::dtype::f64, {n}, r.lower.data());
  w.write("/fit/upper", io::dtype::f64, {n}, r.upper.data());
  w.write("/fit/covariance", io::dtype::f64, {n, n}, r.covariance.data());
  w.write("/fit/history", io::dtype::f64, {index_t(r.history.size())}, r.history.data());
  w.write("/fit/data", io::dtype::f64, {R, C}, r.data.data());
  w.write("/fit/model", io::dtype::f64, {R, C}, r.model.data());
  w.write("/fit/mask", io::dtype::u8, {R, C}, r.mask.data());
  const std::int64_t roi[4] = {r.roi[0], r.roi[1], r.roi[2], r.roi[3]};
  w.write("/fit/roi", io::dtype::i64, {4}, roi);
  w.attribute("/fit", "parameters", nlohmann::json(r.names).dump());
  w.attribute("/fit", "chi2", r.chi2);
  w.attribute("/fit", "reduced_chi2", r.reduced_chi2);
  w.attribute("/fit", "swarm_chi2", r.swarm_chi2);
  w.attribute("/fit", "scale", r.scale);
  w.attribute("/fit", "background", r.background);
  w.attribute("/fit", "n_used", double(r.n_used));
  w.attribute("/fit", "evaluations", double(r.evaluations));
  w.attribute("/fit", "seconds", r.seconds);
  w.attribute("/fit", "refine", r.refine_message);
  w.attribute("/fit", "config", r.config_json);
  w.attribute("/fit", "fit", r.spec_json);
}

void write_gisaxs_fit(const std::string& path, const GisaxsFitResult& r, const std::string& png_path) {
  io::Writer w(path);
  write_gisaxs_fit(w, r);
  if (!png_path.empty()) write_gisaxs_fit_png(png_path, r);
  try {
    w.commit();
  } catch (...) {
    if (!png_path.empty()) std::remove(png_path.c_str());
    throw;
  }
}

void write_gisaxs_fit_png(const std::string& path, const GisaxsFitResult& r) {
  const int R = r.rows, C = r.cols;
  check::require(R > 0 && C > 0 && r.data.size() == std::size_t(R) * C && r.model.size() == r.data.size(),
                 "beamkit::fit::write_gisaxs_fit_png", "the result is empty");
  // One log scale for both panels, from the used data and the model there.
  double lo = INFINITY, hi = -INFINITY;
  for (std::size_t i = 0; i < r.data.size(); ++i)
    if (r.mask[i])
      for (double v : {r.data[i], r.model[i]})
        if (v > 0) lo = std::min(lo, std::log10(v)), hi = std::max(hi, std::log10(v));
  if (!(hi > lo)) lo = 0, hi = 1;
  auto scaled = [&](double v) { return v > 0 ? std::clamp((std::log10(v) - lo) / (hi - lo), 0.0, 1.0) : 0.0; };
  const int gap = std::max(2, C / 40), W = 2 * C + gap;
  std::vector<double> img(std::size_t(R) * W, 1.0);
  for (int y = 0; y < R; ++y)
    for (int x = 0; x < C; ++x) {
      const std::size_t i = std::size_t(y) * C + x;
      img[std::size_t(y) * W + x] = r.mask[i] ? scaled(r.data[i]) : 0.0;
      img[std::size_t(y) * W + C + gap + x] = scaled(r.model[i]);
    }
  io::PngOptions o;
  o.cmap = io::Colormap::inferno;
  o.lo = 0;
  o.hi = 1;
  io::write_png(path, img.data(), R, W, o);
}

}  // namespace beamkit::fit
