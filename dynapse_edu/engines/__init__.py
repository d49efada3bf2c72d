"""The integrators: they take a :class:`~dynapse_edu.core.network.Network` and return a Result.

* :mod:`~dynapse_edu.engines.registry`: ``method=`` names to integrators
  (:func:`~dynapse_edu.engines.registry.simulate`);
* :mod:`~dynapse_edu.engines.reference`: ``method="reference"``, ``scipy.integrate.solve_ivp`` with exact events;
* :mod:`~dynapse_edu.engines.fast`: ``method="fast"``, numba, vectorised over whole chips;
* :mod:`~dynapse_edu.engines.kernels`: its compiled kernels, built from the core's own functions;
* :mod:`~dynapse_edu.engines.limits`: the settings both integrators follow, and the errors outside them.

Engines import only :mod:`dynapse_edu.core`; numba is imported by the fast engine's kernels alone.
"""

from __future__ import annotations

from .registry import METHODS, register_method, simulate

__all__ = ["METHODS", "register_method", "simulate"]
