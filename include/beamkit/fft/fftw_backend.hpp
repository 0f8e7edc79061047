// SPDX-License-Identifier: BSD-3-Clause
// Host FFT plans on FFTW. The FFTW calls live in src/fft_fftw.cpp (FFTW stays out of beamkit's
// public interface); this header holds the typed, View-checking front end.
#pragma once
#include <beamkit/fft/plan.hpp>
#include <memory>

namespace beamkit::fft {

namespace detail {
/// Type-erased FFTW plan set for one Layout: plans are made lazily for each of
/// {in-place, out-of-place} x {aligned, unaligned} x {forward, backward} the first time they are
/// needed (planning is serialised by a global mutex; execution is thread-safe).
template <class Real> class FftwPlan {
public:
  explicit FftwPlan(const Layout& layout, int nthreads, bool measure);
  ~FftwPlan();
  FftwPlan(const FftwPlan&) = delete;
  FftwPlan& operator=(const FftwPlan&) = delete;
  /// in/out: Real* or complex<Real>* as the kind and direction require.
  void execute(Direction dir, const void* in, void* out) const;
  const Layout& layout() const { return m_layout; }

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
  Layout m_layout;
};
extern template class FftwPlan<float>;
extern template class FftwPlan<double>;
}  // namespace detail

template <class ExecSpace, class Real> class Plan {
  static_assert(is_real<Real>::value, "beamkit::fft::Plan: Real must be float or double");
  static_assert(Kokkos::SpaceAccessibility<Kokkos::HostSpace, typename ExecSpace::memory_space>::accessible,
                "beamkit::fft::Plan: the FFTW backend needs a host-accessible execution space");

public:
  using complex_type = Kokkos::complex<Real>;

  /// \param dims {n} or {n0, n1}; \param howmany batch count; \param measure FFTW_MEASURE planning
  /// (slower to plan, faster to run: worth it for plans reused over a whole volume).
  Plan(const ExecSpace& space, Kind kind, std::vector<int> dims, int howmany = 1, bool measure = false)
      : m_space(space), m_layout{kind, std::move(dims), howmany} {
    m_layout.validate("beamkit::fft::Plan");
    m_fftw = std::make_shared<detail::FftwPlan<Real>>(m_layout, space.concurrency(), measure);
  }
  Plan(Kind kind, std::vector<int> dims, int howmany = 1, bool measure = false)
      : Plan(ExecSpace(), kind, std::move(dims), howmany, measure) {}
  /// Any layout, e.g. Layout::strided_c2c (views passed to forward/backward then span layout.span()).
  Plan(const ExecSpace& space, const Layout& layout, bool measure = false) : m_space(space), m_layout(layout) {
    m_layout.validate("beamkit::fft::Plan");
    m_fftw = std::make_shared<detail::FftwPlan<Real>>(m_layout, space.concurrency(), measure);
  }

  const Layout& layout() const { return m_layout; }

  /// Forward transform (c2c: e^{-2 pi i k x / n}; r2c). In-place allowed for c2c only.
  template <class InView, class OutView> void forward(const InView& in, const OutView& out) const {
    run(Direction::forward, in, out, Scale::none);
  }
  /// Backward transform (c2c: e^{+2 pi i k x / n}; c2r). `Scale::by_n` divides by N.
  /// Note: FFTW's c2r overwrites its input.
  template <class InView, class OutView>
  void backward(const InView& in, const OutView& out, Scale scale = Scale::none) const {
    run(Direction::backward, in, out, scale);
  }

private:
  template <class InView, class OutView>
  void run(Direction dir, const InView& in, const OutView& out, Scale scale) const {
    constexpr const char* where = "beamkit::fft::Plan::execute";
    using In = typename InView::non_const_value_type;
    using Out = typename OutView::non_const_value_type;
    const std::size_t nlog = m_layout.logical_size() * m_layout.howmany;
    const std::size_t ncpx = m_layout.complex_size() * m_layout.howmany;
    std::size_t need_in = 0, need_out = 0;
    switch (m_layout.kind) {
      case Kind::c2c:
        static_assert(!(std::is_same<In, Real>::value && std::is_same<Out, Real>::value),
                      "beamkit::fft::Plan: real -> real is not a transform kind");
        check::require(std::is_same<In, complex_type>::value && std::is_same<Out, complex_type>::value,
                       where, "a c2c plan needs complex<Real> views on both sides");
        need_in = need_out = m_layout.span();
        // Scaling a strided footprint would also scale the elements between its transforms.
        check::require(!m_layout.strided() || scale == Scale::none, where, "Scale::by_n needs a contiguous layout");
        break;
      case Kind::r2c:
        check::require(dir == Direction::forward, where, "an r2c plan only runs forward");
        check::require(std::is_same<In, Real>::value && std::is_same<Out, complex_type>::value, where,
                       "an r2c plan needs a Real input view and a complex<Real> output view");
        need_in = nlog;
        need_out = ncpx;
        break;
      case Kind::c2r:
        check::require(dir == Direction::backward, where, "a c2r plan only runs backward");
        check::require(std::is_same<In, complex_type>::value && std::is_same<Out, Real>::value, where,
                       "a c2r plan needs a complex<Real> input view and a Real output view");
        need_in = ncpx;
        need_out = nlog;
        break;
    }
    check::require(in.span_is_contiguous() && out.span_is_contiguous(), where, "views must be contiguous");
    check::require(in.span() == need_in, where, cat("input has ", in.span(), " elements, expected ", need_in));
    check::require(out.span() == need_out, where,
                   cat("output has ", out.span(), " elements, expected ", need_out));
    check::require(m_layout.kind == Kind::c2c || static_cast<const void*>(in.data()) != out.data(), where,
                   "r2c/c2r transforms must be out-of-place");
    m_space.fence();  // earlier kernels on this space wrote `in`
    m_fftw->execute(dir, in.data(), out.data());
    if (scale == Scale::by_n)
      detail::scale_inplace(m_space, out.data(), need_out, Real(1) / Real(m_layout.logical_size()));
  }

  ExecSpace m_space;
  Layout m_layout;
  std::shared_ptr<detail::FftwPlan<Real>> m_fftw;  // shared: copies of a Plan reuse one FFTW plan
};

}  // namespace beamkit::fft
