# SPDX-License-Identifier: BSD-3-Clause
# `beamkit recon` under mpirun -np 2 (loopback: btl self,vader; root allowed; oversubscribed) writes one
# HDF5 file equal to the single-process output (the real NeXus scan, 22 slices in chunks of 4, so
# the ranks take chunks in turn and rank 0 gathers them).
if(BEAMKIT_ENABLE_MPI AND BEAMKIT_SHARED_DATA)
  find_package(MPI REQUIRED COMPONENTS CXX)
  find_program(BEAMKIT_H5DIFF h5diff)
  add_test(NAME tomo.recon_mpi_np2
           COMMAND ${CMAKE_COMMAND} -DBEAMKIT=$<TARGET_FILE:beamkit_cli> -DMPIEXEC=${MPIEXEC_EXECUTABLE}
                   -DNPFLAG=${MPIEXEC_NUMPROC_FLAG} -DH5DIFF=${BEAMKIT_H5DIFF}
                   -DINPUT=${BEAMKIT_SHARED_DATA}/httomo_k11_diad/k11-18014.nxs -DWORK=${CMAKE_CURRENT_BINARY_DIR}/tomo_mpi
                   -P ${CMAKE_CURRENT_LIST_DIR}/mpi/tomo_mpi_check.cmake)
  set_tests_properties(tomo.recon_mpi_np2 PROPERTIES LABELS integration TIMEOUT 300
                       ENVIRONMENT "OMP_NUM_THREADS=1;OMP_PROC_BIND=false")
endif()
