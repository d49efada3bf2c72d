"""The Dynap-SE1 chip as a user sees it: cores of neurons, connections, biases.

The API follows the chip's control software (samna / ctxctl) and the original
simulator: allocate neurons on a core with :meth:`Chip.get_neurons`, wire them
with :meth:`Chip.add_connection`, set a core's biases with :meth:`Chip.set_bias`
(by chip name and coarse/fine value, or by model parameter), run and read
every state variable.

>>> from dynapse_edu import Chip, RegularGenerator
>>> chip = Chip()
>>> neuron = chip.get_neurons(1, core=1)
>>> source = RegularGenerator(1, rate=100.0)
>>> _ = chip.add_connection(source, neuron, "AMPA", weight=4)
>>> result = chip.run(0.05)
>>> result.spike_count.tolist()
[2]

A :class:`Chip` is a :class:`~dynapse_edu.hardware.board.Board` with one chip: 4 cores
of 256 neurons (every one of them can be allocated), 25 biases per core shared
by its neurons (:mod:`dynapse_edu.hardware.biasgen`), optional mismatch
(:mod:`dynapse_edu.hardware.mismatch`). By default it is the original simulator: real-valued
weights, each input spike an instant jump; ``Chip(hardware=True)`` is the real chip: it enforces the
routing memory (integer weights, 64 CAM entries and 4 SRAM destinations per neuron,
:mod:`dynapse_edu.hardware.routing`) and takes input spikes as pulses of the width
``PULSE_PWLK_P`` sets, from weight currents for pulses
(:func:`~dynapse_edu.hardware.bank.pulse_params`).

>>> chip = Chip(hardware=True)
>>> pop = chip.get_neurons(2, core=0)
>>> chip.add_connection(RegularGenerator(1, 10.0), pop, "AMPA", weight=0.5)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
dynapse_edu.errors.HardwareLimitError: weight = 0.5: on the chip a weight is a positive integer number of CAM ...
"""

from __future__ import annotations

from ..core.params import ParamsLike
from .bank import BiasReport
from .board import MAX_WEIGHT, Board, Connection, Population, core_number
from .mismatch import Mismatch
from .routing import CORES_PER_CHIP, NEURONS_PER_CHIP, NEURONS_PER_CORE


class Chip(Board):
    """One Dynap-SE1 chip: 4 cores x 256 neurons, per-core biases, connections.

    A :class:`~dynapse_edu.hardware.board.Board` with one chip: every method of
    Board applies (``get_neurons``, ``add_connection``, ``set_bias``,
    ``get_biases``, ``bank``, ``run``, ...), with ``chip=0``.

    Parameters
    ----------
    params : Params, dict or None
        Parameters for every core at start: a :class:`~dynapse_edu.core.params.Params`,
        a dict of overrides of the defaults, or None (defaults; in hardware mode
        :func:`~dynapse_edu.hardware.bank.pulse_params`).
    hardware : bool
        Enforce the routing memory (integer weights 1..64, CAM, SRAM, aliasing) and take input
        spikes as pulses (:meth:`~dynapse_edu.hardware.board.Board.use_pulses`);
        default False: real-valued weights and instant jumps, as in the original simulator.
    monitor : bool
        Keep SRAM entry 0 of each neuron for the host (hardware mode).
    mismatch : Mismatch or None
        A seeded :class:`~dynapse_edu.hardware.mismatch.Mismatch`, or None.

    Raises
    ------
    ParameterError
        If ``params`` or ``mismatch`` is not valid.

    Examples
    --------
    >>> chip = Chip(params={"I_tau_mem": 8e-12})
    >>> chip.n_chips, chip.hardware, chip.params(3).I_tau_mem
    (1, False, 8e-12)
    """

    def __init__(
        self,
        params: ParamsLike = None,
        hardware: bool = False,
        monitor: bool = True,
        mismatch: Mismatch | None = None,
    ) -> None:
        super().__init__(n_chips=1, params=params, hardware=hardware, monitor=monitor, mismatch=mismatch)


__all__ = [
    "Chip",
    "Population",
    "Connection",
    "BiasReport",
    "core_number",
    "CORES_PER_CHIP",
    "NEURONS_PER_CORE",
    "NEURONS_PER_CHIP",
    "MAX_WEIGHT",
]
