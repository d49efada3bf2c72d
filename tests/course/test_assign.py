"""The assignment generator and grader, on small fixture notebooks built here."""

from __future__ import annotations

import csv

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from dynapse_edu.course import assign

SOLUTION_BLOCK = """from dynapse_edu.units import pA
### BEGIN SOLUTION
secret_intermediate = 4 * 100
peak = (1 + secret_intermediate) * pA
### END SOLUTION
"""
INLINE = "weight_answer = 2.5  # SOLUTION"
CHECK = """from dynapse_edu.course import check
check.close(peak, 401e-12, "peak", "pA", 1e-12, question="q1", points=2)"""
HIDDEN = """check.close(weight_answer, 2.5, "weight", question="q2", points=1)"""


def _master(tmp_path, name="m.ipynb", extra_cells=()):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Fixture\nQuestion 1: the peak."),
        nbformat.v4.new_code_cell(SOLUTION_BLOCK),
        nbformat.v4.new_code_cell(CHECK),
        nbformat.v4.new_markdown_cell("Explain the jump.", metadata={"tags": ["solution"]}),
        nbformat.v4.new_code_cell(INLINE),
        nbformat.v4.new_code_cell(HIDDEN, metadata={"tags": ["hidden"]}),
        *extra_cells,
    ]
    nb.cells[3].source = "The jump is I_w0 * w * alpha because the secret_intermediate says so."
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="stale output\n")]
    nb.cells[1].execution_count = 7
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def test_student_version_has_stubs_and_no_solution_text(tmp_path):
    student_path, instructor_path = assign.generate(_master(tmp_path), tmp_path / "out")
    student = student_path.read_text()
    for line in assign.solution_text(nbformat.read(tmp_path / "m.ipynb", as_version=4)):
        assert line.strip() not in student, line
    assert "secret_intermediate" not in student
    assert "raise NotImplementedError" in student
    assert "weight_answer = ...  # your answer" in student
    assert "Write your answer here" in student
    assert "weight_answer, 2.5" not in student  # the hidden check is gone
    assert "stale output" not in student
    nb = nbformat.read(student_path, as_version=4)
    assert all(c.execution_count is None for c in nb.cells if c.cell_type == "code")


def test_instructor_version_keeps_solutions_without_markers(tmp_path):
    _, instructor_path = assign.generate(_master(tmp_path), tmp_path / "out")
    text = instructor_path.read_text()
    assert "secret_intermediate = 4 * 100" in text
    assert "weight_answer = 2.5" in text and "# SOLUTION" not in text
    assert assign.BEGIN not in text and assign.END not in text
    assert "weight_answer, 2.5" in text
    assert "stale output" not in text


def test_unbalanced_markers_are_named(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1\n### BEGIN SOLUTION\ny = 2\n")]
    path = tmp_path / "bad.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(assign.AssignmentError, match="cell 0 .*BEGIN SOLUTION without an ### END SOLUTION"):
        assign.generate(path, tmp_path / "out")


def test_out_of_order_master_is_rejected_when_executed(tmp_path):
    """Saved after running cell 2 before cell 1: fine in the author's kernel, broken top to bottom."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print(x + 1)"), nbformat.v4.new_code_cell("x = 41")]
    nb.cells[0].execution_count, nb.cells[1].execution_count = 2, 1
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="42\n")]
    path = tmp_path / "ooo.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(assign.AssignmentError, match="does not run top to bottom.*NameError"):
        assign.generate(path, tmp_path / "out", run=True)
    student, _ = assign.generate(path, tmp_path / "out2")  # without running: versions are written, cleaned
    cells = nbformat.read(student, as_version=4).cells
    assert [c.outputs for c in cells] == [[], []]  # the stale "42" is gone (not: "42" in the text; cell ids are random)
    assert [c.execution_count for c in cells] == [None, None]


def test_student_version_runs_up_to_the_first_stub(tmp_path):
    student_path, _ = assign.generate(_master(tmp_path), tmp_path / "out")
    with pytest.raises(CellExecutionError) as info:
        assign.execute(nbformat.read(student_path, as_version=4), tmp_path)
    assert info.value.ename == "NotImplementedError"


def test_grading_writes_the_expected_csv(tmp_path):
    master = _master(tmp_path)
    student_path, _ = assign.generate(master, tmp_path / "out")
    subs = tmp_path / "subs"
    subs.mkdir()
    template = nbformat.read(student_path, as_version=4)

    def submit(name, peak_code, weight):
        nb = nbformat.read(student_path, as_version=4)
        nb.cells[1].source = template.cells[1].source.replace(assign.STUB, peak_code)
        nb.cells[4].source = f"weight_answer = {weight}" if weight is not None else template.cells[4].source
        nbformat.write(nb, subs / name)

    submit("alice.ipynb", "peak = 401 * pA", 2.5)  # all right
    submit("bob.ipynb", "peak = 300 * pA", 2.5)  # q1 wrong
    submit("carol.ipynb", assign.STUB, None)  # handed in untouched
    rows = assign.grade(master, sorted(subs.glob("*.ipynb")), tmp_path / "scores.csv")
    with open(tmp_path / "scores.csv") as handle:
        table = list(csv.DictReader(handle))
    assert [r["notebook"] for r in table] == ["alice.ipynb", "bob.ipynb", "carol.ipynb"]
    assert [float(r["q1"]) for r in table] == [2.0, 0.0, 0.0]
    assert [float(r["q2"]) for r in table] == [1.0, 1.0, 0.0]
    assert [float(r["total"]) for r in table] == [3.0, 1.0, 0.0]
    assert all(float(r["max"]) == 3.0 for r in table)
    assert rows[0]["errors"] == 0 and rows[2]["errors"] >= 1


def test_command_line(tmp_path, capsys):
    master = _master(tmp_path)
    assert assign.main(["generate", str(master), "--out", str(tmp_path / "o")]) == 0
    assert (tmp_path / "o" / "student" / "m.ipynb").exists()
    assert assign.main(["generate", str(tmp_path / "nothing.txt")]) == 2
    assert "neither a folder nor a .ipynb" in capsys.readouterr().err
