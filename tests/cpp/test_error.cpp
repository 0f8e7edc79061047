// SPDX-License-Identifier: BSD-3-Clause
#include "test_helpers.hpp"
#include <limits>

using namespace beamkit;

TEST_SUITE("unit") {
  TEST_CASE("validation helpers name the function, argument and value") {
    CHECK_THROWS_WITH_AS(check::positive(-2, "beamkit::f", "n"), "beamkit::f: argument 'n' must be > 0, got -2",
                         beamkit::error);
    CHECK_THROWS_WITH_AS(check::finite(std::numeric_limits<double>::quiet_NaN(), "g", "x"),
                         doctest::Contains("argument 'x' must be finite"), beamkit::error);
    CHECK_THROWS_WITH_AS(check::in_range(5.0, 0.0, 1.0, "h", "alpha"), "h: argument 'alpha' must be in [0, 1], got 5",
                         beamkit::error);
    const float data[3] = {1.f, std::numeric_limits<float>::infinity(), 2.f};
    CHECK_THROWS_WITH_AS(check::all_finite(data, 3, "k", "tomo"), doctest::Contains("at flat index 1"),
                         beamkit::error);
    CHECK_NOTHROW(check::positive(1e-9, "f", "x"));
    try {
      check::require(false, "w", "bad");
    } catch (const beamkit::error& e) {
      CHECK(e.code() == errc::invalid_argument);
    }
  }
  TEST_CASE("kmath shims behave on the host") {
    CHECK(kmath::min(2.0, 3.0) == 2.0);
    CHECK(kmath::max(2, 3) == 3);
    CHECK(kmath::round(-2.5) == -3.0);
    CHECK(kmath::round(2.4f) == 2.0f);
    CHECK(kmath::clamp(5, 0, 3) == 3);
    CHECK(std::abs(kmath::pi<double>() - M_PI) < 1e-15);
    CHECK(kmath::sqrt(4.0) == 2.0);
  }
}
