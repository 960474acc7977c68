"""Wording of catalogue validation errors: each names the file, the record and the key."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from carbonsim.catalogue import load_targets, tracked_indicators
from carbonsim.errors import CatalogueError

VALID = {
    "id": "t_2025_new_energy_capacity",
    "region": "wuzhong",
    "indicator": "new_energy_capacity",
    "year": 2025,
    "op": ">=",
    "value": 23.0,
    "unit": "GW",
    "value_as_written": 2300,
    "unit_as_written": "万千瓦",
    "basis": "absolute",
    "tier": "binding",
    "kind": "simulated",
    "clause": "二(1)",
    "source_text": "到2025年,全市新能源发电装机容量达到2300万千瓦以上",
}
RELATIVE = {
    **VALID,
    "id": "t_2025_energy_intensity",
    "indicator": "energy_intensity",
    "op": "<=",
    "value": -0.13,
    "unit": "1",
    "value_as_written": 13,
    "unit_as_written": "%",
    "basis": "relative_change",
    "base_year": 2020,
}
ORDER = {
    "id": "t_litong_peak_before_city",
    "region": "litong",
    "indicator": "co2",
    "year": 2030,
    "op": "peak_before",
    "unit": "1e4 t CO2",
    "basis": "absolute",
    "tier": "stretch",
    "kind": "order",
    "clause": "三(十)1",
    "source_text": "力争率先实现碳达峰",
    "note": "peak year before the city's",
    "other_region": "wuzhong",
}


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def write(tmp_path: Path, *records: dict, name: str = "cat.toml", header: str = "") -> Path:
    parts = [header]
    for record in records:
        parts.append("[[target]]")
        parts.extend(f"{key} = {toml_value(value)}" for key, value in record.items())
        parts.append("")
    path = tmp_path / name
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def error_for(tmp_path: Path, *records: dict, **kwargs) -> str:
    path = write(tmp_path, *records, **kwargs)
    with pytest.raises(CatalogueError) as info:
        load_targets(path)
    message = str(info.value)
    assert str(path) in message, "the message must name the file"
    return message


def names(message: str, key: str, record: str) -> bool:
    return f"key {key!r}" in message and record in message


def changed(base: dict, drop: tuple[str, ...] = (), **changes) -> dict:
    record = {k: v for k, v in base.items() if k not in drop}
    record.update(changes)
    return record


# ---------------------------------------------------------------------------------------------


def test_valid_records_load(tmp_path):
    cat = load_targets(write(tmp_path, VALID, RELATIVE, ORDER))
    assert cat.ids == (VALID["id"], RELATIVE["id"], ORDER["id"])
    assert cat[ORDER["id"]].other_indicator == "co2"  # defaults to the same indicator


def test_error_is_a_value_error(tmp_path):
    path = write(tmp_path, changed(VALID, op="gte"))
    with pytest.raises(ValueError):
        load_targets(path)


def test_unknown_key_suggests_the_closest(tmp_path):
    message = error_for(tmp_path, changed(VALID, drop=("value",), valeu=23.0))
    assert names(message, "valeu", "'t_2025_new_energy_capacity'")
    assert "Did you mean 'value'?" in message


@pytest.mark.parametrize("key", ["unit", "year", "source_text", "tier"])
def test_missing_key(tmp_path, key):
    message = error_for(tmp_path, changed(VALID, drop=(key,)))
    assert names(message, key, "'t_2025_new_energy_capacity'")
    assert "missing" in message


def test_missing_id_names_the_record_index(tmp_path):
    message = error_for(tmp_path, VALID, changed(RELATIVE, drop=("id",)))
    assert names(message, "id", "record #2 (no id)")


def test_bad_id(tmp_path):
    message = error_for(tmp_path, changed(VALID, id="Main 2025"))
    assert names(message, "id", "'Main 2025'") and "snake_case" in message


def test_unknown_operator(tmp_path):
    message = error_for(tmp_path, changed(ORDER, op="peak_befor"))
    assert names(message, "op", "'t_litong_peak_before_city'")
    assert "unknown operator 'peak_befor'" in message and "Did you mean 'peak_before'?" in message


def test_unknown_region(tmp_path):
    message = error_for(tmp_path, changed(VALID, region="litng"))
    assert names(message, "region", "'t_2025_new_energy_capacity'")
    assert "Did you mean 'litong'?" in message and "wuzhong" in message


def test_unknown_other_region(tmp_path):
    message = error_for(tmp_path, changed(ORDER, other_region="wuzong"))
    assert names(message, "other_region", "'t_litong_peak_before_city'")
    assert "Did you mean 'wuzhong'?" in message


def test_another_city_declares_its_regions(tmp_path):
    header = 'regions = ["shizuishan", "dawukou", "huinong"]\n'
    record = changed(VALID, region="dawukou")
    cat = load_targets(write(tmp_path, record, header=header))
    assert cat[VALID["id"]].region == "dawukou" and cat.regions[0] == "shizuishan"
    message = error_for(tmp_path, changed(VALID, region="huinog"), header=header, name="b.toml")
    assert names(message, "region", "'t_2025_new_energy_capacity'")
    assert "Did you mean 'huinong'?" in message and "litong" not in message


def test_bad_regions_declaration(tmp_path):
    message = error_for(tmp_path, VALID, header='regions = "wuzhong"\n')
    assert "key 'regions'" in message and "list" in message


@pytest.mark.parametrize("year", [2070, 2019, "2025", 2025.0])
def test_year_outside_range_or_not_an_integer(tmp_path, year):
    message = error_for(tmp_path, changed(VALID, year=year))
    assert names(message, "year", "'t_2025_new_energy_capacity'") and "2020–2060" in message


def test_share_above_one(tmp_path):
    record = changed(
        VALID,
        indicator="non_fossil_share",
        value=30.0,
        unit="1",
        value_as_written=30,
        unit_as_written="%",
    )
    message = error_for(tmp_path, record)
    assert names(message, "value", "'t_2025_new_energy_capacity'")
    assert "0–1" in message and "3000 %" in message


def test_relative_change_below_minus_one(tmp_path):
    message = error_for(tmp_path, changed(RELATIVE, value=-13.0))
    assert names(message, "value", "'t_2025_energy_intensity'") and "below -1" in message


def test_duplicate_id(tmp_path):
    message = error_for(tmp_path, VALID, RELATIVE, changed(VALID, year=2030))
    assert names(message, "id", "'t_2025_new_energy_capacity' (record #3)")
    assert "duplicate" in message and "record #1" in message


def test_duplicate_id_across_files_of_a_folder(tmp_path):
    write(tmp_path, VALID, name="a.toml")
    second = write(tmp_path, changed(VALID, year=2030), name="b.toml")
    with pytest.raises(CatalogueError) as info:
        load_targets(tmp_path)
    message = str(info.value)
    assert str(second) in message and "a.toml" in message and "duplicate" in message


def test_approx_without_tolerance(tmp_path):
    record = changed(
        VALID,
        indicator="non_fossil_share",
        op="approx",
        tier="approx",
        value=0.18,
        unit="1",
        value_as_written=18,
        unit_as_written="%",
    )
    message = error_for(tmp_path, record)
    assert names(message, "tolerance", "'t_2025_new_energy_capacity'") and "左右" in message
    assert load_targets(write(tmp_path, {**record, "tolerance": 0.01}, name="ok.toml"))


def test_tier_approx_needs_op_approx(tmp_path):
    message = error_for(tmp_path, changed(VALID, tier="approx", tolerance=1.0))
    assert names(message, "op", "'t_2025_new_energy_capacity'")


def test_bad_tolerance(tmp_path):
    message = error_for(tmp_path, changed(VALID, op="approx", tolerance=-1.0))
    assert names(message, "tolerance", "'t_2025_new_energy_capacity'") and "positive" in message


def test_relative_change_without_base_year(tmp_path):
    message = error_for(tmp_path, changed(RELATIVE, drop=("base_year",)))
    assert names(message, "base_year", "'t_2025_energy_intensity'") and "2020" in message


def test_base_year_after_year(tmp_path):
    message = error_for(tmp_path, changed(RELATIVE, base_year=2025))
    assert names(message, "base_year", "'t_2025_energy_intensity'") and "before" in message


def test_base_year_on_absolute_target(tmp_path):
    message = error_for(tmp_path, changed(VALID, base_year=2020))
    assert names(message, "base_year", "'t_2025_new_energy_capacity'")
    assert "only for basis = 'relative_change'" in message


def test_unknown_unit(tmp_path):
    message = error_for(tmp_path, changed(VALID, unit="GWW"))
    assert names(message, "unit", "'t_2025_new_energy_capacity'")
    assert "unknown to carbonsim.units" in message and "Did you mean 'GW" in message


def test_unknown_unit_as_written(tmp_path):
    message = error_for(tmp_path, changed(VALID, unit_as_written="万千互"))
    assert names(message, "unit_as_written", "'t_2025_new_energy_capacity'")
    assert "Did you mean '万千瓦" in message


def test_unit_as_written_of_another_dimension(tmp_path):
    message = error_for(tmp_path, changed(VALID, unit_as_written="万千瓦时"))
    assert names(message, "unit_as_written", "'t_2025_new_energy_capacity'")
    assert "cannot convert" in message


def test_value_as_written_does_not_convert_to_value(tmp_path):
    message = error_for(tmp_path, changed(VALID, value=2.3))
    assert names(message, "unit_as_written", "'t_2025_new_energy_capacity'")
    assert "expected value = 23 GW" in message


def test_relative_value_with_the_wrong_magnitude(tmp_path):
    message = error_for(tmp_path, changed(RELATIVE, value=-0.013))
    assert names(message, "unit_as_written", "'t_2025_energy_intensity'")
    assert "expected value = -0.13 1" in message


def test_value_as_written_without_unit(tmp_path):
    message = error_for(tmp_path, changed(VALID, drop=("unit_as_written",)))
    assert names(message, "unit_as_written", "'t_2025_new_energy_capacity'")


def test_no_number_printed_needs_a_note(tmp_path):
    record = changed(VALID, drop=("value_as_written", "unit_as_written"))
    message = error_for(tmp_path, record)
    assert names(message, "note", "'t_2025_new_energy_capacity'")
    assert load_targets(write(tmp_path, {**record, "note": "全覆盖 read as 100 %"}, name="ok.toml"))


def test_range_as_written(tmp_path):
    record = changed(
        VALID,
        indicator="green_factories",
        kind="tracked",
        value=5.0,
        unit="count",
        value_as_written="5-8",
        unit_as_written="个",
    )
    message = error_for(tmp_path, record)
    assert names(message, "note", "'t_2025_new_energy_capacity'") and "'5-8'" in message
    ok = load_targets(write(tmp_path, {**record, "note": "lower end"}, name="ok.toml"))
    assert ok[VALID["id"]].value_as_written == "5-8"
    message = error_for(
        tmp_path, {**record, "value_as_written": "five", "note": "x"}, name="c.toml"
    )
    assert names(message, "value_as_written", "'t_2025_new_energy_capacity'")


def test_model_unit_of_a_simulated_indicator(tmp_path):
    record = changed(VALID, value=23000.0, unit="MW")
    message = error_for(tmp_path, record)
    assert names(message, "unit", "'t_2025_new_energy_capacity'") and "expected 'GW'" in message


def test_model_unit_of_a_tracked_indicator(tmp_path):
    record = changed(
        VALID,
        indicator="forest_stock",
        kind="tracked",
        value=1.1e6,
        unit="m3",
        value_as_written=110,
        unit_as_written="万立方米",
    )
    message = error_for(tmp_path, record)
    assert names(message, "unit", "'t_2025_new_energy_capacity'") and "expected '1e4 m3'" in message
    assert tracked_indicators()["forest_stock"]["unit"] == "1e4 m3"


def test_unknown_simulated_indicator(tmp_path):
    message = error_for(tmp_path, changed(VALID, indicator="new_energy_capacty"))
    assert names(message, "indicator", "'t_2025_new_energy_capacity'")
    assert "Did you mean 'new_energy_capacity'?" in message


@pytest.mark.parametrize(
    ("key", "bad", "suggestion"),
    [("tier", "bindng", "binding"), ("kind", "simulted", "simulated"), ("basis", "relative", None)],
)
def test_unknown_choice(tmp_path, key, bad, suggestion):
    message = error_for(tmp_path, changed(VALID, **{key: bad}))
    assert names(message, key, "'t_2025_new_energy_capacity'") and f"{bad!r}" in message
    if suggestion:
        assert f"Did you mean {suggestion!r}?" in message


def test_kind_order_goes_with_order_operators(tmp_path):
    message = error_for(tmp_path, changed(VALID, kind="order"))
    assert names(message, "kind", "'t_2025_new_energy_capacity'")
    message = error_for(tmp_path, changed(ORDER, kind="simulated"), name="b.toml")
    assert names(message, "kind", "'t_litong_peak_before_city'")


@pytest.mark.parametrize("op", ["peak_before", "peak_with"])
def test_order_operator_without_other_region(tmp_path, op):
    message = error_for(tmp_path, changed(ORDER, drop=("other_region",), op=op))
    assert names(message, "other_region", "'t_litong_peak_before_city'")
    assert "another region" in message


def test_order_operator_takes_no_value(tmp_path):
    message = error_for(tmp_path, changed(ORDER, value=1.0))
    assert names(message, "value", "'t_litong_peak_before_city'")


def test_order_key_on_a_comparison(tmp_path):
    message = error_for(tmp_path, changed(VALID, other_region="wuzhong"))
    assert names(message, "other_region", "'t_2025_new_energy_capacity'") and "not used" in message


def test_bad_lag_years(tmp_path):
    message = error_for(tmp_path, changed(ORDER, op="peak_with", lag_years=-1))
    assert names(message, "lag_years", "'t_litong_peak_before_city'")


def test_nonincreasing_needs_a_window(tmp_path):
    record = changed(
        ORDER,
        drop=("other_region",),
        region="wuzhong",
        op="nonincreasing",
        tier="qualitative",
        year=2035,
    )
    message = error_for(tmp_path, record)
    assert names(message, "first_year", "'t_litong_peak_before_city'")
    message = error_for(tmp_path, {**record, "first_year": 2031, "last_year": 2034}, name="b.toml")
    assert names(message, "last_year", "'t_litong_peak_before_city'") and "equal year" in message
    cat = load_targets(write(tmp_path, {**record, "first_year": 2031}, name="ok.toml"))
    assert cat[ORDER["id"]].last_year == 2035


def test_qualitative_needs_a_note(tmp_path):
    message = error_for(tmp_path, changed(VALID, tier="qualitative"))
    assert names(message, "note", "'t_2025_new_energy_capacity'")


def test_wrong_types(tmp_path):
    message = error_for(tmp_path, changed(VALID, value="23"))
    assert names(message, "value", "'t_2025_new_energy_capacity'") and "number" in message
    message = error_for(tmp_path, changed(VALID, source_text=""), name="b.toml")
    assert names(message, "source_text", "'t_2025_new_energy_capacity'")


def test_invalid_toml(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[[target]]\nid = \n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=re.escape(str(path)) + ": not valid TOML"):
        load_targets(path)


def test_unknown_top_level_key(tmp_path):
    message = error_for(tmp_path, VALID, header='region = ["wuzhong"]\n')
    assert "top level, key 'region'" in message and "Did you mean 'regions'?" in message


def test_file_without_targets(tmp_path):
    path = tmp_path / "empty.toml"
    path.write_text('title = "nothing"\n', encoding="utf-8")
    with pytest.raises(CatalogueError, match="key 'target'"):
        load_targets(path)


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(CatalogueError, match="no such catalogue file"):
        load_targets(tmp_path / "nope.toml")
    with pytest.raises(CatalogueError, match=r"no \.toml catalogue files"):
        load_targets(tmp_path)


def test_tracked_definitions_errors(tmp_path):
    path = tmp_path / "tracked.toml"
    path.write_text(
        '[[indicator]]\nname = "x"\nunit = "furlongs"\nlong_name = "X"\nlong_name_zh = "X"\n'
        'description = "d"\ndims = "year"\nsource_2020 = "s"\n',
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError, match=r"indicator 'x' \(#1\), key 'unit'"):
        tracked_indicators(path)
    path.write_text('[[indicator]]\nname = "x"\nunits = "1"\n', encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"key 'units': unknown key\. Did you mean 'unit'"):
        tracked_indicators(path)


def test_order_tolerance_is_a_fraction(tmp_path):
    message = error_for(tmp_path, changed(ORDER, tolerance=15.0))
    assert names(message, "tolerance", "'t_litong_peak_before_city'") and "fraction" in message
    cat = load_targets(write(tmp_path, changed(ORDER, tolerance=0.02), name="ok.toml"))
    assert cat[ORDER["id"]].tolerance == 0.02
