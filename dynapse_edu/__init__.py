"""dynapse_edu: a readable simulator of the Dynap-SE1 neuromorphic processor, for teaching.

The circuits (Chicca et al. 2014, Proc. IEEE 102(9)): the DPI synapse in four
kinds (:mod:`dynapse_edu.synapse`) and the adaptive exponential DPI neuron
(:mod:`dynapse_edu.neuron`); their parameters (:mod:`dynapse_edu.params`);
the chip and board API with the hardware's rules (:mod:`dynapse_edu.chip`,
:mod:`dynapse_edu.board`, :mod:`dynapse_edu.biasgen`, :mod:`dynapse_edu.routing`,
:mod:`dynapse_edu.mismatch`, :mod:`dynapse_edu.config`); input generators
(:mod:`dynapse_edu.inputs`); the reference integrator
(:mod:`dynapse_edu.reference`); standard experiments
(:mod:`dynapse_edu.experiments`) and figures (:mod:`dynapse_edu.plot`).
"""

from __future__ import annotations

from . import units
from .board import Board
from .chip import Chip, Connection, Population
from .errors import DynapseError, HardwareLimitError, ParameterError
from .inputs import CosineRateGenerator, PoissonGenerator, RegularGenerator, SpikeGenerator, SpikeSource
from .mismatch import Mismatch
from .params import Params, from_seed
from .result import Record, Result
from .simulate import simulate
from .sweep import sweep
from .synapse import SYNAPSE_TYPES

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
