"""The panels of the chapter *Events and routing*: the handshake, the routing explorer, a whole chip's raster.

Each panel runs a small experiment through the library, draws it and returns
the numbers to look at; :func:`~dynapse_edu.course.widgets.explore` turns it
into a widget (the contract is in :mod:`dynapse_edu.course.widgets`). The
mapping itself (CAM and SRAM budgets, placement, aliasing) is computed by
:mod:`dynapse_edu.hardware.routing`; this module only builds example networks,
draws, and runs.

* :func:`handshake_figure`: the four phases of an address-event transfer;
* :func:`example_network`: three small networks described as groups and links;
* :func:`routing_explorer`: CAM and SRAM use per neuron and the tags arriving at each core, for a chosen
  network and mapping;
* :func:`build_board`: a mapped network as a hardware-mode :class:`~dynapse_edu.hardware.board.Board`;
* :func:`chip_network`, :func:`chip_raster`: 1024 neurons filling a chip, run with the fast engine.

>>> from matplotlib.figure import Figure  # an Axes of your own (no pyplot window)
>>> out = routing_explorer("winner-take-all", n=8, weight=4, mapping="spread", n_chips=3,
...                        axes=Figure().subplots(1, 3))
>>> out["ok"], out["aliased_tags"]
(False, 16)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from .. import plot
from ..core.synapse import SYNAPSE_TYPES
from ..errors import ParameterError
from ..hardware.board import Board
from ..hardware.inputs import PoissonGenerator
from ..hardware.routing import (
    CAM_PER_NEURON,
    CORES_PER_CHIP,
    NEURONS_PER_CHIP,
    NEURONS_PER_CORE,
    SRAM_PER_NEURON,
    STRATEGIES,
    Group,
    Link,
    cam_budget,
    check_chips,
    check_mapping,
    connection_pairs,
    place,
)
from .widgets import check_count, check_positive, panel_axes

#: The example networks of :func:`example_network` and :func:`routing_explorer`.
NETWORKS = ("winner-take-all", "feed-forward", "recurrent")


# --- the handshake ---------------------------------------------------------------------------
def handshake_figure(n_events: int = 3, ax: Axes | None = None) -> dict[str, Any]:
    """The four-phase handshake of ``n_events`` address events on an AER link, as timing diagrams.

    The sender puts an address on the bus and raises REQ (1); the receiver
    latches the address and raises ACK (2); the sender lowers REQ and frees
    the bus (3); the receiver lowers ACK (4), and the link is ready for the
    next event. Time is in arbitrary units: the durations of a real link are
    the chip's (Boahen 2000; Moradi et al. 2018).

    Parameters
    ----------
    n_events : int
        Events drawn, 1..8.
    ax : Axes or None
        Where to draw; None makes a new figure.

    Returns
    -------
    dict
        ``transitions``: edges of REQ and ACK (4 per event); ``addresses``:
        the example addresses sent, in order.

    Raises
    ------
    ParameterError
        If ``n_events`` is not an integer in 1..8.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> handshake_figure(2, ax=Figure().subplots())["transitions"]
    8
    """
    n_events = check_count("n_events", n_events, 1, 8)
    (axis,) = panel_axes(ax, figsize=(8.0, 2.6))
    addresses = [int(a) for a in (np.arange(n_events) * 397 + 261) % NEURONS_PER_CHIP]
    period, gap = 4.0, 1.0  # one event: four phases of one unit each, then a pause
    t_req, t_ack = [0.0], [0.0]
    req, ack = [0], [0]
    for k in range(n_events):
        t0 = k * (period + gap) + gap
        for t, r, a in ((t0, 1, 0), (t0 + 1, 1, 1), (t0 + 2, 0, 1), (t0 + 3, 0, 0)):
            t_req.append(t)
            req.append(r)
            t_ack.append(t)
            ack.append(a)
        axis.fill_between([t0 - 0.4, t0 + 2], 0.1, 0.9, color="C2", alpha=0.25)
        axis.text(t0 + 0.8, 0.5, f"address {addresses[k]}", ha="center", va="center", fontsize=8)
        for j in range(4):
            axis.text(t0 + j, 3.05, str(j + 1), ha="center", fontsize=7, color="0.3")
    end = n_events * (period + gap) + gap
    axis.step(t_req + [end], np.array(req + [0]) * 0.8 + 2.1, where="post", color="C0")
    axis.step(t_ack + [end], np.array(ack + [0]) * 0.8 + 1.1, where="post", color="C3")
    axis.set_yticks([0.5, 1.5, 2.5], ["address bus", "ACK (receiver)", "REQ (sender)"])
    axis.set_xlabel("time (arbitrary units; phases numbered 1-4)")
    axis.set_ylim(0, 3.3)
    axis.set_xlim(0, end)
    axis.set_title("four-phase handshake: one address event per REQ/ACK cycle", fontsize=10)
    return {"transitions": 4 * n_events, "addresses": addresses}


# --- example networks and the routing explorer ---------------------------------------------------------
def example_network(network: str = "winner-take-all", n: int = 8, weight: int = 4) -> tuple[list[Group], list[Link]]:
    """A small network as groups and links (:mod:`dynapse_edu.hardware.routing`), ready to map.

    * ``"winner-take-all"``: inputs to two excitatory groups A and B of ``n``
      neurons (one-to-one, weight 4), self-excitation within each group
      (all-to-all, ``weight``), both onto an inhibitory group of ``n // 2``
      (weight 2, its own bias set) that inhibits both (GABA_B, weight 4).
      An excitatory neuron needs ``4 + n weight + 4 (n // 2)`` CAM entries.
    * ``"feed-forward"``: inputs to layer L1 (one-to-one, weight 4), then L1 to
      L2 and L2 to L3, all-to-all with ``weight``: ``n weight`` entries per
      L2 or L3 neuron.
    * ``"recurrent"``: inputs to one group E (one-to-one, weight 4) that
      excites itself all-to-all with ``weight``: ``4 + n weight`` entries.

    Parameters
    ----------
    network : str
        One of :data:`NETWORKS`.
    n : int
        Neurons per group, 2..256.
    weight : int
        The weight of the all-to-all links, 1..64 (CAM entries per connection).

    Returns
    -------
    (list of Group, list of Link)
        The network.

    Raises
    ------
    ParameterError
        For an unknown network or ``n`` outside 2..256.
    HardwareLimitError
        For a weight outside 1..64.

    Examples
    --------
    >>> from dynapse_edu.hardware.routing import cam_budget
    >>> cam_budget(*example_network("winner-take-all", n=8, weight=5))
    {'A': 60, 'B': 60, 'inh': 32}
    """
    if network not in NETWORKS:
        raise ParameterError(f"unknown network {network!r}; allowed: {NETWORKS}")
    n = check_count("n", n, 2, NEURONS_PER_CORE)
    if network == "winner-take-all":
        groups = [Group("input A", n, source=True), Group("input B", n, source=True), Group("A", n, "excitatory"),
                  Group("B", n, "excitatory"), Group("inh", max(1, n // 2), "inhibitory")]
        links = [Link("input A", "A", 4, "one_to_one"), Link("input B", "B", 4, "one_to_one"),
                 Link("A", "A", weight), Link("B", "B", weight), Link("A", "inh", 2), Link("B", "inh", 2),
                 Link("inh", "A", 4, synapse="GABA_B"), Link("inh", "B", 4, synapse="GABA_B")]
    elif network == "feed-forward":
        groups = [Group("input", n, source=True), Group("L1", n), Group("L2", n), Group("L3", n)]
        links = [Link("input", "L1", 4, "one_to_one"), Link("L1", "L2", weight), Link("L2", "L3", weight)]
    else:
        groups = [Group("input", n, source=True), Group("E", n)]
        links = [Link("input", "E", 4, "one_to_one"), Link("E", "E", weight)]
    cam_budget(groups, links)  # checks the weight (1..64) with the library's message
    return groups, links


def routing_explorer(
    network: str = "winner-take-all",
    n: int = 8,
    weight: int = 4,
    mapping: str = "compact",
    n_chips: int = 3,
    monitor: bool = True,
    axes: Sequence[Axes] | None = None,
) -> dict[str, Any]:
    """Map an example network onto a board and show what every neuron uses of the routing memory.

    Left: CAM entries per neuron (of 64), one colour per group; red above the
    limit. Middle: SRAM entries per neuron (grey, the host's; blue, one per
    destination chip; of 4). Right: for each core that receives spikes of
    neurons, how many neurons send to it and how many different tags arrive:
    fewer tags than senders means aliasing, spikes the chip would merge. A
    mapping that breaks a rule is not an exception here but the result.

    Parameters
    ----------
    network : str
        One of :data:`NETWORKS` (:func:`example_network`).
    n : int
        Neurons per group, 2..256.
    weight : int
        Weight of the network's all-to-all links, 1..64.
    mapping : str
        ``"compact"`` (fewest cores, from chip 0) or ``"spread"`` (group k starts on chip ``k % n_chips``):
        :func:`~dynapse_edu.hardware.routing.place`.
    n_chips : int
        Chips on the board, 1..4.
    monitor : bool
        SRAM entry 0 of every neuron kept for the host.
    axes : three Axes or None
        Where to draw; None makes a new figure.

    Returns
    -------
    dict
        ``cam_budget`` (entries per neuron of each group, before placement),
        ``cam_max``, ``sram_max`` (largest use by one neuron), ``sram_available``
        (destination entries per neuron), ``cores_used``, ``aliased_tags``
        (tags reaching a core from more than one neuron), ``ok`` and
        ``violations`` (the library's sentences).

    Raises
    ------
    ParameterError
        For an unknown network or mapping, or ``n`` outside 2..256.
    HardwareLimitError
        For a weight outside 1..64 or ``n_chips`` outside 1..4.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> out = routing_explorer("recurrent", n=16, weight=4, axes=Figure().subplots(1, 3))
    >>> out["cam_budget"], out["cam_max"], out["ok"]
    ({'E': 68}, 68, False)
    """
    groups, links = example_network(network, n, weight)
    if mapping not in STRATEGIES:
        raise ParameterError(f"unknown mapping {mapping!r}; allowed: {STRATEGIES}")
    n_chips = check_chips(n_chips)
    ax_cam, ax_sram, ax_tags = panel_axes(axes, 3, figsize=(12.0, 3.2))
    budget = cam_budget(groups, links)
    placement = place(groups, n_chips, mapping)  # the examples need at most 3 cores: they always fit
    report = check_mapping(groups, links, placement, n_chips, monitor)
    names = list(dict.fromkeys(report.group))
    colour = {name: f"C{k % 10}" for k, name in enumerate(names)}
    edges = np.arange(report.neurons.size + 1) - 0.5  # one step per neuron: a few artists, however many neurons
    # CAM per neuron
    for name in names:
        mine = np.flatnonzero(np.asarray(report.group) == name)
        ax_cam.stairs(report.cam_used[mine], edges[mine[0]:mine[-1] + 2], fill=True, color=colour[name], label=name)
    if (report.cam_used > CAM_PER_NEURON).any():
        ax_cam.stairs(np.maximum(report.cam_used, CAM_PER_NEURON), edges, baseline=CAM_PER_NEURON, fill=True,
                      color="C3", label="over the limit")
    ax_cam.axhline(CAM_PER_NEURON, color="k", linestyle="--", linewidth=1)
    ax_cam.set_ylim(0, 1.12 * max(CAM_PER_NEURON, int(report.cam_used.max())))
    ax_cam.set_xlabel("neuron (placement order)")
    ax_cam.set_ylabel("CAM entries used")
    ax_cam.set_title(f"fan-in: CAM of each neuron (max {int(report.cam_used.max())} of {CAM_PER_NEURON})", fontsize=10)
    ax_cam.legend(fontsize="x-small", loc="upper left")
    # SRAM per neuron
    host = int(bool(monitor))
    if host:
        ax_sram.stairs(np.full(report.neurons.size, host), edges, fill=True, color="0.7", label="host")
    ax_sram.stairs(np.minimum(report.sram_used, SRAM_PER_NEURON), edges, baseline=host, fill=True, color="C0",
                   label="destination chips")
    if (report.sram_used > SRAM_PER_NEURON).any():
        ax_sram.stairs(np.maximum(report.sram_used, SRAM_PER_NEURON), edges, baseline=SRAM_PER_NEURON, fill=True,
                       color="C3", label="over the limit")
    ax_sram.axhline(SRAM_PER_NEURON, color="k", linestyle="--", linewidth=1)
    ax_sram.set_ylim(0, max(SRAM_PER_NEURON, int(report.sram_used.max())) + 0.5)
    ax_sram.set_xlabel("neuron (placement order)")
    ax_sram.set_ylabel("SRAM entries used")
    ax_sram.set_title(f"fan-out: SRAM of each neuron (of {SRAM_PER_NEURON})", fontsize=10)
    ax_sram.legend(fontsize="x-small", loc="upper left")
    # senders and tags per receiving core
    pairs = connection_pairs(groups, links, placement)
    own = ~pairs.from_input
    labels, senders, tags = [], [], []
    cores = pairs.post[own] // NEURONS_PER_CORE
    for core in np.unique(cores).tolist():
        sources = np.unique(pairs.pre[own][cores == core])
        labels.append(f"chip {core // CORES_PER_CHIP}\ncore {core % CORES_PER_CHIP}")
        senders.append(sources.size)
        tags.append(np.unique(sources % NEURONS_PER_CHIP).size)
    where = np.arange(len(labels))
    ax_tags.bar(where - 0.2, senders, width=0.4, color="0.6", label="neurons sending")
    ax_tags.bar(where + 0.2, tags, width=0.4, color=["C3" if t < s else "C2" for s, t in zip(senders, tags,
                                                                                          strict=True)],
                label="different tags arriving")
    ax_tags.set_xticks(where, labels, fontsize=8)
    ax_tags.set_xlim(-0.7, max(len(labels), 2) - 0.3)
    ax_tags.set_ylabel("count")
    merged = len(report.aliased)
    ax_tags.set_title("aliasing: " + (f"{merged} tag(s) shared (red)" if merged else "none"), fontsize=10,
                      color="C3" if merged else "k")
    ax_tags.legend(fontsize="x-small", loc="lower right")
    return {
        "cam_budget": budget,
        "cam_max": int(report.cam_used.max()),
        "sram_max": int(report.sram_used.max()),
        "sram_available": report.sram_available,
        "cores_used": len(report.core_biases),
        "aliased_tags": merged,
        "ok": report.ok,
        "violations": report.violations,
    }


# --- a mapped network on a board, and a whole chip -----------------------------------------------------
def build_board(
    groups: Sequence[Group],
    links: Sequence[Link],
    placement: dict[str, np.ndarray],
    rates: dict[str, float],
    n_chips: int = 1,
    seed: int = 0,
) -> Board:
    """A hardware-mode board holding a mapped network; every input group becomes a Poisson generator.

    The board checks every connection again (:class:`~dynapse_edu.hardware.routing.RoutingTable`), so a
    mapping that :func:`~dynapse_edu.hardware.routing.check_mapping` passed is accepted, and one it did
    not is refused with the first broken rule.

    Parameters
    ----------
    groups : sequence of Group
        The populations and inputs.
    links : sequence of Link
        The projections.
    placement : dict of str to ndarray of int
        Global ids of every group of neurons.
    rates : dict of str to float
        Poisson rate of each input group, Hz (0 Hz if left out).
    n_chips : int
        Chips on the board, 1..4.
    seed : int
        Seed of the first input group; the next ones get ``seed + 1``, ``seed + 2``, ...

    Returns
    -------
    Board
        The board (biases at hardware mode's defaults: input spikes are pulses, with the weight currents
        of :func:`~dynapse_edu.hardware.bank.pulse_params`).

    Raises
    ------
    HardwareLimitError
        For a mapping the chip cannot hold (the first broken rule).

    Examples
    --------
    >>> groups, links = example_network("recurrent", n=4, weight=2)
    >>> board = build_board(groups, links, place(groups), {"input": 50.0})
    >>> board.cam_used(0), len(board.neuron_ids)  # input 4 + 4 neurons x 2
    (12, 4)
    """
    board = Board(n_chips=n_chips)
    ids = [placement[g.name] for g in groups if not g.source]
    board.allocate(np.concatenate(ids))
    k = 0
    for g in groups:
        if g.source:
            board.add_input(PoissonGenerator(g.size, float(rates.get(g.name, 0.0)), seed=seed + k))
            k += 1
    pairs = connection_pairs(groups, links, placement)
    for from_input, kind in ((True, "input"), (False, "neuron")):
        mine = pairs.from_input == from_input
        if mine.any():
            board.connect_pairs(kind, pairs.pre[mine], pairs.post[mine],
                                [SYNAPSE_TYPES[s] for s in pairs.synapse[mine]], pairs.weight[mine].tolist())
    return board


def chip_network(rates: Sequence[float] = (20.0, 40.0, 60.0, 80.0), ring_weight: int = 2
                 ) -> tuple[list[Group], list[Link]]:
    """A network that fills one chip: four groups of 256 neurons, one per core, in a ring.

    Group k (its own bias set, so its own core) gets one Poisson input per
    neuron at ``rates[k]`` (one-to-one, weight 6) and excites group k + 1
    one-to-one with ``ring_weight`` (group 3 excites group 0): 6 + ring_weight
    CAM entries per neuron, one destination chip.

    Parameters
    ----------
    rates : four floats
        Input rate of each core's neurons, Hz.
    ring_weight : int
        Weight of the ring, 1..58.

    Returns
    -------
    (list of Group, list of Link)
        The network; input groups are named ``"input k"``, neuron groups ``"core k"``.

    Raises
    ------
    ParameterError
        If ``rates`` does not hold four rates.

    Examples
    --------
    >>> groups, links = chip_network()
    >>> sum(g.size for g in groups if not g.source)
    1024
    """
    rates = list(rates)
    if len(rates) != CORES_PER_CHIP:
        raise ParameterError(f"rates must hold {CORES_PER_CHIP} rates (one per core), got {len(rates)}")
    groups = [Group(f"input {k}", NEURONS_PER_CORE, source=True) for k in range(CORES_PER_CHIP)]
    groups += [Group(f"core {k}", NEURONS_PER_CORE, biases=f"core {k}") for k in range(CORES_PER_CHIP)]
    links = [Link(f"input {k}", f"core {k}", 6, "one_to_one") for k in range(CORES_PER_CHIP)]
    links += [Link(f"core {k}", f"core {(k + 1) % CORES_PER_CHIP}", ring_weight, "one_to_one")
              for k in range(CORES_PER_CHIP)]
    return groups, links


def chip_raster(
    duration_ms: float = 100.0,
    ring_weight: int = 2,
    rates: Sequence[float] = (20.0, 40.0, 60.0, 80.0),
    seed: int = 0,
    ax: Axes | None = None,
) -> dict[str, Any]:
    """Run the 1024 neurons of :func:`chip_network` with the fast engine and draw every spike.

    Parameters
    ----------
    duration_ms : float
        Simulated time, ms (0 < duration_ms <= 1000).
    ring_weight : int
        Weight of the ring between cores, 1..58.
    rates : four floats
        Input rate per core, Hz.
    seed : int
        Seed of the first core's inputs.
    ax : Axes or None
        Where to draw; None makes a new figure.

    Returns
    -------
    dict
        ``neurons`` (1024), ``spikes`` (total), ``core_rates`` (mean rate of each core's neurons, Hz)
        and ``events_per_s`` (spikes per second of the whole chip: the address events its encoders send).

    Raises
    ------
    ParameterError
        For a duration outside (0, 1000] ms.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> out = chip_raster(duration_ms=20.0, ax=Figure().subplots())
    >>> out["neurons"], len(out["core_rates"])
    (1024, 4)
    """
    duration_ms = check_positive("duration_ms", duration_ms)
    if duration_ms > 1000.0:
        raise ParameterError(f"duration_ms = {duration_ms!r} must be at most 1000 ms (a raster, not a long run)")
    groups, links = chip_network(rates, ring_weight)
    placement = place(groups)
    board = build_board(groups, links, placement, {f"input {k}": r for k, r in enumerate(rates)}, seed=seed)
    result = board.run(duration_ms * 1e-3, method="fast", dt=None, at_spikes=False)
    (axis,) = panel_axes(ax, figsize=(8.0, 4.0))
    idx, times = result.spikes()
    ids = result.neuron_ids[idx]
    for core in range(CORES_PER_CHIP):
        mine = ids // NEURONS_PER_CORE == core
        plot.raster((ids[mine], times[mine]), ax=axis, markersize=1.5, color=f"C{core}")
    for core in range(1, CORES_PER_CHIP):
        axis.axhline(core * NEURONS_PER_CORE - 0.5, color="k", linewidth=0.5)
    axis.set_ylim(-0.5, NEURONS_PER_CHIP - 0.5)
    axis.set_xlim(0, duration_ms)
    axis.set_ylabel("neuron id (core = id // 256)")
    core_rates = [float(r) for r in result.rates.reshape(CORES_PER_CHIP, NEURONS_PER_CORE).mean(axis=1)]
    axis.set_title("one chip, 1024 neurons: " + ", ".join(f"core {k} {r:.0f} Hz" for k, r in enumerate(core_rates)),
                   fontsize=10)
    spikes = int(result.spike_count.sum())
    return {"neurons": int(result.neuron_ids.size), "spikes": spikes, "core_rates": core_rates,
            "events_per_s": spikes / (duration_ms * 1e-3)}


__all__ = ["NETWORKS", "handshake_figure", "example_network", "routing_explorer", "build_board", "chip_network",
           "chip_raster"]
