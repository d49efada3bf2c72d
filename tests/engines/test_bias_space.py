"""A fixed subset of benchmarks/bias_space.py: random corners of the bias space on which the two integrators agree
(same spike counts within max(1, 2 %), or both refuse), plus the reproductions of issue 17. A few seconds in all."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from dynapse_edu import Chip, SpikeGenerator

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "bias_space.py"
_spec = importlib.util.spec_from_file_location("bias_space", _PATH)
bias_space = sys.modules.setdefault("bias_space", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(bias_space)

#: Settings of seed 0 that run in a fraction of a second each: 12 refused by both (membrane time constant,
#: membrane relaxation, firing rate), 6 simulated by both (including 4 silent ones and [21, 21, 21, 21]).
FAST_SETTINGS = (0, 2, 3, 4, 5, 8, 10, 12, 13, 15, 18, 20, 21, 22, 24, 27, 28, 33)


@pytest.mark.parametrize("k", FAST_SETTINGS)
def test_random_corner_agrees(k):
    chip = bias_space.setting_chip(0, k)
    ref = bias_space.run_one(chip, "reference", 0.1, 0)
    fast = bias_space.run_one(chip, "fast", 0.1, 0)
    assert not ref.crashed and not fast.crashed, (ref.crashed, fast.crashed)
    assert bias_space.agree(ref, fast), (bias_space.describe(ref), bias_space.describe(fast))
    if ref.refused:  # the same rule refused it in both
        assert ref.refused.split(" ")[:2] == fast.refused.split(" ")[:2]


def test_subset_covers_refusals_and_runs():
    kinds = set()
    for k in (0, 4, 10, 27):
        o = bias_space.run_one(bias_space.setting_chip(0, k), "fast", 0.1, 0)
        kinds.add(o.refused.split(":")[1].split(" ")[1] if o.refused else "run")
    assert kinds == {"membrane", "the", "neuron(s)", "run"}


def test_issue17_short_membrane_agrees():
    """The reproduction of issue 17: tau_mem 0.8 us against the 100 us step (fast [20], reference [0] before)."""
    chip = Chip()
    chip.get_neurons(1, core=0)
    chip.set_bias(0, "IF_TAU1_N", 6, 7)
    chip.set_bias(0, "IF_THR_N", 1, 17)
    chip.set_bias(0, "IF_DC_P", 7, 105)
    ref, fast = (bias_space.run_one(chip, m, 0.1, 0) for m in ("reference", "fast"))
    assert bias_space.agree(ref, fast) and fast.counts.tolist() == [0]


def test_issue17_floor_reproduction_agrees():
    """The second reproduction: a small jump after a decay to the floor, same traces and spikes in both."""
    c = Chip()
    n = c.get_neurons(1, core=0)
    c.add_connection(SpikeGenerator([0], [0.01]), n, "AMPA", weight=4)
    c.add_connection(SpikeGenerator([0], [0.15]), n, "AMPA", weight=0.0025)
    ref, fast = (c.run(0.2, method=m, at_spikes=False) for m in ("reference", "fast"))
    assert ref.spike_count.tolist() == fast.spike_count.tolist()
    at = np.searchsorted(ref.t, 0.1501)
    assert ref.trace("I_ampa")[at] == pytest.approx(fast.trace("I_ampa")[at], rel=1e-6)
