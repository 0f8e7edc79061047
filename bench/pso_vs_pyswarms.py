#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""beamkit.fit.pso vs pyswarms 1.3 GlobalBestPSO, side by side in one run.

30-D Rosenbrock, Rastrigin and Ackley; 64 particles x 1000 iterations (64 000 evaluations); seeds
0..N-1 (--seeds, default 5).

Two beamkit configurations run against the same pyswarms runs:

* "bk-eq" (the pyswarms-equivalent run, shown for transparency): the same algorithm with the same
  settings and semantics (checked against pyswarms 1.3's source: GlobalBestPSO,
backend/operators.py, handlers.py, generators.py): global best updated once per iteration from the
personal bests (synchronous), inertia w = 0.7298, c1 = c2 = 1.49618, r1, r2 ~ U(0, 1) per particle and
dimension, periodic walls (pyswarms' default bh_strategy 'periodic' = beamkit boundary='wrap'),
velocities left as they are at the walls (pyswarms' vh_strategy 'unmodified'), no velocity clamp
(pyswarms' velocity_clamp=None = beamkit v_max=0), positions ~ U(lower, upper), initial velocities
~ U(0, 1) in every dimension (pyswarms' generate_velocity without a clamp = beamkit v_init=(0, 1)),
1000 evaluations of the swarm. It runs twice: with the objective named (entirely in C++, one Kokkos
kernel per iteration) and with the same numpy objective as pyswarms (vectorised Python callable,
batch path, column "bk-eq(numpy)").
* "bk-rec" (beamkit's recommended configuration, the row judged against the targets):
  fit.pso(name, bounds, boundary="wrap", elitist=n_particles // 4) -- beamkit's defaults otherwise
  (global best, w = 0.7298, c1 = c2 = 1.49618, |v_d| <= 0.5 (hi_d - lo_d), initial velocities
  U(lo - x, hi - x) as in SPSO 2011) plus elitist learning (Zhan et al. 2009): every iteration the
  16 particles with the worst personal bests sample a copy of the global best with one coordinate
  displaced by N(0, sigma^2) (hi - lo), sigma 1 -> 0.1; the same 64 evaluations per iteration
  (r.evaluations == 64 000 is checked). See docs/fit.md, "Elitist learning".

pyswarms evaluates its own numpy objectives (pyswarms.utils.functions.single_obj). Reported: median
best cost over the seeds (and over seeds 0-4 when more are run), objective evaluations per CPU-second
(time.process_time, all threads of the process counted) and the ratios to pyswarms.

usage: PYTHONPATH=build/python /usr/bin/python3 bench/pso_vs_pyswarms.py [--seeds 5] [--iters 1000] [--threads 1]
       [--no-numpy-path]
"""
import argparse
import logging
import os
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 (e.g. 40 for robust medians); default 5")
    ap.add_argument("--iters", type=int, default=1000)
    ap.add_argument("--particles", type=int, default=64)
    ap.add_argument("--dim", type=int, default=30)
    ap.add_argument("--threads", type=int, default=1, help="beamkit (Kokkos OpenMP) threads; default 1")
    ap.add_argument("--spso-init", action="store_true",
                    help="bk-eq: initial velocities ~ U(lower - x, upper - x) (SPSO 2011, beamkit's default) "
                         "instead of pyswarms' U(0, 1)")
    ap.add_argument("--no-numpy-path", action="store_true", help="skip bk-eq with the numpy objective (faster)")
    a = ap.parse_args()
    a.v_init = None if a.spso_init else (0.0, 1.0)

    import beamkit
    beamkit.init(num_threads=a.threads)
    from beamkit import fit
    import pyswarms as ps
    from pyswarms.utils.functions import single_obj as fx
    logging.disable(logging.CRITICAL)

    opts = {"c1": 1.49618, "c2": 1.49618, "w": 0.7298}
    problems = [("rosenbrock", fx.rosenbrock, 5.0), ("rastrigin", fx.rastrigin, 5.12), ("ackley", fx.ackley, 32.0)]
    D, N, T = a.dim, a.particles, a.iters
    recommended = dict(boundary="wrap", elitist=N // 4)
    print(f"pyswarms {ps.__version__}, beamkit {beamkit.__version__} ({beamkit.num_threads()} thread(s)); "
          f"{D}-D, {N} particles x {T} iterations, seeds 0..{a.seeds - 1}; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs")
    print(f"  bk-eq : pyswarms-equivalent: boundary='wrap', v_max=0, v_init={a.v_init}, w={opts['w']}, "
          f"c1=c2={opts['c1']}")
    print(f"  bk-rec: recommended: fit.pso(name, bounds, boundary='wrap', elitist={N // 4}) "
          f"(elitist learning, beamkit defaults otherwise) -- judged against the targets")
    keys = ["ps", "bk", "rec"] + ([] if a.no_numpy_path else ["bkpy"])
    label = {"ps": "pyswarms", "bk": "bk-eq", "rec": "bk-rec", "bkpy": "bk-eq(numpy)"}
    hdr = (f"{'function':<11}" + "".join(f"{label[k] + ' best':>18}" for k in keys)
           + "".join(f"{label[k] + ' ev/cpu-s':>22}" for k in keys) + f"{'rec/ps speed':>14}")
    print(hdr)
    print("-" * len(hdr))
    summary = []
    for name, f, b in problems:
        lo, hi = -b * np.ones(D), b * np.ones(D)
        res = {k: ([], 0.0, 0) for k in keys}

        def add(key, cost, dt, ev):
            c, t, e = res[key]
            c.append(cost)
            res[key] = (c, t + dt, e + ev)

        for seed in range(a.seeds):
            np.random.seed(seed)
            opt = ps.single.GlobalBestPSO(n_particles=N, dimensions=D, options=dict(opts), bounds=(lo, hi))
            t0 = time.process_time()
            cost, _ = opt.optimize(f, iters=T, verbose=False)
            add("ps", cost, time.process_time() - t0, N * T)

            common = dict(n_particles=N, max_iter=T - 1, seed=seed)  # T batches of N evaluations, like pyswarms
            eq = dict(common, boundary="wrap", v_max=0.0, v_init=a.v_init, w=opts["w"], c1=opts["c1"], c2=opts["c2"])
            t0 = time.process_time()
            r = fit.pso(name, (lo, hi), **eq)
            add("bk", r.cost, time.process_time() - t0, r.evaluations)
            t0 = time.process_time()
            r = fit.pso(name, (lo, hi), **common, **recommended)
            add("rec", r.cost, time.process_time() - t0, r.evaluations)
            assert r.evaluations == N * T, r.evaluations  # the same budget as pyswarms
            if "bkpy" in res:
                t0 = time.process_time()
                r = fit.pso(f, (lo, hi), **eq)
                add("bkpy", r.cost, time.process_time() - t0, r.evaluations)
        med = {k: float(np.median(v[0])) for k, v in res.items()}
        med5 = {k: float(np.median(v[0][:5])) for k, v in res.items()}
        rate = {k: v[2] / v[1] for k, v in res.items()}
        print(f"{name:<11}" + "".join(f"{med[k]:>18.4g}" for k in keys) + "".join(f"{rate[k]:>22.3g}" for k in keys)
              + f"{rate['rec'] / rate['ps']:>13.1f}x")
        summary.append((name, med, med5, rate, res))
    if a.seeds > 5:
        print()
        print("medians over seeds 0-4 only:")
        for name, med, med5, rate, res in summary:
            print(f"{name:<11}" + "".join(f"  {label[k]} {med5[k]:.4g}" for k in keys))
    print()
    for name, med, med5, rate, res in summary:
        print(f"{name:<11} best costs per seed (first 10):")
        for k in keys:
            print(f"    {label[k]:<13} {np.array2string(np.array(res[k][0][:10]), precision=4)}")
    print()
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print(f"targets (judged row bk-rec): median best cost <= pyswarms' and >= 10x evaluations per CPU-second")
    for name, med, med5, rate, _ in summary:
        ok_cost = med["rec"] <= med["ps"]
        ok_speed = rate["rec"] >= 10 * rate["ps"]
        print(f"  {name:<11} median cost bk-rec / pyswarms = {med['rec']:.4g} / {med['ps']:.4g} "
              f"[{'met' if ok_cost else 'NOT met'}]; (bk-eq {med['bk']:.4g}); speed ratio = "
              f"{rate['rec'] / rate['ps']:.1f}x [{'met' if ok_speed else 'NOT met'}]")


if __name__ == "__main__":
    main()
