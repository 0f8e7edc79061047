// SPDX-License-Identifier: BSD-3-Clause
// _beamkit.tomo: reconstruction, projection, phantoms. The argument checking users see lives in
// beamkit/tomo.py (names and defaults as TomoPy); this layer checks shapes again and runs kernels
// with the GIL released.
#include "numpy_views.hpp"
#include <beamkit/tomo/center.hpp>
#include <beamkit/tomo/phantom.hpp>
#include <beamkit/tomo/recon.hpp>
#include <pybind11/functional.h>
#include <pybind11/stl.h>

namespace py = pybind11;
using namespace beamkit;
using namespace beamkit::py_detail;
using Host = Kokkos::DefaultHostExecutionSpace;

namespace {

tomo::FilterSpec make_filter(const std::string& name, const std::vector<double>& par) {
  tomo::FilterSpec f;
  f.type = tomo::filter_from_name(name, "beamkit.recon");
  if (f.type == tomo::Filter::butterworth) {
    if (par.size() >= 1) f.cutoff = par[0];
    if (par.size() >= 2) f.order = par[1];
  }
  f.validate("beamkit.recon");
  return f;
}

struct IterArgs {
  int num_iter = 10, num_block = 1;
  std::vector<int> ind_block;
  std::vector<double> reg_par;
  double relax = 1, tol = 0;
  bool nonneg = false, init_from_out = false;
  py::object callback = py::none();
};

template <class Real>
py::array recon_t(py::handle tomo_obj, const std::vector<double>& theta, const std::vector<double>& center,
                  const std::string& algorithm, const std::string& filter_name, const std::vector<double>& filter_par,
                  int num_gridx, bool sinogram_order, double pad_factor, py::object out_obj, py::object progress,
                  const IterArgs& it = {}) {
  constexpr const char* where = "beamkit.recon";
  auto tomo = as_array<Real>(tomo_obj, where, "tomo", 3);
  require_nonempty(tomo, where, "tomo");
  require_finite(tomo, where, "tomo");
  const py::ssize_t S = sinogram_order ? tomo.shape(0) : tomo.shape(1);
  const py::ssize_t P = sinogram_order ? tomo.shape(1) : tomo.shape(0);
  if (py::ssize_t(theta.size()) != P)
    fail(errc::invalid_argument, where,
         cat("argument 'theta' has ", theta.size(), " angles but 'tomo' has ", P, " projections (shape ",
             shape_str(tomo), ", sinogram_order=", sinogram_order ? "True" : "False", ")"));
  const py::ssize_t N = num_gridx > 0 ? num_gridx : tomo.shape(2);
  py::array_t<Real> out;
  if (out_obj.is_none()) {
    out = py::array_t<Real>({S, N, N});
  } else {
    if (!py::isinstance<py::array_t<Real>>(out_obj))
      fail(errc::invalid_argument, where, cat("argument 'out' must be a ", sizeof(Real) == 4 ? "float32" : "float64",
                                              " array like the input"));
    out = out_obj.cast<py::array_t<Real>>();
    if (!(out.flags() & py::array::c_style) || out.ndim() != 3 || out.shape(0) != S || out.shape(1) != N ||
        out.shape(2) != N)
      fail(errc::invalid_argument, where,
           cat("argument 'out' must be C-contiguous with shape (", S, ", ", N, ", ", N, "), got ", shape_str(out)));
  }
  tomo::ReconOptions opt;
  opt.algorithm = algorithm;
  opt.filter = make_filter(filter_name, filter_par);
  opt.pad_factor = pad_factor;
  opt.num_gridx = int(N);
  opt.sinogram_order = sinogram_order;
  if (!progress.is_none()) {
    opt.progress = [progress](int done, int total) {
      py::gil_scoped_acquire gil;
      py::object r = progress(done, total);
      return r.is_none() || r.cast<bool>();
    };
  }
  opt.iterative.num_iter = it.num_iter;
  opt.iterative.num_block = it.num_block;
  opt.iterative.ind_block = it.ind_block;
  opt.iterative.reg_par = it.reg_par;
  opt.iterative.relax = it.relax;
  opt.iterative.tol = it.tol;
  opt.iterative.nonneg = it.nonneg;
  opt.init_from_out = it.init_from_out;
  if (!it.callback.is_none()) {
    py::object cb = it.callback;
    opt.iterative.callback = [cb](int iter, double resid) {
      py::gil_scoped_acquire gil;
      py::object r = cb(iter, resid);
      return r.is_none() || r.cast<bool>();
    };
  }
  ensure_kokkos();
  {
    py::gil_scoped_release nogil;
    tomo::recon(Host(), view3(tomo), theta, center, opt, mview3(out));
  }
  return std::move(out);
}

/// Validated geometry; an empty `center` means n_det / 2.
tomo::ParallelGeometry make_geometry(const char* where, const std::vector<double>& theta,
                                     const std::vector<double>& center, int ndet, int ngrid, int n_slices) {
  tomo::ParallelGeometry g;
  g.n_angles = int(theta.size());
  g.n_det = ndet;
  g.n_grid = ngrid;
  g.theta = theta;
  g.center = center.empty() ? std::vector<double>{ndet / 2.0} : center;
  g.validate(where, n_slices);
  return g;
}

template <class Real>
py::array project_t(py::handle obj_in, const std::vector<double>& theta, const std::vector<double>& center, int ndet,
                    bool sinogram_order) {
  constexpr const char* where = "beamkit.project";
  auto obj = as_array<Real>(obj_in, where, "obj", 3);
  require_nonempty(obj, where, "obj");
  require_finite(obj, where, "obj");
  if (obj.shape(1) != obj.shape(2))
    fail(errc::invalid_argument, where, cat("argument 'obj' slices must be square, got shape ", shape_str(obj)));
  const int S = int(obj.shape(0)), P = int(theta.size());
  check::require(P > 0, where, "argument 'theta' is empty");
  const auto g = make_geometry(where, theta, center, ndet, int(obj.shape(1)), S);
  py::array_t<Real> out = sinogram_order ? py::array_t<Real>({S, P, ndet}) : py::array_t<Real>({P, S, ndet});
  ensure_kokkos();
  {
    py::gil_scoped_release nogil;
    auto ang = tomo::angle_table<Real, Host::memory_space>(g.theta);
    auto ctr = tomo::center_table<Real, Host::memory_space>(g, S);
    Unmanaged3<const Real> o = view3(obj);
    if (sinogram_order) {
      tomo::forward_project(Host(), o, ang, ctr, mview3(out));
    } else {
      View3<Real, Host::memory_space> sino(Kokkos::view_alloc(Kokkos::WithoutInitializing, "beamkit::project"), S, P, ndet);
      tomo::forward_project(Host(), o, ang, ctr, sino);
      auto dst = mview3(out);
      Kokkos::parallel_for("beamkit::project_transpose",
                           Kokkos::MDRangePolicy<Host, Kokkos::Rank<3>>({0, 0, 0}, {P, S, ndet}),
                           KOKKOS_LAMBDA(const int a, const int s, const int d) { dst(a, s, d) = sino(s, a, d); });
    }
    Host().fence();
  }
  return std::move(out);
}

template <class Real>
py::array backproject_t(py::handle sino_in, const std::vector<double>& theta, const std::vector<double>& center, int n,
                        bool matched) {
  constexpr const char* where = "beamkit.tomo.backproject";
  auto sino = as_array<Real>(sino_in, where, "sino", 3);
  require_nonempty(sino, where, "sino");
  require_finite(sino, where, "sino");
  const int S = int(sino.shape(0)), P = int(sino.shape(1)), ndet = int(sino.shape(2));
  check::require(int(theta.size()) == P, where,
                 cat("argument 'theta' has ", theta.size(), " angles, 'sino' has ", P, " (sinogram order [slices][angles][det])"));
  const auto g = make_geometry(where, theta, center, ndet, n > 0 ? n : ndet, S);
  py::array_t<Real> out({S, g.n_grid, g.n_grid});
  ensure_kokkos();
  {
    py::gil_scoped_release nogil;
    auto ang = tomo::angle_table<Real, Host::memory_space>(g.theta);
    auto ctr = tomo::center_table<Real, Host::memory_space>(g, S);
    tomo::back_project(Host(), view3(sino), ang, ctr, mview3(out),
                       matched ? tomo::BackProjector::matched : tomo::BackProjector::interpolate);
    Host().fence();
  }
  return std::move(out);
}

}  // namespace

void bind_tomo(py::module_& m) {
  auto t = m.def_submodule("tomo", "tomography kernels (compiled core)");
  t.def("recon", [](py::handle tomo, const std::vector<double>& theta, const std::vector<double>& center,
                    const std::string& algorithm, const std::string& filter_name, const std::vector<double>& filter_par,
                    int num_gridx, bool sinogram_order, double pad_factor, bool dbl, py::object out, py::object progress) {
    if (dbl) return recon_t<double>(tomo, theta, center, algorithm, filter_name, filter_par, num_gridx, sinogram_order, pad_factor, out, progress);
    return recon_t<float>(tomo, theta, center, algorithm, filter_name, filter_par, num_gridx, sinogram_order, pad_factor, out, progress);
  });
  t.def("recon_iterative", [](py::handle tomo, const std::vector<double>& theta, const std::vector<double>& center,
                              const std::string& algorithm, int num_gridx, bool sinogram_order, bool dbl, py::object out,
                              py::object progress, int num_iter, int num_block, const std::vector<int>& ind_block,
                              const std::vector<double>& reg_par, double relax, double tol, bool nonneg,
                              bool init_from_out, py::object callback) {
    IterArgs it{num_iter, num_block, ind_block, reg_par, relax, tol, nonneg, init_from_out, callback};
    if (dbl) return recon_t<double>(tomo, theta, center, algorithm, "none", {}, num_gridx, sinogram_order, 2.0, out, progress, it);
    return recon_t<float>(tomo, theta, center, algorithm, "none", {}, num_gridx, sinogram_order, 2.0, out, progress, it);
  });
  t.def("project", [](py::handle obj, const std::vector<double>& theta, const std::vector<double>& center, int ndet,
                      bool sinogram_order, bool dbl) {
    if (dbl) return project_t<double>(obj, theta, center, ndet, sinogram_order);
    return project_t<float>(obj, theta, center, ndet, sinogram_order);
  });
  t.def("backproject", [](py::handle sino, const std::vector<double>& theta, const std::vector<double>& center, int n,
                          bool matched, bool dbl) {
    if (dbl) return backproject_t<double>(sino, theta, center, n, matched);
    return backproject_t<float>(sino, theta, center, n, matched);
  });
  t.def("shepp_logan", [](int n, int nz, int supersample, bool dbl) -> py::array {
    ensure_kokkos();
    if (dbl) {
      py::array_t<double> out({nz, n, n});
      py::gil_scoped_release nogil;
      auto v = nz == 1 ? tomo::shepp_logan<double, Host>(n, supersample) : tomo::shepp_logan_3d<double, Host>(nz, n, supersample);
      Kokkos::deep_copy(mview3(out), v);
      return std::move(out);
    }
    py::array_t<float> out({nz, n, n});
    py::gil_scoped_release nogil;
    auto v = nz == 1 ? tomo::shepp_logan<float, Host>(n, supersample) : tomo::shepp_logan_3d<float, Host>(nz, n, supersample);
    Kokkos::deep_copy(mview3(out), v);
    return std::move(out);
  });
  t.def("center_pc", [](py::handle a, py::handle b) {
    auto p0 = as_array<double>(a, "beamkit.find_center_pc", "proj1", 2);
    auto p1 = as_array<double>(b, "beamkit.find_center_pc", "proj2", 2);
    ensure_kokkos();
    py::gil_scoped_release nogil;
    return tomo::center_from_opposite_projections(view2(p0), view2(p1));
  });
  t.def("center_entropy", [](py::handle sino_in, const std::vector<double>& theta, double init, double radius, double tol) {
    constexpr const char* where = "beamkit.find_center";
    auto sino = as_array<float>(sino_in, where, "tomo", 3);
    require_nonempty(sino, where, "tomo");
    require_finite(sino, where, "tomo");
    ensure_kokkos();
    py::gil_scoped_release nogil;
    return tomo::center_by_entropy(view3(sino), theta, init, radius, tol);
  });
  t.def("circ_mask", [](py::array arr, double ratio, double val) {
    ensure_kokkos();
    if (arr.dtype().is(py::dtype::of<double>())) {
      auto a = arr.cast<py::array_t<double>>();
      py::gil_scoped_release nogil;
      tomo::circ_mask(Host(), mview3(a), ratio, val);
      Host().fence();
    } else {
      auto a = arr.cast<py::array_t<float>>();
      py::gil_scoped_release nogil;
      tomo::circ_mask(Host(), mview3(a), ratio, val);
      Host().fence();
    }
  });
}
