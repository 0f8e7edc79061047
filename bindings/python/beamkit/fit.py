# SPDX-License-Identifier: BSD-3-Clause
"""beamkit.fit: particle-swarm optimisation and local refinement.

* :func:`pso` -- global optimisation over a box (global-best, ring or von Neumann topology; inertia or
  Clerc constriction; reflect/clamp/wrap walls; restarts on stagnation). The objective is a
  vectorised numpy callable ``f(X) -> costs`` with ``X`` of shape ``(n_particles, dim)``, a plain
  ``f(x) -> float`` (``vectorized=False``), or the name of a built-in objective ('sphere',
  'rosenbrock', 'rastrigin', 'ackley') that then runs entirely in C++ (one Kokkos kernel per iteration).
  A fixed ``seed`` gives the same result on any thread count.
* :func:`least_squares` -- Levenberg-Marquardt with parameter uncertainties from the Jacobian at the
  optimum (covariance ``s^2 (J^T J)^-1``).
* :func:`nelder_mead` -- derivative-free simplex refinement.
* :func:`scaled_chi2` -- masked chi^2 of a model image against data with the best scale and
  background solved analytically (log / sqrt / linear intensity; Poisson, given or no sigma).

See docs/fit.md for the formulas and references.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, Optional, Sequence, Tuple, Union

import numpy as np

from . import _beamkit

_core = _beamkit.fit

__all__ = ["gisaxs_fit", "GisaxsFitResult", "pso", "PsoResult", "least_squares", "LsqResult", "nelder_mead", "NelderMeadResult", "scaled_chi2",
           "BUILTIN_OBJECTIVES"]

BUILTIN_OBJECTIVES = ("sphere", "rosenbrock", "rastrigin", "ackley")


@dataclass
class PsoResult:
    """Outcome of :func:`pso`."""
    x: np.ndarray                 #: best position, shape (dim,)
    cost: float                   #: its cost
    history: np.ndarray           #: best cost after the initial swarm and after each iteration
    evaluations: int              #: objective evaluations made
    iterations: int
    restarts: int
    stop_reason: str              #: 'max_iter', 'max_evals', 'tol', 'target' or 'callback'

    def __repr__(self) -> str:
        return (f"PsoResult(cost={self.cost:.6g}, x={np.array2string(self.x, precision=6)}, "
                f"iterations={self.iterations}, evaluations={self.evaluations}, stop_reason={self.stop_reason!r})")


def _bounds(bounds, where="beamkit.fit.pso"):
    try:
        lo, hi = bounds
    except (TypeError, ValueError):
        raise ValueError(f"{where}: argument 'bounds' must be a pair (lower, upper) of sequences, got {bounds!r}") from None
    lo = np.atleast_1d(np.asarray(lo, dtype=np.float64)).ravel()
    hi = np.atleast_1d(np.asarray(hi, dtype=np.float64)).ravel()
    if lo.shape != hi.shape:
        raise ValueError(f"{where}: argument 'bounds' has {lo.size} lower and {hi.size} upper values")
    return lo, hi


def pso(f: Union[str, Callable], bounds, n_particles: int = 64, max_iter: int = 1000, seed: int = 0,
        vectorized: bool = True, topology: str = "global", velocity: str = "inertia", boundary: str = "reflect",
        w: float = 0.7298, w_end: Optional[float] = None, c1: float = 1.49618, c2: float = 1.49618,
        phi1: float = 2.05, phi2: float = 2.05, ring_neighbors: int = 1, v_max: float = 0.5,
        v_init: Union[None, float, Tuple[float, float]] = None,
        max_evals: int = 0, tol: float = 0.0, tol_iter: int = 0, target: float = -np.inf,
        restart_after: int = 0, elitist: int = 0, elitist_sigma: Union[float, Tuple[float, float]] = (1.0, 0.1),
        callback: Optional[Callable] = None, dtype=np.float64) -> PsoResult:
    """Minimise ``f`` over the box ``bounds = (lower, upper)`` with particle-swarm optimisation.

    Parameters
    ----------
    f : callable or str
        ``vectorized=True``: ``f(X)`` with ``X`` of shape ``(n_particles, dim)`` returns shape
        ``(n_particles,)``. ``vectorized=False``: ``f(x)`` with ``x`` of shape ``(dim,)`` returns a float.
        A name in ``BUILTIN_OBJECTIVES`` runs fully in C++ (``dtype`` float32 or float64).
    bounds : (lower, upper)
        Sequences of length ``dim``; every particle stays inside.
    topology : 'global' | 'ring' | 'von_neumann'
    velocity : 'inertia' (``v = w v + c1 r1 (p - x) + c2 r2 (g - x)``, ``w`` linearly to ``w_end`` if
        given) | 'constriction' (Clerc: ``v = chi (v + phi1 r1 (p - x) + phi2 r2 (g - x))``)
    boundary : 'reflect' | 'clamp' | 'wrap' (periodic)
    v_max : velocity clamp as a fraction of the box width (0: none).
    v_init : initial velocities uniform in ``[-v_init, v_init] * (upper - lower)``; a pair ``(vmin, vmax)``:
        uniform in ``[vmin, vmax)`` in absolute units in every dimension (pyswarms' initialisation,
        whose default without a velocity clamp is ``(0, 1)``); None: uniform in ``[lower - x, upper - x]``
        (SPSO 2011).
    max_evals, tol/tol_iter, target : further stopping rules (evaluation budget; best improved by at
        most ``tol`` over ``tol_iter`` iterations; best <= target).
    restart_after : re-seed all particles except the best after this many iterations without improvement.
    elitist : elitist learning (Zhan et al. 2009): every iteration the ``elitist`` particles with the worst
        personal bests (never the global best) are placed, instead of their PSO move, on a copy of the
        global best with one random coordinate ``d`` displaced by ``N(0, sigma^2) * (upper[d] - lower[d])``
        (the same evaluations per iteration). 0: off. Recommended: ``n_particles // 4`` with
        ``boundary='wrap'`` (see docs/fit.md, "Elitist learning").
    elitist_sigma : ``(sigma_start, sigma_end)``: sigma falls linearly over ``max_iter``; a single number
        keeps it constant. Both > 0.
    callback : ``callback(iteration, best_cost, best_x)`` after each iteration; return True to stop.
    """
    lo, hi = _bounds(bounds)
    if isinstance(f, str):
        if f not in BUILTIN_OBJECTIVES:
            raise ValueError(f"beamkit.fit.pso: argument 'f' is {f!r}, expected a callable or one of {BUILTIN_OBJECTIVES}")
        func = f
    elif callable(f):
        if vectorized:
            func = f
        else:
            def func(X, _f=f):
                return np.fromiter((_f(row) for row in X), dtype=np.float64, count=X.shape[0])
    else:
        raise ValueError(f"beamkit.fit.pso: argument 'f' must be callable or a name, got {type(f).__name__}")
    v_frac, v_lo, v_hi = -1.0, 0.0, 0.0
    if v_init is not None:
        if np.ndim(v_init) == 0:
            v_frac = float(v_init)
        else:
            if len(v_init) != 2:
                raise ValueError(f"beamkit.fit.pso: v_init must be a number or a pair (vmin, vmax), got {v_init!r}")
            v_lo, v_hi = float(v_init[0]), float(v_init[1])
            if not v_lo < v_hi:
                raise ValueError(f"beamkit.fit.pso: v_init = ({v_lo}, {v_hi}) needs vmin < vmax")
    if np.ndim(elitist_sigma) == 0:
        s0 = s1 = float(elitist_sigma)
    else:
        if len(elitist_sigma) != 2:
            raise ValueError("beamkit.fit.pso: elitist_sigma must be a number or a pair (start, end), "
                             f"got {elitist_sigma!r}")
        s0, s1 = float(elitist_sigma[0]), float(elitist_sigma[1])
    single = np.dtype(dtype) == np.float32
    if single and not isinstance(f, str):
        raise ValueError("beamkit.fit.pso: dtype=float32 is available for the built-in objectives only")
    d = _core.pso(func, lo.tolist(), hi.tolist(), int(n_particles), int(max_iter), int(max_evals), int(seed),
                  topology, int(ring_neighbors), velocity, float(w), -1.0 if w_end is None else float(w_end),
                  float(c1), float(c2), float(phi1), float(phi2), boundary, float(v_max), v_frac, v_lo, v_hi, float(tol), int(tol_iter),
                  float(target), int(restart_after), callback, single, int(elitist), s0, s1)
    return PsoResult(**d)


@dataclass
class LsqResult:
    """Outcome of :func:`least_squares`."""
    x: np.ndarray
    stderr: np.ndarray        #: one-sigma uncertainties sqrt(diag(covariance))
    covariance: np.ndarray    #: s^2 (J^T J)^-1 (s^2 = 1 with absolute_sigma)
    chi2: float               #: sum of squared residuals at x
    reduced_chi2: float
    residuals: np.ndarray
    dof: int
    iterations: int
    evaluations: int
    converged: bool
    message: str


def _opt_bounds(bounds, n, where):
    if bounds is None:
        return [], []
    lo, hi = _bounds(bounds, where)
    if lo.size != n:
        raise ValueError(f"{where}: argument 'bounds' has {lo.size} values per side, x0 has {n}")
    return lo.tolist(), hi.tolist()


def least_squares(fun: Callable, x0, bounds=None, absolute_sigma: bool = False, max_iter: int = 200,
                  ftol: float = 1e-12, xtol: float = 1e-10, gtol: float = 1e-14, fd_step: float = 1e-6) -> LsqResult:
    """Levenberg-Marquardt minimisation of ``sum(fun(x)**2)`` from ``x0``.

    ``fun(x)`` returns the residual vector. If the residuals are ``(model - data) / sigma`` with
    trusted sigmas pass ``absolute_sigma=True`` (covariance ``(J^T J)^-1``); otherwise it is scaled by
    the reduced chi^2 ``s^2 = sum r^2 / (m - n)``. The Jacobian is by finite differences (central at
    the optimum, for the uncertainties).
    """
    x0 = np.atleast_1d(np.asarray(x0, dtype=np.float64)).ravel()
    lo, hi = _opt_bounds(bounds, x0.size, "beamkit.fit.least_squares")
    d = _core.least_squares(fun, x0.tolist(), lo, hi, bool(absolute_sigma), int(max_iter), float(ftol), float(xtol),
                            float(gtol), float(fd_step))
    return LsqResult(**d)


def lsq_uncertainty(fun: Callable, x, absolute_sigma: bool = False, fd_step: float = 1e-6) -> LsqResult:
    """Covariance and one-sigma errors of a least-squares solution ``x`` found by any optimiser (e.g. pso)."""
    x = np.atleast_1d(np.asarray(x, dtype=np.float64)).ravel()
    return LsqResult(**_core.lsq_uncertainty(fun, x.tolist(), bool(absolute_sigma), float(fd_step)))


@dataclass
class NelderMeadResult:
    x: np.ndarray
    cost: float
    iterations: int
    evaluations: int
    converged: bool
    message: str


def nelder_mead(fun: Callable, x0, bounds=None, max_iter: int = 5000, max_evals: int = 0, xtol: float = 1e-10,
                ftol: float = 1e-12, initial_step: float = 0.05) -> NelderMeadResult:
    """Nelder-Mead simplex minimisation of the scalar ``fun(x)`` from ``x0`` (adaptive coefficients)."""
    x0 = np.atleast_1d(np.asarray(x0, dtype=np.float64)).ravel()
    lo, hi = _opt_bounds(bounds, x0.size, "beamkit.fit.nelder_mead")
    d = _core.nelder_mead(fun, x0.tolist(), lo, hi, int(max_iter), int(max_evals), float(xtol), float(ftol),
                          float(initial_step))
    return NelderMeadResult(**d)


def scaled_chi2(model, data, mask=None, sigma=None, transform: str = "log", fit_scale: bool = True,
                fit_background: bool = True, scale: float = 1.0, background: float = 0.0,
                non_negative: bool = True, floor: float = 1.0, residuals: bool = False) -> dict:
    """chi^2 of ``scale * model + background`` against ``data`` over ``mask`` (True = used).

    ``transform``: 'log', 'sqrt' or 'linear' intensity. ``sigma``: None (Poisson, sigma^2 = max(data, 1)),
    'none' (unit weights in the transformed space) or an array of per-pixel sigmas in intensity units.
    The best scale/background (``fit_*``) are solved analytically (weighted linear least squares).
    Returns a dict with 'chi2', 'scale', 'background', 'n_used' (and 'residuals', shaped like data).
    """
    if sigma is None:
        model_s, values = "poisson", None
    elif isinstance(sigma, str):
        if sigma not in ("poisson", "none"):
            raise ValueError(f"beamkit.fit.scaled_chi2: argument 'sigma' is {sigma!r}, expected None, 'poisson', 'none' or an array")
        model_s, values = sigma, None
    else:
        model_s, values = "given", np.asarray(sigma, dtype=np.float64)
    return _core.scaled_chi2(model, data, mask, values, transform, model_s, bool(fit_scale), bool(fit_background),
                             float(scale), float(background), bool(non_negative), float(floor), bool(residuals))


# ---- GISAXS fit ----------------------------------------------------------------------------------

@dataclass
class GisaxsFitResult:
    """Outcome of :func:`gisaxs_fit` (the same numbers `beamkit fit` writes; :meth:`save` writes the same file)."""
    parameters: Dict[str, float]   #: best value of every fitted path
    stderr: Dict[str, float]       #: one-sigma uncertainties from the Jacobian at the optimum
    chi2: float                    #: masked chi^2 at the optimum (transformed intensities)
    reduced_chi2: float            #: chi2 / (pixels used - parameters - 2)
    scale: float                   #: best intensity scale (solved analytically)
    background: float              #: best background (solved analytically)
    history: np.ndarray            #: best chi^2 after the initial swarm and each PSO iteration
    model: np.ndarray              #: scale * simulation + background at the optimum (region of interest)
    data: np.ndarray               #: the data in the region of interest
    mask: np.ndarray               #: pixels used in chi^2 (region of interest)
    roi: tuple                     #: (row0, row1, col0, col1) of the region of interest in the data
    covariance: np.ndarray         #: covariance of the parameters (order of ``parameters``)
    config: dict                   #: the configuration with the fitted values
    evaluations: int
    seconds: float
    _native: object = field(default=None, repr=False)

    def save(self, path: str, png: Optional[str] = None) -> None:
        """Write the HDF5 file (datasets under /fit) and optionally the data | model PNG, exactly as
        ``beamkit fit -o path --png png`` does (atomically: on error neither file exists)."""
        self._native.write(str(path), "" if png is None else str(png))


def _config_text(config) -> str:
    import json as _json
    if isinstance(config, (str, bytes)) and not str(config).lstrip().startswith("{"):
        with open(config, "r", encoding="utf-8") as fh:   # a file name
            return fh.read()
    if isinstance(config, str):
        return config
    try:
        return _json.dumps(dict(config))
    except (TypeError, ValueError) as e:
        raise ValueError(f"beamkit.fit.gisaxs_fit: argument 'config' is not JSON-serialisable: {e}") from None


def gisaxs_fit(config, data, parameters=None, mask=None, sigma=None, transform: Optional[str] = None,
               n_particles: Optional[int] = None, max_iter: Optional[int] = None, seed: Optional[int] = None,
               refine: Union[bool, str, None] = None, roi: Optional[dict] = None, exclude_below: Optional[float] = None,
               callback: Optional[Callable] = None, elitist: Optional[int] = None) -> GisaxsFitResult:
    """Fit numeric parameters of a GISAXS description (``beamkit.gisaxs`` JSON/dict/file) to a measured image.

    The settings are those of the configuration's ``"fit"`` section (docs/fit.md), which the arguments
    given here override: ``parameters`` ``{"sample.layouts.0.particles.0.shape.radius": (lo, hi), ...}``
    (dotted paths, list indices as numbers), ``transform`` ('log', 'sqrt', 'linear'), ``sigma`` (None:
    the section's or Poisson; 'poisson', 'none', or an array of per-pixel sigmas in intensity units),
    ``n_particles``/``max_iter``/``seed`` (the swarm), ``elitist`` (particles per iteration doing elitist
    learning, as in :func:`pso`; default 0), ``refine`` (True/'lm', 'nelder_mead', False/'none'),
    ``roi`` ({'rows': [r0, r1], 'cols': [c0, c1]} or {'x': [..], 'y': [..]} in detector units),
    ``exclude_below`` (data below it are not fitted; default 0). ``mask``: True = pixel may be used.
    The objective is the masked chi^2 of :func:`scaled_chi2` with the best scale and background solved
    per simulation; a seeded particle swarm finds the basin, Levenberg-Marquardt refines it and gives
    the uncertainties. ``callback(iteration, best_chi2, best_x)`` as in :func:`pso`. The work is done
    by the same C++ driver as ``beamkit fit``; ``result.save(path, png)`` writes the same file.
    """
    import json as _json
    text = _config_text(config)
    over: dict = {}
    if parameters is not None:
        if not isinstance(parameters, dict):
            raise ValueError(f"beamkit.fit.gisaxs_fit: argument 'parameters' must be a dict path -> (lo, hi), got {type(parameters).__name__}")
        if not parameters:
            raise ValueError("beamkit.fit.gisaxs_fit: argument 'parameters' is empty: name at least one path with bounds")
        ps = {}
        for p, b in parameters.items():
            try:
                lo, hi = (float(v) for v in b)
            except (TypeError, ValueError):
                raise ValueError(f"beamkit.fit.gisaxs_fit: parameter '{p}' needs bounds (lo, hi), got {b!r}") from None
            ps[str(p)] = [lo, hi]
        over["parameters"] = ps
    if transform is not None:
        over["transform"] = transform
    sigma_values = None
    if isinstance(sigma, str):
        over["sigma"] = sigma
    elif sigma is not None:
        sigma_values = np.asarray(sigma, dtype=np.float64)
    for key, v in (("particles", n_particles), ("iterations", max_iter), ("seed", seed), ("roi", roi),
                   ("exclude_below", exclude_below), ("elitist", elitist)):
        if v is not None:
            over[key] = v
    if refine is not None:
        over["refine"] = ("lm" if refine else "none") if isinstance(refine, bool) else refine
    data = np.asarray(data, dtype=np.float64)
    used = None if mask is None else np.asarray(mask, dtype=bool).astype(np.uint8)
    r = _core.gisaxs_fit(text, _json.dumps(over), data, used, sigma_values, callback)
    names = list(r.names)
    return GisaxsFitResult(dict(zip(names, map(float, r.x))), dict(zip(names, map(float, r.stderr))), float(r.chi2),
                           float(r.reduced_chi2), float(r.scale), float(r.background), np.asarray(r.history), r.model,
                           r.data, r.mask, tuple(r.roi), r.covariance, _json.loads(r.config_json), int(r.evaluations),
                           float(r.seconds), r)
