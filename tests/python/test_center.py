# SPDX-License-Identifier: BSD-3-Clause
"""Rotation-centre finding by two independent methods: synthetic data with a known off-centre axis,
the tooth scan (TomoPy's published 296.3), the Savu TIFF set (85.8 as a 0-based pixel centre =
86.3 in TomoPy's convention)."""
import glob

import numpy as np
import pytest

import beamkit


def test_synthetic_known_axis():
    n, true_c = 256, 256 / 2 + 3.37
    theta = np.linspace(0, np.pi, 181)  # includes 0 and 180 degrees
    ph = beamkit.shepp_logan_3d(n, nz=3) * 0.01
    proj = beamkit.project(ph, theta, center=true_c, pad=False)
    c_pc = beamkit.find_center_pc(proj[0], proj[-1])
    c_ent = beamkit.find_center(proj, theta, init=n / 2, radius=8)
    assert abs(c_pc - true_c) < 0.25, c_pc
    assert abs(c_ent - true_c) < 0.25, c_ent


@pytest.mark.integration
def test_tooth(tooth):
    proj, theta = tooth
    assert abs(beamkit.find_center_pc(proj[0], proj[-1]) - 296.3) < 1  # measured 296.35
    assert abs(beamkit.find_center(proj, theta, init=320, radius=40) - 296.3) < 1  # measured 296.44


@pytest.mark.integration
def test_savu_tiffs(shared_data):
    tifffile = pytest.importorskip("tifffile")
    d = shared_data / "savu" / "image_test"
    files = sorted(glob.glob(str(d / "tiffs" / "raw_*.tiff")))
    raw = np.stack([tifffile.imread(f) for f in files]).astype(np.float64)
    flat = tifffile.imread(str(d / "flat_00001.tiff")).astype(np.float64)
    dark = tifffile.imread(str(d / "dark_00001.tiff")).astype(np.float64)
    angles = np.radians(np.loadtxt(d / "angles.txt")[10:10 + len(files)])  # -88.2 .. 91.8 degrees
    proj = -np.log(np.clip((raw - dark) / np.maximum(flat - dark, 1e-6), 1e-6, None))
    assert abs(beamkit.find_center_pc(proj[0], proj[-1]) - 86.3) < 1  # measured 86.24
    assert abs(beamkit.find_center(proj.astype(np.float32), angles, radius=20) - 86.3) < 1  # measured 86.53


def test_center_errors():
    with pytest.raises(ValueError, match="differ in shape"):
        beamkit.find_center_pc(np.ones((3, 10)), np.ones((3, 11)))
    with pytest.raises(ValueError, match="non-finite"):
        beamkit.find_center_pc(np.full((2, 10), np.nan), np.ones((2, 10)))
    with pytest.raises(ValueError, match="'ind' = 7 is outside"):
        beamkit.find_center(np.ones((10, 2, 16)), np.linspace(0, np.pi, 10), ind=7)
