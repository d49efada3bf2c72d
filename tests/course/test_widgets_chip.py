"""Tests of dynapse_edu.course.widgets_chip: the panels of chapters 4-5 (routing memory, the bias generator).

Each panel is checked against the library's own rules and closed forms (CAM
and SRAM sizes, the bias generator formula), not against numbers copied from a run.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dynapse_edu import Chip  # noqa: E402
from dynapse_edu.core.params import Params  # noqa: E402
from dynapse_edu.course import widgets_chip as wc  # noqa: E402
from dynapse_edu.errors import HardwareLimitError, ParameterError  # noqa: E402
from dynapse_edu.hardware import biasgen  # noqa: E402
from dynapse_edu.hardware.biasgen import bias_current  # noqa: E402
from dynapse_edu.hardware.routing import CAM_PER_NEURON  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- chapter 4 -------------------------------------------------------------------
@pytest.mark.parametrize("n_sources, weight", [(8, 4), (16, 4), (64, 1), (17, 4), (3, 30)])
def test_routing_panel_fan_in_follows_the_cam_size(n_sources, weight):
    out = wc.routing_panel(n_sources=n_sources, weight=weight, target_chips=1)
    needed = n_sources * weight
    assert out["cam_needed"] == needed
    assert out["accepted"] == (needed <= CAM_PER_NEURON)
    # accepted: the chip really uses the entries; rejected: nothing was connected, the message names the rule
    assert out["cam_used"] == (needed if needed <= CAM_PER_NEURON else 0)
    assert ("CAM fan-in" in out["message"]) == (needed > CAM_PER_NEURON)


@pytest.mark.parametrize("monitor", [True, False])
@pytest.mark.parametrize("target_chips", [1, 2, 3, 4])
def test_routing_panel_fan_out_follows_the_sram_size(target_chips, monitor):
    out = wc.routing_panel(n_sources=1, weight=1, target_chips=target_chips, monitor=monitor)
    available = 3 if monitor else 4
    assert out["sram_available"] == available
    assert out["sram_accepted"] == (target_chips <= available)
    assert ("SRAM fan-out" in out["sram_message"]) == (target_chips > available)
    destinations = [chip for chip, _ in out["sram_entries"] if chip >= 0]
    assert destinations == list(range(min(target_chips, available)))
    assert (out["sram_entries"][0] == (-1, 0)) == monitor


def test_routing_panel_rejects_bad_arguments():
    with pytest.raises(ParameterError, match="n_sources"):
        wc.routing_panel(n_sources=0)
    with pytest.raises(ParameterError, match="target_chips"):
        wc.routing_panel(target_chips=5)


def test_core_map_counts_allocations_and_cam_use():
    chip = Chip(hardware=True)
    a, b = chip.get_neurons(30, core=0), chip.get_neurons(5, core=2)
    chip.add_connection(a, b, "AMPA", 2)
    out = wc.core_map(chip)
    assert out["allocated"] == [30, 0, 5, 0]
    assert out["cam_max"] == 60 == chip.cam_used(int(b.ids[0]))
    with pytest.raises(ParameterError, match="Board or Chip"):
        wc.core_map("chip")


# --- chapter 5 -------------------------------------------------------------------
def test_bias_ranges_are_the_generator_formula():
    out = wc.bias_ranges()
    assert out["I_max"][0] == pytest.approx(bias_current(0, 255))
    assert out["step"][3] == pytest.approx(bias_current(3, 1))
    assert np.all((out["overlap"] > 0.1) & (out["overlap"] < 0.2))  # each range ~8x the one below


def test_bias_panel_reports_the_set_current_and_parameter():
    out = wc.bias_panel("IF_DC_P", coarse=2, fine=100)
    assert out["current"] == pytest.approx(bias_current(2, 100))
    assert out["parameter"] == "I_const"
    assert out["value"] == pytest.approx(bias_current(2, 100) + Params().I0)


def test_bias_panel_rate_grows_with_the_dc_bias():
    counts = [wc.bias_panel("IF_DC_P", coarse=2, fine=f, duration_ms=150.0)["spikes"] for f in (0, 100, 250)]
    assert counts[0] < counts[1] < counts[2]


def test_bias_panel_leak_slows_the_synapse():
    """A larger AMPA leak bias shortens its tau: with the same input, fewer output spikes."""
    slow = wc.bias_panel("NPDPIE_TAU_F_P", coarse=1, fine=20)["spikes"]
    fast = wc.bias_panel("NPDPIE_TAU_F_P", coarse=2, fine=200)["spikes"]
    assert slow > fast


def test_bias_panel_rejects_out_of_range_settings():
    with pytest.raises(HardwareLimitError, match="fine value 256"):
        wc.bias_panel("IF_DC_P", coarse=1, fine=256)
    with pytest.raises(HardwareLimitError, match="unknown bias"):
        wc.bias_panel("IF_FOO", coarse=1, fine=1)


def test_routing_panel_draws_the_cam_entries_and_sram_slots():
    fig, axes = plt.subplots(1, 2)
    out = wc.routing_panel(n_sources=5, weight=3, target_chips=2, monitor=True, axes=axes)
    cam = axes[0].images[0].get_array()
    assert int(np.count_nonzero(~np.ma.getmaskarray(np.ma.masked_invalid(cam)))) == out["cam_needed"] == 15
    assert "accepted" in axes[0].get_title()
    labels = [text.get_text() for text in axes[1].texts]
    assert labels[0] == "host" and sum(label.startswith("chip") for label in labels) == 2 and "free" in labels
    refused = wc.routing_panel(n_sources=20, weight=4, target_chips=4, monitor=True, axes=axes)
    assert not refused["accepted"] and "16 do not fit" in axes[0].get_xlabel()


def test_bias_table_formats_the_library_rows():
    table = wc.bias_table()
    rows = biasgen.bias_table()
    assert len(table) == len(rows) == len(biasgen.BIAS_NAMES)
    for shown, row in zip(table.rows, rows, strict=True):
        assert shown[0] == row["name"] and shown[3] == f"({row['coarse']}, {row['fine']})"
        assert shown[5].endswith(" %")
    assert "<table" in table._repr_html_() and "|---" not in table._repr_html_()


def test_bias_board_panel_turns_settings_into_parameters_and_a_run():
    fig, axes = plt.subplots(1, 2)
    default = wc.bias_board_panel(duration_ms=100.0, axes=axes)
    assert default["tau_mem"] == pytest.approx(Chip().params(0).tau_mem)
    # a leak bias twice as large: half the membrane time constant (the circuit sees bias + I0)
    setting = Chip().get_biases(0)["IF_TAU1_N"]
    faster = wc.bias_board_panel({"IF_TAU1_N": (setting.coarse, 2 * setting.fine)}, duration_ms=100.0, axes=axes)
    I0 = Params().I0
    expected = default["tau_mem"] * (bias_current(setting.coarse, setting.fine) + I0) / (
        bias_current(setting.coarse, 2 * setting.fine) + I0)
    assert faster["tau_mem"] == pytest.approx(expected, rel=1e-9)
    driven = wc.bias_board_panel({"IF_DC_P": (2, 100)}, duration_ms=100.0, axes=axes)
    assert driven["I_const"] == pytest.approx(bias_current(2, 100) + I0) and driven["spikes"] > default["spikes"]
    with pytest.raises(HardwareLimitError, match="unknown bias 'IF_NOPE'"):
        wc.bias_board_panel({"IF_NOPE": (0, 1)})


def test_bias_board_has_a_slider_pair_per_bias_and_redraws_on_a_move(capsys):
    board = wc.bias_board(duration_ms=20.0)  # outside a notebook the board's output goes to stdout
    assert set(board.sliders) == set(biasgen.BIAS_NAMES)
    assert "I_const 1 pA" in capsys.readouterr().out  # IF_DC_P off: only the leakage I0
    coarse, fine = board.sliders["IF_DC_P"]
    coarse.value, fine.value = 2, 100  # what a student's slider moves do
    assert "I_const 322.6 pA" in capsys.readouterr().out
    board.sliders["IF_TAU1_N"][0].value = 7  # a membrane leak of tens of nA: too fast to integrate
    board.sliders["IF_TAU1_N"][1].value = 255
    printed = capsys.readouterr().out
    assert "Error: " in printed and "Traceback" not in printed
