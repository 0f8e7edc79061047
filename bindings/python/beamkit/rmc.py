# SPDX-License-Identifier: BSD-3-Clause
"""Reverse Monte Carlo: a binary real-space model whose pattern matches a 2-D scattering pattern.

The model is an N x N tile of filled/empty cells at a fixed loading (fraction filled). Monte Carlo
moves swap one filled and one empty cell; the cost is

    chi2 = sum_q w(q) (scale |F(q)|^2 + background - data(q))^2,   w = 1/sigma^2 (1 without sigma, 0 masked)

with F = numpy.fft.fft2(model) and scale/background the least-squares optimum unless given. Every
move is evaluated by one incremental pass over half of F (F(-q) = conj F(q)); see docs/rmc.md.

    res = beamkit.rmc.run(pattern, loading=0.3, n_moves=200_000, seed=1)
    res.model      # [N, N] uint8, row = y, column = x
    res.pattern    # fftshift(res.scale[0] * abs(fft2(res.model))**2 + res.background[0])
    res.save("out.h5"); res.save_png("out.png")
"""
from __future__ import annotations

import os

import numpy as np

from . import _beamkit

_rmc = _beamkit._rmc
Result = _rmc.Result

__all__ = ["run", "read_pattern", "grid_data", "Result"]


def read_pattern(path, dataset=None):
    """Read a 2-D pattern (.tif/.tiff via libtiff, or an HDF5 dataset) as float64."""
    return _rmc.read_pattern(os.fspath(path), dataset or "")


def _pattern(pattern, dataset):
    if isinstance(pattern, (str, os.PathLike)):
        return read_pattern(pattern, dataset)
    return pattern


def grid_data(pattern, mask=None, sigma=None, *, size=None, center=None, step=None, pixel_size=None,
              distance=None, wavelength=None, cell_size=None, dataset=None):
    """The pattern as run() sees it: dict(n, data, weight (centred [N, N]), step, dq, cell_size, center)."""
    return _rmc.grid_data(_pattern(pattern, dataset), mask, sigma, size or 0, center, step or 0.0,
                          pixel_size or 0.0, distance or 0.0, wavelength or 0.0, cell_size or 0.0)


def run(pattern, loading, n_moves=None, seed=0, mask=None, sigma=None, callback=None, *, size=None, center=None,
        step=None, pixel_size=None, distance=None, wavelength=None, cell_size=None, replicas=1, levels=1,
        max_distance=0, t_start=None, t_final_ratio=1e-3, scale=None, background=0.0, recompute_every=20000,
        trace_every=None, dtype=np.float32, initial=None, dataset=None):
    """Fit a binary model to `pattern` by reverse Monte Carlo.

    pattern     2-D array (detector image, any real dtype) or a file path (.tif/.tiff, or HDF5 with `dataset`).
    loading     fraction of filled cells, in (0, 1).
    n_moves     moves per replica at full size (default 30 per filled cell).
    seed        the run depends on the seed only (not on the thread count).
    mask        same shape as pattern, non-zero = excluded pixel. sigma: same shape, standard deviations.
    callback    f(info: dict) called at every trace point (keys level, levels, move, moves, chi2,
                acceptance, temperature); return False to stop early.
    size        model side N (even; default: the largest N that fits around the centre).
    center      beam centre (row, col) in 0-based pixels (default (rows//2, cols//2)).
    step        detector pixels per model q step (default 1, or from pixel_size, distance,
                wavelength, cell_size: step = wavelength*distance/(N*cell_size*pixel_size)).
    replicas    independent models run side by side (best first in the result).
    levels      multi-scale start: fit an N/2^(levels-1) model to the low-q data first, then grow it.
    max_distance  >0: a filled cell moves at most this many cells along each axis.
    t_start     start temperature relative to chi2 (default: automatic); t_final_ratio: final/start.
    scale       None (default): least-squares optimum at every move; a number: fixed.
    background  0.0 (default): fixed; a number: fixed; "fit": least-squares optimum at every move.
    dtype       np.float32 (default, faster) or np.float64: precision of the incremental F.
    initial     start model(s) [N, N] or [replicas, N, N] (levels must be 1).
    """
    dt = np.dtype(dtype)
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"beamkit.rmc.run: argument 'dtype' must be float32 or float64, got {dt}")
    if n_moves is not None and n_moves < 0:
        raise ValueError(f"beamkit.rmc.run: argument 'n_moves' must be >= 0, got {n_moves}")
    fit_bg = isinstance(background, str)
    if fit_bg and background != "fit":
        raise ValueError(f"beamkit.rmc.run: argument 'background' must be a number or 'fit', got {background!r}")
    return _rmc.run(_pattern(pattern, dataset), float(loading), int(n_moves or 0), int(seed), mask, sigma, callback,
                    int(size or 0), center, float(step or 0.0), float(pixel_size or 0.0), float(distance or 0.0),
                    float(wavelength or 0.0), float(cell_size or 0.0), int(replicas), int(levels), int(max_distance),
                    -1.0 if t_start is None else float(t_start), float(t_final_ratio), scale, None if fit_bg else float(background),
                    int(recompute_every), int(trace_every or 0), dt == np.dtype(np.float64), initial)
