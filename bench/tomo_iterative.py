#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Seconds per iteration of beamkit's iterative methods (one slice, float32), next to the TomoPy 1.15
figures measured on this machine type (TomoPy is not installable here). Also the process CPU time per
iteration (all threads): with --threads 1 it measures the work, robust to other jobs on a busy machine.

    PYTHONPATH=build/python /usr/bin/python3 bench/tomo_iterative.py [--threads 2] [--sizes 512 1024] [--algs sirt art]
"""
import argparse
import time

import numpy as np

import beamkit

TOMOPY = {("sirt", 512, 180): 0.85, ("osem", 512, 180): 0.40, ("art", 512, 180): 0.67}
ALGS = [("sirt", {}), ("cgls", {}), ("mlem", {}), ("osem", {"num_block": 10}), ("art", {}), ("bart", {"num_block": 10}),
        ("sart", {}), ("os_sart", {"num_block": 10}), ("pml_hybrid", {}), ("ospml_hybrid", {"num_block": 10}),
        ("tv", {})]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--sizes", type=int, nargs="*", default=[512, 1024])
    ap.add_argument("--algs", nargs="*", default=None)
    ap.add_argument("--iters", type=int, default=4)
    a = ap.parse_args()
    if a.threads:
        beamkit.init(a.threads)
    print(f"beamkit {beamkit.__version__}, {beamkit.num_threads()} threads; seconds per iteration "
          f"(time(1 + {a.iters} iterations) - time(1 iteration), best of 2 each, / {a.iters})")
    print(f"{'N':>5} {'P':>5} {'algorithm':>13} {'s/iter':>9} {'cpu s/iter':>10} {'TomoPy s/iter':>14} {'speed-up':>9}")
    for n in a.sizes:
        p = {512: 180, 1024: 360}.get(n, n // 2)
        theta = np.linspace(0, np.pi, p, endpoint=False)
        proj = beamkit.project(beamkit.shepp_logan(n), theta, pad=False)
        for alg, kw in ALGS:
            if a.algs and alg not in a.algs:
                continue
            def run(k):
                best, best_cpu = 1e9, 1e9
                for _ in range(2):
                    t0, c0 = time.perf_counter(), time.process_time()
                    beamkit.recon(proj, theta, algorithm=alg, num_iter=k, **kw)
                    best = min(best, time.perf_counter() - t0)
                    best_cpu = min(best_cpu, time.process_time() - c0)
                return best, best_cpu

            (w1, c1), (wk, ck) = run(1), run(1 + a.iters)
            t, cpu = (wk - w1) / a.iters, (ck - c1) / a.iters  # per iteration, without the plan's set-up
            tp = TOMOPY.get((alg, n, p))
            print(f"{n:>5} {p:>5} {alg:>13} {t:>9.4f} {cpu:>10.4f} {tp if tp else '-':>14} "
                  f"{tp / t if tp else float('nan'):>9.1f}", flush=True)


if __name__ == "__main__":
    main()
