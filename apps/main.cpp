// SPDX-License-Identifier: BSD-3-Clause
// `beamkit`: the command-line tool for pipelines. Subcommands come from cmd_*.cpp.
#include "cli_common.hpp"
#include <cmd_all.hpp>
#include <iostream>
#include <map>

namespace beamkit::cli {
namespace {
bool g_quiet = false;
std::map<const CLI::App*, std::function<void()>>& actions() {
  static std::map<const CLI::App*, std::function<void()>> a;
  return a;
}
}  // namespace
void on_run(CLI::App* sub, std::function<void()> action) { actions()[sub] = std::move(action); }
void info(const std::string& msg) {
  if (!g_quiet) std::cerr << msg << std::endl;
}
bool verbose() { return !g_quiet; }
}  // namespace beamkit::cli

int main(int argc, char** argv) {
  CLI::App app{"beamkit " BEAMKIT_VERSION_STRING
               ": numerical kernels for synchrotron light sources (tomography, GISAXS, fitting, RMC)"};
  app.set_version_flag("--version", std::string("beamkit ") + BEAMKIT_VERSION_STRING);
  int threads = 0;
  app.add_option("--threads", threads, "Host threads (default: OMP_NUM_THREADS or all cores)")
      ->check(CLI::NonNegativeNumber);
  bool quiet = false;
  app.add_flag("-q,--quiet", quiet, "No progress output on stderr");
  app.require_subcommand(1);
  add_all_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the reason and the usage hint
    return 2;
  }
  beamkit::cli::g_quiet = quiet;
  try {
    std::vector<std::string> args = {argv[0], "--kokkos-disable-warnings"};
    if (threads > 0) args.push_back(beamkit::kokkos_num_threads_flag(threads));
    std::vector<char*> kargv;
    for (auto& a : args) kargv.push_back(a.data());
    int kargc = int(kargv.size());
    Kokkos::ScopeGuard guard(kargc, kargv.data());
    for (auto* sub : app.get_subcommands()) {
      auto it = beamkit::cli::actions().find(sub);
      if (it != beamkit::cli::actions().end()) it->second();
    }
  } catch (const beamkit::error& e) {
    std::cerr << "beamkit: error: " << e.what() << std::endl;
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "beamkit: error: " << e.what() << std::endl;
    return 1;
  }
  return 0;
}
