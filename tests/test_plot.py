import numpy as np
from matplotlib.axes import Axes

from dynapse_edu import experiments, plot


def test_standard_figures_draw_what_they_are_given():
    result = experiments.part1(duration=0.1, dt=1e-3)
    ax = plot.currents(result, ["I_mem", "I_ampa"])
    assert isinstance(ax, Axes)
    assert len(ax.lines) == 3  # two traces and the threshold line
    np.testing.assert_allclose(ax.lines[2].get_ydata(), [2000.0, 2000.0])  # I_th in pA
    ax = plot.raster(result)
    assert len(ax.lines[0].get_xdata()) == result.spike_count[0]
    ax = plot.rate_curve([1e-12, 2e-12], [0.0, 5.0], xlabel="current (pA)", x_scale=1e12, label="F-I")
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [1.0, 2.0])
    ax = plot.isi(np.array([0.01, 0.02]))
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [10.0, 20.0])
