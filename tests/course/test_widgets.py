"""Tests of dynapse_edu.course.widgets: what the panels of every part share."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dynapse_edu.core.params import Params  # noqa: E402
from dynapse_edu.course import widgets  # noqa: E402
from dynapse_edu.course.widgets_circuits import tau_explorer  # noqa: E402
from dynapse_edu.errors import ParameterError  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_explore_builds_controls_and_runs_the_panel_once():
    panel = widgets.explore(tau_explorer, I_tau_pA=(1.0, 100.0, 1.0))
    descriptions = [getattr(child, "description", "") for child in panel.children]
    assert "I_tau_pA" in descriptions and "C_pF" not in descriptions  # C_pF stays at its default
    slider = panel.children[descriptions.index("I_tau_pA")]
    assert slider.continuous_update is False
    assert panel.result["tau"] == pytest.approx(Params().tau_syn("AMPA"))
    slider.value = 40.0  # what a student's slider move does
    assert panel.result["tau"] == pytest.approx(Params().tau_syn("AMPA") / 2)
    with pytest.raises(ParameterError, match="no argument"):
        widgets.explore(tau_explorer, I_tau=(1.0, 2.0))


def test_panel_axes_makes_side_by_side_or_stacked_figures():
    left, right = widgets.panel_axes(None, 2, figsize=(6.0, 2.0))
    assert left.figure is right.figure
    assert left.get_position().x0 < right.get_position().x0  # side by side
    top, bottom = widgets.panel_axes(None, 2, stacked=True)
    assert top.get_position().y0 > bottom.get_position().y0  # one above the other
    assert top.get_shared_x_axes().joined(top, bottom)
    (single,) = widgets.panel_axes(None)
    assert single.figure.get_size_inches() == pytest.approx((7.0, 3.0))


def test_panel_axes_uses_the_callers_axes_and_checks_their_number():
    _, (a, b) = plt.subplots(1, 2)
    assert widgets.panel_axes(a) == [a]
    assert widgets.panel_axes((a, b), 2) == [a, b]
    with pytest.raises(ParameterError, match="must hold 2 Axes, got 1"):
        widgets.panel_axes([a], 2)
    with pytest.raises(ParameterError, match="draws into 2 Axes"):
        widgets.panel_axes(a, 2)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_check_positive_rejects_what_is_not_positive_and_finite(bad):
    with pytest.raises(ParameterError, match="duration_ms = .* must be a positive finite number"):
        widgets.check_positive("duration_ms", bad)


def test_check_positive_returns_a_float():
    value = widgets.check_positive("x", np.int64(3))
    assert value == 3.0 and type(value) is float


@pytest.mark.parametrize("bad", [1, 51, True, 4.0, "5"])
def test_check_count_accepts_integers_in_range_only(bad):
    with pytest.raises(ParameterError, match=r"points = .* must be an integer in 2\.\.50"):
        widgets.check_count("points", bad, 2, 50)


def test_check_count_returns_an_int():
    assert widgets.check_count("n", np.int32(7), 1, 10) == 7
    assert type(widgets.check_count("n", np.int32(7), 1, 10)) is int
    assert widgets.check_count("n", 1, 1, 1) == 1  # both ends included


def test_show_error_prints_type_and_message_only(capsys):
    def refuse(value):
        raise widgets.ParameterError(f"value = {value} is not allowed; " + "the allowed range is 1..64 " * 8)

    assert widgets.show_error(refuse, 0) is None
    printed = capsys.readouterr().out
    assert printed.startswith("ParameterError: value = 0 is not allowed")
    assert "Traceback" not in printed and "File " not in printed
    assert max(len(line) for line in printed.splitlines()) <= 100
    assert widgets.show_error(lambda x: 2 * x, 21) == 42 and capsys.readouterr().out == ""


def test_table_escapes_cells_and_checks_its_shape():
    table = widgets.Table(["name", "rule"], [["I_tau", "I_g < I_syn"]], code=["name"])
    html = table._repr_html_()
    assert "<code" in html and "I_g &lt; I_syn" in html and html.count("<th ") == 2
    assert str(table).splitlines() == ["name   rule", "I_tau  I_g < I_syn"]
    with pytest.raises(ParameterError, match="row 0 has 1 cells"):
        widgets.Table(["a", "b"], [["x"]])
    with pytest.raises(ParameterError, match="code columns"):
        widgets.Table(["a"], [["x"]], code=["b"])
