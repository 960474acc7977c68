"""The demand side in one compiled pass: lever arrays -> final energy and its drivers, city first.

:func:`demand_side` computes, for every scenario, county and year, what
:mod:`carbonsim.engine.demand`, :mod:`~carbonsim.engine.economy` and
:mod:`~carbonsim.engine.stocks` compute with numpy (GDP, value added, the six products, other
industry and construction, buildings with their vintages, the passenger fleet, freight,
agriculture, green hydrogen), in the same order of operations, and writes each result straight
into its city-first destination (the city, the sum over counties, at region index 0), plus the
final electricity and the city's electricity demand by class that the dispatch is given.
Parameter-only quantities (2020 shares, totals, intensities) are computed once with the numpy
expressions of those modules.
"""

from __future__ import annotations

import numpy as np
from numba import njit, types

from carbonsim.constants import (
    FUELS,
    KG_PER_1E4T,
    PRODUCTS,
    SECTORS,
    TWH_PER_KWH,
)
from carbonsim.engine.arith import broadcast, ratio
from carbonsim.engine.axes import CITY_INDEX, F, S
from carbonsim.engine.demand import (
    END_USE_EFFICIENCY,
    RECYCLED_ALUMINIUM_ENERGY_FRACTION,
    TCE_PER_T_HYDROGEN,
)
from carbonsim.engine.demand import _mix0 as _mix0_numpy
from carbonsim.engine.kernels_balance import fuel_sums
from carbonsim.engine.scalar import (
    IN,
    JIT,
    OUT,
    allocate,
    clip01,
    compile_kernel,
    maximum,
    minimum,
    switch_mix,
)
from carbonsim.engine.scalar import ratio as ratio1

__all__ = ["DEMAND_CLASS", "DEMAND_CLASSES", "LEVERS", "demand_side"]


#: levers the demand side reads, in the order of the kernel's lever tuple
LEVERS = (
    "gdp_growth", "primary_share", "industry_share", "construction_share",
    *(f"output_{p}" for p in PRODUCTS), "recycled_aluminium_share",
    *(f"unit_energy_change_{p}" for p in PRODUCTS),
    "other_industry_intensity_change", "industry_electricity_share", "industry_gas_share",
    "green_hydrogen_production", "new_industry_electricity",
    "agriculture_intensity_change", "agriculture_electricity_share",
    "residential_floor_area_growth", "public_floor_area_growth", "new_building_intensity_change",
    "residential_retrofit_rate", "public_retrofit_rate", "retrofit_gain",
    "building_electricity_share", "building_gas_share",
    "vehicle_stock_growth", "vehicle_scrappage_rate", "nev_sales_share",
    "vehicle_efficiency_change", "green_travel_share",
    "freight_turnover_growth", "freight_intensity_change",
    "freight_electricity_share", "freight_gas_share", "freight_hydrogen_share",
)  # fmt: skip
#: the city's electricity demand classes (rows of the kernel's ``demand`` output)
DEMAND_CLASSES = ("industry", "other", "buildings", "ev", "electrolysis")

N_F, N_K, N_P = len(FUELS), len(SECTORS), len(PRODUCTS)
COAL, OIL, GAS, EL, H2 = F["coal"], F["oil"], F["gas"], F["electricity"], F["hydrogen"]
K_OI, K_CON, K_AG = S["other_industry"], S["construction"], S["agriculture"]
K_RES, K_PUB, K_PASS, K_FR = (
    S["residential"],
    S["public"],
    S["passenger_transport"],
    S["freight_transport"],
)
#: final-energy sector of each product
PRODUCT_SECTOR = tuple(S[{"clinker": "cement"}.get(p, p)] for p in PRODUCTS)
#: final-energy sector -> the demand class whose hourly shape its electricity follows
DEMAND_CLASS = {
    **{sector: "industry" for sector in SECTORS[:7]},
    "construction": "other",
    "agriculture": "other",
    "residential": "buildings",
    "public": "buildings",
    "passenger_transport": "ev",
    "freight_transport": "ev",
}
# the demand class of each sector (index into DEMAND_CLASSES)
SECTOR_CLASS = tuple(DEMAND_CLASSES.index(DEMAND_CLASS[s]) for s in SECTORS)

# columns of the per-county parameter table ``reg`` (R, column)
(GDP0, VA0, OI0, BEFORE_OI, CON0, VS0, NEV0, GTS0, FT0, FR0, BEFORE_FR, AG0, BEFORE_AG,
 AREA0, INT0, BEFORE_B) = (0, 1, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20)  # fmt: skip
N_REG = 22
# rows of the 2020 fuel-share table ``base`` (row, R, fuel); OTHER_PASS: passenger energy
# other than cars [1e4 tce]
MIX_OI, MIX_CON, MIX_B, MIX_FR, MIX_AG, OTHER_PASS = 0, 1, 2, 4, 5, 6
# rows of ``eff`` (END_USE_EFFICIENCY)
EFF_B, EFF_IND, EFF_FR, EFF_AG = 0, 1, 2, 3
# entries of the scalar vector ``q``
REC_UNIT, TWH_PER_10KTCE, E_OIL, E_EL, H2_ELEC, LOSS, H2_TWH, HAS_NEW, HSE, BY_SECTOR = range(10)


@njit(inline="always", **JIT)
def _useful(mix, t, eff, before) -> float:
    """Final energy after / before switching to the fuel shares ``mix[:, t]``.

    As :func:`~carbonsim.engine.demand.useful_energy_factor`: the ratio of the average
    end-use efficiencies *before* (2020) and after.
    """
    after = 0.0
    for f in range(mix.shape[0]):
        after += mix[f, t] * eff[f]
    return ratio1(before, after, 1.0)


@njit(**JIT)
def _write(energy, mix, out) -> None:
    """``out[f, t] = energy[t] * mix[f, t]`` (fuel by fuel: the year axis is contiguous)."""
    for f in range(out.shape[0]):
        for t in range(out.shape[1]):
            out[f, t] = energy[t] * mix[f, t]


@njit(**JIT)
def _cumulative(growth, s, r, base, out) -> None:
    """``base * cumulative_index(growth)`` of one county into *out* (year,)."""
    index = 1.0
    out[0] = base * index
    for t in range(1, out.shape[0]):
        index *= 1.0 + growth[s, r, t]
        out[t] = base * index


@njit(**JIT)
def _economy(lv, s, r, reg, gdp, va) -> None:
    """GDP and value added (primary, industry, construction, tertiary) of county *r*."""
    _cumulative(lv[0], s, r, reg[r, GDP0], gdp)
    for t in range(gdp.shape[0]):
        a, b, c = lv[1][s, r, t], lv[2][s, r, t], lv[3][s, r, t]
        va[0, t] = gdp[t] * a
        va[1, t] = gdp[t] * b
        va[2, t] = gdp[t] * c
        va[3, t] = gdp[t] * (1.0 - a - b - c)


@njit(**JIT)
def _industry(lv, products, changes, s, r, reg, base, eff, pfm, unit, q, va, fe, primary, mix,  # noqa: C901
              energy) -> None:  # fmt: skip
    """Products, other industry and construction of county *r* (:func:`demand.industry`)."""
    n_y = fe.shape[-1]
    recycled_share = lv[0]
    for k in range(N_P):
        output, change, sector = products[k], changes[k], PRODUCT_SECTOR[k]
        for t in range(n_y):
            out = output[s, r, t]
            recycled = out * recycled_share[s, r, t] if k == 0 else 0.0
            prim = out - recycled
            energy[t] = prim * (unit[k] * (1.0 + change[s, r, t])) + recycled * q[REC_UNIT]
            primary[k, t] = prim
        for f in range(N_F):
            for t in range(n_y):
                fe[sector, f, t] = energy[t] * pfm[k, f]
    shares = np.empty(2)
    for t in range(n_y):
        scale = 1.0 + lv[1][s, r, t]
        oi = reg[r, OI0] * ratio1(va[1, t], reg[r, VA0 + 1], 0.0) * scale
        shares[0], shares[1] = lv[2][s, r, t], lv[3][s, r, t]
        switch_mix(base[MIX_OI, r], (EL, GAS), shares, COAL, mix, t)
        energy[t] = oi * _useful(mix, t, eff[EFF_IND], reg[r, BEFORE_OI])
    _write(energy, mix, fe[K_OI])
    for t in range(n_y):
        energy[t] = reg[r, CON0] * ratio1(va[2, t], reg[r, VA0 + 2], 0.0) * (1.0 + lv[1][s, r, t])
    for f in range(N_F):
        for t in range(n_y):
            fe[K_CON, f, t] = energy[t] * base[MIX_CON, r, f]
    if q[HAS_NEW] != 0:
        for t in range(n_y):
            fe[K_OI, EL, t] += lv[4][s, r, t] / q[TWH_PER_10KTCE]


@njit(**JIT)
def _building(lv, growth, retrofit, s, r, b, reg, base, eff, area, fe_b, mix, e_out) -> None:
    """Floor area and final energy of building type *b* in county *r* (vintages, fuel switch)."""
    new_change, gain = lv[0], lv[1]
    elec, gas = lv[2], lv[3]
    area0, intensity0 = reg[r, AREA0 + b], reg[r, INT0 + b]
    mix0 = base[MIX_B + b, r]
    old, e_retro, e_new = area0, 0.0, 0.0
    shares = np.empty(2)
    for t in range(area.shape[0]):
        if t == 0:
            total = area0
            energy = old * intensity0
        else:
            total_prev = area[t - 1]
            total = total_prev * (1.0 + growth[s, r, t])
            shrink = minimum(1.0, total / (total_prev if total_prev > 0 else 1.0))
            old, e_retro, e_new = old * shrink, e_retro * shrink, e_new * shrink
            moved = old * retrofit[s, r, t]
            old = old - moved
            e_retro = e_retro + moved * intensity0 * (1.0 - gain[s, r, t])
            added = maximum(total - total_prev, 0.0)
            e_new = e_new + added * intensity0 * (1.0 + new_change[s, r, t])
            energy = old * intensity0 + e_retro + e_new
        area[t] = total
        se = clip01(mix0[EL] + elec[s, r, t] - elec[s, r, 0])
        sg = clip01(mix0[GAS] + gas[s, r, t] - gas[s, r, 0])
        over = maximum(se + sg, 1.0)
        shares[0], shares[1] = se / over, sg / over
        switch_mix(mix0, (EL, GAS), shares, COAL, mix, t)
        e_out[t] = energy * _useful(mix, t, eff[EFF_B], reg[r, BEFORE_B + b])
    _write(e_out, mix, fe_b)


@njit(**JIT)
def _passenger(lv, s, r, reg, base, q, stock, nev, fe_p) -> None:
    """Vehicle fleet, its electric part and passenger final energy of county *r*."""
    growth, scrap, sales_share, eff_change, green = lv[0], lv[1], lv[2], lv[3], lv[4]
    stock0 = reg[r, VS0]
    gts0 = reg[r, GTS0]
    for t in range(stock.shape[0]):
        if t == 0:
            stock[0] = stock0
            nev[0] = stock0 * reg[r, NEV0]
        else:
            prev, prev_nev = stock[t - 1], nev[t - 1]
            stock[t] = prev * (1.0 + growth[s, r, t])
            survivors = prev * (1.0 - scrap[s, r, t])
            sales = maximum(stock[t] - survivors, 0.0)
            keep = minimum(1.0, stock[t] / (survivors if survivors > 0 else 1.0))
            nev_survivors = prev_nev * (1.0 - scrap[s, r, t]) * (1.0 if sales > 0 else keep)
            nev[t] = minimum(nev_survivors + sales * sales_share[s, r, t], stock[t])
        use = (1.0 - green[s, r, t]) / (1.0 - gts0)
        eff = 1.0 + eff_change[s, r, t]
        grow = ratio1(stock[t], stock0, 0.0)
        for f in range(N_F):
            fe_p[f, t] = base[OTHER_PASS, r, f] * grow
        fe_p[OIL, t] += (stock[t] - nev[t]) * q[E_OIL] * eff * use
        fe_p[EL, t] += nev[t] * q[E_EL] * eff * use


@njit(**JIT)
def _freight_agriculture(lv, s, r, reg, base, eff, va, turnover, fe, mix, energy) -> None:
    """Freight turnover and road freight and agricultural final energy of county *r*."""
    _cumulative(lv[0], s, r, reg[r, FT0], turnover)
    shares = np.empty(3)
    for t in range(turnover.shape[0]):
        total = reg[r, FR0] * ratio1(turnover[t], reg[r, FT0], 0.0)
        total = total * (1.0 + lv[1][s, r, t])
        shares[0], shares[1], shares[2] = lv[2][s, r, t], lv[3][s, r, t], lv[4][s, r, t]
        switch_mix(base[MIX_FR, r], (EL, GAS, H2), shares, OIL, mix, t)
        energy[t] = total * _useful(mix, t, eff[EFF_FR], reg[r, BEFORE_FR])
    _write(energy, mix, fe[K_FR])
    for t in range(turnover.shape[0]):
        total = reg[r, AG0] * ratio1(va[0, t], reg[r, VA0], 0.0)
        total = total * (1.0 + lv[5][s, r, t])
        shares[0] = lv[6][s, r, t]
        switch_mix(base[MIX_AG, r], (EL,), shares[:1], OIL, mix, t)
        energy[t] = total * _useful(mix, t, eff[EFF_AG], reg[r, BEFORE_AG])
    _write(energy, mix, fe[K_AG])


@njit(**JIT)
def _hydrogen(lv, s, r, q, fe, h2_mass) -> None:
    """Green hydrogen replaces other industry's coal (:func:`demand.hydrogen_supply`)."""
    for t in range(h2_mass.shape[0]):
        produced = lv[0][s, r, t]
        used = minimum(produced * TCE_PER_T_HYDROGEN, fe[K_OI, COAL, t])
        fe[K_OI, COAL, t] -= used
        fe[K_OI, H2, t] += used
        total_mass = produced + fe[K_FR, H2, t] / TCE_PER_T_HYDROGEN
        twh = total_mass * KG_PER_1E4T * q[H2_ELEC] * TWH_PER_KWH
        fe[K_OI, EL, t] += twh / q[TWH_PER_10KTCE]
        h2_mass[t] = total_mass


@njit(**JIT)
def _city_sum(x) -> None:
    """Region index 0 of *x* (1 + R, Y) := the sum over the counties, in county order."""
    for t in range(x.shape[1]):
        total = x[1, t]
        for r in range(2, x.shape[0]):
            total += x[r, t]
        x[0, t] = total


@njit(**JIT)
def _city_sum2(x) -> None:
    """:func:`_city_sum` of a (1 + R, k, Y) array."""
    for k in range(x.shape[1]):
        _city_sum(x[:, k])


@njit(**JIT)
def _city_sum3(x) -> None:
    """:func:`_city_sum` of a (1 + R, k, f, Y) array."""
    for k in range(x.shape[1]):
        for f in range(x.shape[2]):
            _city_sum(x[:, k, f])


@njit(**JIT)
def _electricity(fe, h2_mass, q, elec, demand, city, by_class) -> None:  # noqa: C901
    """Final electricity (1 + R, Y) [TWh] and the city's demand by class (class, Y) of one
    scenario (``fe`` (1 + R, sector, fuel, Y), ``h2_mass`` (1 + R, Y); *city*, *by_class*:
    scratch)."""
    n_r, n_y = fe.shape[0], fe.shape[-1]
    twh = q[TWH_PER_10KTCE]
    for r in range(1, n_r):
        for t in range(n_y):
            total = fe[r, 0, EL, t] * twh
            for k in range(1, N_K):
                total += fe[r, k, EL, t] * twh
            elec[r, t] = total
    for k in range(N_K):
        for t in range(n_y):
            c = fe[1, k, EL, t] * twh
            for r in range(2, n_r):
                c += fe[r, k, EL, t] * twh
            city[k, t] = c
    _city_sum(elec)
    for t in range(n_y):
        electrolysis = h2_mass[1, t] * q[H2_TWH]
        for r in range(2, n_r):
            electrolysis += h2_mass[r, t] * q[H2_TWH]
        by_class[:] = 0.0
        for k in range(N_K):
            by_class[SECTOR_CLASS[k]] += city[k, t]
        by_class[4] = electrolysis
        by_class[0] = maximum(by_class[0] - electrolysis, 0.0)
        for c in range(len(DEMAND_CLASSES)):
            demand[c, t] = by_class[c] * (1.0 + q[LOSS])


def _kernel(lv, reg, base, eff, pfm, unit, ef, q, fe, gdp, va, floor, stock, nev, turnover,
            primary, h2_mass, elec, demand, comb, dh, sums, total):  # fmt: skip
    n, n_r, n_y = lv[0].shape
    mix = np.empty((N_F, n_y))
    energy = np.empty(n_y)
    city = np.empty((N_K, n_y))
    by_class = np.empty(len(DEMAND_CLASSES))
    products = (lv[4], lv[5], lv[6], lv[7], lv[8], lv[9])  # output by product
    changes = (lv[11], lv[12], lv[13], lv[14], lv[15], lv[16])  # unit energy change
    # each part is given only the levers it reads (in the order its code indexes them)
    economy = (lv[0], lv[1], lv[2], lv[3])
    industry = (lv[10], lv[17], lv[18], lv[19], lv[21])
    bld = (lv[26], lv[29], lv[30], lv[31])
    passenger = (lv[32], lv[33], lv[34], lv[35], lv[36])
    freight = (lv[37], lv[38], lv[39], lv[40], lv[41], lv[22], lv[23])
    hydrogen = (lv[20],)
    for s in range(n):
        for r in range(n_r):
            c = r + 1  # the county's slot (the city is at 0)
            _economy(economy, s, r, reg, gdp[s, c], va[s, c])
            _industry(industry, products, changes, s, r, reg, base, eff, pfm, unit, q, va[s, c],
                      fe[s, c], primary[s, c], mix, energy)  # fmt: skip
            _building(bld, lv[24], lv[27], s, r, 0, reg, base, eff, floor[s, c, 0], fe[s, c, K_RES],
                      mix, energy)  # fmt: skip
            _building(bld, lv[25], lv[28], s, r, 1, reg, base, eff, floor[s, c, 1], fe[s, c, K_PUB],
                      mix, energy)  # fmt: skip
            _passenger(passenger, s, r, reg, base, q, stock[s, c], nev[s, c], fe[s, c, K_PASS])
            _freight_agriculture(freight, s, r, reg, base, eff, va[s, c], turnover[s, c], fe[s, c],
                                 mix, energy)  # fmt: skip
            _hydrogen(hydrogen, s, r, q, fe[s, c], h2_mass[s, c])
        # the city while the scenario is in cache
        for x in (gdp, stock, nev, turnover, h2_mass):
            _city_sum(x[s])
        for x in (va, floor, primary):
            _city_sum2(x[s])
        _city_sum3(fe[s])
        _electricity(fe[s], h2_mass[s], q, elec[s], demand[:, s], city, by_class)
        by_sector = q[BY_SECTOR] != 0
        fuel_sums(fe[s], ef, q[HSE], by_sector, comb[s], dh[s] if by_sector else comb[s],
                  sums[s], total[s])  # fmt: skip


_compiled = compile_kernel(
    _kernel,
    types.UniTuple(IN[3], len(LEVERS)),
    IN[2], IN[3], IN[2], IN[2], IN[1], IN[1], IN[1],
    OUT[5], OUT[3], OUT[4], OUT[4], OUT[3], OUT[3], OUT[3], OUT[4], OUT[3], OUT[3], OUT[3],
    OUT[4], OUT[4], OUT[4], OUT[3],
)  # fmt: skip


def _mix0(fe0_sector: np.ndarray) -> np.ndarray:
    """2020 fuel shares (region, fuel) of a sector: :func:`carbonsim.engine.demand._mix0`."""
    return _mix0_numpy(fe0_sector)[0, :, :, 0]


def _before(mix0: np.ndarray, eff: np.ndarray) -> np.ndarray:
    """The 2020 average end-use efficiency (region,), summed as ``useful_energy_factor`` does."""
    return (mix0[None, :, :, None] * eff[None, None, :, None]).sum(axis=-2)[0, :, 0]


#: the parameters :func:`_make_tables` reads
_TABLE_PARAMETERS = (
    "final_energy", "floor_area", "freight_turnover", "gdp", "green_travel_share",
    "grid_loss_rate", "heat_supply_efficiency", "hydrogen_electricity",
    "hydrogen_electricity_twh_per_1e4t", "nev_stock_share", "twh_per_10ktce", "unit_energy",
    "value_added", "vehicle_energy", "vehicle_stock",
)  # fmt: skip
#: id of the first parameter -> (the parameters, their tables); for read-only parameters only
_TABLES: dict[int, tuple[tuple, tuple]] = {}


def _tables(p: dict) -> tuple[np.ndarray, ...]:
    """:func:`_make_tables` of *p*, kept while its parameters are the same read-only arrays (a
    baseline's, :func:`~carbonsim.model.parameters.engine_parameters`); ``q`` is the caller's
    copy (it writes two flags into it)."""
    used = tuple(p[k] for k in _TABLE_PARAMETERS)
    if any(isinstance(a, np.ndarray) and a.flags.writeable for a in used):
        return _make_tables(p)
    hit = _TABLES.get(id(used[0]))
    if hit is None or any(a is not b for a, b in zip(hit[0], used, strict=True)):
        if len(_TABLES) >= 8:
            _TABLES.clear()
        tables = _make_tables(p)
        for table in tables:
            table.flags.writeable = False  # shared by every later run on these parameters
        hit = _TABLES[id(used[0])] = (used, tables)
    reg, base, eff, q = hit[1]
    return reg, base, eff, q.copy()


def _make_tables(p: dict) -> tuple[np.ndarray, ...]:
    """The parameter-only tables of the kernel: ``reg``, ``base``, ``eff``, ``q`` (see above)."""
    fe0 = p["final_energy"]
    n_r = fe0.shape[0]
    reg = np.zeros((n_r, N_REG))
    base = np.zeros((7, n_r, N_F))
    mixes = {MIX_OI: K_OI, MIX_CON: K_CON, MIX_B: K_RES, MIX_B + 1: K_PUB, MIX_FR: K_FR,
             MIX_AG: K_AG}  # fmt: skip
    for row, k in mixes.items():
        base[row] = _mix0(fe0[:, k])
    reg[:, GDP0] = p["gdp"]
    reg[:, VA0 : VA0 + 4] = p["value_added"]
    reg[:, OI0], reg[:, CON0] = fe0[:, K_OI].sum(-1), fe0[:, K_CON].sum(-1)
    reg[:, FR0], reg[:, AG0] = fe0[:, K_FR].sum(-1), fe0[:, K_AG].sum(-1)
    reg[:, BEFORE_OI] = _before(base[MIX_OI], END_USE_EFFICIENCY["industry"])
    reg[:, BEFORE_FR] = _before(base[MIX_FR], END_USE_EFFICIENCY["freight"])
    reg[:, BEFORE_AG] = _before(base[MIX_AG], END_USE_EFFICIENCY["agriculture"])
    for b, k in enumerate((K_RES, K_PUB)):
        reg[:, AREA0 + b] = p["floor_area"][:, b]
        reg[:, INT0 + b] = ratio(fe0[:, k].sum(-1), p["floor_area"][:, b])
        reg[:, BEFORE_B + b] = _before(base[MIX_B + b], END_USE_EFFICIENCY["buildings"])
    reg[:, VS0], reg[:, NEV0] = p["vehicle_stock"], p["nev_stock_share"]
    reg[:, GTS0], reg[:, FT0] = p["green_travel_share"], p["freight_turnover"]
    e_oil, e_el = p["vehicle_energy"][OIL], p["vehicle_energy"][EL]
    cars0 = np.zeros((n_r, N_F))
    cars0[:, OIL] = p["vehicle_stock"] * (1 - p["nev_stock_share"]) * e_oil
    cars0[:, EL] = p["vehicle_stock"] * p["nev_stock_share"] * e_el
    base[OTHER_PASS] = np.maximum(fe0[:, K_PASS] - cars0, 0.0)
    groups = ("buildings", "industry", "freight", "agriculture")
    eff = np.stack([END_USE_EFFICIENCY[g] for g in groups])
    q = np.zeros(10)
    q[REC_UNIT] = p["unit_energy"][0] * RECYCLED_ALUMINIUM_ENERGY_FRACTION
    q[TWH_PER_10KTCE], q[E_OIL], q[E_EL] = p["twh_per_10ktce"], e_oil, e_el
    q[H2_ELEC], q[LOSS] = p["hydrogen_electricity"], p["grid_loss_rate"]
    q[H2_TWH] = p["hydrogen_electricity_twh_per_1e4t"]
    q[HSE] = p["heat_supply_efficiency"]
    return reg, base, eff, q


#: outputs of :func:`demand_side`: name -> shape after (S, 1 + R) and before Y
SHAPES = {
    "final_energy": (N_K, N_F),
    "gdp": (),
    "value_added": (4,),
    "floor_area": (2,),
    "vehicle_stock": (),
    "nev_stock": (),
    "freight_turnover": (),
    "primary_output": (N_P,),
    "green_hydrogen_production": (),
    "electricity_demand": (),
}


#: the new-industry electricity lever when a scenario sets none (read-only, one object)
_NO_NEW_INDUSTRY = np.zeros((1, 1, 1))
_NO_NEW_INDUSTRY.flags.writeable = False


def demand_side(
    lv: dict, p: dict, dest: dict | None = None, by_sector: bool = True
) -> tuple[dict, dict, dict]:
    """Final energy, its drivers and the electricity demand of every scenario, city first.

    Parameters
    ----------
    lv : dict of ndarray
        Lever arrays, ``(S, R, Y)`` regional or ``(S, Y)`` city-wide (:data:`LEVERS`;
        ``new_industry_electricity`` [TWh/yr] is optional).
    p : dict
        Baseline parameters (:func:`carbonsim.model.parameters.engine_parameters`).
    dest : dict of ndarray, optional
        Destination arrays ``(S, 1 + R, ..., Y)`` for some of the outputs (e.g. slices of a
        caller's buffers); the others are allocated.
    by_sector : bool
        Whether to prepare primary energy by sector (``pre`` below).

    Returns
    -------
    arrays : dict of ndarray (S, 1 + R, ..., Y)
        ``final_energy`` (sector, fuel) [1e4 tce], ``gdp`` and ``value_added`` (primary,
        industry, construction, tertiary) [1e8 CNY], ``floor_area`` (residential, public)
        [1e4 m2], ``vehicle_stock``, ``nev_stock`` [1e4 vehicles], ``freight_turnover``
        [1e8 tkm], ``primary_output`` (product) [1e4 t], ``green_hydrogen_production`` [1e4 t],
        ``electricity_demand`` (final electricity) [TWh]; the city at region index 0.
    demand : dict of ndarray (S, Y) [TWh]
        The city's electricity demand by class (:data:`DEMAND_CLASSES`), grid losses included.
    pre : dict of ndarray
        The sums over final energy for :func:`~carbonsim.engine.kernels_balance.fe_balances`
        (:func:`~carbonsim.engine.kernels_balance.fuel_sums`).
    """
    dest = dest or {}
    n, n_r, n_y = lv["gdp_growth"].shape
    shape = (n, n_r, n_y)
    new = lv.get("new_industry_electricity")
    levers = tuple(
        broadcast(x, shape, axis=1)
        for x in (
            new if name == "new_industry_electricity" and new is not None
            else _NO_NEW_INDUSTRY if name == "new_industry_electricity"
            else lv[name]
            for name in LEVERS
        )
    )  # fmt: skip
    reg, base, eff, q = _tables(p)
    q[HAS_NEW], q[BY_SECTOR] = float(new is not None), float(by_sector)
    shapes = {k: (n, n_r + 1, *extra, n_y) for k, extra in SHAPES.items()}
    shapes |= {
        "co2_combustion_by_sector": (n, n_r + 1, N_K, n_y),
        "primary_energy_by_sector": (n, n_r + 1, N_K, n_y) if by_sector else (0, 0, 0, 0),
        "sums": (n, n_r, N_F, n_y),
        "total": (n, n_r, n_y),
    }
    out = allocate(shapes, dest)
    demand = np.empty((len(DEMAND_CLASSES), n, n_y))
    _compiled()(
        levers, reg, base, eff, p["product_fuel_mix"], p["unit_energy"], p["emission_factor"], q,
        *(out[k] for k in SHAPES), demand,
        *(out[k] for k in ("co2_combustion_by_sector", "primary_energy_by_sector", "sums",
                           "total")),
    )  # fmt: skip
    assert CITY_INDEX == 0
    pre = {k: out.pop(k) for k in list(out) if k not in SHAPES}
    return out, dict(zip(DEMAND_CLASSES, demand, strict=True)), pre
