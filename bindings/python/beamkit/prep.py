# SPDX-License-Identifier: BSD-3-Clause
"""Pre-processing of raw projections, with TomoPy's names, arguments and definitions.

Every function takes ``tomo``/``arr`` as ``[n_angles][n_slices][n_det]`` (TomoPy's projection order)
and returns a new float32 array (TomoPy computes in float32 too); inputs are never modified unless
``out`` is given. The kernels are beamkit's C++/Kokkos ones (``include/beamkit/tomo/prep/``).

Where the result agrees with TomoPy's test vectors (docs/tomography.md lists the agreement reached):
``normalize``, ``normalize_bg``, ``gaussian_filter``, ``median_filter``, ``downsample``,
``remove_stripe_fw`` and ``retrieve_phase``. ``minus_log`` differs on purpose: non-positive values are
clipped to 1e-6 (TomoPy returns inf/nan) and a :class:`RuntimeWarning` says how many were clipped.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from . import _beamkit
from .tomo import _check_threads, _numeric_array

_p = _beamkit.prep

__all__ = ["normalize", "normalize_bg", "minus_log", "remove_outlier", "gaussian_filter", "median_filter",
           "downsample", "remove_stripe_fw", "remove_stripe_based_sorting", "retrieve_phase", "wavelet_names",
           "parse_prep_chain"]


def _f32(x, name, ndim=3, copy=True):
    a = _numeric_array(x, name, ndim)
    if copy:
        return np.array(a, dtype=np.float32, order="C", copy=True)
    return np.ascontiguousarray(a, dtype=np.float32)


def _frames(x, name):
    a = np.asarray(x) if x is not None else None
    if a is not None and a.ndim == 2:
        a = a[np.newaxis]
    return _f32(a, name, 3, copy=False)


def _int(v, name, lo=None, hi=None):
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise ValueError(f"argument '{name}' must be an integer, got {v!r}")
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        rng = f"[{lo}, {hi}]" if hi is not None else f">= {lo}"
        raise ValueError(f"argument '{name}' must be {rng}, got {v!r}")
    return int(v)


def _real(v, name, positive=False, nonneg=False):
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise ValueError(f"argument '{name}' must be a number, got {v!r}") from None
    if not np.isfinite(f):
        raise ValueError(f"argument '{name}' must be finite, got {v!r}")
    if positive and not f > 0:
        raise ValueError(f"argument '{name}' must be > 0, got {v!r}")
    if nonneg and not f >= 0:
        raise ValueError(f"argument '{name}' must be >= 0, got {v!r}")
    return f


def _axis(axis):
    return _int(axis, "axis", 0, 2)


def _finish(res, out):
    if out is None:
        return res
    out[...] = res
    return out


def normalize(arr, flat, dark, cutoff=None, ncore=None, out=None, averaging="mean"):
    """Flat/dark correction ``(arr - dark) / max(flat - dark, 1e-6)`` (TomoPy's ``normalize``).

    ``flat``, ``dark``: 2-D or 3-D ``[n_frames][n_slices][n_det]``, averaged over the frames by
    ``averaging='mean'`` (TomoPy) or ``'median'`` (robust to zingers in the frames). ``cutoff``: upper
    clip of the result. Returns float32.
    """
    if averaging not in ("mean", "median"):
        raise ValueError(f"argument 'averaging' must be 'mean' or 'median', got {averaging!r}")
    x = _f32(arr, "arr")
    f = _frames(flat, "flat")
    d = _frames(dark, "dark")
    c = 0.0 if cutoff is None else _real(cutoff, "cutoff", positive=True)
    _check_threads(ncore)
    _p.normalize_inplace(x, f, d, c, averaging == "median")
    return _finish(x, out)


def normalize_bg(tomo, air=1, ncore=None, nchunk=None):
    """Divide every detector row by the line through the means of its ``air`` leftmost and rightmost
    pixels (TomoPy's ``normalize_bg``; a mean <= 0 counts as 1)."""
    x = _f32(tomo, "tomo")
    air = _int(air, "air", 1, x.shape[2])
    _check_threads(ncore)
    _p.normalize_bg_inplace(x, air)
    return x


def minus_log(arr, ncore=None, out=None):
    """``-log(arr)``; values <= 0 are clipped to 1e-6 first and counted in a RuntimeWarning."""
    x = _f32(arr, "arr")
    _check_threads(ncore)
    n = _p.minus_log_inplace(x)
    if n:
        warnings.warn(f"minus_log: {n} non-positive value(s) clipped to 1e-6 before the log", RuntimeWarning,
                      stacklevel=2)
    return _finish(x, out)


def _planes(arr, axis):
    """arr with ``axis`` moved first (the planes filtered are then the last two axes)."""
    x = _f32(arr, "arr", copy=False)
    return np.ascontiguousarray(np.moveaxis(x, axis, 0), dtype=np.float32).copy() if axis else x.copy()


def median_filter(arr, size=3, axis=0, ncore=None):
    """``size x size`` median of every 2-D slice perpendicular to ``axis`` (TomoPy's ``median_filter``:
    scipy.ndimage's window and 'reflect' boundary)."""
    axis = _axis(axis)
    size = _int(size, "size", 1, 21)
    x = _planes(arr, axis)
    _check_threads(ncore)
    y = _p.median_filter(x, size, size)
    return np.ascontiguousarray(np.moveaxis(y, 0, axis)) if axis else y


def gaussian_filter(arr, sigma=3, order=0, axis=0, ncore=None):
    """Gaussian smoothing of every 2-D slice perpendicular to ``axis`` (TomoPy's ``gaussian_filter`` =
    scipy.ndimage.gaussian_filter per slice: truncate 4, 'reflect'). ``sigma``: scalar or a pair for
    the slice's two axes. Only ``order=0`` is implemented."""
    axis = _axis(axis)
    if order != 0:
        raise ValueError(f"argument 'order' must be 0 (derivative filters are not implemented), got {order!r}")
    s = np.ravel(np.asarray(sigma, dtype=np.float64))
    if s.size not in (1, 2):
        raise ValueError(f"argument 'sigma' must be a number or a pair, got {sigma!r}")
    sy, sx = (_real(s[0], "sigma", nonneg=True),) * 2 if s.size == 1 else (_real(s[0], "sigma", nonneg=True),
                                                                           _real(s[1], "sigma", nonneg=True))
    x = _planes(arr, axis)
    _check_threads(ncore)
    _p.gaussian_filter_inplace(x, sy, sx)
    return np.ascontiguousarray(np.moveaxis(x, 0, axis)) if axis else x


def remove_outlier(arr, dif, size=3, axis=0, ncore=None, out=None):
    """Zinger removal (TomoPy's ``remove_outlier``): values exceeding the ``size x size`` median of their
    slice perpendicular to ``axis`` by ``>= dif`` are replaced by that median."""
    axis = _axis(axis)
    dif = _real(dif, "dif")
    size = _int(size, "size", 1, 21)
    x = _planes(arr, axis)
    _check_threads(ncore)
    _p.remove_outlier_inplace(x, dif, size)
    res = np.ascontiguousarray(np.moveaxis(x, 0, axis)) if axis else x
    return _finish(res, out)


def downsample(arr, level=1, axis=2):
    """Bin by ``2**level`` along ``axis`` (mean of consecutive samples; TomoPy's ``downsample``)."""
    axis = _axis(axis)
    level = _int(level, "level", 0, 30)
    x = _f32(arr, "arr", copy=False)
    if x.shape[axis] >> level < 1:
        raise ValueError(f"argument 'level' = {level} bins {2 ** level} samples but axis {axis} has {x.shape[axis]}")
    return _p.downsample(x, level, axis)


def wavelet_names():
    """Wavelets ``remove_stripe_fw`` accepts: haar, db1..db10, sym2..sym10."""
    return list(_p.wavelet_names())


def remove_stripe_fw(tomo, level=None, wname="db5", sigma=2, pad=True, ncore=None, nchunk=None):
    """Fourier-wavelet stripe (ring) removal of Muench et al. 2009 (TomoPy's ``remove_stripe_fw``).

    ``level``: DWT levels (default ``ceil(log2(max(tomo.shape)))``); ``wname``: see
    :func:`wavelet_names`; ``sigma``: damping width; ``pad``: zero-pad the angles by ``n_angles // 8``.
    """
    x = _f32(tomo, "tomo")
    if level is None:
        level = int(np.ceil(np.log2(max(x.shape))))
    level = _int(level, "level", 1, 30)
    if wname not in wavelet_names():
        raise ValueError(f"argument 'wname' must be one of {', '.join(wavelet_names())}, got {wname!r}")
    sigma = _real(sigma, "sigma", positive=True)
    _check_threads(ncore)
    _p.remove_stripe_fw_inplace(x, level, str(wname), sigma, bool(pad))
    return x


def remove_stripe_based_sorting(tomo, size=None, dim=1, ncore=None, nchunk=None):
    """Vo et al. 2018 stripe removal by sorting (algorithm 3; TomoPy's ``remove_stripe_based_sorting``).

    ``size``: median window across the detector (default 21 for detectors wider than 2000 pixels, else
    ``max(5, int(0.01 n_det))``); ``dim``: 1 (a size x 1 window) or 2 (size x size)."""
    x = _f32(tomo, "tomo")
    size = 0 if size is None else _int(size, "size", 1, 441)
    dim = _int(dim, "dim", 1, 2)
    if dim == 2 and size > 21:
        raise ValueError(f"argument 'size' must be <= 21 with dim=2, got {size}")
    _check_threads(ncore)
    _p.remove_stripe_based_sorting_inplace(x, size, dim)
    return x


def retrieve_phase(tomo, pixel_size=1e-4, dist=50, energy=20, alpha=1e-3, pad=True, ncore=None, nchunk=None):
    """Paganin single-distance phase retrieval as TomoPy's ``retrieve_phase`` (pixel_size and dist in cm,
    energy in keV, ``alpha`` the regularisation): every projection low-pass filtered by
    ``1 / (lambda dist |w|^2 / (4 pi) + alpha)`` normalised to 1 at zero frequency, padded to a power
    of two with edge values when ``pad``. Returns the filtered intensity (apply :func:`minus_log` next).
    """
    x = _f32(tomo, "tomo")
    args = [_real(v, k, positive=True) for v, k in ((pixel_size, "pixel_size"), (dist, "dist"), (energy, "energy"),
                                                     (alpha, "alpha"))]
    _check_threads(ncore)
    _p.retrieve_phase_inplace(x, *args, bool(pad))
    return x


def parse_prep_chain(spec):
    """Check a ``--prep`` chain string (as ``beamkit recon --prep``); returns ``(steps, halo)``."""
    if not isinstance(spec, str):
        raise ValueError(f"argument 'spec' must be a string, got {spec!r}")
    steps, halo = _p.parse_prep_chain(spec)
    return list(steps), int(halo)
