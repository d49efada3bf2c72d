"""Sphinx extension: serve MathJax and the ipywidgets HTML manager from the book itself.

A built page of the course must show its maths and its widgets (from their
saved state) without internet access, so the JavaScript that renders them is
copied into ``_static/vendor/`` at build time instead of being loaded from a
CDN (the defaults of Sphinx and myst-nb). The files come from the npm registry
through the ordinary ``npm pack`` client, pinned below, and are cached in
``book/_static/vendor/`` (ignored by git): the first build fetches them, later
builds reuse them.

* MathJax 3 (``tex-mml-chtml.js`` + its CHTML fonts and TeX extensions) for
  Sphinx's ``mathjax_path``;
* RequireJS and ``@jupyter-widgets/html-manager`` 1.x (the manager that matches
  ipywidgets 8) for myst-nb's ``nb_ipywidgets_js``.

Without ``npm`` on the PATH and no cache the build stops with a clear message:
there is deliberately no silent CDN fallback.
"""

from __future__ import annotations

import fnmatch
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError

VENDOR = Path(__file__).resolve().parent.parent / "_static" / "vendor"

#: npm package spec -> (sub-folder of the package to copy, folder under vendor/, what to keep)
PACKAGES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # the combined TeX + MathML -> HTML component, its fonts, the TeX extensions it may load
    # on demand (\require, autoload), the accessibility and menu parts
    "mathjax@3.2.2": ("es5", "mathjax", ("tex-mml-chtml.js", "output", "input", "a11y", "ui", "adaptors")),
    "requirejs@2.3.8": (".", "requirejs", ("require.js", "LICENSE", "README.md")),
    # the AMD embedder, the fonts its CSS refers to, its licence notes
    "@jupyter-widgets/html-manager@1.0.15": ("dist", "html-manager", ("embed-amd.js", "*.woff", "*.woff2", "*.ttf",
                                                                     "*.eot", "*.svg", "*.LICENSE.txt")),
}

MATHJAX = "vendor/mathjax/tex-mml-chtml.js"
REQUIRE = "vendor/requirejs/require.js"
EMBED = "vendor/html-manager/embed-amd.js"


def _fetch(spec: str, subdir: str, target: Path, keep: tuple[str, ...]) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise ExtensionError(
            f"offline_assets: {target} is missing and npm is not installed, so {spec} cannot be fetched. "
            "Install npm (Debian: apt-get install npm) or copy the files there by hand."
        )
    with tempfile.TemporaryDirectory() as tmp:
        try:
            out = subprocess.run(
                [npm, "pack", spec, "--silent", "--pack-destination", tmp],
                check=True, capture_output=True, text=True, timeout=300,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise ExtensionError(f"offline_assets: 'npm pack {spec}' failed: {getattr(exc, 'stderr', exc)}") from exc
        tarball = Path(tmp) / out.stdout.strip().splitlines()[-1]
        with tarfile.open(tarball) as tar:
            try:
                tar.extractall(tmp, filter="data")  # refuses links and paths outside tmp
            except TypeError:  # Python < 3.10.12 has no extraction filters; npm tarballs are plain files
                tar.extractall(tmp)  # noqa: S202
        source = Path(tmp) / "package" / subdir
        staging = target.with_name(target.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for entry in sorted(source.iterdir()):
            if not any(fnmatch.fnmatch(entry.name, pattern) for pattern in keep):
                continue
            if entry.is_dir():
                shutil.copytree(entry, staging / entry.name, ignore=shutil.ignore_patterns("*.map", "*.d.ts", "sre"))
            else:
                shutil.copy2(entry, staging / entry.name)
        staging.rename(target)


def ensure_assets(vendor: Path = VENDOR) -> list[Path]:
    """Fetch every pinned package into ``vendor`` unless already there; return the entry files."""
    for spec, (subdir, name, keep) in PACKAGES.items():
        stamp = vendor / name / ".version"
        wanted = f"{spec} {' '.join(keep)}"
        if not (stamp.is_file() and stamp.read_text().strip() == wanted):
            shutil.rmtree(vendor / name, ignore_errors=True)
            vendor.mkdir(parents=True, exist_ok=True)
            _fetch(spec, subdir, vendor / name, keep)
            stamp.write_text(wanted + "\n")
    entries = [vendor.parent / rel for rel in (MATHJAX, REQUIRE, EMBED)]
    missing = [str(p) for p in entries if not p.is_file()]
    if missing:
        raise ExtensionError(f"offline_assets: expected files are missing after fetching: {missing}")
    return entries


def _configure(app: Sphinx, config: Config) -> None:
    ensure_assets()
    config.mathjax_path = MATHJAX
    # myst-nb loads these on pages with widgets: RequireJS first, then the AMD embed manager.
    # The manager bundles the built-in controls and output widgets (all the book uses); it
    # would reach for a CDN only for third-party widget libraries.
    config.nb_ipywidgets_js = {REQUIRE: {}, EMBED: {}}


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("config-inited", _configure, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
