"""The package as a user installs it: an sdist and a wheel that carry the transistor level, one version, one address.

The build test makes both distributions with ``python -m build`` (PyPI reachable, as in CI), installs
the wheel with the ``spice`` extra in a fresh virtual environment outside the repository and, from a
folder that is not the repository, runs one ngspice testbench and the demo there; the sdist is
checked to hold the netlists too.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from conftest import require_ngspice

ROOT = Path(__file__).resolve().parents[1]
#: The installed package's metadata: the version and the project URLs of pyproject.toml.
META = metadata.metadata("dynapse-edu")
URLS = dict(entry.split(", ", 1) for entry in META.get_all("Project-URL"))
NETLISTS = sorted(p.relative_to(ROOT / "circuits").as_posix() for p in (ROOT / "circuits").rglob("*")
                  if p.suffix in (".cir", ".lib"))


def repository_url() -> str:
    """The one repository address: ``repository.url`` of ``_config.yml``."""
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]


def test_one_repository_address_everywhere():
    url = repository_url()
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url), url
    owner, name = url.removeprefix("https://github.com/").split("/")
    urls = URLS
    assert urls["Repository"] == url
    assert urls["Issues"] == f"{url}/issues"
    assert urls["Documentation"] == f"https://{owner}.github.io/{name}/"
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["repository-code"] == url
    # every GitHub address written in the README, the book and the notebooks is this one
    texts = [ROOT / "README.md", *sorted((ROOT / "book").rglob("*.ipynb")), *sorted((ROOT / "book").glob("*.md"))]
    for path in texts:
        for found in re.findall(r"github\.com/([\w.-]+/[\w.-]+?)(?:\.git)?(?=[/\s\"'#@)\]]|$)", path.read_text()):
            assert found == f"{owner}/{name}", f"{path.relative_to(ROOT)} names github.com/{found}, not {url}"
        for found in re.findall(r"([\w-]+)\.github\.io/([\w.-]+)", path.read_text()):
            assert found == (owner, name), f"{path.relative_to(ROOT)} names {found[0]}.github.io/{found[1]}"


def test_the_colab_cell_installs_from_the_repository_address():
    chapter = (ROOT / "book" / "01_welcome.ipynb").read_text()
    assert f"git+{repository_url()}" in chapter


def test_one_version_source():
    import dynapse_edu

    assert "version" not in yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert dynapse_edu.__version__ == META["Version"]
    assert (ROOT / "CHANGELOG.md").is_file()
    assert not re.search(r"__version__\s*=\s*[\"']\d+\.\d+", (ROOT / "dynapse_edu" / "__init__.py").read_text())


@pytest.fixture(scope="module")
def distributions(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return {"wheel": next(out.glob("*.whl")), "sdist": next(out.glob("*.tar.gz"))}


@pytest.mark.slow
def test_the_wheel_and_the_sdist_carry_the_netlists(distributions):
    names = set(zipfile.ZipFile(distributions["wheel"]).namelist())
    assert {f"dynapse_edu/circuits/{n}" for n in NETLISTS} <= names
    with tarfile.open(distributions["sdist"]) as sdist:
        members = {m.name.split("/", 1)[1] for m in sdist.getmembers() if "/" in m.name}
    assert {f"circuits/{n}" for n in NETLISTS} <= members
    assert "tests/data/single_neuron.npz" in members


SMOKE = """
import sys
from pathlib import Path
import dynapse_edu
from dynapse_edu import spice
from dynapse_edu.spice import ngspice
here = Path(dynapse_edu.__file__).resolve()
assert "site-packages" in here.parts, here
run = spice.run("mosfet_tb-dc.cir", cache=False)
print("netlists", len(list(ngspice.CIRCUITS_DIR.glob("*.cir"))), "vectors", len(run.vectors))
print("version", dynapse_edu.__version__)
"""


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_the_distribution_runs_a_testbench_and_the_demo_outside_the_repository(distributions, tmp_path, kind):
    """Installed from the wheel or from the sdist, with the spice extra, in a fresh environment."""
    require_ngspice(f"the installed {kind}'s testbench")
    env_dir = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True, timeout=300)
    python = env_dir / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", f"{distributions[kind]}[spice]"],
                             capture_output=True, text=True, timeout=900, check=False)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    away = tmp_path / "elsewhere"
    away.mkdir()
    smoke = subprocess.run([str(python), "-c", SMOKE], cwd=away, capture_output=True, text=True, timeout=300,
                           check=False)
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr
    assert f"netlists {sum(n.endswith('.cir') and '/' not in n for n in NETLISTS)}" in smoke.stdout
    assert f"version {META['Version']}" in smoke.stdout
    demo = subprocess.run([str(python), "-m", "dynapse_edu.course.demo", "--out", "part1.png"], cwd=away,
                          capture_output=True, text=True, timeout=300, check=False)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert (away / "part1.png").stat().st_size > 10_000
