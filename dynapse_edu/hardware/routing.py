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
  cannot be told apart. The chip merges their spikes silently; this module
  refuses (:class:`RoutingTable`) or reports (:func:`check_mapping`) it.

Input spike generators (the FPGA) use CAM entries of their targets like any
source; their virtual tags are not modelled (no aliasing check for inputs).
Neither is the *virtual core id* an SRAM entry can put into the tag in place
of the sender's core (libcaer's ``caerDynapseWriteSram`` takes one): here a tag
is always the sender's own (core, neuron).

Mapping a network (chapter *Events and routing*): describe it as
:class:`Group` and :class:`Link` objects, then apply the four steps
:func:`cam_budget` (fan-in per neuron, fixed by the network), :func:`cores_needed`
(one bias set per core), :func:`place` (global ids) and :func:`check_mapping`
(every rule, every neuron: CAM, SRAM, shared biases, aliasing);
:func:`traffic` counts the events per second the mapping puts on the routing
fabric.

>>> groups = [Group("exc", 16), Group("inh", 4, biases="inh")]
>>> links = [Link("exc", "exc", 3), Link("exc", "inh", 4), Link("inh", "exc", 4)]
>>> cam_budget(groups, links), cores_needed(groups)
({'exc': 64, 'inh': 64}, {'default': 1, 'inh': 1})
>>> check_mapping(groups, links, place(groups)).ok
True

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
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from ..core.synapse import synapse_index
from ..errors import HardwareLimitError, ParameterError

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


# --- mapping a network onto cores: the worked method of the chapter *Events and routing* ------------
#: Connection rules a :class:`Link` may use.
RULES = ("all_to_all", "one_to_one")
#: Placement strategies of :func:`place`.
STRATEGIES = ("compact", "spread")


@dataclass(frozen=True)
class Group:
    """A population of a network to map: ``size`` neurons sharing one set of biases, or an input.

    Neurons whose biases differ cannot share a core (the 25 biases of a core
    are shared by its 256 neurons), so ``biases`` names the bias set a group
    needs: groups with the same name may share cores, others may not. An input
    group (``source=True``) stands for FPGA spike generators: it uses CAM
    entries of its targets but no neurons, no SRAM and no tags.

    Parameters
    ----------
    name : str
        Unique name of the group.
    size : int
        Number of neurons (or input sources), >= 1.
    biases : str
        Name of the bias set the group needs (default ``"default"``).
    source : bool
        True for an input generator, False for neurons on the chip.

    Examples
    --------
    >>> Group("exc", 16, biases="excitatory")
    Group(name='exc', size=16, biases='excitatory', source=False)
    """

    name: str
    size: int
    biases: str = "default"
    source: bool = False


@dataclass(frozen=True)
class Link:
    """A projection from group ``pre`` to group ``post``: every pair uses ``weight`` CAM entries of its target.

    Parameters
    ----------
    pre, post : str
        Names of the source group (neurons or input) and the target group (neurons).
    weight : int
        Integer weight, 1..64: CAM entries per connection.
    rule : str
        ``"all_to_all"`` (every source to every target) or ``"one_to_one"`` (equal sizes, source k to target k).
    synapse : str
        ``"AMPA"``, ``"NMDA"``, ``"GABA_A"`` or ``"GABA_B"``.

    Examples
    --------
    >>> Link("exc", "inh", weight=4)
    Link(pre='exc', post='inh', weight=4, rule='all_to_all', synapse='AMPA')
    """

    pre: str
    post: str
    weight: int = 1
    rule: str = "all_to_all"
    synapse: str = "AMPA"


def check_network(groups: Sequence[Group], links: Sequence[Link]) -> dict[str, Group]:
    """Check a network description and return its groups by name.

    Parameters
    ----------
    groups : sequence of Group
        The populations and inputs.
    links : sequence of Link
        The projections between them.

    Returns
    -------
    dict of str to Group
        The groups by name, in the order given.

    Raises
    ------
    ParameterError
        For a name used twice, a link naming an unknown group or ending on an input, an unknown
        rule or synapse type, a size that is not a positive integer, or one_to_one between groups
        of different sizes.
    HardwareLimitError
        For a weight that is not an integer in 1..64 (a weight is a number of CAM entries), or a
        group of neurons larger than a board (4096 neurons).

    Examples
    --------
    >>> sorted(check_network([Group("a", 2), Group("b", 2)], [Link("a", "b", 3, "one_to_one")]))
    ['a', 'b']
    """
    by_name: dict[str, Group] = {}
    for g in groups:
        if not isinstance(g, Group):
            raise ParameterError(f"groups must be Group objects, got {g!r}")
        if not isinstance(g.name, str) or not g.name or not isinstance(g.biases, str):
            raise ParameterError(f"group {g.name!r}: name and biases must be non-empty strings, got name {g.name!r}, "
                                 f"biases {g.biases!r}")
        if g.name in by_name:
            raise ParameterError(f"group name {g.name!r} is used twice; names must be unique")
        if isinstance(g.size, bool) or not isinstance(g.size, (int, np.integer)) or g.size < 1:
            raise ParameterError(f"group {g.name!r}: size = {g.size!r} must be a positive integer")
        limit = CHIPS_PER_BOARD * NEURONS_PER_CHIP
        if not g.source and g.size > limit:
            raise HardwareLimitError(f"group {g.name!r}: size = {g.size} neurons, but a board has {limit} (1..{limit})")
        by_name[g.name] = g
    for link in links:
        if not isinstance(link, Link):
            raise ParameterError(f"links must be Link objects, got {link!r}")
        for end in (link.pre, link.post):
            if end not in by_name:
                raise ParameterError(f"link {link.pre!r} -> {link.post!r}: unknown group {end!r}; "
                                     f"groups: {list(by_name)}")
        if by_name[link.post].source:
            raise ParameterError(f"link {link.pre!r} -> {link.post!r}: the target {link.post!r} is an input; "
                                 "inputs only send spikes")
        w = link.weight
        if isinstance(w, bool) or not isinstance(w, (int, np.integer)) or not 1 <= w <= CAM_PER_NEURON:
            raise HardwareLimitError(f"link {link.pre!r} -> {link.post!r}: weight = {w!r} must be an integer "
                                     f"number of CAM entries in 1..{CAM_PER_NEURON}")
        if link.rule not in RULES:
            raise ParameterError(f"link {link.pre!r} -> {link.post!r}: unknown rule {link.rule!r}; allowed: {RULES}")
        if link.rule == "one_to_one" and by_name[link.pre].size != by_name[link.post].size:
            raise ParameterError(f"link {link.pre!r} -> {link.post!r}: one_to_one needs equal sizes, got "
                                 f"{by_name[link.pre].size} and {by_name[link.post].size}")
        synapse_index(link.synapse)
    return by_name


def cam_budget(groups: Sequence[Group], links: Sequence[Link]) -> dict[str, int]:
    """Step 1 of the mapping method: CAM entries each neuron of each group needs, before any placement.

    A target of an all-to-all link of weight ``w`` from ``n`` sources needs
    ``n * w`` entries, of a one-to-one link ``w``; a neuron's links add up.
    The placement cannot change these numbers: only the network (sizes,
    weights, connectivity) can. Each must be at most 64 (Moradi et al. 2018).

    Parameters
    ----------
    groups : sequence of Group
        The populations and inputs.
    links : sequence of Link
        The projections.

    Returns
    -------
    dict of str to int
        CAM entries per neuron, for every group of neurons (inputs have none).

    Raises
    ------
    ParameterError, HardwareLimitError
        For an invalid network (:func:`check_network`).

    Examples
    --------
    >>> groups = [Group("in", 8, source=True), Group("exc", 8), Group("inh", 2)]
    >>> links = [Link("in", "exc", 4, "one_to_one"), Link("exc", "exc", 5), Link("inh", "exc", 4)]
    >>> cam_budget(groups, links)  # exc: 4 + 8 x 5 + 2 x 4
    {'exc': 52, 'inh': 0}
    """
    by_name = check_network(groups, links)
    need = {g.name: 0 for g in groups if not g.source}
    for link in links:
        sources = by_name[link.pre].size if link.rule == "all_to_all" else 1
        need[link.post] += sources * int(link.weight)
    return need


def cores_needed(groups: Sequence[Group]) -> dict[str, int]:
    """Step 2 of the mapping method: cores each bias set needs, at 256 neurons per core.

    Parameters
    ----------
    groups : sequence of Group
        The populations (inputs are skipped: they take no core).

    Returns
    -------
    dict of str to int
        ``ceil(neurons of the set / 256)`` per bias set; their sum is the fewest cores the network fits in.

    Examples
    --------
    >>> cores_needed([Group("a", 200, "exc"), Group("b", 100, "exc"), Group("c", 10, "inh")])
    {'exc': 2, 'inh': 1}
    """
    check_network(groups, [])
    neurons: dict[str, int] = {}
    for g in groups:
        if not g.source:
            neurons[g.biases] = neurons.get(g.biases, 0) + int(g.size)
    return {name: -(-n // NEURONS_PER_CORE) for name, n in neurons.items()}


def place(groups: Sequence[Group], n_chips: int = 1, strategy: str = "compact") -> dict[str, np.ndarray]:
    """Step 3 of the mapping method: give every group global neuron ids, one bias set per core.

    Groups are placed in the order given, each into the lowest free ids of
    cores that hold its bias set or nothing yet (a large group spans cores).
    ``"compact"`` starts every group on chip 0 and fills the fewest cores;
    ``"spread"`` starts group k on chip ``k % n_chips``, as one might to spread
    the load: groups on different chips then get the same (core, neuron)
    numbers, hence the same tags, which :func:`check_mapping` reports when they
    reach the same core (aliasing).

    Parameters
    ----------
    groups : sequence of Group
        The populations (inputs are skipped).
    n_chips : int
        Chips on the board, 1..4.
    strategy : str
        ``"compact"`` or ``"spread"``.

    Returns
    -------
    dict of str to ndarray of int
        The global ids of each group of neurons.

    Raises
    ------
    HardwareLimitError
        If ``n_chips`` is not 1..4, or the groups need more cores than the board has.
    ParameterError
        For an unknown strategy or an invalid group.

    Examples
    --------
    >>> ids = place([Group("a", 3, "exc"), Group("b", 2, "exc"), Group("c", 1, "inh")])
    >>> {name: v.tolist() for name, v in ids.items()}
    {'a': [0, 1, 2], 'b': [3, 4], 'c': [256]}
    >>> place([Group("a", 2), Group("b", 2)], n_chips=2, strategy="spread")["b"].tolist()
    [1024, 1025]
    """
    check_network(groups, [])
    check_chips(n_chips)
    if strategy not in STRATEGIES:
        raise ParameterError(f"unknown strategy {strategy!r}; allowed: {STRATEGIES}")
    n_cores = n_chips * CORES_PER_CHIP
    core_biases: list[str | None] = [None] * n_cores
    core_used = [0] * n_cores
    placement: dict[str, np.ndarray] = {}
    neuron_groups = [g for g in groups if not g.source]
    for k, g in enumerate(neuron_groups):
        first_chip = k % n_chips if strategy == "spread" else 0
        order = [((first_chip + c // CORES_PER_CHIP) % n_chips) * CORES_PER_CHIP + c % CORES_PER_CHIP
                 for c in range(n_cores)]
        remaining, ids = int(g.size), []
        for core in order:
            if remaining == 0:
                break
            if core_biases[core] not in (None, g.biases) or core_used[core] == NEURONS_PER_CORE:
                continue
            take = min(NEURONS_PER_CORE - core_used[core], remaining)
            start = core * NEURONS_PER_CORE + core_used[core]
            ids.append(np.arange(start, start + take, dtype=np.int64))
            core_biases[core], core_used[core] = g.biases, core_used[core] + take
            remaining -= take
        if remaining:
            raise HardwareLimitError(
                f"group {g.name!r} ({g.size} neurons, biases {g.biases!r}) does not fit: {remaining} neurons find "
                f"no core that is free or holds bias set {g.biases!r}; the network needs "
                f"{sum(cores_needed(groups).values())} cores, the board has {n_cores} ({n_chips} chip(s) x 4)"
            )
        placement[g.name] = np.concatenate(ids)
    return placement


def check_chips(n_chips: int) -> int:
    """``n_chips`` as an int if a board can have that many chips (1..4); else a HardwareLimitError.

    Parameters
    ----------
    n_chips : int
        Chips on the board.

    Returns
    -------
    int
        ``int(n_chips)``.

    Examples
    --------
    >>> check_chips(2)
    2
    """
    if isinstance(n_chips, bool) or not isinstance(n_chips, (int, np.integer)) or not 1 <= n_chips <= CHIPS_PER_BOARD:
        raise HardwareLimitError(f"n_chips = {n_chips!r}: a board holds 1..{CHIPS_PER_BOARD} chips")
    return int(n_chips)


@dataclass
class Pairs:
    """Every connection of a mapped network as parallel arrays (one entry per connection).

    ``from_input`` marks input sources, whose ``pre`` is a source index
    (inputs numbered on in the order of the groups); otherwise ``pre`` is a
    global neuron id. ``synapse`` indexes SYNAPSE_TYPES; ``weight`` counts CAM entries.
    """

    from_input: np.ndarray
    pre: np.ndarray
    post: np.ndarray
    synapse: np.ndarray
    weight: np.ndarray


def connection_pairs(groups: Sequence[Group], links: Sequence[Link], placement: dict[str, np.ndarray]) -> Pairs:
    """Expand the links of a placed network into explicit connections.

    Parameters
    ----------
    groups : sequence of Group
        The populations and inputs.
    links : sequence of Link
        The projections.
    placement : dict of str to ndarray of int
        Global ids of every group of neurons (from :func:`place` or chosen by hand).

    Returns
    -------
    Pairs
        One entry per (source, target) connection.

    Raises
    ------
    ParameterError, HardwareLimitError
        For an invalid network, or a placement that misses a group or gives it the wrong number of ids.

    Examples
    --------
    >>> groups = [Group("in", 2, source=True), Group("a", 2)]
    >>> pairs = connection_pairs(groups, [Link("in", "a", 3)], {"a": np.array([5, 6])})
    >>> pairs.pre.tolist(), pairs.post.tolist(), pairs.weight.tolist()
    ([0, 0, 1, 1], [5, 6, 5, 6], [3, 3, 3, 3])
    """
    by_name = check_network(groups, links)
    ids = _placed_ids(by_name, placement)
    offsets, total = {}, 0
    for g in groups:
        if g.source:
            offsets[g.name], total = total, total + int(g.size)
    parts: list[tuple[np.ndarray, ...]] = []
    for link in links:
        src = by_name[link.pre]
        pre = np.arange(src.size, dtype=np.int64) + offsets[src.name] if src.source else ids[src.name]
        post = ids[link.post]
        if link.rule == "all_to_all":
            pre, post = np.repeat(pre, post.size), np.tile(post, pre.size)
        n = pre.size
        parts.append((np.full(n, src.source), pre, post, np.full(n, synapse_index(link.synapse), np.int64),
                      np.full(n, int(link.weight), np.int64)))
    if not parts:
        empty = np.zeros(0, np.int64)
        return Pairs(np.zeros(0, bool), empty, empty.copy(), empty.copy(), empty.copy())
    return Pairs(*(np.concatenate(column) for column in zip(*parts, strict=True)))


def _placed_ids(by_name: dict[str, Group], placement: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The placement's ids per group of neurons, checked: every group present, the right count, integers."""
    ids = {}
    for name, g in by_name.items():
        if g.source:
            continue
        if name not in placement:
            raise ParameterError(f"the placement has no ids for group {name!r}")
        arr = np.asarray(placement[name]).ravel()
        if arr.size != g.size:
            raise ParameterError(f"group {name!r} has {g.size} neurons but the placement gives it {arr.size} ids")
        ids[name] = arr
    return ids


@dataclass
class MappingReport:
    """What a mapping uses of the routing memory, per neuron, and every rule it breaks.

    Attributes
    ----------
    neurons : ndarray of int
        Global ids of all placed neurons, group after group.
    group : list of str
        The group of each of those neurons.
    cam_used : ndarray of int
        CAM entries in use per neuron (of 64).
    sram_used : ndarray of int
        SRAM entries in use per neuron (of 4), the host's entry included when monitoring.
    sram_available : int
        Entries for destinations per neuron: 4, or 3 when monitoring.
    core_biases : dict
        (chip, core) -> the bias sets of the groups placed there (more than one is a violation).
    aliased : list of (int, int, int, list of int)
        (destination chip, destination core, tag, the source ids sharing that tag): every place where
        the chip would merge spikes of different neurons.
    violations : list of str
        One sentence per broken rule; empty when the mapping fits.
    """

    neurons: np.ndarray
    group: list[str]
    cam_used: np.ndarray
    sram_used: np.ndarray
    sram_available: int
    core_biases: dict[tuple[int, int], list[str]]
    aliased: list[tuple[int, int, int, list[int]]]
    violations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True if the mapping breaks no rule."""
        return not self.violations


def check_mapping(
    groups: Sequence[Group],
    links: Sequence[Link],
    placement: dict[str, np.ndarray],
    n_chips: int = 1,
    monitor: bool = True,
) -> MappingReport:
    """Step 4 of the mapping method: check a placed network against every rule and count what it uses.

    Unlike :class:`RoutingTable`, which refuses a batch at the first broken
    rule, this reports all of them, so a student sees the whole picture:
    ids that do not exist or are used twice, cores holding two bias sets,
    neurons with more than 64 CAM entries (fan-in), neurons needing more
    destination chips than SRAM entries (fan-out), and tags that reach one
    core from two neurons (aliasing: the chip would merge them silently).

    Parameters
    ----------
    groups : sequence of Group
        The populations and inputs.
    links : sequence of Link
        The projections.
    placement : dict of str to ndarray of int
        Global ids of every group of neurons.
    n_chips : int
        Chips on the board, 1..4.
    monitor : bool
        SRAM entry 0 of every neuron kept for the host (3 destinations left).

    Returns
    -------
    MappingReport
        Per-neuron CAM and SRAM use, per-core bias sets, aliased tags, violations.

    Raises
    ------
    ParameterError, HardwareLimitError
        For an invalid network or n_chips, or a placement that misses a group.

    Examples
    --------
    >>> groups = [Group("a", 2), Group("b", 2), Group("c", 1)]
    >>> links = [Link("a", "c", 2), Link("b", "c", 2)]
    >>> report = check_mapping(groups, links, place(groups, n_chips=3, strategy="spread"), n_chips=3)
    >>> report.ok, int(report.cam_used.max()), len(report.aliased)
    (False, 8, 2)
    >>> print(report.violations[0])  # doctest: +NORMALIZE_WHITESPACE
    tag aliasing: 2 tag(s) reach core 0 of chip 2 from more than one neuron (first: tag 0 = core 0, neuron 0,
    from ids [0, 1024]); the chip would merge their spikes
    """
    by_name = check_network(groups, links)
    n_chips = check_chips(n_chips)
    ids = _placed_ids(by_name, placement)
    violations: list[str] = []
    neurons = np.concatenate(list(ids.values())) if ids else np.zeros(0, np.int64)
    names = [name for name, v in ids.items() for _ in range(v.size)]
    limit = n_chips * NEURONS_PER_CHIP
    bad = neurons[(neurons < 0) | (neurons >= limit)]
    if bad.size:
        raise HardwareLimitError(f"neuron id {int(bad[0])} does not exist: a board of {n_chips} chip(s) "
                                 f"has ids 0..{limit - 1}")
    values, counts = np.unique(neurons, return_counts=True)
    for n in values[counts > 1].tolist():
        violations.append(f"{describe(n)} is placed in two groups")
    # one bias set per core
    core_biases: dict[tuple[int, int], list[str]] = {}
    for name, v in ids.items():
        for n in np.unique(v // NEURONS_PER_CORE).tolist():
            sets = core_biases.setdefault(divmod(n, CORES_PER_CHIP), [])
            if by_name[name].biases not in sets:
                sets.append(by_name[name].biases)
    for (chip, core), sets in sorted(core_biases.items()):
        if len(sets) > 1:
            violations.append(f"shared biases: core {core} of chip {chip} holds groups needing bias sets {sets}; "
                              "a core has one set of biases")
    pairs = connection_pairs(groups, links, ids)
    # fan-in: CAM entries per target
    cam = np.bincount(pairs.post, weights=pairs.weight, minlength=limit).astype(np.int64)
    for name, v in ids.items():
        over = v[cam[v] > CAM_PER_NEURON]
        if over.size:
            violations.append(f"CAM fan-in: {over.size} neuron(s) of group {name!r} need up to {int(cam[over].max())} "
                              f"CAM entries (first: {describe(int(over[0]))}), a neuron has {CAM_PER_NEURON}")
    # fan-out: destination chips per source neuron, and the tags arriving at each core. A (source, destination
    # core) pair is one int key, source * n_cores + core, so that numpy finds the distinct pairs in one sort.
    own = ~pairs.from_input
    n_cores = n_chips * CORES_PER_CHIP
    keys = np.unique(pairs.pre[own] * n_cores + pairs.post[own] // NEURONS_PER_CORE)
    source, core = keys // n_cores, keys % n_cores
    chip_keys = np.unique(source * n_chips + core // CORES_PER_CHIP)
    n_dest = np.bincount(chip_keys // n_chips, minlength=limit).astype(np.int64)
    available = SRAM_PER_NEURON - int(bool(monitor))
    host = " (entry 0 is kept for the host)" if monitor else ""
    for name, v in ids.items():
        over = v[n_dest[v] > available]
        if over.size:
            violations.append(f"SRAM fan-out: {over.size} neuron(s) of group {name!r} reach up to "
                              f"{int(n_dest[over].max())} chips (first: {describe(int(over[0]))}), but a neuron has "
                              f"{available} SRAM entries for destinations{host}")
    # aliasing: a (destination core, tag) reached by more than one source neuron
    arriving = core * NEURONS_PER_CHIP + source % NEURONS_PER_CHIP
    shared, counts = np.unique(arriving, return_counts=True)
    aliased = []
    for key in shared[counts > 1].tolist():
        c, k = divmod(key // NEURONS_PER_CHIP, CORES_PER_CHIP)
        aliased.append((c, k, key % NEURONS_PER_CHIP, sorted(source[arriving == key].tolist())))
    for c, k in sorted({(c, k) for c, k, _, _ in aliased}):
        here = [(t, s) for cc, kk, t, s in aliased if (cc, kk) == (c, k)]
        t, sources = here[0]
        violations.append(f"tag aliasing: {len(here)} tag(s) reach core {k} of chip {c} from more than one neuron "
                          f"(first: tag {t} = core {t // NEURONS_PER_CORE}, neuron {t % NEURONS_PER_CORE}, from ids "
                          f"{sources}); the chip would merge their spikes")
    return MappingReport(
        neurons=neurons, group=names, cam_used=cam[neurons], sram_used=n_dest[neurons] + int(bool(monitor)),
        sram_available=available, core_biases=core_biases, aliased=aliased, violations=violations,
    )


def traffic(
    groups: Sequence[Group],
    links: Sequence[Link],
    placement: dict[str, np.ndarray],
    rates: Mapping[str, float],
    monitor: bool = True,
) -> dict[str, float]:
    """Events per second that a mapped network puts on each part of the routing fabric.

    A spike of a neuron is one address event out of its core (encoder and R1 in
    Moradi et al. 2018); it is broadcast once to each destination core (R2 for
    a core of the same chip, R3 for a core of another chip); at each core every
    matching CAM entry makes one synaptic event. Input events enter the
    chips from the FPGA. Numbers of events only: how many a real link
    carries per second is the chip's, not the model's.

    Parameters
    ----------
    groups : sequence of Group
        The populations and inputs.
    links : sequence of Link
        The projections.
    placement : dict of str to ndarray of int
        Global ids of every group of neurons.
    rates : dict of str to float
        Mean rate of every group, Hz (neurons and inputs; a group left out counts as 0 Hz).
    monitor : bool
        Every spike is also sent to the host.

    Returns
    -------
    dict of str to float
        ``spikes`` (address events out of the neurons), ``core_broadcasts``
        (neuron events delivered to destination cores), ``chip_crossings`` (of
        those, to a core of another chip), ``input_events`` (input events
        delivered to destination cores), ``synaptic_events`` (CAM matches,
        weight included, inputs included) and ``host`` (events to the
        computer), all in events/s.

    Raises
    ------
    ParameterError
        For an unknown group in ``rates`` or a rate that is negative or not finite.

    Examples
    --------
    >>> groups = [Group("a", 10), Group("b", 10)]
    >>> out = traffic(groups, [Link("a", "b", 2)], place(groups), {"a": 50.0})
    >>> out["spikes"], out["core_broadcasts"], out["synaptic_events"]  # 10 x 50; one core; 10 x 10 x 2 x 50
    (500.0, 500.0, 10000.0)
    """
    by_name = check_network(groups, links)
    if not isinstance(rates, Mapping):
        raise ParameterError(f"rates must be a dict of group name -> rate in Hz, got {rates!r}")
    for name, rate in rates.items():
        if name not in by_name:
            raise ParameterError(f"rates: unknown group {name!r}; groups: {list(by_name)}")
        if not isinstance(rate, (int, float, np.floating, np.integer)) or not math.isfinite(rate) or rate < 0:
            raise ParameterError(f"rates: {name!r} = {rate!r} Hz must be a finite rate >= 0")
    pairs = connection_pairs(groups, links, placement)
    ids = _placed_ids(by_name, placement)
    for v in ids.values():
        check_ids(v, CHIPS_PER_BOARD)
    neuron_rate = np.zeros(CHIPS_PER_BOARD * NEURONS_PER_CHIP)
    for name, v in ids.items():
        neuron_rate[v] = float(rates.get(name, 0.0))
    input_rate = np.concatenate([np.full(g.size, float(rates.get(g.name, 0.0))) for g in groups if g.source] +
                                [np.zeros(0)])
    fi = pairs.from_input
    rate_of_pre = np.where(fi, 0.0, neuron_rate[np.where(fi, 0, pairs.pre)])
    rate_of_pre[fi] = input_rate[pairs.pre[fi]]
    # distinct (source, destination core) pairs, each as one int key: one broadcast per spike each
    n_cores = CHIPS_PER_BOARD * CORES_PER_CHIP
    keys = np.unique(pairs.pre[~fi] * n_cores + pairs.post[~fi] // NEURONS_PER_CORE)
    source, core = keys // n_cores, keys % n_cores
    broadcasts = neuron_rate[source].sum()
    crossings = neuron_rate[source][core // CORES_PER_CHIP != source // NEURONS_PER_CHIP].sum()
    in_keys = np.unique(pairs.pre[fi] * n_cores + pairs.post[fi] // NEURONS_PER_CORE)
    inputs = input_rate[in_keys // n_cores].sum()
    spikes = float(sum(neuron_rate[v].sum() for v in ids.values()))
    return {
        "spikes": spikes,
        "core_broadcasts": float(broadcasts),
        "chip_crossings": float(crossings),
        "input_events": float(inputs),
        "synaptic_events": float(np.sum(rate_of_pre * pairs.weight)),
        "host": spikes if monitor else 0.0,
    }


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
    "RULES",
    "STRATEGIES",
    "Group",
    "Link",
    "Pairs",
    "MappingReport",
    "check_network",
    "check_chips",
    "cam_budget",
    "cores_needed",
    "place",
    "connection_pairs",
    "check_mapping",
    "traffic",
]
