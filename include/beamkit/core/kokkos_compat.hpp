// SPDX-License-Identifier: BSD-3-Clause
// The only file in beamkit that looks at KOKKOS_VERSION. Everything that differs between
// Kokkos 3.4.01 (Debian, OpenMP build) and Kokkos 4.x (users' builds, possibly CUDA) is wrapped here
// (see STYLE.md section 6). Kernels call beamkit::kmath::*, never std:: or Kokkos::Experimental::.
#pragma once
#include <Kokkos_Core.hpp>
#include <string>

#if KOKKOS_VERSION >= 30700  // math functions promoted to Kokkos:: in 3.7, Experimental:: removed in 4.0
#define BEAMKIT_KMATH_NS Kokkos
#else
#define BEAMKIT_KMATH_NS Kokkos::Experimental
#endif

#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__) || defined(__SYCL_DEVICE_ONLY__)
#define BEAMKIT_ON_DEVICE 1
#else
#define BEAMKIT_ON_DEVICE 0
#endif

namespace beamkit::kmath {
using BEAMKIT_KMATH_NS::acos;
using BEAMKIT_KMATH_NS::asin;
using BEAMKIT_KMATH_NS::atan;
using BEAMKIT_KMATH_NS::atan2;
using BEAMKIT_KMATH_NS::cbrt;
using BEAMKIT_KMATH_NS::ceil;
using BEAMKIT_KMATH_NS::cos;
using BEAMKIT_KMATH_NS::cosh;
using BEAMKIT_KMATH_NS::erf;
using BEAMKIT_KMATH_NS::exp;
using BEAMKIT_KMATH_NS::fabs;
using BEAMKIT_KMATH_NS::floor;
using BEAMKIT_KMATH_NS::fmod;
using BEAMKIT_KMATH_NS::hypot;
using BEAMKIT_KMATH_NS::isfinite;
using BEAMKIT_KMATH_NS::isnan;
using BEAMKIT_KMATH_NS::log;
using BEAMKIT_KMATH_NS::log10;
using BEAMKIT_KMATH_NS::pow;
using BEAMKIT_KMATH_NS::sin;
using BEAMKIT_KMATH_NS::sinh;
using BEAMKIT_KMATH_NS::sqrt;
using BEAMKIT_KMATH_NS::tan;
using BEAMKIT_KMATH_NS::tanh;

// Not in Kokkos 3.4 (min/max/clamp/round/copysign arrived in 3.7/4.0): our own, valid on any backend.
template <class T> KOKKOS_INLINE_FUNCTION constexpr T min(T a, T b) { return b < a ? b : a; }
template <class T> KOKKOS_INLINE_FUNCTION constexpr T max(T a, T b) { return a < b ? b : a; }
template <class T> KOKKOS_INLINE_FUNCTION constexpr T clamp(T x, T lo, T hi) {
  return x < lo ? lo : (hi < x ? hi : x);
}
template <class T> KOKKOS_INLINE_FUNCTION T round(T x) {
  return x < T(0) ? -floor(-x + T(0.5)) : floor(x + T(0.5));
}
template <class T> KOKKOS_INLINE_FUNCTION constexpr T sqr(T x) { return x * x; }
template <class T> KOKKOS_INLINE_FUNCTION void swap(T& a, T& b) {
  T t = a;
  a = b;
  b = t;
}
template <class T> KOKKOS_INLINE_FUNCTION constexpr T pi() {
  return T(3.141592653589793238462643383279502884L);
}
}  // namespace beamkit::kmath

namespace beamkit {

/// Fence an execution space instance (labelled fences are 4.x-only, so the label is informational).
template <class ExecSpace> inline void fence(const ExecSpace& space, const char* /*label*/ = nullptr) {
  space.fence();
}

/// Kokkos major.minor.patch as a string, e.g. "3.4.1".
inline std::string kokkos_version_string() {
  const int v = KOKKOS_VERSION;
  return std::to_string(v / 10000) + "." + std::to_string((v / 100) % 100) + "." +
         std::to_string(v % 100);
}

/// The command-line flag that sets the host thread count (renamed in Kokkos 3.7).
inline std::string kokkos_num_threads_flag(int n) {
#if KOKKOS_VERSION >= 30700
  return "--kokkos-num-threads=" + std::to_string(n);
#else
  return "--kokkos-threads=" + std::to_string(n);
#endif
}

}  // namespace beamkit
