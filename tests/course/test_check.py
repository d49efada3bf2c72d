"""Tests of dynapse_edu.course.check: the answer checks compute the right value from the simulator.

Each check is given the value the library computes by another route (a closed
form, an experiment) and a value off by a known factor; it must accept the
first, reject the second and say why.
"""

from __future__ import annotations

import pytest

from dynapse_edu import Chip, PoissonGenerator, experiments
from dynapse_edu.core.params import Params
from dynapse_edu.course import check
from dynapse_edu.errors import ParameterError
from dynapse_edu.spice import compare


@pytest.fixture(autouse=True)
def _fresh_record():
    check.reset()
    yield
    check.reset()


def test_close_accepts_within_tolerance_and_names_the_direction(capsys):
    assert check.close(1.02, 1.0, "x", rel_tol=0.03, question="q1", points=2).score == 2
    low = check.close(0.5, 1.0, "x", question="q2", points=2)
    assert not low and low.score == 0.0 and "too small" in low.message
    assert "too large" in check.close(2.0, 1.0, "x").message
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("✓ q1:") and printed[1].startswith("✗ q2:")


@pytest.mark.parametrize(("factor", "name"), [(1e3, "1000"), (1e-3, "1/1000"), (1e12, "1e12"), (1e-12, "1e-12")])
def test_close_spots_a_unit_slip(factor, name):
    result = check.close(3.5e-3 * factor, 3.5e-3, "tau", "ms", 1e-3)
    assert f"off by a factor {name}: check your units" in result.message


def test_close_rejects_what_is_not_an_answer():
    with pytest.raises(NotImplementedError, match="still `...`"):
        check.close(..., 1.0, "x")
    with pytest.raises(ParameterError, match="must be a number"):
        check.close("fast", 1.0, "x")
    assert "not a finite number" in check.close(float("nan"), 1.0, "x").message


def test_results_and_reset_keep_the_record_in_order():
    check.close(1.0, 1.0, "x", question="a")
    check.close(0.0, 1.0, "x", question="b")
    assert [(r.question, r.passed) for r in check.results()] == [("a", True), ("b", False)]
    assert check.results()[1].as_dict() == {"question": "b", "passed": False, "message": check.results()[1].message,
                                            "points": 1.0, "expected": None, "score": 0.0}
    assert len(check.reset()) == 2 and check.results() == []


@pytest.mark.parametrize(("answer", "band"), [(1.05, "off by 3% to 10%"), (0.8, "off by 10% to 30%"),
                                              (0.0, "off by 30% to 100%"), (2.5, "off by more than 100%")])
def test_a_wrong_answer_gets_a_direction_and_a_band_never_the_value(answer, band):
    expected = 3.546099290780142e-3
    result = check.close(answer * expected, expected, "tau", "ms", 1e-3)
    assert band in result.message and ("too large" if answer > 1 else "too small") in result.message
    assert "3.546" not in result.message and "3.55" not in result.message and result.expected is None
    assert "3.546" not in check.synapse_tau(0.5 * expected, "AMPA").message


def test_the_right_value_is_kept_for_the_instructor_only_when_asked():
    before = check.reveal_expected(True)
    try:
        result = check.close(1.0, 2.0, "x")
        assert result.expected == 2.0 and "2" not in result.message.split("x = 1")[1].split("tolerance")[0]
    finally:
        check.reveal_expected(before)
    assert check.close(1.0, 2.0, "x").expected is None


def test_measured_from_trace_needs_a_measurement_of_each_trace():
    others = [Params(I_tau_nmda=1e-12), Params(I_tau_nmda=5e-12, C_nmda=1.5e-12)]
    assert check.measured_from_trace(experiments.measure_decay, "NMDA", [None, *others])
    typed_in = Params().tau_syn("NMDA")
    copied = check.measured_from_trace(lambda t, I: typed_in, "NMDA", [None, *others])
    assert not copied and "on kernel 2 of 3" in copied.message
    formula = check.measured_from_trace(lambda t, I: Params().tau_syn("NMDA"), "NMDA", others)
    assert not formula and "kernel 1 of 2" in formula.message
    raising = check.measured_from_trace(lambda t, I: 1 / 0, "NMDA", [None])
    assert not raising and "raised ZeroDivisionError" in raising.message
    with pytest.raises(ParameterError, match="must be a function"):
        check.measured_from_trace(3.5e-3, "NMDA", [None])
    with pytest.raises(ParameterError, match="params_list is empty"):
        check.measured_from_trace(experiments.measure_decay, "NMDA", [])


def test_biases_kept_accepts_only_the_named_biases():
    chip = Chip()
    chip.set_bias(0, "IF_THR_N", 1, 90)
    assert check.biases_kept(chip, 0, ["IF_THR_N"])
    other_core = Chip()
    other_core.set_bias(2, "IF_RFR_N", 0, 30)
    broken = check.biases_kept(other_core, 0, ["IF_RFR_N"])
    assert not broken and "IF_RFR_N of core 2" in broken.message
    direct = Chip()
    direct.set_bias(0, I_tau_mem=7e-12)  # a model parameter set directly, bypassing the bias generator
    assert not check.biases_kept(direct, 0, ["IF_THR_N"])
    with pytest.raises(ParameterError, match="Chip or Board"):
        check.biases_kept("chip", 0, ["IF_THR_N"])


@pytest.mark.parametrize("synapse", ["AMPA", "NMDA", "GABA_A", "GABA_B"])
def test_synapse_tau_is_the_closed_form(synapse):
    tau = Params().tau_syn(synapse)
    assert check.synapse_tau(tau, synapse)
    assert not check.synapse_tau(1.1 * tau, synapse)
    slow = Params(I_tau_nmda=Params().I_tau_nmda / 2)
    assert check.synapse_tau(2 * Params().tau_syn("NMDA"), "NMDA", params=slow)


def test_synapse_peak_is_i0_plus_the_jump():
    p = Params()
    assert check.synapse_peak(p.I0 + p.jump("AMPA", 3.0), "AMPA", weight=3.0)
    assert not check.synapse_peak(p.I0 + p.jump("AMPA", 1.0), "AMPA", weight=3.0)


def test_rate_checks_agree_with_the_fi_curve():
    rates = experiments.fi_curve([500e-12, 1e-9], duration=0.3)
    assert check.output_rate(rates[1], 1e-9, duration=0.3)
    assert check.rate_at(None, 1e-9, rates[1], duration=0.3)
    slow = check.rate_at(None, 1e-9, 2 * rates[1], duration=0.3)
    assert not slow and "must fire faster" in slow.message
    assert check.fi_slope(None, 500e-12, 1e-9, (rates[1] - rates[0]) / 500e-12, duration=0.3)
    with pytest.raises(ParameterError, match="need low < high"):
        check.fi_slope(None, 1e-9, 500e-12, 1.0)


def test_adapted_isi_gives_the_direction_of_the_fix():
    last = float(experiments.adaptation_isi()[-1])
    assert check.adapted_isi(None, last)
    more = check.adapted_isi(None, 2 * last)
    assert not more and "more adaptation" in more.message
    assert "barely fires" in check.adapted_isi(None, last, weight=0.1).message


def test_population_rate_needs_hardware_mode_and_a_range():
    chip = Chip()
    group = chip.get_neurons(4, core=0)
    chip.add_connection(PoissonGenerator(4, 200.0, seed=0), group, "AMPA", 8, rule="one_to_one")
    assert "hardware=False" in check.population_rate(chip, group, 1.0, 500.0, duration=0.1).message
    rate = float(chip.run(0.1, dt=None, at_spikes=False).rates.mean())
    assert check.population_rate(chip, group, 0.9 * rate, 1.1 * rate, duration=0.1, hardware=False)
    assert check.population_rate(chip, group.ids.tolist(), 0.9 * rate, 1.1 * rate, duration=0.1, hardware=False)
    assert "more drive" in check.population_rate(chip, group, 2 * rate, 3 * rate, duration=0.1,
                                                 hardware=False).message
    with pytest.raises(ParameterError, match="Chip or Board"):
        check.population_rate("chip", group, 1.0, 2.0)
    with pytest.raises(ParameterError, match="low < high"):
        check.population_rate(chip, group, 5.0, 1.0)


def test_comparison_metric_rejects_unknown_names():
    with pytest.raises(ParameterError, match="unknown comparison 'dpi'"):
        check.comparison_metric(1.0, "dpi", "decay tau (s)")
    with pytest.raises(ParameterError, match="side = 'both'"):
        check.comparison_metric(1.0, "dpi_pulse", "decay tau (s)", side="both")


@pytest.mark.usefixtures("ngspice")
def test_comparison_metric_reads_the_comparison():
    result = compare.compare_dpi_pulse()
    spice_tau, model_tau = result.metrics["decay tau (s)"]
    assert check.comparison_metric(spice_tau, "dpi_pulse", "decay tau (s)", side="spice")
    assert check.comparison_metric(model_tau, "dpi_pulse", "decay tau (s)", side="model")
    assert check.comparison_metric(result.ratios["decay tau (s)"], "dpi_pulse", "decay tau (s)")
    with pytest.raises(ParameterError, match="unknown metric"):
        check.comparison_metric(1.0, "dpi_pulse", "tau")


# --- the design checks of the class-length assignments (issue 14, item 4) --------------------------------

DPI = dict(I_w=10e-9, I_g=80e-12, I_tau=20e-12, tau=4e-3, I_rest=0.3e-12)


def test_synapse_design_scores_the_design_and_says_which_target_is_missed():
    chip = Chip()
    p = chip.params(0)
    chip.set_bias_current(0, "NPDPIE_TAU_F_P", p.C_ampa * p.Ut / (p.kappa * 10e-3))
    only_tau = check.synapse_design(chip.params(0), "AMPA", 10e-3, 200e-12)
    assert not only_tau and "the peak must be smaller" in only_tau.message
    assert "decay" not in only_tau.message.split(":")[-1]
    chip.set_bias_current(0, "NPDPIE_THR_F_P", 4 * chip.params(0).I_tau_ampa)
    chip.set_bias_current(0, "PS_WEIGHT_EXC_F_N", 200e-12 / chip.params(0).alpha_ampa)
    assert check.synapse_design(chip.params(0), "AMPA", 10e-3, 200e-12)
    assert check.biases_kept(chip, 0, ["NPDPIE_TAU_F_P", "NPDPIE_THR_F_P", "PS_WEIGHT_EXC_F_N"])
    assert not check.biases_kept(chip, 0, ["NPDPIE_TAU_F_P", "NPDPIE_THR_F_P"])  # a third bias changed: refused


def test_isi_settled_measures_the_pace_of_adaptation():
    pulse = dict(t_on=0.0, t_off=0.3, duration=0.3)
    slow = check.isi_settled(None, 0.08, **pulse)  # the default adaptation is slow
    assert not slow and "faster" in slow.message
    assert check.isi_settled({"I_w_ahp": 19e-12, "I_tau_ahp": 9e-12}, 0.08, **pulse)
    with pytest.raises(ParameterError, match="fraction"):
        check.isi_settled(None, 0.08, fraction=1.5, **pulse)


def test_fi_band_under_mismatch_counts_the_neurons_in_each_band():
    m = check.Mismatch(spread=0.1, seed=3)
    chip = Chip()
    default = check.fi_band_under_mismatch(chip.params(0), [400e-12], [(50.0, 70.0)], 0.8, m, n_neurons=8,
                                           duration=0.3)
    assert not default and "too slow" in default.message and "below" in default.message
    chip.set_bias(0, "IF_THR_N", 1, 200)
    chip.set_bias(0, "IF_RFR_N", 0, 60)
    assert check.fi_band_under_mismatch(chip.params(0), [400e-12], [(50.0, 70.0)], 0.8, m, n_neurons=8, duration=0.3)
    with pytest.raises(ParameterError, match="one .low, high. band"):
        check.fi_band_under_mismatch(None, [400e-12, 800e-12], [(50.0, 70.0)], 0.8, m)


def test_function_checks_try_unseen_cases_and_report_errors_without_the_value():
    right = check.pulse_rise_function(lambda w, i: check.pulse_rise(w, i, DPI), [(50e-6, 20e-12), (1e-3, 10e-12)], DPI)
    assert right
    copied = check.pulse_rise_function(lambda w, i: 66.43e-12, [(50e-6, 20e-12), (3e-3, 20e-12)], DPI)
    assert not copied and "too small" in copied.message and "for (0.003, 2e-11)" in copied.message
    assert f"{check.pulse_rise(3e-3, 20e-12, DPI) / 1e-12:.4g}" not in copied.message

    def broken(w, i):
        raise ZeroDivisionError("oops")

    assert "raised ZeroDivisionError: oops" in check.pulse_rise_function(broken, [(50e-6, 20e-12)], DPI).message
    with pytest.raises(ParameterError, match="expected a function"):
        check.function_matches(3.0, lambda: 3.0, [()], "x")


def test_the_two_limits_of_a_pulse():
    """Short pulses: the rise does not depend on I_tau; long pulses: the instant jump, so the ratio of the leaks."""
    assert check.pulse_rise(1e-6, 10e-12, DPI) / check.pulse_rise(1e-6, 40e-12, DPI) == pytest.approx(1.0, rel=0.01)
    assert check.pulse_rise(50e-3, 10e-12, DPI) / check.pulse_rise(50e-3, 40e-12, DPI) == pytest.approx(4.0, rel=0.01)
    assert check.pulse_rise_ratio(1.0, 1e-6, 10e-12, 40e-12, DPI)
    assert not check.pulse_rise_ratio(2.0, 50e-3, 10e-12, 40e-12, DPI)


def test_pulse_train_gap_enforces_the_allowed_trains():
    assert check.pulse_train_gap(1e-6, 200.0, DPI, less_than=0.1)
    assert check.pulse_train_gap(1e-3, 200.0, DPI, less_than=0.1)  # the other limit: saturated pulses
    assert check.pulse_train_gap(50e-6, 200.0, DPI, more_than=0.5)
    assert not check.pulse_train_gap(50e-6, 200.0, DPI, less_than=0.1)
    overlapping = check.pulse_train_gap(1e-3, 1000.0, DPI, less_than=0.1)
    assert not overlapping and "must not overlap" in overlapping.message
    with pytest.raises(ParameterError, match="more_than, less_than"):
        check.pulse_train_gap(1e-6, 200.0, DPI)


def test_spice_checks_without_ngspice_skip_with_the_reason(monkeypatch):
    monkeypatch.setattr(check.ngspice, "available", lambda: False)
    for result in (check.spice_pulse_ratio(None, 400e-6, 50e-6, question="q4", points=3),
                   check.spice_pulse_design(None, None, 200e-12, 6e-3, question="q5", points=4)):
        assert not result and "ngspice is not installed here: the transistor part is skipped" in result.message


def _base(rate_a, rate_b):
    chip = Chip(hardware=True, mismatch=check.Mismatch(seed=7))
    A, B = chip.get_neurons(2, core=0), chip.get_neurons(2, core=0)
    chip.add_connection(PoissonGenerator(2, rate_a, seed=1), A, "AMPA", 4, rule="one_to_one")
    chip.add_connection(PoissonGenerator(2, rate_b, seed=2), B, "AMPA", 4, rule="one_to_one")
    return chip, A, B


def test_hardware_checks_refuse_a_chip_whose_input_pulses_were_turned_off():
    """A hardware-mode chip takes input spikes as pulses; turning them off (the original's jumps) is not the chip."""
    def build(rate: float, pulses: bool = True):
        chip = Chip(hardware=True)
        group = chip.get_neurons(4, core=0)
        chip.add_connection(PoissonGenerator(4, rate, seed=0), group, "AMPA", 8, rule="one_to_one")
        chip.use_pulses(pulses)
        return chip, group

    chip, group = build(200.0)
    assert check.population_rate(chip, group, 1.0, 500.0, duration=0.1)
    chip, group = build(200.0, pulses=False)
    off = check.population_rate(chip, group, 1.0, 5000.0, duration=0.1)
    assert not off and "input pulses were turned off" in off.message
    assert check.rate_band(build, [100.0, 200.0], 1.0, 500.0, duration=0.1)
    band = check.rate_band(lambda rate: build(rate, pulses=False), [100.0, 200.0], 1.0, 5000.0, duration=0.1)
    assert not band and "input pulses were turned off" in band.message

    def jumps(chip, A, B):
        chip.use_pulses(False)

    wta = check.winner_take_all(_base, jumps, [(200.0, 50.0)], 3.0, 10.0, duration=0.1)
    assert not wta and "input pulses were turned off" in wta.message


def test_winner_take_all_enforces_the_chips_rules():
    def extra_input(chip, A, B):
        chip.add_connection(PoissonGenerator(2, 300.0, seed=3), A, "AMPA", 8, rule="one_to_one")

    added = check.winner_take_all(_base, extra_input, [(200.0, 50.0)], 3.0, 10.0, duration=0.1)
    assert not added and "inputs were added" in added.message

    def no_mismatch(chip, A, B):
        chip.mismatch = None

    assert "mismatch was changed or removed" in check.winner_take_all(_base, no_mismatch, [(200.0, 50.0)], 3.0, 10.0,
                                                                       duration=0.1).message

    def raises(chip, A, B):
        chip.add_connection(A, B, "AMPA", 70)

    assert "your design raised" in check.winner_take_all(_base, raises, [(200.0, 50.0)], 3.0, 10.0,
                                                          duration=0.1).message
    swapped = check.winner_take_all(_base, lambda chip, A, B: None, [(200.0, 50.0), (50.0, 200.0)], 30.0, 10.0,
                                    duration=0.1)
    assert not swapped and "not suppressed enough" in swapped.message
    with pytest.raises(ParameterError, match="unequal input rates"):
        check.winner_take_all(_base, lambda chip, A, B: None, [(100.0, 100.0)], 3.0, 10.0)
