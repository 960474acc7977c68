import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
sys.path.insert(0, str(Path(__file__).parent))

from toy_baseline import toy_baseline


@pytest.fixture(scope="session")
def toy():
    """A small invented baseline in the real schema (engine identities must not need Wuzhong)."""
    return toy_baseline()


@pytest.fixture(scope="session")
def baseline():
    """The bundled 2020 calibration of Wuzhong (no fallback: a broken baseline fails the tests)."""
    import carbonsim

    return carbonsim.load_baseline()
