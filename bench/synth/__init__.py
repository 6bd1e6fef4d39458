"""The synthetic data the benchmark and the load test measure the app on (see build.py)."""
from .build import CuratedDataError, synth
from .tables import FIRST_YEAR, LAST_YEAR, PREFIX

__all__ = ["CuratedDataError", "synth", "FIRST_YEAR", "LAST_YEAR", "PREFIX"]
