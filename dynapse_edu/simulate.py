"""Choosing an integrator: ``method="reference"`` (solve_ivp, exact events) or others.

Every experiment and :meth:`~dynapse_edu.chip.Chip.run` take ``method=``;
this module maps the name onto the function that integrates a
:class:`~dynapse_edu.network.Network`. New engines register themselves with
:func:`register_method`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .errors import ParameterError
from .network import Network
from .reference import run_reference
from .result import Record, Result

Integrator = Callable[[Network, float, Record], Result]


def _run_fast(net: Network, duration: float, record: Record) -> Result:
    """``method="fast"``: :func:`dynapse_edu.fast.run_fast`, imported on first use (numba loads only then)."""
    from .fast import run_fast

    return run_fast(net, duration, record)


METHODS: dict[str, Integrator] = {"reference": run_reference, "fast": _run_fast}

#: Longest simulated time accepted in one run, s (a guard against unit slips).
MAX_DURATION = 3600.0


def register_method(name: str, integrator: Integrator) -> None:
    """Make ``integrator`` available as ``method=name``."""
    METHODS[name] = integrator


def check_duration(duration: float) -> float:
    """A simulated duration in s, checked: finite, > 0, at most :data:`MAX_DURATION`."""
    try:
        value = float(duration)
    except (TypeError, ValueError):
        raise ParameterError(f"duration must be a number of seconds, got {duration!r}") from None
    if not (math.isfinite(value) and 0 < value <= MAX_DURATION):
        raise ParameterError(f"duration = {duration!r} s is outside the allowed range (0, {MAX_DURATION:g}] s")
    return value


def simulate(net: Network, duration: float, method: str = "reference", record: Record | None = None) -> Result:
    """Integrate ``net`` for ``duration`` s with the integrator named ``method``."""
    duration = check_duration(duration)
    if method not in METHODS:
        raise ParameterError(f"unknown method {method!r}; available methods: {', '.join(METHODS)}")
    return METHODS[method](net, duration, Record() if record is None else record)


__all__ = ["simulate", "register_method", "METHODS", "MAX_DURATION", "check_duration"]
