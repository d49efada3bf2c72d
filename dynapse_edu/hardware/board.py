"""A Dynap-SE1 board as it really is: chips, cores, biases, routing memory, mismatch.

Moradi et al. 2018, IEEE TBioCAS 12(1); the chip's driver (libcaer
``dynapse.h``) and control software (samna / ctxctl).

A :class:`~dynapse_edu.hardware.board.Board` holds 1..4 chips of 4 cores of 256 neurons. Neurons are
allocated per core (:meth:`Board.get_neurons`), wired with
:meth:`Board.add_connection` and configured per core through the 25 biases of
the core's bias generator (:meth:`Board.set_bias` with a name, a coarse and a
fine value; :meth:`~dynapse_edu.hardware.board.Board.get_biases`), or, as in the original simulator, by
model parameter (``set_bias(core, I_tau_mem=10e-12)``).

In hardware mode (``hardware=True``, the default of a Board) the routing
memory is enforced (:mod:`dynapse_edu.hardware.routing`): integer weights of 1..64 CAM
entries per neuron, 4 SRAM destinations per neuron (3 with monitoring), no tag
aliasing. Every rule broken raises :class:`~dynapse_edu.errors.HardwareLimitError`
(or :class:`~dynapse_edu.errors.ParameterError` for a bad argument) naming the
value, the limit and the neuron, and leaves the board exactly as it was.

>>> from dynapse_edu import RegularGenerator
>>> from dynapse_edu.hardware.board import Board
>>> board = Board(n_chips=2)
>>> a = board.get_neurons(4, core=0, chip=0)
>>> b = board.get_neurons(4, core=1, chip=1)
>>> _ = board.add_connection(RegularGenerator(1, rate=200.0), a, "AMPA", weight=3)
>>> _ = board.add_connection(a, b, "AMPA", weight=8)
>>> board.set_bias(1, "PS_WEIGHT_EXC_F_N", 2, 100, chip=1)
>>> round(board.get_biases(1, chip=1)["PS_WEIGHT_EXC_F_N"].current * 1e12, 2)  # pA
321.57
>>> int(board.run(0.05).spike_count.sum()) > 0
True
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from ..core.dynamics import NeuronTable
from ..core.network import Network, Projection, check_duration
from ..core.params import Params, ParamsLike, resolve
from ..core.result import Record, Result
from ..core.synapse import SYNAPSE_TYPES, synapse_index
from ..engines.registry import simulate
from ..errors import HardwareLimitError, ParameterError
from .biasgen import (
    BIAS_NAMES,
    BIASES,
    EXTRA_BIASES,
    BiasSetting,
    bias_current,
    biases_from_params,
    check_bias_name,
    check_setting,
    nearest_bias,
    params_from_biases,
    pulse_width,
)
from .inputs import SpikeSource
from .mismatch import Mismatch, apply_factors
from .routing import (
    CAM_PER_NEURON,
    CHIPS_PER_BOARD,
    CORES_PER_CHIP,
    NEURONS_PER_CHIP,
    NEURONS_PER_CORE,
    RoutingTable,
    check_ids,
    describe,
)

#: Largest weight accepted outside hardware mode (a guard against slips).
MAX_WEIGHT = 1000.0


def core_number(core: int | str) -> int:
    """A core id 0..3 from an int or the original's name ``"Core_k"``."""
    value = core
    if isinstance(core, str) and core.startswith("Core_"):
        value = core[5:]
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if isinstance(core, bool) or str(number) != str(value) or not 0 <= number < CORES_PER_CHIP:
        raise HardwareLimitError(f"core {core!r} does not exist: a chip has cores 0..{CORES_PER_CHIP - 1}")
    return number


class Population:
    """Neurons allocated on one core, by global id (chip * 1024 + core * 256 + index in core).

    ``chip`` is the :class:`~dynapse_edu.hardware.board.Board` (or :class:`~dynapse_edu.hardware.chip.Chip`) that owns
    them, ``chip_id`` the chip they sit on, ``core`` their core.
    """

    def __init__(self, chip: Board, core: int, ids: np.ndarray, chip_id: int = 0) -> None:
        self.chip = chip
        self.core = core
        self.chip_id = chip_id
        self.ids = np.asarray(ids, dtype=np.int64)

    @property
    def board(self) -> Board:
        """The board (or chip) that owns these neurons."""
        return self.chip

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids.tolist())

    def __getitem__(self, key: int | slice | Sequence[int]) -> Population:
        ids = self.ids[key]
        return Population(self.chip, self.core, np.atleast_1d(ids), self.chip_id)

    def __repr__(self) -> str:
        more = "..." if len(self) > 4 else ""
        return f"Population(chip={self.chip_id}, core={self.core}, n={len(self)}, ids={self.ids[:4].tolist()}{more})"


class Connection(NamedTuple):
    """One synapse: from ``pre`` (``("input", k)`` or ``("neuron", id)``) to neuron ``post``."""

    pre: tuple[str, int]
    post: int
    synapse: str
    weight: float


class BiasReport(NamedTuple):
    """One bias of a core as :meth:`~dynapse_edu.hardware.board.Board.get_biases` reports it.

    ``current`` is the generator's current fine / 255 * I_max(coarse) in A;
    ``exact`` says whether (coarse, fine) was set as such, or is the setting
    nearest to a value set through the current-based API, ``error`` being the
    relative error of the resulting effective current (current + I0) then;
    ``parameter`` / ``value`` the model quantity it sets and its value (SI).
    """

    name: str
    coarse: int
    fine: int
    current: float
    exact: bool
    error: float
    parameter: str
    value: float | None


class BiasList(list):
    """A list of :class:`BiasReport`, also indexable by bias name."""

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            name = check_bias_name(key)
            return next(r for r in self if r.name == name)
        return super().__getitem__(key)


_PARAM_OF = {  # the model quantity each bias reports as its value
    "IF_TAU1_N": "I_tau_mem", "IF_THR_N": "alpha_mem", "IF_DC_P": "I_const", "IF_RFR_N": "t_ref",
    "IF_NMDA_N": "I_nmda_thr", "IF_AHTAU_N": "I_tau_ahp", "IF_AHTHR_N": "alpha_ahp", "IF_AHW_P": "I_w_ahp",
    "NPDPIE_TAU_F_P": "I_tau_ampa", "NPDPIE_THR_F_P": "alpha_ampa", "PS_WEIGHT_EXC_F_N": "I_w0_ampa",
    "NPDPIE_TAU_S_P": "I_tau_nmda", "NPDPIE_THR_S_P": "alpha_nmda", "PS_WEIGHT_EXC_S_N": "I_w0_nmda",
    "NPDPII_TAU_F_P": "I_tau_gaba_a", "NPDPII_THR_F_P": "alpha_gaba_a", "PS_WEIGHT_INH_F_N": "I_w0_gaba_a",
    "NPDPII_TAU_S_P": "I_tau_gaba_b", "NPDPII_THR_S_P": "alpha_gaba_b", "PS_WEIGHT_INH_S_N": "I_w0_gaba_b",
}


class Board:
    """A Dynap-SE1 board: ``n_chips`` chips of 4 cores x 256 neurons.

    Parameters
    ----------
    n_chips:
        Chips on the board, 1..4.
    params:
        Model parameters of every core at start (Params, dict of overrides, or None).
    hardware:
        Enforce the routing memory: integer weights, 64 CAM entries per
        neuron, 4 SRAM destinations, no tag aliasing.
    monitor:
        Keep SRAM entry 0 of every neuron for sending its spikes to the host.
    mismatch:
        A :class:`~dynapse_edu.hardware.mismatch.Mismatch` (seeded, frozen per neuron),
        or None for identical neurons.
    """

    def __init__(
        self,
        n_chips: int = CHIPS_PER_BOARD,
        params: ParamsLike = None,
        hardware: bool = True,
        monitor: bool = True,
        mismatch: Mismatch | None = None,
    ) -> None:
        if isinstance(n_chips, bool) or not isinstance(n_chips, (int, np.integer)) or not 0 < n_chips <= 4:
            raise HardwareLimitError(f"n_chips = {n_chips!r}: a board holds 1..{CHIPS_PER_BOARD} chips")
        if mismatch is not None and not isinstance(mismatch, Mismatch):
            raise ParameterError(f"mismatch must be a dynapse_edu.hardware.mismatch.Mismatch or None, got {mismatch!r}")
        self.n_chips = int(n_chips)
        self.hardware = bool(hardware)
        self.monitor = bool(monitor)
        self.mismatch = mismatch
        base = resolve(params)
        n_cores = self.n_chips * CORES_PER_CHIP
        self._core_params: list[Params] = [base] * n_cores
        #: per core: generator currents (A) of the biases Params does not hold (IF_TAU2_N, no-effect ones)
        self._extra: list[dict[str, float]] = [
            {name: bias_current(*BIASES[name].default) for name in EXTRA_BIASES} for _ in range(n_cores)
        ]
        #: per core: (coarse, fine) of the biases set as such
        self._settings: list[dict[str, tuple[int, int]]] = [
            {name: BIASES[name].default for name in EXTRA_BIASES} for _ in range(n_cores)
        ]
        self._allocated = np.zeros(self.n_chips * NEURONS_PER_CHIP, dtype=bool)
        self._tau2 = np.zeros(self.n_chips * NEURONS_PER_CHIP, dtype=bool)
        self._routing = RoutingTable(self.n_chips, self.monitor)
        self._sources: list[SpikeSource] = []
        self._source_offsets: list[int] = []
        self._pre_kind: list[np.ndarray] = []  # 0 = input source, 1 = neuron
        self._pre: list[np.ndarray] = []
        self._post: list[np.ndarray] = []
        self._syn: list[np.ndarray] = []
        self._w: list[np.ndarray] = []

    # --- addresses -----------------------------------------------------------
    def _chip_number(self, chip: int) -> int:
        if isinstance(chip, bool) or not isinstance(chip, (int, np.integer)) or not 0 <= chip < self.n_chips:
            raise HardwareLimitError(f"chip {chip!r} does not exist: this board has chips 0..{self.n_chips - 1}")
        return int(chip)

    def _core_index(self, core: int | str, chip: int) -> int:
        return self._chip_number(chip) * CORES_PER_CHIP + core_number(core)

    # --- neurons -----------------------------------------------------------
    def get_neurons(self, n: int, core: int | str, chip: int = 0) -> Population:
        """Allocate ``n`` free neurons of ``core`` (0..3 or ``"Core_k"``) on ``chip``; every neuron can be used."""
        k = self._core_index(core, chip)
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise HardwareLimitError(f"number of neurons n = {n!r} must be a positive integer (1..{NEURONS_PER_CORE})")
        lo = k * NEURONS_PER_CORE
        free = np.flatnonzero(~self._allocated[lo : lo + NEURONS_PER_CORE])
        if n > free.size:
            raise HardwareLimitError(
                f"core {k % CORES_PER_CHIP} of chip {k // CORES_PER_CHIP} has {free.size} free neurons of "
                f"{NEURONS_PER_CORE}; cannot allocate {n}"
            )
        ids = lo + free[:n]
        self._allocated[ids] = True
        return Population(self, k % CORES_PER_CHIP, ids, k // CORES_PER_CHIP)

    @property
    def neuron_ids(self) -> np.ndarray:
        """Global ids of all allocated neurons in ascending order (the neurons a run simulates)."""
        return np.flatnonzero(self._allocated)

    def use_tau2(self, neurons: Population | Sequence[int], on: bool = True) -> None:
        """Make ``neurons`` take their membrane leak from IF_TAU2_N (``on=False``: back to IF_TAU1_N)."""
        ids = self._own_ids(neurons)
        self._tau2[ids] = bool(on)

    def _own_ids(self, neurons: Population | Sequence[int]) -> np.ndarray:
        if isinstance(neurons, Population):
            if neurons.chip is not self:
                raise ParameterError("this Population was allocated on another board or chip")
            return neurons.ids
        ids = check_ids(list(neurons), self.n_chips)
        missing = ids[~self._allocated[ids]]
        if missing.size:
            raise HardwareLimitError(f"{describe(int(missing[0]))} is not allocated: call get_neurons first")
        return ids

    # --- biases --------------------------------------------------------------
    def set_bias(
        self,
        core: int | str,
        name: str | None = None,
        coarse: int | None = None,
        fine: int | None = None,
        *,
        chip: int = 0,
        **params: float,
    ) -> None:
        """Set a bias of a core, by chip name and (coarse, fine), or model parameters by name (SI).

        ``set_bias(0, "IF_TAU1_N", 1, 30)`` sets the bias generator output
        (coarse 0..7, fine 0..255); the model parameters it drives follow
        (:mod:`dynapse_edu.hardware.biasgen`). ``set_bias(0, I_tau_mem=10e-12)`` sets
        model parameters directly, as the original simulator did; the biases
        then report the nearest setting (:meth:`get_biases`). Nothing changes
        if any value is rejected.
        """
        k = self._core_index(core, chip)
        p = self._core_params[k]
        if name is None:
            if coarse is not None or fine is not None:
                raise ParameterError("give a bias name with coarse and fine values, e.g. set_bias(0, 'IF_DC_P', 2, 50)")
            new = p.replace(**params)
            before, after = self._bias_currents(k), biases_from_params(new)
            settings = {n: s for n, s in self._settings[k].items() if n in EXTRA_BIASES or before[n] == after[n]}
            self._core_params[k], self._settings[k] = new, settings
            return
        if params:
            raise ParameterError(f"set either one bias by name or model parameters, not both (got {sorted(params)})")
        key = check_bias_name(name)
        if coarse is None or fine is None:
            raise HardwareLimitError(f"bias {key} needs a coarse value (0..7) and a fine value (0..255)")
        coarse, fine = check_setting(coarse, fine, f"bias {key} of core {k % CORES_PER_CHIP}")
        current = bias_current(coarse, fine)
        if key in EXTRA_BIASES:
            self._extra[k] = self._extra[k] | {key: current}
        else:
            currents = self._bias_currents(k) | {key: current + p.I0}
            self._core_params[k] = params_from_biases(p, currents)
        self._settings[k] = self._settings[k] | {key: (coarse, fine)}

    def set_bias_current(self, core: int | str, name: str, current: float, chip: int = 0) -> BiasSetting:
        """Set a bias to the (coarse, fine) setting nearest to an effective ``current`` (A, leakage included).

        Returns the setting with the relative error of the generator current
        against ``current - I0`` (what the generator must supply).

        >>> chip = Board(n_chips=1)
        >>> s = chip.set_bias_current(0, "IF_RFR_N", 20e-12)  # about 2.5 ms refractory period
        >>> s.coarse, s.fine, round(s.error, 5)
        (1, 46, -0.0031)
        >>> round(chip.params(0).t_ref * 1e3, 4)
        2.5074
        """
        key = check_bias_name(name)
        k = self._core_index(core, chip)
        I0 = self._core_params[k].I0
        if not (isinstance(current, (int, float, np.floating)) and current >= I0):
            raise HardwareLimitError(
                f"bias {key}: an effective current of {current!r} A is below the leakage floor I0 = {I0!r} A"
            )
        setting = nearest_bias(float(current) - I0)
        self.set_bias(core, key, setting.coarse, setting.fine, chip=chip)
        return setting

    def _bias_currents(self, k: int) -> dict[str, float]:
        """Effective currents (A) of the Params-backed biases of core index k; set (coarse, fine) win."""
        p = self._core_params[k]
        out = biases_from_params(p)
        for name, setting in self._settings[k].items():
            if name in out:
                out[name] = bias_current(*setting) + p.I0
        return out

    def _all_currents(self, k: int) -> dict[str, float]:
        """Effective currents (A) of all 25 biases of core index k."""
        I0 = self._core_params[k].I0
        return self._bias_currents(k) | {name: value + I0 for name, value in self._extra[k].items()}

    def get_biases(self, core: int | str, chip: int = 0) -> BiasList:
        """Every bias of a core with its setting, current and model effect (a list, also indexable by name)."""
        k = self._core_index(core, chip)
        p = self._core_params[k]
        currents = self._all_currents(k)
        rows = BiasList()
        for name in BIAS_NAMES:
            info = BIASES[name]
            eff = currents[name]
            if name in self._settings[k]:
                coarse, fine = self._settings[k][name]
                current, exact, error = bias_current(coarse, fine), True, 0.0
            else:
                s = nearest_bias(max(eff - p.I0, 0.0))
                coarse, fine, current, exact = s.coarse, s.fine, s.current, False
                error = ((current + p.I0) - eff) / eff if math.isfinite(eff) else -1.0
            if name in _PARAM_OF:
                parameter, value = _PARAM_OF[name], getattr(p, _PARAM_OF[name])
            elif name == "IF_TAU2_N":
                parameter, value = "I_tau_mem of leak-2 neurons", eff
            elif name == "PULSE_PWLK_P":
                parameter, value = "pulse width (s), no model effect: spikes are instant jumps", pulse_width(eff)
            else:
                parameter, value = "none (no model effect)", None
            rows.append(BiasReport(name, coarse, fine, current, exact, error, parameter or info.parameter, value))
        return rows

    def params(self, core: int | str, chip: int = 0) -> Params:
        """The parameters shared by the neurons of a core (before mismatch and leak selection)."""
        return self._core_params[self._core_index(core, chip)]

    # --- connections ---------------------------------------------------------
    def add_input(self, source: SpikeSource) -> int:
        """Register an input generator (done by add_connection); returns its first source index."""
        for k, known in enumerate(self._sources):
            if known is source:
                return self._source_offsets[k]
        offset = sum(len(s) for s in self._sources)
        self._sources.append(source)
        self._source_offsets.append(offset)
        return offset

    def _check_weight(self, weight: float) -> float:
        if self.hardware:
            ok = not isinstance(weight, bool) and isinstance(weight, (int, np.integer, float, np.floating))
            if not (ok and float(weight).is_integer() and 1 <= weight <= CAM_PER_NEURON):
                raise HardwareLimitError(
                    f"weight = {weight!r}: on the chip a weight is a positive integer number of CAM entries, "
                    f"1..{CAM_PER_NEURON} (use hardware=False for real-valued weights)"
                )
            return float(weight)
        try:
            w = float(weight)
        except (TypeError, ValueError):
            raise ParameterError(f"weight must be a number, got {weight!r}") from None
        if not (math.isfinite(w) and 0 < w <= MAX_WEIGHT):
            raise ParameterError(f"weight = {weight!r} is outside the allowed range (0, {MAX_WEIGHT:g}]")
        return w

    def add_connection(
        self,
        pre: SpikeSource | Population,
        post: Population,
        synapse_type: str,
        weight: float = 1.0,
        rule: str = "all_to_all",
    ) -> list[Connection]:
        """Connect ``pre`` (an input generator or neurons) to the neurons ``post``.

        ``synapse_type`` is AMPA, NMDA, GABA_A or GABA_B; ``weight`` scales the
        core's weight current (in hardware mode: an integer number of CAM
        entries, 1..64). ``rule`` is ``"all_to_all"`` or ``"one_to_one"``
        (equal sizes). Returns the connections made; on any broken rule
        nothing is connected.
        """
        syn = synapse_index(synapse_type)
        if not isinstance(post, Population) or post.chip is not self:
            raise ParameterError("post must be a Population allocated on this board with get_neurons")
        w = self._check_weight(weight)
        if isinstance(pre, SpikeSource):
            kind, pre_ids = 0, np.arange(len(pre))
        elif isinstance(pre, Population) and pre.chip is self:
            kind, pre_ids = 1, pre.ids
        else:
            raise ParameterError("pre must be an input generator or a Population allocated on this board")
        if rule == "all_to_all":
            pre_a, post_a = np.repeat(pre_ids, len(post)), np.tile(post.ids, len(pre_ids))
        elif rule == "one_to_one":
            if len(pre_ids) != len(post):
                raise ParameterError(f"one_to_one needs equal sizes, got {len(pre_ids)} pre and {len(post)} post")
            pre_a, post_a = pre_ids, post.ids
        else:
            raise ParameterError(f"unknown rule {rule!r}; allowed: 'all_to_all', 'one_to_one'")
        offset = 0
        if kind == 0:
            known = [k for k, s in enumerate(self._sources) if s is pre]
            offset = self._source_offsets[known[0]] if known else sum(len(s) for s in self._sources)
        self._connect(kind, pre_a + offset, post_a, np.full(len(pre_a), syn), np.full(len(pre_a), w))
        if kind == 0:
            self.add_input(pre)
        label = "input" if kind == 0 else "neuron"
        return [
            Connection((label, int(a + offset)), int(b), SYNAPSE_TYPES[syn], w)
            for a, b in zip(pre_a, post_a, strict=True)
        ]

    def _connect(self, kind: int, pre: np.ndarray, post: np.ndarray, syn: np.ndarray, w: np.ndarray) -> None:
        """Check connections against the routing memory and store them; all or nothing."""
        if self.hardware:  # the routing table checks everything before it changes anything
            if kind == 0:
                self._routing.add_inputs(post, w.astype(np.int64))
            else:
                self._routing.add_neurons(pre, post, w.astype(np.int64))
        self._pre_kind.append(np.full(len(pre), kind, dtype=np.int64))
        self._pre.append(np.asarray(pre, np.int64))
        self._post.append(np.asarray(post, np.int64))
        self._syn.append(np.asarray(syn, np.int64))
        self._w.append(np.asarray(w, float))

    def _arrays(self) -> tuple[np.ndarray, ...]:
        def cat(parts: list[np.ndarray], dt: type) -> np.ndarray:
            return np.concatenate(parts).astype(dt) if parts else np.zeros(0, dt)

        return (cat(self._pre_kind, np.int64), cat(self._pre, np.int64), cat(self._post, np.int64),
                cat(self._syn, np.int64), cat(self._w, float))

    @property
    def connections(self) -> list[Connection]:
        """Every connection as (pre, post, synapse type, weight)."""
        kind, pre, post, syn, w = self._arrays()
        return [
            Connection(("input" if k == 0 else "neuron", int(a)), int(b), SYNAPSE_TYPES[s], float(x))
            for k, a, b, s, x in zip(kind, pre, post, syn, w, strict=True)
        ]

    def cam_used(self, neuron: int) -> int:
        """CAM entries in use by a neuron (hardware mode), out of 64."""
        return int(self._routing.cam_used[check_ids([neuron], self.n_chips)[0]])

    def sram_entries(self, neuron: int) -> list[tuple[int, int]]:
        """SRAM entries of a neuron as (destination chip, 4-bit core mask); (-1, 0) is the host."""
        return self._routing.sram_entries(int(check_ids([neuron], self.n_chips)[0]))

    # --- simulation ----------------------------------------------------------
    def neuron_params(self, ids: Sequence[int] | np.ndarray | None = None) -> list[Params]:
        """The Params of each neuron (global ids; default all allocated): core biases, leak choice, mismatch."""
        ids = self.neuron_ids if ids is None else check_ids(ids, self.n_chips)
        out: list[Params] = []
        cache: dict[tuple[int, bool], Params] = {}
        factors = self.mismatch.factors(ids) if self.mismatch is not None else None
        for j, i in enumerate(ids.tolist()):
            k = i // NEURONS_PER_CORE
            leak = "IF_TAU2_N" if self._tau2[i] else "IF_TAU1_N"
            if factors is None:
                if (k, leak == "IF_TAU2_N") not in cache:
                    p = self._core_params[k]
                    cache[k, leak == "IF_TAU2_N"] = (
                        p if leak == "IF_TAU1_N" else params_from_biases(p, self._all_currents(k), leak)
                    )
                out.append(cache[k, leak == "IF_TAU2_N"])
            else:
                p = self._core_params[k]
                currents = apply_factors(self._all_currents(k), factors[j], p.I0)
                out.append(params_from_biases(p, currents, leak))
        return out

    def build(self, duration: float) -> Network:
        """Compile the allocated neurons, their parameters, wiring and input spikes into a Network."""
        duration = check_duration(duration)
        ids = self.neuron_ids
        if ids.size == 0:
            raise ParameterError("no neurons allocated: call get_neurons first")
        local = np.full(self._allocated.size, -1)
        local[ids] = np.arange(ids.size)
        table = NeuronTable.from_params(self.neuron_params(ids))
        kind, pre, post, syn, w = self._arrays()
        n_inputs = sum(len(s) for s in self._sources)
        ext, rec = kind == 0, kind == 1
        external = Projection.build(n_inputs, pre[ext], local[post[ext]], syn[ext], w[ext])
        recurrent = Projection.build(ids.size, local[pre[rec]], local[post[rec]], syn[rec], w[rec])
        idx_parts, t_parts = [np.zeros(0, np.int64)], [np.zeros(0)]
        for source, offset in zip(self._sources, self._source_offsets, strict=True):
            idx, times = source.spikes(duration)
            idx_parts.append(idx + offset)
            t_parts.append(times)
        in_idx, in_t = np.concatenate(idx_parts).astype(np.int64), np.concatenate(t_parts).astype(float)
        order = np.argsort(in_t, kind="stable")
        return Network(table, ids, in_idx[order], in_t[order], external, recurrent)

    def run(
        self,
        duration: float,
        method: str = "reference",
        dt: float | None = 1e-4,
        neurons: Population | Sequence[int] | None = None,
        at_spikes: bool = True,
    ) -> Result:
        """Simulate ``duration`` s and return every state variable and the spikes.

        ``dt`` is the sampling interval of the traces (s), ``neurons`` the
        neurons (Population or global ids) whose traces are kept (all by
        default; spike times are kept for all), ``at_spikes`` adds samples
        just before and after each spike.
        """
        net = self.build(duration)
        rec = None
        if neurons is not None:
            wanted = np.asarray(neurons.ids if isinstance(neurons, Population) else list(neurons), dtype=np.int64)
            missing = np.setdiff1d(wanted, net.neuron_ids)
            if missing.size:
                raise ParameterError(
                    f"neurons {missing.tolist()} are not allocated; allocated: {net.neuron_ids.tolist()[:10]}..."
                )
            rec = np.searchsorted(net.neuron_ids, wanted)
        return simulate(net, duration, method, Record(dt=dt, neurons=rec, at_spikes=at_spikes))

    # --- configuration files -------------------------------------------------
    def to_config(self) -> dict[str, Any]:
        """The whole board as a JSON-ready dict (see :mod:`dynapse_edu.hardware.config`)."""
        from .config import board_to_dict

        return board_to_dict(self)

    def save(self, path: str | Path) -> None:
        """Write the board to a JSON file (allocations, connections, biases, mismatch seed, inputs)."""
        from .config import save

        save(self, path)

    @classmethod
    def load(cls, path: str | Path) -> Board:
        """Read a board from a JSON file written by :meth:`save`; a broken rule raises, naming it."""
        from .config import load

        board = load(path)
        if not isinstance(board, cls):
            raise ParameterError(f"{path} holds a {type(board).__name__}, not a {cls.__name__}")
        return board


__all__ = [
    "Board",
    "BiasList",
    "Population",
    "Connection",
    "BiasReport",
    "core_number",
    "CORES_PER_CHIP",
    "NEURONS_PER_CORE",
    "NEURONS_PER_CHIP",
    "MAX_WEIGHT",
]
