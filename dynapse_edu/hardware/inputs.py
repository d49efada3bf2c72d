"""Input spike generators: regular, Poisson, cosine-modulated Poisson, explicit.

A generator stands for ``n`` input sources (the chip's FPGA spike generators
or any external spike source). :meth:`SpikeSource.spikes` returns the spikes
of all its sources up to a duration as two arrays, source indices and times
(s), sorted by time. Random generators take a ``seed`` and draw from a
:class:`numpy.random.Generator`, so the same seed gives the same spikes.

>>> from dynapse_edu.hardware.inputs import RegularGenerator
>>> idx, t = RegularGenerator(1, rate=100.0).spikes(0.035)
>>> t
array([0.  , 0.01, 0.02, 0.03])

FPGA spike generators
---------------------
On the board, input spikes come from the FPGA's spike generators, which send
events on a clock: inter-spike intervals are integer numbers of ticks of
``isi_base / 90 MHz`` (16-bit counts), and a generator sends at most about
:data:`FPGA_MAX_RATE` = 4.3 kHz. ``fpga=True`` on :class:`RegularGenerator`
and :class:`PoissonGenerator` applies these limits: rates above the limit
raise :class:`~dynapse_edu.errors.HardwareLimitError`, and intervals are
rounded to whole ticks (``isi_base`` = 90 gives 1 us ticks).

>>> gen = RegularGenerator(1, rate=3000.0, fpga=True)
>>> gen.isi_ticks, round(gen.actual_rate, 2)
(333, 3003.0)

Every generator turns into a plain dict with :meth:`SpikeSource.to_config`
and back with :func:`source_from_config` (for configuration files).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

import numpy as np
from numpy.typing import ArrayLike

from ..core.network import check_duration
from ..errors import HardwareLimitError, ParameterError

MAX_RATE = 1e6  # Hz: a sanity bound that catches unit slips (kHz given as Hz...)

#: Clock of the FPGA spike generators in Hz; libcaer counts the ISI base in units of 1 / 90 MHz.
FPGA_CLOCK = 90e6
#: Highest rate of one FPGA spike generator, Hz (about 4.3 kHz).
FPGA_MAX_RATE = 4.3e3
#: Largest interval count of the FPGA generator (16-bit ISI field).
FPGA_MAX_ISI_TICKS = 2**16 - 1


def fpga_tick(isi_base: int = 90) -> float:
    """Duration of one tick of an FPGA spike generator's interval counter, ``isi_base / 90 MHz``.

    Parameters
    ----------
    isi_base : int
        The generator's ISI base, 1..65535 (90 gives 1 us ticks).

    Returns
    -------
    float
        The tick in s.

    Raises
    ------
    HardwareLimitError
        If ``isi_base`` is not an integer in 1..65535.

    Examples
    --------
    >>> fpga_tick(90), fpga_tick(900)
    (1e-06, 1e-05)
    """
    if isinstance(isi_base, bool) or not isinstance(isi_base, (int, np.integer)) or not 1 <= isi_base <= 65535:
        raise HardwareLimitError(f"isi_base = {isi_base!r} is outside the allowed range 1..65535 (integers)")
    return int(isi_base) / FPGA_CLOCK


def _check_fpga_rate(rate: float, isi_base: int) -> float:
    if rate > FPGA_MAX_RATE:
        raise HardwareLimitError(
            f"rate = {rate!r} Hz is above what an FPGA spike generator can send, {FPGA_MAX_RATE:g} Hz"
        )
    return fpga_tick(isi_base)


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


def _sorted(indices: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.lexsort((indices, times))
    return indices[order].astype(np.int64), times[order].astype(float)


class SpikeSource(ABC):
    """Base class of input generators: ``n`` sources and a way to draw their spikes.

    A subclass sets ``n`` (``len(source)``) and implements :meth:`spikes`; to be
    saved in configuration files it also implements ``_config`` (its constructor
    arguments as a dict).
    """

    n: int

    @abstractmethod
    def spikes(self, duration: float) -> tuple[np.ndarray, np.ndarray]:
        """The spikes of all sources in [0, duration), sorted by time (then by source).

        Parameters
        ----------
        duration : float
            Length of the train in s, in (0, :data:`~dynapse_edu.core.network.MAX_DURATION`]
            (the check of :func:`~dynapse_edu.core.network.check_duration`).

        Returns
        -------
        indices : ndarray of int
            Source index (0..n-1) of each spike.
        times : ndarray of float
            Spike times in s.

        Raises
        ------
        ParameterError
            For a duration that is not a positive, finite number of seconds within the limit.

        Examples
        --------
        >>> idx, t = SpikeGenerator([1, 0], [0.02, 0.01]).spikes(0.05)
        >>> idx.tolist(), t.tolist()
        ([0, 1], [0.01, 0.02])
        """

    def __len__(self) -> int:
        return self.n

    def to_config(self) -> dict[str, object]:
        """The generator as a JSON-ready dict; :func:`source_from_config` rebuilds it.

        Returns
        -------
        dict
            ``type`` (the class name) and the constructor arguments (SI units).

        Raises
        ------
        ParameterError
            If the generator's class cannot be saved.

        Examples
        --------
        >>> RegularGenerator(2, 50.0).to_config()["type"]
        'RegularGenerator'
        """
        return {"type": type(self).__name__, **{k: _plain(v) for k, v in self._config().items()}}

    def _config(self) -> dict[str, object]:
        raise ParameterError(f"{type(self).__name__} cannot be saved in a configuration file")


def _plain(value: object) -> object:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


class RegularGenerator(SpikeSource):
    """Sources that each fire at a fixed rate, all in step.

    With ``fpga=True`` the generator is the board's FPGA generator: the
    interval is a whole number of ticks (``isi_base / 90 MHz``, 16-bit count),
    ``start`` is rounded to a tick, and ``rate`` may not exceed
    :data:`FPGA_MAX_RATE`; ``actual_rate`` is the rate really sent (Hz) and
    ``isi_ticks`` the interval in ticks.

    Parameters
    ----------
    n : int
        Number of sources, >= 1.
    rate : float
        Rate of each source in Hz, 0..1e6 (0: silent).
    start : float
        Time of the first spike in s, >= 0.
    fpga : bool
        Apply the FPGA generator's limits and clock.
    isi_base : int
        FPGA ISI base, 1..65535 (ticks of isi_base / 90 MHz).

    Raises
    ------
    ParameterError
        For a bad number of sources, rate or start.
    HardwareLimitError
        With ``fpga=True``: a rate above :data:`FPGA_MAX_RATE`, or an interval
        beyond the 16-bit counter (the message gives the lowest rate possible).

    Examples
    --------
    >>> RegularGenerator(1, rate=50.0, start=0.005).spikes(0.05)[1]
    array([0.005, 0.025, 0.045])
    """

    def __init__(self, n: int, rate: float, start: float = 0.0, fpga: bool = False, isi_base: int = 90) -> None:
        self.n = _check_n(n)
        self.rate = _check_rate("rate", rate)
        if not (math.isfinite(start) and start >= 0):
            raise ParameterError(f"start = {start!r} s must be a finite time >= 0")
        self.start = float(start)
        self.fpga, self.isi_base = bool(fpga), isi_base
        self.actual_rate = self.rate
        if self.fpga:
            tick = _check_fpga_rate(self.rate, isi_base)
            if self.rate > 0:
                self.isi_ticks = max(1, round(1 / (self.rate * tick)))
                if self.isi_ticks > FPGA_MAX_ISI_TICKS:
                    raise HardwareLimitError(
                        f"rate = {rate!r} Hz needs an interval of {self.isi_ticks} ticks of {tick:g} s, above the "
                        f"16-bit limit {FPGA_MAX_ISI_TICKS}; lowest rate with isi_base = {isi_base}: "
                        f"{1 / (FPGA_MAX_ISI_TICKS * tick):.4g} Hz (raise isi_base)"
                    )
                self.actual_rate = 1 / (self.isi_ticks * tick)
            self.start = round(self.start / tick) * tick

    def _config(self) -> dict[str, object]:
        return {"n": self.n, "rate": self.rate, "start": self.start, "fpga": self.fpga, "isi_base": self.isi_base}

    def spikes(self, duration: float) -> tuple[np.ndarray, np.ndarray]:
        duration = check_duration(duration)
        if self.rate == 0 or self.start >= duration:
            return np.zeros(0, np.int64), np.zeros(0)
        rate = self.actual_rate
        k = np.arange(math.ceil((duration - self.start) * rate + 1e-9))
        times = self.start + k / rate
        times = times[times < duration]
        idx = np.repeat(np.arange(self.n), len(times))
        return _sorted(idx, np.tile(times, self.n))


class PoissonGenerator(SpikeSource):
    """Independent homogeneous Poisson sources, seeded.

    With ``fpga=True`` the sources are FPGA generators in variable-interval
    mode: each interval is drawn from the exponential distribution and
    rounded to whole ticks of ``isi_base / 90 MHz`` (at least one tick), and
    ``rate`` may not exceed :data:`FPGA_MAX_RATE`.

    Parameters
    ----------
    n : int
        Number of sources, >= 1.
    rate : float
        Mean rate of each source in Hz, 0..1e6.
    seed : int or None
        Seed of the :class:`numpy.random.Generator`; the same seed gives the same spikes.
    fpga : bool
        Apply the FPGA generator's limits and clock.
    isi_base : int
        FPGA ISI base, 1..65535.

    Raises
    ------
    ParameterError
        For a bad number of sources or rate.
    HardwareLimitError
        With ``fpga=True``, for a rate above :data:`FPGA_MAX_RATE`.

    Examples
    --------
    >>> idx, t = PoissonGenerator(10, rate=100.0, seed=1).spikes(1.0)
    >>> 800 < len(t) < 1200, bool((t < 1.0).all())
    (True, True)
    """

    def __init__(self, n: int, rate: float, seed: int | None = 0, fpga: bool = False, isi_base: int = 90) -> None:
        self.n = _check_n(n)
        self.rate = _check_rate("rate", rate)
        self.seed = seed
        self.fpga, self.isi_base = bool(fpga), isi_base
        if self.fpga:
            _check_fpga_rate(self.rate, isi_base)

    def _config(self) -> dict[str, object]:
        return {"n": self.n, "rate": self.rate, "seed": self.seed, "fpga": self.fpga, "isi_base": self.isi_base}

    def _fpga_spikes(self, duration: float) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(self.seed)
        tick = fpga_tick(self.isi_base)
        idx_parts, t_parts = [], []
        for k in range(self.n):
            ticks = np.zeros(0, np.int64)
            while ticks.size == 0 or ticks[-1] * tick < duration:
                isi = rng.exponential(1 / self.rate, size=int(self.rate * duration) + 16)
                more = np.maximum(1, np.round(isi / tick))
                ticks = np.concatenate([ticks, (ticks[-1] if ticks.size else 0) + np.cumsum(more.astype(np.int64))])
            times = ticks * tick
            times = times[times < duration]
            idx_parts.append(np.full(times.size, k))
            t_parts.append(times)
        return _sorted(np.concatenate(idx_parts), np.concatenate(t_parts))

    def spikes(self, duration: float) -> tuple[np.ndarray, np.ndarray]:
        duration = check_duration(duration)
        if self.fpga and self.rate > 0:
            return self._fpga_spikes(duration)
        rng = np.random.default_rng(self.seed)
        counts = rng.poisson(self.rate * duration, size=self.n)
        idx = np.repeat(np.arange(self.n), counts)
        times = rng.uniform(0.0, duration, size=counts.sum())
        return _sorted(idx, times)


class CosineRateGenerator(SpikeSource):
    """Poisson sources whose rate is modulated as a cosine, seeded.

    rate(t) = mean_rate * (1 + depth * cos(2 pi frequency t + phase)), drawn by
    thinning a homogeneous process at the peak rate (Lewis and Shedler 1979).

    Parameters
    ----------
    n : int
        Number of sources, >= 1.
    mean_rate : float
        Mean rate in Hz, 0..1e6.
    depth : float
        Modulation depth, 0..1.
    frequency : float
        Modulation frequency in Hz, 0..1e6.
    phase : float
        Phase of the cosine at t = 0, in rad.
    seed : int or None
        Seed of the :class:`numpy.random.Generator`.

    Raises
    ------
    ParameterError
        For a bad number of sources, rate, depth or frequency.

    Examples
    --------
    >>> gen = CosineRateGenerator(1, mean_rate=20.0, depth=0.5, frequency=2.0)
    >>> gen.rate([0.0, 0.25]).tolist()  # Hz: peak, trough
    [30.0, 10.0]
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

    def _config(self) -> dict[str, object]:
        return {"n": self.n, "mean_rate": self.mean_rate, "depth": self.depth, "frequency": self.frequency,
                "phase": self.phase, "seed": self.seed}

    def rate(self, t: ArrayLike) -> np.ndarray:
        """The instantaneous rate in Hz at times ``t`` (s)."""
        return self.mean_rate * (1 + self.depth * np.cos(2 * np.pi * self.frequency * np.asarray(t) + self.phase))

    def spikes(self, duration: float) -> tuple[np.ndarray, np.ndarray]:
        duration = check_duration(duration)
        rng = np.random.default_rng(self.seed)
        peak = self.mean_rate * (1 + self.depth)
        counts = rng.poisson(peak * duration, size=self.n)
        idx = np.repeat(np.arange(self.n), counts)
        times = rng.uniform(0.0, duration, size=counts.sum())
        keep = rng.uniform(0.0, peak, size=times.size) < self.rate(times) if peak > 0 else np.zeros(0, bool)
        return _sorted(idx[keep], times[keep])


class SpikeGenerator(SpikeSource):
    """Explicit spikes, like Brian2's SpikeGeneratorGroup.

    Parameters
    ----------
    indices : ndarray of int
        Source index of each spike, >= 0.
    times : ndarray of float
        Time of each spike in s, finite and >= 0 (any order: they are sorted).
    n : int or None
        Number of sources (default: the largest index + 1).

    Raises
    ------
    ParameterError
        For arrays of different lengths, a negative or non-integer index, a bad
        time, or an index >= ``n``.

    Examples
    --------
    >>> gen = SpikeGenerator([0, 2, 0], [0.03, 0.01, 0.02])
    >>> gen.n, gen.spikes(0.025)[0].tolist()
    (3, [2, 0])
    """

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

    def _config(self) -> dict[str, object]:
        return {"indices": self.indices, "times": self.times, "n": self.n}

    def spikes(self, duration: float) -> tuple[np.ndarray, np.ndarray]:
        duration = check_duration(duration)
        keep = self.times < duration
        return self.indices[keep], self.times[keep]


_SOURCE_TYPES: dict[str, type[SpikeSource]] = {
    cls.__name__: cls for cls in (RegularGenerator, PoissonGenerator, CosineRateGenerator, SpikeGenerator)
}


def source_from_config(config: dict[str, object]) -> SpikeSource:
    """Rebuild a generator from :meth:`SpikeSource.to_config`.

    Parameters
    ----------
    config : dict
        ``type`` (a generator class name) and its constructor arguments.

    Returns
    -------
    SpikeSource
        The generator, checked as its constructor checks it.

    Raises
    ------
    ParameterError
        For an unknown type or bad arguments (HardwareLimitError for FPGA limits).

    Examples
    --------
    >>> source_from_config(RegularGenerator(2, 50.0).to_config()).spikes(0.05)[1]
    array([0.  , 0.  , 0.02, 0.02, 0.04, 0.04])
    """
    if not isinstance(config, dict) or config.get("type") not in _SOURCE_TYPES:
        raise ParameterError(
            f"an input entry must be a dict whose 'type' is one of {sorted(_SOURCE_TYPES)}, got {config!r:.200}"
        )
    kwargs = {k: v for k, v in config.items() if k != "type"}
    try:
        return _SOURCE_TYPES[str(config["type"])](**kwargs)  # type: ignore[arg-type]
    except TypeError as e:
        raise ParameterError(f"input entry {config!r:.200}: {e}") from None


__all__ = [
    "SpikeSource",
    "RegularGenerator",
    "PoissonGenerator",
    "CosineRateGenerator",
    "SpikeGenerator",
    "source_from_config",
    "fpga_tick",
    "FPGA_CLOCK",
    "FPGA_MAX_RATE",
    "FPGA_MAX_ISI_TICKS",
]
