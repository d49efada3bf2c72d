"""Tests of dynapse_edu.course.widgets_transistors: the panels of chapters 10-11 (ngspice, a network).

Each panel is checked against the library's own comparisons, routing rules
and integrators, not against numbers copied from a run.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from dynapse_edu.course import widgets_transistors as wt  # noqa: E402
from dynapse_edu.errors import HardwareLimitError, ParameterError  # noqa: E402
from dynapse_edu.hardware.routing import CAM_PER_NEURON  # noqa: E402
from dynapse_edu.spice import SpiceError, compare  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- chapter 10 ------------------------------------------------------------------
def test_netlist_devices_lists_commented_devices():
    devices = dict((line.split()[0], comment) for line, comment in wt.netlist_devices("dpi_synapse.cir"))
    assert {"mw", "mpre", "mthr", "min", "mtau", "cs", "msyn"} <= set(devices)
    assert "weight" in devices["mw"]
    with pytest.raises(SpiceError):
        wt.netlist_devices("no_such_circuit.cir")


def test_comparison_panel_rejects_unknown_names():
    with pytest.raises(ParameterError, match="dpi_pulse"):
        wt.comparison_panel("dpi")


@pytest.mark.usefixtures("ngspice")
def test_comparison_and_dpi_pulse_panels_agree_with_compare():
    fig, axes = plt.subplots(1, 2)
    ratios = wt.comparison_panel("dpi_pulse", axes=axes)
    assert ratios == compare.compare_dpi_pulse().ratios
    bars = axes[1].patches[: len(ratios)]  # the scored metrics' bars come first, in the order of the ratios
    assert [bar.get_width() for bar in bars] == pytest.approx(list(ratios.values()))
    out = wt.dpi_pulse_panel(iw_nA=10.0, tpulse_us=50.0, itau_pA=20.0)
    assert out["peak_ratio"] == pytest.approx(ratios["peak current (A)"])
    assert abs(out["tau_ratio"] - 1) <= 0.10
    # a smaller leak: a slower circuit
    assert wt.dpi_pulse_panel(itau_pA=10.0)["tau_circuit"] > 1.5 * out["tau_circuit"]


# --- chapter 11 ------------------------------------------------------------------
def test_wta_selects_the_stronger_input():
    a = wt.wta_panel(rate_a=100.0, rate_b=70.0)
    b = wt.wta_panel(rate_a=70.0, rate_b=100.0)
    assert a["winner"] == "A" and b["winner"] == "B"
    # selective amplification: the output contrast exceeds the input contrast
    assert a["output_ratio"] > 2 * a["input_ratio"]
    assert a["cam_max"] <= CAM_PER_NEURON


def test_wta_inhibition_suppresses_the_loser():
    with_inh = wt.wta_panel(w_inh=4, duration_ms=300.0)
    without = wt.wta_panel(w_inh=0, duration_ms=300.0)
    assert without["rate_B"] > 2 * with_inh["rate_B"]


def test_wta_fast_engine_matches_reference():
    fast = wt.wta_panel(duration_ms=200.0, method="fast")
    ref = wt.wta_panel(duration_ms=200.0, method="reference")
    # the fast engine's fixed membrane step leaves microsecond differences in spike times, which a
    # recurrent network can amplify: it may differ by a spike or two, not in its outcome
    assert fast["winner"] == ref["winner"] == "A"
    for group, n in (("rate_A", 8), ("rate_B", 8), ("rate_inh", 4)):
        assert abs(fast[group] - ref[group]) * n * 0.2 <= 2  # spike counts within 2


def test_build_wta_respects_the_cam():
    with pytest.raises(HardwareLimitError, match="CAM fan-in"):
        wt.build_wta(w_exc=7)  # 4 + 8 * 7 = 60, + 16 of inhibition > 64


def test_device_table_lists_every_device_of_the_netlist():
    table = wt.device_table("dpi_synapse.cir")
    devices = wt.netlist_devices("dpi_synapse.cir")
    assert len(table) == len(devices) > 3
    assert [row[0] for row in table.rows] == [line.split()[0] for line, _ in devices]
    assert [row[2] for row in table.rows] == [comment for _, comment in devices]
