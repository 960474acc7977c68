"""Baselines read once per content: a path is re-read when the file's bytes change."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import xarray as xr

from carbonsim.baseline import DEFAULT_PATH, load_baseline

__all__ = ["resolve_baseline"]

#: sha256 of the file's bytes -> the dataset; a few baselines at most in one process
_CACHE: dict[tuple[str, str], xr.Dataset] = {}
_MAX_ENTRIES = 8


def resolve_baseline(baseline: xr.Dataset | str | os.PathLike | None = None) -> xr.Dataset:
    """A baseline Dataset: given as is, else loaded from *baseline* (default: the bundled one).

    The cache is keyed by the file's content (SHA-256 of its bytes), so an edited CSV is read
    again by the next call in the same process.
    """
    if isinstance(baseline, xr.Dataset):
        return baseline
    path = Path(DEFAULT_PATH if baseline is None else baseline)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return load_baseline(path)  # it reports the missing or unreadable file
    key = (str(path.resolve()), digest)
    if key not in _CACHE:
        if len(_CACHE) >= _MAX_ENTRIES:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = load_baseline(path)
    return _CACHE[key]
