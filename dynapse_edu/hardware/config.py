"""Configuration files: a whole board (or chip) saved as JSON and loaded back.

A file holds everything needed to rebuild the same network: the board's size
and mode, the mismatch seed, every core's parameters and bias settings, the
allocated neurons and their leak choice, the input generators and every
connection, with a ``version`` field (:data:`CONFIG_VERSION`). Loading first
checks the file against a JSON schema (:data:`SCHEMA`, with ``jsonschema``):
every key known (a misspelt key is refused with its path, never ignored),
every value of its type (booleans are booleans), the version supported. Then it goes
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

import jsonschema
import numpy as np

from ..core.params import FIELD_NAMES, Params
from ..core.synapse import SYNAPSE_TYPES
from ..errors import DynapseError, HardwareLimitError, ParameterError
from .board import PRE_KINDS, Board
from .chip import Chip
from .inputs import source_from_config
from .mismatch import DISTRIBUTIONS, Mismatch
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
        ``hardware``, ``monitor``, ``mismatch``, ``cores`` (params, bias settings and
        the input-pulse switch of each core), ``neurons`` (allocated ids and leak-2 ids), ``inputs`` (the
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
                "pulses": bank.pulses,
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


_INT = {"type": "integer"}
_INTS = {"type": "array", "items": _INT}
_NUMBER = {"type": "number"}
_SEED = {"type": ["integer", "null"], "minimum": 0}


def _closed(properties: dict[str, Any], required: tuple[str, ...] | None = None) -> dict[str, Any]:
    """An object schema with exactly these keys (all required unless ``required`` says otherwise)."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties if required is None else required),
        "additionalProperties": False,
    }


#: The arguments each input generator takes in a file (:meth:`~dynapse_edu.hardware.inputs.SpikeSource.to_config`).
_INPUT_ARGUMENTS: dict[str, dict[str, Any]] = {
    "RegularGenerator": {"n": _INT, "rate": _NUMBER, "start": _NUMBER, "fpga": {"type": "boolean"}, "isi_base": _INT},
    "PoissonGenerator": {"n": _INT, "rate": _NUMBER, "seed": _SEED, "fpga": {"type": "boolean"}, "isi_base": _INT},
    "CosineRateGenerator": {"n": _INT, "mean_rate": _NUMBER, "depth": _NUMBER, "frequency": _NUMBER,
                            "phase": _NUMBER, "seed": _SEED},
    "SpikeGenerator": {"indices": _INTS, "times": {"type": "array", "items": _NUMBER}, "n": _INT},
}

#: The JSON schema (draft 2020-12) of a configuration file of :data:`CONFIG_VERSION`: every key, its type
#: and nothing else. The hardware's rules (ranges, CAM, SRAM, aliasing, bias settings) are checked after
#: it, by the board's own methods; a bias name or a synapse type is checked there too, with the list of
#: allowed names.
SCHEMA: dict[str, Any] = _closed({
    "format": {"const": FORMAT},
    "version": _INT,
    "kind": {"enum": list(KINDS)},
    "n_chips": _INT,
    "hardware": {"type": "boolean"},
    "monitor": {"type": "boolean"},
    "mismatch": {"oneOf": [
        {"type": "null"},
        _closed({"spread": _NUMBER, "distribution": {"enum": list(DISTRIBUTIONS)}, "seed": {**_INT, "minimum": 0}}),
    ]},
    "cores": {"type": "array", "items": _closed({
        "chip": _INT,
        "core": _INT,
        "params": {"type": "object", "propertyNames": {"enum": list(FIELD_NAMES)},
                   "additionalProperties": {"type": ["number", "null"]}},
        "biases": {"type": "object", "additionalProperties": {"type": "array", "items": _INT,
                                                              "minItems": 2, "maxItems": 2}},
        "pulses": {"type": "boolean"},
    }, required=("chip", "core", "params", "biases"))},
    "neurons": _closed({"allocated": _INTS, "tau2": _INTS}),
    "inputs": {"type": "array", "items": {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"type": "string"}},
        "allOf": [
            {"if": {"properties": {"type": {"const": name}}},
             "then": {"properties": {"type": {"const": name}, **args}, "additionalProperties": False}}
            for name, args in _INPUT_ARGUMENTS.items()
        ],
    }},
    "connections": {"type": "array", "items": _closed({
        "pre_kind": {"enum": list(PRE_KINDS)},
        "pre": _INTS,
        "post": _INTS,
        "synapse": {"type": "array", "items": {"type": "string"}},
        "weight": {"type": "array", "items": _NUMBER},
    })},
})
_VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def _key_path(path: Any) -> str:
    """Where in a file a value sits, as Python would index it: ``configuration['cores'][0]['params']``."""
    return "configuration" + "".join(f"[{part!r}]" for part in path)


def check_schema(config: Any) -> None:
    """Check a configuration against :data:`SCHEMA`: keys, types and version; the first problem raises.

    Parameters
    ----------
    config : Any
        What :func:`board_to_dict` writes (after a JSON round trip or not).

    Raises
    ------
    ParameterError
        For an unknown key (named with its path: a misspelt key never loses a connection
        silently), a missing key, a value of the wrong type (``"hardware": "false"`` is a string,
        not a boolean), or a format or version this dynapse_edu does not read.

    Examples
    --------
    >>> from dynapse_edu import Chip
    >>> config = board_to_dict(Chip())
    >>> check_schema(config)
    >>> config["conections"] = []
    >>> check_schema(config)
    Traceback (most recent call last):
    ...
    dynapse_edu.errors.ParameterError: unknown key 'conections' at configuration['conections']; allowed keys \
there: connections, cores, format, hardware, inputs, kind, mismatch, monitor, n_chips, neurons, version
    """
    if isinstance(config, dict):
        if config.get("format") != FORMAT:
            raise ParameterError(
                f"not a dynapse_edu configuration: format = {config.get('format')!r}, expected {FORMAT!r}"
            )
        version = config.get("version")
        if version != CONFIG_VERSION or isinstance(version, bool):
            raise ParameterError(
                f"configuration version {version!r} is not supported; this dynapse_edu reads version {CONFIG_VERSION}"
            )
    errors = list(_VALIDATOR.iter_errors(config))
    if not errors:
        return
    # an unknown key first: a misspelt key is also a missing one, and the misspelling is the news
    unknown = [e for e in errors if e.validator == "additionalProperties" or "propertyNames" in e.schema_path]
    error = jsonschema.exceptions.best_match(unknown or errors)
    path = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {})
        extra = sorted(str(k) for k in error.instance if k not in known)
        raise ParameterError(
            f"unknown key {extra[0]!r} at {_key_path([*path, extra[0]])}; allowed keys there: "
            f"{', '.join(sorted(known))}"
        )
    if "propertyNames" in error.schema_path:
        raise ParameterError(
            f"unknown key {error.instance!r} at {_key_path([*path, error.instance])}; allowed keys there: "
            f"{', '.join(error.validator_value) if error.validator == 'enum' else error.message}"
        )
    if error.validator == "required":
        raise ParameterError(f"{_key_path(path)} lacks a key: {error.message}")
    raise ParameterError(f"{_key_path(path)} = {error.instance!r:.80}: {error.message:.200}")


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
        For a malformed entry (an unknown key or a wrong type, named with its path by
        :func:`check_schema`), an unsupported version, or the wrong ``kind``.

    Examples
    --------
    >>> from dynapse_edu import Chip
    >>> d = board_to_dict(Chip())
    >>> d["cores"][0]["biases"]["IF_DC_P"] = [1, 300]
    >>> board_from_dict(d)
    Traceback (most recent call last):
    ...
    dynapse_edu.errors.HardwareLimitError: invalid configuration: cores[0] (core 0 of chip 0): bias IF_DC_P of \
core 0: fine value 300 is outside the allowed range 0..255 (integers)
    """
    try:
        board = _from_dict(config)
    except DynapseError as e:
        raise type(e)(f"invalid configuration: {e}") from e
    if kind is not None and not isinstance(board, kind):
        raise ParameterError(f"the configuration holds a {type(board).__name__}, not a {kind.__name__}")
    return board


def _from_dict(config: dict[str, Any]) -> Board:
    check_schema(config)
    kind = _get(config, "kind")
    mm = _get(config, "mismatch")
    mismatch = None if mm is None else Mismatch(**mm)
    hardware, monitor = _get(config, "hardware"), _get(config, "monitor")
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
    for k, entry in enumerate(cores):
        core, chip = _get(entry, "core", "a core entry"), _get(entry, "chip", "a core entry")
        try:
            bank = board.bank(core, chip)
            bank.restore(Params(**_get(entry, "params")), _get(entry, "biases"))
            bank.use_pulses(entry.get("pulses", False))  # (files written before issue 12 have no key: off)
        except DynapseError as e:
            raise type(e)(f"cores[{k}] (core {core} of chip {chip}): {e}") from e

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


def _read_text(path: str | Path) -> str:
    """The text of a configuration file; a path that cannot be read raises one clear sentence."""
    if not isinstance(path, (str, Path)):
        raise ParameterError(f"path = {path!r:.100} must be a str or a pathlib.Path naming a configuration file")
    file = Path(path)
    if not file.exists():
        raise ParameterError(f"cannot read the configuration {str(path)!r}: no such file")
    if file.is_dir():
        raise ParameterError(f"cannot read the configuration {str(path)!r}: it is a directory, not a file")
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ParameterError(
            f"cannot read the configuration {str(path)!r}: it is not a text file (binary content); "
            "a configuration is the JSON text save() writes"
        ) from None
    except OSError as e:
        raise ParameterError(f"cannot read the configuration {str(path)!r}: {e.strerror or e}") from None


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
        For a path that cannot be read (missing, a directory, a binary file: one sentence saying so),
        a file that is not valid JSON or not a configuration (an unknown key, a wrong type, an
        unsupported version: :func:`check_schema`), or of the wrong ``kind``.

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
    text = _read_text(path)
    try:
        config = json.loads(text)
    except json.JSONDecodeError as e:
        raise ParameterError(f"{path} is not valid JSON: {e}") from None
    board = board_from_dict(config)
    if kind is not None and not isinstance(board, kind):
        raise ParameterError(f"{path} holds a {type(board).__name__}, not a {kind.__name__}")
    return board


__all__ = ["CONFIG_VERSION", "KINDS", "SCHEMA", "check_schema", "board_to_dict", "board_from_dict", "save", "load"]
