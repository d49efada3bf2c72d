"""Configuration files: a whole board (or chip) saved as JSON and loaded back.

A file holds everything needed to rebuild the same network: the board's size
and mode, the mismatch seed, every core's parameters and bias settings, the
allocated neurons and their leak choice, the input generators and every
connection, with a ``version`` field (:data:`CONFIG_VERSION`). Loading goes
through the same checks as building by hand (the board's public methods
:meth:`~dynapse_edu.hardware.board.Board.allocate`,
:meth:`~dynapse_edu.hardware.board.Board.connect_pairs`,
:meth:`BiasBank.restore <dynapse_edu.hardware.bank.BiasBank.restore>`, ...): a
file that breaks a rule of the hardware (a 65th CAM entry, a fifth
destination, aliasing, a bias out of range, ...) fails with
:class:`~dynapse_edu.errors.HardwareLimitError` or
:class:`~dynapse_edu.errors.ParameterError` naming the rule.

Connections are stored in blocks: each block is a run of consecutive
connections with the same kind of presynaptic side (``"input"``: source
indices of the generators listed under ``"inputs"``; ``"neuron"``: global
neuron ids), so the order of the connections survives a round trip.

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
from pathlib import Path
from typing import Any

import numpy as np

from ..core.params import FIELD_NAMES, Params
from ..core.synapse import SYNAPSE_TYPES
from ..errors import DynapseError, HardwareLimitError, ParameterError
from .board import PRE_KINDS, Board
from .chip import Chip
from .inputs import source_from_config
from .mismatch import Mismatch
from .routing import CORES_PER_CHIP

#: Version of the file format written by :func:`board_to_dict`.
CONFIG_VERSION = 1
FORMAT = "dynapse_edu board configuration"
#: The classes a file can hold, by the name its ``kind`` field gives.
KINDS: dict[str, type[Board]] = {"Board": Board, "Chip": Chip}


def _blocks(board: Board) -> list[dict[str, Any]]:
    """The connections as blocks of consecutive connections with the same kind of pre."""
    from_input, pre, post, syn, w = board.connection_arrays()
    starts = np.flatnonzero(np.diff(from_input.astype(np.int8))) + 1
    blocks = []
    for lo, hi in zip([0, *starts.tolist()], [*starts.tolist(), from_input.size], strict=True):
        if hi > lo:
            blocks.append({
                "pre_kind": "input" if from_input[lo] else "neuron",
                "pre": pre[lo:hi].tolist(),
                "post": post[lo:hi].tolist(),
                "synapse": [SYNAPSE_TYPES[s] for s in syn[lo:hi].tolist()],
                "weight": w[lo:hi].tolist(),
            })
    return blocks


def board_to_dict(board: Board) -> dict[str, Any]:
    """The whole board as a JSON-ready dict (plain lists, floats, ints, strings).

    Parameters
    ----------
    board : Board
        A board or chip.

    Returns
    -------
    dict
        ``format``, ``version``, ``kind`` (``"Board"`` or ``"Chip"``), ``n_chips``,
        ``hardware``, ``monitor``, ``mismatch``, ``cores`` (params and bias settings
        of each core), ``neurons`` (allocated ids and leak-2 ids), ``inputs`` (the
        generators) and ``connections`` (blocks). Parameters are in SI units.

    Examples
    --------
    >>> from dynapse_edu import Chip
    >>> chip = Chip()
    >>> _ = chip.get_neurons(2, core=1)
    >>> d = board_to_dict(chip)
    >>> d["kind"], d["version"], d["neurons"]["allocated"], len(d["cores"])
    ('Chip', 1, [256, 257], 4)
    """
    cores = []
    for chip in range(board.n_chips):
        for core in range(CORES_PER_CHIP):
            bank = board.bank(core, chip)
            cores.append({
                "chip": chip,
                "core": core,
                "params": bank.params.as_dict(),
                "biases": {name: list(setting) for name, setting in bank.settings.items()},
            })
    return {
        "format": FORMAT,
        "version": CONFIG_VERSION,
        "kind": type(board).__name__,
        "n_chips": board.n_chips,
        "hardware": board.hardware,
        "monitor": board.monitor,
        "mismatch": None if board.mismatch is None else board.mismatch.as_dict(),
        "cores": cores,
        "neurons": {"allocated": board.neuron_ids.tolist(), "tau2": board.tau2_ids.tolist()},
        "inputs": [source.to_config() for source in board.sources],
        "connections": _blocks(board),
    }


def _get(d: dict[str, Any], key: str, where: str = "configuration") -> Any:
    if not isinstance(d, dict) or key not in d:
        raise ParameterError(f"{where} lacks the field {key!r}")
    return d[key]


def board_from_dict(config: dict[str, Any], kind: type[Board] | None = None) -> Board:
    """Rebuild a board from :func:`board_to_dict` output, checking every rule on the way.

    Parameters
    ----------
    config : dict
        As :func:`board_to_dict` writes it (after a JSON round trip or not).
    kind : type or None
        If given (``Board`` or ``Chip``), the configuration must hold one
        (a Chip is also a Board).

    Returns
    -------
    Board
        A :class:`~dynapse_edu.hardware.board.Board` or :class:`~dynapse_edu.hardware.chip.Chip`,
        as the file's ``kind`` says.

    Raises
    ------
    HardwareLimitError
        For a broken rule of the hardware, named, prefixed by "invalid configuration:".
    ParameterError
        For a malformed entry, an unsupported version, or the wrong ``kind``.

    Examples
    --------
    >>> from dynapse_edu import Chip
    >>> d = board_to_dict(Chip())
    >>> d["cores"][0]["biases"]["IF_DC_P"] = [1, 300]
    >>> board_from_dict(d)
    Traceback (most recent call last):
    ...
    dynapse_edu.errors.HardwareLimitError: invalid configuration: bias IF_DC_P of core 0: fine value 300 \
is outside the allowed range 0..255 (integers)
    """
    try:
        board = _from_dict(config)
    except DynapseError as e:
        raise type(e)(f"invalid configuration: {e}") from e
    if kind is not None and not isinstance(board, kind):
        raise ParameterError(f"the configuration holds a {type(board).__name__}, not a {kind.__name__}")
    return board


def _from_dict(config: dict[str, Any]) -> Board:
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
        raise ParameterError(f"kind = {kind!r}; allowed: {', '.join(map(repr, KINDS))}")

    cores = _get(config, "cores")
    if not isinstance(cores, list) or len(cores) != board.n_chips * CORES_PER_CHIP:
        raise HardwareLimitError(f"'cores' must list the {board.n_chips * CORES_PER_CHIP} cores of the board")
    for entry in cores:
        core, chip = _get(entry, "core", "a core entry"), _get(entry, "chip", "a core entry")
        bank = board.bank(core, chip)
        values = _get(entry, "params", f"the entry of core {core} of chip {chip}")
        unknown = sorted(set(values) - set(FIELD_NAMES))
        if unknown:
            raise ParameterError(f"core {core} of chip {chip}: unknown parameters {unknown}")
        bank.restore(Params(**values), _get(entry, "biases", f"the entry of core {core} of chip {chip}"))

    neurons = _get(config, "neurons")
    board.allocate(_get(neurons, "allocated", "'neurons'"))
    board.use_tau2(list(_get(neurons, "tau2", "'neurons'")))

    for source in _get(config, "inputs"):
        board.add_input(source_from_config(source))
    for block in _get(config, "connections"):
        pre_kind = _get(block, "pre_kind", "a connection block")
        if pre_kind not in PRE_KINDS:
            raise ParameterError(f"pre_kind = {pre_kind!r}; allowed: {', '.join(map(repr, PRE_KINDS))}")
        board.connect_pairs(
            pre_kind,
            _get(block, "pre", "a connection block"),
            _get(block, "post", "a connection block"),
            list(_get(block, "synapse", "a connection block")),
            list(_get(block, "weight", "a connection block")),
        )
    return board


def save(board: Board, path: str | Path) -> None:
    """Write a board (or chip) to a JSON file: allocations, connections, biases, mismatch seed, inputs.

    Parameters
    ----------
    board : Board
        The board or chip.
    path : str or pathlib.Path
        The file to write (overwritten).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from dynapse_edu import Chip
    >>> chip = Chip()
    >>> _ = chip.get_neurons(4, core=0)
    >>> path = Path(tempfile.mkdtemp()) / "chip.json"
    >>> save(chip, path)
    >>> load(path).neuron_ids.tolist()
    [0, 1, 2, 3]
    """
    Path(path).write_text(json.dumps(board_to_dict(board), indent=1))


def load(path: str | Path, kind: type[Board] | None = None) -> Board:
    """Read a board (or chip) from a JSON file written by :func:`save`; a broken rule raises, naming it.

    Parameters
    ----------
    path : str or pathlib.Path
        The file.
    kind : type or None
        If given (``Board`` or ``Chip``), the file must hold one: ``load(path, kind=Chip)``
        rejects a file holding a multi-chip Board.

    Returns
    -------
    Board
        A :class:`~dynapse_edu.hardware.board.Board` or :class:`~dynapse_edu.hardware.chip.Chip`.

    Raises
    ------
    HardwareLimitError
        For a broken rule of the hardware, named.
    ParameterError
        For a file that is not valid JSON or not a configuration, or of the wrong ``kind``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "board.json"
    >>> save(Board(n_chips=2), path)
    >>> load(path, kind=Chip)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dynapse_edu.errors.ParameterError: ...board.json holds a Board, not a Chip
    """
    try:
        config = json.loads(Path(path).read_text())
    except json.JSONDecodeError as e:
        raise ParameterError(f"{path} is not valid JSON: {e}") from None
    board = board_from_dict(config)
    if kind is not None and not isinstance(board, kind):
        raise ParameterError(f"{path} holds a {type(board).__name__}, not a {kind.__name__}")
    return board


__all__ = ["CONFIG_VERSION", "KINDS", "board_to_dict", "board_from_dict", "save", "load"]
