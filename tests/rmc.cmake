# SPDX-License-Identifier: BSD-3-Clause
# RMC CLI checks (the full CLI runs are in tests/python/test_rmc.py, marked integration).
add_test(NAME cli.rmc_missing_file COMMAND beamkit_cli rmc ${CMAKE_CURRENT_BINARY_DIR}/no_such_pattern.tif
                                           -o ${CMAKE_CURRENT_BINARY_DIR}/rmc_never.h5 --loading 0.3)
set_tests_properties(cli.rmc_missing_file PROPERTIES LABELS unit WILL_FAIL TRUE)
add_test(NAME cli.rmc_missing_file_message COMMAND beamkit_cli rmc ${CMAKE_CURRENT_BINARY_DIR}/no_such_pattern.tif
                                                   -o ${CMAKE_CURRENT_BINARY_DIR}/rmc_never.h5 --loading 0.3)
set_tests_properties(cli.rmc_missing_file_message PROPERTIES LABELS unit
                     PASS_REGULAR_EXPRESSION "cannot open TIFF file '.*no_such_pattern.tif'")
