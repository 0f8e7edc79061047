// SPDX-License-Identifier: BSD-3-Clause
// _beamkit.prep: pre-processing kernels (tomo/prep/*.hpp). Arguments users see are checked in
// beamkit/prep.py (TomoPy's names and defaults); this layer checks shapes again and runs the kernels
// on float32 arrays with the GIL released. Functions named *_inplace overwrite their first argument,
// which prep.py always passes as a fresh C-contiguous copy.
#include "numpy_views.hpp"
#include <beamkit/tomo/prep.hpp>
#include <beamkit/tomo/prep/chain.hpp>
#include <pybind11/stl.h>

namespace py = pybind11;
using namespace beamkit;
using namespace beamkit::py_detail;
using Host = Kokkos::DefaultHostExecutionSpace;

namespace {
using farr = py::array_t<float>;

/// The writable float32 C-contiguous 3-D array prep.py hands over (checked, never converted).
Unmanaged3<float> inplace3(py::array& a, const char* where, const char* arg) {
  if (!py::isinstance<farr>(a) || !(a.flags() & py::array::c_style) || !a.writeable() || a.ndim() != 3)
    fail(errc::invalid_argument, where, cat("argument '", arg, "' must be a writable C-contiguous float32 3-D array"));
  if (a.size() == 0) fail(errc::invalid_argument, where, cat("argument '", arg, "' is empty"));
  return Unmanaged3<float>(static_cast<float*>(a.mutable_data()), a.shape(0), a.shape(1), a.shape(2));
}
}  // namespace

void bind_prep(py::module_& m) {
  auto p = m.def_submodule("prep", "pre-processing kernels (compiled core)");
  p.def("normalize_inplace", [](py::array arr, py::handle flat_in, py::handle dark_in, double cutoff, bool median) {
    constexpr const char* where = "beamkit.normalize";
    auto x = inplace3(arr, where, "arr");
    auto flat = as_array<float>(flat_in, where, "flat", 3);
    auto dark = as_array<float>(dark_in, where, "dark", 3);
    require_nonempty(flat, where, "flat");
    require_nonempty(dark, where, "dark");
    for (auto* f : {&flat, &dark})
      if (f->shape(1) != py::ssize_t(x.extent(1)) || f->shape(2) != py::ssize_t(x.extent(2)))
        fail(errc::invalid_argument, where,
             cat("argument '", f == &flat ? "flat" : "dark", "' has frames of shape (", f->shape(1), ", ", f->shape(2),
                 "), the projections are (", x.extent(1), ", ", x.extent(2), ")"));
    ensure_kokkos();
    py::gil_scoped_release nogil;
    HostView2<float> fm("flat", x.extent(1), x.extent(2)), dm("dark", x.extent(1), x.extent(2));
    if (median) {
      tomo::frame_median(Host(), view3(flat), fm);
      tomo::frame_median(Host(), view3(dark), dm);
    } else {
      tomo::frame_mean(Host(), view3(flat), fm);
      tomo::frame_mean(Host(), view3(dark), dm);
    }
    tomo::normalize(Host(), x, fm, dm, cutoff);
    Host().fence();
  });
  p.def("normalize_bg_inplace", [](py::array arr, int air) {
    auto x = inplace3(arr, "beamkit.normalize_bg", "tomo");
    ensure_kokkos();
    tomo::normalize_bg(Host(), x, air);
    Host().fence();
  });
  p.def("minus_log_inplace", [](py::array arr) {
    auto x = inplace3(arr, "beamkit.minus_log", "arr");
    ensure_kokkos();
    py::gil_scoped_release nogil;
    return tomo::minus_log(Host(), x);
  });
  p.def("median_filter", [](py::array arr, int wy, int wx) {
    auto x = inplace3(arr, "beamkit.median_filter", "arr");
    farr out({py::ssize_t(x.extent(0)), py::ssize_t(x.extent(1)), py::ssize_t(x.extent(2))});
    Unmanaged3<float> y(out.mutable_data(), out.shape(0), out.shape(1), out.shape(2));
    ensure_kokkos();
    {
      py::gil_scoped_release nogil;
      tomo::median_filter(Host(), x, y, wy, wx);
      Host().fence();
    }
    return out;
  });
  p.def("remove_outlier_inplace", [](py::array arr, double dif, int size) {
    auto x = inplace3(arr, "beamkit.remove_outlier", "arr");
    ensure_kokkos();
    py::gil_scoped_release nogil;
    return tomo::remove_outlier(Host(), x, dif, size);
  });
  p.def("gaussian_filter_inplace", [](py::array arr, double sy, double sx) {
    auto x = inplace3(arr, "beamkit.gaussian_filter", "arr");
    ensure_kokkos();
    py::gil_scoped_release nogil;
    tomo::gaussian_filter(Host(), x, x, sy, sx);
    Host().fence();
  });
  p.def("downsample", [](py::array arr, int level, int axis) {
    auto x = inplace3(arr, "beamkit.downsample", "arr");
    const auto shp = tomo::downsample_shape({int(x.extent(0)), int(x.extent(1)), int(x.extent(2))}, level, axis);
    farr out({py::ssize_t(shp[0]), py::ssize_t(shp[1]), py::ssize_t(shp[2])});
    Unmanaged3<float> y(out.mutable_data(), out.shape(0), out.shape(1), out.shape(2));
    ensure_kokkos();
    {
      py::gil_scoped_release nogil;
      tomo::downsample(Host(), x, y, level, axis);
      Host().fence();
    }
    return out;
  });
  p.def("remove_stripe_fw_inplace", [](py::array arr, int level, const std::string& wname, double sigma, bool pad) {
    auto x = inplace3(arr, "beamkit.remove_stripe_fw", "tomo");
    tomo::StripeFwOptions o;
    o.level = level;
    o.wname = wname;
    o.sigma = sigma;
    o.pad = pad;
    ensure_kokkos();
    py::gil_scoped_release nogil;
    tomo::remove_stripe_fw(Host(), x, o);
  });
  p.def("remove_stripe_based_sorting_inplace", [](py::array arr, int size, int dim) {
    auto x = inplace3(arr, "beamkit.remove_stripe_based_sorting", "tomo");
    ensure_kokkos();
    py::gil_scoped_release nogil;
    tomo::remove_stripe_based_sorting(Host(), x, size, dim);
  });
  p.def("retrieve_phase_inplace", [](py::array arr, double pixel_size, double dist, double energy, double alpha, bool pad) {
    auto x = inplace3(arr, "beamkit.retrieve_phase", "tomo");
    tomo::PhaseOptions o;
    o.pixel_size = pixel_size;
    o.dist = dist;
    o.energy = energy;
    o.alpha = alpha;
    o.pad = pad;
    ensure_kokkos();
    py::gil_scoped_release nogil;
    tomo::retrieve_phase(Host(), x, o);
  });
  p.def("wavelet_filters", [](const std::string& name) {
    const auto w = tomo::wavelet(name, "beamkit.prep.wavelet_filters");
    return py::make_tuple(w.dec_lo, w.dec_hi, w.rec_lo, w.rec_hi);
  });
  p.def("wavelet_names", &tomo::wavelet_names);
  p.def("parse_prep_chain", [](const std::string& spec) {
    const auto c = tomo::parse_prep_chain(spec);
    std::vector<std::string> items;
    for (const auto& s : c.steps) items.push_back(s.text);
    return py::make_tuple(items, c.halo());
  });
}
