"""Shared fixtures: the reference traces recorded from the original simulator.

They live in ``../shared/reference`` beside the repository (CI lays a copy
there). Outside CI a missing folder skips the tests that need it; in CI
(``CI`` set) it is an error.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference"


def _load(name: str) -> dict:
    path = REFERENCE / name
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"reference file {path} is missing in CI")
        pytest.skip(f"reference file {path} not found (expected beside the repository in ../shared/reference)")
    with np.load(path) as data:
        out = {k: data[k] for k in data.files}
    out["meta"] = json.loads(str(out.pop("meta_json")))
    return out


@pytest.fixture(scope="session")
def single_neuron_ref() -> dict:
    return _load("single_neuron.npz")


@pytest.fixture(scope="session")
def kernels_ref() -> dict:
    return _load("synapse_kernels.npz")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
