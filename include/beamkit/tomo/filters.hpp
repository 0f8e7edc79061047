// SPDX-License-Identifier: BSD-3-Clause
// Reconstruction filters for FBP and gridrec, as frequency responses on the padded FFT length.
//
// The ramp is built from the band-limited spatial kernel of Ramachandran & Lakshminarayanan
// (Kak & Slaney, "Principles of Computerized Tomographic Imaging", eq. 3.61):
//     h(0) = 1/4,  h(n) = -1/(pi n)^2 for odd n,  0 for even n  (pixel units),
// transformed with the FFT on the padded length. Unlike sampling |nu| directly, this keeps the
// correct DC term, so a reconstruction has no offset ("cupping"). The windows multiply the ramp
// (nu = cycles per pixel in [0, 1/2]):
//   ramlak 1 | shepp sinc(nu) | cosine cos(pi nu) | hamming 0.54 + 0.46 cos(2 pi nu)
//   hann 0.5 + 0.5 cos(2 pi nu) | parzen (de la Vallee Poussin window on [0, 1/2])
//   butterworth 1 / (1 + (nu / cutoff)^(2 order)), filter_par = [cutoff, order], default [0.5, 8]
//   none: no filter at all (a plain back-projection, as TomoPy's 'none').
#pragma once
#include <beamkit/core/error.hpp>
#include <beamkit/fft/plan.hpp>
#include <cmath>
#include <string>
#include <vector>

namespace beamkit::tomo {

enum class Filter { none, ramlak, shepp, cosine, hamming, hann, parzen, butterworth };

inline Filter filter_from_name(const std::string& name, const char* where = "beamkit::tomo::filter") {
  if (name == "none") return Filter::none;
  if (name == "ramlak" || name == "ram-lak" || name == "ramp") return Filter::ramlak;
  if (name == "shepp" || name == "shepp-logan") return Filter::shepp;
  if (name == "cosine") return Filter::cosine;
  if (name == "hamming") return Filter::hamming;
  if (name == "hann" || name == "hanning") return Filter::hann;
  if (name == "parzen") return Filter::parzen;
  if (name == "butterworth") return Filter::butterworth;
  fail(errc::invalid_argument, where,
       cat("unknown filter_name '", name, "' (none, ramlak, shepp, cosine, hamming, hann, parzen, butterworth)"));
}

inline const char* filter_name(Filter f) {
  static const char* names[] = {"none", "ramlak", "shepp", "cosine", "hamming", "hann", "parzen", "butterworth"};
  return names[int(f)];
}

struct FilterSpec {
  Filter type = Filter::shepp;
  double cutoff = 0.5;  ///< butterworth cutoff (cycles/pixel)
  double order = 8;     ///< butterworth order
  void validate(const char* where) const {
    if (type == Filter::butterworth) {
      check::in_range(cutoff, 1e-6, 0.5, where, "filter_par[0] (butterworth cutoff)");
      check::in_range(order, 0.5, 100.0, where, "filter_par[1] (butterworth order)");
    }
  }
};

/// Window value at nu in [0, 1/2] (cycles per pixel).
inline double filter_window(const FilterSpec& f, double nu) {
  const double pi = 3.141592653589793;
  switch (f.type) {
    case Filter::none:
    case Filter::ramlak: return 1.0;
    case Filter::shepp: return nu == 0 ? 1.0 : std::sin(pi * nu) / (pi * nu);
    case Filter::cosine: return std::cos(pi * nu);
    case Filter::hamming: return 0.54 + 0.46 * std::cos(2 * pi * nu);
    case Filter::hann: return 0.5 + 0.5 * std::cos(2 * pi * nu);
    case Filter::parzen: {
      const double q = nu / 0.5;
      return q <= 0.5 ? 1 - 6 * q * q * (1 - q) : 2 * (1 - q) * (1 - q) * (1 - q);
    }
    case Filter::butterworth: return 1.0 / (1.0 + std::pow(nu / f.cutoff, 2 * f.order));
  }
  return 1.0;
}

/// Smallest 2,3,5,7-smooth integer >= n (fast FFT lengths).
inline int next_smooth(int n) {
  for (int m = std::max(n, 1);; ++m) {
    int r = m;
    for (int p : {2, 3, 5, 7})
      while (r % p == 0) r /= p;
    if (r == 1) return m;
  }
}

/// Frequency response H(k), k = 0 .. np/2, of the ramp times the window (real and even).
inline std::vector<double> filter_response(const FilterSpec& f, int np) {
  std::vector<double> H(std::size_t(np / 2 + 1), 1.0);
  if (f.type == Filter::none) return H;
  const double pi = 3.141592653589793;
  // H(k) = sum_n h(n) exp(-2 pi i k n / np) on the circle of length np (real: h is even), ~ k / np.
  std::vector<double> h(std::size_t(np), 0.0);
  h[0] = 0.25;
  for (int n = 1; n <= np / 2; ++n)
    if (n % 2 == 1) {
      const double v = -1.0 / (pi * pi * double(n) * double(n));
      h[std::size_t(n)] = v;
      if (np - n != n) h[std::size_t(np - n)] = v;
    }
  using Host = Kokkos::DefaultHostExecutionSpace;
  Unmanaged1<double> hv(h.data(), h.size());
  View1<Kokkos::complex<double>, Kokkos::HostSpace> spec("beamkit::tomo::filter_spec", std::size_t(np / 2 + 1));
  fft::Plan<Host, double> plan(fft::Kind::r2c, {np}, 1);
  plan.forward(hv, spec);
  for (int k = 0; k <= np / 2; ++k) H[std::size_t(k)] = spec(k).real() * filter_window(f, double(k) / np);
  return H;
}

}  // namespace beamkit::tomo
