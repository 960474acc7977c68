"""The bundled target catalogue: contents, quotations, contradictions, and the Catalogue API."""

from __future__ import annotations

import dataclasses
import doctest
import hashlib
import re
import tomllib
from pathlib import Path

import pytest

import carbonsim.catalogue as catalogue_module
from carbonsim.catalogue import (
    FIELDS,
    ORDER_OPERATORS,
    SIMULATED_INDICATORS,
    Catalogue,
    Target,
    load_targets,
    source_texts,
    tracked_indicators,
)
from carbonsim.constants import ALL_REGIONS
from carbonsim.errors import CatalogueError
from carbonsim.units import convert

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "carbonsim" / "data"
BUNDLED = DATA / "targets" / "wuzhong-2023.toml"

#: Key order of a record in the catalogue file (order keys last).
FILE_KEY_ORDER = (
    "id",
    "region",
    "indicator",
    "year",
    "op",
    "value",
    "unit",
    "value_as_written",
    "unit_as_written",
    "basis",
    "base_year",
    "tier",
    "tolerance",
    "direction",
    "kind",
    "clause",
    "source_text",
    "note",
    "other_region",
    "other_indicator",
    "lag_years",
    "first_year",
    "last_year",
)


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_targets()


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return {name: "".join(text.split()) for name, text in source_texts().items()}


def written(value) -> str:
    """value_as_written formatted as the plan prints it (2300, 13, 20.4, 77.38, '5-8')."""
    if isinstance(value, str):
        return value
    return str(int(value)) if float(value).is_integer() else repr(float(value))


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def test_scenarios_copy_is_identical_to_bundled():
    assert (ROOT / "scenarios" / "targets" / "wuzhong-2023.toml").read_bytes() == (
        BUNDLED.read_bytes()
    )


def test_plan_texts_match_their_recorded_checksums():
    readme = (DATA / "plan" / "README.md").read_text(encoding="utf-8")
    recorded = dict(
        (name, digest)
        for digest, name in re.findall(r"^([0-9a-f]{64})\s+(\S+\.txt)$", readme, re.M)
    )
    assert set(recorded) == {
        "wuzhong-carbon-peaking-plan-2023.txt",
        "wuzhong-ev-charging-opinion-2023.txt",
    }
    for name, digest in recorded.items():
        assert hashlib.sha256((DATA / "plan" / name).read_bytes()).hexdigest() == digest, name
    assert "吴党发〔2023〕10号" in readme and "2023-05-15" in readme
    assert "吴政办规发〔2023〕4号" in readme and "2023-05-26" in readme


def test_record_keys_are_in_the_documented_order():
    with open(BUNDLED, "rb") as stream:
        records = tomllib.load(stream)["target"]
    for record in records:
        keys = list(record)
        assert keys == sorted(keys, key=FILE_KEY_ORDER.index), record["id"]


def test_target_fields_are_the_dataframe_columns():
    assert tuple(f.name for f in dataclasses.fields(Target)) == FIELDS


def test_a_record_hashes_like_its_fields_and_a_copy_hashes_anew(cat):
    import copy
    import pickle

    t = cat["main_2025_energy_intensity"]

    def fields(record):
        return tuple(getattr(record, f.name) for f in dataclasses.fields(record))

    assert hash(t) == hash(fields(t)) == hash(t)  # kept after the first call
    for twin in (pickle.loads(pickle.dumps(t)), copy.deepcopy(t), copy.copy(t)):
        assert "_hash" not in twin.__dict__  # another process's str hashes would differ
        assert twin == t and hash(twin) == hash(t)
    other = dataclasses.replace(t, value=t.value - 0.01)
    assert other != t and hash(other) == hash(fields(other))
    assert len({t, other, copy.copy(t)}) == 2


def test_doctests_of_the_module_pass():
    result = doctest.testmod(catalogue_module)
    assert result.attempted > 0 and result.failed == 0


# ---------------------------------------------------------------------------------------------
# Contents
# ---------------------------------------------------------------------------------------------


def test_bundled_catalogue_loads_and_is_large(cat):
    assert len(cat) > 70
    assert len(set(cat.ids)) == len(cat)
    assert {t.kind for t in cat} == {"simulated", "tracked", "order"}
    assert {t.tier for t in cat} == {"binding", "stretch", "approx", "qualitative"}
    assert {t.region for t in cat} == set(ALL_REGIONS)


def test_every_source_text_is_verbatim(cat, texts):
    for t in cat:
        quote = "".join(t.source_text.split())
        assert quote in texts[t.document], f"{t.id}: source_text not found in the {t.document}"


def test_every_value_as_written_occurs_in_its_source_text(cat):
    for t in cat:
        if t.value_as_written is None:
            assert t.note, f"{t.id}: no number printed, so a note must say how it was read"
            continue
        assert written(t.value_as_written) in t.source_text, t.id
        if isinstance(t.value_as_written, str):  # a range such as 5-8
            assert t.note and t.value_as_written in t.note, t.id


def test_absolute_values_convert_from_the_written_units(cat):
    for t in cat:
        if t.value_as_written is None or isinstance(t.value_as_written, str):
            continue
        converted = convert(float(t.value_as_written), t.unit_as_written, t.unit)
        expected = abs(t.value) if t.basis == "relative_change" else t.value
        assert converted == pytest.approx(expected), t.id


def test_clause_references_are_well_formed(cat):
    pattern = re.compile(
        r"^(二\([123]\)|三\([一二三四五六七八九十]\)[1-5]|专栏(10|[1-9])-[1-6]"
        r"|充电意见(一|二\([一二三四五六七]\)[1-3]?))$"
    )
    for t in cat:
        assert pattern.match(t.clause), f"{t.id}: clause {t.clause!r}"
    assert sum(t.document == "opinion" for t in cat) >= 12


def test_notes_where_an_interpretation_was_chosen(cat):
    for t in cat:
        if t.tier == "qualitative" or t.op in ORDER_OPERATORS:
            assert t.note, t.id


def test_simulated_indicators_use_model_names_and_units(cat):
    for t in cat:
        if t.kind in ("simulated", "order"):
            assert t.indicator in SIMULATED_INDICATORS, t.id
            expected = "1" if t.basis == "relative_change" else SIMULATED_INDICATORS[t.indicator]
            assert t.unit == expected, t.id


def test_approx_tolerances_follow_the_documented_convention(cat):
    for t in cat.filter(tier="approx"):
        if t.unit == "1":
            assert t.tolerance == 0.01, t.id  # ±1 percentage point
        else:
            assert t.tolerance == max(1.0, round(0.05 * abs(t.value))), t.id
    for t in cat:
        if t.op == "approx" and t.tier == "qualitative":
            assert t.tolerance == 0.05, t.id  # 保持稳定 / 基本稳定: ±5 %


# ---------------------------------------------------------------------------------------------
# The plan's contradictions: both readings kept
# ---------------------------------------------------------------------------------------------


def _one(cat, **criteria) -> Target:
    found = [t for t in cat if all(getattr(t, k) == v for k, v in criteria.items())]
    assert len(found) == 1, (criteria, [t.id for t in found])
    return found[0]


@pytest.mark.parametrize(
    ("year", "binding_gw", "stretch_gw"),
    [(2025, 23.0, 28.0), (2030, 28.0, 30.0)],
)
def test_new_energy_capacity_both_readings(cat, year, binding_gw, stretch_gw):
    binding = _one(cat, indicator="new_energy_capacity", year=year, tier="binding")
    stretch = _one(cat, indicator="new_energy_capacity", year=year, tier="stretch")
    assert (binding.op, binding.value, binding.unit, binding.clause) == (
        ">=",
        binding_gw,
        "GW",
        "二(1)" if year == 2025 else "二(2)",
    )
    assert (stretch.op, stretch.value, stretch.clause) == (">=", stretch_gw, "三(一)1")
    assert binding.value_as_written == binding_gw * 100
    assert stretch.value_as_written == stretch_gw * 100
    assert stretch.id in binding.note and binding.id in stretch.note


@pytest.mark.parametrize(("year", "share"), [(2025, 0.18), (2030, 0.25)])
def test_non_fossil_share_both_readings(cat, year, share):
    about = _one(cat, indicator="non_fossil_share", year=year, op="approx")
    floor = _one(cat, indicator="non_fossil_share", year=year, op=">=")
    assert (about.tier, about.value, about.tolerance) == ("approx", share, 0.01)
    assert "左右" in about.source_text
    assert (floor.tier, floor.value, floor.clause) == ("binding", share, "三(一)1")
    assert floor.id in about.note and about.id in floor.note


def test_pumped_hydro_both_readings(cat):
    power = cat["a5_2030_pumped_hydro_capacity"]
    energy = cat["a5_2030_pumped_hydro_energy_capacity"]
    assert (power.indicator, power.value, power.unit) == ("pumped_hydro_capacity", 3.2, "GW")
    assert (energy.indicator, energy.value, energy.unit) == (
        "pumped_hydro_energy_capacity",
        3.2,
        "GWh",
    )
    assert energy.unit_as_written == "万千瓦时" and "320万千瓦时" in power.source_text
    assert "万千瓦" in power.note and energy.id in power.note and power.id in energy.note


# ---------------------------------------------------------------------------------------------
# Specific numbers
# ---------------------------------------------------------------------------------------------

ABSOLUTE = [
    ("main_2025_nonhydro_renewable_share", 2025, ">=", 0.30, "1", "binding"),
    ("main_2030_nonhydro_renewable_share", 2030, ">=", 0.40, "1", "binding"),
    ("main_2035_non_fossil_share", 2035, ">=", 0.30, "1", "binding"),
    ("a2_2025_green_hydrogen", 2025, ">=", 2.0, "1e4 t/yr", "binding"),
    ("a2_2030_green_hydrogen", 2030, ">=", 5.0, "1e4 t/yr", "binding"),
    ("a3_2025_coal_supply_rate", 2025, "<=", 300.0, "gce/kWh", "binding"),
    ("a4_2025_gas_production_capacity", 2025, ">=", 20.0, "1e8 m3", "binding"),
    ("a5_2025_storage_ratio", 2025, ">=", 0.10, "1", "binding"),
    ("a5_2025_storage_duration", 2025, ">=", 2.0, "h", "binding"),
    ("a5_2025_demand_response_share", 2025, ">=", 0.05, "1", "binding"),
    ("c1_2025_green_factories", 2025, ">=", 17.0, "count", "binding"),
    ("c2_2025_recycled_aluminium_share", 2025, ">=", 0.30, "1", "binding"),
    ("c4_2025_clinker_capacity_cap", 2025, "<=", 760.0, "1e4 t", "binding"),
    ("d2_2030_prefab_building_share", 2030, ">=", 0.35, "1", "binding"),
    ("e1_2025_nev_sales_share", 2025, ">=", 0.15, "1", "binding"),
    ("e1_2030_clean_vehicle_share", 2030, ">=", 0.40, "1", "binding"),
    ("e2_2030_green_travel_share", 2030, ">=", 0.70, "1", "stretch"),
    ("e3_2025_charging_facilities", 2025, ">=", 350.0, "count", "stretch"),
    ("e3_2030_public_chargers", 2030, "approx", 2000.0, "count", "approx"),
    ("g2_2025_forest_coverage", 2025, ">=", 0.204, "1", "binding"),
    ("g2_2030_forest_coverage", 2030, ">=", 0.21, "1", "binding"),
    ("g2_2030_forest_stock", 2030, ">=", 112.0, "1e4 m3", "binding"),
    ("g2_2025_wetland_area", 2025, ">=", 77.38, "1e4 mu", "binding"),
    ("g2_2025_grassland_coverage", 2025, ">=", 0.553, "1", "binding"),
    ("f4_2025_msw_resource_share", 2025, "approx", 0.83, "1", "approx"),
    ("col9_2_2025_conservation_agencies", 2025, ">=", 0.80, "1", "binding"),
]


@pytest.mark.parametrize(("target_id", "year", "op", "value", "unit", "tier"), ABSOLUTE)
def test_absolute_targets(cat, target_id, year, op, value, unit, tier):
    t = cat[target_id]
    assert (t.region, t.year, t.op, t.unit, t.tier, t.basis) == (
        "wuzhong",
        year,
        op,
        unit,
        tier,
        "absolute",
    )
    assert t.value == pytest.approx(value)


RELATIVE = [
    ("main_2025_energy_intensity", "energy_intensity", 2025, -0.13, 13, 2020),
    ("main_2025_co2_intensity", "co2_intensity", 2025, -0.14, 14, 2020),
    ("a3_2025_coal_intensity", "coal_intensity", 2025, -0.15, 15, 2020),
    ("b2_2025_industry_energy_intensity", "industry_energy_intensity", 2025, -0.14, 14, 2020),
    ("c3_2025_unit_energy_coke", "unit_energy_coke", 2025, -0.20, 20, 2020),
    ("c3_2025_unit_energy_carbide", "unit_energy_carbide", 2025, -0.10, 10, 2020),
    ("c3_2025_unit_energy_caustic_soda", "unit_energy_caustic_soda", 2025, -0.05, 5, 2020),
    ("e1_2030_freight_co2_intensity", "freight_co2_intensity", 2030, -0.095, 9.5, 2020),
]


@pytest.mark.parametrize(
    ("target_id", "indicator", "year", "value", "as_written", "base"), RELATIVE
)
def test_relative_targets(cat, target_id, indicator, year, value, as_written, base):
    t = cat[target_id]
    assert (t.indicator, t.year, t.basis, t.base_year, t.unit) == (
        indicator,
        year,
        "relative_change",
        base,
        "1",
    )
    assert t.value == pytest.approx(value)
    assert (t.value_as_written, t.unit_as_written) == (as_written, "%")


def test_energy_intensity_example_from_the_brief(cat):
    t = cat["main_2025_energy_intensity"]
    assert (t.op, t.value, t.tier, t.clause) == ("<=", -0.13, "binding", "二(1)")
    assert t.source_text == "单位地区生产总值能源消耗比2020年下降13%"


def test_2035_new_demand_met_by_non_fossil(cat):
    t = _one(cat, indicator="fossil_energy")
    assert (t.year, t.op, t.value, t.basis, t.base_year) == (
        2035,
        "<=",
        0.0,
        "relative_change",
        2030,
    )
    assert "新增能源需求全部通过非化石能源满足" in t.source_text


def test_no_new_capacity_is_checked_on_the_capacity_stock(cat):
    bans = [f"c3_2025_no_new_{p}_capacity" for p in ("coke", "carbide", "caustic_soda")]
    for target_id in [*bans, "c4_2030_no_new_clinker_capacity"]:
        t = cat[target_id]
        product = t.indicator.removeprefix("capacity_")
        assert product in ("coke", "carbide", "caustic_soda", "clinker")
        assert (t.op, t.value, t.basis, t.base_year) == ("<=", 0.0, "relative_change", 2023)
        assert t.first_year == 2023 and t.last_year is None  # every year from the plan's year
        assert t.source == "model" and f"capacity_{product}" in t.note
        assert "产能" in t.source_text
    # the 760万t cap stays on output: the 2020 capacity is estimated from the cap itself
    cap = cat["c4_2025_clinker_capacity_cap"]
    assert cap.indicator == "output_clinker" and "read the estimate back" in cap.note
    assert cat["c4_2025_clinker_capacity_cap"].value == 760.0


# ---------------------------------------------------------------------------------------------
# Peaking order
# ---------------------------------------------------------------------------------------------


def test_counties_peaking_order(cat):
    for county in ("litong", "tongxin"):
        t = _one(cat, region=county, op="peak_before")
        assert (t.indicator, t.other_region, t.other_indicator, t.tier, t.kind) == (
            "co2",
            "wuzhong",
            "co2",
            "stretch",
            "order",
        )
    coal = _one(cat, region="qingtongxia")
    assert (coal.op, coal.indicator, coal.other_region, coal.other_indicator) == (
        "peak_before",
        "coal_consumption",
        "wuzhong",
        "co2",
    )
    for county in ("hongsibu", "yanchi"):
        t = _one(cat, region=county)
        assert (t.op, t.indicator, t.other_region, t.lag_years, t.tier) == (
            "peak_with",
            "co2",
            "wuzhong",
            1,
            "stretch",
        )


def test_city_peak_and_plateau(cat):
    peak = _one(cat, region="wuzhong", indicator="co2", op="peak_by")
    assert (peak.year, peak.tier) == (2030, "binding")
    after = _one(cat, region="wuzhong", indicator="co2", op="nonincreasing")
    assert (after.first_year, after.last_year, after.year) == (2031, 2035, 2035)
    coal_peak = _one(cat, indicator="coal_consumption", region="wuzhong")
    assert (coal_peak.op, coal_peak.year, coal_peak.tier) == ("peak_by", 2030, "stretch")
    coal_share = _one(cat, indicator="coal_share")
    assert (coal_share.op, coal_share.first_year, coal_share.last_year) == (
        "nonincreasing",
        2026,
        2030,
    )
    road = _one(cat, indicator="road_oil_consumption")
    assert (road.op, road.year, road.tier) == ("peak_by", 2030, "stretch")
    oil = _one(cat, indicator="oil_consumption")
    assert (oil.op, oil.base_year, oil.value, oil.tolerance) == ("approx", 2025, 0.0, 0.05)
    declining = {t.indicator for t in cat if t.op == "nonincreasing"}
    assert declining == {"co2", "coal_share", "co2_nonferrous", "co2_cement"}


# ---------------------------------------------------------------------------------------------
# The EV-charging opinion
# ---------------------------------------------------------------------------------------------

OPINION = [
    ("ev1_2025_charging_facilities", ">=", 350.0, "stretch"),
    ("ev2_1_new_residential_charging_share", ">=", 0.10, "binding"),
    ("ev2_1_new_residential_wiring", ">=", 1.0, "binding"),
    ("ev2_2_new_public_parking_share", ">=", 0.15, "binding"),
    ("ev2_2_2025_existing_public_parking_share", ">=", 0.15, "binding"),
    ("ev2_3_2025_dedicated_vehicles_per_charger", "<=", 10.0, "binding"),
    ("ev2_4_2025_highway_service_areas", ">=", 1.0, "binding"),
    ("ev2_5_public_institutions", ">=", 1.0, "binding"),
    ("ev2_6_2025_park_annual_share", ">=", 0.05, "binding"),
    ("ev2_6_2025_park_cumulative_share", ">=", 0.15, "binding"),
    ("ev2_7_2025_a_level_scenic_coverage", ">=", 1.0, "binding"),
    ("ev2_7_2025_4a_scenic_share", ">=", 0.15, "binding"),
]


@pytest.mark.parametrize(("target_id", "op", "value", "tier"), OPINION)
def test_charging_opinion(cat, target_id, op, value, tier):
    t = cat[target_id]
    assert (t.year, t.op, t.tier, t.kind, t.document) == (2025, op, tier, "tracked", "opinion")
    assert t.value == pytest.approx(value)
    if "2025" not in t.source_text and "每年" not in t.source_text:
        assert "2025-12-31" in t.note, "a yearless clause must say why it is checked in 2025"


def test_park_charging_every_year(cat):
    years = [t.year for t in cat.filter(indicator="park_charging_space_share_added")]
    assert years == [2023, 2024, 2025]


# ---------------------------------------------------------------------------------------------
# Tracked indicators
# ---------------------------------------------------------------------------------------------


def test_tracked_records_and_definitions_match(cat):
    defined = tracked_indicators()
    used = {t.indicator for t in cat if t.kind == "tracked"}
    assert used == set(defined)
    for t in cat.filter(kind="tracked"):
        if t.basis == "absolute":
            assert t.unit == defined[t.indicator]["unit"], t.id
    assert not set(defined) & set(SIMULATED_INDICATORS)


def test_tracked_definitions_are_complete():
    defined = tracked_indicators()
    for name, spec in defined.items():
        assert re.match(r"^[a-z][a-z0-9_]*$", name)
        assert spec["dims"] in ("region,year", "year"), name
        assert spec["long_name"] and spec["long_name_zh"] and spec["description"], name
        assert spec["source_2020"], name
    baseline = {name for name, spec in defined.items() if spec.get("default") == "baseline"}
    assert baseline == {
        "forest_coverage",
        "forest_stock",
        "grassland_vegetation_coverage",
        "wetland_area",
    }
    assert defined["forest_stock"]["unit"] == "1e4 m3"
    assert defined["wetland_area"]["unit"] == "1e4 mu"


def test_tracked_indicators_returns_a_copy():
    first = tracked_indicators()
    first["forest_coverage"]["unit"] = "tampered"
    del first["forest_stock"]
    again = tracked_indicators()
    assert again["forest_coverage"]["unit"] == "1" and "forest_stock" in again


# ---------------------------------------------------------------------------------------------
# The Catalogue API
# ---------------------------------------------------------------------------------------------


def test_lookup_and_membership(cat):
    assert cat["main_2025_new_energy_capacity"].value == 23.0
    assert "main_2025_new_energy_capacity" in cat and "nope" not in cat
    with pytest.raises(KeyError, match="Did you mean 'main_2025_new_energy_capacity'"):
        cat["main_2025_new_energy_capacty"]


def test_targets_and_catalogue_are_immutable(cat):
    with pytest.raises(dataclasses.FrozenInstanceError):
        cat["main_2025_new_energy_capacity"].value = 1.0  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        cat._targets = ()  # type: ignore[misc]


def test_filter_by_each_criterion(cat):
    city_2030 = cat.filter(region="wuzhong", year=2030)
    assert len(city_2030) > 10 and all(t.region == "wuzhong" and t.year == 2030 for t in city_2030)
    counties = cat.filter(region=["litong", "tongxin"])
    assert {t.region for t in counties} == {"litong", "tongxin"} and len(counties) == 2
    stretch = cat.filter(tier="stretch", year=[2025, 2030])
    assert stretch.ids and all(t.tier == "stretch" for t in stretch)
    assert {t.kind for t in cat.filter(kind=["order"])} == {"order"}
    forest = cat.filter(indicator="forest_coverage")
    assert [t.year for t in forest] == [2025, 2030]
    assert len(cat.filter()) == len(cat)
    assert isinstance(cat.filter(year=1999), Catalogue) and len(cat.filter(year=1999)) == 0
    nested = cat.filter(kind="tracked").filter(year=2030)
    assert all(t.kind == "tracked" and t.year == 2030 for t in nested)


def test_filter_rejects_unknown_choices_with_a_suggestion(cat):
    with pytest.raises(CatalogueError, match="Did you mean 'binding'"):
        cat.filter(tier="bindng")
    with pytest.raises(CatalogueError, match="Did you mean 'litong'"):
        cat.filter(region=["litng"])
    with pytest.raises(CatalogueError, match="unknown kind"):
        cat.filter(kind="simulation")


def test_ids_and_indicators(cat):
    assert cat.ids[0] == "main_2025_new_energy_capacity"
    assert len(cat.ids) == len(cat)
    assert cat.indicators[0] == "new_energy_capacity"
    assert len(cat.indicators) == len(set(cat.indicators))
    assert cat.regions == ALL_REGIONS
    assert cat.sources and cat.sources[0].name == "wuzhong-2023.toml"


def test_to_dataframe(cat):
    frame = cat.to_dataframe()
    assert list(frame.columns[:16]) == [
        "id",
        "region",
        "indicator",
        "year",
        "op",
        "value",
        "unit",
        "value_as_written",
        "unit_as_written",
        "basis",
        "base_year",
        "tier",
        "kind",
        "clause",
        "source_text",
        "note",
    ]
    assert list(frame.columns[16:]) == [
        "tolerance",
        "direction",
        "other_region",
        "other_indicator",
        "lag_years",
        "first_year",
        "last_year",
    ]
    assert len(frame) == len(cat)
    row = frame.set_index("id").loc["main_2025_energy_intensity"]
    assert row["value"] == -0.13 and row["base_year"] == 2020 and row["value_as_written"] == 13
    assert frame["year"].dtype.kind == "i"
    assert frame["base_year"].isna().sum() == sum(t.base_year is None for t in cat)
    assert (
        frame.loc[frame["id"] == "col8_2_innovation_platforms", "value_as_written"].item() == "5-8"
    )


def test_repr(cat):
    text = repr(cat)
    assert text.startswith(f"<Catalogue: {len(cat)} targets")
    assert "main_2025_new_energy_capacity" in text and "2300万千瓦" in text
    assert "more" in text
    assert repr(Catalogue([])) == "<Catalogue: 0 targets>"


def test_repr_html_groups_by_action(cat):
    page = cat._repr_html_()
    assert (
        page.count("<tr")
        == len(cat) + len({catalogue_module.clause_group(t.clause) for t in cat}) + 1
    )
    for heading in (
        "二、主要目标",
        "三(一) 能源绿色低碳转型行动",
        "三(十) 各地梯次有序达峰行动",
        "充电意见",
    ):
        assert heading in page
    assert "利通区" in page and "吴忠市" in page and "青铜峡市" in page
    assert "2300万千瓦" in page and "20.4%" in page
    assert "#1b5e20" in page and "#0d47a1" in page  # binding and stretch badges
    # 专栏 records sit in their action's group: 专栏2-3 after 三(二)'s header, before 三(三)'s
    assert page.index("三(二) 节能降碳") < page.index("col2_3_2023") < page.index("三(三) 工业")


def test_repr_html_escapes_text():
    evil = Target(
        id="x",
        region="<b>r</b>",
        indicator="i&j",
        year=2025,
        op=">=",
        value=0.5,
        unit="1",
        value_as_written=50,
        unit_as_written="%",
        basis="absolute",
        base_year=None,
        tier="binding",
        kind="tracked",
        clause="<script>",
        source_text="a'b\"c<d>",
        note="<i>n</i>",
    )
    page = Catalogue([evil])._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<b>r</b>" not in page and "&lt;b&gt;r&lt;/b&gt;" in page
    assert "i&amp;j" in page and "a&#x27;b&quot;c&lt;d&gt;" in page


def test_written_text_for_each_kind_of_record(cat):
    assert cat["main_2025_energy_intensity"].written == "-13% vs 2020"
    assert cat["main_2025_non_fossil_share"].written == "18%左右 (≥17%)"
    assert cat["col4_3_2030_low_carbon_villages"].written == "10个左右 (≥9)"
    assert cat["e1_2025_freight_co2_intensity"].written == "-4%左右 vs 2020 (≤-3%)"
    assert cat["a4_2030_oil_consumption_stable"].written == "+0% vs 2025 (≤+5%)"
    assert cat["c3_2025_no_new_coke_capacity"].written == "+0% vs 2023, every year from 2023"
    assert cat["main_2030_co2_peak"].written == "peak by 2030"
    assert cat["main_2035_co2_decline"].written == "non-increasing 2031–2035"
    assert cat["j1_litong_co2_peak_before_city"].written == "peak before wuzhong"
    assert cat["j1_qingtongxia_coal_peak_before_city"].written == "peak before wuzhong co2"
    assert cat["j1_yanchi_co2_peak_with_city"].written == "peak within 1 yr of wuzhong"
    assert cat["b3_2025_online_monitoring_coverage"].written == "100%"
    assert cat["main_2035_fossil_energy_no_growth"].written == "+0% vs 2030, every year 2031–2035"


def test_folder_of_catalogues(tmp_path):
    (tmp_path / "a.toml").write_bytes(BUNDLED.read_bytes())
    extra = tmp_path / "b.toml"
    extra.write_text(
        """
[[target]]
id = "extra_2030_forest_coverage"
region = "litong"
indicator = "forest_coverage"
year = 2030
op = ">="
value = 0.1
unit = "1"
value_as_written = 10
unit_as_written = "%"
basis = "absolute"
tier = "binding"
kind = "tracked"
clause = "三(七)2"
source_text = "到2030年,森林覆盖率达到21%"
""",
        encoding="utf-8",
    )
    both = load_targets(tmp_path)
    assert len(both) == len(load_targets()) + 1
    assert both["extra_2030_forest_coverage"].region == "litong"
    assert [s.name for s in both.sources] == ["a.toml", "b.toml"]


def test_docs_state_the_current_counts(cat):
    docs = (ROOT / "docs" / "targets.md").read_text(encoding="utf-8")
    assert f"**{len(cat)} records**" in docs
    for kind in ("simulated", "tracked", "order"):
        sub = cat.filter(kind=kind)
        counts = [
            len(sub.filter(tier=tier)) for tier in ("binding", "stretch", "approx", "qualitative")
        ]
        row = f"| {kind} | " + " | ".join(str(n) for n in counts) + f" | {len(sub)} |"
        assert row in docs, row


def test_top_level_export():
    import carbonsim

    assert carbonsim.load_targets is load_targets


def test_a_catalogue_is_parsed_once_per_content_and_again_when_edited(tmp_path):
    bundled = Path(catalogue_module.__file__).parent.parent / "data/targets/wuzhong-2023.toml"
    path = tmp_path / "targets.toml"
    text = bundled.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    first = load_targets(path)
    assert load_targets(path) is first  # the same bytes: not parsed again
    assert first["main_2025_energy_intensity"].value == -0.13
    edited_text = text.replace(
        'value = -0.13\nunit = "1"\nvalue_as_written = 13',
        'value = -0.15\nunit = "1"\nvalue_as_written = 15',
        1,
    )
    assert edited_text != text
    path.write_text(edited_text, encoding="utf-8")
    edited = load_targets(path)
    assert edited is not first
    assert edited["main_2025_energy_intensity"].value == -0.15
