# SPDX-License-Identifier: BSD-3-Clause
"""GISAXS simulation of nanostructures on surfaces (DWBA / Born approximation).

The configuration is a dict with the structure documented in docs/gisaxs.md (the same as the JSON
file read by ``beamkit gisaxs CONFIG.json``)::

    img = beamkit.gisaxs.simulate(config)      # (n_alpha, n_phi) array, alpha_f descending
    maps = beamkit.gisaxs.q_maps(config)       # dict of qx, qy, qz, q, alpha_f, phi_f, solid_angle
"""
from __future__ import annotations

import json as _json
from typing import Any, Dict, Mapping, Union

import numpy as _np

from . import _beamkit

_g = _beamkit.gisaxs

__all__ = ["simulate", "q_maps", "form_factor", "interference", "shape_volume", "load_config"]


def _text(config: Union[Mapping[str, Any], str]) -> str:
    if isinstance(config, str):
        return config
    if not isinstance(config, Mapping):
        raise ValueError(f"beamkit.gisaxs: config must be a dict or a JSON string, got {type(config).__name__}")
    try:
        return _json.dumps(config)
    except (TypeError, ValueError) as e:
        raise ValueError(f"beamkit.gisaxs: config is not JSON-serialisable: {e}") from None


def load_config(path: str) -> Dict[str, Any]:
    """Read a JSON configuration file into a dict."""
    with open(path, "r", encoding="utf-8") as f:
        return _json.load(f)


def simulate(config: Union[Mapping[str, Any], str]) -> _np.ndarray:
    """Simulated intensity image (rows: alpha_f descending / flat detector top row first)."""
    return _g.simulate_json(_text(config))


def q_maps(config: Union[Mapping[str, Any], str]) -> Dict[str, _np.ndarray]:
    """q = k_i - k_f components (1/nm), |q|, alpha_f and phi_f (deg) and solid angle per pixel."""
    return dict(_g.q_maps_json(_text(config)))


def form_factor(shape: Mapping[str, Any], q, order: int = 64) -> _np.ndarray:
    """Form factor F(q) (nm^3) of a shape dict (e.g. {"type": "cylinder", "radius": 5, "height": 10})
    at complex wavevectors q of shape (n, 3) in 1/nm."""
    qa = _np.asarray(q, dtype=complex)
    if qa.ndim == 1 and qa.shape[0] == 3:
        qa = qa[None, :]
    return _g.form_factor_json(_text(shape), _np.ascontiguousarray(qa), int(order))


def interference(spec: Mapping[str, Any], qx, qy) -> _np.ndarray:
    """Interference function S(q_par) of an interference dict at in-plane wavevectors (1/nm)."""
    qx = _np.ascontiguousarray(qx, dtype=float).ravel()
    qy = _np.ascontiguousarray(qy, dtype=float).ravel()
    return _g.interference_json(_text(spec), qx, qy)


def shape_volume(shape: Mapping[str, Any]) -> float:
    """Volume (nm^3) of a shape dict."""
    return _g.shape_volume_json(_text(shape))
