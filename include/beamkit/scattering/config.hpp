// SPDX-License-Identifier: BSD-3-Clause
// Host description of a GISAXS simulation (sample + instrument), the C++ mirror of the JSON/dict
// configuration documented in docs/gisaxs.md. parse_config() (src/scattering/config.cpp) validates the
// JSON and reports errors with the JSON path of the bad value, e.g.
//   "beamkit::gisaxs: $.sample.layouts[0].particles[1].shape.radius must be > 0, got -2".
#pragma once
#include <beamkit/scattering/formfactor.hpp>
#include <beamkit/scattering/interference.hpp>
#include <beamkit/scattering/superlattice.hpp>
#include <array>
#include <string>
#include <vector>

namespace beamkit::scattering {

struct Material {
  double delta = 0, beta = 0;
};

struct ShapeSpec {
  Shape shape = Shape::sphere;
  std::array<double, 6> p{};  ///< lengths in nm, angles in rad (see Shape)
  double rotation = 0;        ///< about z, rad (used when `general` is false)
  bool general = false;       ///< a sequence of rotations about x/y/z: matrix `R` (row-major, active)
  std::array<double, 9> R{1, 0, 0, 0, 1, 0, 0, 0, 1};
  std::vector<double> mesh_v; ///< mesh vertices (x, y, z), nm
  std::vector<int> mesh_t;    ///< mesh triangles
};

struct SizeDistribution {
  enum Kind { none, gaussian, lognormal, schulz } kind = none;
  std::vector<int> params;  ///< indices into ShapeSpec::p that are scaled together
  double sigma = 0;         ///< gaussian/schulz: absolute sigma (nm); lognormal: scale parameter of log
  int samples = 1;
  double nsigma = 2;
  double min = 0, max = 0;  ///< optional limits of the sampled range (BornAgain RealLimits); max <= min: none
};

/// Distribution of the rotation angle about z (added to the shape's rotation): gaussian (sigma, nsigma,
/// samples) or gate (uniform in [min, max], samples), angles in rad.
struct OrientationDistribution {
  enum Kind { none, gaussian, gate } kind = none;
  double sigma = 0, nsigma = 2, min = 0, max = 0;
  int samples = 1;
};

/// A 3-D superlattice (grain) of the particle: lattice type, constants (nm) and repetitions. The cell
/// is the conventional cubic one (a x a x a) for sc/bcc/fcc and the hexagonal one (a, a at 120 deg, c)
/// for hcp; the grain's bottom particle sits at the particle's z and the grain grows upwards.
struct SuperlatticeSpec {
  Lattice3D kind = Lattice3D::none;
  double a = 0, c = 0;
  int n[3] = {1, 1, 1};
};

struct ParticleSpec {
  ShapeSpec shape;
  Material material;
  bool core_shell = false;
  ShapeSpec core;  ///< core shape (core-shell), positioned at core_offset_z above the shell's bottom
  Material core_material;
  double core_offset_z = 0;
  double abundance = 1;
  double z = 0;  ///< bottom of the particle relative to the top of its layer (ambient: the surface), nm
  SizeDistribution distribution;
  OrientationDistribution orientation;
  SuperlatticeSpec lattice;
};

struct InterferenceSpec {
  Interference kind = Interference::none;
  // radial paracrystal
  double peak_distance = 0, damping_length = 0, omega = 0, domain_size = 0;
  Profile profile = Profile::gauss;
  // lattices (lengths nm, angles rad)
  double a = 0, b = 0, alpha = 0, xi = 0, decay_x = 0, decay_y = 0, gamma = 0;
  // 2-D paracrystal: damping_length, domain sizes, and the two 2-D pdfs (profile, omega x/y, gamma)
  double domain1 = 0, domain2 = 0;
  Profile pdf1 = Profile::gauss, pdf2 = Profile::gauss;
  double w1x = 0, w1y = 0, g1 = 0, w2x = 0, w2y = 0, g2 = 0;
  double kappa = 0;  ///< radial paracrystal: size-spacing coupling (SSCA)
};

struct LayoutSpec {
  int layer = 0;
  std::vector<ParticleSpec> particles;
  InterferenceSpec interference;
  enum Approx { da = 0, lma = 1, ssca = 2 } approximation = da;
  double density = 0.01;  ///< particles per nm^2 (lattices: 1/cell area unless given)
  bool density_given = false;
};

struct LayerSpec {
  Material material;
  double thickness = 0, roughness = 0;
};

struct Mask {
  double x0, x1, y0, y1;  ///< rectangle in detector axis units (deg for spherical, mm for flat); inclusive
};

struct DetectorSpec {
  enum Kind { spherical, flat } kind = spherical;
  int nphi = 0, nalpha = 0;                               // spherical (deg)
  double phi_min = 0, phi_max = 0, alpha_min = 0, alpha_max = 0;
  int nx = 0, ny = 0;                                     // flat: pixels, mm
  double distance = 0, pixel_x = 0, pixel_y = 0, u0 = 0, v0 = 0;
  std::vector<Mask> masks;
  /// Gaussian detector resolution (standard deviations along the detector's x = phi_f and y = alpha_f
  /// axes, in its units: deg for spherical, mm for flat); 0 = none.
  double res_x = 0, res_y = 0;
};

/// Distribution of a beam parameter (divergence / wavelength spread), sampled as BornAgain does:
/// gaussian: `samples` equidistant points in mean +- nsigma*sigma, weights ~ pdf; lognormal (median =
/// the beam value, sigma = scale of log): points in median*exp(+-nsigma*sigma), weights ~ pdf;
/// gate: points min + i (max - min)/(samples - 1), weight 1/(max - min) where min <= x <= max.
/// Weights are normalised to sum 1; the image is the weighted sum over all combinations.
struct BeamDistribution {
  enum Kind { none, gaussian, lognormal, gate } kind = none;
  double sigma = 0, nsigma = 2, min = 0, max = 0;  ///< angles in rad, wavelength in nm
  int samples = 1;
};

struct Config {
  double wavelength = 0.1;  ///< nm
  double alpha_i = 0;       ///< rad
  double phi_i = 0;         ///< rad, azimuth of the incoming beam
  BeamDistribution div_wavelength, div_alpha, div_phi;
  double intensity = 1;
  bool born = false;
  int quadrature_order = 0;  ///< 0: chosen from the detector's q range
  bool single_precision = false;
  std::vector<LayerSpec> layers;  ///< [0] ambient ... [last] substrate
  std::vector<LayoutSpec> layouts;
  DetectorSpec detector;
};

/// Parse and validate a JSON text; `where` prefixes error messages.
Config parse_config(const std::string& json_text);
/// Parse one shape object (as under "shape" in a particle); path prefixes errors.
ShapeSpec parse_shape_json(const std::string& json_text);
/// Parse one interference object (as under "interference" in a layout).
InterferenceSpec parse_interference_json(const std::string& json_text);
/// Read a mesh from an OBJ or STL (ASCII or binary) file; scale multiplies the coordinates.
void read_mesh(const std::string& file, double scale, std::vector<double>& v, std::vector<int>& t);
/// Volume of a shape (nm^3), host.
double shape_volume(const ShapeSpec& s);
/// Radial (in-plane) extension of a shape used by the SSCA (BornAgain's radialExtension for the round
/// shapes: the radius; elliptic: (a + b)/2; polygonal: half the base edge/length), host.
double radial_extension(const ShapeSpec& s);
/// (value, weight) samples of a beam distribution around `mean` (weights sum to 1).
std::vector<std::pair<double, double>> beam_samples(const BeamDistribution& d, double mean);
/// Convolve a rows x cols image (row 0 = top) with a bin-integrated Gaussian of sigma_x/sigma_y
/// pixels along the columns/rows (zero outside the image).
void apply_resolution(std::vector<double>& img, int rows, int cols, double sigma_x, double sigma_y);
/// Height (z extent) of a shape, host.
double shape_height(const ShapeSpec& s);
/// Gauss-Legendre nodes/weights on [-1,1] for all orders 1..kMaxGL, order n at offset n(n-1)/2.
void gauss_legendre_tables(std::vector<double>& x, std::vector<double>& w);

}  // namespace beamkit::scattering
