"""The plan's targets as constraint records: load, validate, filter and show them.

Every quantitative target of 《吴忠市碳达峰实施方案》 (吴党发〔2023〕10号) and of the EV-charging
opinion (吴政办规发〔2023〕4号) is one ``[[target]]`` record of a TOML catalogue, bundled as
``carbonsim/data/targets/wuzhong-2023.toml``.  :func:`load_targets` reads and validates a catalogue
and returns an immutable :class:`Catalogue` of :class:`Target` records; the feasibility layer
evaluates them on trajectories.  See ``docs/targets.md`` for the operators, tiers and the plan's
ambiguities.

Examples
--------
>>> from carbonsim.catalogue import load_targets
>>> cat = load_targets()
>>> t = cat["main_2025_new_energy_capacity"]
>>> (t.value, t.unit, t.value_as_written, t.unit_as_written, t.tier)
(23.0, 'GW', 2300, '万千瓦', 'binding')
>>> len(cat.filter(region="wuzhong", year=2030, tier="stretch")) >= 3
True
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from carbonsim.catalogue.checks import (
    BASES,
    FIELDS,
    FIRST_TARGET_YEAR,
    KINDS,
    LAST_TARGET_YEAR,
    OPERATORS,
    ORDER_OPERATORS,
    SCENARIO_SET_INDICATORS,
    SIMULATED_INDICATORS,
    TIERS,
    VALUE_OPERATORS,
    RecordChecker,
    indicator_source,
    read_catalogue_file,
    read_readings,
)
from carbonsim.constants import ALL_REGIONS, DATA_DIR, REGION_NAMES_ZH
from carbonsim.definitions.tracked import tracked_indicators
from carbonsim.errors import CatalogueError, choices_text, did_you_mean
from carbonsim.textfile import by_content

__all__ = [
    "BASES",
    "FIELDS",
    "FIRST_TARGET_YEAR",
    "KINDS",
    "LAST_TARGET_YEAR",
    "OPERATORS",
    "ORDER_OPERATORS",
    "SCENARIO_SET_INDICATORS",
    "SIMULATED_INDICATORS",
    "TIERS",
    "VALUE_OPERATORS",
    "Catalogue",
    "Target",
    "load_targets",
    "source_texts",
    "tracked_indicators",
]

_OPINION_PREFIX = "充电意见"


@dataclass(frozen=True)
class Target:
    """One quantitative target of the plan, as a constraint.

    Attributes are the catalogue keys (``docs/targets.md``).  ``value`` is in model units
    (``unit``); for ``basis = "relative_change"`` it is ``x[year] / x[base_year] - 1``.
    Order operators (``peak_by``, ``peak_in``, ``peak_before``, ``peak_with``,
    ``nonincreasing``) carry no value.
    """

    id: str
    region: str
    indicator: str
    year: int
    op: str
    value: float | None
    unit: str
    value_as_written: float | int | str | None
    unit_as_written: str | None
    basis: str
    base_year: int | None
    tier: str
    kind: str
    clause: str
    source_text: str
    note: str | None = None
    tolerance: float | None = None
    direction: str | None = None
    other_region: str | None = None
    other_indicator: str | None = None
    lag_years: int | None = None
    first_year: int | None = None
    last_year: int | None = None

    def __hash__(self) -> int:
        # computed once per record: every check keys its caches on the catalogue's records,
        # and hashing 128 records of 25 fields each call was a quarter of a millisecond
        cached = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(tuple(self.__dict__[f.name] for f in fields(self)))
            object.__setattr__(self, "_hash", cached)
        return cached

    def __getstate__(self) -> dict:
        # a str's hash differs from process to process: a copy computes its own
        return {k: v for k, v in self.__dict__.items() if k != "_hash"}

    @property
    def document(self) -> str:
        """``"opinion"`` for the EV-charging opinion's clauses, else ``"plan"``."""
        return "opinion" if self.clause.startswith(_OPINION_PREFIX) else "plan"

    @property
    def source(self) -> str:
        """``"scenario"`` when the indicator is set by the scenario (tracked, or a lever read
        back), ``"model"`` when the model computes it (:func:`~.checks.indicator_source`)."""
        return indicator_source(self.indicator, self.kind)

    @property
    def written(self) -> str:
        """The target as short text, e.g. ``"2300万千瓦"`` or ``"-13% vs 2020"``."""
        return _display_value(self)


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def _bundled(*parts: str) -> Path:
    return DATA_DIR.joinpath(*parts)


def load_targets(path: str | Path | None = None) -> Catalogue:
    """Load and validate a target catalogue.

    Parameters
    ----------
    path
        A ``.toml`` catalogue file, or a folder whose ``*.toml`` files are read together.
        Default: the bundled Wuzhong catalogue (``carbonsim/data/targets/wuzhong-2023.toml``).

    Raises
    ------
    CatalogueError
        On any malformed record; the message names the file, the record id (or its index) and
        the key, says what was expected and suggests the closest valid choice.

    Examples
    --------
    >>> cat = load_targets()
    >>> cat["main_2025_energy_intensity"].value
    -0.13
    """
    files = _catalogue_files(_bundled("targets", "wuzhong-2023.toml") if path is None else path)
    return _load(files)  # parsed once per content: an edited file is read again


@by_content  # the catalogue is immutable, so one object serves every caller
def _load(files: tuple[Path, ...]) -> Catalogue:
    tracked_units = {name: spec["unit"] for name, spec in tracked_indicators().items()}
    targets: list[Target] = []
    regions: list[str] = []
    seen: dict[str, str] = {}
    readings: list[tuple[tuple[str, ...], str]] = []
    for file in files:
        file_regions, records = read_catalogue_file(file)
        readings.extend(read_readings(file))
        regions.extend(r for r in file_regions if r not in regions)
        for index, record in enumerate(records, start=1):
            fields_ = RecordChecker(file, index, record, file_regions, tracked_units).check()
            target = Target(**fields_)
            if target.id in seen:
                raise CatalogueError(
                    f"{file}: target {target.id!r} (record #{index}), key 'id': duplicate id, "
                    f"already used in {seen[target.id]}; every id must be unique"
                )
            seen[target.id] = f"{file} (record #{index})"
            targets.append(target)
    for ids, _ in readings:
        unknown = [i for i in ids if i not in seen]
        if unknown:
            raise CatalogueError(
                f"{files[0]}: readings {list(ids)!r}, key 'targets': no target with id "
                f"{unknown[0]!r}.{did_you_mean(unknown[0], seen)}"
            )
    return Catalogue(targets, regions=regions, sources=files, readings=readings)


def _catalogue_files(path: str | Path) -> tuple[Path, ...]:
    path = Path(path)
    if path.is_dir():
        files = tuple(sorted(path.glob("*.toml")))
        if not files:
            raise CatalogueError(f"{path}: folder holds no .toml catalogue files")
        return files
    if not path.is_file():
        raise CatalogueError(f"{path}: no such catalogue file or folder")
    return (path,)


# ---------------------------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------------------------


def _as_tuple(value: Any) -> tuple | None:
    if value is None:
        return None
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(value)
    return (value,)


class Catalogue:
    """An immutable, ordered collection of :class:`Target` records.

    ``len(cat)``, ``for t in cat``, ``cat["id"]`` and ``"id" in cat`` work as expected;
    :meth:`filter` returns a new catalogue and :meth:`to_dataframe` a :class:`pandas.DataFrame`.
    In Jupyter the catalogue shows as a table grouped by the plan's actions.
    """

    __slots__ = ("_by_id", "_readings", "_regions", "_sources", "_targets")

    def __init__(
        self,
        targets: Iterable[Target],
        regions: Iterable[str] = ALL_REGIONS,
        sources: Iterable[Path] = (),
        readings: Iterable[tuple[tuple[str, ...], str]] = (),
    ):
        targets = tuple(targets)
        ids = {t.id for t in targets}
        kept = tuple(
            (tuple(i for i in group if i in ids), differ)
            for group, differ in readings
            if sum(i in ids for i in group) >= 2
        )
        object.__setattr__(self, "_readings", kept)
        object.__setattr__(self, "_targets", targets)
        object.__setattr__(self, "_by_id", {t.id: t for t in targets})
        object.__setattr__(self, "_regions", tuple(regions))
        object.__setattr__(self, "_sources", tuple(Path(s) for s in sources))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Catalogue is immutable; use .filter() to derive another one")

    def __len__(self) -> int:
        return len(self._targets)

    def __iter__(self) -> Iterator[Target]:
        return iter(self._targets)

    def __contains__(self, target_id: object) -> bool:
        return target_id in self._by_id

    def __getitem__(self, target_id: str) -> Target:
        try:
            return self._by_id[target_id]
        except KeyError:
            hint = did_you_mean(target_id, self._by_id)
            raise KeyError(f"no target with id {target_id!r} in this catalogue.{hint}") from None

    @property
    def ids(self) -> tuple[str, ...]:
        """Target ids, in catalogue order."""
        return tuple(self._by_id)

    @property
    def indicators(self) -> tuple[str, ...]:
        """Distinct indicator names, in order of first appearance."""
        return tuple(dict.fromkeys(t.indicator for t in self._targets))

    @property
    def regions(self) -> tuple[str, ...]:
        """The valid region ids of this catalogue (declared, not only those used)."""
        return self._regions

    @property
    def readings(self) -> tuple[tuple[tuple[str, ...], str], ...]:
        """Groups of records that read one clause (or paired clauses) differently:
        ``((ids, how they differ), …)``, from the catalogue's ``[[readings]]`` tables."""
        return self._readings

    def reading_of(self, target_id: str) -> tuple[tuple[str, ...], str] | None:
        """The reading group *target_id* belongs to, or None."""
        return next((g for g in self._readings if target_id in g[0]), None)

    @property
    def sources(self) -> tuple[Path, ...]:
        """The files the catalogue was read from."""
        return self._sources

    def filter(self, region=None, year=None, kind=None, tier=None, indicator=None) -> Catalogue:
        """Targets matching every given criterion; each may be one value or a list of values.

        Examples
        --------
        >>> cat = load_targets()
        >>> sorted({t.year for t in cat.filter(kind="simulated", year=[2025, 2030])})
        [2025, 2030]
        """
        criteria = {
            "region": self._checked("region", region, self._regions),
            "year": _as_tuple(year),
            "kind": self._checked("kind", kind, KINDS),
            "tier": self._checked("tier", tier, TIERS),
            "indicator": _as_tuple(indicator),
        }
        active = {k: v for k, v in criteria.items() if v is not None}
        chosen = (t for t in self._targets if all(getattr(t, k) in v for k, v in active.items()))
        return Catalogue(
            chosen, regions=self._regions, sources=self._sources, readings=self._readings
        )

    @staticmethod
    def _checked(key: str, value: Any, choices: tuple[str, ...]) -> tuple | None:
        values = _as_tuple(value)
        for item in values or ():
            if item not in choices:
                raise CatalogueError(
                    f"filter: unknown {key} {item!r}; expected one of {choices_text(choices)}."
                    f"{did_you_mean(item, choices)}"
                )
        return values

    def to_dataframe(self):
        """One row per target; columns id, region, indicator, year, op, value, unit,
        value_as_written, unit_as_written, basis, base_year, tier, kind, clause, source_text,
        note, then tolerance and the order keys."""
        import pandas as pd

        columns = list(FIELDS)
        rows = [[getattr(t, c) for c in columns] for t in self._targets]
        frame = pd.DataFrame(rows, columns=columns).astype(
            {"value": "float64", "tolerance": "float64"}
        )
        for column in ("base_year", "lag_years", "first_year", "last_year"):
            frame[column] = frame[column].astype("Int64")
        frame["value_as_written"] = frame["value_as_written"].astype(object)
        return frame

    def __repr__(self) -> str:
        if not self._targets:
            return "<Catalogue: 0 targets>"
        years = sorted({t.year for t in self._targets})
        lines = [
            f"<Catalogue: {len(self)} targets, years {years[0]}–{years[-1]}"
            + (f", from {', '.join(s.name for s in self._sources)}>" if self._sources else ">"),
            "  kinds:   " + _counts(t.kind for t in self._targets),
            "  tiers:   " + _counts(t.tier for t in self._targets),
            "  regions: " + _counts(t.region for t in self._targets),
        ]
        width = max(len(t.id) for t in self._targets[:8])
        for t in self._targets[:8]:
            lines.append(
                f"  {t.id:<{width}}  {t.region} {t.year} {t.op} {t.written}  [{t.tier}, {t.clause}]"
            )
        if len(self) > 8:
            lines.append(f"  … {len(self) - 8} more (.to_dataframe() shows them all)")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return _html_table(self)


def _counts(items: Iterable[str]) -> str:
    return ", ".join(f"{k} {n}" for k, n in Counter(items).items())


# ---------------------------------------------------------------------------------------------
# Display helpers (shared with the CLI)
# ---------------------------------------------------------------------------------------------


def _format_number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def _display_value(t: Target) -> str:
    """The target value as written (or, where the plan prints no number, as read)."""
    if t.op in ORDER_OPERATORS:
        return _display_order(t)
    if t.value_as_written is not None:
        text = f"{_format_number(t.value_as_written)}{t.unit_as_written}"
        if t.basis == "relative_change":
            text = ("-" if t.value < 0 else "+") + text
    elif t.unit == "1":
        text = f"{_format_number(t.value * 100)}%"
        if t.basis == "relative_change":
            text = ("-" if t.value < 0 else "+") + text.lstrip("-")
    else:
        text = f"{_format_number(t.value)} {t.unit}"
    if t.tier == "approx":
        text += "左右"
    if t.basis == "relative_change":
        text += f" vs {t.base_year}"
    if t.op == "approx":
        text += " " + _approx_reading(t)
    if t.first_year is not None and t.op in VALUE_OPERATORS:
        span = f"{t.first_year}–{t.last_year}" if t.last_year else f"from {t.first_year}"
        text += f", every year {span}"
    return text


def _approx_reading(t: Target) -> str:
    """How an approx record is read: ``(≥17%)``, ``(≤-3%)`` or ``(17%–19%)``."""
    percent = t.unit == "1"

    def shown(x: float) -> str:
        number = _format_number(round(x * 100 if percent else x, 10))
        sign = "+" if t.basis == "relative_change" and x > 0 else ""
        return f"{sign}{number}{'%' if percent else ''}"

    low, high = t.value - t.tolerance, t.value + t.tolerance
    if t.direction == "up":
        return f"(≥{shown(low)})"
    if t.direction == "down":
        return f"(≤{shown(high)})"
    return f"({shown(low)}–{shown(high)})"


def _display_order(t: Target) -> str:
    if t.op == "peak_by":
        return f"peak by {t.year}"
    if t.op == "peak_in":
        return f"peak in {t.first_year}–{t.last_year}"
    if t.op == "nonincreasing":
        return f"non-increasing {t.first_year}–{t.last_year}"
    other = (
        t.other_region
        if t.other_indicator == t.indicator
        else (f"{t.other_region} {t.other_indicator}")
    )
    if t.op == "peak_before":
        return f"peak before {other}"
    return f"peak within {t.lag_years} yr of {other}"


_CHINESE_NUMERALS = "一二三四五六七八九十"
#: Titles of the plan's sections, for grouping (专栏N belongs to action N).
ACTION_TITLES: dict[str, str] = {
    "二": "二、主要目标 (main targets)",
    "三(一)": "三(一) 能源绿色低碳转型行动 (energy)",
    "三(二)": "三(二) 节能降碳增效行动 (efficiency)",
    "三(三)": "三(三) 工业领域碳达峰行动 (industry)",
    "三(四)": "三(四) 城乡建设低碳发展行动 (buildings)",
    "三(五)": "三(五) 交通运输低碳转型行动 (transport)",
    "三(六)": "三(六) 循环经济助力降碳行动 (circular economy)",
    "三(七)": "三(七) 生态碳汇建设行动 (sinks)",
    "三(八)": "三(八) 绿色低碳科技创新行动 (innovation)",
    "三(九)": "三(九) 绿色低碳全民行动 (green living)",
    "三(十)": "三(十) 各地梯次有序达峰行动 (peaking order)",
    _OPINION_PREFIX: "充电意见 (EV-charging opinion, 吴政办规发〔2023〕4号)",
}


def clause_group(clause: str) -> str:
    """The plan section a clause belongs to, e.g. ``"专栏2-3"`` → ``"三(二)"``."""
    if clause.startswith(_OPINION_PREFIX):
        return _OPINION_PREFIX
    match = re.match(r"^专栏\s*(\d+)", clause)
    if match and 1 <= int(match.group(1)) <= len(_CHINESE_NUMERALS):
        return f"三({_CHINESE_NUMERALS[int(match.group(1)) - 1]})"
    match = re.match(r"^([一二三四五六七八九十]+)(\([一二三四五六七八九十]+\))?", clause)
    if not match:
        return clause
    return match.group(1) + (match.group(2) or "") if match.group(1) != "二" else "二"


_TIER_COLOURS = {
    "binding": "#1b5e20",
    "stretch": "#0d47a1",
    "approx": "#e65100",
    "qualitative": "#616161",
}


def _html_table(cat: Catalogue) -> str:
    esc = html.escape
    groups: dict[str, list[Target]] = {}
    for t in cat:
        groups.setdefault(clause_group(t.clause), []).append(t)
    head = "".join(
        f"<th style='text-align:left'>{h}</th>"
        for h in ("id", "地区", "indicator", "year", "op", "target (as written)", "tier", "clause")
    )
    rows = []
    for key, targets in groups.items():
        title = esc(ACTION_TITLES.get(key, key))
        rows.append(
            f"<tr><th colspan='8' style='text-align:left;background:#f0f0f0'>{title} "
            f"<span style='font-weight:normal'>({len(targets)})</span></th></tr>"
        )
        for t in targets:
            rows.append(_html_row(t))
    summary = f"<b>Catalogue</b>: {len(cat)} targets · " + " ".join(
        _badge(tier, n) for tier, n in Counter(t.tier for t in cat).items()
    )
    return (
        "<div class='carbonsim-catalogue'><p>" + summary + "</p>"
        "<table style='font-size:90%'><thead><tr>"
        + head
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></div>"
    )


def _badge(tier: str, count: int | None = None) -> str:
    colour = _TIER_COLOURS.get(tier, "#424242")
    label = html.escape(tier) + (f" {count}" if count is not None else "")
    return (
        f"<span style='background:{colour};color:#fff;border-radius:3px;padding:0 4px;"
        f"font-size:85%'>{label}</span>"
    )


def _html_row(t: Target) -> str:
    esc = html.escape
    tip = t.source_text + (f" — {t.note}" if t.note else "")
    cells = (
        f"<td><code>{esc(t.id)}</code></td>",
        f"<td>{esc(REGION_NAMES_ZH.get(t.region, t.region))}</td>",
        f"<td>{esc(t.indicator)}</td>",
        f"<td>{t.year}</td>",
        f"<td>{esc(t.op)}</td>",
        f"<td>{esc(t.written)}</td>",
        f"<td>{_badge(t.tier)}</td>",
        f"<td>{esc(t.clause)}</td>",
    )
    return f"<tr title='{esc(tip, quote=True)}'>" + "".join(cells) + "</tr>"


# ---------------------------------------------------------------------------------------------
# Tracked indicators and source texts
# ---------------------------------------------------------------------------------------------


def source_texts() -> dict[str, str]:
    """The bundled plan texts: ``{"plan": …, "opinion": …}`` (as shipped, with line breaks).

    A target's ``source_text`` is a substring of ``source_texts()[target.document]`` once all
    whitespace is removed from both.
    """
    folder = _bundled("plan")
    return {
        "plan": (folder / "wuzhong-carbon-peaking-plan-2023.txt").read_text(encoding="utf-8"),
        "opinion": (folder / "wuzhong-ev-charging-opinion-2023.txt").read_text(encoding="utf-8"),
    }
