# SPDX-License-Identifier: BSD-3-Clause
"""Module basics: import, config, FFT facade vs numpy.fft, HDF5 round trip and errors."""
import io as _io

import numpy as np
import pytest

import beamkit


def test_version_and_config():
    assert beamkit.__version__.count(".") == 2
    buf = _io.StringIO()
    beamkit.show_config(file=buf)
    text = buf.getvalue()
    assert "Kokkos" in text and "OPENMP" in text and "numpy" in text
    assert beamkit.num_threads() >= 1


@pytest.mark.parametrize("dtype,tol", [(np.complex64, 1e-5), (np.complex128, 1e-12)])
def test_fft_matches_numpy(dtype, tol):
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((5, 37)) + 1j * rng.standard_normal((5, 37))).astype(dtype)
    ref = np.fft.fft(x.astype(np.complex128))
    assert np.abs(beamkit.fft.fft(x) - ref).max() < tol * np.abs(ref).max()
    assert np.abs(beamkit.fft.ifft(x) - np.fft.ifft(x.astype(np.complex128))).max() < tol
    y = x.reshape(5, 37)[:4, :36].reshape(4, 6, 6)  # non-contiguous input is converted once
    assert np.allclose(beamkit.fft.fft2(y), np.fft.fft2(y), atol=tol * 100)
    r = rng.standard_normal((3, 64))
    assert np.allclose(beamkit.fft.rfft(r), np.fft.rfft(r), atol=1e-12)


def test_hdf5_round_trip_and_errors(tmp_path):
    f = tmp_path / "out.h5"
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    beamkit.io.write_h5(str(f), {"/exchange/data": a, "/n": np.arange(3)}, {"/exchange/data/units": "counts", "scale": 2.5})
    b = beamkit.io.read_h5(str(f), "/exchange/data")
    assert b.dtype == np.float32 and np.array_equal(a, b)
    s = beamkit.io.read_h5(str(f), "/exchange/data", axis=1, start=1, stop=3)
    assert np.array_equal(s, a[:, 1:3])
    assert beamkit.io.read_attribute(str(f), "/exchange/data", "units") == "counts"
    assert beamkit.io.read_attribute(str(f), "/", "scale") == 2.5
    assert beamkit.io.dataset_info(str(f), "/exchange/data") == ((2, 3, 4), "float32")
    import h5py  # independent reader

    with h5py.File(f, "r") as h:
        assert np.array_equal(h["/exchange/data"][()], a)
    with pytest.raises(OSError, match="no such file"):
        beamkit.io.read_h5(str(tmp_path / "missing.h5"), "/x")
    with pytest.raises(OSError, match="has no dataset '/nope'"):
        beamkit.io.read_h5(str(f), "/nope")
    with pytest.raises(ValueError, match="outside axis 1"):
        beamkit.io.read_h5(str(f), "/exchange/data", axis=1, start=0, stop=9)
    bad = tmp_path / "corrupt.h5"
    bad.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(range(256)) * 4)
    with pytest.raises(OSError):
        beamkit.io.read_h5(str(bad), "/x")
    with pytest.raises(OSError, match="cannot create"):
        beamkit.io.write_h5(str(tmp_path / "no_dir" / "x.h5"), {"/a": a})
    assert not list(tmp_path.glob("*.partial-*"))


def test_png(tmp_path):
    img = np.outer(np.linspace(0, 1, 20), np.ones(30))
    p = tmp_path / "x.png"
    beamkit.io.write_png(str(p), img, cmap="viridis")
    assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    import matplotlib.image as mpimg

    pic = mpimg.imread(str(p))
    assert pic.shape[:2] == (20, 30)
    assert pic[0].mean() < pic[-1].mean()  # dark to bright down the rows
    with pytest.raises(ValueError, match="unknown cmap 'jet'"):
        beamkit.io.write_png(str(p), img, cmap="jet")
    with pytest.raises(ValueError, match="'image' must have 2 dimensions"):
        beamkit.io.write_png(str(p), np.zeros(5))
