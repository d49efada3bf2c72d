"""The chip as it really is: cores, shared biases, the bias generator, routing memory, mismatch.

* :mod:`~dynapse_edu.hardware.chip`, :mod:`~dynapse_edu.hardware.board`: the API
  (``get_neurons``, ``add_connection``, ``set_bias``, ``run``);
* :mod:`~dynapse_edu.hardware.biasgen`: 25 coarse/fine biases per core and the model parameters they set;
* :mod:`~dynapse_edu.hardware.bank`: one core's bias bank;
* :mod:`~dynapse_edu.hardware.routing`: CAM and SRAM rules;
* :mod:`~dynapse_edu.hardware.inputs`: input spike generators, with the FPGA's limits;
* :mod:`~dynapse_edu.hardware.mismatch`: seeded device mismatch;
* :mod:`~dynapse_edu.hardware.config`: configurations saved as JSON (``save_config(board, path)``,
  ``load_config(path)``), checked against a JSON schema on loading;
* :mod:`~dynapse_edu.hardware.validate`: the checks every argument passes at the door (numbers,
  names, seeds, flags), with errors that name the value, the range and the caller.

Hardware imports the core and the engines, never plotting, widgets or ngspice.
"""

from __future__ import annotations

from .bank import BiasBank
from .board import Board
from .chip import Chip, Connection, Population
from .config import load as load_config
from .config import save as save_config
from .inputs import CosineRateGenerator, PoissonGenerator, RegularGenerator, SpikeGenerator, SpikeSource
from .mismatch import Mismatch

__all__ = [
    "Board", "Chip", "Connection", "Population", "CosineRateGenerator", "PoissonGenerator", "RegularGenerator",
    "SpikeGenerator", "SpikeSource", "Mismatch", "BiasBank", "save_config", "load_config",
]
