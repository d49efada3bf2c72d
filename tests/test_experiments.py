"""Tests of dynapse_edu.experiments: the course's standard experiments."""

import numpy as np
import pytest

from dynapse_edu import Mismatch, experiments
from dynapse_edu.core.params import Params
from dynapse_edu.errors import ParameterError


def test_ff_curve_ampa_monotone_and_weight_matters():
    rates_in = [0, 25, 50, 100, 200]
    low = experiments.ff_curve("AMPA", 3.0, rates_in, duration=0.5)
    high = experiments.ff_curve("AMPA", 6.0, rates_in, duration=0.5)
    assert low[0] == 0 and high[0] == 0
    assert np.all(np.diff(high) >= 0)
    assert np.all(high >= low) and high[-1] > low[-1]


def test_ff_curve_poisson_is_seeded():
    a = experiments.ff_curve("NMDA", 2.0, [100.0], duration=0.5, input="poisson", seed=1)
    b = experiments.ff_curve("NMDA", 2.0, [100.0], duration=0.5, input="poisson", seed=1)
    np.testing.assert_array_equal(a, b)
    assert a[0] > 0


def test_inhibition_alone_never_fires():
    assert experiments.ff_curve("GABA_B", 5.0, [200.0], duration=0.2)[0] == 0


def test_spike_response_has_every_trace():
    result = experiments.spike_response({"AMPA": (4.0, [0.01, 0.012, 0.014]), "GABA_B": (1.0, [0.02])}, 0.05)
    for name in ("I_mem", "I_ahp", "I_ampa", "I_nmda", "I_gaba_a", "I_gaba_b", "I_nmda_gated", "I_in", "I_pfb"):
        assert result.traces[name].shape == (len(result.t), 1)
    assert result.trace("I_gaba_b").max() > 100e-12


def test_params_dict_overrides_reach_the_model():
    t, fast = experiments.synapse_kernel("AMPA", duration=0.03)
    t2, slow = experiments.synapse_kernel("AMPA", duration=0.03, params={"I_tau_ampa": 5e-12})
    late = t > 0.02
    assert np.all(slow[late] > fast[late])


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: experiments.ff_curve("AMPA", 1.0, [10.0], input="burst"), "input = 'burst'"),
        (lambda: experiments.synapse_kernel("AMPA", t_spike=0.5, duration=0.2), "t_spike = 0.5 s"),
        (lambda: experiments.spike_response({}, 0.1), "inputs = {} must be a non-empty dict"),
        (lambda: experiments.adaptation_isi(t_on=0.3, t_off=0.2), "t_on < t_off"),
        (lambda: experiments.fi_curve([-1e-12], duration=0.1), r"currents contains -1e-12 A, outside .*\[0, 0\.001\]"),
        (lambda: experiments.ff_curve("AMPA", -1.0, [10.0], duration=0.1), r"weight = -1.0 is outside"),
    ],
)
def test_bad_arguments_are_named(call, match):
    with pytest.raises(ParameterError, match=match):
        call()


def test_fi_curve_for_a_group_with_mismatch_and_background():
    currents = [400e-12, 800e-12]
    single = experiments.fi_curve(currents, duration=0.2)
    same = experiments.fi_curve(currents, duration=0.2, n_neurons=3, mismatch=Mismatch(spread=0.0))
    assert same.shape == (2, 3)
    np.testing.assert_array_equal(same, np.repeat(single[:, None], 3, axis=1))
    spread = experiments.fi_curve(currents, duration=0.2, n_neurons=8, mismatch=Mismatch(spread=0.2, seed=1))
    assert np.ptp(spread[1]) > 0
    inhibited = experiments.fi_curve(currents, duration=0.2, background=("GABA_B", 200.0, 2.0))
    assert np.all(inhibited <= single) and inhibited[1] < single[1]
    with pytest.raises(ParameterError, match="unknown synapse type"):
        experiments.fi_curve(currents, duration=0.2, background=("GLU", 10.0, 1.0))


def test_measure_decay_recovers_exponential():
    t = np.linspace(0, 0.05, 500)
    current = np.maximum(400e-12 * np.exp(-t / 7e-3), 1e-12)
    assert experiments.measure_decay(t, current) == pytest.approx(7e-3, rel=1e-9)
    resting = 5e-12 + 400e-12 * np.exp(-t / 7e-3)
    assert experiments.measure_decay(t, resting, floor=5e-12) == pytest.approx(7e-3, rel=1e-9)
    with pytest.raises(ParameterError, match="need 4"):
        experiments.measure_decay(t[:2], current[:2])
    with pytest.raises(ParameterError, match="equal length"):
        experiments.measure_decay(t, current[:-1])
    with pytest.raises(ParameterError, match="0 < stop < start <= 1"):
        experiments.measure_decay(t, current, start=0.2, stop=0.9)


def test_synapse_kernel_peak_and_decay_are_the_dpi_closed_form():
    p = Params()
    for synapse in ("AMPA", "GABA_B"):
        t, current = experiments.synapse_kernel(synapse, weight=2.0, duration=8 * p.tau_syn(synapse) + 0.01)
        assert current.max() == pytest.approx(p.I0 + p.jump(synapse, 2.0), rel=1e-9)
        assert experiments.measure_decay(t, current) == pytest.approx(p.tau_syn(synapse), rel=1e-3)
        assert np.all(current[t < 0.01] == p.I0)  # nothing before the spike


def test_part1_input_is_the_original_train():
    times = experiments.part1_input()
    assert times.size == 98 and times[0] == pytest.approx(0.014)
    assert np.all(np.diff(times) > 0)
    assert experiments.part1_input(duration=0.1).tolist() == times[times < 0.1].tolist()
    assert experiments.part1_input(seed=1).tolist() != times.tolist()


def test_part1_is_spike_response_to_the_part1_input():
    times = experiments.part1_input(duration=0.3)
    direct = experiments.spike_response({"NMDA": (0.5, times), "AMPA": (2.0, times)}, 0.3)
    np.testing.assert_array_equal(experiments.part1(duration=0.3).spike_times[0], direct.spike_times[0])


def test_adaptation_isi_intervals_grow_with_adaptation_only():
    adapting = experiments.adaptation_isi()
    assert adapting[-1] > 1.5 * adapting[0]
    flat = experiments.adaptation_isi(params={"I_w_ahp": 1e-15})
    assert flat[-1] == pytest.approx(flat[0], rel=0.3)
    with pytest.raises(ParameterError, match="rate = 0"):
        experiments.adaptation_isi(rate=0)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: experiments.adaptation_isi(rate=float("inf")), r"adaptation_isi: rate = inf Hz is outside .*100000"),
        (lambda: experiments.adaptation_isi(rate=0.0), r"rate = 0.0 Hz is outside the allowed range \(0, 100000\] Hz"),
        (lambda: experiments.adaptation_isi(rate=None), "rate = None must be a number in Hz"),
        (lambda: experiments.adaptation_isi(t_off="0.5"), "t_off = '0.5' must be a number in s"),
        (lambda: experiments.synapse_kernel("AMPA", duration="0.1"), "duration = '0.1' must be a number"),
        (lambda: experiments.fi_curve(["1e-9"], duration=0.1), r"currents = \['1e-9'\] must be a non-empty list"),
        (lambda: experiments.fi_curve([float("nan")], duration=0.1), "currents contains nan A"),
        (lambda: experiments.fi_curve([1e-9], n_neurons=300), "n_neurons = 300 must be an integer in 1..256"),
        (lambda: experiments.ff_curve("AMPA", 1.0, [1e6]), r"input_rates contains 1000000.0 Hz"),
        (lambda: experiments.ff_curve("AMPA", 1.0, [10.0], input="poisson", seed=-1), "ff_curve: seed = -1"),
        (lambda: experiments.spike_response({"AMPA": 2.0}, 0.1), r"inputs\['AMPA'\] = 2.0 must be \(weight, spike"),
        (lambda: experiments.spike_response({"AMPA": (2.0, ["0.01"])}, 0.1), r"times must be numbers"),
        (lambda: experiments.part1_input(seed=1.5), "part1_input: seed = 1.5"),
        (lambda: experiments.part1_input(seed="abc"), "part1_input: seed = 'abc'"),
        (lambda: experiments.part1_input(rate=2000.0), r"rate = 2000.0 Hz is outside the allowed range \[0, 1000\]"),
    ],
)
def test_bad_inputs_are_refused_at_the_door(call, match):
    with pytest.raises(ParameterError, match=match):
        call()


def test_rheobase_is_the_first_firing_current_of_the_fi_curve():
    grid = np.arange(0.0, 1001.0, 50.0) * 1e-12
    rates = experiments.fi_curve(grid, duration=0.2, method="fast")
    found = experiments.rheobase(grid, duration=0.2)
    assert found == grid[np.argmax(rates > 0)] and rates[grid < found].max() == 0 and found > 0
    # inhibition in the background moves it up; a grid that never fires, or out of order, is refused
    assert experiments.rheobase(grid, duration=0.2, background=("GABA_A", 100.0, 0.05)) > found
    with pytest.raises(ParameterError, match="does not fire"):
        experiments.rheobase(grid[:3], duration=0.2)
    with pytest.raises(ParameterError, match="must increase"):
        experiments.rheobase(grid[::-1], duration=0.2)


def test_pulse_train_mean_is_the_mean_of_the_exact_train():
    from dynapse_edu.core.synapse import dpi_pulse_response

    args = (50e-6, 10e-9, 80e-12, 20e-12, 4e-3, 0.3e-12)
    t = np.arange(0.5, 1.0, 10e-6)
    exact = dpi_pulse_response(t, np.arange(0.0, 1.0, 0.01), *args).mean()
    assert experiments.pulse_train_mean(100.0, *args) == pytest.approx(exact, rel=1e-3)
    # far above I_g a pulse adds about (I_g I_w / I_tau)(1 - exp(-t/tau)): the mean is about that times rate tau
    mean = experiments.pulse_train_mean(200.0, *args)
    assert 0 < mean < 80e-12 * 10e-9 / 20e-12 * (1 - np.exp(-50e-6 / 4e-3)) * 200.0 * 4e-3 * 1.1
    for bad in ({"rate": 0.0}, {"width": 0.0}, {"settle": 1.0}):
        kwargs = {"rate": 100.0, "width": 50e-6, **bad}
        with pytest.raises(ParameterError):
            experiments.pulse_train_mean(kwargs.pop("rate"), kwargs.pop("width"), *args[1:], **kwargs)
