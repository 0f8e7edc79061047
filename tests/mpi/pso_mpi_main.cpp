// SPDX-License-Identifier: BSD-3-Clause
// mpirun -np P pso_mpi_test: the MPI PSO must give bit-for-bit the answer of a one-process run
// (every rank also runs the serial PSO locally and compares). Two layouts are exercised:
//   * 16 particles over P ranks (particles spread over ranks, one rank per group), and
//   * P/2 particles (fewer particles than ranks: groups of 2+ ranks share one evaluation; the
//     objective spreads its terms over the group's ranks and gathers them exactly).
// Exit code 0 on success; any mismatch prints the reason and exits 1.
#include <beamkit/fit/pso_mpi.hpp>
#include <cstdio>
#include <vector>

using namespace beamkit;
using namespace beamkit::fit;

namespace {
double rosen_terms(const double* x, int dim, MPI_Comm group) {
  int gs = 1, gr = 0;
  MPI_Comm_size(group, &gs);
  MPI_Comm_rank(group, &gr);
  // each group rank computes its share of the terms; the others stay exactly 0, so the
  // element-wise sum is exact and the total is summed in the serial order
  std::vector<double> t(std::size_t(dim - 1), 0.0), all(std::size_t(dim - 1), 0.0);
  for (int d = gr; d + 1 < dim; d += gs) {
    const double a = x[d + 1] - x[d] * x[d], b = 1 - x[d];
    t[std::size_t(d)] = 100 * a * a + b * b;
  }
  MPI_Allreduce(t.data(), all.data(), dim - 1, MPI_DOUBLE, MPI_SUM, group);
  double s = 0;
  for (double v : all) s += v;
  return s;
}

int compare(const char* what, const PsoResult& a, const PsoResult& b, int rank) {
  const bool same = a.cost == b.cost && a.x == b.x && a.history == b.history && a.evaluations == b.evaluations;
  if (!same) std::fprintf(stderr, "rank %d: %s: MPI result differs (cost %.17g vs serial %.17g)\n", rank, what, a.cost, b.cost);
  else if (rank == 0) std::printf("%s: identical to one process, cost %.6g after %d iterations\n", what, a.cost, a.iterations);
  return same ? 0 : 1;
}
}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int bad = 0, rank = 0, P = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &P);
  Kokkos::initialize(argc, argv);
  {
    const int dim = 6;
    const std::vector<double> lo(dim, -2.0), hi(dim, 2.0);
    auto serial = [&](const PsoOptions& o) {
      return pso_batch<Kokkos::DefaultHostExecutionSpace, double>(
          Kokkos::DefaultHostExecutionSpace(),
          [&](HostView2<const double> x, HostView1<double> f) {
            for (int i = 0; i < int(x.extent(0)); ++i) f(i) = rosen_terms(&x(i, 0), dim, MPI_COMM_SELF);
          },
          lo, hi, o);
    };
    PsoOptions o;
    o.max_iter = 200;
    o.seed = 2024;
    o.topology = Topology::ring;
    o.n_particles = 16;
    MpiLayout L = mpi_layout(MPI_COMM_WORLD, o.n_particles);
    if (L.n_groups != (P < 16 ? P : 16)) { std::fprintf(stderr, "layout: %d groups for %d ranks\n", L.n_groups, P); bad = 1; }
    MPI_Comm_free(&L.group_comm);
    bad |= compare("16 particles over ranks", pso_mpi(MPI_COMM_WORLD, rosen_terms, lo, hi, o), serial(o), rank);

    o.n_particles = P >= 2 ? P / 2 : 1;  // fewer particles than ranks: two-level layout
    o.topology = Topology::global;
    o.max_iter = 100;
    L = mpi_layout(MPI_COMM_WORLD, o.n_particles);
    if (P >= 2 && L.group_size < 2) { std::fprintf(stderr, "layout: group of %d ranks\n", L.group_size); bad = 1; }
    MPI_Comm_free(&L.group_comm);
    bad |= compare("groups of ranks per particle", pso_mpi(MPI_COMM_WORLD, rosen_terms, lo, hi, o), serial(o), rank);

    // the progress callback: rank 0's decision is broadcast
    int calls = 0;
    auto r = pso_mpi(MPI_COMM_WORLD, rosen_terms, lo, hi, o, [&](const PsoProgress& p) {
      ++calls;
      return rank == 0 && p.iteration == 3;
    });
    if (r.iterations != 3 || r.stop_reason != "callback") { std::fprintf(stderr, "rank %d: callback stop at %d\n", rank, r.iterations); bad = 1; }
  }
  Kokkos::finalize();
  int any = 0;
  MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Finalize();
  return any;
}
