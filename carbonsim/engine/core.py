"""One call from lever arrays and baseline parameters to every trajectory array.

The work is done by compiled kernels that write city-first results straight into their
destinations: :mod:`~carbonsim.engine.kernels_demand` (final energy and its drivers),
the dispatch (:mod:`~carbonsim.engine.dispatch`), :mod:`~carbonsim.engine.kernels_power`
(its flows by county), :mod:`~carbonsim.engine.kernels_balance` (primary energy, CO2) and
:mod:`~carbonsim.engine.kernels_derive` (totals, shares, intensities).  The numpy modules
(``demand``, ``stocks``, ``mix``, ``economy``) are the readable reference they reproduce.

``run(levers, params, method)`` returns a dict of numpy arrays whose region axis holds the city
first (index 0, the sum of the counties) and then the counties in the baseline's order
(:func:`carbonsim.regions.regions_of`; Wuzhong's :data:`~carbonsim.constants.REGIONS` by
default).  Ratios are computed after summing, so the city's shares are its own, not averages.
"""

from __future__ import annotations

import numpy as np

from carbonsim.constants import (
    CO2_1E4T_PER_TWH_PER_T_MWH,
    PRODUCTS,
    TCE_1E4_PER_TWH_PER_GCE_KWH,
)
from carbonsim.engine import power, stocks
from carbonsim.engine.arith import broadcast, ratio
from carbonsim.engine.axes import (
    CITY_INDEX,
    REGION,
    SINK,
    F,
    S,
    T,
)
from carbonsim.engine.economy import cumulative_index
from carbonsim.engine.kernels_balance import OPTIONAL, fe_balances
from carbonsim.engine.kernels_demand import SHAPES as DEMAND_SHAPES
from carbonsim.engine.kernels_demand import demand_side
from carbonsim.engine.kernels_derive import derived
from carbonsim.engine.kernels_power import county_flows

SEC = S


def city_first(x: np.ndarray, dest: np.ndarray | None = None) -> np.ndarray:
    """A county array with the city (the sum over counties) prepended on the region axis.

    Written into *dest* (shape ``(S, 1 + R, ...)``) when given, e.g. a slice of the caller's
    result buffer, so no intermediate city-first array is made.
    """
    if dest is None:
        dest = np.empty((x.shape[0], x.shape[1] + 1, *x.shape[2:]), dtype=x.dtype)
    dest[:, 1:] = x  # the counties follow the city
    np.sum(x, axis=REGION, out=dest[:, CITY_INDEX])
    return dest


#: demand-side arrays returned beside GDP, value added and final energy
_EXTRAS = (
    "floor_area",
    "vehicle_stock",
    "nev_stock",
    "freight_turnover",
    "primary_output",
    "green_hydrogen_production",
)


#: outputs of :func:`~carbonsim.engine.kernels_balance.fe_balances` always computed
_BALANCES = (
    "primary_energy",
    "co2_combustion_by_sector",
    "co2_process_by_product",
    "co2_by_source",
    "co2_by_fuel",
    "co2_electricity_trade",
)


def _demand_side(lv, p, dest=None, by_sector=True):
    """City-first demand arrays (:func:`~carbonsim.engine.kernels_demand.demand_side`), the
    city's electricity demand by class (S, Y) [TWh] and the sums primary energy and CO2 need."""
    return demand_side(lv, p, dest, by_sector)


def power_system(lv, p):
    """What the hourly dispatch is given, for every scenario and year, without running it.

    Returns
    -------
    system : dict of ndarray (S, Y)
        :func:`carbonsim.engine.power.dispatch_inputs` (capacities [GW], hours [h], storage
        [GWh], shares [1], UHVDC [TWh], exchange limit [GW]).
    demand : dict of ndarray (S, Y) [TWh]
        City electricity demand by class, grid losses included.
    """
    _, demand, _ = _demand_side(lv, p, by_sector=False)
    return power.dispatch_inputs(power.capacity(lv, p), lv, p), demand


def _power(lv, p, elec_twh, demand_by_class, accounting, hourly_index=None, dest=None):
    """Capacity, the hourly dispatch, and its flows by county (S, 1 + R, ..., Y), city first."""
    cap = power.capacity(lv, p)
    loss = p["grid_loss_rate"]
    demand_pre = elec_twh * (1.0 + loss)  # (S, R, Y)
    flows = power.balance(cap, lv, p, demand_by_class, hourly_index)
    charge = flows["storage_charge_battery"] + flows["storage_charge_phs"]
    losses = charge - flows["storage_discharge_battery"] - flows["storage_discharge_phs"]
    consumption_city = demand_pre.sum(axis=REGION) + losses
    mix = power.consumed_mix(flows, consumption_city, lv, accounting)
    # counties: generation by each plant's available output, storage losses where the storage
    # is (by energy capacity), imports by demand, exports by generation (city first)
    out = county_flows(cap, lv, p, elec_twh, flows, losses, dest)
    return out, mix, flows


def _sinks(lv, p, n, n_years):
    shape = (n, len(p["land_area"]), n_years)
    stock = lv.get("forest_stock", broadcast(p["forest_stock"][None, :, None], shape))
    cover = lv.get(
        "grassland_vegetation_coverage",
        broadcast(p["grassland_vegetation_coverage"][None, :, None], shape),
    )
    wet = lv.get("wetland_area", broadcast(p["wetland_area"][None, :, None], shape))
    stock, cover, wet = (
        broadcast(x if x.ndim == 3 else x[:, None], shape) for x in (stock, cover, wet)
    )
    forest = stock * p["forest_stock_growth_rate"] * p["forest_sink_per_stock"]
    grass = (
        p["grassland_area"][None, :, None]
        * ratio(cover, p["grassland_vegetation_coverage"][None, :, None])
        * p["grassland_sink_factor"]
    )
    wetland = wet * p["wetland_sink_factor"]
    return np.stack([forest, grass, wetland], axis=SINK)  # 1e4 t CO2


def _optional(lv, p, primary_output, need):
    """The county arrays (S, R, ..., Y) only some outputs need: those in *need* (None: all).

    ``co2_sink`` [1e4 t CO2], ``population`` [1e4], ``production_capacity`` [1e4 t/yr];
    *primary_output* (S, R, product, Y) [1e4 t] the counties' output by product.
    """
    n, _, n_y = lv["gdp_growth"].shape
    make = {
        "co2_sink": lambda: _sinks(lv, p, n, n_y),
        "population": lambda: (
            p["population"][None, :, None] * cumulative_index(lv["population_growth"])
        ),
        "production_capacity": lambda: stocks.production_capacity(
            primary_output,
            p["product_capacity"],
            p["capacity_max_utilisation"],
            p["capacity_retirement_rate"],
        ),
    }
    return {k: f() for k, f in make.items() if need is None or k in need}


def _without_dispatch(lv, p, keep, need, dest):
    """:func:`run` for outputs *keep* that need no dispatch (*need*, their dependencies, within
    :data:`NO_DISPATCH`): the demand side, and the installed capacity when asked for; no
    dispatch, no energy or CO2 balance.

    Each array is the one :func:`run` returns under the same name, bit for bit: the same
    kernels, or the same operations in the same order, compute it from the same inputs.
    """
    first, _, _ = _demand_side(lv, p, dest, by_sector=False)
    county = _optional(lv, p, first["primary_output"][:, 1:], need)
    out = first | {k: city_first(v, dest.get(k)) for k, v in county.items()}
    if need & CAPACITY_SIDE:  # the city summed as the compiled kernel sums it
        out |= {k: _city_first_in_order(v, dest.get(k)) for k, v in _installed(lv, p).items()}
    out |= derived(out, first["gdp"].shape, "consumption", _asks(need), dest)
    if need & CAPACITY_SIDE:
        out["pumped_hydro_capacity"] = out["capacity"][:, :, T["pumped_hydro"]]
        out["pumped_hydro_energy_capacity"] = out["pumped_hydro_energy"]
    for k, name in enumerate(_PRODUCT_CAPACITY):
        if name in need:
            out[name] = out["production_capacity"][:, :, k]
    return _into(dest, {k: out[k] for k in _NO_DISPATCH_ORDER if k in keep})


def _into(dest, out):
    """*out* with each array that has a destination in *dest* written into it (and replaced by
    it, so the returned dict holds the caller's arrays)."""
    for name, target in dest.items():
        if out.get(name) is not target:
            target[...] = out[name]
            out[name] = target
    return out


def _installed(lv, p):
    """Capacity (S, R, tech, Y) [GW] and storage energy (S, R, Y) [GWh] by county, as
    :func:`~carbonsim.engine.kernels_power.county_flows` computes them."""
    cap = power.capacity(lv, p)
    city = (cap.shape[0], cap.shape[-1])
    return {
        "capacity": cap,
        "battery_energy": cap[:, :, T["battery"]] * broadcast(lv["storage_hours"], city)[:, None],
        "pumped_hydro_energy": (
            cap[:, :, T["pumped_hydro"]] * broadcast(lv["pumped_hydro_hours"], city)[:, None]
        ),
    }


def _city_first_in_order(x: np.ndarray, dest: np.ndarray | None = None) -> np.ndarray:
    """:func:`city_first` with the counties added one after the other, first to last (the
    order of the compiled kernels' city sums)."""
    if dest is None:
        dest = np.empty((x.shape[0], x.shape[1] + 1, *x.shape[2:]), dtype=x.dtype)
    dest[:, 1:] = x
    city = dest[:, CITY_INDEX]
    city[...] = x[:, 0]
    for r in range(1, x.shape[1]):
        city += x[:, r]
    return dest


def run(
    lv: dict[str, np.ndarray],
    p: dict[str, np.ndarray],
    method: str = "coal_equivalent",
    co2_basis: str = "consumption",
    accounting: str = "grid_attributed",
    hourly_index: int | None = None,
    *,
    out: dict[str, np.ndarray] | None = None,
    keep: set[str] | frozenset[str] | None = None,
):
    """Simulate every scenario.

    Parameters
    ----------
    lv : dict of ndarray
        Lever arrays, ``(S, R, Y)`` for regional levers, ``(S, Y)`` otherwise, in lever units.
    p : dict of ndarray
        Baseline parameters (see :func:`carbonsim.model.parameters.engine_parameters`).
    method : {"coal_equivalent", "calorific"}
        How non-fossil electricity enters primary energy.
    co2_basis : {"consumption", "assessment", "territorial"}
        Which CO2 account ``co2`` (the peaking and intensity indicator) follows; all three are
        returned as ``co2_consumption``, ``co2_assessment``, ``co2_territorial``.
    accounting : {"grid_attributed", "local_first"}
        How the electricity consumed is booked (:mod:`carbonsim.engine.power`); both readings of
        the non-hydro renewable share are returned.
    hourly_index : int, optional
        ``scenario * n_years + year index`` of one dispatch whose hourly series to return too.
    out : dict of ndarray, optional
        Destination arrays (city first, the shapes this function returns) to write results
        into, e.g. slices of a caller's result buffers; the returned dict holds these arrays.
    keep : set of str, optional
        Names of the arrays to return (default: all).  What none of them needs
        (:func:`needed`) is not computed: the optional parts (sinks, primary energy by sector,
        ratios), and, when none of them needs the dispatch (:data:`NO_DISPATCH`: the demand
        side and the installed capacity), the dispatch and the energy and CO2 balances.

    Returns
    -------
    dict of ndarray
        Trajectory arrays; region axis = (city, counties...).  With *hourly_index*: a tuple
        ``(arrays, hourly)``, *hourly* a dict of (day, hour) series [GW] of that dispatch.
    """
    dest = out or {}
    need = needed(keep)
    if need is not None and need <= NO_DISPATCH and hourly_index is None:
        return _without_dispatch(lv, p, keep, need, dest)
    by_sector = need is None or "primary_energy_by_sector" in need
    first, demand_by_class, pre = _demand_side(lv, p, dest, by_sector)
    county_of = {k: v[:, 1:] for k, v in first.items()}  # the counties' slots
    elec_final = county_of["electricity_demand"]
    pw, mix, flows = _power(lv, p, elec_final, demand_by_class, accounting, hourly_index, dest)
    consumption = pw["electricity_consumption"][:, 1:]
    county_in = {**county_of, **{k: v[:, 1:] for k, v in pw.items()}}
    balances = fe_balances(first["final_energy"], pre, county_in, lv, p, mix, method, need, dest)
    ready = {**first, **balances, **pw}  # city-first already (in *dest* where given)
    # storage losses are met by surplus wind and solar: the emissions of the electricity supply
    # are shared over demand without them (so more storage in a county never adds to its CO2)
    demand_pre = consumption - pw["storage_losses"][:, 1:]
    ef_el = _electricity_emission_factor(mix["supply"], demand_pre.sum(axis=REGION), lv, p)
    extras = {k: first[k] for k in _EXTRAS}
    ready["freight_co2"] = ready["co2_combustion_by_sector"][:, :, SEC["freight_transport"]]
    county = {
        **{k: ready[k] for k in ("gdp", "value_added", "final_energy", "electricity_demand")},
        **{k: ready[k] for k in _BALANCES},
        "co2_electricity": demand_pre * ef_el[:, None, :],
        "freight_co2": ready["freight_co2"],
        **extras,
        **pw,
        **{k: ready[k] for k in OPTIONAL if k in ready and k != "building_electricity_share"},
    }
    county |= _optional(lv, p, county_of["primary_output"], need)
    if need is not None:
        county = {k: v for k, v in county.items() if k in need}
    # the demand side's arrays are city-first already (in *dest* where given)
    out = {k: v if k in ready else city_first(v, dest.get(k)) for k, v in county.items()}
    if "building_electricity_share" in ready:
        out["building_electricity_share"] = ready["building_electricity_share"]
    out["consumed_mix"] = mix
    n_reg = lv["gdp_growth"].shape[REGION] + 1  # the city and its counties
    city_wide = {
        "electricity_emission_factor": ef_el / CO2_1E4T_PER_TWH_PER_T_MWH,
        "curtailment_rate": flows["curtailment_rate"],
        "battery_cycles": flows["cycles_battery"],
        "pumped_hydro_cycles": flows["cycles_phs"],
        "battery_discharge": flows["storage_discharge_battery"],
        "pumped_hydro_discharge": flows["storage_discharge_phs"],
        "peak_residual_load": flows["peak_residual_load"],
        "unserved_energy": flows["unserved"],
        "uhvdc_renewable_export": flows["uhvdc_renewable_delivered"],
        "nonhydro_renewable_share_grid_attributed": mix["nhre_grid_attributed"],
        "nonhydro_renewable_share_local_first": mix["nhre_local_first"],
    }
    for name, arr in city_wide.items():
        if need is None or name in need:
            out[name] = _every_region(arr, n_reg, dest.get(name))
    out = derive(out, lv, p, co2_basis, need, dest)
    if keep is not None:
        out = {k: v for k, v in out.items() if k in keep}
    out = _into(dest, out)
    if hourly_index is None:
        return out
    return out, {k.removeprefix("hourly_"): v for k, v in flows.items() if k.startswith("hourly_")}


def _electricity_emission_factor(supply, demand_city, lv, p):
    """CO2 of the electricity consumed locally per TWh of demand (S, Y) [1e4 t CO2 / TWh].

    Per TWh of final demand plus grid losses (storage losses excluded: wind and solar charge the
    storage).  *supply* [TWh] (:func:`carbonsim.engine.power.consumed_mix`): local coal and gas
    plants at their own rates and fuel factors, the grid at its average emission factor; wind,
    solar, hydro and biomass at zero.
    """
    ef = p["emission_factor"]
    coal = supply["coal"] * lv["coal_supply_rate"] * TCE_1E4_PER_TWH_PER_GCE_KWH * ef[F["coal"]]
    gas = supply["gas"] * p["gas_heat_rate"] * TCE_1E4_PER_TWH_PER_GCE_KWH * ef[F["gas"]]
    grid = supply["grid"] * lv["grid_emission_factor"] * CO2_1E4T_PER_TWH_PER_T_MWH
    return ratio(coal + gas + grid, demand_city)


_ENERGY = ("primary_energy",)
_CO2 = ("co2_by_source", "co2_electricity_trade", "co2_electricity")
_CAPACITY = ("capacity", "battery_energy", "pumped_hydro_energy")
_ENERGY_OUTPUTS = (
    "energy_consumption",
    "non_fossil_energy",
    "fossil_energy",
    "coal_consumption",
    "oil_consumption",
    "gas_consumption",
    "coal_share",
    "non_fossil_share",
)
_CO2_OUTPUTS = ("co2", "co2_territorial", "co2_assessment", "co2_consumption", "co2_process")
_CAPACITY_OUTPUTS = (
    "new_energy_capacity",
    "storage_to_new_energy_ratio",
    "storage_duration",
    "pumped_hydro_capacity",
    "pumped_hydro_energy_capacity",
)
_INTENSITIES = (
    "energy_intensity",
    "energy_intensity_change",
    "co2_intensity",
    "co2_intensity_change",
    "coal_intensity",
    "coal_intensity_change",
    "industry_energy_intensity",
)
_PRODUCT_CAPACITY = tuple(f"capacity_{product}" for product in PRODUCTS)
#: derived output -> the arrays :func:`derive` computes it from
DERIVED_FROM: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(_ENERGY_OUTPUTS, _ENERGY),
    **dict.fromkeys(_CO2_OUTPUTS, _CO2),
    "co2_net": ("co2", "co2_sink"),
    "energy_intensity": ("energy_consumption", "gdp"),
    "co2_intensity": ("co2", "gdp"),
    "coal_intensity": ("coal_consumption", "gdp"),
    "energy_intensity_change": ("energy_intensity",),
    "co2_intensity_change": ("co2_intensity",),
    "coal_intensity_change": ("coal_intensity",),
    "industry_energy_intensity": ("primary_energy_by_sector", "value_added"),
    **dict.fromkeys(_CAPACITY_OUTPUTS, _CAPACITY),
    "building_electricity_share": ("final_energy",),
    "freight_co2_intensity": ("freight_co2", "freight_turnover"),
    "nev_stock_share": ("nev_stock", "vehicle_stock"),
    **dict.fromkeys(_PRODUCT_CAPACITY, ("production_capacity",)),
}


#: the outputs the demand side gives on its own, without the power system, its dispatch or the
#: energy and CO2 balances
DEMAND_SIDE = frozenset(
    {*DEMAND_SHAPES, "co2_sink", "population", "production_capacity", "nev_stock_share"}
    | set(_PRODUCT_CAPACITY)
)
#: the outputs of the installed capacity (GW, GWh and their ratios): no dispatch either
CAPACITY_SIDE = frozenset({*_CAPACITY, *_CAPACITY_OUTPUTS})
#: what :func:`run` computes without the dispatch when it keeps only these
NO_DISPATCH = DEMAND_SIDE | CAPACITY_SIDE
#: their order in :func:`run`'s results
_NO_DISPATCH_ORDER = (
    *("gdp", "value_added", "final_energy", "electricity_demand"),
    *_EXTRAS,
    *_CAPACITY,
    *("co2_sink", "population", "production_capacity"),
    *_CAPACITY_OUTPUTS,
    "nev_stock_share",
    *_PRODUCT_CAPACITY,
)
assert set(_NO_DISPATCH_ORDER) == NO_DISPATCH


def _asks(need: set[str] | None):
    """``wanted(*names)``: whether *need* (None: everything) holds any of *names*."""

    def wanted(*names: str) -> bool:
        return need is None or any(name in need for name in names)

    return wanted


def needed(keep: set[str] | frozenset[str] | None) -> set[str] | None:
    """The arrays to compute for the outputs *keep* (None: everything), dependencies included.

    :func:`run` and :func:`derive` compute only these; when they all lie in
    :data:`NO_DISPATCH`, :func:`run` runs no dispatch either.
    """
    if keep is None:
        return None
    need, todo = set(), list(keep)
    while todo:
        name = todo.pop()
        if name not in need:
            need.add(name)
            todo.extend(DERIVED_FROM.get(name, ()))
    return need


def _every_region(city_wide, n_regions, dest=None):
    """A city-wide array (S, Y) repeated for the city and every county (S, 1 + R, Y)."""
    if dest is None:
        return np.repeat(city_wide[:, None], n_regions, axis=REGION)
    dest[...] = city_wide[:, None]
    return dest


def derive(
    out: dict,
    lv: dict,
    p: dict,
    co2_basis: str = "consumption",
    need: set[str] | None = None,
    dest: dict | None = None,
) -> dict:
    """Totals, shares and intensities from the (city-prepended) additive arrays.

    With *need* (from :func:`needed`) only those outputs are derived; into *dest*'s arrays
    (S, 1 + R, Y) where given.
    """
    dest = dest or {}
    wanted = _asks(need)
    n, n_counties, n_y = lv["gdp_growth"].shape
    n_regions = n_counties + 1  # the city and its counties
    d = derived(out, (n, n_regions, n_y), co2_basis, wanted, dest)
    if wanted(*_ENERGY_OUTPUTS):
        primary = out["primary_energy"]
        out["energy_consumption"] = d["energy_consumption"]
        out["non_fossil_energy"] = primary[:, :, 3]
        out["fossil_energy"] = d["fossil_energy"]
        out["coal_consumption"] = primary[:, :, 0]
        out["oil_consumption"] = primary[:, :, 1]
        out["gas_consumption"] = primary[:, :, 2]
        out["coal_share"] = d["coal_share"]
        out["non_fossil_share"] = d["non_fossil_share"]
    mix = out.pop("consumed_mix")
    for name, key in (("nonhydro_renewable_share", "nhre"), ("electricity_non_fossil_share",
                                                            "non_fossil")):  # fmt: skip
        out[name] = _every_region(mix[key], n_regions, dest.get(name))
    if wanted(*_CO2_OUTPUTS, "co2_net"):
        out |= {k: d[k] for k in ("co2_territorial", "co2_assessment", "co2_consumption", "co2")}
        out["co2_process"] = out["co2_by_source"][:, :, 3]
        if wanted("co2_net"):
            out["co2_net"] = d["co2_net"]
    out |= {k: d[k] for k in _INTENSITIES if k in d}
    if wanted(*_CAPACITY_OUTPUTS):
        cap = out["capacity"]
        out |= {k: d[k] for k in _CAPACITY_OUTPUTS[:3]}
        out["pumped_hydro_capacity"] = cap[:, :, T["pumped_hydro"]]
        out["pumped_hydro_energy_capacity"] = out["pumped_hydro_energy"]
    if "building_electricity_share" in out:  # computed by fe_balances: keep the output order
        out["building_electricity_share"] = out.pop("building_electricity_share")
    out.pop("freight_co2", None)
    out |= {k: d[k] for k in ("freight_co2_intensity", "nev_stock_share") if k in d}
    if wanted(*_PRODUCT_CAPACITY):
        for k, name in enumerate(_PRODUCT_CAPACITY):
            out[name] = out["production_capacity"][:, :, k]
    return out
