"""Checks of the arguments users pass to the hardware layer and above, in one place.

Every public function that takes a number, a name from a list, a seed or a
flag checks it at the door with one of these helpers, so a bad value fails
where it was given, with a :class:`~dynapse_edu.errors.ParameterError` that
names the value, the allowed range and where it came from, instead of a numpy
or Python traceback from deep inside (or, worse, a silent result).

The rules:

* a number is an ``int`` or ``float`` (numpy scalars included), never a
  ``bool``, a string or None, and it is finite unless the range says otherwise;
* a name is one of the allowed strings;
* a seed is an integer >= 0 (or None where the caller allows it);
* a flag is a ``bool`` (``"false"`` is not one).

>>> from dynapse_edu.hardware.validate import number
>>> number(0.5, "rate", 0, 10, unit="Hz", where="RegularGenerator")
0.5
>>> number("0.5", "rate", 0, 10, unit="Hz", where="RegularGenerator")
Traceback (most recent call last):
...
dynapse_edu.errors.ParameterError: RegularGenerator: rate = '0.5' must be a number in Hz, in [0, 10] Hz
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ..errors import ParameterError

#: Largest seed numpy's generators take here (an unsigned 64-bit integer), for the messages.
MAX_SEED = 2**64 - 1


def _prefix(where: str) -> str:
    return f"{where}: " if where else ""


def _interval(lo: float, hi: float, lo_open: bool, hi_open: bool, unit: str) -> str:
    text = f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
    return f"{text} {unit}" if unit else text


def is_number(value: object) -> bool:
    """True for an int or float (numpy scalars too), False for bool, str, None and anything else.

    Examples
    --------
    >>> is_number(3), is_number(np.float32(2.5)), is_number(True), is_number("1")
    (True, True, False, False)
    """
    return not isinstance(value, (bool, np.bool_)) and isinstance(value, (int, float, np.integer, np.floating))


def number(
    value: object,
    name: str,
    lo: float = -math.inf,
    hi: float = math.inf,
    *,
    unit: str = "",
    where: str = "",
    lo_open: bool = False,
    hi_open: bool = False,
    finite: bool = True,
) -> float:
    """A real number in a range, as a float; anything else raises, naming it.

    Parameters
    ----------
    value : object
        What the user gave.
    name : str
        The argument's name, for the message.
    lo, hi : float
        The allowed range (inclusive unless ``lo_open`` / ``hi_open``).
    unit : str
        The unit, for the message (``"Hz"``, ``"s"``, ``"A"``).
    where : str
        Where the value came from (a function or class name), for the message.
    lo_open, hi_open : bool
        Exclude the bound.
    finite : bool
        Refuse inf (NaN is always refused).

    Returns
    -------
    float
        The value.

    Raises
    ------
    ParameterError
        For a non-number (bool, str, None...), NaN, an infinity (with ``finite``) or a value out of range.

    Examples
    --------
    >>> number(3, "n", 0, 5)
    3.0
    >>> number(float("nan"), "phase", where="CosineRateGenerator")
    Traceback (most recent call last):
    ...
    dynapse_edu.errors.ParameterError: CosineRateGenerator: phase = nan is outside the allowed range [-inf, inf]
    """
    allowed = _interval(lo, hi, lo_open, hi_open, unit)
    if not is_number(value):
        kind = f"a number in {unit}" if unit else "a number"
        raise ParameterError(f"{_prefix(where)}{name} = {value!r} must be {kind}, in {allowed}")
    x = float(value)  # type: ignore[arg-type]
    below = x <= lo if lo_open else x < lo
    above = x >= hi if hi_open else x > hi
    if math.isnan(x) or (finite and math.isinf(x)) or below or above:
        unit_text = f" {unit}" if unit else ""
        raise ParameterError(f"{_prefix(where)}{name} = {value!r}{unit_text} is outside the allowed range {allowed}")
    return x


def integer(value: object, name: str, lo: int = 0, hi: int | None = None, *, where: str = "") -> int:
    """An integer in ``lo..hi`` (numpy integers too, never bool or a float), as an int.

    Parameters
    ----------
    value : object
        What the user gave.
    name : str
        The argument's name, for the message.
    lo, hi : int
        The allowed range, inclusive (``hi`` None: no upper bound).
    where : str
        Where the value came from, for the message.

    Returns
    -------
    int
        The value.

    Raises
    ------
    ParameterError
        For a non-integer or a value out of range.

    Examples
    --------
    >>> integer(np.int64(4), "n", 1)
    4
    >>> integer(1.5, "n", 1, where="PoissonGenerator")
    Traceback (most recent call last):
    ...
    dynapse_edu.errors.ParameterError: PoissonGenerator: n = 1.5 must be an integer >= 1
    """
    allowed = f">= {lo}" if hi is None else f"in {lo}..{hi}"
    ok = not isinstance(value, (bool, np.bool_)) and isinstance(value, (int, np.integer))
    if not ok or value < lo or (hi is not None and value > hi):  # type: ignore[operator]
        raise ParameterError(f"{_prefix(where)}{name} = {value!r} must be an integer {allowed}")
    return int(value)  # type: ignore[arg-type]


def seed(value: object, name: str = "seed", *, where: str = "", allow_none: bool = True) -> int | None:
    """A random seed: an integer >= 0 (or None where allowed: fresh randomness).

    Parameters
    ----------
    value : object
        What the user gave.
    name : str
        The argument's name, for the message.
    where : str
        Where the value came from, for the message.
    allow_none : bool
        Accept None.

    Returns
    -------
    int or None
        The seed.

    Raises
    ------
    ParameterError
        For a negative, non-integer or too large seed (``-1``, ``1.5``, ``"abc"``).

    Examples
    --------
    >>> seed(7), seed(None)
    (7, None)
    >>> seed(-1, where="PoissonGenerator")
    Traceback (most recent call last):
    ...
    dynapse_edu.errors.ParameterError: PoissonGenerator: seed = -1 must be an integer in 0..2**64 - 1 or None
    """
    if value is None and allow_none:
        return None
    ok = not isinstance(value, (bool, np.bool_)) and isinstance(value, (int, np.integer)) and 0 <= value <= MAX_SEED
    if not ok:
        tail = " or None" if allow_none else ""
        raise ParameterError(f"{_prefix(where)}{name} = {value!r} must be an integer in 0..2**64 - 1{tail}")
    return int(value)  # type: ignore[arg-type]


def choice(value: object, name: str, allowed: Iterable[str], *, where: str = "") -> str:
    """One of the allowed strings.

    Parameters
    ----------
    value : object
        What the user gave.
    name : str
        The argument's name, for the message.
    allowed : Iterable of str
        The allowed values.
    where : str
        Where the value came from, for the message.

    Returns
    -------
    str
        The value.

    Raises
    ------
    ParameterError
        For anything else, listing the allowed values.

    Examples
    --------
    >>> choice("fast", "method", ("reference", "fast"))
    'fast'
    """
    options = tuple(allowed)
    if not isinstance(value, str) or value not in options:
        raise ParameterError(f"{_prefix(where)}{name} = {value!r}; allowed: {', '.join(map(repr, options))}")
    return value


def flag(value: object, name: str, *, where: str = "") -> bool:
    """A bool (numpy's too); ``"false"``, 0 or None are not flags.

    Parameters
    ----------
    value : object
        What the user gave.
    name : str
        The argument's name, for the message.
    where : str
        Where the value came from, for the message.

    Returns
    -------
    bool
        The value.

    Raises
    ------
    ParameterError
        For anything but True or False.

    Examples
    --------
    >>> flag(True, "fpga")
    True
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ParameterError(f"{_prefix(where)}{name} = {value!r} must be True or False")
    return bool(value)


__all__ = ["is_number", "number", "integer", "seed", "choice", "flag", "MAX_SEED"]
