"""The parameters of one Dynap-SE1 neuron and its four DPI synapses.

Every parameter is a plain SI float (amperes, farads, volts, seconds) in one
frozen dataclass, :class:`Params`. The defaults are the values of the original
Brian2 Dynap-SE1 simulator (INI Zurich), which follow Chicca et al. 2014,
Proc. IEEE 102(9), and the chip's typical operating point.

Names
-----
Each field name says *what* and *where*: ``I_tau_mem`` is the leak (tau)
current of the membrane DPI, ``I_w0_ampa`` the base weight current of the AMPA
synapse, ``C_ahp`` the capacitor of the adaptation DPI. :data:`SEED_NAMES`
maps the original simulator's names (``Isoma_dpi_tau``, ``Iampa_w0``, ...) onto
these, and :func:`from_seed` converts a whole dictionary, so settings from old
notebooks carry over.

>>> from dynapse_edu.core.params import Params
>>> from dynapse_edu.units import pA, ms
>>> p = Params()
>>> round(p.tau_syn("AMPA") / ms, 3)
3.546
>>> p2 = p.replace(I_tau_ampa=10 * pA)
>>> round(p2.tau_syn("AMPA") / ms, 3)
7.092
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ParameterError
from .synapse import SYNAPSE_TYPES, dpi_tau, spike_jump, synapse_key

# Allowed ranges (inclusive) by kind of quantity. They are generous physical
# bounds: they exist to catch unit slips (5 instead of 5e-12) and nonsense,
# not to restrict experiments.
_CURRENT = (1e-15, 1e-3)  # A: 1 fA .. 1 mA
_CAPACITANCE = (1e-15, 1e-9)  # F: 1 fF .. 1 nF
_GAIN = (1e-9, 1e9)  # alpha = I_g / I_tau = I_THR / I_TAU: any pair of chip biases (1 pA .. 24 uA each) is allowed
_KAPPA = (0.3, 1.0)
#: Allowed pulse widths, s (``t_pulse``, ``t_pulse_ahp``; None, the default, means an instant jump): 1 ns .. 100 ms.
PULSE_RANGE = (1e-9, 0.1)
#: Allowed output exponents of the synapse DPIs (``gamma_syn``, dimensionless; 1 is the ideal DPI;
#: :mod:`dynapse_edu.core.synapse`, "The pair's body effect"): kappa_p / kappa_n' of any pair of slope factors.
GAMMA_RANGE = (0.3, 1.5)
#: The fields that may be None (a pulse width: None = the instant jump).
OPTIONAL_FIELDS: frozenset[str] = frozenset({"t_pulse", "t_pulse_ahp"})
#: The fields the original simulator does not have: their defaults (instant jumps, the ideal DPI) reproduce it.
BEYOND_SEED: frozenset[str] = OPTIONAL_FIELDS | {"gamma_syn", "n_pfb"}


def _p(default: float | None, unit: str, doc: str, allowed: tuple[float, float], seed: str | None = None) -> Any:
    return field(default=default, metadata={"unit": unit, "doc": doc, "range": allowed, "seed": seed})


@dataclass(frozen=True)
class Params:
    """Parameters of one neuron with its four DPI synapses (SI units).

    Build one with keyword overrides, ``Params(I_tau_mem=10e-12)``, or derive
    one with :meth:`replace`. Every value is checked on construction: a value
    out of its allowed range raises :class:`~dynapse_edu.errors.ParameterError`
    naming the parameter, the value and the range.

    Derived quantities (``kappa``, ``tau_mem``, ``tau_ahp``, :meth:`tau_syn`)
    are properties, computed from the fields, never stored twice.

    Input pulses: ``t_pulse`` (s) makes every input spike a pulse of the weight
    current into its DPI instead of the instant jump ``I_w0 alpha w``;
    ``t_pulse_ahp`` (s) does the same for the adaptation DPI (input ``I_w_ahp``
    per output spike). Both default to None, the original simulator's instant
    jumps (:mod:`dynapse_edu.core.dynamics`, "The pulse extender"); a width must lie in
    :data:`PULSE_RANGE`. ``gamma_syn`` (default 1, the ideal DPI) is the synapses' output exponent
    under those pulses, the pair's body effect (:mod:`dynapse_edu.core.synapse`); the transistor
    comparisons set it to the value measured on the circuit.

    >>> Params(t_pulse=10e-6).t_pulse
    1e-05
    >>> Params(t_pulse=5.0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dynapse_edu.errors.ParameterError: parameter t_pulse = 5.0 s is outside the allowed range [1e-09, 0.1] s ...
    """

    # --- substrate (transistor physics) ---------------------------------
    I0: float = _p(1e-12, "A", "leakage (dark) current: the floor no current goes below", (1e-15, 1e-9), "I0")
    Ut: float = _p(25e-3, "V", "thermal voltage kT/q", (0.015, 0.04), "Ut")
    kappa_n: float = _p(0.75, "1", "subthreshold slope factor of the nFETs", _KAPPA, "kn")
    kappa_p: float = _p(0.66, "1", "subthreshold slope factor of the pFETs", _KAPPA, "kp")

    # --- soma: membrane DPI ---------------------------------------------
    C_mem: float = _p(2e-12, "F", "membrane capacitor", _CAPACITANCE, "Csoma_mem")
    I_tau_mem: float = _p(5e-12, "A", "membrane leak current (sets tau_mem)", _CURRENT, "Isoma_dpi_tau")
    alpha_mem: float = _p(4.0, "1", "membrane DPI gain I_g / I_tau", _GAIN, "alpha_soma")
    I_th: float = _p(2e-9, "A", "spike threshold on the membrane current", _CURRENT, "Isoma_th")
    I_reset: float = _p(1.2e-12, "A", "membrane current right after a spike", _CURRENT, "Isoma_reset")
    I_const: float = _p(1e-12, "A", "constant current injected into the soma", (0.0, 1e-3), "Isoma_const")
    t_ref: float = _p(5e-3, "s", "refractory period (membrane held at I_reset)", (0.0, 1.0), "soma_refP")

    # --- soma: positive feedback (the exponential upswing) ---------------
    I_pfb_gain: float = _p(
        100e-12, "A", "positive-feedback gain (largest feedback current)", _CURRENT, "Isoma_pfb_gain"
    )
    I_pfb_th: float = _p(1e-9, "A", "membrane current at half feedback", _CURRENT, "Isoma_pfb_th")
    I_pfb_norm: float = _p(20e-12, "A", "width of the feedback sigmoid", _CURRENT, "Isoma_pfb_norm")
    n_pfb: float = _p(
        0.0, "1", "exponent of a power-law feedback I_pfb_gain (I_mem / I_pfb_th)^n_pfb; 0: the sigmoid", (0.0, 4.0)
    )

    # --- soma: spike-frequency adaptation (AHP DPI) ----------------------
    C_ahp: float = _p(4e-12, "F", "adaptation capacitor", _CAPACITANCE, "Csoma_ahp")
    I_tau_ahp: float = _p(2e-12, "A", "adaptation leak current (sets tau_ahp)", _CURRENT, "Isoma_ahp_tau")
    alpha_ahp: float = _p(4.0, "1", "adaptation DPI gain", _GAIN, "alpha_ahp")
    I_w_ahp: float = _p(1e-12, "A", "adaptation weight: each spike adds I_w_ahp * alpha_ahp", _CURRENT, "Isoma_ahp_w")

    # --- synapses: AMPA (fast excitatory) --------------------------------
    C_ampa: float = _p(2e-12, "F", "AMPA DPI capacitor", _CAPACITANCE, "Campa")
    I_tau_ampa: float = _p(20e-12, "A", "AMPA leak current (sets tau)", _CURRENT, "Iampa_tau")
    alpha_ampa: float = _p(4.0, "1", "AMPA DPI gain", _GAIN, "alpha_ampa")
    I_w0_ampa: float = _p(100e-12, "A", "AMPA base weight current", _CURRENT, "Iampa_w0")

    # --- synapses: NMDA (slow excitatory, voltage gated) ------------------
    C_nmda: float = _p(2e-12, "F", "NMDA DPI capacitor", _CAPACITANCE, "Cnmda")
    I_tau_nmda: float = _p(2e-12, "A", "NMDA leak current (sets tau)", _CURRENT, "Inmda_tau")
    alpha_nmda: float = _p(4.0, "1", "NMDA DPI gain", _GAIN, "alpha_nmda")
    I_w0_nmda: float = _p(100e-12, "A", "NMDA base weight current", _CURRENT, "Inmda_w0")
    I_nmda_thr: float = _p(1e-12, "A", "NMDA gating threshold (membrane current at half gating)", _CURRENT, "Inmda_thr")

    # --- synapses: GABA_A (fast, shunting inhibition) ---------------------
    C_gaba_a: float = _p(2e-12, "F", "GABA_A DPI capacitor", _CAPACITANCE, "Cgaba_a")
    I_tau_gaba_a: float = _p(5e-12, "A", "GABA_A leak current (sets tau)", _CURRENT, "Igaba_a_tau")
    alpha_gaba_a: float = _p(4.0, "1", "GABA_A DPI gain", _GAIN, "alpha_gaba_a")
    I_w0_gaba_a: float = _p(100e-12, "A", "GABA_A base weight current", _CURRENT, "Igaba_a_w0")

    # --- synapses: GABA_B (slow, subtractive inhibition) ------------------
    C_gaba_b: float = _p(2e-12, "F", "GABA_B DPI capacitor", _CAPACITANCE, "Cgaba_b")
    I_tau_gaba_b: float = _p(5e-12, "A", "GABA_B leak current (sets tau)", _CURRENT, "Igaba_b_tau")
    alpha_gaba_b: float = _p(4.0, "1", "GABA_B DPI gain", _GAIN, "alpha_gaba_b")
    I_w0_gaba_b: float = _p(100e-12, "A", "GABA_B base weight current", _CURRENT, "Igaba_b_w0")

    # --- synapses: the input pair's body effect (1: the ideal DPI) ----------
    gamma_syn: float = _p(
        1.0, "1", "output exponent of the synapse DPIs under input pulses (the pair's body effect; 1: ideal DPI)",
        GAMMA_RANGE,
    )

    # --- input pulses (None: the original's instant jumps) -----------------
    t_pulse: float | None = _p(
        None, "s", "width of the input pulse of a spike (None: instant jump I_w0 alpha w)", PULSE_RANGE
    )
    t_pulse_ahp: float | None = _p(
        None, "s", "width of the adaptation pulse of an output spike (None: instant jump I_w_ahp alpha_ahp)",
        PULSE_RANGE,
    )

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            lo, hi = f.metadata["range"]
            if value is None and f.name in OPTIONAL_FIELDS:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ParameterError(
                    f"parameter {f.name} must be a number in {f.metadata['unit']}"
                    f"{' or None' if f.name in OPTIONAL_FIELDS else ''}, got {value!r}"
                )
            if not (math.isfinite(value) and lo <= value <= hi):
                raise ParameterError(
                    f"parameter {f.name} = {value!r} {f.metadata['unit']} is outside the allowed "
                    f"range [{lo:g}, {hi:g}] {f.metadata['unit']} ({f.metadata['doc']})"
                )
            object.__setattr__(self, f.name, float(value))
        currents_above_floor = [
            "I_tau_mem", "I_th", "I_reset", "I_tau_ahp", "I_pfb_norm",
            "I_tau_ampa", "I_tau_nmda", "I_tau_gaba_a", "I_tau_gaba_b",
        ]
        for name in currents_above_floor:
            if getattr(self, name) < self.I0:
                raise ParameterError(
                    f"parameter {name} = {getattr(self, name)!r} A is below the leakage floor "
                    f"I0 = {self.I0!r} A; allowed range [I0, 1e-3] A"
                )
        if not self.I_reset < self.I_th:
            raise ParameterError(
                f"parameter I_reset = {self.I_reset!r} A must be below I_th = {self.I_th!r} A "
                "(a reset above threshold would fire forever)"
            )

    # --- derived quantities ----------------------------------------------
    @property
    def kappa(self) -> float:
        """Mean subthreshold slope factor (kappa_n + kappa_p) / 2, as in the original."""
        return (self.kappa_n + self.kappa_p) / 2

    @property
    def pfb_power_law(self) -> bool:
        """Whether the positive feedback is the power law (``n_pfb`` > 0) rather than the sigmoid."""
        return self.n_pfb > 0.0

    @property
    def tau_mem(self) -> float:
        """Membrane time constant C_mem * Ut / (kappa * I_tau_mem), in s."""
        return dpi_tau(self.C_mem, self.I_tau_mem, self.Ut, self.kappa)

    @property
    def tau_ahp(self) -> float:
        """Adaptation time constant C_ahp * Ut / (kappa * I_tau_ahp), in s."""
        return dpi_tau(self.C_ahp, self.I_tau_ahp, self.Ut, self.kappa)

    def syn(self, synapse: str, what: str) -> float:
        """One synapse parameter by type: ``p.syn("AMPA", "I_tau")`` is ``p.I_tau_ampa``.

        ``what`` is one of ``"C"``, ``"I_tau"``, ``"alpha"``, ``"I_w0"``.
        """
        return float(getattr(self, f"{what}_{synapse_key(synapse)}"))

    def tau_syn(self, synapse: str) -> float:
        """Time constant of one synapse type, C * Ut / (kappa * I_tau), in s."""
        return dpi_tau(self.syn(synapse, "C"), self.syn(synapse, "I_tau"), self.Ut, self.kappa)

    def jump(self, synapse: str, weight: float = 1.0) -> float:
        """Current added to a synapse by one input spike: I_w0 * alpha * weight, in A.

        :func:`~dynapse_edu.core.synapse.spike_jump` with this synapse's base weight current and gain.

        Parameters
        ----------
        synapse : str
            ``"AMPA"``, ``"NMDA"``, ``"GABA_A"`` or ``"GABA_B"``.
        weight : float
            Weight of the connection (dimensionless).

        Returns
        -------
        float
            The jump, A.

        Examples
        --------
        >>> Params().jump("AMPA", 2.0)  # 100 pA * 4 * 2
        8e-10
        """
        return spike_jump(self.syn(synapse, "I_w0"), self.syn(synapse, "alpha"), weight)

    # --- building new parameter sets --------------------------------------
    def replace(self, **changes: float | None) -> Params:
        """A copy with some fields changed; unknown names raise ParameterError."""
        unknown = sorted(set(changes) - set(FIELD_NAMES))
        if unknown:
            raise ParameterError(
                f"unknown parameter(s) {unknown}; known parameters: {', '.join(FIELD_NAMES)}"
            )
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, float]:
        """All fields as a plain ``{name: value}`` dict of SI floats; a pulse width only when set.

        ``t_pulse`` and ``t_pulse_ahp`` at None (the default: instant jumps) are left out, so every
        value is a float and ``Params(**p.as_dict()) == p``.

        Examples
        --------
        >>> "t_pulse" in Params().as_dict(), Params(t_pulse=1e-6).as_dict()["t_pulse"]
        (False, 1e-06)
        """
        values = {name: getattr(self, name) for name in FIELD_NAMES}
        return {name: v for name, v in values.items() if not (v is None and name in OPTIONAL_FIELDS)}

    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        """One row per parameter: name, default, unit, meaning, allowed range, original name."""
        return [
            {
                "name": f.name,
                "default": f.default,
                "unit": f.metadata["unit"],
                "meaning": f.metadata["doc"],
                "range": f.metadata["range"],
                "seed_name": f.metadata["seed"],
            }
            for f in dataclasses.fields(cls)
        ]


#: The names of the fields of :class:`Params`, in order.
FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Params))


def _unknown_names_refused(init: Any) -> Any:
    """Wrap the dataclass's ``__init__`` so that an unknown or positional argument is a ParameterError."""

    @functools.wraps(init)
    def __init__(self: Params, *args: Any, **changes: Any) -> None:
        if args:
            raise ParameterError(
                f"Params takes keyword arguments only (Params(I_tau_mem=10e-12)), got {len(args)} positional: "
                f"{args!r:.120}"
            )
        unknown = sorted(set(changes) - set(FIELD_NAMES))
        if unknown:
            raise ParameterError(f"unknown parameter(s) {unknown} in Params(...); known parameters: "
                                 f"{', '.join(FIELD_NAMES)}")
        init(self, **changes)

    return __init__


Params.__init__ = _unknown_names_refused(Params.__init__)  # type: ignore[method-assign]

#: The original simulator's parameter names mapped onto dynapse_edu's.
SEED_NAMES: dict[str, str] = {
    f.name if f.metadata["seed"] is None else f.metadata["seed"]: f.name for f in dataclasses.fields(Params)
}

#: Names the original simulator reports that are state variables or derived
#: values, not parameters: :func:`from_seed` accepts and ignores them.
SEED_STATE_NAMES: frozenset[str] = frozenset({"Isoma_mem", "Isoma_ahp", "Iampa", "Inmda", "Igaba_a", "Igaba_b"})


def from_seed(seed_params: Mapping[str, float], base: Params | None = None) -> Params:
    """Convert a dict in the original simulator's names into :class:`Params`.

    >>> p = from_seed({"Isoma_dpi_tau": 10e-12, "Iampa_w0": 50e-12})
    >>> p.I_tau_mem, p.I_w0_ampa
    (1e-11, 5e-11)

    State variables of the original (``Isoma_mem``, ``Iampa``...) are ignored;
    any other unknown name raises :class:`~dynapse_edu.errors.ParameterError` listing the known ones,
    and so does a value that is not a number (a string, None), naming it.
    Values may be brian2 quantities or floats in SI units.
    """
    changes: dict[str, float] = {}
    for key, value in seed_params.items():
        if key in SEED_STATE_NAMES:
            continue
        if key not in SEED_NAMES:
            raise ParameterError(
                f"unknown original-simulator parameter {key!r}; known names: {', '.join(sorted(SEED_NAMES))}"
            )
        number = getattr(value, "magnitude", value)  # a brian2 / pint quantity: its value in SI units
        if isinstance(number, bool) or not isinstance(number, (int, float)) and not hasattr(number, "__float__"):
            raise ParameterError(
                f"original-simulator parameter {key} = {value!r} must be a number in SI units "
                f"(it sets {SEED_NAMES[key]})"
            )
        changes[SEED_NAMES[key]] = float(number)
    return (base or Params()).replace(**changes)


#: What every function that takes model parameters accepts: a :class:`Params`, a dict of overrides
#: of the defaults (``{"I_tau_mem": 5e-12}``, SI units), or None for the defaults (see :func:`resolve`).
ParamsLike = Params | Mapping[str, float] | None


def resolve(params: ParamsLike) -> Params:
    """The :class:`Params` meant by ``params``: itself, the defaults with a dict's overrides, or the defaults.

    Parameters
    ----------
    params
        A :class:`Params`, a dict of overrides of the defaults (names of :data:`FIELD_NAMES`, SI units),
        or None.

    Returns
    -------
    Params
        The parameters; an unknown name or a value out of range raises
        :class:`~dynapse_edu.errors.ParameterError`.

    Examples
    --------
    >>> resolve({"I_tau_mem": 5e-12}).I_tau_mem
    5e-12
    """
    if params is None:
        return Params()
    if isinstance(params, Params):
        return params
    if isinstance(params, Mapping):
        return Params().replace(**dict(params))
    raise ParameterError(f"params must be a Params, a dict of overrides or None, got {type(params).__name__}")


__all__ = [
    "Params", "ParamsLike", "FIELD_NAMES", "SEED_NAMES", "from_seed", "resolve", "SYNAPSE_TYPES", "PULSE_RANGE",
    "GAMMA_RANGE", "OPTIONAL_FIELDS", "BEYOND_SEED",
]
