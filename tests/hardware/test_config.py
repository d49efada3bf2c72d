"""Configuration files: save a whole board, load it back, identical spikes; broken files name the rule."""

import json

import numpy as np
import pytest

from dynapse_edu import Chip, CosineRateGenerator, PoissonGenerator, RegularGenerator, SpikeGenerator
from dynapse_edu.errors import HardwareLimitError, ParameterError
from dynapse_edu.hardware.board import Board
from dynapse_edu.hardware.config import CONFIG_VERSION, board_from_dict, board_to_dict, load, save
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
