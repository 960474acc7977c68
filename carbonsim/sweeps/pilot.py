"""The pilot of a sweep: what its first rows fix for every chunk (bin ranges, outcome ranks)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

__all__ = ["Pilot"]


@dataclass
class Pilot:
    """What the first ``k`` rows fix for the whole sweep (identical whatever the chunking)."""

    size: int
    indicators: tuple[str, ...]
    lo: np.ndarray  # (indicator, region, year) lower edge of the regular bins
    hi: np.ndarray  # upper edge
    sorted_outcomes: np.ndarray  # (outcome, k) finite pilot values sorted, +inf padded
    outcome_count: np.ndarray  # (outcome,)
    reasons: tuple[str, ...]  # per target: why it is not evaluated ("" when it is)
    attrs: dict  # indicator -> units, long_name, long_name_zh

    def to_arrays(self) -> dict[str, np.ndarray]:
        meta = {"size": self.size, "indicators": self.indicators, "attrs": self.attrs}
        return {
            "meta": np.array(json.dumps(meta, ensure_ascii=False)),
            "lo": self.lo,
            "hi": self.hi,
            "sorted_outcomes": self.sorted_outcomes,
            "outcome_count": self.outcome_count,
            "reasons": np.array(self.reasons, dtype=str),
        }

    @classmethod
    def from_arrays(cls, arrays) -> Pilot:
        meta = json.loads(str(arrays["meta"]))
        return cls(
            meta["size"],
            tuple(meta["indicators"]),
            arrays["lo"],
            arrays["hi"],
            arrays["sorted_outcomes"],
            arrays["outcome_count"],
            tuple(str(r) for r in arrays["reasons"]),
            meta["attrs"],
        )
