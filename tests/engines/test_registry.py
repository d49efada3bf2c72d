"""The integrator registry: names to integrators, the lazy fast engine, and registering new ones."""

from __future__ import annotations

import numpy as np
import pytest

from dynapse_edu.core.dynamics import NeuronTable
from dynapse_edu.core.network import Network, Projection
from dynapse_edu.core.params import Params
from dynapse_edu.core.result import Record
from dynapse_edu.engines.fast import run_fast
from dynapse_edu.engines.registry import METHODS, register_method, simulate
from dynapse_edu.errors import ParameterError

SPIKES_ONLY = Record(dt=None, neurons=(), at_spikes=False)


def one_neuron(I_const: float = 1e-9) -> Network:
    none = Projection.build(1, *(np.zeros(0, np.int64),) * 3, np.zeros(0))
    return Network(NeuronTable.from_params(Params(I_const=I_const)), np.arange(1), np.zeros(0, np.int64),
                   np.zeros(0), none, none)


def test_fast_method_is_the_fast_engine():
    """method="fast" goes (through its lazy loader) to run_fast with the same arguments: the same result."""
    net = one_neuron()
    through = simulate(net, 0.1, "fast", SPIKES_ONLY)
    direct = run_fast(net, 0.1, SPIKES_ONLY)
    assert through.method == "fast" and through.spike_count[0] > 5
    np.testing.assert_array_equal(through.spike_times[0], direct.spike_times[0])


def test_unknown_method_lists_the_known_ones():
    with pytest.raises(ParameterError, match=r"unknown method 'rk4'; available methods: reference, fast"):
        simulate(one_neuron(), 0.1, "rk4")


def test_registered_method_gets_the_checked_duration_and_default_record():
    calls = []

    def spy(net, duration, record):
        calls.append((duration, record))
        return METHODS["reference"](net, duration, record)

    register_method("spy", spy)
    try:
        result = simulate(one_neuron(), 0.05, "spy")
    finally:
        del METHODS["spy"]
    assert calls == [(0.05, Record())]
    assert result.spike_count[0] > 0
    with pytest.raises(ParameterError, match="duration"):
        simulate(one_neuron(), -1.0, "reference")


@pytest.mark.parametrize(("name", "integrator", "match"), [("", print, "non-empty"), ("x", 3, "callable")])
def test_register_method_rejects_bad_input(name, integrator, match):
    with pytest.raises(ParameterError, match=match):
        register_method(name, integrator)
    assert name not in METHODS
