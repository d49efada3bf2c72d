"""The transistor level: ngspice netlists run from Python, calibration, behaviour against transistors.

* :mod:`~dynapse_edu.spice.ngspice`: the runner (PySpice's shared ngspice), with a cache and clear errors;
* :mod:`~dynapse_edu.spice.calibration`: the behavioural model's parameters measured on the netlists;
* :mod:`~dynapse_edu.spice.compare`: the same experiment on both, side by side, with the agreement measured.

``from dynapse_edu import spice`` gives the runner's names (``spice.run``, ``spice.available``, ...).
Only :mod:`~dynapse_edu.spice.ngspice` imports PySpice, and only when a netlist runs.
"""

from __future__ import annotations

from .ngspice import *  # noqa: F403 - the runner's public names, as spice.run, spice.available, ...
from .ngspice import __all__ as __all__  # noqa: PLE0604
