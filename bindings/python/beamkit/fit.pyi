from dataclasses import dataclass
from typing import Callable, Optional, Tuple, Union, Any

import numpy as np

BUILTIN_OBJECTIVES: tuple

@dataclass
class PsoResult:
    x: np.ndarray
    cost: float
    history: np.ndarray
    evaluations: int
    iterations: int
    restarts: int
    stop_reason: str

@dataclass
class LsqResult:
    x: np.ndarray
    stderr: np.ndarray
    covariance: np.ndarray
    chi2: float
    reduced_chi2: float
    residuals: np.ndarray
    dof: int
    iterations: int
    evaluations: int
    converged: bool
    message: str

@dataclass
class NelderMeadResult:
    x: np.ndarray
    cost: float
    iterations: int
    evaluations: int
    converged: bool
    message: str

def pso(f: Union[str, Callable[..., Any]], bounds: Any, n_particles: int = ..., max_iter: int = ..., seed: int = ...,
        vectorized: bool = ..., topology: str = ..., velocity: str = ..., boundary: str = ..., w: float = ...,
        w_end: Optional[float] = ..., c1: float = ..., c2: float = ..., phi1: float = ..., phi2: float = ...,
        ring_neighbors: int = ..., v_max: float = ..., v_init: Union[None, float, Tuple[float, float]] = ..., max_evals: int = ..., tol: float = ..., tol_iter: int = ...,
        target: float = ..., restart_after: int = ..., elitist: int = ...,
        elitist_sigma: Union[float, Tuple[float, float]] = ..., callback: Optional[Callable[[int, float, np.ndarray], Optional[bool]]] = ...,
        dtype: Any = ...) -> PsoResult: ...
def least_squares(fun: Callable[[np.ndarray], Any], x0: Any, bounds: Any = ..., absolute_sigma: bool = ...,
                  max_iter: int = ..., ftol: float = ..., xtol: float = ..., gtol: float = ..., fd_step: float = ...) -> LsqResult: ...
def lsq_uncertainty(fun: Callable[[np.ndarray], Any], x: Any, absolute_sigma: bool = ..., fd_step: float = ...) -> LsqResult: ...
def nelder_mead(fun: Callable[[np.ndarray], float], x0: Any, bounds: Any = ..., max_iter: int = ..., max_evals: int = ...,
                xtol: float = ..., ftol: float = ..., initial_step: float = ...) -> NelderMeadResult: ...
def scaled_chi2(model: Any, data: Any, mask: Any = ..., sigma: Any = ..., transform: str = ..., fit_scale: bool = ...,
                fit_background: bool = ..., scale: float = ..., background: float = ..., non_negative: bool = ...,
                floor: float = ..., residuals: bool = ...) -> dict: ...

@dataclass
class GisaxsFitResult:
    parameters: dict
    stderr: dict
    chi2: float
    reduced_chi2: float
    scale: float
    background: float
    history: np.ndarray
    model: np.ndarray
    data: np.ndarray
    mask: np.ndarray
    roi: tuple
    covariance: np.ndarray
    config: dict
    evaluations: int
    seconds: float
    def save(self, path: str, png: Optional[str] = ...) -> None: ...

def gisaxs_fit(config: Any, data: Any, parameters: Optional[dict] = ..., mask: Any = ..., sigma: Any = ...,
               transform: Optional[str] = ..., n_particles: Optional[int] = ..., max_iter: Optional[int] = ...,
               seed: Optional[int] = ..., refine: Union[bool, str, None] = ..., roi: Optional[dict] = ...,
               exclude_below: Optional[float] = ...,
               callback: Optional[Callable[[int, float, np.ndarray], Optional[bool]]] = ...,
               elitist: Optional[int] = ...) -> GisaxsFitResult: ...
