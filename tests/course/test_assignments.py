"""The course's assignments: graded as the instructor's version, every master check passes; the student
versions are clean stubs; every check cell of a master is tagged so that grading takes it from the master."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import matplotlib
import nbformat
import pytest
from conftest import require_ngspice
from nbclient.exceptions import CellExecutionError

from dynapse_edu import spice
from dynapse_edu.course import assign, check, grading, versions
from dynapse_edu.spice import ngspice

MASTERS = sorted((Path(__file__).resolve().parents[2] / "book" / "assignments").glob("*.ipynb"))


@pytest.fixture(autouse=True)
def _requirements(request):
    """An assignment whose metadata says it needs ngspice: fail in CI without it, skip elsewhere."""
    master = request.node.callspec.params.get("master") if hasattr(request.node, "callspec") else None
    if master is None:
        return
    needs = nbformat.read(master, as_version=4).metadata.get("dynapse_edu", {}).get("requires", [])
    if "ngspice" in needs:
        require_ngspice(master.name)


def test_there_are_assignments():
    assert len(MASTERS) >= 5


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_every_check_is_tagged_and_the_given_cells_are_plain(master):
    nb = nbformat.read(master, as_version=4)
    assert versions.untagged_checks(nb) == []
    assert any(versions.is_check(cell) for cell in nb.cells)
    given = [cell for cell in nb.cells if versions.TAG_GIVEN in versions.cell_tags(cell)]
    assert given, "the checks need the imports: tag the setup cell 'given'"
    for cell in given:  # run again before every check: fast, no plots, no simulations, no solutions
        for slow in ("plt.", "plot.", ".run(", "fi_curve(", "synapse_kernel(", "compare_", "SOLUTION"):
            assert slow not in cell.source, f"a given cell runs before every check: no {slow!r} in it"


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_instructor_version_passes_every_check_and_the_untouched_student_version_scores_nothing(master):
    nb = nbformat.read(master, as_version=4)
    reference = grading.make_reference(nb, timeout=600, where=master.name)
    assert reference.points and all(points > 0 for points in reference.points.values())
    untouched = nbformat.writes(assign.make_version(nb, student=True)).encode()
    outcome, _ = grading.grade_one(nb, reference, "untouched.ipynb", untouched, timeout=600)
    assert outcome.scores == dict.fromkeys(reference.points, 0.0), outcome.feedback


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_student_version_runs_to_the_first_stub_and_hides_solutions(master, tmp_path):
    student_path, _ = assign.generate(master, tmp_path)
    text = student_path.read_text()
    for line in assign.solution_text(nbformat.read(master, as_version=4)):
        assert line.strip() not in text, f"solution text in the student version: {line!r}"
    with pytest.raises(CellExecutionError) as info:
        assign.execute(nbformat.read(student_path, as_version=4), master.parent)
    assert info.value.ename == "NotImplementedError"


# --- the design assignments' fixture submissions (tests/course/fixtures/make_design_fixtures.py) ---------

FIXTURES = Path(__file__).resolve().parent / "fixtures"
_SPEC = importlib.util.spec_from_file_location("make_design_fixtures", FIXTURES / "make_design_fixtures.py")
make_design_fixtures = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(make_design_fixtures)

#: What each fixture submission scores: notebook, the questions' points, total, max, the by-hand columns, errors,
#: reason. The by-hand column is empty (the instructor fills it in); the written text goes to scores_written.csv.
DESIGN_EXPECTED = {
    "a6_pulses_vs_jumps": [
        ["notebook", "q1 rise", "q2 limits", "q3 trains", "q4 transistors", "total", "max",
         "q5 written (by hand, of 3)", "by hand max", "errors", "reason"],
        # q1 right on the visible case only, q2's visible check edited, q3's check function replaced, q4 typed
        # in with a fake check cell of its own: nothing scores
        ["gaming.ipynb", "0.0", "0.0", "0.0", "0.0", "0.0", "12.0", "", "3.0", "0", ""],
        ["right.ipynb", "3.0", "3.0", "3.0", "3.0", "12.0", "12.0", "", "3.0", "0", ""],
        # the linear charge estimate (q1 and q2 wrong: its long-pulse ratio is 1), the trains swapped (q3),
        # the transistor part right
        ["wrong.ipynb", "0.0", "0.0", "0.0", "3.0", "3.0", "12.0", "", "3.0", "0", ""],
    ],
    "a7_winner_take_all": [
        ["notebook", "q1 contrast", "q2 winner take all", "q3 CAM budget", "total", "max",
         "q4 design justification (by hand, of 4)", "by hand max", "errors", "reason"],
        # the input's factor typed in (q1), a design that adds an input to A and a visible check edited to
        # pass anything (q2: "inputs were added"); the CAM count of its own design is right (q3)
        ["gaming.ipynb", "0.0", "0.0", "2.0", "2.0", "9.0", "", "4.0", "0", ""],
        ["right.ipynb", "1.0", "6.0", "2.0", "9.0", "9.0", "", "4.0", "0", ""],
        # q1 right; a shared inhibitory pool: the winner stays below 20 Hz; its CAM count misses the pool's 64
        ["wrong.ipynb", "1.0", "0.0", "0.0", "1.0", "9.0", "", "4.0", "0", ""],
    ],
}


@pytest.mark.parametrize("name", list(DESIGN_EXPECTED))
def test_the_stored_design_fixtures_are_those_of_the_current_masters(name):
    for file, nb in make_design_fixtures.submissions(name).items():
        stored = nbformat.read(FIXTURES / name / file, as_version=4)
        assert [(c.get("id"), c.source) for c in stored.cells] == [(c.get("id"), c.source) for c in nb.cells], (
            f"{name}/{file} is out of date: run tests/course/fixtures/make_design_fixtures.py")


@pytest.mark.parametrize("name", list(DESIGN_EXPECTED))
def test_design_fixtures_score_as_expected(name, tmp_path):
    master = MASTERS[0].parent / f"{name}.ipynb"
    if "ngspice" in nbformat.read(master, as_version=4).metadata.get("dynapse_edu", {}).get("requires", []):
        require_ngspice(master.name)
    out = tmp_path / "scores.csv"
    assert assign.main(["grade", str(master), str(FIXTURES / name), "--out", str(out), "--timeout", "300"]) == 0
    with open(out, newline="") as handle:
        assert list(csv.reader(handle)) == DESIGN_EXPECTED[name]
    question = next(c for c in DESIGN_EXPECTED[name][0] if "(by hand" in c).split(" (by hand")[0]
    with open(out.with_name("scores_written.csv"), newline="") as handle:
        written = {(row["notebook"], row["question"]): row["answer"] for row in csv.DictReader(handle)}
    right = nbformat.read(FIXTURES / name / "right.ipynb", as_version=4).cells[-1].source
    assert written[("right.ipynb", question)] == right  # the student's text, for the instructor
    assert written[("wrong.ipynb", question)] == ""  # the untouched stub is no answer


def test_a6_without_ngspice_skips_the_transistor_part_with_the_reason(monkeypatch, capsys):
    """The instructor version of a6 runs top to bottom without ngspice: question 4 says it is skipped, its check
    records 0 points with the reason, every other check passes."""
    matplotlib.use("Agg")
    monkeypatch.setattr(spice, "available", lambda: False)
    monkeypatch.setattr(ngspice, "available", lambda: False)
    monkeypatch.setattr(ngspice, "run", lambda *args, **kwargs: pytest.fail("ngspice must not run"))
    instructor = assign.make_version(nbformat.read(MASTERS[0].parent / "a6_pulses_vs_jumps.ipynb", as_version=4),
                                     student=False)
    check.reset()
    namespace: dict = {}
    for cell in instructor.cells:
        if cell.cell_type == "code":
            exec(cell.source, namespace)
    records = check.reset()
    assert "question 4 (the transistor part) is skipped" in capsys.readouterr().out
    failed = [r for r in records if not r.passed]
    assert [r.question for r in failed] == ["q4 transistors"]
    assert "ngspice is not installed here: the transistor part is skipped (0 points)" in failed[0].message
