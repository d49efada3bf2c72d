"""dynapse_edu: a readable simulator of the Dynap-SE1 neuromorphic processor, for teaching.

The circuits are those of Chicca et al. 2014 (Proc. IEEE 102(9)): the DPI synapse in four kinds
and the adaptive exponential DPI neuron. The package is built in layers, each importing only the
layers below it (a contract checked by ``make test``):

* :mod:`dynapse_edu.core`: the equations, written once (synapse, neuron, parameters, state);
* :mod:`dynapse_edu.engines`: the integrators (``solve_ivp`` reference, numba fast engine);
* :mod:`dynapse_edu.hardware`: the chip as it really is (cores, biases, routing, mismatch);
* :mod:`dynapse_edu.experiments`, :mod:`dynapse_edu.plot`, :mod:`dynapse_edu.sweep`: the
  standard experiments, figures and parameter sweeps;
* :mod:`dynapse_edu.spice`: the transistor level (ngspice), calibration, comparisons;
* :mod:`dynapse_edu.course`: the functions behind the book's widgets, answer checks, assignments.

What most users need is here at the top: :class:`Chip`, :class:`Board`, the input generators,
:class:`Params`, :func:`simulate`, :func:`sweep`, and :mod:`dynapse_edu.units` (``pA``, ``ms``, ...).

>>> from dynapse_edu import Chip, RegularGenerator
>>> chip = Chip()
>>> neuron = chip.get_neurons(1, core=0)
>>> _ = chip.add_connection(RegularGenerator(1, rate=200.0), neuron, "AMPA", weight=4)
>>> int(chip.run(0.1).spike_count[0]) > 0
True
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from . import units
from .core.params import Params, from_seed
from .core.result import Record, Result
from .core.synapse import SYNAPSE_TYPES
from .engines.registry import simulate
from .errors import DynapseError, HardwareLimitError, ParameterError
from .hardware.bank import BiasBank
from .hardware.board import Board
from .hardware.chip import Chip, Connection, Population
from .hardware.config import load as load_config
from .hardware.config import save as save_config
from .hardware.inputs import CosineRateGenerator, PoissonGenerator, RegularGenerator, SpikeGenerator, SpikeSource
from .hardware.mismatch import Mismatch
from .sweep import sweep

try:  # the one version source is pyproject.toml, read back from the installed package's metadata
    __version__ = version("dynapse-edu")
except PackageNotFoundError:  # pragma: no cover - a source tree used without installing it
    __version__ = "0+unknown"

__all__ = [
    "Board",
    "BiasBank",
    "save_config",
    "load_config",
    "Mismatch",
    "Chip",
    "Connection",
    "Population",
    "DynapseError",
    "HardwareLimitError",
    "ParameterError",
    "CosineRateGenerator",
    "PoissonGenerator",
    "RegularGenerator",
    "SpikeGenerator",
    "SpikeSource",
    "Params",
    "from_seed",
    "Record",
    "Result",
    "simulate",
    "sweep",
    "SYNAPSE_TYPES",
    "units",
    "__version__",
]
