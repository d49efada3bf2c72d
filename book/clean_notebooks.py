"""Keep the book's notebooks diff-friendly: outputs cleared, except the cells nbval checks.

The notebooks in ``book/`` are the source of the course; git stores them
without outputs, so a diff shows only what a person changed. The exception
are code cells tagged ``nbval-check-output`` (nbval's cell tag, invisible in the
published page, unlike its ``# NBVAL_CHECK_OUTPUT`` comment): their printed
numbers are the reference that ``pytest --nbval-lax book/`` compares a fresh
run against, so they are stored.

    python book/clean_notebooks.py            # clear outputs, keep the checked ones
    python book/clean_notebooks.py --execute  # run each notebook, store fresh checked outputs
    python book/clean_notebooks.py --check    # exit 1 if a notebook is not clean (for CI)

Execution counts (a constant 1 on checked cells: nbval skips unrun ones), widget state and
other run metadata are always removed.
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import nbformat

BOOK = Path(__file__).resolve().parent
TAG = "nbval-check-output"
RUN_METADATA = ("widgets", "execution")


def is_checked(cell: nbformat.NotebookNode) -> bool:
    """True for a code cell whose output nbval compares (tagged ``nbval-check-output``)."""
    return cell.cell_type == "code" and TAG in cell.metadata.get("tags", [])


def clean(nb: nbformat.NotebookNode, executed: nbformat.NotebookNode | None = None) -> nbformat.NotebookNode:
    """Clear outputs and run metadata; checked cells keep their outputs (from ``executed`` if given)."""
    for key in RUN_METADATA:
        nb.metadata.pop(key, None)
    for k, cell in enumerate(nb.cells):
        for key in RUN_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type != "code":
            continue
        cell.execution_count = None
        if is_checked(cell):
            cell.execution_count = 1  # nbval compares only cells that were run; a constant keeps diffs quiet
            outputs = executed.cells[k].outputs if executed is not None else cell.outputs
            cell.outputs = [o for o in outputs if o.output_type == "stream"]
            for output in cell.outputs:
                output.pop("execution_count", None)
        else:
            cell.outputs = []
    return nb


def execute(nb: nbformat.NotebookNode, path: Path) -> nbformat.NotebookNode:
    """Run a copy of ``nb`` in a fresh kernel, in the notebook's folder."""
    from nbclient import NotebookClient

    run = copy.deepcopy(nb)
    client = NotebookClient(run, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: book/*.ipynb")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--execute", action="store_true", help="run the notebooks and store fresh checked outputs")
    group.add_argument("--check", action="store_true", help="only report notebooks that are not clean")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(BOOK.glob("*.ipynb"))
    dirty = []
    for path in paths:
        original = path.read_text()
        nb = nbformat.reads(original, as_version=4)
        executed = execute(nb, path) if args.execute else None
        text = nbformat.writes(clean(nb, executed)) + "\n"
        if text != original:
            dirty.append(path)
            if not args.check:
                path.write_text(text)
    if args.check and dirty:
        print("not clean (run python book/clean_notebooks.py):", *map(str, dirty), sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
