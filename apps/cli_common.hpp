// SPDX-License-Identifier: BSD-3-Clause
// Shared pieces of the beamkit CLI. Exit codes: 0 success, 1 runtime error (bad data, I/O, bad
// values), 2 usage error (unknown option, missing argument). Reasons go to stderr, one line.
#pragma once
#include <CLI/CLI.hpp>
#include <beamkit/beamkit.hpp>
#include <functional>
#include <string>

namespace beamkit::cli {
/// Attach the action that runs when subcommand `sub` was chosen (after parsing, with Kokkos running).
void on_run(CLI::App* sub, std::function<void()> action);
/// Messages for the user go to stderr, results to stdout (so pipelines can capture them).
void info(const std::string& msg);
/// Whether progress output is wanted (--quiet turns it off).
bool verbose();
}  // namespace beamkit::cli
