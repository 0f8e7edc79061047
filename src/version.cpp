// SPDX-License-Identifier: BSD-3-Clause
#include <beamkit/beamkit.hpp>
#include <beamkit/config.hpp>
#if BEAMKIT_HAS_HDF5
#include <hdf5.h>
#endif
#include <fftw3.h>
#include <sstream>

namespace beamkit {

std::string version() { return BEAMKIT_VERSION_STRING; }

std::string config_summary() {
  std::ostringstream os;
  unsigned h5maj = 0, h5min = 0, h5rel = 0;
#if BEAMKIT_HAS_HDF5
  H5get_libversion(&h5maj, &h5min, &h5rel);
#endif
  os << "beamkit " << BEAMKIT_VERSION_STRING << "\n"
     << "  Kokkos " << kokkos_version_string() << ", devices built: " << BEAMKIT_KOKKOS_DEVICES << "\n"
     << "  default execution space: " << Kokkos::DefaultExecutionSpace::name();
  if (Kokkos::is_initialized())
    os << " (concurrency " << Kokkos::DefaultExecutionSpace().concurrency() << ")";
  else
    os << " (Kokkos not initialised yet)";
  os << "\n  host execution space: " << Kokkos::DefaultHostExecutionSpace::name() << "\n"
     << "  FFT: " << fftw_version << (BEAMKIT_HAS_FFTW_OMP ? " (OpenMP planner)" : "")
     << (BEAMKIT_HAS_CUFFT ? ", cuFFT" : "") << "\n"
     << "  HDF5 " << h5maj << "." << h5min << "." << h5rel << "\n"
     << "  MPI: " << (BEAMKIT_HAS_MPI ? "yes" : "no") << "\n";
  return os.str();
}

}  // namespace beamkit
