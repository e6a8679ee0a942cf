"""Alibaba's reported quarterly cloud figures (data/reference/), loaded through one validated path.

WORK IN PROGRESS: signatures are final; validation is being written.
"""
from __future__ import annotations

from pathlib import Path

import polars as pl

REFERENCE_PATH = Path("data/reference/alibaba_cloud_reported.csv")


class ReferenceError(ValueError):
    """A malformed reference file: the message names the file, the line and the problem."""


def load_reference(path: str | Path = REFERENCE_PATH) -> pl.DataFrame:
    """The reference table, one row per calendar quarter, figures in CNY million and percent."""
    raise NotImplementedError("issue 6: being written")
