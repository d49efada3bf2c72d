import math
import re

import pytest

from dynapse_edu.core.params import BEYOND_SEED, FIELD_NAMES, SEED_NAMES, Params, from_seed, resolve
from dynapse_edu.errors import ParameterError
from dynapse_edu.units import ms, pA


def test_defaults_are_the_original_values(single_neuron_ref):
    """Every default equals the value the original simulator reports for itself."""
    original = single_neuron_ref["meta"]["params_effective"]
    converted = from_seed(original)
    assert converted == Params()
    # and every parameter of ours has an original counterpart that was checked
    checked = {SEED_NAMES[k] for k in original if k in SEED_NAMES}
    assert checked == set(FIELD_NAMES) - BEYOND_SEED
    # the pulse widths, the output exponent and the feedback's power law, which the original does not have,
    # default to its instant jumps, the ideal DPI and its sigmoid
    assert Params().t_pulse is None and Params().t_pulse_ahp is None and Params().gamma_syn == 1.0
    assert Params().n_pfb == 0.0


@pytest.mark.parametrize("name", ["t_pulse", "t_pulse_ahp"])
@pytest.mark.parametrize("value", [0.0, -1e-6, 5.0, float("nan"), float("inf"), "1us", True])
def test_bad_pulse_widths_are_refused_naming_the_range(name, value):
    with pytest.raises(ParameterError, match=rf"{name}.*(range \[1e-09, 0\.1\] s|number in s or None)"):
        Params(**{name: value})


@pytest.mark.parametrize("name", ["t_pulse", "t_pulse_ahp"])
def test_pulse_widths_are_seconds_or_none(name):
    assert getattr(Params(**{name: 2e-6}), name) == 2e-6
    assert getattr(Params(**{name: 2e-6}).replace(**{name: None}), name) is None
    assert getattr(resolve({name: 1e-3}), name) == 1e-3


@pytest.mark.parametrize(
    ("synapse", "tau_ms"), [("AMPA", 3.546), ("NMDA", 35.46), ("GABA_A", 14.18), ("GABA_B", 14.18)]
)
def test_synapse_time_constants(synapse, tau_ms):
    assert Params().tau_syn(synapse) / ms == pytest.approx(tau_ms, rel=1e-3)


def test_derived_quantities():
    p = Params()
    assert p.kappa == pytest.approx((0.75 + 0.66) / 2)
    assert p.tau_mem == pytest.approx(2e-12 * 0.025 / (p.kappa * 5e-12))
    assert p.tau_ahp == pytest.approx(4e-12 * 0.025 / (p.kappa * 2e-12))
    assert p.jump("AMPA", 2.0) == pytest.approx(100 * pA * 2 * 4)


def test_replace_and_resolve():
    p = Params().replace(I_tau_ampa=10 * pA)
    assert p.I_tau_ampa == 10 * pA
    assert resolve({"I_tau_ampa": 10 * pA}) == p
    assert resolve(None) == Params()
    assert resolve(p) is p


def test_out_of_range_names_value_and_range():
    with pytest.raises(ParameterError, match=r"I_tau_mem = 5.0 A is outside the allowed range \[1e-15, 0.001\] A"):
        Params(I_tau_mem=5.0)


def test_unit_slip_capacitance():
    with pytest.raises(ParameterError, match="C_mem"):
        Params(C_mem=2.0)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -1e-12])
def test_nan_inf_negative_rejected(bad):
    with pytest.raises(ParameterError, match="I_th"):
        Params(I_th=bad)


def test_non_number_rejected():
    with pytest.raises(ParameterError, match="must be a number"):
        Params(I_th="2 nA")


def test_reset_must_be_below_threshold():
    with pytest.raises(ParameterError, match="I_reset"):
        Params(I_reset=3e-9)


def test_leak_below_floor_rejected():
    with pytest.raises(ParameterError, match="below the leakage floor"):
        Params(I_tau_mem=0.5e-12)


def test_unknown_names():
    with pytest.raises(ParameterError, match="unknown parameter"):
        Params().replace(I_tau_soma=1e-12)
    with pytest.raises(ParameterError, match="unknown original-simulator parameter 'Ifoo'"):
        from_seed({"Ifoo": 1.0})
    with pytest.raises(ParameterError, match="params must be"):
        resolve(42)


def test_from_seed_ignores_state_variables():
    p = from_seed({"Isoma_mem": 1.1e-12, "Isoma_dpi_tau": 7e-12, "alpha_ampa": 2})
    assert p.I_tau_mem == 7e-12
    assert p.alpha_ampa == 2.0


def test_describe_lists_every_parameter_with_unit():
    rows = Params.describe()
    assert [r["name"] for r in rows] == list(FIELD_NAMES)
    assert all(r["unit"] in {"A", "F", "V", "s", "1"} and r["meaning"] for r in rows)


# --- issue 16: every bad input named at the door ----------------------------------------------------------
@pytest.mark.parametrize("key", ["I_tau_mme", "tau_mem", "Isoma_dpi_tau"])
def test_an_unknown_key_in_params_is_a_parameter_error_naming_it(key):
    with pytest.raises(ParameterError, match=rf"unknown parameter\(s\) \['{key}'\] in Params\(\.\.\.\); known"):
        Params(**{key: 1e-12})


def test_params_takes_keywords_only():
    with pytest.raises(ParameterError, match=r"keyword arguments only .* got 1 positional: \(1e-12,\)"):
        Params(1e-12)
    assert Params(I_tau_mem=7e-12).I_tau_mem == 7e-12 and Params().replace(I0=1e-13).I0 == 1e-13


@pytest.mark.parametrize("value", ["abc", "1e-12", None, [1e-12], True])
def test_from_seed_refuses_a_value_that_is_not_a_number(value):
    with pytest.raises(ParameterError) as info:
        from_seed({"Isoma_dpi_tau": value})
    assert f"Isoma_dpi_tau = {value!r}" in str(info.value) and "I_tau_mem" in str(info.value)


@pytest.mark.parametrize("value", ["5e-12", None, math.nan, math.inf, True])
def test_a_field_that_is_not_a_finite_number_is_named(value):
    with pytest.raises(ParameterError, match=re.escape("I_tau_mem")) as info:
        Params(I_tau_mem=value)
    assert repr(value) in str(info.value)
