"""The built book in a real browser: widgets (from saved state) and maths render offline.

Headless Chromium (Debian's ``chromium``) loads two built pages from a local
HTTP server on 127.0.0.1, with every other host made unreachable, runs their
JavaScript and dumps the resulting DOM. The test asserts that MathJax typeset
the equations (``mjx-container`` elements) and that the ipywidgets HTML
manager turned the saved widget state into controls (a slider, its readout,
the output area with the figure). A screenshot of each page is saved under
``_build/browser/`` for people to look at.

Build the book first (``jupyter-book build .``). Without a built book the
test is skipped on a developer's machine and fails in CI (``CI`` set), where
the book is always built before the tests.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import pkgutil
import re
import shutil
import subprocess
import threading
from pathlib import Path

import nbformat
import pytest

import dynapse_edu

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "browser"
PAGES = ("book/02_dpi_synapse.html", "book/07_adaptation.html")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # no internet: every host but the local server fails to resolve
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--virtual-time-budget=20000",
)


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("Chromium is not installed (Debian: apt-get install chromium)")


@pytest.fixture(scope="module")
def server():
    if not (HTML / PAGES[0]).is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{HTML / PAGES[0]} is missing: CI must build the book before this test")
        pytest.skip("the book is not built (run: .venv/bin/jupyter-book build .)")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


def _chromium_run(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    command = [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, url]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_widgets_and_maths_offline(server, page, tmp_path):
    done = _chromium_run(f"{server}/{page}", tmp_path / "profile", "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert "<html" in dom[:500]
    # MathJax 3 typeset the equations: each becomes an mjx-container element
    assert len(re.findall(r"<mjx-container", dom)) >= 5
    # the widget manager rendered the saved state: an interact box with sliders and their readouts
    assert re.search(r'class="[^"]*jupyter-widgets[^"]*widget-interact', dom)
    assert re.search(r'class="[^"]*widget-slider', dom)
    assert re.search(r'class="widget-readout"[^>]*>[^<]+<', dom)
    # ... and its output area holds the figure the panel drew when the book was built
    output = re.search(r'<div class="[^"]*jupyter-widgets[^"]*widget-output', dom)
    assert output, "no rendered output widget"
    assert "<img" in dom[output.start() : output.start() + 20000]
    # nothing was left for a CDN to render
    assert "cdn.jsdelivr.net" not in dom and "cdnjs.cloudflare.com" not in dom

    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / (Path(page).stem + ".png")
    _chromium_run(f"{server}/{page}", tmp_path / "profile2", "--window-size=1280,4000", f"--screenshot={shot}")
    assert shot.is_file() and shot.stat().st_size > 10_000


# --- the notebooks as stored: clean, and every chapter complete ------------------------------------
# These checks need no build and no browser.

BOOK = ROOT / "book"
CHAPTERS = sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))


def _clean_module():
    spec = importlib.util.spec_from_file_location("clean_notebooks", BOOK / "clean_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_clean_keeps_only_checked_outputs():
    clean = _clean_module()
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("print(1)", execution_count=3,
                                  outputs=[nbformat.v4.new_output("stream", text="1\n")]),
        nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(2)", execution_count=4,
                                  outputs=[nbformat.v4.new_output("stream", text="2\n"),
                                           nbformat.v4.new_output("display_data", data={"text/plain": "x"})]),
    ])
    nb.metadata["widgets"] = {"state": {}}
    out = clean.clean(nb)
    assert out.cells[0].outputs == [] and out.cells[0].execution_count is None
    assert [o.text for o in out.cells[1].outputs] == ["2\n"] and out.cells[1].execution_count == 1
    assert "widgets" not in out.metadata


def test_stored_notebooks_are_clean():
    assert CHAPTERS, "no chapter notebooks found"
    assert _clean_module().main(["--check", *map(str, CHAPTERS)]) == 0


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_has_every_part(path):
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "Learning objectives" in markdown
    assert "$$" in markdown  # the equations, displayed
    assert "from dynapse_edu" in code  # code that calls the library
    assert "widgets.explore(" in code  # at least one widget exploration, a thin cell
    assert "{exercise}" in markdown
    solutions = re.findall(r"```\{solution(?:-start)?\}[^\n]*\n:class: dropdown", markdown)
    assert len(solutions) == markdown.count("{exercise}")  # every solution folded by default
    assert "## Summary" in markdown


def test_toc_lists_every_chapter_and_nothing_missing():
    toc = (ROOT / "_toc.yml").read_text()
    listed = re.findall(r"file: (book/\S+)", toc)
    for chapter in CHAPTERS:
        assert f"book/{chapter.stem}" in listed, chapter
    for entry in listed:
        assert any((ROOT / f"{entry}{suffix}").is_file() for suffix in (".md", ".ipynb")), entry


def test_every_module_has_an_api_page():
    """One page per module and layer package: book/api/<dotted path without 'dynapse_edu.', dots as '_'>.md."""
    names = [m.name for m in pkgutil.walk_packages(dynapse_edu.__path__, "dynapse_edu.")
             if not m.name.rsplit(".", 1)[-1].startswith("_")]
    expected = {name.removeprefix("dynapse_edu.").replace(".", "_"): name for name in names}
    pages = {p.stem for p in (BOOK / "api").glob("*.md")}
    missing = sorted(set(expected) - pages)
    assert not missing, f"add book/api/<page>.md (two lines, like the others) for: {[expected[m] for m in missing]}"
    extra = sorted(pages - set(expected))
    assert not extra, f"book/api pages of modules that no longer exist: {extra}"
    for page, module in expected.items():
        assert f".. automodule:: {module}\n" in (BOOK / "api" / f"{page}.md").read_text(), page

