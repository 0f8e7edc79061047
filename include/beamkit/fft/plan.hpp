// SPDX-License-Identifier: BSD-3-Clause
// FFT plan facade: batched 1-D and 2-D transforms, c2c and r2c/c2r, float and double.
//
//   fft::Plan<ExecSpace, Real> p(space, fft::Kind::r2c, {n}, howmany);   // plan once...
//   p.forward(real_rows, complex_rows);                                  // ...execute many times
//   p.backward(complex_rows, real_rows, fft::Scale::by_n);              // normalised inverse
//
// Batches run along the last (contiguous) axis of LayoutRight Views: batch b of a 1-D plan of length
// n occupies elements [b*n, (b+1)*n) (r2c output: [b*(n/2+1), (b+1)*(n/2+1))). A strided 1-D c2c
// layout (Layout::strided_c2c) instead puts element j of batch b at b*dist + j*stride, e.g. the
// columns of a row-major matrix (stride = row length, dist = 1), for transforms pruned to the
// rows or columns a caller keeps. Transforms are
// unnormalised, as in FFTW and cuFFT; `Scale::by_n` applies 1/N (N = product of the dims) in the
// wrapper so callers never repeat it. Host spaces use FFTW (fftw_backend.hpp, compiled in
// src/fft_fftw.cpp); Kokkos::Cuda uses cuFFT (cufft_backend.hpp) when Kokkos has CUDA.
#pragma once
#include <array>
#include <beamkit/core/error.hpp>
#include <beamkit/core/types.hpp>
#include <cstddef>
#include <vector>

namespace beamkit::fft {

enum class Kind { c2c, r2c, c2r };
enum class Direction { forward, backward };
enum class Scale { none, by_n };

/// The geometry of a (batched) transform; dims are the logical (real-space) lengths.
struct Layout {
  Kind kind = Kind::c2c;
  std::vector<int> dims;  ///< 1 or 2 entries: {n} or {n0, n1}
  int howmany = 1;
  int stride = 1;  ///< strided c2c layouts: distance between consecutive elements of one transform
  int dist = 0;    ///< strided c2c layouts: distance between batches (0: contiguous batches)

  /// `howmany` c2c transforms of length n, element j of batch b at b * dist + j * stride.
  static Layout strided_c2c(int n, int howmany, int stride, int dist) {
    Layout l{Kind::c2c, {n}, howmany};
    l.stride = stride;
    l.dist = dist;
    return l;
  }
  bool strided() const { return dist != 0 || stride != 1; }
  /// Elements a view must span: the batches back to back, or the strided footprint.
  std::size_t span() const {
    if (!strided()) return (kind == Kind::r2c ? logical_size() : complex_size()) * std::size_t(howmany);
    return std::size_t(howmany - 1) * std::size_t(dist) + std::size_t(dims[0] - 1) * std::size_t(stride) + 1;
  }

  std::size_t logical_size() const {
    std::size_t n = 1;
    for (int d : dims) n *= std::size_t(d);
    return n;
  }
  /// Elements per batch on the complex side (last dim halved + 1 for r2c/c2r).
  std::size_t complex_size() const {
    if (kind == Kind::c2c) return logical_size();
    return logical_size() / std::size_t(dims.back()) * std::size_t(dims.back() / 2 + 1);
  }
  /// Elements per batch of the input of a forward transform.
  std::size_t forward_in_size() const { return kind == Kind::c2c ? logical_size() : logical_size(); }
  void validate(const char* where) const {
    check::require(dims.size() == 1 || dims.size() == 2, where,
                   cat("FFT rank must be 1 or 2, got ", dims.size()));
    for (int d : dims) check::positive(d, where, "dims");
    check::positive(howmany, where, "howmany");
    if (strided()) {
      check::require(kind == Kind::c2c && dims.size() == 1, where, "strided layouts are 1-D c2c");
      check::positive(stride, where, "stride");
      check::positive(dist, where, "dist");
    }
  }
};

namespace detail {
/// Scale a contiguous array by s on the given space (the explicit normalisation).
template <class ExecSpace, class T, class Real>
void scale_inplace(const ExecSpace& space, T* data, std::size_t n, Real s) {
  Kokkos::View<T*, typename ExecSpace::memory_space, Kokkos::MemoryTraits<Kokkos::Unmanaged>> v(data, n);
  Kokkos::parallel_for("beamkit::fft::scale",
                       Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0, std::int64_t(n)),
                       KOKKOS_LAMBDA(const std::int64_t i) { v(i) *= s; });
}

template <class View> constexpr bool is_complex_view() {
  using V = typename View::non_const_value_type;
  return std::is_same<V, Kokkos::complex<float>>::value || std::is_same<V, Kokkos::complex<double>>::value;
}
}  // namespace detail

/// Primary template: host execution spaces (FFTW). Specialised for Kokkos::Cuda in cufft_backend.hpp.
template <class ExecSpace, class Real> class Plan;

}  // namespace beamkit::fft

#include <beamkit/fft/fftw_backend.hpp>
#if defined(KOKKOS_ENABLE_CUDA)
#include <beamkit/fft/cufft_backend.hpp>
#endif
