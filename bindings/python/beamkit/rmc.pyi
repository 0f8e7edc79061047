# SPDX-License-Identifier: BSD-3-Clause
from os import PathLike
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

class Result:
    n: int
    model: npt.NDArray[np.uint8]
    models: npt.NDArray[np.uint8]
    pattern: npt.NDArray[np.float64]
    patterns: npt.NDArray[np.float64]
    data: npt.NDArray[np.float64]
    weight: npt.NDArray[np.float64]
    chi2: npt.NDArray[np.float64]
    scale: npt.NDArray[np.float64]
    background: npt.NDArray[np.float64]
    replica: list[int]
    trace_chi2: npt.NDArray[np.float64]
    trace_acceptance: npt.NDArray[np.float64]
    trace_temperature: npt.NDArray[np.float64]
    trace_move: list[int]
    trace_level: list[int]
    filled: int
    moves: int
    seconds: float
    level_seconds: list[float]
    max_drift: float
    stopped: bool
    step: float
    dq: float
    cell_size: float
    loading: float
    seed: int
    def save(self, path: str) -> None: ...
    def save_png(self, path: str) -> None: ...

def read_pattern(path: Union[str, PathLike], dataset: Optional[str] = ...) -> npt.NDArray[np.float64]: ...
def grid_data(pattern: Any, mask: Any = ..., sigma: Any = ..., *, size: Optional[int] = ...,
              center: Optional[Sequence[float]] = ..., step: Optional[float] = ..., pixel_size: Optional[float] = ...,
              distance: Optional[float] = ..., wavelength: Optional[float] = ..., cell_size: Optional[float] = ...,
              dataset: Optional[str] = ...) -> dict: ...
def run(pattern: Any, loading: float, n_moves: Optional[int] = ..., seed: int = ..., mask: Any = ...,
        sigma: Any = ..., callback: Optional[Callable[[dict], Optional[bool]]] = ..., *, size: Optional[int] = ...,
        center: Optional[Sequence[float]] = ..., step: Optional[float] = ..., pixel_size: Optional[float] = ...,
        distance: Optional[float] = ..., wavelength: Optional[float] = ..., cell_size: Optional[float] = ...,
        replicas: int = ..., levels: int = ..., max_distance: int = ..., t_start: Optional[float] = ...,
        t_final_ratio: float = ..., scale: Optional[float] = ..., background: Union[float, str] = ...,
        recompute_every: int = ..., trace_every: Optional[int] = ..., dtype: Any = ..., initial: Any = ...,
        dataset: Optional[str] = ...) -> Result: ...
