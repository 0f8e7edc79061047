#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Wall time of the synthetic grating fit (the 0.5% recovery of tests/python/test_cli_fit.py) through
`beamkit fit` on N threads: a noise-free 40 x 40 pattern of the trapezoidal Si grating
(examples/gisaxs/si_grating_trapezoid.json, width 47 nm, height 83 nm, side-wall angle 78.5 deg) made by
`beamkit gisaxs`, fitted over a 36 x 37 region of interest (3 parameters, 20 particles x 30 iterations,
then Levenberg-Marquardt). Reports the median wall time over the repetitions, the time per simulation
and the recovered parameters.

usage: PYTHONPATH=build/python /usr/bin/python3 bench/gisaxs_fit_wall.py [--bin build/bin/beamkit] [--threads 2] [--repeat 3]
"""
import argparse
import json
import pathlib
import subprocess
import tempfile
import time

import h5py
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
RIDGE = "sample.layouts.0.particles.0.shape."


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(ROOT / "build" / "bin" / "beamkit"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    cfg = json.loads((ROOT / "examples" / "gisaxs" / "si_grating_trapezoid.json").read_text())
    cfg["detector"]["phi"] = [-0.5, 0.5, 40]
    cfg["detector"]["alpha"] = [0.05, 0.6, 40]
    with tempfile.TemporaryDirectory() as td:
        td = pathlib.Path(td)
        truth = json.loads(json.dumps(cfg))
        truth["beam"]["intensity"] = 5e5
        truth["sample"]["layouts"][0]["particles"][0]["shape"].update(width=47.0, height=83.0, swa=78.5)
        (td / "truth.json").write_text(json.dumps(truth))
        subprocess.run([a.bin, "-q", "gisaxs", td / "truth.json", "-o", td / "truth.h5"], check=True)
        cfg["fit"] = {"parameters": {RIDGE + "width": [35, 60], RIDGE + "height": [65, 95], RIDGE + "swa": [72, 88]},
                      "roi": {"rows": [2, 38], "cols": [3, 40]}, "particles": 20, "iterations": 30, "seed": 2}
        (td / "fit.json").write_text(json.dumps(cfg))
        times = []
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            subprocess.run([a.bin, "-q", "--threads", str(a.threads), "fit", td / "fit.json", td / "truth.h5", "--dataset",
                            "/intensity", "-o", td / "fit.h5"], check=True, capture_output=True)
            times.append(time.perf_counter() - t0)
        with h5py.File(td / "fit.h5", "r") as f:
            names = json.loads(f["/fit"].attrs["parameters"])
            x = f["/fit/x"][...]
            evals = int(f["/fit"].attrs["evaluations"])
            inner = float(f["/fit"].attrs["seconds"])
    med = float(np.median(times))
    print(f"synthetic grating fit, {a.threads} thread(s): wall {med:.2f} s (median of {a.repeat}: "
          f"{', '.join(f'{t:.2f}' for t in times)}), {evals} simulations, {1e3 * inner / evals:.1f} ms per simulation + chi2")
    for n, v in zip(names, x):
        print(f"  {n.split('.')[-1]:>6} = {v:.4f}")


if __name__ == "__main__":
    main()
