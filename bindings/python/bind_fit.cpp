// SPDX-License-Identifier: BSD-3-Clause
// beamkit._beamkit.fit: PSO (built-in objectives fully in C++, or a Python batch callable), local
// refinement (Levenberg-Marquardt with uncertainties, Nelder-Mead) and the scaled chi^2 helper.
// The pure-Python front end is beamkit/fit.py.
#include "numpy_views.hpp"
#include <beamkit/fit/chi2.hpp>
#include <beamkit/fit/gisaxs_fit.hpp>
#include <beamkit/fit/local.hpp>
#include <beamkit/fit/pso.hpp>
#include <pybind11/functional.h>
#include <pybind11/stl.h>

namespace py = pybind11;
using namespace beamkit;
using namespace beamkit::py_detail;
using Host = Kokkos::DefaultHostExecutionSpace;

namespace {
/// A copy of a vector as a 1-D numpy array.
py::array_t<double> to_numpy(const std::vector<double>& v) { return py::array_t<double>(py::ssize_t(v.size()), v.data()); }

/// A Python `f(iteration, best_cost, best_x)` as a PSO callback (a true result stops the swarm);
/// None gives no callback.
fit::PsoCallback pso_callback(const py::object& callback) {
  if (callback.is_none()) return {};
  return [callback](const fit::PsoProgress& p) {
    py::gil_scoped_acquire gil;
    py::object r = callback(p.iteration, p.best_cost, to_numpy(p.best_x));
    return !r.is_none() && r.cast<bool>();
  };
}


template <class E> E parse_enum(const std::string& s, const char* where, const char* arg,
                                std::initializer_list<std::pair<const char*, E>> table) {
  std::string options;
  for (const auto& kv : table) {
    if (s == kv.first) return kv.second;
    options += std::string(options.empty() ? "" : ", ") + "'" + kv.first + "'";
  }
  fail(errc::invalid_argument, where, cat("argument '", arg, "' is '", s, "', expected one of ", options));
}

py::dict result_dict(const fit::PsoResult& r) {
  py::dict d;
  d["x"] = to_numpy(r.x);
  d["cost"] = r.cost;
  d["history"] = to_numpy(r.history);
  d["evaluations"] = r.evaluations;
  d["iterations"] = r.iterations;
  d["restarts"] = r.restarts;
  d["stop_reason"] = r.stop_reason;
  return d;
}

py::dict pso(py::object f, std::vector<double> lo, std::vector<double> hi, int n_particles, int max_iter,
             std::int64_t max_evals, std::uint64_t seed, const std::string& topology, int ring_neighbors,
             const std::string& velocity, double w, double w_end, double c1, double c2, double phi1, double phi2,
             const std::string& boundary, double v_max, double v_init, double v_init_min, double v_init_max, double tol, int tol_iter, double target, int restart_after,
             py::object callback, bool single, int elitist, double elitist_sigma, double elitist_sigma_end) {
  constexpr const char* where = "beamkit.fit.pso";
  fit::PsoOptions o;
  o.n_particles = n_particles;
  o.max_iter = max_iter;
  o.max_evals = max_evals;
  o.seed = seed;
  o.topology = parse_enum<fit::Topology>(topology, where, "topology",
                                         {{"global", fit::Topology::global}, {"ring", fit::Topology::ring},
                                          {"von_neumann", fit::Topology::von_neumann}});
  o.ring_neighbors = ring_neighbors;
  o.velocity = parse_enum<fit::VelocityRule>(velocity, where, "velocity",
                                             {{"inertia", fit::VelocityRule::inertia},
                                              {"constriction", fit::VelocityRule::constriction}});
  o.w = w;
  o.w_end = w_end;
  o.c1 = c1;
  o.c2 = c2;
  o.phi1 = phi1;
  o.phi2 = phi2;
  o.boundary = parse_enum<fit::Boundary>(boundary, where, "boundary",
                                         {{"reflect", fit::Boundary::reflect}, {"clamp", fit::Boundary::clamp},
                                          {"wrap", fit::Boundary::wrap}});
  o.v_max = v_max;
  o.v_init = v_init;
  o.v_init_min = v_init_min;
  o.v_init_max = v_init_max;
  o.tol = tol;
  o.tol_iter = tol_iter;
  o.target = target;
  o.restart_after = restart_after;
  o.elitist = elitist;
  o.elitist_sigma = elitist_sigma;
  o.elitist_sigma_end = elitist_sigma_end;

  const fit::PsoCallback cb = pso_callback(callback);
  fit::PsoResult res;
  if (py::isinstance<py::str>(f)) {
    const std::string name = f.cast<std::string>();
    if (!fit::is_builtin_objective(name))
      fail(errc::invalid_argument, where,
           cat("argument 'f' is '", name, "', expected a callable or one of 'sphere', 'rosenbrock', 'rastrigin', 'ackley'"));
    ensure_kokkos();  // needs the GIL (registers an atexit hook)
    py::gil_scoped_release nogil;
    res = single ? fit::pso_builtin<Host, float>(Host(), name, lo, hi, o, cb)
                 : fit::pso_builtin<Host, double>(Host(), name, lo, hi, o, cb);
  } else {
    if (!PyCallable_Check(f.ptr())) fail(errc::invalid_argument, where, "argument 'f' is neither callable nor a name");
    // Built while holding the GIL (it copies the Python callable); called with the GIL re-acquired.
    const fit::Swarm<Host, double>::Batch batch = [f, where](HostView2<const double> x, HostView1<double> out) {
      py::gil_scoped_acquire gil;
      const py::ssize_t n = py::ssize_t(x.extent(0)), d = py::ssize_t(x.extent(1));
      py::array_t<double> X({n, d});
      std::copy(x.data(), x.data() + n * d, X.mutable_data());
      py::object r = f(X);
      carray<double> a = as_array<double>(r, where, "f(x) (the objective's return value)", -1);
      if (a.size() != n)
        fail(errc::invalid_argument, where,
             cat("the objective returned ", a.size(), " values (shape ", shape_str(a), ") for a batch of ", n,
                 " particles; with vectorized=True it must return shape (n_particles,)"));
      std::copy(a.data(), a.data() + n, out.data());
    };
    ensure_kokkos();  // needs the GIL (registers an atexit hook)
    py::gil_scoped_release nogil;
    res = fit::pso_batch<Host, double>(Host(), batch, lo, hi, o, cb);
  }
  return result_dict(res);
}

py::dict lsq_dict(const fit::LsqResult& r) {
  py::dict d;
  const py::ssize_t n = py::ssize_t(r.x.size());
  d["x"] = py::array_t<double>(n, r.x.data());
  d["stderr"] = py::array_t<double>(n, r.stderr_.data());
  py::array_t<double> C({n, n});
  std::copy(r.covariance.begin(), r.covariance.end(), C.mutable_data());
  d["covariance"] = C;
  d["chi2"] = r.chi2;
  d["reduced_chi2"] = r.reduced_chi2;
  d["residuals"] = to_numpy(r.residuals);
  d["dof"] = r.dof;
  d["iterations"] = r.iterations;
  d["evaluations"] = r.evaluations;
  d["converged"] = r.converged;
  d["message"] = r.message;
  return d;
}

fit::ResidualFn py_residual(py::object fun, const char* where) {
  return [fun, where](const std::vector<double>& x, std::vector<double>& r) {
    py::gil_scoped_acquire gil;
    py::object out = fun(to_numpy(x));
    carray<double> a = as_array<double>(out, where, "fun(x) (the residual vector)", -1);
    r.assign(a.data(), a.data() + a.size());
  };
}

}  // namespace

void bind_fit(py::module_& m) {
  auto f = m.def_submodule("fit", "Particle-swarm optimisation and local refinement (use beamkit.fit)");
  f.def("pso", &pso, py::arg("f"), py::arg("lo"), py::arg("hi"), py::arg("n_particles"), py::arg("max_iter"),
        py::arg("max_evals"), py::arg("seed"), py::arg("topology"), py::arg("ring_neighbors"), py::arg("velocity"),
        py::arg("w"), py::arg("w_end"), py::arg("c1"), py::arg("c2"), py::arg("phi1"), py::arg("phi2"),
        py::arg("boundary"), py::arg("v_max"), py::arg("v_init"), py::arg("v_init_min"), py::arg("v_init_max"), py::arg("tol"), py::arg("tol_iter"), py::arg("target"),
        py::arg("restart_after"), py::arg("callback"), py::arg("single"),
        py::arg("elitist"), py::arg("elitist_sigma"), py::arg("elitist_sigma_end"));
  f.def(
      "least_squares",
      [](py::object fun, std::vector<double> x0, std::vector<double> lo, std::vector<double> hi, bool absolute_sigma,
         int max_iter, double ftol, double xtol, double gtol, double fd_step) {
        fit::LsqOptions o;
        o.lo = lo;
        o.hi = hi;
        o.absolute_sigma = absolute_sigma;
        o.max_iter = max_iter;
        o.ftol = ftol;
        o.xtol = xtol;
        o.gtol = gtol;
        o.fd_step = fd_step;
        auto rf = py_residual(fun, "beamkit.fit.least_squares");
        fit::LsqResult r;
        {
          py::gil_scoped_release nogil;
          r = fit::levenberg_marquardt(rf, x0, o);
        }
        return lsq_dict(r);
      },
      py::arg("fun"), py::arg("x0"), py::arg("lo"), py::arg("hi"), py::arg("absolute_sigma"), py::arg("max_iter"),
      py::arg("ftol"), py::arg("xtol"), py::arg("gtol"), py::arg("fd_step"));
  f.def(
      "lsq_uncertainty",
      [](py::object fun, std::vector<double> x, bool absolute_sigma, double fd_step) {
        fit::LsqOptions o;
        o.absolute_sigma = absolute_sigma;
        o.fd_step = fd_step;
        auto rf = py_residual(fun, "beamkit.fit.lsq_uncertainty");
        fit::LsqResult r;
        {
          py::gil_scoped_release nogil;
          r = fit::lsq_uncertainty(rf, x, o);
        }
        return lsq_dict(r);
      },
      py::arg("fun"), py::arg("x"), py::arg("absolute_sigma"), py::arg("fd_step"));
  f.def(
      "nelder_mead",
      [](py::object fun, std::vector<double> x0, std::vector<double> lo, std::vector<double> hi, int max_iter,
         std::int64_t max_evals, double xtol, double ftol, double initial_step) {
        fit::NelderMeadOptions o;
        o.lo = lo;
        o.hi = hi;
        o.max_iter = max_iter;
        o.max_evals = max_evals;
        o.xtol = xtol;
        o.ftol = ftol;
        o.initial_step = initial_step;
        fit::CostFn cf = [fun](const std::vector<double>& x) {
          py::gil_scoped_acquire gil;
          return fun(to_numpy(x)).cast<double>();
        };
        fit::NelderMeadResult r;
        {
          py::gil_scoped_release nogil;
          r = fit::nelder_mead(cf, x0, o);
        }
        py::dict d;
        d["x"] = to_numpy(r.x);
        d["cost"] = r.cost;
        d["iterations"] = r.iterations;
        d["evaluations"] = r.evaluations;
        d["converged"] = r.converged;
        d["message"] = r.message;
        return d;
      },
      py::arg("fun"), py::arg("x0"), py::arg("lo"), py::arg("hi"), py::arg("max_iter"), py::arg("max_evals"),
      py::arg("xtol"), py::arg("ftol"), py::arg("initial_step"));
  f.def(
      "scaled_chi2",
      [](py::object model_o, py::object data_o, py::object mask_o, py::object sigma_o, const std::string& transform,
         const std::string& sigma_model, bool fit_scale, bool fit_background, double scale, double background,
         bool non_negative, double floor, bool want_residuals) {
        constexpr const char* where = "beamkit.fit.scaled_chi2";
        auto model = as_array<double>(model_o, where, "model", -1);
        auto data = as_array<double>(data_o, where, "data", -1);
        if (model.ndim() != data.ndim() || !std::equal(model.shape(), model.shape() + model.ndim(), data.shape()))
          fail(errc::invalid_argument, where,
               cat("argument 'model' has shape ", shape_str(model), ", 'data' has shape ", shape_str(data)));
        require_nonempty(data, where, "data");
        require_finite(model, where, "model");
        require_finite(data, where, "data");
        const std::int64_t n = data.size();
        fit::Chi2Options o;
        o.transform = parse_enum<fit::Transform>(
            transform, where, "transform",
            {{"linear", fit::Transform::linear}, {"sqrt", fit::Transform::sqrt}, {"log", fit::Transform::log}});
        o.sigma = parse_enum<fit::SigmaModel>(
            sigma_model, where, "sigma",
            {{"poisson", fit::SigmaModel::poisson}, {"given", fit::SigmaModel::given}, {"none", fit::SigmaModel::none}});
        o.fit_scale = fit_scale;
        o.fit_background = fit_background;
        o.scale = scale;
        o.background = background;
        o.non_negative = non_negative;
        o.floor = floor;
        using MaskView = Kokkos::View<const std::uint8_t*, Kokkos::LayoutRight, Kokkos::HostSpace,
                                      Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
        carray<std::uint8_t> mask;
        MaskView mv;
        if (!mask_o.is_none()) {
          mask = as_array<std::uint8_t>(py::module_::import("numpy").attr("asarray")(mask_o).attr("astype")("uint8"),
                                        where, "mask", -1);
          if (mask.size() != n)
            fail(errc::invalid_argument, where,
                 cat("argument 'mask' has shape ", shape_str(mask), ", 'data' has shape ", shape_str(data)));
          mv = MaskView(mask.data(), std::size_t(n));
        }
        carray<double> sigma;
        Unmanaged1<const double> sv;
        if (o.sigma == fit::SigmaModel::given) {
          sigma = as_array<double>(sigma_o, where, "sigma_values", -1);
          if (sigma.size() != n)
            fail(errc::invalid_argument, where,
                 cat("argument 'sigma_values' has shape ", shape_str(sigma), ", 'data' has shape ", shape_str(data)));
          for (std::int64_t i = 0; i < n; ++i)
            if (!(sigma.data()[i] > 0))
              fail(errc::invalid_argument, where, cat("argument 'sigma_values' must be > 0, got ", sigma.data()[i],
                                                      " at flat index ", i));
          sv = Unmanaged1<const double>(sigma.data(), std::size_t(n));
        }
        py::array_t<double> res(std::vector<py::ssize_t>(data.shape(), data.shape() + data.ndim()));
        Unmanaged1<double> rv;
        if (want_residuals) rv = Unmanaged1<double>(res.mutable_data(), std::size_t(n));
        fit::Chi2Result r;
        {
          ensure_kokkos();
          py::gil_scoped_release nogil;
          r = fit::scaled_chi2(Host(), Unmanaged1<const double>(model.data(), std::size_t(n)),
                               Unmanaged1<const double>(data.data(), std::size_t(n)), mv, sv, o, rv);
        }
        py::dict d;
        d["chi2"] = r.chi2;
        d["scale"] = r.scale;
        d["background"] = r.background;
        d["n_used"] = r.n_used;
        if (want_residuals) d["residuals"] = res;
        return d;
      },
      py::arg("model"), py::arg("data"), py::arg("mask"), py::arg("sigma_values"), py::arg("transform"),
      py::arg("sigma"), py::arg("fit_scale"), py::arg("fit_background"), py::arg("scale"), py::arg("background"),
      py::arg("non_negative"), py::arg("floor"), py::arg("residuals"));

  // GISAXS fit: the C++ driver shared with `beamkit fit` (fit/gisaxs_fit.hpp).
  using GR = fit::GisaxsFitResult;
  auto img = [](const GR& r, const std::vector<double>& v) {
    py::array_t<double> a({py::ssize_t(r.rows), py::ssize_t(r.cols)});
    std::copy(v.begin(), v.end(), a.mutable_data());
    return a;
  };
  py::class_<GR>(f, "GisaxsFitNative", "Result of the C++ GISAXS fit driver (wrapped by beamkit.fit.GisaxsFitResult).")
      .def_readonly("names", &GR::names)
      .def_property_readonly("x", [](const GR& r) { return to_numpy(r.x); })
      .def_property_readonly("stderr", [](const GR& r) { return to_numpy(r.stderr_); })
      .def_property_readonly("lower", [](const GR& r) { return to_numpy(r.lower); })
      .def_property_readonly("upper", [](const GR& r) { return to_numpy(r.upper); })
      .def_property_readonly("covariance", [](const GR& r) {
        const py::ssize_t n = py::ssize_t(r.x.size());
        py::array_t<double> a({n, n});
        std::copy(r.covariance.begin(), r.covariance.end(), a.mutable_data());
        return a;
      })
      .def_property_readonly("history", [](const GR& r) { return to_numpy(r.history); })
      .def_readonly("chi2", &GR::chi2)
      .def_readonly("reduced_chi2", &GR::reduced_chi2)
      .def_readonly("swarm_chi2", &GR::swarm_chi2)
      .def_readonly("scale", &GR::scale)
      .def_readonly("background", &GR::background)
      .def_readonly("n_used", &GR::n_used)
      .def_readonly("evaluations", &GR::evaluations)
      .def_readonly("seconds", &GR::seconds)
      .def_readonly("config_json", &GR::config_json)
      .def_readonly("spec_json", &GR::spec_json)
      .def_readonly("refine_message", &GR::refine_message)
      .def_property_readonly("roi", [](const GR& r) { return std::vector<int>(r.roi, r.roi + 4); })
      .def_property_readonly("data", [img](const GR& r) { return img(r, r.data); })
      .def_property_readonly("model", [img](const GR& r) { return img(r, r.model); })
      .def_property_readonly("mask", [](const GR& r) {
        py::array_t<bool> a({py::ssize_t(r.rows), py::ssize_t(r.cols)});
        for (std::size_t i = 0; i < r.mask.size(); ++i) a.mutable_data()[i] = r.mask[i] != 0;
        return a;
      })
      .def(
          "write", [](const GR& r, const std::string& path, const std::string& png) { fit::write_gisaxs_fit(path, r, png); },
          py::arg("path"), py::arg("png") = "", "Write the HDF5 file (and PNG) exactly as `beamkit fit` does.")
      .def(
          "write_png", [](const GR& r, const std::string& path) { fit::write_gisaxs_fit_png(path, r); }, py::arg("path"));
  f.def(
      "gisaxs_fit",
      [](const std::string& config, const std::string& overrides,
         py::array_t<double, py::array::c_style | py::array::forcecast> data, py::object used, py::object sigma,
         py::object callback) {
        constexpr const char* where = "beamkit.fit.gisaxs_fit";
        if (data.ndim() != 2) fail(errc::invalid_argument, where, cat("argument 'data' must be 2-D, got ", shape_str(data)));
        const int rows = int(data.shape(0)), cols = int(data.shape(1));
        const fit::GisaxsFitSpec spec = fit::parse_fit_spec(config, overrides);
        std::vector<std::uint8_t> u;
        if (!used.is_none()) {
          auto m = py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>::ensure(used);
          if (!m || m.ndim() != 2 || m.shape(0) != rows || m.shape(1) != cols)
            fail(errc::invalid_argument, where, cat("argument 'mask' must have the shape of 'data' (", rows, ", ", cols, ")"));
          u.assign(m.data(), m.data() + m.size());
        }
        std::vector<double> s;
        if (!sigma.is_none()) {
          auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(sigma);
          if (!a || a.ndim() != 2 || a.shape(0) != rows || a.shape(1) != cols)
            fail(errc::invalid_argument, where, cat("argument 'sigma' must have the shape of 'data' (", rows, ", ", cols, ")"));
          s.assign(a.data(), a.data() + a.size());
        }
        const fit::PsoCallback cb = pso_callback(callback);
        std::vector<double> d(data.data(), data.data() + data.size());
        ensure_kokkos();
        py::gil_scoped_release nogil;
        return fit::gisaxs_fit(config, d.data(), rows, cols, u.empty() ? nullptr : u.data(), s.empty() ? nullptr : s.data(),
                               spec, cb);
      },
      py::arg("config_json"), py::arg("overrides_json"), py::arg("data"), py::arg("used"), py::arg("sigma"),
      py::arg("callback"), "GISAXS fit driver (see beamkit.fit.gisaxs_fit).");
}
