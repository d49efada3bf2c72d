"""Tests of dynapse_edu.course.widgets_chip: the functions behind the chip chapters' widgets (4, 5, 9, 10, 11).

Each panel is checked against the library's own rules and closed forms (CAM
and SRAM sizes, the bias generator formula, the mismatch statistics, the
reference integrator), not against numbers copied from a run.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dynapse_edu import Chip, experiments  # noqa: E402
from dynapse_edu.core.params import Params  # noqa: E402
from dynapse_edu.course import widgets_chip as wc  # noqa: E402
from dynapse_edu.errors import HardwareLimitError, ParameterError  # noqa: E402
from dynapse_edu.hardware.biasgen import bias_current  # noqa: E402
from dynapse_edu.hardware.routing import CAM_PER_NEURON  # noqa: E402
from dynapse_edu.units import pA  # noqa: E402


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


# --- chapter 9 -------------------------------------------------------------------
def test_mismatch_factor_panel_statistics():
    none = wc.mismatch_factor_panel(spread=0.0)
    assert none["min"] == none["max"] == 1.0
    out = wc.mismatch_factor_panel(spread=0.2, seed=3)
    # 256 samples: the sample std of a 20 % spread lies within ~10 % of it
    assert out["std"] == pytest.approx(0.2, rel=0.15)
    assert out["mean"] == pytest.approx(1.0, abs=0.05)
    assert out["min"] > 0
    with pytest.raises(ParameterError, match="spread"):
        wc.mismatch_factor_panel(spread=0.5, distribution="gaussian")


def test_mismatch_rates_without_spread_equal_the_single_neuron_fi_curve():
    currents = np.array([300.0, 800.0]) * pA
    rates = wc.mismatch_rates(currents, spread=0.0, n_neurons=4, duration=0.2, method="reference")
    expected = experiments.fi_curve(currents, duration=0.2)
    assert np.allclose(rates, expected[:, None])


def test_mismatch_fi_panel_spreads_the_curves():
    out = wc.mismatch_fi_panel(spread=0.2, n_neurons=12, max_current_pA=1000.0, points=3, duration_ms=300.0)
    assert out["rates"].shape == (3, 12)
    assert out["rates"][-1].std() > 0  # same biases, different rates
    assert np.isnan(out["cv"][0])  # no current: nobody fires
    assert out["cv"][-1] == pytest.approx(out["std"][-1] / out["mean"][-1])
    # the fast engine agrees with the reference integrator on the mismatched chip
    ref = wc.mismatch_rates(out["currents"][-1:], spread=0.2, n_neurons=12, duration=0.3, method="reference")
    assert np.allclose(ref[0], out["rates"][-1])


def test_closest_to_median():
    rates = np.array([[10.0, 50.0, 20.0, 22.0, 90.0]])
    assert wc.closest_to_median(rates, 1).tolist() == [3]
    assert wc.closest_to_median(rates, 3).tolist() == [0, 2, 3]
    with pytest.raises(ParameterError, match="n = 6"):
        wc.closest_to_median(rates, 6)


# --- chapter 10 ------------------------------------------------------------------
def test_netlist_devices_lists_commented_devices():
    devices = dict((line.split()[0], comment) for line, comment in wc.netlist_devices("dpi_synapse.cir"))
    assert {"mw", "mpre", "mthr", "min", "mtau", "cs", "msyn"} <= set(devices)
    assert "weight" in devices["mw"]
    from dynapse_edu.spice import SpiceError

    with pytest.raises(SpiceError):
        wc.netlist_devices("no_such_circuit.cir")


def test_comparison_panel_rejects_unknown_names():
    with pytest.raises(ParameterError, match="dpi_pulse"):
        wc.comparison_panel("dpi")


@pytest.mark.usefixtures("ngspice")
def test_comparison_and_dpi_pulse_panels_agree_with_compare():
    from dynapse_edu.spice import compare

    ratios = wc.comparison_panel("dpi_pulse")
    assert ratios == compare.compare_dpi_pulse().ratios
    out = wc.dpi_pulse_panel(iw_nA=10.0, tpulse_us=50.0, itau_pA=20.0)
    assert out["peak_ratio"] == pytest.approx(ratios["peak current (A)"])
    assert abs(out["tau_ratio"] - 1) <= 0.10
    # a smaller leak: a slower circuit
    assert wc.dpi_pulse_panel(itau_pA=10.0)["tau_circuit"] > 1.5 * out["tau_circuit"]


# --- chapter 11 ------------------------------------------------------------------
def test_wta_selects_the_stronger_input():
    a = wc.wta_panel(rate_a=100.0, rate_b=70.0)
    b = wc.wta_panel(rate_a=70.0, rate_b=100.0)
    assert a["winner"] == "A" and b["winner"] == "B"
    # selective amplification: the output contrast exceeds the input contrast
    assert a["output_ratio"] > 2 * a["input_ratio"]
    assert a["cam_max"] <= CAM_PER_NEURON


def test_wta_inhibition_suppresses_the_loser():
    with_inh = wc.wta_panel(w_inh=4, duration_ms=300.0)
    without = wc.wta_panel(w_inh=0, duration_ms=300.0)
    assert without["rate_B"] > 2 * with_inh["rate_B"]


def test_wta_fast_engine_matches_reference():
    fast = wc.wta_panel(duration_ms=200.0, method="fast")
    ref = wc.wta_panel(duration_ms=200.0, method="reference")
    # the fast engine's fixed membrane step leaves microsecond differences in spike times, which a
    # recurrent network can amplify: it may differ by a spike or two, not in its outcome
    assert fast["winner"] == ref["winner"] == "A"
    for group, n in (("rate_A", 8), ("rate_B", 8), ("rate_inh", 4)):
        assert abs(fast[group] - ref[group]) * n * 0.2 <= 2  # spike counts within 2


def test_build_wta_respects_the_cam():
    with pytest.raises(HardwareLimitError, match="CAM fan-in"):
        wc.build_wta(w_exc=7)  # 4 + 8 * 7 = 60, + 16 of inhibition > 64
