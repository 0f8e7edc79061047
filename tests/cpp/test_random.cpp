// SPDX-License-Identifier: BSD-3-Clause
#include "test_helpers.hpp"

using namespace beamkit;

TEST_SUITE("unit") {
  TEST_CASE("philox4x32-10 matches the Random123 known-answer vectors") {
    const std::uint32_t zero_c[4] = {0, 0, 0, 0}, zero_k[2] = {0, 0};
    std::uint32_t out[4];
    Philox4x32::block(zero_c, zero_k, out);
    CHECK(out[0] == 0x6627e8d5u);
    CHECK(out[1] == 0xe169c58du);
    CHECK(out[2] == 0xbc57ac4cu);
    CHECK(out[3] == 0x9b00dbd8u);
    const std::uint32_t pi_c[4] = {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u};
    const std::uint32_t pi_k[2] = {0xa4093822u, 0x299f31d0u};
    Philox4x32::block(pi_c, pi_k, out);
    CHECK(out[0] == 0xd16cfe09u);
    CHECK(out[1] == 0x94fdccebu);
    CHECK(out[2] == 0x5001e420u);
    CHECK(out[3] == 0x24126ea1u);
    const std::uint32_t ones_c[4] = {~0u, ~0u, ~0u, ~0u}, ones_k[2] = {~0u, ~0u};
    Philox4x32::block(ones_c, ones_k, out);
    CHECK(out[0] == 0x408f276du);
    CHECK(out[3] == 0x6d5451fdu);
  }
  TEST_CASE("counter rng: same numbers whatever the thread count, uniform moments") {
    const int n = 1 << 16;
    Kokkos::View<double*> par("par", n);
    Kokkos::parallel_for("fill", Kokkos::RangePolicy<>(0, n), KOKKOS_LAMBDA(const int i) {
      CounterRng rng(1234, std::uint64_t(i));
      rng.uniform();
      par(i) = rng.uniform();
    });
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), par);
    double mean = 0, var = 0;
    for (int i = 0; i < n; ++i) {
      CounterRng rng(1234, std::uint64_t(i));  // serial replay
      rng.uniform();
      REQUIRE(rng.uniform() == h(i));
      mean += h(i);
    }
    mean /= n;
    for (int i = 0; i < n; ++i) var += (h(i) - mean) * (h(i) - mean);
    var /= n;
    CHECK(std::abs(mean - 0.5) < 0.005);           // sigma of the mean: 0.29/256
    CHECK(std::abs(var - 1.0 / 12) < 0.002);
    CounterRng a(1, 0), b(2, 0);
    CHECK(a.next_u64() != b.next_u64());
    CounterRng c(5, 9);
    for (int i = 0; i < 1000; ++i) {
      const auto k = c.below(7);
      REQUIRE(k < 7u);
    }
  }
}
