"""What an integrator needs to simulate: neurons, their parameters, wiring and input spikes.

:class:`Network` is the compiled form of a model built with the chip API
(:class:`~dynapse_edu.hardware.chip.Chip`): N neurons with a
:class:`~dynapse_edu.core.dynamics.NeuronTable`, input spike trains, and two
sparse projections, from input sources and from neurons (recurrent). The
integrators (:mod:`dynapse_edu.engines.reference`, later a fast engine) take a
Network and return a :class:`~dynapse_edu.core.result.Result`.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..errors import ParameterError
from .dynamics import NeuronTable

#: Longest simulated time accepted in one run, s (a guard against unit slips).
MAX_DURATION = 3600.0




@dataclasses.dataclass(frozen=True)
class Projection:
    """Sparse connections grouped by presynaptic index (CSR layout).

    ``post`` (local neuron index), ``synapse`` (index into SYNAPSE_TYPES) and
    ``weight`` hold one entry per connection, sorted by ``pre``;
    ``ptr[k]:ptr[k+1]`` are the entries of presynaptic index k.
    """

    ptr: np.ndarray
    post: np.ndarray
    synapse: np.ndarray
    weight: np.ndarray

    @classmethod
    def build(
        cls, n_pre: int, pre: np.ndarray, post: np.ndarray, synapse: np.ndarray, weight: np.ndarray
    ) -> Projection:
        pre = np.asarray(pre, dtype=np.int64)
        order = np.argsort(pre, kind="stable")
        ptr = np.searchsorted(pre[order], np.arange(n_pre + 1))
        return cls(
            ptr=ptr,
            post=np.asarray(post, dtype=np.int64)[order],
            synapse=np.asarray(synapse, dtype=np.int64)[order],
            weight=np.asarray(weight, dtype=float)[order],
        )

    @property
    def n_pre(self) -> int:
        return len(self.ptr) - 1

    def entries(self, pre: np.ndarray) -> np.ndarray:
        """Indices of the connection entries of the presynaptic indices ``pre`` (repeats allowed)."""
        pre = np.asarray(pre, dtype=np.int64)
        starts, ends = self.ptr[pre], self.ptr[pre + 1]
        lengths = ends - starts
        if lengths.sum() == 0:
            return np.zeros(0, np.int64)
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        return offsets + np.arange(lengths.sum())


@dataclasses.dataclass(frozen=True)
class Network:
    """A compiled network: N neurons, their parameters, wiring and input spikes.

    * ``table``: per-neuron parameters (N neurons, local indices 0..N-1).
    * ``neuron_ids``: the global (chip) id of each local neuron.
    * ``input_sources``, ``input_times``: all input spikes, sorted by time (s);
      sources are numbered 0..n_inputs-1.
    * ``external``: projection from input sources; ``recurrent``: from neurons.
    """

    table: NeuronTable
    neuron_ids: np.ndarray
    input_sources: np.ndarray
    input_times: np.ndarray
    external: Projection
    recurrent: Projection

    @property
    def n(self) -> int:
        return self.table.n


def check_duration(duration: float) -> float:
    """A simulated duration in s, checked: a number (not a string or a bool), finite, > 0, at most :data:`MAX_DURATION`.

    >>> check_duration(0.5)
    0.5
    """
    if isinstance(duration, (str, bytes, bool)):
        raise ParameterError(f"duration must be a number of seconds, got {duration!r}")
    try:
        value = float(duration)
    except (TypeError, ValueError):
        raise ParameterError(f"duration must be a number of seconds, got {duration!r}") from None
    if not (math.isfinite(value) and 0 < value <= MAX_DURATION):
        raise ParameterError(f"duration = {duration!r} s is outside the allowed range (0, {MAX_DURATION:g}] s")
    return value


__all__ = ["Projection", "Network", "MAX_DURATION", "check_duration"]
