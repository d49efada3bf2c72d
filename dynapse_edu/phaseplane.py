r"""The DPI neuron in its phase plane: membrane current against adaptation current.

A neuron with a constant input (``I_const``) and its synapses at rest has two state variables
that matter, the membrane current :math:`I_{mem}` and the adaptation current :math:`I_{ahp}`
(Chicca et al. 2014, eq. 7-9; :mod:`dynapse_edu.core.neuron`). Their plane shows the whole
behaviour at once, as the (V, w) plane does for the AdEx (Brette & Gerstner 2005;
Gerstner et al. 2014, *Neuronal Dynamics*, ch. 6; :mod:`dynapse_edu.core.adex`):

* the **membrane nullcline** (:func:`membrane_nullcline`): for each :math:`I_{mem}`, the
  adaptation current at which :math:`dI_{mem}/dt = 0`. Below it the membrane charges, above it
  it discharges. It is a valley: the leak makes it fall, the positive feedback makes it rise
  again. Computed from :func:`~dynapse_edu.core.neuron.membrane_rate`, which is affine in
  :math:`I_{ahp}` (the adaptation current only adds to the leak sum :math:`I_{sum}`), so two
  evaluations give the zero exactly.
* the **adaptation nullcline**: between spikes the adaptation DPI only decays
  (:func:`~dynapse_edu.core.synapse.dpi_decay`) down to the leakage floor, so
  :math:`dI_{ahp}/dt = 0` only on the floor :math:`I_{ahp} = I_0`. The chip's adaptation is
  purely spike-triggered: the AdEx with :math:`a = 0`.
* the **equilibria** (:func:`equilibria`): where the membrane nullcline crosses a given
  adaptation level; on the floor these are the fixed points of the whole system. Below the
  rheobase there are two, a stable rest and an unstable one at the feedback's onset; at the
  rheobase (:func:`rheobase`) they merge and vanish, and the neuron fires (a saddle-node
  bifurcation, as in the AdEx with :math:`a = 0`); :func:`can_rest` says whether a resting
  state exists at a given adaptation current.
* a **trajectory** (:func:`trajectory`): one simulated neuron, with its spikes (the membrane
  jumps from :math:`I_{th}` to :math:`I_{reset}` and the adaptation by
  :math:`I_{w,ahp}\alpha_{ahp}`).

:func:`vector_field` gives both time derivatives on a grid, with the leakage floor applied as
the integrators apply it. For the AdEx side of the comparison, the nullclines are in
:mod:`dynapse_edu.core.adex` and :func:`adex_trajectory` integrates it (a small forward-Euler
loop: the AdEx is not a circuit of the chip, so it does not go through the engines).

>>> from dynapse_edu.core.params import Params
>>> p = Params(I_const=100e-12)
>>> [(round(I / 1e-12, 1), stable) for I, stable in equilibria(p)]  # pA: rest and the feedback's onset
[(268.6, True), (940.7, False)]
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import brentq

from .core.adex import AdExParams, adex_derivatives
from .core.neuron import floor, hold_at_floor, membrane_rate
from .core.params import Params, ParamsLike, resolve
from .core.synapse import dpi_decay
from .errors import ParameterError
from .hardware.chip import Chip

#: Points of the log-spaced grid on which :func:`equilibria` looks for sign changes.
GRID_POINTS = 400


def _currents(I: ArrayLike, name: str) -> np.ndarray:
    I = np.asarray(I, dtype=float)
    if I.size == 0 or not np.all(np.isfinite(I)) or np.any(I <= 0):
        raise ParameterError(f"{name} must be positive finite currents in A, got {I.ravel()[:3]!r}")
    return I


def _at_rest(p: Params) -> tuple[float, float, float, float]:
    """The four synapse currents of a neuron whose synapses receive nothing: each at its floor I0, A."""
    return (p.I0, p.I0, p.I0, p.I0)


def membrane_nullcline(I_mem: ArrayLike, params: ParamsLike = None) -> np.ndarray:
    """The adaptation current at which dI_mem/dt = 0, for each membrane current, in A.

    The synapses are at rest and the input is ``I_const``. Values below ``I0`` (or negative)
    mean that no adaptation current can hold the membrane still there: it charges whatever
    I_ahp is (left of the valley when the input is strong, and above the feedback's onset).

    Parameters
    ----------
    I_mem : array
        Membrane currents, A (> 0).
    params : Params, dict or None
        The neuron; None for the defaults.

    Returns
    -------
    ndarray
        I_ahp on the nullcline, A, one per ``I_mem``.

    Raises
    ------
    ParameterError
        If a current is not positive and finite.

    Examples
    --------
    >>> p = Params(I_const=100e-12)
    >>> [round(float(x) * 1e12, 2) for x in membrane_nullcline([10e-12, 300e-12], p)]  # pA: down the valley's left side
    [61.27, 0.31]
    """
    p = resolve(params)
    I_mem = _currents(I_mem, "I_mem")
    low, high = p.I0, p.I0 + p.I_tau_mem  # any two adaptation currents: the rate is affine in I_ahp
    rate_low = membrane_rate(I_mem, low, _at_rest(p), p)
    rate_high = membrane_rate(I_mem, high, _at_rest(p), p)
    return low - rate_low * (high - low) / (rate_high - rate_low)


def vector_field(I_mem: ArrayLike, I_ahp: ArrayLike, params: ParamsLike = None) -> tuple[np.ndarray, np.ndarray]:
    """dI_mem/dt and dI_ahp/dt between spikes (synapses at rest, input ``I_const``), in A/s.

    Both rates come from the core (:func:`~dynapse_edu.core.neuron.membrane_rate`,
    :func:`~dynapse_edu.core.synapse.dpi_decay`) with the leakage floor applied
    (:func:`~dynapse_edu.core.neuron.hold_at_floor`), as the integrators apply them.

    Parameters
    ----------
    I_mem, I_ahp : array
        Membrane and adaptation currents, A (> 0), broadcast together (e.g. a meshgrid).
    params : Params, dict or None
        The neuron; None for the defaults.

    Returns
    -------
    (ndarray, ndarray)
        dI_mem/dt and dI_ahp/dt, A/s.

    Raises
    ------
    ParameterError
        If a current is not positive and finite.

    Examples
    --------
    >>> p = Params()
    >>> d_mem, d_ahp = vector_field(p.I0, 10e-12, p)  # at rest the membrane is held; I_ahp decays
    >>> float(d_mem), round(float(d_ahp) * 1e9, 3)  # A/s, nA/s
    (0.0, -0.141)
    """
    p = resolve(params)
    I_mem, I_ahp = np.broadcast_arrays(_currents(I_mem, "I_mem"), _currents(I_ahp, "I_ahp"))
    ahp = floor(I_ahp, p.I0)
    d_mem = hold_at_floor(I_mem, membrane_rate(I_mem, ahp, _at_rest(p), p), p.I0)
    d_ahp = hold_at_floor(I_ahp, dpi_decay(ahp, p.tau_ahp), p.I0)
    return d_mem, d_ahp


def equilibria(params: ParamsLike = None, I_ahp: float | None = None) -> list[tuple[float, bool]]:
    """Membrane currents between I0 and I_th at which the membrane rests, for a fixed adaptation current.

    The zeros of ``membrane_rate(I_mem)`` at that ``I_ahp``: sign changes on a log grid of
    :data:`GRID_POINTS` points, refined with ``brentq``. A zero is stable if the rate falls
    through it. With ``I_ahp`` on the floor (the default) these are the fixed points of the
    whole neuron. When the input is below the leak the rate is negative from the floor up to the
    feedback's onset, so the membrane rests on the floor I0 (a stable state not listed) and the
    list holds only the unstable point above which it runs away.

    Parameters
    ----------
    params : Params, dict or None
        The neuron (its ``I_const`` is the input); None for the defaults.
    I_ahp : float or None
        The adaptation current, A (>= I0); None for the floor I0.

    Returns
    -------
    list of (float, bool)
        ``(I_mem in A, stable)`` in increasing order.

    Raises
    ------
    ParameterError
        If ``I_ahp`` is below I0 or not finite.

    Examples
    --------
    >>> [(round(I / 1e-12, 1), stable) for I, stable in equilibria(Params())]  # 1 pA in: rest on the floor
    [(948.1, False)]
    """
    p = resolve(params)
    I_ahp = p.I0 if I_ahp is None else float(I_ahp)
    if not (math.isfinite(I_ahp) and I_ahp >= p.I0):
        raise ParameterError(f"I_ahp = {I_ahp!r} A must be a finite current at or above I0 = {p.I0!r} A")

    def rate(I_mem: float) -> float:
        return float(membrane_rate(I_mem, I_ahp, _at_rest(p), p))

    grid = np.geomspace(p.I0 * (1 + 1e-6), p.I_th, GRID_POINTS)
    values = membrane_rate(grid, I_ahp, _at_rest(p), p)
    found = []
    for k in np.flatnonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0):
        root = brentq(rate, grid[k], grid[k + 1], xtol=1e-18, rtol=1e-10)
        found.append((float(root), bool(values[k] > 0)))
    return found


def can_rest(params: ParamsLike = None, I_ahp: float | None = None) -> bool:
    """Whether the membrane has a resting state at this adaptation current (and the input ``I_const``).

    It rests if :func:`equilibria` finds a stable equilibrium, or if the membrane rate is negative
    just above the floor I0 (the membrane is then held on the floor).

    Parameters
    ----------
    params : Params, dict or None
        The neuron; None for the defaults.
    I_ahp : float or None
        The adaptation current, A (>= I0); None for the floor I0.

    Returns
    -------
    bool
        True if the membrane can rest; False if it must charge up and fire.

    Examples
    --------
    >>> can_rest(Params(I_const=100e-12)), can_rest(Params(I_const=500e-12))
    (True, False)
    >>> can_rest(Params(I_const=500e-12), I_ahp=200e-12)  # enough adaptation: it rests again
    True
    """
    p = resolve(params)
    I_ahp = p.I0 if I_ahp is None else I_ahp
    points = equilibria(p, I_ahp)  # checks I_ahp
    on_floor = float(membrane_rate(p.I0 * (1 + 1e-6), I_ahp, _at_rest(p), p)) < 0
    return on_floor or any(stable for _, stable in points)


def rheobase(params: ParamsLike = None, tolerance: float = 1e-3) -> float:
    """The smallest constant input current I_const at which the resting state is gone, in A.

    Bisection on ``I_const`` between 0 and 1 uA for the input at which :func:`equilibria` (on
    the adaptation floor) finds no stable state any more: above it the membrane cannot rest
    and the neuron fires (:func:`can_rest`). The other parameters are those of ``params``.

    Parameters
    ----------
    params : Params, dict or None
        The neuron; its own ``I_const`` is ignored. None for the defaults.
    tolerance : float
        Relative precision of the result, 1e-9 .. 0.1.

    Returns
    -------
    float
        The rheobase, A.

    Raises
    ------
    ParameterError
        For a tolerance out of range, or a neuron that rests even with 1 uA of input.

    Examples
    --------
    >>> round(rheobase() / 1e-12, 1)  # pA, default neuron
    303.7
    """
    p = resolve(params)
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not 1e-9 <= tolerance <= 0.1:
        raise ParameterError(f"tolerance = {tolerance!r} must be a relative precision in [1e-9, 0.1]")

    def rests(I_const: float) -> bool:
        return can_rest(p.replace(I_const=I_const))

    low, high = 0.0, 1e-6
    if rests(high):
        raise ParameterError("rheobase: the neuron still rests with I_const = 1 uA; check I_th and the feedback")
    while high - low > tolerance * high:
        middle = 0.5 * (low + high)
        low, high = (middle, high) if rests(middle) else (low, middle)
    return high


def trajectory(
    params: ParamsLike = None, duration: float = 0.2, method: str = "fast", dt: float = 1e-4
) -> dict[str, np.ndarray]:
    """One simulated neuron (constant input ``I_const``) as a path in the phase plane.

    Runs one neuron of a :class:`~dynapse_edu.hardware.chip.Chip` (traces sampled every
    ``dt`` and just before and after each spike, so the path shows the reset jumps).

    Parameters
    ----------
    params : Params, dict or None
        The neuron; None for the defaults.
    duration : float
        Simulated time, s.
    method : str
        The integrator, ``"fast"`` (default) or ``"reference"``.
    dt : float
        Sampling interval of the path, s.

    Returns
    -------
    dict
        ``t`` (s), ``I_mem`` and ``I_ahp`` (A), ``spikes`` (s).

    Examples
    --------
    >>> path = trajectory(Params(I_const=800e-12), duration=0.1, method="reference")
    >>> path["spikes"].size, bool(path["I_ahp"].max() > 1e-12)
    (6, True)
    """
    chip = Chip(resolve(params))
    chip.get_neurons(1, core=0)
    result = chip.run(duration, method=method, dt=dt)
    return {"t": result.t, "I_mem": result.trace("I_mem"), "I_ahp": result.trace("I_ahp"),
            "spikes": result.spike_times[0]}


#: Most integration steps :func:`adex_trajectory` takes (duration / dt): a bound that keeps a call short.
MAX_STEPS = 2_000_000


def adex_trajectory(
    I: float, duration: float, p: AdExParams | None = None, dt: float = 5e-5, V0: float | None = None, w0: float = 0.0
) -> dict[str, np.ndarray]:
    """Integrate the AdEx (:mod:`dynapse_edu.core.adex`) under a constant current (forward Euler), with resets.

    Each step adds ``dt`` times :func:`~dynapse_edu.core.adex.adex_derivatives`; when V reaches V_peak, the spike
    time is recorded, V is set to V_r and w grows by b. The trace keeps the point at the
    cut-off and the reset point, so a phase-plane plot shows the jump.

    Parameters
    ----------
    I : float
        Injected current, A (-1 uA .. 1 uA).
    duration : float
        Simulated time, s (0 < duration, at most MAX_STEPS steps).
    p : AdExParams or None
        The neuron (:class:`~dynapse_edu.core.adex.AdExParams`); None for the defaults.
    dt : float
        Time step, s, 1e-7 .. 1e-3 (the default 50 us follows the upswing to the cut-off).
    V0 : float or None
        Initial potential, V (-0.2 V .. V_peak); None starts at E_L.
    w0 : float
        Initial adaptation current, A (-1 uA .. 1 uA).

    Returns
    -------
    dict
        ``t`` (s), ``V`` (V), ``w`` (A): the trajectory; ``spikes``: spike times (s).

    Raises
    ------
    ParameterError
        For a current, duration, step or initial value out of range, or ``p`` not an AdExParams.

    Examples
    --------
    >>> out = adex_trajectory(0.0, 0.05)
    >>> out["spikes"].size, round(float(out["V"][-1]) * 1e3, 2)  # no input: it stays near rest, mV
    (0, -70.6)
    """
    p = AdExParams() if p is None else p
    if not isinstance(p, AdExParams):
        raise ParameterError(f"adex_trajectory: p must be an AdExParams or None, got {type(p).__name__}")
    for name, value, lo, hi in (("I", I, -1e-6, 1e-6), ("dt", dt, 1e-7, 1e-3), ("duration", duration, 0.0, 1e3)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                math.isfinite(value) and lo <= value <= hi) or (name != "I" and value == 0):
            raise ParameterError(f"adex_trajectory: {name} = {value!r} must be a number in ({lo:g}, {hi:g}] (SI units)")
    steps = int(round(duration / dt))
    if steps > MAX_STEPS:
        raise ParameterError(f"adex_trajectory: duration / dt = {steps} steps is above MAX_STEPS = {MAX_STEPS}")
    V = p.E_L if V0 is None else V0
    for name, value, lo, hi in (("V0", V, -0.2, p.V_peak), ("w0", w0, -1e-6, 1e-6)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                math.isfinite(value) and lo <= value <= hi):
            raise ParameterError(f"adex_trajectory: {name} = {value!r} must be a number in [{lo:g}, {hi:g}] (SI units)")
    V, w = float(V), float(w0)
    t_out, V_out, w_out, spikes = [0.0], [V], [w], []
    for k in range(1, steps + 1):
        dV, dw = adex_derivatives(min(V, p.V_peak), w, I, p)
        V, w = V + dt * float(dV), w + dt * float(dw)
        t = k * dt
        if V >= p.V_peak:
            spikes.append(t)
            t_out += [t, t]
            V_out += [p.V_peak, p.V_r]
            w_out += [w, w + p.b]
            V, w = p.V_r, w + p.b
        else:
            t_out.append(t)
            V_out.append(V)
            w_out.append(w)
    return {"t": np.array(t_out), "V": np.array(V_out), "w": np.array(w_out), "spikes": np.array(spikes)}


__all__ = [
    "membrane_nullcline", "vector_field", "equilibria", "can_rest", "rheobase", "trajectory", "adex_trajectory",
    "GRID_POINTS", "MAX_STEPS",
]
