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
:data:`BIASES` is the one map from biases to model parameters: for each bias
the :class:`~dynapse_edu.core.params.Params` field it sets and the rule
(:data:`CURRENT`, :data:`GAIN`, :data:`REFRACTORY`); :func:`params_from_biases`
applies it, :func:`biases_from_params` is its inverse, and the board's bias
banks (:mod:`dynapse_edu.hardware.bank`) and mismatch read it from here. The DPI gains are ratios of two
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
from ..errors import HardwareLimitError, ParameterError

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


#: How a bias's effective current I (A) becomes the model parameter it sets (:attr:`BiasInfo.rule`):
#: the parameter is the current itself, I (A);
CURRENT = "current"
#: the parameter is a DPI gain I / I_TAU (no unit), I_TAU the effective current of the DPI's leak bias;
GAIN = "gain"
#: the parameter is the refractory period C_REFRACTORY * V_SWING / I (s).
REFRACTORY = "refractory"
#: The three rules.
RULES: tuple[str, ...] = (CURRENT, GAIN, REFRACTORY)


class BiasInfo(NamedTuple):
    """One bias of the bias generator: what it does, the model parameter it sets and how."""

    #: The bias's name on the chip (libcaer ``dynapse.h``), e.g. ``"IF_DC_P"``.
    name: str
    #: What the bias does in the circuit, in words.
    meaning: str
    #: The :class:`~dynapse_edu.core.params.Params` field the bias sets; ``""`` if it has no model effect.
    parameter: str
    #: How the field follows from the bias's effective current, :data:`CURRENT`, :data:`GAIN` (divided by
    #: the current of the bias ``tau``) or :data:`REFRACTORY`; ``""`` for no model effect.
    rule: str
    #: Default (coarse, fine) of a bias the core's Params do not hold (:data:`EXTRA_BIASES`), else None.
    default: tuple[int, int] | None = None
    #: For a gain, the leak bias of the same DPI, whose current divides this one.
    tau: str = ""

    @property
    def effect(self) -> str:
        """The model effect in words, as the bias table states it."""
        if self.name == "PULSE_PWLK_P":
            return "t_pulse when pulses are on (hardware mode, Board.use_pulses), else none: instant jumps"
        if not self.parameter:
            return "none (no model effect)"
        if self.default is not None:
            return f"{self.parameter} (leak-2 neurons)"
        if self.rule == GAIN:
            return f"{self.parameter} = {self.name} / {self.tau}"
        return self.parameter


#: The 25 biases of one core, by name, with the model parameter each sets: the one bias -> parameter map.
BIASES: dict[str, BiasInfo] = {
    b.name: b
    for b in [
        BiasInfo("IF_TAU1_N", "membrane leak of the neurons set to leak 1 (the default)", "I_tau_mem", CURRENT),
        BiasInfo("IF_TAU2_N", "membrane leak of the neurons set to leak 2 (Board.use_tau2)", "I_tau_mem", CURRENT,
                 default=(0, 68)),
        BiasInfo("IF_THR_N", "membrane DPI gain current I_g", "alpha_mem", GAIN, tau="IF_TAU1_N"),
        BiasInfo("IF_DC_P", "constant current injected into every soma", "I_const", CURRENT),
        BiasInfo("IF_RFR_N", "refractory period, t_ref = C_REFRACTORY * V_SWING / I", "t_ref", REFRACTORY),
        BiasInfo("IF_NMDA_N", "NMDA gating threshold", "I_nmda_thr", CURRENT),
        BiasInfo("IF_AHTAU_N", "adaptation (AHP) leak", "I_tau_ahp", CURRENT),
        BiasInfo("IF_AHTHR_N", "adaptation DPI gain current", "alpha_ahp", GAIN, tau="IF_AHTAU_N"),
        BiasInfo("IF_AHW_P", "adaptation jump per output spike (weight)", "I_w_ahp", CURRENT),
        BiasInfo("IF_CASC_N", "cascode bias of the membrane DPI (keeps it in saturation)", "", "", default=(0, 0)),
        BiasInfo("NPDPIE_TAU_F_P", "AMPA (fast excitatory) leak", "I_tau_ampa", CURRENT),
        BiasInfo("NPDPIE_THR_F_P", "AMPA DPI gain current", "alpha_ampa", GAIN, tau="NPDPIE_TAU_F_P"),
        BiasInfo("NPDPIE_TAU_S_P", "NMDA (slow excitatory) leak", "I_tau_nmda", CURRENT),
        BiasInfo("NPDPIE_THR_S_P", "NMDA DPI gain current", "alpha_nmda", GAIN, tau="NPDPIE_TAU_S_P"),
        BiasInfo("NPDPII_TAU_F_P", "GABA_A (fast inhibitory, shunting) leak", "I_tau_gaba_a", CURRENT),
        BiasInfo("NPDPII_THR_F_P", "GABA_A DPI gain current", "alpha_gaba_a", GAIN, tau="NPDPII_TAU_F_P"),
        BiasInfo("NPDPII_TAU_S_P", "GABA_B (slow inhibitory, subtractive) leak", "I_tau_gaba_b", CURRENT),
        BiasInfo("NPDPII_THR_S_P", "GABA_B DPI gain current", "alpha_gaba_b", GAIN, tau="NPDPII_TAU_S_P"),
        BiasInfo("PS_WEIGHT_EXC_F_N", "weight current of all AMPA synapses of the core", "I_w0_ampa", CURRENT),
        BiasInfo("PS_WEIGHT_EXC_S_N", "weight current of all NMDA synapses of the core", "I_w0_nmda", CURRENT),
        BiasInfo("PS_WEIGHT_INH_F_N", "weight current of all GABA_A synapses of the core", "I_w0_gaba_a", CURRENT),
        BiasInfo("PS_WEIGHT_INH_S_N", "weight current of all GABA_B synapses of the core", "I_w0_gaba_b", CURRENT),
        BiasInfo("PULSE_PWLK_P", "width of the weight pulse an input spike makes, t = C_PULSE * V_SWING / I",
                 "", "", default=(3, 196)),
        BiasInfo("R2R_P", "reference of the R-2R ladder of the bias generator", "", "", default=(4, 85)),
        BiasInfo("IF_BUF_P", "read-out buffer of the membrane voltage (monitoring only)", "", "", default=(3, 80)),
    ]
}
#: The 25 bias names in the order of the chip's driver (the column order of mismatch factors).
BIAS_NAMES: tuple[str, ...] = tuple(BIASES)

#: Biases with no state in Params: the second leak and the biases without model effect.
EXTRA_BIASES: tuple[str, ...] = tuple(name for name, b in BIASES.items() if b.default is not None)
#: The 20 biases the core's Params hold, each setting one Params field.
PARAMS_BIASES: tuple[str, ...] = tuple(name for name, b in BIASES.items() if b.default is None)
#: Biases that are accepted and reported but change nothing in the model.
NO_MODEL_EFFECT: tuple[str, ...] = tuple(name for name, b in BIASES.items() if not b.parameter)
#: The two membrane leaks a neuron can use (:meth:`~dynapse_edu.hardware.board.Board.use_tau2`).
LEAKS: tuple[str, ...] = ("IF_TAU1_N", "IF_TAU2_N")


class BiasSetting(NamedTuple):
    """A (coarse, fine) setting, the current it gives (A) and its relative error to a wanted current."""

    coarse: int
    fine: int
    current: float
    error: float


def check_bias_name(name: str) -> str:
    """A bias name, checked and upper-cased.

    Parameters
    ----------
    name : str
        A bias name, any case (``"if_dc_p"``).

    Returns
    -------
    str
        The name as :data:`BIASES` spells it.

    Raises
    ------
    HardwareLimitError
        If the core has no such bias; the message lists the 25 names.

    Examples
    --------
    >>> check_bias_name("if_dc_p")
    'IF_DC_P'
    """
    key = str(name).upper()
    if key not in BIASES:
        raise HardwareLimitError(f"unknown bias {name!r}; a core has these {len(BIASES)} biases: {', '.join(BIASES)}")
    return key


def check_setting(coarse: int, fine: int, name: str = "bias") -> tuple[int, int]:
    """A (coarse, fine) pair, checked: integers in 0..7 and 0..255.

    Parameters
    ----------
    coarse : int
        Coarse value, the current range, 0..7.
    fine : int
        Fine value, the fraction of the range in 255ths, 0..255.
    name : str
        How the error message names the bias (``"bias IF_DC_P of core 0"``).

    Returns
    -------
    tuple of int
        ``(coarse, fine)`` as plain ints.

    Raises
    ------
    HardwareLimitError
        If a value is not an integer in its range; the message names the value and the range.

    Examples
    --------
    >>> check_setting(2, 100)
    (2, 100)
    """
    for label, value, hi in (("coarse", coarse, N_COARSE - 1), ("fine", fine, FINE_MAX)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value <= hi:
            raise HardwareLimitError(f"{name}: {label} value {value!r} is outside the allowed range 0..{hi} (integers)")
    return int(coarse), int(fine)


def bias_current(coarse: int, fine: int) -> float:
    """Current of a bias generator output, fine / 255 * I_max(coarse) (Moradi et al. 2018).

    Parameters
    ----------
    coarse : int
        Coarse value 0..7 (:data:`COARSE_MAX` gives I_max of each).
    fine : int
        Fine value 0..255.

    Returns
    -------
    float
        The generator current in A (without the leakage I0 the circuit adds).

    Raises
    ------
    HardwareLimitError
        If coarse or fine is out of range (:func:`check_setting`).

    Examples
    --------
    >>> round(bias_current(1, 51) * 1e12, 9)  # a fifth of 105 pA, in pA
    21.0
    """
    coarse, fine = check_setting(coarse, fine)
    return fine / FINE_MAX * COARSE_MAX[coarse]


_ALL = np.array([[f / FINE_MAX * m for f in range(FINE_MAX + 1)] for m in COARSE_MAX])  # (8, 256) A


def nearest_bias(current: float) -> BiasSetting:
    """The (coarse, fine) setting whose generator current is nearest to ``current``, and the error made.

    Nearest in absolute terms; among equally near settings the lowest coarse
    value (the finest resolution) wins. Currents above 24 uA give the largest
    setting (7, 255) with its (negative) error.

    Parameters
    ----------
    current : float
        Wanted generator current in A, >= 0 (without the leakage I0).

    Returns
    -------
    BiasSetting
        ``coarse``, ``fine``, the ``current`` they give (A) and the relative ``error``
        (got - wanted) / wanted (0 for a wanted current of 0).

    Raises
    ------
    HardwareLimitError
        If ``current`` is negative or NaN.

    Examples
    --------
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


# --- the map between bias currents and model parameters: every rule read from BIASES ----------
def refractory_period(I_rfr: float) -> float:
    """The refractory period the IF_RFR_N bias sets, t_ref = C_REFRACTORY * V_SWING / I.

    Parameters
    ----------
    I_rfr : float
        Effective IF_RFR_N current in A (leakage included), > 0.

    Returns
    -------
    float
        t_ref in s.

    Examples
    --------
    >>> round(refractory_period(10e-12) * 1e3, 9)  # ms
    5.0
    """
    return C_REFRACTORY * V_SWING / I_rfr


def pulse_width(I_pulse: float) -> float:
    """Width of the weight pulse an input spike makes, C_PULSE * V_SWING / I.

    With pulses on (hardware mode, :meth:`Board.use_pulses <dynapse_edu.hardware.board.Board.use_pulses>`)
    this is each neuron's ``t_pulse``; off (``Chip()``, the original simulator), spikes reach their
    synapses as instant jumps and the width only sets the input rules (same-time spikes merged,
    the highest source rate).

    Parameters
    ----------
    I_pulse : float
        Effective PULSE_PWLK_P current in A (leakage included), > 0.

    Returns
    -------
    float
        The pulse width in s.

    Examples
    --------
    >>> round(pulse_width(5e-9) * 1e6, 9)  # us
    10.0
    """
    return C_PULSE * V_SWING / I_pulse


def _current_of(info: BiasInfo, p: Params) -> float:
    """The effective current (A) a Params-backed bias carries to give ``p``: the bias's rule, inverted."""
    value = getattr(p, info.parameter)
    if info.rule == GAIN:
        return value * getattr(p, BIASES[info.tau].parameter)
    if info.rule == REFRACTORY:
        return C_REFRACTORY * V_SWING / value if value > 0 else math.inf
    return value


def _parameter_of(info: BiasInfo, cur: Mapping[str, float]) -> float:
    """The value (SI) of the Params field a bias sets, from effective currents (A): the bias's rule."""
    current = cur[info.name]
    if info.rule == GAIN:
        return current / cur[info.tau]
    if info.rule == REFRACTORY:
        return 0.0 if math.isinf(current) else refractory_period(current)
    return current


def biases_from_params(p: Params) -> dict[str, float]:
    """Effective currents (A, leakage included) of the 20 biases that Params determines.

    The inverse of :func:`params_from_biases`, rule by rule of :data:`BIASES`:
    a current is the field itself, a gain current is alpha * I_tau, IF_RFR_N is
    the current giving ``t_ref`` (infinite for t_ref = 0).

    Parameters
    ----------
    p : Params
        Model parameters of a core.

    Returns
    -------
    dict of str to float
        Bias name (the 20 of :data:`PARAMS_BIASES`) to effective current in A.

    Examples
    --------
    >>> from dynapse_edu.core.params import Params
    >>> cur = biases_from_params(Params())
    >>> round(cur["IF_TAU1_N"] * 1e12, 9), round(cur["IF_RFR_N"] * 1e12, 9)  # pA; 10 pA gives 5 ms
    (5.0, 10.0)
    """
    return {name: _current_of(BIASES[name], p) for name in PARAMS_BIASES}


def params_from_biases(base: Params, effective: Mapping[str, float], leak: str = "IF_TAU1_N") -> Params:
    """Params with every bias-set field computed from effective bias currents (the map of :data:`BIASES`).

    Parameters
    ----------
    base : Params
        Parameters whose bias currents stand for the biases ``effective`` lacks, and
        which give the fields no bias sets (the capacitors, I0, kappa, the spike
        threshold I_th, I_reset, the feedback).
    effective : Mapping of str to float
        Bias name to effective current in A (leakage included).
    leak : str
        The membrane leak the neuron uses, ``"IF_TAU1_N"`` or ``"IF_TAU2_N"``
        (IF_TAU2_N falls back to IF_TAU1_N's current if ``effective`` lacks it).
        The membrane gain divides IF_THR_N by this leak.

    Returns
    -------
    Params
        ``base`` with the 20 bias-set fields replaced.

    Raises
    ------
    ParameterError
        If ``leak`` is not one of :data:`LEAKS`, or a resulting value is outside
        its allowed range.

    Examples
    --------
    >>> from dynapse_edu.core.params import Params
    >>> p = params_from_biases(Params(), {"IF_DC_P": 20e-12, "IF_RFR_N": 20e-12})
    >>> round(p.I_const * 1e12, 9), round(p.t_ref * 1e3, 9)  # pA, ms
    (20.0, 2.5)
    """
    if leak not in LEAKS:
        raise ParameterError(f"leak = {leak!r} is not a membrane leak bias; allowed: {', '.join(LEAKS)}")
    cur = biases_from_params(base) | dict(effective)
    cur["IF_TAU1_N"] = cur.get(leak, cur["IF_TAU1_N"])  # the leak this neuron uses
    return base.replace(**{BIASES[name].parameter: _parameter_of(BIASES[name], cur) for name in PARAMS_BIASES})


def default_extra_currents(I0: float) -> dict[str, float]:
    """Effective currents of the biases Params do not hold (:data:`EXTRA_BIASES`), at their default settings.

    Parameters
    ----------
    I0 : float
        Leakage current in A, added to each generator current.

    Returns
    -------
    dict of str to float
        Bias name to effective current in A.

    Examples
    --------
    >>> round(default_extra_currents(1e-12)["IF_TAU2_N"] * 1e12, 9)  # pA
    5.0
    """
    return {name: bias_current(*BIASES[name].default) + I0 for name in EXTRA_BIASES}


def bias_table(params: Params | None = None) -> list[dict[str, object]]:
    """One row per bias: name, meaning, model effect, default (coarse, fine) and current.

    For biases backed by Params the default setting is the one nearest to the
    parameters (effective current minus I0), with its relative error.
    Used for the documentation table (:func:`bias_table_markdown`).

    Parameters
    ----------
    params : Params or None
        The parameters the Params-backed rows are nearest to (default: ``Params()``).

    Returns
    -------
    list of dict
        Keys ``name``, ``meaning``, ``parameter`` (the effect in words), ``coarse``,
        ``fine``, ``current`` (A) and ``error`` (relative).

    Examples
    --------
    >>> row = bias_table()[0]
    >>> row["name"], row["parameter"], row["coarse"], row["fine"]
    ('IF_TAU1_N', 'I_tau_mem', 0, 68)
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
            "name": name, "meaning": info.meaning, "parameter": info.effect,
            "coarse": coarse, "fine": fine, "current": current, "error": error,
        })
    return rows


def _si(value: float, unit: str) -> str:
    for scale, prefix in ((1e-6, "u"), (1e-9, "n"), (1e-12, "p"), (1e-15, "f")):
        if abs(value) >= scale:
            return f"{value / scale:.4g} {prefix}{unit}"
    return f"{value:.3g} {unit}"


def bias_table_markdown(params: Params | None = None) -> str:
    """The bias table as Markdown: every bias, its meaning, model effect and default setting.

    Parameters
    ----------
    params : Params or None
        As for :func:`bias_table`.

    Returns
    -------
    str
        A Markdown table, one row per bias (``docs/biases.md`` ends with it).

    Examples
    --------
    >>> print(bias_table_markdown().splitlines()[4])
    | `IF_THR_N` | membrane DPI gain current I_g | alpha_mem = IF_THR_N / IF_TAU1_N | (1, 46) | 18.94 pA | -0.31 % |
    """
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
    "PARAMS_BIASES",
    "NO_MODEL_EFFECT",
    "LEAKS",
    "CURRENT",
    "GAIN",
    "REFRACTORY",
    "RULES",
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
