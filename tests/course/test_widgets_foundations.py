"""Tests of dynapse_edu.course.widgets_foundations: the panels of the chapter *From biology to silicon*.

Each panel is checked against the library function it draws (computed again here) or a law it
must obey, and against bad input; every panel answers well within a second.
"""

from __future__ import annotations

import math
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from dynapse_edu import experiments, phaseplane  # noqa: E402
from dynapse_edu.core.adex import AdExParams  # noqa: E402
from dynapse_edu.core.params import Params  # noqa: E402
from dynapse_edu.course import widgets_foundations as wf  # noqa: E402
from dynapse_edu.errors import ParameterError  # noqa: E402
from dynapse_edu.hardware.inputs import CosineRateGenerator  # noqa: E402
from dynapse_edu.units import ms, pA  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def two_axes():
    return Figure().subplots(1, 2)


# --- the transistor and the synapses ------------------------------------------------------------
def test_subthreshold_panel_gives_the_decade_of_the_law():
    out = wf.subthreshold_panel(kappa=0.6, temperature_C=27.0, axes=two_axes())
    Ut = 1.380649e-23 * 300.15 / 1.602176634e-19
    assert out["Ut_mV"] == pytest.approx(Ut * 1e3, rel=1e-9)
    assert out["mV_per_decade"] == pytest.approx(Ut * math.log(10) / 0.6 * 1e3, rel=1e-9)
    assert out["current_at_400mV_pA"] == pytest.approx(math.exp(0.6 * 0.4 / Ut), rel=1e-9)  # I0 = 1 pA
    with pytest.raises(ParameterError, match="kappa"):
        wf.subthreshold_panel(kappa=1.5, axes=two_axes())


def test_drive_panel_shows_driving_force_and_nmda_gate():
    out = wf.drive_panel(g_nS=2.0, I_syn_pA=40.0, axes=two_axes())
    assert out["exc_at_rest_pA"] == pytest.approx(140.0)
    assert out["exc_at_-50mV_pA"] == pytest.approx(100.0)
    assert out["inh_at_rest_pA"] == 0.0
    assert out["nmda_at_thr_pA"] == pytest.approx(20.0)
    with pytest.raises(ParameterError, match="g_nS"):
        wf.drive_panel(g_nS=-1.0, axes=two_axes())


# --- the AdEx and the DPI neuron in their planes ---------------------------------------------------
def test_adex_panel_reports_the_run_it_draws():
    out = wf.adex_panel(I_nA=0.8, a_nS=2.0, b_pA=60.0, tau_w_ms=100.0, duration_ms=250.0, axes=two_axes())
    run = phaseplane.adex_trajectory(0.8e-9, 0.25, AdExParams(a=2e-9, b=60e-12, tau_w=0.1))
    isi = np.diff(run["spikes"]) / ms
    assert out["spikes"] == run["spikes"].size
    assert (out["first_isi_ms"], out["last_isi_ms"]) == pytest.approx((isi[0], isi[-1]))
    assert out["w_end_pA"] == pytest.approx(run["w"][-1] / pA)
    assert wf.adex_panel(I_nA=0.2, axes=two_axes())["spikes"] == 0  # below rheobase
    with pytest.raises(ParameterError, match="duration_ms"):
        wf.adex_panel(duration_ms=5000.0, axes=two_axes())


def test_phase_plane_panel_reports_the_trajectory_and_the_rheobase():
    axes = two_axes()
    out = wf.phase_plane_panel(I_const_pA=800.0, I_w_ahp_pA=4.0, duration_ms=250.0, axes=axes)
    p = Params(I_const=800e-12, I_w_ahp=4e-12)
    path = phaseplane.trajectory(p, 0.25)
    assert out["spikes"] == path["spikes"].size > 2
    assert out["last_isi_ms"] > out["first_isi_ms"]  # adaptation
    assert out["rheobase_pA"] == pytest.approx(phaseplane.rheobase(p) / pA)
    assert out["rests"] == 0 and out["tau_ahp_ms"] == pytest.approx(p.tau_ahp / ms)
    assert axes[0].get_xscale() == "log" and axes[0].get_yscale() == "log"
    below = wf.phase_plane_panel(I_const_pA=200.0, duration_ms=100.0, axes=two_axes())
    assert below["rests"] == 1 and below["spikes"] == 0
    with pytest.raises(ParameterError, match="I_tau_ahp"):
        wf.phase_plane_panel(I_tau_ahp_pA=0.0, axes=two_axes())


# --- the input playground and the F-F curve ---------------------------------------------------------
@pytest.mark.parametrize("kind", wf.INPUT_KINDS)
def test_input_playground_counts_the_generator_spikes(kind):
    fig = Figure()
    axes = fig.subplots(2, 1)
    out = wf.input_playground_panel(kind, rate=150.0, weight=4.0, duration_ms=300.0, axes=axes)
    assert out["input_rate"] == pytest.approx(out["input_spikes"] / 0.3)
    if kind == "regular":
        assert out["input_spikes"] == 45
        assert out["cv_out"] < 0.2  # a regular drive gives regular output
    if kind == "cosine":
        expected = CosineRateGenerator(1, 150.0, 0.8, 4.0, seed=0).spikes(0.3)[1].size
        assert out["input_spikes"] == expected
        assert len(fig.axes) == 3  # the rate drawn on a twin axis
    assert out["output_spikes"] > 0


def test_input_playground_refuses_bad_kinds_and_inhibition():
    with pytest.raises(ParameterError, match="kind"):
        wf.input_playground_panel("bursty", axes=Figure().subplots(2, 1))
    with pytest.raises(ParameterError, match="AMPA or NMDA"):
        wf.input_playground_panel(synapse="GABA_B", axes=Figure().subplots(2, 1))


def test_relu_fit_recovers_a_relu_and_beats_every_other_threshold():
    x = np.linspace(0.0, 300.0, 13)
    slope, threshold = wf.relu_fit(x, 0.35 * np.maximum(0.0, x - 87.3))
    assert (slope, threshold) == pytest.approx((0.35, 87.3), rel=1e-6)
    # noisy points: no threshold of a fine brute-force grid (best slope each) fits better
    rng = np.random.default_rng(1)
    y = 0.5 * np.maximum(0.0, x - 120.0) + rng.normal(0.0, 3.0, x.size)
    slope, threshold = wf.relu_fit(x, y)

    def sse(s, t):
        return float(np.sum((y - s * np.maximum(0.0, x - t)) ** 2))

    brute = min(sse(max(0.0, (r := np.maximum(0.0, x - t)) @ y / (r @ r)), t) for t in np.linspace(0, 299, 30000))
    assert sse(slope, threshold) <= brute + 1e-9
    assert wf.relu_fit([0.0, 1.0, 2.0], [0.0, 0.0, 0.0]) == (0.0, 2.0)
    with pytest.raises(ParameterError, match="same length"):
        wf.relu_fit([0.0, 1.0], [0.0])
    with pytest.raises(ParameterError, match="finite"):
        wf.relu_fit([0.0, np.nan], [0.0, 1.0])


def test_ff_relu_panel_fits_the_simulated_curve():
    out = wf.ff_relu_panel(weight=2.0, max_rate=300.0, points=6, duration_ms=300.0, ax=Figure().subplots())
    rates_in = np.linspace(0.0, 300.0, 7)
    rates = experiments.ff_curve("AMPA", 2.0, rates_in, duration=0.3, method="fast")
    slope, threshold = wf.relu_fit(rates_in, rates)
    assert (out["slope"], out["threshold"]) == pytest.approx((slope, threshold))
    assert out["max_output"] == rates.max()
    assert 0 < out["threshold"] < 300 and 0 < out["slope"] < 1
    with pytest.raises(ParameterError, match="points"):
        wf.ff_relu_panel(points=1, ax=Figure().subplots())


# --- every panel answers at once ------------------------------------------------------------------
SLIDERS = {
    wf.subthreshold_panel: {"kappa": (0.5, 0.9), "temperature_C": (0.0, 100.0)},
    wf.adex_panel: {"I_nA": (0.0, 2.0), "a_nS": (0.0, 20.0), "b_pA": (0.0, 300.0), "tau_w_ms": (20.0, 500.0)},
    wf.phase_plane_panel: {"I_const_pA": (0.0, 3000.0), "I_w_ahp_pA": (0.5, 20.0), "I_tau_ahp_pA": (1.0, 20.0)},
    wf.input_playground_panel: {"kind": ("regular", "cosine"), "rate": (10.0, 400.0), "weight": (0.5, 8.0),
                                "depth": (0.0, 1.0), "frequency": (1.0, 20.0)},
    wf.ff_relu_panel: {"weight": (0.5, 8.0), "max_rate": (100.0, 400.0), "input": ("regular", "poisson")},
}


@pytest.mark.parametrize("panel", list(SLIDERS), ids=lambda f: f.__name__)
def test_every_panel_answers_within_a_second_at_its_slider_ends(panel):
    for end in (0, 1):
        kwargs = {name: ends[end] for name, ends in SLIDERS[panel].items()}
        panel(**kwargs)  # first call: the fast engine's compile, imports
        plt.close("all")
        start = time.perf_counter()
        panel(**kwargs)
        elapsed = time.perf_counter() - start
        plt.close("all")
        assert elapsed < 1.0, f"{panel.__name__}({kwargs}) took {elapsed:.2f} s"
