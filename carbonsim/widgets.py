"""A live what-if in Jupyter: sliders for the main levers, the CO2 path and the targets redrawn.

:func:`what_if` builds the widget (``pip install 'carbonsim[notebook]'`` for JupyterLab and
ipywidgets)::

    import carbonsim
    from carbonsim.widgets import what_if

    what_if(carbonsim.load_scenario("plan"))     # or what_if("plan")

Each slider sets a lever's value in 2030 (per county for the capacities): the change to the
scenario's own path is phased in linearly from 2025 and kept after 2030, so the build-out or
decline the scenario writes after 2030 is kept (a GDP-growth slider shifts the whole path
instead).  On each change (when a slider is released) the scenario is simulated and checked
again, and the chart (city CO2 with the plan's targets; the peaking order), the met/missed
counts and the peak years are redrawn; the time of the last redraw is shown and kept in
:attr:`WhatIf.last_redraw`.  ``benchmarks/widget.py`` measures it.

The simulation is the engine's fast path on lever arrays (as :mod:`carbonsim.analysis.explain`
uses): the scenario's arrays are built once, a slider rewrites one lever's path.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass

import numpy as np

from carbonsim.baseline.cache import resolve_baseline
from carbonsim.catalogue import load_targets
from carbonsim.definitions.levers import lever_table
from carbonsim.feasibility.evaluate import check
from carbonsim.inputs.coerce import as_batch
from carbonsim.model.arrays import batch_arrays
from carbonsim.model.simulation import simulate_arrays
from carbonsim.regions import regions_of

__all__ = ["CONTROLS", "Control", "WhatIf", "what_if"]

YEARS = tuple(range(2020, 2061))
_RAMP_FROM, _AT = 2025, 2030
_RC = {"font.family": ["Noto Sans SC carbonsim", "DejaVu Sans"], "axes.unicode_minus": False}
#: z-order of the artists a redraw moves (above axes, grid, legend and texts: see ``_png``)
_MOVING_ZORDER = 10
_COUNTY_COLOURS = ("#ef6c00", "#6a1b9a", "#00838f", "#8d6e63", "#c2185b", "#558b2f")


@dataclass(frozen=True)
class Control:
    """One lever a slider moves.

    ``mode`` is ``"at_2030"`` (the slider is the value in 2030) or ``"shift"`` (the slider is
    added to every year's value from 2021, in ``scale`` × the lever's unit).
    """

    lever: str
    label: str
    low: float
    high: float
    step: float
    mode: str = "at_2030"
    per_county: bool = False
    scale: float = 1.0
    fmt: str = ".1f"


#: The sliders, in display order.
CONTROLS: tuple[Control, ...] = (
    Control("solar_capacity", "光伏 solar 2030 [GW]", 0.0, 20.0, 0.1, per_county=True),
    Control("wind_capacity", "风电 wind 2030 [GW]", 0.0, 12.0, 0.1, per_county=True),
    Control("storage_ratio", "储能配比 storage ratio 2030", 0.0, 0.5, 0.01, fmt=".0%"),
    Control("coal_hours", "煤电小时 coal hours 2030 [h]", 2000.0, 6500.0, 50.0, fmt=".0f"),
    Control(
        "gdp_growth",
        "GDP增速 growth shift [pp]",
        -3.0,
        3.0,
        0.1,
        mode="shift",
        scale=0.01,
        fmt="+.1f",
    ),
    Control(
        "other_industry_intensity_change",
        "工业能效 industry intensity 2030",
        -0.6,
        0.2,
        0.01,
        fmt=".0%",
    ),
    Control("nev_sales_share", "新能源车销量 NEV sales 2030", 0.0, 1.0, 0.01, fmt=".0%"),
)


def _ramp(years: np.ndarray) -> np.ndarray:
    """0 until 2025, linear to 1 in 2030, 1 after."""
    return np.clip((years - _RAMP_FROM) / (_AT - _RAMP_FROM), 0.0, 1.0)


class WhatIf:
    """The what-if widget and its state (display it in Jupyter; drive it from code or tests).

    Attributes
    ----------
    sliders : dict
        ``{"solar_capacity:yanchi": FloatSlider, "storage_ratio": FloatSlider, …}``.
    chart : ipywidgets.Image
        PNG of the CO2 trajectory with the targets and the peaking order.
    summary : ipywidgets.HTML
        Met / at risk / missed counts, the city's peak year, the peaking order.
    result : CheckResult
        The check of the last redraw.
    last_redraw : float
        Seconds the last redraw took (simulate, check, draw).
    widget : ipywidgets.VBox
        Everything, laid out.
    """

    def __init__(self, scenario, baseline=None, targets=None):
        import ipywidgets as w

        self._ds = resolve_baseline(baseline)
        self._targets = load_targets() if targets is None else targets
        self._regions = regions_of(self._ds)
        self._id = getattr(scenario, "id", "what-if")
        self._base = batch_arrays(as_batch(scenario, self._regions), list(YEARS), self._ds)
        self._years = np.asarray(YEARS, dtype=float)
        self.sliders = self._make_sliders(w)
        self.chart = w.Image(format="png", layout=w.Layout(width="100%"))
        self.summary = w.HTML()
        self.timing = w.HTML()
        self.result = None
        self._figure = None
        self._bars = None
        self.last_redraw = float("nan")
        self.redraws = 0
        for slider in self.sliders.values():
            slider.observe(self._on_change, names="value")
        self.widget = w.VBox([self._layout(w), self.summary, self.chart, self.timing])
        self.redraw()

    # -- controls ---------------------------------------------------------------------------
    def _index(self, year: int) -> int:
        return YEARS.index(year)

    def _current(self, control: Control, county: str | None) -> float:
        path = self._path(control.lever, county)
        if control.mode == "shift":
            return 0.0
        return float(np.mean(path[..., self._index(_AT)]))  # the counties' mean if city-wide

    def _path(self, lever: str, county: str | None) -> np.ndarray:
        array = self._base[lever][0]
        if array.ndim == 2 and county:
            return array[list(self._regions.counties).index(county)]
        return array  # a city-wide slider moves every county's own path

    def _make_sliders(self, w) -> dict:
        specs = lever_table()
        sliders = {}
        for control in CONTROLS:
            spec = specs[control.lever]
            counties = self._regions.counties if control.per_county else (None,)
            for county in counties:
                value = self._current(control, county)
                high = max(control.high, value * 1.5) if control.mode != "shift" else control.high
                low = min(control.low, value)
                if control.mode != "shift":
                    low, high = max(low, spec.lower), min(high, spec.upper)
                shown = value / control.scale
                label = control.label if county is None else f"{self._regions.name_zh(county)}"
                key = control.lever if county is None else f"{control.lever}:{county}"
                sliders[key] = w.FloatSlider(
                    value=shown,
                    min=low,
                    max=high,
                    step=control.step,
                    description=label,
                    readout_format=control.fmt,
                    continuous_update=False,
                    style={"description_width": "initial"},
                    layout=w.Layout(width="95%"),
                )
        return sliders

    def _layout(self, w):
        boxes = []
        for control in CONTROLS:
            if control.per_county:
                rows = [self.sliders[f"{control.lever}:{c}"] for c in self._regions.counties]
                boxes.append(w.VBox([w.HTML(f"<b>{control.label}</b>"), *rows]))
        single = [self.sliders[c.lever] for c in CONTROLS if not c.per_county]
        boxes.append(w.VBox([w.HTML("<b>其他 other levers</b>"), *single]))
        return w.HBox(boxes, layout=w.Layout(width="100%"))

    # -- model ------------------------------------------------------------------------------
    def arrays(self) -> dict:
        """The lever arrays with every slider applied (the scenario's own arrays untouched)."""
        specs = lever_table()
        out = dict(self._base)
        ramp = _ramp(self._years)
        for key, slider in self.sliders.items():
            lever, _, county = key.partition(":")
            control = next(c for c in CONTROLS if c.lever == lever)
            value = slider.value * control.scale
            base = self._base[lever]
            new = out[lever] if out[lever] is not base else base.copy()
            target = new[0, list(self._regions.counties).index(county)] if county else new[0]
            old = self._path(lever, county or None)
            if control.mode == "shift":
                shifted = old + value
                shifted[..., 0] = old[..., 0]
            else:
                shifted = old + (value - old[..., self._index(_AT), None]) * ramp
            spec = specs[lever]
            target[...] = np.clip(shifted, spec.lower, spec.upper)
            out[lever] = new
        return out

    def simulate(self):
        """Simulate and check the scenario with the sliders' values; -> CheckResult."""
        traj = simulate_arrays(self.arrays(), [self._id], list(YEARS), self._ds, validate=False)
        return check(traj, self._targets)

    # -- drawing ----------------------------------------------------------------------------
    def redraw(self) -> float:
        """Simulate, check and redraw everything; returns the seconds it took."""
        start = time.perf_counter()
        self.result = self.simulate()
        self.chart.value = self._png(self.result)
        self.summary.value = self._summary_html(self.result)
        self.last_redraw = time.perf_counter() - start
        self.redraws += 1
        self.timing.value = (
            f"<span style='color:#777'>redraw {self.last_redraw * 1000:.0f} ms "
            f"(simulate, check and draw)</span>"
        )
        return self.last_redraw

    def _on_change(self, change) -> None:
        self.redraw()

    def counts(self) -> dict[str, int]:
        """Targets per status in the last redraw (``{"met": …, "at_risk": …, …}``)."""
        status = self.result.dataset.status.values[0]
        return {s: int((status == s).sum()) for s in ("met", "at_risk", "missed", "not_evaluated")}

    def peak_years(self) -> dict[str, int]:
        """CO2 peak year per region in the last redraw, earliest first."""
        return dict(sorted(self.result_peaks(self.result).items(), key=lambda x: x[1]))

    def _summary_html(self, result) -> str:
        counts = self.counts()
        ds = result.dataset
        binding = ds.tier.values == "binding"
        missed_binding = int((ds.status.values[0][binding] == "missed").sum())
        order = " → ".join(
            f"{self._regions.name_zh(r)} {year}" for r, year in self.peak_years().items()
        )
        return (
            f"<b>达标 met {counts['met']}</b> · 临界 at risk {counts['at_risk']} · "
            f"<b style='color:#c62828'>未达 missed {counts['missed']}</b> "
            f"(约束性 binding: {missed_binding} of {int(binding.sum())}) · "
            f"未评估 n/a {counts['not_evaluated']}<br>"
            f"达峰顺序 peaking order (CO2): {order}"
        )

    def _png(self, result) -> bytes:
        """The chart: city and county CO2 (the scenario as loaded dashed), the peak years.

        Drawn with plain matplotlib on one kept figure (no layout engine), and blitted: the
        axes, titles, legend and tick labels (most of the drawing time: ~90 texts in a CJK font)
        are rendered once into a kept background, and a redraw paints only the moving artists
        (the six CO2 lines, the peak bars and their year labels) over it.  The background is
        rendered again only when the CO2 leaves the y range (it then grows by a quarter).
        """
        import matplotlib

        traj = result.trajectories
        co2 = traj.co2.values[0]  # region x year
        if self._figure is None:
            self._figure = self._new_figure()
        fig, left, _ = self._figure
        with matplotlib.rc_context(_RC):
            for line, values in zip(self._lines, co2, strict=True):
                line.set_ydata(values)
            self._set_peaks(result)
            top = float(np.nanmax(co2)) * 1.08
            if self._background is None or top > left.get_ylim()[1]:
                left.set_ylim(0, max(top, float(np.nanmax(self._first_co2)) * 1.08) * 1.25)
                self._canvas.draw()  # everything but the animated (moving) artists
                self._background = self._canvas.copy_from_bbox(fig.bbox)
            self._canvas.restore_region(self._background)
            for artist in self._moving:
                artist.axes.draw_artist(artist)
        return _encode_png(self._canvas)

    def _new_figure(self):
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        import carbonsim.plot  # noqa: F401  (registers the bundled Chinese font)

        traj = simulate_arrays(self._base, [self._id], list(YEARS), self._ds, validate=False)
        self._first_co2 = traj.co2.values[0]
        regions = [str(r) for r in traj.region.values]
        with matplotlib.rc_context(_RC):
            fig = Figure(figsize=(11.0, 4.0), dpi=80)
            self._canvas = FigureCanvasAgg(fig)
            fig.subplots_adjust(left=0.07, right=0.98, bottom=0.12, top=0.9, wspace=0.3)
            left, right = fig.subplots(1, 2, width_ratios=[1.6, 1])
            self._lines = []
            for k, region in enumerate(regions):
                city = region == self._regions.city
                colour = "#1565c0" if city else _COUNTY_COLOURS[(k - 1) % len(_COUNTY_COLOURS)]
                width = 2.4 if city else 1.2
                left.plot(YEARS, self._first_co2[k], color=colour, lw=0.8, ls="--", alpha=0.6)
                (line,) = left.plot(
                    YEARS, self._first_co2[k], color=colour, lw=width, label=self._name(region)
                )
                self._lines.append(line)
            left.axvline(_AT, color="#2e7d32", ls=":", lw=1.2)
            left.text(
                _AT + 0.3,
                0.03,
                "2030年前达峰 peak by 2030",
                color="#2e7d32",
                transform=left.get_xaxis_transform(),
                fontsize=8,
            )
            left.set_title("二氧化碳排放 CO2 [万吨] (虚线: 原情景 dashed: as loaded)", fontsize=10)
            left.set_xlim(YEARS[0], YEARS[-1])
            left.grid(alpha=0.3)
            left.legend(fontsize=8, ncol=3, loc="upper right", frameon=False)
            self._new_peaks(right, regions)
        self._moving = [*self._lines, *self._bars, *self._labels]
        for artist in self._moving:
            # above every kept artist, so that painting them over the background gives the
            # picture a whole draw gives (tests/test_ergonomics_widget.py compares the pixels)
            artist.set_zorder(_MOVING_ZORDER + (artist in self._labels))
            artist.set_animated(True)
        self._background = None
        return fig, left, right

    def _name(self, region: str) -> str:
        return self._regions.name_zh(region)

    def _new_peaks(self, ax, regions: list[str]) -> None:
        """The peak-year panel: one bar per region in a fixed row (the city first), so that the
        rows stay where they are while a slider moves; the order is in the summary line."""
        self._peak_rows = regions
        self._bars = ax.barh(range(len(regions)), [1] * len(regions), left=YEARS[0], height=0.6)
        self._labels = [ax.text(0, k, "", va="center", fontsize=8) for k in range(len(regions))]
        ax.set_yticks(range(len(regions)), [self._name(r) for r in regions], fontsize=9)
        ax.invert_yaxis()
        ax.axvline(_AT, color="#2e7d32", ls=":", lw=1.2)
        ax.set_xlim(YEARS[0], YEARS[-1] + 4)
        ax.set_title("达峰年份 CO2 peak year (绿: 2030年前 green: by 2030)", fontsize=10)
        ax.grid(axis="x", alpha=0.3)

    def _set_peaks(self, result) -> None:
        years = self.result_peaks(result)
        for bar, label, region in zip(self._bars, self._labels, self._peak_rows, strict=True):
            bar.set_width(years[region] - YEARS[0])
            bar.set_color("#2e7d32" if years[region] <= _AT else "#c62828")
            label.set_position((years[region] + 0.4, bar.get_y() + bar.get_height() / 2))
            label.set_text(str(years[region]))

    @staticmethod
    def result_peaks(result) -> dict[str, int]:
        """CO2 peak year per region of *result* (its first scenario)."""
        peaks = result.peaks.peak_year.sel(quantity="co2").values[0]
        return {str(r): int(p) for r, p in zip(result.peaks.region.values, peaks, strict=True)}

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _encode_png(canvas) -> bytes:
    """The canvas as PNG, compressed fast (level 1: a redraw must follow a slider)."""
    from PIL import Image

    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def what_if(scenario="plan", baseline=None, targets=None) -> WhatIf:
    """The live what-if widget for *scenario* (a Scenario, a file or a bundled name).

    Parameters
    ----------
    scenario : Scenario, str or Path
        Without distributions (default: the bundled plan).
    baseline : xarray.Dataset or path, optional
        Default: the bundled 2020 calibration.
    targets : Catalogue, optional
        Default: the bundled catalogue.

    Returns
    -------
    WhatIf
        Display it (last expression of a cell); ``.sliders`` to drive it from code.
    """
    from carbonsim.inputs.scenario import Scenario, load_scenario

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    return WhatIf(scenario, baseline=baseline, targets=targets)
