"""Atomic writes: every file and folder carbonsim writes appears complete or not at all.

One rule for temporary names: ``.<final name>.<random>.tmp<suffix>`` in the same folder (a
rename within a file system is atomic), so a killed run leaves only dot-files that
:func:`remove_stale` recognises.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_dir", "atomic_path", "remove_stale", "write_bytes", "write_text"]


def _temp_name(path: Path) -> dict:
    return {"dir": path.parent, "prefix": f".{path.name}.", "suffix": f".tmp{path.suffix}"}


@contextlib.contextmanager
def atomic_path(path) -> Iterator[Path]:
    """Yield a temporary file path beside *path*; rename it to *path* if the block succeeds.

    The temporary name ends with *path*'s suffix (writers that choose a format by suffix still
    work).  On an error the temporary file is removed and *path* is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(**_temp_name(path))
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path, text: str, encoding: str = "utf-8") -> Path:
    """Write *text* to *path* atomically (newlines as given)."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding=encoding, newline="") as fh:
        fh.write(text)
    return Path(path)


def write_bytes(path, data: bytes) -> Path:
    """Write *data* to *path* atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


@contextlib.contextmanager
def atomic_dir(path) -> Iterator[Path]:
    """Yield a temporary folder beside *path*; swap it into place if the block succeeds.

    An existing *path* is moved aside, the new folder renamed into place, then the old one
    removed (restored if the rename fails).  On an error the temporary folder is removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(**_temp_name(path)))
    try:
        yield tmp
        _swap_into_place(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap_into_place(new: Path, path: Path) -> None:
    if not path.exists():
        os.replace(new, path)
        return
    old = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".old"))
    os.rmdir(old)
    os.replace(path, old)
    try:
        os.replace(new, path)
    except BaseException:
        os.replace(old, path)
        raise
    if old.is_dir():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.unlink(missing_ok=True)


def remove_stale(folder, name: str | None = None) -> list[Path]:
    """Remove the temporaries a killed writer left in *folder* (of *name* only, if given)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    pattern = f".{name}.*.tmp*" if name else ".*.tmp*"
    removed = []
    for stale in folder.glob(pattern):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)
        removed.append(stale)
    return removed
