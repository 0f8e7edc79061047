# SPDX-License-Identifier: BSD-3-Clause
"""`beamkit fit`: a noise-free grating pattern made by `beamkit gisaxs` recovered to 0.5% through the CLI
(with a region of interest, so the cropped simulation is checked against the full one), the Python
driver writing the same file, and bad input failing with one line, exit code 1 and no output file."""
import json
import pathlib
import subprocess

import h5py
import numpy as np
import pytest

import beamkit

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples" / "gisaxs"
RIDGE = "sample.layouts.0.particles.0.shape."
TRUTH = {RIDGE + "width": 47.0, RIDGE + "height": 83.0, RIDGE + "swa": 78.5}
BOUNDS = {RIDGE + "width": [35, 60], RIDGE + "height": [65, 95], RIDGE + "swa": [72, 88]}


def run(bin_, *args):
    return subprocess.run([bin_, *map(str, args)], capture_output=True, text=True, timeout=900)


def _grating(n=40):
    cfg = json.loads((EXAMPLES / "si_grating_trapezoid.json").read_text())
    cfg["detector"]["phi"] = [-0.5, 0.5, n]
    cfg["detector"]["alpha"] = [0.05, 0.6, n]
    return cfg


def _fit_config(tmp_path, **fit):
    cfg = _grating()
    cfg["fit"] = {"parameters": BOUNDS, "roi": {"rows": [2, 38], "cols": [3, 40]}, "particles": 20, "iterations": 30,
                  "seed": 2, **fit}
    p = tmp_path / "fit.json"
    p.write_text(json.dumps(cfg))
    return p


@pytest.fixture(scope="module")
def truth_h5(beamkit_bin, tmp_path_factory):
    d = tmp_path_factory.mktemp("truth")
    cfg = _grating()
    cfg["beam"]["intensity"] = 5e5  # the fit's model has intensity 1: the fitted scale must be 5e5
    cfg["sample"]["layouts"][0]["particles"][0]["shape"].update(width=47.0, height=83.0, swa=78.5)
    (d / "truth.json").write_text(json.dumps(cfg))
    r = run(beamkit_bin, "gisaxs", d / "truth.json", "-o", d / "truth.h5")
    assert r.returncode == 0, r.stderr
    return d / "truth.h5"


@pytest.mark.integration
def test_cli_recovers_grating_and_python_writes_the_same_file(beamkit_bin, truth_h5, tmp_path):
    cfg = _fit_config(tmp_path)
    out, png = tmp_path / "fit.h5", tmp_path / "fit.png"
    r = run(beamkit_bin, "fit", cfg, truth_h5, "--dataset", "/intensity", "-o", out, "--png", png)
    assert r.returncode == 0, r.stderr
    assert "chi2" in r.stdout and RIDGE + "width = " in r.stdout
    with h5py.File(truth_h5, "r") as f:
        data = f["/intensity"][...]
    with h5py.File(out, "r") as f:
        names = json.loads(f["/fit"].attrs["parameters"])
        x = f["/fit/x"][...]
        for name, v in zip(names, x):
            assert abs(v / TRUTH[name] - 1) < 0.005, (name, v)
        assert np.all(f["/fit/stderr"][...] >= 0) and f["/fit/covariance"].shape == (3, 3)
        assert list(f["/fit/roi"][...]) == [2, 38, 3, 40]
        model, mask, fdata = f["/fit/model"][...], f["/fit/mask"][...].astype(bool), f["/fit/data"][...]
        assert model.shape == (36, 37) and mask.all()
        np.testing.assert_array_equal(fdata, data[2:38, 3:40])
        # the cropped simulation at the optimum reproduces the full-detector data (noise free)
        bright = fdata > 10
        assert bright.sum() > 100 and np.max(np.abs(model - fdata)[bright] / fdata[bright]) < 0.02
        assert abs(f["/fit"].attrs["scale"] / 5e5 - 1) < 0.01
        h = f["/fit/history"][...]
        assert h.size == 31 and np.all(np.diff(h) <= 0) and f["/fit"].attrs["chi2"] <= h[-1]
        fitted = json.loads(f["/fit"].attrs["config"])
        assert "fit" not in fitted and fitted["sample"]["layouts"][0]["particles"][0]["shape"]["width"] == x[names.index(RIDGE + "width")]
    assert png.read_bytes()[:4] == b"\x89PNG"

    # Python: the same driver and the same file
    res = beamkit.fit.gisaxs_fit(str(cfg), data)
    res.save(tmp_path / "py.h5", png=tmp_path / "py.png")
    with h5py.File(out, "r") as a, h5py.File(tmp_path / "py.h5", "r") as b:
        assert sorted(a["/fit"].keys()) == sorted(b["/fit"].keys())
        np.testing.assert_allclose(b["/fit/x"][...], a["/fit/x"][...], rtol=1e-9)
        np.testing.assert_allclose(b["/fit/model"][...], a["/fit/model"][...], rtol=1e-9)
    assert [res.parameters[n] for n in names] == pytest.approx(list(x), rel=1e-9)
    assert res.roi == (2, 38, 3, 40) and res.model.shape == (36, 37)
    assert not list(tmp_path.glob("*.partial-*"))


def _fails(r, *words):
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()  # progress lines may precede the one error line
    errors = [ln for ln in lines if ln.startswith("beamkit: error:")]
    assert len(errors) == 1 and lines[-1] == errors[0] and all(ln.startswith("fit: ") for ln in lines[:-1]), r.stderr
    for w in words:
        assert w in errors[0], (w, errors[0])


def test_cli_fit_bad_input(beamkit_bin, tmp_path):
    data = tmp_path / "d.h5"
    with h5py.File(data, "w") as f:
        f["/img"] = np.ones((40, 40))
    out = tmp_path / "o.h5"
    cfg = _fit_config(tmp_path)
    _fails(run(beamkit_bin, "fit", cfg, tmp_path / "missing.h5", "--dataset", "/img", "-o", out), "missing.h5")
    _fails(run(beamkit_bin, "fit", tmp_path / "nope.json", data, "--dataset", "/img", "-o", out), "nope.json")
    _fails(run(beamkit_bin, "fit", cfg, data, "--dataset", "/img", "-o", tmp_path / "no_dir" / "o.h5"), "no_dir")
    _fails(run(beamkit_bin, "fit", cfg, data, "--dataset", "/img", "-o", out, "--png", tmp_path / "no_dir" / "o.png"), "no_dir")
    _fails(run(beamkit_bin, "fit", cfg, data, "--dataset", "/img", "-o", out, "--refine", "newton"), "fit.refine", "newton")
    cfg2 = json.loads(cfg.read_text())
    for key, value, words in [
        ("parameters", {RIDGE + "widht": [1, 2]}, ("'widht' is not a numeric value",)),
        ("parameters", {"sample.layouts.3.particles.0.shape.width": [1, 2]}, ("no 'sample.layouts.3'",)),
        ("parameters", {RIDGE + "width": [5, 2]}, ("needs finite bounds lo < hi",)),
        ("parameters", {}, ("'parameters' is empty",)),
        ("particels", 3, ("fit.particels is an unknown key",)),
        ("roi", {"rows": [0, 50], "cols": [0, 10]}, ("fit.roi", "outside")),
        ("transform", "cube", ("fit.transform", "cube")),
    ]:
        bad = json.loads(json.dumps(cfg2))
        bad["fit"][key] = value
        (tmp_path / "bad.json").write_text(json.dumps(bad))
        _fails(run(beamkit_bin, "fit", tmp_path / "bad.json", data, "--dataset", "/img", "-o", out), *words)
    (tmp_path / "bad.json").write_text("{not json")
    _fails(run(beamkit_bin, "fit", tmp_path / "bad.json", data, "--dataset", "/img", "-o", out), "invalid JSON")
    nofit = dict(cfg2)
    del nofit["fit"]
    (tmp_path / "bad.json").write_text(json.dumps(nofit))
    _fails(run(beamkit_bin, "fit", tmp_path / "bad.json", data, "--dataset", "/img", "-o", out), "'parameters' is empty")
    with h5py.File(data, "a") as f:
        f["/small"] = np.ones((10, 12))
    _fails(run(beamkit_bin, "fit", cfg, data, "--dataset", "/small", "-o", out), "40 x 40", "10 x 12")
    assert not out.exists() and not list(tmp_path.glob("*.partial-*"))
    r = run(beamkit_bin, "fit", cfg)  # usage error
    assert r.returncode == 2
