"""The public methods a Board offers to build it from explicit lists (what configuration files use)."""

import ast
from pathlib import Path

import numpy as np
import pytest

from dynapse_edu import PoissonGenerator, RegularGenerator
from dynapse_edu.core.params import Params
from dynapse_edu.errors import HardwareLimitError, ParameterError
from dynapse_edu.hardware import config as config_module
from dynapse_edu.hardware.bank import pulse_params
from dynapse_edu.hardware.board import Board, ConnectionArrays
from dynapse_edu.hardware.config import board_to_dict


def test_allocate_chosen_ids_all_or_nothing():
    board = Board(n_chips=2)
    board.allocate([5, 1024 + 300, 7])
    assert board.neuron_ids.tolist() == [5, 7, 1324]
    before = board_to_dict(board)
    for ids, match in (([8, 5], r"\(id 5\) is already allocated"), ([9, 9], r"\(id 9\) is listed twice"),
                       ([10, 2048], "neuron id 2048 does not exist.*0..2047"), ([1.5], "must be integers")):
        with pytest.raises(HardwareLimitError, match=match):
            board.allocate(ids)
        assert board_to_dict(board) == before
    assert board.get_neurons(3, core=0).ids.tolist() == [0, 1, 2]  # get_neurons skips what allocate took
    assert board.get_neurons(3, core=0).ids.tolist() == [3, 4, 6]


def test_tau2_ids_follow_use_tau2():
    board = Board(n_chips=1)
    pop = board.get_neurons(4, core=3)
    assert board.tau2_ids.tolist() == []
    board.use_tau2(pop[::2])
    assert board.tau2_ids.tolist() == [768, 770]
    board.use_tau2([768], on=False)
    assert board.tau2_ids.tolist() == [770]


def test_sources_and_input_numbering():
    board = Board(n_chips=1)
    a, b = RegularGenerator(3, 10.0), PoissonGenerator(2, 5.0)
    pop = board.get_neurons(1, core=0)
    assert board.sources == () and board.n_inputs == 0
    board.add_connection(a, pop, "AMPA")
    assert board.add_input(b) == 3 and board.add_input(a) == 0  # a generator keeps its place
    assert board.sources == (a, b) and board.n_inputs == 5
    with pytest.raises(ParameterError, match="SpikeSource"):
        board.add_input([0.1, 0.2])


def test_connection_arrays_list_every_connection_in_order():
    board = Board(n_chips=2)
    a, b = board.get_neurons(2, core=0), board.get_neurons(2, core=1, chip=1)
    board.add_connection(a, b, "NMDA", weight=2)
    board.add_connection(RegularGenerator(1, 10.0), b, "GABA_A", weight=3)
    arrays = board.connection_arrays()
    assert isinstance(arrays, ConnectionArrays)
    assert arrays.from_input.tolist() == [False] * 4 + [True] * 2
    assert arrays.pre.tolist() == [0, 0, 1, 1, 0, 0]
    assert arrays.post.tolist() == [1280, 1281, 1280, 1281, 1280, 1281]
    assert arrays.synapse.tolist() == [1] * 4 + [2] * 2
    assert arrays.weight.tolist() == [2.0] * 4 + [3.0] * 2
    listed = [(c.pre[0] == "input", c.pre[1], c.post, c.weight) for c in board.connections]
    columns = (arrays.from_input, arrays.pre, arrays.post, arrays.weight)
    assert listed == list(zip(*(x.tolist() for x in columns), strict=True))
    arrays.pre[:] = 99  # new arrays: the board is untouched
    assert board.connection_arrays().pre.tolist() == [0, 0, 1, 1, 0, 0]


def test_connect_pairs_makes_what_add_connection_makes():
    src = RegularGenerator(2, 100.0)
    by_hand, by_pairs = Board(n_chips=2), Board(n_chips=2)
    pops = {}
    for board in (by_hand, by_pairs):
        pops[board] = (board.get_neurons(3, core=0), board.get_neurons(2, core=2, chip=1), board.get_neurons(1, core=1))
    pre, post, target = pops[by_hand]
    by_hand.add_connection(src, target, "AMPA", weight=5)
    by_hand.add_connection(pre, post, "NMDA", weight=4)
    by_pairs.add_input(src)
    assert by_pairs.connect_pairs("input", [0, 1], target.ids.tolist() * 2, "AMPA", 5) == 2
    pairs_pre, pairs_post = np.repeat(pre.ids, 2), np.tile(post.ids, 3)  # all to all, as pairs
    assert by_pairs.connect_pairs("neuron", pairs_pre, pairs_post, ["NMDA"] * 6, [4] * 6) == 6
    assert board_to_dict(by_pairs) == board_to_dict(by_hand)
    assert by_pairs.connections == by_hand.connections
    a, b = (board.run(0.05, dt=None, at_spikes=False) for board in (by_hand, by_pairs))
    np.testing.assert_array_equal(a.spike_count, b.spike_count)
    assert by_pairs.connect_pairs("neuron", [], [], [], []) == 0


def _wired_board() -> Board:
    """Neurons 256 and 1280 (one tag) reach 2048 (40 CAM entries) and 3072; 0 and 1024 are free; 2 inputs."""
    board = Board(n_chips=4)
    a, b = board.get_neurons(1, core=1, chip=0), board.get_neurons(1, core=1, chip=1)
    t = [board.get_neurons(1, core=0, chip=c) for c in range(4)]
    assert [int(p.ids[0]) for p in (a, b, *t)] == [256, 1280, 0, 1024, 2048, 3072]
    board.add_connection(a, t[2], "AMPA", 40)
    board.add_connection(b, t[3], "AMPA", 1)
    board.add_input(RegularGenerator(2, 10.0))
    return board


@pytest.mark.parametrize(
    "args, error, match",
    [
        (("synapse", [0], [2048], "AMPA", 1), ParameterError, "pre_kind = 'synapse'"),
        (("neuron", [1280], [2048], "AMPA", 1), HardwareLimitError, r"tag aliasing: .*id 256\).*id 1280\)"),
        (("neuron", [256] * 3, [0, 1024, 3072], "AMPA", 1), HardwareLimitError, "SRAM fan-out.*4 destination chips"),
        (("input", [0, 1], [2048, 2048], "AMPA", [10, 15]), HardwareLimitError, "CAM fan-in.*id 2048.*65"),
        (("input", [2], [2048], "AMPA", 1), ParameterError, "input source 2 does not exist.*2 sources"),
        (("input", [0.5], [2048], "AMPA", 1), ParameterError, "must be integers"),
        (("neuron", [5], [2048], "AMPA", 1), HardwareLimitError, r"\(id 5\) is not allocated"),
        (("neuron", [256], [9], "AMPA", 1), HardwareLimitError, r"\(id 9\) is not allocated"),
        (("neuron", [256], [2048], "GLU", 1), ParameterError, "unknown synapse type 'GLU'"),
        (("neuron", [256], [2048], "AMPA", 0.5), HardwareLimitError, "weight = 0.5.*1..64"),
        (("neuron", [256, 256], [2048], "AMPA", 1), ParameterError, "2 pre, 1 post"),
        (("neuron", [256], [2048], ["AMPA", "NMDA"], 1), ParameterError, "2 synapse types"),
    ],
)
def test_connect_pairs_checks_every_rule_all_or_nothing(args, error, match):
    board = _wired_board()
    before = board_to_dict(board)
    with pytest.raises(error, match=match):
        board.connect_pairs(*args)
    assert board_to_dict(board) == before


def test_connect_pairs_outside_hardware_mode_takes_real_weights():
    board = Board(n_chips=1, hardware=False)
    pop = board.get_neurons(2, core=0)
    assert board.connect_pairs("neuron", pop.ids, pop.ids[::-1], "AMPA", [0.25, 100.0]) == 2
    assert [c.weight for c in board.connections] == [0.25, 100.0]
    with pytest.raises(ParameterError, match=r"weight = 2000.0 .*\(0, 1000\]"):
        board.connect_pairs("neuron", pop.ids, pop.ids, "AMPA", 2000.0)


def test_config_uses_only_public_names():
    tree = ast.parse(Path(config_module.__file__).read_text())
    private = [
        node.attr for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
    ]
    imported = [
        alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        for alias in node.names if alias.name.startswith("_")
    ]
    inner = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
             for sub in ast.walk(node) if isinstance(sub, (ast.Import, ast.ImportFrom))]
    assert private == [] and imported == [] and inner == []


# --- input pulses (issue 12): the switch, the width from PULSE_PWLK_P, saved with the configuration ---------
def test_use_pulses_switches_every_core_and_round_trips_through_the_configuration(tmp_path):
    from dynapse_edu.hardware import config
    from dynapse_edu.hardware.biasgen import pulse_width

    assert not Board(n_chips=1, hardware=False).pulses  # the original simulator: instant jumps
    board = Board(n_chips=1)  # hardware mode: pulses
    pop = board.get_neurons(2, core=1)
    board.use_pulses(False)
    assert not board.pulses and all(p.t_pulse is None for p in board.neuron_params())
    board.set_bias(1, "PULSE_PWLK_P", 4, 60)
    board.use_pulses()
    width = pulse_width(board.bank(1).currents()["PULSE_PWLK_P"])
    assert board.pulses and [p.t_pulse for p in board.neuron_params()] == [width, width]
    config.save(board, tmp_path / "b.json")
    again = config.load(tmp_path / "b.json")
    assert again.pulses and [p.t_pulse for p in again.neuron_params()] == [width, width]
    board.use_pulses(False)
    config.save(board, tmp_path / "c.json")
    assert not config.load(tmp_path / "c.json").pulses
    # a file written before the switch existed (no "pulses" key) loads with instant jumps
    d = config.board_to_dict(board)
    for core in d["cores"]:
        del core["pulses"]
    assert not config.board_from_dict(d).pulses
    assert len(pop) == 2


def _peak(board: Board, weight: int, times: list[float]) -> float:
    """Largest I_ampa of one neuron of ``board`` driven by input spikes at ``times`` (s) of ``weight``."""
    from dynapse_edu.hardware.inputs import SpikeGenerator

    pop = board.get_neurons(1, core=0)
    src = SpikeGenerator([0] * len(times), times)
    board.add_input(src)
    board.add_connection(src, pop, "AMPA", weight)
    return float(board.run(times[-1] + 0.002, neurons=pop, dt=2e-6).trace("I_ampa").max())


def test_pulses_change_the_run_and_the_original_weights_are_weak_with_pulses():
    """With the original's 100 pA a 10 us pulse charges AMPA 40 000 x less than the instant jump (issue 12)."""
    jump = _peak(Board(n_chips=1, hardware=False), 1, [0.01])
    weak = Board(n_chips=1, params=Params())  # hardware mode (pulses) with the original's weight currents
    assert weak.pulses
    assert jump == pytest.approx(401e-12, rel=1e-3)  # I0 + I_w0 alpha
    assert 1.005e-12 < _peak(weak, 1, [0.01]) < 1.02e-12  # I0 + about 11 fA


def test_hardware_mode_pulse_weights_add_the_jump_to_a_charged_synapse_and_less_at_rest():
    """Board(hardware=True) starts from pulse_params: the pulse adds alpha I_w0 far above I_g, less near rest."""
    from dynapse_edu.core.synapse import dpi_pulse_response

    p = Params()
    board = Board(n_chips=1)
    assert board.params(0) == pulse_params() and board.pulses
    hw = board.params(0)
    tau, I_g, width = p.tau_syn("AMPA"), p.alpha_ampa * p.I_tau_ampa, board.bank(0).neuron_params().t_pulse
    assert hw.I_w0_ampa == pytest.approx(p.I_w0_ampa / -np.expm1(-width / tau), rel=1e-12)
    at_rest = _peak(board, 1, [0.01])
    exact = dpi_pulse_response([0.01 + width], [0.01], width, hw.I_w0_ampa, I_g, p.I_tau_ampa, tau, p.I0)[0]
    assert at_rest == pytest.approx(exact, rel=2e-3)
    assert 50e-12 < at_rest < 80e-12  # not the jump's 400 pA: the DPI's (1 + I_g / I) near rest
    # a synapse charged by weight 16 first: the second spike adds about alpha I_w0 w as the jump would
    two = _peak(Board(n_chips=1), 16, [0.01, 0.0101])
    one = _peak(Board(n_chips=1), 16, [0.01])
    added = two - one * np.exp(-100e-6 / tau)
    assert added == pytest.approx(16 * p.jump("AMPA"), rel=0.05)


def test_run_passes_progress_to_the_integrator(capsys):
    pytest.importorskip("tqdm")
    board = Board(n_chips=1)
    pop = board.get_neurons(1, core=0)
    board.add_connection(RegularGenerator(1, 100.0), pop, "AMPA", weight=4)
    board.run(0.03, dt=None, progress=True)
    assert "30.0/30.0 ms simulated" in capsys.readouterr().err
    board.run(0.03, dt=None)  # automatic: a short run prints nothing
    assert capsys.readouterr().err == ""
    with pytest.raises(ParameterError, match="progress"):
        board.run(0.03, progress="yes")
