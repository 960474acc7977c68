"""Atomic writes: every file and folder carbonsim writes appears complete or not at all.

One rule for temporary names: ``.<final name>.<pid>-<random>.tmp<suffix>`` in the same folder
(a rename within a file system is atomic), so a killed run leaves only dot-files that
:func:`remove_stale` recognises; the process id in the name lets it leave alone the temporaries
of a writer that is still running.

Files and folders get the permissions of an ordinary ``open()`` / ``mkdir`` under the user's
umask (``0o666 & ~umask``, ``0o777 & ~umask``), not the private ``0o600`` of
:func:`tempfile.mkstemp`.

A *set* of files (a run folder: trajectories, tables, summary) is written with :func:`file_set`:
every file goes to a staging folder first; only when all are written are they renamed into the
output folder, and then ``MANIFEST.json`` listing them with their SHA-256 is written last.  A
run killed before that leaves the previous set untouched (and its manifest in place).

Output paths are checked before any computation with :func:`check_output_file` and
:func:`check_output_dir` (one line naming the path and what to do).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from carbonsim.errors import CarbonsimError

__all__ = [
    "MANIFEST",
    "OutputError",
    "atomic_dir",
    "atomic_path",
    "check_output_dir",
    "check_output_file",
    "ensure_space",
    "file_set",
    "os_error_message",
    "remove_stale",
    "verify_set",
    "write_bytes",
    "write_text",
]

#: The file a :func:`file_set` writes last: the files of one run and their SHA-256.
MANIFEST = "MANIFEST.json"
_STALE = re.compile(r"^\..+\.(\d+)-[^.]+\.(tmp|old)")


class OutputError(CarbonsimError):
    """An output path cannot be written (a file where a folder belongs, read-only, full …)."""


def _umask() -> int:
    """The process umask (read from /proc on Linux: os.umask would change it for a moment)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _temp_name(path: Path) -> dict:
    return {
        "dir": path.parent,
        "prefix": f".{path.name}.{os.getpid()}-",
        "suffix": f".tmp{path.suffix}",
    }


def os_error_message(exc: OSError, path=None, doing: str = "write") -> str:
    """One line for an :class:`OSError` of an output: the path, the cause and what to do."""
    where = path if path is not None else (exc.filename or "?")
    hints = {
        errno.ENOSPC: "the disk is full; free space or choose --out on another disk",
        errno.EDQUOT: "the disk quota is exceeded; free space or choose another --out",
        errno.EROFS: "the file system is read-only; choose a writable --out",
        errno.EACCES: "permission denied; choose a folder you can write to",
        errno.EPERM: "permission denied; choose a folder you can write to",
        errno.ENOTDIR: "a part of the path is a file, not a folder; choose another --out",
        errno.EISDIR: "it is a folder; give a file name",
        errno.EEXIST: "it exists and is in the way; remove it or choose another --out",
    }
    hint = hints.get(exc.errno, os.strerror(exc.errno) if exc.errno else str(exc))
    return f"{where}: cannot {doing} ({hint})"


@contextlib.contextmanager
def _as_output_error(path: Path) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise OutputError(os_error_message(exc, path)) from None


def _chmod(path: Path, folder: bool = False) -> None:
    os.chmod(path, (0o777 if folder else 0o666) & ~_umask())


@contextlib.contextmanager
def atomic_path(path) -> Iterator[Path]:
    """Yield a temporary file path beside *path*; rename it to *path* if the block succeeds.

    The temporary name ends with *path*'s suffix (writers that choose a format by suffix still
    work).  On an error the temporary file is removed and *path* is left as it was; an
    :class:`OSError` of the file system (full, read-only, …) becomes an :class:`OutputError`
    naming *path* (not the temporary name).
    """
    path = Path(path)
    with _as_output_error(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(**_temp_name(path))
        os.close(fd)
    try:
        yield Path(tmp)
        with _as_output_error(path):
            _chmod(Path(tmp))
            os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(os_error_message(exc, path)) from None
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
    with _as_output_error(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(**_temp_name(path)))
    try:
        yield tmp
        with _as_output_error(path):
            _chmod_tree(tmp)
            _swap_into_place(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _chmod_tree(root: Path) -> None:
    _chmod(root, folder=True)
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            _chmod(Path(folder) / name, folder=True)
        for name in files:
            _chmod(Path(folder) / name)


def _swap_into_place(new: Path, path: Path) -> None:
    if not path.exists():
        os.replace(new, path)
        return
    old = Path(
        tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}-", suffix=".old")
    )
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


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def remove_stale(folder, name: str | None = None) -> list[Path]:
    """Remove the temporaries killed writers left in *folder* (of *name* only, if given).

    Temporaries of a process still running (its id is in the name) are kept.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    removed = []
    for stale in folder.glob(f".{name}.*" if name else ".*"):
        match = _STALE.match(stale.name)
        if not match or _alive(int(match.group(1))):
            continue
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)
        removed.append(stale)
    return removed


# ---------------------------------------------------------------------------------------------
# output paths checked before any computation
# ---------------------------------------------------------------------------------------------
def _blocking_file(path: Path) -> Path | None:
    """The first existing ancestor of *path* (or *path*) that is not a folder, if any."""
    for part in [*reversed(path.parents), path]:
        if part.exists() and not part.is_dir():
            return part
    return None


def _existing_parent(path: Path) -> Path:
    for part in [path, *path.parents]:
        if part.exists():
            return part
    return Path(".")


def _probe(folder: Path, path: Path) -> None:
    """Create and remove a temporary file in *folder* (the real test of writability)."""
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp")
    except OSError as exc:
        raise OutputError(os_error_message(exc, path)) from None
    os.close(fd)
    os.unlink(tmp)


def check_output_dir(path, flag: str = "--out") -> Path:
    """Check that folder *path* can be created or written, before any work is done.

    Raises
    ------
    OutputError
        *path* is a file, lies under a file, or its folder is not writable.
    """
    path = Path(path)
    blocking = _blocking_file(path)
    if blocking == path:
        raise OutputError(
            f"{path}: {flag} is an existing file, expected a folder; remove it or choose "
            f"another {flag}"
        )
    if blocking is not None:
        raise OutputError(
            f"{path}: {flag} lies under {blocking}, which is a file, not a folder; choose "
            f"another {flag}"
        )
    _probe(_existing_parent(path), path)
    return path


def check_output_file(path, flag: str = "--out") -> Path:
    """Check that file *path* can be written (replacing a file is fine), before any work.

    Raises
    ------
    OutputError
        *path* is a folder, lies under a file, or its folder is not writable.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputError(
            f"{path}: {flag} is a folder, expected a file name; give e.g. {path / 'chart.png'}"
        )
    blocking = _blocking_file(path.parent)
    if blocking is not None:
        raise OutputError(
            f"{path}: {flag} lies under {blocking}, which is a file, not a folder; choose "
            f"another {flag}"
        )
    _probe(_existing_parent(path.parent), path)
    return path


def ensure_space(path, nbytes: float) -> None:
    """Refuse to write about *nbytes* to *path* when its disk has less free space.

    Raises
    ------
    OutputError
        With both numbers and what to do.
    """
    path = Path(path)
    folder = _existing_parent(path.parent)
    free = shutil.disk_usage(folder).free
    if nbytes > free:
        raise OutputError(
            f"{path}: cannot write (the disk is full: about {nbytes / 1e6:.1f} MB needed, "
            f"{free / 1e6:.1f} MB free on {folder}); free space or choose --out on another disk"
        )


# ---------------------------------------------------------------------------------------------
# a set of files written together
# ---------------------------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def file_set(folder, **about) -> Iterator[Path]:
    """Yield a staging folder; move its files into *folder* as one set when the block succeeds.

    The staging folder (``<folder>/.staging.<pid>-<random>.tmp``) is on the same file system,
    so the final renames are atomic and quick.  The previous set's :data:`MANIFEST` is removed
    just before the renames and the new one (file names, sizes, SHA-256, and *about*) written
    last: a folder whose manifest lists every file with matching checksums holds one complete
    run.  Stale staging folders of killed runs are removed first.  On an error nothing in
    *folder* changes.
    """
    folder = Path(folder)
    with _as_output_error(folder):
        folder.mkdir(parents=True, exist_ok=True)
        remove_stale(folder)
        stage = Path(tempfile.mkdtemp(dir=folder, prefix=f".staging.{os.getpid()}-", suffix=".tmp"))
    try:
        try:
            yield stage
        except OutputError as exc:  # name the final path, not the staging folder
            raise OutputError(str(exc).replace(str(stage), str(folder))) from None
        with _as_output_error(folder):
            names = sorted(p.name for p in stage.iterdir() if p.is_file())
            files = {
                n: {"bytes": (stage / n).stat().st_size, "sha256": _sha256(stage / n)}
                for n in names
            }
            (folder / MANIFEST).unlink(missing_ok=True)
            for name in names:
                _chmod(stage / name)
                os.replace(stage / name, folder / name)
            text = json.dumps({**about, "files": files}, indent=2, ensure_ascii=False) + "\n"
            write_text(folder / MANIFEST, text)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def verify_set(folder) -> list[str]:
    """Problems of the run set in *folder* (empty: every file of its manifest is intact)."""
    folder = Path(folder)
    path = folder / MANIFEST
    if not path.is_file():
        return [f"{path}: no manifest (the run did not finish)"]
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError):
        return [f"{path}: not a valid manifest"]
    problems = []
    for name, info in files.items():
        file = folder / name
        if not file.is_file():
            problems.append(f"{file}: listed in {MANIFEST} but missing")
        elif _sha256(file) != info.get("sha256"):
            problems.append(f"{file}: its SHA-256 differs from {MANIFEST} (changed or partial)")
    return problems
