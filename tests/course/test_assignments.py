"""The course's assignments: instructor versions pass every check, student versions are clean stubs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from conftest import require_ngspice
from nbclient.exceptions import CellExecutionError

from dynapse_edu.course import assign

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
    assert len(MASTERS) >= 2


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_instructor_version_passes_every_check(master):
    nb = nbformat.read(master, as_version=4)
    checks, errors = assign._run_and_collect(assign.make_version(nb, student=False), master.parent, timeout=600)
    assert errors == 0
    assert checks, "the assignment has no checks"
    failed = [c["message"] for c in checks if not c["passed"]]
    assert not failed


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_student_version_runs_to_the_first_stub_and_hides_solutions(master, tmp_path):
    student_path, _ = assign.generate(master, tmp_path)
    text = student_path.read_text()
    for line in assign.solution_text(nbformat.read(master, as_version=4)):
        assert line.strip() not in text, f"solution text in the student version: {line!r}"
    with pytest.raises(CellExecutionError) as info:
        assign.execute(nbformat.read(student_path, as_version=4), master.parent)
    assert info.value.ename == "NotImplementedError"
