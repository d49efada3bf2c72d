"""The domain of the integrators (engines.limits): the same refusals in both, the floor held, short time constants
followed by the fast engine, and the reproductions of issue 17."""

from __future__ import annotations

import numpy as np
import pytest

from dynapse_edu import Chip, SpikeGenerator
from dynapse_edu.core.dynamics import NeuronTable, rest_state
from dynapse_edu.core.network import Network, Projection
from dynapse_edu.core.neuron import membrane_relaxation
from dynapse_edu.core.params import Params
from dynapse_edu.core.result import Record
from dynapse_edu.engines import limits, reference
from dynapse_edu.engines.limits import MAX_RATE, MIN_TAU_MEM, IntegrationLimitError, max_spikes
from dynapse_edu.engines.registry import simulate
from dynapse_edu.errors import ParameterError

SPIKES_ONLY = Record(dt=None, neurons=(), at_spikes=False)
METHODS = ("reference", "fast")


def _net(params, n: int = 1, times=(), synapse: int = 0, weight: float = 1.0) -> Network:
    """n neurons of ``params``, each fed the input spike times ``times`` through ``synapse``."""
    table = NeuronTable.from_params(params, n)
    times = np.asarray(times, dtype=float)
    external = Projection.build(1, np.zeros(n, np.int64), np.arange(n), np.full(n, synapse), np.full(n, weight))
    none = Projection.build(n, *(np.zeros(0, np.int64),) * 3, np.zeros(0))
    return Network(table, np.arange(n) + 100, np.zeros(times.size, np.int64), times, external, none)


# --- the floor held in the reference integrator's state (issue 17, item 2) -----------------------------------------

def test_issue17_jump_after_decay_starts_from_the_floor():
    """A jump after the AMPA current decayed to the floor starts from I0 (closed form I0 + J), in both integrators."""
    c = Chip()
    n = c.get_neurons(1, core=0)
    c.add_connection(SpikeGenerator([0], [0.01]), n, "AMPA", weight=4)
    c.add_connection(SpikeGenerator([0], [0.15]), n, "AMPA", weight=0.0025)
    ref = c.run(0.2, method="reference")
    just_after = ref.trace("I_ampa")[np.flatnonzero(ref.t == 0.15)][-1]
    assert just_after == pytest.approx(2.0e-12, rel=1e-9)  # 1 pA + 0.0025 x 400 pA (was 1.691 pA)
    one_step = 2.0e-12 * np.exp(-1e-4 / Params().tau_syn("AMPA"))  # 0.1 ms later, on the grid
    for method in ("reference", "fast"):
        r = c.run(0.2, method=method, at_spikes=False)
        assert r.trace("I_ampa")[np.searchsorted(r.t, 0.1501)] == pytest.approx(one_step, rel=1e-5)


def _raw_states_spy(monkeypatch) -> list[np.ndarray]:
    """Record every raw state the reference integrator hands to an input jump or a reset."""
    seen: list[np.ndarray] = []
    deliver, reset = reference.deliver_spikes, reference.reset

    def spy_deliver(state, table, *args):
        seen.append((state - table.I0).min(axis=1))
        deliver(state, table, *args)

    def spy_reset(state, table, spiking, *args):
        seen.append((state - table.I0).min(axis=1))
        reset(state, table, spiking, *args)

    monkeypatch.setattr(reference, "deliver_spikes", spy_deliver)
    monkeypatch.setattr(reference, "reset", spy_reset)
    return seen


@pytest.mark.parametrize("seed", range(6))
def test_reference_raw_states_never_below_the_floor(monkeypatch, seed):
    """Random biases (the settings the integrators accept): no raw state below I0 at any jump or reset."""
    rng = np.random.default_rng(seed)
    params = Params(
        I_tau_ampa=float(rng.uniform(2e-12, 200e-12)), I_tau_nmda=float(rng.uniform(2e-12, 200e-12)),
        I_tau_gaba_a=float(rng.uniform(2e-12, 200e-12)), I_tau_gaba_b=float(rng.uniform(2e-12, 200e-12)),
        I_tau_ahp=float(rng.uniform(2e-12, 200e-12)), I_w_ahp=float(rng.uniform(1e-12, 100e-12)),
        I_const=float(rng.uniform(0, 2e-9)), t_ref=float(rng.uniform(1e-4, 1e-2)),
    )
    seen = _raw_states_spy(monkeypatch)
    times = np.sort(rng.uniform(0, 0.2, 30))
    for synapse in range(4):
        net = _net(params, 2, times, synapse, weight=float(rng.uniform(0.5, 4)))
        simulate(net, 0.2, "reference", SPIKES_ONLY)
    assert seen and min(float(s.min()) for s in seen) >= 0.0


# --- the limits: both integrators refuse the same settings, with the parameters named ------------------------------

@pytest.mark.parametrize("method", METHODS)
def test_short_membrane_time_constant_refused(method):
    net = _net(Params(I_tau_mem=1e-6))  # tau_mem 0.07 us
    with pytest.raises(IntegrationLimitError, match="tau_mem = 0.0709 us.*0.5 us.*MIN_TAU_MEM") as err:
        simulate(net, 0.01, method, SPIKES_ONLY)
    assert err.value.parameters == ("I_tau_mem", "C_mem") and err.value.neurons == (100,)
    assert isinstance(err.value, ParameterError)


@pytest.mark.parametrize("method", METHODS)
def test_firing_above_max_rate_refused_early(method):
    """t_ref = 1 us under 2 uA: the neuron would fire at ~200 kHz; the run stops at the limit, naming t_ref."""
    net = _net(Params(t_ref=1e-6, I_const=2e-6))
    with pytest.raises(IntegrationLimitError, match=f"above the {max_spikes(1.0)} .*t_ref = 1e-06 s") as err:
        simulate(net, 1.0, method, SPIKES_ONLY)
    assert "t_ref" in err.value.parameters and "I_const" in err.value.parameters
    assert err.value.neurons == (100,)


@pytest.mark.parametrize("method", METHODS)
def test_firing_below_max_rate_runs(method):
    """The same neuron with t_ref = 1 ms fires below MAX_RATE: simulated."""
    result = simulate(_net(Params(t_ref=1e-3, I_const=2e-6)), 0.1, method, SPIKES_ONLY)
    assert 0 < result.spike_count[0] <= MAX_RATE * 0.1


@pytest.mark.parametrize("method", METHODS)
def test_stiff_membrane_under_shunt_refused(method):
    """A 24 uA shunting jump onto a driven membrane makes it relax in ns: refused, naming the shunting weight."""
    net = _net(Params(I_const=2e-9, t_ref=1e-3, I_w0_gaba_a=6e-6), times=[0.005], synapse=2, weight=1.0)
    with pytest.raises(IntegrationLimitError, match="relaxes in .* us at t = 5 ms") as err:
        simulate(net, 0.02, method, SPIKES_ONLY)
    assert "I_w0_gaba_a" in err.value.parameters


def test_the_same_refusal_message_from_both():
    net = _net(Params(I_tau_mem=1e-6), 3)
    messages = set()
    for method in METHODS:
        with pytest.raises(IntegrationLimitError) as err:
            simulate(net, 0.01, method, SPIKES_ONLY)
        messages.add(str(err.value))
    assert len(messages) == 1


def test_error_pickles_with_its_attributes():
    import pickle

    err = pickle.loads(pickle.dumps(IntegrationLimitError("x", ("t_ref",), (3,))))
    assert (str(err), err.parameters, err.neurons) == ("x", ("t_ref",), (3,))


def test_relaxation_matches_the_limit_functions():
    table = NeuronTable.from_params(Params())
    state = rest_state(table)
    assert np.isinf(membrane_relaxation(state[0], state[1], state[limits.SHUNT], table)).all()
    state[0] = 1e-9
    limits.check_relaxation(_net(Params()), state, np.array([0]), 0.0)  # a default membrane: allowed


# --- the fast engine follows short time constants (issue 17, item 1) ------------------------------------------------

def test_issue17_short_membrane_followed():
    """tau_mem 0.8 us against the 100 us step: the fast engine gave 20 spikes, the reference 0."""
    chip = Chip()
    chip.get_neurons(1, core=0)
    chip.set_bias(0, "IF_TAU1_N", 6, 7)
    chip.set_bias(0, "IF_THR_N", 1, 17)
    chip.set_bias(0, "IF_DC_P", 7, 105)
    assert MIN_TAU_MEM < chip.params(0).tau_mem < 1e-6
    counts = [chip.run(0.1, method=m, dt=None, at_spikes=False).spike_count.tolist() for m in METHODS]
    assert counts == [[0], [0]]


@pytest.mark.parametrize("tau_ampa_pA", [2e5, 2e6])  # AMPA tau 0.35 us and 35 ns, far below the 100 us step
def test_short_synapse_followed(tau_ampa_pA):
    """A strong, very short AMPA pulse every 2 ms: the charge it carries (jump x tau) drives the neuron;
    both integrators count the same spikes."""
    I_tau = tau_ampa_pA * 1e-12
    params = Params(I_tau_ampa=I_tau, I_w0_ampa=2e-6, t_ref=1e-3)
    net = _net(params, 1, np.arange(1, 100) * 2e-3, 0, 4.0)
    counts = [int(simulate(net, 0.2, m, SPIKES_ONLY).spike_count[0]) for m in METHODS]
    assert counts[0] > 0 and abs(counts[0] - counts[1]) <= max(1, 0.02 * max(counts)), counts
