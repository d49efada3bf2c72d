"""``import dynapse_edu`` needs only numpy, scipy and matplotlib."""

import subprocess
import sys

BLOCKER = """
import sys
OPTIONAL = {"numba", "PySpice", "tqdm", "dask", "distributed", "ipywidgets", "schemdraw", "hypothesis", "pytest",
            "IPython", "llvmlite"}
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in OPTIONAL:
            raise ImportError(f"{name} is blocked: dynapse_edu must import without it")
        return None
sys.meta_path.insert(0, Block())
import dynapse_edu
from dynapse_edu import experiments, plot
print(len(dynapse_edu.__all__))
print(sorted(m for m in sys.modules if m.startswith(("dynapse_edu.course", "dynapse_edu.spice"))))
"""


def test_import_with_only_the_core_dependencies():
    out = subprocess.run([sys.executable, "-c", BLOCKER], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    count, upper = out.stdout.strip().splitlines()
    assert int(count) > 10
    assert upper == "[]", f"import dynapse_edu loads the course or the transistor level: {upper}"
