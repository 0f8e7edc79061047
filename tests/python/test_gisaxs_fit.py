# SPDX-License-Identifier: BSD-3-Clause
"""GISAXS fit (PSO + Levenberg-Marquardt over a JSON description): a noise-free synthetic grating to
0.5%, a Poisson-noisy pattern within the reported uncertainties, and named path errors."""
import json
import pathlib

import numpy as np
import pytest

import beamkit

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples" / "gisaxs"
RIDGE = "sample.layouts.0.particles.0.shape."


def _grating(n=40):
    cfg = json.loads((EXAMPLES / "si_grating_trapezoid.json").read_text())
    cfg["detector"]["phi"] = [-0.5, 0.5, n]
    cfg["detector"]["alpha"] = [0.05, 0.6, n]
    return cfg


def test_noise_free_grating_within_half_percent():
    cfg = _grating()
    truth = {RIDGE + "width": 47.0, RIDGE + "height": 83.0, RIDGE + "swa": 78.5}
    true_cfg = json.loads(json.dumps(cfg))
    shape = true_cfg["sample"]["layouts"][0]["particles"][0]["shape"]
    shape.update(width=47.0, height=83.0, swa=78.5)
    data = 5e5 * beamkit.gisaxs.simulate(true_cfg) + 3.0
    bounds = {RIDGE + "width": (35, 60), RIDGE + "height": (65, 95), RIDGE + "swa": (72, 88)}
    r = beamkit.fit.gisaxs_fit(cfg, data, bounds, n_particles=20, max_iter=30, seed=2)
    for p, v in truth.items():
        assert abs(r.parameters[p] / v - 1) < 0.005, (p, r.parameters[p], v)
    assert r.history[-1] <= r.history[0]
    assert abs(r.scale / 5e5 - 1) < 0.01 and r.config["sample"]["layouts"][0]["particles"][0]["shape"]["width"] == r.parameters[RIDGE + "width"]


def test_poisson_noise_within_uncertainties():
    cfg = json.loads((EXAMPLES / "cylinders_on_si.json").read_text())
    cfg["detector"]["phi"] = [-2, 2, 48]
    cfg["detector"]["alpha"] = [0.05, 2, 48]
    shape = cfg["sample"]["layouts"][0]["particles"][0]["shape"]
    shape.update(radius=5.3, height=6.1)
    expected = 2e6 * beamkit.gisaxs.simulate(cfg) + 5.0
    data = np.random.default_rng(7).poisson(expected).astype(float)
    P = "sample.layouts.0.particles.0.shape."
    r = beamkit.fit.gisaxs_fit(cfg, data, {P + "radius": (3, 8), P + "height": (3, 9)}, transform="linear",
                               n_particles=16, max_iter=25, seed=3)
    for p, v in [(P + "radius", 5.3), (P + "height", 6.1)]:
        assert 0 < r.stderr[p] < 0.05 * v
        assert abs(r.parameters[p] - v) < 3 * r.stderr[p], (p, r.parameters[p], r.stderr[p])


def test_bad_paths_and_bounds_are_named():
    cfg = _grating(8)
    data = np.ones((8, 8))
    with pytest.raises(ValueError, match="no 'sample.layouts.3'"):
        beamkit.fit.gisaxs_fit(cfg, data, {"sample.layouts.3.particles.0.shape.width": (1, 2)})
    with pytest.raises(ValueError, match="'widht' is not a numeric value"):
        beamkit.fit.gisaxs_fit(cfg, data, {RIDGE + "widht": (1, 2)})
    with pytest.raises(ValueError, match="needs finite bounds lo < hi"):
        beamkit.fit.gisaxs_fit(cfg, data, {RIDGE + "width": (5, 2)})
    with pytest.raises(ValueError, match="'parameters' is empty"):
        beamkit.fit.gisaxs_fit(cfg, data, {})


def test_elitist_learning_reaches_the_swarm_and_bad_counts_are_named():
    cfg = _grating(8)
    data = 5e5 * beamkit.gisaxs.simulate(cfg) + 3.0
    bounds = {RIDGE + "width": (35, 60), RIDGE + "height": (65, 95)}
    runs = [beamkit.fit.gisaxs_fit(cfg, data, bounds, n_particles=8, max_iter=6, seed=4, refine=False, elitist=k)
            for k in (0, 3)]
    assert len(runs[1].history) == len(runs[0].history)
    assert not np.array_equal(runs[1].history, runs[0].history)  # the option reaches the swarm
    with pytest.raises(ValueError, match="fit.elitist = 8 must be below fit.particles = 8"):
        beamkit.fit.gisaxs_fit(cfg, data, bounds, n_particles=8, elitist=8)
    with pytest.raises(ValueError, match="fit.elitist"):
        beamkit.fit.gisaxs_fit(cfg, data, bounds, elitist=-1)
