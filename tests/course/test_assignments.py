"""The course's assignments: graded as the instructor's version, every master check passes; the student
versions are clean stubs; every check cell of a master is tagged so that grading takes it from the master."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from conftest import require_ngspice
from nbclient.exceptions import CellExecutionError

from dynapse_edu.course import assign, grading, versions

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
