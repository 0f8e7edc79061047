// SPDX-License-Identifier: BSD-3-Clause
// HDF5 adapter (HDF5 C API, compiled in src/io_hdf5.cpp). Reads n-d datasets of float/double/integer
// types into LayoutRight host Views (converting the element type), hyperslab reads of a range along
// one axis, string/number attributes. Writes go to a temporary file renamed into place by
// Writer::commit(), so a failure never leaves a half-written output.
// All calls into the HDF5 library are serialised by one lock (Debian's serial libhdf5 is not built
// thread-safe), so an I/O thread may read or write while another thread computes.
// Every failure throws beamkit::error with errc::io (missing/corrupt file or dataset) or
// errc::invalid_argument (wrong rank, out-of-range slab), naming the file and dataset.
#pragma once
#include <beamkit/core/error.hpp>
#include <beamkit/core/types.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace beamkit::io {

enum class dtype { f32, f64, i8, u8, i16, u16, i32, u32, i64, u64 };

template <class T> constexpr dtype dtype_of();
template <> constexpr dtype dtype_of<float>() { return dtype::f32; }
template <> constexpr dtype dtype_of<double>() { return dtype::f64; }
template <> constexpr dtype dtype_of<std::int8_t>() { return dtype::i8; }
template <> constexpr dtype dtype_of<std::uint8_t>() { return dtype::u8; }
template <> constexpr dtype dtype_of<std::int16_t>() { return dtype::i16; }
template <> constexpr dtype dtype_of<std::uint16_t>() { return dtype::u16; }
template <> constexpr dtype dtype_of<std::int32_t>() { return dtype::i32; }
template <> constexpr dtype dtype_of<std::uint32_t>() { return dtype::u32; }
template <> constexpr dtype dtype_of<std::int64_t>() { return dtype::i64; }
template <> constexpr dtype dtype_of<std::uint64_t>() { return dtype::u64; }

const char* dtype_name(dtype t);

struct DatasetInfo {
  std::vector<index_t> dims;
  dtype type = dtype::f64;  ///< the closest beamkit dtype to the stored type
  bool is_float = true;
  index_t size() const {
    index_t n = 1;
    for (auto d : dims) n *= d;
    return n;
  }
};

/// True when `file` is an HDF5 file that holds `dataset` (never throws for a missing object).
bool has_dataset(const std::string& file, const std::string& dataset);
/// Shape and type of a dataset.
DatasetInfo dataset_info(const std::string& file, const std::string& dataset);

/// Read [start, start+count) along `axis` (count < 0: everything from start), all of the other axes,
/// converted to `mem_type`, into `buf` which holds `buf_elems` elements.
void read_raw(const std::string& file, const std::string& dataset, dtype mem_type, int axis, index_t start,
              index_t count, void* buf, std::size_t buf_elems);

/// Read the box offset[k] .. offset[k]+count[k] of an n-d dataset (rank = offset.size()), converted to
/// `mem_type`, into `buf` (C order, buf_elems elements).
void read_box(const std::string& file, const std::string& dataset, dtype mem_type, const std::vector<index_t>& offset,
              const std::vector<index_t>& count, void* buf, std::size_t buf_elems);

/// Names of the links in `group` (empty when the group does not exist or cannot be opened).
std::vector<std::string> list_group(const std::string& file, const std::string& group);
/// True when `object` exists in `file` and is a group (external links to missing files: false).
bool has_group(const std::string& file, const std::string& object);

std::string read_string_attribute(const std::string& file, const std::string& object, const std::string& name);
double read_number_attribute(const std::string& file, const std::string& object, const std::string& name);
bool has_attribute(const std::string& file, const std::string& object, const std::string& name);

namespace detail {
template <class T, int Rank> struct ptr_of { using type = typename ptr_of<T, Rank - 1>::type*; };
template <class T> struct ptr_of<T, 0> { using type = T; };
}  // namespace detail

template <class T, int Rank>
using HostViewN = Kokkos::View<typename detail::ptr_of<T, Rank>::type, Kokkos::LayoutRight, Kokkos::HostSpace>;

/// Read a whole dataset (or a range along `axis`) of rank `Rank` into a new host View of T.
template <class T, int Rank>
HostViewN<T, Rank> read(const std::string& file, const std::string& dataset, int axis = 0, index_t start = 0,
                        index_t count = -1) {
  static_assert(Rank >= 1 && Rank <= 4, "beamkit::io::read: rank 1 to 4");
  const DatasetInfo info = dataset_info(file, dataset);
  if (int(info.dims.size()) != Rank)
    fail(errc::invalid_argument, "beamkit::io::read",
         cat(file, ":", dataset, " has rank ", info.dims.size(), ", expected ", Rank));
  check::require(axis >= 0 && axis < Rank, "beamkit::io::read", cat("axis ", axis, " out of range"));
  size_t d[4] = {1, 1, 1, 1};
  for (int k = 0; k < Rank; ++k) d[k] = size_t(info.dims[k]);
  if (count < 0) count = info.dims[axis] - start;
  if (start < 0 || count < 0 || start + count > info.dims[axis])
    fail(errc::invalid_argument, "beamkit::io::read",
         cat(file, ":", dataset, ": range [", start, ", ", start + count, ") outside axis ", axis, " of length ",
             info.dims[axis]));
  d[axis] = size_t(count);
  HostViewN<T, Rank> v(Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string("beamkit::io::") + dataset),
                       d[0], Rank > 1 ? d[1] : KOKKOS_INVALID_INDEX, Rank > 2 ? d[2] : KOKKOS_INVALID_INDEX,
                       Rank > 3 ? d[3] : KOKKOS_INVALID_INDEX);
  read_raw(file, dataset, dtype_of<T>(), axis, start, count, v.data(), v.span());
  return v;
}

/// Writes an HDF5 file atomically: everything goes to "<path>.partial-<pid>", renamed to `path` by
/// commit(). Destroying an uncommitted Writer (an exception, an interrupt) removes the partial file.
class Writer {
public:
  explicit Writer(const std::string& path);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  /// Create a dataset (parent groups as needed), chunked along axis 0 by `chunk0` (0: contiguous),
  /// optionally gzip-compressed (level 0 = none).
  void create(const std::string& dataset, dtype type, const std::vector<index_t>& dims, index_t chunk0 = 0,
              int gzip = 0);
  /// Write `count` entries along axis 0 starting at `start` from a C-order buffer of `type`.
  void write_slab(const std::string& dataset, dtype type, index_t start, index_t count, const void* data);
  /// Create + write a whole dataset.
  void write(const std::string& dataset, dtype type, const std::vector<index_t>& dims, const void* data,
             index_t chunk0 = 0);
  template <class View> void write(const std::string& dataset, const View& v, index_t chunk0 = 0) {
    static_assert(std::is_same<typename View::array_layout, Kokkos::LayoutRight>::value,
                  "beamkit::io::Writer::write: LayoutRight views only");
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
    std::vector<index_t> dims;
    for (unsigned k = 0; k < View::rank; ++k) dims.push_back(index_t(h.extent(k)));
    write(dataset, dtype_of<typename View::non_const_value_type>(), dims, h.data(), chunk0);
  }
  void attribute(const std::string& object, const std::string& name, const std::string& value);
  void attribute(const std::string& object, const std::string& name, double value);
  void attribute(const std::string& object, const std::string& name, const std::vector<double>& value);

  /// Close and rename into place. After commit() the Writer holds nothing.
  void commit();
  const std::string& path() const { return m_path; }
  const std::string& partial_path() const { return m_tmp; }

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
  std::string m_path, m_tmp;
};

}  // namespace beamkit::io
