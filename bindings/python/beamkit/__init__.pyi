# SPDX-License-Identifier: BSD-3-Clause
from typing import Optional, TextIO

__version__: str

def init(num_threads: int = 0) -> None: ...
def is_initialized() -> bool: ...
def num_threads() -> int: ...
def show_config(file: Optional[TextIO] = None) -> None: ...

from . import prep as prep
from .prep import (downsample as downsample, gaussian_filter as gaussian_filter, median_filter as median_filter,
                   minus_log as minus_log, normalize as normalize, normalize_bg as normalize_bg,
                   remove_outlier as remove_outlier, remove_stripe_based_sorting as remove_stripe_based_sorting,
                   remove_stripe_fw as remove_stripe_fw, retrieve_phase as retrieve_phase)
