#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Seconds per iteration of beamkit's iterative methods (one slice, all threads), next to the
TomoPy 1.15 figures measured on this machine type (TomoPy is not installable here).

    PYTHONPATH=build/python /usr/bin/python3 bench/tomo_iterative.py
"""
import time

import numpy as np

import beamkit

TOMOPY = {("sirt", 512, 180): 0.85, ("osem", 512, 180): 0.40}


def main():
    print(f"beamkit {beamkit.__version__}, {beamkit.num_threads()} threads; seconds per iteration (best of 2)")
    print(f"{'N':>5} {'P':>5} {'algorithm':>10} {'s/iter':>9} {'TomoPy s/iter':>14} {'speed-up':>9}")
    for n, p in [(512, 180), (1024, 360)]:
        theta = np.linspace(0, np.pi, p, endpoint=False)
        proj = beamkit.project(beamkit.shepp_logan(n), theta, pad=False)
        for alg, kw in [("sirt", {}), ("cgls", {}), ("mlem", {}), ("osem", {"num_block": 10})]:
            iters = 5
            best = 1e9
            for _ in range(2):
                t0 = time.perf_counter()
                beamkit.recon(proj, theta, algorithm=alg, num_iter=iters, **kw)
                best = min(best, time.perf_counter() - t0)
            t = best / iters
            tp = TOMOPY.get((alg, n, p))
            print(f"{n:>5} {p:>5} {alg:>10} {t:>9.4f} {tp if tp else '-':>14} {tp / t if tp else float('nan'):>9.1f}")


if __name__ == "__main__":
    main()
