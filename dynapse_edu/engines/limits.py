r"""The domain both integrators follow, and the rule outside it: refuse, naming the parameters.

Both integrators (:mod:`~dynapse_edu.engines.reference`, :mod:`~dynapse_edu.engines.fast`) apply the
same two limits, so that a setting is either simulated by both or refused by both, with the same
:class:`IntegrationLimitError`:

* **before integrating** (:func:`check_network`): every neuron's membrane time constant
  ``tau_mem = C_mem U_T / (kappa I_tau_mem)`` must be at least :data:`MIN_TAU_MEM` (0.5 us);
* **while integrating**, right after each input spike a neuron receives and after each of its output
  spikes (:func:`check_relaxation`): a membrane above its floor must not relax faster than
  :data:`MIN_TAU_MEM` (:func:`~dynapse_edu.core.neuron.membrane_relaxation`: tau_mem shortened by strong
  adaptation or shunting, ``I_tau / (I_tau + I_ahp + I_shunt)``). A faster membrane is a stiff equation
  that the fast engine could follow only with steps of a fraction of it, millions per second of
  simulated time; nothing in the course needs a membrane faster than 0.5 us. Synapse and adaptation
  time constants have no lower limit: both integrators follow them (their decay is exact; the fast
  engine shortens its step while such a current is above its floor, ``kernels.FOLLOW``);
* **while integrating** (:class:`RateGuard`): no neuron may fire more than :data:`MAX_RATE` x duration
  spikes (2 kHz on average, and at least :data:`MIN_SPIKES`). The reference integrator restarts at
  every spike (2-5 ms of computation each): a neuron firing at up to MHz (a refractory period of
  nanoseconds under microamperes of input) would take it hours, and 4 neurons at 2 kHz for 0.1 s
  already take it a few seconds; the run stops at the first neuron that passes the limit.

Inside the domain the fast engine shortens its step where a time constant is shorter than the step
(``dynapse_edu.engines.kernels.FOLLOW``), so that both integrators give the same spike counts
(``benchmarks/bias_space.py``).

The reference integrator's solver may still give up on a segment after its retries (none of the 400
settings of ``benchmarks/bias_space.py`` does): :func:`solver_gave_up` makes that an
:class:`IntegrationLimitError` too. Long runs: :func:`progress_bar` (a tqdm bar over the simulated time)
and :class:`RunInterrupted` (Ctrl-C gives a one-line error carrying the partial result).

The error names the Params fields responsible (``err.parameters``) and the neurons (``err.neurons``,
chip ids); the translation to chip bias names is the hardware layer's
(``dynapse_edu.hardware.biasgen.BIASES`` maps each bias to the field it sets).

Examples
--------
>>> from dynapse_edu.core.params import Params
>>> membrane_time_constants(NeuronTable.from_params(Params())).round(6)  # s: the default 14.18 ms
array([0.014184])
>>> max_spikes(0.1)  # per neuron in a 0.1 s run
200
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from types import SimpleNamespace

import numpy as np

from ..core.dynamics import AHP, MEM, NeuronTable
from ..core.network import Network
from ..core.neuron import membrane_relaxation
from ..core.synapse import synapse_index
from ..errors import ParameterError

#: Shortest membrane time constant (and relaxation time above the floor) either integrator accepts, s.
MIN_TAU_MEM = 0.5e-6
#: Highest mean firing rate of a neuron over a run, Hz (1 / MAX_RATE = 500 us between spikes).
MAX_RATE = 2e3
#: The state row of the shunting (GABA_A) current.
SHUNT = 2 + synapse_index("GABA_A")
#: A run may always hold this many spikes per neuron (short runs), whatever its duration.
MIN_SPIKES = 10

#: The Params fields that set a neuron's firing rate, named when a neuron fires too fast.
RATE_PARAMETERS: tuple[str, ...] = ("t_ref", "I_const", "I_w0_ampa", "I_w0_nmda", "I_tau_mem", "alpha_mem")
#: The Params fields that set the membrane time constant.
TAU_MEM_PARAMETERS: tuple[str, ...] = ("I_tau_mem", "C_mem")
#: The Params fields that shorten the membrane's relaxation: adaptation and shunting (and the leak).
RELAXATION_PARAMETERS: tuple[str, ...] = (
    "I_w_ahp", "alpha_ahp", "I_w0_gaba_a", "alpha_gaba_a", "I_tau_mem", "C_mem",
)


class IntegrationLimitError(ParameterError):
    """A setting outside the domain the integrators follow (:mod:`dynapse_edu.engines.limits`).

    Attributes
    ----------
    parameters : tuple of str
        The :class:`~dynapse_edu.core.params.Params` fields responsible.
    neurons : tuple of int
        The neurons concerned (chip ids).
    """

    def __init__(self, message: str, parameters: Sequence[str] = (), neurons: Sequence[int] = ()) -> None:
        super().__init__(message)
        self.parameters = tuple(parameters)
        self.neurons = tuple(int(i) for i in neurons)

    def __reduce__(self):  # picklable with its attributes (process pools)
        return (type(self), (str(self), self.parameters, self.neurons))


def membrane_time_constants(table: NeuronTable) -> np.ndarray:
    """tau_mem of each neuron, s (the table's own, C_mem U_T / (kappa I_tau_mem))."""
    return np.asarray(table.tau_mem, dtype=float)


def max_spikes(duration: float) -> int:
    """Most spikes a neuron may fire in a run of ``duration`` s: MAX_RATE x duration, at least MIN_SPIKES."""
    return max(MIN_SPIKES, math.ceil(MAX_RATE * duration - 1e-9))


def _leak_for(table: NeuronTable, i: int, tau: float) -> float:
    """The membrane leak I_tau_mem (A) that gives neuron ``i`` the time constant ``tau`` (s)."""
    return float(table.C_mem[i] * table.Ut[i] / (table.kappa[i] * tau))


def _ids(net: Network, local: np.ndarray) -> list[int]:
    return [int(i) for i in np.asarray(net.neuron_ids)[local]]


def check_network(net: Network, duration: float) -> None:
    """Refuse a network outside the domain of the integrators (before integrating).

    Parameters
    ----------
    net : Network
        The network to integrate.
    duration : float
        Its duration, s.

    Raises
    ------
    IntegrationLimitError
        If a neuron's membrane time constant is below :data:`MIN_TAU_MEM`; the message names the
        neurons, the value, the limit and the parameters (``I_tau_mem``, ``C_mem``).

    Examples
    --------
    >>> from dynapse_edu.core.network import Projection
    >>> from dynapse_edu.core.params import Params
    >>> none = Projection.build(1, *(np.zeros(0, np.int64),) * 3, np.zeros(0))
    >>> table = NeuronTable.from_params(Params(I_tau_mem=1e-6))  # a 1 uA leak: tau_mem = 0.1 us
    >>> net = Network(table, np.array([7]), np.zeros(0, np.int64), np.zeros(0), none, none)
    >>> try:
    ...     check_network(net, 0.1)
    ... except IntegrationLimitError as err:
    ...     print(str(err)[:52], err.parameters, err.neurons)
    membrane time constant tau_mem = 0.0709 us of neuron ('I_tau_mem', 'C_mem') (7,)
    """
    tau = membrane_time_constants(net.table)
    short = np.flatnonzero(tau < MIN_TAU_MEM)
    if short.size:
        worst = short[np.argmin(tau[short])]
        raise IntegrationLimitError(
            f"membrane time constant tau_mem = {tau[worst] * 1e6:.3g} us of neuron(s) {_ids(net, short)[:8]} is below "
            f"{MIN_TAU_MEM * 1e6:g} us, the shortest the integrators follow (MIN_TAU_MEM); it is set by I_tau_mem = "
            f"{net.table.I_tau_mem[worst]:.3g} A (the membrane leak) and C_mem = {net.table.C_mem[worst]:.3g} F: "
            f"lower the leak to at most {_leak_for(net.table, worst, MIN_TAU_MEM):.3g} A",
            TAU_MEM_PARAMETERS,
            _ids(net, short),
        )


#: The parameters :func:`~dynapse_edu.core.neuron.membrane_relaxation` reads.
RELAXATION_FIELDS: tuple[str, ...] = ("I0", "I_tau_mem", "alpha_mem", "tau_mem")


def relaxation_bound(table: NeuronTable, limit: float = MIN_TAU_MEM, I_mem: np.ndarray | None = None) -> np.ndarray:
    """The adaptation plus shunting current above which a membrane could relax faster than ``limit``, A.

    :func:`~dynapse_edu.core.neuron.membrane_relaxation` is tau_mem (I_tau / (I_tau + I_ahp + I_shunt))
    (1 + I_g / I_mem): below ``limit`` exactly where I_ahp + I_shunt is above
    tau_mem I_tau (1 + I_g / I_mem) / limit - I_tau. Without ``I_mem`` the factor is taken as 1, its
    lower bound: a neuron whose I_ahp + I_shunt is not above that cannot relax faster than ``limit`` at
    any membrane current. Computed once per run, it turns a limit on the relaxation into one addition and
    one comparison per check: :func:`check_relaxation`'s ``bound`` and the fast engine's pre-test (both
    with :data:`MIN_TAU_MEM`); the reference integrator's choice of stiff segments (at the threshold,
    with its ``STIFF_TAU``).

    Parameters
    ----------
    table : NeuronTable
        The neurons' parameters.
    limit : float
        The relaxation time, s.
    I_mem : ndarray, shape (N,), optional
        The membrane current at which the relaxation is taken, A (None: its fastest, the factor 1).

    Returns
    -------
    ndarray, shape (N,)
        The bound per neuron, A.

    Examples
    --------
    >>> from dynapse_edu.core.params import Params
    >>> table = NeuronTable.from_params(Params())
    >>> state = np.repeat(table.I0[None, :], 6, axis=0)
    >>> state[AHP] = relaxation_bound(table, 20e-6, table.I_th) * 1.001  # just above the bound at threshold
    >>> bool(membrane_relaxation(table.I_th, state[AHP], state[SHUNT], table)[0] < 20e-6)
    True
    """
    factor = 1.0 if I_mem is None else 1.0 + table.alpha_mem * table.I_tau_mem / I_mem
    return table.tau_mem * table.I_tau_mem * factor / limit - table.I_tau_mem


def check_relaxation(
    net: Network, state: np.ndarray, neurons: np.ndarray, t: float, bound: np.ndarray | None = None
) -> None:
    """Refuse if a membrane of ``neurons``, above its floor, relaxes faster than :data:`MIN_TAU_MEM`.

    Both integrators call this right after the input spikes a neuron receives at a time, after
    each of its output spikes (the reset and the adaptation jump), and at the end of each of its
    input or adaptation pulses (where a pulse's current is largest, :mod:`dynapse_edu.core.dynamics`).

    Parameters
    ----------
    net : Network
        The network being integrated.
    state : ndarray, shape (6, N)
        Its state, A.
    neurons : int array
        The local indices to check.
    t : float
        The time, s (for the message).
    bound : ndarray, shape (N,), optional
        :func:`relaxation_bound` of the network's table, computed once: only the neurons above it are
        checked (the same answer, faster).

    Raises
    ------
    IntegrationLimitError
        Naming the neurons, the relaxation time, the limit and the parameters.

    Examples
    --------
    >>> from dynapse_edu.core.dynamics import rest_state
    >>> from dynapse_edu.core.network import Projection
    >>> from dynapse_edu.core.params import Params
    >>> none = Projection.build(1, *(np.zeros(0, np.int64),) * 3, np.zeros(0))
    >>> net = Network(NeuronTable.from_params(Params()), np.array([0]), np.zeros(0, np.int64), np.zeros(0), none, none)
    >>> state = rest_state(net.table)
    >>> state[0], state[4] = 1e-9, 10e-6  # the membrane at 1 nA under a 10 uA shunt
    >>> try:
    ...     check_relaxation(net, state, np.array([0]), 0.01)
    ... except IntegrationLimitError as err:
    ...     print(str(err)[:51], err.neurons)
    the membrane of neuron(s) [0] relaxes in 0.00723 us (0,)
    """
    neurons = np.asarray(neurons, dtype=np.int64)
    if bound is not None:
        neurons = neurons[state[AHP, neurons] + state[SHUNT, neurons] > bound[neurons]]
        if neurons.size == 0:
            return
    table = net.table
    # the four parameters membrane_relaxation reads, of these neurons (cheaper than table.subset at every event)
    tab = SimpleNamespace(**{name: getattr(table, name)[neurons] for name in RELAXATION_FIELDS})
    relax = membrane_relaxation(state[MEM, neurons], state[AHP, neurons], state[SHUNT, neurons], tab)
    fast = np.flatnonzero(relax < MIN_TAU_MEM)
    if fast.size:
        raise too_stiff(net, neurons[fast], float(relax[fast].min()), t)


def too_stiff(net: Network, local: np.ndarray, relaxation: float, t: float) -> IntegrationLimitError:
    """The error for neurons ``local`` whose membrane relaxes in ``relaxation`` s at time ``t`` (s)."""
    i = int(local[0])
    tab = net.table
    return IntegrationLimitError(
        f"the membrane of neuron(s) {_ids(net, local)[:8]} relaxes in {relaxation * 1e6:.3g} us "
        f"at t = {t * 1e3:.4g} ms, "
        f"faster than the {MIN_TAU_MEM * 1e6:g} us the integrators follow (MIN_TAU_MEM): its time constant "
        f"tau_mem = {tab.tau_mem[i]:.3g} s (I_tau_mem = {tab.I_tau_mem[i]:.3g} A, C_mem = {tab.C_mem[i]:.3g} F) "
        f"is shortened by strong adaptation or shunting, I_tau_mem / (I_tau_mem + I_ahp + I_gaba_a): the adaptation "
        f"jump I_w_ahp = {tab.I_w_ahp[i]:.3g} A (x alpha_ahp = {tab.alpha_ahp[i]:.3g}) or the shunting weight "
        f"I_w0_gaba_a = {tab.I_w0_gaba_a[i]:.3g} A (x alpha_gaba_a = {tab.alpha_gaba_a[i]:.3g}); "
        f"lower them or raise the leak I_tau_mem",
        RELAXATION_PARAMETERS,
        _ids(net, local),
    )


def solver_gave_up(
    table: NeuronTable, state: np.ndarray, ids: Sequence[int], t0: float, t1: float, message: str,
) -> IntegrationLimitError:
    """The error when the reference integrator's solver fails on a segment even after its retries.

    Names the neuron whose membrane relaxes fastest at the segment's start (at its threshold, the fastest,
    :func:`~dynapse_edu.core.neuron.membrane_relaxation`), its largest current, and the parameters that
    shorten the relaxation; no setting of benchmarks/bias_space.py reaches it (400 of seed 0).

    Parameters
    ----------
    table : NeuronTable
        The neurons' parameters.
    state : ndarray, shape (6, N)
        The state at the segment's start, A.
    ids : sequence of int
        The chip ids of the N neurons (for the message).
    t0, t1 : float
        The segment, s.
    message : str
        solve_ivp's message.

    Returns
    -------
    IntegrationLimitError
        Naming the neuron, the time, the largest current and :data:`RELAXATION_PARAMETERS`.

    Examples
    --------
    >>> from dynapse_edu.core.dynamics import rest_state
    >>> from dynapse_edu.core.params import Params
    >>> table = NeuronTable.from_params(Params())
    >>> err = solver_gave_up(table, rest_state(table), [5], 0.01, 0.0101, "Required step size ...")
    >>> str(err)[:60], err.neurons
    ('the reference integrator could not step from t = 10 ms to 10', (5,))
    """
    relax = membrane_relaxation(table.I_th, state[AHP], state[SHUNT], table)
    i = int(np.argmin(relax))
    row = int(np.argmax(state[:, i]))
    return IntegrationLimitError(
        f"the reference integrator could not step from t = {t0 * 1e3:.6g} ms to {t1 * 1e3:.6g} ms ({message}) on "
        f"neuron {int(ids[i])}: its largest current is {state[row, i]:.3g} A (state row {row}) and its membrane "
        f"relaxes in {relax[i] * 1e6:.3g} us at threshold (tau_mem = {table.tau_mem[i]:.3g} s, shortened by "
        f"adaptation I_w_ahp = {table.I_w_ahp[i]:.3g} A and shunting I_w0_gaba_a = {table.I_w0_gaba_a[i]:.3g} A); "
        f"lower the adaptation or shunting weights, or use method='fast'",
        RELAXATION_PARAMETERS,
        [int(ids[i])],
    )


class RateGuard:
    """Counts each neuron's spikes during a run and refuses a neuron that fires above :data:`MAX_RATE`.

    Parameters
    ----------
    net : Network
        The network being integrated.
    duration : float
        The run's duration, s (the limit is :func:`max_spikes` of it).

    Examples
    --------
    >>> from dynapse_edu.core.network import Projection
    >>> from dynapse_edu.core.params import Params
    >>> none = Projection.build(1, *(np.zeros(0, np.int64),) * 3, np.zeros(0))
    >>> net = Network(NeuronTable.from_params(Params()), np.array([0]), np.zeros(0, np.int64), np.zeros(0), none, none)
    >>> guard = RateGuard(net, 0.001)  # 10 spikes allowed (MIN_SPIKES)
    >>> guard.add(np.zeros(10, np.int64), 0.0005)
    >>> try:
    ...     guard.add(np.array([0]), 0.0006)
    ... except IntegrationLimitError as err:
    ...     print(str(err)[:40], err.parameters[0], err.neurons)
    neuron(s) [0] fired 11 spikes by t = 0.6 t_ref (0,)
    """

    def __init__(self, net: Network, duration: float) -> None:
        self.net = net
        self.limit = max_spikes(duration)
        self.counts = np.zeros(net.n, np.int64)

    def add(self, neurons: np.ndarray, t: float) -> None:
        """Count spikes of ``neurons`` (local indices, repeats allowed) up to time ``t`` (s); refuse above the limit."""
        np.add.at(self.counts, np.asarray(neurons, dtype=np.int64), 1)
        over = np.flatnonzero(self.counts > self.limit)
        if over.size:
            raise too_fast(self.net, over, int(self.counts[over].max()), t, self.limit)


def too_fast(net: Network, local: np.ndarray, count: int, t: float, limit: int) -> IntegrationLimitError:
    """The error for neurons ``local`` that fired ``count`` spikes by time ``t`` (s), above ``limit``."""
    i = int(local[0])
    tab = net.table
    return IntegrationLimitError(
        f"neuron(s) {_ids(net, local)[:8]} fired {count} spikes by t = {t * 1e3:.3g} ms, above the {limit} a run "
        f"allows (MAX_RATE = {MAX_RATE / 1e3:g} kHz on average over the run): the integrators would follow every "
        f"spike. The rate is set by the refractory period t_ref = {tab.t_ref[i]:.3g} s and the drive: "
        f"I_const = {tab.I_const[i]:.3g} A, the excitatory weights I_w0_ampa = {tab.I_w0_ampa[i]:.3g} A, "
        f"I_w0_nmda = {tab.I_w0_nmda[i]:.3g} A, against the leak I_tau_mem = {tab.I_tau_mem[i]:.3g} A and "
        f"the gain alpha_mem = {tab.alpha_mem[i]:.3g}; lengthen t_ref or lower the drive",
        RATE_PARAMETERS,
        _ids(net, local),
    )


#: A run with ``progress=None`` (automatic) shows its bar only once it has taken this long, s of wall time.
PROGRESS_AFTER = 2.0


class ProgressBar:
    """A tqdm bar over the simulated time of a run, in ms (made by :func:`progress_bar`)."""

    def __init__(self, bar) -> None:
        self.bar = bar

    def update(self, t: float) -> None:
        """Move the bar to the simulated time ``t``, s (tqdm redraws at most 10 times a second)."""
        self.bar.update(t * 1e3 - self.bar.n)

    def close(self) -> None:
        self.bar.close()


def progress_bar(duration: float, progress: bool | None, desc: str = "reference") -> ProgressBar | None:
    """A progress bar over ``duration`` s of simulated time, or None (no bar).

    Parameters
    ----------
    duration : float
        The run's duration, s (the bar counts ms).
    progress : bool or None
        True: a bar from the start; None (automatic): a bar only if the run takes longer than
        :data:`PROGRESS_AFTER` s of wall time (tqdm's ``delay``), so that short runs print nothing;
        False: none. No bar either without tqdm (an optional dependency, ``dynapse-edu[fast]``).
    desc : str
        The bar's label (the integrator's name).

    Returns
    -------
    ProgressBar or None

    Raises
    ------
    ParameterError
        If ``progress`` is not True, False or None.

    Examples
    --------
    >>> progress_bar(0.1, False) is None
    True
    >>> try:
    ...     progress_bar(0.1, "yes")
    ... except ParameterError as err:
    ...     print(err)
    progress = 'yes' must be True, False or None (automatic: a bar for runs longer than 2 s)
    """
    if progress is not None and not isinstance(progress, (bool, np.bool_)):
        raise ParameterError(
            f"progress = {progress!r} must be True, False or None (automatic: a bar for runs longer than "
            f"{PROGRESS_AFTER:g} s)"
        )
    if progress is False:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is optional (dynapse-edu[fast]); no bar without it
        return None
    delay = 0.0 if progress else PROGRESS_AFTER
    fmt = "{desc}: {percentage:3.0f}%|{bar}| {n:.1f}/{total:.1f} ms simulated [{elapsed}<{remaining}]"
    return ProgressBar(tqdm(total=duration * 1e3, desc=desc, delay=delay, leave=bool(progress), bar_format=fmt))


class RunInterrupted(KeyboardInterrupt):
    """A run stopped by the user (Ctrl-C, or the kernel's interrupt), with the result up to there.

    A :class:`KeyboardInterrupt` (it stops a script or a notebook cell as one), raised by the
    integrator itself rather than from deep inside the solver, with a one-line message.

    Attributes
    ----------
    method : str
        The integrator.
    t : float
        The simulated time reached, s.
    duration : float
        The run's duration, s.
    partial : Result
        The result up to ``t`` (its ``duration`` is ``t``): spike times and traces so far.

    Examples
    --------
    >>> err = RunInterrupted("reference", 0.0123, 3600.0, None)
    >>> str(err)
    'the reference integrator was interrupted at t = 12.3 ms of 3600 s; err.partial holds the result up to there'
    """

    def __init__(self, method: str, t: float, duration: float, partial) -> None:
        super().__init__(
            f"the {method} integrator was interrupted at t = {t * 1e3:.4g} ms of {duration:g} s; "
            f"err.partial holds the result up to there"
        )
        self.method = method
        self.t = float(t)
        self.duration = float(duration)
        self.partial = partial

    def __reduce__(self):
        return (type(self), (self.method, self.t, self.duration, self.partial))


__all__ = [
    "MIN_TAU_MEM", "MAX_RATE", "MIN_SPIKES", "SHUNT", "RATE_PARAMETERS", "TAU_MEM_PARAMETERS", "RELAXATION_PARAMETERS",
    "IntegrationLimitError", "membrane_time_constants", "max_spikes", "check_network", "check_relaxation",
    "relaxation_bound",
    "too_stiff", "solver_gave_up", "RateGuard", "too_fast", "PROGRESS_AFTER", "ProgressBar", "progress_bar",
    "RunInterrupted",
]
