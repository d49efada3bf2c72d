"""The layers of dynapse_edu are kept: the import contract holds, and it fails when a layer is broken.

The contract itself is ``[tool.importlinter]`` in ``pyproject.toml`` (run by ``make test`` as
``lint-imports``). Two rules it cannot see are checked here on the source: no import inside a
function except the lazy loading of an optional dependency, and no module reading another
module's private (``_name``) names.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "dynapse_edu"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

#: Imports allowed inside functions: optional dependencies (or heavy ones that only some calls need),
#: loaded when first used, so that ``import dynapse_edu`` needs numpy, scipy and matplotlib only.
LAZY = {
    "PySpice": "the ngspice runner's Python binding (extra 'spice')",
    "numba": "the fast engine's compiler (extra 'fast')",
    "tqdm": "progress bars of sweeps (extra 'fast')",
    "ipywidgets": "the book's widgets (extra 'book')",
    "IPython": "display in notebooks (extra 'book')",
    "jupyterquiz": "the chapters' self-check questions (extra 'book')",
    "nbformat": "assignment tools (extra 'assign')",
    "nbclient": "assignment tools (extra 'assign')",
    "matplotlib.pyplot": "pyplot picks a GUI backend when imported: only when a figure is drawn",
}
#: Internal modules loaded lazily because importing them imports an optional dependency.
LAZY_INTERNAL = {
    ("dynapse_edu.engines.registry", "dynapse_edu.engines.fast"): "the fast engine imports numba",
}


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out.append((name, path))
    return out


def absolute(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute name of what ``from ... import`` imports from."""
    if node.level == 0:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def function_imports(module: str, path: Path) -> list[tuple[int, str]]:
    """(line, imported module) of every import statement inside a function of ``path``."""
    tree = ast.parse(path.read_text())
    found = []
    for func in ast.walk(tree):
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.Import):
                found += [(node.lineno, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = absolute(module, path, node)
                found += [(node.lineno, f"{base}.{alias.name}" if base.startswith("dynapse_edu") else base)
                          for alias in node.names]
    return found


def allowed_lazy(module: str, imported: str) -> bool:
    if imported.startswith("dynapse_edu"):
        return any(module == a and (imported == b or imported.startswith(b + ".")) for a, b in LAZY_INTERNAL)
    return any(imported == name or imported.startswith(name + ".") for name in LAZY)


#: Names that start with an underscore but are public by convention (namedtuple's API).
PUBLIC_UNDERSCORE = {"_replace", "_asdict", "_fields", "_make"}


def private_reads(module: str, path: Path) -> list[tuple[int, str]]:
    """(line, what) of every read of another module's ``_private`` name in ``path``.

    Finds ``from x import _y``, ``x._y`` for a dynapse_edu module ``x``, and ``obj._y`` for any
    object but ``self`` and ``cls`` (another class's private state).
    """
    tree = ast.parse(path.read_text())
    internal_names: set[str] = set()  # local names bound to dynapse_edu modules
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = absolute(module, path, node)
            if not base.startswith("dynapse_edu"):
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append((node.lineno, f"from {base} import {alias.name}"))
                if (PACKAGE.parent / (base + "." + alias.name).replace(".", "/")).with_suffix(".py").exists() or (
                    PACKAGE.parent / (base + "." + alias.name).replace(".", "/") / "__init__.py"
                ).exists():
                    internal_names.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("dynapse_edu"):
                    internal_names.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")):
            continue
        if node.attr in PUBLIC_UNDERSCORE:
            continue
        owner = node.value.id if isinstance(node.value, ast.Name) else ast.unparse(node.value)
        if owner in ("self", "cls"):
            continue
        found.append((node.lineno, f"{owner}.{node.attr}"))
    return found


def test_no_function_level_imports_but_optional_dependencies():
    bad = [
        f"{path.relative_to(ROOT)}:{line} imports {imported}"
        for module, path in modules()
        for line, imported in function_imports(module, path)
        if not allowed_lazy(module, imported)
    ]
    assert not bad, "imports inside functions (move them to the top of the module):\n" + "\n".join(bad)


def test_no_module_reads_another_modules_private_names():
    bad = [f"{path.relative_to(ROOT)}:{line}: {what}" for module, path in modules() for line, what in
           private_reads(module, path)]
    assert not bad, "private names read across modules:\n" + "\n".join(bad)


def test_the_source_checks_catch_what_they_look_for(tmp_path):
    """The two source checks above find a function-level import and a private read when there is one."""
    pkg = tmp_path / "dynapse_edu" / "core"
    pkg.mkdir(parents=True)
    bad = pkg / "bad.py"
    bad.write_text(
        "from . import synapse\nfrom .neuron import _hidden\n\n"
        "def f():\n    import scipy.optimize\n    from ..hardware import chip\n    import tqdm\n"
        "    return synapse._table, board._settings\n"
    )
    imports = function_imports("dynapse_edu.core.bad", bad)
    assert [name for _, name in imports] == ["scipy.optimize", "dynapse_edu.hardware.chip", "tqdm"]
    assert [allowed_lazy("dynapse_edu.core.bad", name) for _, name in imports] == [False, False, True]
    reads = [what for _, what in private_reads("dynapse_edu.core.bad", bad)]
    assert "from dynapse_edu.core.neuron import _hidden" in reads
    assert "synapse._table" in reads
    assert "board._settings" in reads


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def copy_of_package(tmp_path_factory):
    if not LINT_IMPORTS.exists():
        pytest.fail(f"import-linter is a test dependency: {LINT_IMPORTS} is missing (pip install -e '.[dev]')")
    where = tmp_path_factory.mktemp("layers")
    shutil.copytree(PACKAGE, where / "dynapse_edu", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", where / "pyproject.toml")
    return where


def test_the_contract_holds(copy_of_package):
    out = lint_imports(copy_of_package)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "broken" not in out.stdout.lower().replace("0 broken", "")


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("core/synapse.py", "from ..hardware import chip", "Layers"),  # a lower layer imports a higher one
        ("hardware/routing.py", "import matplotlib.pyplot", "No plotting"),  # drawing below the course
        ("core/neuron.py", "import numba", "numba only"),  # numba outside the fast engine
        ("experiments.py", "from .course import check", "Nothing in the library imports the course"),
        ("hardware/biasgen.py", "from . import mismatch", "No import cycles"),  # mismatch imports biasgen
    ],
)
def test_the_contract_fails_on_a_wrong_import(copy_of_package, tmp_path, module, line, contract):
    where = tmp_path / "broken"
    shutil.copytree(copy_of_package, where)
    target = where / "dynapse_edu" / module
    text = target.read_text()
    head, sep, tail = text.partition("\nfrom __future__ import annotations\n")
    assert sep, f"{module} has no 'from __future__ import annotations' line to insert after"
    target.write_text(head + sep + line + "  # noqa\n" + tail)
    out = lint_imports(where)
    assert out.returncode != 0, out.stdout
    broken = out.stdout.split("Broken contracts")[-1]
    assert contract in broken, out.stdout
