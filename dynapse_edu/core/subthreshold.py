r"""The MOS transistor below threshold: an exponential of its terminal voltages, the thermal voltage U_T.

Mead 1989, *Analog VLSI and Neural Systems*; Liu, Kramer, Indiveri, Delbruck & Douglas 2002,
*Analog VLSI: Circuits and Principles*, ch. 3. For an n-type transistor in weak inversion,
with every voltage referred to the bulk (the substrate):

.. math::

   I_{ds} = I_0\, e^{\kappa V_g / U_T} \left(e^{-V_s / U_T} - e^{-V_d / U_T}\right),
   \qquad U_T = \frac{k_B T}{q},

:func:`subthreshold_current`. In saturation (:math:`V_d - V_s \gtrsim 4 U_T`) the second term
vanishes and :math:`I_{ds} = I_0 e^{(\kappa V_g - V_s)/U_T}`: the current is exponential in the
gate voltage, one decade per :math:`(U_T/\kappa)\ln 10` (about 80 mV at room temperature).
The source enters with weight 1 and the gate with weight :math:`\kappa < 1` (the gate couples to
the channel through a capacitive divider; the difference is the body effect).

* :math:`I_0` (A): the current at zero gate-source voltage, the leakage floor of the simulator;
* :math:`\kappa` (dimensionless, 0.6-0.8): the subthreshold slope factor;
* :math:`U_T` (V): the thermal voltage, 25.9 mV at 300 K (:func:`thermal_voltage`).

:func:`gate_voltage` inverts the law in saturation: it is how a DPI's output current stands for
its capacitor's voltage, :math:`V = (U_T/\kappa) \ln(I/I_0)` with the source on ground.

>>> round(thermal_voltage(300.0) * 1e3, 2)  # mV
25.85
>>> round(float(subthreshold_current(gate_voltage(5e-12))) * 1e12, 6)  # pA: there and back
5.0
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from ..errors import ParameterError

#: Boltzmann constant, J/K (exact, SI 2019).
BOLTZMANN = 1.380649e-23
#: Elementary charge, C (exact, SI 2019).
ELEMENTARY_CHARGE = 1.602176634e-19


def _positive(name: str, value: float, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
            math.isfinite(value) and low <= value <= high):
        raise ParameterError(f"{name} = {value!r} is outside the allowed range [{low:g}, {high:g}]")
    return float(value)


def thermal_voltage(temperature: float = 300.0) -> float:
    """U_T = k_B T / q, in V.

    Parameters
    ----------
    temperature : float
        Absolute temperature, K (100 .. 1000: a value in degrees Celsius such as 27 is refused).

    Returns
    -------
    float
        The thermal voltage, V.

    Raises
    ------
    ParameterError
        For a temperature outside 100 .. 1000 K.

    Examples
    --------
    >>> round(thermal_voltage(273.15 + 37) * 1e3, 2)  # mV at body temperature
    26.73
    """
    return BOLTZMANN * _positive("temperature (K)", temperature, 100.0, 1000.0) / ELEMENTARY_CHARGE


def subthreshold_current(
    V_g: ArrayLike, V_s: ArrayLike = 0.0, V_d: ArrayLike = math.inf, I0: float = 1e-12, kappa: float = 0.705,
    Ut: float = 0.025
) -> np.ndarray:
    """Drain current of an n-type transistor in weak inversion, bulk-referenced, in A.

    Parameters
    ----------
    V_g, V_s, V_d : float or array
        Gate, source and drain voltages relative to the bulk, V (``V_d = inf``: saturation).
    I0 : float
        Current at V_g = V_s = 0 in saturation, A (1e-18 .. 1e-6).
    kappa : float
        Subthreshold slope factor, 0.3 .. 1 (default: the simulator's mean of nFET and pFET).
    Ut : float
        Thermal voltage, V (0.01 .. 0.1).

    Returns
    -------
    ndarray
        I_ds, A (negative if the drain is below the source: the current flows the other way).

    Raises
    ------
    ParameterError
        For I0, kappa or Ut out of range.

    Examples
    --------
    >>> I = subthreshold_current([0.3, 0.3 + 0.025 / 0.705 * math.log(10)])
    >>> round(float(I[1] / I[0]), 6)  # one decade more per (Ut / kappa) ln 10
    10.0
    >>> round(float(subthreshold_current(0.3, V_d=0.025) / subthreshold_current(0.3)), 4)  # V_ds = Ut: not saturated
    0.6321
    """
    I0 = _positive("I0 (A)", I0, 1e-18, 1e-6)
    kappa = _positive("kappa", kappa, 0.3, 1.0)
    Ut = _positive("Ut (V)", Ut, 0.01, 0.1)
    V_g, V_s, V_d = (np.asarray(v, dtype=float) for v in (V_g, V_s, V_d))
    return I0 * np.exp(kappa * V_g / Ut) * (np.exp(-V_s / Ut) - np.exp(-V_d / Ut))


def gate_voltage(I: ArrayLike, V_s: ArrayLike = 0.0, I0: float = 1e-12, kappa: float = 0.705,
                 Ut: float = 0.025) -> np.ndarray:
    """The gate voltage that makes a saturated transistor carry ``I``: (Ut ln(I / I0) + V_s) / kappa, in V.

    Parameters
    ----------
    I : float or array
        Drain current, A (> 0).
    V_s : float or array
        Source voltage relative to the bulk, V.
    I0, kappa, Ut : float
        As in :func:`subthreshold_current`.

    Returns
    -------
    ndarray
        V_g, V.

    Raises
    ------
    ParameterError
        For a current that is not positive, or I0, kappa or Ut out of range.

    Examples
    --------
    >>> round(float(gate_voltage(2e-9) - gate_voltage(1.2e-12)) * 1e3, 1)  # mV: reset to threshold
    263.1
    """
    I = np.asarray(I, dtype=float)
    if I.size == 0 or not np.all(np.isfinite(I)) or np.any(I <= 0):
        raise ParameterError(f"I must be positive finite currents in A, got {I.ravel()[:3]!r}")
    I0 = _positive("I0 (A)", I0, 1e-18, 1e-6)
    kappa = _positive("kappa", kappa, 0.3, 1.0)
    Ut = _positive("Ut (V)", Ut, 0.01, 0.1)
    return (Ut * np.log(I / I0) + np.asarray(V_s, dtype=float)) / kappa


__all__ = ["BOLTZMANN", "ELEMENTARY_CHARGE", "thermal_voltage", "subthreshold_current", "gate_voltage"]
