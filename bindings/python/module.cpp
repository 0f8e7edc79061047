// SPDX-License-Identifier: BSD-3-Clause
// PYBIND11_MODULE(_beamkit): Kokkos lifetime, error translation, configuration, and the
// registration of every area's bindings (bind_*.cpp, listed by CMake in bind_all.hpp).
#include "numpy_views.hpp"
#include <beamkit/beamkit.hpp>
#include <bind_all.hpp>
#include <cstdlib>
#include <mutex>
#include <pybind11/stl.h>

namespace py = pybind11;
using namespace beamkit;

namespace beamkit::py_detail {
namespace {
std::mutex g_init_mutex;
int g_threads = 0;

void init_kokkos(int num_threads) {
  std::lock_guard<std::mutex> lock(g_init_mutex);
  if (Kokkos::is_initialized()) {
    if (num_threads > 0 && num_threads != Kokkos::DefaultHostExecutionSpace().concurrency())
      fail(errc::invalid_argument, "beamkit.init",
           cat("Kokkos is already running with ", Kokkos::DefaultHostExecutionSpace().concurrency(),
               " threads; call beamkit.init(num_threads=", num_threads, ") before any computation"));
    return;
  }
  if (num_threads <= 0) {
    if (const char* env = std::getenv("OMP_NUM_THREADS")) num_threads = std::atoi(env);
  }
  std::vector<std::string> args = {"beamkit", "--kokkos-disable-warnings"};
  if (num_threads > 0) args.push_back(kokkos_num_threads_flag(num_threads));
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  int argc = int(argv.size());
  Kokkos::initialize(argc, argv.data());
  g_threads = Kokkos::DefaultHostExecutionSpace().concurrency();
  // Finalise before the interpreter tears down the module (Views held by Python are gone by then).
  py::module_::import("atexit").attr("register")(py::cpp_function([] {
    if (Kokkos::is_initialized()) Kokkos::finalize();
  }));
}
}  // namespace

void ensure_kokkos() {
  if (!Kokkos::is_initialized()) init_kokkos(0);
}
}  // namespace beamkit::py_detail

PYBIND11_MODULE(_beamkit, m) {
  m.doc() = "beamkit: numerical kernels for synchrotron light sources (compiled core)";
  m.attr("__version__") = BEAMKIT_VERSION_STRING;

  // beamkit::error -> ValueError / OSError / NotImplementedError / RuntimeError by its code.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const beamkit::error& e) {
      switch (e.code()) {
        case errc::invalid_argument: PyErr_SetString(PyExc_ValueError, e.what()); return;
        case errc::io: PyErr_SetString(PyExc_OSError, e.what()); return;
        case errc::unsupported: PyErr_SetString(PyExc_NotImplementedError, e.what()); return;
        case errc::runtime: PyErr_SetString(PyExc_RuntimeError, e.what()); return;
      }
    }
  });

  m.def("init", [](int num_threads) { py_detail::init_kokkos(num_threads); }, py::arg("num_threads") = 0,
        "Start Kokkos with `num_threads` host threads (0: OMP_NUM_THREADS or all cores).\n"
        "Optional: beamkit starts itself on first use. Call before any computation to choose the threads.");
  m.def("is_initialized", [] { return Kokkos::is_initialized(); });
  m.def("num_threads", [] {
    py_detail::ensure_kokkos();
    return Kokkos::DefaultHostExecutionSpace().concurrency();
  });
  m.def("config_summary", [] {
    py_detail::ensure_kokkos();
    return beamkit::config_summary();
  });

  bind_all(m);
}
