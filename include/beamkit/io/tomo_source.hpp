// SPDX-License-Identifier: BSD-3-Clause
// Projection sources: one interface over the raw-data layouts of tomography beamlines, reading only
// the detector rows (slices) asked for. Compiled in src/io/tomo_source.cpp.
//
//   dxchange  HDF5 Data Exchange (APS/ALS/dxchange): /exchange/data [angles][slices][det],
//             /exchange/theta, optional /exchange/data_white and /exchange/data_dark [frames][slices][det].
//   nxtomo    NeXus NXtomo: one [frames][slices][det] stack whose frames are projections, flats or darks
//             by `image_key` (0, 1, 2; 3 = invalid, skipped), angles from `rotation_angle`; datasets
//             may sit behind HDF5 external links (resolved by the HDF5 library, relative to the file).
//   tiff      a directory of single-image TIFFs [slices][det]: flat*.tif(f) and dark*.tif(f) are the
//             flats and darks, the other TIFFs (or, when there are none, those of the one sub-directory
//             holding TIFFs) the projections in name order; the angles come from a text file.
//
// Angles are returned in radians. Their unit is taken from, in order: TomoSourceOptions::theta_unit
// ("deg"/"rad"), a `units` attribute on the angle dataset, else it is guessed: degrees when any
// |angle| > 2 pi + 0.01, radians otherwise (so a scan stored in degrees that spans less than 6.3
// degrees is misread: give theta_unit). Every such decision is recorded in notes().
#pragma once
#include <beamkit/core/error.hpp>
#include <memory>
#include <string>
#include <vector>

namespace beamkit::io {

struct TomoSourceOptions {
  std::string theta_unit = "auto";  ///< auto | deg | rad
  std::string format = "auto";      ///< auto | dxchange | nxtomo | tiff
  // NeXus: dataset paths inside the file (empty: discovered, see tomo_source.hpp).
  std::string data_path, image_key_path, angles_path;
  // TIFF stacks: the angles file (empty: the one *.txt in the directory) and how many of its leading
  // entries to skip (-1: none when the count matches the projections, else the middle block).
  std::string angles_file;
  int angles_skip = -1;
};

class TomoSource {
public:
  virtual ~TomoSource() = default;
  /// "dxchange", "nxtomo" or "tiff".
  virtual const char* format() const = 0;
  int n_angles() const { return m_angles; }
  int n_slices() const { return m_slices; }
  int n_det() const { return m_det; }
  int n_flats() const { return m_flats; }
  int n_darks() const { return m_darks; }
  /// Projection angles in radians, n_angles() of them.
  const std::vector<double>& theta() const { return m_theta; }
  /// The path given to open_tomo_source.
  const std::string& path() const { return m_path; }
  /// The files whose bytes define the data (for checksums): the HDF5 file, or the TIFFs + angles file.
  const std::vector<std::string>& files() const { return m_files; }
  /// Assumptions made while opening (angle unit, angle-file block, dataset paths found), one a line.
  const std::vector<std::string>& notes() const { return m_notes; }
  /// Where the data live, for messages and provenance (e.g. "/exchange/data").
  const std::string& data_location() const { return m_location; }

  /// Slices [s0, s0 + count) of the projections as float32, C order [n_angles][count][n_det].
  virtual void read_projections(int s0, int count, float* out) const = 0;
  /// The same slices of the flats [n_flats][count][n_det] and darks [n_darks][count][n_det].
  virtual void read_flats(int s0, int count, float* out) const = 0;
  virtual void read_darks(int s0, int count, float* out) const = 0;

protected:
  void check_range(int s0, int count) const;
  int m_angles = 0, m_slices = 0, m_det = 0, m_flats = 0, m_darks = 0;
  std::vector<double> m_theta;
  std::string m_path, m_location;
  std::vector<std::string> m_files, m_notes;
};

/// Which layout `path` holds ("dxchange", "nxtomo", "tiff"); throws errc::io naming what is missing.
std::string detect_tomo_format(const std::string& path);

/// Open a projection source (reads only metadata and angles; data are read per slice range).
std::unique_ptr<TomoSource> open_tomo_source(const std::string& path, const TomoSourceOptions& opt = {});

/// Angles to radians by the unit rule above; `unit_attr` is the stored unit ("" if none), `what`
/// names the angles in the note appended to `notes`.
std::vector<double> angles_to_radians(std::vector<double> v, const std::string& unit, const std::string& unit_attr,
                                      const std::string& what, std::vector<std::string>& notes);

}  // namespace beamkit::io
