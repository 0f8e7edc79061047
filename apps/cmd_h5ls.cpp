// SPDX-License-Identifier: BSD-3-Clause
// `beamkit h5info FILE DATASET`: shape and type of a dataset (a quick check that beamkit can read it).
#include "cli_common.hpp"
#include <iostream>

void cmd_h5ls(CLI::App& app) {
  auto* sub = app.add_subcommand("h5info", "Print the shape and type of an HDF5 dataset");
  auto file = std::make_shared<std::string>();
  auto dset = std::make_shared<std::string>();
  sub->add_option("file", *file, "HDF5 file")->required();
  sub->add_option("dataset", *dset, "dataset path, e.g. /exchange/data")->required();
  beamkit::cli::on_run(sub, [file, dset] {
    const auto info = beamkit::io::dataset_info(*file, *dset);
    std::cout << *dset << ": (";
    for (std::size_t k = 0; k < info.dims.size(); ++k) std::cout << (k ? ", " : "") << info.dims[k];
    std::cout << ") " << beamkit::io::dtype_name(info.type) << "\n";
  });
}
