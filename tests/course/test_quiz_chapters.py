"""Every chapter has active learning (issue 13 item 3): Predict prompts with folded answers, and a self-check quiz.

For each chapter notebook ``book/NN_*.ipynb`` (whatever chapters exist):

* at least two "Predict" admonitions, each followed by a folded "Answer" admonition (``:class: dropdown``),
  in the same markdown cell or the next one, and then by the code cell that answers it;
* the last code cell shows the self-check with ``quiz.show``, is tagged ``remove-input`` (the reader sees
  the questions, not the code), and computes its questions in the cell (``quiz.numeric`` / ``quiz.choice``).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

BOOK = Path(__file__).resolve().parents[2] / "book"
CHAPTERS = sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))

PREDICT = re.compile(r"^:{3,}\s*\{admonition\}\s*Predict\b", re.MULTILINE)
ANSWER = re.compile(r"^:{3,}\s*\{admonition\}\s*Answer\b[^\n]*\n(?::[a-z_-]+:[^\n]*\n)*?:class:[^\n]*\bdropdown\b",
                    re.MULTILINE)


def predict_prompts(nb: nbformat.NotebookNode) -> list[tuple[int, bool, bool]]:
    """(cell index, has a folded answer after it, a code cell follows the answer) for every Predict prompt."""
    found = []
    cells = nb.cells
    for k, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        for match in PREDICT.finditer(cell.source):
            answer_cell = None
            if ANSWER.search(cell.source, match.end()):
                answer_cell = k
            elif k + 1 < len(cells) and cells[k + 1].cell_type == "markdown" and ANSWER.match(
                    cells[k + 1].source.lstrip()):
                answer_cell = k + 1
            then_code = answer_cell is not None and answer_cell + 1 < len(cells) and \
                cells[answer_cell + 1].cell_type == "code"
            found.append((k, answer_cell is not None, then_code))
    return found


def test_there_are_chapters():
    assert len(CHAPTERS) >= 11, [p.name for p in CHAPTERS]


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_has_two_predict_prompts_with_folded_answers_before_code(path):
    prompts = predict_prompts(nbformat.read(path, as_version=4))
    assert len(prompts) >= 2, f"{path.name}: {len(prompts)} Predict prompt(s), need at least 2"
    for k, answered, then_code in prompts:
        assert answered, f"{path.name}, cell {k}: a Predict prompt without a folded Answer (:class: dropdown) after it"
        assert then_code, f"{path.name}, cell {k}: the Predict prompt's answer is not followed by its code cell"


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_ends_with_a_self_check_quiz(path):
    nb = nbformat.read(path, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code, f"{path.name} has no code cell"
    last = code[-1]
    assert "remove-input" in last.metadata.get("tags", []), f"{path.name}: the self-check is not tagged remove-input"
    assert re.search(r"\bquiz\.show\(", last.source), f"{path.name}: the last code cell does not call quiz.show"
    assert re.search(r"\bquiz\.(numeric|choice)\(", last.source), \
        f"{path.name}: the self-check builds no question with quiz.numeric / quiz.choice"


def test_the_checker_finds_missing_answers():
    """The detector itself: a prompt without a dropdown answer, or not followed by code, is caught."""
    prompt = ":::{admonition} Predict\n:class: tip\nWhat?\n:::\n"
    answer = ":::{admonition} Answer\n:class: dropdown\nThis.\n:::\n"
    good = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(prompt + "\n" + answer),
                                           nbformat.v4.new_code_cell("1")])
    assert predict_prompts(good) == [(0, True, True)]
    split = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(prompt),
                                            nbformat.v4.new_markdown_cell(answer), nbformat.v4.new_code_cell("1")])
    assert predict_prompts(split) == [(0, True, True)]
    open_answer = answer.replace("dropdown", "tip")
    unfolded = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(prompt + open_answer),
                                               nbformat.v4.new_code_cell("1")])
    assert predict_prompts(unfolded) == [(0, False, False)]
    no_code = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(prompt + answer),
                                              nbformat.v4.new_markdown_cell("text")])
    assert predict_prompts(no_code) == [(0, True, False)]
