"""The Dynap-SE1 chip as a user sees it: cores of neurons, connections, biases.

The API follows the chip's control software (samna / ctxctl) and the original
simulator: allocate neurons on a core with :meth:`Chip.get_neurons`, wire them
with :meth:`Chip.add_connection`, set a core's parameters with
:meth:`Chip.set_bias`, run and read every state variable.

>>> from dynapse_edu import Chip, RegularGenerator
>>> chip = Chip()
>>> neuron = chip.get_neurons(1, core=1)
>>> source = RegularGenerator(1, rate=100.0)
>>> _ = chip.add_connection(source, neuron, "AMPA", weight=4)
>>> result = chip.run(0.05)
>>> result.spike_count.tolist()
[2]

Hardware facts enforced here: a chip has 4 cores of 256 neurons; all neurons
of a core share its parameters (biases). Further rules of the real routing
memory (CAM fan-in, SRAM fan-out) live in a later layer of the model.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import NamedTuple

import numpy as np

from .dynamics import NeuronTable
from .errors import HardwareLimitError, ParameterError
from .inputs import SpikeSource
from .network import Network, Projection
from .params import Params, resolve
from .result import Record, Result
from .simulate import check_duration, simulate
from .synapse import SYNAPSE_TYPES, synapse_index

CORES_PER_CHIP = 4
NEURONS_PER_CORE = 256
NEURONS_PER_CHIP = CORES_PER_CHIP * NEURONS_PER_CORE
MAX_WEIGHT = 1000.0


def core_number(core: int | str) -> int:
    """A core id 0..3 from an int or the original's name ``"Core_k"``."""
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
    """Neurons allocated on one core, by global id (core * 256 + index in core)."""

    def __init__(self, chip: Chip, core: int, ids: np.ndarray) -> None:
        self.chip = chip
        self.core = core
        self.ids = np.asarray(ids, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids.tolist())

    def __getitem__(self, key: int | slice | Sequence[int]) -> Population:
        ids = self.ids[key]
        return Population(self.chip, self.core, np.atleast_1d(ids))

    def __repr__(self) -> str:
        more = "..." if len(self) > 4 else ""
        return f"Population(core={self.core}, n={len(self)}, ids={self.ids[:4].tolist()}{more})"


class Connection(NamedTuple):
    """One synapse: from ``pre`` (``("input", k)`` or ``("neuron", id)``) to neuron ``post``."""

    pre: tuple[str, int]
    post: int
    synapse: str
    weight: float


class Chip:
    """One Dynap-SE1 chip: 4 cores x 256 neurons, per-core parameters, connections.

    Parameters
    ----------
    params:
        Parameters for every core at start: a :class:`~dynapse_edu.params.Params`,
        a dict of overrides of the defaults, or None (defaults).
    """

    def __init__(self, params: Params | Mapping[str, float] | None = None) -> None:
        base = resolve(params)
        self._core_params: list[Params] = [base] * CORES_PER_CHIP
        self._allocated = np.zeros(NEURONS_PER_CHIP, dtype=bool)
        self._sources: list[SpikeSource] = []
        self._source_offsets: list[int] = []
        self._pre_kind: list[np.ndarray] = []  # 0 = input source, 1 = neuron
        self._pre: list[np.ndarray] = []
        self._post: list[np.ndarray] = []
        self._syn: list[np.ndarray] = []
        self._w: list[np.ndarray] = []

    # --- neurons -----------------------------------------------------------
    def get_neurons(self, n: int, core: int | str) -> Population:
        """Allocate ``n`` free neurons of ``core`` (0..3, or ``"Core_k"``)."""
        c = core_number(core)
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise HardwareLimitError(f"number of neurons n = {n!r} must be a positive integer (1..{NEURONS_PER_CORE})")
        free = np.flatnonzero(~self._allocated[c * NEURONS_PER_CORE : (c + 1) * NEURONS_PER_CORE])
        if n > free.size:
            raise HardwareLimitError(
                f"core {c} has {free.size} free neurons of {NEURONS_PER_CORE}; cannot allocate {n}"
            )
        ids = c * NEURONS_PER_CORE + free[:n]
        self._allocated[ids] = True
        return Population(self, c, ids)

    @property
    def neuron_ids(self) -> np.ndarray:
        """Global ids of all allocated neurons, ascending: the simulated neurons."""
        return np.flatnonzero(self._allocated)

    # --- parameters ----------------------------------------------------------
    def set_bias(self, core: int | str, **params: float) -> None:
        """Set parameters of every neuron of ``core``, by dynapse_edu name (SI units).

        ``chip.set_bias(0, I_tau_mem=10e-12, I_w0_ampa=50e-12)``. Unknown names
        and out-of-range values raise before anything changes.
        """
        c = core_number(core)
        self._core_params[c] = self._core_params[c].replace(**params)

    def params(self, core: int | str) -> Params:
        """The parameters shared by the neurons of ``core``."""
        return self._core_params[core_number(core)]

    # --- connections ---------------------------------------------------------
    def add_input(self, source: SpikeSource) -> int:
        """Register an input generator (done by add_connection); returns its first source index."""
        for k, known in enumerate(self._sources):
            if known is source:
                return self._source_offsets[k]
        offset = sum(len(s) for s in self._sources)
        self._sources.append(source)
        self._source_offsets.append(offset)
        return offset

    def add_connection(
        self,
        pre: SpikeSource | Population,
        post: Population,
        synapse_type: str,
        weight: float = 1.0,
        rule: str = "all_to_all",
    ) -> list[Connection]:
        """Connect ``pre`` (an input generator or neurons) to the neurons ``post``.

        ``synapse_type`` is AMPA, NMDA, GABA_A or GABA_B; ``weight`` (> 0)
        scales the synapse's base weight current. ``rule`` is ``"all_to_all"``
        or ``"one_to_one"`` (equal sizes). Returns the connections made.
        """
        syn = synapse_index(synapse_type)
        if not isinstance(post, Population) or post.chip is not self:
            raise ParameterError("post must be a Population allocated on this chip with get_neurons")
        w = float(weight)
        if not (math.isfinite(w) and 0 < w <= MAX_WEIGHT):
            raise ParameterError(f"weight = {weight!r} is outside the allowed range (0, {MAX_WEIGHT:g}]")
        if isinstance(pre, SpikeSource):
            kind, pre_ids = 0, np.arange(len(pre))
        elif isinstance(pre, Population) and pre.chip is self:
            kind, pre_ids = 1, pre.ids
        else:
            raise ParameterError("pre must be an input generator or a Population allocated on this chip")
        if rule == "all_to_all":
            pre_a, post_a = np.repeat(pre_ids, len(post)), np.tile(post.ids, len(pre_ids))
        elif rule == "one_to_one":
            if len(pre_ids) != len(post):
                raise ParameterError(f"one_to_one needs equal sizes, got {len(pre_ids)} pre and {len(post)} post")
            pre_a, post_a = pre_ids, post.ids
        else:
            raise ParameterError(f"unknown rule {rule!r}; allowed: 'all_to_all', 'one_to_one'")
        if kind == 0:
            pre_a = pre_a + self.add_input(pre)
        self._pre_kind.append(np.full(len(pre_a), kind))
        self._pre.append(pre_a)
        self._post.append(post_a)
        self._syn.append(np.full(len(pre_a), syn))
        self._w.append(np.full(len(pre_a), w))
        label = "input" if kind == 0 else "neuron"
        return [Connection((label, int(a)), int(b), SYNAPSE_TYPES[syn], w) for a, b in zip(pre_a, post_a, strict=False)]

    @property
    def connections(self) -> list[Connection]:
        """Every connection as (pre, post, synapse type, weight)."""
        out = []
        for kind, pre, post, syn, w in zip(self._pre_kind, self._pre, self._post, self._syn, self._w, strict=False):
            for k, a, b, s, x in zip(kind, pre, post, syn, w, strict=False):
                out.append(Connection(("input" if k == 0 else "neuron", int(a)), int(b), SYNAPSE_TYPES[s], float(x)))
        return out

    # --- simulation ----------------------------------------------------------
    def build(self, duration: float) -> Network:
        """Compile the allocated neurons, their wiring and input spikes into a Network."""
        duration = check_duration(duration)
        ids = self.neuron_ids
        if ids.size == 0:
            raise ParameterError("no neurons allocated: call get_neurons first")
        local = np.full(NEURONS_PER_CHIP, -1)
        local[ids] = np.arange(ids.size)
        table = NeuronTable.from_params([self._core_params[i // NEURONS_PER_CORE] for i in ids])

        cat = (lambda parts, dt: np.concatenate(parts).astype(dt) if parts else np.zeros(0, dt))  # noqa: E731
        kind, pre, post = cat(self._pre_kind, np.int64), cat(self._pre, np.int64), cat(self._post, np.int64)
        syn, w = cat(self._syn, np.int64), cat(self._w, float)
        n_inputs = sum(len(s) for s in self._sources)
        ext, rec = kind == 0, kind == 1
        external = Projection.build(n_inputs, pre[ext], local[post[ext]], syn[ext], w[ext])
        recurrent = Projection.build(ids.size, local[pre[rec]], local[post[rec]], syn[rec], w[rec])

        idx_parts, t_parts = [], []
        for source, offset in zip(self._sources, self._source_offsets, strict=False):
            idx, times = source.spikes(duration)
            idx_parts.append(idx + offset)
            t_parts.append(times)
        in_idx, in_t = cat(idx_parts, np.int64), cat(t_parts, float)
        order = np.argsort(in_t, kind="stable")
        return Network(table, ids, in_idx[order], in_t[order], external, recurrent)

    def run(
        self,
        duration: float,
        method: str = "reference",
        dt: float | None = 1e-4,
        neurons: Population | Sequence[int] | None = None,
        at_spikes: bool = True,
    ) -> Result:
        """Simulate ``duration`` s and return every state variable and the spikes.

        ``dt`` is the sampling interval of the traces (s), ``neurons`` the
        neurons (Population or global ids) whose traces are kept (all by
        default; spike times are kept for all), ``at_spikes`` adds samples
        just before and after each spike.
        """
        net = self.build(duration)
        rec = None
        if neurons is not None:
            wanted = np.asarray(neurons.ids if isinstance(neurons, Population) else list(neurons), dtype=np.int64)
            missing = np.setdiff1d(wanted, net.neuron_ids)
            if missing.size:
                raise ParameterError(
                    f"neurons {missing.tolist()} are not allocated; allocated: {net.neuron_ids.tolist()[:10]}..."
                )
            rec = np.searchsorted(net.neuron_ids, wanted)
        return simulate(net, duration, method, Record(dt=dt, neurons=rec, at_spikes=at_spikes))


__all__ = ["Chip", "Population", "Connection", "core_number", "CORES_PER_CHIP", "NEURONS_PER_CORE"]
