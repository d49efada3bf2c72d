r"""The DPI (Differential Pair Integrator) synapse.

Bartolozzi & Indiveri 2007, Neural Computation 19(10); Chicca et al. 2014,
Proc. IEEE 102(9), eq. (4)-(6).

The DPI is a log-domain low-pass filter: a capacitor C whose voltage sets the
output current :math:`I_{syn}` exponentially. Written in currents, with the
leak current :math:`I_\tau`, the gain current :math:`I_g = \alpha I_\tau` and
the time constant

.. math:: \tau = \frac{C\,U_T}{\kappa\,I_\tau},

the circuit obeys :math:`\tau (1 + I_g/I_{syn})\,\dot I_{syn} = -I_{syn} - I_g + \dots`
Without input the right-hand side is :math:`-(I_{syn} + I_g)`, so the factor
:math:`(1 + I_g/I_{syn})` cancels exactly and the current decays as a plain
exponential, :math:`\dot I_{syn} = -I_{syn}/\tau`.

Input spikes
------------
A presynaptic spike raises the current at once by :math:`I_{w0}\,w\,\alpha`
(the original simulator's instant jump: the limit of a short pulse-extender
pulse). All inputs of one type onto one neuron share a single DPI, so their
effects superpose linearly.

The leakage floor
-----------------
No current on the chip goes below the leakage current :math:`I_0`: the
capacitor cannot charge past the supply rail, so the output transistor keeps
conducting its leakage. dynapse_edu models this as a hard floor: the current
decays as :math:`\dot I_{syn} = -I_{syn}/\tau` until it meets :math:`I_0`,
and is then held there (:func:`dynapse_edu.core.dynamics.derivatives` holds every
current at the floor whose derivative points below it). A single spike from
rest therefore gives the kernel :math:`\max((I_0 + J) e^{-t/\tau}, I_0)`
(:func:`dpi_kernel`). The original simulator's forward-Euler steps let the
current dip to about 0.995 pA; here it never goes below :math:`I_0`.
The same decay serves the adaptation (AHP) DPI of the neuron.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..errors import ParameterError

#: The four synapse types of a Dynap-SE1 neuron, in the order used for arrays.
#: AMPA = fast excitatory, NMDA = slow excitatory (voltage gated),
#: GABA_A = fast shunting inhibition, GABA_B = slow subtractive inhibition.
SYNAPSE_TYPES: tuple[str, ...] = ("AMPA", "NMDA", "GABA_A", "GABA_B")

#: The chip's own names for the four synapse circuits.
CHIP_SYNAPSE_NAMES: dict[str, str] = {
    "AMPA": "fast excitatory (EXC_F)",
    "NMDA": "slow excitatory (EXC_S)",
    "GABA_A": "fast inhibitory, shunting (INH_F)",
    "GABA_B": "slow inhibitory, subtractive (INH_S)",
}


def synapse_index(synapse: str) -> int:
    """Position of a synapse type in :data:`SYNAPSE_TYPES`; clear error if unknown."""
    try:
        return SYNAPSE_TYPES.index(str(synapse).upper())
    except ValueError:
        raise ParameterError(
            f"unknown synapse type {synapse!r}; allowed types: {', '.join(SYNAPSE_TYPES)}"
        ) from None


def synapse_key(synapse: str) -> str:
    """Lower-case suffix of a synapse's parameter names: ``"GABA_A" -> "gaba_a"``."""
    return SYNAPSE_TYPES[synapse_index(synapse)].lower()


def dpi_tau(C: ArrayLike, I_tau: ArrayLike, Ut: ArrayLike, kappa: ArrayLike) -> np.ndarray | float:
    """Time constant of a DPI, tau = C * Ut / (kappa * I_tau), in s.

    Parameters are in F, A, V and dimensionless. Works on floats and arrays.

    >>> round(dpi_tau(2e-12, 20e-12, 0.025, 0.705) * 1e3, 3)  # AMPA default, ms
    3.546
    """
    tau = np.multiply(C, Ut) / np.multiply(kappa, I_tau)
    return float(tau) if np.ndim(tau) == 0 else tau


def dpi_decay(I: ArrayLike, tau: ArrayLike) -> np.ndarray:
    """Time derivative of a DPI current with no input, in A/s: -I / tau.

    The floor at I0 is applied by the caller (:func:`dynapse_edu.core.dynamics.derivatives`
    holds every current at I0 whose derivative points below it).
    """
    return -np.asarray(I) / tau


def dpi_kernel(t: ArrayLike, jump: float, tau: float, I0: float) -> np.ndarray:
    """Closed-form response to one spike at t = 0 from rest: max((I0 + jump) exp(-t / tau), I0).

    Before the spike (t < 0) the current rests at I0; the spike lifts it to
    I0 + jump, from where it decays exponentially until it meets the floor.
    Used by tests and the book to check the integrators against the exact answer.
    """
    t = np.asarray(t, dtype=float)
    return np.where(t >= 0, np.maximum((I0 + jump) * np.exp(-np.clip(t, 0, None) / tau), I0), I0)


__all__ = [
    "SYNAPSE_TYPES",
    "CHIP_SYNAPSE_NAMES",
    "synapse_index",
    "synapse_key",
    "dpi_tau",
    "dpi_decay",
    "dpi_kernel",
]
