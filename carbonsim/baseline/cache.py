"""Baselines read once per content: a path is re-read when the file's bytes change."""

from __future__ import annotations

import functools
import os
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import xarray as xr

from carbonsim.baseline import DEFAULT_PATH, load_baseline
from carbonsim.textfile import by_content

__all__ = ["per_dataset", "resolve_baseline"]

R = TypeVar("R")


@by_content
def _load_one(files: tuple[Path, ...]) -> xr.Dataset:
    return load_baseline(files[0])


def resolve_baseline(baseline: xr.Dataset | str | os.PathLike | None = None) -> xr.Dataset:
    """A baseline Dataset: given as is, else loaded from *baseline* (default: the bundled one).

    The cache is keyed by the file's content (SHA-256 of its bytes), so an edited CSV is read
    again by the next call in the same process.
    """
    if isinstance(baseline, xr.Dataset):
        return baseline
    path = Path(DEFAULT_PATH if baseline is None else baseline)
    try:
        return _load_one((path,))
    except OSError:
        return load_baseline(path)  # it reports the missing or unreadable file


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
