"""The reference integrator: ``scipy.integrate.solve_ivp`` with exact spike events.

Readable and exact rather than fast. Time is cut into segments at every
discontinuity whose time is known in advance (an input spike, the end of a
refractory period, the start and the end of an input or adaptation pulse
(:mod:`dynapse_edu.core.dynamics`, "The pulse extender"), the end of the run); inside a segment
the input currents are constant and the equations of
:func:`dynapse_edu.core.dynamics.derivatives` are smooth but for the membrane's
floor, and solve_ivp integrates them with a *terminal event* that fires when
the first membrane current reaches its threshold. At an output spike the
integrator stops, resets the spiking neurons, delivers their spikes to their
targets, and starts a new segment at the spike time.

Tolerances
----------
``rtol = 1e-6`` and ``atol = 1e-3 * I0`` (1 fA with the defaults) on every
current: the absolute tolerance is a thousandth of the smallest current the
chip can hold, the relative one well below any mismatch on silicon. Event
times are located by solve_ivp's root finder on the dense output (to about
machine precision of the step's interpolant). Where a current meets its
floor the derivative switches off (a kink), and the step that crosses it is
accurate only to about 1 % of I0 (10 fA measured on a synapse kernel); away
from the floor the error stays within the tolerances. The floor is held in the
state itself: at the end of every segment each current is raised to I0 if the
solver left it below (:func:`~dynapse_edu.core.neuron.floor`), so that a jump
after a decay to the floor starts from I0, as the closed form
``max((I0 + J) e^{-t/tau}, I0)``. The solver is RK45 (at the default biases
the equations are not stiff at these tolerances: the fastest time constant, the
spike upswing, is resolved by step-size control); a segment in which a membrane
settles at an equilibrium between its floor and its threshold where it relaxes
faster than :data:`STIFF_TAU` (20 us: strong leak, adaptation or shunting;
:func:`is_stiff`) is integrated with the implicit :data:`STIFF_METHOD` (Radau).
Only there: an L-stable method damps *growing* solutions as well as decaying ones
once its step is many times their growth time, and a membrane that lifts off its
floor grows exponentially (its upswing, ``ln I_mem`` at up to 1/(14 us)) after
milliseconds held there, over which Radau lengthens its steps to hundreds of us.
Chosen wherever a membrane *could* relax that fast (up at its threshold, as until
2 Dec 2026), Radau delayed such upswings by milliseconds, or until the next input
spike started a new segment (setting 364 of ``benchmarks/bias_space.py``: one neuron
from its floor, I_ahp 26.5 nA decaying below I_const 25 nA, fires at 0.227 ms with
RK45 and with the fast engine, at 5.97 ms with Radau, not within 6 ms with BDF; five
settings of the 400 lost 5-20 % of their spikes so), and it was slower there
(finite-difference Jacobians and LU factorisations: 11-21 ms per segment against
RK45's 2-5 ms). Where the solver gives up on a segment ("Required step size is
less than spacing between numbers": Radau's first-step guess right after a reset
under a 10 mA adaptation current, setting 170 of ``benchmarks/bias_space.py``, while
Radau was chosen there; none of the 400 settings needs a retry since), the segment
is integrated again
with the :data:`RETRIES` (a 1 ps first step, then LSODA, then BDF); if all fail, the run
stops with an :class:`~dynapse_edu.engines.limits.IntegrationLimitError` naming the neuron
and the parameters (:func:`~dynapse_edu.engines.limits.solver_gave_up`), never a bare
RuntimeError.

Long runs
---------
``progress=True`` shows a tqdm bar over the simulated time (automatic, ``None``: only once a
run has taken 2 s); Ctrl-C stops the run with a one-line
:class:`~dynapse_edu.engines.limits.RunInterrupted` (a KeyboardInterrupt) whose ``partial``
holds the result up to there (:func:`~dynapse_edu.engines.limits.progress_bar`).

Where the reference integrator stops
------------------------------------
The same as the fast engine's (:mod:`dynapse_edu.engines.limits`): a membrane
time constant below 0.5 us is refused before integrating; a membrane that
relaxes faster than that right after an input or output spike, or a neuron that
fires more than 2 kHz on average over the run, stops the run with an
:class:`~dynapse_edu.engines.limits.IntegrationLimitError` naming the neurons and
the parameters.

Step order at a time when several things happen: the state just before is
recorded, input spikes are delivered (and any output spike at the same time
is handled in the next, zero-length check), then the state just after is
recorded.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from ..core.dynamics import AHP, MEM, N_STATE, SYN, NeuronTable, Pulses, deliver_spikes, derivatives, reset, rest_state
from ..core.network import Network, Projection
from ..core.neuron import floor, membrane_relaxation, soma_input
from ..core.result import Record, Result, traces_from_states
from ..core.synapse import dpi_decay_exact
from .limits import (
    SHUNT,
    RateGuard,
    RunInterrupted,
    check_network,
    check_relaxation,
    progress_bar,
    relaxation_bound,
    solver_gave_up,
)

RTOL = 1e-6
#: A segment in which a membrane settles at an equilibrium below its threshold where it relaxes faster than this, s,
#: is stiff for RK45: it is integrated with :data:`STIFF_METHOD` instead (:func:`is_stiff`).
STIFF_TAU = 20e-6
#: How long a stiff equilibrium must last without new input (the currents decayed exactly) for Radau, in s.
#: A stiffness that the decay of a fast input ends within microseconds is left to RK45 (setting 173 of
#: benchmarks/bias_space.py, a 34 uA AMPA input of tau 1.5 us, takes 2 s with RK45 and 11-13 s with Radau).
STIFF_HOLD = 200e-6
#: The solver of stiff segments (implicit Runge-Kutta of order 5: L-stable, and it steps over the floor's kink
#: where LSODA stalled, benchmarks/bias_space.py).
STIFF_METHOD = "Radau"
ATOL_PER_I0 = 1e-3
#: What a segment is integrated with when the solver gives up ("Required step size is less than spacing
#: between numbers"), in order: (method, or None for the same one; first step, s, or None for solve_ivp's
#: choice). Radau's first-step guess can fail right after a reset under a huge adaptation current (setting
#: 170 of benchmarks/bias_space.py: I_ahp ~ 10 mA, derivatives ~ 700 A/s); a 1 ps first step or LSODA passes.
RETRIES: tuple[tuple[str | None, float | None], ...] = ((None, 1e-12), ("LSODA", None), ("BDF", 1e-12))



def _deliver(net: Network, projection: Projection, entries: np.ndarray, state: np.ndarray, table: NeuronTable,
             t: float, pulses: Pulses, bound: np.ndarray) -> None:
    """Deliver the spikes of ``projection``'s ``entries`` at ``t`` (in place), then check the limits there
    (``bound``: :func:`~dynapse_edu.engines.limits.relaxation_bound` of ``table``)."""
    deliver_spikes(
        state, table, projection.synapse[entries], projection.post[entries], projection.weight[entries], t, pulses
    )
    check_relaxation(net, state, np.unique(projection.post[entries]), t, bound)


def run_reference(
    net: Network, duration: float, record: Record | None = None, progress: bool | None = None,
) -> Result:
    """Integrate ``net`` for ``duration`` seconds with solve_ivp and exact events.

    Parameters
    ----------
    net : Network
        What to simulate (:meth:`~dynapse_edu.hardware.chip.Chip.build` makes one).
    duration : float
        Simulated time, s (> 0; :func:`~dynapse_edu.engines.registry.simulate` checks it).
    record : Record, optional
        What to record (default: every neuron, 0.1 ms grid, and just before and after every spike).
    progress : bool or None
        A progress bar over the simulated time (tqdm, if installed): True always, False never, None
        (default) only for a run that takes longer than :data:`~dynapse_edu.engines.limits.PROGRESS_AFTER`
        (2 s) of wall time (:func:`~dynapse_edu.engines.limits.progress_bar`).

    Returns
    -------
    Result
        Sample times ``t`` (s), traces (A), spike times per neuron (s), ``method="reference"``.

    Raises
    ------
    IntegrationLimitError
        For a setting outside the domain of :mod:`dynapse_edu.engines.limits` (named parameters).
    RunInterrupted
        On Ctrl-C (a KeyboardInterrupt) during the run: a one-line message, and ``err.partial`` holds the
        result up to the time reached.

    Examples
    --------
    One AMPA spike of weight 2 at 10 ms into one neuron: the synapse jumps by I_w0 alpha w = 800 pA.

    >>> import numpy as np
    >>> from dynapse_edu.core.dynamics import NeuronTable
    >>> from dynapse_edu.core.network import Network, Projection
    >>> from dynapse_edu.core.params import Params
    >>> table = NeuronTable.from_params(Params())
    >>> external = Projection.build(1, np.array([0]), np.array([0]), np.array([0]), np.array([2.0]))
    >>> recurrent = Projection.build(1, *(np.zeros(0, np.int64),) * 3, np.zeros(0))
    >>> net = Network(table, np.arange(1), np.array([0]), np.array([0.01]), external, recurrent)
    >>> result = run_reference(net, 0.02)
    >>> at = np.flatnonzero(result.t == 0.01)  # the grid sample, then just before and just after the spike
    >>> (result.trace("I_ampa")[at] * 1e12).round(3)  # pA
    array([  1.,   1., 801.])
    """
    record = Record() if record is None else record
    check_network(net, duration)
    guard = RateGuard(net, duration)
    table = net.table
    bound = relaxation_bound(table)  # (the limit on the relaxation is checked only above this bound)
    stiff_bound = stiffness_bound(table)  # (which segments are stiff)
    n = net.n
    rec = record.indices(n)
    grid = record.grid(duration)

    state = rest_state(table)
    pulses = Pulses(n)  # the pulse extenders (used by neurons with t_pulse or t_pulse_ahp set)
    any_pulsed = bool(table.pulsed.any() or table.pulsed_ahp.any())  # (else no pulse bookkeeping at all)
    refractory_until = np.full(n, -np.inf)
    spike_times: list[list[float]] = [[] for _ in range(n)]
    rows_t: list[np.ndarray] = []
    rows_y: list[np.ndarray] = []

    def keep(times: np.ndarray, ys: np.ndarray) -> None:
        """Store samples: ``ys`` has shape (6, n, len(times))."""
        if rec.size and times.size:
            rows_t.append(times)
            rows_y.append(np.moveaxis(ys[:, rec, :], 2, 0))

    # the input spike times, grouped: each unique time with the spikes at it
    in_t = net.input_times
    unique_t, first = np.unique(in_t, return_index=True)
    bounds = np.append(first, len(in_t))
    k_in = 0  # next group of input spikes
    g = 0  # next grid sample to record
    t = 0.0

    def result(until: float) -> Result:
        """The result of the run up to ``until`` s."""
        kept = min(len(rows_t), len(rows_y))  # (an interrupt may fall between the two appends of keep)
        if kept:
            t_all = np.concatenate(rows_t[:kept])
            states = np.concatenate(rows_y[:kept], axis=0)
        else:
            t_all = np.zeros(0)
            states = np.zeros((0, N_STATE, rec.size))
        return Result(
            t=t_all,
            traces=traces_from_states(states, table.subset(rec)),
            spike_times=[np.array(s) for s in spike_times],
            neuron_ids=net.neuron_ids,
            recorded=rec,
            duration=until,
            method="reference",
            table=table,
        )

    bar = progress_bar(duration, progress)
    try:
        while True:
            # --- 1. deliver the input spikes that fall at time t -------------
            if k_in < len(unique_t) and unique_t[k_in] <= t:
                sl = slice(bounds[k_in], bounds[k_in + 1])
                entries = net.external.entries(net.input_sources[sl])
                if entries.size:
                    if record.at_spikes:
                        keep(np.array([t]), state[:, :, None])
                    _deliver(net, net.external, entries, state, table, t, pulses, bound)
                    if record.at_spikes:
                        keep(np.array([t]), state[:, :, None])
                k_in += 1
                continue
            if g < len(grid) and grid[g] <= t:  # a grid sample at exactly t (only t = 0)
                keep(grid[g : g + 1], state[:, :, None])
                g += 1
            if bar is not None:
                bar.update(t)
            if t >= duration:
                break

            # --- 2. integrate to the next known discontinuity ------------------
            refractory = refractory_until > t
            t_next = min(
                duration,
                unique_t[k_in] if k_in < len(unique_t) else np.inf,
                refractory_until[refractory].min() if refractory.any() else np.inf,
                pulses.next_edge(t) if any_pulsed else np.inf,
            )
            g_end = np.searchsorted(grid, t_next, side="right")
            samples = grid[g:g_end]
            pulse_input = pulses.inputs(t) if any_pulsed else None  # constant until t_next
            if pulse_input is not None and not pulse_input.any():
                pulse_input = None
            sol = _segment(state, table, refractory, t, t_next, samples, pulse_input, net.neuron_ids, stiff_bound)
            n_samples = min(len(sol.t), len(samples))
            if n_samples:
                keep(sol.t[:n_samples], floor(sol.y[:, :n_samples].reshape(N_STATE, n, -1), table.I0[:, None]))
            g += n_samples

            if sol.status == 1:  # a neuron reached threshold
                t = float(sol.t_events[0][0])
                state = floor(sol.y_events[0][0].reshape(N_STATE, n), table.I0)  # the floor held in the state
                active = ~refractory
                over = state[MEM] - table.I_th
                spiking = np.flatnonzero(active & (over >= -1e-9 * table.I_th))
                if spiking.size == 0:  # the root finder stopped a hair short: take the closest
                    spiking = np.array([np.flatnonzero(active)[np.argmax(over[active])]])
                if record.at_spikes:
                    keep(np.array([t]), state[:, :, None])
                reset(state, table, spiking, t, pulses)
                refractory_until[spiking] = t + table.t_ref[spiking]
                for i in spiking:
                    spike_times[i].append(t)
                guard.add(spiking, t)
                check_relaxation(net, state, spiking, t, bound)
                entries = net.recurrent.entries(spiking)
                if entries.size:
                    _deliver(net, net.recurrent, entries, state, table, t, pulses, bound)
                if record.at_spikes:
                    keep(np.array([t]), state[:, :, None])
            else:
                t = t_next
                state = floor(sol.y[:, -1].reshape(N_STATE, n), table.I0)  # the floor held in the state
                if any_pulsed:  # a pulse's current is largest at its end: the limit is checked there
                    ended = np.flatnonzero((pulses.until == t).any(axis=0))
                    if ended.size:
                        check_relaxation(net, state, ended, t, bound)

    except KeyboardInterrupt:
        raise RunInterrupted("reference", t, duration, result(t)) from None
    finally:
        if bar is not None:
            bar.close()
    return result(duration)


def stiffness_bound(table: NeuronTable) -> np.ndarray:
    """The adaptation plus shunting current below which a neuron cannot make a segment stiff, A (per neuron).

    A membrane relaxes fastest up at its threshold, :func:`~dynapse_edu.core.neuron.membrane_relaxation`
    (I_th, I_ahp, I_shunt) = tau_mem (I_tau / (I_tau + I_ahp + I_shunt)) (1 + I_g / I_th); where that is not
    below :data:`STIFF_TAU`, that is where I_ahp + I_shunt is not above tau_mem I_tau (1 + I_g / I_th) / STIFF_TAU
    - I_tau, it relaxes more slowly at any equilibrium below its threshold: :func:`is_stiff` is False. The cheap
    pre-test of :func:`is_stiff`: :func:`~dynapse_edu.engines.limits.relaxation_bound` at the threshold.

    Examples
    --------
    >>> from dynapse_edu.core.neuron import membrane_relaxation
    >>> from dynapse_edu.core.params import Params
    >>> p = Params()
    >>> table = NeuronTable.from_params(p)
    >>> state = rest_state(table)
    >>> state[AHP] = stiffness_bound(table) * 1.001  # just above: the relaxation at threshold is below STIFF_TAU
    >>> bool(membrane_relaxation(table.I_th, state[AHP], state[SHUNT], table)[0] < STIFF_TAU)
    True
    """
    return relaxation_bound(table, STIFF_TAU, table.I_th)


def _segment(
    state: np.ndarray, table, refractory: np.ndarray, t0: float, t1: float, samples: np.ndarray,
    pulse_input: np.ndarray | None = None, ids: np.ndarray | None = None, stiff_bound: np.ndarray | None = None,
):
    """Integrate one smooth stretch from t0 to t1, stopping at the first threshold crossing.

    ``pulse_input`` (5, N): the constant input currents of the adaptation and synapse rows, A, where
    a pulse is on (None: none); ``stiff_bound``: :func:`stiffness_bound` of ``table`` (computed if None).
    Returns solve_ivp's result evaluated at ``samples`` (times in (t0, t1]) and
    at t1, so that ``sol.y[:, -1]`` is the state at t1 when no spike occurred.
    """
    n = table.n
    ids = np.arange(n) if ids is None else ids
    active = ~refractory
    atol = ATOL_PER_I0 * float(table.I0.min())
    held = refractory if refractory.any() else None  # (no neuron to hold: skip the masked write, 5 % of a call)

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        return derivatives(y.reshape(N_STATE, n), table, held, pulse_input).ravel()

    watched = slice(0, n) if active.all() else np.flatnonzero(active)  # the membranes that can spike
    I_th = table.I_th[watched]

    def threshold(_t: float, y: np.ndarray) -> float:
        over = y[watched] - I_th
        return float(over.max()) if over.size else -1.0

    threshold.terminal = True
    threshold.direction = 1.0

    t_eval = samples if samples.size and samples[-1] == t1 else np.append(samples, t1)
    # stiff if a membrane settles stiffly below its threshold (is_stiff); first the cheap necessary test: a membrane
    # could relax faster than STIFF_TAU at all, up at its threshold (stiffness_bound)
    if stiff_bound is None:
        stiff_bound = stiffness_bound(table)
    could = bool(np.any((state[AHP] + state[SHUNT] > stiff_bound) & active))
    stiff = could and is_stiff(state, table, active)
    method = STIFF_METHOD if stiff else "RK45"
    y0 = state.ravel()
    sol = solve_ivp(rhs, (t0, t1), y0, method=method, t_eval=t_eval, events=threshold, rtol=RTOL, atol=atol)
    for fallback, first_step in RETRIES:  # the step-size control gave up: start again more cautiously
        if sol.success:
            break
        sol = solve_ivp(
            rhs, (t0, t1), y0, method=fallback or method, t_eval=t_eval, events=threshold, rtol=RTOL, atol=atol,
            first_step=min(first_step, t1 - t0) if first_step else None,
        )
    if not sol.success:
        raise solver_gave_up(table, state, ids, t0, t1, str(sol.message))
    return sol


def is_stiff(state: np.ndarray, table: NeuronTable, active: np.ndarray) -> bool:
    """Whether a segment from ``state`` needs the implicit :data:`STIFF_METHOD`: a membrane of the ``active``
    neurons settles at an equilibrium above its floor and below its threshold where it relaxes faster than
    :data:`STIFF_TAU`, now and still :data:`STIFF_HOLD` later without new input.

    The equilibrium is that of :func:`~dynapse_edu.core.neuron.membrane_derivative` under the present input and
    leak currents, I_mem = alpha I_tau (I_in - I_sum) / I_sum (as :func:`~dynapse_edu.core.neuron.steady_state`,
    with the present adaptation and shunt in I_sum, the feedback left out); its relaxation time is
    :func:`~dynapse_edu.core.neuron.membrane_relaxation` there. A membrane held at its floor, or driven above its
    threshold, is left to RK45: Radau would damp its growth (module docstring).

    Parameters
    ----------
    state : ndarray, shape (6, N)
        The state at the segment's start, A.
    table : NeuronTable
        The neurons' parameters.
    active : bool ndarray, shape (N,)
        The neurons not in their refractory period.

    Returns
    -------
    bool

    Examples
    --------
    >>> from dynapse_edu.core.params import Params
    >>> table = NeuronTable.from_params(Params())
    >>> state = rest_state(table)
    >>> is_stiff(state, table, np.array([True]))  # at rest: held at the floor
    False
    >>> state[AHP], state[2] = 1e-6, 2e-6  # 2 uA of AMPA against 1 uA of adaptation: it settles at 20 pA, 0.14 us
    >>> is_stiff(state, table, np.array([True]))
    True
    """
    later = state.copy()  # the adaptation and synapse currents STIFF_HOLD later, without new input (exact decay)
    later[AHP:] = dpi_decay_exact(state[AHP:], np.exp(-STIFF_HOLD / table.tau_decay), table.I0)
    return bool(np.any(_settles_stiffly(state, table, active) & _settles_stiffly(later, table, active)))


def _settles_stiffly(state: np.ndarray, table: NeuronTable, active: np.ndarray) -> np.ndarray:
    """Per neuron: whether its membrane, under the currents of ``state``, settles between its floor and its
    threshold where it relaxes faster than :data:`STIFF_TAU` (see :func:`is_stiff`)."""
    current = floor(state, table.I0)
    I_in, _ = soma_input(current[MEM], current[SYN], table)
    I_sum = table.I_tau_mem + current[AHP] + current[SHUNT]
    settles = table.alpha_mem * table.I_tau_mem * (I_in - I_sum) / I_sum
    below = active & (settles > table.I0) & (settles < table.I_th)
    relax = membrane_relaxation(np.where(below, settles, table.I0), current[AHP], current[SHUNT], table)
    return relax < STIFF_TAU


__all__ = [
    "run_reference", "stiffness_bound", "is_stiff", "RTOL", "ATOL_PER_I0", "STIFF_TAU", "STIFF_HOLD", "STIFF_METHOD",
    "RETRIES",
]
