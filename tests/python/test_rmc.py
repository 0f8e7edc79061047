# SPDX-License-Identifier: BSD-3-Clause
"""beamkit.rmc: disc model recovery, orientation of the written model, reported chi2 vs numpy,
reproducibility (seed, thread count), callback, input errors, TIFF reading, CLI."""
import os
import subprocess
import sys

import numpy as np
import pytest

import beamkit
from beamkit import rmc


def discs(n, rad, loading, seed):
    """Random non-overlapping discs in a periodic n x n tile up to `loading`."""
    rng = np.random.default_rng(seed)
    m = np.zeros((n, n), np.uint8)
    yy, xx = np.mgrid[0:n, 0:n] + 0.5
    centres = []
    for _ in range(20000):
        if m.sum() >= loading * n * n:
            break
        c = rng.uniform(0, n, 2)
        ok = True
        for p in centres:
            d = np.abs(p - c)
            d = np.minimum(d, n - d)
            if (d**2).sum() < 4.4 * rad * rad:
                ok = False
                break
        if not ok:
            continue
        centres.append(c)
        dy = np.abs(yy - c[0])
        dy = np.minimum(dy, n - dy)
        dx = np.abs(xx - c[1])
        dx = np.minimum(dx, n - dx)
        m[dy * dy + dx * dx <= rad * rad] = 1
    return m


def power(model):
    return np.fft.fftshift(np.abs(np.fft.fft2(model.astype(float))) ** 2)


def inner_rel_error(pattern, data, frac=8):
    n = data.shape[0]
    ky, kx = np.mgrid[0:n, 0:n] - n // 2
    sel = (ky**2 + kx**2 <= (n // frac) ** 2) & ~((ky == 0) & (kx == 0))
    return np.sqrt(((pattern - data)[sel] ** 2).sum() / (data[sel] ** 2).sum())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_discs_low_q_pattern_recovered_from_random_start(dtype):
    n = 64
    truth = discs(n, 3.2, 0.2, 17)
    data = power(truth)
    nf = int(truth.sum())
    res = rmc.run(data, loading=nf / n**2, n_moves=30 * nf, seed=7, dtype=dtype)
    err = inner_rel_error(res.pattern, data)
    # a random model of the same loading, scaled optimally, is far off: the criterion can fail
    rnd = np.zeros(n * n, np.uint8)
    rnd[np.random.default_rng(1).permutation(n * n)[:nf]] = 1
    p = power(rnd.reshape(n, n))
    s = (p * data).sum() / (p * p).sum()
    assert inner_rel_error(s * p, data) > 0.5
    assert err < 0.1, err
    assert res.trace_chi2[0, -1] < 0.2 * res.trace_chi2[0, 0]
    assert int(res.model.sum()) == nf and res.filled == nf
    assert res.moves == 30 * nf and res.max_drift < 1e-3


def test_written_model_is_the_fitted_one_not_transposed(tmp_path):
    h5py = pytest.importorskip("h5py")
    n = 32
    truth = np.zeros((n, n), np.uint8)
    truth[3:15, 5] = 1          # an L and a thick bar: not symmetric under transposition
    truth[14, 5:11] = 1
    truth[22:25, 16:29] = 1
    data = power(truth)
    assert np.abs(power(truth.T) - data).max() > 1  # a transposed model would show
    res = rmc.run(data, loading=truth.sum() / n**2, n_moves=500, t_start=0, initial=truth, seed=3)
    f = tmp_path / "out.h5"
    res.save(str(f))
    with h5py.File(f, "r") as h:
        model = h["/rmc/model"][()]
        pattern = h["/rmc/pattern"][()]
        scale, bg = h["/rmc/scale"][0], h["/rmc/background"][0]
        written_data = h["/rmc/data"][()]
        assert h["/rmc/trace/chi2"].shape[0] == 1 and h["/rmc/trace/acceptance"].shape == h["/rmc/trace/chi2"].shape
    assert np.array_equal(model, truth)
    expect = scale * power(model) + bg  # numpy's FFT of the model on disk
    mask = np.ones((n, n), bool)
    mask[n // 2, n // 2] = False  # q = 0 is not fitted
    assert np.allclose(expect[mask], pattern[mask], rtol=1e-9, atol=1e-9 * pattern.max())
    assert np.allclose(written_data, data)
    assert np.allclose(pattern[mask], data[mask], rtol=1e-9, atol=1e-6)
    png = tmp_path / "out.png"
    res.save_png(str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_reported_chi2_scale_and_mask_match_numpy():
    n = 48
    rng = np.random.default_rng(5)
    truth = discs(n, 2.5, 0.25, 3)
    data = power(truth) * 2.0 + rng.normal(0, 5, (n, n))
    sigma = np.sqrt(np.abs(data) + 10)
    mask = np.zeros((n, n), bool)
    mask[:, :4] = True       # a detector gap
    mask[20:28, 20:28] = True  # the beam stop
    res = rmc.run(data, loading=0.25, n_moves=3000, seed=1, mask=mask, sigma=sigma, background="fit", dtype=np.float64)
    w = np.where(mask, 0.0, 1.0 / sigma**2)
    w[n // 2, n // 2] = 0
    assert np.allclose(res.weight, w)
    p = power(res.model)
    s, b = res.scale[0], res.background[0]
    chi2 = (w * (s * p + b - data) ** 2).sum()
    assert res.chi2[0] == pytest.approx(chi2, rel=1e-9)
    # s, b are the weighted least-squares optimum
    A = np.stack([p[w > 0], np.ones((w > 0).sum())], 1) * np.sqrt(w[w > 0])[:, None]
    sol = np.linalg.lstsq(A, data[w > 0] * np.sqrt(w[w > 0]), rcond=None)[0]
    assert s == pytest.approx(sol[0], rel=1e-8) and b == pytest.approx(sol[1], rel=1e-6, abs=1e-6)


def test_same_seed_same_run_and_replicas():
    n = 32
    data = power(discs(n, 2.0, 0.3, 9))
    a = rmc.run(data, 0.3, n_moves=2000, seed=11, replicas=3)
    b = rmc.run(data, 0.3, n_moves=2000, seed=11, replicas=3)
    c = rmc.run(data, 0.3, n_moves=2000, seed=12, replicas=3)
    assert np.array_equal(a.models, b.models) and np.array_equal(a.trace_chi2, b.trace_chi2)
    assert not np.array_equal(a.models, c.models)
    assert a.models.shape == (3, n, n) and np.all(np.diff(a.chi2) >= 0)  # best first
    assert len(set(a.models.reshape(3, -1).sum(1))) == 1
    # replicas are independent: replica 0 of a 3-replica run is the 1-replica run (same seed)
    single = rmc.run(data, 0.3, n_moves=2000, seed=11, recompute_every=300)
    triple = rmc.run(data, 0.3, n_moves=2000, seed=11, replicas=3, recompute_every=300)
    i0 = triple.replica.index(0)
    assert np.array_equal(triple.models[i0], single.model)
    assert np.array_equal(triple.trace_chi2[i0], single.trace_chi2[0])
    # levels and max_distance also run and keep the loading
    d = rmc.run(data, 0.3, n_moves=2000, seed=11, levels=2, max_distance=3)
    assert d.model.sum() == round(0.3 * n * n) and set(d.trace_level) == {0, 1}


SCRIPT = """
import hashlib, numpy as np, beamkit.rmc as rmc
n = 128
y, x = np.mgrid[0:n, 0:n]
data = np.fft.fftshift(np.abs(np.fft.fft2(((x // 8 + y // 6) % 3 == 0).astype(float)))**2)
r = rmc.run(data, 0.3, n_moves=150, seed=5, replicas=2, recompute_every=40)
print(hashlib.sha256(r.models.tobytes() + r.trace_chi2.tobytes()).hexdigest())
"""


def test_results_do_not_depend_on_thread_count():
    out = []
    for t in ("1", "2"):
        env = dict(os.environ, OMP_NUM_THREADS=t, OMP_PROC_BIND="false")
        out.append(subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True).stdout)
    assert out[0] == out[1] and len(out[0].strip()) == 64


def test_callback_reports_and_can_stop():
    data = power(discs(32, 2.0, 0.3, 1))
    seen = []

    def cb(info):
        seen.append(info)
        return info["move"] < 500

    res = rmc.run(data, 0.3, n_moves=5000, seed=1, callback=cb, trace_every=100)
    assert res.stopped and res.moves == 500
    assert seen[0]["move"] == 0 and set(seen[0]) >= {"chi2", "acceptance", "temperature", "level", "moves"}

    def bad(info):
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        rmc.run(data, 0.3, n_moves=500, callback=bad)


def test_bad_input_raises_value_error_naming_the_value():
    data = power(discs(32, 2.0, 0.3, 1))
    nan = data.copy()
    nan[3, 4] = np.nan
    with pytest.raises(ValueError, match=r"'pattern' contains a non-finite value \(nan\) at \(3, 4\)"):
        rmc.run(nan, 0.3)
    m = np.zeros((32, 32), bool)
    m[3, 4] = True
    rmc.run(nan, 0.3, n_moves=10, mask=m)  # a masked NaN is fine
    with pytest.raises(ValueError, match=r"'mask' has shape \(31, 32\), expected the pattern's shape \(32, 32\)"):
        rmc.run(data, 0.3, mask=np.zeros((31, 32)))
    with pytest.raises(ValueError, match=r"'loading' must be in \(0, 1\), got 1.5"):
        rmc.run(data, 1.5)
    with pytest.raises(ValueError, match=r"'loading' must be in \(0, 1\), got 0"):
        rmc.run(data, 0.0)
    with pytest.raises(ValueError, match="'sigma'"):
        rmc.run(data, 0.3, sigma=np.zeros((32, 32)))
    with pytest.raises(ValueError, match="'pattern' must have 2 dimensions"):
        rmc.run(data[0], 0.3)
    with pytest.raises(ValueError, match="'background'"):
        rmc.run(data, 0.3, background="auto")
    with pytest.raises(ValueError, match="'dtype'"):
        rmc.run(data, 0.3, dtype=np.int32)
    with pytest.raises(ValueError, match="'size' must be even"):
        rmc.run(data, 0.3, size=31)


def test_grid_data_is_a_centred_crop_by_default_and_follows_the_calibration():
    rng = np.random.default_rng(0)
    pat = rng.random((40, 50))
    g = rmc.grid_data(pat, size=16)
    assert np.array_equal(g["data"][g["weight"] > 0], pat[12:28, 17:33][g["weight"] > 0])
    assert g["weight"][8, 8] == 0 and (g["weight"] > 0).sum() == 16 * 16 - 1
    # pixel 0.1 mm, distance 1 m, wavelength 0.1 nm, cell 20 nm, N = 10: step = 0.1*1000/(10*20*0.1) = 5
    g = rmc.grid_data(pat, size=10, center=(20, 25), pixel_size=0.1, distance=1000, wavelength=0.1, cell_size=20)
    assert g["step"] == pytest.approx(5) and g["cell_size"] == pytest.approx(20)
    assert g["data"][5 + 1, 5 - 2] == pytest.approx(pat[25, 15])


@pytest.mark.integration
def test_tiff_reader_matches_tifffile(shared_data):
    tifffile = pytest.importorskip("tifffile")
    for name in ("dark_00001.tiff", "tiffs/raw_00000.tiff"):
        f = shared_data / "savu" / "image_test" / name
        if not f.exists():
            pytest.skip(f"{f} missing")
        ref = tifffile.imread(str(f)).astype(np.float64)
        got = rmc.read_pattern(f)
        assert got.shape == ref.shape and np.array_equal(got, ref)


@pytest.mark.integration
def test_cli_tiff_and_hdf5(tmp_path, beamkit_bin):
    tifffile = pytest.importorskip("tifffile")
    h5py = pytest.importorskip("h5py")
    truth = discs(48, 2.5, 0.25, 4)
    data = power(truth).astype(np.float32)
    tif = tmp_path / "pat.tif"
    tifffile.imwrite(str(tif), data)
    out = tmp_path / "out.h5"
    png = tmp_path / "out.png"
    r = subprocess.run([beamkit_bin, "-q", "rmc", str(tif), "-o", str(out), "--png", str(png), "--loading",
                        str(truth.sum() / 48**2), "--moves", "3000", "--seed", "2"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "chi2" in r.stdout and png.exists()
    with h5py.File(out, "r") as h:
        model = h["/rmc/model"][()]
        pattern = h["/rmc/pattern"][()]
        s, b = h["/rmc/scale"][0], h["/rmc/background"][0]
        assert h["/rmc"].attrs["moves"] == 3000
    sel = np.ones((48, 48), bool)
    sel[24, 24] = False
    assert np.allclose((s * power(model) + b)[sel], pattern[sel], rtol=1e-4, atol=1e-4 * pattern.max())
    h5 = tmp_path / "pat.h5"
    beamkit.io.write_h5(str(h5), {"/entry/data": data})
    r = subprocess.run([beamkit_bin, "-q", "rmc", str(h5), "--dataset", "/entry/data", "-o", str(out), "--loading",
                        "0.25", "--moves", "500"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([beamkit_bin, "rmc", str(h5), "--dataset", "/entry/data", "-o", str(out), "--loading", "2"],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "'loading' must be in (0, 1), got 2" in r.stderr
