# SPDX-License-Identifier: BSD-3-Clause
"""beamkit: numerical kernels for synchrotron light sources.

Tomography (projectors, FBP, gridrec, iterative methods), GISAXS simulation, fitting and reverse
Monte Carlo, written once on Kokkos. numpy arrays in, numpy arrays out; C-contiguous float32/float64
input is used without a copy. Errors: ValueError for bad arguments (the message names the
argument and value), OSError for file problems.

Threads: beamkit starts Kokkos on first use with OMP_NUM_THREADS threads (all cores if unset);
call ``beamkit.init(num_threads=n)`` before any computation to choose.
"""
import importlib as _importlib

from . import _beamkit
from ._beamkit import __version__, init, is_initialized, num_threads
from ._beamkit import io, fft  # noqa: F401  (submodules of the compiled core)

# Pure-Python submodules (beamkit/<area>.py), imported on first access: beamkit.gisaxs, beamkit.fit, ...
_SUBMODULES = ("tomo", "prep", "gisaxs", "fit", "rmc")

# Pre-processing at the top level too, as TomoPy users expect: beamkit.normalize(...), beamkit.minus_log(...)
_PREP_NAMES = ("normalize", "normalize_bg", "minus_log", "remove_outlier", "gaussian_filter", "median_filter",
               "downsample", "remove_stripe_fw", "remove_stripe_based_sorting", "retrieve_phase")

__all__ = ["__version__", "init", "is_initialized", "num_threads", "show_config", "io", "fft", *_SUBMODULES,
           "recon", "project", "backproject", "shepp_logan", "shepp_logan_3d", "circ_mask", "find_center",
           "find_center_pc", *_PREP_NAMES]


# Tomography entry points at the top level, as TomoPy users expect: beamkit.recon(...)
_TOMO_NAMES = ("recon", "project", "backproject", "shepp_logan", "shepp_logan_3d", "circ_mask", "find_center",
               "find_center_pc")


def __getattr__(name):
    if name in _SUBMODULES:
        return _importlib.import_module(f".{name}", __name__)
    if name in _TOMO_NAMES:
        return getattr(_importlib.import_module(".tomo", __name__), name)
    if name in _PREP_NAMES:
        return getattr(_importlib.import_module(".prep", __name__), name)
    raise AttributeError(f"module 'beamkit' has no attribute {name!r}")


def show_config(file=None):
    """Print beamkit's version, its dependencies, the Kokkos backends and the thread count."""
    import numpy

    text = _beamkit.config_summary() + f"  numpy {numpy.__version__}\n"
    print(text, end="", file=file)
    return None
