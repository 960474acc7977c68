"""The regions of a city: its id, its counties (county-level units) and their names.

:data:`WUZHONG` (吴忠市 and its five counties) is the default everywhere.  Another city declares
its regions in a small CSV (:func:`read_regions`) given to :func:`carbonsim.load_baseline`; from
then on the baseline and every trajectory Dataset carry them (coords ``region``, ``name_zh``,
``name_en`` and the ``city`` attribute), and :func:`regions_of` reads them back.

Examples
--------
>>> WUZHONG.city, WUZHONG.counties[0]
('wuzhong', 'litong')
>>> WUZHONG.name_zh("hongsibu")
'红寺堡区'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from carbonsim import constants as C
from carbonsim.errors import BaselineError, did_you_mean
from carbonsim.textfile import text_stream

__all__ = ["WUZHONG", "RegionSet", "read_regions", "regions_of"]

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_RESERVED = ("default", "all")
REGION_COLUMNS = ("region", "name_zh", "name_en", "city")


@dataclass(frozen=True)
class RegionSet:
    """A city and its counties, in the order of every ``region`` axis (the city first).

    Parameters
    ----------
    city : str
        The city's id (lower-case identifier), e.g. ``"wuzhong"``.
    counties : tuple of str
        County ids, in axis order.
    names_zh, names_en : dict
        Display names by id (city and counties); an id without a name shows as itself.
    """

    city: str
    counties: tuple[str, ...]
    names_zh: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    names_en: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        ids = (self.city, *self.counties)
        if not self.counties:
            raise BaselineError(f"city {self.city!r} has no counties")
        for region in ids:
            if not isinstance(region, str) or not region or region in _RESERVED:
                raise BaselineError(
                    f"region id {region!r} is not allowed: use a lower-case identifier "
                    "(letters, digits, _), not 'default' or 'all'"
                )
        if len(set(ids)) != len(ids):
            raise BaselineError(f"region ids repeat: {', '.join(ids)}")

    @property
    def all(self) -> tuple[str, ...]:
        """The city, then its counties (the ``region`` axis of datasets)."""
        return (self.city, *self.counties)

    def name_zh(self, region: str) -> str:
        """The Chinese name of *region* (its id when none is known)."""
        return self.names_zh.get(region, region)

    def name_en(self, region: str) -> str:
        """The English name of *region* (its id when none is known)."""
        return self.names_en.get(region, region)

    def coords(self) -> dict:
        """``region``, ``name_zh`` and ``name_en`` coordinates for a Dataset."""
        return {
            "region": ("region", list(self.all)),
            "name_zh": ("region", [self.name_zh(r) for r in self.all]),
            "name_en": ("region", [self.name_en(r) for r in self.all]),
        }


WUZHONG = RegionSet(C.CITY, C.REGIONS, dict(C.REGION_NAMES_ZH), dict(C.REGION_NAMES_EN))


def read_regions(path) -> RegionSet:
    """A city's regions from a CSV with the columns ``region, name_zh, name_en, city``.

    One row per region; the city's row has ``city`` = ``yes`` (exactly one), the others are its
    counties in axis order.  Names may be empty (the id is shown).

    Raises
    ------
    BaselineError
        Naming the file, row and column of the first problem.
    """
    path = Path(path)
    try:
        text = text_stream(path, "regions file", BaselineError)
        table = pd.read_csv(text, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise BaselineError(f"{path}: not a readable CSV file ({exc})") from None
    for name in REGION_COLUMNS:
        if name not in table.columns:
            raise BaselineError(
                f"{path}, row 1, column {name!r}: missing column; a regions file has the columns "
                f"{', '.join(REGION_COLUMNS)}.{did_you_mean(name, list(table.columns))}"
            )
    table = table.apply(lambda col: col.str.strip())
    flags = table["city"].str.lower()
    bad = ~flags.isin(["yes", "no", ""])
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0]) + 2
        raise BaselineError(
            f"{path}, row {row}, column 'city': write yes for the city's row, no (or nothing) "
            f"for a county; got {table['city'].iloc[row - 2]!r}"
        )
    if int((flags == "yes").sum()) != 1:
        raise BaselineError(
            f"{path}, column 'city': exactly one row must be the city (city = yes); "
            f"found {int((flags == 'yes').sum())}"
        )
    city = table[flags == "yes"].iloc[0]["region"]
    names_zh = {r: z for r, z in zip(table["region"], table["name_zh"], strict=True) if z}
    names_en = {r: e for r, e in zip(table["region"], table["name_en"], strict=True) if e}
    counties = tuple(table[flags != "yes"]["region"])
    for row, region in enumerate(table["region"], start=2):
        if not _ID.match(region) or region in _RESERVED:
            raise BaselineError(
                f"{path}, row {row}, column 'region': region id {region!r} is not allowed: use a "
                "lower-case identifier (letters, digits, _), not 'default' or 'all'"
            )
    try:
        return RegionSet(city, counties, names_zh, names_en)
    except BaselineError as exc:
        raise BaselineError(f"{path}, column 'region': {exc}") from None


def _values(ds, name: str):
    """A coordinate's values; from a Dataset's Variable, without building a DataArray."""
    variables = getattr(ds, "variables", None)  # a Dataset (a DataArray has none)
    return (variables[name] if variables is not None else ds[name]).values


def regions_of(ds) -> RegionSet:
    """The :class:`RegionSet` of a baseline or trajectories Dataset (Wuzhong if it has none).

    The city is ``ds.attrs["city"]`` when present (the other regions are its counties, whether
    or not the city itself is on the axis); without it, a dataset of Wuzhong's regions (or some
    of them) is Wuzhong, and otherwise the first region is the city.
    """
    if ds is None or "region" not in getattr(ds, "coords", {}):
        return WUZHONG
    ids = [str(r) for r in _values(ds, "region")]
    city = ds.attrs.get("city")
    if (city or WUZHONG.city) == WUZHONG.city and set(ids) <= set(WUZHONG.all):
        return WUZHONG
    city = str(city) if city is not None else ids[0]
    counties = tuple(r for r in ids if r != city)

    def names(coord):
        if coord not in ds.coords:
            return {}
        return {r: str(n) for r, n in zip(ids, _values(ds, coord), strict=True) if str(n)}

    return RegionSet(city, counties, names("name_zh"), names("name_en"))
