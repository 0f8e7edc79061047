// SPDX-License-Identifier: BSD-3-Clause
// `beamkit info`: versions, backends and thread count (what a bug report needs).
#include "cli_common.hpp"
#include <iostream>

void cmd_info(CLI::App& app) {
  auto* sub = app.add_subcommand("info", "Print beamkit's configuration: versions, Kokkos backends, threads");
  beamkit::cli::on_run(sub, [] { std::cout << beamkit::config_summary(); });
}
