// SPDX-License-Identifier: BSD-3-Clause
// JSON -> scattering::Config with validation (errors name the JSON path of the bad value), shape
// volumes/heights, Gauss-Legendre tables, OBJ/STL mesh import, and the default-space simulate().
#include <beamkit/scattering/gisaxs.hpp>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace beamkit::scattering {
namespace {
using json = nlohmann::json;
const char* kWhere = "beamkit::gisaxs";
constexpr double kDeg = M_PI / 180;

[[noreturn]] void bad(const std::string& path, const std::string& what) { fail(errc::invalid_argument, kWhere, path + " " + what); }

void check_keys(const json& j, const std::string& path, const std::set<std::string>& allowed) {
  if (!j.is_object()) bad(path, "must be an object");
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!allowed.count(it.key())) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      bad(path + "." + it.key(), "is an unknown key (allowed: " + list + ")");
    }
}

double num(const json& j, const std::string& key, const std::string& path, double def, bool required = false) {
  if (!j.contains(key)) {
    if (required) bad(path + "." + key, "is required");
    return def;
  }
  const auto& v = j.at(key);
  if (!v.is_number()) bad(path + "." + key, "must be a number, got " + v.dump());
  const double x = v.get<double>();
  if (!std::isfinite(x)) bad(path + "." + key, "must be finite");
  return x;
}
double positive(const json& j, const std::string& key, const std::string& path, double def = 0, bool required = true) {
  const double x = num(j, key, path, def, required);
  if (!(x > 0)) bad(path + "." + key, cat("must be > 0, got ", x));
  return x;
}
double nonneg(const json& j, const std::string& key, const std::string& path, double def = 0) {
  const double x = num(j, key, path, def);
  if (!(x >= 0)) bad(path + "." + key, cat("must be >= 0, got ", x));
  return x;
}
std::string str(const json& j, const std::string& key, const std::string& path, const std::string& def, bool required = false) {
  if (!j.contains(key)) {
    if (required) bad(path + "." + key, "is required");
    return def;
  }
  if (!j.at(key).is_string()) bad(path + "." + key, "must be a string, got " + j.at(key).dump());
  return j.at(key).get<std::string>();
}

struct ShapeInfo {
  Shape shape;
  std::vector<std::string> params;  // in p[] order; angles are marked by name "alpha"/"swa"
  std::vector<double> defaults;     // NaN = required
};
const std::map<std::string, ShapeInfo>& shape_table() {
  const double R = NAN;
  static const std::map<std::string, ShapeInfo> t = {
      {"sphere", {Shape::sphere, {"radius"}, {R}}},
      {"truncated_sphere", {Shape::truncated_sphere, {"radius", "height", "dh"}, {R, R, 0}}},
      {"spheroid", {Shape::spheroid, {"radius", "height"}, {R, R}}},
      {"truncated_spheroid", {Shape::truncated_spheroid, {"radius", "height", "fp", "dh"}, {R, R, R, 0}}},
      {"hemi_ellipsoid", {Shape::hemi_ellipsoid, {"a", "b", "c"}, {R, R, R}}},
      {"cylinder", {Shape::cylinder, {"radius", "height"}, {R, R}}},
      {"elliptic_cylinder", {Shape::elliptic_cylinder, {"a", "b", "height"}, {R, R, R}}},
      {"box", {Shape::box, {"length", "width", "height"}, {R, R, R}}},
      {"cone", {Shape::cone, {"radius", "height", "alpha"}, {R, R, R}}},
      {"pyramid", {Shape::pyramid, {"base_edge", "height", "alpha"}, {R, R, R}}},
      {"aniso_pyramid", {Shape::aniso_pyramid, {"length", "width", "height", "alpha"}, {R, R, R, R}}},
      {"tetrahedron", {Shape::tetrahedron, {"base_edge", "height", "alpha"}, {R, R, R}}},
      {"cone6", {Shape::cone6, {"base_edge", "height", "alpha"}, {R, R, R}}},
      {"prism3", {Shape::prism3, {"base_edge", "height"}, {R, R}}},
      {"prism6", {Shape::prism6, {"base_edge", "height"}, {R, R}}},
      {"ridge", {Shape::ridge, {"length", "width", "height", "swa"}, {R, R, R, 90}}},
  };
  return t;
}

bool is_angle(const std::string& n) { return n == "alpha" || n == "swa"; }

ShapeSpec parse_shape(const json& j, const std::string& path) {
  if (!j.is_object()) bad(path, "must be an object");
  const std::string type = str(j, "type", path, "", true);
  ShapeSpec s;
  if (j.contains("rotation") && j.at("rotation").is_array()) {
    // [{"axis": "z", "angle": deg}, ...] applied in order (first entry first): R = R_n ... R_1
    const auto& rs = j.at("rotation");
    std::array<double, 9> M{1, 0, 0, 0, 1, 0, 0, 0, 1};
    for (std::size_t i = 0; i < rs.size(); ++i) {
      const std::string rp = path + cat(".rotation[", i, "]");
      check_keys(rs[i], rp, {"axis", "angle"});
      const std::string ax = str(rs[i], "axis", rp, "", true);
      const double a = num(rs[i], "angle", rp, 0, true) * kDeg, c = std::cos(a), sn = std::sin(a);
      std::array<double, 9> Q;
      if (ax == "x") Q = {1, 0, 0, 0, c, -sn, 0, sn, c};
      else if (ax == "y") Q = {c, 0, sn, 0, 1, 0, -sn, 0, c};
      else if (ax == "z") Q = {c, -sn, 0, sn, c, 0, 0, 0, 1};
      else bad(rp + ".axis", "must be 'x', 'y' or 'z', got '" + ax + "'");
      std::array<double, 9> P{};
      for (int r = 0; r < 3; ++r)
        for (int cc = 0; cc < 3; ++cc)
          for (int k = 0; k < 3; ++k) P[3 * r + cc] += Q[3 * r + k] * M[3 * k + cc];
      M = P;
    }
    s.general = true;
    s.R = M;
  } else {
    s.rotation = num(j, "rotation", path, 0) * kDeg;
  }
  if (type == "mesh") {
    check_keys(j, path, {"type", "rotation", "file", "scale", "vertices", "triangles"});
    s.shape = Shape::mesh;
    if (j.contains("file")) {
      read_mesh(str(j, "file", path, ""), num(j, "scale", path, 1), s.mesh_v, s.mesh_t);
    } else {
      if (!j.contains("vertices") || !j.contains("triangles")) bad(path, "needs 'file' or 'vertices' + 'triangles'");
      for (const auto& v : j.at("vertices")) {
        if (!v.is_array() || v.size() != 3) bad(path + ".vertices", "entries must be [x, y, z]");
        for (const auto& x : v) s.mesh_v.push_back(x.get<double>() * num(j, "scale", path, 1));
      }
      for (const auto& t : j.at("triangles")) {
        if (!t.is_array() || t.size() != 3) bad(path + ".triangles", "entries must be [i, j, k]");
        for (const auto& x : t) s.mesh_t.push_back(x.get<int>());
      }
    }
    const int nv = int(s.mesh_v.size() / 3);
    if (s.mesh_t.empty()) bad(path, "mesh has no triangles");
    for (int t : s.mesh_t)
      if (t < 0 || t >= nv) bad(path + ".triangles", cat("vertex index ", t, " out of range [0, ", nv, ")"));
    // orientation: outward if the signed volume is positive; flip otherwise
    double vol = 0, cx = 0, cy = 0, cz = 0;
    for (int i = 0; i < nv; ++i) {
      cx += s.mesh_v[3 * i] / nv;
      cy += s.mesh_v[3 * i + 1] / nv;
      cz += s.mesh_v[3 * i + 2] / nv;
    }
    s.p[0] = cx, s.p[1] = cy, s.p[2] = cz;
    vol = shape_volume(s);
    if (vol < 0)
      for (std::size_t t = 0; t < s.mesh_t.size(); t += 3) std::swap(s.mesh_t[t + 1], s.mesh_t[t + 2]);
    if (std::fabs(vol) == 0) bad(path, "mesh encloses no volume");
    double zmin = 1e300;
    for (int i = 0; i < nv; ++i) zmin = std::min(zmin, s.mesh_v[3 * i + 2]);
    if (zmin < -1e-9 * std::fabs(std::cbrt(vol))) bad(path, cat("mesh must lie at z >= 0 (bottom at the origin), min z = ", zmin));
    return s;
  }
  auto it = shape_table().find(type);
  if (it == shape_table().end()) {
    std::string list = "mesh";
    for (const auto& kv : shape_table()) list += ", " + kv.first;
    bad(path + ".type", "unknown shape '" + type + "' (known: " + list + ")");
  }
  const auto& info = it->second;
  std::set<std::string> allowed = {"type", "rotation"};
  for (const auto& n : info.params) allowed.insert(n);
  check_keys(j, path, allowed);
  s.shape = info.shape;
  for (std::size_t i = 0; i < info.params.size(); ++i) {
    const auto& n = info.params[i];
    const bool req = std::isnan(info.defaults[i]);
    double v = num(j, n, path, req ? 0 : info.defaults[i], req);
    if (n == "dh") {
      if (v < 0) bad(path + "." + n, cat("must be >= 0, got ", v));
    } else if (!(v > 0)) {
      bad(path + "." + n, cat("must be > 0, got ", v));
    }
    if (is_angle(n)) {
      if (v > 90) bad(path + "." + n, cat("must be in (0, 90] degrees, got ", v));
      v *= kDeg;
    }
    s.p[i] = v;
  }
  // geometric consistency
  const auto& p = s.p;
  switch (s.shape) {
    case Shape::truncated_sphere:
      if (p[1] > 2 * p[0]) bad(path + ".height", cat("must be <= 2 * radius = ", 2 * p[0], ", got ", p[1]));
      if (p[2] >= p[1]) bad(path + ".dh", cat("must be < height = ", p[1], ", got ", p[2]));
      break;
    case Shape::truncated_spheroid:
      if (p[1] > 2 * p[0] * p[2]) bad(path + ".height", cat("must be <= 2 * radius * fp = ", 2 * p[0] * p[2], ", got ", p[1]));
      if (p[3] >= p[1]) bad(path + ".dh", cat("must be < height = ", p[1], ", got ", p[3]));
      break;
    case Shape::cone:
      if (p[1] > p[0] * std::tan(p[2]) * (1 + 1e-12))
        bad(path + ".height", cat("exceeds the apex height radius*tan(alpha) = ", p[0] * std::tan(p[2]), ", got ", p[1]));
      break;
    case Shape::pyramid:
      if (p[1] > 0.5 * p[0] * std::tan(p[2]) * (1 + 1e-12))
        bad(path + ".height", cat("exceeds the apex height base_edge/2*tan(alpha) = ", 0.5 * p[0] * std::tan(p[2]), ", got ", p[1]));
      break;
    case Shape::aniso_pyramid:
      if (p[2] > 0.5 * std::min(p[0], p[1]) * std::tan(p[3]) * (1 + 1e-12))
        bad(path + ".height", cat("exceeds the apex height min(length, width)/2*tan(alpha) = ", 0.5 * std::min(p[0], p[1]) * std::tan(p[3]), ", got ", p[2]));
      break;
    case Shape::tetrahedron:
      if (p[1] > p[0] / (2 * std::sqrt(3.0)) * std::tan(p[2]) * (1 + 1e-12))
        bad(path + ".height", cat("exceeds the apex height ", p[0] / (2 * std::sqrt(3.0)) * std::tan(p[2]), ", got ", p[1]));
      break;
    case Shape::cone6:
      if (p[1] > p[0] * std::sqrt(3.0) / 2 * std::tan(p[2]) * (1 + 1e-12))
        bad(path + ".height", cat("exceeds the apex height ", p[0] * std::sqrt(3.0) / 2 * std::tan(p[2]), ", got ", p[1]));
      break;
    case Shape::ridge:
      if (p[2] / std::tan(p[3]) * 2 > p[1] * (1 + 1e-12))
        bad(path + ".swa", cat("too shallow: the side walls meet below the top (width ", p[1], ", height ", p[2], ")"));
      break;
    default: break;
  }
  return s;
}

Material parse_material(const json& j, const std::string& path) {
  check_keys(j, path, {"delta", "beta"});
  Material m;
  m.delta = num(j, "delta", path, 0);
  m.beta = nonneg(j, "beta", path, 0);
  return m;
}

int param_index(const ShapeSpec& s, const std::string& name, const std::string& path, const std::string& type) {
  auto it = shape_table().find(type);
  if (it != shape_table().end()) {
    const auto& ps = it->second.params;
    for (std::size_t i = 0; i < ps.size(); ++i)
      if (ps[i] == name && !is_angle(name)) return int(i);
  }
  (void)s;
  bad(path, "'" + name + "' is not a length parameter of shape '" + type + "'");
}

std::pair<double, double> range2(const json& j, const std::string& key, const std::string& path);

ParticleSpec parse_particle(const json& j, const std::string& path) {
  check_keys(j, path, {"shape", "material", "abundance", "z", "distribution", "orientation", "core", "core_material", "core_offset", "lattice"});
  ParticleSpec P;
  if (!j.contains("shape")) bad(path + ".shape", "is required");
  P.shape = parse_shape(j.at("shape"), path + ".shape");
  if (j.contains("material")) P.material = parse_material(j.at("material"), path + ".material");
  P.abundance = positive(j, "abundance", path, 1, false);
  P.z = num(j, "z", path, 0);
  if (j.contains("core")) {
    P.core_shell = true;
    P.core = parse_shape(j.at("core"), path + ".core");
    if (j.contains("core_material")) P.core_material = parse_material(j.at("core_material"), path + ".core_material");
    P.core_offset_z = nonneg(j, "core_offset", path, 0);
    if (P.core_offset_z + shape_height(P.core) > shape_height(P.shape) * (1 + 1e-12) ||
        shape_volume(P.core) > shape_volume(P.shape))
      bad(path + ".core", "does not fit inside the shell");
  }
  if (j.contains("distribution")) {
    const auto& d = j.at("distribution");
    const std::string dp = path + ".distribution";
    check_keys(d, dp, {"type", "parameter", "sigma", "samples", "nsigma", "limits"});
    const std::string type = str(d, "type", dp, "", true);
    if (type == "gaussian") P.distribution.kind = SizeDistribution::gaussian;
    else if (type == "lognormal") P.distribution.kind = SizeDistribution::lognormal;
    else if (type == "schulz") P.distribution.kind = SizeDistribution::schulz;
    else bad(dp + ".type", "unknown distribution '" + type + "' (known: gaussian, lognormal, schulz)");
    if (P.shape.shape == Shape::mesh) bad(dp, "size distributions are not supported for meshes");
    std::string stype;
    for (const auto& kv : shape_table())
      if (kv.second.shape == P.shape.shape) stype = kv.first;
    if (!d.contains("parameter")) bad(dp + ".parameter", "is required");
    const auto& par = d.at("parameter");
    if (par.is_string()) P.distribution.params.push_back(param_index(P.shape, par.get<std::string>(), dp + ".parameter", stype));
    else if (par.is_array())
      for (std::size_t i = 0; i < par.size(); ++i)
        P.distribution.params.push_back(param_index(P.shape, par[i].get<std::string>(), dp + cat(".parameter[", i, "]"), stype));
    else bad(dp + ".parameter", "must be a name or a list of names");
    if (P.distribution.params.empty()) bad(dp + ".parameter", "is empty");
    P.distribution.sigma = positive(d, "sigma", dp);
    const double n = num(d, "samples", dp, 10);
    if (!(n >= 1 && n <= 10000 && n == std::floor(n))) bad(dp + ".samples", cat("must be an integer in [1, 10000], got ", n));
    P.distribution.samples = int(n);
    P.distribution.nsigma = positive(d, "nsigma", dp, 2, false);
    if (d.contains("limits")) {  // [min, max] of the sampled values (BornAgain RealLimits::limited)
      const auto lim = range2(d, "limits", dp);
      if (!(lim.first >= 0 && lim.second > lim.first)) bad(dp + ".limits", cat("must be [min, max] with 0 <= min < max, got [", lim.first, ", ", lim.second, "]"));
      P.distribution.min = lim.first;
      P.distribution.max = lim.second;
    }
    if (P.core_shell) bad(dp, "size distributions of core-shell particles are not supported");
  }
  if (j.contains("orientation")) {
    const auto& d = j.at("orientation");
    const std::string dp = path + ".orientation";
    check_keys(d, dp, {"type", "sigma", "nsigma", "min", "max", "samples"});
    const std::string type = str(d, "type", dp, "", true);
    auto& O = P.orientation;
    if (type == "gaussian") {
      O.kind = OrientationDistribution::gaussian;
      O.sigma = positive(d, "sigma", dp) * kDeg;
      O.nsigma = positive(d, "nsigma", dp, 2, false);
    } else if (type == "gate") {
      O.kind = OrientationDistribution::gate;
      O.min = num(d, "min", dp, 0, true) * kDeg;
      O.max = num(d, "max", dp, 0, true) * kDeg;
      if (!(O.max >= O.min)) bad(dp + ".max", "must be >= min");
    } else {
      bad(dp + ".type", "unknown orientation distribution '" + type + "' (known: gaussian, gate)");
    }
    if (P.shape.general) bad(dp, "orientation distributions need a rotation about z only");
    const double n = num(d, "samples", dp, 10);
    if (!(n >= 1 && n <= 10000 && n == std::floor(n))) bad(dp + ".samples", cat("must be an integer in [1, 10000], got ", n));
    O.samples = int(n);
  }
  if (j.contains("lattice")) {
    const auto& d = j.at("lattice");
    const std::string lp = path + ".lattice";
    check_keys(d, lp, {"type", "a", "c", "repetitions"});
    const std::string type = str(d, "type", lp, "", true);
    auto& L = P.lattice;
    if (type == "sc" || type == "simple_cubic") L.kind = Lattice3D::sc;
    else if (type == "bcc") L.kind = Lattice3D::bcc;
    else if (type == "fcc") L.kind = Lattice3D::fcc;
    else if (type == "hcp") L.kind = Lattice3D::hcp;
    else bad(lp + ".type", "unknown lattice '" + type + "' (known: sc, bcc, fcc, hcp)");
    L.a = positive(d, "a", lp);
    if (L.kind == Lattice3D::hcp) L.c = positive(d, "c", lp, std::sqrt(8.0 / 3.0) * L.a, false);
    else if (d.contains("c")) bad(lp + ".c", "is only used by 'hcp'");
    if (!d.contains("repetitions") || !d.at("repetitions").is_array() || d.at("repetitions").size() != 3)
      bad(lp + ".repetitions", "must be [n1, n2, n3]");
    for (int k = 0; k < 3; ++k) {
      const auto& v = d.at("repetitions")[k];
      const double n = v.is_number() ? v.get<double>() : -1;
      if (!(n >= 1 && n <= 1000 && n == std::floor(n))) bad(lp + cat(".repetitions[", k, "]"), cat("must be an integer in [1, 1000], got ", v.dump()));
      L.n[k] = int(n);
    }
    if (P.shape.shape == Shape::mesh) bad(lp, "superlattices of mesh particles are not supported");
  }
  return P;
}

std::pair<double, double> range2(const json& j, const std::string& key, const std::string& path) {
  if (!j.contains(key) || !j.at(key).is_array() || j.at(key).size() != 2 || !j.at(key)[0].is_number() || !j.at(key)[1].is_number())
    bad(path + "." + key, "must be [lo, hi]");
  return {j.at(key)[0].get<double>(), j.at(key)[1].get<double>()};
}

InterferenceSpec parse_iff(const json& j, const std::string& path) {
  InterferenceSpec s;
  const std::string type = str(j, "type", path, "none");
  auto profile = [&](const std::string& key) {
    const std::string p = str(j, key, path, "gauss");
    if (p == "gauss") return Profile::gauss;
    if (p == "cauchy") return Profile::cauchy;
    bad(path + "." + key, "unknown profile '" + p + "' (known: gauss, cauchy)");
  };
  if (type == "none") {
    check_keys(j, path, {"type"});
  } else if (type == "radial_paracrystal") {
    check_keys(j, path, {"type", "peak_distance", "damping_length", "pdf", "omega", "domain_size", "kappa"});
    s.kind = Interference::radial_paracrystal;
    s.peak_distance = positive(j, "peak_distance", path);
    s.damping_length = nonneg(j, "damping_length", path, 0);
    s.profile = profile("pdf");
    s.omega = nonneg(j, "omega", path, 0);
    s.domain_size = nonneg(j, "domain_size", path, 0);
    s.kappa = nonneg(j, "kappa", path, 0);
  } else if (type == "hard_disk") {
    check_keys(j, path, {"type", "radius", "density"});
    s.kind = Interference::hard_disk;
    s.a = positive(j, "radius", path);
    s.b = positive(j, "density", path);
    const double eta = M_PI * s.a * s.a * s.b;
    if (eta > 0.65) bad(path + ".density", cat("gives a packing fraction pi R^2 density = ", eta, " > 0.65"));
  } else if (type == "lattice1d") {
    check_keys(j, path, {"type", "length", "xi", "decay", "decay_length"});
    s.kind = Interference::lattice1d;
    s.a = positive(j, "length", path);
    s.xi = num(j, "xi", path, 0) * kDeg;
    s.profile = profile("decay");
    s.decay_x = positive(j, "decay_length", path);
  } else if (type == "lattice2d" || type == "paracrystal2d") {
    const bool pc = type == "paracrystal2d";
    if (pc)
      check_keys(j, path, {"type", "lattice", "a", "b", "angle", "xi", "damping_length", "domain_sizes", "pdf1", "pdf2"});
    else
      check_keys(j, path, {"type", "lattice", "a", "b", "angle", "xi", "decay", "decay_lengths", "gamma"});
    s.kind = pc ? Interference::paracrystal2d : Interference::lattice2d;
    const std::string lat = str(j, "lattice", path, "basic");
    s.a = positive(j, "a", path);
    if (lat == "square") {
      s.b = s.a;
      s.alpha = M_PI / 2;
    } else if (lat == "hexagonal") {
      s.b = s.a;
      s.alpha = 2 * M_PI / 3;
    } else if (lat == "basic") {
      s.b = positive(j, "b", path);
      s.alpha = positive(j, "angle", path) * kDeg;
    } else {
      bad(path + ".lattice", "unknown lattice '" + lat + "' (known: basic, square, hexagonal)");
    }
    s.xi = num(j, "xi", path, 0) * kDeg;
    if (pc) {
      s.damping_length = nonneg(j, "damping_length", path, 0);
      if (j.contains("domain_sizes")) {
        const auto ds = range2(j, "domain_sizes", path);
        if (!(ds.first >= 0 && ds.second >= 0)) bad(path + ".domain_sizes", "must be >= 0");
        s.domain1 = ds.first, s.domain2 = ds.second;
      }
      for (int k = 0; k < 2; ++k) {
        const std::string key = k ? "pdf2" : "pdf1", pp = path + "." + key;
        if (!j.contains(key)) bad(pp, "is required");
        const auto& d = j.at(key);
        check_keys(d, pp, {"type", "omega", "gamma"});
        const std::string t = str(d, "type", pp, "gauss");
        Profile pr;
        if (t == "gauss") pr = Profile::gauss;
        else if (t == "cauchy") pr = Profile::cauchy;
        else bad(pp + ".type", "unknown pdf '" + t + "' (known: gauss, cauchy)");
        const auto w = range2(d, "omega", pp);
        if (!(w.first > 0 && w.second > 0)) bad(pp + ".omega", "must be > 0");
        const double gm = num(d, "gamma", pp, 0) * kDeg;
        if (k) s.pdf2 = pr, s.w2x = w.first, s.w2y = w.second, s.g2 = gm;
        else s.pdf1 = pr, s.w1x = w.first, s.w1y = w.second, s.g1 = gm;
      }
      return s;
    }
    s.profile = profile("decay");
    if (!j.contains("decay_lengths") || !j.at("decay_lengths").is_array() || j.at("decay_lengths").size() != 2)
      bad(path + ".decay_lengths", "must be [omega_x, omega_y] in nm");
    s.decay_x = j.at("decay_lengths")[0].get<double>();
    s.decay_y = j.at("decay_lengths")[1].get<double>();
    if (!(s.decay_x > 0 && s.decay_y > 0)) bad(path + ".decay_lengths", "must be > 0");
    s.gamma = num(j, "gamma", path, 0) * kDeg;
  } else {
    bad(path + ".type", "unknown interference '" + type + "' (known: none, radial_paracrystal, lattice1d, lattice2d, paracrystal2d, hard_disk)");
  }
  return s;
}


}  // namespace

Config parse_config(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const std::exception& e) {
    fail(errc::invalid_argument, kWhere, cat("invalid JSON: ", e.what()));
  }
  Config c;
  check_keys(j, "$", {"beam", "detector", "sample", "approximation", "quadrature_order", "precision", "comment", "fit"});  // "fit": read by beamkit fit (fit/gisaxs_fit.hpp)
  if (!j.contains("beam")) bad("$.beam", "is required");
  const auto& b = j.at("beam");
  check_keys(b, "$.beam", {"wavelength", "alpha_i", "phi_i", "intensity", "divergence"});
  c.wavelength = positive(b, "wavelength", "$.beam");
  c.alpha_i = positive(b, "alpha_i", "$.beam") * kDeg;
  if (c.alpha_i >= M_PI / 2) bad("$.beam.alpha_i", "must be < 90 degrees");
  c.intensity = positive(b, "intensity", "$.beam", 1, false);
  c.phi_i = num(b, "phi_i", "$.beam", 0) * kDeg;
  if (std::fabs(c.phi_i) >= M_PI / 2) bad("$.beam.phi_i", "must lie inside (-90, 90) degrees");
  if (b.contains("divergence")) {
    const auto& dv = b.at("divergence");
    check_keys(dv, "$.beam.divergence", {"wavelength", "alpha_i", "phi_i"});
    for (const char* key : {"wavelength", "alpha_i", "phi_i"}) {
      if (!dv.contains(key)) continue;
      const std::string dp = std::string("$.beam.divergence.") + key;
      const bool angle = std::string(key) != "wavelength";
      const double unit = angle ? kDeg : 1.0;
      const auto& d = dv.at(key);
      check_keys(d, dp, {"type", "sigma", "nsigma", "min", "max", "samples"});
      BeamDistribution& D = key[0] == 'w' ? c.div_wavelength : key[0] == 'a' ? c.div_alpha : c.div_phi;
      const std::string type = str(d, "type", dp, "", true);
      if (type == "gaussian") D.kind = BeamDistribution::gaussian;
      else if (type == "lognormal") D.kind = BeamDistribution::lognormal;
      else if (type == "gate") D.kind = BeamDistribution::gate;
      else bad(dp + ".type", "unknown distribution '" + type + "' (known: gaussian, lognormal, gate)");
      if (D.kind == BeamDistribution::gate) {
        D.min = num(d, "min", dp, 0, true) * unit;
        D.max = num(d, "max", dp, 0, true) * unit;
        if (!(D.max > D.min)) bad(dp + ".max", "must be > min");
      } else {
        // lognormal: sigma is the (unitless) scale of log(x)
        D.sigma = positive(d, "sigma", dp) * (D.kind == BeamDistribution::lognormal ? 1.0 : unit);
        D.nsigma = positive(d, "nsigma", dp, 2, false);
      }
      const double n = num(d, "samples", dp, 5);
      if (!(n >= 1 && n <= 1000 && n == std::floor(n))) bad(dp + ".samples", cat("must be an integer in [1, 1000], got ", n));
      D.samples = int(n);
      const double mean = key[0] == 'w' ? c.wavelength : key[0] == 'a' ? c.alpha_i : c.phi_i;
      for (const auto& smp : beam_samples(D, mean)) {
        if (smp.second <= 0) continue;
        if (key[0] == 'w' && !(smp.first > 0)) bad(dp, cat("gives a wavelength <= 0 (", smp.first, " nm): reduce sigma or nsigma"));
        if (key[0] == 'a' && !(smp.first > 0 && smp.first < M_PI / 2))
          bad(dp, cat("gives an incidence angle outside (0, 90) degrees (", smp.first / kDeg, "): reduce sigma or nsigma"));
        if (key[0] == 'p' && !(std::fabs(smp.first) < M_PI / 2)) bad(dp, cat("gives phi_i outside (-90, 90) degrees (", smp.first / kDeg, ")"));
      }
    }
  }
  const std::string approx = str(j, "approximation", "$", "dwba");
  if (approx == "born") c.born = true;
  else if (approx != "dwba") bad("$.approximation", "must be 'dwba' or 'born', got '" + approx + "'");
  const double qo = num(j, "quadrature_order", "$", 0);
  if (!(qo >= 0 && qo <= kMaxGL && qo == std::floor(qo))) bad("$.quadrature_order", cat("must be an integer in [0, ", kMaxGL, "], got ", qo));
  c.quadrature_order = int(qo);
  const std::string prec = str(j, "precision", "$", "double");
  if (prec == "single" || prec == "float") c.single_precision = true;
  else if (prec != "double") bad("$.precision", "must be 'double' or 'single', got '" + prec + "'");

  // detector
  if (!j.contains("detector")) bad("$.detector", "is required");
  const auto& d = j.at("detector");
  const std::string dp = "$.detector";
  const std::string dtype = str(d, "type", dp, "spherical");
  auto& D = c.detector;
  if (dtype == "spherical") {
    check_keys(d, dp, {"type", "phi", "alpha", "masks", "resolution"});
    for (const char* ax : {"phi", "alpha"}) {
      if (!d.contains(ax) || !d.at(ax).is_array() || d.at(ax).size() != 3) bad(dp + "." + ax, "must be [min_deg, max_deg, n]");
      const double lo = d.at(ax)[0].get<double>(), hi = d.at(ax)[1].get<double>(), n = d.at(ax)[2].get<double>();
      if (!(n >= 1 && n == std::floor(n))) bad(dp + "." + ax + "[2]", cat("must be a positive integer, got ", n));
      if (!(hi > lo)) bad(dp + "." + ax, cat("max (", hi, ") must be > min (", lo, ")"));
      if (std::string(ax) == "phi") {
        D.phi_min = lo, D.phi_max = hi, D.nphi = int(n);
        if (lo <= -90 || hi >= 90) bad(dp + ".phi", "must lie inside (-90, 90) degrees");
      } else {
        D.alpha_min = lo, D.alpha_max = hi, D.nalpha = int(n);
        if (lo <= -90 || hi >= 90) bad(dp + ".alpha", "must lie inside (-90, 90) degrees");
      }
    }
  } else if (dtype == "flat") {
    D.kind = DetectorSpec::flat;
    check_keys(d, dp, {"type", "distance", "pixel_size", "pixels", "beam_center", "masks", "resolution"});
    D.distance = positive(d, "distance", dp);
    const auto ps = range2(d, "pixel_size", dp);
    const auto np = range2(d, "pixels", dp);
    const auto bc = range2(d, "beam_center", dp);
    D.pixel_x = ps.first, D.pixel_y = ps.second;
    if (!(D.pixel_x > 0 && D.pixel_y > 0)) bad(dp + ".pixel_size", "must be > 0");
    if (!(np.first >= 1 && np.second >= 1)) bad(dp + ".pixels", cat("must be >= 1, got [", np.first, ", ", np.second, "]"));
    D.nx = int(np.first), D.ny = int(np.second);
    D.u0 = bc.first, D.v0 = bc.second;
  } else {
    bad(dp + ".type", "unknown detector '" + dtype + "' (known: spherical, flat)");
  }
  if (d.contains("masks")) {
    const auto& ms = d.at("masks");
    if (!ms.is_array()) bad(dp + ".masks", "must be a list");
    for (std::size_t i = 0; i < ms.size(); ++i) {
      const std::string mp = dp + cat(".masks[", i, "]");
      check_keys(ms[i], mp, {"x", "y"});
      const auto x = range2(ms[i], "x", mp), y = range2(ms[i], "y", mp);
      D.masks.push_back({std::min(x.first, x.second), std::max(x.first, x.second), std::min(y.first, y.second), std::max(y.first, y.second)});
    }
  }
  if (d.contains("resolution")) {
    const auto& r = d.at("resolution");
    const std::string rp = dp + ".resolution";
    check_keys(r, rp, {"type", "sigma"});
    const std::string t = str(r, "type", rp, "gaussian");
    if (t != "gaussian") bad(rp + ".type", "unknown resolution '" + t + "' (known: gaussian)");
    const auto sg = range2(r, "sigma", rp);
    if (!(sg.first >= 0 && sg.second >= 0)) bad(rp + ".sigma", "must be >= 0");
    D.res_x = sg.first, D.res_y = sg.second;
  }
  const long npix = D.kind == DetectorSpec::spherical ? long(D.nphi) * D.nalpha : long(D.nx) * D.ny;
  if (npix <= 0) bad(dp, "is empty");
  if (!D.masks.empty()) {
    const PixelGrid g = make_pixels(c);
    if (std::all_of(g.weight.begin(), g.weight.end(), [](double w) { return w == 0; })) bad(dp + ".masks", "mask every pixel (the detector is empty)");
  }
  if (npix > 100000000L) bad(dp, cat("has too many pixels (", npix, ")"));

  // sample
  if (!j.contains("sample")) bad("$.sample", "is required");
  const auto& s = j.at("sample");
  check_keys(s, "$.sample", {"layers", "layouts"});
  if (!s.contains("layers") || !s.at("layers").is_array() || s.at("layers").empty())
    bad("$.sample.layers", "must be a non-empty list (ambient first, substrate last)");
  const auto& ls = s.at("layers");
  if (ls.size() > std::size_t(kMaxLayers)) bad("$.sample.layers", cat("has ", ls.size(), " layers, at most ", kMaxLayers));
  for (std::size_t i = 0; i < ls.size(); ++i) {
    const std::string lp = cat("$.sample.layers[", i, "]");
    check_keys(ls[i], lp, {"delta", "beta", "thickness", "roughness", "name"});
    LayerSpec L;
    L.material.delta = num(ls[i], "delta", lp, 0);
    L.material.beta = nonneg(ls[i], "beta", lp, 0);
    const bool inner = i > 0 && i + 1 < ls.size();
    if (inner) L.thickness = positive(ls[i], "thickness", lp);
    else if (ls[i].contains("thickness") && num(ls[i], "thickness", lp, 0) != 0)
      bad(lp + ".thickness", "must be 0 (ambient and substrate are semi-infinite)");
    L.roughness = nonneg(ls[i], "roughness", lp, 0);
    if (i == 0 && L.roughness != 0) bad(lp + ".roughness", "the ambient has no top interface");
    c.layers.push_back(L);
  }
  if (s.contains("layouts")) {
    const auto& lo = s.at("layouts");
    if (!lo.is_array()) bad("$.sample.layouts", "must be a list");
    for (std::size_t i = 0; i < lo.size(); ++i) {
      const std::string p = cat("$.sample.layouts[", i, "]");
      check_keys(lo[i], p, {"layer", "particles", "interference", "approximation", "density"});
      LayoutSpec L;
      const double layer = num(lo[i], "layer", p, 0);
      if (!(layer >= 0 && layer < double(c.layers.size()) && layer == std::floor(layer)))
        bad(p + ".layer", cat("must be a layer index in [0, ", c.layers.size() - 1, "], got ", layer));
      L.layer = int(layer);
      if (L.layer == int(c.layers.size()) - 1 && c.layers.size() > 1) bad(p + ".layer", "particles in the substrate are not supported");
      L.density_given = lo[i].contains("density");
      if (L.density_given) L.density = positive(lo[i], "density", p);
      const std::string ap = str(lo[i], "approximation", p, "DA");
      if (ap == "DA" || ap == "da") L.approximation = LayoutSpec::da;
      else if (ap == "LMA" || ap == "lma") L.approximation = LayoutSpec::lma;
      else if (ap == "SSCA" || ap == "ssca") L.approximation = LayoutSpec::ssca;
      else bad(p + ".approximation", "must be 'DA', 'LMA' or 'SSCA', got '" + ap + "'");
      if (lo[i].contains("interference")) L.interference = parse_iff(lo[i].at("interference"), p + ".interference");
      if (L.approximation == LayoutSpec::ssca && L.interference.kind != Interference::radial_paracrystal)
        bad(p + ".approximation", "'SSCA' needs a radial_paracrystal interference function");
      if (!lo[i].contains("particles") || !lo[i].at("particles").is_array() || lo[i].at("particles").empty())
        bad(p + ".particles", "must be a non-empty list");
      const auto& ps = lo[i].at("particles");
      for (std::size_t k = 0; k < ps.size(); ++k) {
        const std::string pp = p + cat(".particles[", k, "]");
        L.particles.push_back(parse_particle(ps[k], pp));
        const auto& P = L.particles.back();
        // the particle must stay inside its layer
        double h = shape_height(P.shape);
        if (P.lattice.kind != Lattice3D::none) {  // the grain's top: the highest lattice point + the particle
          const auto ld = detail::to_lattice<double>(P.lattice, P.shape);
          double top = 0;
          for (int j = 0; j < ld.nbasis; ++j) {
            double zt = ld.b[3 * j + 2];
            for (int k = 0; k < 3; ++k) zt += std::max(0.0, (ld.n[k] - 1) * ld.a[3 * k + 2]);
            top = std::max(top, zt);
          }
          h += top;
        }
        if (P.distribution.kind != SizeDistribution::none) {
          for (int idx : P.distribution.params)
            if (P.shape.shape != Shape::mesh && (idx == 1 || P.shape.shape == Shape::sphere)) {
              const double f = P.distribution.kind == SizeDistribution::lognormal
                                   ? std::exp(P.distribution.nsigma * P.distribution.sigma)
                                   : 1 + P.distribution.nsigma * P.distribution.sigma / P.shape.p[P.distribution.params[0]];
              h *= f;
              if (P.distribution.max > P.distribution.min)  // limits cap the largest sample
                h = std::min(h, shape_height(P.shape) * P.distribution.max / P.shape.p[P.distribution.params[0]]);
              break;
            }
        }
        const auto& layerspec = c.layers[L.layer];
        if (L.layer == 0) {
          if (P.z < 0) bad(pp + ".z", cat("must be >= 0 for particles in the ambient (they would cut the surface), got ", P.z));
        } else {
          if (P.z + h > 1e-12) bad(pp, cat("is larger than its layer: top at z = ", P.z + h, " above the layer's top (z must be <= -height)"));
          if (P.z < -layerspec.thickness) bad(pp + ".z", cat("is below the layer's bottom (thickness ", layerspec.thickness, "), got ", P.z));
        }
      }
      c.layouts.push_back(L);
    }
  }
  return c;
}

ShapeSpec parse_shape_json(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const std::exception& e) {
    fail(errc::invalid_argument, kWhere, cat("invalid JSON: ", e.what()));
  }
  return parse_shape(j, "$");
}

InterferenceSpec parse_interference_json(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const std::exception& e) {
    fail(errc::invalid_argument, kWhere, cat("invalid JSON: ", e.what()));
  }
  return parse_iff(j, "$");
}

double shape_height(const ShapeSpec& s) {
  const auto& p = s.p;
  switch (s.shape) {
    case Shape::sphere: return 2 * p[0];
    case Shape::truncated_sphere: return p[1] - p[2];
    case Shape::truncated_spheroid: return p[1] - p[3];
    case Shape::hemi_ellipsoid: return p[2];
    case Shape::elliptic_cylinder:
    case Shape::aniso_pyramid:
    case Shape::box: return p[2];
    case Shape::ridge: return p[2];
    case Shape::mesh: {
      double zmax = 0;
      for (std::size_t i = 2; i < s.mesh_v.size(); i += 3) zmax = std::max(zmax, s.mesh_v[i]);
      return zmax;
    }
    default: return p[1];
  }
}

double shape_volume(const ShapeSpec& s) {
  const auto& p = s.p;
  const double pi = M_PI;
  auto frustum = [](double base_area, double scale, double h) { return base_area * h * (1 + scale + scale * scale) / 3; };
  switch (s.shape) {
    case Shape::sphere: return 4.0 / 3 * pi * p[0] * p[0] * p[0];
    case Shape::spheroid: return 4.0 / 3 * pi * p[0] * p[0] * p[1] / 2;
    case Shape::truncated_sphere:
    case Shape::truncated_spheroid: {
      // integral of pi r(z)^2 over z in [z0, z1] (relative to the centre)
      const double R = p[0], c = s.shape == Shape::truncated_sphere ? R : p[2] * R;
      const double H = p[1], dh = s.shape == Shape::truncated_sphere ? p[2] : p[3];
      const double z0 = -(c - (H - c) + (H - c)) + (H - c) * 0, zc = H - c;  // centre height
      (void)z0;
      auto prim = [&](double z) { const double u = z - zc; return pi * R * R * (u - u * u * u / (3 * c * c)); };
      return prim(H - dh) - prim(0);
    }
    case Shape::hemi_ellipsoid: return 2.0 / 3 * pi * p[0] * p[1] * p[2];
    case Shape::cylinder: return pi * p[0] * p[0] * p[1];
    case Shape::elliptic_cylinder: return pi * p[0] * p[1] * p[2];
    case Shape::box: return p[0] * p[1] * p[2];
    case Shape::cone: {
      const double r1 = p[0] - p[1] / std::tan(p[2]);
      return pi * p[1] / 3 * (p[0] * p[0] + p[0] * r1 + r1 * r1);
    }
    case Shape::pyramid: return frustum(p[0] * p[0], 1 - 2 * p[1] / (p[0] * std::tan(p[2])), p[1]);
    case Shape::aniso_pyramid: {
      const double d = p[2] / std::tan(p[3]), a1 = p[0] - 2 * d, b1 = p[1] - 2 * d;
      return p[2] / 6 * (p[0] * p[1] + a1 * b1 + (p[0] + a1) * (p[1] + b1));
    }
    case Shape::tetrahedron:
      return frustum(std::sqrt(3.0) / 4 * p[0] * p[0], 1 - 2 * std::sqrt(3.0) * p[1] / (p[0] * std::tan(p[2])), p[1]);
    case Shape::cone6:
      return frustum(3 * std::sqrt(3.0) / 2 * p[0] * p[0], 1 - 2 * p[1] / (std::sqrt(3.0) * p[0] * std::tan(p[2])), p[1]);
    case Shape::prism3: return std::sqrt(3.0) / 4 * p[0] * p[0] * p[1];
    case Shape::prism6: return 3 * std::sqrt(3.0) / 2 * p[0] * p[0] * p[1];
    case Shape::ridge: {
      const double top = p[1] - 2 * p[2] / std::tan(p[3]);
      return p[0] * p[2] * (p[1] + top) / 2;
    }
    case Shape::mesh: {
      double v = 0;
      for (std::size_t t = 0; t + 2 < s.mesh_t.size(); t += 3) {
        const double* a = &s.mesh_v[3 * s.mesh_t[t]];
        const double* b = &s.mesh_v[3 * s.mesh_t[t + 1]];
        const double* c = &s.mesh_v[3 * s.mesh_t[t + 2]];
        v += (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) + a[2] * (b[0] * c[1] - b[1] * c[0])) / 6;
      }
      return v;
    }
    default: return 0;
  }
}

void gauss_legendre_tables(std::vector<double>& x, std::vector<double>& w) {
  // computed once, thread-safe (function-local static initialisation)
  static const std::pair<std::vector<double>, std::vector<double>> tables = [] {
    std::vector<double> sx, sw;
    for (int n = 1; n <= kMaxGL; ++n) {
      for (int i = 0; i < n; ++i) {
        double z = std::cos(M_PI * (i + 0.75) / (n + 0.5)), pp = 1;
        auto legendre = [&](double t) {  // P_n(t), P_{n-1}(t) -> derivative
          double p0 = 1, p1 = 0;
          for (int k = 0; k < n; ++k) {
            const double p2 = p1;
            p1 = p0;
            p0 = ((2 * k + 1) * t * p1 - k * p2) / (k + 1);
          }
          pp = n * (t * p0 - p1) / (t * t - 1);
          return p0;
        };
        for (int it = 0; it < 100; ++it) {
          const double dz = legendre(z) / pp;
          z -= dz;
          if (std::fabs(dz) < 1e-16) break;
        }
        legendre(z);
        sx.push_back(n == 1 ? 0.0 : z);
        sw.push_back(n == 1 ? 2.0 : 2 / ((1 - z * z) * pp * pp));
      }
    }
    return std::make_pair(sx, sw);
  }();
  x = tables.first;
  w = tables.second;
}

void read_mesh(const std::string& file, double scale, std::vector<double>& v, std::vector<int>& t) {
  const char* where = "beamkit::gisaxs::read_mesh";
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(errc::io, where, cat("cannot open mesh file '", file, "'"));
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  v.clear();
  t.clear();
  auto ends_with = [&](const std::string& e) {
    if (file.size() < e.size()) return false;
    std::string tail = file.substr(file.size() - e.size());
    std::transform(tail.begin(), tail.end(), tail.begin(), ::tolower);
    return tail == e;
  };
  if (ends_with(".obj")) {
    std::istringstream ss(content);
    std::string line;
    while (std::getline(ss, line)) {
      std::istringstream ls(line);
      std::string tag;
      ls >> tag;
      if (tag == "v") {
        double x, y, z;
        if (!(ls >> x >> y >> z)) fail(errc::io, where, cat("bad vertex line in '", file, "': ", line));
        v.insert(v.end(), {x * scale, y * scale, z * scale});
      } else if (tag == "f") {
        std::vector<int> idx;
        std::string tok;
        while (ls >> tok) {
          const int i = std::stoi(tok.substr(0, tok.find('/')));
          idx.push_back(i > 0 ? i - 1 : int(v.size() / 3) + i);
        }
        if (idx.size() < 3) fail(errc::io, where, cat("face with fewer than 3 vertices in '", file, "'"));
        for (std::size_t k = 1; k + 1 < idx.size(); ++k) t.insert(t.end(), {idx[0], idx[k], idx[k + 1]});
      }
    }
  } else if (ends_with(".stl")) {
    std::map<std::array<double, 3>, int> index;
    auto vid = [&](double x, double y, double z) {
      std::array<double, 3> key{x * scale, y * scale, z * scale};
      auto it = index.find(key);
      if (it != index.end()) return it->second;
      const int id = int(v.size() / 3);
      v.insert(v.end(), key.begin(), key.end());
      index[key] = id;
      return id;
    };
    const bool ascii = content.compare(0, 5, "solid") == 0 && content.find("facet") != std::string::npos;
    if (ascii) {
      std::istringstream ss(content);
      std::string tok;
      std::vector<int> face;
      while (ss >> tok) {
        if (tok == "vertex") {
          double x, y, z;
          ss >> x >> y >> z;
          face.push_back(vid(x, y, z));
        } else if (tok == "endfacet") {
          if (face.size() != 3) fail(errc::io, where, cat("STL facet without 3 vertices in '", file, "'"));
          t.insert(t.end(), face.begin(), face.end());
          face.clear();
        }
      }
    } else {
      if (content.size() < 84) fail(errc::io, where, cat("truncated binary STL '", file, "'"));
      std::uint32_t n;
      std::memcpy(&n, content.data() + 80, 4);
      if (content.size() < 84 + std::size_t(n) * 50) fail(errc::io, where, cat("truncated binary STL '", file, "'"));
      for (std::uint32_t f = 0; f < n; ++f) {
        const char* rec = content.data() + 84 + std::size_t(f) * 50 + 12;
        for (int k = 0; k < 3; ++k) {
          float xyz[3];
          std::memcpy(xyz, rec + 12 * k, 12);
          t.push_back(vid(xyz[0], xyz[1], xyz[2]));
        }
      }
    }
  } else {
    fail(errc::invalid_argument, where, cat("mesh file '", file, "' must end in .obj or .stl"));
  }
  if (t.empty()) fail(errc::io, where, cat("no triangles in '", file, "'"));
}

double radial_extension(const ShapeSpec& s) {
  const auto& p = s.p;
  switch (s.shape) {
    case Shape::elliptic_cylinder:
    case Shape::hemi_ellipsoid: return 0.5 * (p[0] + p[1]);
    case Shape::mesh: {
      double r = 0;
      for (std::size_t i = 0; i + 2 < s.mesh_v.size(); i += 3) r = std::max(r, std::hypot(s.mesh_v[i] - p[0], s.mesh_v[i + 1] - p[1]));
      return r;
    }
    case Shape::sphere:
    case Shape::truncated_sphere:
    case Shape::spheroid:
    case Shape::truncated_spheroid:
    case Shape::cylinder:
    case Shape::cone: return p[0];
    default: return 0.5 * p[0];
  }
}

std::vector<std::pair<double, double>> beam_samples(const BeamDistribution& d, double mean) {
  std::vector<std::pair<double, double>> out;
  const int n = std::max(1, d.samples);
  if (d.kind == BeamDistribution::none || (n == 1 && d.kind != BeamDistribution::gate)) {
    out.emplace_back(mean, 1.0);
    return out;
  }
  if (d.kind == BeamDistribution::gate && n == 1) {
    out.emplace_back(0.5 * (d.min + d.max), 1.0);
    return out;
  }
  double lo, hi;
  if (d.kind == BeamDistribution::gate) lo = d.min, hi = d.max;
  else if (d.kind == BeamDistribution::lognormal) lo = mean * std::exp(-d.nsigma * d.sigma), hi = mean * std::exp(d.nsigma * d.sigma);
  else lo = mean - d.nsigma * d.sigma, hi = mean + d.nsigma * d.sigma;
  const double step = (hi - lo) / (n - 1);
  double sum = 0;
  for (int i = 0; i < n; ++i) {
    const double x = lo + i * step;
    double w;
    if (d.kind == BeamDistribution::gate) w = (x >= d.min && x <= d.max) ? 1 / (d.max - d.min) : 0;
    else if (d.kind == BeamDistribution::lognormal) {
      const double l = std::log(x / mean) / d.sigma;
      w = std::exp(-0.5 * l * l) / x;
    } else {
      w = std::exp(-0.5 * (x - mean) * (x - mean) / (d.sigma * d.sigma));
    }
    out.emplace_back(x, w);
    sum += w;
  }
  for (auto& s : out) s.second /= sum;
  return out;
}

namespace {
/// Bin-integrated unit Gaussian kernel of sigma s (in pixels): w[d] = Phi((d + 1/2)/s) - Phi((d - 1/2)/s).
std::vector<double> resolution_kernel(double s, int n) {
  const int h = std::min(n - 1, int(std::ceil(12 * s)) + 1);
  std::vector<double> w(2 * h + 1);
  auto cdf = [&](double x) { return 0.5 * std::erfc(-x / (s * std::sqrt(2.0))); };
  for (int d = -h; d <= h; ++d) w[d + h] = cdf(d + 0.5) - cdf(d - 0.5);
  return w;
}
}  // namespace

void apply_resolution(std::vector<double>& img, int rows, int cols, double sx, double sy) {
  std::vector<double> tmp(img.size());
  if (sx > 0 && cols > 1) {
    const auto w = resolution_kernel(sx, cols);
    const int h = int(w.size() / 2);
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c) {
        double acc = 0;
        for (int d = std::max(-h, c - cols + 1); d <= std::min(h, c); ++d) acc += w[d + h] * img[std::size_t(r) * cols + c - d];
        tmp[std::size_t(r) * cols + c] = acc;
      }
    img.swap(tmp);
  }
  if (sy > 0 && rows > 1) {
    const auto w = resolution_kernel(sy, rows);
    const int h = int(w.size() / 2);
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c) {
        double acc = 0;
        for (int d = std::max(-h, r - rows + 1); d <= std::min(h, r); ++d) acc += w[d + h] * img[std::size_t(r - d) * cols + c];
        tmp[std::size_t(r) * cols + c] = acc;
      }
    img.swap(tmp);
  }
}

namespace {
std::vector<double> simulate_one(const Config& c, int* rows, int* cols) {
  using Exec = Kokkos::DefaultExecutionSpace;
  if (c.single_precision) {
    Simulation<Exec, float> sim(c);
    *rows = sim.grid().rows;
    *cols = sim.grid().cols;
    return sim.image();
  }
  Simulation<Exec, double> sim(c);
  *rows = sim.grid().rows;
  *cols = sim.grid().cols;
  return sim.image();
}
}  // namespace

std::vector<double> simulate(const Config& c, int* rows, int* cols) {
  std::vector<double> img;
  const auto ws = beam_samples(c.div_wavelength, c.wavelength);
  const auto as = beam_samples(c.div_alpha, c.alpha_i);
  const auto ps = beam_samples(c.div_phi, c.phi_i);
  if (ws.size() * as.size() * ps.size() == 1) {
    img = simulate_one(c, rows, cols);
  } else {
    Config cc = c;
    for (const auto& w : ws)
      for (const auto& a : as)
        for (const auto& p : ps) {
          const double weight = w.second * a.second * p.second;
          if (weight == 0) continue;
          cc.wavelength = w.first;
          cc.alpha_i = a.first;
          cc.phi_i = p.first;
          const auto part = simulate_one(cc, rows, cols);
          if (img.empty()) img.assign(part.size(), 0.0);
          for (std::size_t i = 0; i < part.size(); ++i) img[i] += weight * part[i];
        }
  }
  const auto& d = c.detector;
  if (d.res_x > 0 || d.res_y > 0) {
    const bool sph = d.kind == DetectorSpec::spherical;
    const double stepx = sph ? (d.phi_max - d.phi_min) / d.nphi : d.pixel_x;
    const double stepy = sph ? (d.alpha_max - d.alpha_min) / d.nalpha : d.pixel_y;
    apply_resolution(img, *rows, *cols, d.res_x / stepx, d.res_y / stepy);
    if (!d.masks.empty()) {  // masked pixels stay 0
      const PixelGrid g = make_pixels(c);
      for (std::size_t i = 0; i < img.size(); ++i)
        if (g.weight[i] == 0) img[i] = 0;
    }
  }
  return img;
}

}  // namespace beamkit::scattering
