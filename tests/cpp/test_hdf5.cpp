// SPDX-License-Identifier: BSD-3-Clause
// HDF5 adapter: round trips, hyperslabs, type conversion, attributes, atomic writes and clear errors.
#include "test_helpers.hpp"
#include <fstream>

using namespace beamkit;

namespace {
// Wrappers without template commas, for doctest's assertion macros.
template <class... A> auto read_f2(const A&... a) { return io::read<float, 2>(a...); }
template <class... A> auto read_f3(const A&... a) { return io::read<float, 3>(a...); }
}  // namespace

TEST_SUITE("unit") {
  TEST_CASE("hdf5 round trip of float/double/int views, slab reads along any axis") {
    bk_test::TempPath tmp("rt.h5");
    HostView3<float> a("a", 4, 3, 5);
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 3; ++j)
        for (int k = 0; k < 5; ++k) a(i, j, k) = float(100 * i + 10 * j + k);
    HostView1<std::int32_t> ints("i", 6);
    for (int i = 0; i < 6; ++i) ints(i) = -3 + i;
    {
      io::Writer w(tmp.path);
      w.write("/exchange/data", a, 2);
      w.write("/ints", ints);
      w.attribute("/", "creator", std::string("beamkit test"));
      w.attribute("/exchange/data", "pixel_size", 0.65);
      CHECK(!bk_test::file_exists(tmp.path));  // nothing at the final path before commit
      w.commit();
    }
    CHECK(bk_test::file_exists(tmp.path));
    auto info = io::dataset_info(tmp.path, "/exchange/data");
    REQUIRE(info.dims.size() == 3);
    CHECK(info.dims[1] == 3);
    CHECK(info.type == io::dtype::f32);
    auto b = io::read<double, 3>(tmp.path, "/exchange/data");  // converted to double
    CHECK(b(3, 2, 4) == 324.0);
    auto s = io::read<float, 3>(tmp.path, "/exchange/data", 1, 1, 2);  // slices 1..2 along axis 1
    REQUIRE(s.extent(1) == 2);
    CHECK(s(2, 0, 3) == 213.0f);
    CHECK(s(3, 1, 0) == 320.0f);
    auto iv = io::read<double, 1>(tmp.path, "/ints");
    CHECK(iv(0) == -3.0);
    CHECK(io::read_string_attribute(tmp.path, "/", "creator") == "beamkit test");
    CHECK(io::read_number_attribute(tmp.path, "/exchange/data", "pixel_size") == 0.65);
    CHECK(io::has_dataset(tmp.path, "/ints"));
    CHECK(!io::has_dataset(tmp.path, "/nothing/here"));
  }

  TEST_CASE("hdf5 errors name the file, dataset and problem") {
    bk_test::TempPath tmp("err.h5");
    {
      io::Writer w(tmp.path);
      HostView2<double> m("m", 2, 2);
      w.write("/m", m);
      w.commit();
    }
    CHECK_THROWS_WITH_AS(read_f2("/no/such/file.h5", "/x"), doctest::Contains("no such file"),
                         beamkit::error);
    CHECK_THROWS_WITH_AS(read_f2(tmp.path, "/missing"), doctest::Contains("has no dataset '/missing'"),
                         beamkit::error);
    CHECK_THROWS_WITH_AS(read_f3(tmp.path, "/m"), doctest::Contains("has rank 2, expected 3"),
                         beamkit::error);
    CHECK_THROWS_WITH_AS(read_f2(tmp.path, "/m", 0, 1, 5), doctest::Contains("outside axis 0"),
                         beamkit::error);
    // a corrupt file: HDF5 signature followed by garbage
    bk_test::TempPath bad("corrupt.h5");
    {
      std::ofstream f(bad.path, std::ios::binary);
      const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
      f.write(reinterpret_cast<const char*>(sig), 8);
      for (int i = 0; i < 1000; ++i) f.put(char(i * 37));
    }
    try {
      read_f2(bad.path, "/m");
      FAIL("expected an exception");
    } catch (const beamkit::error& e) {
      CHECK(e.code() == errc::io);
      CHECK(std::string(e.what()).find(bad.path) != std::string::npos);
    }
    // a truncated copy of a valid file
    bk_test::TempPath trunc("trunc.h5");
    {
      std::ifstream in(tmp.path, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::ofstream out(trunc.path, std::ios::binary);
      out.write(bytes.data(), std::streamsize(bytes.size() / 3));
    }
    CHECK_THROWS_AS(read_f2(trunc.path, "/m"), beamkit::error);
  }

  TEST_CASE("an uncommitted hdf5 writer leaves no file behind") {
    bk_test::TempPath tmp("abandoned.h5");
    std::string partial;
    {
      io::Writer w(tmp.path);
      partial = w.partial_path();
      HostView1<float> v("v", 10);
      w.write("/v", v);
      CHECK(bk_test::file_exists(partial));
      // leaving scope without commit(): as after an exception
    }
    CHECK(!bk_test::file_exists(partial));
    CHECK(!bk_test::file_exists(tmp.path));
    CHECK_THROWS_WITH_AS(io::Writer("/nonexistent_dir_xyz/out.h5"), doctest::Contains("cannot create"),
                         beamkit::error);
  }

  TEST_CASE("hdf5 reads the real tooth scan (Data Exchange) slice by slice") {
    const std::string f = bk_test::shared_data("tomopy/tooth.h5");
    if (!bk_test::file_exists(f)) {
      MESSAGE("shared data not found, skipped: " << f);
      return;
    }
    auto info = io::dataset_info(f, "/exchange/data");
    REQUIRE(info.dims.size() == 3);
    CHECK(info.dims[0] == 181);
    CHECK(info.dims[2] == 640);
    auto one = io::read<float, 3>(f, "/exchange/data", 1, 1, 1);
    auto all = io::read<float, 3>(f, "/exchange/data");
    CHECK(one.extent(1) == 1);
    CHECK(one(100, 0, 300) == all(100, 1, 300));
    auto theta = io::read<double, 1>(f, "/exchange/theta");
    CHECK(theta.extent(0) == 181);
  }
}
