"""The live what-if (carbonsim.widgets.what_if), driven headless: ipywidgets needs no browser.
Setting a slider re-simulates and redraws; the outputs follow the model, not the widget."""

import io

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

import carbonsim
from carbonsim.widgets import CONTROLS, what_if


@pytest.fixture(scope="module")
def widget():
    return what_if("plan")


def _png_std(data: bytes) -> float:
    from PIL import Image

    return float(np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype=float).std())


def test_sliders_start_at_the_scenario_and_the_first_draw_is_the_plan(widget):
    plan = carbonsim.load_scenario("plan")
    assert widget.sliders["solar_capacity:yanchi"].value == pytest.approx(5.5)  # plan, 2030
    assert widget.sliders["coal_hours"].value == pytest.approx(4800)
    assert widget.sliders["storage_ratio"].value == pytest.approx(0.1)  # held after 2025
    assert widget.sliders["gdp_growth"].value == 0.0
    assert len(widget.sliders) == sum(5 if c.per_county else 1 for c in CONTROLS)
    direct = carbonsim.check(carbonsim.simulate(plan))
    assert widget.counts() == {
        s: int((direct.dataset.status.values[0] == s).sum())
        for s in ("met", "at_risk", "missed", "not_evaluated")
    }
    co2 = widget.result.trajectories.co2.sel(region="wuzhong").values[0]
    np.testing.assert_allclose(co2, direct.trajectories.co2.sel(region="wuzhong").values[0])
    assert _png_std(widget.chart.value) > 5
    assert "达标 met" in widget.summary.value and "redraw" in widget.timing.value


def test_moving_sliders_redraws_with_new_results(widget):
    before = (widget.redraws, widget.chart.value, widget.summary.value)
    city = widget.result.trajectories.co2.sel(region="wuzhong").values[0].copy()
    capacity = widget.result.trajectories.new_energy_capacity.sel(region="yanchi").values[0].copy()
    widget.sliders["solar_capacity:yanchi"].value = 12.0  # +6.5 GW in 盐池县 by 2030
    assert widget.redraws == before[0] + 1 and widget.chart.value != before[1]
    after = widget.result.trajectories
    new_capacity = after.new_energy_capacity.sel(region="yanchi").values[0]
    # phased in from 2025, the full +6.5 GW from 2030 on, nothing before 2025
    years = list(after.year.values)
    assert new_capacity[years.index(2030)] - capacity[years.index(2030)] == pytest.approx(6.5)
    assert new_capacity[years.index(2040)] - capacity[years.index(2040)] == pytest.approx(6.5)
    assert new_capacity[years.index(2024)] == pytest.approx(capacity[years.index(2024)])
    # more solar → less coal power → lower city CO2 in 2030 (consumption basis)
    assert after.co2.sel(region="wuzhong").values[0][years.index(2030)] < city[years.index(2030)]
    # slower growth lowers CO2 everywhere after 2020 and changes the findings
    summary = widget.summary.value
    widget.sliders["gdp_growth"].value = -2.0
    slow = widget.result.trajectories.co2.sel(region="wuzhong").values[0]
    assert (slow[1:] < after.co2.sel(region="wuzhong").values[0][1:]).all()
    assert widget.summary.value != summary
    assert widget.redraws == before[0] + 2
    assert 0 < widget.last_redraw < 30


def test_the_widget_has_a_jupyter_view(widget):
    bundle = widget._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def _pixels(data: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


def _full_render(widget) -> np.ndarray:
    """The widget's figure drawn whole, every artist at once (what blitting must reproduce)."""
    for artist in widget._moving:
        artist.set_animated(False)
    try:
        widget._canvas.draw()
        return np.asarray(widget._canvas.buffer_rgba()).copy()
    finally:
        for artist in widget._moving:
            artist.set_animated(True)


def test_a_blitted_redraw_is_the_figure_drawn_whole():
    w = what_if("plan")
    np.testing.assert_array_equal(_pixels(w.chart.value), _full_render(w))
    low = w._figure[1].get_ylim()
    w.sliders["nev_sales_share"].value = 0.2  # within the y range: only the moving artists
    assert w._figure[1].get_ylim() == low
    np.testing.assert_array_equal(_pixels(w.chart.value), _full_render(w))
    w.sliders["other_industry_intensity_change"].value = 0.2
    w.sliders["gdp_growth"].value = 3.0  # CO2 leaves the y range: the background is redrawn
    assert w._figure[1].get_ylim()[1] > low[1]
    top = float(w.result.trajectories.co2.values[0].max())
    assert top < w._figure[1].get_ylim()[1]
    np.testing.assert_array_equal(_pixels(w.chart.value), _full_render(w))
