"""Student and instructor versions of assignment notebooks, and grading.

One *master* notebook per assignment holds the questions, starter code,
solutions and checks. Three small markers say what is what:

* In a code cell, lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
  are the solution. The student version replaces them with
  ``raise NotImplementedError(...)`` (indented like the markers).
* A line ending in ``# SOLUTION`` of the form ``name = value  # SOLUTION``
  becomes ``name = ...  # your answer`` (for short numeric answers).
* A cell tagged ``solution`` is a solution as a whole (a code cell becomes a
  stub, a markdown cell becomes "*Write your answer here.*"); a cell tagged
  ``hidden`` holds checks the student does not see: it is removed from the
  student version and put back when grading.

The instructor version is the master with the marker lines removed. Both
versions are written with outputs and execution counts cleared, and keep the
master's cell ids (grading relies on them to put hidden checks back).

Checks are calls to :mod:`dynapse_edu.course.check`, which compute the right answer
from the simulator when they run; grading executes each submission (hidden
checks re-inserted) and collects what the checks recorded.

Command line::

    python -m dynapse_edu.course.assign generate book/assignments --out build/assignments [--execute]
    python -m dynapse_edu.course.assign grade book/assignments/a1_synapse_tau.ipynb SUBMISSIONS_DIR --out scores.csv
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # nbformat is loaded when a notebook is read (extra 'assign')
    import nbformat

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
INLINE = re.compile(r"^(?P<indent>\s*)(?P<name>[A-Za-z_][\w\.\[\]'\"]*)\s*=\s*(?P<value>.+?)\s*#\s*SOLUTION\s*$")
TAG_SOLUTION = "solution"
TAG_HIDDEN = "hidden"
STUB = "raise NotImplementedError(\"replace this line with your solution\")"
MARKDOWN_STUB = "*Write your answer here.*"
RESULTS_MARK = "@@DYNAPSE_EDU_CHECKS@@"


class AssignmentError(ValueError):
    """A master notebook breaks the marker rules, or does not run top to bottom."""


def _nbformat():
    try:
        import nbformat
    except ImportError as err:  # pragma: no cover - nbformat comes with the dev/book extras
        raise AssignmentError("the assignment tools need nbformat: pip install 'dynapse-edu[dev]'") from err
    return nbformat


def _tags(cell) -> set[str]:
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


def _clean(cell) -> None:
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
        tags = _tags(cell)
        if TAG_HIDDEN in tags and student:
            continue
        if TAG_SOLUTION in tags and student:
            cell.source = STUB if cell.cell_type == "code" else MARKDOWN_STUB
        elif cell.cell_type == "code":
            cell.source, _ = _strip_solution(cell.source, where, student)
        _clean(cell)
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
        if TAG_SOLUTION in _tags(cell):
            lines.extend(line for line in cell.source.splitlines() if line.strip())
        elif cell.cell_type == "code":
            _, removed = _strip_solution(cell.source, f"cell {index}", student=True)
            lines.extend(line for line in removed if line.strip())
    return lines


def execute(
    nb: nbformat.NotebookNode, cwd: Path, allow_errors: bool = False, timeout: int = 600
) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in a fresh Python kernel (nbclient).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook (left unchanged).
    cwd : pathlib.Path
        The kernel's working directory (the notebook's folder, for relative paths).
    allow_errors : bool
        Go on after a cell that raises (its error is in its outputs); False stops
        there with nbclient's ``CellExecutionError``.
    timeout : int
        Longest time a cell may run, s.

    Returns
    -------
    nbformat.NotebookNode
        The executed copy, with outputs.

    Examples
    --------
    Starting a kernel takes a few seconds, so this example is not run by the doctests:

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    >>> execute(nb, Path(".")).cells[0].outputs[0].text  # doctest: +SKIP
    '42\\n'
    """
    from nbclient import NotebookClient

    nb = copy.deepcopy(nb)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


def generate(master_path: Path, out_dir: Path, run: bool = False) -> tuple[Path, Path]:
    """Write ``out_dir/student/NAME.ipynb`` and ``out_dir/instructor/NAME.ipynb`` from a master.

    Parameters
    ----------
    master_path : pathlib.Path
        The master notebook ``NAME.ipynb``.
    out_dir : pathlib.Path
        Where the two folders ``student/`` and ``instructor/`` go (created if missing).
    run : bool
        Execute the instructor version top to bottom first (:func:`execute`):
        a master that only worked when run out of order is rejected, naming the cell.

    Returns
    -------
    (pathlib.Path, pathlib.Path)
        The student version's and the instructor version's paths.

    Raises
    ------
    AssignmentError
        If the master breaks the marker rules or, with ``run``, does not run top to bottom.

    Examples
    --------
    >>> import nbformat, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> master = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("tau = 3.5e-3  # SOLUTION")])
    >>> nbformat.write(master, folder / "a0_demo.ipynb")
    >>> student, instructor = generate(folder / "a0_demo.ipynb", folder / "out")
    >>> student.relative_to(folder).as_posix(), instructor.relative_to(folder).as_posix()
    ('out/student/a0_demo.ipynb', 'out/instructor/a0_demo.ipynb')
    >>> nbformat.read(student, as_version=4).cells[0].source
    'tau = ...  # your answer'
    """
    nbformat = _nbformat()
    master = nbformat.read(master_path, as_version=4)
    nbformat.validator.normalize(master)
    instructor = make_version(master, student=False)
    student = make_version(master, student=True)
    if run:
        from nbclient.exceptions import CellExecutionError

        try:
            execute(instructor, master_path.parent)
        except CellExecutionError as err:
            raise AssignmentError(
                f"{master_path}: the instructor version does not run top to bottom "
                f"(was the master run out of order?): {str(err).strip().splitlines()[-1]}"
            ) from err
    paths = []
    for kind, nb in (("student", student), ("instructor", instructor)):
        path = out_dir / kind / master_path.name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        paths.append(path)
    return paths[0], paths[1]


def with_hidden_checks(master: nbformat.NotebookNode, submission: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The submission with the master's hidden cells put back, each after the cell that precedes it in the master.

    Cells are matched by id (the versions keep the master's ids); a hidden
    cell whose predecessor the student deleted goes first.

    Parameters
    ----------
    master : nbformat.NotebookNode
        The master notebook.
    submission : nbformat.NotebookNode
        A student's notebook (left unchanged).

    Returns
    -------
    nbformat.NotebookNode
        A copy of the submission with the hidden cells, outputs cleared.

    Examples
    --------
    >>> import nbformat
    >>> answer = nbformat.v4.new_code_cell("tau = 3.5e-3  # SOLUTION")
    >>> hidden = nbformat.v4.new_code_cell("check.synapse_tau(tau, 'AMPA')", metadata={"tags": ["hidden"]})
    >>> master = nbformat.v4.new_notebook(cells=[answer, hidden])
    >>> student = make_version(master, student=True)
    >>> len(student.cells), [c.source for c in with_hidden_checks(master, student).cells][1]
    (1, "check.synapse_tau(tau, 'AMPA')")
    """
    nb = copy.deepcopy(submission)
    ids = [cell.get("id") for cell in nb.cells]
    previous = None
    for cell in master.cells:
        if TAG_HIDDEN in _tags(cell):
            position = ids.index(previous) + 1 if previous in ids else 0
            hidden = copy.deepcopy(cell)
            _clean(hidden)
            nb.cells.insert(position, hidden)
            ids.insert(position, hidden.get("id"))
            previous = hidden.get("id")
        else:
            previous = cell.get("id")
    return nb


def _collect(nb) -> list[dict]:
    """Run the checks-report cell's output back into dicts."""
    for cell in reversed(nb.cells):
        for output in cell.get("outputs", []):
            text = output.get("text", "")
            if RESULTS_MARK in text:
                return json.loads(text.split(RESULTS_MARK, 1)[1].strip())
    return []


def _report_cell(nbformat):
    source = (
        "import json\nfrom dynapse_edu.course import check\n"
        f"print({RESULTS_MARK!r} + json.dumps([r.as_dict() for r in check.results()]))"
    )
    return nbformat.v4.new_code_cell(source)


def _run_and_collect(nb, cwd: Path, timeout: int) -> tuple[list[dict], int]:
    nbformat = _nbformat()
    nb = copy.deepcopy(nb)
    nb.cells.append(_report_cell(nbformat))
    done = execute(nb, cwd, allow_errors=True, timeout=timeout)
    errors = sum(
        1 for cell in done.cells for output in cell.get("outputs", []) if output.get("output_type") == "error"
    )
    return _collect(done), errors


def grade(master_path: Path, submissions: Sequence[Path], out_csv: Path, timeout: int = 600) -> list[dict]:
    """Score each submission of one assignment; write a CSV and return its rows.

    The questions and their points come from running the instructor version
    (every check passes there, or the master is wrong). Each submission runs
    in a fresh kernel with the hidden checks put back
    (:func:`with_hidden_checks`); a question's score is that of the last
    check recorded for it, and a check that never ran scores 0.

    Parameters
    ----------
    master_path : pathlib.Path
        The master notebook of the assignment.
    submissions : Sequence[pathlib.Path]
        The students' notebooks.
    out_csv : pathlib.Path
        The CSV to write (its folder is created if missing).
    timeout : int
        Longest time a cell may run, s.

    Returns
    -------
    list of dict
        One row per submission: ``notebook`` (file name), the points of every
        question, ``total``, ``max`` and ``errors`` (cells that raised).

    Raises
    ------
    AssignmentError
        If the instructor version fails a check or raises.

    Examples
    --------
    Each notebook runs in its own kernel (seconds each), so this example is not run by the doctests:

    >>> rows = grade(Path("book/assignments/a1_synapse_tau.ipynb"),
    ...              sorted(Path("submissions").glob("*.ipynb")), Path("scores.csv"))  # doctest: +SKIP
    >>> rows[0]["total"], rows[0]["max"]  # doctest: +SKIP
    (5.0, 6.0)
    """
    nbformat = _nbformat()
    master = nbformat.read(master_path, as_version=4)
    nbformat.validator.normalize(master)
    reference, errors = _run_and_collect(make_version(master, student=False), master_path.parent, timeout)
    if errors or not reference or not all(r["passed"] for r in reference):
        failed = [r["question"] for r in reference if not r["passed"]]
        raise AssignmentError(f"{master_path}: the instructor version must pass every check; failed {failed}, "
                              f"{errors} cell error(s)")
    points: dict[str, float] = {}
    for r in reference:
        points[r["question"]] = r["points"]

    rows = []
    for path in submissions:
        submission = nbformat.read(path, as_version=4)
        nbformat.validator.normalize(submission)
        checks, errors = _run_and_collect(with_hidden_checks(master, submission), path.parent, timeout)
        scores = dict.fromkeys(points, 0.0)
        for r in checks:
            if r["question"] in scores:
                scores[r["question"]] = r["score"]
        row = {"notebook": path.name, **scores, "total": sum(scores.values()), "max": sum(points.values()),
               "errors": errors}
        rows.append(row)
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    with open(out_csv, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["notebook", *points, "total", "max", "errors"])
        writer.writeheader()
        writer.writerows(rows)
    return rows


def _masters(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.glob("*.ipynb") if not p.name.startswith(".")))
        elif path.suffix == ".ipynb":
            found.append(path)
        else:
            raise AssignmentError(f"{path} is neither a folder nor a .ipynb notebook")
    if not found:
        raise AssignmentError(f"no master notebooks found in {[str(p) for p in paths]}")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: ``generate`` the versions of masters, or ``grade`` the submissions of one.

    Parameters
    ----------
    argv : Sequence[str] or None
        The arguments (None: ``sys.argv[1:]``); see the module's docstring.

    Returns
    -------
    int
        The exit status: 0, or 2 after an :class:`AssignmentError` (printed on stderr).

    Examples
    --------
    >>> main(["generate", "notes.txt"])  # not a notebook: the error goes to stderr
    2
    """
    parser = argparse.ArgumentParser(prog="python -m dynapse_edu.course.assign", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write student and instructor versions")
    gen.add_argument("masters", nargs="+", type=Path, help="master notebooks or folders of them")
    gen.add_argument("--out", type=Path, default=Path("build/assignments"))
    gen.add_argument("--execute", action="store_true", help="check that each instructor version runs top to bottom")
    grd = sub.add_parser("grade", help="score student notebooks of one assignment into a CSV")
    grd.add_argument("master", type=Path)
    grd.add_argument("submissions", type=Path, help="folder of student notebooks")
    grd.add_argument("--out", type=Path, default=Path("scores.csv"))
    args = parser.parse_args(argv)
    try:
        if args.command == "generate":
            for master in _masters(args.masters):
                student, instructor = generate(master, args.out, run=args.execute)
                print(f"{master}: student -> {student}, instructor -> {instructor}")
        else:
            submissions = sorted(args.submissions.glob("*.ipynb"))
            if not submissions:
                raise AssignmentError(f"no .ipynb files in {args.submissions}")
            rows = grade(args.master, submissions, args.out)
            for row in rows:
                print(f"{row['notebook']}: {row['total']:g} / {row['max']:g}")
            print(f"scores written to {args.out}")
    except AssignmentError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
