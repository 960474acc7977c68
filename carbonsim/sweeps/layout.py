"""What a sweep folder is: its format, its manifest (what determines the numbers), the comparison
that allows or refuses a resume, and the estimate of what a sweep will cost.

Layout of a sweep folder ``<out>`` (a Zarr store once finished)::

    <out>/manifest.json        what determines the numbers (scenario hash, n, seed, method, …)
    <out>/log.jsonl            one line per run (chunks to do, computed) and per chunk file
                               written (its SHA-256, recorded before the file is renamed)
    <out>/chunks/pilot.npz     histogram ranges and outcome ranks fixed by the pilot rows
    <out>/chunks/000000.npz …  partial aggregates of each finished chunk (temp file + rename)
    <out>/.lock, .holder.json  one writer at a time (``filelock``; who holds it)
    <out>/.zmetadata, …        the summary (Zarr v2, consolidated; ``xarray.open_zarr(out)``)
    <out>/summary.csv          per-target probabilities (UTF-8)
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
from pathlib import Path

import numpy as np

from carbonsim.errors import CarbonsimError

__all__ = ["COMPARED", "FORMAT", "SweepError", "differences", "estimate", "manifest"]

FORMAT = "carbonsim-sweep/2"  # 2: chunk checksums in log.jsonl
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
    "dtype": "dtype",
}
#: what a manifest written before a compared key existed meant by it
IMPLIED = {"dtype": "float64"}


class SweepError(CarbonsimError):
    """A sweep's arguments are invalid, or its folder does not match them."""


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
        "dtype": spec.dtype,
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
#: At most this many rows per ``simulate`` call inside a chunk: the lever arrays are built once
#: per call, and a call keeps ~100 kB per row (the variables the sweep reads), so this bounds a
#: task's memory whatever the chunk size.
ROWS_PER_CALL = 4096
#: memory a sweep keeps per row of a simulate call (the ~93 variables it reads, float64)
ROW_MEMORY = 100_000
#: memory of one worker besides the rows kept: interpreter, baseline, engine temporaries
WORKER_MEMORY = 256 * 2**20
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
    rows = min(spec.chunk_size, ROWS_PER_CALL)
    memory = WORKER_MEMORY + rows * ROW_MEMORY + spec.chunk_size * per_row
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


def _now(timespec: str = "seconds") -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec=timespec)


def _short(value) -> str:
    text = json.dumps(value)
    return text[:16] + "…" if len(text) > 20 and isinstance(value, str) else text


def differences(stored: dict, now: dict) -> list[str]:
    """``"seed: 1 (stored) ≠ 2 (now)"`` for every compared key that differs."""
    return [
        f"{label}: {_short(stored.get(key, IMPLIED.get(key)))} (stored) ≠ {_short(now[key])} (now)"
        for key, label in COMPARED.items()
        if stored.get(key, IMPLIED.get(key)) != now[key]
    ]
