# SPDX-License-Identifier: BSD-3-Clause
# Run by tests/tomo_mpi.cmake: single-process and 2-rank reconstructions of the same input, compared.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(_args recon ${INPUT} --center 13.2 --chunk 4 --no-checksum)
execute_process(COMMAND ${BEAMKIT} ${_args} -o ${WORK}/single.h5 RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "single-process run failed (${rc}): ${err}")
endif()
execute_process(COMMAND ${MPIEXEC} --allow-run-as-root --oversubscribe --mca btl self,vader ${NPFLAG} 2
                        ${BEAMKIT} ${_args} -o ${WORK}/mpi.h5
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "mpirun -np 2 failed (${rc}): ${out} ${err}")
endif()
if(NOT err MATCHES "2 MPI ranks")
  message(FATAL_ERROR "the 2-rank run did not run as 2 MPI ranks: ${err}")
endif()
file(GLOB _left ${WORK}/*.partial-*)
if(_left)
  message(FATAL_ERROR "partial files left behind: ${_left}")
endif()
# same data (to float rounding: identical chunks give identical slices), one valid file
execute_process(COMMAND ${H5DIFF} -d 1e-6 ${WORK}/single.h5 ${WORK}/mpi.h5 /exchange/data /exchange/data
                RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the 2-rank output differs from the single-process output: ${out}")
endif()
message(STATUS "mpirun -np 2 output equals the single-process output")
