// SPDX-License-Identifier: BSD-3-Clause
// SHA-256 (FIPS 180-4) of byte buffers and files, for provenance records (src/io/sha256.cpp; our own
// implementation, checked against the FIPS examples and Python's hashlib).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace beamkit::io {

class Sha256 {
public:
  Sha256();
  void update(const void* data, std::size_t n);
  /// Lower-case hex digest (64 characters); the object is spent afterwards.
  std::string hex_digest();

private:
  void block(const unsigned char* p);
  std::uint32_t m_h[8];
  unsigned char m_buf[64];
  std::size_t m_fill = 0;
  std::uint64_t m_bytes = 0;
};

/// SHA-256 of a file's bytes as hex; throws errc::io when it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace beamkit::io
