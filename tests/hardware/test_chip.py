"""The chip as it really is: allocation, biases by name and coarse/fine, leak choice, FPGA inputs, atomicity."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dynapse_edu import Chip, PoissonGenerator, RegularGenerator, SpikeGenerator
from dynapse_edu.core.params import Params
from dynapse_edu.engines.limits import IntegrationLimitError
from dynapse_edu.errors import DynapseError, HardwareLimitError, ParameterError
from dynapse_edu.hardware.biasgen import BIAS_NAMES, C_REFRACTORY, V_SWING, bias_current
from dynapse_edu.hardware.board import Board
from dynapse_edu.hardware.config import board_from_dict, board_to_dict
from dynapse_edu.hardware.inputs import FPGA_MAX_RATE, fpga_tick

I0 = Params().I0
STATE_TRACES = ("I_mem", "I_ahp", "I_ampa", "I_nmda", "I_gaba_a", "I_gaba_b")


def test_every_neuron_of_every_core_can_be_allocated():
    chip = Chip()
    pops = [chip.get_neurons(256, core=c) for c in range(4)]
    assert chip.neuron_ids.size == 1024 and pops[3].ids[-1] == 1023
    before = board_to_dict(chip)
    with pytest.raises(HardwareLimitError, match="core 3 of chip 0 has 0 free neurons of 256; cannot allocate 1"):
        chip.get_neurons(1, core=3)
    assert board_to_dict(chip) == before


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda b, p0, p1: b.get_neurons(1, core=4), HardwareLimitError, "core 4 does not exist.*0..3"),
        (lambda b, p0, p1: b.get_neurons(1, core=0, chip=2), HardwareLimitError, "chip 2 does not exist.*0..1"),
        (lambda b, p0, p1: b.get_neurons(0, core=0), HardwareLimitError, "n = 0"),
        (lambda b, p0, p1: b.get_neurons(257, core=0), HardwareLimitError,
         "254 free neurons of 256; cannot allocate 257"),
        (lambda b, p0, p1: b.set_bias(0, "IF_FOO", 1, 1), HardwareLimitError, "unknown bias 'IF_FOO'"),
        (lambda b, p0, p1: b.set_bias(0, "IF_DC_P", 8, 1), HardwareLimitError,
         "IF_DC_P of core 0: coarse value 8.*0..7"),
        (lambda b, p0, p1: b.set_bias(0, "IF_DC_P", 1, 256), HardwareLimitError, "fine value 256.*0..255"),
        (lambda b, p0, p1: b.set_bias(0, "IF_DC_P", 1), HardwareLimitError, "needs a coarse value"),
        (lambda b, p0, p1: b.set_bias(0, "IF_DC_P", 1, 2, I_const=1e-12), ParameterError, "not both"),
        (lambda b, p0, p1: b.set_bias(1, I_tau_mem=-1.0), ParameterError, "I_tau_mem = -1.0"),
        (lambda b, p0, p1: b.set_bias(1, I_foo=1.0), ParameterError, "unknown parameter"),
        (lambda b, p0, p1: b.set_bias(0, "IF_DC_P", 1, 1, chip=5), HardwareLimitError, "chip 5 does not exist"),
        (lambda b, p0, p1: b.add_connection(p0, p1, "AMPB", 1), ParameterError, "unknown synapse type 'AMPB'"),
        (lambda b, p0, p1: b.add_connection(p0, p1, "AMPA", 1.5), HardwareLimitError, "weight = 1.5"),
        (lambda b, p0, p1: b.add_connection(p0, p1, "AMPA", 1, rule="one_to_one"), ParameterError, "equal sizes"),
        (lambda b, p0, p1: b.use_tau2([2047]), HardwareLimitError, "id 2047.*not allocated"),
        (lambda b, p0, p1: b.use_tau2([5000]), HardwareLimitError, "neuron id 5000 does not exist.*0..2047"),
    ],
)
def test_every_broken_rule_raises_and_changes_nothing(call, error, match):
    board = Board(n_chips=2)
    p0, p1 = board.get_neurons(2, core=0), board.get_neurons(3, core=1, chip=1)
    board.add_connection(p0, p1, "NMDA", 2)
    board.set_bias(0, "IF_AHW_P", 2, 3)
    before = board_to_dict(board)
    with pytest.raises(error, match=match):
        call(board, p0, p1)
    assert board_to_dict(board) == before


def test_set_bias_by_name_drives_the_model_parameters():
    chip = Chip()
    p = chip.params(0)
    chip.set_bias(0, "NPDPIE_TAU_F_P", 1, 100)
    q = chip.params(0)
    tau = bias_current(1, 100) + I0
    assert q.I_tau_ampa == pytest.approx(tau)
    assert q.alpha_ampa == pytest.approx(p.alpha_ampa * p.I_tau_ampa / tau)  # THR current unchanged
    chip.set_bias(0, "IF_RFR_N", 2, 5)
    assert chip.params(0).t_ref == pytest.approx(C_REFRACTORY * V_SWING / (bias_current(2, 5) + I0))
    chip.set_bias(0, "PS_WEIGHT_INH_S_N", 3, 7)
    assert chip.params(0).I_w0_gaba_b == pytest.approx(bias_current(3, 7) + I0)
    assert chip.params(1) == Params()  # other cores untouched
    row = chip.get_biases(0)["NPDPIE_TAU_F_P"]
    assert (row.coarse, row.fine, row.exact, row.error) == (1, 100, True, 0.0)
    assert row.current == bias_current(1, 100) and row.parameter == "I_tau_ampa"


def test_current_based_set_bias_keeps_working_and_reports_nearest():
    chip = Chip()
    chip.set_bias(0, "IF_DC_P", 2, 10)
    chip.set_bias(0, "IF_THR_N", 1, 30)
    chip.set_bias(0, I_tau_mem=10e-12, I_w0_ampa=50e-12)
    p = chip.params(0)
    assert p.I_tau_mem == 10e-12 and p.I_w0_ampa == 50e-12
    rows = chip.get_biases(0)
    assert len(rows) == 25 and [r.name for r in rows] == list(BIAS_NAMES)
    tau = rows["IF_TAU1_N"]
    assert not tau.exact and (tau.coarse, tau.fine) == (0, 153)  # 10 pA - I0 = 153/255 * 15 pA exactly
    assert tau.error == pytest.approx(0.0, abs=1e-12)
    w = rows["PS_WEIGHT_EXC_F_N"]  # 49 pA: nearest 119/255 * 105 pA = 49.0 pA
    assert not w.exact and (w.coarse, w.fine) == (1, 119)
    assert w.error == pytest.approx((w.current + I0 - 50e-12) / 50e-12)
    assert rows["IF_DC_P"].exact and (rows["IF_DC_P"].coarse, rows["IF_DC_P"].fine) == (2, 10)
    assert not rows["IF_THR_N"].exact  # alpha kept, so the gain current moved with I_tau: setting forgotten
    assert rows["IF_BUF_P"].value is None and "no model effect" in rows["IF_BUF_P"].parameter


def test_biases_without_model_effect_change_nothing():
    chip = Chip()
    chip.get_neurons(2, core=0)
    before = chip.neuron_params()
    for name in ("IF_BUF_P", "IF_CASC_N", "R2R_P", "PULSE_PWLK_P"):
        chip.set_bias(0, name, 5, 200)
    assert chip.neuron_params() == before
    assert chip.get_biases(0)["PULSE_PWLK_P"].value == pytest.approx(100e-15 * 0.5 / (bias_current(5, 200) + I0))


def test_leak_two_neurons_use_if_tau2():
    chip = Chip()
    pop = chip.get_neurons(2, core=0)
    chip.use_tau2(pop[1:])
    chip.set_bias(0, "IF_TAU2_N", 5, 40)  # a huge leak (63 nA, tau_mem about 1 us): these neurons are silenced
    p1, p2 = chip.neuron_params()
    assert p1 == chip.params(0)
    assert p2.I_tau_mem == pytest.approx(40 / 255 * 400e-9 + I0)
    assert p2.alpha_mem == pytest.approx(p1.alpha_mem * p1.I_tau_mem / p2.I_tau_mem)  # same gain current
    chip.add_connection(RegularGenerator(1, 200.0), pop, "AMPA", weight=4)
    counts = chip.run(0.1, dt=None, at_spikes=False).spike_count
    assert counts[0] > 5 and counts[1] == 0


def test_fpga_generators_quantise_and_limit():
    tick = fpga_tick(90)
    assert tick == pytest.approx(1e-6)
    gen = RegularGenerator(1, 3000.0, fpga=True)
    _, t = gen.spikes(0.01)
    np.testing.assert_allclose(np.diff(t), 333e-6, rtol=1e-9)
    _, t = PoissonGenerator(2, 1000.0, seed=4, fpga=True).spikes(0.5)
    ticks = t / tick
    np.testing.assert_allclose(ticks, np.round(ticks), atol=1e-6)
    for make in (lambda: RegularGenerator(1, FPGA_MAX_RATE * 1.01, fpga=True),
                 lambda: PoissonGenerator(1, 5e3, fpga=True)):
        with pytest.raises(HardwareLimitError, match="4300 Hz"):
            make()
    with pytest.raises(HardwareLimitError, match="16-bit.*15.26 Hz"):
        RegularGenerator(1, 10.0, fpga=True)
    assert RegularGenerator(1, 10.0, fpga=True, isi_base=900).actual_rate == pytest.approx(10.0)


def test_original_chip_still_takes_real_weights():
    chip = Chip()
    n = chip.get_neurons(1, core=0)
    chip.add_connection(SpikeGenerator([0], [0.01]), n, "NMDA", weight=0.5)
    r = chip.run(0.03)
    assert r.trace("I_nmda").max() == pytest.approx(I0 + 0.5 * 100e-12 * 4, rel=1e-6)


# --- properties ---------------------------------------------------------------------------
def _simulate_with(settings_):
    chip = Chip()
    pop = chip.get_neurons(2, core=0)
    chip.use_tau2(pop[1:])
    src = RegularGenerator(1, 400.0)
    for syn in ("AMPA", "NMDA", "GABA_A", "GABA_B"):
        chip.add_connection(src, pop, syn, weight=1 if syn.startswith("GABA") else 3)
    for name, coarse, fine in settings_:
        chip.set_bias(0, name, coarse, fine)
    before = board_to_dict(chip)
    try:
        r = chip.run(0.015, dt=5e-4)
    except IntegrationLimitError as refused:  # outside the integrators' domain: refused, naming the fields
        assert refused.parameters and all(name in str(refused) for name in refused.parameters)
        assert board_to_dict(chip) == before
        return
    for trace in STATE_TRACES:
        for v in (r.trace(trace, 0), r.trace(trace, 1)):
            assert np.all(np.isfinite(v)), trace
            assert np.all(v >= I0 * (1 - 1e-12)), trace


@pytest.mark.parametrize("name", BIAS_NAMES)
def test_extreme_settings_simulate(name):
    _simulate_with([(name, 0, 0)])
    _simulate_with([(name, 7, 255)])


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(BIAS_NAMES), st.integers(0, 7), st.integers(0, 255), st.sampled_from(BIAS_NAMES),
       st.integers(0, 7), st.integers(0, 255))
def test_any_setting_simulates_without_nan_or_sub_leakage(name, coarse, fine, name2, coarse2, fine2):
    _simulate_with([(name, coarse, fine), (name2, coarse2, fine2)])


operation = st.one_of(
    st.tuples(st.just("neurons"), st.integers(-1, 300), st.integers(-1, 4), st.integers(-1, 2)),
    st.tuples(st.just("bias"), st.integers(-1, 4), st.sampled_from(BIAS_NAMES + ("IF_XX",)),
              st.integers(-1, 8), st.integers(-2, 257)),
    st.tuples(st.just("connect"), st.integers(0, 5), st.integers(0, 5), st.sampled_from(["AMPA", "GABA_B", "X"]),
              st.sampled_from([1, 2, 30, 64, 65, 0, 0.5])),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(operation, min_size=1, max_size=12))
def test_random_operations_accepted_or_rejected_without_change(ops):
    board = Board(n_chips=2)
    pops = []
    for op in ops:
        before = board_to_dict(board)
        try:
            if op[0] == "neurons":
                pops.append(board.get_neurons(op[1], core=op[2], chip=op[3]))
            elif op[0] == "bias":
                board.set_bias(op[1], op[2], op[3], op[4])
            elif pops:
                board.add_connection(pops[op[1] % len(pops)], pops[op[2] % len(pops)], op[3], op[4])
        except DynapseError:
            assert board_to_dict(board) == before
            valid = False
        else:
            valid = True
        if op[0] == "bias":  # the rule is simple enough to state independently
            assert valid == (0 <= op[1] <= 3 and op[2] != "IF_XX" and 0 <= op[3] <= 7 and 0 <= op[4] <= 255)
        if op[0] == "neurons" and not (1 <= op[1] <= 256 and 0 <= op[2] <= 3 and 0 <= op[3] <= 1):
            assert not valid
    assert all(board.cam_used(i) <= 64 for i in board.neuron_ids)
    # whatever was accepted also passes the checks of a configuration file, unchanged
    assert board_to_dict(board_from_dict(json.loads(json.dumps(board_to_dict(board))))) == board_to_dict(board)


def test_set_bias_current_picks_the_nearest_setting():
    chip = Chip()
    s = chip.set_bias_current(0, "NPDPIE_TAU_S_P", 3e-12)  # I0 + 2 pA: 34/255 * 15 pA exactly
    assert (s.coarse, s.fine) == (0, 34) and s.error == pytest.approx(0.0, abs=1e-12)
    assert chip.params(0).I_tau_nmda == pytest.approx(3e-12)
    before = board_to_dict(chip)
    with pytest.raises(HardwareLimitError, match="below the leakage floor"):
        chip.set_bias_current(0, "NPDPIE_TAU_S_P", 0.5e-12)
    assert board_to_dict(chip) == before


def test_a_setting_the_integrators_refuse_names_the_chip_biases():
    """A neuron that would fire without end is refused by both integrators, naming the biases to turn."""
    chip = Chip()
    chip.get_neurons(1, core=0)
    chip.set_bias(0, "IF_RFR_N", 7, 255)  # a refractory period of nanoseconds
    chip.set_bias(0, "IF_DC_P", 7, 255)  # under 24 uA of input
    for method in ("fast", "reference"):
        with pytest.raises(IntegrationLimitError, match=r"chip biases: IF_RFR_N, IF_DC_P") as err:
            chip.run(0.1, method=method)
        assert "t_ref" in err.value.parameters
