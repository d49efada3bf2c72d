r"""The fast engine: ``method="fast"``, a fixed-step integrator for whole chips and boards.

It integrates the same equations as the reference integrator
(:mod:`dynapse_edu.engines.reference`): the soma functions of :mod:`dynapse_edu.core.neuron`
compiled by numba from their own code, the exact solution of the DPI decay of
:mod:`dynapse_edu.core.synapse`, the reset of :func:`dynapse_edu.core.neuron.spike_reset`
and the input jumps of :func:`dynapse_edu.core.dynamics.input_jumps` (see the module
:mod:`dynapse_edu.engines.kernels` for how, and for the scheme).

>>> from dynapse_edu.experiments import part1
>>> fast, ref = part1(method="fast", dt=None), part1(method="reference", dt=None)
>>> int(fast.spike_count[0]), int(ref.spike_count[0])
(53, 53)

Scheme and accuracy
-------------------
A fixed step ``h`` (:data:`DEFAULT_STEP` = 100 us); each neuron's step is cut
at the exact times of its input spikes and of the end of its refractory
period; synapse and adaptation currents decay in closed form (exact at any
``h``); the membrane is integrated in the log domain (``ln I_mem``) with the
classical RK4, shortened where ``ln I_mem`` would change by more than 2 (``kernels.DU_MAX``) in
a step; a threshold crossing is located to 100 ns. Spikes of neurons
onto neurons reach their targets at their exact times (the targets' step is
integrated again with them). Measured (details and timings in
``benchmarks/README.md``):

* part-1 single neuron, 1 s: the same 53 spikes as the reference integrator
  (solve_ivp, rtol 1e-6, atol 1 fA), largest spike-time difference 28.1 us
  (24 us with h = 50 us, which is the default reference's own error, at a
  spike that comes after a slow approach to threshold, where the spike time
  is very sensitive);
* a core of 256 neurons of the full-chip workload, 0.1 s: the same spike
  count for every neuron (3881 in all); per neuron, the largest spike-time
  difference is 9.1 us (median; 1.7 us with h = 50 us), 110 us (worst neuron);
* 16 neurons with recurrent AMPA/NMDA/GABA_A/GABA_B connections, 0.3 s:
  the same spike count for every neuron, spike times within 10.4 us;
* a strong input (``I_w0_ampa`` = 1 nA, weight 4, every 1 ms): spike times
  within 3.6 us (without shortening the steps: 0.95 ms);
* h = 50 us costs about 50 % more.

Input pulses in the fast engine
-------------------------------
Neurons with ``t_pulse`` or ``t_pulse_ahp`` set (:mod:`dynapse_edu.core.dynamics`, "The pulse extender")
keep one pulse extender per synapse type and one for the adaptation; a neuron's sub-steps are
also cut at its pulse ends, so that the inputs are constant inside a sub-step, and a current
under a pulse is advanced by the exact solution :func:`~dynapse_edu.core.synapse.dpi_under_input`
(compiled from the core, a Newton solve) instead of the decay; the membrane's RK4 stages see the
exact currents, as without pulses. Neurons without pulses run exactly as before (bit for bit).
Measured against the reference (tests/engines/test_engine_pulses.py, issue 12):

* the part-1 neuron with 0.5 ms pulses of 1 nA base weight: the same 22 spikes, within 21 us;
  with adaptation pulses as well (1 ms of 400 pA): 14 spikes within 3 us; with 10 us pulses of
  30 nA and 0.1 ms adaptation pulses: 13 spikes within 12 us;
* the 256-neuron core of the full-chip workload, 0.1 s, with 0.3 ms pulses of 300 pA (and
  adaptation pulses): the same 909 spikes, neuron by neuron, median 3.3 us, worst 22 us; with 10 us
  pulses of 10 nA: the same 2498 spikes, median 14.6 us, worst neuron 0.19 ms (2.3 us / 63 us with
  h = 50 us: the step's error at spikes after a slow approach).

Where the fast engine stops
---------------------------
Where a time constant in play is shorter than the step (a membrane above its
floor, :func:`~dynapse_edu.core.neuron.membrane_relaxation`; an adaptation or
synapse current above its floor), a neuron's membrane sub-step is at most
``kernels.FOLLOW`` (0.5) times it, so that RK4 follows it. Outside the domain of
:mod:`dynapse_edu.engines.limits` (a membrane faster than 0.5 us, a neuron above
2 kHz on average) the run is refused with an
:class:`~dynapse_edu.engines.limits.IntegrationLimitError`, as by the reference
integrator; never a silently different answer (``benchmarks/bias_space.py``
compares the two over random corners of the bias space).

Networks without recurrent connections are split into independent groups of
neurons integrated in parallel threads (``threads``); the result is the same.

Monitors
--------
Spike times of every neuron are always kept. Traces are sampled on the grid
``record.dt`` for the neurons ``record.neurons`` only; the step is shortened
if needed so that the grid falls on step boundaries. With ``at_spikes=True``
and exactly one recorded neuron, that neuron is also sampled just before and
just after each of its input and output spikes, as the reference does; with
several recorded neurons the fast engine samples the grid only (the neurons
are integrated one by one, not in lockstep, so there is no common state at an
arbitrary event time).
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..core.dynamics import N_STATE, NeuronTable, Pulses, deliver_spikes, input_jumps, input_pulse_currents, rest_state
from ..core.network import Network, Projection, check_duration
from ..core.params import Params
from ..core.result import Record, Result, traces_from_states
from ..errors import ParameterError
from . import kernels
from .limits import (
    MIN_TAU_MEM,
    IntegrationLimitError,
    check_network,
    max_spikes,
    relaxation_bound,
    too_fast,
    too_stiff,
)

#: Default time step of the fast engine, s.
DEFAULT_STEP = 100e-6
#: Allowed range of the time step, s.
STEP_RANGE = (1e-7, 1e-3)


#: A first run of the process still busy after this many seconds is compiling the kernels (loading
#: them from numba's disk cache takes well under a second): it says so, once (:func:`first_call_notice`).
ANNOUNCE_AFTER = 2.0
#: What it says.
COMPILING_NOTICE = (
    "dynapse_edu: compiling the fast engine's kernels (numba, first use on this machine: about 20-45 s, "
    "once; later runs load them from the disk cache). `python -m dynapse_edu.engines.fast` does it ahead of time."
)
_notice = {"done": False}  # whether this process's first run has happened


@contextlib.contextmanager
def first_call_notice(after: float | None = None) -> Iterator[None]:
    """Around the first run of the process: if it takes longer than ``after`` s, say on stderr that the kernels compile.

    The first ``method="fast"`` call on a machine where the kernels were never compiled (a plain
    ``pip install``, Colab) spends 20-45 s in numba's compiler before it computes anything; this
    says so once, instead of a silent wait. Later calls of the process say nothing.

    Parameters
    ----------
    after : float, optional
        Seconds before the notice (default :data:`ANNOUNCE_AFTER`).

    Examples
    --------
    >>> with first_call_notice():  # the doctest's process ran the kernels already: nothing is said
    ...     pass
    """
    if _notice["done"] or not kernels.HAVE_NUMBA:
        yield
        return
    _notice["done"] = True
    timer = threading.Timer(ANNOUNCE_AFTER if after is None else after,
                            lambda: print(COMPILING_NOTICE, file=sys.stderr, flush=True))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def check_step(step: float) -> float:
    """A time step in s, checked against :data:`STEP_RANGE`."""
    try:
        value = float(step)
    except (TypeError, ValueError):
        raise ParameterError(f"step must be a number of seconds, got {step!r}") from None
    lo, hi = STEP_RANGE
    if not (math.isfinite(value) and lo <= value <= hi):
        raise ParameterError(f"step = {step!r} s is outside the allowed range [{lo:g}, {hi:g}] s")
    return value


def grid_step(step: float, record_dt: float | None) -> float:
    """The step actually used: ``step``, shortened so that ``record_dt`` is a whole number of steps."""
    if record_dt is None:
        return step
    k = max(1, math.ceil(record_dt / step - 1e-9))
    return record_dt / k


def run_fast(
    net: Network, duration: float, record: Record | None = None, step: float = DEFAULT_STEP, threads: int | None = None
) -> Result:
    """Integrate ``net`` for ``duration`` s with the fast fixed-step engine.

    Parameters
    ----------
    net : Network
        The network (:meth:`dynapse_edu.hardware.chip.Chip.build`).
    duration : float
        Simulated time, s, in (0, :data:`~dynapse_edu.core.network.MAX_DURATION`].
    record : Record, optional
        What to record (default: every neuron every 0.1 ms, as the reference).
        For big networks record few neurons or ``Record(dt=None, neurons=())``:
        spike times are always kept.
    step : float
        Integration step ``h`` in s (default 100 us), within :data:`STEP_RANGE`.
    threads : int, optional
        Threads for networks without recurrent connections, whose neurons are
        independent (:func:`independent_groups`); default one per core. The
        result does not depend on it.

    Returns
    -------
    Result
        As :func:`dynapse_edu.engines.reference.run_reference`, with ``method="fast"``.

    Raises
    ------
    ParameterError
        For a duration, step or number of threads out of range.
    IntegrationLimitError
        (a ParameterError) For a setting outside the domain of :mod:`dynapse_edu.engines.limits`.

    Examples
    --------
    100 neurons, each driven by a constant current of its own (I_const from 0.2 to 2 nA), for 0.2 s:

    >>> import numpy as np
    >>> from dynapse_edu.core.dynamics import NeuronTable
    >>> from dynapse_edu.core.params import Params
    >>> table = NeuronTable.from_params([Params(I_const=c) for c in np.linspace(0.2e-9, 2e-9, 100)])
    >>> none = Projection.build(100, *(np.zeros(0, np.int64),) * 3, np.zeros(0))
    >>> net = Network(table, np.arange(100), np.zeros(0, np.int64), np.zeros(0), none, none)
    >>> result = run_fast(net, 0.2, Record(dt=None, neurons=(), at_spikes=False))
    >>> result.spike_count[[0, 50, 99]].tolist()  # 0.2 nA is below rheobase; more current, more spikes
    [0, 15, 23]
    """
    duration = check_duration(duration)
    record = Record() if record is None else record
    h = grid_step(check_step(step), record.dt)
    check_network(net, duration)
    table = net.table
    n = net.n
    rec = record.indices(n)
    grid = record.grid(duration)
    n_steps = max(1, math.ceil(duration / h - 1e-9))
    sample_every = 0 if record.dt is None else round(record.dt / h)
    event_neuron = int(rec[0]) if (record.at_spikes and rec.size == 1) else -1
    if record.at_spikes and rec.size > 1:
        warnings.warn(
            "method='fast' samples traces on the grid only when several neurons are recorded "
            "(at_spikes needs exactly one recorded neuron); use method='reference' for event samples",
            UserWarning,
            stacklevel=3,
        )
    if not kernels.HAVE_NUMBA and n * n_steps > 2_000_000:
        warnings.warn(
            "numba is not installed: the fast engine runs as plain Python and will be slow; "
            "install it with pip install 'dynapse-edu[fast]'",
            UserWarning,
            stacklevel=3,
        )

    samples = np.zeros((len(grid) if record.dt is not None else 0, N_STATE, rec.size))
    groups = independent_groups(net, check_threads(threads))
    jobs = []
    for idx in groups:
        local = np.full(n, -1, np.int64)
        local[idx] = np.arange(idx.size)
        mine = np.flatnonzero(local[rec] >= 0)  # the recorded neurons of this group (columns of samples)
        jobs.append((idx, mine, local[rec[mine]], local[event_neuron] if event_neuron >= 0 else -1))

    def run_group(job: tuple) -> tuple:
        idx, mine, rec_local, ev_local = job
        sub = net if idx.size == n else _subnetwork(net, idx)
        out = np.zeros((samples.shape[0], N_STATE, mine.size))
        result = _run_kernel(sub, h, n_steps, duration, sample_every, rec_local, out, ev_local, max_spikes(duration))
        return (idx, mine, out, *result)

    with first_call_notice():
        if len(jobs) == 1:
            outputs = [run_group(jobs[0])]
        else:  # the kernels release the GIL: one thread per group of neurons
            with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
                outputs = list(pool.map(run_group, jobs))
    # a limit of engines.limits stopped the run: refuse, naming the first neuron (in time) that broke one
    stops = [(o_stop[2], 0, idx[int(o_stop[0])], o_stop[1]) for idx, *_, o_stop, _ in outputs if o_stop[0] >= 0]
    stops += [(o_g[2], 1, idx[int(o_g[1])], o_g[3]) for idx, *_, o_g in outputs if o_g[1] >= 0]
    if stops:
        t_stop, kind, i_stop, value = min(stops)
        if kind == 0:
            raise too_fast(net, np.array([i_stop]), int(value), t_stop, max_spikes(duration))
        if value < 0:
            raise IntegrationLimitError(
                f"the fast engine could not follow neuron {int(net.neuron_ids[i_stop])} at t = {t_stop * 1e3:.4g} ms "
                f"(its membrane sub-steps made no progress in {4 * h / kernels.MIN_SUBSTEP:.0f} rounds of one step): "
                f"a setting outside the domain it is checked in (benchmarks/README.md); try method='reference'",
                (), [int(net.neuron_ids[i_stop])],
            )
        raise too_stiff(net, np.array([i_stop]), value, t_stop)
    spk_i = np.concatenate([idx[o_i] for idx, _, _, o_i, *_ in outputs])
    spk_t = np.concatenate([o_t for _, _, _, _, o_t, *_ in outputs])
    es_t, es_y = np.zeros(0), np.zeros((0, N_STATE))
    for _, mine, out, _, _, o_es_t, o_es_y, *_ in outputs:
        samples[:, :, mine] = out
        if o_es_t.size:
            es_t, es_y = o_es_t, o_es_y
    if samples.shape[0] and net.input_times.size and net.input_times[0] == 0.0:
        # as the reference, the sample at t = 0 is taken after the input spikes at t = 0
        at_zero = net.external.entries(net.input_sources[net.input_times == 0.0])
        first = rest_state(table)
        ext = net.external
        deliver_spikes(first, table, ext.synapse[at_zero], ext.post[at_zero], ext.weight[at_zero], 0.0, Pulses(n))
        samples[0] = first[:, rec]
    order = np.argsort(spk_i, kind="stable")  # each neuron's spikes come out in time order: stable keeps it
    bounds = np.searchsorted(spk_i[order], np.arange(n + 1))
    spike_times = [spk_t[order[bounds[k] : bounds[k + 1]]] for k in range(n)]

    t_all, states = grid, samples
    if event_neuron >= 0 and es_t.size:
        t_all = np.concatenate([grid, es_t])
        states = np.concatenate([samples, es_y[:, :, None]], axis=0)
        order = np.argsort(t_all, kind="stable")  # grid sample first, then before/after pairs in order
        t_all, states = t_all[order], states[order]
    traces = traces_from_states(states, table.subset(rec))
    return Result(
        t=t_all,
        traces=traces,
        spike_times=spike_times,
        neuron_ids=net.neuron_ids,
        recorded=rec,
        duration=duration,
        method="fast",
        table=table,
    )


def check_threads(threads: int | None) -> int:
    """The number of threads: ``None`` = the machine's cores; else an int in 1..256."""
    if threads is None:
        return max(1, min(os.cpu_count() or 1, 256))
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or not 1 <= threads <= 256:
        raise ParameterError(f"threads = {threads!r} must be an integer in 1..256 (or None: one per core)")
    return int(threads)


def independent_groups(net: Network, parts: int) -> list[np.ndarray]:
    """Split the neurons into up to ``parts`` groups that can be integrated separately.

    Neurons interact only through recurrent connections; without any, every
    neuron is independent and the neurons are cut into ``parts`` contiguous
    blocks (of about equal numbers of input connections). With recurrent
    connections the network stays whole.
    """
    n = net.n
    if parts <= 1 or n < 2 * parts or net.recurrent.post.size or not kernels.HAVE_NUMBA:
        return [np.arange(n)]
    load = np.bincount(net.external.post, minlength=n) + 1.0
    cuts = np.searchsorted(np.cumsum(load), np.arange(1, parts) * load.sum() / parts)
    return [g for g in np.split(np.arange(n), cuts) if g.size]


def _subnetwork(net: Network, idx: np.ndarray) -> Network:
    """The neurons ``idx`` of a network without recurrent connections, with the input connections onto them."""
    local = np.full(net.n, -1, np.int64)
    local[idx] = np.arange(idx.size)
    ext = net.external
    pre = np.repeat(np.arange(ext.n_pre), np.diff(ext.ptr))
    keep = local[ext.post] >= 0
    external = Projection.build(ext.n_pre, pre[keep], local[ext.post[keep]], ext.synapse[keep], ext.weight[keep])
    used = np.diff(external.ptr) > 0  # input sources that reach this group
    spikes = used[net.input_sources]
    return Network(
        net.table.subset(idx), net.neuron_ids[idx], net.input_sources[spikes], net.input_times[spikes],
        external, Projection.build(idx.size, *(np.zeros(0, np.int64),) * 3, np.zeros(0)),
    )


def _run_kernel(
    net: Network, h: float, n_steps: int, duration: float, sample_every: int, rec: np.ndarray,
    samples: np.ndarray, event_neuron: int, spike_limit: int,
) -> tuple[np.ndarray, ...]:
    """Integrate one network from rest with :func:`dynapse_edu.engines.kernels.run_kernel`."""
    table = net.table
    state = rest_state(table)
    ext, recur = net.external, net.recurrent
    ext_jump = input_jumps(table, ext.synapse, ext.post, ext.weight)
    rec_jump = input_jumps(table, recur.synapse, recur.post, recur.weight)
    ext_pulse = input_pulse_currents(table, ext.synapse, ext.post, ext.weight)
    rec_pulse = input_pulse_currents(table, recur.synapse, recur.post, recur.weight)
    return kernels.run_kernel(
        state, kernels.as_table(table), h, n_steps, duration,
        np.ascontiguousarray(net.input_sources, dtype=np.int64), np.ascontiguousarray(net.input_times, dtype=float),
        ext.ptr.astype(np.int64), ext.post, ext.synapse, np.ascontiguousarray(ext_jump),
        recur.ptr.astype(np.int64), recur.post, recur.synapse, np.ascontiguousarray(rec_jump),
        sample_every, np.asarray(rec, dtype=np.int64), samples, event_neuron, spike_limit, MIN_TAU_MEM,
        np.ascontiguousarray(relaxation_bound(table), dtype=float),
        np.ascontiguousarray(ext_pulse, dtype=float), np.ascontiguousarray(rec_pulse, dtype=float),
    )


def compile_kernels() -> float:
    """Compile every kernel of the fast engine, or load it from numba's disk cache.

    The first use of ``method="fast"`` on a machine compiles the kernels (about
    20 s); the compiled code is then cached on disk and a new process loads it
    in a fraction of a second. ``make`` calls this once after installing
    (``python -m dynapse_edu.engines.fast``), so that neither the course nor a
    benchmark waits for the compiler. Runs three tiny networks that take every
    path of the kernels: spike monitors only, one neuron with event samples,
    and recurrent connections (``tests/engines/test_fast.py`` checks that the
    chip API's runs compile nothing more afterwards).

    Returns
    -------
    float
        The time it took, s.

    Examples
    --------
    >>> seconds = compile_kernels()  # about 20 s the first time on a machine, then a fraction of a second
    >>> from dynapse_edu.engines import kernels
    >>> len(kernels.run_kernel.signatures) >= 1 if kernels.HAVE_NUMBA else True
    True
    """
    start = time.perf_counter()
    _notice["done"] = True  # compiling is what this is for: no notice
    table = NeuronTable.from_params(Params(), 2)
    times = np.arange(1, 40) * 2e-3
    src = np.zeros(times.size, np.int64)
    external = Projection.build(1, np.zeros(2, np.int64), np.arange(2), np.zeros(2, np.int64), np.full(2, 4.0))
    recurrent = Projection.build(2, np.array([0]), np.array([1]), np.array([2]), np.array([1.0]))
    nothing = Projection.build(2, *(np.zeros(0, np.int64),) * 3, np.zeros(0))
    plain = Network(table, np.arange(2), src, times, external, nothing)
    run_fast(plain, 0.05, Record(dt=None, neurons=(), at_spikes=False), threads=1)
    run_fast(plain, 0.05, Record(dt=1e-3, neurons=[0], at_spikes=True), threads=1)
    recur = Network(table, np.arange(2), src, times, external, recurrent)
    run_fast(recur, 0.05, Record(dt=1e-3, neurons=[0, 1], at_spikes=False), threads=1)
    return time.perf_counter() - start


__all__ = [
    "run_fast", "DEFAULT_STEP", "STEP_RANGE", "check_step", "check_threads", "compile_kernels", "grid_step",
    "independent_groups", "first_call_notice", "ANNOUNCE_AFTER", "COMPILING_NOTICE",
]


# python -m dynapse_edu.engines.fast: compile the kernels once (make does it after installing)
if __name__ == "__main__":
    print(f"dynapse_edu.engines.fast: kernels compiled or loaded from the disk cache in {compile_kernels():.1f} s")
