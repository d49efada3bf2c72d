"""Self-check questions at the end of a chapter, answered in the browser with no server.

Each chapter ends with three to five questions. The questions are shown by
`jupyterquiz <https://github.com/jmshea/jupyterquiz>`_ (J. M. Shea), which writes
them into the page as HTML and JavaScript: they work in the published static book,
in Jupyter and in Colab alike. This module only builds jupyterquiz's question
records, so that a chapter states a question in one line and the number it
checks comes from the library, computed in the same cell when the book is built,
never typed by hand:

>>> from dynapse_edu import Params
>>> from dynapse_edu.units import ms
>>> q = numeric("tau_mem of the default neuron, in ms?", Params().tau_mem / ms, rel=0.05,
...             hint="tau = C U_T / (kappa I_tau)")
>>> q["type"], [round(x, 2) for x in q["answers"][0]["range"]]
('numeric', [13.48, 14.89])

A numeric answer is accepted within ``rel`` (relative) of the computed value,
so a reader who rounds is not marked wrong; a wrong answer gets the hint, and
whether it is too high or too low, never the value. :func:`show` displays a list
of questions (in a notebook) and :func:`check` is what the tests use to make sure
every question has a correct answer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..errors import ParameterError

Question = dict[str, Any]


def _sig(x: float) -> float:
    """x to 10 significant digits (a short, stable page)."""
    return float(f"{x:.10g}")


def numeric(question: str, value: float, rel: float = 0.05, hint: str = "", unit: str = "") -> Question:
    """A question answered by a number; correct within ``rel`` of ``value``.

    Parameters
    ----------
    question : str
        The question (MyST/LaTeX maths allowed, ``$...$``).
    value : float
        The right answer, computed by the library (finite, any sign).
    rel : float
        Accepted relative deviation, 0 < rel < 1 (default 5 %).
    hint : str
        Feedback for a wrong answer (the value is never shown).
    unit : str
        The unit the answer is asked in, appended to the question as "(in unit)".

    Returns
    -------
    dict
        One jupyterquiz question record.

    Raises
    ------
    ParameterError
        If ``value`` is not a finite number or ``rel`` is outside (0, 1).

    Examples
    --------
    >>> q = numeric("2 + 2?", 4.0, rel=0.01)
    >>> q["answers"][0]["range"]
    [3.96, 4.04]
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ParameterError(f"value must be a finite number computed by the library, got {value!r}")
    if not (isinstance(rel, (int, float)) and 0 < rel < 1):
        raise ParameterError(f"rel must be a relative tolerance in (0, 1), got {rel!r}")
    low, high = sorted((value * (1 - rel), value * (1 + rel)))
    if value == 0:
        low, high = -rel, rel
    text = f"{question} (in {unit})" if unit else question
    wrong = f" {hint}" if hint else ""
    return {
        "question": text,
        "type": "numeric",
        "answers": [
            {"type": "range", "range": [_sig(low), _sig(high)], "correct": True,
             "feedback": "Correct."},
            {"type": "range", "range": [-1e300, _sig(low)], "correct": False,
             "feedback": f"Too low.{wrong}"},
            {"type": "range", "range": [_sig(high), 1e300], "correct": False,
             "feedback": f"Too high.{wrong}"},
            {"type": "default", "feedback": f"Enter a number.{wrong}"},
        ],
    }


def choice(question: str, answers: Sequence[str], correct: int | Sequence[int],
           feedback: Sequence[str] | None = None) -> Question:
    """A multiple-choice question (one right answer) or many-choice (several).

    Parameters
    ----------
    question : str
        The question.
    answers : sequence of str
        The options, at least two.
    correct : int or sequence of int
        Index (or indices) of the right option(s).
    feedback : sequence of str, optional
        One explanation per option, shown when it is chosen: say *why* an
        option is right or wrong.

    Returns
    -------
    dict
        One jupyterquiz question record.

    Raises
    ------
    ParameterError
        If there are fewer than two options, an index is out of range, or the
        feedback does not have one entry per option.

    Examples
    --------
    >>> q = choice("Which synapse is slow?", ["AMPA", "NMDA"], 1)
    >>> q["type"], [a["correct"] for a in q["answers"]]
    ('multiple_choice', [False, True])
    """
    answers = list(answers)
    if len(answers) < 2:
        raise ParameterError(f"a choice question needs at least two answers, got {len(answers)}")
    right = [correct] if isinstance(correct, int) else list(correct)
    if not right or any(not isinstance(k, int) or not 0 <= k < len(answers) for k in right):
        raise ParameterError(f"correct must be indices in 0..{len(answers) - 1}, got {correct!r}")
    if feedback is None:
        feedback = ["Correct." if k in right else "Not quite: think again." for k in range(len(answers))]
    feedback = list(feedback)
    if len(feedback) != len(answers):
        raise ParameterError(f"feedback needs one entry per answer ({len(answers)}), got {len(feedback)}")
    return {
        "question": question,
        "type": "multiple_choice" if len(right) == 1 else "many_choice",
        "answers": [{"answer": a, "correct": k in right, "feedback": f}
                    for k, (a, f) in enumerate(zip(answers, feedback, strict=True))],
    }


def check(questions: Sequence[Question]) -> int:
    """Check a chapter's question list: 3-5 questions, each with a right answer; returns the count.

    Parameters
    ----------
    questions : sequence of dict
        Records made by :func:`numeric` and :func:`choice`.

    Returns
    -------
    int
        The number of questions.

    Raises
    ------
    ParameterError
        If there are not 3-5 questions or a question has no correct answer.

    Examples
    --------
    >>> check([numeric("1?", 1.0), numeric("2?", 2.0), choice("a?", ["a", "b"], 0)])
    3
    """
    if not 3 <= len(questions) <= 5:
        raise ParameterError(f"a chapter's self-check has 3-5 questions, got {len(questions)}")
    for q in questions:
        if not any(a.get("correct") for a in q.get("answers", [])):
            raise ParameterError(f"question {q.get('question')!r} has no correct answer")
    return len(questions)


def show(questions: Sequence[Question]) -> None:
    """Display the questions in the notebook (and in the built book) with jupyterquiz.

    Parameters
    ----------
    questions : sequence of dict
        3-5 records made by :func:`numeric` and :func:`choice` (checked by :func:`check`).
    """
    check(questions)
    from jupyterquiz import display_quiz  # optional: the book's dependency

    display_quiz(list(questions), shuffle_answers=False, max_width=700)


__all__ = ["Question", "numeric", "choice", "check", "show"]
