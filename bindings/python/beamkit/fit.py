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
from typing import Callable, Dict, Optional, Sequence, Union

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
        phi1: float = 2.05, phi2: float = 2.05, ring_neighbors: int = 1, v_max: float = 0.5, v_init: Optional[float] = None,
        max_evals: int = 0, tol: float = 0.0, tol_iter: int = 0, target: float = -np.inf,
        restart_after: int = 0, callback: Optional[Callable] = None, dtype=np.float64) -> PsoResult:
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
    v_init : initial velocities uniform in ``[-v_init, v_init] * (upper - lower)``; None: uniform in
        ``[lower - x, upper - x]`` (SPSO 2011).
    max_evals, tol/tol_iter, target : further stopping rules (evaluation budget; best improved by at
        most ``tol`` over ``tol_iter`` iterations; best <= target).
    restart_after : re-seed all particles except the best after this many iterations without improvement.
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
    single = np.dtype(dtype) == np.float32
    if single and not isinstance(f, str):
        raise ValueError("beamkit.fit.pso: dtype=float32 is available for the built-in objectives only")
    d = _core.pso(func, lo.tolist(), hi.tolist(), int(n_particles), int(max_iter), int(max_evals), int(seed),
                  topology, int(ring_neighbors), velocity, float(w), -1.0 if w_end is None else float(w_end),
                  float(c1), float(c2), float(phi1), float(phi2), boundary, float(v_max), -1.0 if v_init is None else float(v_init), float(tol), int(tol_iter),
                  float(target), int(restart_after), callback, single)
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
    """Outcome of :func:`gisaxs_fit`."""
    parameters: Dict[str, float]   #: best value of every fitted path
    stderr: Dict[str, float]       #: one-sigma uncertainties from the Jacobian at the optimum
    chi2: float                    #: masked chi^2 at the optimum (transformed intensities)
    scale: float                   #: best intensity scale (solved analytically)
    background: float              #: best background (solved analytically)
    history: np.ndarray            #: best chi^2 per PSO iteration
    model: np.ndarray              #: scale * simulation + background at the optimum
    config: dict                   #: the configuration with the fitted values
    evaluations: int


def _set_path(cfg, path, value):
    keys = path.split(".")
    node = cfg
    for i, k in enumerate(keys[:-1]):
        try:
            node = node[int(k)] if isinstance(node, list) else node[k]
        except (KeyError, IndexError, ValueError):
            raise ValueError(f"parameter path '{path}': no '{'.'.join(keys[:i + 1])}' in the configuration") from None
    last = keys[-1]
    if isinstance(node, list):
        node[int(last)] = value
    elif isinstance(node, dict) and last in node and isinstance(node[last], (int, float)):
        node[last] = value
    else:
        raise ValueError(f"parameter path '{path}': '{last}' is not a numeric value in the configuration")


def gisaxs_fit(config, data, parameters, mask=None, sigma=None, transform: str = "log", n_particles: int = 24,
               max_iter: int = 40, seed: int = 0, refine: bool = True, callback: Optional[Callable] = None):
    """Fit numeric parameters of a GISAXS description (``beamkit.gisaxs`` JSON/dict) to a measured image.

    ``parameters``: ``{"sample.layouts.0.particles.0.shape.radius": (lo, hi), ...}`` — dotted paths into
    the configuration (list indices as numbers) with bounds. The objective is the masked chi^2 of
    :func:`scaled_chi2` on ``transform``-ed intensities with the best scale and background solved
    analytically per evaluation (``sigma`` None = Poisson). A particle swarm (``n_particles`` x
    ``max_iter`` simulations, seeded) finds the basin; Levenberg-Marquardt refines it and gives the
    uncertainties. ``callback(iteration, best_chi2, best_x)`` as in :func:`pso`.
    """
    import copy
    import json as _json

    from . import gisaxs as _gisaxs

    base = _gisaxs.load_config(config) if isinstance(config, str) and not config.lstrip().startswith("{") else \
        (_json.loads(config) if isinstance(config, str) else copy.deepcopy(dict(config)))
    if not parameters:
        raise ValueError("argument 'parameters' is empty: name at least one path with bounds")
    paths = list(parameters)
    lo = np.array([float(parameters[p][0]) for p in paths])
    hi = np.array([float(parameters[p][1]) for p in paths])
    bad = [p for p, a, b in zip(paths, lo, hi) if not (np.isfinite(a) and np.isfinite(b) and a < b)]
    if bad:
        raise ValueError(f"parameter '{bad[0]}' needs finite bounds lo < hi, got {parameters[bad[0]]}")
    data = np.asarray(data, dtype=np.float64)
    for p in paths:  # validate every path once, before any simulation
        _set_path(copy.deepcopy(base), p, float(lo[paths.index(p)]))

    def configure(x):
        cfg = copy.deepcopy(base)
        for p, v in zip(paths, x):
            _set_path(cfg, p, float(v))
        return cfg

    def simulate(x):
        img = _gisaxs.simulate(configure(x))
        if img.shape != data.shape:
            raise ValueError(f"the simulated image has shape {img.shape}, 'data' has {data.shape}")
        return img

    evals = [0]

    infeasible = 1e300  # parameter combinations the model rejects (e.g. side walls meeting below the top)

    def cost(x):
        evals[0] += 1
        try:
            img = simulate(x)
        except ValueError as e:
            if "shape" in str(e) and "'data'" in str(e):
                raise
            return infeasible
        return scaled_chi2(img, data, mask, sigma, transform)["chi2"]

    swarm = pso(cost, (lo, hi), n_particles=n_particles, max_iter=max_iter, seed=seed, vectorized=False,
                callback=callback)
    x = np.asarray(swarm.x, dtype=np.float64)
    width = hi - lo

    def residuals(u):  # in units of the box so the finite differences are well scaled
        evals[0] += 1
        try:
            img = simulate(lo + u * width)
        except ValueError:
            return np.full(data.size, 1e150)
        return scaled_chi2(img, data, mask, sigma, transform, residuals=True)["residuals"].ravel()

    stderr = np.full(len(paths), np.nan)
    if refine:
        lsq = least_squares(residuals, (x - lo) / width, bounds=(np.zeros(len(paths)), np.ones(len(paths))))
        x = lo + np.asarray(lsq.x) * width
        stderr = np.asarray(lsq.stderr) * width
    final = scaled_chi2(simulate(x), data, mask, sigma, transform)
    model = final["scale"] * simulate(x) + final["background"]
    return GisaxsFitResult(dict(zip(paths, map(float, x))), dict(zip(paths, map(float, stderr))), float(final["chi2"]),
                           float(final["scale"]), float(final["background"]), np.asarray(swarm.history), model,
                           configure(x), evals[0])
