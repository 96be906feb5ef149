"""Check in a real browser that the chapters' Explorer sliders redraw their figure in JupyterLab.

Not a pytest test (CI has no browser): a script to run by hand, one chapter at a time.
It copies ``book/`` to a temporary folder, converts every chapter that defines an
``Explorer`` to a ``.ipynb`` next to its ``.md`` (so ``snncore.checks.reference`` finds
``_references/`` as it does from ``book/``), starts ``jupyter lab`` from the project's
venv headless on a free localhost port, and drives headless Chromium with Playwright:
for each chapter it runs all cells (Run > Run All Cells), then for each slider of each
explorer it focuses the slider handle, presses an arrow key once and times the new image
(the ``<img>`` of the explorer's cell output, watched by a MutationObserver), then presses
it ``--presses - 1`` more times in quick succession and waits for the image to change
again. An explorer with a Run button must not redraw on key presses, only on clicking
Run. Errors raised in widget callbacks reach JupyterLab's log console, not the cell, so
the kernel's messages are read from the websocket too; a traceback there fails the
slider. It also notes a figure drawn more than once per update, sliders or outputs
re-created by an update, a readout that hides the change (rounding), and slider tracks
squeezed to less than 60 px.

It prints a table (chapter, explorer, slider, value before→after, changed, redraws, ms
from the key press or Run click to the new image), saves element screenshots of every
explorer before and after its sliders moved, and one of the page per chapter, under
``--out``, and exits non-zero if any slider failed to redraw or raised, a chapter's cells
raised, or an explorer was not found.

Usage (from the repository root)::

    .venv/bin/python tests/browser/lab_widgets.py [--out /tmp/lab_widgets]
        [--presses 3] [--timeout 180] [book/psp-forms.md ...]

Needs, beyond requirements.txt (install by hand; CI does not need it)::

    apt-get install -y chromium      # used as /usr/bin/chromium (see --browser)

or ``.venv/bin/playwright install chromium`` and ``--browser ''`` for Playwright's own
build.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import jupytext

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from chromium import (  # noqa: E402
    DEFAULT_BROWSER,
    PlaywrightError,
    free_port,
    launch,
    missing,
    sync_playwright,
)
from notebooks import is_notebook  # noqa: E402  (tests/notebooks.py: the nbval step's helper)

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
VENV_BIN = Path(sys.executable).parent
TOKEN = "snncore-lab-widgets"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

# Recorder installed in the page: timestamps of key presses and clicks, and every change
# of the explorer image's src (a MutationObserver on the explorer's cell).
RECORDER_JS = """
(cell) => {
  const lw = window.__lw = {keys: [], clicks: [], redraws: [], observer: null};
  const img = () => {
    const imgs = cell.querySelectorAll('.jp-OutputArea img');
    return imgs.length ? imgs[imgs.length - 1].getAttribute('src') : null;
  };
  lw.src = img();
  lw.first = lw.src;
  lw.observer = new MutationObserver(() => {
    const src = img();
    if (src !== lw.src) {
      lw.src = src;
      lw.redraws.push({t: performance.now(),
                       imgs: cell.querySelectorAll('.jp-OutputArea img').length});
    }
  });
  lw.observer.observe(cell, {subtree: true, childList: true, attributes: true,
                             attributeFilter: ['src']});
  if (!window.__lwListeners) {
    window.__lwListeners = true;
    document.addEventListener('keydown', () => window.__lw.keys.push(performance.now()), true);
    document.addEventListener('click', () => window.__lw.clicks.push(performance.now()), true);
  }
  return lw.src ? lw.src.length : 0;
}
"""

RECORDER_STATE_JS = """
() => {
  const lw = window.__lw;
  return {keys: lw.keys, clicks: lw.clicks, redraws: lw.redraws,
          changed: lw.src !== lw.first && lw.src !== null,
          mid_changed: lw.mid !== undefined && lw.src !== lw.mid && lw.src !== null};
}
"""

# The value a noUiSlider holds (the readout may round it).
SLIDER_VALUE_JS = "t => Number(t.noUiSlider.get())"

KERNEL_DONE_JS = """
(ncode) => {
  const ind = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) '
                                     + '.jp-Notebook-ExecutionIndicator');
  if (!ind || ind.getAttribute('data-status') !== 'idle') return false;
  const prompts = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt'))
    .map(e => e.textContent.trim());
  if (ncode === null) return !prompts.some(p => p.includes('*'));
  return prompts.length === ncode && prompts.every(p => /^\\[\\d+\\]:$/.test(p));
}
"""


@dataclass
class ExplorerCell:
    """An explorer of a chapter: the notebook cell that shows it and its slider labels."""

    name: str
    index: int
    labels: list[str]
    run_button: bool


@dataclass
class Row:
    """One line of the result table: one slider of one explorer."""

    chapter: str
    explorer: str
    slider: str
    changed: bool = False
    redraws: str = "0"
    first_ms: float | None = None
    last_ms: float | None = None
    value: str = ""
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True if the figure changed and no error appeared."""
        return self.changed and not self.errors


class KernelLog:
    """Kernel messages seen on the notebook's websocket (errors and stderr).

    Parameters
    ----------
    page : playwright.sync_api.Page
        The page whose kernel websockets are read.
    """

    def __init__(self, page: object) -> None:
        self.messages: list[dict] = []
        page.on("websocket", self._attach)

    def _attach(self, ws: object) -> None:
        if "/api/kernels/" in ws.url and "/channels" in ws.url:
            ws.on("framereceived", self._frame)

    def _frame(self, payload: str | bytes) -> None:
        try:
            if isinstance(payload, bytes):
                from jupyter_server.services.kernels.connection.base import (
                    deserialize_msg_from_ws_v1,
                )

                channel, parts = deserialize_msg_from_ws_v1(payload)
                header, parent, _, content = (json.loads(p) for p in parts[:4])
            else:
                msg = json.loads(payload)
                channel, header = msg.get("channel"), msg["header"]
                parent, content = msg.get("parent_header") or {}, msg.get("content") or {}
        except (ValueError, KeyError, TypeError, IndexError):
            return
        if channel != "iopub":
            return
        kind = header.get("msg_type")
        if kind == "error" or (kind == "stream" and content.get("name") == "stderr"):
            if kind == "error":
                text = "\n".join(content.get("traceback") or
                                 [f"{content.get('ename')}: {content.get('evalue')}"])
            else:
                text = content.get("text", "")
            self.messages.append({"kind": kind, "parent": parent.get("msg_type"),
                                  "text": ANSI.sub("", text)})

    def since(self, start: int) -> list[dict]:
        """Messages recorded after the first ``start`` ones."""
        return self.messages[start:]


def find_chapters(book: Path = BOOK) -> list[Path]:
    """The chapters under ``book`` that create an ``Explorer``.

    Parameters
    ----------
    book : Path
        The book folder.

    Returns
    -------
    list of Path
    """
    found = []
    for path in sorted(book.rglob("*.md")):
        if "_build" in path.parts or path.name.startswith("_"):
            continue
        if "Explorer(" in path.read_text(encoding="utf-8") and is_notebook(path):
            found.append(path)
    return found


def call_name(node: ast.AST) -> str | None:
    """The name of the function a call node calls (``f`` for ``f(...)`` or ``m.f(...)``).

    Parameters
    ----------
    node : ast.AST

    Returns
    -------
    str or None
    """
    if not isinstance(node, ast.Call):
        return None
    return getattr(node.func, "id", getattr(node.func, "attr", None))


def explorer_cells(notebook: object) -> list[ExplorerCell]:
    """The explorers of a notebook: the cell that shows each, its sliders and Run button.

    An explorer is an assignment ``name = Explorer(...)``; its slider labels are the first
    arguments of the ``Slider(...)`` calls inside, and its cell is the one that calls
    ``name.show()``.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        The chapter, as read by jupytext.

    Returns
    -------
    list of ExplorerCell
    """
    code = [(i, c.source) for i, c in enumerate(notebook.cells) if c.cell_type == "code"]
    found = []
    for _, source in code:
        try:
            tree = ast.parse(source)
        except SyntaxError:  # IPython magics: no explorer defined there
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Assign) and call_name(node.value) == "Explorer"
                    and isinstance(node.targets[0], ast.Name)):
                continue
            name = node.targets[0].id
            sliders = sorted((n for n in ast.walk(node.value) if call_name(n) == "Slider"),
                             key=lambda n: (n.lineno, n.col_offset))
            labels = [n.args[0].value if n.args and isinstance(n.args[0], ast.Constant)
                      else "?" for n in sliders]
            run_button = any(k.arg == "run_button" and isinstance(k.value, ast.Constant)
                             and k.value.value is True for k in node.value.keywords)
            show = next((j for j, s in code if re.search(rf"\b{name}\.show\(\)", s)), None)
            if show is not None:
                found.append(ExplorerCell(name, show, labels, run_button))
    return found


def api(base: str, path: str, method: str = "GET") -> object:
    """Call the Jupyter server's REST API and return the decoded JSON (None if empty).

    Parameters
    ----------
    base : str
        The server's URL, ``http://127.0.0.1:PORT``.
    path : str
        The path under ``/api/``.
    method : str
        The HTTP method.

    Returns
    -------
    object
    """
    request = urllib.request.Request(f"{base}/api/{path}", method=method,
                                     headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
    return json.loads(body) if body else None


def prepare(workdir: Path, chapters: list[Path]) -> dict[Path, Path]:
    """Copy the book into ``workdir`` and write each chapter's ``.ipynb`` next to its copy.

    Also writes JupyterLab settings for this run only: every cell stays in the page
    (no windowing, so off-screen outputs are real DOM) and no news or update pop-ups.

    Parameters
    ----------
    workdir : Path
        An empty temporary folder.
    chapters : list of Path
        Chapters under ``book/``.

    Returns
    -------
    dict
        Each chapter mapped to its notebook, relative to the copied book folder.
    """
    book = workdir / "book"
    shutil.copytree(BOOK, book, ignore=shutil.ignore_patterns(
        "_build", ".ipynb_checkpoints", "*.ipynb", "__pycache__"))
    notebooks = {}
    for chapter in chapters:
        rel = chapter.relative_to(BOOK).with_suffix(".ipynb")
        notebook = jupytext.read(chapter)
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                           "language": "python"}
        jupytext.write(notebook, book / rel)
        notebooks[chapter] = rel
    settings = workdir / "settings" / "@jupyterlab"
    for plugin, values in {
        "notebook-extension/tracker": {"windowingMode": "none"},
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    }.items():
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    return notebooks


def start_lab(workdir: Path, port: int, log: Path) -> subprocess.Popen:
    """Start ``jupyter lab`` headless on ``port`` with root ``workdir/book``.

    Parameters
    ----------
    workdir : Path
        The folder made by :func:`prepare`.
    port : int
        A free localhost port.
    log : Path
        Where the server's output goes.

    Returns
    -------
    subprocess.Popen
        The server, once its API answers.
    """
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # a reader's kernel uses the inline backend
    env["JUPYTER_CONFIG_DIR"] = str(workdir / "config")  # no user config
    # The venv's python3 kernel first, ahead of any user kernelspec of that name.
    env["JUPYTER_PATH"] = str(VENV_BIN.parent / "share" / "jupyter")
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    cmd = [str(VENV_BIN / "jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={TOKEN}",
           f"--ServerApp.root_dir={workdir / 'book'}",
           f"--LabApp.user_settings_dir={workdir / 'settings'}",
           f"--LabApp.workspaces_dir={workdir / 'workspaces'}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    with open(log, "w") as out:
        server = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                  cwd=workdir)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {server.returncode}; see {log}")
        try:
            api(base, "status")
            return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError(f"jupyter lab did not answer on port {port} in 120 s; see {log}")


def stop_kernels(base: str) -> None:
    """Shut down every session (and its kernel) of the server.

    Parameters
    ----------
    base : str
        The server's URL.
    """
    try:
        for session in api(base, "sessions") or []:
            api(base, f"sessions/{session['id']}", "DELETE")
        for kernel in api(base, "kernels") or []:
            api(base, f"kernels/{kernel['id']}", "DELETE")
    except (urllib.error.URLError, OSError) as error:
        print(f"  (could not stop kernels: {error})", file=sys.stderr)


def short(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters.

    Parameters
    ----------
    text : str
    width : int

    Returns
    -------
    str
    """
    return text if len(text) <= width else text[:width - 1] + "…"


def slug(text: str) -> str:
    """``text`` made safe for a file name.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")


def wait_kernel(page: object, timeout: float, ncode: int | None = None) -> None:
    """Wait until the notebook's kernel is idle (and, with ``ncode``, every cell has run).

    Parameters
    ----------
    page : playwright.sync_api.Page
    timeout : float
        Seconds.
    ncode : int, optional
        The number of code cells, all of which must show an execution count.
    """
    page.wait_for_function(KERNEL_DONE_JS, arg=ncode, timeout=timeout * 1000, polling=250)


def settle(page: object, timeout: float, after: int, log: KernelLog, start: int) -> bool:
    """Wait for a redraw beyond the first ``after`` ones, then until the kernel is quiet.

    Quiet: idle, and no new image for 700 ms (so that a late second draw is counted).
    An error from the kernel ends the wait at once.

    Parameters
    ----------
    page : playwright.sync_api.Page
    timeout : float
        Seconds to wait for each of the two.
    after : int
        The number of redraws seen before the update.
    log : KernelLog
    start : int
        The number of kernel messages logged before the update.

    Returns
    -------
    bool
        False if no new image came (within ``timeout``, or before an error).
    """
    deadline = time.monotonic() + timeout
    count = "() => window.__lw.redraws.length"
    while page.evaluate(count) <= after:
        if time.monotonic() > deadline or any(
                m["kind"] == "error" for m in log.since(start)):
            return False
        page.wait_for_timeout(100)  # timings are taken in the page, not by this polling
    quiet = ("() => { const r = window.__lw.redraws;"
             " return performance.now() - r[r.length - 1].t > 700; }")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(KERNEL_DONE_JS, None) and page.evaluate(quiet):
            break
        page.wait_for_timeout(200)
    return True


def wait_for_session(page: object, base: str, notebook: Path, timeout: float) -> None:
    """Wait until the notebook has a running, idle kernel, answering a kernel dialog.

    A fresh JupyterLab may ask "Select Kernel" for the first notebook it opens (the
    kernelspecs are not loaded yet); the default choice, the notebook's ``python3``, is
    accepted as a reader would.

    Parameters
    ----------
    page : playwright.sync_api.Page
    base : str
        The server's URL.
    notebook : Path
        The notebook, relative to the server's root.
    timeout : float
        Seconds.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dialog = page.locator(".jp-Dialog")
        if dialog.count() and "Select Kernel" in (dialog.first.text_content() or ""):
            dialog.first.locator(".jp-Dialog-button.jp-mod-accept").click()
        sessions = [s for s in api(base, "sessions") or []
                    if s.get("path") == notebook.as_posix() and s.get("kernel")]
        if sessions and sessions[0]["kernel"].get("execution_state") == "idle" and \
                page.evaluate(KERNEL_DONE_JS, None):
            return
        page.wait_for_timeout(500)
    raise PlaywrightError(f"no idle kernel for {notebook} after {timeout:.0f} s")


def move_slider(page: object, cell: object, row: Row, index: int, explorer: ExplorerCell,
                presses: int, timeout: float, log: KernelLog) -> None:
    """Move one slider of an explorer as a reader would, and fill ``row`` with the outcome.

    First one arrow-key press, timed until the new image appears; then, if ``presses`` is
    more than 1, the other presses in quick succession (the frontend may merge them into
    fewer updates), and the image must change again. An explorer with a Run button must
    not redraw on the key presses, only when Run is clicked (once, after all presses).

    Parameters
    ----------
    page : playwright.sync_api.Page
    cell : playwright.sync_api.Locator
        The explorer's notebook cell.
    row : Row
        Filled in place.
    index : int
        Which slider of the cell.
    explorer : ExplorerCell
    presses : int
        How many arrow-key presses.
    timeout : float
        Seconds to wait for the redraw.
    log : KernelLog
    """
    handle = cell.locator(".widget-slider .noUi-handle").nth(index)
    readout = cell.locator(".widget-slider .widget-readout").nth(index)
    track = cell.locator(".widget-slider .noUi-target").nth(index)
    handle.scroll_into_view_if_needed()
    before, shown = track.evaluate(SLIDER_VALUE_JS), readout.text_content().strip()
    # (aria-valuemin/max are rounded to one decimal: the slider's own range instead)
    low, high = track.evaluate("t => [t.noUiSlider.options.range.min[0] ?? "
                               "t.noUiSlider.options.range.min, "
                               "t.noUiSlider.options.range.max[0] ?? "
                               "t.noUiSlider.options.range.max]")
    key = "ArrowLeft" if high - before < before - low else "ArrowRight"
    width = track.bounding_box()["width"]
    if width < 60:
        row.notes.append(f"slider track only {width:.0f} px wide")
    # Mark the widgets: if an update re-created them, the marks are gone.
    cell.evaluate("c => c.querySelectorAll('.widget-slider').forEach("
                  "e => e.setAttribute('data-lw-mark', '1'))")
    nimg = cell.locator(".jp-OutputArea img").count()
    nout = cell.locator(".jp-OutputArea-child").count()
    cell.evaluate(RECORDER_JS)
    start = len(log.messages)
    handle.focus()
    if explorer.run_button:
        for _ in range(presses):
            page.keyboard.press(key)
        page.wait_for_timeout(1500)
        wait_kernel(page, timeout)
        if page.evaluate(RECORDER_STATE_JS)["redraws"]:
            row.notes.append("redrew before Run was clicked")
        cell.locator("button", has_text="Run").click()
        changed = settle(page, timeout, 0, log, start)
        state = page.evaluate(RECORDER_STATE_JS)
        row.redraws = str(len(state["redraws"]))
        if changed:
            row.first_ms = state["redraws"][0]["t"] - state["clicks"][-1]
        if len(state["redraws"]) > 1:
            row.notes.append(f"{len(state['redraws'])} redraws for one Run")
    else:
        page.keyboard.press(key)
        changed = settle(page, timeout, 0, log, start)
        state = page.evaluate(RECORDER_STATE_JS)
        first = len(state["redraws"])
        if changed:
            row.first_ms = state["redraws"][0]["t"] - state["keys"][0]
        if first > 1:
            row.notes.append(f"figure drawn {first} times for one key press")
        row.redraws = str(first)
        if presses > 1 and changed:
            page.evaluate("() => { window.__lw.mid = window.__lw.src; }")
            handle.focus()
            for _ in range(presses - 1):
                page.keyboard.press(key)
            again = settle(page, timeout, first, log, start)
            state = page.evaluate(RECORDER_STATE_JS)
            row.redraws += f"+{len(state['redraws']) - first}"
            if again and state["mid_changed"]:
                row.last_ms = state["redraws"][-1]["t"] - state["keys"][-1]
            else:
                changed = False
                row.notes.append(f"no redraw after {presses - 1} more presses")
    if not changed:
        row.notes.append("no redraw: error" if log.since(start)
                         else f"no redraw within {timeout:.0f} s")
    page.evaluate("() => window.__lw.observer.disconnect()")
    state = page.evaluate(RECORDER_STATE_JS)
    after, shown_after = track.evaluate(SLIDER_VALUE_JS), readout.text_content().strip()
    row.value = f"{before:g}→{after:g}"
    row.changed = changed and state["changed"]
    if after == before:
        row.notes.append("slider value did not change")
    elif shown_after == shown:
        row.notes.append(f"readout shows {shown} before and after")
    if explorer.run_button:
        bar = cell.locator(".widget-progress .progress-bar")
        if bar.count() and not (bar.first.get_attribute("style") or "").replace(
                " ", "").startswith("width:100%"):
            row.notes.append(f"progress bar left at {bar.first.get_attribute('style')}")
    if cell.locator(".widget-slider[data-lw-mark]").count() != len(explorer.labels):
        row.notes.append("sliders were re-created (whole output re-rendered)")
    if cell.locator(".jp-OutputArea img").count() != nimg:
        row.notes.append(f"images in the cell: {nimg} → "
                         f"{cell.locator('.jp-OutputArea img').count()}")
    if cell.locator(".jp-OutputArea-child").count() != nout:
        row.notes.append(f"outputs in the cell: {nout} → "
                         f"{cell.locator('.jp-OutputArea-child').count()}")
    for message in log.since(start):
        text = f"[{message['kind']} from {message['parent']}]\n{message['text']}"
        if message["kind"] == "error" or "Traceback" in message["text"]:
            row.errors.append(text)
        else:  # a warning on stderr: shown, not a failure
            row.notes.append("stderr: " + short(message["text"].strip().splitlines()[0], 60))
            row.stderr.append(text)
    stderr_outputs = cell.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    if stderr_outputs.count():
        row.errors.append("error output in the cell:\n" + stderr_outputs.last.inner_text())


def check_chapter(browser: object, base: str, chapter: Path, notebook: Path, out: Path,
                  presses: int, timeout: float, cell_timeout: float) -> tuple[list[Row],
                                                                               list[str]]:
    """Open one chapter in JupyterLab, run it, and move every slider of its explorers.

    Parameters
    ----------
    browser : playwright.sync_api.Browser
    base : str
        The server's URL.
    chapter : Path
        The chapter's ``.md``.
    notebook : Path
        Its ``.ipynb``, relative to the server's root.
    out : Path
        Folder for screenshots.
    presses : int
    timeout : float
        Seconds to wait for one redraw.
    cell_timeout : float
        Seconds to wait for all cells to run.

    Returns
    -------
    rows : list of Row
    problems : list of str
        Chapter-level failures (a cell raised, an explorer not found).
    """
    name = chapter.relative_to(BOOK).with_suffix("").as_posix()
    nb = jupytext.read(chapter)
    explorers = explorer_cells(nb)
    ncode = sum(c.cell_type == "code" for c in nb.cells)
    problems: list[str] = []
    rows: list[Row] = []
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    log = KernelLog(page)
    try:
        page.goto(f"{base}/lab/tree/{notebook.as_posix()}?reset&token={TOKEN}")
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=120_000)
        wait_for_session(page, base, notebook, 120)
        # Close the file browser: more room for the notebook in screenshots.
        tab = page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
        if tab.count():
            tab.first.click()
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        started, report = time.monotonic(), 30
        page.wait_for_timeout(1000)
        # Done when every code cell has its execution count, or, after an error (which
        # cancels the cells queued after it), when the kernel is idle again.
        while not page.evaluate(KERNEL_DONE_JS,
                                None if any(m["kind"] == "error" for m in log.messages)
                                else ncode):
            waited = time.monotonic() - started
            if waited > report:
                report += 30
                done = page.evaluate("() => Array.from(document.querySelectorAll("
                                     "'.jp-CodeCell .jp-InputPrompt'))"
                                     ".filter(e => /\\d/.test(e.textContent)).length")
                print(f"  ... {waited:.0f} s, {done} of {ncode} cells done", flush=True)
            if waited > cell_timeout:
                problems.append(f"{name}: cells still running after {cell_timeout:.0f} s")
                break
            page.wait_for_timeout(500)
        seconds = time.monotonic() - started
        errors = [m for m in log.messages if m["kind"] == "error"]
        if errors:
            problems.append(f"{name}: a cell raised while running all cells:\n"
                            + errors[0]["text"])
        print(f"{name}: ran all cells in {seconds:.0f} s", flush=True)
        cells = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell")
        if cells.count() != len(nb.cells):
            problems.append(f"{name}: {cells.count()} cells in the page, "
                            f"{len(nb.cells)} in the notebook")
        for explorer in explorers:
            cell = cells.nth(explorer.index)
            nsliders = cell.locator(".widget-slider .noUi-handle").count()
            if nsliders != len(explorer.labels) or not cell.locator(
                    ".jp-OutputArea img").count():
                problems.append(f"{name}: {explorer.name}: found {nsliders} sliders (expected "
                                f"{len(explorer.labels)}) and "
                                f"{cell.locator('.jp-OutputArea img').count()} images")
                continue
            stem = f"{slug(name)}__{explorer.name}"
            output = cell.locator(".jp-Cell-outputWrapper")
            output.scroll_into_view_if_needed()
            page.wait_for_timeout(300)
            output.screenshot(path=str(out / f"{stem}__before.png"))
            for i, label in enumerate(explorer.labels):
                row = Row(name, explorer.name, label)
                move_slider(page, cell, row, i, explorer, presses, timeout, log)
                rows.append(row)
                print(f"  {explorer.name} / {label}: "
                      f"{'changed' if row.changed else 'NOT changed'}"
                      + (f" in {row.first_ms:.0f} ms" if row.first_ms is not None else "")
                      + f", redraws {row.redraws}"
                      + (f" ({'; '.join(row.notes)})" if row.notes else "")
                      + (" ERROR" if row.errors else ""), flush=True)
            output.scroll_into_view_if_needed()
            page.wait_for_timeout(300)
            output.screenshot(path=str(out / f"{stem}__after.png"))
        page.screenshot(path=str(out / f"{slug(name)}__page.png"))
    except PlaywrightError as error:  # report it and go on with the next chapter
        problems.append(f"{name}: {type(error).__name__}: {error}")
        try:
            page.screenshot(path=str(out / f"{slug(name)}__failure.png"))
        except PlaywrightError:
            pass
    finally:
        context.close()
        stop_kernels(base)
    return rows, problems


def table(rows: list[Row]) -> str:
    """The result table as fixed-width text.

    Parameters
    ----------
    rows : list of Row

    Returns
    -------
    str
    """
    head = ("chapter", "explorer", "slider", "value", "changed", "redraws", "ms 1 key",
            "ms burst", "notes")
    lines = [(r.chapter, r.explorer, short(r.slider, 30), r.value,
              "yes" if r.changed else "NO", str(r.redraws),
              "-" if r.first_ms is None else f"{r.first_ms:.0f}",
              "-" if r.last_ms is None else f"{r.last_ms:.0f}",
              "; ".join(r.notes + (["ERROR (see below)"] if r.errors else [])))
             for r in rows]
    widths = [max(len(x[i]) for x in [head, *lines]) for i in range(len(head))]
    fmt = lambda cols: "  ".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip()
    legend = ("redraws: images after the first key press (or the Run click) + after the "
              "other presses; ms 1 key: from the first key press (or Run click) to the new "
              "image; ms burst: from the last of the other presses to the last image")
    return "\n".join([fmt(head), fmt(["-" * w for w in widths]), *map(fmt, lines), legend])


def main(argv: list[str] | None = None) -> int:
    """Run the check; return the exit status.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 if every slider redrew its figure without error, 1 otherwise.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", type=Path,
                        help="chapters to check (default: every chapter with an Explorer)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/lab_widgets"),
                        help="folder for screenshots (default: %(default)s)")
    parser.add_argument("--presses", type=int, default=3,
                        help="arrow-key presses per slider (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=180,
                        help="seconds to wait for one redraw (default: %(default)s)")
    parser.add_argument("--cell-timeout", type=float, default=900,
                        help="seconds to wait for all cells of a chapter (default: %(default)s)")
    parser.add_argument("--browser", default=DEFAULT_BROWSER,
                        help="Chromium executable; '' for Playwright's own "
                             "(default: %(default)s)")
    parser.add_argument("--headed", action="store_true", help="show the browser window")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (book copy, server log)")
    args = parser.parse_args(argv)

    problem = missing(args.browser)
    if problem:
        print(f"lab_widgets.py: {problem}", file=sys.stderr)
        return 2
    chapters = [p.resolve() for p in args.chapters] if args.chapters else find_chapters()
    if not chapters:
        print("lab_widgets.py: no chapter with an Explorer", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)

    workdir = Path(tempfile.mkdtemp(prefix="lab_widgets_"))
    server = None
    rows: list[Row] = []
    problems: list[str] = []
    try:
        notebooks = prepare(workdir, chapters)
        port = free_port()
        log = workdir / "jupyter-lab.log"
        server = start_lab(workdir, port, log)
        base = f"http://127.0.0.1:{port}"
        print(f"JupyterLab {base} (root {workdir / 'book'}, log {log})", flush=True)
        with sync_playwright() as playwright:
            browser = launch(playwright, args.browser, args.headed)
            print(f"browser: Chromium {browser.version}", flush=True)
            for chapter in chapters:  # one at a time: the machine is small
                chapter_rows, chapter_problems = check_chapter(
                    browser, base, chapter, notebooks[chapter], args.out, args.presses,
                    args.timeout, args.cell_timeout)
                rows += chapter_rows
                problems += chapter_problems
            browser.close()
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print()
    print(table(rows))
    failed = [r for r in rows if not r.ok]
    for row in rows:
        for error in row.errors + row.stderr:
            print(f"\n{row.chapter} / {row.explorer} / {row.slider}:\n{error}")
    for problem in problems:
        print(f"\n{problem}")
    timed = sorted(r.first_ms for r in rows if r.first_ms is not None)
    if timed:
        print(f"\nfirst redraw after the key press (or Run click): median "
              f"{timed[len(timed) // 2]:.0f} ms, range {timed[0]:.0f}-{timed[-1]:.0f} ms")
    print(f"{len(rows) - len(failed)} passed, {len(failed) + len(problems)} failed "
          f"(sliders that redrew / failures); screenshots in {args.out}")
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
