"""The built book in a real browser: every page renders as a reader sees it, offline.

One headless Chromium (Debian's ``chromium``), driven over the DevTools
protocol (a websocket, through tornado, which Jupyter's kernel already
needs), loads every HTML page of the built book from a local HTTP server on
127.0.0.1, with every other host made unreachable. On each page, after its
JavaScript ran (MathJax typeset, the ipywidgets HTML manager rendered the
saved widget state), the test asserts what a reader would see as broken:

* raw Markdown table syntax (``| a | b |``, ``|---|``) in the visible text:
  a table printed instead of rendered;
* a Python traceback (a cell that should show only an error's message);
* an image that did not load;
* an equation MathJax did not typeset (or typeset with an error);
* fewer rendered interactive widgets than the chapter's notebook has
  ``widgets.explore(`` cells, and a widget without its figure;
* a file path of the build machine (``/work/``, ``/root/``, ``/tmp/``,
  ``site-packages``, the repository's own path);
* a script or stylesheet fetched from another host (no CDN: the book works offline).

A screenshot of every page (half size) is saved under ``build/browser/`` for
people to look at.

Build the book first (``jupyter-book build .``). Without a built book the
test is skipped on a developer's machine and fails in CI (``CI`` set), where
the book is always built before the tests.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import http.server
import importlib.util
import json
import os
import pkgutil
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import pytest
from tornado.websocket import websocket_connect  # Jupyter's kernel (ipykernel) depends on tornado

import dynapse_edu

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "build" / "browser"
BOOK = ROOT / "book"
CHAPTERS = sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))
REDIRECT = re.compile(r'<meta http-equiv="Refresh" content="0; url=([^"]+)"', re.IGNORECASE)


def _pages() -> tuple[list[str], list[str]]:
    """Every page of the built book and the redirect pages (index.html); _modules (viewcode's
    source listings), _sources and _static are not pages."""
    if not HTML.is_dir():
        return [], []
    found = sorted(str(path.relative_to(HTML)) for path in HTML.rglob("*.html")
                   if not path.relative_to(HTML).parts[0].startswith("_"))
    redirects = [page for page in found if REDIRECT.search((HTML / page).read_text()[:2000])]
    return [page for page in found if page not in redirects], redirects


PAGES, REDIRECTS = _pages()
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--hide-scrollbars",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--mute-audio",
    # no internet: every host but the local server fails to resolve
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--remote-debugging-port=0",
)
WIDTH = 1280  # CSS pixels: the desktop layout, with the table of contents
SHOT_SCALE = 0.5
SHOT_MAX_HEIGHT = 24000  # CSS pixels; longer pages are cut there
# what a reader must never see: paths of the machine that built the book
MACHINE_PATHS = re.compile(r"/work/|/root/|/tmp/|/home/\w+/|site-packages|" + re.escape(str(ROOT)))
MARKDOWN_TABLE = re.compile(r"\|\s*:?-{3,}:?\s*\||^\s*\|[^\n|]*\|[^\n|]*\|", re.MULTILINE)
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\w*(Error|Exception)\s+Traceback", re.MULTILINE)

# Runs in the page once it has loaded: waits for MathJax and the widgets, then reports what a reader sees.
# Code (cell inputs, code blocks of the text) is hidden while the prose and outputs are read, so that a
# Markdown table or a traceback quoted as code does not count; the paths check reads everything visible.
INSPECT = """
(async (expectedWidgets) => {
  const sleep = ms => new Promise(done => setTimeout(done, ms));
  for (let i = 0; i < 200; i++) {  // MathJax 3: the startup promise resolves after the first typesetting
    const mj = window.MathJax;
    if (!document.querySelector('.math')) break;
    if (mj && mj.startup && mj.startup.promise) { await mj.startup.promise; break; }
    await sleep(50);
  }
  for (let i = 0; i < 200 && document.querySelectorAll('.widget-interact').length < expectedWidgets; i++) {
    await sleep(50);
  }
  const images = [...document.images];
  images.forEach(img => { img.loading = 'eager'; });
  await Promise.all(images.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener('load', done); img.addEventListener('error', done); setTimeout(done, 10000);
  })));
  const article = document.querySelector('article') || document.body;
  const code = [...article.querySelectorAll('.cell_input, div[class*="highlight-"], pre')]
    .filter(el => !el.closest('.cell_output'));
  code.forEach(el => { el.dataset.display = el.style.display; el.style.display = 'none'; });
  const prose = article.innerText;
  code.forEach(el => { el.style.display = el.dataset.display; });
  const maths = [...document.querySelectorAll('.math')];
  const interacts = [...document.querySelectorAll('.widget-interact')];
  return JSON.stringify({
    prose: prose,
    visible: document.body.innerText,
    broken_images: images.filter(img => !(img.complete && img.naturalWidth > 0))
      .map(img => (img.currentSrc || img.src).slice(0, 120)),
    maths: maths.length,
    untypeset: maths.filter(el => !el.querySelector('mjx-container')).map(el => el.textContent.slice(0, 80)),
    math_errors: document.querySelectorAll('mjx-merror').length,
    error_outputs: document.querySelectorAll('.cell_output .traceback, .cell_output .error').length,
    widgets: interacts.length,
    widgets_without_figure: interacts.filter(w => !w.querySelector('.widget-output img')).length,
    foreign: [...document.querySelectorAll('script[src], link[rel="stylesheet"][href]')]
      .map(el => el.src || el.href).filter(url => !url.startsWith(location.origin)),
    height: Math.max(document.documentElement.scrollHeight, document.body.scrollHeight),
  });
})
"""


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("Chromium is not installed (Debian: apt-get install chromium)")


class Browser:
    """One headless Chromium and one tab, driven over the DevTools protocol (commands and their replies)."""

    def __init__(self) -> None:
        self.profile = Path(tempfile.mkdtemp(prefix="book-browser-"))
        self.process = subprocess.Popen(
            [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.is_file() and len(port_file.read_text().splitlines()) >= 2):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                pytest.fail("Chromium did not open its DevTools port")
            time.sleep(0.1)
        port, path = port_file.read_text().splitlines()[:2]
        self.loop = asyncio.new_event_loop()
        self.next_id = 0
        try:
            self.socket = self.loop.run_until_complete(self._connect(f"ws://127.0.0.1:{port}{path}"))
            target = self.command("Target.createTarget", url="about:blank")["targetId"]
            self.session = self.command("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            self.command("Page.enable", session=True)
            self.command("Emulation.setDeviceMetricsOverride", session=True, width=WIDTH, height=900,
                         deviceScaleFactor=1, mobile=False)
        except BaseException:
            self.close()
            raise

    @staticmethod
    async def _connect(url: str):
        return await websocket_connect(url, max_message_size=1 << 30)

    def command(self, method: str, session: bool = False, until: str | None = None, **params) -> dict:
        """Send one command and return its result; with ``until``, also wait for that event of the tab."""
        return self.loop.run_until_complete(asyncio.wait_for(self._command(method, session, until, params), 90))

    async def _command(self, method: str, session: bool, until: str | None, params: dict) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        await self.socket.write_message(json.dumps(message))
        result, seen = None, until is None
        while result is None or not seen:
            raw = await self.socket.read_message()
            if raw is None:
                raise RuntimeError("Chromium closed the DevTools connection")
            reply = json.loads(raw)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result = reply["result"]
            elif until is not None and reply.get("method") == until and reply.get("sessionId") == self.session:
                seen = True
        return result

    def visit(self, url: str, expected_widgets: int) -> dict:
        """Load ``url``, wait for its maths, widgets and images, and report what a reader sees."""
        self.command("Page.navigate", session=True, until="Page.loadEventFired", url=url)
        done = self.command("Runtime.evaluate", session=True, expression=f"{INSPECT}({expected_widgets})",
                            awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in done:
            raise RuntimeError(f"the page inspection failed on {url}: {done['exceptionDetails']}")
        return json.loads(done["result"]["value"])

    def screenshot(self, path: Path, height: int) -> None:
        clip = {"x": 0, "y": 0, "width": WIDTH, "height": min(height, SHOT_MAX_HEIGHT), "scale": SHOT_SCALE}
        shot = self.command("Page.captureScreenshot", session=True, format="png", clip=clip,
                            captureBeyondViewport=True)
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        if getattr(self, "socket", None) is not None:
            self.socket.close()
        if getattr(self, "loop", None) is not None:
            self.loop.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="module")
def server():
    if not PAGES:
        if os.environ.get("CI"):
            pytest.fail(f"{HTML} is missing: CI must build the book before this test")
        pytest.skip("the book is not built (run: .venv/bin/jupyter-book build .)")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser(server):
    chromium = Browser()
    yield chromium
    chromium.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


def _explore_cells(page: str) -> int:
    """How many widgets the page's notebook creates: its code cells that call ``widgets.explore(``."""
    notebook = (ROOT / page).with_suffix(".ipynb")
    if not notebook.is_file():
        return 0
    cells = nbformat.read(notebook, as_version=4).cells
    return sum(1 for c in cells if c.cell_type == "code" and re.search(r"^[^#\n]*widgets\.explore\(", c.source, re.M))


def _excerpt(text: str, match: re.Match) -> str:
    return text[max(0, match.start() - 80) : match.end() + 80].replace("\n", " / ")


def test_every_chapter_is_a_page_and_redirects_lead_to_pages():
    if not PAGES:
        pytest.skip("the book is not built")
    for chapter in CHAPTERS:
        assert f"book/{chapter.stem}.html" in PAGES, chapter
    for page in REDIRECTS:
        target = REDIRECT.search((HTML / page).read_text()[:2000]).group(1)
        assert str(Path(page).parent / target) in PAGES, (page, target)


@pytest.mark.parametrize("page", PAGES or ["(book not built)"])
def test_page_renders_as_a_reader_sees_it(server, browser, page):
    widgets = _explore_cells(page)
    seen = browser.visit(f"{server}/{page}", widgets)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / (page.removesuffix(".html").replace("/", "__") + ".png")
    browser.screenshot(shot, seen["height"])
    assert shot.is_file() and shot.stat().st_size > 5_000

    table = MARKDOWN_TABLE.search(seen["prose"])
    assert table is None, f"raw Markdown table in the text: ...{_excerpt(seen['prose'], table)}..."
    traceback = TRACEBACK.search(seen["prose"])
    assert traceback is None, f"a traceback is shown: ...{_excerpt(seen['prose'], traceback)}..."
    assert seen["error_outputs"] == 0, "a cell shows an error output"
    assert seen["broken_images"] == [], "images that did not load"
    assert seen["untypeset"] == [] and seen["math_errors"] == 0, f"maths not typeset: {seen['untypeset'][:3]}"
    path = MACHINE_PATHS.search(seen["visible"])
    assert path is None, f"a path of the build machine is shown: ...{_excerpt(seen['visible'], path)}..."
    assert seen["foreign"] == [], "scripts or stylesheets from another host (the book must work offline)"
    if page.startswith("book/") and re.match(r"\d\d_", Path(page).name):
        assert seen["maths"] >= 5, "a chapter without typeset equations"
    assert seen["widgets"] >= widgets, f"{widgets} widgets.explore cells in the notebook, {seen['widgets']} rendered"
    assert seen["widgets_without_figure"] == 0, "a widget whose output area has no figure"


# --- the notebooks as stored: clean, and every chapter complete ------------------------------------
# These checks need no build and no browser.


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
        nbformat.v4.new_code_cell("print(2)", execution_count=4, metadata={"tags": ["nbval-check-output"]},
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


def test_no_test_marker_in_the_published_code():
    """nbval's markers are cell tags: a ``# NBVAL_...`` comment would be printed in the page a reader sees."""
    shown = [
        (path.stem, k) for path in CHAPTERS for k, cell in enumerate(nbformat.read(path, as_version=4).cells)
        if "NBVAL_" in cell.source
    ]
    assert shown == []
    checked = sum(_clean_module().is_checked(c) for path in CHAPTERS for c in nbformat.read(path, as_version=4).cells)
    assert checked >= 14, "the chapters' checked outputs (tagged nbval-check-output) are gone"


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

