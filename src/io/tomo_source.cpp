// SPDX-License-Identifier: BSD-3-Clause
// Projection sources: Data Exchange, NeXus NXtomo and TIFF stacks (see io/tomo_source.hpp).
#include <algorithm>
#include <beamkit/io/hdf5.hpp>
#include <beamkit/io/tiff.hpp>
#include <beamkit/io/tomo_source.hpp>
#include <cmath>
#include <cstdint>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace beamkit::io {
namespace {

constexpr const char* kWhere = "beamkit::io::open_tomo_source";
constexpr double kPi = 3.141592653589793;

bool is_dir(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
bool is_file(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}
bool ends_with(const std::string& s, const std::string& e) {
  return s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0;
}
bool is_tiff_name(const std::string& name) {
  const std::string l = lower(name);
  return ends_with(l, ".tif") || ends_with(l, ".tiff");
}
std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) fail(errc::io, kWhere, cat("cannot list directory '", dir, "'"));
  while (const dirent* e = ::readdir(d)) {
    const std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}
std::string join(const std::string& dir, const std::string& name) {
  return dir.empty() || dir.back() == '/' ? dir + name : dir + "/" + name;
}
std::string parent_of(const std::string& p) {
  const auto slash = p.rfind('/');
  return slash == std::string::npos ? std::string(".") : p.substr(0, slash);
}

/// A stored unit string to "deg" / "rad" / "".
std::string unit_of(const std::string& u) {
  const std::string l = lower(u);
  if (l == "deg" || l == "degree" || l == "degrees" || l == "°") return "deg";
  if (l == "rad" || l == "radian" || l == "radians") return "rad";
  return "";
}

std::vector<double> read_1d(const std::string& file, const std::string& ds) {
  const auto info = dataset_info(file, ds);
  if (info.dims.size() != 1)
    fail(errc::invalid_argument, kWhere, cat("'", file, ":", ds, "' has rank ", info.dims.size(), ", expected 1"));
  std::vector<double> v(std::size_t(info.dims[0]));
  read_raw(file, ds, dtype::f64, 0, 0, -1, v.data(), v.size());
  return v;
}

std::string unit_attribute(const std::string& file, const std::string& ds) {
  try {
    if (has_attribute(file, ds, "units")) return read_string_attribute(file, ds, "units");
  } catch (const error&) {
  }
  return "";
}

/// [F][S][n] frames shape check against the projections.
void check_frames(const std::string& file, const std::string& ds, const DatasetInfo& fi, int S, int n) {
  if (fi.dims.size() != 3 || fi.dims[1] != S || fi.dims[2] != n)
    fail(errc::invalid_argument, kWhere,
         cat("'", file, ":", ds, "' has shape (", fi.dims.size() > 0 ? fi.dims[0] : 0, ", ", fi.dims.size() > 1 ? fi.dims[1] : 0,
             ", ", fi.dims.size() > 2 ? fi.dims[2] : 0, "), expected (frames, ", S, ", ", n, ") like the projections"));
}

// ---- HDF5 Data Exchange --------------------------------------------------------------------------
class DxSource final : public TomoSource {
public:
  DxSource(const std::string& path, const TomoSourceOptions& opt) {
    m_path = path;
    m_location = "/exchange/data";
    m_files = {path};
    const auto info = dataset_info(path, "/exchange/data");
    if (info.dims.size() != 3)
      fail(errc::invalid_argument, kWhere, cat("'", path, ":/exchange/data' has rank ", info.dims.size(),
                                               ", expected 3 ([angles][slices][detector])"));
    m_angles = int(info.dims[0]);
    m_slices = int(info.dims[1]);
    m_det = int(info.dims[2]);
    if (m_angles < 1 || m_slices < 1 || m_det < 2) fail(errc::invalid_argument, kWhere, cat("'", path, ":/exchange/data' is empty"));
    auto th = read_1d(path, "/exchange/theta");
    if (int(th.size()) != m_angles)
      fail(errc::invalid_argument, kWhere,
           cat("'", path, ":/exchange/theta' has ", th.size(), " angles but /exchange/data has ", m_angles, " projections"));
    m_theta = angles_to_radians(th, opt.theta_unit, unit_attribute(path, "/exchange/theta"), "/exchange/theta", m_notes);
    m_have_flat = has_dataset(path, "/exchange/data_white");
    m_have_dark = has_dataset(path, "/exchange/data_dark");
    if (m_have_flat) {
      const auto fi = dataset_info(path, "/exchange/data_white");
      check_frames(path, "/exchange/data_white", fi, m_slices, m_det);
      m_flats = int(fi.dims[0]);
    }
    if (m_have_dark) {
      const auto di = dataset_info(path, "/exchange/data_dark");
      check_frames(path, "/exchange/data_dark", di, m_slices, m_det);
      m_darks = int(di.dims[0]);
    }
  }
  const char* format() const override { return "dxchange"; }
  void read_projections(int s0, int count, float* out) const override {
    check_range(s0, count);
    read_raw(m_path, "/exchange/data", dtype::f32, 1, s0, count, out, std::size_t(m_angles) * count * m_det);
  }
  void read_flats(int s0, int count, float* out) const override {
    check_range(s0, count);
    if (m_flats > 0) read_raw(m_path, "/exchange/data_white", dtype::f32, 1, s0, count, out, std::size_t(m_flats) * count * m_det);
  }
  void read_darks(int s0, int count, float* out) const override {
    check_range(s0, count);
    if (m_darks > 0) read_raw(m_path, "/exchange/data_dark", dtype::f32, 1, s0, count, out, std::size_t(m_darks) * count * m_det);
  }

private:
  bool m_have_flat = false, m_have_dark = false;
};

// ---- NeXus NXtomo --------------------------------------------------------------------------------
std::string nx_class(const std::string& file, const std::string& obj) {
  try {
    if (has_attribute(file, obj, "NX_class")) return read_string_attribute(file, obj, "NX_class");
  } catch (const error&) {
  }
  return "";
}

/// The first NXentry group at the root ("" if none).
std::string find_entry(const std::string& file) {
  for (const auto& name : list_group(file, "/")) {
    const std::string g = "/" + name;
    if (has_group(file, g) && nx_class(file, g) == "NXentry") return g;
  }
  return "";
}

bool is_rank(const std::string& file, const std::string& ds, std::size_t rank) {
  if (!has_dataset(file, ds)) return false;
  try {
    return dataset_info(file, ds).dims.size() == rank;
  } catch (const error&) {
    return false;
  }
}

class NxSource final : public TomoSource {
public:
  NxSource(const std::string& path, const TomoSourceOptions& opt) {
    m_path = path;
    m_files = {path};
    const std::string entry = find_entry(path);
    if (entry.empty() && (opt.data_path.empty() || opt.image_key_path.empty()))
      fail(errc::io, kWhere, cat("'", path, "' has neither /exchange/data (Data Exchange) nor an NXentry group (NeXus)"));
    // the frame stack
    std::vector<std::string> data_cands;
    if (!opt.data_path.empty()) data_cands = {opt.data_path};
    else {
      data_cands = {entry + "/instrument/detector/data", entry + "/data/data"};
      for (const auto& g : list_group(path, entry + "/instrument")) data_cands.push_back(entry + "/instrument/" + g + "/data");
      for (const auto& g : list_group(path, entry)) {
        const std::string grp = entry + "/" + g;
        if (has_group(path, grp) && nx_class(path, grp) == "NXdata") data_cands.push_back(grp + "/data");
      }
    }
    for (const auto& c : data_cands) {
      if (!is_rank(path, c, 3)) continue;
      const auto info = dataset_info(path, c);
      const std::string key = find_key(path, entry, c, info.dims[0], opt);
      if (key.empty()) continue;
      m_location = c;
      m_key_path = key;
      m_frames = int(info.dims[0]);
      m_slices = int(info.dims[1]);
      m_det = int(info.dims[2]);
      break;
    }
    if (m_location.empty()) {
      if (!opt.data_path.empty())
        fail(errc::io, kWhere, cat("'", path, ":", opt.data_path, "' is not a readable 3-D dataset with an image_key of its length"));
      fail(errc::io, kWhere, cat("'", path, "': no NXtomo frame stack found (a 3-D 'data' with an 'image_key' of the same length ",
                                 "under ", entry, "/instrument/* or ", entry, "/data; give --data-path/--image-key-path)"));
    }
    if (opt.data_path.empty()) m_notes.push_back(cat("NeXus: frames ", m_location, ", image_key ", m_key_path));
    std::vector<double> key = read_1d(path, m_key_path);
    m_key.resize(key.size());
    for (std::size_t i = 0; i < key.size(); ++i) m_key[i] = int(key[i]);
    for (int k : m_key) {
      m_angles += k == 0;
      m_flats += k == 1;
      m_darks += k == 2;
    }
    if (m_angles < 1) fail(errc::invalid_argument, kWhere, cat("'", path, ":", m_key_path, "' marks no projection (image_key 0)"));
    if (m_slices < 1 || m_det < 2) fail(errc::invalid_argument, kWhere, cat("'", path, ":", m_location, "' is empty"));
    // angles
    const std::string ang = find_angles(path, entry, opt);
    if (ang.empty())
      fail(errc::io, kWhere, cat("'", path, "': no rotation angles found (", entry, "/sample/rotation_angle or a 1-D '*theta*'/'*angle*' ",
                                 "dataset of ", m_frames, " entries next to the data; give --angles-path)"));
    const auto all = read_1d(path, ang);
    if (int(all.size()) != m_frames)
      fail(errc::invalid_argument, kWhere,
           cat("'", path, ":", ang, "' has ", all.size(), " angles but ", m_location, " has ", m_frames, " frames"));
    std::vector<double> th;
    for (int f = 0; f < m_frames; ++f)
      if (m_key[std::size_t(f)] == 0) th.push_back(all[std::size_t(f)]);
    if (opt.angles_path.empty()) m_notes.push_back(cat("NeXus: angles ", ang));
    m_theta = angles_to_radians(th, opt.theta_unit, unit_attribute(path, ang), ang, m_notes);
  }
  const char* format() const override { return "nxtomo"; }
  void read_projections(int s0, int count, float* out) const override { read_key(0, m_angles, s0, count, out); }
  void read_flats(int s0, int count, float* out) const override { read_key(1, m_flats, s0, count, out); }
  void read_darks(int s0, int count, float* out) const override { read_key(2, m_darks, s0, count, out); }

private:
  std::string find_key(const std::string& file, const std::string& entry, const std::string& data, index_t frames,
                       const TomoSourceOptions& opt) const {
    std::vector<std::string> c;
    if (!opt.image_key_path.empty()) c = {opt.image_key_path};
    else {
      c = {parent_of(data) + "/image_key", entry + "/instrument/detector/image_key", entry + "/data/image_key"};
      for (const auto& g : list_group(file, entry + "/instrument")) c.push_back(entry + "/instrument/" + g + "/image_key");
    }
    for (const auto& k : c)
      if (is_rank(file, k, 1) && dataset_info(file, k).dims[0] == frames) return k;
    return "";
  }
  std::string find_angles(const std::string& file, const std::string& entry, const TomoSourceOptions& opt) const {
    if (!opt.angles_path.empty()) return opt.angles_path;
    std::vector<std::string> c = {entry + "/sample/rotation_angle", parent_of(m_location) + "/rotation_angle",
                                  entry + "/data/rotation_angle"};
    for (const auto& k : c)
      if (is_rank(file, k, 1)) return k;
    // any 1-D dataset of one angle per frame named like an angle, next to the data or in an NXdata group
    // (the NXdata group named like the detector's group first: /entry/imaging for /entry/instrument/imaging/data)
    const std::string det_group = parent_of(m_location), det_name = det_group.substr(det_group.rfind('/') + 1);
    std::vector<std::string> groups = {det_group};
    if (has_group(file, entry + "/" + det_name) && nx_class(file, entry + "/" + det_name) == "NXdata")
      groups.push_back(entry + "/" + det_name);
    for (const auto& g : list_group(file, entry))
      if (has_group(file, entry + "/" + g) && nx_class(file, entry + "/" + g) == "NXdata") groups.push_back(entry + "/" + g);
    for (const auto& g : groups)
      for (const auto& name : list_group(file, g)) {
        const std::string l = lower(name);
        if (l.find("theta") == std::string::npos && l.find("angle") == std::string::npos && l.find("rotation") == std::string::npos)
          continue;
        const std::string ds = g + "/" + name;
        if (is_rank(file, ds, 1) && dataset_info(file, ds).dims[0] == m_frames) return ds;
      }
    return "";
  }
  /// Frames with image_key == key, slices [s0, s0+count), read run by run of consecutive frames.
  void read_key(int key, int n_out, int s0, int count, float* out) const {
    check_range(s0, count);
    const std::size_t per = std::size_t(count) * m_det;
    int k = 0;
    for (int f = 0; f < m_frames;) {
      if (m_key[std::size_t(f)] != key) {
        ++f;
        continue;
      }
      int g = f;
      while (g < m_frames && m_key[std::size_t(g)] == key) ++g;
      read_box(m_path, m_location, dtype::f32, {f, s0, 0}, {g - f, count, m_det}, out + std::size_t(k) * per,
               std::size_t(g - f) * per);
      k += g - f;
      f = g;
    }
    check::require(k == n_out, "beamkit::io::NxSource", "frame count changed");
  }
  std::string m_key_path;
  std::vector<int> m_key;
  int m_frames = 0;
};

// ---- TIFF stacks ---------------------------------------------------------------------------------
class TiffSource final : public TomoSource {
public:
  TiffSource(const std::string& path, const TomoSourceOptions& opt) {
    const std::string dir = is_dir(path) ? path : parent_of(path);
    m_path = path;
    m_location = dir;
    std::vector<std::string> txt;
    for (const auto& name : list_dir(dir)) {
      const std::string full = join(dir, name), l = lower(name);
      if (is_file(full) && is_tiff_name(name)) {
        if (l.rfind("flat", 0) == 0) m_flat_files.push_back(full);
        else if (l.rfind("dark", 0) == 0) m_dark_files.push_back(full);
        else m_proj_files.push_back(full);
      } else if (is_file(full) && ends_with(l, ".txt")) {
        txt.push_back(full);
      }
    }
    if (m_proj_files.empty()) {  // projections in the one sub-directory that holds TIFFs
      std::vector<std::string> subs;
      for (const auto& name : list_dir(dir)) {
        const std::string full = join(dir, name);
        if (!is_dir(full)) continue;
        bool any = false;
        for (const auto& n2 : list_dir(full)) any |= is_tiff_name(n2) && is_file(join(full, n2));
        if (any) subs.push_back(full);
      }
      if (subs.size() > 1)
        fail(errc::invalid_argument, kWhere, cat("'", dir, "': projections could be in ", subs.size(), " sub-directories (",
                                                 subs[0], ", ", subs[1], ", ...); point at one of them"));
      if (subs.size() == 1)
        for (const auto& n2 : list_dir(subs[0]))
          if (is_tiff_name(n2) && is_file(join(subs[0], n2))) m_proj_files.push_back(join(subs[0], n2));
    }
    if (m_proj_files.empty()) fail(errc::io, kWhere, cat("'", dir, "' holds no projection TIFFs"));
    const TiffInfo first = tiff_info(m_proj_files[0]);
    m_slices = first.rows;
    m_det = first.cols;
    m_angles = int(m_proj_files.size());
    m_flats = int(m_flat_files.size());
    m_darks = int(m_dark_files.size());
    for (const auto* list : {&m_proj_files, &m_flat_files, &m_dark_files})
      for (const auto& f : *list) {
        const TiffInfo t = tiff_info(f);
        if (t.rows != m_slices || t.cols != m_det)
          fail(errc::invalid_argument, kWhere, cat("'", f, "' is ", t.rows, " x ", t.cols, " but '", m_proj_files[0], "' is ",
                                                   m_slices, " x ", m_det, " (all images of a stack must match)"));
        m_files.push_back(f);
      }
    // angles
    std::string af = opt.angles_file;
    if (af.empty()) {
      if (txt.size() != 1)
        fail(errc::io, kWhere, cat("'", dir, "' has ", txt.size(), " *.txt files; give the angles file (--angles-file)"));
      af = txt[0];
    }
    m_files.push_back(af);
    std::ifstream in(af);
    if (!in) fail(errc::io, kWhere, cat("cannot open the angles file '", af, "'"));
    std::vector<double> all;
    std::string tok;
    while (in >> tok) {
      if (tok[0] == '#') {
        std::getline(in, tok);
        continue;
      }
      std::istringstream is(tok);
      double v;
      if (!(is >> v) || !is.eof())
        fail(errc::invalid_argument, kWhere, cat("angles file '", af, "': '", tok, "' is not a number (entry ", all.size(), ")"));
      all.push_back(v);
    }
    int skip = opt.angles_skip;
    const int na = int(all.size());
    if (skip < 0) {
      if (na == m_angles) skip = 0;
      else if (na > m_angles && (na - m_angles) % 2 == 0) {
        skip = (na - m_angles) / 2;
        m_notes.push_back(cat("angles file '", af, "' has ", na, " angles for ", m_angles, " projections: using entries ", skip, "..",
                              skip + m_angles - 1, " (the middle block; --angles-skip to choose)"));
      } else {
        fail(errc::invalid_argument, kWhere,
             cat("angles file '", af, "' has ", na, " angles but there are ", m_angles, " projection TIFFs (give --angles-skip)"));
      }
    }
    if (skip + m_angles > na)
      fail(errc::invalid_argument, kWhere,
           cat("angles file '", af, "' has ", na, " angles: not enough for ", m_angles, " projections after skipping ", skip));
    std::vector<double> th(all.begin() + skip, all.begin() + skip + m_angles);
    m_theta = angles_to_radians(th, opt.theta_unit, "", af, m_notes);
  }
  const char* format() const override { return "tiff"; }
  void read_projections(int s0, int count, float* out) const override { read(m_proj_files, s0, count, out); }
  void read_flats(int s0, int count, float* out) const override { read(m_flat_files, s0, count, out); }
  void read_darks(int s0, int count, float* out) const override { read(m_dark_files, s0, count, out); }

private:
  void read(const std::vector<std::string>& files, int s0, int count, float* out) const {
    check_range(s0, count);
    for (std::size_t i = 0; i < files.size(); ++i)
      read_tiff_rows(files[i], s0, count, out + i * std::size_t(count) * m_det);
  }
  std::vector<std::string> m_proj_files, m_flat_files, m_dark_files;
};

}  // namespace

void TomoSource::check_range(int s0, int count) const {
  if (s0 < 0 || count < 0 || s0 + count > m_slices)
    fail(errc::invalid_argument, "beamkit::io::TomoSource",
         cat("slices [", s0, ", ", s0 + count, ") are outside the ", m_slices, " slices of '", m_path, "'"));
}

std::vector<double> angles_to_radians(std::vector<double> v, const std::string& unit, const std::string& unit_attr,
                                      const std::string& what, std::vector<std::string>& notes) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i])) fail(errc::invalid_argument, kWhere, cat(what, "[", i, "] is not finite (", v[i], ")"));
  bool deg;
  if (unit == "deg" || unit == "rad") {
    deg = unit == "deg";
  } else if (unit != "auto" && !unit.empty()) {
    fail(errc::invalid_argument, kWhere, cat("theta unit '", unit, "' is not auto, deg or rad"));
  } else if (!unit_of(unit_attr).empty()) {
    deg = unit_of(unit_attr) == "deg";
    notes.push_back(cat("theta: ", deg ? "degrees" : "radians", " (units attribute '", unit_attr, "' of ", what, ")"));
  } else {
    double mx = 0;
    for (double a : v) mx = std::max(mx, std::abs(a));
    deg = mx > 2 * kPi + 0.01;
    notes.push_back(cat("theta: assuming ", deg ? "degrees" : "radians", " (largest |theta| = ", mx, "; use --theta-unit to override)"));
  }
  if (deg)
    for (double& a : v) a *= kPi / 180;
  return v;
}

std::string detect_tomo_format(const std::string& path) {
  if (is_dir(path)) return "tiff";
  if (is_tiff_name(path)) return "tiff";
  if (!is_file(path)) fail(errc::io, kWhere, cat("no such file or directory: '", path, "'"));
  if (has_dataset(path, "/exchange/data")) return "dxchange";
  if (!find_entry(path).empty()) return "nxtomo";
  // neither: let the HDF5 layer say what is wrong (not HDF5, corrupt, or no /exchange/data)
  dataset_info(path, "/exchange/data");
  fail(errc::io, kWhere, cat("'", path, "' has neither /exchange/data (Data Exchange) nor an NXentry group (NeXus)"));
}

std::unique_ptr<TomoSource> open_tomo_source(const std::string& path, const TomoSourceOptions& opt) {
  const std::string fmt = opt.format == "auto" || opt.format.empty() ? detect_tomo_format(path) : opt.format;
  if (fmt == "dxchange") return std::make_unique<DxSource>(path, opt);
  if (fmt == "nxtomo") return std::make_unique<NxSource>(path, opt);
  if (fmt == "tiff") return std::make_unique<TiffSource>(path, opt);
  fail(errc::invalid_argument, kWhere, cat("unknown input format '", fmt, "' (auto, dxchange, nxtomo, tiff)"));
}

}  // namespace beamkit::io
