"""The self-check question builders: ranges around the library's value, no value leaked, bad input named."""

from __future__ import annotations

import json

import pytest

from dynapse_edu.course import quiz
from dynapse_edu.errors import ParameterError


def accepted(q: dict, x: float) -> bool:
    """What jupyterquiz's numeric.js does: the first range holding x decides."""
    for a in q["answers"]:
        if "range" in a and a["range"][0] <= x < a["range"][1]:
            return a["correct"]
    return False


@pytest.mark.parametrize("value", [13.6, -2.5e-12, 4.0e9])
def test_numeric_accepts_within_tolerance_only(value):
    q = quiz.numeric("x?", value, rel=0.05)
    assert accepted(q, value) and accepted(q, value * 1.04) and accepted(q, value * 0.96)
    assert not accepted(q, value * 1.06) and not accepted(q, value * 0.94)


def test_wrong_answer_feedback_gives_direction_not_value():
    q = quiz.numeric("tau?", 13.64, hint="tau = C U_T / (kappa I_tau)")
    text = json.dumps([a["feedback"] for a in q["answers"]])
    assert "Too low" in text and "Too high" in text and "13.6" not in text


def test_zero_value_has_an_absolute_window():
    q = quiz.numeric("zero?", 0.0, rel=0.1)
    assert accepted(q, 0.0) and not accepted(q, 0.5)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "3", None, True])
def test_numeric_refuses_a_value_that_is_not_a_finite_number(bad):
    with pytest.raises(ParameterError, match="finite number"):
        quiz.numeric("x?", bad)


def test_choice_marks_right_answers_and_refuses_bad_indices():
    q = quiz.choice("Which?", ["a", "b", "c"], [0, 2])
    assert q["type"] == "many_choice" and [a["correct"] for a in q["answers"]] == [True, False, True]
    with pytest.raises(ParameterError, match="0..2"):
        quiz.choice("Which?", ["a", "b", "c"], 3)
    with pytest.raises(ParameterError, match="at least two"):
        quiz.choice("Which?", ["a"], 0)


def test_check_counts_questions_and_refuses_a_chapter_without_three():
    qs = [quiz.numeric("1?", 1.0), quiz.choice("a?", ["a", "b"], 1)]
    with pytest.raises(ParameterError, match="3-5"):
        quiz.check(qs)
    assert quiz.check(qs + [quiz.numeric("2?", 2.0)]) == 3


def test_show_displays_html_and_javascript(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(type(obj).__name__))
    quiz.show([quiz.numeric("1?", 1.0), quiz.numeric("2?", 2.0), quiz.choice("a?", ["a", "b"], 0)])
    assert shown == ["HTML", "Javascript"]
