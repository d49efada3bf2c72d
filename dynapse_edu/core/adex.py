r"""The adaptive exponential integrate-and-fire neuron (AdEx) in voltage form, the model the DPI neuron follows.

Brette & Gerstner 2005, J. Neurophysiol. 94(5):3637-3642, eq. (1)-(2):

.. math::

   C \frac{dV}{dt} = -g_L (V - E_L) + g_L \Delta_T \exp\!\left(\frac{V - V_T}{\Delta_T}\right) - w + I,
   \qquad
   \tau_w \frac{dw}{dt} = a (V - E_L) - w,

and when :math:`V` reaches the cut-off :math:`V_{peak}` a spike is emitted, :math:`V \to V_r` and
:math:`w \to w + b`.

* :math:`V` is the membrane potential (V), :math:`w` the adaptation current (A), :math:`I` the
  injected current (A);
* :math:`C` the membrane capacitance (F), :math:`g_L` the leak conductance (S), :math:`E_L` the
  leak reversal potential (V): the passive membrane, with :math:`\tau_m = C / g_L`;
* :math:`V_T` (V) and :math:`\Delta_T` (V): where the exponential (the sodium current's onset)
  takes over and how sharply;
* :math:`a` (S): subthreshold adaptation, :math:`b` (A): spike-triggered adaptation,
  :math:`\tau_w` (s) its time constant.

The defaults of :class:`AdExParams` are the parameters Brette & Gerstner fitted to a
detailed model of a regular-spiking pyramidal cell; the reset is :math:`V_r = E_L` and the cut-off
:math:`V_{peak} = V_T + 5\Delta_T`, as in Brian 2's example of that paper. Above :math:`V_T`
the exponential makes :math:`V` diverge within a fraction of a millisecond, so the spike times
hardly depend on the cut-off.

The module, top to bottom: the parameters (:class:`AdExParams`), the equations once
(:func:`adex_derivatives`), the two nullclines derived from them (:func:`v_nullcline`,
:func:`w_nullcline`) and the conductance synapse of voltage-form models
(:func:`conductance_current`). Like the rest of the core it has no integrator:
:func:`dynapse_edu.phaseplane.adex_trajectory` integrates it. The DPI neuron of the chip,
written in currents, is :mod:`dynapse_edu.core.neuron`; the book's chapter *From biology to
silicon* puts the two side by side.

>>> p = AdExParams()
>>> round(p.tau_m * 1e3, 2)  # ms: C / g_L
9.37
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..errors import ParameterError


def _p(default: float, unit: str, doc: str, allowed: tuple[float, float]) -> Any:
    return field(default=default, metadata={"unit": unit, "doc": doc, "range": allowed})


@dataclass(frozen=True)
class AdExParams:
    """Parameters of one AdEx neuron, SI units (defaults: Brette & Gerstner 2005, regular spiking).

    Every value is checked when built: a value outside its range (a unit slip such as 281 for
    281 pF) raises :class:`~dynapse_edu.errors.ParameterError` naming it and the range. Also
    required: :math:`V_r < V_{peak}` and :math:`V_T < V_{peak}`.

    Examples
    --------
    >>> AdExParams(a=0.0).a
    0.0
    >>> AdExParams(C=281)
    Traceback (most recent call last):
    ...
    dynapse_edu.errors.ParameterError: AdExParams: C = 281 F is outside [1e-15, 1e-06] F (membrane capacitance)
    """

    C: float = _p(281e-12, "F", "membrane capacitance", (1e-15, 1e-6))
    g_L: float = _p(30e-9, "S", "leak conductance", (1e-12, 1e-3))
    E_L: float = _p(-70.6e-3, "V", "leak reversal potential", (-0.2, 0.1))
    V_T: float = _p(-50.4e-3, "V", "threshold of the exponential", (-0.2, 0.1))
    Delta_T: float = _p(2e-3, "V", "slope factor of the exponential", (1e-5, 0.05))
    tau_w: float = _p(144e-3, "s", "adaptation time constant", (1e-5, 100.0))
    a: float = _p(4e-9, "S", "subthreshold adaptation", (0.0, 1e-3))
    b: float = _p(0.0805e-9, "A", "spike-triggered adaptation", (0.0, 1e-6))
    V_r: float = _p(-70.6e-3, "V", "reset potential", (-0.2, 0.1))
    V_peak: float = _p(-40.4e-3, "V", "spike cut-off", (-0.2, 0.1))

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            lo, hi = f.metadata["range"]
            unit = f.metadata["unit"]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ParameterError(f"AdExParams: {f.name} must be a number in {unit}, got {value!r}")
            if not (math.isfinite(value) and lo <= value <= hi):
                raise ParameterError(
                    f"AdExParams: {f.name} = {value!r} {unit} is outside [{lo:g}, {hi:g}] {unit} ({f.metadata['doc']})"
                )
            object.__setattr__(self, f.name, float(value))
        for low in ("V_r", "V_T"):
            if not getattr(self, low) < self.V_peak:
                raise ParameterError(
                    f"AdExParams: {low} = {getattr(self, low)!r} V must be below the cut-off V_peak = {self.V_peak!r} V"
                )

    @property
    def tau_m(self) -> float:
        """Membrane time constant C / g_L, in s."""
        return self.C / self.g_L

    def replace(self, **changes: float) -> AdExParams:
        """A copy with some fields changed (checked again); unknown names raise ParameterError."""
        known = [f.name for f in dataclasses.fields(self)]
        unknown = sorted(set(changes) - set(known))
        if unknown:
            raise ParameterError(f"AdExParams: unknown parameter(s) {unknown}; known: {', '.join(known)}")
        return dataclasses.replace(self, **changes)


def adex_derivatives(V: ArrayLike, w: ArrayLike, I: ArrayLike, p: AdExParams) -> tuple[np.ndarray, np.ndarray]:
    """dV/dt (V/s) and dw/dt (A/s) of the AdEx (Brette & Gerstner 2005, eq. 1-2), between spikes.

    Parameters
    ----------
    V : float or array
        Membrane potential, V.
    w : float or array
        Adaptation current, A.
    I : float or array
        Injected current, A.
    p : AdExParams
        The neuron.

    Returns
    -------
    (ndarray, ndarray)
        dV/dt in V/s and dw/dt in A/s, broadcast over the arguments.

    Examples
    --------
    >>> p = AdExParams()
    >>> dV, dw = adex_derivatives(p.E_L, 0.0, 0.0, p)  # at rest, without adaptation: only the exponential's leak
    >>> round(float(dV) * 1e3, 4), float(dw)  # mV/s: the exponential's tail is tiny at rest
    (0.0088, 0.0)
    """
    V = np.asarray(V, dtype=float)
    exponential = p.g_L * p.Delta_T * np.exp((V - p.V_T) / p.Delta_T)
    dV = (-p.g_L * (V - p.E_L) + exponential - np.asarray(w) + np.asarray(I)) / p.C
    dw = (p.a * (V - p.E_L) - np.asarray(w)) / p.tau_w
    return dV, dw


def v_nullcline(V: ArrayLike, I: float, p: AdExParams) -> np.ndarray:
    """The V-nullcline: the adaptation current w at which dV/dt = 0, for each V, in A.

    dV/dt is ``(F(V) + I - w) / C``, so the nullcline is ``w = C dV/dt`` evaluated at
    ``w = 0`` (:func:`adex_derivatives`): a valley whose lowest point moves up with ``I``.

    Parameters
    ----------
    V : array
        Membrane potentials, V.
    I : float
        Injected current, A.
    p : AdExParams
        The neuron.

    Returns
    -------
    ndarray
        w on the nullcline, A.

    Examples
    --------
    >>> p = AdExParams()
    >>> round(float(v_nullcline(-0.05, 0.5e-9, p)) * 1e9, 4)  # nA: at -50 mV, -0.618 leak + 0.073 exp + 0.5 input
    -0.0447
    """
    dV, _ = adex_derivatives(V, 0.0, I, p)
    return p.C * dV


def w_nullcline(V: ArrayLike, p: AdExParams) -> np.ndarray:
    """The w-nullcline: the adaptation current at which dw/dt = 0, for each V, in A (the line a (V - E_L)).

    Computed as ``tau_w dw/dt`` at ``w = 0`` (:func:`adex_derivatives`).

    Parameters
    ----------
    V : array
        Membrane potentials, V.
    p : AdExParams
        The neuron.

    Returns
    -------
    ndarray
        w on the nullcline, A.

    Examples
    --------
    >>> p = AdExParams()
    >>> round(float(w_nullcline(p.E_L + 0.01, p)) * 1e9, 4)  # nA: a = 4 nS times 10 mV
    0.04
    """
    _, dw = adex_derivatives(V, 0.0, 0.0, p)
    return p.tau_w * dw


def conductance_current(g: ArrayLike, E_rev: float, V: ArrayLike) -> np.ndarray:
    """Current into a membrane through a conductance g with reversal potential E_rev: g (E_rev - V), in A.

    The biological synapse (and the leak) in voltage form: the current depends on the membrane
    potential through the *driving force* E_rev - V, shrinks as V approaches E_rev and reverses
    beyond it (Hodgkin & Huxley 1952; Gerstner et al. 2014, *Neuronal Dynamics*, sec. 3.1).

    Parameters
    ----------
    g : float or array
        Conductance, S (>= 0).
    E_rev : float
        Reversal potential, V (e.g. about 0 V for AMPA, about -70 mV for GABA_A).
    V : float or array
        Membrane potential, V.

    Returns
    -------
    ndarray
        The current, A (positive: depolarising).

    Raises
    ------
    ParameterError
        For a negative or non-finite conductance.

    Examples
    --------
    >>> round(float(conductance_current(1e-9, 0.0, -0.070)) * 1e12, 3)  # pA: 1 nS of AMPA at -70 mV
    70.0
    """
    g = np.asarray(g, dtype=float)
    if not np.all(np.isfinite(g)) or np.any(g < 0):
        raise ParameterError(f"conductance g must be finite and >= 0 (S), got {g.ravel()[:3]!r}")
    return g * (E_rev - np.asarray(V, dtype=float))


__all__ = [
    "AdExParams", "adex_derivatives", "conductance_current", "v_nullcline", "w_nullcline",
]
