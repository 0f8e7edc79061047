// SPDX-License-Identifier: BSD-3-Clause
// beamkit.gisaxs (compiled part): simulate / q maps from a JSON text, form factors of one shape.
#include "numpy_views.hpp"
#include <beamkit/scattering/gisaxs.hpp>
#include <pybind11/complex.h>
#include <pybind11/stl.h>

namespace py = pybind11;
using namespace beamkit;
using namespace beamkit::py_detail;
namespace sc = beamkit::scattering;

void bind_gisaxs(py::module_& m) {
  auto g = m.def_submodule("gisaxs", "GISAXS simulation (DWBA/Born) of nanostructures on surfaces");
  g.def(
      "simulate_json",
      [](const std::string& text) {
        const sc::Config c = sc::parse_config(text);
        ensure_kokkos();
        int rows = 0, cols = 0;
        std::vector<double> img;
        {
          py::gil_scoped_release nogil;
          img = sc::simulate(c, &rows, &cols);
        }
        py::array_t<double> out({py::ssize_t(rows), py::ssize_t(cols)});
        std::copy(img.begin(), img.end(), out.mutable_data());
        return out;
      },
      py::arg("config_json"), "Simulate the detector image of a JSON configuration (rows = alpha_f descending).");
  g.def(
      "q_maps_json",
      [](const std::string& text) {
        const sc::Config c = sc::parse_config(text);
        const sc::PixelGrid gr = sc::make_pixels(c);
        py::dict d;
        auto put = [&](const char* name, const std::vector<double>& v, double scale) {
          py::array_t<double> a({py::ssize_t(gr.rows), py::ssize_t(gr.cols)});
          for (std::size_t i = 0; i < v.size(); ++i) a.mutable_data()[i] = v[i] * scale;
          d[name] = a;
        };
        put("qx", gr.qx, 1);
        put("qy", gr.qy, 1);
        put("qz", gr.qz, 1);
        std::vector<double> q(gr.qx.size());
        for (std::size_t i = 0; i < q.size(); ++i) q[i] = std::sqrt(gr.qx[i] * gr.qx[i] + gr.qy[i] * gr.qy[i] + gr.qz[i] * gr.qz[i]);
        put("q", q, 1);
        put("alpha_f", gr.alpha, 180 / M_PI);
        put("phi_f", gr.phi, 180 / M_PI);
        put("solid_angle", gr.weight, 1);
        return d;
      },
      py::arg("config_json"), "q = k_i - k_f components (1/nm), angles (deg) and pixel solid angles of the detector.");
  g.def(
      "form_factor_json",
      [](const std::string& shape_text, py::array_t<std::complex<double>, py::array::c_style | py::array::forcecast> q,
         int order) {
        const sc::ShapeSpec s = sc::parse_shape_json(shape_text);
        if (q.ndim() != 2 || q.shape(1) != 3)
          fail(errc::invalid_argument, "beamkit.gisaxs.form_factor", cat("argument 'q' must have shape (n, 3), got ", shape_str(q)));
        check::in_range(order, 1, sc::kMaxGL, "beamkit.gisaxs.form_factor", "order");
        ensure_kokkos();
        std::vector<double> glx, glw;
        sc::gauss_legendre_tables(glx, glw);
        sc::ShapeParams<double> p = sc::detail::to_params<double>(s, order, 0);
        sc::FFTables<double> t;
        t.gl_x = glx.data();
        t.gl_w = glw.data();
        t.mesh_v = s.mesh_v.data();
        t.mesh_t = s.mesh_t.data();
        const py::ssize_t n = q.shape(0);
        py::array_t<std::complex<double>> out(n);
        const auto* qd = q.data();
        auto* od = out.mutable_data();
        {
          py::gil_scoped_release nogil;
          for (py::ssize_t i = 0; i < n; ++i) {
            using Cx = Kokkos::complex<double>;
            const Cx r = sc::form_factor(p, t, Cx(qd[3 * i].real(), qd[3 * i].imag()), Cx(qd[3 * i + 1].real(), qd[3 * i + 1].imag()),
                                         Cx(qd[3 * i + 2].real(), qd[3 * i + 2].imag()));
            od[i] = std::complex<double>(r.real(), r.imag());
          }
        }
        return out;
      },
      py::arg("shape_json"), py::arg("q"), py::arg("order") = 64,
      "Form factor (nm^3) of one shape at complex wavevectors q (n x 3, 1/nm); `order` = Gauss-Legendre order for sliced shapes.");
  g.def(
      "interference_json",
      [](const std::string& text, py::array_t<double, py::array::c_style | py::array::forcecast> qx,
         py::array_t<double, py::array::c_style | py::array::forcecast> qy) {
        const auto spec = sc::parse_interference_json(text);
        if (qx.size() != qy.size())
          fail(errc::invalid_argument, "beamkit.gisaxs.interference", cat("qx and qy differ in size: ", qx.size(), " vs ", qy.size()));
        double qmax = 0;
        for (py::ssize_t i = 0; i < qx.size(); ++i) qmax = std::max(qmax, std::hypot(qx.data()[i], qy.data()[i]));
        const auto d = sc::Simulation<Kokkos::DefaultHostExecutionSpace, double>::make_iff(spec, qmax);
        std::vector<double> glx, glw;
        sc::gauss_legendre_tables(glx, glw);
        py::array_t<double> out(qx.size());
        for (py::ssize_t i = 0; i < qx.size(); ++i)
          out.mutable_data()[i] = sc::interference(d, qx.data()[i], qy.data()[i], glx.data(), glw.data());
        return out;
      },
      py::arg("interference_json"), py::arg("qx"), py::arg("qy"), "Interference function S(qx, qy) of one layout.");
  g.def(
      "shape_volume_json", [](const std::string& shape_text) { return sc::shape_volume(sc::parse_shape_json(shape_text)); },
      py::arg("shape_json"));
}
