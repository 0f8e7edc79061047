// SPDX-License-Identifier: BSD-3-Clause
// HDF5 adapter bodies (HDF5 C API, 1.10 and later).
#include <beamkit/io/hdf5.hpp>
#include <cstdio>
#include <hdf5.h>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>

namespace beamkit::io {
namespace {

constexpr const char* kWhere = "beamkit::io::hdf5";

std::recursive_mutex& h5_mutex() {
  static std::recursive_mutex m;
  return m;
}
#define BEAMKIT_H5_LOCK std::lock_guard<std::recursive_mutex> h5_lock_(h5_mutex())

// HDF5 prints an error stack to stderr by default; beamkit reports errors as exceptions instead.
void quiet() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

/// RAII for an hid_t with its close function.
struct Hid {
  hid_t id = -1;
  herr_t (*close)(hid_t) = nullptr;
  Hid(hid_t i, herr_t (*c)(hid_t)) : id(i), close(c) {}
  Hid(const Hid&) = delete;
  Hid(Hid&& o) noexcept : id(o.id), close(o.close) { o.id = -1; }
  ~Hid() {
    if (id >= 0 && close) close(id);
  }
  operator hid_t() const { return id; }
  bool ok() const { return id >= 0; }
};

hid_t native(dtype t) {
  switch (t) {
    case dtype::f32: return H5T_NATIVE_FLOAT;
    case dtype::f64: return H5T_NATIVE_DOUBLE;
    case dtype::i8: return H5T_NATIVE_INT8;
    case dtype::u8: return H5T_NATIVE_UINT8;
    case dtype::i16: return H5T_NATIVE_INT16;
    case dtype::u16: return H5T_NATIVE_UINT16;
    case dtype::i32: return H5T_NATIVE_INT32;
    case dtype::u32: return H5T_NATIVE_UINT32;
    case dtype::i64: return H5T_NATIVE_INT64;
    case dtype::u64: return H5T_NATIVE_UINT64;
  }
  return H5T_NATIVE_DOUBLE;
}

bool file_exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Hid open_file(const std::string& file) {
  quiet();
  if (!file_exists(file)) fail(errc::io, kWhere, cat("no such file: '", file, "'"));
  if (H5Fis_hdf5(file.c_str()) <= 0)
    fail(errc::io, kWhere, cat("'", file, "' is not an HDF5 file (or it is corrupt)"));
  Hid f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!f.ok()) fail(errc::io, kWhere, cat("cannot open '", file, "' (corrupt or truncated HDF5 file?)"));
  return f;
}

bool path_exists(hid_t loc, const std::string& path) {
  // H5Lexists must be called on each component of the path in turn.
  if (path.empty() || path == "/") return true;
  std::string partial;
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    const std::size_t next = path.find('/', pos + 1);
    partial = path.substr(0, next);
    if (!partial.empty() && partial != "/") {
      if (H5Lexists(loc, partial.c_str(), H5P_DEFAULT) <= 0) return false;
      // external links resolve through H5Oexists_by_name
      if (H5Oexists_by_name(loc, partial.c_str(), H5P_DEFAULT) <= 0) return false;
    }
    pos = next;
  }
  return true;
}

Hid open_dataset(hid_t f, const std::string& file, const std::string& dataset) {
  if (!path_exists(f, dataset)) fail(errc::io, kWhere, cat("'", file, "' has no dataset '", dataset, "'"));
  Hid d(H5Dopen2(f, dataset.c_str(), H5P_DEFAULT), H5Dclose);
  if (!d.ok()) fail(errc::io, kWhere, cat("'", file, ":", dataset, "' is not a readable dataset"));
  return d;
}

DatasetInfo info_of(hid_t d, const std::string& file, const std::string& dataset) {
  DatasetInfo info;
  Hid space(H5Dget_space(d), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 0) fail(errc::io, kWhere, cat("cannot read the shape of '", file, ":", dataset, "'"));
  std::vector<hsize_t> dims(std::size_t(rank) + 1);
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  for (int k = 0; k < rank; ++k) info.dims.push_back(index_t(dims[k]));
  Hid type(H5Dget_type(d), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type);
  const std::size_t size = H5Tget_size(type);
  if (cls == H5T_FLOAT) {
    info.is_float = true;
    info.type = size <= 4 ? dtype::f32 : dtype::f64;
  } else if (cls == H5T_INTEGER) {
    info.is_float = false;
    const bool sgn = H5Tget_sign(type) == H5T_SGN_2;
    switch (size) {
      case 1: info.type = sgn ? dtype::i8 : dtype::u8; break;
      case 2: info.type = sgn ? dtype::i16 : dtype::u16; break;
      case 4: info.type = sgn ? dtype::i32 : dtype::u32; break;
      default: info.type = sgn ? dtype::i64 : dtype::u64; break;
    }
  } else {
    fail(errc::invalid_argument, kWhere,
         cat("'", file, ":", dataset, "' is not a numeric dataset (HDF5 type class ", int(cls), ")"));
  }
  return info;
}

}  // namespace

const char* dtype_name(dtype t) {
  static const char* names[] = {"float32", "float64", "int8", "uint8", "int16", "uint16",
                                "int32", "uint32", "int64", "uint64"};
  return names[int(t)];
}

bool has_dataset(const std::string& file, const std::string& dataset) {
  BEAMKIT_H5_LOCK;
  quiet();
  if (!file_exists(file) || H5Fis_hdf5(file.c_str()) <= 0) return false;
  Hid f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!f.ok() || !path_exists(f, dataset)) return false;
  Hid o(H5Oopen(f, dataset.c_str(), H5P_DEFAULT), H5Oclose);  // H5Oget_info's signature differs by version
  return o.ok() && H5Iget_type(o) == H5I_DATASET;
}

DatasetInfo dataset_info(const std::string& file, const std::string& dataset) {
  BEAMKIT_H5_LOCK;
  Hid f = open_file(file);
  Hid d = open_dataset(f, file, dataset);
  return info_of(d, file, dataset);
}

void read_raw(const std::string& file, const std::string& dataset, dtype mem_type, int axis, index_t start,
              index_t count, void* buf, std::size_t buf_elems) {
  BEAMKIT_H5_LOCK;
  Hid f = open_file(file);
  Hid d = open_dataset(f, file, dataset);
  const DatasetInfo info = info_of(d, file, dataset);
  const int rank = int(info.dims.size());
  if (rank == 0) {
    check::require(buf_elems >= 1, kWhere, "buffer too small");
    if (H5Dread(d, native(mem_type), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
      fail(errc::io, kWhere, cat("reading '", file, ":", dataset, "' failed (corrupt data?)"));
    return;
  }
  if (axis < 0 || axis >= rank)
    fail(errc::invalid_argument, kWhere, cat("axis ", axis, " out of range for rank ", rank, " dataset '", dataset, "'"));
  if (count < 0) count = info.dims[axis] - start;
  if (start < 0 || start + count > info.dims[axis])
    fail(errc::invalid_argument, kWhere,
         cat("'", file, ":", dataset, "': range [", start, ", ", start + count, ") outside axis ", axis,
             " of length ", info.dims[axis]));
  std::vector<hsize_t> off(rank, 0), cnt(rank);
  std::size_t n = 1;
  for (int k = 0; k < rank; ++k) {
    cnt[k] = hsize_t(k == axis ? count : info.dims[k]);
    n *= cnt[k];
  }
  off[axis] = hsize_t(start);
  if (n > buf_elems)
    fail(errc::invalid_argument, kWhere, cat("buffer holds ", buf_elems, " elements, the read needs ", n));
  if (n == 0) return;
  Hid fspace(H5Dget_space(d), H5Sclose);
  H5Sselect_hyperslab(fspace, H5S_SELECT_SET, off.data(), nullptr, cnt.data(), nullptr);
  Hid mspace(H5Screate_simple(rank, cnt.data(), nullptr), H5Sclose);
  if (H5Dread(d, native(mem_type), mspace, fspace, H5P_DEFAULT, buf) < 0)
    fail(errc::io, kWhere, cat("reading '", file, ":", dataset, "' failed (corrupt or truncated data?)"));
}

void read_box(const std::string& file, const std::string& dataset, dtype mem_type, const std::vector<index_t>& offset,
              const std::vector<index_t>& count, void* buf, std::size_t buf_elems) {
  BEAMKIT_H5_LOCK;
  Hid f = open_file(file);
  Hid d = open_dataset(f, file, dataset);
  const DatasetInfo info = info_of(d, file, dataset);
  const int rank = int(info.dims.size());
  if (int(offset.size()) != rank || int(count.size()) != rank)
    fail(errc::invalid_argument, kWhere, cat("'", file, ":", dataset, "' has rank ", rank, ", the box has ", offset.size()));
  std::vector<hsize_t> off(rank), cnt(rank);
  std::size_t n = 1;
  for (int k = 0; k < rank; ++k) {
    if (offset[k] < 0 || count[k] < 0 || offset[k] + count[k] > info.dims[k])
      fail(errc::invalid_argument, kWhere,
           cat("'", file, ":", dataset, "': range [", offset[k], ", ", offset[k] + count[k], ") outside axis ", k,
               " of length ", info.dims[k]));
    off[k] = hsize_t(offset[k]);
    cnt[k] = hsize_t(count[k]);
    n *= cnt[k];
  }
  if (n > buf_elems) fail(errc::invalid_argument, kWhere, cat("buffer holds ", buf_elems, " elements, the read needs ", n));
  if (n == 0) return;
  Hid fspace(H5Dget_space(d), H5Sclose);
  H5Sselect_hyperslab(fspace, H5S_SELECT_SET, off.data(), nullptr, cnt.data(), nullptr);
  Hid mspace(H5Screate_simple(rank, cnt.data(), nullptr), H5Sclose);
  if (H5Dread(d, native(mem_type), mspace, fspace, H5P_DEFAULT, buf) < 0)
    fail(errc::io, kWhere, cat("reading '", file, ":", dataset, "' failed (corrupt or truncated data?)"));
}

namespace {
herr_t collect_name(hid_t, const char* name, const H5L_info_t*, void* op) {
  static_cast<std::vector<std::string>*>(op)->push_back(name);
  return 0;
}
}  // namespace

std::vector<std::string> list_group(const std::string& file, const std::string& group) {
  BEAMKIT_H5_LOCK;
  quiet();
  std::vector<std::string> names;
  if (!file_exists(file) || H5Fis_hdf5(file.c_str()) <= 0) return names;
  Hid f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!f.ok() || !path_exists(f, group)) return names;
  Hid g(H5Gopen2(f, group.c_str(), H5P_DEFAULT), H5Gclose);
  if (!g.ok()) return names;
  hsize_t idx = 0;
  H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_name, &names);
  return names;
}

bool has_group(const std::string& file, const std::string& object) {
  BEAMKIT_H5_LOCK;
  quiet();
  if (!file_exists(file) || H5Fis_hdf5(file.c_str()) <= 0) return false;
  Hid f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!f.ok() || !path_exists(f, object)) return false;
  Hid o(H5Oopen(f, object.c_str(), H5P_DEFAULT), H5Oclose);
  return o.ok() && H5Iget_type(o) == H5I_GROUP;
}

namespace {
Hid open_object(hid_t f, const std::string& file, const std::string& object) {
  if (!path_exists(f, object)) fail(errc::io, kWhere, cat("'", file, "' has no object '", object, "'"));
  Hid o(H5Oopen(f, object.c_str(), H5P_DEFAULT), H5Oclose);
  if (!o.ok()) fail(errc::io, kWhere, cat("cannot open '", file, ":", object, "'"));
  return o;
}
Hid open_attribute(hid_t o, const std::string& file, const std::string& object, const std::string& name) {
  if (H5Aexists(o, name.c_str()) <= 0)
    fail(errc::io, kWhere, cat("'", file, ":", object, "' has no attribute '", name, "'"));
  Hid a(H5Aopen(o, name.c_str(), H5P_DEFAULT), H5Aclose);
  if (!a.ok()) fail(errc::io, kWhere, cat("cannot open attribute '", name, "' of '", object, "'"));
  return a;
}
}  // namespace

bool has_attribute(const std::string& file, const std::string& object, const std::string& name) {
  BEAMKIT_H5_LOCK;
  Hid f = open_file(file);
  if (!path_exists(f, object)) return false;
  Hid o(H5Oopen(f, object.c_str(), H5P_DEFAULT), H5Oclose);
  return o.ok() && H5Aexists(o, name.c_str()) > 0;
}

std::string read_string_attribute(const std::string& file, const std::string& object, const std::string& name) {
  BEAMKIT_H5_LOCK;
  Hid f = open_file(file);
  Hid o = open_object(f, file, object);
  Hid a = open_attribute(o, file, object, name);
  Hid type(H5Aget_type(a), H5Tclose);
  if (H5Tget_class(type) != H5T_STRING)
    fail(errc::invalid_argument, kWhere, cat("attribute '", name, "' of '", object, "' is not a string"));
  if (H5Tis_variable_str(type) > 0) {
    Hid mt(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mt, H5T_VARIABLE);
    H5Tset_cset(mt, H5Tget_cset(type));
    char* s = nullptr;
    if (H5Aread(a, mt, &s) < 0) fail(errc::io, kWhere, cat("cannot read attribute '", name, "'"));
    std::string out = s ? s : "";
    H5free_memory(s);
    return out;
  }
  const std::size_t size = H5Tget_size(type);
  std::string out(size, '\0');
  Hid mt(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(mt, size);
  H5Tset_cset(mt, H5Tget_cset(type));
  if (H5Aread(a, mt, out.data()) < 0) fail(errc::io, kWhere, cat("cannot read attribute '", name, "'"));
  out.resize(std::min(out.find('\0'), out.size()));
  return out;
}

double read_number_attribute(const std::string& file, const std::string& object, const std::string& name) {
  BEAMKIT_H5_LOCK;
  Hid f = open_file(file);
  Hid o = open_object(f, file, object);
  Hid a = open_attribute(o, file, object, name);
  Hid type(H5Aget_type(a), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type);
  if (cls != H5T_FLOAT && cls != H5T_INTEGER)
    fail(errc::invalid_argument, kWhere, cat("attribute '", name, "' of '", object, "' is not a number"));
  Hid space(H5Aget_space(a), H5Sclose);
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  std::vector<double> v(std::size_t(n > 0 ? n : 1));
  if (H5Aread(a, H5T_NATIVE_DOUBLE, v.data()) < 0) fail(errc::io, kWhere, cat("cannot read attribute '", name, "'"));
  return v[0];
}

// ---- Writer -------------------------------------------------------------------------------------
struct Writer::Impl {
  hid_t file = -1;
};

Writer::Writer(const std::string& path) : m_impl(new Impl), m_path(path) {
  BEAMKIT_H5_LOCK;
  quiet();
  check::require(!path.empty(), "beamkit::io::Writer", "empty output path");
  m_tmp = path + ".partial-" + std::to_string(::getpid());
  m_impl->file = H5Fcreate(m_tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (m_impl->file < 0) fail(errc::io, "beamkit::io::Writer", cat("cannot create '", m_tmp, "' (directory missing or not writable?)"));
}

Writer::~Writer() {
  BEAMKIT_H5_LOCK;
  if (m_impl && m_impl->file >= 0) {
    H5Fclose(m_impl->file);
    std::remove(m_tmp.c_str());
  }
}

namespace {
void make_parents(hid_t f, const std::string& path) {
  std::size_t pos = 0;
  while ((pos = path.find('/', pos + 1)) != std::string::npos) {
    const std::string g = path.substr(0, pos);
    if (g.empty() || g == "/") continue;
    if (H5Lexists(f, g.c_str(), H5P_DEFAULT) <= 0) {
      Hid gid(H5Gcreate2(f, g.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
      if (!gid.ok()) fail(errc::io, "beamkit::io::Writer", cat("cannot create group '", g, "'"));
    }
  }
}
}  // namespace

void Writer::create(const std::string& dataset, dtype type, const std::vector<index_t>& dims, index_t chunk0,
                    int gzip) {
  BEAMKIT_H5_LOCK;
  constexpr const char* where = "beamkit::io::Writer::create";
  check::require(m_impl->file >= 0, where, "writer already committed");
  check::require(!dims.empty(), where, cat("dataset '", dataset, "' needs at least one dimension"));
  make_parents(m_impl->file, dataset);
  std::vector<hsize_t> d(dims.begin(), dims.end());
  Hid space(H5Screate_simple(int(d.size()), d.data(), nullptr), H5Sclose);
  Hid dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  bool any_zero = false;
  for (auto x : dims) any_zero |= (x == 0);
  if ((chunk0 > 0 || gzip > 0) && !any_zero) {
    std::vector<hsize_t> c(d);
    c[0] = hsize_t(std::max<index_t>(1, std::min<index_t>(chunk0 > 0 ? chunk0 : dims[0], dims[0])));
    H5Pset_chunk(dcpl, int(c.size()), c.data());
    if (gzip > 0) H5Pset_deflate(dcpl, unsigned(gzip));
  }
  Hid ds(H5Dcreate2(m_impl->file, dataset.c_str(), native(type), space, H5P_DEFAULT, dcpl, H5P_DEFAULT), H5Dclose);
  if (!ds.ok()) fail(errc::io, where, cat("cannot create dataset '", dataset, "' in '", m_tmp, "'"));
}

void Writer::write_slab(const std::string& dataset, dtype type, index_t start, index_t count, const void* data) {
  BEAMKIT_H5_LOCK;
  constexpr const char* where = "beamkit::io::Writer::write_slab";
  check::require(m_impl->file >= 0, where, "writer already committed");
  Hid d(H5Dopen2(m_impl->file, dataset.c_str(), H5P_DEFAULT), H5Dclose);
  if (!d.ok()) fail(errc::io, where, cat("no dataset '", dataset, "' (create it first)"));
  Hid fspace(H5Dget_space(d), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(fspace);
  std::vector<hsize_t> dims(rank), off(rank, 0);
  H5Sget_simple_extent_dims(fspace, dims.data(), nullptr);
  if (start < 0 || count < 0 || hsize_t(start + count) > dims[0])
    fail(errc::invalid_argument, where,
         cat("slab [", start, ", ", start + count, ") outside axis 0 of '", dataset, "' (length ", dims[0], ")"));
  if (count == 0) return;
  off[0] = hsize_t(start);
  dims[0] = hsize_t(count);
  H5Sselect_hyperslab(fspace, H5S_SELECT_SET, off.data(), nullptr, dims.data(), nullptr);
  Hid mspace(H5Screate_simple(rank, dims.data(), nullptr), H5Sclose);
  if (H5Dwrite(d, native(type), mspace, fspace, H5P_DEFAULT, data) < 0)
    fail(errc::io, where, cat("writing '", dataset, "' failed (disk full?)"));
}

void Writer::write(const std::string& dataset, dtype type, const std::vector<index_t>& dims, const void* data,
                   index_t chunk0) {
  create(dataset, type, dims, chunk0);
  write_slab(dataset, type, 0, dims[0], data);
}

namespace {
Hid open_or_root(hid_t f, const std::string& object) {
  const std::string o = object.empty() ? "/" : object;
  Hid h(H5Oopen(f, o.c_str(), H5P_DEFAULT), H5Oclose);
  if (!h.ok()) fail(errc::io, "beamkit::io::Writer::attribute", cat("no object '", o, "'"));
  return h;
}
void put_attr(hid_t obj, const std::string& name, hid_t type, hid_t space, const void* data) {
  if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
  Hid a(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (!a.ok() || H5Awrite(a, type, data) < 0)
    fail(errc::io, "beamkit::io::Writer::attribute", cat("cannot write attribute '", name, "'"));
}
}  // namespace

void Writer::attribute(const std::string& object, const std::string& name, const std::string& value) {
  BEAMKIT_H5_LOCK;
  check::require(m_impl->file >= 0, "beamkit::io::Writer::attribute", "writer already committed");
  Hid o = open_or_root(m_impl->file, object);
  Hid type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  Hid space(H5Screate(H5S_SCALAR), H5Sclose);
  const char* s = value.c_str();
  put_attr(o, name, type, space, &s);
}

void Writer::attribute(const std::string& object, const std::string& name, double value) {
  BEAMKIT_H5_LOCK;
  check::require(m_impl->file >= 0, "beamkit::io::Writer::attribute", "writer already committed");
  Hid o = open_or_root(m_impl->file, object);
  Hid space(H5Screate(H5S_SCALAR), H5Sclose);
  put_attr(o, name, H5T_NATIVE_DOUBLE, space, &value);
}

void Writer::attribute(const std::string& object, const std::string& name, const std::vector<double>& value) {
  BEAMKIT_H5_LOCK;
  check::require(m_impl->file >= 0, "beamkit::io::Writer::attribute", "writer already committed");
  Hid o = open_or_root(m_impl->file, object);
  hsize_t n = value.size();
  Hid space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  put_attr(o, name, H5T_NATIVE_DOUBLE, space, value.data());
}

void Writer::commit() {
  BEAMKIT_H5_LOCK;
  check::require(m_impl->file >= 0, "beamkit::io::Writer::commit", "writer already committed");
  const herr_t rc = H5Fclose(m_impl->file);
  m_impl->file = -1;
  if (rc < 0) {
    std::remove(m_tmp.c_str());
    fail(errc::io, "beamkit::io::Writer::commit", cat("closing '", m_tmp, "' failed (disk full?)"));
  }
  if (std::rename(m_tmp.c_str(), m_path.c_str()) != 0) {
    std::remove(m_tmp.c_str());
    fail(errc::io, "beamkit::io::Writer::commit", cat("cannot move the output into place at '", m_path, "'"));
  }
}

}  // namespace beamkit::io
