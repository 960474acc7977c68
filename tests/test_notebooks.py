"""The planners' notebooks run top to bottom on a fresh kernel (nbclient), in two minutes each.

Each runs in an empty temporary folder (not notebooks/ nor the repository root): a planner opens
them from anywhere, and the bundled scenarios load by name.
"""

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_notebook_runs(path, monkeypatch, tmp_path):
    nb = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code"), (
        f"{path.name}: outputs must be stripped in git"
    )
    monkeypatch.setenv(
        "CARBONSIM_NOTEBOOK_SWEEP_N", os.environ.get("CARBONSIM_NOTEBOOK_SWEEP_N", "256")
    )
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors[0].get("evalue")
    assert not any(tmp_path.iterdir()), "a notebook wrote into its working folder"
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    if path.stem in ("01-quickstart", "03-sweeps-and-sensitivity"):
        assert len(images) >= 2, "the charts were not drawn"
    widgets = [o for c in nb.cells for o in c.get("outputs", []) if WIDGET in o.get("data", {})]
    if path.stem == "01-quickstart":  # the live what-if at the end
        assert widgets, "the what-if widget was not displayed"
    if path.stem == "03-sweeps-and-sensitivity":  # the sweep's progress bar is a notebook widget
        assert widgets, "the sweep showed no progress bar in Jupyter"
