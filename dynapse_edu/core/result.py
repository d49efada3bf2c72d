"""Monitors and simulation results.

:class:`Record` says what to record (the chip software's *monitors*): every
state variable of chosen neurons on a time grid, and optionally at every spike.
:class:`Result` holds what came out: times, traces, spike times per neuron.

Traces
------
``I_mem`` (membrane), ``I_ahp`` (adaptation), ``I_ampa``, ``I_nmda``,
``I_gaba_a``, ``I_gaba_b`` (synapse currents), ``I_nmda_gated`` (NMDA current
entering the soma), ``I_in`` (total input current), ``I_pfb`` (positive
feedback); each an array of shape (T, n_recorded) in A, sampled at ``t`` (s).

With ``at_spikes=True`` the time axis also holds every spike time twice, the
state just before and just after the event (input jump or output reset), so
plots show jumps as vertical lines; ``t`` is then non-decreasing.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np

from ..errors import ParameterError
from .dynamics import STATE_NAMES, NeuronTable, observables
from .neuron import floor

TRACE_NAMES: tuple[str, ...] = (
    "I_mem", "I_ahp", "I_ampa", "I_nmda", "I_gaba_a", "I_gaba_b", "I_nmda_gated", "I_in", "I_pfb",
)


@dataclasses.dataclass(frozen=True)
class Record:
    """What to record.

    Parameters
    ----------
    dt:
        Sampling interval of the traces in s (default 0.1 ms); ``None`` records
        no grid (only spike times and, if ``at_spikes``, the event samples).
    neurons:
        Local indices of the neurons whose traces are kept; ``None`` = all,
        ``()`` = none (spike times are always kept for every neuron).
    at_spikes:
        Also sample just before and after every input and output spike.
    """

    dt: float | None = 1e-4
    neurons: Sequence[int] | None = None
    at_spikes: bool = True

    def __post_init__(self) -> None:
        if self.dt is not None and not (math.isfinite(self.dt) and 1e-7 <= self.dt <= 10.0):
            raise ParameterError(f"record dt = {self.dt!r} s is outside the allowed range [1e-7, 10] s")

    def grid(self, duration: float) -> np.ndarray:
        """Sampling times 0, dt, 2 dt, ... up to and including ``duration`` (when on the grid)."""
        if self.dt is None:
            return np.zeros(0)
        n = int(math.floor(duration / self.dt + 1e-9))
        return np.arange(n + 1) * self.dt

    def indices(self, n: int) -> np.ndarray:
        if self.neurons is None:
            return np.arange(n)
        idx = np.asarray(list(self.neurons), dtype=np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise ParameterError(f"recorded neuron index out of range: allowed 0..{n - 1}, got {idx.tolist()}")
        return idx


def traces_from_states(states: np.ndarray, table: NeuronTable) -> dict[str, np.ndarray]:
    """Traces (each (T, n)) from recorded states of shape (T, 6, n) of the neurons of ``table``."""
    traces = {name: floor(states[:, row, :], table.I0) for row, name in enumerate(STATE_NAMES)}
    moved = np.moveaxis(states, 1, 0)  # (6, T, n): observables broadcast over T
    traces.update(observables(moved, table))
    return traces


class Result:
    """The outcome of a simulation.

    Attributes
    ----------
    t : ndarray (T,)
        Sample times in s.
    neuron_ids : ndarray (N,)
        Global ids of all simulated neurons (index = local neuron index).
    recorded : ndarray (n_recorded,)
        Local indices of the neurons whose traces were kept (columns of traces).
    spike_times : list of ndarray
        Output spike times (s) of each simulated neuron, by local index.
    duration : float
        Simulated time in s.
    method : str
        Which integrator produced it.
    table : NeuronTable
        The parameters of every simulated neuron (``result.table.I_th[k]``...).
    """

    def __init__(
        self,
        t: np.ndarray,
        traces: dict[str, np.ndarray],
        spike_times: list[np.ndarray],
        neuron_ids: np.ndarray,
        recorded: np.ndarray,
        duration: float,
        method: str,
        table: NeuronTable,
    ) -> None:
        self.t = t
        self.traces = traces
        self.spike_times = spike_times
        self.neuron_ids = neuron_ids
        self.recorded = recorded
        self.duration = duration
        self.method = method
        self.table = table

    def __getattr__(self, name: str) -> np.ndarray:
        traces = self.__dict__.get("traces", {})
        if name in traces:
            return traces[name]
        raise AttributeError(f"Result has no attribute {name!r}; traces: {', '.join(traces)}")

    def __repr__(self) -> str:
        return (
            f"Result(method={self.method!r}, duration={self.duration:g} s, neurons={len(self.neuron_ids)}, "
            f"recorded={len(self.recorded)}, samples={len(self.t)}, spikes={self.spike_count.sum()})"
        )

    @property
    def spike_count(self) -> np.ndarray:
        """Number of output spikes of each simulated neuron."""
        return np.array([len(s) for s in self.spike_times], dtype=np.int64)

    @property
    def rates(self) -> np.ndarray:
        """Mean output rate of each simulated neuron over the whole run, in Hz."""
        return self.spike_count / self.duration

    def spikes(self) -> tuple[np.ndarray, np.ndarray]:
        """All output spikes as (local neuron indices, times in s), sorted by time."""
        idx = np.concatenate([np.full(len(s), i) for i, s in enumerate(self.spike_times)] + [np.zeros(0, int)])
        times = np.concatenate(list(self.spike_times) + [np.zeros(0)])
        order = np.argsort(times, kind="stable")
        return idx[order].astype(np.int64), times[order]

    def index(self, neuron_id: int) -> int:
        """Local index (position in ``neuron_ids``) of a global neuron id, for ``trace`` and ``spike_times``."""
        where = np.flatnonzero(self.neuron_ids == neuron_id)
        if where.size == 0:
            raise ParameterError(f"neuron id {neuron_id} was not simulated; simulated ids: {self.neuron_ids.tolist()}")
        return int(where[0])

    def isi(self, neuron: int = 0) -> np.ndarray:
        """Inter-spike intervals of one neuron (local index), in s."""
        return np.diff(self.spike_times[neuron])

    def trace(self, name: str, neuron: int = 0) -> np.ndarray:
        """One trace of one recorded neuron (local index), shape (T,), in A."""
        if name not in self.traces:
            raise ParameterError(f"unknown trace {name!r}; available: {', '.join(self.traces)}")
        column = np.flatnonzero(self.recorded == neuron)
        if column.size == 0:
            raise ParameterError(f"neuron {neuron} was not recorded; recorded: {self.recorded.tolist()}")
        return self.traces[name][:, column[0]]


__all__ = ["Record", "Result", "TRACE_NAMES", "traces_from_states"]
