// SPDX-License-Identifier: BSD-3-Clause
// Counter-based random numbers: Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as
// 1, 2, 3", SC'11). A number is a pure function of (key = seed, counter = (stream, index)), so the
// same draws come out on any backend and any thread count -- what RMC and PSO need to be
// reproducible. Kokkos_Random pools are tied to thread slots and are not.
#pragma once
#include <Kokkos_Core.hpp>
#include <cstdint>

namespace beamkit {

struct Philox4x32 {
  using u32 = std::uint32_t;
  using u64 = std::uint64_t;

  /// One Philox4x32-10 block: 4 x 32 random bits for counter c under key k.
  KOKKOS_INLINE_FUNCTION static void block(const u32 c_in[4], const u32 k_in[2], u32 out[4]) {
    constexpr u32 M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
    u32 c0 = c_in[0], c1 = c_in[1], c2 = c_in[2], c3 = c_in[3];
    u32 k0 = k_in[0], k1 = k_in[1];
    for (int r = 0; r < 10; ++r) {
      const u64 p0 = u64(M0) * c0, p1 = u64(M1) * c2;
      const u32 hi0 = u32(p0 >> 32), lo0 = u32(p0), hi1 = u32(p1 >> 32), lo1 = u32(p1);
      const u32 n0 = hi1 ^ c1 ^ k0, n1 = lo1, n2 = hi0 ^ c3 ^ k1, n3 = lo0;
      c0 = n0; c1 = n1; c2 = n2; c3 = n3;
      k0 += W0;
      k1 += W1;
    }
    out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
  }
};

/// A cheap, copyable generator for one logical stream: draw k of stream s under seed is
/// philox(key=seed, counter=(k/4-th block, s)). Create one per work item inside a kernel:
///   CounterRng rng(seed, stream_id);  double u = rng.uniform();
class CounterRng {
public:
  KOKKOS_INLINE_FUNCTION CounterRng(std::uint64_t seed, std::uint64_t stream, std::uint64_t offset = 0)
      : m_key{std::uint32_t(seed), std::uint32_t(seed >> 32)},
        m_stream(stream), m_block(offset), m_used(4) {}

  /// 32 random bits.
  KOKKOS_INLINE_FUNCTION std::uint32_t next_u32() {
    if (m_used == 4) refill();
    return m_buf[m_used++];
  }
  /// 64 random bits.
  KOKKOS_INLINE_FUNCTION std::uint64_t next_u64() {
    const std::uint64_t hi = next_u32();
    return (hi << 32) | next_u32();
  }
  /// Uniform double in [0, 1) with 53 random bits.
  KOKKOS_INLINE_FUNCTION double uniform() { return double(next_u64() >> 11) * 0x1.0p-53; }
  /// Uniform integer in [0, n) (n > 0), by 64-bit multiply-shift (bias < n / 2^32).
  KOKKOS_INLINE_FUNCTION std::uint32_t below(std::uint32_t n) {
    return std::uint32_t((std::uint64_t(next_u32()) * n) >> 32);
  }

private:
  KOKKOS_INLINE_FUNCTION void refill() {
    const std::uint32_t c[4] = {std::uint32_t(m_block), std::uint32_t(m_block >> 32),
                                std::uint32_t(m_stream), std::uint32_t(m_stream >> 32)};
    Philox4x32::block(c, m_key, m_buf);
    ++m_block;
    m_used = 0;
  }
  std::uint32_t m_key[2];
  std::uint64_t m_stream, m_block;
  std::uint32_t m_buf[4] = {0, 0, 0, 0};
  int m_used;
};

}  // namespace beamkit
