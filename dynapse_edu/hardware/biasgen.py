r"""The Dynap-SE1 bias generator: 25 named currents per core, each set by (coarse, fine).

Moradi et al. 2018, IEEE TBioCAS 12(1), section III; bias names as in the
chip's driver (libcaer ``dynapse.h``) and control software (samna / ctxctl).

Every core of a Dynap-SE1 chip has one on-chip bias generator with 25 outputs.
Each output is a current set by an integer *coarse* value (0..7, the current
range) and an integer *fine* value (0..255, a linear fraction of it):

.. math:: I_{bias} = \frac{fine}{255}\, I_{max}(coarse),

with :math:`I_{max}` = 15 pA, 105 pA, 820 pA, 6.5 nA, 50 nA, 400 nA, 3.2 uA,
24 uA for coarse 0..7 (:data:`COARSE_MAX`). All neurons of a core share its
biases; so do their synapses (one weight current per core and synapse type).

From bias currents to model parameters
--------------------------------------
The transistor a bias drives still conducts its leakage :math:`I_0` when the
bias is off, so the current a circuit sees is :math:`I_{bias} + I_0` (the
*effective* current; rockpool's Dynap-SE1 model adds the dark current the same
way). A bias set to fine 0 therefore leaves every circuit at its leakage floor,
never at zero, and every (coarse, fine) setting gives valid parameters.
:data:`BIASES` says which model parameter (:class:`~dynapse_edu.core.params.Params`
field) each bias sets; :func:`params_from_biases` applies the map and
:func:`biases_from_params` is its inverse. The DPI gains are ratios of two
biases, :math:`\alpha = I_{THR} / I_{TAU}`, so changing a TAU bias on the chip
also changes the gain (the THR current stays what it was).

Refractory period and pulse width are times set by a current charging a small
capacitor through a voltage swing, :math:`t = C V / I`. The chip's capacitors
are not published; dynapse_edu uses :data:`C_REFRACTORY` = 100 fF and
:data:`C_PULSE` = 100 fF with a swing of :data:`V_SWING` = 0.5 V, a
*modelling choice* (plausible sizes for the layout, picked so that the
original simulator's 5 ms refractory period needs 10 pA, an on-grid setting).

>>> from dynapse_edu.hardware.biasgen import bias_current, nearest_bias
>>> bias_current(0, 68)  # the default membrane leak minus I0, in A
4e-12
>>> s = nearest_bias(20e-12)
>>> s.coarse, s.fine, round(s.current * 1e12, 3), round(s.error, 4)
(1, 49, 20.176, 0.0088)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from ..core.params import Params
from ..errors import HardwareLimitError

#: Largest current of each coarse range (coarse 0..7), in A.
COARSE_MAX: tuple[float, ...] = (15e-12, 105e-12, 820e-12, 6.5e-9, 50e-9, 400e-9, 3.2e-6, 24e-6)
N_COARSE = len(COARSE_MAX)
FINE_MAX = 255

#: Capacitor of the refractory-period circuit, F (modelling choice, see module docstring).
C_REFRACTORY = 100e-15
#: Capacitor of the pulse extender that turns a spike into a weight pulse, F (modelling choice).
C_PULSE = 100e-15
#: Voltage swing of both timing capacitors, V (modelling choice).
V_SWING = 0.5


class BiasInfo(NamedTuple):
    """One bias of the bias generator: what it does and which model parameter it sets."""

    name: str
    meaning: str
    parameter: str  #: the Params field (or derived quantity) it sets; "" if it has no model effect
    default: tuple[int, int] | None  #: default (coarse, fine) for biases not backed by Params, else None


_S = {"AMPA": ("NPDPIE", "F", "EXC_F"), "NMDA": ("NPDPIE", "S", "EXC_S"),
      "GABA_A": ("NPDPII", "F", "INH_F"), "GABA_B": ("NPDPII", "S", "INH_S")}

#: The 25 biases of one core, by name.
BIASES: dict[str, BiasInfo] = {
    b.name: b
    for b in [
        BiasInfo("IF_TAU1_N", "membrane leak of the neurons set to leak 1 (the default)", "I_tau_mem", None),
        BiasInfo("IF_TAU2_N", "membrane leak of the neurons set to leak 2 (Board.use_tau2)",
                 "I_tau_mem (leak-2 neurons)", (0, 68)),
        BiasInfo("IF_THR_N", "membrane DPI gain current I_g", "alpha_mem = I_THR / I_TAU", None),
        BiasInfo("IF_DC_P", "constant current injected into every soma", "I_const", None),
        BiasInfo("IF_RFR_N", "refractory period, t_ref = C_REFRACTORY * V_SWING / I", "t_ref", None),
        BiasInfo("IF_NMDA_N", "NMDA gating threshold", "I_nmda_thr", None),
        BiasInfo("IF_AHTAU_N", "adaptation (AHP) leak", "I_tau_ahp", None),
        BiasInfo("IF_AHTHR_N", "adaptation DPI gain current", "alpha_ahp = I_AHTHR / I_AHTAU", None),
        BiasInfo("IF_AHW_P", "adaptation jump per output spike (weight)", "I_w_ahp", None),
        BiasInfo("IF_CASC_N", "cascode bias of the membrane DPI (keeps it in saturation)", "", (0, 0)),
        BiasInfo("NPDPIE_TAU_F_P", "AMPA (fast excitatory) leak", "I_tau_ampa", None),
        BiasInfo("NPDPIE_THR_F_P", "AMPA DPI gain current", "alpha_ampa = I_THR / I_TAU", None),
        BiasInfo("NPDPIE_TAU_S_P", "NMDA (slow excitatory) leak", "I_tau_nmda", None),
        BiasInfo("NPDPIE_THR_S_P", "NMDA DPI gain current", "alpha_nmda = I_THR / I_TAU", None),
        BiasInfo("NPDPII_TAU_F_P", "GABA_A (fast inhibitory, shunting) leak", "I_tau_gaba_a", None),
        BiasInfo("NPDPII_THR_F_P", "GABA_A DPI gain current", "alpha_gaba_a = I_THR / I_TAU", None),
        BiasInfo("NPDPII_TAU_S_P", "GABA_B (slow inhibitory, subtractive) leak", "I_tau_gaba_b", None),
        BiasInfo("NPDPII_THR_S_P", "GABA_B DPI gain current", "alpha_gaba_b = I_THR / I_TAU", None),
        BiasInfo("PS_WEIGHT_EXC_F_N", "weight current of all AMPA synapses of the core", "I_w0_ampa", None),
        BiasInfo("PS_WEIGHT_EXC_S_N", "weight current of all NMDA synapses of the core", "I_w0_nmda", None),
        BiasInfo("PS_WEIGHT_INH_F_N", "weight current of all GABA_A synapses of the core", "I_w0_gaba_a", None),
        BiasInfo("PS_WEIGHT_INH_S_N", "weight current of all GABA_B synapses of the core", "I_w0_gaba_b", None),
        BiasInfo("PULSE_PWLK_P", "width of the weight pulse an input spike makes, t = C_PULSE * V_SWING / I",
                 "", (3, 196)),
        BiasInfo("R2R_P", "reference of the R-2R ladder of the bias generator", "", (4, 85)),
        BiasInfo("IF_BUF_P", "read-out buffer of the membrane voltage (monitoring only)", "", (3, 80)),
    ]
}
BIAS_NAMES: tuple[str, ...] = tuple(BIASES)

#: Biases with no state in Params: the second leak and the biases without model effect.
EXTRA_BIASES: tuple[str, ...] = tuple(name for name, b in BIASES.items() if b.default is not None)
#: Biases that are accepted and reported but change nothing in the model.
NO_MODEL_EFFECT: tuple[str, ...] = ("IF_CASC_N", "PULSE_PWLK_P", "R2R_P", "IF_BUF_P")

# (TAU bias, THR bias, weight bias) of each synapse type, and its Params suffix
_SYNAPSE_BIASES: dict[str, tuple[str, str, str]] = {
    key: (f"{pre}_TAU_{fs}_P", f"{pre}_THR_{fs}_P", f"PS_WEIGHT_{w}_N") for key, (pre, fs, w) in _S.items()
}


class BiasSetting(NamedTuple):
    """A (coarse, fine) setting, the current it gives (A) and its relative error to a wanted current."""

    coarse: int
    fine: int
    current: float
    error: float


def check_bias_name(name: str) -> str:
    """The bias name, upper case; :class:`~dynapse_edu.errors.HardwareLimitError` listing the 25 names if unknown."""
    key = str(name).upper()
    if key not in BIASES:
        raise HardwareLimitError(f"unknown bias {name!r}; a core has these {len(BIASES)} biases: {', '.join(BIASES)}")
    return key


def check_setting(coarse: int, fine: int, name: str = "bias") -> tuple[int, int]:
    """Check a (coarse, fine) pair: integers in 0..7 and 0..255; clear error otherwise."""
    for label, value, hi in (("coarse", coarse, N_COARSE - 1), ("fine", fine, FINE_MAX)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value <= hi:
            raise HardwareLimitError(f"{name}: {label} value {value!r} is outside the allowed range 0..{hi} (integers)")
    return int(coarse), int(fine)


def bias_current(coarse: int, fine: int) -> float:
    """Current of a bias generator output, fine / 255 * I_max(coarse), in A (Moradi et al. 2018)."""
    coarse, fine = check_setting(coarse, fine)
    return fine / FINE_MAX * COARSE_MAX[coarse]


_ALL = np.array([[f / FINE_MAX * m for f in range(FINE_MAX + 1)] for m in COARSE_MAX])  # (8, 256) A


def nearest_bias(current: float) -> BiasSetting:
    """The (coarse, fine) setting whose current is nearest to ``current`` (A), and the error made.

    Nearest in absolute terms; among equally near settings the lowest coarse
    value (the finest resolution) wins. ``error`` is (got - wanted) / wanted
    (0 for a wanted current of 0). Currents above 24 uA give the largest
    setting (7, 255) with its (negative) error; negative currents are rejected.

    >>> nearest_bias(5e-9)
    BiasSetting(coarse=3, fine=196, current=4.996078431372549e-09, error=-0.0007843137254901642)
    """
    value = float(current)
    if math.isnan(value) or value < 0:
        raise HardwareLimitError(f"a bias current must be >= 0 A, got {current!r}")
    diff = np.abs(_ALL - min(value, COARSE_MAX[-1]))
    coarse, fine = np.unravel_index(int(np.argmin(diff)), diff.shape)  # argmin: first = lowest coarse
    got = float(_ALL[coarse, fine])
    error = 0.0 if value == 0 else (got - value) / value if math.isfinite(value) else -1.0
    return BiasSetting(int(coarse), int(fine), got, float(error))


# --- the map between bias currents and model parameters -----------------------
def refractory_period(I_rfr: float) -> float:
    """t_ref = C_REFRACTORY * V_SWING / I, in s, from the effective IF_RFR_N current (A); 0 for an infinite current."""
    return C_REFRACTORY * V_SWING / I_rfr


def pulse_width(I_pulse: float) -> float:
    """Width of the weight pulse, C_PULSE * V_SWING / I, in s, from the effective PULSE_PWLK_P current (A)."""
    return C_PULSE * V_SWING / I_pulse


def biases_from_params(p: Params) -> dict[str, float]:
    """Effective currents (A, leakage included) of the 20 biases that Params determines.

    The inverse of :func:`params_from_biases`: THR currents are alpha * I_tau,
    IF_RFR_N is the current giving ``t_ref`` (infinite for t_ref = 0).
    """
    out = {
        "IF_TAU1_N": p.I_tau_mem,
        "IF_THR_N": p.alpha_mem * p.I_tau_mem,
        "IF_DC_P": p.I_const,
        "IF_RFR_N": C_REFRACTORY * V_SWING / p.t_ref if p.t_ref > 0 else math.inf,
        "IF_NMDA_N": p.I_nmda_thr,
        "IF_AHTAU_N": p.I_tau_ahp,
        "IF_AHTHR_N": p.alpha_ahp * p.I_tau_ahp,
        "IF_AHW_P": p.I_w_ahp,
    }
    for key, (tau, thr, w) in _SYNAPSE_BIASES.items():
        k = key.lower()
        out[tau] = getattr(p, f"I_tau_{k}")
        out[thr] = getattr(p, f"alpha_{k}") * getattr(p, f"I_tau_{k}")
        out[w] = getattr(p, f"I_w0_{k}")
    return out


def params_from_biases(base: Params, effective: Mapping[str, float], leak: str = "IF_TAU1_N") -> Params:
    """Params with every bias-set field computed from effective bias currents (A).

    ``effective`` maps bias names onto effective currents (leakage included);
    names it lacks keep their value in ``base``; fields no bias sets (the
    capacitors, I0, kappa, the spike threshold I_th, I_reset, the feedback)
    come from ``base``. ``leak`` names the membrane leak the neuron uses
    (``"IF_TAU1_N"`` or ``"IF_TAU2_N"``).
    """
    cur = biases_from_params(base) | dict(effective)
    tau_mem = cur.get(leak, cur["IF_TAU1_N"])
    changes = {
        "I_tau_mem": tau_mem,
        "alpha_mem": cur["IF_THR_N"] / tau_mem,
        "I_const": cur["IF_DC_P"],
        "t_ref": 0.0 if math.isinf(cur["IF_RFR_N"]) else refractory_period(cur["IF_RFR_N"]),
        "I_nmda_thr": cur["IF_NMDA_N"],
        "I_tau_ahp": cur["IF_AHTAU_N"],
        "alpha_ahp": cur["IF_AHTHR_N"] / cur["IF_AHTAU_N"],
        "I_w_ahp": cur["IF_AHW_P"],
    }
    for key, (tau, thr, w) in _SYNAPSE_BIASES.items():
        k = key.lower()
        changes[f"I_tau_{k}"] = cur[tau]
        changes[f"alpha_{k}"] = cur[thr] / cur[tau]
        changes[f"I_w0_{k}"] = cur[w]
    return base.replace(**changes)


def default_extra_currents(I0: float) -> dict[str, float]:
    """Effective currents (A) of the biases not backed by Params, at their default settings."""
    return {name: bias_current(*BIASES[name].default) + I0 for name in EXTRA_BIASES}


def bias_table(params: Params | None = None) -> list[dict[str, object]]:
    """One row per bias: name, meaning, model parameter, default (coarse, fine) and current.

    For biases backed by Params the default setting is the one nearest to the
    default parameters (effective current minus I0), with its relative error.
    Used for the documentation table (:func:`bias_table_markdown`).
    """
    p = params or Params()
    from_params = biases_from_params(p)
    rows = []
    for name, info in BIASES.items():
        if info.default is not None:
            coarse, fine = info.default
            current, error = bias_current(coarse, fine), 0.0
        else:
            s = nearest_bias(from_params[name] - p.I0)
            coarse, fine, current, error = s.coarse, s.fine, s.current, s.error
        rows.append({
            "name": name, "meaning": info.meaning, "parameter": info.parameter or "none (no model effect)",
            "coarse": coarse, "fine": fine, "current": current, "error": error,
        })
    return rows


def _si(value: float, unit: str) -> str:
    for scale, prefix in ((1e-6, "u"), (1e-9, "n"), (1e-12, "p"), (1e-15, "f")):
        if abs(value) >= scale:
            return f"{value / scale:.4g} {prefix}{unit}"
    return f"{value:.3g} {unit}"


def bias_table_markdown(params: Params | None = None) -> str:
    """The bias table as Markdown: every bias, its meaning, model parameter and default setting."""
    lines = [
        "| bias | meaning | model parameter | default (coarse, fine) | current | error vs model default |",
        "|---|---|---|---|---|---|",
    ]
    for r in bias_table(params):
        lines.append(
            f"| `{r['name']}` | {r['meaning']} | {r['parameter']} | ({r['coarse']}, {r['fine']}) | "
            f"{_si(r['current'], 'A')} | {100 * r['error']:+.2f} % |"
        )
    return "\n".join(lines) + "\n"


__all__ = [
    "COARSE_MAX",
    "FINE_MAX",
    "C_REFRACTORY",
    "C_PULSE",
    "V_SWING",
    "BiasInfo",
    "BiasSetting",
    "BIASES",
    "BIAS_NAMES",
    "EXTRA_BIASES",
    "NO_MODEL_EFFECT",
    "check_bias_name",
    "check_setting",
    "bias_current",
    "nearest_bias",
    "refractory_period",
    "pulse_width",
    "biases_from_params",
    "params_from_biases",
    "default_extra_currents",
    "bias_table",
    "bias_table_markdown",
]
