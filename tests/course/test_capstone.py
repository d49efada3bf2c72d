"""The capstone checks: reasonable designs pass, the starting points and broken designs do not.

The reference designs below are the tests' own (the chapter gives only the
starting points); each check runs the fast engine for well under a second of
simulated time per mismatch seed.
"""

import numpy as np
import pytest
from matplotlib.figure import Figure

from dynapse_edu import Board, Chip, Mismatch, PoissonGenerator, RegularGenerator
from dynapse_edu.course import capstone
from dynapse_edu.errors import ParameterError


# --- reference designs (one way to pass each project) ----------------------------------------------
# In hardware mode every input spike is a 10 us pulse of the weight current into its DPI: a weight current
# chosen for the original's instant jump (alpha I_w0 per CAM entry) is set as its pulse equivalent.
def pulse_current(chip, core, synapse, I_w0):
    """The weight current whose pulse adds the jump of ``I_w0`` (BiasBank.pulse_weight), A."""
    return chip.bank(core).pulse_weight(synapse, I_w0)


def working_memory_solution(seed=0):
    """Slow NMDA reverberation holds the state; a 15 ms refractory period caps its rate near 60 Hz."""
    chip, groups = capstone.start_working_memory(seed)
    chip.set_bias(0, I_w0_nmda=pulse_current(chip, 0, "NMDA", 10e-12), t_ref=15e-3)  # about 35 nA
    chip.add_connection(groups["memory"], groups["memory"], "NMDA", weight=2)
    return chip, groups


def oscillator_solution(seed=0):
    """Close the loop: the inhibitory neurons inhibit the excitatory ones (GABA_A), with weak weight currents."""
    chip, groups = capstone.start_oscillator(seed)
    chip.set_bias(0, I_w0_gaba_a=pulse_current(chip, 0, "GABA_A", 10e-12))  # about 14 nA
    chip.set_bias(1, I_w0_ampa=pulse_current(chip, 1, "AMPA", 30e-12))  # about 11 nA
    chip.add_connection(groups["inh"], groups["exc"], "GABA_A", weight=4)
    return chip, groups


def coincidence_solution(seed=0):
    """A fast membrane (about 1.4 ms) and fast synapses, and a weight current one input alone cannot fire with.

    A pulse into a synapse at rest adds less than the jump (the DPI's (1 + I_g/I) factor), so the weight
    current is that of a 100 pA jump (about 7.1 nA), not the 40 pA the instant jumps needed.
    """
    chip, groups = capstone.start_coincidence(seed)
    chip.set_bias(2, I_tau_mem=50e-12, I_tau_ampa=100e-12)
    chip.set_bias(2, I_w0_ampa=pulse_current(chip, 2, "AMPA", 100e-12))  # with the fast AMPA's tau (0.7 ms)
    return chip, groups


def test_reference_working_memory_passes():
    chip, groups = working_memory_solution()
    report = capstone.check_working_memory(chip, groups["memory"])
    assert report.passed, str(report)
    assert 40 < report.values["persistent rate (Hz)"] < 80
    assert sorted(report.per_seed) == [0, 1, 2]
    assert report.score() == {"behaviour": 40.0, "hardware": 20.0, "robustness": 20.0, "total": 80.0}


def test_reference_oscillator_passes():
    chip, groups = oscillator_solution()
    report = capstone.check_oscillator(chip, groups["exc"], groups["inh"])
    assert report.passed, str(report)
    assert 25 < report.values["frequency (Hz)"] < 40
    assert report.values["lesioned frequency (Hz)"] > 100  # without the loop: the neurons' own fast firing


def test_reference_coincidence_passes():
    chip, groups = coincidence_solution()
    report = capstone.check_coincidence(chip, groups["detector"])
    assert report.passed, str(report)
    assert report.values["P(together)"] == 1.0
    assert report.values["selectivity"] >= 0.7


# --- starting points: legal on the chip, but not yet doing the job ----------------------------------
@pytest.mark.parametrize("project", ["memory", "oscillator", "coincidence"])
def test_starting_points_follow_the_rules_but_fail_the_behaviour(project):
    if project == "memory":
        chip, groups = capstone.start_working_memory()
        report = capstone.check_working_memory(chip, groups["memory"], seeds=())
        assert report.values["persistent rate (Hz)"] == 0.0 and report.values["cue rate (Hz)"] > 100
    elif project == "oscillator":
        chip, groups = capstone.start_oscillator()
        report = capstone.check_oscillator(chip, groups["exc"], groups["inh"], seeds=())
        assert report.values["frequency (Hz)"] > 100
        assert {"oscillation frequency", "control: no rhythm without inh -> exc"} <= set(report.failed)
    else:
        chip, groups = capstone.start_coincidence()
        report = capstone.check_coincidence(chip, groups["detector"], seeds=())
        assert report.values["P(single)"] == 1.0
    assert report.part_passed("hardware")
    assert not report.part_passed("behaviour") and not report.part_passed("robustness")
    score = report.score()
    assert score["hardware"] == 20.0 and score["robustness"] == 0.0 and score["behaviour"] < 40.0
    assert not report.passed and report.failed


# --- broken designs -----------------------------------------------------------------------------
def test_a_memory_that_saturates_fails_the_band():
    """Strong reverberation without a limit: the memory holds, but at the refractory ceiling (about 200 Hz)."""
    chip, groups = capstone.start_working_memory()
    chip.add_connection(groups["memory"], groups["memory"], "NMDA", weight=2)
    report = capstone.check_working_memory(chip, groups["memory"], seeds=())
    assert report.values["persistent rate (Hz)"] > 150
    assert report.failed == ["persistent rate after the cue", "behaviour on every mismatch seed"]


def test_a_cue_that_does_not_fit_the_cam_is_reported():
    chip, groups = capstone.start_working_memory()
    chip.add_connection(groups["memory"], groups["memory"], "NMDA", weight=3)  # 16 + 48 = 64: no room for the cue
    report = capstone.check_working_memory(chip, groups["memory"], cue_weight=8, seeds=())
    row = next(c for c in report.criteria if c.name == "the design with the stimulus loads on the chip")
    assert not row.passed and "CAM fan-in" in row.measured
    assert report.result is None and not report.passed
    assert not report.part_passed("behaviour") and not report.part_passed("robustness")
    assert report.score()["robustness"] == 0.0 and report.score()["behaviour"] == 0.0


def test_hardware_rules_are_recomputed_not_trusted():
    """A design made without the chip's rules, then declared hardware=True, still fails them."""
    chip = Chip(hardware=False, mismatch=Mismatch(seed=0))
    memory = chip.get_neurons(16, core=0)
    chip.add_connection(memory, memory, "AMPA", weight=4.5)  # 72 "entries", and not an integer
    chip.hardware = True  # (its input spikes stay instant jumps: the hardware-mode criterion fails on that too)
    names = [c.name for c in capstone.check_hardware(chip, {"memory": memory}) if not c.passed]
    assert names == ["hardware mode", "weights are CAM entries", "CAM entries per neuron"]
    chip.use_pulses()
    names = [c.name for c in capstone.check_hardware(chip, {"memory": memory}) if not c.passed]
    assert names == ["weights are CAM entries", "CAM entries per neuron"]


def test_hardware_mode_criterion_needs_the_input_pulses_on():
    chip = Chip(hardware=True, mismatch=Mismatch(seed=0))
    pop = chip.get_neurons(2, core=0)
    found = {c.name: c for c in capstone.check_hardware(chip, {"pop": pop})}
    assert found["hardware mode"].passed and found["hardware mode"].measured == "True, pulses on"
    chip.use_pulses(False)  # the original simulator's instant jumps: not the chip
    found = {c.name: c for c in capstone.check_hardware(chip, {"pop": pop})}
    assert not found["hardware mode"].passed and found["hardware mode"].measured == "True, pulses off"


def test_hardware_rules_sram_aliasing_mismatch_and_cores():
    board = Board(n_chips=4, hardware=False)
    sources = [board.get_neurons(1, core=0, chip=c) for c in range(4)]  # the same tag on four chips
    targets = [board.get_neurons(1, core=1, chip=c) for c in range(4)]
    for s in sources:
        for t in targets:
            board.add_connection(s, t, "AMPA", weight=1)
    pops = {"sources": sources[0], "targets": targets[0]}
    found = {c.name: c for c in capstone.check_hardware(board, pops)}
    sram = found["SRAM destination chips per neuron"]
    assert not sram.passed and sram.measured == "4"
    assert not found["no tag aliasing"].passed
    assert not found["mismatch"].passed and not found["hardware mode"].passed
    split = capstone.check_hardware(board, {"both": board.get_neurons(1, core=2)})
    assert all(c.passed for c in split if c.name.startswith("one core"))


def test_biases_must_be_generator_settings():
    chip, groups = capstone.start_coincidence()
    chip.set_bias(2, t_ref=0.1)  # 100 ms: a refractory current below the generator's smallest step
    row = next(c for c in capstone.check_hardware(chip, groups) if c.name == "biases are generator settings")
    assert not row.passed


def test_a_periodic_drive_is_refused_and_the_lesion_control_catches_an_imposed_rhythm():
    chip = Chip(hardware=True, mismatch=Mismatch(seed=0))
    exc, inh = chip.get_neurons(16, core=0), chip.get_neurons(4, core=1)
    chip.add_connection(RegularGenerator(1, 40.0), exc, "AMPA", weight=16)  # every neuron fires at 40 Hz
    chip.add_connection(exc, inh, "AMPA", weight=1)
    chip.add_connection(inh, exc, "GABA_A", weight=1)
    report = capstone.check_oscillator(chip, exc, inh, duration=0.5, seeds=())
    failed = set(report.failed)
    assert "drive is Poisson (no imposed rhythm)" in failed
    assert "control: no rhythm without inh -> exc" in failed  # the rhythm survives the lesion: not the loop's
    assert 35 <= report.values["lesioned frequency (Hz)"] <= 45 and report.values["lesioned peak height"] > 100


def test_the_coincidence_window_criterion():
    chip, groups = coincidence_solution()
    report = capstone.check_coincidence(chip, groups["detector"], max_window=1e-3, seeds=())
    assert report.failed == ["coincidence window", "behaviour on every mismatch seed"]
    assert report.score() == {"behaviour": 30.0, "hardware": 20.0, "robustness": 0.0, "total": 50.0}


def test_a_design_without_mismatch_is_checked_on_mismatched_copies():
    chip, groups = coincidence_solution()
    plain = Chip(hardware=True)
    detector = plain.get_neurons(8, core=2)
    plain.set_bias(2, **{k: getattr(chip.params(2), k) for k in ("I_tau_mem", "I_w0_ampa", "I_tau_ampa")})
    report = capstone.check_coincidence(plain, detector, seeds=())
    assert report.failed == ["mismatch"]
    assert plain.mismatch is None
    assert report.score()["hardware"] == 17.8  # 8 of 9 hardware rows


# --- the checks leave the design alone ---------------------------------------------------------------
def test_checks_do_not_change_the_design():
    chip, groups = working_memory_solution(seed=3)
    before = (list(chip.connections), chip.mismatch, chip.n_inputs, chip.cam_used(int(groups["memory"].ids[0])))
    report = capstone.check_working_memory(chip, groups["memory"], seeds=(4,))
    assert (list(chip.connections), chip.mismatch, chip.n_inputs,
            chip.cam_used(int(groups["memory"].ids[0]))) == before
    assert sorted(report.per_seed) == [3, 4]


def test_copy_with_mismatch():
    chip, groups = capstone.start_oscillator(seed=2)
    copy = capstone.copy_with_mismatch(chip, 7)
    assert copy.mismatch == Mismatch(spread=0.1, seed=7) and chip.mismatch.seed == 2
    assert copy.connection_arrays().weight.tolist() == chip.connection_arrays().weight.tolist()
    p_copy, p_chip = copy.neuron_params()[0], chip.neuron_params()[0]
    assert p_copy.I_tau_mem != p_chip.I_tau_mem  # another chip, another neuron 0
    assert capstone.copy_with_mismatch(Chip(), 1).mismatch.spread == 0.1


# --- the report -------------------------------------------------------------------------------------
def test_report_table_text_and_plot():
    chip, groups = coincidence_solution()
    report = capstone.check_coincidence(chip, groups["detector"], repeats=1, seeds=())
    table = report.table()
    assert len(table) == len(report.criteria) and "<table" in table._repr_html_()
    assert str(report).startswith("coincidence detector:")
    ax = report.plot(ax=Figure().subplots())
    assert ax.get_xlabel() == "time (ms)" and len(ax.lines) == 8
    with pytest.raises(ParameterError, match="part = 'rules'"):
        report.part_passed("rules")
    empty = capstone.Report("working memory", [], {}, {})
    assert empty.plot(ax=Figure().subplots()).get_title().startswith("no run")


@pytest.mark.parametrize(("runs", "points"), [((1, 1, 1), 20.0), ((1, 0, 1), 10.0), ((1, 0), 0.0), ((0, 0, 1), 0.0)])
def test_robustness_points(runs, points):
    rows = [capstone.Criterion("behaviour", "b", "1", "1", True), capstone.Criterion("hardware", "h", "1", "1", False)]
    report = capstone.Report("E/I oscillator", rows, {}, {k: {"passed": float(p)} for k, p in enumerate(runs)})
    assert report.score() == {"behaviour": 40.0, "hardware": 0.0, "robustness": points, "total": 40.0 + points}


# --- stimuli and the spectrum -------------------------------------------------------------------------
def test_cue_stimulus_is_inside_its_window_and_seeded():
    a = capstone.cue_stimulus(8, 300.0, 0.1, 0.2, seed=4).spikes(1.0)
    b = capstone.cue_stimulus(8, 300.0, 0.1, 0.2, seed=4).spikes(1.0)
    assert np.array_equal(a[1], b[1]) and a[1].min() >= 0.1 and a[1].max() < 0.2
    assert 8 * 30 * 0.7 < a[1].size < 8 * 30 * 1.3


def test_coincidence_stimulus_conditions():
    gen, conditions, duration = capstone.coincidence_stimulus([0.0, 0.005], repeats=2, period=0.04)
    assert conditions.tolist() == [0, 1, 2, 3, 0, 1, 2, 3] and duration == pytest.approx(0.32)
    idx, t = gen.spikes(duration)
    assert idx.tolist()[:5] == [0, 1, 0, 1, 0] and t[2:4] == pytest.approx([0.045, 0.05])


def test_population_spectrum_finds_a_population_rhythm():
    rng = np.random.default_rng(1)
    trains = [np.sort(rng.choice(np.arange(0.0, 1.0, 1 / 50), 30, replace=False) + rng.normal(0, 0.002, 30))
              for _ in range(30)]  # each neuron skips cycles of a 50 Hz rhythm
    f, p = capstone.population_spectrum(trains, 0.0, 1.0)
    assert abs(f[np.argmax(p)] - 50) < 4
    f, p = capstone.population_spectrum([], 0.0, 0.5)
    assert not p.any()


def test_source_of_a_starting_point():
    text = capstone.source(capstone.start_oscillator)
    assert text.startswith("chip = Chip(hardware=True") and '"""' not in text
    with pytest.raises(ParameterError, match="start_working_memory"):
        capstone.source(print)


# --- bad input ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("kwargs", "message"), [
    ({"cue_weight": 0}, r"cue_weight = 0 must be an integer in 1\.\.64"),
    ({"band": (100.0, 20.0)}, "low end must be below the high end"),
    ({"band": 50.0}, r"band = 50.0 must be a pair \(low, high\) in Hz"),
    ({"duration": 0.2}, r"duration = 0.2 is outside the allowed range \[0.3, 10\] s"),
    ({"seeds": "12"}, "seeds = '12' must be a sequence of mismatch seeds"),
    ({"seeds": (1, -1)}, r"a mismatch seed = -1 must be an integer in 0\.\."),
    ({"method": "euler"}, "method = 'euler'; allowed: 'fast', 'reference'"),
    ({"min_active": 1.5}, r"min_active = 1.5 is outside the allowed range \[0, 1\]"),
])
def test_working_memory_bad_input(kwargs, message):
    chip, groups = capstone.start_working_memory()
    with pytest.raises(ParameterError, match=message):
        capstone.check_working_memory(chip, groups["memory"], **kwargs)


def test_bad_boards_and_populations():
    chip, groups = capstone.start_coincidence()
    other = Chip(hardware=True).get_neurons(2, core=0)
    with pytest.raises(ParameterError, match="detector = .* must be a Population allocated on this board"):
        capstone.check_coincidence(chip, other)
    with pytest.raises(ParameterError, match="board = .* must be a Board or a Chip"):
        capstone.check_coincidence("chip", groups["detector"])
    with pytest.raises(ParameterError, match=r"weight = 40 must be an integer in 1\.\.32"):
        capstone.check_coincidence(chip, groups["detector"], weight=40)
    with pytest.raises(ParameterError, match="synapse = 'GABA_A'; allowed: 'AMPA', 'NMDA'"):
        capstone.check_coincidence(chip, groups["detector"], synapse="GABA_A")
    with pytest.raises(ParameterError, match=r"skip = 0.9 is outside the allowed range \[0, 0.7\] s"):
        chip2, g2 = capstone.start_oscillator()
        capstone.check_oscillator(chip2, g2["exc"], g2["inh"], skip=0.9)
    with pytest.raises(ParameterError, match=r"a delay = 0.05 is outside the allowed range \[0, 0.04\] s"):
        capstone.coincidence_stimulus([0.05])
    with pytest.raises(ParameterError, match=r"rate = -1 is outside the allowed range"):
        capstone.cue_stimulus(4, -1, 0.0, 0.1)
    with pytest.raises(ParameterError, match=r"stop = 0.1 is outside the allowed range"):
        capstone.population_spectrum([], 0.0, 0.1, bin_width=1e-2)
    with pytest.raises(ParameterError, match="seed = 'a' must be an integer"):
        capstone.copy_with_mismatch(chip, "a")


def test_a_poisson_drive_counts_as_aperiodic():
    chip = Chip(hardware=True, mismatch=Mismatch(seed=0))
    exc, inh = chip.get_neurons(4, core=0), chip.get_neurons(2, core=1)
    chip.add_connection(PoissonGenerator(4, 100.0, seed=0), exc, "AMPA", weight=4, rule="one_to_one")
    report = capstone.check_oscillator(chip, exc, inh, duration=0.4, skip=0.0, seeds=())
    assert report.criteria[0].passed and report.criteria[0].measured == "PoissonGenerator"


def test_memory_panel_shows_the_jump_to_saturation():
    off = capstone.memory_panel(weight=1, ax=Figure().subplots())
    on = capstone.memory_panel(weight=3, synapse="NMDA", weight_current_pA=20.0, ax=Figure().subplots())
    assert off["persistent rate (Hz)"] == 0.0 and off["passed"] == 0.0
    assert on["persistent rate (Hz)"] > 150 and on["passed"] == 0.0  # remembered, but above the band
    with pytest.raises(ParameterError, match=r"weight = 4 must be an integer in 1\.\.3"):
        capstone.memory_panel(weight=4)
    with pytest.raises(ParameterError, match="synapse = 'GABA_B'"):
        capstone.memory_panel(synapse="GABA_B")
