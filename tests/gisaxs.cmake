# SPDX-License-Identifier: BSD-3-Clause
# CLI runs of `beamkit gisaxs` on the shipped examples and on a bad configuration (exit code 1).
add_test(NAME cli_gisaxs_cylinders
         COMMAND beamkit_cli gisaxs ${PROJECT_SOURCE_DIR}/examples/gisaxs/cylinders_on_si.json
                 -o ${CMAKE_CURRENT_BINARY_DIR}/gisaxs_cylinders.h5 --png ${CMAKE_CURRENT_BINARY_DIR}/gisaxs_cylinders.png)
add_test(NAME cli_gisaxs_grating
         COMMAND beamkit_cli gisaxs ${PROJECT_SOURCE_DIR}/examples/gisaxs/si_grating_trapezoid.json
                 -o ${CMAKE_CURRENT_BINARY_DIR}/gisaxs_grating.h5)
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/gisaxs_bad.json
     "{\"beam\": {\"wavelength\": 0.1, \"alpha_i\": 0.2}, \"detector\": {\"type\": \"spherical\", \"phi\": [-1, 1, 4], \"alpha\": [0, 1, 4]}, \"sample\": {\"layers\": [{}], \"layouts\": [{\"particles\": [{\"shape\": {\"type\": \"cylinder\", \"radius\": -5, \"height\": 5}}]}]}}")
add_test(NAME cli_gisaxs_bad_config
         COMMAND beamkit_cli gisaxs ${CMAKE_CURRENT_BINARY_DIR}/gisaxs_bad.json -o ${CMAKE_CURRENT_BINARY_DIR}/gisaxs_bad.h5)
set_tests_properties(cli_gisaxs_bad_config PROPERTIES
                     PASS_REGULAR_EXPRESSION "particles\\[0\\]\\.shape\\.radius must be > 0")
set_tests_properties(cli_gisaxs_cylinders cli_gisaxs_grating cli_gisaxs_bad_config PROPERTIES LABELS "integration")
