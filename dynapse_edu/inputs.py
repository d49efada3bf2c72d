"""Input spike generators: regular, Poisson, cosine-modulated Poisson, explicit.

A generator stands for ``n`` input sources (the chip's FPGA spike generators
or any external spike source). :meth:`SpikeSource.spikes` returns the spikes
of all its sources up to a duration as two arrays, source indices and times
(s), sorted by time. Random generators take a ``seed`` and draw from a
:class:`numpy.random.Generator`, so the same seed gives the same spikes.

>>> from dynapse_edu.inputs import RegularGenerator
>>> idx, t = RegularGenerator(1, rate=100.0).spikes(0.035)
>>> t
array([0.  , 0.01, 0.02, 0.03])
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

import numpy as np
from numpy.typing import ArrayLike

from .errors import ParameterError

MAX_RATE = 1e6  # Hz: a sanity bound that catches unit slips (kHz given as Hz...)


def _check_n(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ParameterError(f"number of sources n = {n!r} must be a positive integer")
    return int(n)


def _check_rate(name: str, rate: float, allow_zero: bool = True) -> float:
    rate = float(rate)
    lo = 0.0
    if not (math.isfinite(rate) and lo <= rate <= MAX_RATE) or (not allow_zero and rate == 0):
        raise ParameterError(f"{name} = {rate!r} Hz is outside the allowed range [0, {MAX_RATE:g}] Hz")
    return rate


def _check_duration(duration: float) -> float:
    duration = float(duration)
    if not (math.isfinite(duration) and duration > 0):
        raise ParameterError(f"duration = {duration!r} s must be a positive, finite number of seconds")
    return duration


def _sorted(indices: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.lexsort((indices, times))
    return indices[order].astype(np.int64), times[order].astype(float)


class SpikeSource(ABC):
    """Base class of input generators: ``n`` sources and a way to draw their spikes."""

    n: int

    @abstractmethod
    def spikes(self, duration: float) -> tuple[np.ndarray, np.ndarray]:
        """(source indices, times in s) of all spikes in [0, duration), sorted by time."""

    def __len__(self) -> int:
        return self.n


class RegularGenerator(SpikeSource):
    """Each source fires at a fixed ``rate`` (Hz), first spike at ``start`` (s, default 0)."""

    def __init__(self, n: int, rate: float, start: float = 0.0) -> None:
        self.n = _check_n(n)
        self.rate = _check_rate("rate", rate)
        if not (math.isfinite(start) and start >= 0):
            raise ParameterError(f"start = {start!r} s must be a finite time >= 0")
        self.start = float(start)

    def spikes(self, duration: float) -> tuple[np.ndarray, np.ndarray]:
        duration = _check_duration(duration)
        if self.rate == 0 or self.start >= duration:
            return np.zeros(0, np.int64), np.zeros(0)
        k = np.arange(math.ceil((duration - self.start) * self.rate + 1e-9))
        times = self.start + k / self.rate
        times = times[times < duration]
        idx = np.repeat(np.arange(self.n), len(times))
        return _sorted(idx, np.tile(times, self.n))


class PoissonGenerator(SpikeSource):
    """Independent homogeneous Poisson sources of ``rate`` Hz, seeded."""

    def __init__(self, n: int, rate: float, seed: int | None = 0) -> None:
        self.n = _check_n(n)
        self.rate = _check_rate("rate", rate)
        self.seed = seed

    def spikes(self, duration: float) -> tuple[np.ndarray, np.ndarray]:
        duration = _check_duration(duration)
        rng = np.random.default_rng(self.seed)
        counts = rng.poisson(self.rate * duration, size=self.n)
        idx = np.repeat(np.arange(self.n), counts)
        times = rng.uniform(0.0, duration, size=counts.sum())
        return _sorted(idx, times)


class CosineRateGenerator(SpikeSource):
    """Poisson sources whose rate is modulated as a cosine.

    rate(t) = mean_rate * (1 + depth * cos(2 pi frequency t + phase)), with
    0 <= depth <= 1. Drawn by thinning a homogeneous process at the peak rate.
    """

    def __init__(
        self, n: int, mean_rate: float, depth: float, frequency: float, phase: float = 0.0, seed: int | None = 0
    ) -> None:
        self.n = _check_n(n)
        self.mean_rate = _check_rate("mean_rate", mean_rate)
        if not (0.0 <= depth <= 1.0):
            raise ParameterError(f"depth = {depth!r} is outside the allowed range [0, 1]")
        self.depth = float(depth)
        self.frequency = _check_rate("frequency", frequency)
        self.phase = float(phase)
        self.seed = seed

    def rate(self, t: ArrayLike) -> np.ndarray:
        """The instantaneous rate at times ``t`` (s), in Hz."""
        return self.mean_rate * (1 + self.depth * np.cos(2 * np.pi * self.frequency * np.asarray(t) + self.phase))

    def spikes(self, duration: float) -> tuple[np.ndarray, np.ndarray]:
        duration = _check_duration(duration)
        rng = np.random.default_rng(self.seed)
        peak = self.mean_rate * (1 + self.depth)
        counts = rng.poisson(peak * duration, size=self.n)
        idx = np.repeat(np.arange(self.n), counts)
        times = rng.uniform(0.0, duration, size=counts.sum())
        keep = rng.uniform(0.0, peak, size=times.size) < self.rate(times) if peak > 0 else np.zeros(0, bool)
        return _sorted(idx[keep], times[keep])


class SpikeGenerator(SpikeSource):
    """Explicit spikes: ``indices`` (source ids) and ``times`` (s), like Brian2's SpikeGeneratorGroup."""

    def __init__(self, indices: ArrayLike, times: ArrayLike, n: int | None = None) -> None:
        indices = np.asarray(indices)
        times = np.asarray(times, dtype=float)
        if indices.shape != times.shape or indices.ndim != 1:
            raise ParameterError(
                f"indices and times must be 1-D arrays of equal length, got shapes {indices.shape} and {times.shape}"
            )
        if indices.size and (not np.issubdtype(indices.dtype, np.integer) or indices.min() < 0):
            raise ParameterError(f"indices must be integers >= 0, got {indices[:5]!r}...")
        if times.size and not (np.all(np.isfinite(times)) and times.min() >= 0):
            bad = times[~(np.isfinite(times) & (times >= 0))][0]
            raise ParameterError(f"spike time {float(bad)!r} s is not a finite time >= 0")
        n_needed = int(indices.max()) + 1 if indices.size else 1
        self.n = n_needed if n is None else _check_n(n)
        if self.n < n_needed:
            raise ParameterError(f"n = {n} sources but an index {n_needed - 1} appears; allowed indices 0..{n - 1}")
        self.indices, self.times = _sorted(indices.astype(np.int64), times)

    def spikes(self, duration: float) -> tuple[np.ndarray, np.ndarray]:
        duration = _check_duration(duration)
        keep = self.times < duration
        return self.indices[keep], self.times[keep]


__all__ = ["SpikeSource", "RegularGenerator", "PoissonGenerator", "CosineRateGenerator", "SpikeGenerator"]
