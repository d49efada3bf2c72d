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

A spike happens when :math:`I_{mem}` reaches :math:`I_{th}`; then
:math:`I_{mem} = I_{reset}`, the membrane is held for the refractory period,
and the adaptation DPI jumps by :math:`I_{w,ahp}\alpha_{ahp}`.

With constant input, feedback negligible and :math:`I_{sum}` constant, the
steady state is :math:`I_{mem} = \alpha I_\tau (I_{in} - I_{sum}) / I_{sum}`
(:func:`steady_state`).

Leakage floor of the soma
-------------------------
Every current is at least :math:`I_0`, the leakage of the transistor that
carries it; the membrane current is held at :math:`I_0` while its derivative
would push it lower. Synaptic and adaptation currents at rest sit at
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
    """The current a state variable stands for: never below the leakage floor I0."""
    return np.maximum(I, I0)


def positive_feedback(I_mem: ArrayLike, p: Any) -> np.ndarray:
    """Positive-feedback current I_pfb_gain / (1 + exp(-(I_mem - I_pfb_th) / I_pfb_norm)), in A."""
    return p.I_pfb_gain * expit((np.asarray(I_mem) - p.I_pfb_th) / p.I_pfb_norm)


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
    "positive_feedback",
    "nmda_gate",
    "soma_input",
    "leak_sum",
    "membrane_derivative",
    "steady_state",
]
