"""Baselines read once per content: a path is re-read when the file's bytes change."""

from __future__ import annotations

import functools
import hashlib
import os
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import xarray as xr

from carbonsim.baseline import DEFAULT_PATH, load_baseline

__all__ = ["per_dataset", "resolve_baseline"]

R = TypeVar("R")

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


def per_dataset(fn: Callable[..., R]) -> Callable[..., R]:
    """Memoise a function of a baseline dataset (and hashable extra arguments), per dataset.

    For what is derived from a baseline and costs far more than the arrays it returns (the
    engine's parameters, the levers' 2020 values and defaults, the calibrated exchange ratio):
    a single scenario's run would otherwise spend most of its time on xarray selections.
    Keyed by the dataset's identity, guarded by a weak reference (a later dataset reusing a
    freed id is not mistaken for it).  Arrays in the result are made read-only, so that a
    caller modifying one in place fails loudly instead of changing every later run; dicts are
    returned as copies.
    """
    cache: dict[tuple, tuple[weakref.ref, R]] = {}

    @functools.wraps(fn)
    def wrapper(ds: xr.Dataset, *args) -> R:
        key = (id(ds), *args)
        hit = cache.get(key)
        if hit is not None and hit[0]() is ds:
            value = hit[1]
        else:
            value = _frozen(fn(ds, *args))
            cache[key] = (weakref.ref(ds, lambda _: cache.pop(key, None)), value)
        return dict(value) if isinstance(value, dict) else value

    return wrapper


def _frozen(value):
    items = value.values() if isinstance(value, dict) else [value]
    for item in items:
        if isinstance(item, np.ndarray):
            item.flags.writeable = False
    return value
