#!/usr/bin/env python3
"""Hourly profile shapes and representative days for carbonsim (Wuzhong, Ningxia).

Deterministic (fixed seeds).  Writes, under ./data/ next to this file:

  profiles_8760.csv        day, month, hour, wind, solar, industry, buildings, ev,
                           electrolysis, other            (8760 rows)
  solar_by_county_8760.csv day, month, hour, <one solar shape per county>
  representative_days.csv  rep, month, kind, weight, source_day, hour, <profiles>

Representative days: greedy duration-curve matching with NNLS weights and a
continuity penalty (see select_representative_days and data/README.md).

Every profile column is a SHAPE: mean exactly 1 over the 8760 hours and, in the
representative-day file, weighted mean exactly 1 with the day weights.  The
kernel multiplies by (utilisation_hours / 8760) for capacity factors and by
(annual_energy / 8760) for loads.

Calendar: 2021 (a non-leap year, so 365 days / 8760 h without dropping Feb 29;
1 Jan 2021 is a Friday).  Local time Asia/Shanghai (UTC+8, no DST); hour h is
the interval h:00-h+1:00 and sun position is evaluated at h:30.

Only numpy, pandas and pvlib are used.  See data/README.md for provenance.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pvlib

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"

YEAR = 2021
TZ = "Asia/Shanghai"
SEED = 20211130  # single master seed; every stochastic block derives from it

PROFILE_COLS = ["wind", "solar", "industry", "buildings", "ev", "electrolysis", "other"]

# ----------------------------------------------------------------------------
# Sites.  lat, lon (deg), elevation (m), relative sunshine offset (see README)
# ----------------------------------------------------------------------------
COUNTIES = {
    #               lat      lon       elev   d_sunshine
    "litong": (38.000, 106.200, 1120, 0.00),  # Wikipedia 'Litong District' 38°00'N 106°12'E
    "qingtongxia": (37.885, 105.991, 1130, 0.00),  # Wikipedia 'Qingtongxia' 37°53'06"N 105°59'27"E
    "hongsibu": (37.420, 106.060, 1350, -0.01),  # brief estimate; elevation 1240-1450 m (Wikipedia)
    "yanchi": (
        37.783,
        107.407,
        1400,
        -0.01,
    ),  # Wikipedia 'Yanchi County' (Gaode) 37.7833N 107.4072E
    "tongxin": (36.954, 105.895, 1340, -0.02),  # Wikipedia 'Tongxin County' 36.9544N 105.8954E
}

# ----------------------------------------------------------------------------
# Solar: monthly relative sunshine (sunshine duration / possible), Yinchuan-like
# plain.  Approximate values consistent with an annual total of ~2,900 h and a
# 50-69 % sunshine percentage range for Ningxia; Jul-Sep (rain season) lowest.
# ----------------------------------------------------------------------------
SUNSHINE_FRAC = np.array([0.71, 0.67, 0.64, 0.67, 0.68, 0.67, 0.62, 0.62, 0.60, 0.67, 0.70, 0.72])
ANGSTROM_A = 0.30  # clearness of a fully overcast day relative to clear sky
BETA_CONC = 4.0  # a+b of the daily Beta distribution (controls spread)
DAY_RHO = 0.45  # lag-1 day autocorrelation of the cloudiness (Gaussian copula)
COUNTY_RHO = 0.85  # correlation of the daily cloudiness between counties
HOURLY_NOISE = 0.35  # intra-day noise scale on partly cloudy days
HOURLY_PHI = 0.6  # hourly AR(1) coefficient of the intra-day noise
ALBEDO = 0.25
GAMMA_PDC = -0.0035  # 1/K module power temperature coefficient
SYSTEM_DERATE = 0.86

# Yinchuan 1991-2020 monthly mean daily min / max air temperature (°C)
# (climieviaggi.it table for Jan-Oct; Nov, Dec estimated).
T_MIN = np.array([-12.7, -8.7, -1.6, 5.1, 10.4, 15.6, 18.2, 16.5, 11.0, 3.4, -4.0, -10.5])
T_MAX = np.array([-0.5, 4.9, 12.0, 19.6, 24.6, 28.6, 30.2, 28.2, 23.5, 17.2, 8.5, 1.5])

# ----------------------------------------------------------------------------
# Wind: hub-height (~100 m) speed model
# ----------------------------------------------------------------------------
WEIBULL_K = 2.0
# relative monthly mean speed (spring max, Aug-Oct min, winter/summer between)
WIND_MONTH_FACTOR = np.array(
    [1.00, 1.03, 1.10, 1.15, 1.09, 1.00, 0.95, 0.89, 0.88, 0.91, 0.97, 0.99]
)
WIND_PHI = 0.96  # hourly lag-1 autocorrelation of the Gaussian process
WIND_DIURNAL_AMP1 = 0.08  # 24-h harmonic, max at 03h (night-time decoupling / LLJ)
WIND_DIURNAL_AMP2 = 0.04  # 12-h harmonic, max at 03h and 15h (afternoon mixing bump)
CUT_IN, RATED, CUT_OUT = 3.0, 10.5, 25.0
TARGET_RAW_CF = 0.250  # gross power-curve CF the Weibull scale is tuned to

# ----------------------------------------------------------------------------
# Representative days
# ----------------------------------------------------------------------------
N_REP_DAYS = 24
SEL_QUANTILES = np.linspace(0.02, 0.98, 25)  # duration-curve thresholds
SEL_LOAD_MIX = (0.7, 0.2, 0.1)  # industry, buildings, ev in the generic load
SEL_VRE_RATIOS = (0.6, 1.2, 2.4)  # annual VRE energy / load of the generic mixes
SEL_WIND_FRACTIONS = (0.35, 0.65)  # wind share of VRE energy in the generic mixes
SEL_CONTINUITY_LAMBDA = 4.0  # weight of the wrap-around penalty
SEL_SUM_ROW = 100.0  # weight of the sum(weights) = 365 row
SEL_SWAP_PASSES = 1


def calendar() -> pd.DataFrame:
    idx = pd.date_range(f"{YEAR}-01-01", periods=8760, freq="h", tz=TZ)
    cal = pd.DataFrame(
        {
            "time": idx,
            "day": np.repeat(np.arange(365), 24),
            "month": idx.month,
            "hour": idx.hour,
            "dow": idx.day_of_week,  # Monday=0
        }
    )
    return cal


def norm_cdf(x):
    # standard normal CDF via erf without scipy
    from math import erf, sqrt

    v = np.vectorize(lambda t: 0.5 * (1.0 + erf(t / sqrt(2.0))))
    return v(x)


def norm_ppf(p):
    """Acklam's rational approximation (|err| < 1.2e-9), numpy only."""
    p = np.asarray(p, dtype=float)
    a = [
        -3.969683028665376e01,
        2.209460984245205e02,
        -2.759285104469687e02,
        1.383577518672690e02,
        -3.066479806614716e01,
        2.506628277459239e00,
    ]
    b = [
        -5.447609879822406e01,
        1.615858368580409e02,
        -1.556989798598866e02,
        6.680131188771972e01,
        -1.328068155288572e01,
    ]
    c = [
        -7.784894002430293e-03,
        -3.223964580411365e-01,
        -2.400758277161838e00,
        -2.549732539343734e00,
        4.374664141464968e00,
        2.938163982698783e00,
    ]
    d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00]
    plow, phigh = 0.02425, 1 - 0.02425
    x = np.empty_like(p)
    lo = p < plow
    hi = p > phigh
    mid = ~(lo | hi)
    q = np.sqrt(-2 * np.log(p[lo]))
    x[lo] = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / (
        (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1
    )
    q = p[mid] - 0.5
    r = q * q
    x[mid] = (
        (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5])
        * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    )
    q = np.sqrt(-2 * np.log(1 - p[hi]))
    x[hi] = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / (
        (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1
    )
    return x


def beta_ppf(u, a, b, n=4001):
    """Inverse Beta CDF by numerical integration of the density on a grid."""
    x = np.linspace(0.0, 1.0, n)
    xm = np.clip(x, 1e-9, 1 - 1e-9)
    logpdf = (a - 1) * np.log(xm) + (b - 1) * np.log(1 - xm)
    pdf = np.exp(logpdf - logpdf.max())
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (pdf[1:] + pdf[:-1]) * np.diff(x))])
    cdf /= cdf[-1]
    return np.interp(u, cdf, x)


def ar1_gaussian(rng, n, phi):
    e = rng.standard_normal(n)
    z = np.empty(n)
    z[0] = e[0]
    s = np.sqrt(1 - phi * phi)
    for i in range(1, n):
        z[i] = phi * z[i - 1] + s * e[i]
    return z


def smooth_monthly(values_by_month: np.ndarray, cal: pd.DataFrame) -> np.ndarray:
    """Interpolate month-centred values to each hour (cyclic), avoiding steps."""
    t = cal["time"]
    doy = (t.dt.day_of_year.to_numpy() - 1) + cal["hour"].to_numpy() / 24.0
    mid = np.array(
        [
            (pd.Timestamp(YEAR, m, 1).day_of_year - 1) + pd.Timestamp(YEAR, m, 1).days_in_month / 2
            for m in range(1, 13)
        ]
    )
    xp = np.concatenate([mid - 365, mid, mid + 365])
    fp = np.tile(values_by_month, 3)
    return np.interp(doy, xp, fp)


# ----------------------------------------------------------------------------
# Solar
# ----------------------------------------------------------------------------
def clear_sky_pv(cal: pd.DataFrame, lat, lon, elev) -> tuple[np.ndarray, np.ndarray]:
    """Clear-sky fixed-tilt PV power per kW (AC-ish, before clouds) and daylight flag."""
    loc = pvlib.location.Location(lat, lon, TZ, elev)
    tmid = cal["time"] + pd.Timedelta(minutes=30)
    times = pd.DatetimeIndex(tmid)
    sp = loc.get_solarposition(times)
    cs = loc.get_clearsky(
        times, model="ineichen", solar_position=sp
    )  # Linke from pvlib climatology
    dni_extra = pvlib.irradiance.get_extra_radiation(times)
    poa = pvlib.irradiance.get_total_irradiance(
        surface_tilt=round(lat),
        surface_azimuth=180.0,
        solar_zenith=sp["apparent_zenith"],
        solar_azimuth=sp["azimuth"],
        dni=cs["dni"],
        ghi=cs["ghi"],
        dhi=cs["dhi"],
        dni_extra=dni_extra,
        albedo=ALBEDO,
        model="haydavies",
    )
    poa_g = poa["poa_global"].fillna(0.0).clip(lower=0.0).to_numpy()
    return poa_g, (sp["apparent_elevation"].to_numpy() > 0)


def air_temperature(cal: pd.DataFrame) -> np.ndarray:
    tmin = smooth_monthly(T_MIN, cal)
    tmax = smooth_monthly(T_MAX, cal)
    h = cal["hour"].to_numpy() + 0.5
    # min at ~06h, max at ~15h: simple cosine
    shape = np.where(
        (h >= 6) & (h <= 15),
        0.5 * (1 - np.cos(np.pi * (h - 6) / 9.0)),
        0.5 * (1 + np.cos(np.pi * ((h - 15) % 24) / 15.0)),
    )
    return tmin + (tmax - tmin) * shape


def daily_clearness(rng, n_counties: int, cal: pd.DataFrame) -> np.ndarray:
    """Daily clearness multipliers (365 x n_counties) from monthly Betas, Gaussian copula."""
    ndays = 365
    common = ar1_gaussian(rng, ndays, DAY_RHO)
    local = np.stack([ar1_gaussian(rng, ndays, DAY_RHO) for _ in range(n_counties)], axis=1)
    z = np.sqrt(COUNTY_RHO) * common[:, None] + np.sqrt(1 - COUNTY_RHO) * local
    u = np.clip(norm_cdf(z), 1e-6, 1 - 1e-6)
    month_of_day = cal.groupby("day")["month"].first().to_numpy()
    out = np.empty_like(u)
    for j, (name, (_, _, _, ds)) in enumerate(COUNTIES.items()):
        s = SUNSHINE_FRAC + ds
        mean_k = ANGSTROM_A + (1 - ANGSTROM_A) * s
        for m in range(1, 13):
            sel = month_of_day == m
            a = mean_k[m - 1] * BETA_CONC
            b = (1 - mean_k[m - 1]) * BETA_CONC
            k = beta_ppf(u[sel, j], a, b)
            # remove month-level sampling noise: rescale so the month's mean
            # clearness equals the Beta mean exactly (few iterations because of the cap at 1)
            for _ in range(20):
                k = np.clip(k * mean_k[m - 1] / k.mean(), 0.02, 1.0)
            out[sel, j] = k
    return out


def make_solar(cal: pd.DataFrame, rng) -> tuple[pd.DataFrame, dict]:
    tair = air_temperature(cal)
    kday = daily_clearness(rng, len(COUNTIES), cal)
    day = cal["day"].to_numpy()
    per_county = {}
    diag = {}
    params = pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"]["open_rack_glass_glass"]
    for j, (name, (lat, lon, elev, ds)) in enumerate(COUNTIES.items()):
        poa_cs, up = clear_sky_pv(cal, lat, lon, elev)
        k = kday[day, j]
        # intra-day variability on partly cloudy days (zero on clear/overcast days)
        eps = ar1_gaussian(rng, 8760, HOURLY_PHI)
        kh = np.clip(k * (1 + HOURLY_NOISE * np.sqrt(k * (1 - k)) * eps), 0.05, 1.0)
        # keep each day's clearness exactly equal to the daily draw (energy-weighted)
        df = pd.DataFrame({"day": day, "cs": poa_cs, "kh": kh})
        e_cs = df.groupby("day")["cs"].transform("sum").to_numpy()
        e_kh = (df["cs"] * df["kh"]).groupby(df["day"]).transform("sum").to_numpy()
        scale = np.where(e_kh > 0, k * e_cs / np.maximum(e_kh, 1e-12), 1.0)
        poa = poa_cs * kh * scale
        tcell = pvlib.temperature.sapm_cell(poa, tair, 2.5, **params)
        p = poa / 1000.0 * (1 + GAMMA_PDC * (tcell - 25.0)) * SYSTEM_DERATE
        p = np.clip(p, 0.0, None)
        per_county[name] = p
        diag[name] = {
            "raw_cf": float(p.mean()),
            "full_load_hours": float(p.sum()),
            "clear_sky_full_load_hours": float((poa_cs / 1000 * SYSTEM_DERATE).sum()),
            "mean_daily_clearness": float(k.mean()),
        }
        # implied sunshine hours (Angstrom inverse), for the README calibration check
        s_day = (kday[:, j] - ANGSTROM_A) / (1 - ANGSTROM_A)
        dl = pd.Series(up.astype(float)).groupby(day).sum().to_numpy()
        diag[name]["implied_sunshine_hours"] = float((np.clip(s_day, 0, 1) * dl).sum())
    pc = pd.DataFrame(per_county)
    city = pc.mean(axis=1).to_numpy()  # equal weights
    return pc, {"city_raw_cf": float(city.mean()), "county": diag, "city": city}


# ----------------------------------------------------------------------------
# Wind
# ----------------------------------------------------------------------------
def power_curve(v: np.ndarray) -> np.ndarray:
    p = (v**3 - CUT_IN**3) / (RATED**3 - CUT_IN**3)
    p = np.where(v < CUT_IN, 0.0, p)
    p = np.where(v >= RATED, 1.0, p)
    p = np.where(v >= CUT_OUT, 0.0, p)
    return np.clip(p, 0.0, 1.0)


def wind_diurnal(hours: np.ndarray) -> np.ndarray:
    h = hours + 0.5
    return (
        1
        + WIND_DIURNAL_AMP1 * np.cos(2 * np.pi * (h - 3) / 24)
        + WIND_DIURNAL_AMP2 * np.cos(2 * np.pi * (h - 3) / 12)
    )


def expected_cf(scale: float) -> np.ndarray:
    """Climatological CF per month: E[P(c_m * X * diurnal(h))], X ~ Weibull(1, k)."""
    u = (np.arange(4000) + 0.5) / 4000
    x = (-np.log(1 - u)) ** (1.0 / WEIBULL_K)
    dz = wind_diurnal(np.arange(24))
    return np.array(
        [power_curve(scale * f * x[:, None] * dz[None, :]).mean() for f in WIND_MONTH_FACTOR]
    )


def make_wind(cal: pd.DataFrame, seed: int) -> tuple[np.ndarray, dict]:
    """Hourly gross power-curve output (per unit of rated power).

    1. annual Weibull scale by bisection so that the climatological annual CF
       (monthly expectation weighted by hours) equals TARGET_RAW_CF;
    2. one realisation: Gaussian AR(1) -> uniform -> Weibull(1, k) quantile,
       times the month-centred scale (interpolated) and the diurnal factor;
    3. per month, a speed multiplier (bisection) so that the realised monthly CF
       equals the climatological one -- removes month-level sampling noise of a
       single synthetic year while keeping the hour-to-day variability.
    """
    hours_m = cal.groupby("month").size().to_numpy()
    lo, hi = 3.0, 12.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if np.average(expected_cf(mid), weights=hours_m) < TARGET_RAW_CF:
            lo = mid
        else:
            hi = mid
    scale = 0.5 * (lo + hi)
    cf_m = expected_cf(scale)

    rng = np.random.default_rng(seed)
    z = ar1_gaussian(rng, 8760, WIND_PHI)
    u = np.clip(norm_cdf(z), 1e-9, 1 - 1e-9)
    base = (-np.log(1 - u)) ** (1.0 / WEIBULL_K)
    c = scale * smooth_monthly(WIND_MONTH_FACTOR, cal)
    v = c * base * wind_diurnal(cal["hour"].to_numpy())
    month = cal["month"].to_numpy()
    mult = np.ones(12)
    for m in range(1, 13):
        sel = month == m
        a, b = 0.5, 2.0
        for _ in range(60):
            f = 0.5 * (a + b)
            if power_curve(f * v[sel]).mean() < cf_m[m - 1]:
                a = f
            else:
                b = f
        mult[m - 1] = 0.5 * (a + b)
        v[sel] *= mult[m - 1]
    p = power_curve(v)
    return p, {
        "weibull_scale_annual": scale,
        "mean_speed": float(v.mean()),
        "monthly_cf_target": [round(float(x), 4) for x in cf_m],
        "monthly_speed_multiplier": [round(float(x), 3) for x in mult],
        "raw_cf": float(p.mean()),
        "full_load_hours": float(p.sum()),
        "share_hours_below_cut_in": float((v < CUT_IN).mean()),
    }


# ----------------------------------------------------------------------------
# Demand shapes
# ----------------------------------------------------------------------------
def spring_festival_2021(cal: pd.DataFrame) -> np.ndarray:
    # Spring Festival 2021: 12 Feb; official holiday 11-17 Feb
    d = cal["time"].dt.tz_localize(None).dt.normalize()
    return ((d >= "2021-02-11") & (d <= "2021-02-17")).to_numpy()


def make_demand(cal: pd.DataFrame, rng) -> dict[str, np.ndarray]:
    h = cal["hour"].to_numpy()
    m = cal["month"].to_numpy()
    weekend = cal["dow"].to_numpy() >= 5
    sf = spring_festival_2021(cal)

    # industry: continuous process industry (ferro-alloys, chemicals, coal chemicals)
    ind_h = np.where((h >= 8) & (h < 20), 1.03, 0.97)
    ind = ind_h * np.where(weekend, 0.98, 1.01)
    ind *= smooth_monthly(
        np.array([1.01, 0.99, 1.00, 1.00, 0.99, 0.99, 1.00, 1.00, 0.99, 1.00, 1.01, 1.02]), cal
    )
    ind = np.where(sf, ind * 0.92, ind)

    # buildings: residential + commercial, double hump
    hump = (
        0.55
        + 0.30 * np.exp(-0.5 * ((h - 8.0) / 1.5) ** 2)
        + 0.18 * np.exp(-0.5 * ((h - 13.0) / 2.0) ** 2)
        + 0.55 * np.exp(-0.5 * ((h - 20.0) / 1.8) ** 2)
    )
    # winter evenings peak earlier / stronger (lighting, some electric heating)
    winter = np.isin(m, [11, 12, 1, 2, 3])
    hump = np.where(winter, hump + 0.08 * np.exp(-0.5 * ((h - 18.5) / 1.5) ** 2), hump)
    # summer afternoon cooling
    summer = np.isin(m, [6, 7, 8])
    hump = np.where(summer, hump + 0.20 * np.exp(-0.5 * ((h - 15.0) / 3.0) ** 2), hump)
    seas = smooth_monthly(
        np.array([1.12, 1.08, 1.00, 0.92, 0.92, 1.05, 1.18, 1.15, 0.95, 0.92, 1.00, 1.10]), cal
    )
    bld = hump * seas * np.where(weekend, 1.03, 1.0)
    bld = np.where(sf, bld * 1.05, bld)

    # ev: home charging evening peak, workplace/public midday bump
    ev_h = (
        0.25
        + 1.60 * np.exp(-0.5 * ((h - 21.0) / 2.0) ** 2)
        + 0.45 * np.exp(-0.5 * ((h - 13.0) / 2.0) ** 2)
    )
    # overnight tail after midnight (charging sessions continuing)
    ev_h = ev_h + 0.9 * np.exp(-0.5 * ((h + 24 - 23.5) / 2.0) ** 2) * (h < 4)
    ev = ev_h * smooth_monthly(
        np.array([1.10, 1.07, 1.02, 0.98, 0.96, 0.96, 0.97, 0.97, 0.96, 0.98, 1.03, 1.09]), cal
    )

    return {
        "industry": ind,
        "buildings": bld,
        "ev": ev,
        "electrolysis": np.ones(8760),
        "other": np.ones(8760),
    }


# ----------------------------------------------------------------------------
# Normalisation
# ----------------------------------------------------------------------------
def normalise(x: np.ndarray, w: np.ndarray | None = None, decimals: int = 6) -> np.ndarray:
    """Scale to (weighted) mean 1, round, and correct so the rounded mean is 1.

    After rounding, the residual (sum deficit) is spread as +-1e-6 steps over
    the largest entries so the weighted mean is 1 to within 1e-6 / n.
    """
    w = np.ones_like(x) if w is None else w
    y = x / np.average(x, weights=w)
    y = np.round(y, decimals)
    for _ in range(3):
        y = np.round(y / np.average(y, weights=w), decimals)
    return y


# ----------------------------------------------------------------------------
# Representative days
# ----------------------------------------------------------------------------
def daily_matrix(df: pd.DataFrame, col: str) -> np.ndarray:
    return df[col].to_numpy().reshape(365, 24)


def nnls(A: np.ndarray, b: np.ndarray, maxiter: int | None = None) -> np.ndarray:
    """Lawson-Hanson non-negative least squares (numpy only)."""
    m, n = A.shape
    x = np.zeros(n)
    P = np.zeros(n, bool)
    w = A.T @ (b - A @ x)
    maxiter = maxiter or 3 * n
    it = 0
    z = x
    while (~P).any() and (w[~P] > 1e-10).any() and it < maxiter:
        it += 1
        j = int(np.argmax(np.where(~P, w, -np.inf)))
        P[j] = True
        while True:
            z = np.zeros(n)
            z[P] = np.linalg.lstsq(A[:, P], b, rcond=None)[0]
            if (z[P] > 0).all():
                break
            mask = P & (z <= 0)
            alpha = np.min(x[mask] / (x[mask] - z[mask]))
            x = x + alpha * (z - x)
            P &= x > 1e-12
        x = z
        w = A.T @ (b - A @ x)
    return x


def selection_features(prof: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per-day feature matrix A (features x 365) whose day-average is the
    full-year target, and the per-day wrap-around (continuity) penalty."""
    W, S = daily_matrix(prof, "wind"), daily_matrix(prof, "solar")
    I, B, E = (
        daily_matrix(prof, "industry"),
        daily_matrix(prof, "buildings"),
        daily_matrix(prof, "ev"),
    )
    month_of_day = prof.groupby("day")["month"].first().to_numpy()
    load = SEL_LOAD_MIX[0] * I + SEL_LOAD_MIX[1] * B + SEL_LOAD_MIX[2] * E
    rows, wts = [], []
    cont = np.zeros(365)

    def duration_curve(X):
        for th in np.quantile(X.ravel(), SEL_QUANTILES):
            rows.append((X > th).mean(axis=1))  # share of the day's hours above threshold
            wts.append(1.0)

    duration_curve(W)
    duration_curve(S)
    for r in SEL_VRE_RATIOS:
        for f in SEL_WIND_FRACTIONS:
            R = load - r * (f * W + (1 - f) * S)  # residual load for one generic mix
            duration_curve(R)
            pos = np.maximum(R, 0).mean(axis=1)
            neg = np.maximum(-R, 0).mean(axis=1)
            for v in (pos, neg, np.minimum(pos, neg)):
                rows.append(v)
                wts.append(3.0)
            eve = R[:, 20:].mean(axis=1)
            cont += np.abs(eve - np.roll(eve, 1)) / R.std()
    for X in (W, S, I, B, E):
        rows.append(X.mean(axis=1))
        wts.append(3.0)
    season = np.array([0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 0])[month_of_day - 1]
    for s_ in range(4):
        rows.append((season == s_).astype(float))
        wts.append(2.0)
    A = np.array(rows)
    sd = A.std(axis=1, keepdims=True)
    sd[sd == 0] = 1.0
    A = A / sd * np.array(wts)[:, None]
    return A, cont / (len(SEL_VRE_RATIOS) * len(SEL_WIND_FRACTIONS))


def _fit_weights(A, target, idx, pen):
    n = len(idx)
    M = np.vstack(
        [
            A[:, idx] / 365.0,
            SEL_CONTINUITY_LAMBDA * pen[idx] / 365.0,
            SEL_SUM_ROW * np.ones(n) / 365.0,
        ]
    )
    b = np.r_[target, 0.0, SEL_SUM_ROW]
    w = nnls(M, b)
    return w, float(np.sum((M[:-1] @ w - b[:-1]) ** 2))


def integer_weights(w: np.ndarray, total: int = 365) -> np.ndarray:
    """Largest-remainder rounding to integers >= 1 summing to `total`."""
    w = np.maximum(w, 0.0)
    w = w / w.sum() * total
    out = np.maximum(np.floor(w).astype(int), 1)
    rem = total - out.sum()
    order = np.argsort(-(w - np.floor(w)), kind="stable")
    i = 0
    while rem != 0:
        j = order[i % len(order)]
        if rem > 0:
            out[j] += 1
            rem -= 1
        elif out[j] > 1:
            out[j] -= 1
            rem += 1
        i += 1
    return out


def select_representative_days(prof: pd.DataFrame, k: int = N_REP_DAYS) -> pd.DataFrame:
    """Greedy forward selection + one swap pass of k days (weights by NNLS) so
    that the weighted rep-day set reproduces the full year's duration curves of
    wind, solar and six generic residual loads, the daily surplus / deficit
    statistics of those residual loads, the daily means of all profiles and the
    season lengths; a continuity penalty favours days whose late-evening
    residual load is close to the previous evening's (so that treating the day
    as cyclic is a good approximation of the chronology)."""
    A, pen = selection_features(prof)
    target = A.mean(axis=1)
    chosen: list[int] = []
    for _ in range(k):
        best = (np.inf, -1)
        for d in range(365):
            if d in chosen:
                continue
            _, e = _fit_weights(A, target, chosen + [d], pen)
            if e < best[0]:
                best = (e, d)
        chosen.append(best[1])
    w, e = _fit_weights(A, target, chosen, pen)
    for _ in range(SEL_SWAP_PASSES):
        for i in range(k):
            for d in range(365):
                if d in chosen:
                    continue
                trial = chosen.copy()
                trial[i] = d
                w2, e2 = _fit_weights(A, target, trial, pen)
                if e2 < e - 1e-12:
                    chosen, w, e = trial, w2, e2
    chosen_a = np.array(chosen)
    keep = w > 1e-9
    chosen_a, w = chosen_a[keep], w[keep]
    wi = integer_weights(w)
    month_of_day = prof.groupby("day")["month"].first().to_numpy()
    wday = daily_matrix(prof, "wind").mean(axis=1)
    q1, q3 = np.quantile(wday, [0.25, 0.75])
    kind = np.where(
        wday[chosen_a] <= q1, "low_wind", np.where(wday[chosen_a] >= q3, "windy", "typical")
    )
    sel = (
        pd.DataFrame(
            {"month": month_of_day[chosen_a], "kind": kind, "weight": wi, "source_day": chosen_a}
        )
        .sort_values("source_day")
        .reset_index(drop=True)
    )
    sel.insert(0, "rep", np.arange(len(sel)))
    assert sel["weight"].sum() == 365
    return sel


def build_repdays(prof: pd.DataFrame, sel: pd.DataFrame) -> pd.DataFrame:
    parts = []
    for r in sel.itertuples(index=False):
        d = prof[prof["day"] == r.source_day].copy()
        d.insert(0, "rep", r.rep)
        d["kind"] = r.kind
        d["weight"] = r.weight
        d["source_day"] = r.source_day
        parts.append(d)
    rd = pd.concat(parts, ignore_index=True)
    rd = rd[["rep", "month", "kind", "weight", "source_day", "hour"] + PROFILE_COLS]
    w = rd["weight"].to_numpy(dtype=float)
    for c in PROFILE_COLS:
        rd[c] = normalise(rd[c].to_numpy(dtype=float), w)
    return rd


def main() -> dict:
    DATA.mkdir(parents=True, exist_ok=True)
    cal = calendar()
    ss = np.random.SeedSequence(SEED)
    s_solar, s_wind, s_dem = ss.spawn(3)
    solar_pc, sdiag = make_solar(cal, np.random.default_rng(s_solar))
    wind_p, wdiag = make_wind(cal, int(s_wind.generate_state(1)[0]))
    dem = make_demand(cal, np.random.default_rng(s_dem))

    prof = cal[["day", "month", "hour"]].copy()
    prof["wind"] = normalise(wind_p)
    prof["solar"] = normalise(sdiag["city"])
    for k in ["industry", "buildings", "ev", "electrolysis", "other"]:
        prof[k] = normalise(dem[k])
    prof.to_csv(DATA / "profiles_8760.csv", index=False, float_format="%.6f")

    county = cal[["day", "month", "hour"]].copy()
    for name in COUNTIES:
        county[name] = normalise(solar_pc[name].to_numpy())
    county.to_csv(DATA / "solar_by_county_8760.csv", index=False, float_format="%.6f")

    sel = select_representative_days(prof)
    rd = build_repdays(prof, sel)
    rd.to_csv(DATA / "representative_days.csv", index=False, float_format="%.6f")

    info = {"solar": {k: v for k, v in sdiag.items() if k != "city"}, "wind": wdiag}
    info["max_shape"] = {c: float(prof[c].max()) for c in PROFILE_COLS}
    info["max_shape_rep"] = {c: float(rd[c].max()) for c in PROFILE_COLS}
    return info


if __name__ == "__main__":
    import json

    info = main()
    print(json.dumps(info, indent=1))
    p = pd.read_csv(DATA / "profiles_8760.csv")
    r = pd.read_csv(DATA / "representative_days.csv")
    w = r["weight"].to_numpy()
    print("8760 means:", {c: round(p[c].mean(), 9) for c in PROFILE_COLS})
    print("rep weighted means:", {c: round(np.average(r[c], weights=w), 9) for c in PROFILE_COLS})
    print("weights sum (per day):", r.groupby("rep")["weight"].first().sum())
    for c, h in [("solar", 1500), ("solar", 1600), ("wind", 1900), ("wind", 2100)]:
        print(
            f"max CF {c} @ {h} h: 8760 {p[c].max() * h / 8760:.3f}  rep {r[c].max() * h / 8760:.3f}"
        )
