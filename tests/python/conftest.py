# SPDX-License-Identifier: BSD-3-Clause
import os
import pathlib

import pytest

HERE = pathlib.Path(__file__).resolve().parent
SHARED = pathlib.Path(os.environ.get("BEAMKIT_SHARED_DATA", HERE.parents[2] / "shared" / "data"))


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: long-running (minutes)")
    config.addinivalue_line("markers", "integration: real data files, CLI, MPI, peers")


@pytest.fixture(scope="session")
def shared_data():
    if not SHARED.is_dir():
        pytest.skip(f"shared data not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def beamkit_bin():
    b = pathlib.Path(os.environ.get("BEAMKIT_BIN", HERE.parents[1] / "build" / "bin")) / "beamkit"
    if not b.exists():
        pytest.fail(f"beamkit CLI not built at {b}")
    return str(b)


@pytest.fixture(scope="session")
def tooth(shared_data):
    """The tooth scan as line integrals: (proj [181][2][640] float32, theta in radians)."""
    import numpy as np

    import beamkit

    f = str(shared_data / "tomopy" / "tooth.h5")
    data = beamkit.io.read_h5(f, "/exchange/data")
    white = beamkit.io.read_h5(f, "/exchange/data_white").mean(axis=0)
    dark = beamkit.io.read_h5(f, "/exchange/data_dark").mean(axis=0)
    theta = np.radians(beamkit.io.read_h5(f, "/exchange/theta"))
    proj = -np.log(np.clip((data - dark) / (white - dark), 1e-6, None)).astype(np.float32)
    return proj, theta
