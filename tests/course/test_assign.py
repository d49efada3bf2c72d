"""The assignment generator and grader: versions from small masters built here; grading on the
fixture class in tests/course/fixtures (written by its make_fixtures.py), whose CSV is asserted cell by cell."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from dynapse_edu.course import assign, grading, versions

FIXTURES = Path(__file__).resolve().parent / "fixtures"

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
        nbformat.v4.new_code_cell(CHECK, metadata={"tags": ["check"]}),
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


def test_command_line(tmp_path, capsys):
    master = _master(tmp_path)
    assert assign.main(["generate", str(master), "--out", str(tmp_path / "o")]) == 0
    assert (tmp_path / "o" / "student" / "m.ipynb").exists()
    assert assign.main(["generate", str(tmp_path / "nothing.txt")]) == 2
    assert "neither a folder nor a .ipynb" in capsys.readouterr().err


def test_an_untagged_check_cell_is_named(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell(CHECK)])
    nbformat.write(nb, tmp_path / "untagged.ipynb")
    with pytest.raises(assign.AssignmentError, match=r"cells \[1\] call a check but are not tagged"):
        assign.generate(tmp_path / "untagged.ipynb", tmp_path / "out")


def _positions(graded):
    return [("check", graded.checks[k]) if k in graded.checks else ("student", graded.nb.cells[k].source)
            for k in range(len(graded.nb.cells))]


def test_checks_go_in_the_same_places_with_or_without_cell_ids():
    master = nbformat.read(FIXTURES / "master.ipynb", as_version=4)
    with_ids = nbformat.read(FIXTURES / "submissions" / "correct.ipynb", as_version=4)
    without = nbformat.read(FIXTURES / "submissions" / "no_ids.ipynb", as_version=4)
    assert "id" not in without.cells[0] and without.nbformat_minor == 4
    a, b = grading.graded_notebook(master, with_ids, "T"), grading.graded_notebook(master, without, "T")
    assert _positions(a) == _positions(b)
    checks = [i for i, cell in enumerate(master.cells) if versions.is_check(cell)]
    assert [p[1] for p in _positions(a) if p[0] == "check"] == checks  # every master check, once, in order
    assert _positions(a)[0] == ("student", master.cells[1].source)  # the given cell, as the student has it


def test_a_check_cell_runs_the_masters_check_and_given_code():
    master = nbformat.read(FIXTURES / "master.ipynb", as_version=4)
    edited = nbformat.read(FIXTURES / "submissions" / "edits_check.ipynb", as_version=4)
    graded = grading.graded_notebook(master, edited, "T0K3N")
    q2 = next(cell.source for k, cell in enumerate(graded.nb.cells) if graded.checks.get(k) == 9)
    assert repr(master.cells[9].source) in q2 and "points=100" not in q2
    assert repr(master.cells[1].source) in q2  # the given cell, from the master
    assert all("points=100" not in cell.source for cell in graded.nb.cells)  # the edited copy is dropped


#: What the fixture class scores (make_fixtures.py says what each submission does), and why.
EXPECTED = [
    ("breaks_constraint.ipynb", "0.0", "1.0", "0.0", "1.0", "0", ""),
    ("copies_answer.ipynb", "0.0", "0.0", "0.0", "0.0", "2",
     "check cell 9 of the master raised NotImplementedError: peak of the AMPA current: the answer is still `...`: "
     "replace it with your value; cell 10 raised NotImplementedError: replace this line with your solution"),
    ("correct.ipynb", "2.0", "1.0", "1.0", "4.0", "0", ""),
    ("deletes_others.ipynb", "2.0", "1.0", "1.0", "4.0", "0",
     "changed files outside its scratch copy (put back): master.ipynb, breaks_constraint.ipynb, copies_answer.ipynb, "
     "correct.ipynb, deletes_others.ipynb, edits_check.ipynb, fake_check.ipynb, loops.ipynb, no_ids.ipynb, "
     "not_json.ipynb, raises.ipynb, replaces_check.ipynb"),
    ("edits_check.ipynb", "0.0", "0.0", "0.0", "0.0", "2",
     "cell 4 raised NotImplementedError: replace this line with your solution; "
     "cell 10 raised NotImplementedError: replace this line with your solution"),
    ("fake_check.ipynb", "0.0", "0.0", "0.0", "0.0", "3",
     "cell 4 raised NotImplementedError: replace this line with your solution; check cell 9 of the master raised "
     "NotImplementedError: peak of the AMPA current: the answer is still `...`: replace it with your value; "
     "cell 10 raised NotImplementedError: replace this line with your solution"),
    ("loops.ipynb", "2.0", "0.0", "0.0", "2.0", "0", "time limit of 10 s reached in cell 7"),
    ("no_ids.ipynb", "2.0", "1.0", "1.0", "4.0", "0", ""),
    ("not_json.ipynb", "0.0", "0.0", "0.0", "0.0", "0",
     "not a readable notebook: NotJSONError: Notebook does not appear to be JSON: 'this is not a notebook {'"),
    ("raises.ipynb", "2.0", "1.0", "0.0", "3.0", "2", "cell 6 raised RuntimeError: something went wrong; "
     "cell 11 raised NotImplementedError: replace this line with your solution"),
    ("replaces_check.ipynb", "0.0", "0.0", "0.0", "0.0", "0",
     "; ".join(f"the record of check cell {i} was changed on its way out: not counted" for i in (5, 6, 9, 12))),
]


def test_the_fixture_class_scores_exactly_as_expected(tmp_path, monkeypatch, capsys):
    master = tmp_path / "master.ipynb"
    shutil.copy(FIXTURES / "master.ipynb", master)
    subs = tmp_path / "submissions"
    shutil.copytree(FIXTURES / "submissions", subs)
    (subs / "not_json.ipynb").write_text("this is not a notebook {")
    before = {p.name: p.read_bytes() for p in [master, *subs.iterdir()]}
    monkeypatch.setenv("DYNAPSE_TEST_SUBMISSIONS", str(subs))  # where deletes_others.ipynb looks
    monkeypatch.setenv("DYNAPSE_TEST_MASTER", str(master))
    out = tmp_path / "marks" / "scores.csv"
    assert assign.main(["grade", str(master), str(subs), "--out", str(out), "--timeout", "10"]) == 0
    with open(out, newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["notebook", "q1 tau", "q2 peak", "q3 chip", "total", "max", "errors", "reason"]
    assert [tuple(r[:5] + r[6:]) for r in rows[1:]] == EXPECTED
    assert {r[5] for r in rows[1:]} == {"4.0"}
    assert {p.name: p.read_bytes() for p in [master, *subs.iterdir()]} == before  # everything put back
    assert "correct.ipynb: 4 / 4" in capsys.readouterr().out
    with open(out.with_name("scores_feedback.csv"), newline="") as handle:
        feedback = list(csv.DictReader(handle))
    copied = [f for f in feedback if f["notebook"] == "copies_answer.ipynb" and f["question"] == "q1 tau"]
    assert [f["passed"] for f in copied] == ["True", "False"]  # right on the given trace, wrong on the hidden ones
    assert copied[1]["expected"] and float(copied[1]["expected"]) > 0  # the instructor sees the right value
    assert "ms" in copied[1]["message"] and copied[1]["expected"][:4] not in copied[1]["message"]


def test_grading_needs_an_instructor_version_that_passes(tmp_path):
    master = nbformat.read(FIXTURES / "master.ipynb", as_version=4)
    master.cells[8].source = "peak = 2 * I.max()  # SOLUTION"  # a wrong solution in the master
    with pytest.raises(assign.AssignmentError, match=r"must run and pass every check.*failed \['q2 peak'\]"):
        grading.make_reference(master, 10, "broken master")


def _written_master():
    meta = {"tags": ["solution"], "nbgrader": {"grade": True, "solution": True, "points": 3, "grade_id": "q6 why"}}
    return nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("## Question 6 (written, 3 points): why?", id="q6-text"),
        nbformat.v4.new_markdown_cell("Rubric: the leak.", id="q6-answer", metadata=meta),
        nbformat.v4.new_markdown_cell("## The end", id="end"),
    ])


def test_a_hand_graded_cell_is_a_stub_for_the_student_and_a_column_for_the_instructor(tmp_path):
    master = _written_master()
    assert versions.manual_questions(master) == {"q6 why": 3.0}
    student = assign.make_version(master, student=True)
    assert student.cells[1].source == versions.MARKDOWN_STUB
    assert grading.written_answers(master, student) == {"q6 why": ""}  # the untouched stub is no answer
    student.cells[1].source = "Because the leak sets tau."
    assert grading.written_answers(master, student) == {"q6 why": "Because the leak sets tau."}
    for cell in student.cells:  # saved without cell ids: found after the question's unchanged text
        del cell["id"]
    assert grading.written_answers(master, student) == {"q6 why": "Because the leak sets tau."}
    out = tmp_path / "scores.csv"
    outcome = grading.Outcome("a.ipynb", {"q1": 2.0}, 0, "", [], {"q6 why": "Because the leak sets tau."})
    grading.write([outcome], grading.Reference({"q1": 2.0}, {}, {"q6 why": 3.0}), out)
    assert out.read_text().splitlines() == ['notebook,q1,total,max,"q6 why (by hand, of 3)",by hand max,errors,reason',
                                            "a.ipynb,2.0,2.0,2.0,,3.0,0,"]
    assert out.with_name("scores_written.csv").read_text().splitlines() == [
        "notebook,question,points,answer", "a.ipynb,q6 why,3.0,Because the leak sets tau."]


def test_hand_graded_cells_need_an_id_and_points():
    cell = nbformat.v4.new_markdown_cell("x", metadata={"nbgrader": {"grade": True, "solution": True, "points": 0,
                                                                     "grade_id": "q1"}})
    with pytest.raises(versions.AssignmentError, match="points = 0"):
        versions.manual_points(cell)
    cell.metadata["nbgrader"] |= {"points": 2, "grade_id": ""}
    with pytest.raises(versions.AssignmentError, match="grade_id"):
        versions.manual_points(cell)
    twice = _written_master()
    twice.cells.append(nbformat.v4.new_markdown_cell("again", metadata=twice.cells[1].metadata))
    with pytest.raises(versions.AssignmentError, match="share the grade_id 'q6 why'"):
        versions.manual_questions(twice)
