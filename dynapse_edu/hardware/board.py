"""A Dynap-SE1 board as it really is: chips, cores, biases, routing memory, mismatch.

Moradi et al. 2018, IEEE TBioCAS 12(1); the chip's driver (libcaer
``dynapse.h``) and control software (samna / ctxctl).

A :class:`~dynapse_edu.hardware.board.Board` holds 1..4 chips of 4 cores of 256 neurons. Neurons are
allocated per core (:meth:`Board.get_neurons`), wired with
:meth:`Board.add_connection` and configured per core through the 25 biases of
the core's bias generator (:meth:`Board.set_bias` with a name, a coarse and a
fine value; :meth:`~dynapse_edu.hardware.board.Board.get_biases`), or, as in the original simulator, by
model parameter (``set_bias(core, I_tau_mem=10e-12)``). Each core's biases are
a :class:`~dynapse_edu.hardware.bank.BiasBank` (:meth:`Board.bank`).

In hardware mode (``hardware=True``, the default of a Board) the routing
memory is enforced (:mod:`dynapse_edu.hardware.routing`): integer weights of 1..64 CAM
entries per neuron, 4 SRAM destinations per neuron (3 with monitoring), no tag
aliasing; and input spikes are pulses, as on the chip: each lets its weight current into
its DPI for the width ``PULSE_PWLK_P`` sets (:meth:`Board.use_pulses`), from weight currents
that make a pulse add what the original's instant jump did
(:func:`~dynapse_edu.hardware.bank.pulse_params`, when ``params`` is None). Every rule broken
raises :class:`~dynapse_edu.errors.HardwareLimitError`
(or :class:`~dynapse_edu.errors.ParameterError` for a bad argument) naming the
value, the limit and the neuron, and leaves the board exactly as it was.

A board is saved to and loaded from JSON by :mod:`dynapse_edu.hardware.config`
(:func:`~dynapse_edu.hardware.config.save`, :func:`~dynapse_edu.hardware.config.load`),
through the public methods below only.

>>> from dynapse_edu import RegularGenerator
>>> from dynapse_edu.hardware.board import Board
>>> board = Board(n_chips=2)
>>> a = board.get_neurons(4, core=0, chip=0)
>>> b = board.get_neurons(4, core=1, chip=1)
>>> _ = board.add_connection(RegularGenerator(1, rate=200.0), a, "AMPA", weight=3)
>>> _ = board.add_connection(a, b, "AMPA", weight=8)
>>> board.set_bias(1, "PS_WEIGHT_EXC_F_N", 2, 100, chip=1)
>>> round(board.get_biases(1, chip=1)["PS_WEIGHT_EXC_F_N"].current * 1e12, 2)  # pA
321.57
>>> int(board.run(0.05).spike_count.sum()) > 0
True
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from ..core.dynamics import NeuronTable
from ..core.network import Network, Projection, check_duration
from ..core.params import Params, ParamsLike, resolve
from ..core.result import Record, Result
from ..core.synapse import SYNAPSE_TYPES, synapse_index
from ..engines.limits import IntegrationLimitError
from ..engines.registry import simulate
from ..errors import HardwareLimitError, ParameterError
from .bank import BiasBank, BiasList, pulse_params
from .bank import BiasReport as BiasReport  # moved to bank; still importable from here
from .biasgen import BIASES, BiasSetting
from .inputs import SpikeSource
from .mismatch import Mismatch
from .routing import (
    CAM_PER_NEURON,
    CHIPS_PER_BOARD,
    CORES_PER_CHIP,
    NEURONS_PER_CHIP,
    NEURONS_PER_CORE,
    RoutingTable,
    check_ids,
    describe,
)
from .validate import flag, is_number

#: Largest weight accepted outside hardware mode (a guard against slips).
MAX_WEIGHT = 1000.0
#: How a connection names its presynaptic side: an input source index or a neuron's global id.
PRE_KINDS = ("input", "neuron")


def core_number(core: int | str) -> int:
    """A core id 0..3, from an int or the original simulator's name ``"Core_k"``.

    Parameters
    ----------
    core : int or str
        0..3, or ``"Core_0"`` .. ``"Core_3"``.

    Returns
    -------
    int
        The core id.

    Raises
    ------
    HardwareLimitError
        If no such core exists on a chip.

    Examples
    --------
    >>> core_number("Core_2"), core_number(3)
    (2, 3)
    """
    value = core
    if isinstance(core, str) and core.startswith("Core_"):
        value = core[5:]
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if isinstance(core, bool) or str(number) != str(value) or not 0 <= number < CORES_PER_CHIP:
        raise HardwareLimitError(f"core {core!r} does not exist: a chip has cores 0..{CORES_PER_CHIP - 1}")
    return number


class Population:
    """Neurons allocated on one core, by global id (chip * 1024 + core * 256 + index in core).

    Made by :meth:`~dynapse_edu.hardware.board.Board.get_neurons`; index or slice it to take some of its
    neurons (the result is a Population too).

    Parameters
    ----------
    chip : Board
        The :class:`~dynapse_edu.hardware.board.Board` (or :class:`~dynapse_edu.hardware.chip.Chip`)
        that owns the neurons (also available as :attr:`board`).
    core : int
        Their core, 0..3.
    ids : ndarray of int
        Their global ids.
    chip_id : int
        The chip they sit on, 0..3.

    Examples
    --------
    >>> from dynapse_edu import Chip
    >>> pop = Chip().get_neurons(3, core=1)
    >>> pop
    Population(chip=0, core=1, n=3, ids=[256, 257, 258])
    >>> len(pop[1:]), list(pop[1:])
    (2, [257, 258])
    """

    def __init__(self, chip: Board, core: int, ids: np.ndarray, chip_id: int = 0) -> None:
        self.chip = chip
        self.core = core
        self.chip_id = chip_id
        self.ids = np.asarray(ids, dtype=np.int64)

    @property
    def board(self) -> Board:
        """The board (or chip) that owns these neurons."""
        return self.chip

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids.tolist())

    def __getitem__(self, key: int | slice | Sequence[int]) -> Population:
        try:
            ids = self.ids[key]
        except (IndexError, TypeError, ValueError):
            n = len(self)
            allowed = f"-{n}..{n - 1}" if n else "none (the population is empty)"
            raise ParameterError(
                f"{self!r}[{key!r}]: no such neuron; allowed indices {allowed}, or a slice or a list of them"
            ) from None
        return Population(self.chip, self.core, np.atleast_1d(ids), self.chip_id)

    def __repr__(self) -> str:
        more = "..." if len(self) > 4 else ""
        return f"Population(chip={self.chip_id}, core={self.core}, n={len(self)}, ids={self.ids[:4].tolist()}{more})"


class Connection(NamedTuple):
    """One synapse: from ``pre`` (``("input", k)`` or ``("neuron", id)``) to neuron ``post``.

    ``synapse`` is the synapse type (AMPA, NMDA, GABA_A, GABA_B), ``weight`` the
    multiple of the core's weight current (CAM entries in hardware mode).
    """

    pre: tuple[str, int]
    post: int
    synapse: str
    weight: float


class ConnectionArrays(NamedTuple):
    """Every connection of a board as parallel arrays, in the order they were made (:meth:`Board.connection_arrays`)."""

    #: True where ``pre`` is an input source index (:attr:`Board.sources`), False where it is a neuron id.
    from_input: np.ndarray
    #: Input source index or global neuron id.
    pre: np.ndarray
    #: Global id of the postsynaptic neuron.
    post: np.ndarray
    #: Synapse type, an index into :data:`~dynapse_edu.core.synapse.SYNAPSE_TYPES`.
    synapse: np.ndarray
    #: Weight, no unit (a multiple of the core's weight current).
    weight: np.ndarray


def _is_int(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, np.integer))


def biases_of(parameters: Sequence[str]) -> str:
    """The chip biases that set the model ``parameters``, as a clause for an error message ('' if none).

    >>> biases_of(["t_ref", "I_const"])
    ' (chip biases: IF_RFR_N, IF_DC_P)'
    """
    names = [name for p in parameters for name, info in BIASES.items() if info.parameter == p]
    return f" (chip biases: {', '.join(dict.fromkeys(names))})" if names else ""


class Board:
    """A Dynap-SE1 board: ``n_chips`` chips of 4 cores x 256 neurons.

    Parameters
    ----------
    n_chips : int
        Chips on the board, 1..4.
    params : Params, dict or None
        Model parameters of every core at start (a :class:`~dynapse_edu.core.params.Params`,
        a dict of overrides of the defaults, or None for the defaults; in hardware mode
        None gives :func:`~dynapse_edu.hardware.bank.pulse_params`, the defaults with
        weight currents for pulses).
    hardware : bool
        Enforce the routing memory: integer weights, 64 CAM entries per
        neuron, 4 SRAM destinations, no tag aliasing; and take input spikes as
        pulses (:meth:`use_pulses`) (default True). False: any real weight, instant jumps,
        the original simulator.
    monitor : bool
        Keep SRAM entry 0 of every neuron for sending its spikes to the host.
    mismatch : Mismatch or None
        A :class:`~dynapse_edu.hardware.mismatch.Mismatch` (seeded, frozen per neuron),
        or None for identical neurons.

    Raises
    ------
    HardwareLimitError
        If ``n_chips`` is not 1..4.
    ParameterError
        If ``params`` or ``mismatch`` is not valid, or ``hardware`` / ``monitor`` is not a bool.

    Examples
    --------
    >>> board = Board(n_chips=2, mismatch=Mismatch(seed=3))
    >>> board.n_chips, board.hardware, board.pulses, len(board.neuron_ids)
    (2, True, True, 0)
    """

    def __init__(
        self,
        n_chips: int = CHIPS_PER_BOARD,
        params: ParamsLike = None,
        hardware: bool = True,
        monitor: bool = True,
        mismatch: Mismatch | None = None,
    ) -> None:
        if not _is_int(n_chips) or not 0 < n_chips <= CHIPS_PER_BOARD:
            raise HardwareLimitError(f"n_chips = {n_chips!r}: a board holds 1..{CHIPS_PER_BOARD} chips")
        if mismatch is not None and not isinstance(mismatch, Mismatch):
            raise ParameterError(f"mismatch must be a dynapse_edu.hardware.mismatch.Mismatch or None, got {mismatch!r}")
        self.n_chips = int(n_chips)
        self.hardware = flag(hardware, "hardware", where=type(self).__name__)
        self.monitor = flag(monitor, "monitor", where=type(self).__name__)
        self.mismatch = mismatch
        base = pulse_params() if self.hardware and params is None else resolve(params)
        #: one bias bank per core, core index = chip * 4 + core
        self._banks = [BiasBank(base, core=k % CORES_PER_CHIP, chip=k // CORES_PER_CHIP, pulses=self.hardware)
                       for k in range(self.n_chips * CORES_PER_CHIP)]
        self._allocated = np.zeros(self.n_chips * NEURONS_PER_CHIP, dtype=bool)
        self._tau2 = np.zeros(self.n_chips * NEURONS_PER_CHIP, dtype=bool)
        self._routing = RoutingTable(self.n_chips, self.monitor)
        self._sources: list[SpikeSource] = []
        self._source_offsets: list[int] = []
        # connections, one array per batch: pre is an input (True) or a neuron, pre, post, synapse, weight
        self._from_input: list[np.ndarray] = []
        self._pre: list[np.ndarray] = []
        self._post: list[np.ndarray] = []
        self._syn: list[np.ndarray] = []
        self._w: list[np.ndarray] = []

    # --- addresses -----------------------------------------------------------
    def _core_index(self, core: int | str, chip: int) -> int:
        if not _is_int(chip) or not 0 <= chip < self.n_chips:
            raise HardwareLimitError(f"chip {chip!r} does not exist: this board has chips 0..{self.n_chips - 1}")
        return int(chip) * CORES_PER_CHIP + core_number(core)

    # --- neurons -----------------------------------------------------------
    def get_neurons(self, n: int, core: int | str, chip: int = 0) -> Population:
        """Allocate ``n`` free neurons of a core; every neuron of the core can be used.

        Parameters
        ----------
        n : int
            How many neurons, 1..256 (at most the core's free neurons).
        core : int or str
            The core, 0..3 or ``"Core_k"``.
        chip : int
            The chip, 0..n_chips-1.

        Returns
        -------
        Population
            The neurons, lowest free ids first.

        Raises
        ------
        HardwareLimitError
            For a core or chip that does not exist, or more neurons than the core has free.

        Examples
        --------
        >>> board = Board(n_chips=1)
        >>> board.get_neurons(2, core="Core_1").ids.tolist()
        [256, 257]
        """
        k = self._core_index(core, chip)
        if not _is_int(n) or n < 1:
            raise HardwareLimitError(f"number of neurons n = {n!r} must be a positive integer (1..{NEURONS_PER_CORE})")
        lo = k * NEURONS_PER_CORE
        free = np.flatnonzero(~self._allocated[lo : lo + NEURONS_PER_CORE])
        if n > free.size:
            raise HardwareLimitError(
                f"core {k % CORES_PER_CHIP} of chip {k // CORES_PER_CHIP} has {free.size} free neurons of "
                f"{NEURONS_PER_CORE}; cannot allocate {n}"
            )
        ids = lo + free[:n]
        self._allocated[ids] = True
        return Population(self, k % CORES_PER_CHIP, ids, k // CORES_PER_CHIP)

    def allocate(self, ids: Sequence[int] | np.ndarray) -> None:
        """Allocate the neurons of the given global ids (any cores); all or nothing.

        What :meth:`get_neurons` does for the lowest free ids, for chosen ids
        (used to load configuration files).

        Parameters
        ----------
        ids : Sequence of int
            Global ids, each free and listed once.

        Raises
        ------
        HardwareLimitError
            For an id outside the board, listed twice, or already allocated; nothing is allocated then.

        Examples
        --------
        >>> board = Board(n_chips=1)
        >>> board.allocate([3, 300])
        >>> board.neuron_ids.tolist()
        [3, 300]
        """
        arr = check_ids(list(ids), self.n_chips)
        values, counts = np.unique(arr, return_counts=True)
        if (counts > 1).any():
            raise HardwareLimitError(f"{describe(int(values[counts > 1][0]))} is listed twice")
        taken = arr[self._allocated[arr]]
        if taken.size:
            raise HardwareLimitError(f"{describe(int(taken[0]))} is already allocated")
        self._allocated[arr] = True

    @property
    def neuron_ids(self) -> np.ndarray:
        """Global ids of all allocated neurons in ascending order (the neurons a run simulates)."""
        return np.flatnonzero(self._allocated)

    def use_tau2(self, neurons: Population | Sequence[int], on: bool = True) -> None:
        """Make neurons take their membrane leak from IF_TAU2_N instead of IF_TAU1_N.

        Parameters
        ----------
        neurons : Population or Sequence of int
            Allocated neurons of this board (global ids).
        on : bool
            True: leak 2 (IF_TAU2_N); False: back to leak 1 (IF_TAU1_N).

        Raises
        ------
        HardwareLimitError
            For an id outside the board or a neuron not allocated.
        ParameterError
            For a Population of another board.

        Examples
        --------
        >>> board = Board(n_chips=1)
        >>> pop = board.get_neurons(3, core=0)
        >>> board.use_tau2(pop[1:])
        >>> board.tau2_ids.tolist()
        [1, 2]
        """
        on = flag(on, "on", where="use_tau2")
        ids = self._own_ids(neurons)
        self._tau2[ids] = on

    def use_pulses(self, on: bool = True) -> None:
        """Make input spikes pulses of the width ``PULSE_PWLK_P`` sets, on every core (or instant jumps again).

        The switch between the two input models (:mod:`dynapse_edu.core.dynamics`, "The pulse extender"):
        on (the default in hardware mode), each input spike lets the weight current ``I_w0 w`` into
        its DPI for ``t_pulse`` = :func:`~dynapse_edu.hardware.biasgen.pulse_width` of the core's
        ``PULSE_PWLK_P`` current (each neuron's own, with mismatch), as the circuit does; off (the
        default with ``hardware=False``), it adds ``I_w0 alpha w`` to its synapse at once, as the
        original simulator. Each model needs its own weight currents: a pulse of 10 us from the
        original's 100 pA charges a synapse far less than the jump (a neuron that fires 53 times in
        part 1 with jumps stays silent), and the pulse weights of hardware mode
        (:func:`~dynapse_edu.hardware.bank.pulse_params`, 35-354 nA) make jumps hundreds of times
        too large. One core alone: :meth:`bank` ``(core).use_pulses()``. Saved and loaded with the
        configuration.

        Parameters
        ----------
        on : bool
            True: pulses; False: instant jumps.

        Raises
        ------
        ParameterError
            If ``on`` is not a bool.

        Examples
        --------
        >>> board = Board(n_chips=1)
        >>> board.pulses, round(board.bank(0).neuron_params().t_pulse * 1e6, 3)  # us
        (True, 10.006)
        >>> board.use_pulses(False)  # the original's instant jumps
        >>> board.pulses, board.bank(0).neuron_params().t_pulse
        (False, None)
        """
        on = flag(on, "on", where="use_pulses")
        for bank in self._banks:
            bank.use_pulses(on)

    @property
    def pulses(self) -> bool:
        """Whether every core takes input spikes as pulses (:meth:`use_pulses`)."""
        return all(bank.pulses for bank in self._banks)

    @property
    def tau2_ids(self) -> np.ndarray:
        """Global ids of the neurons using the second membrane leak, IF_TAU2_N (:meth:`use_tau2`), ascending."""
        return np.flatnonzero(self._tau2)

    def _own_ids(self, neurons: Population | Sequence[int] | np.ndarray) -> np.ndarray:
        if isinstance(neurons, Population):
            if neurons.chip is not self:
                raise ParameterError(f"{neurons!r} was allocated on another board or chip, not on this one")
            return neurons.ids
        ids = check_ids(list(neurons), self.n_chips)
        missing = ids[~self._allocated[ids]]
        if missing.size:
            raise HardwareLimitError(f"{describe(int(missing[0]))} is not allocated: call get_neurons first")
        return ids

    # --- biases --------------------------------------------------------------
    def bank(self, core: int | str, chip: int = 0) -> BiasBank:
        """The bias bank of a core: its 25 biases and the parameters they set.

        Changing the bank changes the board (it is the board's own bank, not a copy).

        Parameters
        ----------
        core : int or str
            0..3 or ``"Core_k"``.
        chip : int
            0..n_chips-1.

        Returns
        -------
        BiasBank
            The core's :class:`~dynapse_edu.hardware.bank.BiasBank`.

        Raises
        ------
        HardwareLimitError
            For a core or chip that does not exist.

        Examples
        --------
        >>> board = Board(n_chips=2)
        >>> board.bank(3, chip=1).set_bias("IF_DC_P", 1, 51)
        >>> round(board.params(3, chip=1).I_const * 1e12, 9)  # pA
        22.0
        """
        return self._banks[self._core_index(core, chip)]

    def set_bias(
        self,
        core: int | str,
        name: str | None = None,
        coarse: int | None = None,
        fine: int | None = None,
        *,
        chip: int = 0,
        **params: float,
    ) -> None:
        """Set a bias of a core by name and (coarse, fine), or model parameters by name (SI).

        ``set_bias(0, "IF_TAU1_N", 1, 30)`` sets the bias generator output; the
        model parameters it drives follow (:mod:`dynapse_edu.hardware.biasgen`).
        ``set_bias(0, I_tau_mem=10e-12)`` sets model parameters directly, as the
        original simulator did; the biases then report the nearest setting
        (:meth:`get_biases`). Both delegate to the core's bank (:meth:`bank`).

        Parameters
        ----------
        core : int or str
            0..3 or ``"Core_k"``.
        name : str or None
            Bias name (``"IF_DC_P"``, any case); None to set model parameters instead.
        coarse : int or None
            Coarse value 0..7 (with ``name``).
        fine : int or None
            Fine value 0..255 (with ``name``).
        chip : int
            0..n_chips-1 (keyword only).
        **params : float
            Model parameters (:class:`~dynapse_edu.core.params.Params` fields) in SI units, without ``name``.

        Raises
        ------
        HardwareLimitError
            For an unknown core, chip or bias, or a value out of range.
        ParameterError
            For a bad parameter, or a bias and parameters given together.
            Nothing changes if any value is rejected.

        Examples
        --------
        >>> board = Board(n_chips=1)
        >>> board.set_bias(0, "NPDPIE_TAU_F_P", 1, 100)
        >>> round(board.params(0).I_tau_ampa * 1e12, 3)  # pA: 41.18 from the generator + I0
        42.176
        >>> board.set_bias("Core_1", I_w0_ampa=50e-12)
        >>> board.get_biases(1)["PS_WEIGHT_EXC_F_N"][1:3]  # the nearest setting
        (1, 119)
        """
        bank = self.bank(core, chip)
        if name is None:
            if coarse is not None or fine is not None:
                raise ParameterError("give a bias name with coarse and fine values, e.g. set_bias(0, 'IF_DC_P', 2, 50)")
            bank.set_params(**params)
            return
        if params:
            raise ParameterError(f"set either one bias by name or model parameters, not both (got {sorted(params)})")
        bank.set_bias(name, coarse, fine)

    def set_bias_current(self, core: int | str, name: str, current: float, chip: int = 0) -> BiasSetting:
        """Set a bias to the (coarse, fine) setting nearest to an effective ``current`` (leakage included).

        Parameters
        ----------
        core : int or str
            0..3 or ``"Core_k"``.
        name : str
            Bias name, any case.
        current : float
            Wanted effective current in A, in [I0, I0 + 24 uA]: the leakage I0 plus what the
            generator can give.
        chip : int
            0..n_chips-1.

        Returns
        -------
        BiasSetting
            The setting made, its generator current (A) and the relative error of
            that current against ``current - I0`` (what the generator must supply).

        Raises
        ------
        HardwareLimitError
            For an unknown core, chip or bias, or a current outside that range (inf, NaN, 1 mA:
            refused, never clipped); the board is unchanged.

        Examples
        --------
        >>> chip = Board(n_chips=1)
        >>> s = chip.set_bias_current(0, "IF_RFR_N", 20e-12)  # about 2.5 ms refractory period
        >>> s.coarse, s.fine, round(s.error, 5)
        (1, 46, -0.0031)
        >>> round(chip.params(0).t_ref * 1e3, 4)
        2.5074
        """
        return self.bank(core, chip).set_bias_current(name, current)

    def get_biases(self, core: int | str, chip: int = 0) -> BiasList:
        """Every bias of a core with its setting, current and model effect.

        Parameters
        ----------
        core : int or str
            0..3 or ``"Core_k"``.
        chip : int
            0..n_chips-1.

        Returns
        -------
        BiasList
            25 :class:`~dynapse_edu.hardware.bank.BiasReport` rows (name, coarse, fine,
            generator current in A, exact, error, parameter, value in SI), also
            indexable by bias name.

        Raises
        ------
        HardwareLimitError
            For a core or chip that does not exist.

        Examples
        --------
        >>> board = Board(n_chips=1)
        >>> board.set_bias(2, "IF_DC_P", 1, 20)
        >>> row = board.get_biases(2)["IF_DC_P"]
        >>> row.coarse, row.fine, row.exact, row.parameter
        (1, 20, True, 'I_const')
        """
        return self.bank(core, chip).report()

    def params(self, core: int | str, chip: int = 0) -> Params:
        """The parameters shared by the neurons of a core (before mismatch and leak selection).

        Parameters
        ----------
        core : int or str
            0..3 or ``"Core_k"``.
        chip : int
            0..n_chips-1.

        Returns
        -------
        Params
            The core's model parameters (SI units).

        Examples
        --------
        >>> Board(n_chips=1, params={"I_tau_mem": 8e-12}).params(0).I_tau_mem
        8e-12
        """
        return self.bank(core, chip).params

    # --- connections ---------------------------------------------------------
    def add_input(self, source: SpikeSource) -> int:
        """Register an input generator (add_connection does it); a generator registered before keeps its place.

        Parameters
        ----------
        source : SpikeSource
            An input generator of ``len(source)`` sources.

        Returns
        -------
        int
            The board-wide index of its first source (its sources are numbered on from there).

        Raises
        ------
        ParameterError
            If ``source`` is not a SpikeSource.

        Examples
        --------
        >>> from dynapse_edu import RegularGenerator
        >>> board = Board(n_chips=1)
        >>> board.add_input(RegularGenerator(3, 10.0)), board.add_input(RegularGenerator(1, 10.0))
        (0, 3)
        """
        if not isinstance(source, SpikeSource):
            raise ParameterError(f"an input must be a SpikeSource (an input generator), got {source!r}")
        for k, known in enumerate(self._sources):
            if known is source:
                return self._source_offsets[k]
        offset = self.n_inputs
        self._sources.append(source)
        self._source_offsets.append(offset)
        return offset

    @property
    def sources(self) -> tuple[SpikeSource, ...]:
        """The registered input generators, in order; their sources are numbered on from 0 (:meth:`add_input`)."""
        return tuple(self._sources)

    @property
    def n_inputs(self) -> int:
        """Number of input sources of all registered generators together."""
        return sum(len(s) for s in self._sources)

    def _check_weight(self, weight: float) -> float:
        if self.hardware:
            ok = not isinstance(weight, bool) and isinstance(weight, (int, np.integer, float, np.floating))
            if not (ok and float(weight).is_integer() and 1 <= weight <= CAM_PER_NEURON):
                raise HardwareLimitError(
                    f"weight = {weight!r}: on the chip a weight is a positive integer number of CAM entries, "
                    f"1..{CAM_PER_NEURON} (use hardware=False for real-valued weights)"
                )
            return float(weight)
        try:
            w = float(weight)
        except (TypeError, ValueError):
            raise ParameterError(f"weight must be a number, got {weight!r}") from None
        if not (math.isfinite(w) and 0 < w <= MAX_WEIGHT):
            raise ParameterError(f"weight = {weight!r} is outside the allowed range (0, {MAX_WEIGHT:g}]")
        return w

    def add_connection(
        self,
        pre: SpikeSource | Population,
        post: Population,
        synapse_type: str,
        weight: float = 1.0,
        rule: str = "all_to_all",
    ) -> list[Connection]:
        """Connect an input generator or neurons to neurons; all or nothing.

        Parameters
        ----------
        pre : SpikeSource or Population
            An input generator (registered on first use) or neurons of this board.
        post : Population
            Neurons of this board.
        synapse_type : str
            ``"AMPA"``, ``"NMDA"``, ``"GABA_A"`` or ``"GABA_B"``.
        weight : float
            Multiple of the core's weight current; in hardware mode an integer
            number of CAM entries, 1..64, otherwise a real number in (0, 1000].
        rule : str
            ``"all_to_all"`` or ``"one_to_one"`` (equal sizes).

        Returns
        -------
        list of Connection
            The connections made.

        Raises
        ------
        HardwareLimitError
            For a weight the chip cannot store, or a broken routing rule (CAM
            fan-in, SRAM fan-out, tag aliasing), naming the neuron.
        ParameterError
            For a bad synapse type, rule or argument. Nothing is connected then.

        Examples
        --------
        >>> board = Board(n_chips=1)
        >>> a, b = board.get_neurons(2, core=0), board.get_neurons(2, core=1)
        >>> board.add_connection(a, b, "AMPA", weight=3, rule="one_to_one")
        [Connection(pre=('neuron', 0), post=256, synapse='AMPA', weight=3.0), \
Connection(pre=('neuron', 1), post=257, synapse='AMPA', weight=3.0)]
        >>> board.cam_used(256)
        3
        """
        syn = synapse_index(synapse_type)
        if not isinstance(post, Population) or post.chip is not self:
            raise ParameterError("post must be a Population allocated on this board with get_neurons")
        w = self._check_weight(weight)
        if isinstance(pre, SpikeSource):
            from_input, pre_ids = True, np.arange(len(pre))
        elif isinstance(pre, Population) and pre.chip is self:
            from_input, pre_ids = False, pre.ids
        else:
            raise ParameterError("pre must be an input generator or a Population allocated on this board")
        if rule == "all_to_all":
            pre_a, post_a = np.repeat(pre_ids, len(post)), np.tile(post.ids, len(pre_ids))
        elif rule == "one_to_one":
            if len(pre_ids) != len(post):
                raise ParameterError(f"one_to_one needs equal sizes, got {len(pre_ids)} pre and {len(post)} post")
            pre_a, post_a = pre_ids, post.ids
        else:
            raise ParameterError(f"unknown rule {rule!r}; allowed: 'all_to_all', 'one_to_one'")
        offset = 0
        if from_input:
            known = [k for k, s in enumerate(self._sources) if s is pre]
            offset = self._source_offsets[known[0]] if known else self.n_inputs
        self._store(from_input, pre_a + offset, post_a, np.full(len(pre_a), syn), np.full(len(pre_a), w))
        if from_input:
            self.add_input(pre)
        label = "input" if from_input else "neuron"
        return [
            Connection((label, int(a + offset)), int(b), SYNAPSE_TYPES[syn], w)
            for a, b in zip(pre_a, post_a, strict=True)
        ]

    def connect_pairs(
        self,
        pre_kind: str,
        pre: ArrayLike,
        post: ArrayLike,
        synapse: str | Sequence[str],
        weight: float | Sequence[float],
    ) -> int:
        """Connect explicit (pre, post) pairs, with the same checks as :meth:`add_connection`; all or nothing.

        Parameters
        ----------
        pre_kind : str
            ``"input"``: ``pre`` are source indices of the registered generators
            (:attr:`sources`); ``"neuron"``: ``pre`` are global ids of allocated neurons.
        pre : Sequence of int
            Presynaptic side of each pair.
        post : Sequence of int
            Global ids of allocated neurons, one per pair.
        synapse : str or Sequence of str
            One synapse type for all pairs, or one per pair.
        weight : float or Sequence of float
            One weight for all pairs, or one per pair (integers 1..64 in hardware mode).

        Returns
        -------
        int
            The number of connections made.

        Raises
        ------
        HardwareLimitError
            For a neuron not allocated or outside the board, a bad weight, or a
            broken routing rule, naming it.
        ParameterError
            For an unknown pre kind, synapse type or input source, or lists of different lengths.
            Nothing is connected then.

        Examples
        --------
        >>> from dynapse_edu import RegularGenerator
        >>> board = Board(n_chips=1)
        >>> pop = board.get_neurons(3, core=0)
        >>> _ = board.add_input(RegularGenerator(2, 50.0))
        >>> board.connect_pairs("input", [0, 1, 1], [0, 1, 2], "AMPA", [2, 3, 4])
        3
        >>> board.connect_pairs("neuron", [0], [2], ["GABA_B"], 60)  # 4 + 60 CAM entries on neuron 2
        1
        >>> board.connect_pairs("neuron", [1], [2], "AMPA", 1)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        dynapse_edu.errors.HardwareLimitError: CAM fan-in: neuron 2 of core 0 of chip 0 (id 2) would need 65 ...
        """
        if pre_kind not in PRE_KINDS:
            raise ParameterError(f"pre_kind = {pre_kind!r}; allowed: {', '.join(map(repr, PRE_KINDS))}")
        post_ids = self._own_ids(np.atleast_1d(np.asarray(post)))
        n = post_ids.size
        names = [synapse] * n if isinstance(synapse, str) else list(synapse)
        syn = np.array([synapse_index(s) for s in names], dtype=np.int64)
        values = [weight] * n if np.ndim(weight) == 0 else list(weight)
        w = np.array([self._check_weight(x) for x in values], dtype=float)
        pre_arr = np.atleast_1d(np.asarray(pre))
        if not (pre_arr.size == n == syn.size == w.size):
            raise ParameterError(
                f"connect_pairs needs one pre, post, synapse and weight per pair, got {pre_arr.size} pre, {n} post, "
                f"{syn.size} synapse types and {w.size} weights"
            )
        if pre_kind == "input":
            if pre_arr.size and not np.issubdtype(pre_arr.dtype, np.integer):
                raise ParameterError(f"input source indices must be integers, got {pre_arr[:5]!r}")
            bad = pre_arr[(pre_arr < 0) | (pre_arr >= self.n_inputs)]
            if bad.size:
                raise ParameterError(
                    f"input source {int(bad[0])} does not exist: the board has {self.n_inputs} sources "
                    f"(0..{self.n_inputs - 1}; add_input registers a generator)"
                )
            pre_ids = pre_arr.astype(np.int64)
        else:
            pre_ids = self._own_ids(pre_arr)
        if n:
            self._store(pre_kind == "input", pre_ids, post_ids, syn, w)
        return int(n)

    def _store(self, from_input: bool, pre: np.ndarray, post: np.ndarray, syn: np.ndarray, w: np.ndarray) -> None:
        """Check connections against the routing memory and store them; all or nothing."""
        if self.hardware:  # the routing table checks everything before it changes anything
            if from_input:
                self._routing.add_inputs(post, w.astype(np.int64))
            else:
                self._routing.add_neurons(pre, post, w.astype(np.int64))
        self._from_input.append(np.full(len(pre), from_input, dtype=bool))
        self._pre.append(np.asarray(pre, np.int64))
        self._post.append(np.asarray(post, np.int64))
        self._syn.append(np.asarray(syn, np.int64))
        self._w.append(np.asarray(w, float))

    def connection_arrays(self) -> ConnectionArrays:
        """Every connection as parallel arrays, in the order they were made.

        Returns
        -------
        ConnectionArrays
            ``from_input`` (bool), ``pre``, ``post``, ``synapse`` (index into
            SYNAPSE_TYPES) and ``weight``, one entry per connection (new arrays).

        Examples
        --------
        >>> from dynapse_edu import RegularGenerator
        >>> board = Board(n_chips=1)
        >>> pop = board.get_neurons(2, core=0)
        >>> _ = board.add_connection(RegularGenerator(1, 10.0), pop, "NMDA", weight=2)
        >>> arrays = board.connection_arrays()
        >>> arrays.from_input.tolist(), arrays.post.tolist(), arrays.synapse.tolist()
        ([True, True], [0, 1], [1, 1])
        """

        def cat(parts: list[np.ndarray], dt: type) -> np.ndarray:
            return np.concatenate(parts).astype(dt) if parts else np.zeros(0, dt)

        return ConnectionArrays(cat(self._from_input, bool), cat(self._pre, np.int64), cat(self._post, np.int64),
                                cat(self._syn, np.int64), cat(self._w, float))

    @property
    def connections(self) -> list[Connection]:
        """Every connection as (pre, post, synapse type, weight), in the order they were made.

        Examples
        --------
        >>> board = Board(n_chips=1)
        >>> a, b = board.get_neurons(1, core=0), board.get_neurons(1, core=2)
        >>> _ = board.add_connection(a, b, "GABA_A", weight=2)
        >>> board.connections
        [Connection(pre=('neuron', 0), post=512, synapse='GABA_A', weight=2.0)]
        """
        arrays = self.connection_arrays()
        return [
            Connection(("input" if k else "neuron", int(a)), int(b), SYNAPSE_TYPES[s], float(x))
            for k, a, b, s, x in zip(*arrays, strict=True)
        ]

    def cam_used(self, neuron: int) -> int:
        """CAM entries in use by a neuron (counted in hardware mode only), out of 64.

        Parameters
        ----------
        neuron : int
            Global id.

        Returns
        -------
        int
            Entries in use: the sum of the weights of its incoming connections.

        Raises
        ------
        HardwareLimitError
            For an id outside the board.

        Examples
        --------
        >>> board = Board(n_chips=1)
        >>> a, b = board.get_neurons(3, core=0), board.get_neurons(1, core=1)
        >>> _ = board.add_connection(a, b, "AMPA", weight=5)
        >>> board.cam_used(b.ids[0])
        15
        """
        return int(self._routing.cam_used[check_ids([neuron], self.n_chips)[0]])

    def sram_entries(self, neuron: int) -> list[tuple[int, int]]:
        """SRAM entries of a neuron as (destination chip, 4-bit core mask); (-1, 0) is the host.

        Parameters
        ----------
        neuron : int
            Global id.

        Returns
        -------
        list of (int, int)
            Entry 0 is ``(-1, 0)`` when monitoring; then one entry per destination chip.

        Raises
        ------
        HardwareLimitError
            For an id outside the board.

        Examples
        --------
        >>> board = Board(n_chips=2)
        >>> a = board.get_neurons(1, core=0)
        >>> _ = board.add_connection(a, board.get_neurons(1, core=3, chip=1), "AMPA")
        >>> board.sram_entries(a.ids[0])  # core 3 of chip 1: mask 0b1000
        [(-1, 0), (1, 8)]
        """
        return self._routing.sram_entries(int(check_ids([neuron], self.n_chips)[0]))

    # --- simulation ----------------------------------------------------------
    def neuron_params(self, ids: Sequence[int] | np.ndarray | None = None) -> list[Params]:
        """The Params of each neuron: its core's biases, its leak choice, its mismatch.

        Parameters
        ----------
        ids : Sequence of int or None
            Global ids (default: all allocated neurons, ascending).

        Returns
        -------
        list of Params
            One per id, in the order given.

        Raises
        ------
        HardwareLimitError
            For an id outside the board.

        Examples
        --------
        >>> board = Board(n_chips=1)
        >>> pop = board.get_neurons(2, core=0)
        >>> board.use_tau2(pop[1:])
        >>> board.set_bias(0, "IF_TAU2_N", 1, 51)
        >>> [round(p.I_tau_mem * 1e12, 9) for p in board.neuron_params()]  # pA
        [5.0, 22.0]
        """
        ids = self.neuron_ids if ids is None else check_ids(ids, self.n_chips)
        factors = self.mismatch.factors(ids) if self.mismatch is not None else None
        out: list[Params] = []
        cache: dict[tuple[int, str], Params] = {}
        for j, i in enumerate(ids.tolist()):
            k = i // NEURONS_PER_CORE
            leak = "IF_TAU2_N" if self._tau2[i] else "IF_TAU1_N"
            if factors is not None:
                out.append(self._banks[k].neuron_params(leak, factors[j]))
                continue
            if (k, leak) not in cache:
                cache[k, leak] = self._banks[k].neuron_params(leak)
            out.append(cache[k, leak])
        return out

    def _recorded_ids(self, neurons: Population | Sequence[int]) -> np.ndarray:
        """The global ids ``run(neurons=...)`` asks for: a Population of this board or a list of ints."""
        if isinstance(neurons, Population):
            if neurons.chip is not self:
                raise ParameterError(f"run: neurons = {neurons!r} was allocated on another board or chip")
            return neurons.ids
        if isinstance(neurons, (str, bytes)) or not isinstance(neurons, (Sequence, np.ndarray)):
            raise ParameterError(f"run: neurons = {neurons!r:.100} must be a Population or a list of global ids")
        ids = np.asarray(list(neurons))
        if ids.size and ids.dtype.kind not in "iu":
            raise ParameterError(f"run: neurons = {neurons!r:.100} must be integer global ids")
        return ids.astype(np.int64)

    def build(self, duration: float) -> Network:
        """Compile the allocated neurons, their parameters, wiring and input spikes into a Network.

        Parameters
        ----------
        duration : float
            Simulated time in s (the input generators draw their spikes up to it).

        Returns
        -------
        Network
            What the integrators simulate (:mod:`dynapse_edu.core.network`);
            neuron ``j`` of the network is ``neuron_ids[j]``.

        Raises
        ------
        ParameterError
            For a bad duration, or no neuron allocated.

        Examples
        --------
        >>> from dynapse_edu import RegularGenerator
        >>> board = Board(n_chips=1)
        >>> pop = board.get_neurons(2, core=1)
        >>> _ = board.add_connection(RegularGenerator(1, 100.0), pop, "AMPA", weight=2)
        >>> net = board.build(0.05)
        >>> net.neuron_ids.tolist(), net.input_times.tolist()
        ([256, 257], [0.0, 0.01, 0.02, 0.03, 0.04])
        """
        duration = check_duration(duration)
        ids = self.neuron_ids
        if ids.size == 0:
            raise ParameterError("no neurons allocated: call get_neurons first")
        local = np.full(self._allocated.size, -1)
        local[ids] = np.arange(ids.size)
        table = NeuronTable.from_params(self.neuron_params(ids))
        from_input, pre, post, syn, w = self.connection_arrays()
        rec = ~from_input
        external = Projection.build(self.n_inputs, pre[from_input], local[post[from_input]], syn[from_input],
                                    w[from_input])
        recurrent = Projection.build(ids.size, local[pre[rec]], local[post[rec]], syn[rec], w[rec])
        idx_parts, t_parts = [np.zeros(0, np.int64)], [np.zeros(0)]
        for source, offset in zip(self._sources, self._source_offsets, strict=True):
            idx, times = source.spikes(duration)
            idx_parts.append(idx + offset)
            t_parts.append(times)
        in_idx, in_t = np.concatenate(idx_parts).astype(np.int64), np.concatenate(t_parts).astype(float)
        order = np.argsort(in_t, kind="stable")
        return Network(table, ids, in_idx[order], in_t[order], external, recurrent)

    def run(
        self,
        duration: float,
        method: str = "reference",
        dt: float | None = 1e-4,
        neurons: Population | Sequence[int] | None = None,
        at_spikes: bool = True,
        progress: bool | None = None,
    ) -> Result:
        """Simulate the board and return every state variable and the spikes.

        Parameters
        ----------
        duration : float
            Simulated time in s.
        method : str
            Integrator: ``"reference"`` (solve_ivp) or ``"fast"`` (compiled;
            :data:`~dynapse_edu.engines.registry.METHODS`).
        dt : float or None
            Sampling interval of the traces in s; None keeps no regular samples.
        neurons : Population, Sequence of int or None
            Neurons (global ids) whose traces are kept; all by default. Spike
            times are kept for every neuron.
        at_spikes : bool
            Also sample just before and after each spike.
        progress : bool or None
            A progress bar (reference integrator): True from the start, False never, None (default)
            once a run has taken 2 s. Ctrl-C stops a run with a one-line
            :class:`~dynapse_edu.engines.limits.RunInterrupted` holding the partial result.

        Returns
        -------
        Result
            Spike times (s) and traces (A) of the allocated neurons, in ``neuron_ids`` order.

        Raises
        ------
        ParameterError
            For a bad duration, dt, method or neuron list (ids not allocated, a Population
            of another board), or no neuron allocated. Nothing about the board changes.

        Examples
        --------
        >>> from dynapse_edu import RegularGenerator
        >>> board = Board(n_chips=1)
        >>> pop = board.get_neurons(1, core=0)
        >>> _ = board.add_connection(RegularGenerator(1, 100.0), pop, "AMPA", weight=4)
        >>> board.run(0.05, dt=None).spike_count.tolist()
        [2]
        """
        if not is_number(duration):
            raise ParameterError(f"run: duration = {duration!r} must be a number of seconds")
        if dt is not None and not is_number(dt):
            raise ParameterError(f"run: dt = {dt!r} must be a number of seconds (the sampling interval) or None")
        if not isinstance(method, str):
            raise ParameterError(f"run: method = {method!r} must be the name of an integrator (a str)")
        at_spikes = flag(at_spikes, "at_spikes", where="run")
        wanted = None if neurons is None else self._recorded_ids(neurons)
        net = self.build(duration)
        rec = None
        if wanted is not None:
            missing = np.setdiff1d(wanted, net.neuron_ids)
            if missing.size:
                raise ParameterError(
                    f"neurons {missing.tolist()} are not allocated; allocated: {net.neuron_ids.tolist()[:10]}..."
                )
            rec = np.searchsorted(net.neuron_ids, wanted)
        try:
            return simulate(net, duration, method, Record(dt=dt, neurons=rec, at_spikes=at_spikes), progress=progress)
        except IntegrationLimitError as err:  # the engines name parameters; the chip's user sets biases
            raise IntegrationLimitError(
                f"{err}{biases_of(err.parameters)}", err.parameters, err.neurons
            ) from None


__all__ = [
    "Board",
    "Population",
    "Connection",
    "ConnectionArrays",
    "core_number",
    "CORES_PER_CHIP",
    "NEURONS_PER_CORE",
    "NEURONS_PER_CHIP",
    "MAX_WEIGHT",
    "PRE_KINDS",
]
