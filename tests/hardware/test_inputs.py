import numpy as np
import pytest

from dynapse_edu import CosineRateGenerator, PoissonGenerator, RegularGenerator, SpikeGenerator
from dynapse_edu.errors import ParameterError


def test_regular_starts_at_zero_and_is_periodic():
    idx, t = RegularGenerator(2, rate=100.0).spikes(0.05)
    np.testing.assert_allclose(t[idx == 0], [0.0, 0.01, 0.02, 0.03, 0.04])
    assert np.all(np.diff(t) >= 0)
    assert (idx == 1).sum() == 5


def test_regular_with_start():
    _, t = RegularGenerator(1, rate=50.0, start=0.015).spikes(0.1)
    np.testing.assert_allclose(t, [0.015, 0.035, 0.055, 0.075, 0.095])


def test_poisson_is_seeded_and_has_the_rate():
    a = PoissonGenerator(50, 20.0, seed=3).spikes(10.0)
    b = PoissonGenerator(50, 20.0, seed=3).spikes(10.0)
    c = PoissonGenerator(50, 20.0, seed=4).spikes(10.0)
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1][:10], c[1][:10])
    rate = len(a[1]) / (50 * 10.0)
    assert rate == pytest.approx(20.0, rel=0.05)
    assert a[1].max() < 10.0 and a[1].min() >= 0


def test_cosine_rate_modulation_shows_in_counts():
    gen = CosineRateGenerator(200, mean_rate=40.0, depth=1.0, frequency=2.0, seed=1)
    _, t = gen.spikes(2.0)
    phase = (t * 2.0) % 1.0
    near_peak = np.sum((phase < 0.1) | (phase > 0.9))
    near_trough = np.sum((phase > 0.4) & (phase < 0.6))
    assert near_peak > 5 * near_trough
    assert len(t) / (200 * 2.0) == pytest.approx(40.0, rel=0.1)


def test_explicit_generator_sorts_and_cuts():
    gen = SpikeGenerator([1, 0, 1], [0.03, 0.01, 0.2])
    assert gen.n == 2
    idx, t = gen.spikes(0.1)
    np.testing.assert_array_equal(idx, [0, 1])
    np.testing.assert_allclose(t, [0.01, 0.03])


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: RegularGenerator(0, 10.0), r"n = 0 must be an integer in 1\.\.100000"),
        (lambda: RegularGenerator(1, -5.0), r"rate = -5.0 Hz is outside the allowed range \[0, 100000\] Hz"),
        (lambda: PoissonGenerator(1, float("nan")), "rate = nan"),
        (lambda: CosineRateGenerator(1, 10.0, depth=1.5, frequency=1.0), r"depth = 1.5 .*\[0, 1\]"),
        (lambda: SpikeGenerator([0, 1], [0.1]), "equal length"),
        (lambda: SpikeGenerator([0], [-0.1]), "spike time -0.1 s"),
        (lambda: SpikeGenerator([-1], [0.1]), "integers >= 0"),
        (lambda: SpikeGenerator([3], [0.1], n=2), "allowed indices 0..1"),
    ],
)
def test_bad_input_is_named(make, match):
    with pytest.raises(ParameterError, match=match):
        make()


def test_bad_duration():
    with pytest.raises(ParameterError, match="duration"):
        RegularGenerator(1, 10.0).spikes(0.0)
