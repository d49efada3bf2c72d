"""The routing memory of Dynap-SE1: CAM tags (fan-in), SRAM destinations (fan-out), aliasing.

Moradi et al. 2018, IEEE TBioCAS 12(1), section II-C: a mixture of 2-level
tag-based routing (within a chip) and mesh routing (between chips).

* Addresses: a board holds up to 4 chips, a chip 4 cores, a core 256 neurons
  (16 x 16). A neuron's global id is ``chip * 1024 + core * 256 + neuron``
  (:func:`global_id`, :func:`address`).
* Fan-in: each neuron has 64 CAM (content-addressable memory) entries. An
  entry holds a 10-bit source *tag* (2-bit core + 8-bit neuron id, no chip id,
  :func:`tag`) and a 2-bit synapse type. A connection of integer weight k
  uses k identical entries, so the weights onto one neuron add up to at most 64.
* Fan-out: each neuron has 4 SRAM entries, each naming one destination chip
  and a 4-bit mask of its cores. By convention entry 0 sends the neuron's
  spikes to the host for monitoring (``monitor=True``), leaving 3.
* Tag aliasing: a spike arrives at a core as its tag only; two presynaptic
  neurons on different chips with the same (core, neuron) id reaching one core
  cannot be told apart, so that configuration is rejected.

Input spike generators (the FPGA) use CAM entries of their targets like any
source; their virtual tags are not modelled (no aliasing check for inputs).

:class:`RoutingTable` keeps the memory of a whole board. Its methods
:meth:`~RoutingTable.add_inputs` and :meth:`~RoutingTable.add_neurons` check a
batch of connections and raise :class:`~dynapse_edu.errors.HardwareLimitError`
naming the rule, the value, the limit and the neuron before changing anything.

>>> t = RoutingTable(n_chips=2)
>>> t.add_neurons(pre=[5], post=[1024 + 7], weight=[3])  # chip 0 -> chip 1, weight 3
>>> int(t.cam_used[1024 + 7]), t.destinations[5]
(3, {1: 1})
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from ..errors import HardwareLimitError

CHIPS_PER_BOARD = 4
CORES_PER_CHIP = 4
NEURONS_PER_CORE = 256
NEURONS_PER_CHIP = CORES_PER_CHIP * NEURONS_PER_CORE
CAM_PER_NEURON = 64
SRAM_PER_NEURON = 4
TAG_BITS = 10


def global_id(chip: int, core: int, neuron: int) -> int:
    """Global neuron id ``chip * 1024 + core * 256 + neuron``.

    Parameters
    ----------
    chip : int
        Chip 0..3.
    core : int
        Core 0..3.
    neuron : int
        Neuron in the core, 0..255.

    Returns
    -------
    int
        The global id.

    Examples
    --------
    >>> global_id(1, 2, 17)
    1553
    """
    return chip * NEURONS_PER_CHIP + core * NEURONS_PER_CORE + neuron


def address(neuron: int) -> tuple[int, int, int]:
    """(chip, core, neuron in core) of a global id; the inverse of :func:`global_id`.

    Parameters
    ----------
    neuron : int
        Global id.

    Returns
    -------
    tuple of int
        (chip, core, neuron in core).

    Examples
    --------
    >>> address(1024 + 2 * 256 + 17)
    (1, 2, 17)
    """
    neuron = int(neuron)
    return neuron // NEURONS_PER_CHIP, (neuron // NEURONS_PER_CORE) % CORES_PER_CHIP, neuron % NEURONS_PER_CORE


def tag(neuron: int | np.ndarray) -> int | np.ndarray:
    """The 10-bit CAM tag of a neuron: (core << 8) | neuron in core; the chip id is lost.

    Parameters
    ----------
    neuron : int or ndarray of int
        Global id(s).

    Returns
    -------
    int or ndarray of int
        The tag(s), 0..1023.

    Examples
    --------
    >>> tag(global_id(0, 1, 5)), tag(global_id(3, 1, 5))  # two chips, one tag: aliasing
    (261, 261)
    """
    return np.asarray(neuron) % NEURONS_PER_CHIP if isinstance(neuron, np.ndarray) else int(neuron) % NEURONS_PER_CHIP


def describe(neuron: int) -> str:
    """How error messages name a neuron.

    Parameters
    ----------
    neuron : int
        Global id.

    Returns
    -------
    str
        The neuron's address in words.

    Examples
    --------
    >>> describe(1553)
    'neuron 17 of core 2 of chip 1 (id 1553)'
    """
    chip, core, n = address(neuron)
    return f"neuron {n} of core {core} of chip {chip} (id {int(neuron)})"


class RoutingTable:
    """CAM use, SRAM destinations and per-core tags of a board of ``n_chips`` chips.

    Parameters
    ----------
    n_chips : int
        Chips on the board (1..4).
    monitor : bool
        Reserve SRAM entry 0 of every neuron for sending spikes to the host
        (the convention of the chip's software), leaving 3 destinations.

    Examples
    --------
    >>> table = RoutingTable(n_chips=1, monitor=False)
    >>> table.sram_available
    4
    """

    def __init__(self, n_chips: int = CHIPS_PER_BOARD, monitor: bool = True) -> None:
        self.n_chips = n_chips
        self.monitor = bool(monitor)
        #: CAM entries in use per neuron (global id)
        self.cam_used = np.zeros(n_chips * NEURONS_PER_CHIP, dtype=np.int64)
        #: source neuron -> {destination chip: 4-bit core mask}
        self.destinations: dict[int, dict[int, int]] = {}
        #: (destination chip, destination core) -> {tag: source neuron}
        self.core_tags: dict[tuple[int, int], dict[int, int]] = {}

    @property
    def sram_available(self) -> int:
        """SRAM entries free for connections per neuron: 4, or 3 when entry 0 is kept for monitoring."""
        return SRAM_PER_NEURON - int(self.monitor)

    def copy(self) -> RoutingTable:
        """An independent copy (used to check a batch without touching this table)."""
        return copy.deepcopy(self)

    def add_inputs(self, post: ArrayLike, weight: ArrayLike) -> None:
        """Record connections from input generators: CAM entries only; all or nothing.

        Parameters
        ----------
        post : ndarray of int
            Global id of the target of each connection.
        weight : ndarray of int
            Its integer weight (CAM entries).

        Raises
        ------
        HardwareLimitError
            If a neuron would need more than 64 CAM entries; nothing is recorded then.

        Examples
        --------
        >>> table = RoutingTable(n_chips=1)
        >>> table.add_inputs([3, 3], [10, 20])
        >>> int(table.cam_used[3])
        30
        """
        post, weight = np.asarray(post, np.int64), np.asarray(weight, np.int64)
        used = self._check_cam(post, weight)
        self.cam_used = used

    def add_neurons(self, pre: ArrayLike, post: ArrayLike, weight: ArrayLike) -> None:
        """Record neuron-to-neuron connections: CAM entries, SRAM destinations, tags; all or nothing.

        Parameters
        ----------
        pre : ndarray of int
            Global id of the source of each connection.
        post : ndarray of int
            Global id of its target.
        weight : ndarray of int
            Its integer weight (CAM entries).

        Raises
        ------
        HardwareLimitError
            For CAM fan-in beyond 64 entries, SRAM fan-out beyond the free
            entries, or tag aliasing, naming the neuron; nothing is recorded then.

        Examples
        --------
        >>> table = RoutingTable(n_chips=2)
        >>> table.add_neurons([0, 0], [300, 1024 + 300], [1, 1])  # one source, two chips
        >>> table.sram_entries(0)
        [(-1, 0), (0, 2), (1, 2)]
        """
        pre, post = np.asarray(pre, np.int64), np.asarray(post, np.int64)
        weight = np.asarray(weight, np.int64)
        used = self._check_cam(post, weight)
        # fan-out: destination chips and core masks per source neuron
        dest_chip, dest_core = post // NEURONS_PER_CHIP, (post // NEURONS_PER_CORE) % CORES_PER_CHIP
        pairs = np.unique(np.stack([pre, dest_chip, dest_core]), axis=1) if pre.size else np.zeros((3, 0), np.int64)
        sources = set(pairs[0].tolist())
        destinations = {k: dict(v) for k, v in self.destinations.items() if k in sources}
        for s, c, k in pairs.T.tolist():
            masks = destinations.setdefault(s, {})
            masks[c] = masks.get(c, 0) | (1 << k)
            if len(masks) > self.sram_available:
                reserved = " (entry 0 is kept for monitoring; Board(monitor=False) frees it)" if self.monitor else ""
                raise HardwareLimitError(
                    f"SRAM fan-out: {describe(s)} would need {len(masks)} destination chips {sorted(masks)}, "
                    f"but a neuron has {self.sram_available} SRAM entries for destinations{reserved}"
                )
        # tag aliasing: one tag per destination core may come from one source only
        cores = set(zip(pairs[1].tolist(), pairs[2].tolist(), strict=True))
        core_tags = {key: dict(v) for key, v in self.core_tags.items() if key in cores}
        for s, c, k in pairs.T.tolist():
            tags = core_tags.setdefault((c, k), {})
            other = tags.setdefault(tag(s), s)
            if other != s:
                raise HardwareLimitError(
                    f"tag aliasing: {describe(other)} and {describe(s)} share the CAM tag {tag(s)} "
                    f"(core {tag(s) // NEURONS_PER_CORE}, neuron {tag(s) % NEURONS_PER_CORE}; tags carry no chip id) "
                    f"and cannot both reach core {k} of chip {c}"
                )
        # every check passed: commit (nothing above changed self)
        self.cam_used = used
        self.destinations.update(destinations)
        self.core_tags.update(core_tags)

    def _check_cam(self, post: np.ndarray, weight: np.ndarray) -> np.ndarray:
        used = self.cam_used + np.bincount(post, weights=weight, minlength=self.cam_used.size).astype(np.int64)
        over = np.flatnonzero(used > CAM_PER_NEURON)
        if over.size:
            n = int(over[0])
            raise HardwareLimitError(
                f"CAM fan-in: {describe(n)} would need {int(used[n])} CAM entries "
                f"({int(self.cam_used[n])} in use + {int(used[n] - self.cam_used[n])} new; a connection of weight k "
                f"uses k entries), but a neuron has {CAM_PER_NEURON}"
            )
        return used

    def sram_entries(self, neuron: int) -> list[tuple[int, int]]:
        """The SRAM entries of a neuron as (destination chip, 4-bit core mask).

        Parameters
        ----------
        neuron : int
            Global id.

        Returns
        -------
        list of (int, int)
            Entry 0 is the host, ``(-1, 0)``, when monitoring; then one entry per
            destination chip, in chip order.

        Examples
        --------
        >>> RoutingTable(n_chips=1).sram_entries(5)
        [(-1, 0)]
        """
        entries = [(-1, 0)] if self.monitor else []
        return entries + sorted(self.destinations.get(int(neuron), {}).items())


def check_ids(ids: Sequence[int] | np.ndarray, n_chips: int) -> np.ndarray:
    """Global neuron ids, checked: integers that exist on a board of ``n_chips`` chips.

    Parameters
    ----------
    ids : Sequence of int
        Global ids.
    n_chips : int
        Chips on the board.

    Returns
    -------
    ndarray of int
        The ids (int64).

    Raises
    ------
    HardwareLimitError
        For a non-integer id or one outside 0..n_chips * 1024 - 1.

    Examples
    --------
    >>> check_ids([0, 1023], n_chips=1).tolist()
    [0, 1023]
    """
    arr = np.asarray(ids)
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise HardwareLimitError(f"neuron ids must be integers, got {arr[:5]!r}")
    arr = arr.astype(np.int64)
    limit = n_chips * NEURONS_PER_CHIP
    bad = arr[(arr < 0) | (arr >= limit)]
    if bad.size:
        raise HardwareLimitError(
            f"neuron id {int(bad[0])} does not exist: a board of {n_chips} chip(s) has ids 0..{limit - 1}"
        )
    return arr


__all__ = [
    "CHIPS_PER_BOARD",
    "CORES_PER_CHIP",
    "NEURONS_PER_CORE",
    "NEURONS_PER_CHIP",
    "CAM_PER_NEURON",
    "SRAM_PER_NEURON",
    "TAG_BITS",
    "global_id",
    "address",
    "tag",
    "describe",
    "RoutingTable",
    "check_ids",
]
