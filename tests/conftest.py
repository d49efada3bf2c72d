"""Shared fixtures: the reference traces recorded from the original simulator (``tests/data``).

``tests/data/README.md`` says where they come from, their keys and units, and which test reads what.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

#: The recordings of the original simulator, part of the repository.
DATA = Path(__file__).resolve().parent / "data"


def _load(name: str) -> dict:
    with np.load(DATA / name) as data:
        out = {k: data[k] for k in data.files}
    out["meta"] = json.loads(str(out.pop("meta_json")))
    return out


@pytest.fixture(scope="session")
def single_neuron_ref() -> dict:
    return _load("single_neuron.npz")


@pytest.fixture(scope="session")
def kernels_ref() -> dict:
    return _load("synapse_kernels.npz")


def require_ngspice(what: str = "this test") -> None:
    """ngspice must be there: a failure in CI (``CI`` set), a skip with the install hint elsewhere."""
    from dynapse_edu import spice

    if not spice.available():
        if os.environ.get("CI"):
            pytest.fail(f"{what} needs ngspice, which is missing in CI: {spice.INSTALL_HINT}")
        pytest.skip(f"{what} needs ngspice: {spice.INSTALL_HINT}")


@pytest.fixture(scope="module")
def ngspice(tmp_path_factory: pytest.TempPathFactory):
    """Require ngspice and point the result cache at a fresh directory, so every module really simulates."""
    require_ngspice()
    old = os.environ.get("DYNAPSE_SPICE_CACHE")
    os.environ["DYNAPSE_SPICE_CACHE"] = str(tmp_path_factory.mktemp("spice_cache"))
    yield
    if old is None:
        os.environ.pop("DYNAPSE_SPICE_CACHE", None)
    else:
        os.environ["DYNAPSE_SPICE_CACHE"] = old


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
