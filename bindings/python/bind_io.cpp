// SPDX-License-Identifier: BSD-3-Clause
// beamkit.io: HDF5 datasets and PNG pictures from Python.
#include "numpy_views.hpp"
#include <beamkit/io/hdf5.hpp>
#include <beamkit/io/png.hpp>
#include <pybind11/stl.h>

namespace py = pybind11;
using namespace beamkit;
using namespace beamkit::py_detail;

namespace {
template <class T> py::array read_typed(const std::string& file, const std::string& dataset, const io::DatasetInfo& info,
                                        int axis, index_t start, index_t count) {
  std::vector<py::ssize_t> shape(info.dims.begin(), info.dims.end());
  if (!shape.empty()) shape[axis] = py::ssize_t(count);
  py::array_t<T> out(shape);
  {
    py::gil_scoped_release nogil;
    io::read_raw(file, dataset, io::dtype_of<T>(), axis, start, count, out.mutable_data(), std::size_t(out.size()));
  }
  return std::move(out);
}
}  // namespace

void bind_io(py::module_& m) {
  auto io_m = m.def_submodule("io", "HDF5 and PNG input/output");
  io_m.def(
      "read_h5",
      [](const std::string& file, const std::string& dataset, int axis, py::object start_obj, py::object stop_obj) {
        const auto info = io::dataset_info(file, dataset);
        const int rank = int(info.dims.size());
        if (rank == 0) return read_typed<double>(file, dataset, info, 0, 0, 1);
        if (axis < 0) axis += rank;
        check::require(axis >= 0 && axis < rank, "beamkit.io.read_h5", cat("argument 'axis' out of range: ", axis));
        const index_t n = info.dims[axis];
        index_t start = start_obj.is_none() ? 0 : start_obj.cast<index_t>();
        index_t stop = stop_obj.is_none() ? n : stop_obj.cast<index_t>();
        if (start < 0) start += n;
        if (stop < 0) stop += n;
        if (start < 0 || stop > n || stop < start)
          fail(errc::invalid_argument, "beamkit.io.read_h5",
               cat("range [", start, ", ", stop, ") outside axis ", axis, " of length ", n, " in '", dataset, "'"));
        if (info.is_float) {
          if (info.type == io::dtype::f32) return read_typed<float>(file, dataset, info, axis, start, stop - start);
          return read_typed<double>(file, dataset, info, axis, start, stop - start);
        }
        return read_typed<double>(file, dataset, info, axis, start, stop - start);
      },
      py::arg("file"), py::arg("dataset"), py::arg("axis") = 0, py::arg("start") = py::none(),
      py::arg("stop") = py::none(),
      "Read a dataset (or the range [start, stop) along `axis`) as a numpy array. float32 stays float32; "
      "everything else is returned as float64.");
  io_m.def(
      "write_h5",
      [](const std::string& file, py::dict datasets, py::dict attributes) {
        io::Writer w(file);
        for (auto item : datasets) {
          const std::string name = py::str(item.first);
          auto src = py::array::ensure(item.second);
          if (!src) fail(errc::invalid_argument, "beamkit.io.write_h5", cat("dataset '", name, "' is not an array"));
          std::vector<index_t> dims(src.shape(), src.shape() + src.ndim());
          if (dims.empty()) dims.push_back(1);
          if (src.dtype().is(py::dtype::of<float>())) {
            auto a = carray<float>::ensure(src);
            w.write(name, io::dtype_of<float>(), dims, a.data());
          } else if (src.dtype().kind() == 'i' || src.dtype().kind() == 'u' || src.dtype().kind() == 'b') {
            auto a = carray<std::int64_t>::ensure(src);
            w.write(name, io::dtype_of<std::int64_t>(), dims, a.data());
          } else {
            auto a = carray<double>::ensure(src);
            if (!a) fail(errc::invalid_argument, "beamkit.io.write_h5", cat("dataset '", name, "' is not numeric"));
            w.write(name, io::dtype_of<double>(), dims, a.data());
          }
        }
        for (auto item : attributes) {
          const std::string key = py::str(item.first);
          const auto slash = key.rfind('/');
          const std::string obj = slash == std::string::npos || slash == 0 ? "/" : key.substr(0, slash);
          const std::string name = slash == std::string::npos ? key : key.substr(slash + 1);
          if (py::isinstance<py::str>(item.second)) w.attribute(obj, name, item.second.cast<std::string>());
          else w.attribute(obj, name, item.second.cast<double>());
        }
        w.commit();
      },
      py::arg("file"), py::arg("datasets"), py::arg("attributes") = py::dict(),
      "Write {path: array} datasets and {'/obj/name': str|number} attributes atomically "
      "(a temporary file renamed into place).");
  io_m.def("dataset_info", [](const std::string& file, const std::string& dataset) {
    const auto info = io::dataset_info(file, dataset);
    return py::make_tuple(py::tuple(py::cast(info.dims)), std::string(io::dtype_name(info.type)));
  }, py::arg("file"), py::arg("dataset"), "(shape, dtype name) of a dataset.");
  io_m.def("has_dataset", &io::has_dataset, py::arg("file"), py::arg("dataset"));
  io_m.def("read_attribute", [](const std::string& file, const std::string& object, const std::string& name) -> py::object {
    try {
      return py::cast(io::read_string_attribute(file, object, name));
    } catch (const beamkit::error& e) {
      if (e.code() != errc::invalid_argument) throw;
    }
    return py::cast(io::read_number_attribute(file, object, name));
  }, py::arg("file"), py::arg("object"), py::arg("name"));
  io_m.def(
      "write_png",
      [](const std::string& path, py::object image, const std::string& cmap, bool log, py::object vmin, py::object vmax,
         bool flip) {
        auto a = as_array<double>(image, "beamkit.io.write_png", "image", 2);
        require_nonempty(a, "beamkit.io.write_png", "image");
        io::PngOptions o;
        if (cmap == "gray" || cmap == "grey") o.cmap = io::Colormap::gray;
        else if (cmap == "viridis") o.cmap = io::Colormap::viridis;
        else if (cmap == "inferno") o.cmap = io::Colormap::inferno;
        else fail(errc::invalid_argument, "beamkit.io.write_png", cat("unknown cmap '", cmap, "' (gray, viridis, inferno)"));
        o.log_scale = log;
        o.flip_vertical = flip;
        if (!vmin.is_none()) o.lo = vmin.cast<double>();
        if (!vmax.is_none()) o.hi = vmax.cast<double>();
        py::gil_scoped_release nogil;
        io::write_png(path, a.data(), int(a.shape(0)), int(a.shape(1)), o);
      },
      py::arg("path"), py::arg("image"), py::arg("cmap") = "gray", py::arg("log") = false, py::arg("vmin") = py::none(),
      py::arg("vmax") = py::none(), py::arg("flip_vertical") = false, "Write a 2-D array as an 8-bit PNG.");
}
