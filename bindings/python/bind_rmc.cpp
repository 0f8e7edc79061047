// SPDX-License-Identifier: BSD-3-Clause
// beamkit._beamkit._rmc: reverse Monte Carlo (wrapped by the pure-Python beamkit/rmc.py).
#include "numpy_views.hpp"
#include <beamkit/rmc/rmc.hpp>
#include <pybind11/functional.h>
#include <pybind11/stl.h>

namespace py = pybind11;
using namespace beamkit;
using namespace beamkit::py_detail;

namespace {
constexpr const char* kWhere = "beamkit.rmc.run";

template <class T> py::array_t<T> square(const std::vector<T>& v, int n) {
  py::array_t<T> a({py::ssize_t(n), py::ssize_t(n)});
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}
template <class T> py::array_t<T> stack(const std::vector<std::vector<T>>& v, int n) {
  py::array_t<T> a({py::ssize_t(v.size()), py::ssize_t(n), py::ssize_t(n)});
  for (std::size_t k = 0; k < v.size(); ++k) std::copy(v[k].begin(), v[k].end(), a.mutable_data() + k * std::size_t(n) * n);
  return a;
}
template <class T, class F> py::array_t<T> traces(const rmc::Result& r, F get) {
  const py::ssize_t R = py::ssize_t(r.traces.size()), nt = R ? py::ssize_t(get(r.traces[0]).size()) : 0;
  py::array_t<T> a({R, nt});
  for (py::ssize_t k = 0; k < R; ++k) std::copy(get(r.traces[k]).begin(), get(r.traces[k]).end(), a.mutable_data() + k * nt);
  return a;
}

struct Inputs {
  carray<double> pattern;
  carray<std::uint8_t> mask;
  carray<double> sigma;
  bool has_mask = false, has_sigma = false;
};

Inputs check_inputs(py::object pattern, py::object mask, py::object sigma) {
  Inputs in;
  in.pattern = as_array<double>(pattern, kWhere, "pattern", 2);
  require_nonempty(in.pattern, kWhere, "pattern");
  if (!mask.is_none()) {
    auto m = as_array<double>(mask, kWhere, "mask", -1);
    if (m.ndim() != 2 || m.shape(0) != in.pattern.shape(0) || m.shape(1) != in.pattern.shape(1))
      fail(errc::invalid_argument, kWhere,
           cat("argument 'mask' has shape ", shape_str(m), ", expected the pattern's shape ", shape_str(in.pattern)));
    in.mask = carray<std::uint8_t>(std::vector<py::ssize_t>{m.shape(0), m.shape(1)});
    for (py::ssize_t i = 0; i < m.size(); ++i) in.mask.mutable_data()[i] = m.data()[i] != 0 ? 1 : 0;
    in.has_mask = true;
  }
  if (!sigma.is_none()) {
    in.sigma = as_array<double>(sigma, kWhere, "sigma", -1);
    if (in.sigma.ndim() != 2 || in.sigma.shape(0) != in.pattern.shape(0) || in.sigma.shape(1) != in.pattern.shape(1))
      fail(errc::invalid_argument, kWhere,
           cat("argument 'sigma' has shape ", shape_str(in.sigma), ", expected the pattern's shape ",
               shape_str(in.pattern)));
    in.has_sigma = true;
  }
  return in;
}

rmc::GridData grid(const Inputs& in, const rmc::DataOptions& o) {
  return rmc::grid_data(in.pattern.data(), int(in.pattern.shape(0)), int(in.pattern.shape(1)),
                        in.has_mask ? in.mask.data() : nullptr, in.has_sigma ? in.sigma.data() : nullptr, o);
}

rmc::DataOptions data_options(int size, py::object center, double step, double pixel_size, double distance,
                              double wavelength, double cell_size) {
  rmc::DataOptions o;
  check::non_negative(size, kWhere, "size");
  o.size = size;
  if (!center.is_none()) {
    auto c = center.cast<std::vector<double>>();
    check::require(c.size() == 2, kWhere, cat("argument 'center' must be (row, col), got ", c.size(), " values"));
    o.center_row = c[0];
    o.center_col = c[1];
  }
  o.step = step;
  o.pixel_size = pixel_size;
  o.distance = distance;
  o.wavelength = wavelength;
  o.cell_size = cell_size;
  return o;
}
}  // namespace

void bind_rmc(py::module_& m) {
  auto r = m.def_submodule("_rmc", "reverse Monte Carlo (compiled core of beamkit.rmc)");

  py::class_<rmc::Result>(r, "Result", "The outcome of beamkit.rmc.run (best replica first).")
      .def_property_readonly("n", [](const rmc::Result& x) { return x.n; })
      .def_property_readonly("model", [](const rmc::Result& x) { return square(x.models[0], x.n); },
                             "best model [N, N] uint8 (row = y, column = x)")
      .def_property_readonly("models", [](const rmc::Result& x) { return stack(x.models, x.n); })
      .def_property_readonly("pattern", [](const rmc::Result& x) { return square(x.patterns[0], x.n); },
                             "scale*|F|^2+background of the best model, centred [N, N] "
                             "(= fftshift(scale*abs(fft2(model))**2 + background))")
      .def_property_readonly("patterns", [](const rmc::Result& x) { return stack(x.patterns, x.n); })
      .def_property_readonly("data", [](const rmc::Result& x) { return square(x.data, x.n); },
                             "the fitted data on the model grid, centred")
      .def_property_readonly("weight", [](const rmc::Result& x) { return square(x.weight, x.n); },
                             "weights 1/sigma^2 (1 without sigma; 0 = masked), centred")
      .def_property_readonly("chi2", [](const rmc::Result& x) { return py::array_t<double>(py::ssize_t(x.chi2.size()), x.chi2.data()); })
      .def_property_readonly("scale", [](const rmc::Result& x) { return py::array_t<double>(py::ssize_t(x.scale.size()), x.scale.data()); })
      .def_property_readonly("background", [](const rmc::Result& x) {
        return py::array_t<double>(py::ssize_t(x.background.size()), x.background.data()); })
      .def_property_readonly("replica", [](const rmc::Result& x) { return x.replica_index; })
      .def_property_readonly("trace_chi2", [](const rmc::Result& x) { return traces<double>(x, [](const rmc::Trace& t) -> const std::vector<double>& { return t.chi2; }); })
      .def_property_readonly("trace_acceptance", [](const rmc::Result& x) { return traces<double>(x, [](const rmc::Trace& t) -> const std::vector<double>& { return t.acceptance; }); })
      .def_property_readonly("trace_temperature", [](const rmc::Result& x) { return traces<double>(x, [](const rmc::Trace& t) -> const std::vector<double>& { return t.temperature; }); })
      .def_property_readonly("trace_move", [](const rmc::Result& x) { return x.traces[0].move; })
      .def_property_readonly("trace_level", [](const rmc::Result& x) { return x.traces[0].level; })
      .def_property_readonly("filled", [](const rmc::Result& x) { return x.filled; })
      .def_property_readonly("moves", [](const rmc::Result& x) { return x.moves_done; })
      .def_property_readonly("seconds", [](const rmc::Result& x) { return x.seconds; })
      .def_property_readonly("level_seconds", [](const rmc::Result& x) { return x.level_seconds; })
      .def_property_readonly("max_drift", [](const rmc::Result& x) { return x.max_drift; })
      .def_property_readonly("stopped", [](const rmc::Result& x) { return x.stopped; })
      .def_property_readonly("step", [](const rmc::Result& x) { return x.step; })
      .def_property_readonly("dq", [](const rmc::Result& x) { return x.dq; })
      .def_property_readonly("cell_size", [](const rmc::Result& x) { return x.cell_size; })
      .def_property_readonly("loading", [](const rmc::Result& x) { return x.loading; })
      .def_property_readonly("seed", [](const rmc::Result& x) { return x.seed; })
      .def("save", [](const rmc::Result& x, const std::string& path) {
        py::gil_scoped_release nogil;
        rmc::write_result(path, x);
      }, py::arg("path"), "Write the result to an HDF5 file (datasets under /rmc).")
      .def("save_png", [](const rmc::Result& x, const std::string& path) {
        py::gil_scoped_release nogil;
        rmc::write_result_png(path, x);
      }, py::arg("path"), "PNG: model | model pattern | data (log scale).");

  r.def("grid_data",
        [](py::object pattern, py::object mask, py::object sigma, int size, py::object center, double step,
           double pixel_size, double distance, double wavelength, double cell_size) {
          const Inputs in = check_inputs(pattern, mask, sigma);
          const auto opt = data_options(size, center, step, pixel_size, distance, wavelength, cell_size);
          rmc::GridData g;
          {
            py::gil_scoped_release nogil;
            g = grid(in, opt);
          }
          py::dict d;
          d["n"] = g.n;
          d["data"] = square(rmc::fftshift(g.data, g.n), g.n);
          d["weight"] = square(rmc::fftshift(g.weight, g.n), g.n);
          d["step"] = g.step;
          d["dq"] = g.dq;
          d["cell_size"] = g.cell_size;
          d["center"] = py::make_tuple(g.center_row, g.center_col);
          return d;
        },
        py::arg("pattern"), py::arg("mask") = py::none(), py::arg("sigma") = py::none(), py::arg("size") = 0,
        py::arg("center") = py::none(), py::arg("step") = 0.0, py::arg("pixel_size") = 0.0, py::arg("distance") = 0.0,
        py::arg("wavelength") = 0.0, py::arg("cell_size") = 0.0);

  r.def("read_pattern",
        [](const std::string& path, const std::string& dataset) {
          rmc::Image img;
          {
            py::gil_scoped_release nogil;
            img = rmc::read_pattern(path, dataset);
          }
          py::array_t<double> a({py::ssize_t(img.rows), py::ssize_t(img.cols)});
          std::copy(img.values.begin(), img.values.end(), a.mutable_data());
          return a;
        },
        py::arg("path"), py::arg("dataset") = "");

  r.def(
      "run",
      [](py::object pattern, double loading, std::int64_t moves, std::uint64_t seed, py::object mask, py::object sigma,
         py::object callback, int size, py::object center, double step, double pixel_size, double distance,
         double wavelength, double cell_size, int replicas, int levels, int max_distance, double t_start,
         double t_final_ratio, py::object scale, py::object background, std::int64_t recompute_every,
         std::int64_t trace_every, bool double_precision, py::object initial) {
        ensure_kokkos();
        const Inputs in = check_inputs(pattern, mask, sigma);
        rmc::Options o;
        check::finite(loading, kWhere, "loading");
        o.loading = loading;
        o.moves = moves;
        o.seed = seed;
        o.replicas = replicas;
        o.levels = levels;
        o.max_distance = max_distance;
        o.t_start = t_start;
        o.t_final_ratio = t_final_ratio;
        if (!scale.is_none()) {
          o.chi.fit_scale = false;
          o.chi.scale = scale.cast<double>();
          check::finite(o.chi.scale, kWhere, "scale");
        }
        o.chi.fit_background = background.is_none();  // None: fit it
        if (!background.is_none()) {
          o.chi.background = background.cast<double>();
          check::finite(o.chi.background, kWhere, "background");
        }
        o.recompute_every = recompute_every;
        o.trace_every = trace_every;
        if (!initial.is_none()) {
          auto a = as_array<double>(initial, kWhere, "initial", -1);
          check::require(a.ndim() == 2 || a.ndim() == 3, kWhere,
                         cat("argument 'initial' must be [N, N] or [replicas, N, N], got shape ", shape_str(a)));
          const py::ssize_t nr = a.ndim() == 3 ? a.shape(0) : 1, plane = a.shape(a.ndim() - 1) * a.shape(a.ndim() - 2);
          for (py::ssize_t k = 0; k < nr; ++k) {
            std::vector<std::uint8_t> mm(plane);
            for (py::ssize_t i = 0; i < plane; ++i) mm[i] = a.data()[k * plane + i] != 0 ? 1 : 0;
            o.initial.push_back(std::move(mm));
          }
        }
        std::exception_ptr cb_error;
        if (!callback.is_none()) {
          o.progress = [callback, &cb_error](const rmc::Progress& p) {
            py::gil_scoped_acquire gil;
            try {
              py::dict d;
              d["level"] = p.level;
              d["levels"] = p.levels;
              d["move"] = p.move;
              d["moves"] = p.moves;
              d["chi2"] = p.chi2;
              d["acceptance"] = p.acceptance;
              d["temperature"] = p.temperature;
              py::object ret = callback(d);
              return ret.is_none() || ret.cast<bool>();
            } catch (...) {
              cb_error = std::current_exception();
              return false;
            }
          };
        }
        const auto dopt = data_options(size, center, step, pixel_size, distance, wavelength, cell_size);
        rmc::Result res;
        {
          py::gil_scoped_release nogil;
          const auto g = grid(in, dopt);
          if (double_precision) res = rmc::run<Kokkos::DefaultExecutionSpace, double>(g, o);
          else res = rmc::run<Kokkos::DefaultExecutionSpace, float>(g, o);
        }
        if (cb_error) std::rethrow_exception(cb_error);
        return res;
      },
      py::arg("pattern"), py::arg("loading"), py::arg("moves") = 0, py::arg("seed") = 0, py::arg("mask") = py::none(),
      py::arg("sigma") = py::none(), py::arg("callback") = py::none(), py::arg("size") = 0,
      py::arg("center") = py::none(), py::arg("step") = 0.0, py::arg("pixel_size") = 0.0, py::arg("distance") = 0.0,
      py::arg("wavelength") = 0.0, py::arg("cell_size") = 0.0, py::arg("replicas") = 1, py::arg("levels") = 1,
      py::arg("max_distance") = 0, py::arg("t_start") = -1.0, py::arg("t_final_ratio") = 1e-3,
      py::arg("scale") = py::none(), py::arg("background") = py::none(), py::arg("recompute_every") = 20000,
      py::arg("trace_every") = 0, py::arg("double_precision") = false, py::arg("initial") = py::none());
}
