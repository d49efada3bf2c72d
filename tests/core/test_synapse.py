import numpy as np
import pytest

from dynapse_edu import experiments
from dynapse_edu.core.params import Params
from dynapse_edu.core.synapse import SYNAPSE_TYPES, dpi_kernel, dpi_tau, synapse_index
from dynapse_edu.errors import ParameterError


def _peak_and_tau(t: np.ndarray, current: np.ndarray) -> tuple[float, float]:
    return float(current.max()), experiments.measure_decay(t, current)


@pytest.mark.parametrize("synapse", SYNAPSE_TYPES)
@pytest.mark.parametrize("weight", [0.5, 1.0, 3.0])
def test_kernel_peak_and_decay_match_closed_form(synapse, weight):
    p = Params()
    t, current = experiments.synapse_kernel(synapse, weight=weight, duration=0.12, params=p)
    peak, tau = _peak_and_tau(t, current)
    assert peak == pytest.approx(p.I0 + p.I_w0_ampa * weight * 4, rel=0.01)
    assert tau == pytest.approx(p.syn(synapse, "C") * p.Ut / (p.kappa * p.syn(synapse, "I_tau")), rel=0.01)


def test_kernel_follows_exact_solution_sample_by_sample():
    p = Params()
    t, current = experiments.synapse_kernel("AMPA", duration=0.05, t_spike=0.01, params=p, dt=1e-4)
    after = t > 0.01 + 1e-9  # the samples after the jump (the pre-jump sample at 10 ms is I0)
    exact = dpi_kernel(t[after] - 0.01, p.jump("AMPA"), p.tau_syn("AMPA"), p.I0)
    # 1e-4 relative; near the floor, where the derivative switches off, a few hundredths of I0
    np.testing.assert_allclose(current[after], exact, rtol=1e-4, atol=0.02 * p.I0)


def test_kernel_rests_at_floor_after_decay():
    p = Params()
    t, current = experiments.synapse_kernel("AMPA", duration=0.2, params=p)
    assert current.min() >= p.I0
    assert current[-1] == pytest.approx(p.I0, rel=1e-9)


def test_two_spikes_superpose():
    """A second spike adds the same jump on top of what is left of the first."""
    p = Params()
    result = experiments.spike_response({"NMDA": (1.0, [0.01, 0.02])}, 0.03, params=p, dt=1e-4)
    t, current = result.t, result.trace("I_nmda")
    after_second = current[np.flatnonzero(np.isclose(t, 0.02))[-1]]
    expected = (p.I0 + p.jump("NMDA")) * np.exp(-0.01 / p.tau_syn("NMDA")) + p.jump("NMDA")
    assert after_second == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("synapse", SYNAPSE_TYPES)
def test_kernels_match_the_original_simulator(kernels_ref, synapse):
    """Peak and time constant within 1 % of the Brian2 original's recorded kernels."""
    p = Params()
    ref_t, ref_i = kernels_ref["t"], kernels_ref[f"I_{synapse}"]
    ref_peak, ref_tau = _peak_and_tau(ref_t, ref_i)
    t, current = experiments.synapse_kernel(synapse, duration=0.2, t_spike=0.01, params=p)
    peak, tau = _peak_and_tau(t, current)
    assert peak == pytest.approx(ref_peak, rel=0.01)
    assert tau == pytest.approx(ref_tau, rel=0.01)


def test_dpi_tau_formula():
    assert dpi_tau(2e-12, 20e-12, 0.025, 0.705) == pytest.approx(3.546e-3, rel=1e-3)


def test_unknown_synapse_type_is_named():
    with pytest.raises(ParameterError, match="unknown synapse type 'GLU'.*AMPA, NMDA, GABA_A, GABA_B"):
        synapse_index("GLU")
    with pytest.raises(ParameterError, match="GLU"):
        experiments.synapse_kernel("GLU")
