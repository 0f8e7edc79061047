#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""GISAXS: beamkit vs python3-bornagain 1.19, side by side in one run, one thread each.

Usage: PYTHONPATH=build/python /usr/bin/python3 bench/gisaxs_vs_bornagain.py [--n 256] [--threads 1] [--repeat 3]

For each case both codes simulate the same sample on the same n x n spherical detector
(phi_f in [-2, 2] deg, alpha_f in [0, 2] deg, lambda = 0.1 nm, alpha_i = 0.2 deg); the script prints
wall time per pixel, the speed-up and the largest relative difference of the two images
(pixels above 1e-6 of the image maximum).
"""
import argparse
import time

import numpy as np

import beamkit
import beamkit.gisaxs as g

ap = argparse.ArgumentParser()
ap.add_argument("--n", type=int, default=256)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--repeat", type=int, default=3)
ap.add_argument("--skip-bornagain", action="store_true")
args = ap.parse_args()
beamkit.init(num_threads=args.threads)
import bornagain as ba  # noqa: E402

deg = np.pi / 180
N = args.n
P = {"delta": 6e-4, "beta": 2e-8}
SI = {"delta": 6e-6, "beta": 2e-8}


def ba_sample(ff, iff=None):
    vac = ba.HomogeneousMaterial("Vacuum", 0, 0)
    sub = ba.HomogeneousMaterial("Si", SI["delta"], SI["beta"])
    par = ba.HomogeneousMaterial("P", P["delta"], P["beta"])
    layout = ba.ParticleLayout()
    layout.addParticle(ba.Particle(par, ff))
    if iff is not None:
        layout.setInterferenceFunction(iff)
    top = ba.Layer(vac)
    top.addLayout(layout)
    ml = ba.MultiLayer()
    ml.addLayer(top)
    ml.addLayer(ba.Layer(sub))
    return ml


def ba_run(sample):
    sim = ba.GISASSimulation()
    sim.setDetectorParameters(N, -2 * deg, 2 * deg, N, 0, 2 * deg)
    sim.setBeamParameters(0.1, 0.2 * deg, 0)
    sim.getOptions().setNumberOfThreads(args.threads)
    sim.setSample(sample)
    t = time.perf_counter()
    sim.runSimulation()
    return sim.result().array(), time.perf_counter() - t


def bk_cfg(shape, iff=None, density=None):
    lay = {"particles": [{"shape": shape, "material": P}]}
    if iff:
        lay["interference"] = iff
    if density:
        lay["density"] = density
    return {"beam": {"wavelength": 0.1, "alpha_i": 0.2},
            "detector": {"type": "spherical", "phi": [-2, 2, N], "alpha": [0, 2, N]},
            "sample": {"layers": [{}, SI], "layouts": [lay]}}


def bk_run(cfg):
    g.simulate(cfg)  # warm-up (allocations, Gauss-Legendre tables)
    best = 1e30
    for _ in range(args.repeat):
        t = time.perf_counter()
        img = g.simulate(cfg)
        best = min(best, time.perf_counter() - t)
    return img, best


hex_iff = ba.InterferenceFunction2DLattice(ba.HexagonalLattice2D(20.0, 0.0))
hex_iff.setDecayFunction(ba.FTDecayFunction2DCauchy(300.0, 300.0, 0.0))
grating = ba.InterferenceFunction1DLattice(100.0, 90 * deg)
grating.setDecayFunction(ba.FTDecayFunction1DCauchy(1000.0))

cases = [
    ("cylinders on Si, DWBA dilute", ba_sample(ba.FormFactorCylinder(5, 5)),
     bk_cfg({"type": "cylinder", "radius": 5, "height": 5})),
    ("2-D hexagonal lattice (cylinders)", ba_sample(ba.FormFactorCylinder(5, 5), hex_iff),
     bk_cfg({"type": "cylinder", "radius": 5, "height": 5},
            {"type": "lattice2d", "lattice": "hexagonal", "a": 20, "decay": "cauchy", "decay_lengths": [300, 300]})),
    ("truncated pyramid", ba_sample(ba.FormFactorPyramid(10, 4, 54.73 * deg)),
     bk_cfg({"type": "pyramid", "base_edge": 10, "height": 4, "alpha": 54.73})),
    ("grating ridge (rect., 1-D lattice)", ba_sample(ba.FormFactorBox(200, 50, 80), grating),
     bk_cfg({"type": "ridge", "length": 200, "width": 50, "height": 80, "swa": 90},
            {"type": "lattice1d", "length": 100, "xi": 90, "decay": "cauchy", "decay_length": 1000})),
    ("truncated cone", ba_sample(ba.FormFactorCone(5, 4, 70 * deg)),
     bk_cfg({"type": "cone", "radius": 5, "height": 4, "alpha": 70})),
    ("truncated sphere", ba_sample(ba.FormFactorTruncatedSphere(5, 7, 0)),
     bk_cfg({"type": "truncated_sphere", "radius": 5, "height": 7})),
]

print(f"detector {N} x {N}, {args.threads} thread(s) each; times are wall clock, best of {args.repeat} for beamkit")
print(f"{'case':38s} {'BornAgain us/px':>16s} {'beamkit us/px':>14s} {'speed-up':>9s} {'max rel diff':>13s}")
for name, sample, cfg in cases:
    img, tb = bk_run(cfg)
    if args.skip_bornagain:
        print(f"{name:38s} {'-':>16s} {tb * 1e6 / N**2:14.3f}")
        continue
    ref, ta = ba_run(sample)
    m = ref > 1e-6 * ref.max()
    diff = np.max(np.abs(img[m] - ref[m]) / ref[m])
    print(f"{name:38s} {ta * 1e6 / N**2:16.3f} {tb * 1e6 / N**2:14.3f} {ta / tb:8.1f}x {diff:13.2e}", flush=True)
