"""One core's bias bank: set by (coarse, fine), by current, by model parameter; report rows; per-neuron Params."""

import math

import numpy as np
import pytest

from dynapse_edu.core.params import Params
from dynapse_edu.errors import DynapseError, HardwareLimitError, ParameterError
from dynapse_edu.hardware.bank import BiasBank, BiasList, pulse_params
from dynapse_edu.hardware.biasgen import (
    BIAS_NAMES,
    BIASES,
    C_PULSE,
    C_REFRACTORY,
    EXTRA_BIASES,
    PARAMS_BIASES,
    V_SWING,
    bias_current,
    params_from_biases,
)
from dynapse_edu.hardware.board import Board
from dynapse_edu.hardware.mismatch import Mismatch, apply_factors

I0 = Params().I0


def _state(bank: BiasBank) -> tuple:
    return bank.params, bank.settings, bank.extra_currents


def test_a_new_bank_holds_the_params_exactly_and_defaults_for_the_rest():
    bank = BiasBank({"I_tau_ampa": 7e-12}, core=2, chip=1)
    assert bank.params == Params(I_tau_ampa=7e-12)
    assert bank.settings == {name: BIASES[name].default for name in EXTRA_BIASES}
    assert bank.extra_currents == {name: bias_current(*BIASES[name].default) for name in EXTRA_BIASES}
    cur = bank.currents()
    assert list(cur) == list(BIAS_NAMES)
    assert cur["NPDPIE_TAU_F_P"] == 7e-12 and cur["R2R_P"] == bias_current(4, 85) + I0


@pytest.mark.parametrize("core, chip, match", [(4, 0, "core 4"), (0, 4, "chip 4"), (-1, 0, "core -1"),
                                                (True, 0, "core True")])
def test_bank_address_is_checked(core, chip, match):
    with pytest.raises(HardwareLimitError, match=match):
        BiasBank(core=core, chip=chip)


def test_set_by_coarse_fine_drives_the_parameter_of_the_map():
    bank = BiasBank()
    p = bank.params
    bank.set_bias("npdpie_tau_f_p", 1, 100)  # any case
    tau = bias_current(1, 100) + I0
    q = bank.params
    assert q.I_tau_ampa == pytest.approx(tau)
    assert q.alpha_ampa == pytest.approx(p.alpha_ampa * p.I_tau_ampa / tau)  # the THR current stays
    assert bank.settings["NPDPIE_TAU_F_P"] == (1, 100)
    assert bank.currents()["NPDPIE_TAU_F_P"] == pytest.approx(tau)
    for name in PARAMS_BIASES:  # nothing else moved
        field = BIASES[name].parameter
        if field not in ("I_tau_ampa", "alpha_ampa"):
            assert getattr(q, field) == getattr(p, field), field
    bank.set_bias("IF_RFR_N", 2, 5)
    assert bank.params.t_ref == pytest.approx(C_REFRACTORY * V_SWING / (bias_current(2, 5) + I0))


def test_biases_params_do_not_hold_change_only_their_current():
    bank = BiasBank()
    p = bank.params
    bank.set_bias("IF_TAU2_N", 3, 17)
    bank.set_bias("IF_BUF_P", 0, 0)
    assert bank.params == p
    assert bank.extra_currents["IF_TAU2_N"] == bias_current(3, 17)
    assert bank.extra_currents["IF_BUF_P"] == 0.0
    assert bank.settings["IF_TAU2_N"] == (3, 17)


def test_set_params_keeps_only_the_settings_whose_current_is_unchanged():
    bank = BiasBank()
    bank.set_bias("IF_DC_P", 2, 10)
    bank.set_bias("IF_THR_N", 1, 30)
    bank.set_bias("IF_TAU2_N", 0, 3)
    bank.set_params(I_tau_mem=10e-12, I_w0_ampa=50e-12)
    assert bank.params.I_tau_mem == 10e-12 and bank.params.I_w0_ampa == 50e-12
    settings = bank.settings
    assert settings["IF_DC_P"] == (2, 10) and settings["IF_TAU2_N"] == (0, 3)
    assert "IF_THR_N" not in settings  # alpha kept, so the gain current moved with I_tau: setting forgotten
    assert "IF_TAU1_N" not in settings and "PS_WEIGHT_EXC_F_N" not in settings


def test_set_bias_current_picks_the_nearest_setting():
    bank = BiasBank()
    s = bank.set_bias_current("NPDPIE_TAU_S_P", 3e-12)  # I0 + 2 pA: 34/255 * 15 pA exactly
    assert (s.coarse, s.fine) == (0, 34) and s.error == pytest.approx(0.0, abs=1e-12)
    assert bank.settings["NPDPIE_TAU_S_P"] == (0, 34)
    assert bank.params.I_tau_nmda == pytest.approx(3e-12)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda b: b.set_bias("IF_FOO", 1, 1), HardwareLimitError, "unknown bias 'IF_FOO'"),
        (lambda b: b.set_bias("IF_DC_P", 8, 1), HardwareLimitError, "IF_DC_P of core 3: coarse value 8.*0..7"),
        (lambda b: b.set_bias("IF_DC_P", 1, 256), HardwareLimitError, "fine value 256.*0..255"),
        (lambda b: b.set_bias("IF_DC_P", 1, None), HardwareLimitError, "needs a coarse value"),
        (lambda b: b.set_bias("IF_DC_P", 1.0, 3), HardwareLimitError, "coarse value 1.0"),
        (lambda b: b.set_params(I_tau_mem=-1.0), ParameterError, "I_tau_mem = -1.0"),
        (lambda b: b.set_params(I_foo=1.0), ParameterError, "unknown parameter"),
        (lambda b: b.set_bias_current("IF_DC_P", 0.5e-12), HardwareLimitError, "below the leakage floor"),
        (lambda b: b.restore(b.params.replace(I_tau_nmda=7e-12), b.settings | {"NPDPIE_TAU_S_P": [0, 17]}),
         HardwareLimitError, "core 3 of chip 1: parameter I_tau_nmda = 7e-12 disagrees with the bias settings"),
        (lambda b: b.restore(Params(), b.settings), HardwareLimitError, "parameter I_w_ahp = 1e-12 disagrees"),
        (lambda b: b.restore(b.params, {"IF_DC_P": [1, 2, 3]}), HardwareLimitError, r"must be \[coarse, fine\]"),
        (lambda b: b.restore(b.params, {"IF_DC_P": "ab"}), HardwareLimitError, r"must be \[coarse, fine\]"),
        (lambda b: b.restore(b.params, {"IF_XX": [1, 2]}), HardwareLimitError, "unknown bias 'IF_XX'"),
        (lambda b: b.restore({"I_tau_mem": 1e-12}, {}), ParameterError, "must be a dynapse_edu Params"),
        (lambda b: b.neuron_params("IF_TAU3_N"), ParameterError, "IF_TAU3_N.*IF_TAU1_N, IF_TAU2_N"),
    ],
)
def test_a_rejected_value_leaves_the_bank_as_it_was(call, error, match):
    bank = BiasBank(core=3, chip=1)
    bank.set_bias("IF_AHW_P", 2, 3)
    bank.set_params(I_const=2e-12)
    before = _state(bank)
    with pytest.raises(error, match=match):
        call(bank)
    assert _state(bank) == before


def test_report_rows_follow_the_map():
    bank = BiasBank()
    bank.set_bias("NPDPIE_TAU_F_P", 1, 100)
    bank.set_bias("PULSE_PWLK_P", 5, 200)
    bank.set_bias("IF_TAU2_N", 1, 51)
    bank.set_params(I_w0_ampa=50e-12)
    rows = bank.report()
    assert isinstance(rows, BiasList) and [r.name for r in rows] == list(BIAS_NAMES)
    assert rows[0] is rows["if_tau1_n"]
    p = bank.params
    for row in rows:
        if row.name in PARAMS_BIASES:
            assert row.parameter == BIASES[row.name].parameter
            assert row.value == getattr(p, row.parameter)
    tau = rows["NPDPIE_TAU_F_P"]
    assert (tau.coarse, tau.fine, tau.exact, tau.error, tau.current) == (1, 100, True, 0.0, bias_current(1, 100))
    w = rows["PS_WEIGHT_EXC_F_N"]  # 49 pA from the generator: nearest 119/255 * 105 pA
    assert not w.exact and (w.coarse, w.fine) == (1, 119)
    assert w.error == pytest.approx((w.current + I0 - 50e-12) / 50e-12)
    leak2 = rows["IF_TAU2_N"]
    assert leak2.parameter == "I_tau_mem of leak-2 neurons" and leak2.value == pytest.approx(bias_current(1, 51) + I0)
    pulse = rows["PULSE_PWLK_P"]
    assert pulse.value == pytest.approx(C_PULSE * V_SWING / (bias_current(5, 200) + I0))
    assert "off: spikes are instant jumps" in pulse.parameter
    bank.use_pulses()
    on = bank.report()["PULSE_PWLK_P"]
    assert on.parameter.startswith("t_pulse (s)") and on.value == pulse.value
    assert rows["R2R_P"].value is None and rows["R2R_P"].parameter == "none (no model effect)"
    assert rows["IF_RFR_N"].value == p.t_ref and rows["IF_RFR_N"].parameter == "t_ref"


def test_report_of_a_zero_refractory_period():
    bank = BiasBank({"t_ref": 0.0})
    row = bank.report()["IF_RFR_N"]
    assert math.isinf(bank.currents()["IF_RFR_N"])
    assert (row.coarse, row.fine, row.exact, row.error, row.value) == (7, 255, False, -1.0, 0.0)


def test_params_agree_with_the_currents():
    bank = BiasBank()
    for name, coarse, fine in (("IF_THR_N", 2, 9), ("IF_TAU1_N", 1, 30), ("NPDPII_TAU_S_P", 0, 200)):
        bank.set_bias(name, coarse, fine)
    again = params_from_biases(bank.params, bank.currents())
    for field, value in bank.params.as_dict().items():
        assert getattr(again, field) == (None if value is None else pytest.approx(value, rel=1e-12)), field


def test_pulses_switch_gives_each_neuron_the_pulse_width_of_its_pulse_bias():
    bank = BiasBank()
    assert not bank.pulses and bank.neuron_params().t_pulse is None  # a bank alone starts with instant jumps
    bank.set_bias("PULSE_PWLK_P", 3, 100)
    bank.use_pulses()
    width = C_PULSE * V_SWING / (bias_current(3, 100) + I0)
    assert bank.neuron_params().t_pulse == pytest.approx(width, rel=1e-12)
    assert bank.neuron_params("IF_TAU2_N").t_pulse == pytest.approx(width, rel=1e-12)
    factors = np.ones(len(BIAS_NAMES))
    factors[list(BIAS_NAMES).index("PULSE_PWLK_P")] = 2.0  # a neuron whose pulse bias is twice the core's
    assert bank.neuron_params(factors=factors).t_pulse == pytest.approx(
        C_PULSE * V_SWING / (2 * bias_current(3, 100) + I0), rel=1e-12
    )
    assert bank.params.t_pulse is None  # the core's Params are unchanged: the switch is the bank's
    bank.use_pulses(False)
    assert bank.neuron_params().t_pulse is None
    with pytest.raises(ParameterError, match="use_pulses"):
        bank.use_pulses("yes")


def test_neuron_params_with_leak_and_mismatch():
    bank = BiasBank()
    bank.set_bias("IF_TAU2_N", 2, 40)
    assert bank.neuron_params() is bank.params
    leak2 = bank.neuron_params("IF_TAU2_N")
    p = bank.params
    assert leak2.I_tau_mem == pytest.approx(bias_current(2, 40) + I0)
    assert leak2.alpha_mem == pytest.approx(p.alpha_mem * p.I_tau_mem / leak2.I_tau_mem)  # same gain current
    factors = Mismatch(spread=0.2, seed=3).factors([17])[0]
    q = bank.neuron_params("IF_TAU2_N", factors)
    expected = params_from_biases(p, apply_factors(bank.currents(), factors, I0), "IF_TAU2_N")
    assert q == expected
    tau2 = BIAS_NAMES.index("IF_TAU2_N")
    assert q.I_tau_mem == pytest.approx(I0 + factors[tau2] * bias_current(2, 40))


def test_restore_round_trips_and_resets_extras():
    a = BiasBank()
    a.set_bias("PS_WEIGHT_EXC_F_N", 2, 60)
    a.set_bias("IF_TAU2_N", 1, 1)
    a.set_params(I_const=3e-12)
    b = BiasBank()
    b.set_bias("R2R_P", 0, 0)
    b.restore(a.params, a.settings)
    assert _state(b) == _state(a)
    b.restore(Params(), {})
    assert _state(b) == _state(BiasBank())  # R2R_P back to its default


def test_the_boards_bank_is_the_board_state():
    board = Board(n_chips=2)
    bank = board.bank("Core_2", chip=1)
    assert bank is board.bank(2, chip=1) and (bank.core, bank.chip) == (2, 1)
    bank.set_bias("IF_DC_P", 1, 51)
    assert board.params(2, chip=1).I_const == pytest.approx(bias_current(1, 51) + I0)
    assert board.get_biases(2, chip=1)["IF_DC_P"].exact
    assert board.params(2, chip=0) == pulse_params()  # hardware mode: weight currents for pulses
    board.set_bias(2, "IF_AHW_P", 1, 2, chip=1)
    assert bank.settings["IF_AHW_P"] == (1, 2)
    for core, chip in ((4, 0), (0, 2), ("Core_9", 0)):
        with pytest.raises(DynapseError, match="does not exist"):
            board.bank(core, chip)
    assert board.get_biases(0) == BiasBank(pulse_params(), pulses=True).report()
    assert np.isfinite([r.current for r in board.get_biases(0)]).all()


def test_currents_follow_every_change_and_are_a_copy():
    bank = BiasBank()
    first = bank.currents()
    first["IF_DC_P"] = 1.0  # the caller's copy
    assert bank.currents()["IF_DC_P"] == I0
    bank.set_bias("IF_DC_P", 1, 51)
    assert bank.currents()["IF_DC_P"] == pytest.approx(bias_current(1, 51) + I0)
    bank.set_bias("R2R_P", 0, 0)
    assert bank.currents()["R2R_P"] == I0
    bank.set_params(I_const=3e-12)
    assert bank.currents()["IF_DC_P"] == 3e-12
    bank.restore(Params(), {})
    assert bank.currents() == BiasBank().currents()


def test_pulse_weight_is_the_pulse_equivalent_at_the_cores_own_pulse_width_and_leak():
    from dynapse_edu.core.synapse import pulse_weight_current
    from dynapse_edu.hardware.biasgen import pulse_width

    bank = BiasBank()
    assert bank.pulse_weight("AMPA", 100e-12) == pytest.approx(pulse_params().I_w0_ampa, rel=1e-12)
    bank.set_bias("PULSE_PWLK_P", 4, 60)  # a shorter pulse needs a larger current
    width = pulse_width(bank.currents()["PULSE_PWLK_P"])
    assert width < 5e-6
    assert bank.pulse_weight("NMDA", 10e-12) > 2 * BiasBank().pulse_weight("NMDA", 10e-12)
    bank.set_params(I_tau_nmda=10e-12)  # a larger NMDA leak, a shorter tau
    expected = pulse_weight_current(10e-12, width, bank.params.tau_syn("NMDA"))
    assert bank.pulse_weight("NMDA", 10e-12) == pytest.approx(expected, rel=1e-12)
    for bad in (0.0, -1e-12, float("nan"), "1e-12"):
        with pytest.raises(ParameterError, match="I_w0"):
            bank.pulse_weight("AMPA", bad)
    with pytest.raises(ParameterError):
        bank.pulse_weight("GLU", 1e-12)
