"""Grading a class's notebooks: every check comes from the master, run after the student's code.

How one submission is graded (:func:`grade_one`):

1. The notebook is read from memory (every submission and the master were read
   before the first one ran, so a submission that deletes files cannot change
   what is graded); an unreadable one scores 0 with the reason.
2. The *graded notebook* is built (:func:`graded_notebook`): the student's code
   cells, minus their copies of the master's check cells, with every check
   cell of the master (visible ``check`` and ``hidden`` alike) put where the
   master has it: just before the student's copy of the next master cell found
   by id or, for notebooks saved without cell ids, by its unchanged text.
3. Each master check cell is wrapped (:func:`check_cell_source`): it imports
   :mod:`~dynapse_edu.course.check`, :mod:`~dynapse_edu.experiments` and
   :mod:`~dynapse_edu.spice.compare` afresh (a student's replacement of a check
   function is gone), runs the master's ``given`` cells again (a student's
   edits of the given data or imports are gone), runs the master's check, and
   prints what it recorded, signed with a secret drawn for this run (the
   secret is in the cell's code, never in its output).
4. The graded notebook runs in a fresh kernel whose working folder is a
   scratch copy, under one time limit for the whole notebook
   (:func:`run_notebook`): a submission that loops is stopped there and keeps
   the points of the checks that ran before.
5. Only the outputs of the master's check cells are read, only records whose
   signature matches count, and a check cell must record exactly the questions and points
   it recorded in the instructor's run (:func:`collect`); a question scores
   its points when every check of it passed.

Written answers graded by hand (:func:`~dynapse_edu.course.versions.manual_questions`)
are not run: :func:`written_answers` copies each student's text into
``NAME_written.csv`` and the class CSV has an empty column for their points.

What a same-kernel grader cannot stop: code of the student's that changes the
interpreter itself (builtins, the standard library, numpy, the library modules
other than the three imported afresh) before the checks run, or a function of
the student's that a check calls (as ``measured_from_trace`` does) reaching
into the check module while it runs. The instructor's feedback file lists every
check's message and right value, and the errors, for a human look.
"""

from __future__ import annotations

import csv
import dataclasses
import hmac
import json
import math
import secrets
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .versions import (
    MARKDOWN_STUB,
    TAG_GIVEN,
    TAG_SOLUTION,
    AssignmentError,
    cell_tags,
    is_check,
    load_nbformat,
    make_version,
    manual_points,
    manual_questions,
    untagged_checks,
)

if TYPE_CHECKING:  # nbformat is loaded when a notebook is read (extra 'assign')
    import nbformat

#: The longest time one notebook may run, s (the command line's ``--timeout``).
DEFAULT_TIMEOUT = 300.0

#: Modules a check cell imports afresh, in this order, before it runs.
FRESH_MODULES = ("dynapse_edu.experiments", "dynapse_edu.spice.compare", "dynapse_edu.course.check")

#: Marks the line on which a check cell reports its record (the record follows, then its signature).
REPORT_MARK = "@@dynapse-edu-check@@"

_CHECK_CELL = '''import importlib as _grader_importlib
import sys as _grader_sys

for _grader_name in ("json", "json.encoder", "json.decoder", "json.scanner", "hmac"):
    _grader_sys.modules.pop(_grader_name, None)
import hmac as _grader_hmac
import json as _grader_json

for _grader_name in {fresh!r}:
    _grader_sys.modules.pop(_grader_name, None)
for _grader_name in {fresh!r}:
    _grader_importlib.import_module(_grader_name)
_grader_check = _grader_sys.modules["dynapse_edu.course.check"]
_grader_check.reveal_expected(True)
try:
    exec({given!r}, globals())
    check = _grader_check
    exec({source!r}, globals())
finally:
    _grader_record = _grader_json.dumps([r.as_dict() for r in _grader_check.results()])
    _grader_signature = _grader_hmac.new({token!r}.encode(), _grader_record.encode(), "sha256").hexdigest()
    print({mark!r} + _grader_record + " " + _grader_signature)
'''


def sign(record: str, token: str) -> str:
    """The signature of a check cell's record with this run's secret (HMAC-SHA256, hex).

    Examples
    --------
    >>> len(sign("[]", "secret"))
    64
    """
    return hmac.new(token.encode(), record.encode(), "sha256").hexdigest()


def check_cell_source(source: str, given: str, token: str) -> str:
    """The code a master check cell runs as at grading time.

    Parameters
    ----------
    source : str
        The master check cell's code.
    given : str
        The code of the master's ``given`` cells above it, joined.
    token : str
        This run's secret: the record is printed after :data:`REPORT_MARK`
        with its signature (:func:`sign`); the secret itself is never printed.

    Returns
    -------
    str
        The cell's code: fresh imports, the given code, the check, the signed report.

    Examples
    --------
    Running it re-imports modules, so the example only compiles it (the grading tests run it):

    >>> code = check_cell_source("check.close(x, 1.0, 'x')", "x = 1.0", "T0K3N")
    >>> compile(code, "check cell", "exec") is not None, repr("x = 1.0") in code, "T0K3N" in code
    (True, True, True)
    """
    return _CHECK_CELL.format(fresh=FRESH_MODULES, given=given, source=source, token=token, mark=REPORT_MARK)


@dataclasses.dataclass
class GradedNotebook:
    """A notebook to run for grading, and where the master's checks are in it.

    Attributes
    ----------
    nb : nbformat.NotebookNode
        The code cells to run, in order.
    checks : dict
        Position of each master check cell in ``nb`` -> its index in the master.
    student_cells : dict
        Position of each student cell in ``nb`` -> its index in the submission.
    """

    nb: nbformat.NotebookNode
    checks: dict[int, int]
    student_cells: dict[int, int]


def graded_notebook(master: nbformat.NotebookNode, submission: nbformat.NotebookNode, token: str) -> GradedNotebook:
    """The student's code with every check of the master put in its place (see the module's docstring).

    Parameters
    ----------
    master : nbformat.NotebookNode
        The master notebook.
    submission : nbformat.NotebookNode
        A student's notebook, with or without cell ids (left unchanged).
    token : str
        This run's secret (:func:`check_cell_source`).

    Returns
    -------
    GradedNotebook
        A new notebook of code cells only, and which cell is which.

    Examples
    --------
    >>> import nbformat
    >>> answer = nbformat.v4.new_code_cell("x = 2.0  # SOLUTION")
    >>> test = nbformat.v4.new_code_cell("check.close(x, 2.0, 'x')", metadata={"tags": ["check"]})
    >>> master = nbformat.v4.new_notebook(cells=[answer, test, nbformat.v4.new_markdown_cell("## Next")])
    >>> student = make_version(master, student=True)
    >>> student.cells[1].source = "check.close(x, x, 'x')"  # edited to pass whatever x is
    >>> graded = graded_notebook(master, student, "T0K3N")
    >>> [cell.source.splitlines()[0] for cell in graded.nb.cells]
    ['x = ...  # your answer', 'import importlib as _grader_importlib']
    >>> graded.checks, graded.student_cells
    ({1: 1}, {0: 0})
    """
    nbformat = load_nbformat()
    check_ids = {cell.get("id") for cell in master.cells if is_check(cell) and cell.get("id")}
    check_texts = {cell.source.strip() for cell in master.cells if is_check(cell)}
    sub_ids: dict[str, int] = {}
    sub_texts: dict[str, int] = {}
    for j, cell in enumerate(submission.cells):
        if cell.get("id"):
            sub_ids.setdefault(cell.get("id"), j)
        if cell.get("cell_type") == "markdown":
            sub_texts.setdefault(cell.get("source", "").strip(), j)

    def anchor(i: int) -> int | None:
        """The submission's copy of master cell ``i``: by id, else (markdown, not an answer) by its text."""
        cell = master.cells[i]
        if cell.get("id") in sub_ids:
            return sub_ids[cell.get("id")]
        if cell.cell_type == "markdown" and TAG_SOLUTION not in cell_tags(cell):
            return sub_texts.get(cell.source.strip())
        return None

    before: dict[int, list[int]] = {}
    at_end: list[int] = []
    for i, cell in enumerate(master.cells):
        if not is_check(cell):
            continue
        place = next((j for k in range(i + 1, len(master.cells)) if not is_check(master.cells[k])
                      for j in [anchor(k)] if j is not None), None)
        (before.setdefault(place, []) if place is not None else at_end).append(i)

    nb = nbformat.v4.new_notebook()
    checks: dict[int, int] = {}
    student_cells: dict[int, int] = {}

    def add_check(i: int) -> None:
        given = "\n\n".join(master.cells[k].source for k in range(i) if master.cells[k].cell_type == "code"
                            and TAG_GIVEN in cell_tags(master.cells[k]))
        checks[len(nb.cells)] = i
        nb.cells.append(nbformat.v4.new_code_cell(check_cell_source(master.cells[i].source, given, token)))

    for j, cell in enumerate(submission.cells):
        for i in before.get(j, []):
            add_check(i)
        if cell.get("cell_type") != "code":
            continue
        if cell.get("id") in check_ids or cell.get("source", "").strip() in check_texts:
            continue  # the student's copy of a master check: the master's runs instead
        student_cells[len(nb.cells)] = j
        nb.cells.append(nbformat.v4.new_code_cell(cell.get("source", "")))
    for i in at_end:
        add_check(i)
    return GradedNotebook(nb, checks, student_cells)


def run_notebook(nb: nbformat.NotebookNode, cwd: Path, timeout: float, labels: Sequence[str] = ()) -> str:
    """Run ``nb``'s cells in order in a fresh kernel, all of them within ``timeout`` s; outputs go into ``nb``.

    A cell that raises is recorded (its error is in its outputs) and the next
    runs; when the time is up, or the kernel dies, the run stops there.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook, run in place.
    cwd : pathlib.Path
        The kernel's working folder.
    timeout : float
        The longest time all the cells together may run, s (> 0).
    labels : Sequence[str]
        What to call each cell in the returned reason (default ``"cell N"``).

    Returns
    -------
    str
        Why the run stopped early (``"time limit of 5 s reached in cell 3"``), or ``""``.

    Raises
    ------
    ~dynapse_edu.course.versions.AssignmentError
        If ``timeout`` is not a positive number.

    Examples
    --------
    Starting a kernel takes a few seconds, so this example is not run by the doctests:

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("while True: pass")])
    >>> run_notebook(nb, Path("."), timeout=2)  # doctest: +SKIP
    'time limit of 2 s reached in cell 0'
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    if not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout > 0):
        raise AssignmentError(f"timeout = {timeout!r} s; allowed: a number of seconds > 0")
    client = NotebookClient(nb, kernel_name="python3", allow_errors=True, interrupt_on_timeout=False,
                            shutdown_kernel="immediate", resources={"metadata": {"path": str(cwd)}})
    names = list(labels) + [f"cell {index}" for index in range(len(labels), len(nb.cells))]
    client.reset_execution_trackers()
    with client.setup_kernel():
        deadline = time.monotonic() + timeout
        for index, cell in enumerate(nb.cells):
            left = deadline - time.monotonic()
            if left <= 0:
                return f"time limit of {timeout:g} s reached before {names[index]}"
            client.timeout = max(1, math.ceil(left))
            try:
                client.execute_cell(cell, index)
            except CellTimeoutError:
                return f"time limit of {timeout:g} s reached in {names[index]}"
            except DeadKernelError:
                return f"the kernel died in {names[index]}"
    return ""


def _error_of(cell) -> str:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            value = str(output.get("evalue", "")).strip().splitlines()
            return f"{output.get('ename', 'Error')}: {value[0] if value else ''}".rstrip(": ")
    return ""


def collect(graded: GradedNotebook, token: str) -> tuple[dict[int, list[dict] | None], list[str], list[str]]:
    """What each master check cell recorded, read from its own outputs; the errors; the changed records.

    Only a record on a :data:`REPORT_MARK` line whose signature matches this
    run's secret counts: a record changed on its way out (say, by a student's
    replacement of ``print``) is dropped and named.

    Parameters
    ----------
    graded : GradedNotebook
        The notebook after :func:`run_notebook`.
    token : str
        This run's secret.

    Returns
    -------
    (dict, list of str, list of str)
        Master cell index -> the list of recorded results (dicts of
        :meth:`~dynapse_edu.course.check.CheckResult.as_dict`), or None for a
        check cell that did not run or report; one line per cell that raised;
        one line per record whose signature did not match.

    Examples
    --------
    >>> import nbformat
    >>> record = '[{"question": "q1"}]'
    >>> line = REPORT_MARK + record + " " + sign(record, "T")
    >>> cell = nbformat.v4.new_code_cell("", outputs=[nbformat.v4.new_output("stream", text=line + "\\n")])
    >>> graded = GradedNotebook(nbformat.v4.new_notebook(cells=[cell]), {0: 5}, {})
    >>> collect(graded, "T")
    ({5: [{'question': 'q1'}]}, [], [])
    >>> collect(graded, "another run's secret")
    ({5: None}, [], ['the record of check cell 5 was changed on its way out: not counted'])
    """
    recorded: dict[int, list[dict] | None] = {}
    errors: list[str] = []
    changed: list[str] = []
    for position, cell in enumerate(graded.nb.cells):
        error = _error_of(cell)
        if position in graded.student_cells:
            if error:
                errors.append(f"cell {graded.student_cells[position]} raised {error}")
            continue
        master_index = graded.checks[position]
        found = None
        forged = False
        for output in cell.get("outputs", []):
            for line in str(output.get("text", "")).splitlines():
                if not line.startswith(REPORT_MARK):
                    continue
                record, _, signature = line[len(REPORT_MARK):].rpartition(" ")
                if not hmac.compare_digest(signature, sign(record, token)):
                    forged = True
                    continue
                try:
                    found = json.loads(record)
                except ValueError:
                    found = None
        if forged:
            changed.append(f"the record of check cell {master_index} was changed on its way out: not counted")
            found = None
        recorded[master_index] = found if isinstance(found, list) else None
        if error:
            errors.append(f"check cell {master_index} of the master raised {error}")
    return recorded, errors, changed


@dataclasses.dataclass
class Reference:
    """What the master's checks record in the instructor's run: the questions, their points, each cell's record.

    Attributes
    ----------
    points : dict
        Question -> its points (the largest of its checks').
    cells : dict
        Master check cell index -> the (question, points) pairs it records, in order.
    manual : dict
        Question graded by hand -> its points (:func:`~dynapse_edu.course.versions.manual_questions`).
    """

    points: dict[str, float]
    cells: dict[int, list[tuple[str, float]]]
    manual: dict[str, float] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Outcome:
    """One graded submission: the scores, the errors and the reason for anything unusual.

    Attributes
    ----------
    notebook : str
        The file name.
    scores : dict
        Question -> points scored.
    errors : int
        Cells that raised.
    reason : str
        Why points may be missing beyond wrong answers (unreadable, time limit,
        errors, tampered records, files changed), ``""`` when nothing unusual.
    feedback : list of dict
        Every master check's record (message, right value) for the instructor.
    written : dict
        Hand-graded question -> the student's text (:func:`written_answers`).
    """

    notebook: str
    scores: dict[str, float]
    errors: int
    reason: str
    feedback: list[dict]
    written: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def total(self) -> float:
        """The points scored in all."""
        return float(sum(self.scores.values()))


def score(reference: Reference, recorded: dict[int, list[dict] | None]) -> tuple[dict[str, float], list[str]]:
    """Points per question from the check cells' records; a record that does not match the master's is dropped.

    A check cell must record the (question, points) pairs it records in the
    instructor's run, in order (fewer when it raised part way: the missing
    checks score nothing); a question scores its points when every one of its
    checks ran and passed.

    Parameters
    ----------
    reference : Reference
        The instructor's run.
    recorded : dict
        :func:`collect`'s records.

    Returns
    -------
    (dict, list of str)
        Question -> points scored; and a reason per dropped record.

    Examples
    --------
    >>> ref = Reference({"q1": 2.0}, {4: [("q1", 2.0)]})
    >>> score(ref, {4: [{"question": "q1", "points": 2.0, "passed": True}]})
    ({'q1': 2.0}, [])
    >>> score(ref, {4: [{"question": "q1", "points": 9.0, "passed": True}] * 2})
    ({'q1': 0.0}, ['check cell 4 recorded something else than the master: not counted'])
    """
    passed: dict[str, bool] = dict.fromkeys(reference.points, True)
    reasons: list[str] = []
    for index, expected in reference.cells.items():
        records = recorded.get(index) or []
        signature = [(r.get("question"), _points(r.get("points"))) for r in records]
        if signature != expected[: len(signature)]:
            reasons.append(f"check cell {index} recorded something else than the master: not counted")
            records = []
        done = {record["question"] for record in records}
        for question, _ in expected[len(records):]:
            if question not in done:
                passed[question] = False  # a check that did not run (the cell raised first) scores nothing
        for record in records:
            passed[record["question"]] = passed[record["question"]] and record.get("passed") is True
    return {q: (reference.points[q] if ok else 0.0) for q, ok in passed.items()}, reasons


def _points(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _read(data: bytes):
    nbformat = load_nbformat()
    nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    if not isinstance(nb.get("cells"), list):
        raise ValueError("no list of cells")
    return nb


def grade_one(master, reference: Reference | None, name: str, data: bytes, timeout: float) -> tuple[Outcome, dict]:
    """Grade one submission given as bytes, in its own scratch folder (see the module's docstring).

    Parameters
    ----------
    master : nbformat.NotebookNode
        The master notebook.
    reference : Reference or None
        The instructor's run; None while making it (every record is then accepted).
    name : str
        The notebook's file name.
    data : bytes
        The notebook file's content.
    timeout : float
        The longest time the notebook may run, s.

    Returns
    -------
    (Outcome, dict)
        The outcome, and the raw records per master check cell.

    Examples
    --------
    >>> import nbformat
    >>> outcome, _ = grade_one(nbformat.v4.new_notebook(), Reference({"q1": 1.0}, {}), "x.ipynb", b"{not json", 5)
    >>> outcome.scores, outcome.reason.split(":")[0]
    ({'q1': 0.0}, 'not a readable notebook')
    """
    questions = reference.points if reference is not None else {}
    try:
        submission = _read(data)
    except Exception as err:  # any unreadable file: 0 with the reason, the class goes on
        reason = f"not a readable notebook: {type(err).__name__}: {str(err).strip().splitlines()[0][:200]}"
        return Outcome(name, dict.fromkeys(questions, 0.0), 0, reason, []), {}
    token = "@@" + secrets.token_hex(16) + "@@"
    graded = graded_notebook(master, submission, token)
    scratch = Path(tempfile.mkdtemp(prefix="dynapse-grade-"))
    try:
        (scratch / name).write_bytes(data)
        labels = [f"cell {graded.student_cells[k]}" if k in graded.student_cells
                  else f"check cell {graded.checks[k]} of the master" for k in range(len(graded.nb.cells))]
        stopped = run_notebook(graded.nb, scratch, timeout, labels)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    recorded, errors, changed = collect(graded, token)
    reasons = [stopped] if stopped else []
    reasons += errors + changed
    if reference is None:
        reference = Reference({}, {i: [(r["question"], float(r["points"])) for r in rec]
                                   for i, rec in recorded.items() if rec is not None})
        for rec in reference.cells.values():
            for question, points in rec:
                reference.points[question] = max(points, reference.points.get(question, 0.0))
    scores, dropped = score(reference, recorded)
    feedback = [r | {"cell": i} for i, rec in recorded.items() if rec is not None for r in rec]
    return Outcome(name, scores, len(errors), "; ".join(reasons + dropped), feedback), recorded


def make_reference(master, timeout: float, where: str) -> Reference:
    """Run the instructor version through the grader; every check must pass.

    Parameters
    ----------
    master : nbformat.NotebookNode
        The master notebook.
    timeout : float
        The longest time the instructor version may run, s.
    where : str
        The master's name, for the error message.

    Returns
    -------
    Reference
        The questions, their points, and each check cell's record.

    Raises
    ------
    ~dynapse_edu.course.versions.AssignmentError
        If a check fails, a cell raises, the time runs out or the master has no checks.

    Examples
    --------
    Starting a kernel takes a few seconds, so this example is not run by the doctests:

    >>> import nbformat
    >>> ref = make_reference(nbformat.read("book/assignments/a1_synapse_tau.ipynb", 4), 300, "a1")  # doctest: +SKIP
    >>> ref.points  # doctest: +SKIP
    {'q1 tau measured': 2.0, 'q2 peak': 1.0, 'q3 tau predicted': 2.0}
    """
    nbformat = load_nbformat()
    untagged = untagged_checks(master)
    if untagged:
        raise AssignmentError(f"{where}: cells {untagged} call a check but are not tagged 'check' or 'hidden'")
    instructor = nbformat.writes(make_version(master, student=False)).encode()
    outcome, recorded = grade_one(master, None, "instructor.ipynb", instructor, timeout)
    failed = [r["question"] for r in outcome.feedback if not r["passed"]]
    silent = [i for i, rec in recorded.items() if rec is None]
    if outcome.reason or failed or silent or not recorded:
        raise AssignmentError(f"{where}: the instructor version must run and pass every check within {timeout:g} s; "
                              f"failed {failed}, check cells without a record {silent}, "
                              f"{outcome.reason or 'no errors'}")
    points: dict[str, float] = {}
    cells = {i: [(r["question"], float(r["points"])) for r in rec] for i, rec in recorded.items() if rec is not None}
    for rec in cells.values():
        for question, worth in rec:
            points[question] = max(worth, points.get(question, 0.0))
    return Reference(points, cells, manual_questions(master))


def written_answers(master, submission) -> dict[str, str]:
    """Each hand-graded question's answer text in a submission (empty when not found or not written).

    The answer cell is found by the master's cell id; in a notebook saved
    without ids, as the markdown cell that follows the question's unchanged
    text (the master cell just above the answer cell).

    Parameters
    ----------
    master : nbformat.NotebookNode
        The master notebook.
    submission : nbformat.NotebookNode
        A student's notebook.

    Returns
    -------
    dict
        ``grade_id`` -> the student's text (``""`` for the untouched stub).

    Examples
    --------
    >>> import nbformat
    >>> meta = {"tags": ["solution"], "nbgrader": {"grade": True, "solution": True, "points": 2, "grade_id": "q4"}}
    >>> master = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## Q4: why?"),
    ...                                          nbformat.v4.new_markdown_cell("Model answer.", metadata=meta)])
    >>> student = make_version(master, student=True)
    >>> student.cells[1].source = "Because of the leak."
    >>> written_answers(master, student)
    {'q4': 'Because of the leak.'}
    """
    by_id = {cell.get("id"): cell for cell in submission.cells if cell.get("id")}
    texts = [cell.get("source", "").strip() for cell in submission.cells]
    answers: dict[str, str] = {}
    for i, cell in enumerate(master.cells):
        manual = manual_points(cell)
        if manual is None:
            continue
        found = by_id.get(cell.get("id"))
        if found is None and i > 0 and master.cells[i - 1].source.strip() in texts:
            j = texts.index(master.cells[i - 1].source.strip()) + 1
            found = submission.cells[j] if j < len(submission.cells) else None
        text = found.get("source", "").strip() if found is not None and found.get("cell_type") == "markdown" else ""
        answers[manual[0]] = "" if text == MARKDOWN_STUB else text
    return answers


def _snapshot(paths: Sequence[Path]) -> dict[Path, bytes | None]:
    return {p: (p.read_bytes() if p.is_file() else None) for p in paths}


def _restore(snapshot: dict[Path, bytes | None]) -> list[str]:
    """Put back every file that changed or vanished; the names of those."""
    touched = []
    for path, data in snapshot.items():
        now = path.read_bytes() if path.is_file() else None
        if now != data and data is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            touched.append(path.name)
    return touched


def grade(master_path: Path, submissions: Sequence[Path], out_csv: Path, timeout: float = DEFAULT_TIMEOUT
          ) -> list[dict]:
    """Score each submission of one assignment; write the class CSV and the instructor's feedback CSV.

    Every file is read before the first notebook runs. The CSV has one row per
    submission (``notebook``, the points of each question, ``total``, ``max``,
    ``errors``, ``reason``) and is always written; ``NAME_feedback.csv`` next
    to it has every check's message and right value. With questions graded
    by hand, the class CSV has an empty column ``NAME (by hand, of N)`` for
    each and a ``by hand max`` column, and ``NAME_written.csv`` has every
    student's text (:func:`written_answers`). A submission that
    changed the master or another submission on disk has those files put back
    and says so in its ``reason``.

    Parameters
    ----------
    master_path : pathlib.Path
        The master notebook of the assignment.
    submissions : Sequence[pathlib.Path]
        The students' notebooks.
    out_csv : pathlib.Path
        The CSV to write (its folder is created if missing).
    timeout : float
        The longest time one notebook may run, s (the instructor version too).

    Returns
    -------
    list of dict
        The CSV's rows.

    Raises
    ------
    ~dynapse_edu.course.versions.AssignmentError
        If the master cannot be read, or its instructor version does not run and pass every check
        within ``timeout``.

    Examples
    --------
    >>> grade(Path("no_such_master.ipynb"), [], Path("scores.csv"))
    Traceback (most recent call last):
    ...
    dynapse_edu.course.versions.AssignmentError: no_such_master.ipynb: not a readable master notebook (NotJSONError)

    Each notebook runs in its own kernel (seconds each), so this example is not run by the doctests:

    >>> rows = grade(Path("book/assignments/a1_synapse_tau.ipynb"),
    ...              sorted(Path("submissions").glob("*.ipynb")), Path("scores.csv"), timeout=120)  # doctest: +SKIP
    >>> rows[0]["total"], rows[0]["max"]  # doctest: +SKIP
    (5.0, 5.0)
    """
    nbformat = load_nbformat()
    snapshot = _snapshot([master_path, *submissions])
    try:
        master = nbformat.reads((snapshot[master_path] or b"").decode("utf-8"), as_version=4)
    except Exception as err:  # a missing or broken master: one clear error, before any submission runs
        raise AssignmentError(f"{master_path}: not a readable master notebook ({type(err).__name__})") from err
    reference = make_reference(master, timeout, str(master_path))
    outcomes = []
    for path in submissions:
        data = snapshot[path] if snapshot[path] is not None else b""
        outcome, _ = grade_one(master, reference, path.name, data, timeout)
        if reference.manual:
            try:
                outcome.written = written_answers(master, _read(data))
            except Exception:  # unreadable: grade_one said why; nothing written to show
                outcome.written = dict.fromkeys(reference.manual, "")
        touched = _restore(snapshot)
        if touched:
            note = f"changed files outside its scratch copy (put back): {', '.join(touched)}"
            outcome.reason = "; ".join(filter(None, [outcome.reason, note]))
        outcomes.append(outcome)
    return write(outcomes, reference, out_csv)


def write(outcomes: Sequence[Outcome], reference: Reference, out_csv: Path) -> list[dict]:
    """Write the class CSV, ``NAME_feedback.csv`` and (with hand-graded questions) ``NAME_written.csv``.

    The ``total`` and ``max`` columns are the automatic points; a question
    graded by hand has an empty column to fill in, and ``by hand max`` is their sum.

    Parameters
    ----------
    outcomes : Sequence[Outcome]
        The graded submissions.
    reference : Reference
        The instructor's run (the questions and their points).
    out_csv : pathlib.Path
        The class CSV (its folder is created if missing).

    Returns
    -------
    list of dict
        One row per submission.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "scores.csv"
    >>> rows = write([Outcome("a.ipynb", {"q1": 2.0}, 0, "", [])], Reference({"q1": 2.0}, {}), out)
    >>> out.read_text().splitlines()
    ['notebook,q1,total,max,errors,reason', 'a.ipynb,2.0,2.0,2.0,0,']
    """
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    top = float(sum(reference.points.values()))
    by_hand = {f"{q} (by hand, of {p:g})": "" for q, p in reference.manual.items()}
    if by_hand:
        by_hand["by hand max"] = float(sum(reference.manual.values()))
    rows = [{"notebook": o.notebook, **{q: o.scores.get(q, 0.0) for q in reference.points}, "total": o.total,
             "max": top, **by_hand, "errors": o.errors, "reason": o.reason} for o in outcomes]
    with open(out_csv, "w", newline="") as handle:
        fields = ["notebook", *reference.points, "total", "max", *by_hand, "errors", "reason"]
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    if reference.manual:
        with open(out_csv.with_name(out_csv.stem + "_written.csv"), "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["notebook", "question", "points", "answer"])
            writer.writeheader()
            writer.writerows({"notebook": o.notebook, "question": q, "points": p, "answer": o.written.get(q, "")}
                             for o in outcomes for q, p in reference.manual.items())
    with open(out_csv.with_name(out_csv.stem + "_feedback.csv"), "w", newline="") as handle:
        fields = ["notebook", "cell", "question", "points", "passed", "message", "expected"]
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for o in outcomes:
            writer.writerows({"notebook": o.notebook, **r} for r in o.feedback)
    return rows


__all__ = [
    "DEFAULT_TIMEOUT", "FRESH_MODULES", "REPORT_MARK", "sign", "check_cell_source", "GradedNotebook",
    "graded_notebook", "run_notebook", "collect", "Reference", "Outcome", "score", "grade_one", "make_reference",
    "grade", "write", "written_answers",
]
