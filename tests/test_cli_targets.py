"""``carbonsim targets``, run in-process."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata

import pytest

from carbonsim.catalogue import load_targets
from carbonsim.cli import main

CSV_COLUMNS = [
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


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(["targets", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def column_starts(line: str) -> list[int]:
    """Display offsets of the cells of a table line (cells are separated by 2+ spaces)."""
    return [display_width(line[: m.start()]) for m in re.finditer(r"(?:^|(?<=\s{2}))\S", line)]


def test_table_is_aligned(capsys):
    status, out, _ = run(capsys)
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["id", "region", "year", "op", "target", "tier", "clause"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[-1] == f"({len(load_targets())} targets)"
    row = next(line for line in lines if line.startswith("main_2025_new_energy_capacity "))
    assert "2300万千瓦" in row and "binding" in row and "二(1)" in row
    # columns start at the same display offset on every line (wide characters count 2)
    starts = column_starts(lines[0])
    assert len(starts) == 7
    for line in lines[2:-1]:
        assert column_starts(line) == starts, line


def test_table_filters(capsys):
    status, out, _ = run(capsys, "--region", "litong", "--region", "tongxin")
    assert status == 0
    rows = out.splitlines()[2:-1]
    assert len(rows) == 2 and all(" peak_before " in row for row in rows)
    status, out, _ = run(capsys, "--year", "2035", "--tier", "binding")
    rows = out.splitlines()[2:-1]
    assert rows and all(" 2035 " in row and " binding " in row for row in rows)


def test_no_match(capsys):
    status, out, _ = run(capsys, "--year", "2050")
    assert status == 0 and out == "no targets match\n"


def test_csv_has_the_documented_columns(capsys):
    status, out, _ = run(capsys, "--format", "csv")
    assert status == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == CSV_COLUMNS
    assert len(rows) == len(load_targets()) + 1
    assert all(len(row) == len(CSV_COLUMNS) for row in rows)
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["id"] == "main_2025_new_energy_capacity"
    assert (record["value"], record["unit"], record["value_as_written"]) == ("23.0", "GW", "2300")
    assert record["unit_as_written"] == "万千瓦" and record["base_year"] == ""
    by_id = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_id["main_2025_energy_intensity"]["base_year"] == "2020"
    assert by_id["main_2025_energy_intensity"]["value"] == "-0.13"


def test_csv_filtered_by_kind(capsys):
    status, out, _ = run(capsys, "--kind", "tracked", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert status == 0 and rows and {row["kind"] for row in rows} == {"tracked"}
    assert len(rows) == len(load_targets().filter(kind="tracked"))


def test_json(capsys):
    status, out, _ = run(capsys, "--format", "json", "--kind", "order")
    assert status == 0
    records = json.loads(out)
    assert isinstance(records, list) and {r["kind"] for r in records} == {"order"}
    yanchi = next(r for r in records if r["region"] == "yanchi")
    assert (yanchi["op"], yanchi["other_region"], yanchi["lag_years"]) == (
        "peak_with",
        "wuzhong",
        1,
    )
    assert yanchi["value"] is None
    assert "力争与全市同步实现碳达峰" in yanchi["source_text"]


def test_other_catalogue_file(capsys, tmp_path):
    path = tmp_path / "city.toml"
    path.write_text(
        'regions = ["city", "east"]\n\n[[target]]\nid = "c_2030_nfs"\nregion = "east"\n'
        'indicator = "non_fossil_share"\nyear = 2030\nop = ">="\nvalue = 0.25\nunit = "1"\n'
        'value_as_written = 25\nunit_as_written = "%"\nbasis = "absolute"\ntier = "binding"\n'
        'kind = "simulated"\nclause = "2(1)"\nsource_text = "非化石能源消费比重达到25%"\n',
        encoding="utf-8",
    )
    status, out, _ = run(capsys, "--file", str(path), "--format", "json")
    assert status == 0 and [r["id"] for r in json.loads(out)] == ["c_2030_nfs"]
    status, out, _ = run(capsys, "--file", str(path), "--region", "east")
    assert status == 0 and "c_2030_nfs" in out and "25%" in out


def test_errors_are_reported_without_traceback(capsys, tmp_path):
    status, out, err = run(capsys, "--region", "litng")
    assert status == 2 and out == ""
    assert err.startswith("carbonsim: error:") and "Did you mean 'litong'?" in err
    status, _, err = run(capsys, "--file", str(tmp_path / "missing.toml"))
    assert status == 2 and "no such catalogue file" in err


def test_argparse_rejects_unknown_choices(capsys):
    with pytest.raises(SystemExit) as info:
        main(["targets", "--tier", "bindng"])
    assert info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_help_has_examples(capsys):
    with pytest.raises(SystemExit) as info:
        main(["targets", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and "carbonsim targets --region wuzhong --year 2030" in out
    assert "--format" in out and "csv columns: id, region, indicator" in out
