"""Configuration files: a whole board (or chip) saved as JSON and loaded back.

A file holds everything needed to rebuild the same network: the board's size
and mode, the mismatch seed, every core's parameters and bias settings, the
allocated neurons and their leak choice, the input generators and every
connection, with a ``version`` field (:data:`CONFIG_VERSION`). Loading goes
through the same checks as building by hand: a file that breaks a rule of the
hardware (a 65th CAM entry, a fifth destination, aliasing, a bias out of
range, ...) fails with :class:`~dynapse_edu.errors.HardwareLimitError` or
:class:`~dynapse_edu.errors.ParameterError` naming the rule.

>>> import json
>>> from dynapse_edu import Chip, RegularGenerator
>>> from dynapse_edu.hardware.config import board_from_dict, board_to_dict
>>> chip = Chip(hardware=True)
>>> pop = chip.get_neurons(3, core=2)
>>> _ = chip.add_connection(RegularGenerator(1, 100.0), pop, "AMPA", weight=4)
>>> chip.set_bias(2, "IF_DC_P", 1, 20)
>>> text = json.dumps(board_to_dict(chip))
>>> copy = board_from_dict(json.loads(text))
>>> copy.get_biases(2)["IF_DC_P"][1:3], len(copy.connections), copy.cam_used(pop.ids[0])
((1, 20), 3, 4)
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from ..core.params import FIELD_NAMES, Params
from ..core.synapse import SYNAPSE_TYPES, synapse_index
from ..errors import DynapseError, HardwareLimitError, ParameterError
from .biasgen import BIAS_NAMES, EXTRA_BIASES, bias_current, check_bias_name, check_setting, params_from_biases
from .board import Board
from .inputs import source_from_config
from .mismatch import Mismatch
from .routing import CORES_PER_CHIP, check_ids

#: Version of the file format written by :func:`board_to_dict`.
CONFIG_VERSION = 1
FORMAT = "dynapse_edu board configuration"


def board_to_dict(board: Board) -> dict[str, Any]:
    """The whole board as a JSON-ready dict (plain lists, floats, ints, strings)."""
    cores = []
    for k, p in enumerate(board._core_params):
        cores.append({
            "chip": k // CORES_PER_CHIP,
            "core": k % CORES_PER_CHIP,
            "params": p.as_dict(),
            "biases": {name: list(board._settings[k][name]) for name in BIAS_NAMES if name in board._settings[k]},
        })
    kind, pre, post, syn, w = (board._pre_kind, board._pre, board._post, board._syn, board._w)
    return {
        "format": FORMAT,
        "version": CONFIG_VERSION,
        "kind": type(board).__name__,
        "n_chips": board.n_chips,
        "hardware": board.hardware,
        "monitor": board.monitor,
        "mismatch": None if board.mismatch is None else board.mismatch.as_dict(),
        "cores": cores,
        "neurons": {"allocated": board.neuron_ids.tolist(), "tau2": np.flatnonzero(board._tau2).tolist()},
        "inputs": [source.to_config() for source in board._sources],
        "connections": [
            {
                "pre_kind": "input" if int(kd[0]) == 0 else "neuron",
                "pre": a.tolist(),
                "post": b.tolist(),
                "synapse": [SYNAPSE_TYPES[s] for s in c.tolist()],
                "weight": x.tolist(),
            }
            for kd, a, b, c, x in zip(kind, pre, post, syn, w, strict=True)
            if len(kd)
        ],
    }


def _get(d: dict[str, Any], key: str, where: str = "configuration") -> Any:
    if not isinstance(d, dict) or key not in d:
        raise ParameterError(f"{where} lacks the field {key!r}")
    return d[key]


def board_from_dict(config: dict[str, Any]) -> Board:
    """Rebuild a board from :func:`board_to_dict` output, checking every rule on the way."""
    try:
        return _from_dict(config)
    except DynapseError as e:
        raise type(e)(f"invalid configuration: {e}") from e


def _from_dict(config: dict[str, Any]) -> Board:
    from .chip import Chip

    if _get(config, "format") != FORMAT:
        raise ParameterError(f"not a dynapse_edu configuration: format = {config.get('format')!r}, expected {FORMAT!r}")
    version = _get(config, "version")
    if version != CONFIG_VERSION:
        raise ParameterError(
            f"configuration version {version!r} is not supported; this dynapse_edu reads version {CONFIG_VERSION}"
        )
    kind = _get(config, "kind")
    mm = _get(config, "mismatch")
    mismatch = None if mm is None else Mismatch(**mm)
    hardware, monitor = bool(_get(config, "hardware")), bool(_get(config, "monitor"))
    if kind == "Chip":
        if _get(config, "n_chips") != 1:
            raise HardwareLimitError(f"a Chip has 1 chip, the file says n_chips = {config['n_chips']!r}")
        board: Board = Chip(hardware=hardware, monitor=monitor, mismatch=mismatch)
    elif kind == "Board":
        board = Board(n_chips=_get(config, "n_chips"), hardware=hardware, monitor=monitor, mismatch=mismatch)
    else:
        raise ParameterError(f"kind = {kind!r}; allowed: 'Board', 'Chip'")

    cores = _get(config, "cores")
    if not isinstance(cores, list) or len(cores) != board.n_chips * CORES_PER_CHIP:
        raise HardwareLimitError(f"'cores' must list the {board.n_chips * CORES_PER_CHIP} cores of the board")
    for entry in cores:
        k = board._core_index(_get(entry, "core", "a core entry"), _get(entry, "chip", "a core entry"))
        values = _get(entry, "params", f"core entry {k}")
        unknown = sorted(set(values) - set(FIELD_NAMES))
        if unknown:
            raise ParameterError(
                f"core {k % CORES_PER_CHIP} of chip {k // CORES_PER_CHIP}: unknown parameters {unknown}"
            )
        p = Params(**values)
        settings = {}
        for name, setting in _get(entry, "biases", f"core entry {k}").items():
            key = check_bias_name(name)
            if not isinstance(setting, list) or len(setting) != 2:
                raise HardwareLimitError(f"bias {key}: setting must be [coarse, fine], got {setting!r}")
            settings[key] = check_setting(*setting, f"bias {key} of core {k % CORES_PER_CHIP}")
        board._core_params[k] = p
        board._settings[k] = {name: board._settings[k][name] for name in EXTRA_BIASES} | settings
        board._extra[k] = {name: bias_current(*board._settings[k][name]) for name in EXTRA_BIASES}
        derived = params_from_biases(p, board._bias_currents(k))
        for name in FIELD_NAMES:
            a, b = getattr(p, name), getattr(derived, name)
            if not math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0):
                raise HardwareLimitError(
                    f"core {k % CORES_PER_CHIP} of chip {k // CORES_PER_CHIP}: parameter {name} = {a!r} disagrees "
                    f"with the bias settings, which give {b!r}"
                )

    neurons = _get(config, "neurons")
    allocated = check_ids(_get(neurons, "allocated", "'neurons'"), board.n_chips)
    if np.unique(allocated).size != allocated.size:
        raise HardwareLimitError("a neuron is allocated twice in 'neurons.allocated'")
    board._allocated[allocated] = True
    board.use_tau2(list(_get(neurons, "tau2", "'neurons'")))

    for source in _get(config, "inputs"):
        board.add_input(source_from_config(source))
    n_inputs = sum(len(s) for s in board._sources)
    for block in _get(config, "connections"):
        pre_kind = _get(block, "pre_kind", "a connection block")
        if pre_kind not in ("input", "neuron"):
            raise ParameterError(f"pre_kind = {pre_kind!r}; allowed: 'input', 'neuron'")
        pre = np.asarray(_get(block, "pre", "a connection block"), dtype=np.int64)
        post = board._own_ids(_get(block, "post", "a connection block"))
        syn = np.array([synapse_index(s) for s in _get(block, "synapse", "a connection block")], dtype=np.int64)
        weights = [board._check_weight(x) for x in _get(block, "weight", "a connection block")]
        if not (len(pre) == len(post) == len(syn) == len(weights)):
            raise ParameterError("a connection block has lists of different lengths")
        if pre_kind == "input":
            if pre.size and not (0 <= pre.min() and pre.max() < n_inputs):
                raise ParameterError(f"input source {int(pre.max())} does not exist: the file has {n_inputs} sources")
            board._connect(0, pre, post, syn, np.asarray(weights, float))
        else:
            board._connect(1, board._own_ids(pre.tolist()), post, syn, np.asarray(weights, float))
    return board


def save(board: Board, path: str | Path) -> None:
    """Write ``board`` to ``path`` as JSON."""
    Path(path).write_text(json.dumps(board_to_dict(board), indent=1))


def load(path: str | Path) -> Board:
    """Read a board from a JSON file written by :func:`save`; a broken rule raises, naming it."""
    try:
        config = json.loads(Path(path).read_text())
    except json.JSONDecodeError as e:
        raise ParameterError(f"{path} is not valid JSON: {e}") from None
    return board_from_dict(config)


__all__ = ["CONFIG_VERSION", "board_to_dict", "board_from_dict", "save", "load"]
