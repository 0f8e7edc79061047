#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""beamkit.fit.pso vs pyswarms 1.3 GlobalBestPSO, side by side in one run.

30-D Rosenbrock, Rastrigin and Ackley; 64 particles x 1000 iterations; 5 seeds. Both run the same
algorithm with the same settings and semantics (checked against pyswarms 1.3's source: GlobalBestPSO,
backend/operators.py, handlers.py, generators.py): global best updated once per iteration from the
personal bests (synchronous), inertia w = 0.7298, c1 = c2 = 1.49618, r1, r2 ~ U(0, 1) per particle and
dimension, periodic walls (pyswarms' default bh_strategy 'periodic' = beamkit boundary='wrap'),
velocities left as they are at the walls (pyswarms' vh_strategy 'unmodified'), no velocity clamp
(pyswarms' velocity_clamp=None = beamkit v_max=0), positions ~ U(lower, upper), initial velocities
~ U(0, 1) in every dimension (pyswarms' generate_velocity without a clamp = beamkit v_init=(0, 1)),
1000 evaluations of the swarm. pyswarms evaluates its own numpy objectives
(pyswarms.utils.functions.single_obj). beamkit runs twice: with the objective named
(runs entirely in C++, one Kokkos kernel per iteration) and with the same numpy objective as pyswarms
(vectorised Python callable, batch path). Reported: median best cost over the seeds and objective
evaluations per CPU-second (time.process_time, all threads of the process counted), and the ratios.

usage: PYTHONPATH=build/python /usr/bin/python3 bench/pso_vs_pyswarms.py [--seeds 5] [--iters 1000] [--threads 1]
"""
import argparse
import logging
import os
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--iters", type=int, default=1000)
    ap.add_argument("--particles", type=int, default=64)
    ap.add_argument("--dim", type=int, default=30)
    ap.add_argument("--threads", type=int, default=1, help="beamkit (Kokkos OpenMP) threads; default 1")
    ap.add_argument("--spso-init", action="store_true",
                    help="beamkit initial velocities ~ U(lower - x, upper - x) (SPSO 2011, beamkit's default) "
                         "instead of pyswarms' U(0, 1)")
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
    print(f"pyswarms {ps.__version__}, beamkit {beamkit.__version__} ({beamkit.num_threads()} thread(s)); "
          f"{D}-D, {N} particles x {T} iterations, {a.seeds} seeds; beamkit v_init={a.v_init}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    hdr = (f"{'function':<11} {'pyswarms best':>14} {'beamkit best':>13} {'bk(numpy) best':>15} "
           f"{'pyswarms ev/cpu-s':>18} {'beamkit ev/cpu-s':>17} {'bk(numpy) ev/cpu-s':>19} {'speed ratio':>12} {'numpy-path ratio':>17}")
    print(hdr)
    print("-" * len(hdr))
    summary = []
    for name, f, b in problems:
        lo, hi = -b * np.ones(D), b * np.ones(D)
        res = {"ps": ([], 0.0, 0), "bk": ([], 0.0, 0), "bkpy": ([], 0.0, 0)}

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

            common = dict(n_particles=N, max_iter=T - 1, seed=seed, boundary="wrap", v_max=0.0, v_init=a.v_init,
                          w=opts["w"], c1=opts["c1"], c2=opts["c2"])  # T batches of N evaluations, like pyswarms
            t0 = time.process_time()
            r = fit.pso(name, (lo, hi), **common)
            add("bk", r.cost, time.process_time() - t0, r.evaluations)
            t0 = time.process_time()
            r = fit.pso(f, (lo, hi), **common)
            add("bkpy", r.cost, time.process_time() - t0, r.evaluations)
        med = {k: float(np.median(v[0])) for k, v in res.items()}
        rate = {k: v[2] / v[1] for k, v in res.items()}
        print(f"{name:<11} {med['ps']:>14.4g} {med['bk']:>13.4g} {med['bkpy']:>15.4g} {rate['ps']:>18.3g} "
              f"{rate['bk']:>17.3g} {rate['bkpy']:>19.3g} {rate['bk'] / rate['ps']:>11.1f}x {rate['bkpy'] / rate['ps']:>16.1f}x")
        summary.append((name, med, rate, res))
    print()
    for name, med, rate, res in summary:
        print(f"{name:<11} best costs per seed: pyswarms {np.round(res['ps'][0], 4).tolist()}  "
              f"beamkit {np.round(res['bk'][0], 4).tolist()}")
    print()
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print("targets: median best cost <= pyswarms' and >= 10x evaluations per CPU-second")
    for name, med, rate, _ in summary:
        ok_cost = med["bk"] <= med["ps"]
        ok_speed = rate["bk"] >= 10 * rate["ps"]
        print(f"  {name:<11} cost ratio beamkit/pyswarms = {med['bk'] / max(med['ps'], 1e-300):.3g} "
              f"[{'met' if ok_cost else 'NOT met'}]; speed ratio = {rate['bk'] / rate['ps']:.1f}x "
              f"[{'met' if ok_speed else 'NOT met'}]")


if __name__ == "__main__":
    main()
