"""The state of a group of neurons and its equations of motion, vectorised.

This module joins the soma (:mod:`dynapse_edu.core.neuron`) and the synapses
(:mod:`dynapse_edu.core.synapse`) into one right-hand side, :func:`derivatives`,
and the discrete events: :func:`deliver_spikes` (input spikes) and
:func:`reset` (output spikes). Every integrator in dynapse_edu calls these
same functions; the physics is written nowhere else.

State layout
------------
The state of N neurons is an array of shape (6, N), rows in the order of
:data:`STATE_NAMES`: membrane, adaptation, then the four synapse currents in
the order of :data:`~dynapse_edu.core.synapse.SYNAPSE_TYPES`. All values in A.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .neuron import floor, leak_sum, membrane_derivative, positive_feedback, soma_input
from .params import FIELD_NAMES, Params
from .synapse import SYNAPSE_TYPES, dpi_decay, dpi_tau, synapse_key

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

    * ``kappa``, ``tau_mem``, ``tau_ahp`` (N,) in s,
    * ``tau_syn`` (4, N) in s, ``jump_syn`` (4, N): current added per unit weight, in A,
    * ``jump_ahp`` (N,): current added to the adaptation DPI per output spike, in A,
    * ``tau_decay`` (5, N): ``tau_ahp`` and ``tau_syn`` stacked, the decay constants of state rows 1..5.
    """

    def __init__(self, values: dict[str, np.ndarray], n: int) -> None:
        self.values = values
        self.n = n
        self.__dict__.update(values)  # plain attributes: fast access in the right-hand side

    @classmethod
    def from_params(cls, params: Sequence[Params] | Params, n: int | None = None) -> NeuronTable:
        """Stack one Params per neuron (or repeat a single one ``n`` times)."""
        if isinstance(params, Params):
            params = [params] * (1 if n is None else n)
        n = len(params)
        values = {name: np.array([getattr(p, name) for p in params], dtype=float) for name in FIELD_NAMES}
        values["kappa"] = (values["kappa_n"] + values["kappa_p"]) / 2
        values["tau_mem"] = dpi_tau(values["C_mem"], values["I_tau_mem"], values["Ut"], values["kappa"])
        values["tau_ahp"] = dpi_tau(values["C_ahp"], values["I_tau_ahp"], values["Ut"], values["kappa"])
        values["jump_ahp"] = values["I_w_ahp"] * values["alpha_ahp"]
        keys = [synapse_key(s) for s in SYNAPSE_TYPES]
        values["tau_syn"] = np.stack(
            [dpi_tau(values[f"C_{k}"], values[f"I_tau_{k}"], values["Ut"], values["kappa"]) for k in keys]
        )
        values["jump_syn"] = np.stack([values[f"I_w0_{k}"] * values[f"alpha_{k}"] for k in keys])
        values["tau_decay"] = np.vstack([values["tau_ahp"][None, :], values["tau_syn"]])  # rows AHP..GABA_B
        return cls(values=values, n=n)

    def subset(self, idx: np.ndarray) -> NeuronTable:
        """The table of the neurons ``idx`` (local indices), in that order."""
        idx = np.asarray(idx, dtype=np.int64)
        return NeuronTable(values={k: v[..., idx] for k, v in self.values.items()}, n=len(idx))


def rest_state(table: NeuronTable) -> np.ndarray:
    """Every current at its leakage floor I0: the neurons at rest, shape (6, N)."""
    return np.repeat(table.I0[None, :], N_STATE, axis=0).copy()


def derivatives(state: np.ndarray, table: NeuronTable, refractory: np.ndarray | None = None) -> np.ndarray:
    """d(state)/dt for N neurons, shape (6, N), in A/s.

    ``refractory`` is a boolean array (N,): a refractory membrane is held still.
    Every current sitting at the leakage floor I0 is held there while its
    derivative points below it (the one place the floor is applied to the
    dynamics; readers see ``floor(state, I0)``).
    """
    I = floor(state, table.I0)  # the currents the state stands for
    d = np.empty_like(state)
    d[AHP:] = dpi_decay(I[AHP:], table.tau_decay)  # adaptation and the four synapses
    I_in, _ = soma_input(I[MEM], I[SYN], table)
    I_sum = leak_sum(I[MEM], I[AHP], I[SYN][2], table)
    d[MEM] = membrane_derivative(I[MEM], I_in, I_sum, table)
    if refractory is not None:
        d[MEM, refractory] = 0.0
    # the leakage floor: a current at I0 whose derivative points down is held
    d[(state <= table.I0) & (d < 0)] = 0.0
    return d


def observables(state: np.ndarray, table: NeuronTable) -> dict[str, np.ndarray]:
    """Derived currents of a state (any leading shape (6, ...)): gated NMDA, total input, feedback.

    Returns a dict with ``I_nmda_gated``, ``I_in`` and ``I_pfb`` in A, each
    of the shape of one state row.
    """
    I_mem = floor(state[MEM], table.I0)
    I_syn = floor(state[SYN], table.I0)
    I_in, nmda_gated = soma_input(I_mem, I_syn, table)
    return {"I_nmda_gated": nmda_gated, "I_in": I_in, "I_pfb": positive_feedback(I_mem, table)}


def deliver_spikes(
    state: np.ndarray, table: NeuronTable, synapse: np.ndarray, post: np.ndarray, weight: np.ndarray
) -> None:
    """Add input spikes to the synapses, in place: I_syn += I_w0 * weight * alpha.

    ``synapse`` (index into SYNAPSE_TYPES), ``post`` (neuron index) and
    ``weight`` are arrays of equal length, one entry per delivered spike;
    repeated targets add up.
    """
    np.add.at(state, (2 + synapse, post), table.jump_syn[synapse, post] * weight)


def reset(state: np.ndarray, table: NeuronTable, spiking: np.ndarray) -> None:
    """Apply output spikes of the neurons ``spiking`` (indices), in place.

    I_mem = I_reset; the adaptation DPI jumps by I_w_ahp * alpha_ahp.
    """
    state[MEM, spiking] = table.I_reset[spiking]
    state[AHP, spiking] = floor(state[AHP, spiking], table.I0[spiking]) + table.jump_ahp[spiking]


__all__ = [
    "STATE_NAMES",
    "NeuronTable",
    "rest_state",
    "derivatives",
    "observables",
    "deliver_spikes",
    "reset",
]
