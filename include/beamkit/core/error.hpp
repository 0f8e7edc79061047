// SPDX-License-Identifier: BSD-3-Clause
// beamkit::error and the input-validation helpers. Messages always name the function, the argument
// and the offending value, so that a Python user sees e.g.
//   "beamkit::tomo::recon: argument 'theta' has 179 entries, expected 180 (= tomo.shape[0])".
#pragma once
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

namespace beamkit {

enum class errc {
  invalid_argument = 1,  ///< bad shape, value, name or range: Python ValueError
  io = 2,                ///< missing/corrupt/unwritable file: Python OSError
  unsupported = 3,       ///< a valid request this build cannot do (e.g. no HDF5): NotImplementedError
  runtime = 4,           ///< failure inside a computation (FFT planner, allocation): RuntimeError
};

/// The one exception type of beamkit's host API.
class error : public std::runtime_error {
public:
  error(errc code, const std::string& what) : std::runtime_error(what), m_code(code) {}
  errc code() const noexcept { return m_code; }

private:
  errc m_code;
};

namespace detail {
inline void append(std::ostringstream&) {}
template <class T, class... Rest> void append(std::ostringstream& os, const T& v, const Rest&... rest) {
  os << v;
  append(os, rest...);
}
}  // namespace detail

/// Build a message from pieces: cat("a=", 3, " b=", 2.5).
template <class... Args> std::string cat(const Args&... args) {
  std::ostringstream os;
  os.precision(10);
  detail::append(os, args...);
  return os.str();
}

[[noreturn]] inline void fail(errc code, const std::string& where, const std::string& what) {
  throw error(code, where + ": " + what);
}

/// Validation helpers: `where` is the public function's name, `arg` the argument's name.
namespace check {

inline void require(bool ok, const char* where, const std::string& what) {
  if (!ok) fail(errc::invalid_argument, where, what);
}

template <class T> void positive(T value, const char* where, const char* arg) {
  if (!(value > T(0)))
    fail(errc::invalid_argument, where, cat("argument '", arg, "' must be > 0, got ", value));
}

template <class T> void non_negative(T value, const char* where, const char* arg) {
  if (!(value >= T(0)))
    fail(errc::invalid_argument, where, cat("argument '", arg, "' must be >= 0, got ", value));
}

template <class T> void finite(T value, const char* where, const char* arg) {
  if (!std::isfinite(static_cast<double>(value)))
    fail(errc::invalid_argument, where, cat("argument '", arg, "' must be finite, got ", value));
}

template <class T> void in_range(T value, T lo, T hi, const char* where, const char* arg) {
  if (!(value >= lo && value <= hi))
    fail(errc::invalid_argument, where,
         cat("argument '", arg, "' must be in [", lo, ", ", hi, "], got ", value));
}

template <class T, class U> void equal(T got, U expected, const char* where, const std::string& what) {
  if (!(got == static_cast<T>(expected)))
    fail(errc::invalid_argument, where, cat(what, " is ", got, ", expected ", expected));
}

/// All values of a host array finite; names the first bad index.
template <class T> void all_finite(const T* data, std::size_t n, const char* where, const char* arg) {
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(static_cast<double>(data[i])))
      fail(errc::invalid_argument, where,
           cat("argument '", arg, "' contains a non-finite value (", data[i], ") at flat index ", i));
}

}  // namespace check
}  // namespace beamkit
