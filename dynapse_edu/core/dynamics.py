"""The state of a group of neurons and its equations of motion, vectorised.

This module joins the soma (:mod:`dynapse_edu.core.neuron`) and the synapses
(:mod:`dynapse_edu.core.synapse`) into one right-hand side, :func:`derivatives`,
and the discrete events: :func:`deliver_spikes` (input spikes, of the sizes
:func:`input_jumps` gives) and :func:`reset` (output spikes). The reference
integrator calls these functions; the fast engine compiles the scalar
functions they are made of (:func:`~dynapse_edu.core.neuron.membrane_rate`,
:func:`~dynapse_edu.core.neuron.hold_at_floor`, :func:`~dynapse_edu.core.neuron.spike_reset`,
:func:`~dynapse_edu.core.synapse.dpi_decay_exact`) and takes its jumps from
:func:`input_jumps`; the physics is written nowhere else.

State layout
------------
The state of N neurons is an array of shape (6, N), rows in the order of
:data:`STATE_NAMES`: membrane, adaptation, then the four synapse currents in
the order of :data:`~dynapse_edu.core.synapse.SYNAPSE_TYPES`. All values in A.

The pulse extender
------------------
By default (``t_pulse`` = None, the original simulator's convention) an input
spike adds the jump ``I_w0 alpha w`` to its synapse at once (:func:`input_jumps`)
and an output spike adds ``I_w_ahp alpha_ahp`` to the adaptation DPI. A neuron
whose :class:`~dynapse_edu.core.params.Params` set ``t_pulse`` (s) takes each
input spike as a *pulse* instead, as the circuit does (Bartolozzi & Indiveri
2007; Chicca et al. 2014, eq. 4-6): for ``t_pulse`` the synapse's input is the
weight current ``I_w0 w`` (:func:`input_pulse_currents`) and its DPI follows
the full equation :func:`~dynapse_edu.core.synapse.dpi_derivative` with the
``(1 + I_g / I_syn)`` factor (exact solution:
:func:`~dynapse_edu.core.synapse.dpi_under_input`); with ``t_pulse_ahp`` set the
adaptation DPI likewise takes a pulse of ``I_w_ahp`` for ``t_pulse_ahp`` per
output spike (its own width, as the Dynap-SE1 model of rockpool has; not the
refractory period). The extenders are kept in :class:`Pulses`.

The pulse-extender rule: one extender per neuron and synapse type (and one for
the adaptation), *retriggered*. A spike that arrives while the pulse is on
restarts it: the pulse ends ``t_pulse`` after the latest spike (spikes closer
than ``t_pulse`` merge into one longer pulse, they do not add their charges).
While it is on, the input current is that of the latest trigger: the sum of
the weight currents of the spikes that arrived at that very time (several
connections, or a weight w > 1, at once add up), replacing the current of
earlier spikes. With equal weights (the chip: one weight bias per synapse type
and core) this is the extender's behaviour; a weight-1 spike arriving during a
weight-4 pulse lowers the input to the weight-1 current for the rest of the
(extended) pulse. Pulse edges are discontinuities of the input: both
integrators stop at them exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .neuron import floor, hold_at_floor, membrane_rate, positive_feedback, soma_input, spike_reset
from .params import FIELD_NAMES, Params
from .synapse import SYNAPSE_TYPES, dpi_decay, dpi_derivative, dpi_tau, spike_jump, synapse_key

#: Names of the state rows.
STATE_NAMES: tuple[str, ...] = ("I_mem", "I_ahp") + tuple(f"I_{synapse_key(s)}" for s in SYNAPSE_TYPES)
MEM, AHP = 0, 1
SYN = slice(2, 6)
N_STATE = len(STATE_NAMES)


class NeuronTable:
    """Parameters of N neurons as arrays of shape (N,), plus derived arrays.

    Every field of :class:`~dynapse_edu.core.params.Params` is an attribute holding
    one value per neuron, so a core's shared biases, or per-neuron mismatch,
    are both just arrays. Derived per-neuron quantities:

    * ``kappa`` (N,), the mean slope factor; ``tau_mem``, ``tau_ahp`` (N,) in s,
    * ``tau_syn`` (4, N) in s; ``I_w0_syn`` (4, N) in A and ``alpha_syn`` (4, N): the base weight
      currents and gains of the four synapses, stacked in the order of
      :data:`~dynapse_edu.core.synapse.SYNAPSE_TYPES` (:func:`input_jumps` makes jumps of them),
    * ``jump_ahp`` (N,): current added to the adaptation DPI per output spike, in A
      (:func:`~dynapse_edu.core.synapse.spike_jump` of ``I_w_ahp`` and ``alpha_ahp``),
    * ``tau_decay`` (5, N): ``tau_ahp`` and ``tau_syn`` stacked, the decay constants of state rows 1..5;
      ``I_g_decay`` and ``I_tau_decay`` (5, N): their gain (``alpha * I_tau``) and leak currents, A;
      ``gamma_decay`` (5, N): their output exponents under a pulse (1 for the adaptation, ``gamma_syn``
      for the synapses),
    * ``t_pulse``, ``t_pulse_ahp`` (N,): the pulse widths in s, NaN for None (instant jumps);
      ``pulsed``, ``pulsed_ahp`` (N,) bool: whether the neuron's synapses, its adaptation, take pulses.
      ``jump_ahp`` is 0 where ``pulsed_ahp`` (the pulse feeds the adaptation instead).

    Examples
    --------
    >>> table = NeuronTable.from_params(Params(), 3)
    >>> table.n, table.I_tau_mem.shape, table.tau_syn.shape
    (3, (3,), (4, 3))
    """

    def __init__(self, values: dict[str, np.ndarray], n: int) -> None:
        self.values = values
        self.n = n
        self.__dict__.update(values)  # plain attributes: fast access in the right-hand side
        #: whether any neuron's positive feedback is the power law (``n_pfb`` > 0), a plain bool
        self.pfb_power_law = bool(np.any(values["n_pfb"] > 0.0))

    @classmethod
    def from_params(cls, params: Sequence[Params] | Params, n: int | None = None) -> NeuronTable:
        """Stack one Params per neuron (or repeat a single one ``n`` times).

        Parameters
        ----------
        params : Params or sequence of Params
            One parameter set per neuron, or one for all.
        n : int, optional
            With a single Params: the number of neurons (default 1).

        Returns
        -------
        NeuronTable
        """
        if isinstance(params, Params):
            params = [params] * (1 if n is None else n)
        n = len(params)
        values = {
            name: np.array([np.nan if getattr(p, name) is None else getattr(p, name) for p in params], dtype=float)
            for name in FIELD_NAMES
        }
        values["pulsed"] = np.isfinite(values["t_pulse"])
        values["pulsed_ahp"] = np.isfinite(values["t_pulse_ahp"])
        values["kappa"] = (values["kappa_n"] + values["kappa_p"]) / 2
        values["tau_mem"] = dpi_tau(values["C_mem"], values["I_tau_mem"], values["Ut"], values["kappa"])
        values["tau_ahp"] = dpi_tau(values["C_ahp"], values["I_tau_ahp"], values["Ut"], values["kappa"])
        values["jump_ahp"] = np.where(values["pulsed_ahp"], 0.0, spike_jump(values["I_w_ahp"], values["alpha_ahp"]))
        keys = [synapse_key(s) for s in SYNAPSE_TYPES]
        values["tau_syn"] = np.stack(
            [dpi_tau(values[f"C_{k}"], values[f"I_tau_{k}"], values["Ut"], values["kappa"]) for k in keys]
        )
        values["I_w0_syn"] = np.stack([values[f"I_w0_{k}"] for k in keys])
        values["alpha_syn"] = np.stack([values[f"alpha_{k}"] for k in keys])
        values["tau_decay"] = np.vstack([values["tau_ahp"][None, :], values["tau_syn"]])  # rows AHP..GABA_B
        values["I_tau_decay"] = np.stack([values["I_tau_ahp"]] + [values[f"I_tau_{k}"] for k in keys])
        alphas = np.stack([values["alpha_ahp"]] + [values[f"alpha_{k}"] for k in keys])
        values["I_g_decay"] = alphas * values["I_tau_decay"]
        values["gamma_decay"] = np.stack([np.ones(n)] + [values["gamma_syn"]] * 4)  # the adaptation DPI: ideal
        return cls(values=values, n=n)

    def subset(self, idx: np.ndarray) -> NeuronTable:
        """The table of the neurons ``idx`` (local indices), in that order."""
        idx = np.asarray(idx, dtype=np.int64)
        return NeuronTable(values={k: v[..., idx] for k, v in self.values.items()}, n=len(idx))


def rest_state(table: NeuronTable) -> np.ndarray:
    """Every current at its leakage floor I0: the neurons at rest, shape (6, N), in A.

    Examples
    --------
    >>> rest_state(NeuronTable.from_params(Params(), 2)).shape
    (6, 2)
    """
    return np.repeat(table.I0[None, :], N_STATE, axis=0).copy()


def derivatives(
    state: np.ndarray, table: NeuronTable, refractory: np.ndarray | None = None, pulse_input: np.ndarray | None = None
) -> np.ndarray:
    """d(state)/dt for N neurons, shape (6, N), in A/s.

    The adaptation and synapse rows decay (:func:`~dynapse_edu.core.synapse.dpi_decay`), or,
    where an input pulse is on, follow the full DPI equation under its input
    (:func:`~dynapse_edu.core.synapse.dpi_derivative`); the membrane row follows
    :func:`~dynapse_edu.core.neuron.membrane_rate`. Every current sitting
    at the leakage floor I0 is held there while its derivative points below it
    (:func:`~dynapse_edu.core.neuron.hold_at_floor`: the one place the floor is applied to
    the dynamics; readers see ``floor(state, I0)``).

    Parameters
    ----------
    state : ndarray, shape (6, N)
        The currents, A, rows in the order of :data:`STATE_NAMES`.
    table : NeuronTable
        The parameters of the N neurons.
    refractory : bool ndarray, shape (N,), optional
        Neurons in their refractory period: their membrane is held still.
    pulse_input : ndarray, shape (5, N), optional
        The input current of the adaptation and synapse rows (state rows 1..5), A: the
        weight current where a pulse is on, 0 elsewhere (:meth:`Pulses.inputs`). None: no pulse.

    Returns
    -------
    ndarray, shape (6, N)
        d(state)/dt, A/s.

    Examples
    --------
    At rest nothing moves; with a 50 pA constant input the membrane charges:

    >>> table = NeuronTable.from_params([Params(), Params(I_const=50e-12)])
    >>> (derivatives(rest_state(table), table)[MEM] * 1e9).round(3)  # nA/s
    array([0.   , 0.579])

    A 100 pA pulse into the AMPA DPI at rest: it charges (nA/s):

    >>> pulse = np.zeros((5, 2))
    >>> pulse[1] = 100e-12
    >>> (derivatives(rest_state(table), table, pulse_input=pulse)[2] * 1e9).round(3)
    array([1.111, 1.111])
    """
    I = floor(state, table.I0)  # the currents the state stands for
    d = np.empty_like(state)
    d[AHP:] = dpi_decay(I[AHP:], table.tau_decay)  # adaptation and the four synapses
    if pulse_input is not None:
        on = pulse_input > 0
        if on.any():
            d[AHP:][on] = dpi_derivative(
                I[AHP:][on], pulse_input[on], table.I_g_decay[on], table.I_tau_decay[on], table.tau_decay[on],
                table.gamma_decay[on],
            )
    d[MEM] = membrane_rate(I[MEM], I[AHP], I[SYN], table)
    if refractory is not None:
        d[MEM, refractory] = 0.0
    # the leakage floor: a current at I0 whose derivative points down is held
    return hold_at_floor(state, d, table.I0)


def observables(state: np.ndarray, table: NeuronTable) -> dict[str, np.ndarray]:
    """Derived currents of a state (any leading shape (6, ...)): gated NMDA, total input, feedback.

    Returns a dict with ``I_nmda_gated``, ``I_in`` and ``I_pfb`` in A, each
    of the shape of one state row.
    """
    I_mem = floor(state[MEM], table.I0)
    I_syn = floor(state[SYN], table.I0)
    I_in, nmda_gated = soma_input(I_mem, I_syn, table)
    return {"I_nmda_gated": nmda_gated, "I_in": I_in, "I_pfb": positive_feedback(I_mem, table)}


def input_jumps(table: NeuronTable, synapse: np.ndarray, post: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Current each input spike adds to its synapse at once: I_w0 * alpha * weight, in A (0 onto pulsed neurons).

    :func:`~dynapse_edu.core.synapse.spike_jump` with the base weight current and the gain of
    the target neuron's synapse. Both integrators take their jumps from here. A neuron that
    takes its input as pulses (``t_pulse`` set) gets no jump: 0 (:func:`input_pulse_currents`).

    Parameters
    ----------
    table : NeuronTable
        The neurons.
    synapse : int array
        Synapse type of each connection (index into :data:`~dynapse_edu.core.synapse.SYNAPSE_TYPES`).
    post : int array
        Target neuron of each connection (local index).
    weight : float array
        Weight of each connection.

    Returns
    -------
    ndarray
        One jump per connection, A.

    Examples
    --------
    >>> table = NeuronTable.from_params(Params(), 2)
    >>> input_jumps(table, np.array([0, 1]), np.array([1, 1]), np.array([2.0, 0.5]))
    array([8.e-10, 2.e-10])
    """
    jumps = spike_jump(table.I_w0_syn[synapse, post], table.alpha_syn[synapse, post], weight)
    return np.where(table.pulsed[post], 0.0, jumps)


def input_pulse_currents(
    table: NeuronTable, synapse: np.ndarray, post: np.ndarray, weight: np.ndarray
) -> np.ndarray:
    """The input current of each connection's pulse: I_w0 * weight, in A (0 onto neurons without pulses).

    While the pulse of an input spike is on (``t_pulse``, see "The pulse extender" above) the
    synapse's DPI integrates this current (:func:`~dynapse_edu.core.synapse.dpi_under_input`).

    Parameters
    ----------
    table : NeuronTable
        The neurons.
    synapse, post : int arrays
        Synapse type and target neuron of each connection.
    weight : float array
        Weight of each connection.

    Returns
    -------
    ndarray
        One current per connection, A.

    Examples
    --------
    >>> table = NeuronTable.from_params([Params(), Params(t_pulse=1e-6)])
    >>> input_pulse_currents(table, np.array([0, 0]), np.array([0, 1]), np.array([2.0, 2.0]))
    array([0.e+00, 2.e-10])
    """
    currents = table.I_w0_syn[synapse, post] * np.asarray(weight, dtype=float)
    return np.where(table.pulsed[post], currents, 0.0)


class Pulses:
    """The pulse extenders of N neurons: one per neuron for the adaptation and for each synapse type.

    Rows in the order of the state rows 1..5 (adaptation, AMPA, NMDA, GABA_A, GABA_B).
    ``start`` (s) is the latest trigger, ``until`` (s) the end of the pulse (-inf: never on),
    ``current`` (A) the input while it is on. The rule (module docstring, "The pulse extender"):
    a trigger at t sets ``until = t + width``; its current replaces the one there,
    except that triggers at the same time add up (:meth:`trigger`).

    Examples
    --------
    >>> pulses = Pulses(1)
    >>> pulses.trigger(0.0, np.array([1, 1]), np.array([0, 0]), np.array([1e-10, 2e-10]), np.array([1e-6]))
    >>> pulses.trigger(5e-7, np.array([1]), np.array([0]), np.array([1e-10]), np.array([1e-6]))
    >>> float(pulses.until[1, 0]), float(pulses.current[1, 0])  # retriggered: ends 1 us after the latest, its current
    (1.5e-06, 1e-10)
    >>> pulses.inputs(1e-6)[:, 0].tolist(), pulses.next_edge(1e-6)
    ([0.0, 1e-10, 0.0, 0.0, 0.0], 1.5e-06)
    """

    def __init__(self, n: int) -> None:
        self.start = np.full((N_STATE - 1, n), -np.inf)
        self.until = np.full((N_STATE - 1, n), -np.inf)
        self.current = np.zeros((N_STATE - 1, n))

    def trigger(self, t: float, rows: np.ndarray, post: np.ndarray, currents: np.ndarray, width: np.ndarray) -> None:
        """Start (or restart) the pulses of ``rows`` (0 = adaptation, 1..4 = synapse types) of neurons ``post`` at t.

        ``currents`` (A, one per trigger) of the same row and neuron add up; ``width`` (s) is
        per neuron (shape (N,)).
        """
        if len(rows) == 0:
            return
        key = np.asarray(rows, np.int64) * self.start.shape[1] + np.asarray(post, np.int64)
        keys, inverse = np.unique(key, return_inverse=True)
        total = np.bincount(inverse, weights=np.asarray(currents, float), minlength=keys.size)
        r, j = np.divmod(keys, self.start.shape[1])
        same = self.start[r, j] == t  # a second trigger at the same time adds to the first
        self.current[r, j] = np.where(same, self.current[r, j] + total, total)
        self.start[r, j] = t
        self.until[r, j] = t + width[j]

    def inputs(self, t: float) -> np.ndarray:
        """The input currents of the state rows 1..5 just after t: ``current`` where a pulse is on, else 0, A."""
        return np.where(self.until > t, self.current, 0.0)

    def next_edge(self, t: float) -> float:
        """The first pulse end after t, s (inf: none)."""
        later = self.until[self.until > t]
        return float(later.min()) if later.size else np.inf


def deliver_spikes(
    state: np.ndarray, table: NeuronTable, synapse: np.ndarray, post: np.ndarray, weight: np.ndarray,
    t: float | None = None, pulses: Pulses | None = None,
) -> None:
    """Add input spikes to the synapses, in place: I_syn += I_w0 * alpha * weight (:func:`input_jumps`).

    Neurons with input pulses (``t_pulse``) get no jump: their pulses start at ``t`` in
    ``pulses`` instead (:func:`input_pulse_currents`, :meth:`Pulses.trigger`).

    Parameters
    ----------
    state : ndarray, shape (6, N)
        The currents, A; changed in place.
    table : NeuronTable
        The parameters of the N neurons.
    synapse, post, weight : arrays of equal length
        One entry per delivered spike: synapse type (index into
        :data:`~dynapse_edu.core.synapse.SYNAPSE_TYPES`), target neuron, weight. Repeated targets add up.
    t : float, optional
        Time of the spikes, s (needed with ``pulses``).
    pulses : Pulses, optional
        The pulse extenders (needed if a target takes pulses).

    Examples
    --------
    >>> table = NeuronTable.from_params(Params())
    >>> state = rest_state(table)
    >>> deliver_spikes(state, table, np.array([0, 0]), np.array([0, 0]), np.array([1.0, 2.0]))
    >>> round(float(state[2, 0]) * 1e12, 3)  # AMPA: I0 + 3 x 400 pA, in pA
    1201.0
    """
    np.add.at(state, (2 + synapse, post), input_jumps(table, synapse, post, weight))
    pulsed = table.pulsed[post]
    if pulsed.any():
        if pulses is None or t is None:
            raise ValueError("deliver_spikes: neurons with input pulses need the time t and the Pulses")
        pulses.trigger(
            t, 1 + synapse[pulsed], post[pulsed], input_pulse_currents(table, synapse, post, weight)[pulsed],
            table.t_pulse,
        )


def reset(
    state: np.ndarray, table: NeuronTable, spiking: np.ndarray, t: float | None = None, pulses: Pulses | None = None
) -> None:
    """Apply output spikes of the neurons ``spiking`` (indices), in place.

    I_mem = I_reset; the adaptation DPI jumps by I_w_ahp * alpha_ahp
    (:func:`~dynapse_edu.core.neuron.spike_reset`), or, for a neuron with ``t_pulse_ahp``
    set, its adaptation pulse (input ``I_w_ahp``) starts at ``t`` in ``pulses``.

    Parameters
    ----------
    state : ndarray, shape (6, N)
        The currents, A; changed in place.
    table : NeuronTable
        The parameters of the N neurons.
    spiking : int array
        The neurons that spike (no repeats).
    t : float, optional
        Time of the spikes, s (needed with ``pulses``).
    pulses : Pulses, optional
        The pulse extenders (needed if a spiking neuron has an adaptation pulse).

    Examples
    --------
    >>> table = NeuronTable.from_params(Params())
    >>> state = rest_state(table)
    >>> state[MEM] = 2e-9
    >>> reset(state, table, np.array([0]))
    >>> round(float(state[MEM, 0]) * 1e12, 3), round(float(state[AHP, 0]) * 1e12, 3)  # pA: I_reset, I0 + 4 x 1 pA
    (1.2, 5.0)
    """
    state[MEM, spiking], state[AHP, spiking] = spike_reset(
        state[AHP, spiking], table.I_reset[spiking], table.I0[spiking], table.jump_ahp[spiking]
    )
    pulsed = spiking[table.pulsed_ahp[spiking]]
    if pulsed.size:
        if pulses is None or t is None:
            raise ValueError("reset: neurons with an adaptation pulse need the time t and the Pulses")
        pulses.trigger(t, np.zeros(pulsed.size, np.int64), pulsed, table.I_w_ahp[pulsed], table.t_pulse_ahp)


__all__ = [
    "STATE_NAMES",
    "NeuronTable",
    "rest_state",
    "derivatives",
    "observables",
    "input_jumps",
    "input_pulse_currents",
    "Pulses",
    "deliver_spikes",
    "reset",
]
