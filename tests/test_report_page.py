"""From a fresh virtual environment and a folder outside the repository: a plain install, then
`carbonsim run plan --out r --report --xlsx`.  Its outputs are checked here: the workbook opened
back with openpyxl (values against the check), and report.html in a real headless browser
(Debian's Chromium through Selenium and chromedriver): it loads with no console errors and no
network, every chart decodes, the Chinese text is there, and a screenshot is not blank.

`.ci/run` installs ``chromium`` and ``chromium-driver``; without them the browser test skips with
the line that installs them (the page's content is still checked without a browser).
``CARBONSIM_WRITE_GALLERY=1 pytest tests/test_report_page.py`` refreshes docs/gallery/report.png.
"""

import base64
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

import carbonsim

ROOT = Path(__file__).resolve().parents[1]
OUTPUTS = ("trajectories.nc", "feasibility.csv", "peaks.csv", "summary.md")

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1200,900",
    "--hide-scrollbars",
)


def _fresh_venv(tmp_path: Path) -> Path:
    """A new virtual environment seeing this interpreter's packages, carbonsim not among them."""
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)],
        check=True,
    )
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # this interpreter may itself be a venv (CI's): make its dependencies visible as plain paths
    # (a path line in a .pth adds the folder only; the editable carbonsim's finder is not loaded)
    import site as this_site

    Path(site, "zz_parent_packages.pth").write_text(
        "\n".join(this_site.getsitepackages()) + "\n", encoding="utf-8"
    )
    return python


def _source_copy(tmp_path: Path) -> Path:
    """The project's files (no .git, no virtual environments, no build output)."""
    ignore = shutil.ignore_patterns(
        ".git", ".venv*", "__pycache__", "build", "*.egg-info", ".pytest_cache", "results", "*.zarr"
    )
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=ignore)
    return copy


def _isolation() -> list[str]:
    """``--no-build-isolation`` when setuptools >= 68 and wheel are here (the test extra)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        recent = int(version("setuptools").split(".")[0]) >= 68 and bool(version("wheel"))
    except PackageNotFoundError:
        recent = False
    return ["--no-build-isolation"] if recent else []


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """Install into a fresh venv, run the bundled plan from an empty folder; -> its output."""
    tmp_path = tmp_path_factory.mktemp("install")
    python = _fresh_venv(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    # this interpreter's pip installs into the new venv (`--python`; ensurepip would take ~15 s)
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps"]
    done = subprocess.run(
        [*install, *_isolation(), str(_source_copy(tmp_path))],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    work = tmp_path / "elsewhere"
    work.mkdir()
    where = subprocess.run(
        [python, "-c", "import carbonsim; print(carbonsim.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(tmp_path / "venv") in where, where
    script = tmp_path / "venv" / "bin" / "carbonsim"
    done = subprocess.run(
        [script, "run", "plan", "--out", "r", "--report", "--xlsx"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "report.html" in done.stdout and "results.xlsx" in done.stdout
    return work / "r"


@pytest.fixture(scope="module")
def report(installed) -> Path:
    return installed / "report.html"


@pytest.fixture(scope="module")
def result():
    """The same run in this process, to check the files' values against."""
    return carbonsim.check(carbonsim.simulate(carbonsim.load_scenario("plan")))


def test_plain_install_from_any_folder_writes_every_output(installed):
    for name in (*OUTPUTS, "results.xlsx", "report.html"):
        assert (installed / name).stat().st_size > 0, name


def test_workbook_values_match_the_check(installed, result):
    from openpyxl import load_workbook

    book = load_workbook(installed / "results.xlsx")
    assert book.sheetnames == ["targets", "trajectories", "peaks"]
    table = result.to_dataframe().set_index("target")

    sheet = book["targets"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["情景 scenario", "状态 status", "条款 clause"]
    rows = {r[header.index("目标编号 target id")]: r for r in sheet.iter_rows(2, values_only=True)}
    assert len(rows) == len(table) == 128
    col = {name: header.index(name) for name in header}
    # 2030 new-energy capacity: 2800万千瓦; value and margin in 万千瓦 (the plan's unit), 1 GW = 100
    ne = rows["main_2030_new_energy_capacity"]
    assert ne[col["单位 unit (plan)"]] == "万千瓦"
    assert ne[col["模拟值 simulated"]] == pytest.approx(
        table.value["main_2030_new_energy_capacity"] * 100
    )
    assert ne[col["余量 margin (≥0 met)"]] == pytest.approx(
        table.margin["main_2030_new_energy_capacity"] * 100
    )
    # a share target: margin in percentage points
    share = rows["main_2025_non_fossil_share"]
    assert share[col["单位 unit (plan)"]] == "%"
    assert share[col["余量 margin (≥0 met)"]] == pytest.approx(
        table.margin["main_2025_non_fossil_share"] * 100
    )
    assert share[col["状态 status"]].endswith(
        table.status["main_2025_non_fossil_share"].replace("_", " ")
    )
    statuses = [r[col["状态 status"]].split(" ", 1)[1].replace(" ", "_") for r in rows.values()]
    assert sorted(statuses) == sorted(table.status.replace("not_evaluated", "n/a"))
    assert sheet.column_dimensions["R"].width >= 30  # the plan's text column is wide
    assert sheet.freeze_panes == "A2"

    traj = result.trajectories
    sheet = book["trajectories"]
    header = [c.value for c in sheet[1]]
    co2 = next(i for i, h in enumerate(header) if " co2 [" in h)
    rows = list(sheet.iter_rows(2, values_only=True))
    assert len(rows) == 6 * 41
    yanchi_2030 = next(r for r in rows if r[1] == "yanchi" and r[3] == 2030)
    assert yanchi_2030[2] == "盐池县"
    expected = float(traj.co2.sel(scenario="plan", region="yanchi", year=2030))
    assert yanchi_2030[co2] == pytest.approx(expected)

    sheet = book["peaks"]
    rows = list(sheet.iter_rows(2, values_only=True))
    city_co2 = next(r for r in rows if r[1] == "吴忠市 wuzhong" and r[2].endswith(" co2"))
    peak = result.peaks.sel(scenario="plan", region="wuzhong", quantity="co2")
    assert city_co2[3] == int(peak.peak_year) and city_co2[4] == pytest.approx(
        float(peak.peak_value)
    )
    assert np.isfinite(city_co2[4])


def test_report_is_one_self_contained_file(report):
    text = report.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    # no external resource of any kind: every src/href is a data: URL
    for url in re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', text):
        assert url.startswith("data:"), url
    assert "http://" not in text and "https://" not in text and "<script" not in text
    assert "@media print" in text and "@page" in text
    assert text.count('src="data:image/png;base64,') == 6
    assert "data:font/otf;base64," in text  # the font subset: Chinese renders without system fonts


def test_report_content_matches_the_check(report, result):
    text = report.read_text(encoding="utf-8")
    df = result.to_dataframe()
    for status in ("met", "missed"):
        count = int((df.status == status).sum())
        assert re.search(rf"{status}</span><b>{count}</b>", text), status
    peak = int(result.peaks.peak_year.sel(scenario="plan", region="wuzhong", quantity="co2"))
    assert f"全市二氧化碳排放在 {peak} 年达峰" in text and f"City CO2 peaks in {peak}" in text
    # grouped by action, then tier
    assert text.index("主要目标") < text.index("能源绿色低碳转型行动") < text.index("阅读说明")
    assert "约束性目标" in text and "力争目标" in text
    # a margin in the plan's unit: the 2030 new-energy capacity (2800万千瓦) in 万千瓦
    margin = float(df.set_index("target").margin["main_2030_new_energy_capacity"]) * 100
    assert f"{margin:+,.4g} 万千瓦" in text
    # the explanation of missed targets is in the table (levers that help)
    assert "↑" in text or "↓" in text


def _png_is_not_blank(data: bytes) -> float:
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype=float)
    return float(pixels.std())


def test_embedded_charts_are_real_pictures(report):
    text = report.read_text(encoding="utf-8")
    for data in re.findall(r'src="data:image/png;base64,([^"]+)"', text):
        assert _png_is_not_blank(base64.b64decode(data)) > 5


def _driver(user_data: Path):
    webdriver = pytest.importorskip("selenium.webdriver")
    chromium = shutil.which("chromium")
    chromedriver = shutil.which("chromedriver")
    if not chromium or not chromedriver:
        pytest.skip("no chromium: apt-get install -y chromium chromium-driver (as .ci/run does)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={user_data}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(chromedriver), options=options)


@pytest.fixture(scope="module")
def browser():
    with tempfile.TemporaryDirectory(prefix="carbonsim-chromium-") as user_data:
        driver = _driver(Path(user_data))
        try:
            yield driver
        finally:
            driver.quit()


def test_report_in_a_real_browser(report, browser, tmp_path):
    browser.get(report.as_uri())
    state = browser.execute_script("return document.readyState")
    assert state == "complete"
    logs = browser.get_log("browser")
    assert not [entry for entry in logs if entry["level"] in ("SEVERE", "WARNING")], logs
    images = browser.execute_script(
        "return Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt])"
    )
    assert len(images) == 6
    for complete, width, alt in images:
        assert complete and width > 0, alt
    body = browser.find_element("tag name", "body").text
    assert "碳达峰情景评估报告" in body and "达峰顺序" in body and "利通区" in body
    # the embedded font is used (it loaded: document.fonts reports it)
    loaded = browser.execute_script(
        "return document.fonts.check('16px \"Noto Sans SC carbonsim\"', '吴忠市')"
    )
    assert loaded
    png = browser.get_screenshot_as_png()
    assert _png_is_not_blank(png) > 10
    (tmp_path / "report.png").write_bytes(png)
    # printed to PDF (A4, the print stylesheet): several pages, the text kept
    pdf = base64.b64decode(browser.print_page())
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 4
    if os.environ.get("CARBONSIM_WRITE_GALLERY"):  # refresh the README's picture of the page
        browser.set_window_size(1100, 1500)
        (ROOT / "docs" / "gallery" / "report.png").write_bytes(browser.get_screenshot_as_png())
