"""dynapse_edu: a readable simulator of the Dynap-SE1 neuromorphic processor, for teaching.

The circuits (Chicca et al. 2014, Proc. IEEE 102(9)): the DPI synapse in four
kinds (:mod:`dynapse_edu.core.synapse`) and the adaptive exponential DPI neuron
(:mod:`dynapse_edu.core.neuron`); their parameters (:mod:`dynapse_edu.core.params`);
the chip and board API with the hardware's rules (:mod:`dynapse_edu.hardware.chip`,
:mod:`dynapse_edu.hardware.board`, :mod:`dynapse_edu.hardware.biasgen`, :mod:`dynapse_edu.hardware.routing`,
:mod:`dynapse_edu.hardware.mismatch`, :mod:`dynapse_edu.hardware.config`); input generators
(:mod:`dynapse_edu.hardware.inputs`); the reference integrator
(:mod:`dynapse_edu.engines.reference`); standard experiments
(:mod:`dynapse_edu.experiments`) and figures (:mod:`dynapse_edu.plot`).
"""

from __future__ import annotations

from . import units
from .core.params import Params, from_seed
from .core.result import Record, Result
from .core.synapse import SYNAPSE_TYPES
from .engines.registry import simulate
from .errors import DynapseError, HardwareLimitError, ParameterError
from .hardware.board import Board
from .hardware.chip import Chip, Connection, Population
from .hardware.inputs import CosineRateGenerator, PoissonGenerator, RegularGenerator, SpikeGenerator, SpikeSource
from .hardware.mismatch import Mismatch
from .sweep import sweep

__version__ = "0.1.0"

__all__ = [
    "Board",
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
