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
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .neuron import floor, hold_at_floor, membrane_rate, positive_feedback, soma_input, spike_reset
from .params import FIELD_NAMES, Params
from .synapse import SYNAPSE_TYPES, dpi_decay, dpi_tau, spike_jump, synapse_key

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
    * ``tau_decay`` (5, N): ``tau_ahp`` and ``tau_syn`` stacked, the decay constants of state rows 1..5.

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
        values = {name: np.array([getattr(p, name) for p in params], dtype=float) for name in FIELD_NAMES}
        values["kappa"] = (values["kappa_n"] + values["kappa_p"]) / 2
        values["tau_mem"] = dpi_tau(values["C_mem"], values["I_tau_mem"], values["Ut"], values["kappa"])
        values["tau_ahp"] = dpi_tau(values["C_ahp"], values["I_tau_ahp"], values["Ut"], values["kappa"])
        values["jump_ahp"] = spike_jump(values["I_w_ahp"], values["alpha_ahp"])
        keys = [synapse_key(s) for s in SYNAPSE_TYPES]
        values["tau_syn"] = np.stack(
            [dpi_tau(values[f"C_{k}"], values[f"I_tau_{k}"], values["Ut"], values["kappa"]) for k in keys]
        )
        values["I_w0_syn"] = np.stack([values[f"I_w0_{k}"] for k in keys])
        values["alpha_syn"] = np.stack([values[f"alpha_{k}"] for k in keys])
        values["tau_decay"] = np.vstack([values["tau_ahp"][None, :], values["tau_syn"]])  # rows AHP..GABA_B
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


def derivatives(state: np.ndarray, table: NeuronTable, refractory: np.ndarray | None = None) -> np.ndarray:
    """d(state)/dt for N neurons, shape (6, N), in A/s.

    The adaptation and synapse rows decay (:func:`~dynapse_edu.core.synapse.dpi_decay`), the
    membrane row follows :func:`~dynapse_edu.core.neuron.membrane_rate`. Every current sitting
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
    """
    I = floor(state, table.I0)  # the currents the state stands for
    d = np.empty_like(state)
    d[AHP:] = dpi_decay(I[AHP:], table.tau_decay)  # adaptation and the four synapses
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
    """Current each input spike adds to its synapse: I_w0 * alpha * weight, in A.

    :func:`~dynapse_edu.core.synapse.spike_jump` with the base weight current and the gain of
    the target neuron's synapse. Both integrators take their jumps from here.

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
    return spike_jump(table.I_w0_syn[synapse, post], table.alpha_syn[synapse, post], weight)


def deliver_spikes(
    state: np.ndarray, table: NeuronTable, synapse: np.ndarray, post: np.ndarray, weight: np.ndarray
) -> None:
    """Add input spikes to the synapses, in place: I_syn += I_w0 * alpha * weight (:func:`input_jumps`).

    Parameters
    ----------
    state : ndarray, shape (6, N)
        The currents, A; changed in place.
    table : NeuronTable
        The parameters of the N neurons.
    synapse, post, weight : arrays of equal length
        One entry per delivered spike: synapse type (index into
        :data:`~dynapse_edu.core.synapse.SYNAPSE_TYPES`), target neuron, weight. Repeated targets add up.

    Examples
    --------
    >>> table = NeuronTable.from_params(Params())
    >>> state = rest_state(table)
    >>> deliver_spikes(state, table, np.array([0, 0]), np.array([0, 0]), np.array([1.0, 2.0]))
    >>> round(float(state[2, 0]) * 1e12, 3)  # AMPA: I0 + 3 x 400 pA, in pA
    1201.0
    """
    np.add.at(state, (2 + synapse, post), input_jumps(table, synapse, post, weight))


def reset(state: np.ndarray, table: NeuronTable, spiking: np.ndarray) -> None:
    """Apply output spikes of the neurons ``spiking`` (indices), in place.

    I_mem = I_reset; the adaptation DPI jumps by I_w_ahp * alpha_ahp
    (:func:`~dynapse_edu.core.neuron.spike_reset`).

    Parameters
    ----------
    state : ndarray, shape (6, N)
        The currents, A; changed in place.
    table : NeuronTable
        The parameters of the N neurons.
    spiking : int array
        The neurons that spike (no repeats).

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


__all__ = [
    "STATE_NAMES",
    "NeuronTable",
    "rest_state",
    "derivatives",
    "observables",
    "input_jumps",
    "deliver_spikes",
    "reset",
]
