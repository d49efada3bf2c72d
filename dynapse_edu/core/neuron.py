r"""The adaptive exponential DPI neuron of Dynap-SE1 (the soma).

Livi & Indiveri 2009 (ISCAS); Indiveri et al. 2011, Front. Neurosci. 5:73;
Chicca et al. 2014, Proc. IEEE 102(9), eq. (7)-(9).

The membrane is a DPI whose output current :math:`I_{mem}` plays the role of
the membrane potential. With :math:`I_g = \alpha I_\tau` and
:math:`\tau = C_{mem} U_T / (\kappa I_\tau)`:

.. math::

   \tau \left(1 + \frac{I_g}{I_{mem}}\right) \frac{dI_{mem}}{dt}
     = \alpha\,(I_{in} - I_{sum}) - \frac{I_{sum}\,I_{mem}}{I_\tau},
   \qquad
   I_{sum} = I_\tau + I_{ahp} + I_{shunt} - I_{pfb}.

* :math:`I_{in}` is the input: gated NMDA + AMPA - GABA_B + :math:`I_{const}`
  (:func:`soma_input`).
* :math:`I_{ahp}` is the adaptation current, :math:`I_{shunt}` the GABA_A
  current: both add to the leak (:func:`leak_sum`).
* :math:`I_{pfb}` is the positive feedback that makes the upswing explosive
  (:func:`positive_feedback`).

:func:`membrane_rate` composes them into :math:`dI_{mem}/dt`
(:func:`membrane_derivative`).

A spike happens when :math:`I_{mem}` reaches :math:`I_{th}`; then
:math:`I_{mem} = I_{reset}`, the membrane is held for the refractory period,
and the adaptation DPI jumps by :math:`I_{w,ahp}\alpha_{ahp}` (:func:`spike_reset`).

With constant input, feedback negligible and :math:`I_{sum}` constant, the
steady state is :math:`I_{mem} = \alpha I_\tau (I_{in} - I_{sum}) / I_{sum}`
(:func:`steady_state`).

Leakage floor of the soma
-------------------------
Every current is at least :math:`I_0`, the leakage of the transistor that
carries it (:func:`floor`); the membrane current is held at :math:`I_0` while its derivative
would push it lower (:func:`hold_at_floor`). Synaptic and adaptation currents at rest sit at
:math:`I_0` and *do* flow into the soma, as on silicon: AMPA and GABA_B
leakage cancel in :math:`I_{in}`, while the NMDA leakage passes its gate
about half, so the resting input is :math:`I_{const}` + about 0.5 pA (the
original simulator shows the same). The resting shunt and adaptation add
:math:`2 I_0` to :math:`I_{sum}`. The total input is a current into a
transistor and cannot fall below :math:`I_0`.

All functions take a parameter object ``p`` whose attributes are floats (a
:class:`~dynapse_edu.core.params.Params`) or per-neuron arrays (a
:class:`~dynapse_edu.core.dynamics.NeuronTable`), and arrays of currents in A.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit


def floor(I: ArrayLike, I0: ArrayLike) -> np.ndarray:
    """The current a state variable stands for: never below the leakage floor I0, in A.

    Parameters
    ----------
    I : float or array
        A current (membrane, adaptation or synapse), A.
    I0 : float or array
        The leakage floor, A.

    Returns
    -------
    float or ndarray
        max(I, I0), A.

    Examples
    --------
    >>> float(floor(0.5e-12, 1e-12))
    1e-12
    """
    return np.maximum(I, I0)


def hold_at_floor(I: ArrayLike, rate: ArrayLike, I0: ArrayLike) -> np.ndarray:
    """The rate of change of a current that cannot go below I0: 0 where it sits at I0 and points down, in A/s.

    The one rule that keeps every current at or above the leakage floor
    (see the module :mod:`dynapse_edu.core.synapse`, "The leakage floor"):
    :func:`dynapse_edu.core.dynamics.derivatives` applies it to every state
    row, the fast engine to the membrane (it compiles this function).

    Parameters
    ----------
    I : float or array
        The current, A.
    rate : float or array
        Its time derivative without the floor, A/s.
    I0 : float or array
        The leakage floor, A.

    Returns
    -------
    float or ndarray
        ``rate``, or 0 where ``I <= I0`` and ``rate < 0``, A/s.

    Examples
    --------
    >>> float(hold_at_floor(1e-12, -3e-9, 1e-12)), float(hold_at_floor(1e-12, 3e-9, 1e-12))
    (0.0, 3e-09)
    """
    return np.where(I > I0, rate, np.maximum(rate, 0.0))  # at the floor: only upwards


def positive_feedback(I_mem: ArrayLike, p: Any) -> np.ndarray:
    r"""Positive-feedback current onto the membrane, in A: a sigmoid of I_mem, or a power law.

    With ``n_pfb`` = 0 (the default, the original simulator's form):
    :math:`I_{pfb,gain} / (1 + e^{-(I_{mem} - I_{pfb,th}) / I_{pfb,norm}})`, a switch that turns on
    near :math:`I_{pfb,th}`. With ``n_pfb`` > 0: :math:`I_{pfb,gain} (I_{mem} / I_{pfb,th})^{n_{pfb}}`,
    the DPI neuron's spike-event amplifier, whose feedback is a copy of the inverter's current and
    grows as a power of :math:`I_{mem}` (exponentially in the membrane voltage) up to the spike
    (Indiveri et al. 2011, Sec. 4.3; measured on ``circuits/neuron_dpi.cir`` by
    :func:`dynapse_edu.spice.calibration.fit_power_law_on_pair`).

    Parameters
    ----------
    I_mem : float or array
        Membrane current, A.
    p : Params or NeuronTable
        Needs ``I_pfb_gain`` (A), ``I_pfb_th`` (A), ``I_pfb_norm`` (A), ``n_pfb`` (dimensionless) and
        ``pfb_power_law`` (bool: whether any ``n_pfb`` > 0).

    Returns
    -------
    float or ndarray
        The feedback current, A.

    Examples
    --------
    >>> from dynapse_edu.core.params import Params
    >>> round(float(positive_feedback(1e-9, Params())) * 1e12, 3)  # pA: half the gain at I_pfb_th
    50.0
    >>> round(float(positive_feedback(1e-10, Params(n_pfb=1.0))) * 1e12, 3)  # pA: a tenth of it, linear
    10.0
    """
    sigmoid = p.I_pfb_gain * expit((np.asarray(I_mem) - p.I_pfb_th) / p.I_pfb_norm)
    if not p.pfb_power_law:  # no neuron here has the power law: the sigmoid alone (no power to compute)
        return sigmoid
    power = p.I_pfb_gain * (np.asarray(I_mem) / p.I_pfb_th) ** p.n_pfb
    return np.where(p.n_pfb > 0.0, power, sigmoid)


def nmda_gate(I_nmda: ArrayLike, I_mem: ArrayLike, p: Any) -> np.ndarray:
    """NMDA current let through by the voltage gate: I_nmda / (1 + I_nmda_thr / I_mem), in A.

    The gate opens as the membrane current rises past ``I_nmda_thr`` (the
    current-mode form of the Mg2+ block): at ``I_mem = I_nmda_thr`` half passes.
    """
    return I_nmda / (1.0 + p.I_nmda_thr / np.asarray(I_mem))


def soma_input(I_mem: ArrayLike, I_syn: np.ndarray, p: Any) -> tuple[np.ndarray, np.ndarray]:
    """Total input current I_in and the gated NMDA current, both in A.

    ``I_syn`` has shape (4, ...) in the order of
    :data:`~dynapse_edu.core.synapse.SYNAPSE_TYPES` (AMPA, NMDA, GABA_A, GABA_B).
    I_in = gated NMDA + AMPA - GABA_B + I_const, never below I0.
    """
    nmda_gated = nmda_gate(I_syn[1], I_mem, p)
    I_in = floor(nmda_gated + I_syn[0] - I_syn[3] + p.I_const, p.I0)
    return I_in, nmda_gated


def leak_sum(I_mem: ArrayLike, I_ahp: ArrayLike, I_gaba_a: ArrayLike, p: Any) -> np.ndarray:
    """I_sum = I_tau + I_ahp + I_shunt - I_pfb, in A."""
    return p.I_tau_mem + I_ahp + I_gaba_a - positive_feedback(I_mem, p)


def membrane_derivative(I_mem: ArrayLike, I_in: ArrayLike, I_sum: ArrayLike, p: Any) -> np.ndarray:
    """dI_mem/dt of the membrane DPI, in A/s (Chicca et al. 2014, eq. 8); tau_mem = C_mem Ut / (kappa I_tau_mem)."""
    drive = p.alpha_mem * (I_in - I_sum) - I_sum * I_mem / p.I_tau_mem
    return drive / (p.tau_mem * (1.0 + p.alpha_mem * p.I_tau_mem / I_mem))


def membrane_rate(I_mem: ArrayLike, I_ahp: ArrayLike, I_syn: Any, p: Any) -> np.ndarray:
    """dI_mem/dt of the soma from its currents, in A/s: the equation of the module, composed.

    The membrane current is floored at I0 (:func:`floor`), the input and the
    leak sum are formed (:func:`soma_input`, :func:`leak_sum`) and go into the
    membrane DPI (:func:`membrane_derivative`). The floor's hold
    (:func:`hold_at_floor`) and the refractory hold are left to the caller.
    :func:`dynapse_edu.core.dynamics.derivatives` calls this on arrays of N
    neurons; the fast engine compiles it and calls it on floats.

    Parameters
    ----------
    I_mem : float or array
        Membrane current, A.
    I_ahp : float or array
        Adaptation current, A (at least I0).
    I_syn : sequence of 4 floats or arrays
        AMPA, NMDA, GABA_A, GABA_B currents, A (at least I0), in the order of
        :data:`~dynapse_edu.core.synapse.SYNAPSE_TYPES`.
    p : Params or NeuronTable
        The soma parameters (``I0``, ``I_const``, ``I_nmda_thr``, ``I_pfb_*``, ``I_tau_mem``,
        ``alpha_mem``, ``tau_mem``).

    Returns
    -------
    float or ndarray
        dI_mem/dt, A/s.

    Examples
    --------
    >>> from dynapse_edu.core.params import Params
    >>> p = Params(I_const=50e-12)
    >>> rate = membrane_rate(p.I0, p.I0, (p.I0, p.I0, p.I0, p.I0), p)  # at rest, 50 pA in: it charges
    >>> round(float(rate) * 1e9, 3)  # nA/s
    0.579
    """
    I_mem = floor(I_mem, p.I0)
    I_in, _ = soma_input(I_mem, I_syn, p)
    I_sum = leak_sum(I_mem, I_ahp, I_syn[2], p)
    return membrane_derivative(I_mem, I_in, I_sum, p)


def spike_reset(I_ahp: ArrayLike, I_reset: ArrayLike, I0: ArrayLike, jump_ahp: ArrayLike) -> tuple[Any, Any]:
    """The soma right after an output spike: the membrane at I_reset, the adaptation DPI one jump higher.

    I_mem = I_reset; I_ahp = max(I_ahp, I0) + jump_ahp (the adaptation DPI
    takes the spike as a synapse takes an input spike,
    :func:`~dynapse_edu.core.synapse.spike_jump` of ``I_w_ahp`` and
    ``alpha_ahp``). The refractory period that follows is the integrator's to
    keep. :func:`dynapse_edu.core.dynamics.reset` calls this on arrays, the
    fast engine compiles it.

    Parameters
    ----------
    I_ahp : float or array
        Adaptation current just before the spike, A.
    I_reset : float or array
        Membrane current right after a spike, A.
    I0 : float or array
        Leakage floor, A.
    jump_ahp : float or array
        Adaptation current added per output spike, A.

    Returns
    -------
    tuple
        (I_mem, I_ahp) right after the spike, A.

    Examples
    --------
    >>> I_mem, I_ahp = spike_reset(0.5e-12, 1.2e-12, 1e-12, 4e-12)  # I_ahp below the floor: from I0
    >>> I_mem, float(I_ahp)
    (1.2e-12, 5e-12)
    """
    return I_reset, floor(I_ahp, I0) + jump_ahp


def membrane_relaxation(I_mem: ArrayLike, I_ahp: ArrayLike, I_shunt: ArrayLike, p: Any) -> np.ndarray:
    """Shortest time in which the membrane relaxes to its equilibrium, in s; infinite on the floor.

    Near an equilibrium of :func:`membrane_derivative`, ln I_mem relaxes at the rate
    (I_sum / I_tau) I_mem / (tau_mem (I_mem + I_g)), I_g = alpha I_tau, with I_sum at most
    I_tau + I_ahp + I_shunt (the feedback only lowers it): this returns the inverse of that bound,
    tau_mem (I_tau / (I_tau + I_ahp + I_shunt)) (1 + I_g / I_mem). A membrane held on its floor
    does not move (:func:`hold_at_floor`): infinite. Strong adaptation or shunting make it much
    shorter than tau_mem; the integrators use it to choose their step
    (:mod:`dynapse_edu.engines.limits` refuses a membrane faster than its ``MIN_TAU_MEM``).

    Parameters
    ----------
    I_mem, I_ahp, I_shunt : float or array
        Membrane, adaptation and GABA_A (shunting) currents, A.
    p : Params or NeuronTable
        Needs ``I0``, ``I_tau_mem``, ``alpha_mem``, ``tau_mem``.

    Returns
    -------
    float or array
        The relaxation time, s.

    Examples
    --------
    >>> from dynapse_edu.core.params import Params
    >>> p = Params()
    >>> round(float(membrane_relaxation(1e-9, p.I0, p.I0, p)) * 1e3, 3)  # ms: about tau_mem well above I_g
    10.334
    >>> float(membrane_relaxation(p.I0, p.I0, p.I0, p))  # on the floor
    inf
    """
    I_sum = p.I_tau_mem + I_ahp + I_shunt
    tau = p.tau_mem * (p.I_tau_mem / I_sum) * (1.0 + p.alpha_mem * p.I_tau_mem / I_mem)
    return np.where(np.asarray(I_mem) > p.I0, tau, np.inf)


def steady_state(I_in: ArrayLike, p: Any) -> np.ndarray:
    """Membrane current reached under constant input, below the feedback's onset, in A.

    With adaptation and shunt at rest (I0 each) and negligible feedback,
    I_sum = I_tau + 2 I0, and dI_mem/dt = 0 gives
    I_mem = alpha * I_tau * (I_in - I_sum) / I_sum, floored at I0 (an input
    below the leak cannot charge the membrane).
    """
    I_sum = p.I_tau_mem + 2 * p.I0
    return floor(p.alpha_mem * p.I_tau_mem * (np.asarray(I_in) - I_sum) / I_sum, p.I0)


__all__ = [
    "floor",
    "hold_at_floor",
    "positive_feedback",
    "nmda_gate",
    "soma_input",
    "leak_sum",
    "membrane_derivative",
    "membrane_rate",
    "spike_reset",
    "membrane_relaxation",
    "steady_state",
]
