#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Time per RMC move: beamkit.rmc vs a straightforward numpy RMC (full-spectrum incremental update per
move, the HipRMC formulation without its half-spectrum/fusion), and print the ratio. Also checks that
beamkit's reported chi2 equals numpy's chi2 of beamkit's final model.

    PYTHONPATH=build/python OMP_NUM_THREADS=1 /usr/bin/python3 bench/rmc_vs_numpy.py [N ...]
"""
import sys
import time

import numpy as np

import beamkit.rmc as rmc


def numpy_rmc(data, w, model, moves, rng):
    """Metropolis at T = 0 with the scale fitted (b = 0), full-grid incremental F."""
    n = model.shape[0]
    F = np.fft.fft2(model)
    P = np.abs(F) ** 2
    k = np.arange(n)
    filled = np.flatnonzero(model.ravel())
    empty = np.flatnonzero(model.ravel() == 0)

    def chi2(P):
        s = (w * P * data).sum() / (w * P * P).sum()
        return (w * (s * P - data) ** 2).sum()

    c = chi2(P)
    for _ in range(moves):
        a, b = rng.integers(len(filled)), rng.integers(len(empty))
        y0, x0 = divmod(filled[a], n)
        y1, x1 = divmod(empty[b], n)
        dF = np.outer(np.exp(-2j * np.pi * k * y1 / n), np.exp(-2j * np.pi * k * x1 / n)) - np.outer(
            np.exp(-2j * np.pi * k * y0 / n), np.exp(-2j * np.pi * k * x0 / n))
        Fn = F + dF
        Pn = Fn.real**2 + Fn.imag**2
        cn = chi2(Pn)
        if cn <= c:
            F, c = Fn, cn
            filled[a], empty[b] = empty[b], filled[a]
    return c


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [256, 512]
    for n in sizes:
        rng = np.random.default_rng(0)
        truth = (rng.random((n, n)) < 0.25).astype(np.uint8)
        data = np.fft.fftshift(np.abs(np.fft.fft2(truth)) ** 2)
        w = np.ones((n, n))
        w[0, 0] = 0
        start = (rng.random((n, n)) < 0.25).astype(np.uint8)
        moves_np = 200 if n <= 256 else 50
        t = time.perf_counter()
        numpy_rmc(np.fft.ifftshift(data), w, start, moves_np, rng)
        t_np = (time.perf_counter() - t) / moves_np
        moves_bk = 20000 if n <= 256 else 5000
        rmc.run(data, loading=0.25, n_moves=100, seed=1)  # warm-up (Kokkos start, FFTW planning)
        t0 = time.perf_counter()
        res = rmc.run(data, loading=0.25, n_moves=moves_bk, seed=1)
        t_bk = (time.perf_counter() - t0) / moves_bk
        # beamkit's chi2 vs numpy's chi2 of the returned model (independent check)
        P = np.fft.fftshift(np.abs(np.fft.fft2(res.model)) ** 2)
        wc = np.fft.fftshift(w)
        s = (wc * P * data).sum() / (wc * P * P).sum()
        c_np = (wc * (s * P - data) ** 2).sum()
        print(f"N={n}: numpy {t_np * 1e3:.3f} ms/move, beamkit {t_bk * 1e3:.4f} ms/move (run incl. set-up), "
              f"ratio {t_np / t_bk:.1f}x; chi2 beamkit {res.chi2[0]:.6e} numpy {c_np:.6e} "
              f"(rel diff {abs(res.chi2[0] - c_np) / c_np:.1e})")


if __name__ == "__main__":
    main()
