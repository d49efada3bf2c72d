"""Choosing an integrator: ``method="reference"`` (solve_ivp, exact events) or others.

Every experiment and :meth:`~dynapse_edu.hardware.chip.Chip.run` take ``method=``;
this module maps the name onto the function that integrates a
:class:`~dynapse_edu.core.network.Network`. New engines register themselves with
:func:`register_method`.
"""

from __future__ import annotations

from collections.abc import Callable

from ..core.network import MAX_DURATION, Network, check_duration
from ..core.result import Record, Result
from ..errors import ParameterError
from .reference import run_reference

Integrator = Callable[[Network, float, Record], Result]


def _run_fast(net: Network, duration: float, record: Record) -> Result:
    """``method="fast"``: :func:`dynapse_edu.engines.fast.run_fast`, imported on first use (numba loads only then)."""
    from .fast import run_fast

    return run_fast(net, duration, record)


METHODS: dict[str, Integrator] = {"reference": run_reference, "fast": _run_fast}

def register_method(name: str, integrator: Integrator) -> None:
    """Make ``integrator`` available as ``method=name``."""
    METHODS[name] = integrator


def simulate(net: Network, duration: float, method: str = "reference", record: Record | None = None) -> Result:
    """Integrate ``net`` for ``duration`` s with the integrator named ``method``."""
    duration = check_duration(duration)
    if method not in METHODS:
        raise ParameterError(f"unknown method {method!r}; available methods: {', '.join(METHODS)}")
    return METHODS[method](net, duration, Record() if record is None else record)


__all__ = ["simulate", "register_method", "METHODS", "MAX_DURATION", "check_duration"]
