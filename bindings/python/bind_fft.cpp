// SPDX-License-Identifier: BSD-3-Clause
// beamkit.fft: the FFT facade on numpy arrays (batched along the last axis / last two axes).
// Mostly for testing the facade against numpy.fft; kernels use fft::Plan directly.
#include "numpy_views.hpp"
#include <beamkit/fft/plan.hpp>
#include <complex>
#include <pybind11/complex.h>

namespace py = pybind11;
using namespace beamkit;
using namespace beamkit::py_detail;
using Host = Kokkos::DefaultHostExecutionSpace;

namespace {
template <class Real> using CView = Unmanaged1<Kokkos::complex<Real>>;

template <class Real>
py::array c2c(py::array_t<std::complex<Real>, py::array::c_style | py::array::forcecast> x, int rank, bool inverse) {
  constexpr const char* where = "beamkit.fft";
  if (x.ndim() < rank) fail(errc::invalid_argument, where, cat("argument 'x' needs at least ", rank, " dimensions"));
  if (x.size() == 0) fail(errc::invalid_argument, where, "argument 'x' is empty");
  std::vector<int> dims;
  for (int k = int(x.ndim()) - rank; k < x.ndim(); ++k) dims.push_back(int(x.shape(k)));
  std::size_t per = 1;
  for (int d : dims) per *= std::size_t(d);
  const int howmany = int(std::size_t(x.size()) / per);
  py::array_t<std::complex<Real>> out(std::vector<py::ssize_t>(x.shape(), x.shape() + x.ndim()));
  ensure_kokkos();  // needs the GIL (it registers an atexit hook)
  {
    py::gil_scoped_release nogil;
    fft::Plan<Host, Real> plan(fft::Kind::c2c, dims, howmany);
    CView<Real> in(reinterpret_cast<Kokkos::complex<Real>*>(const_cast<std::complex<Real>*>(x.data())), x.size());
    CView<Real> o(reinterpret_cast<Kokkos::complex<Real>*>(out.mutable_data()), out.size());
    if (inverse) plan.backward(in, o, fft::Scale::by_n);
    else plan.forward(in, o);
    Host().fence();
  }
  return std::move(out);
}

template <class Real> py::array rfft(carray<Real> x) {
  if (x.ndim() < 1 || x.size() == 0) fail(errc::invalid_argument, "beamkit.fft.rfft", "argument 'x' is empty");
  const int n = int(x.shape(x.ndim() - 1));
  const int howmany = int(x.size() / n);
  std::vector<py::ssize_t> shape(x.shape(), x.shape() + x.ndim());
  shape.back() = n / 2 + 1;
  py::array_t<std::complex<Real>> out(shape);
  ensure_kokkos();
  {
    py::gil_scoped_release nogil;
    fft::Plan<Host, Real> plan(fft::Kind::r2c, {n}, howmany);
    Unmanaged1<const Real> in(x.data(), x.size());
    CView<Real> o(reinterpret_cast<Kokkos::complex<Real>*>(out.mutable_data()), out.size());
    plan.forward(in, o);
  }
  return std::move(out);
}
}  // namespace

void bind_fft(py::module_& m) {
  auto f = m.def_submodule("fft", "FFT facade (FFTW on the host), batched over leading axes");
  f.def("fft", [](py::array x) -> py::array {
    if (x.dtype().is(py::dtype::of<std::complex<float>>()) || x.dtype().is(py::dtype::of<float>())) return c2c<float>(x, 1, false);
    return c2c<double>(x, 1, false);
  }, py::arg("x"), "Forward c2c FFT along the last axis (unnormalised, numpy.fft.fft convention).");
  f.def("ifft", [](py::array x) -> py::array {
    if (x.dtype().is(py::dtype::of<std::complex<float>>()) || x.dtype().is(py::dtype::of<float>())) return c2c<float>(x, 1, true);
    return c2c<double>(x, 1, true);
  }, py::arg("x"), "Inverse c2c FFT along the last axis, normalised by 1/n (numpy.fft.ifft convention).");
  f.def("fft2", [](py::array x) -> py::array {
    if (x.dtype().is(py::dtype::of<std::complex<float>>()) || x.dtype().is(py::dtype::of<float>())) return c2c<float>(x, 2, false);
    return c2c<double>(x, 2, false);
  }, py::arg("x"), "Forward 2-D c2c FFT over the last two axes.");
  f.def("rfft", [](py::array x) -> py::array {
    if (x.dtype().is(py::dtype::of<float>())) return rfft<float>(carray<float>::ensure(x));
    return rfft<double>(carray<double>::ensure(x));
  }, py::arg("x"), "Forward r2c FFT along the last axis (numpy.fft.rfft convention).");
}
