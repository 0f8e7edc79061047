// SPDX-License-Identifier: BSD-3-Clause
// Built instead of io_hdf5.cpp when BEAMKIT_ENABLE_HDF5=OFF: every HDF5 call reports errc::unsupported.
#include <beamkit/io/hdf5.hpp>

namespace beamkit::io {
namespace {
[[noreturn]] void no_hdf5() { fail(errc::unsupported, "beamkit::io::hdf5", "this beamkit was built without HDF5"); }
}  // namespace
const char* dtype_name(dtype) { return "?"; }
bool has_dataset(const std::string&, const std::string&) { return false; }
DatasetInfo dataset_info(const std::string&, const std::string&) { no_hdf5(); }
void read_raw(const std::string&, const std::string&, dtype, int, index_t, index_t, void*, std::size_t) { no_hdf5(); }
void read_box(const std::string&, const std::string&, dtype, const std::vector<index_t>&, const std::vector<index_t>&,
              void*, std::size_t) {
  no_hdf5();
}
std::vector<std::string> list_group(const std::string&, const std::string&) { return {}; }
bool has_group(const std::string&, const std::string&) { return false; }
std::string read_string_attribute(const std::string&, const std::string&, const std::string&) { no_hdf5(); }
double read_number_attribute(const std::string&, const std::string&, const std::string&) { no_hdf5(); }
bool has_attribute(const std::string&, const std::string&, const std::string&) { return false; }
struct Writer::Impl {};
Writer::Writer(const std::string& path) : m_path(path) { no_hdf5(); }
Writer::~Writer() = default;
void Writer::create(const std::string&, dtype, const std::vector<index_t>&, index_t, int) { no_hdf5(); }
void Writer::write_slab(const std::string&, dtype, index_t, index_t, const void*) { no_hdf5(); }
void Writer::write(const std::string&, dtype, const std::vector<index_t>&, const void*, index_t) { no_hdf5(); }
void Writer::attribute(const std::string&, const std::string&, const std::string&) { no_hdf5(); }
void Writer::attribute(const std::string&, const std::string&, double) { no_hdf5(); }
void Writer::attribute(const std::string&, const std::string&, const std::vector<double>&) { no_hdf5(); }
void Writer::commit() { no_hdf5(); }
}  // namespace beamkit::io
