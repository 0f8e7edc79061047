// SPDX-License-Identifier: BSD-3-Clause
// beamkit.io.read_tomo / beamkit.io.sha256: the CLI's projection sources (io/tomo_source.hpp) from Python.
#include "numpy_views.hpp"
#include <beamkit/io/checksum.hpp>
#include <beamkit/io/tomo_source.hpp>
#include <pybind11/stl.h>

namespace py = pybind11;
using namespace beamkit;

void bind_tomo_io(py::module_& m) {
  auto io_m = m.def_submodule("io", "HDF5 and PNG input/output");
  io_m.def(
      "read_tomo",
      [](const std::string& path, py::object slices, const std::string& theta_unit, const std::string& format,
         const std::string& data_path, const std::string& image_key_path, const std::string& angles_path,
         const std::string& angles_file, int angles_skip) {
        io::TomoSourceOptions o;
        o.theta_unit = theta_unit;
        o.format = format;
        o.data_path = data_path;
        o.image_key_path = image_key_path;
        o.angles_path = angles_path;
        o.angles_file = angles_file;
        o.angles_skip = angles_skip;
        const auto src = io::open_tomo_source(path, o);
        int s0 = 0, s1 = src->n_slices();
        if (!slices.is_none()) {
          auto t = slices.cast<std::pair<int, int>>();
          s0 = t.first;
          s1 = t.second;
        }
        if (s0 < 0 || s1 > src->n_slices() || s1 <= s0)
          fail(errc::invalid_argument, "beamkit.io.read_tomo",
               cat("argument 'slices' = (", s0, ", ", s1, ") is outside the ", src->n_slices(), " slices"));
        const int nc = s1 - s0, n = src->n_det();
        py::array_t<float> proj({src->n_angles(), nc, n}), flat({src->n_flats(), nc, n}), dark({src->n_darks(), nc, n});
        {
          py::gil_scoped_release nogil;
          src->read_projections(s0, nc, proj.mutable_data());
          if (src->n_flats() > 0) src->read_flats(s0, nc, flat.mutable_data());
          if (src->n_darks() > 0) src->read_darks(s0, nc, dark.mutable_data());
        }
        py::array_t<double> theta(py::ssize_t(src->theta().size()));
        std::copy(src->theta().begin(), src->theta().end(), theta.mutable_data());
        py::dict d;
        d["proj"] = proj;
        d["flat"] = flat;
        d["dark"] = dark;
        d["theta"] = theta;
        d["format"] = std::string(src->format());
        d["data_location"] = src->data_location();
        d["notes"] = src->notes();
        d["files"] = src->files();
        d["shape"] = py::make_tuple(src->n_angles(), src->n_slices(), src->n_det());
        return d;
      },
      py::arg("path"), py::arg("slices") = py::none(), py::arg("theta_unit") = "auto", py::arg("format") = "auto",
      py::arg("data_path") = "", py::arg("image_key_path") = "", py::arg("angles_path") = "", py::arg("angles_file") = "",
      py::arg("angles_skip") = -1,
      "Read raw projections the way `beamkit recon` does: an HDF5 Data Exchange file, a NeXus NXtomo file or a "
      "directory of TIFFs (format detected). `slices=(a, b)` reads only detector rows a..b-1. Returns a dict: "
      "proj [angles][slices][det], flat, dark (float32), theta (radians), format, data_location, notes (assumptions "
      "made, e.g. the angle unit), files, shape (angles, all slices, det).");
  io_m.def(
      "sha256", [](const std::string& path) { return io::sha256_file(path); }, py::arg("path"),
      "SHA-256 of a file (hex), as recorded in `beamkit recon` outputs.");
}
