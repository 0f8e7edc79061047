# SPDX-License-Identifier: BSD-3-Clause
"""beamkit: numerical kernels for synchrotron light sources.

Tomography (projectors, FBP, gridrec, iterative methods), GISAXS simulation, fitting and reverse
Monte Carlo, written once on Kokkos. numpy arrays in, numpy arrays out; C-contiguous float32/float64
input is used without a copy. Errors: ValueError for bad arguments (the message names the
argument and value), OSError for file problems.

Threads: beamkit starts Kokkos on first use with OMP_NUM_THREADS threads (all cores if unset);
call ``beamkit.init(num_threads=n)`` before any computation to choose.
"""
from . import _beamkit
from ._beamkit import __version__, init, is_initialized, num_threads
from ._beamkit import io, fft  # noqa: F401  (submodules of the compiled core)

__all__ = ["__version__", "init", "is_initialized", "num_threads", "show_config", "io", "fft"]


def show_config(file=None):
    """Print beamkit's version, its dependencies, the Kokkos backends and the thread count."""
    import numpy

    text = _beamkit.config_summary() + f"  numpy {numpy.__version__}\n"
    print(text, end="", file=file)
    return None
