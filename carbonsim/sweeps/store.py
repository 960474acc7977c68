"""Where a sweep's partial aggregates live: in memory, or in a sweep folder on disk.

:class:`DirectoryStore` writes the layout of :mod:`~carbonsim.sweeps.layout`: a manifest, one
atomic chunk file per finished chunk (its SHA-256 logged before it is renamed into place), the
Zarr summary and ``summary.csv``; one writer at a time.  On resume every chunk file is checked
against the SHA-256 the log recorded for it: a corrupt, truncated or unrecorded chunk is named on
stderr, deleted and recomputed, never counted as done.  :class:`MemoryStore` is a sweep without
``out``.

Both keep a running total of the chunks added in this run, so finishing a sweep reads back only
the chunk files of earlier runs (a resume).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import xarray as xr

from carbonsim.io.atomic import atomic_path, remove_stale, write_text
from carbonsim.sweeps.layout import (
    LARGE_DISK,
    LARGE_SECONDS,
    SweepError,
    _duration,
    _file_sha256,
    _now,
    _size,
    differences,
    estimate,
    manifest,
)
from carbonsim.sweeps.partials import ROW_KEYS, merge, pack
from carbonsim.sweeps.pilot import Pilot
from carbonsim.sweeps.result import SweepResult
from carbonsim.sweeps.summary import histogram_quantiles, summarise

__all__ = [
    "DirectoryStore",
    "MemoryStore",
    "SweepError",
    "SweepResult",
    "histogram_quantiles",
    "merge",
    "open_summary",
    "summarise",
]

_SAMPLE_DIMS = {
    "sample_unit": ("dimension", "unit draw in [0, 1) of each distribution"),
    "sample_value": ("dimension", "lever value drawn, in the lever's unit"),
    "sample_margin": ("target", "margin of each target (>= 0 met; NaN not evaluated)"),
}
LOCK = ".lock"
HOLDER = ".holder.json"
_NOT_SUMMARY = {"chunks", "manifest.json", "summary.csv", "log.jsonl", LOCK, HOLDER}
#: errors numpy raises on a damaged or truncated ``.npz``
_DAMAGED = (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile)
_CHUNK_FILE = re.compile(r"^(\d{6})\.npz$")


# ---------------------------------------------------------------------------------------------
# stores
# ---------------------------------------------------------------------------------------------
class MemoryStore:
    """A sweep without ``out``: totals in memory, nothing on disk, no resume."""

    out = None

    def __init__(self):
        self.pilot = None
        self._total = None
        self._rows: dict[int, dict] = {}
        self._spec = None

    def stored(self, key: str):
        """A setting of the sweep stored in out: none without out."""
        return None

    def start(self, spec, resume: bool = False, overwrite: bool = False) -> set[int]:
        if resume:
            raise SweepError("resume needs out= (the folder of the sweep to continue)")
        self._spec = spec
        return set()

    def save_pilot(self, pilot) -> None:
        self.pilot = pilot

    def add(self, index: int, part: dict, packed: bytes | None = None) -> None:
        self._total = merge(self._total, part)
        rows = {key: part[key] for key in ROW_KEYS if key in part}
        if rows:
            self._rows[index] = rows

    def log(self, event: str, **fields) -> None:
        pass

    def close(self) -> None:
        pass

    def totals(self) -> dict:
        return self._total

    def row_array(self, key: str) -> np.ndarray:
        return np.concatenate([self._rows[i][key] for i in sorted(self._rows)])

    def finish(self, summary: xr.Dataset, computed, reused) -> SweepResult:
        if self._spec.keep_samples:
            for key, (dim, text) in _SAMPLE_DIMS.items():
                summary[key] = (("scenario", dim), self.row_array(key), {"description": text})
            summary = summary.assign_coords(scenario=np.arange(self._spec.rows))
        return SweepResult(summary, None, computed, reused)


class DirectoryStore:
    """A sweep folder: manifest, atomic chunk files, the Zarr summary and ``summary.csv``."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.chunks = self.out / "chunks"
        self.pilot = None
        self._spec = None
        self._total = None  # merged partials of the chunks added in this run
        self._added: set[int] = set()

    # -- opening ----------------------------------------------------------------------------
    def stored(self, key: str):
        """A setting of the sweep already in the folder (its manifest), or None."""
        data = self._read_manifest()
        return None if data is None else data.get(key)

    def start(self, spec, resume: bool = False, overwrite: bool = False) -> set[int]:
        """Create or reopen the folder (and lock it); -> indices of chunks already finished."""
        self._spec = spec
        now = manifest(spec)
        self._read_manifest()  # refuse a foreign folder before writing anything into it
        self._check_space(spec)
        self._lock()
        remove_stale(self.out.parent, self.out.name)  # summaries of killed sweeps of out
        try:
            return self._open(now, resume, overwrite)
        except BaseException:
            self.close()
            raise

    def _open(self, now: dict, resume: bool, overwrite: bool) -> set[int]:
        stored = self._read_manifest()
        if stored is not None and overwrite:
            self._clear()
            stored = None
        if stored is None:
            self._create(now)
            return set()
        if not resume:
            raise SweepError(
                f"{self.out} already holds a sweep ({len(self._present())} of "
                f"{stored.get('n_chunks')} chunks written); pass resume=True (--resume) to "
                "continue it, overwrite=True (--overwrite) to start again, or choose another out"
            )
        self._check_resume(stored, now)
        self.chunks.mkdir(exist_ok=True)
        for stale in self.chunks.glob(".*.tmp*"):  # a write cut short by the interruption
            stale.unlink(missing_ok=True)
        self._verify()
        self._load_pilot()
        return self.done()

    def _read_manifest(self) -> dict | None:
        path = self.out / "manifest.json"
        if self.out.exists() and not self.out.is_dir():
            raise SweepError(
                f"{self.out}: out is an existing file, not a folder; choose another out"
            )
        if not path.is_file():
            foreign = (
                [p for p in self.out.iterdir() if p.name not in (LOCK, HOLDER)]
                if (self.out.is_dir())
                else []
            )
            if foreign:
                raise SweepError(
                    f"{self.out} exists and is not a carbonsim sweep (no manifest.json); "
                    "choose another out (an empty or new folder)"
                )
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise SweepError(
                f"{path}: the sweep manifest is damaged ({exc}); its settings cannot be "
                "compared, so the chunks cannot be reused: pass overwrite=True (--overwrite) to "
                "start again, or choose another out"
            ) from None
        if not isinstance(data, dict):
            raise SweepError(
                f"{path}: the sweep manifest is not a JSON object; pass overwrite=True "
                "(--overwrite) to start again, or choose another out"
            )
        return data

    # -- one writer at a time ---------------------------------------------------------------
    def _lock(self) -> None:
        from filelock import FileLock, Timeout

        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            from carbonsim.io.atomic import os_error_message

            raise SweepError(os_error_message(exc, self.out, "create the sweep folder")) from None
        self._filelock = FileLock(str(self.out / LOCK), timeout=0)
        try:
            self._filelock.acquire()
        except Timeout:
            self._filelock = None
            raise SweepError(
                f"{self.out}: another sweep is writing to this folder ({self._holder()}); wait "
                "for it to finish, or choose another out"
            ) from None
        holder = {"pid": os.getpid(), "host": socket.gethostname(), "since": _now(),
                  "command": " ".join(sys.argv[:1] + sys.argv[1:8])}  # fmt: skip
        write_text(self.out / HOLDER, json.dumps(holder, ensure_ascii=False) + "\n")

    def _holder(self) -> str:
        try:
            info = json.loads((self.out / HOLDER).read_text(encoding="utf-8"))
            return (
                f"held by process {info['pid']} on {info['host']} since {info['since']}: "
                f"{info.get('command', '')}"
            ).rstrip(": ")
        except (OSError, ValueError, KeyError, TypeError):
            return f"the lock {self.out / LOCK} is held"

    def close(self) -> None:
        """Release the folder's lock (idempotent)."""
        lock = getattr(self, "_filelock", None)
        if lock is not None:
            (self.out / HOLDER).unlink(missing_ok=True)
            lock.release()
            self._filelock = None

    def _clear(self) -> None:
        """Delete a previous sweep's files (not the lock this process holds)."""
        for entry in self.out.iterdir():
            if entry.name not in (LOCK, HOLDER):
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()

    # -- space ------------------------------------------------------------------------------
    def _check_space(self, spec) -> None:
        need = estimate(spec)
        parent = next(p for p in [self.out, *self.out.parents] if p.exists())
        free = shutil.disk_usage(parent).free
        if need["disk"] > free:
            raise SweepError(
                f"{self.out}: not enough free disk for this sweep: it needs about "
                f"{_size(need['disk'])} and {_size(free)} are free on that disk; free space, "
                "choose an out on another disk, lower n, or drop keep_samples (--keep-samples)"
            )
        if need["seconds"] >= LARGE_SECONDS or need["disk"] >= LARGE_DISK:
            print(
                f"carbonsim: sweep of {spec.rows:,} scenarios in {spec.n_chunks:,} chunks: about "
                f"{_duration(need['seconds'])} on one worker (divide by the workers), "
                f"{_size(need['memory'])} of memory per worker, {_size(need['disk'])} of disk "
                f"in {self.out} ({_size(free)} free)",
                file=sys.stderr,
            )

    # -- integrity --------------------------------------------------------------------------
    def _recorded(self) -> dict[str, str]:
        """Chunk name -> the SHA-256 last recorded in log.jsonl (damaged lines skipped)."""
        recorded = {}
        path = self.out / "log.jsonl"
        if not path.is_file():
            return recorded
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a line cut short by a kill
            if isinstance(entry, dict) and entry.get("event") == "chunk":
                recorded[str(entry.get("name"))] = str(entry.get("sha256"))
        return recorded

    def _verify(self) -> None:
        """Delete (and report) every chunk file whose SHA-256 is not the one recorded."""
        recorded = self._recorded()
        self.damaged = []
        for path in sorted(self.chunks.glob("*.npz")):
            name = path.stem
            if not (name == "pilot" or _CHUNK_FILE.match(path.name)):
                continue
            expected = recorded.get(name)
            actual = _file_sha256(path)
            if actual == expected:
                continue
            why = (
                "no checksum recorded in log.jsonl"
                if expected is None
                else (
                    "its SHA-256 differs from the one recorded in log.jsonl (corrupt or truncated)"
                )
            )
            print(f"carbonsim: {path}: {why}; deleting it, it will be recomputed", file=sys.stderr)
            path.unlink()
            self.damaged.append(name)
            self.log("damaged", name=name, reason=why)

    def _create(self, now: dict) -> None:
        self.chunks.mkdir(parents=True, exist_ok=True)
        self._write_manifest(now)

    def _write_manifest(self, data: dict) -> None:
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        write_text(self.out / "manifest.json", text)

    def _check_resume(self, stored: dict, now: dict) -> None:
        diffs = differences(stored, now)
        if diffs:
            raise SweepError(
                f"cannot resume the sweep in {self.out}: it was started with different "
                "settings, and mixing them would mix two sweeps:\n  "
                + "\n  ".join(diffs)
                + f"\nresume with the stored settings, choose another out, or pass overwrite=True "
                f"(--overwrite) to discard its {len(self.done())} finished chunks"
            )

    def _load_pilot(self) -> None:
        path = self.chunks / "pilot.npz"
        if path.is_file():
            try:
                with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as arrays:
                    self.pilot = Pilot.from_arrays({k: arrays[k] for k in arrays.files})
            except (*_DAMAGED, TypeError) as exc:
                print(f"carbonsim: {path}: unreadable ({exc}); recomputing it", file=sys.stderr)
                path.unlink()
                self.pilot = None

    def _present(self) -> set[int]:
        if not self.chunks.is_dir():
            return set()
        found = (_CHUNK_FILE.match(p.name) for p in self.chunks.iterdir())
        limit = self._spec.n_chunks if self._spec else float("inf")
        return {int(m.group(1)) for m in found if m and int(m.group(1)) < limit}

    def done(self) -> set[int]:
        """Indices of the chunk files present whose SHA-256 matches the one recorded."""
        recorded = self._recorded()
        return {
            i for i in self._present()
            if recorded.get(f"{i:06d}") == _file_sha256(self.chunks / f"{i:06d}.npz")
        }  # fmt: skip

    # -- writing ----------------------------------------------------------------------------
    def _save(self, name: str, data: bytes) -> None:
        """Write a chunk file atomically; its SHA-256 is logged before it is renamed into place
        (so a chunk file present always has a checksum to be verified against)."""
        with atomic_path(self.chunks / f"{name}.npz") as tmp:
            with open(tmp, "wb") as fh:
                fh.write(data)
            self.log("chunk", name=name, sha256=hashlib.sha256(data).hexdigest(), bytes=len(data))

    def save_pilot(self, pilot) -> None:
        self._save("pilot", pack(pilot.to_arrays()))
        self.pilot = pilot

    def add(self, index: int, part: dict, packed: bytes | None = None) -> None:
        """Write chunk *index* (*packed*: its file's bytes, packed by the worker) and add it to
        the running total."""
        self._save(f"{index:06d}", pack(part) if packed is None else packed)
        self._total = merge(self._total, part)
        self._added.add(index)

    def log(self, event: str, **fields) -> None:
        stamp = _now("milliseconds")
        line = json.dumps({"time": stamp, "event": event, "pid": os.getpid(), **fields})
        with open(self.out / "log.jsonl", "a", encoding="utf-8") as fh:
            fh.write(line + "\n")

    # -- reading ----------------------------------------------------------------------------
    def _load(self, index: int, keys=None) -> dict:
        path = self.chunks / f"{index:06d}.npz"
        try:
            with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as arrays:
                return {k: arrays[k] for k in (keys or arrays.files)}
        except _DAMAGED as exc:
            raise SweepError(
                f"{path}: cannot read this chunk file ({type(exc).__name__}: {exc}); resume the "
                "sweep (--resume) to recompute it"
            ) from None

    def totals(self) -> dict:
        """The running total of this run plus the chunk files of earlier runs."""
        total = self._total
        for index in range(self._spec.n_chunks):
            if index not in self._added:
                total = merge(total, self._load(index))
        return total

    def row_array(self, key: str) -> np.ndarray:
        return np.concatenate([self._load(i, [key])[key] for i in range(self._spec.n_chunks)])

    # -- the summary ------------------------------------------------------------------------
    def finish(self, summary: xr.Dataset, computed, reused) -> SweepResult:
        tmp = Path(
            tempfile.mkdtemp(
                dir=self.out.parent,
                prefix=f".{self.out.name}.{os.getpid()}-",
                suffix=".tmp-summary",  # removed by remove_stale if this process is killed
            )
        )
        try:
            summary.to_zarr(tmp, mode="w", consolidated=False, zarr_format=2)
            if self._spec.keep_samples:
                self._write_samples(tmp)
            import zarr

            zarr.consolidate_metadata(str(tmp), zarr_format=2)
            self._replace_summary(tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        result = SweepResult(open_summary(self.out), self.out, computed, reused)
        write_text(self.out / "summary.csv", result.summary_table().to_csv(index=False))
        stored = json.loads((self.out / "manifest.json").read_text(encoding="utf-8"))
        self._write_manifest({**stored, "complete": True, "finished": _now()})
        result.damaged_chunks = list(getattr(self, "damaged", []))
        self.close()
        return result

    def _write_samples(self, tmp: Path) -> None:
        """Stream the per-scenario arrays chunk by chunk into the Zarr store (bounded memory)."""
        import zarr

        spec = self._spec
        group = zarr.open_group(str(tmp), mode="a", zarr_format=2)
        widths = {"dimension": len(spec.dimensions), "target": len(spec.targets)}
        arrays = {
            key: group.create_array(
                key,
                shape=(spec.rows, widths[dim]),
                chunks=(spec.chunk_size, max(1, widths[dim])),
                dtype="f8",
                fill_value=np.nan,
                attributes={"_ARRAY_DIMENSIONS": ["scenario", dim], "description": text},
            )
            for key, (dim, text) in _SAMPLE_DIMS.items()
        }
        index = group.create_array(
            "scenario", shape=(spec.rows,), chunks=(spec.chunk_size,), dtype="i8",
            fill_value=None, attributes={"_ARRAY_DIMENSIONS": ["scenario"]},
        )  # fmt: skip
        for i in range(spec.n_chunks):
            start, stop = spec.bounds(i)
            part = self._load(i, list(arrays))
            for key, array in arrays.items():
                array[start:stop] = part[key]
            index[start:stop] = np.arange(start, stop)

    def _replace_summary(self, tmp: Path) -> None:
        for entry in self.out.iterdir():
            if entry.name not in _NOT_SUMMARY:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        for entry in tmp.iterdir():
            os.replace(entry, self.out / entry.name)


def open_summary(path) -> xr.Dataset:
    """The summary store of a sweep folder; per-scenario ``sample_*`` arrays stay on disk."""
    ds = xr.open_dataset(path, engine="zarr", chunks=None, consolidated=True)
    for name in ds.variables:
        if "scenario" not in ds[name].dims:
            ds[name].load()
    return ds
