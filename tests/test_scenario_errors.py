"""Wording of scenario errors: each names the file, the TOML key path and what was expected."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from carbonsim.errors import ScenarioError
from carbonsim.inputs.scenario import Scenario, load_scenario

FIXTURES = Path(__file__).parent / "data" / "scenarios"

HEADER = 'id = "bad"\n'


def write(tmp_path: Path, body: str, name: str = "bad.toml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


def error_of(path: Path, **kwargs) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, **kwargs)
    return str(info.value)


def assert_names(message: str, *fragments: str) -> None:
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


# (TOML body after the id line, key path, what was expected, other fragments)
LEVER_CASES = {
    "unknown lever": (
        "[levers]\nsolar_capacty = 1\n",
        "levers.solar_capacty",
        "a lever of the lever table",
        ["Did you mean 'solar_capacity'?"],
    ),
    "unknown county": (
        '[levers]\nsolar_capacity = { yanchii = { 2025 = "5 GW" } }\n',
        "levers.solar_capacity.yanchii",
        "one of litong, hongsibu, qingtongxia, yanchi, tongxin or 'default'",
        ["unknown county 'yanchii'", "Did you mean 'yanchi'?"],
    ),
    "key that is not a year": (
        '[levers]\nstorage_ratio = { "20x5" = 0.1 }\n',
        "levers.storage_ratio.20x5",
        "milestone years 2020–2060",
        ["not a year", "no region axis"],
    ),
    "year outside the horizon": (
        "[levers]\nstorage_ratio = { 2070 = 0.1 }\n",
        "levers.storage_ratio.2070",
        "a year 2020–2060",
        ["outside the horizon"],
    ),
    "county milestone before 2020": (
        "[levers]\nsolar_capacity = { yanchi = { 2019 = 1.0 } }\n",
        "levers.solar_capacity.yanchi.2019",
        "a year 2020–2060",
        [],
    ),
    "county key beside year keys": (
        "[levers]\ngdp_growth = { yanchi = 0.07, 2025 = 0.05 }\n",
        "levers.gdp_growth.2025",
        "under 'default'",
        ["a year key beside county keys"],
    ),
    "wrong unit": (
        '[levers]\nsolar_capacity = { yanchi = { 2025 = "5 万吨" } }\n',
        "levers.solar_capacity.yanchi.2025",
        "a quantity in 'GW' or another unit of power",
        ["'5 万吨'", "mass"],
    ),
    "unknown unit": (
        '[levers]\nwind_capacity = "5 gigawatts"\n',
        "levers.wind_capacity",
        "a quantity in 'GW'",
        ["unknown unit 'gigawatts'"],
    ),
    "not a quantity": (
        '[levers]\nwind_capacity = "a lot"\n',
        "levers.wind_capacity",
        "a number and a unit",
        [],
    ),
    "share above 100 %": (
        '[levers]\nstorage_ratio = { 2025 = "130 %" }\n',
        "levers.storage_ratio.2025",
        "a value in [0, 1] 1",
        ["share above 100 %", "'130 %'"],
    ),
    "share written as a percentage number": (
        "[levers]\nstorage_ratio = 13\n",
        "levers.storage_ratio",
        "write shares as fractions, 0.13, or with a unit, '13 %'",
        ["share above 100 %"],
    ),
    "below the lever's lower bound": (
        "[levers]\ncoal_supply_rate = 150\n",
        "levers.coal_supply_rate",
        "a value in [200, 450] gce/kWh",
        ["outside the bounds"],
    ),
    "negative capacity": (
        '[levers]\nsolar_capacity = { tongxin = { 2030 = "-1 GW" } }\n',
        "levers.solar_capacity.tongxin.2030",
        "a value in [0, 200] GW",
        [],
    ),
    "boolean": (
        "[levers]\ncoal_supply_rate = true\n",
        "levers.coal_supply_rate",
        "a number, a quantity with a unit",
        [],
    ),
    "list": (
        "[levers]\ncoal_supply_rate = [300, 290]\n",
        "levers.coal_supply_rate",
        "milestones {2025 = …, 2030 = …}",
        [],
    ),
    "levers not a table": (
        "levers = 3\n",
        "levers",
        "a table [levers]",
        [],
    ),
    "unknown distribution": (
        '[levers.wind_hours]\n2025 = { dist = "gauss", mean = 1800, sd = 150 }\n',
        "levers.wind_hours.2025.dist",
        "one of uniform, triangular, normal, lognormal, choice",
        ["unknown distribution 'gauss'"],
    ),
    "distribution missing a parameter": (
        '[levers.wind_hours]\n2025 = { dist = "normal", mean = 1800, low = 1400, high = 2200 }\n',
        "levers.wind_hours.2025.sd",
        "mean, sd",
        ["missing parameter 'sd'"],
    ),
    "distribution with an unknown parameter": (
        '[levers]\nstorage_ratio = { dist = "uniform", low = 0.1, hi = 0.2 }\n',
        "levers.storage_ratio.hi",
        "parameters low, high",
        ["Did you mean 'high'?"],
    ),
    "distribution without dist": (
        "[levers]\nstorage_ratio = { 2025 = { low = 0.1, high = 0.2 } }\n",
        "levers.storage_ratio.2025.dist",
        "dist = one of uniform",
        ["without 'dist'"],
    ),
    "distribution with low above high": (
        '[levers]\nstorage_ratio = { dist = "uniform", low = 0.3, high = 0.2 }\n',
        "levers.storage_ratio.high",
        "low < high",
        [],
    ),
    "uniform reaching above 100 %": (
        '[levers]\nstorage_ratio = { dist = "uniform", low = 0.5, high = "120 %" }\n',
        "levers.storage_ratio.high",
        "a value in [0, 1] 1",
        ["share above 100 %"],
    ),
    "triangular below the lower bound": (
        '[levers]\ncoal_supply_rate = { dist = "triangular", low = 150, mode = 300, high = 320 }\n',
        "levers.coal_supply_rate.low",
        "a value in [200, 450] gce/kWh",
        [],
    ),
    "normal without high on a bounded lever": (
        '[levers.wind_hours]\n2025 = { dist = "normal", mean = 1800, sd = 150, low = 1400 }\n',
        "levers.wind_hours.2025.high",
        "'high' <= 8760 h",
        ["without 'high'"],
    ),
    "normal without low on a bounded lever": (
        '[levers]\nstorage_ratio = { dist = "normal", mean = 0.1, sd = 0.02, high = 0.3 }\n',
        "levers.storage_ratio.low",
        "'low' >= 0 1",
        ["without 'low' reaches -inf"],
    ),
    "lognormal on a lever bounded away from zero": (
        '[levers]\ncoal_supply_rate = { dist = "lognormal", median = 300, sigma = 0.05 }\n',
        "levers.coal_supply_rate.low",
        "'low' >= 200 gce/kWh",
        [],
    ),
    "lognormal with negative low": (
        "[levers]\n"
        'uhvdc_export = { dist = "lognormal", median = 30, sigma = 0.2, low = -1, high = 90 }\n',
        "levers.uhvdc_export.low",
        "low >= 0 (a lognormal is positive)",
        [],
    ),
    "lognormal mean with a unit": (
        '[levers]\nuhvdc_export = { dist = "lognormal", mean = "3 TWh", sigma = 0.2, high = 90 }\n',
        "levers.uhvdc_export.mean",
        "a plain number for 'mean'",
        ["give 'median' to use a unit"],
    ),
    "lognormal with mean and median": (
        "[levers]\n"
        'uhvdc_export = { dist = "lognormal", mean = 3, median = 20, sigma = 0.2, high = 90 }\n',
        "levers.uhvdc_export.median",
        "exactly one of 'mean'",
        [],
    ),
    "choice value out of bounds": (
        '[levers]\nstorage_ratio = { dist = "choice", values = [0.1, "150 %"] }\n',
        "levers.storage_ratio.values",
        "a value in [0, 1] 1",
        ["share above 100 %"],
    ),
    "choice weights of the wrong length": (
        '[levers]\nstorage_ratio = { dist = "choice", values = [0.1, 0.2], weights = [1] }\n',
        "levers.storage_ratio.weights",
        "one weight per value",
        [],
    ),
    "distribution parameter in a wrong unit": (
        '[levers]\nsolar_capacity = { dist = "uniform", low = "20 GW", high = "5 TWh" }\n',
        "levers.solar_capacity.high",
        "a quantity in 'GW'",
        [],
    ),
}


@pytest.mark.parametrize(
    ("body", "key", "expected", "more"), LEVER_CASES.values(), ids=LEVER_CASES.keys()
)
def test_lever_errors_name_file_key_and_expectation(tmp_path, body, key, expected, more):
    path = write(tmp_path, HEADER + body)
    message = error_of(path)
    assert_names(message, str(path), f": {key}: ", "; expected ", expected, *more)
    assert message.index(str(path)) < message.index(key) < message.index(expected)


def test_unknown_top_level_key(tmp_path):
    path = write(tmp_path, HEADER + 'nmae_zh = "情景"\n')
    message = error_of(path)
    assert_names(message, str(path), ": nmae_zh: ", "expected one of id, name_zh", "name_zh")


def test_lever_outside_levers_table(tmp_path):
    path = write(tmp_path, HEADER + "coal_supply_rate = 300\n")
    message = error_of(path)
    assert_names(message, str(path), ": coal_supply_rate: ", "belongs under [levers]")


def test_missing_id(tmp_path):
    path = write(tmp_path, "[levers]\ncoal_supply_rate = 300\n")
    message = error_of(path)
    assert_names(message, str(path), ": id: ", "missing 'id'", 'expected id = "')


@pytest.mark.parametrize("value", ["3", '"two words"', '"a#1"', '""'])
def test_bad_id(tmp_path, value):
    path = write(tmp_path, f"id = {value}\n")
    assert_names(error_of(path), str(path), ": id: ", "expected a non-empty string")


def test_wrong_type_of_name(tmp_path):
    path = write(tmp_path, HEADER + "name_zh = 3\n")
    assert_names(error_of(path), str(path), ": name_zh: ", "expected a string")


def test_invalid_toml_names_file_and_line(tmp_path):
    path = write(tmp_path, HEADER + "[levers\ncoal_supply_rate = 300\n")
    message = error_of(path)
    assert_names(message, str(path), "not valid TOML", "line 2", "expected TOML 1.0")


def test_missing_file_and_bad_encoding(tmp_path):
    missing = tmp_path / "nope.toml"
    assert_names(error_of(missing), str(missing), "not found")
    latin = tmp_path / "latin.toml"
    latin.write_bytes('id = "x"\nname_zh = "é"\n'.encode("latin-1"))
    assert_names(error_of(latin), str(latin), "not UTF-8 text", "save it as UTF-8")


def test_extends_cycle(tmp_path):
    message = error_of(FIXTURES / "cycle_a.toml")
    assert_names(
        message,
        str(FIXTURES / "cycle_b.toml"),
        ": extends: ",
        "extends cycle cycle_a.toml → cycle_b.toml → cycle_a.toml",
        "expected a chain of extends",
    )
    self_ref = write(tmp_path, HEADER + 'extends = "bad.toml"\n')
    assert_names(error_of(self_ref), "extends cycle bad.toml → bad.toml")


def test_extends_outside_the_folder(tmp_path):
    path = FIXTURES / "sub" / "outside.toml"
    message = error_of(path)
    assert_names(
        message,
        str(path),
        ": extends: ",
        "outside the scenarios folder",
        "expected a file inside that folder (or load_scenario(..., allow_outside=True))",
    )


def test_extends_missing_file(tmp_path):
    path = write(tmp_path, HEADER + 'extends = "nowhere.toml"\n')
    message = error_of(path)
    assert_names(message, str(path), ": extends: ", "not found", "expected a path relative")


def test_extends_not_a_string(tmp_path):
    path = write(tmp_path, HEADER + "extends = 3\n")
    assert_names(error_of(path), str(path), ": extends: ", "expected a string")


def test_error_in_a_parent_names_the_parent_file(tmp_path):
    parent = write(tmp_path, 'id = "parent"\n[levers]\nstorage_ratio = 2\n', "parent.toml")
    child = write(tmp_path, 'id = "child"\nextends = "parent.toml"\n', "child.toml")
    message = error_of(child)
    assert_names(message, str(parent), ": levers.storage_ratio: ", "share above 100 %")


def test_python_values_are_validated_like_files():
    with pytest.raises(ScenarioError) as info:
        Scenario(id="py", levers={"solar_capacity": {"yanchi": {2025: "5 万吨"}}})
    assert_names(str(info.value), "<Scenario 'py'>", "levers.solar_capacity.yanchi.2025", "'GW'")
    with pytest.raises(ScenarioError, match="expected a number"):
        Scenario(id="py", levers={"storage_ratio": np.array([0.1, 0.2])})


def test_replace_errors_name_the_call_key_and_expectation():
    s = Scenario(id="plan", levers={})
    with pytest.raises(ScenarioError) as info:
        s.replace(solar_capacity={"yanchi": {2025: {"dist": "uniform", "low": 1}}})
    assert_names(
        str(info.value),
        "<plan.replace()>",
        "levers.solar_capacity.yanchi.2025.high",
        "expected low, high",
    )


def test_to_levers_argument_errors():
    s = Scenario(id="s", levers={"storage_ratio": {"dist": "uniform", "low": 0.1, "high": 0.2}})
    with pytest.raises(ScenarioError, match=r"expected \(2, 1\)"):
        s.to_levers(n=2, unit_sample=np.zeros((3, 1)))
    with pytest.raises(ScenarioError, match="at least 1"):
        s.to_levers(n=0)
