"""Sweep aggregates: merging partials, the on-disk store, the summary dataset and the result.

Layout of a sweep folder ``<out>`` (a Zarr store once finished)::

    <out>/manifest.json        what determines the numbers (scenario hash, n, seed, method, …)
    <out>/log.jsonl            one line per run (chunks to do, computed) and per chunk file
                               written (its SHA-256, recorded before the file is renamed)
    <out>/chunks/pilot.npz     histogram ranges and outcome ranks fixed by the pilot rows
    <out>/chunks/000000.npz …  partial aggregates of each finished chunk (temp file + rename)
    <out>/.lock, .holder.json  one writer at a time (``filelock``; who holds it)
    <out>/.zmetadata, …        the summary (Zarr v2, consolidated; ``xarray.open_zarr(out)``)
    <out>/summary.csv          per-target probabilities (UTF-8)

On resume every chunk file is checked against the SHA-256 the log recorded for it: a corrupt,
truncated or unrecorded chunk is named on stderr, deleted and recomputed, never counted as done.

Partials add up exactly: counts are integers, minima and maxima commute, rank sums are integers
(Python integers once merged), so the summary does not depend on chunk size, order or workers.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import html
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
import pandas as pd
import xarray as xr

from carbonsim.engine.arith import ratio
from carbonsim.errors import CarbonsimError
from carbonsim.feasibility.evaluate import PEAK_QUANTITIES, target_coords
from carbonsim.feasibility.verdicts import STATUSES, probability_met
from carbonsim.io.atomic import atomic_path, remove_stale, write_text
from carbonsim.sweeps.pilot import Pilot

__all__ = ["DirectoryStore", "MemoryStore", "SweepError", "SweepResult", "merge", "summarise"]

FORMAT = "carbonsim-sweep/2"  # 2: chunk checksums in log.jsonl
#: per-scenario arrays (concatenated in row order, never added)
ROW_KEYS = ("sample_unit", "sample_value", "sample_margin", "outcomes")
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
#: manifest keys that must match for a resume -> how the refusal names them
COMPARED = {
    "format": "sweep format",
    "carbonsim_version": "carbonsim version",
    "scenario_sha256": "scenario content (the file or a file it extends)",
    "n": "n",
    "seed": "seed",
    "method": "method",
    "chunk_size": "chunk size",
    "years": "years",
    "targets_sha256": "target catalogue",
    "baseline_sha256": "baseline",
    "keep_samples": "keep_samples",
    "bins": "bins",
}


class SweepError(CarbonsimError):
    """A sweep's arguments are invalid, or its folder does not match them."""


# ---------------------------------------------------------------------------------------------
# merging partial aggregates
# ---------------------------------------------------------------------------------------------
def merge(total: dict | None, part, unbounded: bool = True) -> dict:
    """Add a chunk's (or batch's) partial aggregates to *total*; row arrays are skipped.

    With *unbounded* the rank sums become Python integers (exact for any *n*); without, they
    stay ``int64`` (what a chunk file holds: exact up to 2**31 scenarios per chunk).
    """
    total = {} if total is None else total
    for key in part:
        if key in ROW_KEYS:
            continue
        value = np.asarray(part[key])
        if unbounded and key.startswith("rank_"):
            value = value.astype(object)  # exact, unbounded integers
        if key not in total:
            total[key] = value.copy()
        elif key.startswith("min__"):
            total[key] = np.fmin(total[key], value)
        elif key.startswith("max__"):
            total[key] = np.fmax(total[key], value)
        else:
            total[key] = total[key] + value
    return total


# ---------------------------------------------------------------------------------------------
# manifest
# ---------------------------------------------------------------------------------------------
def _sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def _baseline_hash(baseline) -> str:
    if baseline is None:
        return "bundled"
    if isinstance(baseline, str | os.PathLike):
        return _sha256(Path(baseline).read_bytes())
    digest = hashlib.sha256()
    for name in sorted(map(str, baseline.variables)):
        var = baseline[name]
        digest.update(f"{name}{var.dims}".encode())
        digest.update(np.ascontiguousarray(var.values).tobytes())
    return digest.hexdigest()


def manifest(spec) -> dict:
    """What determines a sweep's numbers, plus provenance."""
    from carbonsim import __version__

    path = spec.scenario.path
    return {
        "format": FORMAT,
        "carbonsim_version": __version__,
        "scenario_id": spec.scenario.id,
        "scenario_path": str(path) if path else None,
        "scenario_file_sha256": _sha256(Path(path).read_bytes()) if path else None,
        "scenario_sha256": _sha256(spec.scenario.to_toml()),
        "targets_sha256": _sha256(repr(list(spec.targets))),
        "baseline_sha256": _baseline_hash(spec.baseline),
        "n": spec.n,
        "rows": spec.rows,
        "seed": spec.seed,
        "method": spec.method,
        "chunk_size": spec.chunk_size,
        "n_chunks": spec.n_chunks,
        "years": [spec.years[0], spec.years[-1]],
        "keep_samples": spec.keep_samples,
        "bins": spec.bins,
        "pilot_size": spec.pilot_size,
        "dimensions": spec.dimensions,
        "created": _now(),
        "complete": False,
    }


def _file_sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# what a sweep will cost
# ---------------------------------------------------------------------------------------------
#: scenarios simulated and checked per second by one worker (measured on the bundled plan)
SCENARIOS_PER_SECOND = 500
#: memory of one worker: a batch of 500 scenarios simulated at a time (docstring of sweep)
WORKER_MEMORY = 512 * 2**20
#: a sweep above either is "large": its estimate is printed before it starts
LARGE_SECONDS = 300
LARGE_DISK = 2**30
#: bytes per histogram bin of a chunk file (compressed; mostly empty bins), with headroom
_BIN_BYTES = 1.0


def estimate(spec) -> dict[str, float]:
    """Rough cost of a sweep: ``seconds`` on one worker, ``memory`` per worker, ``disk`` [bytes].

    Disk: the chunk files (histograms of every fan indicator per region and year, plus with
    ``keep_samples`` each scenario's draws, lever values and margins, 8 bytes each) and the same
    samples again in the summary store.
    """
    cells = 8 * 6 * len(spec.years) * (spec.bins + 2)
    per_row = 8 * (2 * len(spec.dimensions) + len(spec.targets)) if spec.keep_samples else 0
    disk = spec.n_chunks * (cells * _BIN_BYTES + 64 * 2**10) + 2 * spec.rows * per_row
    memory = WORKER_MEMORY + (spec.chunk_size * per_row)
    return {"seconds": spec.rows / SCENARIOS_PER_SECOND, "memory": memory, "disk": disk}


def _size(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"  # pragma: no cover


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def _short(value) -> str:
    text = json.dumps(value)
    return text[:16] + "…" if len(text) > 20 and isinstance(value, str) else text


def differences(stored: dict, now: dict) -> list[str]:
    """``"seed: 1 (stored) ≠ 2 (now)"`` for every compared key that differs."""
    return [
        f"{label}: {_short(stored.get(key))} (stored) ≠ {_short(now[key])} (now)"
        for key, label in COMPARED.items()
        if stored.get(key) != now[key]
    ]


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

    def start(self, spec, resume: bool = False, overwrite: bool = False) -> set[int]:
        if resume:
            raise SweepError("resume needs out= (the folder of the sweep to continue)")
        self._spec = spec
        return set()

    def save_pilot(self, pilot) -> None:
        self.pilot = pilot

    def add(self, index: int, part: dict) -> None:
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

    # -- opening ----------------------------------------------------------------------------
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
    def _save(self, name: str, arrays: dict) -> None:
        """Write a chunk file atomically; its SHA-256 is logged before it is renamed into place
        (so a chunk file present always has a checksum to be verified against)."""
        with atomic_path(self.chunks / f"{name}.npz") as tmp:
            with open(tmp, "wb") as fh:
                np.savez_compressed(fh, **arrays)
            self.log("chunk", name=name, sha256=_file_sha256(tmp), bytes=tmp.stat().st_size)

    def save_pilot(self, pilot) -> None:
        self._save("pilot", pilot.to_arrays())
        self.pilot = pilot

    def add(self, index: int, part: dict) -> None:
        self._save(f"{index:06d}", part)

    def log(self, event: str, **fields) -> None:
        line = json.dumps({"time": _now(), "event": event, "pid": os.getpid(), **fields})
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
        total = None
        for index in range(self._spec.n_chunks):
            part = self._load(index)
            total = merge(total, part)
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


# ---------------------------------------------------------------------------------------------
# the summary dataset
# ---------------------------------------------------------------------------------------------
def _standard_error(p: np.ndarray, n) -> np.ndarray:
    return np.sqrt(ratio(np.where(np.isfinite(p), p * (1.0 - p), np.nan), n, empty=np.nan))


def _coords(spec, quantiles) -> dict:
    target = {}
    for name, (dim, values) in target_coords(list(spec.targets)).items():
        name = {"region": "target_region", "year": "target_year"}.get(name, name)
        array = np.asarray(values)
        target[name] = (dim, array.astype(str) if array.dtype == object else array)
    years = np.asarray(spec.years)
    return {
        "target": np.array([t.id for t in spec.targets], dtype=str),
        **target,
        "status": np.array(STATUSES, dtype=str),
        "joint": np.array(list(spec.joint_groups), dtype=str),
        **{
            name: (dim, np.array(values, dtype=str))
            for name, (dim, values) in spec.regions.coords().items()
        },
        "year": years,
        "peak_year": years,
        "quantity": np.array(PEAK_QUANTITIES, dtype=str),
        "quantile": np.array(quantiles, dtype=float),
        "outcome": np.array(spec.outcome_names, dtype=str),
        "dimension": np.array(spec.dimensions, dtype=str),
        "distribution": (
            "dimension",
            np.array([str(d) for _, d in spec.scenario.distributions], dtype=str),
        ),
    }


def _verdict_counts(status_counts: np.ndarray) -> dict[str, np.ndarray]:
    """Per-target counts the way every report counts them (``count_verdicts``): ``met``
    includes ``at_risk``; set-by-scenario and not-evaluated scenarios are counted apart."""
    col = {s: status_counts[:, k] for k, s in enumerate(STATUSES)}
    return {
        "met": col["met"] + col["at_risk"],
        "at_risk": col["at_risk"],
        "missed": col["missed"],
        "set_by_scenario": col["set_by_scenario"],
        "not_evaluated": col["not_evaluated"],
    }


def _probabilities(spec, pilot, totals) -> dict:
    counts = totals["status_counts"]
    verdicts = _verdict_counts(counts)
    judged = verdicts["met"] + verdicts["missed"]
    p = probability_met(verdicts["met"], verdicts["missed"])
    label = np.where(
        verdicts["set_by_scenario"] > 0,
        "set_by_scenario",
        np.where(
            judged == 0,
            "not_evaluated",
            np.where(verdicts["not_evaluated"] > 0, "partly_evaluated", "evaluated"),
        ),
    )
    return {
        "probability": (
            ("target",),
            p,
            {
                "description": "probability met: (met + at_risk) / (met + at_risk + missed); "
                "NaN for a record set by the scenario (an input read back) or never evaluated"
            },
        ),
        "standard_error": (
            ("target",),
            _standard_error(p, judged),
            {"description": "sqrt(p (1 - p) / n): iid formula, conservative for QMC designs"},
        ),
        "n_evaluated": (("target",), judged),
        "status_count": (("target", "status"), counts),
        "evaluation": (("target",), label.astype(str)),
        "reason": (("target",), np.array(pilot.reasons, dtype=str)),
    }


def _joint(totals) -> dict:
    p = ratio(totals["joint_met"], totals["joint_evaluated"], empty=np.nan)
    return {
        "joint_probability": (
            ("joint",),
            p,
            {"description": "share of scenarios meeting every evaluated target of the group"},
        ),
        "joint_standard_error": (("joint",), _standard_error(p, totals["joint_evaluated"])),
        "joint_n_evaluated": (("joint",), totals["joint_evaluated"]),
    }


def _peaks(totals) -> dict:
    n = int(totals["n"])
    return {
        "peak_year_count": (
            ("quantity", "region", "peak_year"),
            totals["peak_counts"],
            {"description": "scenarios per tolerant peak year; the last year: not yet peaked"},
        ),
        "probability_peaked_by_2030": (
            ("quantity", "region"),
            ratio(totals["peaked_by_counts"], n, empty=np.nan),
        ),
    }


def histogram_quantiles(counts, lo, hi, low, high, levels):
    """Quantiles (level, *cell) from fixed-bin counts (*cell, bins + 2) with under/overflow bins.

    Bin edges are ``lo + k (hi - lo) / bins`` inside and the observed minimum *low* and maximum
    *high* outside, all clipped to [low, high].  Each order statistic is placed inside its bin
    as if the bin's points were evenly spread; the quantile is then numpy's ``"linear"``
    definition on those positions: ``x[a] + f (x[a+1] - x[a])`` with ``a + f = q (N - 1)``.
    Every placed order statistic lies in the same bin as the true one, so the result is within
    the wider of the two bins used (returned as the resolution) of the exact sample quantile.
    """
    bins = counts.shape[-1] - 2
    flat = counts.reshape(-1, bins + 2).astype(float)
    lo, hi, low, high = (np.ravel(a) for a in (lo, hi, low, high))
    inner = lo[:, None] + ((hi - lo) / bins)[:, None] * np.arange(bins + 1)
    edges = np.concatenate([np.fmin(low, lo)[:, None], inner, np.fmax(high, hi)[:, None]], axis=1)
    edges = np.clip(edges, np.minimum(low, high)[:, None], np.maximum(low, high)[:, None])
    cum = np.concatenate([np.zeros((len(flat), 1)), np.cumsum(flat, axis=1)], axis=1)
    total = cum[:, -1]
    values, widths = [], []
    for q in levels:
        h = q * np.maximum(total - 1, 0)
        a = np.floor(h)
        x0, w0 = _order_statistic(a, cum, flat, edges)
        x1, w1 = _order_statistic(np.minimum(a + 1, np.maximum(total - 1, 0)), cum, flat, edges)
        empty = total == 0
        values.append(np.where(empty, np.nan, x0 + (h - a) * (x1 - x0)))
        widths.append(np.where(empty, np.nan, np.maximum(w0, w1)))
    shape = (len(levels), *counts.shape[:-1])
    return np.reshape(values, shape), np.reshape(widths, shape)


def _order_statistic(rank, cum, counts, edges):
    """Position of the 0-based order statistic *rank* (per cell) spread evenly in its bin."""
    rows = np.arange(len(counts))
    k = np.minimum((cum[:, 1:] <= rank[:, None]).sum(axis=1), counts.shape[1] - 1)
    width = edges[rows, k + 1] - edges[rows, k]
    inside = ratio(rank - cum[rows, k] + 0.5, counts[rows, k], empty=np.nan)
    return edges[rows, k] + np.nan_to_num(inside) * width, width


def _quantiles(spec, pilot, totals, levels) -> dict:
    out = {}
    for k, name in enumerate(pilot.indicators):
        values, widths = histogram_quantiles(
            totals[f"hist__{name}"],
            pilot.lo[k],
            pilot.hi[k],
            totals[f"min__{name}"],
            totals[f"max__{name}"],
            levels,
        )
        attrs = dict(pilot.attrs.get(name, {}))
        out[f"quantiles_{name}"] = (("quantile", "region", "year"), values, attrs)
        out[f"quantile_resolution_{name}"] = (
            ("quantile", "region", "year"),
            widths,
            {
                "units": attrs.get("units", ""),
                "description": f"width of the histogram bin each quantile of {name} lies in: "
                "the quantile's resolution",
            },
        )
    return out


def _sensitivity(spec, totals, store) -> dict:
    from carbonsim.sweeps import sensitivity

    dims = ("outcome", "dimension")
    out = {
        "spearman": (
            dims,
            sensitivity.spearman(totals),
            {"description": "rank correlation of the unit draw with the outcome's pilot mid-rank"},
        )
    }
    if spec.method == "saltelli":
        indices = sensitivity.sobol_indices(spec.dimensions, store.row_array("outcomes"), spec.seed)
        out.update({f"sobol_{key}": (dims, value) for key, value in indices.items()})
    return out


def summarise(spec, pilot, totals, store, quantiles) -> xr.Dataset:
    """The summary dataset of a sweep from its merged totals."""
    data = {
        **_probabilities(spec, pilot, totals),
        **_joint(totals),
        **_peaks(totals),
        **_quantiles(spec, pilot, totals, quantiles),
        **_sensitivity(spec, totals, store),
    }
    ds = xr.Dataset(data, coords=_coords(spec, quantiles))
    from carbonsim import __version__

    ds.attrs.update(
        {
            "title": f"carbonsim sweep of scenario {spec.scenario.id!r}",
            "n_scenarios": int(totals["n"]),
            "n": spec.n,
            "seed": str(spec.seed),
            "method": spec.method,
            "chunk_size": spec.chunk_size,
            "n_chunks": spec.n_chunks,
            "scenario_id": spec.scenario.id,
            "carbonsim_version": __version__,
            "pilot_size": pilot.size,
            "bins": spec.bins,
            "quantile_method": "fixed-bin histograms merged by addition, linear within a bin",
            "rank_measure": "Spearman: unit draws vs pilot mid-ranks of the outcome",
        }
    )
    return ds


# ---------------------------------------------------------------------------------------------
# the result
# ---------------------------------------------------------------------------------------------
class SweepResult:
    """A finished sweep: ``summary`` (xarray.Dataset) and tables derived from it.

    ``out`` is the sweep folder (None for an in-memory sweep); ``computed_chunks`` the chunks
    this call computed, ``reused_chunks`` how many it found finished.
    """

    def __init__(self, summary: xr.Dataset, out, computed=(), reused: int = 0):
        self.summary = summary
        self.out = out
        self.computed_chunks = list(computed)
        self.reused_chunks = int(reused)
        #: chunk files found damaged on resume (deleted and recomputed)
        self.damaged_chunks: list[str] = []

    def probabilities(self) -> pd.DataFrame:
        """One row per target: probability met, standard error, verdict counts, reason.

        ``met`` counts the at-risk scenarios too (``at_risk`` says how many of them), so
        ``probability = met / (met + missed)``; a record set by the scenario has no
        probability (NaN) and its scenarios are counted in ``set_by_scenario``.
        """
        ds = self.summary
        frame = pd.DataFrame(
            {
                "target": ds.target.values,
                "region": ds.target_region.values,
                "indicator": ds.indicator.values,
                "year": ds.target_year.values,
                "op": ds.op.values,
                "tier": ds.tier.values,
                "kind": ds.kind.values,
                "source": ds.source.values,
                "clause": ds.clause.values,
                "written": ds.written.values,
                "probability": ds.probability.values,
                "standard_error": ds.standard_error.values,
                "n_evaluated": ds.n_evaluated.values,
            }
        )
        for column, values in _verdict_counts(ds.status_count.values).items():
            frame[column] = values
        frame["evaluation"] = ds.evaluation.values
        frame["reason"] = ds.reason.values
        return frame

    def joint_probabilities(self) -> pd.DataFrame:
        """All binding targets, the peaking order, all binding targets of each region."""
        ds = self.summary
        return pd.DataFrame(
            {
                "group": ds.joint.values,
                "probability": ds.joint_probability.values,
                "standard_error": ds.joint_standard_error.values,
                "n_evaluated": ds.joint_n_evaluated.values,
            }
        )

    def summary_table(self) -> pd.DataFrame:
        """:meth:`probabilities` with the joint probabilities as last rows (``summary.csv``)."""
        joint = self.joint_probabilities().rename(columns={"group": "target"})
        joint["target"] = "joint:" + joint["target"]
        joint["kind"] = "joint"
        frame = pd.concat([self.probabilities(), joint], ignore_index=True)
        integers = ["year", "n_evaluated", *STATUSES]
        return frame.astype({column: "Int64" for column in integers})

    def sensitivity(self, dropna: bool = True) -> pd.DataFrame:
        """One row per (outcome, lever): Spearman ρ (and Sobol' S1/ST with ``saltelli``),
        strongest |ρ| first within each outcome."""
        ds = self.summary
        names = ["spearman", *(v for v in ds.data_vars if str(v).startswith("sobol_"))]
        frame = ds[names].to_dataframe().reset_index()
        frame = frame[["outcome", "dimension", *names]]
        frame["rank"] = (
            frame["spearman"].abs().groupby(frame["outcome"]).rank(ascending=False, method="min")
        )
        if dropna:
            frame = frame.dropna(subset=["spearman"])
        order = {name: k for k, name in enumerate(ds.outcome.values)}
        frame = frame.sort_values(
            ["outcome", "rank"], key=lambda s: s.map(order) if s.name == "outcome" else s
        )
        return frame.reset_index(drop=True)

    def peak_years(self, quantity: str = "co2") -> pd.DataFrame:
        """Scenarios per peak year (columns) and region (rows) for *quantity*."""
        counts = self.summary.peak_year_count.sel(quantity=quantity)
        return counts.to_pandas()

    def samples(self, targets=None) -> pd.DataFrame:
        """Per scenario (``keep_samples``): lever values and ``met`` (every evaluated target of
        *targets* met; default the binding ones the model computes), for a feasible-region map."""
        ds = self.summary
        if "sample_value" not in ds:
            raise SweepError("this sweep kept no samples; run it with keep_samples=True")
        if targets is None:
            chosen = ds.tier.values == "binding"
            if "source" in ds.coords:  # inputs read back are not outcomes
                chosen = chosen & (ds.source.values == "model")
            targets = list(ds.target.values[chosen])
        margin = ds.sample_margin.sel(target=list(targets)).values
        frame = pd.DataFrame(ds.sample_value.values, columns=list(ds.dimension.values))
        frame["met"] = np.all(np.isnan(margin) | (margin >= 0), axis=1)
        return frame

    def __repr__(self) -> str:
        ds = self.summary
        joint = dict(zip(ds.joint.values, ds.joint_probability.values, strict=True))
        return (
            f"<SweepResult {ds.attrs.get('scenario_id')!r}: {ds.attrs.get('n_scenarios')} "
            f"scenarios ({ds.attrs.get('method')}, seed {ds.attrs.get('seed')}); "
            f"P(all binding met) = {joint.get('all_binding', np.nan):.3f}, "
            f"P(peaking order) = {joint.get('peaking_order', np.nan):.3f}>"
        )

    def _repr_html_(self) -> str:
        esc = html.escape
        ds = self.summary
        frame = self.probabilities()
        judged = frame.source == "model"  # inputs read back have no probability met
        frame = frame[(frame.tier == "binding") & judged].sort_values("probability").head(15)
        rows = "".join(
            f"<tr><td><code>{esc(r.target)}</code></td><td>{esc(str(r.region))}</td>"
            f"<td>{esc(str(r.written))}</td><td>{_percent(r.probability)}</td>"
            f"<td>±{_percent(1.96 * r.standard_error)}</td></tr>"
            for r in frame.itertuples()
        )
        joint = "".join(
            f"<li>{esc(str(g))}: {_percent(p)}</li>"
            for g, p in zip(ds.joint.values, ds.joint_probability.values, strict=True)
        )
        return (
            f"<div class='carbonsim-sweep'><h4>{esc(repr(self))}</h4><ul>{joint}</ul>"
            "<p>Binding targets least likely to be met:</p><table><thead><tr><th>target</th>"
            "<th>region</th><th>plan value</th><th>P(met)</th><th>95 %</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>"
        )


def _percent(value: float) -> str:
    return "—" if not np.isfinite(value) else f"{100 * value:.1f} %"
