# SPDX-License-Identifier: BSD-3-Clause
"""Pre-processing: TomoPy's expected arrays (tomopy/test_data, parameters in NOTES_tomopy_vectors.md)
and independent checks (brute-force median, closed forms, a synthetic stripe, Paganin on a phase
object whose propagated intensity is known in closed form)."""
import numpy as np
import pytest

import beamkit
from beamkit import prep


@pytest.fixture(scope="module")
def td(shared_data):
    d = shared_data / "tomopy" / "test_data"
    return lambda name: np.load(d / name)


# ---- TomoPy's expected outputs -------------------------------------------------------------------

def test_normalize_matches_tomopy(td):
    got = beamkit.normalize(td("tomo.npy"), td("flat.npy"), td("dark.npy"))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, td("normalize.npy"), rtol=1e-7)


def test_normalize_bg_matches_tomopy(td):
    np.testing.assert_allclose(beamkit.normalize_bg(td("tomo.npy")), td("normalize_bg.npy"), rtol=1e-6)


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_filters_and_downsample_match_tomopy(td, axis):
    cube, obj = td("cube.npy"), td("obj.npy")
    np.testing.assert_array_almost_equal(beamkit.gaussian_filter(cube, axis=axis), td(f"gaussian_filter_{axis}.npy"),
                                         decimal=6)
    np.testing.assert_array_equal(beamkit.median_filter(cube, axis=axis), td(f"median_filter_{axis}.npy"))
    np.testing.assert_array_equal(beamkit.downsample(obj, axis=axis), td(f"downsample_{axis}.npy"))


def test_remove_stripe_fw_matches_tomopy(td):
    ref = td("remove_stripe_fw.npy")
    got = beamkit.remove_stripe_fw(td("proj.npy"))
    np.testing.assert_allclose(got, ref, rtol=1e-2)          # TomoPy's own tolerance
    assert np.max(np.abs(got - ref)) < 2e-6 * np.max(np.abs(ref))  # what we reach: 5.6e-7


def test_retrieve_phase_matches_tomopy(td):
    ref = td("retrieve_phase.npy")
    got = beamkit.retrieve_phase(td("proj.npy"))
    np.testing.assert_allclose(got, ref, rtol=1e-6)           # TomoPy's own tolerance (we reach 3.9e-7)


def test_remove_outlier_restores_tomopy_projection(td):
    proj = td("proj.npy")
    bad = proj.copy()
    bad[8, 4, 6] = 20  # TomoPy's test_remove_outlier: the spot is 20 above its neighbourhood median
    got = beamkit.remove_outlier(bad, dif=10)
    np.testing.assert_allclose(got, proj)


# ---- independent checks --------------------------------------------------------------------------

def _reflect(i, n):
    while i < 0 or i >= n:
        i = -i - 1 if i < 0 else 2 * n - 1 - i
    return i


def test_median_filter_equals_brute_force():
    rng = np.random.default_rng(1)
    a = rng.random((3, 6, 7)).astype(np.float32)
    for size in (3, 4, 5):
        got = beamkit.median_filter(a, size=size, axis=1)
        ref = np.empty_like(a)
        for k in range(a.shape[1]):
            plane = a[:, k, :]
            for i in range(plane.shape[0]):
                for j in range(plane.shape[1]):
                    w = [plane[_reflect(i - size // 2 + p, plane.shape[0]), _reflect(j - size // 2 + q, plane.shape[1])]
                         for p in range(size) for q in range(size)]
                    ref[i, k, j] = np.sort(w)[len(w) // 2]
        np.testing.assert_array_equal(got, ref)


def test_median_filter_vs_scipy():
    ndimage = pytest.importorskip("scipy.ndimage")
    a = np.random.default_rng(2).random((4, 9, 11)).astype(np.float32)
    ref = np.stack([ndimage.median_filter(p, size=(5, 5)) for p in a])
    np.testing.assert_array_equal(beamkit.median_filter(a, size=5), ref)


@pytest.mark.parametrize("dim", [1, 2])
def test_sorting_stripe_removal_vs_numpy_scipy(dim):
    # Vo's algorithm 3 written with numpy (argsort per detector column) and scipy's median_filter
    ndimage = pytest.importorskip("scipy.ndimage")
    a = np.random.default_rng(4).random((40, 3, 30)).astype(np.float32)  # no ties
    ref = a.copy()
    for s in range(a.shape[1]):
        sino = a[:, s, :].T                                   # [n_det][n_angles]
        idx = np.argsort(sino, axis=1)
        srt = np.take_along_axis(sino, idx, axis=1)
        med = ndimage.median_filter(srt, (5, 1) if dim == 1 else (5, 5))
        back = np.empty_like(sino)
        np.put_along_axis(back, idx, med, axis=1)
        ref[:, s, :] = back.T
    np.testing.assert_array_equal(beamkit.remove_stripe_based_sorting(a, size=5, dim=dim), ref)


def test_wavelet_filters_match_pywavelets():
    pywt = pytest.importorskip("pywt")
    for name in prep.wavelet_names():
        w = pywt.Wavelet(name)
        mine = beamkit._beamkit.prep.wavelet_filters(name)
        for ours, theirs in zip(mine, (w.dec_lo, w.dec_hi, w.rec_lo, w.rec_hi)):
            np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-14)


def test_normalize_median_ignores_a_zinger_in_one_flat():
    tomo = np.full((2, 3, 4), 500.0)
    flat = np.full((3, 3, 4), 1000.0)
    flat[1, 1, 2] = 60000  # a zinger in one flat frame
    dark = np.zeros((2, 3, 4))
    np.testing.assert_allclose(beamkit.normalize(tomo, flat, dark, averaging="median"), 0.5)
    assert beamkit.normalize(tomo, flat, dark)[0, 1, 2] < 0.1
    np.testing.assert_allclose(beamkit.normalize(tomo, flat, dark, cutoff=0.4, averaging="median"), 0.4)


def test_minus_log_clips_and_warns():
    x = np.array([[[np.exp(-1.5), 0.0, -2.0]]])
    with pytest.warns(RuntimeWarning, match="2 non-positive"):
        y = beamkit.minus_log(x)
    np.testing.assert_allclose(y[0, 0, 0], 1.5, rtol=1e-6)
    np.testing.assert_allclose(y[0, 0, 1:], -np.log(np.float32(1e-6)), rtol=1e-6)


def _stripe_sinogram(P=360, n=128, col=62):
    th = np.pi * np.arange(P) / P
    d = np.arange(n) + 0.5
    c = n / 2 + n / 4 * np.cos(th)[:, None] + 3 * np.sin(th)[:, None]   # a small off-centre disc
    t = (d[None, :] - c) / (n / 10)
    clean = np.where(t ** 2 < 1, 2 * np.sqrt(np.clip(1 - t ** 2, 0, None)), 0.0)
    clean = np.repeat(clean[:, None, :], 2, axis=1).astype(np.float32)
    stripe = np.zeros_like(clean)
    stripe[:, :, col] = 0.4
    return clean, stripe, col


def test_synthetic_stripe_removed_by_fw():
    # remove_stripe_fw is linear: filter the stripe and the object separately
    clean, stripe, col = _stripe_sinogram()
    kw = dict(level=3, sigma=2, pad=False)
    left = np.mean(beamkit.remove_stripe_fw(stripe, **kw)[:, :, col])
    change = np.mean(np.abs(beamkit.remove_stripe_fw(clean, **kw) - clean))
    assert abs(left) < 0.07, left        # 0.4 before; TomoPy's algorithm (PyWavelets) leaves 0.053
    assert change < 0.025, change        # the object's mean is 0.31; TomoPy's algorithm: 0.0145


def test_synthetic_stripe_removed_by_sorting():
    clean, stripe, col = _stripe_sinogram()
    out = beamkit.remove_stripe_based_sorting(clean + stripe, size=5)
    offset = np.mean(out[:, :, col] - clean[:, :, col])
    away = np.abs(np.arange(clean.shape[2]) - col) > 3
    change = np.mean(np.abs(out[:, :, away] - clean[:, :, away]))
    assert abs(offset) < 0.03, offset
    assert change < 0.01, change


def test_paganin_recovers_contact_intensity_of_a_phase_object():
    # TIE forward model: I_d = I_0 - C lap(I_0) with C = lambda d / (16 pi^3 alpha) in TomoPy's
    # parametrisation (its filter is 1 / (1 + lambda d u^2 / (4 pi alpha)), u in cycles/cm).
    ps, dist, energy, alpha = 1e-4, 50.0, 20.0, 1e-3
    lam = 2 * 3.14159265359 * 6.58211928e-19 * 299792458e+2 / energy
    C = lam * dist / (16 * np.pi ** 3 * alpha)  # cm^2
    n = 96
    y, x = (np.mgrid[0:n, 0:n] - (n - 1) / 2) * ps
    s = 8 * ps
    r2 = x ** 2 + y ** 2
    T = 0.3 * np.exp(-r2 / (2 * s ** 2))                      # mu * thickness
    I0 = np.exp(-T)
    # closed-form Laplacian of exp(-T) for the Gaussian T
    gT2 = (0.3 * np.exp(-r2 / (2 * s ** 2))) ** 2 * r2 / s ** 4
    lapT = 0.3 * np.exp(-r2 / (2 * s ** 2)) * (r2 / s ** 4 - 2 / s ** 2)
    lapI0 = I0 * (gT2 - lapT)
    Id = I0 - C * lapI0
    assert np.max(np.abs(Id - I0)) > 0.05  # the propagation visibly changes the image
    got = beamkit.retrieve_phase(Id[None, :, :], pixel_size=ps, dist=dist, energy=energy, alpha=alpha)[0]
    assert np.max(np.abs(got - I0)) < 0.1 * np.max(np.abs(Id - I0))


def test_bad_input_names_the_argument():
    a = np.ones((4, 3, 8), np.float32)
    cases = [
        (lambda: beamkit.normalize(a, np.ones((2, 3, 7)), np.zeros((2, 3, 8))), "'flat'"),
        (lambda: beamkit.normalize(a, a, a, averaging="max"), "'averaging'"),
        (lambda: beamkit.normalize_bg(a, air=0), "'air'"),
        (lambda: beamkit.median_filter(a, size=0), "'size'"),
        (lambda: beamkit.median_filter(a, axis=3), "'axis'"),
        (lambda: beamkit.gaussian_filter(a, sigma=-1), "'sigma'"),
        (lambda: beamkit.gaussian_filter(a, order=1), "'order'"),
        (lambda: beamkit.remove_outlier(a, dif="x"), "'dif'"),
        (lambda: beamkit.downsample(a, level=4, axis=1), "'level'"),
        (lambda: beamkit.remove_stripe_fw(a, wname="db42"), "'wname'"),
        (lambda: beamkit.remove_stripe_fw(a, sigma=0), "'sigma'"),
        (lambda: beamkit.remove_stripe_based_sorting(a, dim=3), "'dim'"),
        (lambda: beamkit.retrieve_phase(a, energy=0), "'energy'"),
        (lambda: beamkit.retrieve_phase(a, alpha=np.nan), "'alpha'"),
        (lambda: beamkit.minus_log(np.ones((3, 3))), "'arr'"),
        (lambda: prep.parse_prep_chain("normalize,blur=2"), "blur"),
    ]
    for f, name in cases:
        with pytest.raises(ValueError, match=name):
            f()


def test_inputs_are_not_modified_and_out_works():
    a = np.random.default_rng(3).random((5, 4, 16)).astype(np.float32) + 0.5
    keep = a.copy()
    for f in (beamkit.minus_log, beamkit.normalize_bg, beamkit.remove_stripe_fw, beamkit.retrieve_phase,
              beamkit.remove_stripe_based_sorting, lambda v: beamkit.remove_outlier(v, 0.1)):
        f(a)
        np.testing.assert_array_equal(a, keep)
    out = np.empty_like(a)
    assert beamkit.minus_log(a, out=out) is out
    np.testing.assert_allclose(out, -np.log(a), rtol=1e-6)


def test_chain_spec_and_halo():
    steps, halo = prep.parse_prep_chain("normalize,minus_log,stripe=fw,zinger=0.1")
    assert steps == ["normalize", "minus_log", "stripe=fw", "zinger=0.1"]
    assert halo == 1


# ---- the CLI's --prep chain ----------------------------------------------------------------------

def _write_dxchange(path, flats=True):
    h5py = pytest.importorskip("h5py")
    rng = np.random.default_rng(5)
    P, S, n = 60, 8, 48
    theta = np.linspace(0, 180, P, endpoint=False)
    obj = beamkit.shepp_logan_3d(n, nz=S)
    line = beamkit.project(obj, np.radians(theta), pad=False) * 0.05
    flat = rng.uniform(900, 1100, (3, S, n))
    dark = rng.uniform(5, 15, (2, S, n))
    data = (flat.mean(0) - dark.mean(0)) * np.exp(-line) + dark.mean(0)
    data[:, :, 20] *= 1.05          # a stripe
    data[7, 3, 30] += 3000          # a zinger
    with h5py.File(path, "w") as f:
        f["/exchange/data"] = data.astype(np.float32)
        f["/exchange/theta"] = theta
        if flats:
            f["/exchange/data_white"] = flat.astype(np.float32)
            f["/exchange/data_dark"] = dark.astype(np.float32)


@pytest.mark.integration
def test_cli_prep_chain(beamkit_bin, tmp_path):
    import subprocess

    h5py = pytest.importorskip("h5py")
    src = tmp_path / "raw.h5"
    _write_dxchange(src)

    def recon(name, *extra):
        out = tmp_path / name
        r = subprocess.run([beamkit_bin, "recon", str(src), "-o", str(out), "--center", "24", *extra],
                           capture_output=True, text=True, timeout=300)
        return r, out

    def read(p):
        with h5py.File(p, "r") as f:
            return f["/exchange/data"][...], dict(f.attrs)

    r, plain = recon("plain.h5")
    assert r.returncode == 0, r.stderr
    r, same = recon("same.h5", "--prep", "normalize,minus_log")
    assert r.returncode == 0, r.stderr
    np.testing.assert_array_equal(read(plain)[0], read(same)[0])   # the default chain, spelled out
    assert read(same)[1]["prep"] == "normalize,minus_log"

    # projection filters see neighbouring slices across chunks: chunked == whole, exactly (FBP: gridrec
    # pairs slices in one complex FFT, so its last bits depend on the chunking even without --prep)
    chain = "normalize=median,zinger=0.5,minus_log,median=3,gaussian=1,stripe=sort"
    r, whole = recon("whole.h5", "--prep", chain, "--chunk", "8", "--algorithm", "fbp")
    assert r.returncode == 0, r.stderr
    assert "zingers replaced" in r.stderr
    r, chunked = recon("chunked.h5", "--prep", chain, "--chunk", "3", "--algorithm", "fbp")
    assert r.returncode == 0, r.stderr
    np.testing.assert_array_equal(read(chunked)[0], read(whole)[0])
    r, plain_fbp = recon("plain_fbp.h5", "--algorithm", "fbp")
    assert np.max(np.abs(read(whole)[0] - read(plain_fbp)[0])) > 1e-3 * np.max(np.abs(read(plain_fbp)[0]))

    r, fw = recon("fw.h5", "--prep", "normalize,minus_log,stripe=fw:sigma=1:level=3", "--chunk", "4")
    assert r.returncode == 0, r.stderr

    for bad, word in (("normalize,blur=2", "blur"), ("zinger=x", "dif"), ("stripe=fw:wname=db42", "db42")):
        r, out = recon("bad.h5", "--prep", bad)
        assert r.returncode == 1 and word in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr  # checked first
        assert not out.exists()
    noflat = tmp_path / "noflat.h5"
    _write_dxchange(noflat, flats=False)
    r = subprocess.run([beamkit_bin, "recon", str(noflat), "-o", str(tmp_path / "nf.h5"), "--prep", "normalize,minus_log"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and "data_white" in r.stderr
    assert not (tmp_path / "nf.h5").exists()


def test_phase_halo_makes_chunks_agree_with_the_whole_volume():
    obj = beamkit.shepp_logan_3d(128, nz=200)
    proj = np.exp(-0.02 * beamkit.project(obj, np.linspace(0, np.pi, 4, endpoint=False), pad=False))
    whole = beamkit.retrieve_phase(proj)
    _, h = prep.parse_prep_chain("phase")
    assert h == 64  # 8 kernel decay lengths at TomoPy's default parameters
    for c0, c1 in ((0, 16), (80, 96), (184, 200)):
        r0, r1 = max(0, c0 - h), min(200, c1 + h)
        part = beamkit.retrieve_phase(proj[:, r0:r1])[:, c0 - r0:c1 - r0]
        assert np.max(np.abs(part - whole[:, c0:c1])) < 1.5e-3 * np.max(whole)   # measured <= 8e-4
        bare = beamkit.retrieve_phase(proj[:, c0:c1])
        assert np.max(np.abs(bare - whole[:, c0:c1])) > 5e-3 * np.max(whole)     # without the halo: 1e-2..9e-2
