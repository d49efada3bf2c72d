"""The student and instructor versions of a master assignment notebook.

One *master* notebook per assignment holds the questions, starter code,
solutions and checks. Markers say what is what:

* In a code cell, lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
  are the solution. The student version replaces them with
  ``raise NotImplementedError(...)`` (indented like the markers).
* A line ending in ``# SOLUTION`` of the form ``name = value  # SOLUTION``
  becomes ``name = ...  # your answer`` (for short numeric answers).
* A cell tagged ``solution`` is a solution as a whole (a code cell becomes a
  stub, a markdown cell becomes "*Write your answer here.*").
* A code cell tagged ``check`` holds checks the student sees; one tagged
  ``hidden`` holds checks the student does not see (removed from the student
  version). At grading time every check comes from the master
  (:mod:`dynapse_edu.course.grading`).
* A code cell tagged ``given`` holds what the checks rely on (imports, the
  given data, the given functions): grading runs the master's given cells
  again before each check, so a student's edits to them do not count.
  Keep them fast and free of plots.
* A written answer graded by hand is a markdown cell tagged ``solution``
  whose metadata says so the way nbgrader does:
  ``"nbgrader": {"grade": true, "solution": true, "points": 3, "grade_id": "q6 written"}``
  (:func:`manual_questions`). The master's text is the model answer and
  rubric; the student sees "*Write your answer here.*"; the grader's CSV gets
  an empty column for the points and a file with every student's text.

The instructor version is the master with the marker lines removed. Both
versions are written with outputs and execution counts cleared, and keep the
master's cell ids.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # nbformat is loaded when a notebook is read (extra 'assign')
    import nbformat

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
INLINE = re.compile(r"^(?P<indent>\s*)(?P<name>[A-Za-z_][\w\.\[\]'\"]*)\s*=\s*(?P<value>.+?)\s*#\s*SOLUTION\s*$")
TAG_SOLUTION = "solution"
TAG_HIDDEN = "hidden"
TAG_CHECK = "check"
TAG_GIVEN = "given"
STUB = "raise NotImplementedError(\"replace this line with your solution\")"
MARKDOWN_STUB = "*Write your answer here.*"


class AssignmentError(ValueError):
    """A master notebook breaks the marker rules, or does not run top to bottom."""


def load_nbformat():
    """The nbformat module (extra ``assign``); AssignmentError naming the extra when it is missing."""
    try:
        import nbformat
    except ImportError as err:  # pragma: no cover - nbformat comes with the dev/book extras
        raise AssignmentError("the assignment tools need nbformat: pip install 'dynapse-edu[assign]'") from err
    return nbformat


def cell_tags(cell) -> set[str]:
    """The tags of a notebook cell, as a set."""
    return set(cell.get("metadata", {}).get("tags", []))


def _strip_solution(source: str, where: str, student: bool) -> tuple[str, list[str]]:
    """The cell source for one version, and the solution lines it removed (student) or kept."""
    out: list[str] = []
    removed: list[str] = []
    inside = False
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise AssignmentError(f"{where}, line {number}: {BEGIN} inside another solution block")
            inside = True
            if student:
                out.append(line[: len(line) - len(line.lstrip())] + STUB)
            continue
        if stripped == END:
            if not inside:
                raise AssignmentError(f"{where}, line {number}: {END} without a {BEGIN}")
            inside = False
            continue
        if inside:
            removed.append(line)
            if not student:
                out.append(line)
            continue
        match = INLINE.match(line)
        if match:
            removed.append(match["value"])
            if student:
                out.append(f"{match['indent']}{match['name']} = ...  # your answer")
            else:
                out.append(f"{match['indent']}{match['name']} = {match['value']}")
            continue
        out.append(line)
    if inside:
        raise AssignmentError(f"{where}: {BEGIN} without an {END}")
    return "\n".join(out), removed


def clean(cell) -> None:
    """Clear a code cell's outputs and execution count (in place)."""
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None


def make_version(master: nbformat.NotebookNode, student: bool) -> nbformat.NotebookNode:
    """The student or the instructor version of a master notebook.

    Parameters
    ----------
    master : nbformat.NotebookNode
        The master notebook (left unchanged).
    student : bool
        True for the student version (solutions replaced by stubs, hidden
        cells removed), False for the instructor version (marker lines removed).

    Returns
    -------
    nbformat.NotebookNode
        A new notebook, outputs and execution counts cleared, cell ids kept.

    Raises
    ------
    AssignmentError
        If a solution block is not closed or not opened.

    Examples
    --------
    >>> import nbformat
    >>> master = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("tau = 3.5e-3  # SOLUTION")])
    >>> make_version(master, student=True).cells[0].source
    'tau = ...  # your answer'
    >>> make_version(master, student=False).cells[0].source
    'tau = 3.5e-3'
    """
    nb = copy.deepcopy(master)
    cells = []
    for index, cell in enumerate(nb.cells):
        where = f"cell {index} (id {cell.get('id', '?')})"
        tags = cell_tags(cell)
        if TAG_HIDDEN in tags and student:
            continue
        if TAG_SOLUTION in tags and student:
            cell.source = STUB if cell.cell_type == "code" else MARKDOWN_STUB
        elif cell.cell_type == "code":
            cell.source, _ = _strip_solution(cell.source, where, student)
        clean(cell)
        cells.append(cell)
    nb.cells = cells
    return nb


def solution_text(master: nbformat.NotebookNode) -> list[str]:
    """Every solution line of a master: what must never appear in a student version.

    Parameters
    ----------
    master : nbformat.NotebookNode
        The master notebook.

    Returns
    -------
    list of str
        The non-empty solution lines (for an inline ``# SOLUTION``, its value).

    Examples
    --------
    >>> import nbformat
    >>> cell = nbformat.v4.new_code_cell("x = 1\\n### BEGIN SOLUTION\\ny = 2 * x\\n### END SOLUTION")
    >>> solution_text(nbformat.v4.new_notebook(cells=[cell]))
    ['y = 2 * x']
    """
    lines: list[str] = []
    for index, cell in enumerate(master.cells):
        if TAG_SOLUTION in cell_tags(cell):
            lines.extend(line for line in cell.source.splitlines() if line.strip())
        elif cell.cell_type == "code":
            _, removed = _strip_solution(cell.source, f"cell {index}", student=True)
            lines.extend(line for line in removed if line.strip())
    return lines


def is_check(cell) -> bool:
    """True for a master's check cell: a code cell tagged ``check`` or ``hidden``.

    Examples
    --------
    >>> import nbformat
    >>> is_check(nbformat.v4.new_code_cell("check.close(x, 1, 'x')", metadata={"tags": ["check"]}))
    True
    """
    return cell.cell_type == "code" and bool(cell_tags(cell) & {TAG_CHECK, TAG_HIDDEN})


def manual_points(cell) -> tuple[str, float] | None:
    """A hand-graded answer cell's question and points (nbgrader metadata), or None for any other cell.

    Parameters
    ----------
    cell : nbformat.NotebookNode
        A notebook cell.

    Returns
    -------
    (str, float) or None
        The ``grade_id`` and the ``points`` (> 0) of a markdown cell whose
        ``nbgrader`` metadata has ``grade`` and ``solution`` true.

    Raises
    ------
    AssignmentError
        If such a cell has no ``grade_id`` or its points are not a number > 0.

    Examples
    --------
    >>> import nbformat
    >>> meta = {"tags": ["solution"], "nbgrader": {"grade": True, "solution": True, "points": 3, "grade_id": "q6"}}
    >>> manual_points(nbformat.v4.new_markdown_cell("Model answer.", metadata=meta))
    ('q6', 3.0)
    >>> manual_points(nbformat.v4.new_markdown_cell("Just text.")) is None
    True
    """
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if cell.get("cell_type") != "markdown" or not (meta.get("grade") and meta.get("solution")):
        return None
    grade_id, points = meta.get("grade_id"), meta.get("points")
    if not (isinstance(grade_id, str) and grade_id.strip()):
        raise AssignmentError(f"a hand-graded cell needs a 'grade_id' in its nbgrader metadata, got {grade_id!r}")
    if isinstance(points, bool) or not isinstance(points, (int, float)) or not points > 0:
        raise AssignmentError(f"hand-graded cell {grade_id!r}: points = {points!r}; allowed: a number > 0")
    return grade_id, float(points)


def manual_questions(master: nbformat.NotebookNode) -> dict[str, float]:
    """The questions of a master graded by hand, with their points, in order (see :func:`manual_points`).

    Parameters
    ----------
    master : nbformat.NotebookNode
        The master notebook.

    Returns
    -------
    dict
        ``grade_id`` -> points.

    Raises
    ------
    AssignmentError
        For a hand-graded cell without a ``grade_id`` or points, or two with the same ``grade_id``.

    Examples
    --------
    >>> import nbformat
    >>> meta = {"nbgrader": {"grade": True, "solution": True, "points": 2, "grade_id": "q4 written"}}
    >>> manual_questions(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Rubric.", metadata=meta)]))
    {'q4 written': 2.0}
    """
    found: dict[str, float] = {}
    for cell in master.cells:
        manual = manual_points(cell)
        if manual is None:
            continue
        if manual[0] in found:
            raise AssignmentError(f"two hand-graded cells share the grade_id {manual[0]!r}")
        found[manual[0]] = manual[1]
    return found


CHECK_CALL = re.compile(r"\bcheck\.\w+\(")


def untagged_checks(master: nbformat.NotebookNode) -> list[int]:
    """The code cells of a master that call a check but are not tagged ``check`` or ``hidden``.

    Grading takes only tagged cells from the master; an untagged check cell
    would run as the student left it and its record would not count.

    Parameters
    ----------
    master : nbformat.NotebookNode
        The master notebook.

    Returns
    -------
    list of int
        The indices of such cells (empty for a well-formed master).

    Examples
    --------
    >>> import nbformat
    >>> untagged_checks(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("check.close(x, 1, 'x')")]))
    [0]
    """
    return [i for i, cell in enumerate(master.cells) if cell.cell_type == "code" and not is_check(cell)
            and TAG_SOLUTION not in cell_tags(cell) and CHECK_CALL.search(cell.source)]


__all__ = [
    "CHECK_CALL", "untagged_checks", "BEGIN", "END", "TAG_SOLUTION", "TAG_HIDDEN", "TAG_CHECK", "TAG_GIVEN", "STUB",
    "MARKDOWN_STUB", "AssignmentError", "load_nbformat", "cell_tags", "clean", "is_check", "make_version",
    "solution_text", "manual_points", "manual_questions",
]
