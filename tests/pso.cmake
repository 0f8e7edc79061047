# SPDX-License-Identifier: BSD-3-Clause
# PSO over MPI: the same answer from mpirun -np 2 (and -np 4 with fewer particles than ranks, the
# two-level layout) as from one process. Loopback only (btl self,vader), root allowed, oversubscribed.
if(BEAMKIT_ENABLE_MPI)
  find_package(MPI REQUIRED COMPONENTS CXX)
  add_executable(pso_mpi_test ${CMAKE_CURRENT_LIST_DIR}/mpi/pso_mpi_main.cpp)
  target_link_libraries(pso_mpi_test PRIVATE beamkit::beamkit MPI::MPI_CXX)
  foreach(_np 2 4)
    add_test(NAME fit.pso_mpi_np${_np}
             COMMAND ${MPIEXEC_EXECUTABLE} --allow-run-as-root --oversubscribe --mca btl self,vader
                     ${MPIEXEC_NUMPROC_FLAG} ${_np} $<TARGET_FILE:pso_mpi_test>)
    set_tests_properties(fit.pso_mpi_np${_np} PROPERTIES LABELS integration TIMEOUT 120
                         ENVIRONMENT "OMP_NUM_THREADS=1;OMP_PROC_BIND=false")
  endforeach()
endif()
