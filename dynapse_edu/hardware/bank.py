"""One core's bias bank: the 25 biases of its bias generator and the model parameters they set.

Moradi et al. 2018, IEEE TBioCAS 12(1), section III. Every core of a Dynap-SE1
chip has one bias generator; all neurons and synapses of the core share its 25
output currents (:mod:`dynapse_edu.hardware.biasgen`). A :class:`BiasBank`
keeps what one core's generator is set to:

* the core's :class:`~dynapse_edu.core.params.Params`, which hold the 20
  biases that set a model parameter (:data:`~dynapse_edu.hardware.biasgen.PARAMS_BIASES`);
* the (coarse, fine) settings of the biases set as such: always for the 5
  biases the Params do not hold (:data:`~dynapse_edu.hardware.biasgen.EXTRA_BIASES`:
  the second membrane leak and the biases without model effect), and for a
  Params-backed bias once it is set by (coarse, fine);
* whether the core's synapses take input spikes as pulses (:attr:`BiasBank.pulses`,
  :meth:`BiasBank.use_pulses`): on, as on the chip, every input spike is a pulse of width
  :func:`~dynapse_edu.hardware.biasgen.pulse_width` of the ``PULSE_PWLK_P``
  current (per neuron, with its mismatch) into its DPI (``Params.t_pulse``,
  :mod:`dynapse_edu.core.dynamics`, "The pulse extender"); off, instant jumps, as the original
  simulator. A bank alone starts with them off; a board in hardware mode turns them on, and
  starts from :func:`pulse_params` (weight currents raised so that a pulse adds what the jump did);
* nothing else: the generator currents follow from the settings, the model
  parameters from the currents, by the one map of
  :data:`~dynapse_edu.hardware.biasgen.BIASES`.

A bias can be set by (coarse, fine) (:meth:`BiasBank.set_bias`), by the
setting nearest to a current (:meth:`BiasBank.set_bias_current`), or the model
parameters can be set by name as in the original simulator
(:meth:`BiasBank.set_params`); the settings stay consistent with the
parameters (a setting whose current the new parameters change is forgotten and
reported as the nearest setting instead). Every rejected value leaves the bank
as it was. A :class:`~dynapse_edu.hardware.board.Board` holds one bank per core
(:meth:`Board.bank <dynapse_edu.hardware.board.Board.bank>`).

>>> from dynapse_edu.hardware.bank import BiasBank
>>> bank = BiasBank(core=1)
>>> bank.set_bias("IF_DC_P", 1, 51)  # 21 pA from the generator, + I0 = 1 pA
>>> round(bank.params.I_const * 1e12, 6)  # pA
22.0
>>> row = bank.report()["IF_DC_P"]
>>> row.coarse, row.fine, row.exact, row.parameter
(1, 51, True, 'I_const')
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from ..core.params import FIELD_NAMES, Params, ParamsLike, resolve
from ..core.synapse import SYNAPSE_TYPES, pulse_weight_current, synapse_key
from ..errors import HardwareLimitError, ParameterError
from .biasgen import (
    BIAS_NAMES,
    BIASES,
    COARSE_MAX,
    EXTRA_BIASES,
    LEAKS,
    BiasSetting,
    bias_current,
    biases_from_params,
    check_bias_name,
    check_setting,
    nearest_bias,
    params_from_biases,
    pulse_width,
)
from .mismatch import apply_factors
from .routing import CHIPS_PER_BOARD, CORES_PER_CHIP
from .validate import is_number


class BiasReport(NamedTuple):
    """One bias of a core, as :meth:`~dynapse_edu.hardware.bank.BiasBank.report` and ``Board.get_biases`` give it."""

    #: The bias name.
    name: str
    #: Coarse value of its setting, as set (``exact``) or nearest to the current the parameters give.
    coarse: int
    #: Fine value of that setting.
    fine: int
    #: The generator current of that setting, fine / 255 * I_max(coarse), in A (without I0).
    current: float
    #: True if (coarse, fine) was set as such; False if it is the setting nearest to a value set
    #: through model parameters or currents.
    exact: bool
    #: For an inexact setting, the relative error of its effective current (current + I0) against the
    #: effective current in use; 0 if exact.
    error: float
    #: The model quantity the bias sets (a Params field, or a description).
    parameter: str
    #: Its value in SI units (A or s; a gain has no unit); None for a bias without model effect.
    value: float | None


class BiasList(list):
    """A list of :class:`BiasReport` in :data:`~dynapse_edu.hardware.biasgen.BIAS_NAMES` order, also indexable by name.

    Examples
    --------
    >>> rows = BiasBank().report()
    >>> rows[0].name, rows["if_dc_p"].parameter
    ('IF_TAU1_N', 'I_const')
    """

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            name = check_bias_name(key)
            return next(r for r in self if r.name == name)
        return super().__getitem__(key)


def _label_number(label: str, value: int, count: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value < count:
        raise HardwareLimitError(f"{label} {value!r} does not exist: allowed {label}s are 0..{count - 1}")
    return int(value)


class BiasBank:
    """The 25 biases of one core and the model parameters they set.

    Parameters
    ----------
    params : Params, dict or None
        The core's model parameters at start (a :class:`~dynapse_edu.core.params.Params`,
        a dict of overrides of the defaults, or None for the defaults). The
        Params-backed biases start at exactly these values; the other 5 biases at
        their default settings (:attr:`BiasInfo.default <dynapse_edu.hardware.biasgen.BiasInfo.default>`).
    core : int
        The core this bank belongs to, 0..3 (used in error messages).
    chip : int
        The chip of that core, 0..3 (used in error messages).
    pulses : bool
        Whether input spikes start as pulses (:meth:`use_pulses`); False: instant jumps.

    Raises
    ------
    HardwareLimitError
        If ``core`` or ``chip`` is out of range.
    ParameterError
        If ``params`` is not valid, or ``pulses`` not a bool.

    Examples
    --------
    >>> bank = BiasBank({"I_tau_mem": 10e-12})
    >>> bank.params.I_tau_mem
    1e-11
    >>> bank.settings["IF_TAU2_N"]  # biases Params do not hold always have a setting
    (0, 68)
    """

    def __init__(self, params: ParamsLike = None, core: int = 0, chip: int = 0, pulses: bool = False) -> None:
        self.core = _label_number("core", core, CORES_PER_CHIP)
        self.chip = _label_number("chip", chip, CHIPS_PER_BOARD)
        self._params = resolve(params)
        #: (coarse, fine) of the biases set as such; the EXTRA_BIASES are always here
        self._settings: dict[str, tuple[int, int]] = {name: BIASES[name].default for name in EXTRA_BIASES}
        self._currents: dict[str, float] | None = None  # effective currents, kept until the state changes
        self._pulses = False
        self.use_pulses(pulses)

    def _commit(self, params: Params, settings: dict[str, tuple[int, int]]) -> None:
        """The one place the state changes (after every check passed)."""
        self._params, self._settings, self._currents = params, settings, None

    def __repr__(self) -> str:
        return f"BiasBank(core={self.core}, chip={self.chip}, set as such: {sorted(self._settings)})"

    # --- state -----------------------------------------------------------------
    @property
    def pulses(self) -> bool:
        """Whether input spikes are pulses of width ``pulse_width(PULSE_PWLK_P)`` (True) or instant jumps (False)."""
        return self._pulses

    def use_pulses(self, on: bool = True) -> None:
        """Turn the input pulses of this core's synapses on (or off).

        On, :meth:`neuron_params` gives every neuron ``t_pulse`` =
        :func:`~dynapse_edu.hardware.biasgen.pulse_width` of its effective ``PULSE_PWLK_P``
        current: each input spike lets the weight current into its DPI for that time,
        instead of the instant jump ``I_w0 alpha w``. With the original's weight currents
        (100 pA) that charges the synapses far less than the jump (a pulse of 10 us against a
        DPI time constant of ms): raise the weights (``PS_WEIGHT_*``, :func:`pulse_params`) or
        lengthen the pulse (a smaller ``PULSE_PWLK_P``) with it. The adaptation pulse has no
        bias of its own on the chip: it follows ``Params.t_pulse_ahp`` (:meth:`set_params`).

        Parameters
        ----------
        on : bool
            True: pulses; False: instant jumps.

        Raises
        ------
        ParameterError
            If ``on`` is not a bool.

        Examples
        --------
        >>> bank = BiasBank()
        >>> bank.use_pulses()
        >>> round(bank.neuron_params().t_pulse * 1e6, 3)  # us: the default PULSE_PWLK_P
        10.006
        """
        if not isinstance(on, (bool, np.bool_)):
            raise ParameterError(f"use_pulses(on={on!r}): on must be True or False")
        self._pulses = bool(on)

    @property
    def params(self) -> Params:
        """The parameters shared by the neurons of the core (before mismatch and leak selection)."""
        return self._params

    @property
    def settings(self) -> dict[str, tuple[int, int]]:
        """(coarse, fine) of every bias set as such, in BIAS_NAMES order (a copy).

        Always holds the 5 biases Params do not hold; holds a Params-backed bias
        from the moment it is set by (coarse, fine) until a change of model
        parameters changes its current.
        """
        return {name: self._settings[name] for name in BIAS_NAMES if name in self._settings}

    @property
    def extra_currents(self) -> dict[str, float]:
        """Generator currents (A, without I0) of the 5 biases Params do not hold.

        Those of :data:`~dynapse_edu.hardware.biasgen.EXTRA_BIASES`, from their (coarse, fine) settings.
        """
        return {name: bias_current(*self._settings[name]) for name in EXTRA_BIASES}

    def _params_currents(self, p: Params, settings: Mapping[str, tuple[int, int]]) -> dict[str, float]:
        """Effective currents (A) of the 20 Params-backed biases; a setting made as such wins."""
        out = biases_from_params(p)
        for name, setting in settings.items():
            if name in out:
                out[name] = bias_current(*setting) + p.I0
        return out

    def currents(self) -> dict[str, float]:
        """Effective currents of all 25 biases, leakage I0 included, in BIAS_NAMES order.

        Returns
        -------
        dict of str to float
            Bias name to effective current in A (IF_RFR_N is infinite for t_ref = 0).

        Examples
        --------
        >>> round(BiasBank().currents()["IF_TAU1_N"] * 1e12, 9)  # pA: the default membrane leak
        5.0
        """
        if self._currents is None:
            p = self._params
            out = self._params_currents(p, self._settings)
            out |= {name: current + p.I0 for name, current in self.extra_currents.items()}
            self._currents = {name: out[name] for name in BIAS_NAMES}
        return dict(self._currents)

    # --- setting biases ------------------------------------------------------------
    def set_bias(self, name: str, coarse: int | None, fine: int | None) -> None:
        """Set one bias to (coarse, fine); the model parameters it drives follow.

        A gain (alpha = I_THR / I_TAU) follows its two biases: setting a TAU bias
        keeps the THR current, so the gain changes.

        Parameters
        ----------
        name : str
            Bias name (:data:`~dynapse_edu.hardware.biasgen.BIAS_NAMES`), any case.
        coarse : int
            Coarse value 0..7.
        fine : int
            Fine value 0..255.

        Raises
        ------
        HardwareLimitError
            For an unknown name, a missing value or a value out of range; the bank is unchanged.
        ParameterError
            If the resulting parameters are invalid; the bank is unchanged.

        Examples
        --------
        >>> bank = BiasBank()
        >>> bank.set_bias("IF_RFR_N", 1, 46)  # 18.94 pA + I0
        >>> round(bank.params.t_ref * 1e3, 4)  # ms
        2.5074
        """
        key = check_bias_name(name)
        if coarse is None or fine is None:
            raise HardwareLimitError(f"bias {key} needs a coarse value (0..7) and a fine value (0..255)")
        setting = check_setting(coarse, fine, f"bias {key} of core {self.core}")
        settings = self._settings | {key: setting}
        p = self._params
        if key not in EXTRA_BIASES:
            p = params_from_biases(p, self._params_currents(p, settings))
        self._commit(p, settings)

    def set_bias_current(self, name: str, current: float) -> BiasSetting:
        """Set a bias to the (coarse, fine) setting nearest to an effective ``current`` (leakage included).

        Parameters
        ----------
        name : str
            Bias name, any case.
        current : float
            Wanted effective current in A, in [I0, I0 + 24 uA] (the generator supplies ``current - I0``,
            at most the top of coarse range 7, :data:`~dynapse_edu.hardware.biasgen.COARSE_MAX`).

        Returns
        -------
        BiasSetting
            The setting made, its generator current (A) and the relative error
            of that current against ``current - I0``.

        Raises
        ------
        HardwareLimitError
            For an unknown name, or a current that is not a number in that range (below I0,
            above the generator's largest output, inf, NaN: refused, never clipped); the bank is unchanged.

        Examples
        --------
        >>> bank = BiasBank()
        >>> s = bank.set_bias_current("IF_RFR_N", 20e-12)  # about 2.5 ms refractory period
        >>> s.coarse, s.fine, round(s.error, 5)
        (1, 46, -0.0031)
        """
        key = check_bias_name(name)
        I0 = self._params.I0
        top = I0 + COARSE_MAX[-1]
        if not is_number(current) or not I0 <= float(current) <= top:  # type: ignore[arg-type]
            why = "is not a number"
            if is_number(current) and float(current) < I0:  # type: ignore[arg-type]
                why = "is below the leakage floor I0"
            elif is_number(current):
                why = "is outside what the bias generator can give"
            raise HardwareLimitError(
                f"bias {key} of core {self.core} of chip {self.chip}: effective current = {current!r} A {why}; "
                f"allowed range [I0, I0 + {COARSE_MAX[-1]:g}] = [{I0:g}, {top:g}] A (the leakage floor I0 "
                "plus the generator's coarse 0..7 / fine 0..255; never clipped)"
            )
        setting = nearest_bias(float(current) - I0)  # type: ignore[arg-type]
        self.set_bias(key, setting.coarse, setting.fine)
        return setting

    def set_params(self, **changes: float) -> None:
        """Set model parameters by name (SI units), as the original simulator did.

        The biases whose effective current the change alters lose their
        (coarse, fine) setting and are reported as the nearest setting from then
        on (:meth:`report`); the other settings stay.

        Parameters
        ----------
        **changes : float
            :class:`~dynapse_edu.core.params.Params` fields and their new values (A, s, F, ...).

        Raises
        ------
        ParameterError
            For an unknown field or a value out of its range; the bank is unchanged.

        Examples
        --------
        >>> bank = BiasBank()
        >>> bank.set_bias("IF_DC_P", 2, 10)
        >>> bank.set_params(I_tau_mem=10e-12)
        >>> "IF_DC_P" in bank.settings, "IF_TAU1_N" in bank.settings
        (True, False)
        """
        new = self._params.replace(**changes)
        before, after = self._params_currents(self._params, self._settings), biases_from_params(new)
        kept = {name: s for name, s in self._settings.items() if name in EXTRA_BIASES or before[name] == after[name]}
        self._commit(new, kept)

    def restore(self, params: Params, settings: Mapping[str, Sequence[int]]) -> None:
        """Replace the whole state: the Params and the (coarse, fine) of the biases set as such.

        For configuration files (:mod:`dynapse_edu.hardware.config`). A bias of
        :data:`~dynapse_edu.hardware.biasgen.EXTRA_BIASES` that ``settings`` lacks
        goes back to its default setting. The Params must be what the settings
        give (to a relative 1e-9): a state no sequence of ``set_bias`` calls could
        reach is rejected.

        Parameters
        ----------
        params : Params
            The core's model parameters.
        settings : Mapping of str to (int, int)
            Bias name to its (coarse, fine) setting.

        Raises
        ------
        HardwareLimitError
            For an unknown bias, a malformed or out-of-range setting, or a parameter
            that disagrees with the settings (naming it); the bank is unchanged.
        ParameterError
            If ``params`` is not a Params.

        Examples
        --------
        >>> a, b = BiasBank(), BiasBank()
        >>> a.set_bias("PS_WEIGHT_EXC_F_N", 2, 60)
        >>> b.restore(a.params, a.settings)
        >>> b.settings == a.settings and b.params == a.params
        True
        """
        if not isinstance(params, Params):
            raise ParameterError(f"params must be a dynapse_edu Params, got {type(params).__name__}")
        checked = {}
        for name, setting in settings.items():
            key = check_bias_name(name)
            if isinstance(setting, (str, bytes)) or not isinstance(setting, Sequence) or len(setting) != 2:
                raise HardwareLimitError(f"bias {key}: setting must be [coarse, fine], got {setting!r}")
            checked[key] = check_setting(*setting, f"bias {key} of core {self.core}")
        new_settings = {name: BIASES[name].default for name in EXTRA_BIASES} | checked
        derived = params_from_biases(params, self._params_currents(params, new_settings))
        for field in FIELD_NAMES:
            a, b = getattr(params, field), getattr(derived, field)
            if a is None or b is None:  # a pulse width no bias sets: the Params' own
                continue
            if not math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0):
                raise HardwareLimitError(
                    f"core {self.core} of chip {self.chip}: parameter {field} = {a!r} disagrees with the bias "
                    f"settings, which give {b!r}"
                )
        self._commit(params, new_settings)

    # --- reading -------------------------------------------------------------------
    def report(self) -> BiasList:
        """Every bias of the core with its setting, current and model effect.

        Returns
        -------
        BiasList
            25 :class:`BiasReport` rows in BIAS_NAMES order, also indexable by name.

        Examples
        --------
        >>> row = BiasBank().report()["IF_TAU1_N"]  # 4 pA from the generator, + I0: the default leak
        >>> row.coarse, row.fine, row.exact, row.parameter
        (0, 68, False, 'I_tau_mem')
        """
        p = self._params
        currents = self.currents()
        rows = BiasList()
        for name in BIAS_NAMES:
            info, eff = BIASES[name], currents[name]
            if name in self._settings:
                coarse, fine = self._settings[name]
                current, exact, error = bias_current(coarse, fine), True, 0.0
            else:
                s = nearest_bias(max(eff - p.I0, 0.0))
                coarse, fine, current, exact = s.coarse, s.fine, s.current, False
                error = ((current + p.I0) - eff) / eff if math.isfinite(eff) else -1.0
            if info.default is None:  # held by Params: the field of the map
                parameter, value = info.parameter, getattr(p, info.parameter)
            elif info.parameter:  # the second leak: the field of the leak-2 neurons
                parameter, value = f"{info.parameter} of leak-2 neurons", eff
            elif name == "PULSE_PWLK_P" and self._pulses:
                parameter, value = "t_pulse (s): input spikes are pulses of this width", pulse_width(eff)
            elif name == "PULSE_PWLK_P":
                parameter, value = "pulse width (s), off: spikes are instant jumps (use_pulses() turns it on)", \
                    pulse_width(eff)
            else:
                parameter, value = info.effect, None
            rows.append(BiasReport(name, coarse, fine, current, exact, error, parameter, value))
        return rows

    def pulse_weight(self, synapse: str, I_w0: float) -> float:
        """The weight current whose input pulse on this core adds what an instant jump of ``I_w0`` added, in A.

        :func:`~dynapse_edu.core.synapse.pulse_weight_current` with the core's pulse width
        (:func:`~dynapse_edu.hardware.biasgen.pulse_width` of its ``PULSE_PWLK_P`` current) and the
        synapse's time constant as the core's biases set them now: the current to give
        ``PS_WEIGHT_*`` when a design tuned with the original's jumps moves to the chip's pulses
        (exact for a synapse far above its gain current, less near rest).

        Parameters
        ----------
        synapse : str
            ``"AMPA"``, ``"NMDA"``, ``"GABA_A"`` or ``"GABA_B"``.
        I_w0 : float
            The weight current of the instant-jump model, A (> 0).

        Returns
        -------
        float
            The weight current for pulses, A.

        Raises
        ------
        ParameterError
            For an unknown synapse or an ``I_w0`` that is not a positive number.

        Examples
        --------
        >>> round(BiasBank().pulse_weight("AMPA", 100e-12) * 1e9, 2)  # nA: the default AMPA, 10 us pulses
        35.49
        """
        if not is_number(I_w0) or not 0 < I_w0 < math.inf:
            raise ParameterError(f"pulse_weight: I_w0 = {I_w0!r} A must be a positive number of amperes")
        t_pulse = pulse_width(self.currents()["PULSE_PWLK_P"])
        return pulse_weight_current(I_w0, t_pulse, self._params.tau_syn(synapse))

    def neuron_params(self, leak: str = "IF_TAU1_N", factors: np.ndarray | None = None) -> Params:
        """The Params of one neuron of the core, given its leak choice and mismatch factors.

        Parameters
        ----------
        leak : str
            The membrane leak the neuron uses: ``"IF_TAU1_N"`` (default) or
            ``"IF_TAU2_N"`` (:meth:`Board.use_tau2 <dynapse_edu.hardware.board.Board.use_tau2>`).
        factors : ndarray or None
            The neuron's 25 mismatch factors, in BIAS_NAMES order
            (:meth:`Mismatch.factors <dynapse_edu.hardware.mismatch.Mismatch.factors>`),
            or None for a neuron without mismatch.

        Returns
        -------
        Params
            The parameters the neuron's circuits see (with ``t_pulse`` from ``PULSE_PWLK_P``
            when :attr:`pulses` is on).

        Raises
        ------
        ParameterError
            If ``leak`` is not a membrane leak bias.

        Examples
        --------
        >>> bank = BiasBank()
        >>> bank.set_bias("IF_TAU2_N", 1, 51)
        >>> round(bank.neuron_params("IF_TAU2_N").I_tau_mem * 1e12, 9)  # pA: 21 pA + I0
        22.0
        >>> bank.neuron_params() == bank.params
        True
        """
        if leak not in LEAKS:
            raise ParameterError(f"leak = {leak!r} is not a membrane leak bias; allowed: {', '.join(LEAKS)}")
        p = self._params
        if factors is None:
            out = p if leak == "IF_TAU1_N" else params_from_biases(p, self.currents(), leak)
            currents = self.currents()
        else:
            currents = apply_factors(self.currents(), factors, p.I0)
            out = params_from_biases(p, currents, leak)
        if self._pulses:  # the pulse extender's width, from the neuron's own PULSE_PWLK_P current
            out = out.replace(t_pulse=pulse_width(currents["PULSE_PWLK_P"]))
        return out


def pulse_params(params: ParamsLike = None, t_pulse: float | None = None) -> Params:
    """The parameters with each synapse's weight current raised to its pulse equivalent.

    A board in hardware mode starts from these (:class:`~dynapse_edu.hardware.board.Board`,
    ``params=None``): every input spike is a pulse of ``t_pulse`` (10 us, the default
    ``PULSE_PWLK_P``), and each ``I_w0_<synapse>`` becomes
    :func:`~dynapse_edu.core.synapse.pulse_weight_current` of it, about tau / t_pulse times
    larger (35 nA for AMPA, 354 nA for NMDA, 142 nA for GABA_A and GABA_B at the defaults), so
    that a pulse into a charged synapse adds the original's jump. Near rest it adds less (the
    DPI's nonlinearity, chapter 2): a weight-1 AMPA spike raises a synapse at rest to 66 pA,
    not 400. The rule is taken once, at the start; later changes of a leak (``I_tau``) do not
    move the weights.

    Parameters
    ----------
    params : Params, dict or None
        The instant-jump parameters (None: the defaults).
    t_pulse : float or None
        Pulse width in s (> 0); None: :func:`~dynapse_edu.hardware.biasgen.pulse_width` of the
        default ``PULSE_PWLK_P`` setting.

    Returns
    -------
    Params
        ``params`` with the four weight currents replaced.

    Raises
    ------
    ParameterError
        If ``params`` is not valid, ``t_pulse`` not a positive number, or a weight current
        leaves its allowed range.

    Examples
    --------
    >>> round(pulse_params().I_w0_ampa * 1e9, 2)  # nA
    35.49
    """
    p = resolve(params)
    if t_pulse is None:
        t_pulse = pulse_width(bias_current(*BIASES["PULSE_PWLK_P"].default) + p.I0)
    elif not is_number(t_pulse) or not 0 < t_pulse < math.inf:
        raise ParameterError(f"pulse_params(t_pulse={t_pulse!r}): t_pulse must be a number of seconds > 0")
    fields = {f"I_w0_{synapse_key(syn)}": syn for syn in SYNAPSE_TYPES}
    return p.replace(**{
        field: pulse_weight_current(getattr(p, field), t_pulse, p.tau_syn(syn)) for field, syn in fields.items()
    })


__all__ = ["pulse_params", "BiasBank", "BiasReport", "BiasList"]
