// SPDX-License-Identifier: BSD-3-Clause
// Shared helpers for the doctest suites.
#pragma once
#include <beamkit/beamkit.hpp>
#include <cmath>
#include <cstdio>
#include <doctest/doctest.h>
#include <string>
#include <unistd.h>

namespace bk_test {
using ExecSpace = Kokkos::DefaultExecutionSpace;

template <class Real> constexpr double tol() { return std::is_same<Real, float>::value ? 1e-5 : 1e-12; }

inline std::string shared_data(const std::string& rel) { return std::string(BEAMKIT_SHARED_DATA) + "/" + rel; }
inline bool file_exists(const std::string& p) { return ::access(p.c_str(), R_OK) == 0; }

/// A scratch file path unique to this process, removed at scope exit.
struct TempPath {
  std::string path;
  explicit TempPath(const std::string& name)
      : path("/tmp/beamkit_test_" + std::to_string(::getpid()) + "_" + name) {}
  ~TempPath() { std::remove(path.c_str()); }
};
}  // namespace bk_test
