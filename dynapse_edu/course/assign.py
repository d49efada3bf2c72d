"""Student and instructor versions of assignment notebooks, and grading: the command line.

The markers of a master notebook and the two versions are in
:mod:`dynapse_edu.course.versions`; grading (every check from the master, a
time limit per notebook, a scratch folder per submission) is in
:mod:`dynapse_edu.course.grading`. This module runs a notebook top to bottom
(:func:`execute`), writes the versions (:func:`generate`) and is the command line::

    python -m dynapse_edu.course.assign generate book/assignments --out build/assignments [--execute]
    python -m dynapse_edu.course.assign grade MASTER.ipynb SUBMISSIONS_DIR --out scores.csv [--timeout 300]

The names of :mod:`~dynapse_edu.course.versions` (``make_version``,
``solution_text``, ``AssignmentError``, the markers) are importable from here too.
"""

from __future__ import annotations

import argparse
import copy
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import grading
from .versions import (
    BEGIN,
    END,
    MARKDOWN_STUB,
    STUB,
    TAG_CHECK,
    TAG_GIVEN,
    TAG_HIDDEN,
    TAG_SOLUTION,
    AssignmentError,
    load_nbformat,
    make_version,
    solution_text,
    untagged_checks,
)

if TYPE_CHECKING:  # nbformat is loaded when a notebook is read (extra 'assign')
    import nbformat


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
    ~dynapse_edu.course.versions.AssignmentError
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
    nbformat = load_nbformat()
    master = nbformat.read(master_path, as_version=4)
    nbformat.validator.normalize(master)
    untagged = untagged_checks(master)
    if untagged:
        raise AssignmentError(f"{master_path}: cells {untagged} call a check but are not tagged 'check' or 'hidden': "
                              "grading would not count them")
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


def grade(master_path: Path, submissions: Sequence[Path], out_csv: Path,
          timeout: float = grading.DEFAULT_TIMEOUT) -> list[dict]:
    """Score each submission of one assignment into a CSV: :func:`dynapse_edu.course.grading.grade`.

    Every check comes from the master, each notebook runs in its own scratch
    folder within ``timeout`` s, an unreadable one scores 0 with the reason,
    and the CSV is always written (with ``NAME_feedback.csv`` for the instructor).

    Parameters
    ----------
    master_path : pathlib.Path
        The master notebook of the assignment.
    submissions : Sequence[pathlib.Path]
        The students' notebooks.
    out_csv : pathlib.Path
        The CSV to write (its folder is created if missing).
    timeout : float
        The longest time one notebook may run, s.

    Returns
    -------
    list of dict
        One row per submission: ``notebook``, the points of every question,
        ``total``, ``max``, ``errors`` (cells that raised) and ``reason``.

    Raises
    ------
    ~dynapse_edu.course.versions.AssignmentError
        If the instructor version does not run and pass every check within ``timeout``.

    Examples
    --------
    Each notebook runs in its own kernel (seconds each), so this example is not run by the doctests:

    >>> rows = grade(Path("book/assignments/a1_synapse_tau.ipynb"),
    ...              sorted(Path("submissions").glob("*.ipynb")), Path("scores.csv"))  # doctest: +SKIP
    >>> rows[0]["total"], rows[0]["max"]  # doctest: +SKIP
    (5.0, 5.0)
    """
    return grading.grade(master_path, submissions, out_csv, timeout)


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
        The exit status: 0, or 2 after an :class:`~dynapse_edu.course.versions.AssignmentError` (printed on stderr).

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
    grd.add_argument("--timeout", type=float, default=grading.DEFAULT_TIMEOUT,
                     help=f"longest time one notebook may run, s (default {grading.DEFAULT_TIMEOUT:g})")
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
            rows = grade(args.master, submissions, args.out, args.timeout)
            for row in rows:
                note = f" ({row['reason']})" if row["reason"] else ""
                print(f"{row['notebook']}: {row['total']:g} / {row['max']:g}{note}")
            print(f"scores written to {args.out}")
    except AssignmentError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


__all__ = ["BEGIN", "END", "MARKDOWN_STUB", "STUB", "TAG_CHECK", "TAG_GIVEN", "TAG_HIDDEN", "TAG_SOLUTION",
           "AssignmentError", "make_version", "solution_text", "execute", "generate", "grade", "main"]


if __name__ == "__main__":
    sys.exit(main())
