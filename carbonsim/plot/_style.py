"""Fonts, colours and labels shared by every chart (one palette module, so colours agree).

The Chinese font is a subset of Noto Sans SC (SIL Open Font License 1.1) shipped in
``carbonsim/plot/fonts/`` and registered with matplotlib's font manager when
:mod:`carbonsim.plot` is imported.  No global ``rcParams`` are changed: every chart draws inside
:func:`style`, a :func:`matplotlib.rc_context`.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager
from matplotlib.figure import Figure

from carbonsim.constants import REGION_NAMES_EN, REGION_NAMES_ZH
from carbonsim.regions import WUZHONG, RegionSet, regions_of

__all__ = [
    "A4_WIDTH",
    "CITY_COLOUR",
    "COUNTY_COLOURS",
    "FONT_FAMILY",
    "FONT_PATH",
    "PROBABILITY_COLOURS",
    "PROBABILITY_LABELS",
    "REGION_COLOURS",
    "SECTOR_COLOURS",
    "STATUS_COLOURS",
    "TECH_COLOURS",
    "new_figure",
    "region_colours",
    "register_fonts",
    "style",
]

FONT_PATH = Path(__file__).parent / "fonts" / "NotoSansSC-carbonsim.otf"
FONT_FAMILY = "Noto Sans SC carbonsim"
#: usable width of an A4 page with 2 cm margins [in]
A4_WIDTH = 7.5
LANGS = ("zh", "en")


def register_fonts() -> None:
    """Add the bundled Chinese font to matplotlib's font manager (idempotent)."""
    known = {Path(f.fname).resolve() for f in font_manager.fontManager.ttflist}
    if FONT_PATH.resolve() not in known:
        font_manager.fontManager.addfont(str(FONT_PATH))


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
    return lang


def style(lang: str = "zh"):
    """The rc settings every chart draws with (a context manager; nothing global changes)."""
    check_lang(lang)
    families = [FONT_FAMILY, "DejaVu Sans"] if lang == "zh" else ["DejaVu Sans", FONT_FAMILY]
    return mpl.rc_context(
        {
            "font.family": families,
            "font.size": 8,
            "axes.titlesize": 9,
            "axes.labelsize": 8,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.unicode_minus": True,
            "legend.fontsize": 7,
            "legend.frameon": False,
            "xtick.labelsize": 7,
            "ytick.labelsize": 7,
            "figure.dpi": 100,
            "savefig.dpi": 200,
            "svg.fonttype": "path",
            "pdf.fonttype": 42,
        }
    )


def new_figure(width: float = A4_WIDTH, height: float = 4.0, **kwargs) -> Figure:
    """A pyplot-free figure with constrained layout (no global figure registry, no leaks)."""
    return Figure(figsize=(width, height), layout="constrained", **kwargs)


def finish(fig: Figure) -> Figure:
    """Give every text of the figure the chart's font families (texts made before the style
    context, e.g. of an ``ax`` the caller made, keep matplotlib's default otherwise), then lay
    the figure out once, so ticks made at layout time get them too (later ticks copy them)."""
    from matplotlib.text import Text

    families = mpl.rcParams["font.family"]
    for _ in range(2):
        for text in fig.findobj(Text):
            text.set_fontfamily(families)
        fig.draw_without_rendering()
    return fig


def pick(labels: dict, key: str, lang: str) -> str:
    """``labels[key]`` is ``(zh, en)``; the key itself when unknown."""
    pair = labels.get(key)
    if pair is None:
        return str(key)
    return pair[0] if lang == "zh" else pair[1]


# ---------------------------------------------------------------------------------------------
# colours (one place; every chart uses these)
# ---------------------------------------------------------------------------------------------
TECH_COLOURS = {
    "coal": "#4d4d4d",
    "gas": "#e08214",
    "hydro": "#2166ac",
    "wind": "#67a9cf",
    "solar": "#f2c200",
    "biomass": "#5aae61",
    "pumped_hydro": "#08306b",
    "battery": "#8e44ad",
}
#: the city's colour (by role: whatever the city is called)
CITY_COLOUR = "#222222"
#: county colours, by the county's place in the baseline's region order (Okabe-Ito)
COUNTY_COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9", "#f0e442")


def region_colours(regions=None) -> dict[str, str]:
    """A colour per region id: the city :data:`CITY_COLOUR`, the counties
    :data:`COUNTY_COLOURS` in their order (cycled past seven).  *regions*: a
    :class:`~carbonsim.regions.RegionSet` or a dataset with a ``region`` axis (default: Wuzhong).

    >>> colours = region_colours()
    >>> colours["wuzhong"], colours["litong"], colours["tongxin"]
    ('#222222', '#0072b2', '#d55e00')
    """
    known = WUZHONG if regions is None else regions
    if not isinstance(known, RegionSet):
        known = regions_of(known)
    out = {known.city: CITY_COLOUR}
    for k, county in enumerate(known.counties):
        out[county] = COUNTY_COLOURS[k % len(COUNTY_COLOURS)]
    return out


#: Wuzhong's region colours (:func:`region_colours` of the bundled regions)
REGION_COLOURS = region_colours()
SECTOR_COLOURS = {
    "aluminium": "#6a3d9a",
    "magnesium": "#cab2d6",
    "cement": "#8c6d31",
    "coke": "#3f3f3f",
    "carbide": "#b15928",
    "caustic_soda": "#fdbf6f",
    "other_industry": "#a6761d",
    "construction": "#bdbdbd",
    "residential": "#1f78b4",
    "public": "#a6cee3",
    "passenger_transport": "#e31a1c",
    "freight_transport": "#fb9a99",
    "agriculture": "#33a02c",
}
FUEL_COLOURS = {
    "coal": TECH_COLOURS["coal"],
    "oil": "#8c510a",
    "gas": TECH_COLOURS["gas"],
    "non_fossil": TECH_COLOURS["biomass"],
    "electricity": "#3182bd",
    "heat": "#de2d26",
    "hydrogen": "#17becf",
    "biomass": TECH_COLOURS["biomass"],
}
STATUS_COLOURS = {
    "met": "#1a9850",
    "at_risk": "#f39c12",
    "missed": "#d73027",
    "set_by_scenario": "#4a90a4",
    "not_evaluated": "#c8c8c8",
}
#: fan charts: a target coloured by the share of scenarios meeting it (probability met)
LIKELY, UNLIKELY = 0.9, 0.1
PROBABILITY_COLOURS = {
    "likely": STATUS_COLOURS["met"],
    "uncertain": STATUS_COLOURS["at_risk"],
    "unlikely": STATUS_COLOURS["missed"],
    "set_by_scenario": STATUS_COLOURS["set_by_scenario"],
    "not_evaluated": STATUS_COLOURS["not_evaluated"],
    "unknown": "#555555",
}
FACTOR_COLOURS = {
    "activity": "#b2182b",
    "energy_intensity": "#2166ac",
    "energy_mix": "#5aae61",
    "emission_factor": "#762a83",
    "process": "#8c6d31",
    "trade_other": "#969696",
}
#: scenario colours when one region is drawn (bau grey, plan blue, stretch green, then more)
SCENARIO_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#222222")
KNOWN_SCENARIO_COLOURS = {"bau": "#7f7f7f", "plan": "#0072b2", "stretch": "#009e73"}
SCENARIO_STYLES = ("-", "--", ":", "-.")
#: fan chart: band colours
FAN_COLOURS = {"outer": "#c6dbef", "inner": "#6baed6", "median": "#08306b"}


def scenario_colours(scenarios) -> dict[str, str]:
    """A stable colour per scenario id (bau/plan/stretch keep theirs)."""
    out, free = {}, iter(c for c in SCENARIO_COLOURS if c not in KNOWN_SCENARIO_COLOURS.values())
    for s in scenarios:
        s = str(s)
        out[s] = KNOWN_SCENARIO_COLOURS.get(s) or next(free, "#444444")
    return out


# ---------------------------------------------------------------------------------------------
# labels
# ---------------------------------------------------------------------------------------------
TECH_LABELS = {
    "coal": ("煤电", "Coal"),
    "gas": ("气电", "Gas"),
    "hydro": ("水电", "Hydro"),
    "wind": ("风电", "Wind"),
    "solar": ("光伏", "Solar"),
    "biomass": ("生物质发电", "Biomass"),
    "pumped_hydro": ("抽水蓄能", "Pumped hydro"),
    "battery": ("新型储能", "Battery storage"),
}
STATUS_LABELS = {
    "met": ("达成", "met"),
    "at_risk": ("临界(裕度<5%)", "at risk (margin < 5 %)"),
    "missed": ("未达成", "missed"),
    "set_by_scenario": ("情景设定(非模型结果)", "set by the scenario (an input)"),
    "not_evaluated": ("未评估", "not evaluated"),
}
PROBABILITY_LABELS = {
    "likely": ("达成(达成概率≥90%)", "met (probability ≥ 90 %)"),
    "uncertain": ("不确定(达成概率10–90%)", "uncertain (probability 10–90 %)"),
    "unlikely": ("未达成(达成概率<10%)", "missed (probability < 10 %)"),
    "set_by_scenario": STATUS_LABELS["set_by_scenario"],
    "not_evaluated": STATUS_LABELS["not_evaluated"],
    "unknown": ("达成概率未给出", "probability not given"),
}
TIER_LABELS = {
    "binding": ("约束性·达到", "binding"),
    "stretch": ("力争", "stretch, 力争"),
    "approx": ("左右", "approx., 左右"),
    "qualitative": ("定性", "qualitative"),
}
FACTOR_LABELS = {
    "activity": ("经济规模(GDP)", "GDP (activity)"),
    "energy_intensity": ("能耗强度", "Energy intensity"),
    "energy_mix": ("能源结构", "Energy mix"),
    "emission_factor": ("排放因子", "Emission factor"),
    "process": ("工业过程", "Industrial process"),
    "trade_other": ("电力调入调出/其他", "Electricity trade / other"),
}
OP_SYMBOLS = {">=": "≥", "<=": "≤", "approx": "≈", "==": "="}
#: model units -> how a Chinese report writes them
UNIT_LABELS_ZH = {
    "1e4 tce": "万吨标准煤",
    "1e4 t CO2": "万吨CO₂",
    "1e8 CNY": "亿元",
    "GW": "GW",
    "GWh": "GWh",
    "TWh": "TWh",
    "tce/1e4 CNY": "吨标准煤/万元",
    "t CO2/1e4 CNY": "吨CO₂/万元",
    "1e4 t": "万吨",
    "1e4 t/yr": "万吨/年",
    "1e4 vehicles": "万辆",
    "1e4 m2": "万平方米",
    "gce/kWh": "克标准煤/千瓦时",
    "h": "小时",
}
UNIT_LABELS_EN = {"1e4 tce": "10⁴ tce", "1e4 t CO2": "10⁴ t CO₂", "1e8 CNY": "10⁸ CNY"}


def region_name(region: str, lang: str, regions=None) -> str:
    """The name of *region* in *lang*; *regions* a RegionSet (default: Wuzhong's names)."""
    if regions is not None:
        return regions.name_zh(str(region)) if lang == "zh" else regions.name_en(str(region))
    names = REGION_NAMES_ZH if lang == "zh" else REGION_NAMES_EN
    return names.get(str(region), str(region))


def unit_label(unit: str, lang: str) -> str:
    if unit in ("1", ""):
        return "%"
    table = UNIT_LABELS_ZH if lang == "zh" else UNIT_LABELS_EN
    return table.get(unit, unit)


def variable_label(attrs: dict, name: str, lang: str, with_unit: bool = True) -> str:
    """``能源消费总量 (万吨标准煤)`` / ``Total energy consumption (10⁴ tce)``."""
    title = attrs.get("long_name_zh" if lang == "zh" else "long_name") or name
    unit = attrs.get("units")
    if not with_unit or unit is None:
        return title
    return f"{title} ({unit_label(unit, lang)})"


def is_share(attrs: dict) -> bool:
    return attrs.get("units") in ("1",)


def year_axis(axis, first: int, last: int) -> None:
    """Ticks on whole years: every year for short spans, every 5 years otherwise."""
    from matplotlib.ticker import MultipleLocator

    span = last - first
    axis.set_major_locator(MultipleLocator(1 if span <= 10 else 5 if span <= 50 else 10))
    if span > 10:
        axis.set_minor_locator(MultipleLocator(1))


def percent_axis(axis) -> None:
    """Show a share axis (values in [0, 1]) in per cent."""
    from matplotlib.ticker import PercentFormatter

    axis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
