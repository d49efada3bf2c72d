"""The reference integrator against the original simulator's part-1 recording, and its mechanics."""

import numpy as np
import pytest

from dynapse_edu import Chip, Record, RegularGenerator, SpikeGenerator, experiments
from dynapse_edu.core.dynamics import AHP, NeuronTable, rest_state
from dynapse_edu.core.network import Network, Projection
from dynapse_edu.core.params import Params
from dynapse_edu.engines import reference
from dynapse_edu.engines.limits import IntegrationLimitError, RunInterrupted
from dynapse_edu.engines.registry import METHODS, register_method, simulate
from dynapse_edu.errors import ParameterError


@pytest.fixture(scope="module")
def part1_result():
    return experiments.part1(duration=1.0, dt=1e-4)


def test_part1_input_is_the_originals(single_neuron_ref):
    np.testing.assert_allclose(experiments.part1_input(), single_neuron_ref["in_spike_times"], atol=1e-12)


def test_part1_spike_count_within_5_percent(part1_result, single_neuron_ref):
    ours = part1_result.spike_count[0]
    theirs = len(single_neuron_ref["out_spike_times"])
    assert abs(ours - theirs) <= 0.05 * theirs


def test_part1_first_ten_spikes_within_half_a_millisecond(part1_result, single_neuron_ref):
    ours = part1_result.spike_times[0][:10]
    theirs = single_neuron_ref["out_spike_times"][:10]
    np.testing.assert_allclose(ours, theirs, atol=0.5e-3)


@pytest.mark.parametrize(("ours", "theirs"), [("I_ampa", "Iampa"), ("I_nmda", "Inmda")])
def test_part1_synapse_traces_agree(part1_result, single_neuron_ref, ours, theirs):
    """Synaptic currents on the 0.1 ms grid (away from input spikes) agree within 1 % (median)."""
    ref_t, ref_i = single_neuron_ref["t"], single_neuron_ref[theirs]
    grid = np.arange(0.0, 0.5, 1e-4)
    t = part1_result.t
    first = np.unique(t, return_index=True)[1]  # samples at unique times (the grid has no duplicates)
    ours_i = np.interp(grid, t[first], part1_result.trace(ours)[first])
    theirs_i = np.interp(grid, ref_t, ref_i)
    spikes = single_neuron_ref["in_spike_times"]
    far = np.min(np.abs(grid[:, None] - spikes[None, :]), axis=1) > 0.2e-3
    rel = np.abs(ours_i[far] - theirs_i[far]) / theirs_i[far]
    assert np.median(rel) < 0.01


def test_record_grid_and_events():
    chip = Chip()
    neuron = chip.get_neurons(1, core=0)
    chip.add_connection(SpikeGenerator([0, 0], [0.0105, 0.02]), neuron, "AMPA", 1.0)
    result = chip.run(0.03, dt=1e-3, at_spikes=True)
    grid = np.arange(31) * 1e-3
    events = np.array([0.0105, 0.0105, 0.02, 0.02])
    np.testing.assert_allclose(result.t, np.sort(np.concatenate([grid, events])), atol=1e-12)
    assert np.all(np.diff(result.t) >= 0)
    no_events = chip.run(0.03, dt=1e-3, at_spikes=False)
    np.testing.assert_allclose(no_events.t, grid, atol=1e-12)


def test_recurrent_spike_reaches_target_at_the_same_time():
    chip = Chip(Params(I_const=1e-9))
    driver = chip.get_neurons(1, core=0)
    chip.set_bias(1, I_const=0.0)
    target = chip.get_neurons(1, core=1)
    chip.add_connection(driver, target, "AMPA", 1.0)
    result = chip.run(0.05, dt=1e-3, neurons=target)
    s = result.spike_times[0][0]
    at = np.flatnonzero(result.t == s)
    ampa = result.trace("I_ampa", result.index(target.ids[0]))
    assert at.size == 2
    assert ampa[at[1]] - ampa[at[0]] == pytest.approx(Params().jump("AMPA"), rel=1e-9)
    assert result.spike_count[1] == 0  # no core-1 excitation beyond the driver: one synapse is too weak


def test_record_subset_and_no_grid():
    chip = Chip()
    neurons = chip.get_neurons(4, core=2)
    chip.add_connection(RegularGenerator(1, 200.0), neurons, "AMPA", 4.0)
    full = chip.run(0.05, dt=1e-3)
    part = chip.run(0.05, dt=1e-3, neurons=neurons[1:3])
    assert part.I_mem.shape[1] == 2
    np.testing.assert_allclose(part.I_mem, full.I_mem[:, 1:3])
    for a, b in zip(full.spike_times, part.spike_times, strict=True):
        np.testing.assert_allclose(a, b)
    none = chip.run(0.05, dt=None, at_spikes=False)
    assert none.t.size == 0
    assert none.spike_count.sum() == full.spike_count.sum()


def test_result_accessors():
    result = experiments.part1(duration=0.2, dt=1e-3)
    idx, times = result.spikes()
    assert np.all(np.diff(times) >= 0) and np.all(idx == 0)
    assert result.rates[0] == pytest.approx(result.spike_count[0] / 0.2)
    np.testing.assert_allclose(result.isi(0), np.diff(result.spike_times[0]))
    assert "Result(method='reference'" in repr(result)
    with pytest.raises(ValueError, match="unknown trace"):
        result.trace("V_mem")
    with pytest.raises(ValueError, match="not recorded"):
        result.trace("I_mem", 3)
    with pytest.raises(AttributeError, match="traces"):
        _ = result.I_foo


def test_bad_record_and_duration():
    with pytest.raises(ValueError, match="record dt"):
        Record(dt=-1.0)
    chip = Chip()
    chip.get_neurons(1, core=0)
    with pytest.raises(ValueError, match=r"duration = -1 s is outside the allowed range"):
        chip.run(-1)
    with pytest.raises(ValueError, match="unknown method 'euler'"):
        chip.run(0.01, method="euler")


# --- solver retries, progress bar and interrupt (issue 16 item 1) -------------------------------------------


def _driven_net(current=1e-9):
    """One neuron under a constant current (4 spikes in 50 ms at 1 nA), no inputs."""
    none = Projection.build(1, *(np.zeros(0, np.int64),) * 3, np.zeros(0))
    return Network(NeuronTable.from_params(Params(I_const=current)), np.arange(1), np.zeros(0, np.int64),
                   np.zeros(0), none, none)


def _failing_first(monkeypatch, failures):
    """Make solve_ivp fail (success False, as on 'Required step size...') on its first ``failures`` calls."""
    real = reference.solve_ivp
    calls = {"n": 0, "kwargs": []}

    def fake(*args, **kwargs):
        calls["n"] += 1
        calls["kwargs"].append(kwargs)
        sol = real(*args, **kwargs)
        if calls["n"] <= failures:
            sol.success, sol.status, sol.message = False, -1, "Required step size is less than spacing between numbers."
        return sol

    monkeypatch.setattr(reference, "solve_ivp", fake)
    return calls


def test_solver_failure_is_retried_with_a_small_first_step(monkeypatch):
    expected = reference.run_reference(_driven_net(), 0.05, Record(dt=None, at_spikes=False))
    calls = _failing_first(monkeypatch, 1)
    got = reference.run_reference(_driven_net(), 0.05, Record(dt=None, at_spikes=False))
    assert calls["kwargs"][1]["first_step"] == reference.RETRIES[0][1]  # the retry: a 1 ps first step
    np.testing.assert_allclose(got.spike_times[0], expected.spike_times[0], rtol=1e-5)  # (solver tolerances)


def test_solver_failure_after_every_retry_is_a_named_limit(monkeypatch):
    _failing_first(monkeypatch, 1 + len(reference.RETRIES))
    with pytest.raises(IntegrationLimitError, match="could not step from t = 0 ms") as info:
        reference.run_reference(_driven_net(), 0.05, Record(dt=None, at_spikes=False))
    assert "I_w_ahp" in str(info.value) and "Required step size" in str(info.value)
    assert info.value.neurons == (0,) and "I_w_ahp" in info.value.parameters


def test_progress_bar_shows_the_simulated_time(capsys):
    pytest.importorskip("tqdm")
    reference.run_reference(_driven_net(), 0.05, Record(dt=None, at_spikes=False), progress=True)
    err = capsys.readouterr().err
    assert "reference: 100%" in err and "50.0/50.0 ms simulated" in err


def test_progress_automatic_is_silent_for_a_short_run_and_refuses_a_bad_value(capsys):
    simulate(_driven_net(), 0.05, record=Record(dt=None, at_spikes=False))
    assert capsys.readouterr().err == ""
    with pytest.raises(ParameterError, match="progress = 'yes'"):
        simulate(_driven_net(), 0.05, record=Record(dt=None, at_spikes=False), progress="yes")


def test_simulate_passes_progress_only_to_integrators_that_take_it(capsys):
    pytest.importorskip("tqdm")
    seen = []

    def plain(net, duration, record):
        seen.append(duration)
        return reference.run_reference(net, duration, record)

    register_method("plain_for_test", plain)
    try:
        simulate(_driven_net(), 0.02, "plain_for_test", Record(dt=None, at_spikes=False), progress=True)
    finally:
        del METHODS["plain_for_test"]
    assert seen == [0.02]
    simulate(_driven_net(), 0.02, "reference", Record(dt=None, at_spikes=False), progress=True)
    assert "20.0/20.0 ms simulated" in capsys.readouterr().err


def test_interrupt_gives_one_line_and_the_partial_result(monkeypatch):
    """Ctrl-C inside solve_ivp (simulated): a RunInterrupted raised by the integrator, no chained scipy traceback."""
    real = reference.solve_ivp
    calls = {"n": 0}

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:  # after two spikes of the 1 nA neuron (two segments each: to threshold, refractory)
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(reference, "solve_ivp", interrupted)
    with pytest.raises(KeyboardInterrupt) as info:
        simulate(_driven_net(), 3600.0, record=Record(dt=1e-3, at_spikes=False), progress=False)
    err = info.value
    assert isinstance(err, RunInterrupted)
    message = str(err)
    assert "\n" not in message and message.startswith("the reference integrator was interrupted at t = ")
    assert "of 3600 s" in message
    assert err.__suppress_context__ and err.__cause__ is None  # the traceback ends in the integrator
    partial = err.partial
    assert partial.duration == pytest.approx(err.t) and 0 < err.t < 0.05
    assert partial.spike_count.tolist() == [2] and partial.spike_times[0][-1] == pytest.approx(err.t)
    assert partial.t.size and partial.t[-1] <= err.t


def test_radau_only_where_a_membrane_settles_stiffly_below_threshold():
    """reference.is_stiff: Radau damps a membrane's growth from its floor, so it is chosen only where a membrane
    settles between its floor and its threshold and relaxes there faster than STIFF_TAU."""
    table = NeuronTable.from_params(Params())
    state = rest_state(table)
    active = np.array([True])
    state[AHP], state[2] = 1e-6, 2e-6  # 2 uA of AMPA against 1 uA of adaptation: settles at 20 pA, 0.14 us
    assert reference.is_stiff(state, table, active)
    assert not reference.is_stiff(state, table, ~active)  # refractory: held
    state[2] = 0.5e-6  # less input than leak: held at the floor, where it will lift off (RK45)
    assert not reference.is_stiff(state, table, active)
    state[2] = 1e-3  # an equilibrium far above threshold: the upswing (RK45)
    assert not reference.is_stiff(state, table, active)
