"""Charts (carbonsim.plot) and `carbonsim plot`: what is drawn, fonts, layout, the CLI."""

import io
import subprocess
import sys
import warnings

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure

import carbonsim
import carbonsim.model
import carbonsim.plot as cplot
from carbonsim.catalogue import load_targets
from carbonsim.feasibility import check, peak_table
from carbonsim.plot._style import (
    FACTOR_COLOURS,
    FONT_FAMILY,
    FONT_PATH,
    STATUS_COLOURS,
    TECH_COLOURS,
)

YEARS = range(2020, 2041)


# ---------------------------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def three(baseline):
    """Three scenarios of one batch (ids bau, plan, stretch)."""
    levers = carbonsim.model.LeverSet(
        {
            "gdp_growth": np.array([0.06, 0.05, 0.04]),
            "solar_capacity": {"yanchi": {2030: np.array([4.0, 12.0, 20.0])}},
            "storage_ratio": {2025: 0.1},
        },
        n=3,
        scenario_ids=["bau", "plan", "stretch"],
    )
    return carbonsim.simulate(levers, baseline=baseline, years=YEARS)


@pytest.fixture(scope="module")
def result(three):
    return check(three)


@pytest.fixture(scope="module")
def batch(baseline):
    rng = np.random.default_rng(0)
    levers = carbonsim.model.LeverSet(
        {
            "gdp_growth": rng.uniform(0.02, 0.08, 200),
            "coal_capacity": {"qingtongxia": {2030: rng.uniform(0.0, 3.0, 200)}},
        },
        n=200,
    )
    return carbonsim.simulate(levers, baseline=baseline, years=YEARS)


def render(fig) -> bytes:
    """Draw to PNG with every warning an error (a missing glyph fails here)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=60)
    return buffer.getvalue()


def by_gid(ax, prefix: str) -> list:
    return [a for a in ax.get_children() if (a.get_gid() or "").startswith(prefix)]


def overlapping(labels, fig) -> list[tuple[str, str]]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in labels if t.get_text()]
    clashes = []
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            shrunk_a = box_a.expanded(0.98, 0.9)
            if shrunk_a.overlaps(box_b.expanded(0.98, 0.9)):
                clashes.append((a, b))
    return clashes


# ---------------------------------------------------------------------------------------------
# fonts and style
# ---------------------------------------------------------------------------------------------
def test_bundled_font_is_registered_and_licensed():
    names = {f.name for f in mpl.font_manager.fontManager.ttflist}
    assert FONT_FAMILY in names
    assert FONT_PATH.stat().st_size < 3_000_000
    licence = (FONT_PATH.parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL Open Font License" in licence and "Adobe" in licence


def test_font_has_every_chinese_character_the_package_writes(result):
    from matplotlib.ft2font import FT2Font

    from carbonsim.constants import REGION_NAMES_ZH
    from carbonsim.definitions.levers import lever_table
    from carbonsim.definitions.variables import variable_metadata

    charmap = FT2Font(str(FONT_PATH)).get_charmap()
    texts = list(REGION_NAMES_ZH.values())
    texts += [v["long_name_zh"] for v in variable_metadata().values()]
    texts += [t.written + (t.unit_as_written or "") + t.source_text for t in load_targets()]
    texts += [spec.name_zh for spec in lever_table().values()]
    texts += [path.read_text(encoding="utf-8") for path in FONT_PATH.parent.parent.glob("*.py")]
    missing = sorted(
        {c for text in texts for c in text if ord(c) > 0x2E7F} - set(map(chr, charmap))
    )
    assert missing == []


def test_chinese_renders_without_missing_glyphs_and_latin_font_would_warn():
    with cplot._style.style("zh"):
        fig = Figure()
        fig.add_subplot().set_title("吴忠市碳达峰 非化石能源消费比重 ≥ 25% 万千瓦")
    render(fig)  # would raise on "Glyph … missing"
    with mpl.rc_context({"font.family": ["DejaVu Sans"]}):
        fig = Figure()
        fig.add_subplot().set_title("吴忠市碳达峰")
    with pytest.warns(UserWarning, match=r"Glyph \d+ .*missing from font"):
        fig.savefig(io.BytesIO(), format="png")


def test_charts_leave_global_rcparams_alone(three):
    before = dict(mpl.rcParams)
    cplot.trajectory(three, "co2", targets=False)
    assert dict(mpl.rcParams) == before


def test_importing_carbonsim_and_its_cli_does_not_import_matplotlib():
    code = (
        "import sys, carbonsim, carbonsim.cli; carbonsim.cli.build_parser(); "
        "print('matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_bad_lang_is_rejected(three):
    with pytest.raises(ValueError, match="lang must be 'zh' or 'en'"):
        cplot.trajectory(three, "co2", lang="fr")


# ---------------------------------------------------------------------------------------------
# trajectory
# ---------------------------------------------------------------------------------------------
def test_trajectory_draws_each_scenario_and_every_city_target(three, result):
    fig = cplot.trajectory(three, "new_energy_capacity", check=result)
    render(fig)
    ax = fig.axes[0]
    lines = by_gid(ax, "series:")
    assert len(lines) == 3
    np.testing.assert_allclose(
        lines[1].get_ydata(), three.new_energy_capacity.sel(scenario="plan", region="wuzhong")
    )
    wanted = {
        t.id
        for t in load_targets().filter(indicator="new_energy_capacity", region="wuzhong")
        if t.year in YEARS
    }
    drawn = {a.get_gid().split(":")[1] for a in by_gid(ax, "target:")}
    assert drawn == wanted and len(wanted) >= 4
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("2300万千瓦" in t and "约束性" in t for t in legend)
    assert any("3000万千瓦" in t and "力争" in t for t in legend)
    assert ax.get_ylabel() == "新能源发电装机容量 (GW)"


def test_trajectory_status_colours_come_from_the_check(three, result):
    fig = cplot.trajectory(three, "new_energy_capacity", check=result)
    ax = fig.axes[0]
    for dot in by_gid(ax, "status:"):
        _, target, scenario, _, status = dot.get_gid().split(":")
        expected = str(result.dataset.status.sel(scenario=scenario, target=target).item())
        assert status == expected
        assert to_hex(dot.get_color()) == STATUS_COLOURS[expected]


def test_trajectory_relative_target_at_the_level_implied_by_the_base_year(three):
    t = load_targets()["main_2025_energy_intensity"]
    fig = cplot.trajectory(three, "energy_intensity", scenarios="plan", lang="en")
    ax = fig.axes[0]
    (bound,) = [a for a in by_gid(ax, f"target-bound:{t.id}")]
    base = float(three.energy_intensity.sel(scenario="plan", region="wuzhong", year=2020))
    np.testing.assert_allclose(bound.get_ydata(), [base * (1 + t.value)] * 2)
    x = float(three.energy_intensity.sel(scenario="plan", region="wuzhong", year=2025))
    status = "met" if x <= base * (1 + t.value) else "missed"
    (marker,) = by_gid(ax, f"target:{t.id}")
    assert to_hex(marker.get_color()) == STATUS_COLOURS[status]
    assert marker.get_marker() == "v"  # <= : the allowed side is down
    assert any("−13% vs 2020" in x.get_text() for x in ax.get_legend().get_texts())


def test_trajectory_approx_target_is_a_band(three):
    fig = cplot.trajectory(three, "non_fossil_share", scenarios=["plan"])
    ax = fig.axes[0]
    (band,) = by_gid(ax, "target-band:main_2025_non_fossil_share")
    assert band.get_height() == pytest.approx(0.02)  # 18 % ± 1 point
    assert band.get_y() == pytest.approx(0.17)
    assert ax.yaxis.get_major_formatter().__class__.__name__ == "PercentFormatter"


def test_trajectory_several_regions_use_region_colours(three):
    from carbonsim.plot._style import REGION_COLOURS

    fig = cplot.trajectory(three, "co2", regions=["wuzhong", "yanchi"], scenarios=["bau", "plan"])
    lines = by_gid(fig.axes[0], "series:")
    assert len(lines) == 4
    assert {to_hex(line.get_color()) for line in lines} == {
        REGION_COLOURS["wuzhong"],
        REGION_COLOURS["yanchi"],
    }
    render(fig)


def test_trajectory_into_given_axes_and_unknown_variable(three):
    fig = Figure()
    ax = fig.add_subplot()
    assert cplot.trajectory(three, "co2", ax=ax, targets=False) is fig
    with pytest.raises(KeyError, match="Did you mean 'co2'"):
        cplot.trajectory(three, "co3")


# ---------------------------------------------------------------------------------------------
# fan
# ---------------------------------------------------------------------------------------------
def test_quantile_summary_matches_numpy(batch):
    summary = cplot.quantile_summary(batch, ["co2", "non_fossil_share"])
    q = summary.quantiles_co2
    assert q.dims == ("quantile", "region", "year")
    assert list(q["quantile"].values) == [0.05, 0.25, 0.5, 0.75, 0.95]
    assert q.attrs["units"] == batch.co2.attrs["units"] and "long_name_zh" in q.attrs
    expected = np.quantile(batch.co2.sel(region="yanchi", year=2030).values, 0.25)
    assert float(q.sel(quantile=0.25, region="yanchi", year=2030)) == pytest.approx(expected)
    assert summary.attrs["n_scenarios"] == 200


def test_fan_draws_bands_median_and_targets(batch):
    summary = cplot.quantile_summary(batch, ["energy_intensity"])
    fig = cplot.fan(summary, "energy_intensity")
    render(fig)
    ax = fig.axes[0]
    assert len(ax.collections) >= 2  # the two bands
    median = next(line for line in ax.lines if line.get_label() == "中位数")
    np.testing.assert_allclose(
        median.get_ydata(), summary.quantiles_energy_intensity.sel(quantile=0.5, region="wuzhong")
    )
    assert by_gid(ax, "target:main_2025_energy_intensity")
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[:3] == ["中位数", "25–75% 区间", "5–95% 区间"]
    assert "n=200" in ax.get_title(loc="left")


def test_fan_needs_the_quantiles(batch):
    summary = cplot.quantile_summary(batch, ["co2"], quantiles=(0.1, 0.5, 0.9))
    with pytest.raises(ValueError, match="the fan needs"):
        cplot.fan(summary, "co2")


BAN = "c3_2025_no_new_coke_capacity"
#: hongsibu's coke output in 2030 [1e4 t] on 200 of capacity at 90 % at most: 7 of 10 need no
#: new oven (<= 180), 3 do; the median (172.5) meets the ban
COKE_2030 = np.array([150, 155, 160, 165, 170, 175, 180, 186, 195, 210.0])


@pytest.fixture(scope="module")
def coke_batch(baseline):
    levers = carbonsim.model.LeverSet(
        {
            "output_coke": {"hongsibu": {2023: 150.0, 2030: COKE_2030}},
            "gdp_growth": np.linspace(0.03, 0.07, 10),
        },
        n=10,
    )
    traj = carbonsim.simulate(levers, baseline=baseline, years=range(2020, 2036))
    return traj, check(traj)


def probability_marks(ax, target: str) -> tuple[str, str]:
    """(colour of the target's marker, its label) as drawn."""
    (marker,) = by_gid(ax, f"target:{target}")
    (label,) = by_gid(ax, f"probability-label:{target}")
    return to_hex(marker.get_color()), label.get_text()


def test_fan_colours_a_target_by_the_share_of_scenarios_meeting_it(coke_batch, tmp_path):
    traj, res = coke_batch
    share = res.summary().set_index("target").loc[BAN, "share_met"]
    assert share == pytest.approx(0.7)  # the known split
    summary = cplot.quantile_summary(traj, ["capacity_coke"])
    fig = cplot.fan(summary, "capacity_coke", probability=res)
    png = render(fig)
    (tmp_path / "fan.png").write_bytes(png)
    ax = fig.axes[0]
    # the median meets the ban, but 30 % of the scenarios do not: amber with the share, not 达成
    assert probability_marks(ax, BAN) == (STATUS_COLOURS["at_risk"], "70%")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "不确定(达成概率10–90%)" in legend and not any(x.startswith("达成") for x in legend)
    fig = cplot.fan(summary, "capacity_coke", probability=res, lang="en")
    render(fig)
    assert probability_marks(fig.axes[0], BAN) == (STATUS_COLOURS["at_risk"], "70 %")
    assert "uncertain (probability 10–90 %)" in [
        t.get_text() for t in fig.axes[0].get_legend().get_texts()
    ]


@pytest.mark.parametrize(
    ("share", "colour", "zh", "en"),
    [
        (0.95, "met", "达成 95%", "met 95 %"),
        (0.9, "met", "达成 90%", "met 90 %"),
        (0.5, "at_risk", "50%", "50 %"),
        (0.1, "at_risk", "10%", "10 %"),
        (0.04, "missed", "未达成 4%", "missed 4 %"),
    ],
)
def test_fan_probability_classes(coke_batch, share, colour, zh, en):
    traj, _ = coke_batch
    summary = cplot.quantile_summary(traj, ["capacity_coke"])
    summary["probability"] = ("target", [share])  # as a sweep's summary holds it
    summary = summary.assign_coords(target=[BAN])
    for lang, text in (("zh", zh), ("en", en)):
        fig = cplot.fan(summary, "capacity_coke", lang=lang)
        render(fig)
        assert probability_marks(fig.axes[0], BAN) == (STATUS_COLOURS[colour], text)


def test_fan_without_probabilities_claims_nothing(coke_batch):
    traj, _ = coke_batch
    fig = cplot.fan(cplot.quantile_summary(traj, ["capacity_coke"]), "capacity_coke")
    render(fig)
    colour, text = probability_marks(fig.axes[0], BAN)
    assert colour == "#555555" and text == ""  # grey, although the median meets the ban
    assert "达成概率未给出" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def test_fan_peak_target_by_probability(coke_batch):
    traj, res = coke_batch
    share = res.summary().set_index("target").loc["main_2030_co2_peak", "share_met"]
    fig = cplot.fan(cplot.quantile_summary(traj, ["co2"]), "co2", probability=res)
    render(fig)
    (line,) = by_gid(fig.axes[0], "target:main_2030_co2_peak")
    (label,) = by_gid(fig.axes[0], "probability-label:main_2030_co2_peak")
    expected = "likely" if share >= 0.9 else "unlikely" if share < 0.1 else "uncertain"
    colour = {"likely": "met", "uncertain": "at_risk", "unlikely": "missed"}[expected]
    assert to_hex(line.get_color()) == STATUS_COLOURS[colour]
    assert f"{100 * share:.0f}%" in label.get_text()


# ---------------------------------------------------------------------------------------------
# peaking order
# ---------------------------------------------------------------------------------------------
def test_peaking_order_one_scenario(three):
    peaks = peak_table(three.sel(scenario=["plan"]))
    fig = cplot.peaking_order(peaks, horizon=2040)
    render(fig)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "吴忠市"
    assert "青铜峡市·煤炭消费" in labels and set(labels) >= {
        "利通区",
        "同心县",
        "红寺堡区",
        "盐池县",
    }
    for row in by_gid(ax, "peaks:"):
        assert len(row.get_offsets()) == 1  # one dot per region
    city = float(peaks.peak_year.sel(scenario="plan", region="wuzhong", quantity="co2"))
    (line,) = by_gid(ax, "city-peak")
    assert line.get_xdata()[0] == city
    assert len(by_gid(ax, "expectation:")) == 6  # city by 2030, 2 率先, 2 同步, coal first
    assert overlapping(ax.get_yticklabels(), fig) == []


def test_peaking_order_few_scenarios_one_marker_each(result):
    fig = cplot.peaking_order(result)  # a CheckResult: its peak table
    ax = fig.axes[0]
    peaks = result.peaks.peak_year
    for scenario in ("bau", "plan", "stretch"):
        (dot,) = by_gid(ax, f"peaks:yanchi:co2:{scenario}")
        expected = float(peaks.sel(scenario=scenario, region="yanchi", quantity="co2"))
        assert dot.get_offsets()[0, 0] == expected
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"bau", "plan", "stretch"} <= set(legend)
    render(fig)


def test_peaking_order_many_scenarios_shows_distributions(batch):
    peaks = peak_table(batch)
    fig = cplot.peaking_order(peaks, lang="en")
    render(fig)
    ax = fig.axes[0]
    (litong,) = by_gid(ax, "peaks:litong:co2")
    years = np.unique(peaks.peak_year.sel(region="litong", quantity="co2"))
    assert sorted(litong.get_offsets()[:, 0]) == sorted(years)
    texts = [t.get_text() for t in ax.texts]
    share = float(
        (
            peaks.peak_year.sel(region="litong", quantity="co2")
            <= peaks.peak_year.sel(region="wuzhong", quantity="co2") - 1
        ).mean()
    )
    assert any(f"met in {share:.0%}" in t for t in texts)
    assert overlapping(ax.get_yticklabels(), fig) == []


# ---------------------------------------------------------------------------------------------
# dashboard
# ---------------------------------------------------------------------------------------------
def test_dashboard_all_targets_readable(result):
    fig = cplot.dashboard(result)
    render(fig)
    assert len(fig.axes) == 2  # ~130 targets in two columns on an A4 page
    assert fig.get_size_inches()[0] == pytest.approx(7.5)
    assert fig.get_size_inches()[1] < 11.7
    n_groups = len(set(result.dataset.group.values))
    labels = [t for ax in fig.axes for t in ax.get_yticklabels()]
    assert len(labels) == result.dataset.sizes["target"] + n_groups
    assert "主要目标" in [t.get_text() for t in labels]
    for ax in fig.axes:
        assert overlapping(ax.get_yticklabels(), fig) == []
        assert overlapping(ax.get_xticklabels(), fig) == []
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert {"达成", "未达成", "未评估"} <= set(legend)


def test_dashboard_cell_colours_follow_status_and_margin(result):
    fig = cplot.dashboard(result, lang="en", kinds="simulated", tiers="binding")
    ds = result.dataset
    keep = ds.isel(target=np.flatnonzero((ds.kind == "simulated") & (ds.tier == "binding")))
    (ax,) = fig.axes
    labels = [t.get_text() for t in ax.get_yticklabels()]
    image = ax.get_images()[0].get_array()
    assert image.shape[1] == 3
    first = labels.index(next(t for t in labels if t.startswith("2025 New-energy")))
    status = str(keep.status.sel(scenario="plan").values[0])
    cell = np.asarray(image[first, 1], float)
    white_to = 1 - np.asarray(to_rgb(STATUS_COLOURS[status]))
    # the cell is the status colour blended with white: (1 - cell) parallel to (1 - colour)
    ratio = (1 - cell) / white_to
    assert np.allclose(ratio, ratio[0]) and 0.3 - 1e-9 <= ratio[0] <= 1 + 1e-9
    assert len(labels) == keep.sizes["target"] + len(set(keep.group.values))
    assert "Main targets" in " ".join(labels)


def test_dashboard_intensity_normalised_per_target():
    from carbonsim.plot.grid import intensity

    margin = np.array([[1.0, -0.1], [4.0, -0.2]])
    out = intensity(margin, np.array([2.0, 1.0]))
    np.testing.assert_allclose(out[:, 0], [0.3 + 0.7 * 0.25, 1.0])
    np.testing.assert_allclose(out[:, 1], [0.3 + 0.07, 0.3 + 0.14])


def test_dashboard_filters_that_leave_nothing(result):
    with pytest.raises(ValueError, match="no target left"):
        cplot.dashboard(result, kinds="order", tiers="approx")


# ---------------------------------------------------------------------------------------------
# power mix
# ---------------------------------------------------------------------------------------------
def test_power_mix_panels_bars_and_storage_rule(three):
    fig = cplot.power_mix(three, scenario="plan")
    render(fig)
    cap, gen, power, energy = fig.axes
    d = three.sel(scenario="plan", region="wuzhong")
    battery = by_gid(power, "bars:battery")  # one rectangle per year
    assert len(battery) == len(YEARS)
    np.testing.assert_allclose([p.get_height() for p in battery], d.capacity.sel(tech="battery"))
    (rule,) = by_gid(power, "rule:rule_power")
    np.testing.assert_allclose(
        rule.get_ydata(), 0.1 * d.capacity.sel(tech=["wind", "solar"]).sum("tech")
    )
    (rule_h,) = by_gid(energy, "rule:rule_energy")
    np.testing.assert_allclose(rule_h.get_ydata(), 2 * rule.get_ydata())
    exports = by_gid(gen, "bars:uhvdc_export") + by_gid(gen, "bars:other_export")
    assert len(exports) == 2 * len(YEARS)
    assert all(p.get_height() <= 0 for p in exports)
    np.testing.assert_allclose(
        [-p.get_height() for p in by_gid(gen, "bars:other_export")], d.other_export
    )
    stack = list(cap.collections)
    assert {to_hex(c.get_facecolor()[0]) for c in stack} <= set(TECH_COLOURS.values())
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert {"光伏", "风电", "宁电入湘外送", "规划要求:新能源装机的10%"} <= set(legend)


# ---------------------------------------------------------------------------------------------
# emission drivers
# ---------------------------------------------------------------------------------------------
def test_emission_drivers_waterfalls_add_up(three):
    fig = cplot.emission_drivers(three, 2020, 2030, scenario="stretch")
    render(fig)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 6
    change = three.co2.sel(scenario="stretch", year=2030) - three.co2.sel(
        scenario="stretch", year=2020
    )
    for ax, region in zip(visible, three.region.values, strict=True):
        bars = by_gid(ax, "waterfall")
        widths = [p.get_width() for p in bars]
        assert len(widths) == 7
        assert sum(widths[:-1]) == pytest.approx(float(change.sel(region=region)), abs=1e-9)
        assert widths[-1] == pytest.approx(float(change.sel(region=region)), abs=1e-9)
        assert to_hex(bars[0].get_facecolor()) == FACTOR_COLOURS["activity"]
    labels = [t.get_text() for t in visible[0].get_yticklabels()]
    assert labels[0] == "经济规模(GDP)" and labels[-1] == "合计变化"


def test_emission_drivers_one_region_english(three):
    fig = cplot.emission_drivers(three, regions=["yanchi"], lang="en")
    (ax,) = fig.axes
    assert ax.get_title(loc="left").startswith("Yanchi:")
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "Total change"


# ---------------------------------------------------------------------------------------------
# feasible region
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def grid_result(baseline):
    rng = np.random.default_rng(1)
    gx, gy, k = np.linspace(0.02, 0.08, 6), np.linspace(2.0, 40.0, 6), 4
    x, y, _ = np.meshgrid(gx, gy, np.arange(k), indexing="xy")
    n = x.size
    levers = carbonsim.model.LeverSet(
        {
            "gdp_growth": x.ravel(),
            "solar_capacity": {"yanchi": {2030: y.ravel()}},
            "other_industry_intensity_change": {2025: rng.uniform(-0.15, 0.25, n)},
        },
        n=n,
    )
    traj = carbonsim.simulate(levers, baseline=baseline, years=range(2020, 2031))
    ids = ["main_2025_energy_intensity", "main_2030_new_energy_capacity"]
    met = check(traj).dataset.met.sel(target=ids).all("target").values
    share = met.reshape(x.shape).mean(-1)
    ds = xr.Dataset(
        {"share_met": (("y", "x"), share)},
        coords={"x": gx, "y": gy},
        attrs={"x_lever": "gdp_growth", "y_lever": "solar_capacity", "targets": ids},
    )
    table = pd.DataFrame({"gdp_growth": x.ravel(), "solar_capacity": y.ravel(), "met": met})
    return ds, table


def test_feasible_region_heatmap_and_contours(grid_result):
    ds, _ = grid_result
    fig = cplot.feasible_region(ds)
    render(fig)
    ax = fig.axes[0]
    (mesh,) = by_gid(ax, "share")
    np.testing.assert_allclose(
        np.asarray(mesh.get_array()).reshape(ds.share_met.shape), ds.share_met
    )
    assert ax.get_xlabel() == "地区生产总值增速 (%/年)"
    assert ax.get_ylabel() == "光伏装机容量 (GW)"
    share = ds.share_met.values
    expected = ["50% 情景满足"] * bool(share.min() < 0.5 < share.max())
    expected += ["全部情景满足"] * bool((share >= 1).any())
    outline = by_gid(ax, "all-met")
    assert len(outline) == int((share >= 1).any())
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == expected if legend else expected == []
    assert "2 个目标" in ax.get_title(loc="left")


def test_feasible_region_from_samples_table(grid_result):
    ds, table = grid_result
    fig = cplot.feasible_region(table, lang="en", bins=6)
    render(fig)
    binned = cplot.binned_share(table, "gdp_growth", "solar_capacity", bins=6)
    np.testing.assert_allclose(binned.share_met.values, ds.share_met.values)
    assert fig.axes[0].get_xlabel() == "gdp growth (%/yr)"


def test_feasible_region_of_carbonsim_feasible_region(baseline):
    """carbonsim.feasible_region(): one scenario per point, the share of the targets met, drawn
    on the levers' 2030 values."""
    ids = ["main_2030_new_energy_capacity", "main_2025_energy_intensity"]
    res = carbonsim.feasible_region(
        {}, "solar_capacity:yanchi", "gdp_growth", targets=ids, grid=(5, 4), baseline=baseline
    )
    fig = cplot.feasible_region(res)
    render(fig)
    ax = fig.axes[0]
    (mesh,) = by_gid(ax, "share")
    x_edges = mesh.get_coordinates()[0, :, 0]
    assert x_edges.min() < float(res.x_value.min()) < float(res.x_value.max()) < x_edges.max()
    assert ax.get_xlabel() == "光伏装机容量(盐池县, 2030年) (GW)"
    assert fig.axes[1].get_ylabel() == "所选目标中达成的比例"


# ---------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def trajectories_file(three, tmp_path_factory):
    from carbonsim.io import write_netcdf

    return write_netcdf(three, tmp_path_factory.mktemp("plot") / "trajectories.nc")


@pytest.mark.parametrize(
    ("kind", "extra", "suffix"),
    [
        ("trajectory", ["--indicator", "non_fossil_share", "--region", "wuzhong,yanchi"], ".png"),
        ("peaking", [], ".svg"),
        ("dashboard", ["--kinds", "simulated", "--tiers", "binding"], ".pdf"),
        ("power", ["--scenario", "plan", "--lang", "en"], ".png"),
        ("drivers", ["--y0", "2020", "--y1", "2035"], ".png"),
        ("fan", ["--indicator", "co2"], ".png"),
    ],
)
def test_cli_draws_every_kind(trajectories_file, tmp_path, kind, extra, suffix, capsys):
    from carbonsim.cli import main

    out = tmp_path / f"{kind}{suffix}"
    assert (
        main(["plot", kind, str(trajectories_file), "--out", str(out), "--dpi", "50", *extra]) == 0
    )
    assert out.stat().st_size > 1000
    assert f"wrote {out}" in capsys.readouterr().out


def test_cli_feasible_from_csv(grid_result, tmp_path):
    from carbonsim.cli import main

    _, table = grid_result
    table.to_csv(tmp_path / "samples.csv", index=False)
    out = tmp_path / "feasible.png"
    assert main(["plot", "feasible", str(tmp_path / "samples.csv"), "--out", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_errors_are_plain(trajectories_file, tmp_path, capsys):
    from carbonsim.cli import main

    assert main(["plot", "trajectory", str(trajectories_file), "--out", "x.gif"]) == 2
    assert "--out must end in .png, .svg, .pdf" in capsys.readouterr().err
    out = str(tmp_path / "x.png")
    assert (
        main(["plot", "trajectory", str(trajectories_file), "--indicator", "co3", "--out", out])
        == 2
    )
    assert "Did you mean 'co2'?" in capsys.readouterr().err
    assert main(["plot", "peaking", str(tmp_path / "missing.nc"), "--out", out]) == 2
    assert "no such file" in capsys.readouterr().err


def test_cli_help_lists_the_kinds(capsys):
    from carbonsim.cli import main

    with pytest.raises(SystemExit):
        main(["plot", "--help"])
    text = capsys.readouterr().out
    for kind in ("trajectory", "fan", "peaking", "dashboard", "power", "drivers", "feasible"):
        assert kind in text
    assert "carbonsim plot trajectory scenarios/plan.toml" in text
