// SPDX-License-Identifier: BSD-3-Clause
// View aliases and numeric traits. Every public View is LayoutRight (C order = NumPy/HDF5 order);
// Kokkos' default on CUDA is LayoutLeft, so the layout is always spelled out.
#pragma once
#include <Kokkos_Complex.hpp>
#include <Kokkos_Core.hpp>
#include <cstdint>
#include <type_traits>

namespace beamkit {

using index_t = std::int64_t;

/// Accumulation type: sums of float are carried in double (long back-projections, reductions).
template <class Real> struct Accum { using type = double; };
template <class Real> using accum_t = typename Accum<Real>::type;

template <class Real> using complex_t = Kokkos::complex<Real>;

template <class T, class Mem = Kokkos::DefaultExecutionSpace::memory_space>
using View1 = Kokkos::View<T*, Kokkos::LayoutRight, Mem>;
template <class T, class Mem = Kokkos::DefaultExecutionSpace::memory_space>
using View2 = Kokkos::View<T**, Kokkos::LayoutRight, Mem>;
template <class T, class Mem = Kokkos::DefaultExecutionSpace::memory_space>
using View3 = Kokkos::View<T***, Kokkos::LayoutRight, Mem>;

template <class T> using HostView1 = View1<T, Kokkos::HostSpace>;
template <class T> using HostView2 = View2<T, Kokkos::HostSpace>;
template <class T> using HostView3 = View3<T, Kokkos::HostSpace>;

/// Unmanaged host Views wrap NumPy buffers and user arrays without a copy.
template <class T>
using Unmanaged1 = Kokkos::View<T*, Kokkos::LayoutRight, Kokkos::HostSpace,
                                Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
template <class T>
using Unmanaged2 = Kokkos::View<T**, Kokkos::LayoutRight, Kokkos::HostSpace,
                                Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
template <class T>
using Unmanaged3 = Kokkos::View<T***, Kokkos::LayoutRight, Kokkos::HostSpace,
                                Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

/// Read-only gathers (texture path on CUDA, a no-op on the host).
template <class T, class Mem = Kokkos::DefaultExecutionSpace::memory_space>
using ConstRandom2 = Kokkos::View<const T**, Kokkos::LayoutRight, Mem,
                                  Kokkos::MemoryTraits<Kokkos::RandomAccess>>;

template <class Real> struct is_real : std::integral_constant<bool, std::is_same<Real, float>::value ||
                                                                        std::is_same<Real, double>::value> {};

/// Label helper: every allocation is named beamkit::<module>::<what>.
#define BEAMKIT_LABEL(module, what) "beamkit::" module "::" what

}  // namespace beamkit
