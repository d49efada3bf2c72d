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

Limits
------
Every argument is checked when the generator is built, with an error that
names the value, the allowed range and the generator:

* a source fires at most :data:`MAX_RATE` = 100 kHz. The reason is the chip:
  a synapse's pulse extender turns each input event into a current pulse of
  about 10 us at its default setting (``PULSE_PWLK_P``, coarse 3 / fine 196,
  :func:`~dynapse_edu.hardware.biasgen.pulse_width`), so events of one source
  closer than that merge into one; a higher rate is a unit slip (kHz given as Hz);
* one generator holds at most :data:`MAX_SOURCES` sources, and one call of
  :meth:`SpikeSource.spikes` makes at most :data:`MAX_SPIKES` spikes (each
  spike costs memory and an event the integrators step through: 10 million
  take minutes), checked from the expected count before any is drawn;
* seeds are integers >= 0 or None (fresh randomness), flags are bools.

Spikes of one source at the same time
--------------------------------------
On the chip, two events of one source that arrive together reach the synapse
through the same pulse extender, which cannot tell them apart: they make one
pulse. dynapse_edu follows the same rule: spikes of one source at exactly the
same time are **one spike**. :class:`SpikeGenerator` merges such duplicates
when it is built (with a warning saying how many); the other generators never
make them. To double a synapse's effect, double the weight instead. Spikes of
*different* sources at the same time stay separate events (two CAM entries).

>>> import warnings
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     gen = SpikeGenerator([0, 0, 1], [0.01, 0.01, 0.01])
>>> gen.spikes(0.02)[0].tolist(), str(caught[0].message)[:46]
([0, 1], 'SpikeGenerator: 1 spike of a source at the sam')

Every generator turns into a plain dict with :meth:`SpikeSource.to_config`
and back with :func:`source_from_config` (for configuration files).
"""

from __future__ import annotations

import math
import warnings
from abc import ABC, abstractmethod

import numpy as np
from numpy.typing import ArrayLike

from ..core.network import check_duration
from ..errors import HardwareLimitError, ParameterError
from .validate import flag, integer, is_number, number
from .validate import seed as check_seed

#: The highest rate of one source, in Hz. A synapse's pulse extender stretches each input event to about
#: 10 us (PULSE_PWLK_P at its default), so events of one source closer than that merge on the chip.
MAX_RATE = 100e3
#: Most sources one generator may hold (a sanity bound: a whole board has 4096 neurons).
MAX_SOURCES = 100_000
#: Most spikes one call of :meth:`SpikeSource.spikes` may make (memory, and one integrator event each).
MAX_SPIKES = 10_000_000

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


def _check_fpga_rate(rate: float, isi_base: int, where: str) -> float:
    """The FPGA tick (s) for ``isi_base``, after checking that one FPGA generator can send ``rate``.

    Both ends are refused: above :data:`FPGA_MAX_RATE`, and rates whose interval does not fit the
    16-bit interval counter (the message gives the lowest rate possible and how to lower it).
    """
    tick = fpga_tick(isi_base)
    if rate > FPGA_MAX_RATE:
        raise HardwareLimitError(
            f"{where}: rate = {rate!r} Hz is above what an FPGA spike generator can send, {FPGA_MAX_RATE:g} Hz"
        )
    if rate > 0:
        ticks = max(1, round(1 / (rate * tick)))
        if ticks > FPGA_MAX_ISI_TICKS:
            raise HardwareLimitError(
                f"{where}: rate = {rate!r} Hz needs an interval of {ticks} ticks of {tick:g} s, above the "
                f"16-bit limit {FPGA_MAX_ISI_TICKS}; lowest rate with isi_base = {isi_base}: "
                f"{1 / (FPGA_MAX_ISI_TICKS * tick):.4g} Hz (raise isi_base, up to 65535)"
            )
    return tick


def _check_n(n: int, where: str) -> int:
    return integer(n, "number of sources n", 1, MAX_SOURCES, where=where)


def _check_rate(name: str, rate: float, where: str) -> float:
    return number(rate, name, 0.0, MAX_RATE, unit="Hz", where=where)


def _check_count(where: str, expected: float, what: str) -> None:
    """Refuse a call that would make more than MAX_SPIKES spikes, before drawing any."""
    if expected > MAX_SPIKES:
        raise ParameterError(
            f"{where}: {what} = {expected:.3g} spikes expected, above the limit MAX_SPIKES = {MAX_SPIKES:g} "
            "(each spike costs memory and an event the integrators step through); use fewer sources, "
            "a lower rate or a shorter duration"
        )


def _duration(duration: float) -> float:
    """A duration checked as :func:`~dynapse_edu.core.network.check_duration` does, and a number (not a str)."""
    if not is_number(duration):
        raise ParameterError(f"duration = {duration!r} must be a number of seconds")
    return check_duration(duration)


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
        Rate of each source in Hz, 0..:data:`MAX_RATE` (100 kHz; 0: silent).
    start : float
        Time of the first spike in s, >= 0.
    fpga : bool
        Apply the FPGA generator's limits and clock.
    isi_base : int
        FPGA ISI base, 1..65535 (ticks of isi_base / 90 MHz).

    Raises
    ------
    ParameterError
        For a bad number of sources, rate, start or flag.
    HardwareLimitError
        With ``fpga=True``: a rate above :data:`FPGA_MAX_RATE`, or an interval
        beyond the 16-bit counter (the message gives the lowest rate possible).

    Examples
    --------
    >>> RegularGenerator(1, rate=50.0, start=0.005).spikes(0.05)[1]
    array([0.005, 0.025, 0.045])
    """

    def __init__(self, n: int, rate: float, start: float = 0.0, fpga: bool = False, isi_base: int = 90) -> None:
        where = "RegularGenerator"
        self.n = _check_n(n, where)
        self.rate = _check_rate("rate", rate, where)
        self.start = number(start, "start", 0.0, unit="s", where=where)
        self.fpga, self.isi_base = flag(fpga, "fpga", where=where), isi_base
        tick = fpga_tick(isi_base)
        self.actual_rate = self.rate
        if self.fpga:
            _check_fpga_rate(self.rate, isi_base, where)
            if self.rate > 0:
                self.isi_ticks = max(1, round(1 / (self.rate * tick)))
                self.actual_rate = 1 / (self.isi_ticks * tick)
            self.start = round(self.start / tick) * tick

    def _config(self) -> dict[str, object]:
        return {"n": self.n, "rate": self.rate, "start": self.start, "fpga": self.fpga, "isi_base": self.isi_base}

    def spikes(self, duration: float) -> tuple[np.ndarray, np.ndarray]:
        duration = _duration(duration)
        if self.rate == 0 or self.start >= duration:
            return np.zeros(0, np.int64), np.zeros(0)
        rate = self.actual_rate
        _check_count("RegularGenerator", self.n * ((duration - self.start) * rate + 1), "n * rate * duration")
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
        Mean rate of each source in Hz, 0..:data:`MAX_RATE` (100 kHz).
    seed : int or None
        Seed of the :class:`numpy.random.Generator`, an integer >= 0; the same seed gives the same
        spikes (None: fresh randomness).
    fpga : bool
        Apply the FPGA generator's limits and clock.
    isi_base : int
        FPGA ISI base, 1..65535.

    Raises
    ------
    ParameterError
        For a bad number of sources, rate, seed or flag.
    HardwareLimitError
        With ``fpga=True``, for a rate above :data:`FPGA_MAX_RATE` or one whose mean interval
        exceeds the 16-bit interval counter (the message gives the lowest rate possible).

    Examples
    --------
    >>> idx, t = PoissonGenerator(10, rate=100.0, seed=1).spikes(1.0)
    >>> 800 < len(t) < 1200, bool((t < 1.0).all())
    (True, True)
    """

    def __init__(self, n: int, rate: float, seed: int | None = 0, fpga: bool = False, isi_base: int = 90) -> None:
        where = "PoissonGenerator"
        self.n = _check_n(n, where)
        self.rate = _check_rate("rate", rate, where)
        self.seed = check_seed(seed, where=where)
        self.fpga, self.isi_base = flag(fpga, "fpga", where=where), isi_base
        fpga_tick(isi_base)
        if self.fpga:
            _check_fpga_rate(self.rate, isi_base, where)

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
        duration = _duration(duration)
        _check_count("PoissonGenerator", self.n * self.rate * duration, "n * rate * duration")
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
        Mean rate in Hz, with the peak mean_rate * (1 + depth) at most :data:`MAX_RATE` (100 kHz).
    depth : float
        Modulation depth, 0..1.
    frequency : float
        Modulation frequency in Hz, 0..1e5.
    phase : float
        Phase of the cosine at t = 0, in rad (finite).
    seed : int or None
        Seed of the :class:`numpy.random.Generator`, an integer >= 0 (None: fresh randomness).

    Raises
    ------
    ParameterError
        For a bad number of sources, rate, depth, frequency, phase or seed.

    Examples
    --------
    >>> gen = CosineRateGenerator(1, mean_rate=20.0, depth=0.5, frequency=2.0)
    >>> gen.rate([0.0, 0.25]).tolist()  # Hz: peak, trough
    [30.0, 10.0]
    """

    def __init__(
        self, n: int, mean_rate: float, depth: float, frequency: float, phase: float = 0.0, seed: int | None = 0
    ) -> None:
        where = "CosineRateGenerator"
        self.n = _check_n(n, where)
        self.mean_rate = _check_rate("mean_rate", mean_rate, where)
        self.depth = number(depth, "depth", 0.0, 1.0, where=where)
        if self.mean_rate * (1 + self.depth) > MAX_RATE:
            raise ParameterError(
                f"{where}: peak rate mean_rate * (1 + depth) = {self.mean_rate * (1 + self.depth):g} Hz is above "
                f"MAX_RATE = {MAX_RATE:g} Hz (mean_rate = {mean_rate!r}, depth = {depth!r})"
            )
        self.frequency = _check_rate("frequency", frequency, where)
        self.phase = number(phase, "phase", unit="rad", where=where)
        self.seed = check_seed(seed, where=where)

    def _config(self) -> dict[str, object]:
        return {"n": self.n, "mean_rate": self.mean_rate, "depth": self.depth, "frequency": self.frequency,
                "phase": self.phase, "seed": self.seed}

    def rate(self, t: ArrayLike) -> np.ndarray:
        """The instantaneous rate in Hz at times ``t`` (s)."""
        return self.mean_rate * (1 + self.depth * np.cos(2 * np.pi * self.frequency * np.asarray(t) + self.phase))

    def spikes(self, duration: float) -> tuple[np.ndarray, np.ndarray]:
        duration = _duration(duration)
        peak = self.mean_rate * (1 + self.depth)
        _check_count("CosineRateGenerator", self.n * peak * duration, "n * peak rate * duration")
        rng = np.random.default_rng(self.seed)
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
        time (not a finite number >= 0), or an index >= ``n``.

    Warns
    -----
    UserWarning
        When spikes of one source at the same time are merged into one (the rule of the
        module docstring); :attr:`merged` says how many were dropped.

    Examples
    --------
    >>> gen = SpikeGenerator([0, 2, 0], [0.03, 0.01, 0.02])
    >>> gen.n, gen.spikes(0.025)[0].tolist()
    (3, [2, 0])
    """

    def __init__(self, indices: ArrayLike, times: ArrayLike, n: int | None = None) -> None:
        where = "SpikeGenerator"
        indices, raw_times = np.asarray(indices), np.asarray(times)
        if indices.shape != raw_times.shape or indices.ndim != 1:
            raise ParameterError(
                f"{where}: indices and times must be 1-D arrays of equal length, got shapes {indices.shape} and "
                f"{raw_times.shape}"
            )
        if raw_times.size and raw_times.dtype.kind not in "iuf":
            raise ParameterError(f"{where}: times must be numbers in s, got {raw_times[:5]!r}")
        times = raw_times.astype(float)
        if indices.size and (indices.dtype.kind not in "iu" or indices.min() < 0):
            raise ParameterError(f"{where}: indices must be integers >= 0, got {indices[:5]!r}")
        if times.size and not (np.all(np.isfinite(times)) and times.min() >= 0):
            bad = times[~(np.isfinite(times) & (times >= 0))][0]
            raise ParameterError(f"{where}: spike time {float(bad)!r} s is not a finite time >= 0")
        n_needed = int(indices.max()) + 1 if indices.size else 1
        if n_needed > MAX_SOURCES:
            raise ParameterError(f"{where}: index {n_needed - 1} is above the largest source index {MAX_SOURCES - 1}")
        self.n = n_needed if n is None else _check_n(n, where)
        if self.n < n_needed:
            raise ParameterError(
                f"{where}: n = {n} sources but an index {n_needed - 1} appears; allowed indices 0..{self.n - 1}"
            )
        idx, t = _sorted(indices.astype(np.int64), times)
        # the rule of the module docstring: spikes of one source at the same time are one spike
        unique = np.ones(idx.size, dtype=bool)
        unique[1:] = (idx[1:] != idx[:-1]) | (t[1:] != t[:-1])
        #: How many same-time duplicates of a source were merged away.
        self.merged = int(idx.size - np.count_nonzero(unique))
        if self.merged:
            first = int(np.flatnonzero(~unique)[0])
            warnings.warn(
                f"{where}: {self.merged} spike{'s' if self.merged > 1 else ''} of a source at the same time as "
                f"another of the same source merged (first: source {int(idx[first])} at {float(t[first])!r} s): "
                "on the chip they pass the same pulse extender and make one pulse; raise the weight to double "
                "the effect",
                UserWarning,
                stacklevel=2,
            )
        self.indices, self.times = idx[unique], t[unique]

    def _config(self) -> dict[str, object]:
        return {"indices": self.indices, "times": self.times, "n": self.n}

    def spikes(self, duration: float) -> tuple[np.ndarray, np.ndarray]:
        duration = _duration(duration)
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
    "MAX_RATE",
    "MAX_SOURCES",
    "MAX_SPIKES",
]
