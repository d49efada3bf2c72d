"""Configuration files: save a whole board, load it back, identical spikes; broken files name the rule."""

import json
import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dynapse_edu import Chip, CosineRateGenerator, PoissonGenerator, RegularGenerator, SpikeGenerator
from dynapse_edu.errors import HardwareLimitError, ParameterError
from dynapse_edu.hardware.board import Board
from dynapse_edu.hardware.config import CONFIG_VERSION, board_from_dict, board_to_dict, check_schema, load, save
from dynapse_edu.hardware.mismatch import Mismatch


def _board() -> Board:
    board = Board(n_chips=2, mismatch=Mismatch(spread=0.15, seed=11))
    exc = board.get_neurons(6, core=0, chip=0)
    inh = board.get_neurons(3, core=2, chip=1)
    board.add_connection(PoissonGenerator(2, 300.0, seed=5, fpga=True), exc, "AMPA", weight=3)
    board.add_connection(RegularGenerator(1, 120.0, start=0.004), exc, "NMDA", weight=2)
    board.add_connection(SpikeGenerator([0, 0, 1], [0.01, 0.03, 0.02]), inh, "AMPA", weight=5)
    board.add_connection(CosineRateGenerator(1, 50.0, 0.5, 4.0, seed=2), inh, "AMPA", weight=1)
    board.add_connection(exc, inh, "AMPA", weight=4)
    board.add_connection(inh, exc, "GABA_B", weight=2)
    board.add_connection(exc[:3], exc[3:], "AMPA", weight=1, rule="one_to_one")
    board.use_tau2(exc[5:])
    board.set_bias(0, "IF_TAU2_N", 2, 40)
    board.set_bias(2, "PS_WEIGHT_EXC_F_N", 2, 60, chip=1)
    board.set_bias(0, "NPDPIE_TAU_S_P", 1, 3)
    board.set_bias(1, I_const=3e-12, chip=1)
    return board


def test_round_trip_gives_identical_spikes(tmp_path):
    board = _board()
    path = tmp_path / "board.json"
    save(board, path)
    text = json.loads(path.read_text())
    assert text["version"] == CONFIG_VERSION and text["mismatch"]["seed"] == 11
    copy = load(path)
    assert board_to_dict(copy) == board_to_dict(board)
    a, b = board.run(0.1, dt=None, at_spikes=False), copy.run(0.1, dt=None, at_spikes=False)
    assert a.spike_count.sum() > 10
    for x, y in zip(a.spike_times, b.spike_times, strict=True):
        np.testing.assert_array_equal(x, y)
    assert load(path, kind=Board).n_chips == 2


def test_a_chip_round_trips_as_a_chip(tmp_path):
    chip = Chip()
    n = chip.get_neurons(1, core=3)
    chip.add_connection(SpikeGenerator([0], [0.005]), n, "NMDA", weight=0.5)  # real weights outside hardware mode
    save(chip, tmp_path / "chip.json")
    copy = load(tmp_path / "chip.json", kind=Chip)
    assert type(copy) is Chip and copy.connections == chip.connections
    assert type(load(tmp_path / "chip.json", kind=Board)) is Chip  # a Chip is a Board
    save(_board(), tmp_path / "board.json")
    assert type(load(tmp_path / "board.json")) is Board
    with pytest.raises(ParameterError, match="board.json holds a Board, not a Chip"):
        load(tmp_path / "board.json", kind=Chip)
    with pytest.raises(ParameterError, match="holds a Board, not a Chip"):
        board_from_dict(board_to_dict(_board()), kind=Chip)


def _broken(edit):
    config = board_to_dict(_board())
    edit(config)
    return json.loads(json.dumps(config))


def _set_weight(config, value):
    block = next(b for b in config["connections"] if b["pre_kind"] == "neuron")
    block["weight"][0] = value


@pytest.mark.parametrize(
    "edit, error, match",
    [
        (lambda c: c.update(version=99), ParameterError, "version 99 is not supported"),
        (lambda c: c.update(format="x"), ParameterError, "not a dynapse_edu configuration"),
        (lambda c: c.update(n_chips=5), HardwareLimitError, "n_chips = 5"),
        (lambda c: _set_weight(c, 70), HardwareLimitError, "weight = 70.*1..64"),
        (lambda c: _set_weight(c, 60), HardwareLimitError, "CAM fan-in"),
        (lambda c: _set_weight(c, 0.5), HardwareLimitError, "positive integer"),
        (lambda c: c["cores"][0]["biases"].update(IF_DC_P=[1, 300]), HardwareLimitError, "IF_DC_P.*fine value 300"),
        (lambda c: c["cores"][0]["biases"].update(IF_XX=[1, 3]), HardwareLimitError, "unknown bias 'IF_XX'"),
        (lambda c: c["cores"][0]["params"].update(I_tau_nmda=7e-12), HardwareLimitError,
         "I_tau_nmda .* disagrees with the bias settings"),
        (lambda c: c["cores"][0]["params"].update(I_tau_mem=-1), ParameterError, "I_tau_mem = -1"),
        (lambda c: c["neurons"]["allocated"].append(5000), HardwareLimitError, "neuron id 5000 does not exist"),
        (lambda c: c["neurons"]["allocated"].remove(0), HardwareLimitError, "id 0\\) is not allocated"),
        (lambda c: c["connections"][0]["synapse"].__setitem__(0, "GLU"), ParameterError, "unknown synapse type"),
        (lambda c: c["inputs"][0].update(rate=1e4), HardwareLimitError, "4300 Hz"),
        (lambda c: c["inputs"][0].update(type="Laser"), ParameterError, "'type' is one of"),
        (lambda c: c["mismatch"].update(spread=-1), ParameterError, "spread = -1"),
    ],
)
def test_a_file_that_breaks_a_rule_names_it(edit, error, match):
    with pytest.raises(error, match="invalid configuration: .*" + match):
        board_from_dict(_broken(edit))


def test_aliasing_and_fan_out_in_a_file_are_rejected():
    board = Board(n_chips=4)
    a, b = board.get_neurons(1, core=1, chip=0), board.get_neurons(1, core=1, chip=1)
    t = [board.get_neurons(1, core=0, chip=c) for c in range(4)]
    board.add_connection(a, t[2], "AMPA", 1)
    board.add_connection(b, t[3], "AMPA", 1)
    config = board_to_dict(board)
    assert len(config["connections"]) == 1  # consecutive neuron connections form one block
    config["connections"][0]["post"][1] = int(t[2].ids[0])  # b now also reaches core 0 of chip 2
    with pytest.raises(HardwareLimitError, match="invalid configuration: tag aliasing"):
        board_from_dict(config)
    far = board.get_neurons(1, core=2, chip=3)
    config = board_to_dict(board)
    config["connections"].append({"pre_kind": "neuron", "pre": [int(a.ids[0])] * 3,  # chips 0, 1, 3 besides 2
                                  "post": [int(t[0].ids[0]), int(t[1].ids[0]), int(far.ids[0])],
                                  "synapse": ["AMPA"] * 3, "weight": [1, 1, 1]})
    with pytest.raises(HardwareLimitError, match="invalid configuration: SRAM fan-out"):
        board_from_dict(config)


def test_not_json(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("{not json")
    with pytest.raises(ParameterError, match="not valid JSON"):
        load(path)


def test_blocks_keep_the_order_and_split_blocks_load_the_same():
    board = _board()
    config = board_to_dict(board)
    kinds = [b["pre_kind"] for b in config["connections"]]
    assert all(a != b for a, b in zip(kinds, kinds[1:], strict=False))  # one block per run of one kind
    split = json.loads(json.dumps(config))
    first = split["connections"][0]
    half = len(first["pre"]) // 2
    split["connections"][:1] = [
        {key: value[part] if isinstance(value, list) else value for key, value in first.items()}
        for part in (slice(None, half), slice(half, None))
    ]
    copy = board_from_dict(split)  # e.g. a file with one block per add_connection call
    assert copy.connections == board.connections
    assert board_to_dict(copy) == config


def test_a_loaded_board_keeps_every_bias_bank():
    board = _board()
    copy = board_from_dict(json.loads(json.dumps(board_to_dict(board))))
    for chip in range(2):
        for core in range(4):
            a, b = board.bank(core, chip), copy.bank(core, chip)
            assert a.params == b.params and a.settings == b.settings and a.extra_currents == b.extra_currents
            assert copy.get_biases(core, chip) == board.get_biases(core, chip)
    assert copy.tau2_ids.tolist() == board.tau2_ids.tolist()
    assert copy.neuron_params() == board.neuron_params()


# --- the schema: unknown keys, types, booleans, version; unreadable paths (issue 16, item 4) ---------------
def _dict_paths(value, path=()):
    """Every path of a dict inside a configuration (where an unknown key could be slipped in)."""
    if isinstance(value, dict):
        yield path
        for key, item in value.items():
            yield from _dict_paths(item, (*path, key))
    elif isinstance(value, list):
        for k, item in enumerate(value):
            yield from _dict_paths(item, (*path, k))


def _at(config, path):
    for part in path:
        config = config[part]
    return config


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda c: c.update(conections_v2=c.pop("connections")),
         r"unknown key 'conections_v2' at configuration\['conections_v2'\]; allowed keys there: connections, cores"),
        (lambda c: c["cores"][3].update(extra=1), r"unknown key 'extra' at configuration\['cores'\]\[3\]\['extra'\]"),
        (lambda c: c["cores"][0]["params"].update(I_tau_mme=1e-12),
         r"unknown key 'I_tau_mme' at configuration\['cores'\]\[0\]\['params'\]\['I_tau_mme'\]; "
         r"allowed keys there: I0"),
        (lambda c: c["inputs"][1].update(rates=3.0),
         r"unknown key 'rates' at configuration\['inputs'\]\[1\]\['rates'\]"),
        (lambda c: c["neurons"].update(tau3=[]), r"unknown key 'tau3' at configuration\['neurons'\]\['tau3'\]"),
        (lambda c: c["mismatch"].update(sigma=1), r"unknown key 'sigma' at configuration\['mismatch'\]\['sigma'\]"),
        (lambda c: c.update(hardware="false"),
         r"configuration\['hardware'\] = 'false': 'false' is not of type 'boolean'"),
        (lambda c: c.update(monitor="no"), r"configuration\['monitor'\] = 'no': 'no' is not of type 'boolean'"),
        (lambda c: c.update(monitor=0), r"configuration\['monitor'\] = 0: 0 is not of type 'boolean'"),
        (lambda c: c.update(inputs=None), r"configuration\['inputs'\] = None: None is not of type 'array'"),
        (lambda c: c.update(cores={}), r"configuration\['cores'\] = \{\}: \{\} is not of type 'array'"),
        (lambda c: c.update(neurons=[1, 2]), r"configuration\['neurons'\] = \[1, 2\]: .* is not of type 'object'"),
        (lambda c: c["inputs"][0].update(rate="300"), r"configuration\['inputs'\]\[0\]\['rate'\] = '300'"),
        (lambda c: c["inputs"][0].update(fpga="true"), r"configuration\['inputs'\]\[0\]\['fpga'\] = 'true'"),
        (lambda c: c["connections"][0]["weight"].__setitem__(0, "3"),
         r"configuration\['connections'\]\[0\]\['weight'\]\[0\] = '3'"),
        (lambda c: c["cores"][0]["biases"].update(IF_DC_P=[1]),
         r"configuration\['cores'\]\[0\]\['biases'\]\['IF_DC_P'\] = \[1\]: \[1\] is too short"),
        (lambda c: c.pop("kind"), r"configuration lacks a key: 'kind' is a required property"),
        (lambda c: c.update(version="1"), "configuration version '1' is not supported"),
        (lambda c: c.update(version=True), "configuration version True is not supported"),
        (lambda c: c.update(version=2), "configuration version 2 is not supported; this dynapse_edu reads version 1"),
    ],
)
def test_the_schema_names_the_key_and_its_path(edit, match):
    with pytest.raises(ParameterError, match="invalid configuration: " + match):
        board_from_dict(_broken(edit))


@pytest.mark.parametrize("config", [[], None, "board", 3])
def test_a_configuration_that_is_not_a_mapping_is_refused(config):
    with pytest.raises(ParameterError, match=re.escape(f"configuration = {config!r}")):
        board_from_dict(config)


@settings(max_examples=40, deadline=None)
@given(st.data(), st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12))
def test_an_unknown_key_anywhere_is_refused_with_its_path(data, key):
    config = board_to_dict(_small())
    paths = list(_dict_paths(config))
    path = data.draw(st.sampled_from(paths))
    target = _at(config, path)
    # biases are keyed by bias names, checked by the bias bank (HardwareLimitError with the 25 names)
    assume(key not in target and (not path or path[-1] != "biases"))
    target[key] = 1
    with pytest.raises(ParameterError) as info:
        board_from_dict(json.loads(json.dumps(config)))
    where = "configuration" + "".join(f"[{p!r}]" for p in (*path, key))
    assert f"unknown key {key!r} at {where}" in str(info.value)


def _small() -> Board:
    board = Board(n_chips=1, mismatch=Mismatch(seed=2))
    pop = board.get_neurons(2, core=1)
    board.add_connection(PoissonGenerator(1, 20.0, seed=3), pop, "AMPA", weight=2)
    board.add_connection(SpikeGenerator([0], [0.01]), pop, "NMDA", weight=1)
    board.add_connection(pop[:1], pop[1:], "GABA_A", weight=1)
    return board


def test_unreadable_paths_are_one_clear_sentence(tmp_path):
    (tmp_path / "binary.json").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x00")
    cases = [
        (tmp_path / "missing.json", "no such file"),
        (tmp_path, "it is a directory, not a file"),
        (tmp_path / "binary.json", "it is not a text file"),
    ]
    for path, reason in cases:
        with pytest.raises(ParameterError, match=re.escape(f"cannot read the configuration {str(path)!r}: {reason}")):
            load(path)
    with pytest.raises(ParameterError, match="path = 5 must be a str or a pathlib.Path"):
        load(5)


def test_the_writer_s_files_pass_the_schema(tmp_path):
    for board in (_board(), _small(), Chip(), Board(n_chips=4, hardware=False, monitor=False)):
        config = board_to_dict(board)
        check_schema(config)
        check_schema(json.loads(json.dumps(config)))
        save(board, tmp_path / "b.json")
        assert board_to_dict(load(tmp_path / "b.json")) == config
