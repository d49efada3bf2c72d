"""Finite input pulses and the adaptation pulse in both integrators (issue 12 items 1-2).

Each integrator's synapse and adaptation currents against the exact pulse response
(:func:`~dynapse_edu.core.synapse.dpi_pulse_response`, :func:`~dynapse_edu.core.synapse.dpi_under_input`),
and the fast engine against the reference with pulses on.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from dynapse_edu.core.dynamics import NeuronTable
from dynapse_edu.core.network import Network, Projection
from dynapse_edu.core.params import Params
from dynapse_edu.core.result import Record
from dynapse_edu.core.synapse import SYNAPSE_TYPES, dpi_decay_exact, dpi_pulse_response, dpi_under_input
from dynapse_edu.engines.fast import run_fast
from dynapse_edu.engines.reference import run_reference
from dynapse_edu.experiments import part1

_spec = importlib.util.spec_from_file_location(
    "full_chip", Path(__file__).resolve().parents[2] / "benchmarks" / "full_chip.py"
)
full_chip = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(full_chip)

RUNS = {"reference": run_reference, "fast": run_fast}
#: The reference's tolerances (rtol 1e-6, atol 1e-3 I0; about 1 % of I0 where a step crosses the floor's kink);
#: the fast engine's currents are the closed forms themselves.
TOLERANCE = {"reference": dict(rtol=1e-4, atol=0.02e-12), "fast": dict(rtol=1e-9, atol=1e-20)}


def one_neuron(params: Params, times, synapse: str = "AMPA", weights=None) -> Network:
    """One neuron, one input source onto ``synapse``; spikes at ``times`` (weights per spike: one source each)."""
    times = np.asarray(times, float)
    weights = np.ones(times.size) if weights is None else np.asarray(weights, float)
    k = times.size
    table = NeuronTable.from_params(params)
    external = Projection.build(k, np.arange(k), np.zeros(k, np.int64), np.full(k, SYNAPSE_TYPES.index(synapse)),
                                weights)
    nothing = Projection.build(1, *(np.zeros(0, np.int64),) * 3, np.zeros(0))
    return Network(table, np.arange(1), np.arange(k), times, external, nothing)


@pytest.mark.parametrize("method", RUNS)
@pytest.mark.parametrize("synapse", SYNAPSE_TYPES)
def test_pulse_train_of_one_synapse_is_the_exact_pulse_response(method, synapse):
    """Pulses of 0.4 ms, two of them overlapping (one extended pulse), off the step grid; the neuron stays quiet."""
    p = Params(t_pulse=0.4e-3, I_w0_ampa=500e-12, I_w0_nmda=500e-12, I_w0_gaba_a=500e-12, I_w0_gaba_b=500e-12)
    times = [0.01013, 0.01021, 0.0153, 0.02]
    result = RUNS[method](one_neuron(p, times, synapse), 0.03, Record(dt=1e-4, neurons=[0], at_spikes=True))
    key = synapse.lower()
    exact = dpi_pulse_response(result.t, times, p.t_pulse, p.syn(synapse, "I_w0"),
                               p.syn(synapse, "alpha") * p.syn(synapse, "I_tau"), p.syn(synapse, "I_tau"),
                               p.tau_syn(synapse), p.I0)
    got = result.trace(f"I_{key}")
    assert got.max() > 20 * p.I0  # the pulses charge the DPI
    np.testing.assert_allclose(got, exact, **TOLERANCE[method])


@pytest.mark.parametrize("method", RUNS)
def test_pulse_train_with_the_pairs_body_effect_is_the_exact_pulse_response(method):
    """gamma_syn (the synapses' output exponent, measured 0.815 on the transistors) in both integrators."""
    p = Params(t_pulse=0.1e-3, I_w0_nmda=2e-9, gamma_syn=0.815)
    times = [0.01013, 0.01021, 0.0153, 0.016, 0.0165, 0.017]
    result = RUNS[method](one_neuron(p, times, "NMDA"), 0.03, Record(dt=1e-4, neurons=[0], at_spikes=True))
    args = (p.t_pulse, p.I_w0_nmda, p.alpha_nmda * p.I_tau_nmda, p.I_tau_nmda, p.tau_syn("NMDA"), p.I0)
    exact = dpi_pulse_response(result.t, times, *args, gamma=0.815)
    ideal = dpi_pulse_response(result.t, times, *args)
    got = result.trace("I_nmda")
    assert got.max() < 0.9 * ideal.max()  # the exponent matters here: far above I_g the pair gives less
    np.testing.assert_allclose(got, exact, **TOLERANCE[method])


@pytest.mark.parametrize("method", RUNS)
def test_extender_takes_the_latest_spikes_current(method):
    """A weight-4 spike, then a weight-1 spike while its pulse is on: 4 I_w0 until then, I_w0 for t_pulse after."""
    p = Params(t_pulse=1e-3, I_w0_ampa=300e-12)
    result = RUNS[method](one_neuron(p, [0.01, 0.0104], weights=[4.0, 1.0]), 0.02,
                              Record(dt=1e-4, neurons=[0], at_spikes=False))
    I_g, I_tau, tau = p.alpha_ampa * p.I_tau_ampa, p.I_tau_ampa, p.tau_syn("AMPA")
    first = dpi_under_input(p.I0, 0.4e-3, 4 * p.I_w0_ampa, I_g, I_tau, tau, p.I0)
    end = dpi_under_input(first, 1e-3, p.I_w0_ampa, I_g, I_tau, tau, p.I0)  # the pulse ends at 11.4 ms
    at = np.flatnonzero(np.isclose(result.t, [[0.0104], [0.0114], [0.015]]).any(axis=0))
    expected = [first, end, float(dpi_decay_exact(end, np.exp(-(0.015 - 0.0114) / tau), p.I0))]
    np.testing.assert_allclose(result.trace("I_ampa")[at], expected, **TOLERANCE[method])


@pytest.mark.parametrize("method", RUNS)
def test_long_pulse_limit_is_the_instant_jump_in_the_integrators(method):
    p = Params(I_w0_nmda=2e-9)
    long = p.replace(t_pulse=20 * p.tau_syn("NMDA") / 10)  # 2 tau: most of the way
    jump = RUNS[method](one_neuron(p, [0.01], "NMDA"), 0.2, Record(dt=1e-4, neurons=[0])).trace("I_nmda").max()
    pulse = RUNS[method](one_neuron(long, [0.01], "NMDA"), 0.2, Record(dt=1e-4, neurons=[0])).trace("I_nmda").max()
    A = p.alpha_nmda * p.I_tau_nmda * (p.I_w0_nmda / p.I_tau_nmda - 1)  # the long pulse's steady state
    assert jump == pytest.approx(p.I0 + p.jump("NMDA"), rel=1e-3)
    assert pulse == pytest.approx(A * (1 - np.exp(-2.0)), rel=0.02)  # linear regime after the first microseconds
    assert A == pytest.approx(p.jump("NMDA"), rel=p.I_tau_nmda / p.I_w0_nmda * 1.01)


@pytest.mark.parametrize("method", RUNS)
def test_adaptation_pulse_per_output_spike(method):
    """With t_pulse_ahp the adaptation DPI is charged by I_w_ahp for t_pulse_ahp after each spike (not t_ref)."""
    p = Params(I_const=1.5e-9, t_pulse_ahp=0.3e-3, I_w_ahp=400e-12, t_ref=2e-3)
    net = one_neuron(p, [0.5])  # (an input after the run: none delivered)
    result = RUNS[method](net, 0.1, Record(dt=1e-4, neurons=[0], at_spikes=True))
    spikes = result.spike_times[0]
    assert spikes.size >= 5
    exact = dpi_pulse_response(result.t, spikes, p.t_pulse_ahp, p.I_w_ahp, p.alpha_ahp * p.I_tau_ahp, p.I_tau_ahp,
                               p.tau_ahp, p.I0)
    np.testing.assert_allclose(result.trace("I_ahp"), exact, **TOLERANCE[method])
    isi = np.diff(spikes)  # it adapts: the ISIs grow
    assert isi[-1] > 1.2 * isi[0]


def test_instant_jump_neurons_unchanged_next_to_pulsed_ones():
    """A pulsed neuron in the network changes nothing for its instant-jump neighbour (fast: bit for bit)."""
    times = np.sort(np.random.default_rng(3).uniform(0, 0.3, 60))
    k = times.size

    def net(second: Params) -> Network:
        table = NeuronTable.from_params([Params(), second])
        ext = Projection.build(k, np.repeat(np.arange(k), 2), np.tile([0, 1], k), np.zeros(2 * k, np.int64),
                               np.full(2 * k, 2.0))
        nothing = Projection.build(2, *(np.zeros(0, np.int64),) * 3, np.zeros(0))
        return Network(table, np.arange(2), np.arange(k), times, ext, nothing)

    plain = net(Params())
    mixed = net(Params(t_pulse=0.5e-3, I_w0_ampa=1e-9, t_pulse_ahp=1e-3, I_w_ahp=400e-12))
    record = Record(dt=None, neurons=(), at_spikes=False)
    a, b = run_fast(plain, 0.3, record, threads=1), run_fast(mixed, 0.3, record, threads=1)
    np.testing.assert_array_equal(a.spike_times[0], b.spike_times[0])
    a, b = run_reference(plain, 0.3, record), run_reference(mixed, 0.3, record)
    np.testing.assert_allclose(a.spike_times[0], b.spike_times[0], rtol=0, atol=5e-6)  # (one joint solve_ivp)
    assert b.spike_count[1] > 0


# --- the fast engine against the reference, pulses on ----------------------------------------------------------
PART1_PULSES = [
    dict(t_pulse=0.5e-3, I_w0_ampa=1e-9, I_w0_nmda=1e-9),  # 22 spikes
    dict(t_pulse=0.5e-3, I_w0_ampa=1e-9, I_w0_nmda=1e-9, t_pulse_ahp=1e-3, I_w_ahp=400e-12),  # 14 spikes
    dict(t_pulse=10e-6, I_w0_ampa=30e-9, I_w0_nmda=30e-9, t_pulse_ahp=0.1e-3, I_w_ahp=500e-12),  # 13 spikes
]


@pytest.mark.parametrize("params", PART1_PULSES)
def test_fast_matches_reference_on_part1_with_pulses(params):
    ref = part1(params=params, dt=None).spike_times[0]
    fast = part1(params=params, method="fast", dt=None).spike_times[0]
    assert ref.size == fast.size >= 10
    assert np.abs(ref - fast).max() < 50e-6


@pytest.mark.parametrize(
    "params",
    [
        Params(t_pulse=0.3e-3, I_w0_ampa=300e-12, t_pulse_ahp=1e-3, I_w_ahp=400e-12),
        Params(t_pulse=10e-6, I_w0_ampa=10e-9, t_pulse_ahp=1e-4, I_w_ahp=500e-12),
    ],
)
def test_fast_matches_reference_on_a_core_with_pulses(params):
    """48 neurons of the full-chip workload (AMPA weights 1-4, 20 Hz inputs) with pulses, 50 ms.

    The same spike count for every neuron; spike times within 50 us for the median neuron (the whole
    256-neuron core, 0.1 s, is measured in the report of issue 12: the worst neurons differ by up to
    0.2 ms at the default step and 65 us at 20 us, the error of the step at spikes after a slow approach).
    """
    w = full_chip.load_workload(full_chip.DEFAULT_WORKLOAD)
    net = full_chip.workload_network(
        w["pre_sources"], w["weights"], w["in_indices"], w["in_spike_times"], params=params, neurons=np.arange(48)
    )
    record = Record(dt=None, neurons=(), at_spikes=False)
    ref, fast = run_reference(net, 0.05, record), run_fast(net, 0.05, record)
    assert ref.spike_count.sum() > 100
    np.testing.assert_array_equal(fast.spike_count, ref.spike_count)
    per_neuron = [np.abs(a - b).max() for a, b in zip(fast.spike_times, ref.spike_times, strict=True) if a.size]
    assert np.median(per_neuron) < 50e-6


@pytest.mark.parametrize("method", RUNS)
def test_both_integrators_refuse_a_membrane_made_stiff_by_a_pulse_at_its_end(method):
    """A 50 uA GABA_A pulse of 0.2 ms: the shunt is largest at the pulse's end, where both check the limit."""
    from dynapse_edu.engines.limits import IntegrationLimitError

    net = one_neuron(Params(I_const=1e-9, t_pulse=0.2e-3, I_w0_gaba_a=50e-6), [0.0305], "GABA_A")
    with pytest.raises(IntegrationLimitError, match=r"relaxes in 0.447 us at t = 30.7 ms"):
        RUNS[method](net, 0.05, Record(dt=None, neurons=(), at_spikes=False))
    weaker = one_neuron(Params(I_const=1e-9, t_pulse=0.2e-3, I_w0_gaba_a=5e-6), [0.0305], "GABA_A")
    assert RUNS[method](weaker, 0.05, Record(dt=None, neurons=(), at_spikes=False)).spike_count[0] == 3


def test_compiled_dpi_under_input_is_the_core_function():
    """The fast engine compiles core.synapse.dpi_under_input from its bytecode: the same numbers (1e-12)."""
    from dynapse_edu.engines import kernels

    rng = np.random.default_rng(12)
    args = [(float(np.exp(rng.uniform(np.log(0.5e-12), np.log(5e-9)))), float(10 ** rng.uniform(-9, -1)),
             float(rng.choice([0.0, 10e-12, 20e-12, 1e-9, 50e-9])), 80e-12, 20e-12, 4e-3, 1e-12,
             float(rng.choice([1.0, 0.815, 1.2]))) for _ in range(300)]
    expected = np.array([dpi_under_input(*a) for a in args])
    got = np.array([kernels.COMPILED["dpi_under_input"](*a) for a in args])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)
    compiled = kernels.COMPILED["dpi_under_input"]
    assert getattr(compiled, "py_func", compiled).__code__ is dpi_under_input.__code__
