#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Side by side in one process: beamkit FBP / gridrec vs scikit-image's iradon (same sinogram, same
filter, same threads available), per slice. Prints seconds per slice and the ratios.

    PYTHONPATH=build/python /usr/bin/python3 bench/tomo_vs_skimage.py            # N in {512, 1024}, P in {180, 720}
    PYTHONPATH=build/python /usr/bin/python3 bench/tomo_vs_skimage.py --full     # adds N=2048, P=1500 (slow: iradon takes minutes)

iradon is single-threaded numpy; beamkit uses all threads (OMP_NUM_THREADS). TomoPy 1.15 figures
measured on this machine type (not installable here) are printed for reference.
"""
import argparse
import time

import numpy as np
from skimage.transform import iradon

import beamkit

TOMOPY = {("gridrec", 1024, 180): 0.020, ("gridrec_pad", 1024, 180): 0.066, ("gridrec", 512, 804): 0.0086,
          ("gridrec_pad", 512, 804): 0.023, ("fbp", 1024, 180): 1.36}


def best_of(f, reps):
    t = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        t.append(time.perf_counter() - t0)
    return min(t)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--slices", type=int, default=4, help="slices per beamkit call (per-slice time is reported)")
    a = ap.parse_args()
    sizes = [(512, 180), (512, 804), (1024, 180), (1024, 720)]
    if a.full:
        sizes += [(2048, 180), (2048, 1500)]
    beamkit.recon(np.ones((10, 2, 64), np.float32), np.linspace(0, np.pi, 10))  # start Kokkos
    print(f"beamkit {beamkit.__version__}, {beamkit.num_threads()} threads; times are seconds per slice (best of 3)")
    print(f"{'N':>5} {'P':>5} {'iradon':>9} {'bk fbp':>9} {'bk gridrec':>11} {'iradon/fbp':>11} {'iradon/gridrec':>15} {'TomoPy gridrec (pad 2x)':>24}")
    for n, p in sizes:
        theta = np.linspace(0, np.pi, p, endpoint=False)
        ph = beamkit.shepp_logan_3d(n, nz=a.slices)
        proj = beamkit.project(ph, theta, pad=False)
        sino0 = np.ascontiguousarray(proj[:, 0, :].T, dtype=np.float64)
        t_sk = best_of(lambda: iradon(sino0, np.degrees(theta), filter_name="shepp-logan", circle=True), 1 if n >= 2048 else 2)
        beamkit.recon(proj, theta, algorithm="gridrec")  # plans, caches
        t_fbp = best_of(lambda: beamkit.recon(proj, theta, algorithm="fbp"), 3) / a.slices
        t_grid = best_of(lambda: beamkit.recon(proj, theta, algorithm="gridrec"), 3) / a.slices
        tp = TOMOPY.get(("gridrec", n, p)), TOMOPY.get(("gridrec_pad", n, p))
        tps = f"{tp[0]:.4f} ({tp[1]:.4f})" if tp[0] else "-"
        print(f"{n:>5} {p:>5} {t_sk:>9.4f} {t_fbp:>9.4f} {t_grid:>11.4f} {t_sk / t_fbp:>11.1f} {t_sk / t_grid:>15.1f} {tps:>24}")


if __name__ == "__main__":
    main()
