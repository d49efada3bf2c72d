"""Every input validated at the door (issue 16, item 3).

Each refused call raises a ParameterError or HardwareLimitError whose message names the bad value and
where it came from, and leaves the board's configuration exactly as it was (compared through
``board_to_dict`` before and after).
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dynapse_edu import Chip, CosineRateGenerator, PoissonGenerator, RegularGenerator, SpikeGenerator
from dynapse_edu.errors import HardwareLimitError, ParameterError
from dynapse_edu.hardware.biasgen import COARSE_MAX
from dynapse_edu.hardware.board import Board
from dynapse_edu.hardware.config import board_to_dict
from dynapse_edu.hardware.inputs import FPGA_MAX_ISI_TICKS, MAX_RATE, MAX_SPIKES, fpga_tick
from dynapse_edu.hardware.validate import choice, flag, integer, number, seed

I0 = 1e-12
TOP = I0 + COARSE_MAX[-1]  # the largest effective current a bias can carry, A


def _board() -> Board:
    """A small board with neurons, an input, a connection and a bias set: something to leave unchanged."""
    board = Board(n_chips=2)
    pop = board.get_neurons(2, core=0)
    board.add_connection(RegularGenerator(1, 50.0), pop, "AMPA", weight=2)
    board.set_bias(0, "IF_DC_P", 1, 40)
    return board


def _refused(board: Board, call, error: type[Exception], value: object) -> str:
    """Run a call that must be refused; check the type, that the message names the value, the board unchanged."""
    before = board_to_dict(board)
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    assert repr(value) in message or str(value) in message, message
    assert board_to_dict(board) == before
    return message


# --- currents outside the bias generator's range are refused, never clipped ------------------------
@pytest.mark.parametrize("current", [math.inf, -math.inf, math.nan, 1e-3, TOP * 1.0001, 0.5e-12, 0.0, -1e-12])
def test_set_bias_current_out_of_range_is_refused(current):
    board = _board()
    message = _refused(board, lambda: board.set_bias_current(0, "IF_DC_P", current), HardwareLimitError, current)
    assert "IF_DC_P" in message and "allowed range [I0, I0 + 2.4e-05]" in message and "never clipped" in message


@pytest.mark.parametrize("current", ["1e-12", None, True, [1e-12]])
def test_set_bias_current_that_is_not_a_number_is_refused(current):
    board = _board()
    _refused(board, lambda: board.set_bias_current(0, "IF_DC_P", current), HardwareLimitError, current)


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True).filter(lambda x: not I0 <= x <= TOP),
                 st.floats(min_value=TOP, max_value=1.0, exclude_min=True)))
def test_no_current_outside_the_range_is_ever_clipped(current):
    board = _board()
    _refused(board, lambda: board.set_bias_current(1, "IF_TAU1_N", current), HardwareLimitError, current)


@settings(max_examples=40, deadline=None)
@given(st.floats(min_value=I0, max_value=TOP))
def test_every_current_in_the_range_is_set(current):
    s = Chip().set_bias_current(0, "IF_DC_P", current)
    assert 0 <= s.coarse <= 7 and 0 <= s.fine <= 255


# --- generators ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "error", "value", "where"),
    [
        (lambda: CosineRateGenerator(1, 10.0, 0.5, 2.0, phase=math.nan), ParameterError, "nan", "CosineRateGenerator"),
        (lambda: CosineRateGenerator(1, 10.0, 0.5, 2.0, phase=math.inf), ParameterError, "inf", "CosineRateGenerator"),
        (lambda: CosineRateGenerator(1, 10.0, math.nan, 2.0), ParameterError, "depth = nan", "CosineRateGenerator"),
        (lambda: CosineRateGenerator(1, 80e3, 0.5, 2.0), ParameterError, "120000 Hz", "CosineRateGenerator"),
        (lambda: PoissonGenerator(1000, 1e6), ParameterError, "rate = 1000000.0", "PoissonGenerator"),
        (lambda: RegularGenerator(1, None), ParameterError, "rate = None", "RegularGenerator"),
        (lambda: RegularGenerator(1, "10"), ParameterError, "rate = '10'", "RegularGenerator"),
        (lambda: RegularGenerator(1, 10.0, start="0.1"), ParameterError, "start = '0.1'", "RegularGenerator"),
        (lambda: RegularGenerator(1, 10.0, start=math.inf), ParameterError, "start = inf", "RegularGenerator"),
        (lambda: RegularGenerator(1, 10.0, fpga="yes"), ParameterError, "fpga = 'yes'", "RegularGenerator"),
        (lambda: RegularGenerator(2.0, 10.0), ParameterError, "n = 2.0", "RegularGenerator"),
        (lambda: RegularGenerator(1, 0.5, fpga=True), HardwareLimitError, "rate = 0.5 Hz", "RegularGenerator"),
        (lambda: PoissonGenerator(1, 0.5, fpga=True), HardwareLimitError, "rate = 0.5 Hz", "PoissonGenerator"),
        (lambda: PoissonGenerator(1, 5e3, fpga=True), HardwareLimitError, "rate = 5000.0 Hz", "PoissonGenerator"),
        (lambda: PoissonGenerator(1, 10.0, seed=-1), ParameterError, "seed = -1", "PoissonGenerator"),
        (lambda: PoissonGenerator(1, 10.0, seed=1.5), ParameterError, "seed = 1.5", "PoissonGenerator"),
        (lambda: PoissonGenerator(1, 10.0, seed="abc"), ParameterError, "seed = 'abc'", "PoissonGenerator"),
        (lambda: PoissonGenerator(1, 10.0, seed=True), ParameterError, "seed = True", "PoissonGenerator"),
        (lambda: CosineRateGenerator(1, 10.0, 0.5, 1.0, seed=-3), ParameterError, "seed = -3", "CosineRateGenerator"),
        (lambda: SpikeGenerator([0], ["0.1"]), ParameterError, "'0.1'", "SpikeGenerator"),
        (lambda: SpikeGenerator([0.0], [0.1]), ParameterError, "0.", "SpikeGenerator"),
    ],
)
def test_a_bad_generator_argument_is_refused_naming_it(make, error, value, where):
    board = _board()
    pop = board.get_neurons(1, core=1)
    before = board_to_dict(board)
    with pytest.raises(error) as info:
        board.add_connection(make(), pop, "AMPA", weight=1)
    assert value in str(info.value) and str(info.value).startswith(where), str(info.value)
    assert board_to_dict(board) == before


def test_fpga_low_rate_names_the_lowest_rate_and_isi_base_lifts_it():
    lowest = 1 / (FPGA_MAX_ISI_TICKS * fpga_tick(90))  # about 15.3 Hz with 1 us ticks
    with pytest.raises(HardwareLimitError, match=r"16-bit limit 65535; lowest rate with isi_base = 90: 15\.26 Hz"):
        PoissonGenerator(1, 0.5, fpga=True)
    assert PoissonGenerator(1, lowest * 1.01, fpga=True).rate > lowest
    assert RegularGenerator(1, 0.5, fpga=True, isi_base=65535).isi_ticks <= FPGA_MAX_ISI_TICKS


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.floats(max_value=0.0, exclude_max=True), st.floats(min_value=MAX_RATE, exclude_min=True),
                 st.just(math.nan), st.text(max_size=3), st.none()))
def test_no_rate_outside_0_to_max_rate_is_accepted(rate):
    for make in (RegularGenerator, PoissonGenerator):
        with pytest.raises(ParameterError, match=re.escape(f"rate = {rate!r}")):
            make(1, rate)


@settings(max_examples=40, deadline=None)
@given(st.one_of(st.integers(max_value=-1), st.floats(), st.text(max_size=3), st.booleans()))
def test_no_bad_seed_is_accepted(bad):
    with pytest.raises(ParameterError, match=re.escape(f"seed = {bad!r}")):
        PoissonGenerator(1, 10.0, seed=bad)


def test_a_generator_that_would_make_too_many_spikes_is_refused_before_drawing():
    gen = PoissonGenerator(1000, 5e4, seed=1)  # 5e7 spikes in 1 s
    expected = f"5e+07 spikes expected, above the limit MAX_SPIKES = {MAX_SPIKES:g}"
    with pytest.raises(ParameterError, match=re.escape(expected)):
        gen.spikes(1.0)
    assert gen.spikes(1e-4)[0].size > 0  # a short run is fine
    board = Chip()  # real-valued weights, no CAM limit: 200 sources into one neuron
    board.add_connection(RegularGenerator(200, 90e3), board.get_neurons(1, core=2), "AMPA", weight=1)
    before = board_to_dict(board)
    with pytest.raises(ParameterError, match="RegularGenerator: n \\* rate \\* duration"):
        board.run(1.0)
    assert board_to_dict(board) == before


@pytest.mark.parametrize("duration", ["0.1", None, math.nan, [0.1]])
def test_a_duration_that_is_not_a_number_is_refused(duration):
    with pytest.raises(ParameterError, match=re.escape(f"duration = {duration!r}")):
        RegularGenerator(1, 10.0).spikes(duration)
    board = _board()
    _refused(board, lambda: board.run(duration), ParameterError, duration)


# --- same-time spikes of one source: one spike (the pulse extender's rule) --------------------------
def test_same_time_spikes_of_one_source_are_merged_with_a_warning():
    with pytest.warns(UserWarning, match=r"2 spikes of a source at the same time .* merged .*source 0 at 0\.01 s"):
        gen = SpikeGenerator([0, 0, 0, 1], [0.01, 0.01, 0.01, 0.01])
    assert gen.merged == 2
    idx, t = gen.spikes(0.02)
    assert idx.tolist() == [0, 1] and t.tolist() == [0.01, 0.01]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SpikeGenerator([0, 0, 1], [0.01, 0.02, 0.01])  # different times, or different sources: no merge

    def peak(indices, times):
        chip = Chip()
        pop = chip.get_neurons(1, core=0)
        chip.add_connection(SpikeGenerator(indices, times), pop, "AMPA", weight=1)
        return chip.run(0.02).trace("I_ampa").max()

    with pytest.warns(UserWarning):
        doubled = peak([0, 0], [0.01, 0.01])
    assert doubled == pytest.approx(peak([0], [0.01]), rel=1e-12)  # the same as one spike


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from([0.0, 0.001, 0.002, 0.0025])), max_size=12))
def test_merged_trains_hold_each_source_time_pair_once(pairs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gen = SpikeGenerator([p[0] for p in pairs], [p[1] for p in pairs], n=4)
    got = list(zip(gen.indices.tolist(), gen.times.tolist(), strict=True))
    assert got == sorted(set(pairs), key=lambda p: (p[1], p[0]))
    assert gen.merged == len(pairs) - len(set(pairs))


# --- the board: populations, run's arguments, flags ---------------------------------------------------------
def test_run_refuses_a_population_of_another_chip():
    board, other = _board(), Chip()
    stranger = other.get_neurons(2, core=0)
    message = _refused(board, lambda: board.run(0.01, neurons=stranger), ParameterError, stranger)
    assert "another board or chip" in message
    with pytest.raises(ParameterError, match="another board or chip"):
        board.use_tau2(stranger)


@pytest.mark.parametrize(
    ("kwargs", "value"),
    [
        ({"dt": "1e-4"}, "dt = '1e-4'"),
        ({"dt": math.nan}, "dt = nan"),
        ({"method": 3}, "method = 3"),
        ({"method": "euler"}, "'euler'"),
        ({"at_spikes": "yes"}, "at_spikes = 'yes'"),
        ({"neurons": "0"}, "neurons = '0'"),
        ({"neurons": [0.5]}, "neurons = [0.5]"),
        ({"neurons": [3000]}, "[3000]"),
    ],
)
def test_run_refuses_bad_arguments_naming_them(kwargs, value):
    board = _board()
    before = board_to_dict(board)
    with pytest.raises(ParameterError) as info:
        board.run(0.01, **kwargs)
    assert value in str(info.value), str(info.value)
    assert board_to_dict(board) == before


@pytest.mark.parametrize("key", [5, -3, 2.5, "a", [0, 7]])
def test_indexing_a_population_out_of_range_is_a_named_error(key):
    board = _board()
    pop = board.get_neurons(2, core=3)
    message = _refused(board, lambda: pop[key], ParameterError, key)
    assert "allowed indices -2..1" in message
    assert pop[-1].ids.tolist() == [pop.ids[1]] and len(pop[0:5]) == 2  # slices stay slices


@pytest.mark.parametrize(("kwargs", "value"), [({"hardware": "false"}, "'false'"), ({"monitor": "no"}, "'no'"),
                                               ({"hardware": 0}, "hardware = 0")])
def test_board_flags_must_be_bools(kwargs, value):
    with pytest.raises(ParameterError, match=re.escape(value)):
        Board(n_chips=1, **kwargs)
    with pytest.raises(ParameterError, match=re.escape(value)):
        Chip(**kwargs)


# --- the helpers themselves --------------------------------------------------------------------------------
def test_validation_helpers():
    assert number(np.float32(2.0), "x", 0, 3) == 2.0 and integer(np.int16(3), "n", 0, 5) == 3
    assert seed(None) is None and seed(np.uint8(3)) == 3 and flag(np.bool_(True), "f") is True
    assert choice("a", "kind", ["a", "b"]) == "a"
    with pytest.raises(ParameterError, match=r"where: x = 5 A is outside the allowed range \(0, 5\) A"):
        number(5, "x", 0, 5, unit="A", where="where", lo_open=True, hi_open=True)
    with pytest.raises(ParameterError, match=r"x = inf is outside"):
        number(math.inf, "x")
    assert number(math.inf, "x", finite=False) == math.inf
    with pytest.raises(ParameterError, match=r"kind = 'c'; allowed: 'a', 'b'"):
        choice("c", "kind", ["a", "b"])
    with pytest.raises(ParameterError, match="seed = None must be an integer"):
        seed(None, allow_none=False)
    with pytest.raises(ParameterError, match="f = 1 must be True or False"):
        flag(1, "f")
