// SPDX-License-Identifier: BSD-3-Clause
// NumPy <-> Kokkos host Views. C-contiguous float32/float64 arrays are used without a copy; anything
// else (other dtypes, strides) is converted once by numpy. Shapes and finiteness are checked here
// so the kernels see only valid input; errors name the Python argument.
#pragma once
#include <beamkit/core/error.hpp>
#include <beamkit/core/types.hpp>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <string>
#include <vector>

namespace beamkit::py_detail {
namespace py = pybind11;

template <class T> using carray = py::array_t<T, py::array::c_style | py::array::forcecast>;

template <class A> std::string shape_str(const A& a) {
  std::string s = "(";
  for (py::ssize_t k = 0; k < a.ndim(); ++k) s += (k ? ", " : "") + std::to_string(a.shape(k));
  if (a.ndim() == 1) s += ",";
  return s + ")";
}

/// Convert (if needed) and check the rank of a numpy argument.
template <class T> carray<T> as_array(const py::handle& obj, const char* where, const char* arg, int rank) {
  if (obj.is_none()) fail(errc::invalid_argument, where, cat("argument '", arg, "' is None"));
  carray<T> a;
  try {
    a = carray<T>::ensure(obj);
  } catch (const py::error_already_set&) {
    a = carray<T>();
  }
  if (!a) fail(errc::invalid_argument, where, cat("argument '", arg, "' cannot be converted to a numeric array"));
  if (rank >= 0 && a.ndim() != rank)
    fail(errc::invalid_argument, where,
         cat("argument '", arg, "' must have ", rank, " dimensions, got ", a.ndim(), " (shape ", shape_str(a), ")"));
  return a;
}

template <class T> void require_nonempty(const carray<T>& a, const char* where, const char* arg) {
  if (a.size() == 0)
    fail(errc::invalid_argument, where, cat("argument '", arg, "' is empty (shape ", shape_str(a), ")"));
}

template <class T> void require_finite(const carray<T>& a, const char* where, const char* arg) {
  check::all_finite(a.data(), std::size_t(a.size()), where, arg);
}

template <class T> Unmanaged1<const T> view1(const carray<T>& a) { return Unmanaged1<const T>(a.data(), a.shape(0)); }
template <class T> Unmanaged2<const T> view2(const carray<T>& a) {
  return Unmanaged2<const T>(a.data(), a.shape(0), a.shape(1));
}
template <class T> Unmanaged3<const T> view3(const carray<T>& a) {
  return Unmanaged3<const T>(a.data(), a.shape(0), a.shape(1), a.shape(2));
}

/// A new C-order numpy array and an unmanaged View onto it.
template <class T> py::array_t<T> new_array(const std::vector<py::ssize_t>& shape) {
  return py::array_t<T>(shape);
}
template <class T> Unmanaged3<T> mview3(py::array_t<T>& a) {
  return Unmanaged3<T>(a.mutable_data(), a.shape(0), a.shape(1), a.shape(2));
}
template <class T> Unmanaged2<T> mview2(py::array_t<T>& a) {
  return Unmanaged2<T>(a.mutable_data(), a.shape(0), a.shape(1));
}

/// True when the array's dtype is float64 (so results are produced in double); float32 otherwise.
inline bool is_double(const py::handle& obj) {
  if (py::isinstance<py::array>(obj)) return py::reinterpret_borrow<py::array>(obj).dtype().is(py::dtype::of<double>());
  return false;
}

/// Kokkos must be running before a kernel; the module initialises it on first use.
void ensure_kokkos();

}  // namespace beamkit::py_detail
