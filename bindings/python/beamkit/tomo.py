# SPDX-License-Identifier: BSD-3-Clause
"""Tomography: reconstruction, projection and phantoms, with TomoPy's names and conventions.

Projections are ``tomo[n_angles][n_slices][n_det]`` (``sinogram_order=True`` accepts
``[n_slices][n_angles][n_det]``), angles in radians, the rotation centre in detector pixels with
TomoPy's convention (pixel ``d`` spans ``[d, d+1)``; default ``n_det / 2``). Reconstructions are
``[n_slices][N][N]`` in attenuation per pixel: a phantom projected with :func:`project` and
reconstructed comes back at the phantom's values.

float32 input gives float32 output (the default, as TomoPy); float64 input gives float64.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from . import _beamkit

_t = _beamkit.tomo

DIRECT = ("gridrec", "fbp")
ITERATIVE = ("sirt", "cgls", "mlem", "osem", "sart", "os_sart", "art", "bart", "pml_quad", "pml_hybrid", "ospml_quad",
             "ospml_hybrid", "tv")
ALGORITHMS = DIRECT + ITERATIVE
FILTERS = ("none", "ramlak", "shepp", "cosine", "hamming", "hann", "parzen", "butterworth")

__all__ = ["recon", "project", "backproject", "shepp_logan", "shepp_logan_3d", "circ_mask", "find_center",
           "find_center_pc", "ALGORITHMS", "FILTERS"]


def _numeric_array(x, name, ndim):
    """``x`` as an array, checked: not None, numeric, ``ndim`` dimensions, not empty (ValueError naming it)."""
    if x is None:
        raise ValueError(f"argument '{name}' is None")
    a = np.asarray(x)
    if a.dtype.kind not in "fiub":
        raise ValueError(f"argument '{name}' must be numeric, got dtype {a.dtype}")
    if a.ndim != ndim:
        raise ValueError(f"argument '{name}' must have {ndim} dimensions, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"argument '{name}' is empty (shape {a.shape})")
    return a


def _as_float_array(x, name, ndim):
    a = _numeric_array(x, name, ndim)
    if a.dtype != np.float64:
        a = np.ascontiguousarray(a, dtype=np.float32)
    else:
        a = np.ascontiguousarray(a)
    return a


def _angles(theta, n_expected, name="theta"):
    th = np.asarray(theta, dtype=np.float64).ravel()
    if th.size == 0:
        raise ValueError(f"argument '{name}' is empty")
    if not np.all(np.isfinite(th)):
        raise ValueError(f"argument '{name}' contains a non-finite value at index {int(np.argmin(np.isfinite(th)))}")
    if n_expected is not None and th.size != n_expected:
        raise ValueError(f"argument '{name}' has {th.size} angles, expected {n_expected} (one per projection)")
    return [float(v) for v in th]


def _centers(center, n_det, n_slices):
    if center is None:
        return [n_det / 2.0]
    c = np.asarray(center, dtype=np.float64).ravel()
    if c.size not in (1, n_slices):
        raise ValueError(f"argument 'center' has {c.size} values, expected 1 or {n_slices} (one per slice)")
    if not np.all(np.isfinite(c)):
        raise ValueError(f"argument 'center' must be finite, got {center!r}")
    return [float(v) for v in c]


def _check_threads(ncore):
    if ncore is None:
        return
    if not isinstance(ncore, numbers.Integral) or ncore < 1:
        raise ValueError(f"argument 'ncore' must be a positive integer, got {ncore!r}")
    if not _beamkit.is_initialized():
        _beamkit.init(int(ncore))
    elif int(ncore) != _beamkit.num_threads():
        warnings.warn(f"ncore={ncore} ignored: beamkit already runs with {_beamkit.num_threads()} threads "
                      "(call beamkit.init(num_threads=...) before the first computation)", stacklevel=3)


def recon(tomo, theta, center=None, algorithm="gridrec", filter_name="shepp", filter_par=None, num_gridx=None,
          sinogram_order=False, ncore=None, out=None, pad_factor=2.0, progress=False, num_iter=10, num_block=1,
          ind_block=None, init_recon=None, relax=1.0, nonneg=False, tol=0.0, callback=None, reg_par=None, **kwargs):
    """Reconstruct a volume from parallel-beam projections (TomoPy's ``recon`` signature).

    Parameters
    ----------
    tomo : array, ``[n_angles][n_slices][n_det]`` (or ``[n_slices][n_angles][n_det]`` with ``sinogram_order``)
    theta : array of ``n_angles`` angles in radians
    center : float or array of one per slice; default ``n_det / 2``
    algorithm : ``'gridrec'`` (Fourier gridding), ``'fbp'`` (filtered back-projection), or iterative:
        ``'sirt'``, ``'cgls'``, ``'mlem'``, ``'osem'``, ``'sart'`` (one projection at a time), ``'os_sart'``
        (ordered subsets: ``num_block``, ``ind_block``), ``'art'`` (Kaczmarz), ``'bart'`` (block ART),
        ``'pml_quad'``, ``'pml_hybrid'``, ``'ospml_quad'``, ``'ospml_hybrid'`` (penalised ML, TomoPy's),
        ``'tv'`` (total variation, Chambolle-Pock)
    filter_name : ``none, ramlak, shepp, cosine, hamming, hann, parzen, butterworth``
    filter_par : ``[cutoff, order]`` for butterworth (default ``[0.5, 8]``)
    num_gridx : output size ``N`` (default ``n_det``)
    out : optional preallocated ``[n_slices][N][N]`` array of the input's float type
    pad_factor : rows are zero-padded to ``>= pad_factor * n_det`` before filtering (default 2)
    progress : True for a progress bar (tqdm), or a callable ``f(done, total)`` returning False to stop;
        counts slices for gridrec/fbp, iterations (x slice batches) for the iterative algorithms
    num_iter, num_block, ind_block, init_recon, relax, nonneg, tol : iterative algorithms (TomoPy's
        meanings; the start value is 1e-6 as in TomoPy unless ``init_recon`` is given)
    callback : iterative: ``f(iteration, relative_residual)`` after every iteration; False stops
    reg_par : TomoPy's regularisation parameters: ``[beta, delta]`` for ``pml_*``/``ospml_*`` (delta: hybrid
        only), ``[lambda]`` for ``tv``; default ones

    Returns
    -------
    ``[n_slices][N][N]`` float32 (float64 for float64 input)
    """
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {algorithm!r} (choose from {', '.join(ALGORITHMS)})")
    if filter_name not in FILTERS:
        raise ValueError(f"unknown filter_name {filter_name!r} (choose from {', '.join(FILTERS)})")
    if kwargs:
        raise ValueError(f"unexpected arguments for algorithm {algorithm!r}: {', '.join(sorted(kwargs))}")
    t = _as_float_array(tomo, "tomo", 3)
    n_proj, n_slices = (t.shape[1], t.shape[0]) if sinogram_order else (t.shape[0], t.shape[1])
    th = _angles(theta, n_proj)
    ctr = _centers(center, t.shape[2], n_slices)
    if num_gridx is not None and (not isinstance(num_gridx, numbers.Integral) or num_gridx < 1):
        raise ValueError(f"argument 'num_gridx' must be a positive integer, got {num_gridx!r}")
    fpar = [] if filter_par is None else [float(v) for v in np.ravel(filter_par)]
    _check_threads(ncore)
    cb = _progress_callback(progress, n_slices, "recon", "iter" if algorithm in ITERATIVE else "slice")
    try:
        if algorithm in ITERATIVE:
            if not isinstance(num_iter, numbers.Integral) or num_iter < 1:
                raise ValueError(f"argument 'num_iter' must be a positive integer, got {num_iter!r}")
            N = int(num_gridx or t.shape[2])
            if init_recon is not None:
                init = np.asarray(init_recon)
                if init.shape != (n_slices, N, N):
                    raise ValueError(f"argument 'init_recon' must have shape {(n_slices, N, N)}, got {init.shape}")
                if not np.all(np.isfinite(init)):
                    raise ValueError("argument 'init_recon' contains a non-finite value")
                out = np.array(init, dtype=t.dtype, order="C", copy=True) if out is None else out
                if out is not init:
                    out[...] = init
            order = [] if ind_block is None else [int(v) for v in np.ravel(ind_block)]
            rp = [] if reg_par is None else [float(v) for v in np.ravel(reg_par)]
            return _t.recon_iterative(t, th, ctr, algorithm, int(num_gridx or 0), bool(sinogram_order),
                                      t.dtype == np.float64, out, cb, int(num_iter), int(num_block), order, rp,
                                      float(relax), float(tol), bool(nonneg), init_recon is not None, callback)
        return _t.recon(t, th, ctr, algorithm, filter_name, fpar, int(num_gridx or 0), bool(sinogram_order),
                        float(pad_factor), t.dtype == np.float64, out, cb)
    finally:
        if cb is not None and hasattr(cb, "close"):
            cb.close()


class _Bar:
    """A tqdm bar fed by ``f(done, total)`` calls (slices, or iterations for iterative algorithms)."""

    def __init__(self, total, desc, unit):
        from tqdm.auto import tqdm

        self.bar = tqdm(total=total, desc=desc, unit=unit)

    def __call__(self, done, total):
        if self.bar.total != total:
            self.bar.total = total
        self.bar.update(done - self.bar.n)
        return True

    def close(self):
        self.bar.close()


def _progress_callback(progress, total, desc, unit="slice"):
    if progress is True:
        return _Bar(total, desc, unit)
    if progress is False or progress is None:
        return None
    if callable(progress):
        return progress
    raise ValueError(f"argument 'progress' must be True, False or a callable, got {progress!r}")


def project(obj, theta, center=None, pad=True, sinogram_order=False, ncore=None):
    """Forward-project ``obj [n_slices][N][N]`` (TomoPy's ``project``).

    With ``pad=True`` (TomoPy's default) the detector is widened to cover the image diagonal,
    ``n_det ~ sqrt(2) N`` with the same parity as ``N``; otherwise ``n_det = N``.
    Returns ``[n_angles][n_slices][n_det]`` (``[n_slices][n_angles][n_det]`` with ``sinogram_order``).
    """
    o = _as_float_array(obj, "obj", 3)
    n = o.shape[2]
    ndet = n
    if pad:
        ndet = int(np.ceil(np.sqrt(2.0) * n))
        ndet += (ndet - n) % 2
    th = _angles(theta, None)
    ctr = _centers(center, ndet, o.shape[0])
    _check_threads(ncore)
    return _t.project(o, th, ctr, ndet, bool(sinogram_order), o.dtype == np.float64)


def backproject(sino, theta, center=None, num_gridx=None, matched=True):
    """Back-project sinograms ``[n_slices][n_angles][n_det]``: the exact adjoint of :func:`project`
    (``matched=True``) or the interpolating FBP back-projector."""
    s = _as_float_array(sino, "sino", 3)
    th = _angles(theta, s.shape[1])
    ctr = _centers(center, s.shape[2], s.shape[0])
    return _t.backproject(s, th, ctr, int(num_gridx or 0), bool(matched), s.dtype == np.float64)


def shepp_logan(size=256, dtype=np.float32, supersample=1):
    """The modified Shepp-Logan phantom, ``[1][size][size]`` (TomoPy's ``shepp2d`` shape)."""
    _check_size(size, "size")
    return _t.shepp_logan(int(size), 1, int(supersample), np.dtype(dtype) == np.float64)


def shepp_logan_3d(size=128, nz=None, dtype=np.float32, supersample=1):
    """The 3-D Shepp-Logan phantom, ``[nz][size][size]`` (``nz`` defaults to ``size``)."""
    _check_size(size, "size")
    nz = size if nz is None else nz
    _check_size(nz, "nz")
    return _t.shepp_logan(int(size), int(nz), int(supersample), np.dtype(dtype) == np.float64)


def _check_size(v, name):
    if not isinstance(v, numbers.Integral) or v < 1:
        raise ValueError(f"argument '{name}' must be a positive integer, got {v!r}")


def circ_mask(arr, axis=0, ratio=1.0, val=0.0):
    """Zero (or set to ``val``) everything outside the inscribed circle of radius ``ratio * N / 2``.
    Works on a copy for non-contiguous or integer input; returns the masked array."""
    if axis != 0:
        arr = np.moveaxis(arr, axis, 0)
    a = np.asarray(arr)
    if a.ndim != 3:
        raise ValueError(f"argument 'arr' must have 3 dimensions, got shape {a.shape}")
    if not (0 <= ratio <= 1.5):
        raise ValueError(f"argument 'ratio' must be in [0, 1.5], got {ratio}")
    out = a if (a.flags.c_contiguous and a.dtype in (np.float32, np.float64) and a.flags.writeable) else \
        np.ascontiguousarray(a, dtype=np.float64 if a.dtype == np.float64 else np.float32)
    _t.circ_mask(out, float(ratio), float(val))
    return np.moveaxis(out, 0, axis) if axis != 0 else out


def find_center_pc(proj1, proj2, tol=None):
    """Rotation centre from two projections 180 degrees apart (TomoPy's ``find_center_pc``), by
    cross-correlating ``proj1`` with the mirror image of ``proj2``; sub-pixel (~0.01 px).
    ``proj1``, ``proj2``: ``[rows][n_det]`` (or ``[n_det]``). Returns the centre in TomoPy's convention."""
    a = np.atleast_2d(np.asarray(proj1, dtype=np.float64))
    b = np.atleast_2d(np.asarray(proj2, dtype=np.float64))
    if a.shape != b.shape:
        raise ValueError(f"arguments 'proj1' and 'proj2' differ in shape: {a.shape} and {b.shape}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("arguments 'proj1'/'proj2' contain non-finite values")
    return float(_t.center_pc(np.ascontiguousarray(a), np.ascontiguousarray(b)))


def find_center(tomo, theta, ind=None, init=None, tol=0.05, radius=10.0, sinogram_order=False):
    """Rotation centre by minimising the histogram entropy of gridrec reconstructions of one slice
    (TomoPy's ``find_center``): a 1-pixel scan over ``init +- radius`` then golden-section search to ``tol``.
    ``ind``: the slice (default the middle one); ``init``: the starting guess (default ``n_det / 2``)."""
    t = _as_float_array(tomo, "tomo", 3)
    n_proj, n_slices = (t.shape[1], t.shape[0]) if sinogram_order else (t.shape[0], t.shape[1])
    th = _angles(theta, n_proj)
    ind = n_slices // 2 if ind is None else int(ind)
    if not 0 <= ind < n_slices:
        raise ValueError(f"argument 'ind' = {ind} is outside the {n_slices} slices")
    sino = t[ind] if sinogram_order else t[:, ind, :]
    sino = np.ascontiguousarray(sino[None], dtype=np.float32)
    init = t.shape[2] / 2.0 if init is None else float(init)
    if not (tol > 0 and radius > 0):
        raise ValueError(f"arguments 'tol' and 'radius' must be > 0, got {tol}, {radius}")
    return float(_t.center_entropy(sino, th, init, float(radius), float(tol)))
