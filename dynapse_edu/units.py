"""Unit constants for people; the library works in plain SI floats.

Write ``5 * pA`` or ``20 * ms`` when you call the library, and divide by the
constant to read a value back (``tau / ms``). Inside the library every value
is a float in SI units: amperes, seconds, farads, volts, hertz.

>>> from dynapse_edu.units import pA, ms
>>> 5 * pA
5e-12
>>> round(0.0142 / ms, 1)
14.2
"""

from __future__ import annotations

# current (A)
A = 1.0
mA = 1e-3
uA = 1e-6
nA = 1e-9
pA = 1e-12
fA = 1e-15

# time (s)
second = 1.0
ms = 1e-3
us = 1e-6

# capacitance (F)
pF = 1e-12
fF = 1e-15

# voltage (V)
V = 1.0
mV = 1e-3

# frequency (Hz)
Hz = 1.0
kHz = 1e3

__all__ = ["A", "mA", "uA", "nA", "pA", "fA", "second", "ms", "us", "pF", "fF", "V", "mV", "Hz", "kHz"]
