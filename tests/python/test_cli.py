# SPDX-License-Identifier: BSD-3-Clause
"""The beamkit CLI as a pipeline sees it: exit codes, one-line errors, outputs readable by h5py,
no output file after a failure."""
import subprocess

import h5py
import numpy as np
import pytest


def run(bin_, *args):
    return subprocess.run([bin_, *map(str, args)], capture_output=True, text=True, timeout=600)


def test_help_version_usage(beamkit_bin):
    r = run(beamkit_bin, "--help")
    assert r.returncode == 0 and "recon" in r.stdout and "demo" in r.stdout
    r = run(beamkit_bin, "--version")
    assert r.returncode == 0 and r.stdout.startswith("beamkit ")
    r = run(beamkit_bin, "recon", "--algorithm", "gridrec")  # missing input and -o
    assert r.returncode == 2
    r = run(beamkit_bin, "recon", "x.h5", "-o", "y.h5", "--algorithm", "magic")
    assert r.returncode == 2


@pytest.mark.integration
def test_demo_writes_hdf5_and_png(beamkit_bin, tmp_path):
    r = run(beamkit_bin, "demo", "-o", tmp_path, "--size", 64, "--slices", 2)
    assert r.returncode == 0, r.stderr
    rmse = float(r.stdout.split("phantom = ")[1].split()[0])
    assert rmse < 0.5
    with h5py.File(tmp_path / "phantom_recon.h5", "r") as f:
        assert f["/exchange/data"].shape == (2, 64, 64)
        assert f.attrs["algorithm"] == "gridrec"
    assert (tmp_path / "phantom_recon.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.integration
def test_recon_tooth(beamkit_bin, shared_data, tmp_path):
    out = tmp_path / "tooth.h5"
    r = run(beamkit_bin, "recon", shared_data / "tomopy/tooth.h5", "-o", out, "--center", 296.3,
            "--slices", "1:2", "--png", tmp_path / "t.png")
    assert r.returncode == 0, r.stderr
    assert "degrees" in r.stderr  # the units attribute of /exchange/theta
    with h5py.File(out, "r") as f:
        d = f["/exchange/data"]
        assert d.shape == (1, 640, 640) and d.dtype == np.float32 and d.chunks == (1, 640, 640)
        assert f.attrs["center"] == 296.3 and f.attrs["input_file"].endswith("tooth.h5")
        assert np.isfinite(d[()]).all() and d[()].max() > 0


@pytest.mark.integration
def test_recon_errors_leave_no_output(beamkit_bin, tmp_path):
    out = tmp_path / "out.h5"
    corrupt = tmp_path / "corrupt.h5"
    corrupt.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(1000))
    r = run(beamkit_bin, "recon", corrupt, "-o", out)
    assert r.returncode == 1 and "corrupt" in r.stderr and r.stderr.count("\n") == 1
    with h5py.File(tmp_path / "nodata.h5", "w") as f:
        f["/exchange/theta"] = np.zeros(3)
    r = run(beamkit_bin, "recon", tmp_path / "nodata.h5", "-o", out)
    assert r.returncode == 1 and "/exchange/data" in r.stderr
    with h5py.File(tmp_path / "angles.h5", "w") as f:
        f["/exchange/data"] = np.ones((5, 2, 16), np.float32)
        f["/exchange/theta"] = np.linspace(0, 3, 4)
    r = run(beamkit_bin, "recon", tmp_path / "angles.h5", "-o", out)
    assert r.returncode == 1 and "has 4 angles but /exchange/data has 5 projections" in r.stderr
    with h5py.File(tmp_path / "nan.h5", "w") as f:
        d = np.ones((5, 2, 16), np.float32)
        d[2, 1, 3] = np.nan
        f["/exchange/data"] = d
        f["/exchange/theta"] = np.linspace(0, 3, 5)
    r = run(beamkit_bin, "recon", tmp_path / "nan.h5", "-o", out)
    assert r.returncode == 1 and "non-finite" in r.stderr
    with h5py.File(tmp_path / "good.h5", "w") as f:
        f["/exchange/data"] = np.ones((5, 2, 16), np.float32)
        f["/exchange/theta"] = np.linspace(0, 3, 5)
    r = run(beamkit_bin, "recon", tmp_path / "good.h5", "-o", tmp_path / "no_such_dir" / "x.h5")
    assert r.returncode == 1 and "cannot create" in r.stderr
    assert not out.exists()
    assert not list(tmp_path.glob("*.partial-*"))


@pytest.mark.integration
def test_center_tooth(beamkit_bin, shared_data):
    r = run(beamkit_bin, "center", shared_data / "tomopy/tooth.h5")
    assert r.returncode == 0, r.stderr
    values = [float(line.split(":")[-1]) for line in r.stdout.splitlines() if line.startswith("center")]
    assert len(values) == 2 and all(abs(v - 296.3) < 1 for v in values)


@pytest.mark.integration
def test_python_example_runs(shared_data, tmp_path):
    import os
    import pathlib
    import sys

    example = pathlib.Path(__file__).resolve().parents[2] / "examples" / "python" / "tooth.py"
    r = subprocess.run([sys.executable, str(example), str(shared_data / "tomopy/tooth.h5"), str(tmp_path / "t.png")],
                       capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert r.returncode == 0, r.stderr
    assert "rotation centre 296." in r.stdout and (tmp_path / "t.png").exists()
