"""Device mismatch: seeded, frozen per neuron and per bias, of the chosen spread."""

import numpy as np
import pytest

from dynapse_edu import Chip, RegularGenerator
from dynapse_edu.errors import ParameterError
from dynapse_edu.hardware.biasgen import BIAS_NAMES
from dynapse_edu.hardware.mismatch import Mismatch, apply_factors


def test_factors_are_seeded_and_frozen_per_neuron():
    m = Mismatch(seed=5)
    a = m.factors([3, 700, 4095])
    assert a.shape == (3, len(BIAS_NAMES))
    np.testing.assert_array_equal(Mismatch(seed=5).factors([4095, 3])[::-1], a[[0, 2]])
    assert not np.array_equal(Mismatch(seed=6).factors([3]), a[:1])


@pytest.mark.parametrize("distribution, spread", [("lognormal", 0.1), ("lognormal", 0.5), ("gaussian", 0.2)])
def test_spread_and_mean(distribution, spread):
    f = Mismatch(spread=spread, distribution=distribution, seed=1).factors(np.arange(4096)).ravel()
    assert f.mean() == pytest.approx(1.0, abs=4 * spread / np.sqrt(f.size))
    assert f.std() == pytest.approx(spread, rel=0.03)
    assert f.min() > 0
    if distribution == "gaussian":
        assert f.min() >= 1 - 3 * spread - 1e-12 and f.max() <= 1 + 3 * spread + 1e-12


@pytest.mark.parametrize(
    "kwargs, match",
    [({"spread": -0.1}, r"spread = -0.1 .*\[0, 1\]"), ({"spread": 0.4, "distribution": "gaussian"}, "0.3333"),
     ({"distribution": "uniform"}, "uniform"), ({"seed": -1}, "seed = -1"), ({"seed": 1.5}, "seed = 1.5")],
)
def test_bad_settings_raise(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        Mismatch(**kwargs)


def test_apply_keeps_the_leakage_floor():
    f = np.full(len(BIAS_NAMES), 0.5)
    out = apply_factors({"IF_TAU1_N": 5e-12, "IF_DC_P": 1e-12, "PS_WEIGHT_EXC_F_N": 0.4e-12, "IF_RFR_N": np.inf},
                        f, 1e-12)
    assert out["IF_TAU1_N"] == pytest.approx(1e-12 + 0.5 * 4e-12)
    assert out["IF_DC_P"] == 1e-12  # at the floor: nothing to mismatch
    assert out["PS_WEIGHT_EXC_F_N"] == pytest.approx(0.2e-12)  # set below I0: scaled as a whole
    assert out["IF_RFR_N"] == np.inf


def test_neurons_of_a_core_differ_by_their_factors():
    m = Mismatch(spread=0.2, seed=2)
    chip = Chip(mismatch=m)
    pop = chip.get_neurons(5, core=1)
    params = chip.neuron_params()
    p = chip.params(1)
    f = m.factors(pop.ids)
    tau = BIAS_NAMES.index("IF_TAU1_N")
    thr = BIAS_NAMES.index("IF_THR_N")
    for j, q in enumerate(params):
        expected_tau = p.I0 + f[j, tau] * (p.I_tau_mem - p.I0)
        assert q.I_tau_mem == pytest.approx(expected_tau)
        gain = p.I0 + f[j, thr] * (p.alpha_mem * p.I_tau_mem - p.I0)
        assert q.alpha_mem == pytest.approx(gain / expected_tau)
        assert q.I_th == p.I_th  # the threshold is not a bias
    assert len({q.I_tau_ampa for q in params}) == 5
    assert Chip(mismatch=Mismatch(spread=0.0)).get_neurons(1, core=0).chip.neuron_params()[0] == Chip().params(0)


def test_mismatch_spreads_the_firing_rates():
    chip = Chip(mismatch=Mismatch(spread=0.2, seed=0))
    pop = chip.get_neurons(8, core=0)
    chip.add_connection(RegularGenerator(1, 200.0), pop, "AMPA", weight=4)
    counts = chip.run(0.2, dt=None, at_spikes=False).spike_count
    assert counts.max() > counts.min()
    same = Chip(mismatch=Mismatch(spread=0.2, seed=0))
    pop2 = same.get_neurons(8, core=0)
    same.add_connection(RegularGenerator(1, 200.0), pop2, "AMPA", weight=4)
    np.testing.assert_array_equal(same.run(0.2, dt=None, at_spikes=False).spike_count, counts)
