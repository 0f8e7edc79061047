// SPDX-License-Identifier: BSD-3-Clause
// cuFFT specialisation of fft::Plan, compiled only when Kokkos has CUDA. Same contract as the FFTW
// plan: batches along the contiguous axis, unnormalised transforms, explicit Scale::by_n.
// The plan is bound to the space's stream (cufftSetStream), so it orders with Kokkos kernels on
// the same instance without relying on default-stream synchronisation (changed in Kokkos 4.0).
#pragma once
#include <beamkit/fft/plan.hpp>
#include <cufft.h>
#include <memory>

namespace beamkit::fft {
namespace detail {
inline void cufft_check(cufftResult r, const char* what) {
  if (r != CUFFT_SUCCESS) fail(errc::runtime, "beamkit::fft::Plan<Cuda>", cat(what, " failed, cufftResult ", int(r)));
}
template <class Real> struct CufftTypes;
template <> struct CufftTypes<float> {
  using cpx = cufftComplex;
  using real = cufftReal;
  static constexpr cufftType c2c = CUFFT_C2C, r2c = CUFFT_R2C, c2r = CUFFT_C2R;
};
template <> struct CufftTypes<double> {
  using cpx = cufftDoubleComplex;
  using real = cufftDoubleReal;
  static constexpr cufftType c2c = CUFFT_Z2Z, r2c = CUFFT_D2Z, c2r = CUFFT_Z2D;
};
struct CufftHandle {
  cufftHandle h = 0;
  ~CufftHandle() { if (h) cufftDestroy(h); }
};
}  // namespace detail

template <class Real> class Plan<Kokkos::Cuda, Real> {
public:
  using complex_type = Kokkos::complex<Real>;
  using T = detail::CufftTypes<Real>;

  Plan(const Kokkos::Cuda& space, Kind kind, std::vector<int> dims, int howmany = 1, bool = false)
      : m_space(space), m_layout{kind, std::move(dims), howmany}, m_handle(std::make_shared<detail::CufftHandle>()) {
    m_layout.validate("beamkit::fft::Plan<Cuda>");
    const cufftType type = kind == Kind::c2c ? T::c2c : (kind == Kind::r2c ? T::r2c : T::c2r);
    std::vector<int> n = m_layout.dims;
    const int in_dist = int(kind == Kind::c2r ? m_layout.complex_size() : m_layout.logical_size());
    const int out_dist = int(kind == Kind::r2c ? m_layout.complex_size() : m_layout.logical_size());
    detail::cufft_check(cufftPlanMany(&m_handle->h, int(n.size()), n.data(), nullptr, 1, in_dist, nullptr, 1,
                                      out_dist, type, howmany), "cufftPlanMany");
    detail::cufft_check(cufftSetStream(m_handle->h, space.cuda_stream()), "cufftSetStream");
  }
  Plan(Kind kind, std::vector<int> dims, int howmany = 1, bool measure = false)
      : Plan(Kokkos::Cuda(), kind, std::move(dims), howmany, measure) {}
  /// Any layout, e.g. Layout::strided_c2c (cuFFT's advanced layout: inembed/onembed given, so istride/idist count).
  Plan(const Kokkos::Cuda& space, const Layout& layout, bool = false)
      : m_space(space), m_layout(layout), m_handle(std::make_shared<detail::CufftHandle>()) {
    m_layout.validate("beamkit::fft::Plan<Cuda>");
    if (!m_layout.strided()) {
      *this = Plan(space, layout.kind, layout.dims, layout.howmany);
      return;
    }
    int n = m_layout.dims[0];
    detail::cufft_check(cufftPlanMany(&m_handle->h, 1, &n, &n, m_layout.stride, m_layout.dist, &n, m_layout.stride,
                                      m_layout.dist, T::c2c, m_layout.howmany), "cufftPlanMany");
    detail::cufft_check(cufftSetStream(m_handle->h, space.cuda_stream()), "cufftSetStream");
  }

  const Layout& layout() const { return m_layout; }

  template <class InView, class OutView> void forward(const InView& in, const OutView& out) const {
    run(Direction::forward, in, out, Scale::none);
  }
  template <class InView, class OutView>
  void backward(const InView& in, const OutView& out, Scale scale = Scale::none) const {
    run(Direction::backward, in, out, scale);
  }

private:
  template <class InView, class OutView>
  void run(Direction dir, const InView& in, const OutView& out, Scale scale) const {
    constexpr const char* where = "beamkit::fft::Plan<Cuda>::execute";
    const std::size_t nlog = m_layout.logical_size() * m_layout.howmany;
    const std::size_t ncpx = m_layout.complex_size() * m_layout.howmany;
    auto* ip = const_cast<void*>(static_cast<const void*>(in.data()));
    void* op = static_cast<void*>(out.data());
    std::size_t need_out = nlog;
    if (m_layout.kind == Kind::c2c) {
      check::require(in.span() == m_layout.span() && out.span() == m_layout.span(), where,
                     "c2c view sizes do not match the plan");
      check::require(!m_layout.strided() || scale == Scale::none, where, "Scale::by_n needs a contiguous layout");
      detail::cufft_check(cufftExec(ip, op, dir), "cufftExec c2c");
    } else if (m_layout.kind == Kind::r2c) {
      check::require(dir == Direction::forward && in.span() == nlog && out.span() == ncpx, where,
                     "r2c view sizes do not match the plan");
      need_out = ncpx;
      detail::cufft_check(exec_r2c(ip, op), "cufftExec r2c");
    } else {
      check::require(dir == Direction::backward && in.span() == ncpx && out.span() == nlog, where,
                     "c2r view sizes do not match the plan");
      detail::cufft_check(exec_c2r(ip, op), "cufftExec c2r");
    }
    if (scale == Scale::by_n)
      detail::scale_inplace(m_space, out.data(), need_out, Real(1) / Real(m_layout.logical_size()));
  }
  cufftResult cufftExec(void* i, void* o, Direction dir) const {
    const int sign = dir == Direction::forward ? CUFFT_FORWARD : CUFFT_INVERSE;
    if constexpr (std::is_same<Real, float>::value)
      return cufftExecC2C(m_handle->h, static_cast<cufftComplex*>(i), static_cast<cufftComplex*>(o), sign);
    else
      return cufftExecZ2Z(m_handle->h, static_cast<cufftDoubleComplex*>(i), static_cast<cufftDoubleComplex*>(o), sign);
  }
  cufftResult exec_r2c(void* i, void* o) const {
    if constexpr (std::is_same<Real, float>::value)
      return cufftExecR2C(m_handle->h, static_cast<cufftReal*>(i), static_cast<cufftComplex*>(o));
    else
      return cufftExecD2Z(m_handle->h, static_cast<cufftDoubleReal*>(i), static_cast<cufftDoubleComplex*>(o));
  }
  cufftResult exec_c2r(void* i, void* o) const {
    if constexpr (std::is_same<Real, float>::value)
      return cufftExecC2R(m_handle->h, static_cast<cufftComplex*>(i), static_cast<cufftReal*>(o));
    else
      return cufftExecZ2D(m_handle->h, static_cast<cufftDoubleComplex*>(i), static_cast<cufftDoubleReal*>(o));
  }

  Kokkos::Cuda m_space;
  Layout m_layout;
  std::shared_ptr<detail::CufftHandle> m_handle;
};

}  // namespace beamkit::fft
