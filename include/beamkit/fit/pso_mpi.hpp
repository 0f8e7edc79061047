// SPDX-License-Identifier: BSD-3-Clause
// PSO over MPI (only when beamkit was configured with BEAMKIT_ENABLE_MPI and the program links MPI).
// Two-level layout (as HipGISAXS used on thousands of nodes): the P ranks of `comm` are split into
// G = min(P, n_particles) groups of ~P/G consecutive ranks (MPI_Comm_split); particle i is evaluated
// by group i mod G, all ranks of that group calling the objective collectively with the group
// communicator (so one expensive evaluation can itself be spread over ranks). The costs are combined
// by an MPI_Allreduce(MIN) in which every particle has exactly one finite contribution -- exact, so
// every rank holds the same swarm, and the result is bit-identical to a one-process run.
// The swarm itself (cheap) is replicated on every rank with the same seed.
#pragma once
#include <beamkit/config.hpp>
#if BEAMKIT_HAS_MPI
#include <beamkit/fit/pso.hpp>
#include <mpi.h>
#include <limits>
#include <vector>

namespace beamkit::fit {

/// Where this rank sits in the two-level layout.
struct MpiLayout {
  int n_groups = 1;   ///< G
  int group = 0;      ///< this rank's group
  int group_size = 1, group_rank = 0;
  MPI_Comm group_comm = MPI_COMM_NULL;  ///< owned by the caller of mpi_layout (MPI_Comm_free)
};

/// Split `comm` for a swarm of n_particles.
inline MpiLayout mpi_layout(MPI_Comm comm, int n_particles) {
  check::positive(n_particles, "beamkit::fit::mpi_layout", "n_particles");
  int P = 1, rank = 0;
  MPI_Comm_size(comm, &P);
  MPI_Comm_rank(comm, &rank);
  MpiLayout L;
  L.n_groups = P < n_particles ? P : n_particles;
  const int per = P / L.n_groups;
  L.group = rank / per < L.n_groups - 1 ? rank / per : L.n_groups - 1;  // leftover ranks join the last group
  MPI_Comm_split(comm, L.group, rank, &L.group_comm);
  MPI_Comm_size(L.group_comm, &L.group_size);
  MPI_Comm_rank(L.group_comm, &L.group_rank);
  return L;
}

/// Objective evaluated collectively by the ranks of one group: x[dim] -> cost (used from group rank 0).
using GroupObjective = std::function<double(const double* x, int dim, MPI_Comm group)>;

/// PSO with particles spread over the ranks of `comm` (collective over comm). The progress callback
/// runs on every rank; rank 0's decision to stop is broadcast.
template <class ExecSpace = Kokkos::DefaultHostExecutionSpace>
PsoResult pso_mpi(MPI_Comm comm, const GroupObjective& f, const std::vector<double>& lo, const std::vector<double>& hi,
                  const PsoOptions& opt = {}, const PsoCallback& cb = {}, const ExecSpace& space = ExecSpace()) {
  MpiLayout L = mpi_layout(comm, opt.n_particles);
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> local(std::size_t(opt.n_particles)), global(std::size_t(opt.n_particles));
  auto batch = [&](HostView2<const double> x, HostView1<double> F) {
    const int n = int(x.extent(0)), dim = int(x.extent(1));
    for (int i = 0; i < n; ++i) {
      local[std::size_t(i)] = inf;
      if (i % L.n_groups != L.group) continue;
      const double v = f(&x(i, 0), dim, L.group_comm);
      if (L.group_rank == 0) local[std::size_t(i)] = v == v ? v : inf;
    }
    MPI_Allreduce(local.data(), global.data(), n, MPI_DOUBLE, MPI_MIN, comm);
    for (int i = 0; i < n; ++i) F(i) = global[std::size_t(i)];
  };
  PsoCallback cb_all;
  if (cb) {
    cb_all = [&](const PsoProgress& p) {
      int stop = cb(p) ? 1 : 0;
      MPI_Bcast(&stop, 1, MPI_INT, 0, comm);
      return stop != 0;
    };
  }
  PsoResult r;
  try {
    r = pso_batch<ExecSpace, double>(space, batch, lo, hi, opt, cb_all);
  } catch (...) {
    MPI_Comm_free(&L.group_comm);
    throw;
  }
  MPI_Comm_free(&L.group_comm);
  return r;
}

}  // namespace beamkit::fit
#endif  // BEAMKIT_HAS_MPI
