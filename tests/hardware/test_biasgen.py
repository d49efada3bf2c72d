"""The bias generator: coarse/fine currents, the nearest setting, the map onto model parameters."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dynapse_edu.core.params import FIELD_NAMES, Params
from dynapse_edu.errors import HardwareLimitError, ParameterError
from dynapse_edu.hardware.biasgen import (
    BIAS_NAMES,
    BIASES,
    C_REFRACTORY,
    COARSE_MAX,
    EXTRA_BIASES,
    GAIN,
    NO_MODEL_EFFECT,
    PARAMS_BIASES,
    RULES,
    V_SWING,
    bias_current,
    bias_table,
    bias_table_markdown,
    biases_from_params,
    check_bias_name,
    nearest_bias,
    params_from_biases,
)

coarse_st = st.integers(0, 7)
fine_st = st.integers(0, 255)


def test_the_25_biases_of_the_chip():
    assert len(BIAS_NAMES) == 25
    for name in ["IF_TAU1_N", "IF_TAU2_N", "IF_THR_N", "IF_DC_P", "IF_RFR_N", "IF_NMDA_N", "IF_AHTAU_N",
                 "IF_AHTHR_N", "IF_AHW_P", "IF_CASC_N", "NPDPIE_TAU_F_P", "NPDPIE_THR_F_P", "NPDPIE_TAU_S_P",
                 "NPDPIE_THR_S_P", "NPDPII_TAU_F_P", "NPDPII_THR_F_P", "NPDPII_TAU_S_P", "NPDPII_THR_S_P",
                 "PS_WEIGHT_EXC_F_N", "PS_WEIGHT_EXC_S_N", "PS_WEIGHT_INH_F_N", "PS_WEIGHT_INH_S_N",
                 "PULSE_PWLK_P", "R2R_P", "IF_BUF_P"]:
        assert name in BIASES
    assert check_bias_name("if_dc_p") == "IF_DC_P"


def test_coarse_ranges_and_linear_fine():
    assert COARSE_MAX == (15e-12, 105e-12, 820e-12, 6.5e-9, 50e-9, 400e-9, 3.2e-6, 24e-6)
    for c, top in enumerate(COARSE_MAX):
        assert bias_current(c, 255) == pytest.approx(top, rel=1e-15)
        assert bias_current(c, 0) == 0.0
        assert bias_current(c, 51) == pytest.approx(top / 5, rel=1e-12)


@pytest.mark.parametrize(
    "coarse, fine, match",
    [(8, 0, "coarse value 8 .*0..7"), (-1, 0, "coarse value -1"), (0, 256, "fine value 256 .*0..255"),
     (0, -1, "fine value -1"), (0, 1.5, "fine value 1.5"), (True, 3, "coarse value True")],
)
def test_bad_settings_are_named(coarse, fine, match):
    with pytest.raises(HardwareLimitError, match=match):
        bias_current(coarse, fine)


def test_unknown_bias_lists_the_names():
    with pytest.raises(HardwareLimitError, match="IF_FOO.*IF_TAU1_N"):
        check_bias_name("IF_FOO")


@settings(max_examples=200, deadline=None)
@given(coarse_st, fine_st)
def test_nearest_of_an_exact_setting_is_exact(coarse, fine):
    s = nearest_bias(bias_current(coarse, fine))
    assert s.current == bias_current(coarse, fine)
    assert s.error == 0.0
    assert s.coarse <= coarse  # the finest resolution that reaches it


@settings(max_examples=200, deadline=None)
@given(st.floats(0.0, 24e-6))
def test_nearest_error_is_at_most_half_a_step(current):
    s = nearest_bias(current)
    coarse = next(c for c, top in enumerate(COARSE_MAX) if top >= current)
    assert abs(s.current - current) <= 0.5 * COARSE_MAX[coarse] / 255 * (1 + 1e-12)
    if current > 0:
        assert s.error == pytest.approx((s.current - current) / current)


def test_nearest_out_of_range():
    s = nearest_bias(1.0)
    assert (s.coarse, s.fine) == (7, 255) and s.error < -0.99
    with pytest.raises(HardwareLimitError, match="-1e-12"):
        nearest_bias(-1e-12)


def test_params_round_trip_through_biases():
    for p in (Params(), Params(I_tau_mem=7e-12, alpha_ampa=3.0, t_ref=2e-3, I_w0_nmda=3e-12)):
        q = params_from_biases(p, biases_from_params(p))
        for name, value in p.as_dict().items():
            assert getattr(q, name) == pytest.approx(value, rel=1e-12), name


def test_bias_currents_set_model_parameters():
    p = Params()
    eff = {"IF_RFR_N": 20e-12, "NPDPIE_TAU_F_P": 10e-12, "PS_WEIGHT_EXC_S_N": 50e-12, "IF_DC_P": 3e-12}
    q = params_from_biases(p, eff)
    assert q.t_ref == pytest.approx(C_REFRACTORY * V_SWING / 20e-12)  # t = C V / I
    assert q.I_tau_ampa == 10e-12
    # the gain current I_THR = alpha * I_tau stays: alpha follows the new leak
    assert q.alpha_ampa == pytest.approx(p.alpha_ampa * p.I_tau_ampa / 10e-12)
    assert q.I_w0_nmda == 50e-12 and q.I_const == 3e-12
    assert q.I_th == p.I_th  # the spike threshold has no bias
    assert params_from_biases(p, {"IF_TAU2_N": 9e-12}, leak="IF_TAU2_N").I_tau_mem == 9e-12


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(BIAS_NAMES), coarse_st, fine_st)
def test_every_setting_gives_valid_parameters(name, coarse, fine):
    p = Params()
    q = params_from_biases(p, {name: bias_current(coarse, fine) + p.I0}, leak="IF_TAU1_N")
    for value in q.as_dict().values():
        assert np.isfinite(value)


def test_bias_table_rows_and_doc_is_current():
    rows = bias_table()
    assert [r["name"] for r in rows] == list(BIAS_NAMES)
    by_name = {r["name"]: r for r in rows}
    assert (by_name["IF_TAU1_N"]["coarse"], by_name["IF_TAU1_N"]["fine"]) == (0, 68)  # 4 pA + I0 = 5 pA
    assert (by_name["IF_RFR_N"]["coarse"], by_name["IF_RFR_N"]["fine"]) == (0, 153)  # 9 pA + I0 -> 5 ms
    assert all(abs(r["error"]) < 0.01 for r in rows)
    table = bias_table_markdown()
    assert table.count("\n") == 27
    doc = Path(__file__).resolve().parents[2] / "docs" / "biases.md"
    assert doc.read_text().endswith(table), "docs/biases.md is out of date: regenerate it with bias_table_markdown()"


def test_one_map_from_biases_to_parameters():
    fields = [BIASES[name].parameter for name in PARAMS_BIASES]
    assert len(PARAMS_BIASES) == 20 and len(set(fields)) == 20  # each bias-set field once
    assert set(fields) <= set(FIELD_NAMES)
    for name, info in BIASES.items():
        assert info.rule in (*RULES, "")
        assert (info.rule == "") == (info.parameter == "") == (name in NO_MODEL_EFFECT)
        if info.rule == GAIN:  # alpha_x = I_THR / I_TAU of the same DPI
            assert info.parameter.startswith("alpha_")
            assert BIASES[info.tau].parameter == "I_tau_" + info.parameter[len("alpha_"):]
        else:
            assert info.tau == ""
    assert set(EXTRA_BIASES) == set(NO_MODEL_EFFECT) | {"IF_TAU2_N"}
    assert set(biases_from_params(Params())) == set(PARAMS_BIASES)


def test_params_from_biases_rejects_an_unknown_leak():
    with pytest.raises(ParameterError, match="leak = 'IF_DC_P'.*IF_TAU1_N, IF_TAU2_N"):
        params_from_biases(Params(), {}, leak="IF_DC_P")
