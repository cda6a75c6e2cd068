"""Open the course in a real JupyterLab in a real browser (Debian's Chromium driven by Playwright).

:class:`Lab` starts JupyterLab from the running environment on a free loopback port with a generated
token and throw-away settings, workspace and runtime directories, serving a *copy* of the repository
(so running a notebook never rewrites a committed file), and stops it -- server, kernels and all --
whatever happens. :func:`check_notebook` opens one notebook the way a learner does, runs every cell and
reports everything a learner would see go wrong; :func:`drag_sliders` moves the sliders of the live
figures and times the repaint.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / ".browser-artifacts"
#: Where the measurements go: the tracked ``benchmarks/results.json`` only when asked for
#: (``make test-browser RECORD=1``, i.e. ``COURSE_BROWSER_RECORD=1``); otherwise a git-ignored file, so
#: that running the tests leaves the checkout as it was.
RESULTS = (ROOT / "benchmarks" / "results.json" if os.environ.get("COURSE_BROWSER_RECORD") == "1"
           else ARTIFACTS / "results.json")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]
VIEWPORT = {"width": 1400, "height": 1000}

# A dragged slider's figure must change within this many seconds: in the notebooks that must have
# a live slider (and the fixtures), and in the others, whose explorers may train a model per move.
REPAINT_S = float(os.environ.get("COURSE_BROWSER_REPAINT_S", 1.0))
REPAINT_OPTIONAL_S = float(os.environ.get("COURSE_BROWSER_REPAINT_OPTIONAL_S", 5.0))

# Settings a learner's JupyterLab would have, minus what needs the internet or hides cells:
# no news or update checks, no autosave (we never want a browser run to write a notebook), and every
# cell kept in the DOM so every output can be inspected.
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}

# Console errors and failed requests that are not a learner-visible fault: regular expressions matched
# against the whole console message / the URL of a 404. With JupyterLab 4.6, ipywidgets 8.1 and ipympl
# 0.10 a clean run of the course logs no error and gets no 404, so both are empty. If a new version
# brings harmless noise, add the narrowest pattern that matches it, with the reason, here.
HARMLESS_CONSOLE = []
HARMLESS_404 = []


def device_scale():
    """The screen's pixels per CSS pixel for the course's pages: ``COURSE_BROWSER_SCALE`` (default 1)."""
    value = os.environ.get("COURSE_BROWSER_SCALE", "1")
    try:
        scale = float(value)
    except ValueError:
        scale = float("nan")
    if not 0.5 <= scale <= 4:
        raise ValueError(f"COURSE_BROWSER_SCALE must be a number from 0.5 to 4, got {value!r}")
    return scale


# Latencies and run times gathered by the tests (conftest.py reports and saves them at the end).
MEASURED = {"notebooks": {}, "fixture": {}, "notes": [], "machine": None}   # machine: set when the results are written


def measurement(report):
    """The entry of one notebook in the "browser" section of the results."""
    return {"run_s": round(report.run_seconds, 2), "slider_latency_ms": report.latencies_ms,
            "slider_first_drag_ms": report.first_latencies_ms, "slider_timed_drags": report.timed_drags,
            "slider_picture_arrived_ms": report.arrivals_ms, "device_scale": device_scale(),
            "loadavg_1min": round(os.getloadavg()[0], 2), "date": time.strftime("%Y-%m-%d %H:%M")}

# Shorthand used by every JavaScript snippet: the current notebook panel.
_PANEL_JS = "const app = window.jupyterapp; const panel = app.shell.currentWidget;"


# ----------------------------------------------------------------------------------------------- server
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _descendants(pid):
    """Process ids below ``pid`` (Linux /proc), deepest last -- kernels run in their own sessions."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _copy_repository(dest):
    """What a learner has after cloning: the repository without its environment, caches and artifacts."""
    ignore = shutil.ignore_patterns(".git", ".venv", ".browser-artifacts", "__pycache__", ".pytest_cache",
                                    ".hypothesis", ".ipynb_checkpoints", "*.egg-info", "node_modules")
    shutil.copytree(ROOT, dest, ignore=ignore, symlinks=True)


class Lab:
    """A JupyterLab server for one test session; use as a context manager (it always stops)."""

    def __init__(self, python=sys.executable, startup_timeout=90):
        self.python, self.startup_timeout = python, startup_timeout
        self.proc, self.tmp = None, None

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="course-browser-"))
        self.root = self.tmp / "course"
        _copy_repository(self.root)
        settings = self.tmp / "settings"
        for name, values in SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        for d in ("workspaces", "runtime", "config", "data", "ipython"):
            (self.tmp / d).mkdir()
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("JUPYTER", "MPLBACKEND", "IPYTHONDIR", "PYTHONSTARTUP"))}
        env.update(JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTERLAB_WORKSPACES_DIR=str(self.tmp / "workspaces"),
                   JUPYTER_RUNTIME_DIR=str(self.tmp / "runtime"), JUPYTER_CONFIG_DIR=str(self.tmp / "config"),
                   JUPYTER_DATA_DIR=str(self.tmp / "data"), IPYTHONDIR=str(self.tmp / "ipython"),
                   PYTHONUNBUFFERED="1")
        self.port, self.token = free_port(), secrets.token_hex(24)
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [self.python, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
               f"--ServerApp.root_dir={self.root}", "--LabApp.expose_app_in_browser=True",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--ServerApp.terminals_enabled=False"]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        self.log_path = self.tmp / "jupyterlab.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, cwd=self.root, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        atexit.register(self.stop)
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.proc.returncode}:\n{self.log_tail()}")
            try:
                self.api("GET", "/api/status")
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not answer within {self.startup_timeout} s:\n"
                                       f"{self.log_tail()}") from None
                time.sleep(0.2)

    def log_tail(self, lines=40):
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def api(self, method, path, timeout=10):
        req = urllib.request.Request(self.url + path, method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            body = r.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self):
        """Stop every kernel (each notebook gets a fresh one; none keeps running in the background)."""
        with contextlib.suppress(OSError):
            for session in self.api("GET", "/api/sessions"):
                with contextlib.suppress(OSError):
                    self.api("DELETE", f"/api/sessions/{session['id']}")
            for kernel in self.api("GET", "/api/kernels"):
                with contextlib.suppress(OSError):
                    self.api("DELETE", f"/api/kernels/{kernel['id']}")

    def stop(self):
        """Stop the server and everything it started; idempotent, safe from atexit."""
        proc, self.proc = self.proc, None
        if proc is not None:
            if proc.poll() is None:
                self.shutdown_kernels()
                stragglers = _descendants(proc.pid)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(5)
                for pid in stragglers:  # kernels live in their own process groups
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(pid, signal.SIGKILL)
            self._log.close()
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def notebook_url(self, relpath):
        # `reset` starts from an empty workspace, so only this notebook opens.
        return f"{self.url}/lab/tree/{relpath}?reset&token={self.token}"


# ---------------------------------------------------------------------------------------------- browser
def launch_browser(playwright):
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium) "
                           "or set CHROMIUM=/path/to/chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)


@dataclass
class Report:
    """What a learner would have seen go wrong in one notebook, plus the measurements taken."""

    notebook: str
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    #: Per slider: the median drag -> repaint latency of its timed drags (see :data:`TIMED_DRAGS`).
    latencies_ms: dict = field(default_factory=dict)
    #: Per slider: the latency of its first drag that changed the picture (cold caches included).
    first_latencies_ms: dict = field(default_factory=dict)
    #: Per slider: how many of its drags were timed (at most :data:`TIMED_DRAGS`).
    timed_drags: dict = field(default_factory=dict)
    #: For a figure shown as an image or a course figure: when its new picture or frame arrived in the median
    #: drag, ms after that drag began; the rest of its latency is the browser painting it.
    arrivals_ms: dict = field(default_factory=dict)
    run_seconds: float = float("nan")
    screenshot: str = ""

    @property
    def ok(self):
        return not self.problems

    def fail(self, message):
        self.problems.append(message)

    def summary(self):
        lines = [f"{self.notebook}: {len(self.problems)} problem(s)"]
        lines += [f"  - {p}" for p in self.problems]
        if self.screenshot:
            lines.append(f"  screenshot: {self.screenshot}")
        return "\n".join(lines)


class ConsoleWatch:
    """Collect uncaught page errors, console errors and failed requests of a page."""

    def __init__(self, page):
        self.errors = []
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught exception: {exc}"))
        page.on("console", self._console)
        page.on("response", self._response)
        page.on("requestfailed", lambda req: self.errors.append(
            f"request failed: {req.method} {req.url} ({req.failure})") if not _is_teardown(req) else None)

    def _console(self, msg):
        if msg.type != "error":
            return
        text = msg.text
        if any(re.fullmatch(p, text) for p in HARMLESS_CONSOLE):
            return
        self.errors.append(f"console error: {text}")

    def _response(self, response):
        if response.status >= 400:
            url = response.url.split("?")[0]
            if response.status == 404 and any(re.fullmatch(p, url) for p in HARMLESS_404):
                return
            self.errors.append(f"HTTP {response.status} for {response.request.method} {url}")


def _is_teardown(request):
    # Requests cut short when we close the page (kernel websockets, polling) are not failures.
    return request.failure in ("net::ERR_ABORTED",)


def _wait_js(page, expression, timeout_s, what, arg=None):
    try:
        page.wait_for_function(expression, arg=arg, timeout=timeout_s * 1000, polling=100)
    except Exception as err:  # playwright TimeoutError
        raise TimeoutError(f"timed out after {timeout_s} s waiting for {what}") from err


#: The notebook metadata every course notebook carries: without a kernelspec JupyterLab asks which kernel to use.
KERNEL_METADATA = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}


def write_notebook(lab, name, sources):
    """A notebook of one code cell per source in ``sources``, written as ``name`` into the served copy of the
    course (``lab.root``); returns ``name``."""
    import nbformat

    nb = nbformat.v4.new_notebook(metadata=KERNEL_METADATA,
                                  cells=[nbformat.v4.new_code_cell(source) for source in sources])
    nbformat.write(nb, str(lab.root / name))
    return name


def open_notebook(page, lab, relpath, timeout_s=60):
    """Navigate to a notebook and wait until its kernel is ready; a blocking dialog is a failure."""
    page.goto(lab.notebook_url(relpath), wait_until="domcontentloaded", timeout=timeout_s * 1000)
    _wait_js(page, "() => window.jupyterapp !== undefined", timeout_s, "JupyterLab to load")
    page.evaluate("async () => { await window.jupyterapp.started; await window.jupyterapp.restored; }")
    _wait_js(page, f"""(path) => {{
        const w = window.jupyterapp.shell.currentWidget;
        return (w && w.context && w.context.path === path && w.content && w.content.model)
            || document.querySelector('.jp-Dialog') !== null;
    }}""", timeout_s, f"{relpath} to open", arg=relpath)
    dialog = page.query_selector(".jp-Dialog")
    if dialog is not None:
        raise AssertionError(f"a dialog blocks the notebook: {dialog.inner_text()[:300]!r} "
                             "(is the kernelspec metadata missing?)")
    _wait_js(page, f"""() => {{ {_PANEL_JS}
        const k = panel.sessionContext.session && panel.sessionContext.session.kernel;
        return panel.sessionContext.isReady && k && k.status === 'idle'
            || document.querySelector('.jp-Dialog') !== null;
    }}""", timeout_s, "the kernel to start")
    dialog = page.query_selector(".jp-Dialog")
    if dialog is not None:
        raise AssertionError(f"a dialog blocks the notebook: {dialog.inner_text()[:300]!r}")
    # Remember if the kernel dies or restarts from now on (it may be back to idle before we look).
    page.evaluate(f"""() => {{ {_PANEL_JS}
        window.__courseKernelEvents = [];
        panel.sessionContext.statusChanged.connect((_, status) => {{
            if (['dead', 'restarting', 'autorestarting'].includes(status))
                window.__courseKernelEvents.push(status);
        }}); }}""")


def run_all(page, timeout_s):
    """Run every cell (the Run > Run All Cells command) and wait until the kernel is idle."""
    start = time.monotonic()
    page.evaluate("() => { window.__courseRunAll = window.jupyterapp.commands.execute('notebook:run-all-cells')"
                  ".then(ok => { window.__courseRunAllDone = {ok}; },"
                  "      err => { window.__courseRunAllDone = {ok: false, error: String(err)}; }); }")
    _wait_js(page, f"""() => {{ {_PANEL_JS}
        const k = panel.sessionContext.session && panel.sessionContext.session.kernel;
        if (window.__courseKernelEvents.length) return true;
        if (!window.__courseRunAllDone) return false;
        if (!k || k.status !== 'idle') return false;
        const cells = panel.content.model.cells;
        for (let i = 0; i < cells.length; i++) {{
            const c = cells.get(i);
            if (c.type === 'code' && c.executionState === 'running') return false;
        }}
        return true;
    }}""", timeout_s, "Run All Cells to finish and the kernel to be idle")
    events = page.evaluate("() => window.__courseKernelEvents")
    if events:
        raise AssertionError(f"the kernel died while running the notebook (status: {', '.join(events)})")
    return time.monotonic() - start


def cell_states(page):
    """Per code cell: index, first source line, outputs (as nbformat JSON) and widget-render status."""
    return page.evaluate(f"""() => {{ {_PANEL_JS}
        const out = [];
        panel.content.widgets.forEach((cell, i) => {{
            if (cell.model.type !== 'code') return;
            // One .jp-OutputArea-child per output of the model, in order.
            const children = [...cell.outputArea.node.children].filter(
                n => n.classList.contains('jp-OutputArea-child'));
            const outputs = cell.model.outputs.toJSON();
            const nodes = [];
            outputs.forEach((o, k) => {{
                if (!(o.data && o.data['application/vnd.jupyter.widget-view+json'])) return;
                const n = children[k] && children[k].querySelector('.jp-OutputArea-output');
                nodes.push(n || null);
            }});
            out.push({{
                index: i,
                source: cell.model.sharedModel.getSource().split('\\n').find(l => l.trim()) || '',
                executionCount: cell.model.executionCount,
                outputs,
                widgets: nodes.map(n => {{
                    if (n === null) return null;
                    const r = n.getBoundingClientRect();
                    return {{text: n.innerText.slice(0, 300), width: r.width, height: r.height,
                             views: n.querySelectorAll('.jupyter-widgets, .widget-box, .jupyter-matplotlib').length}};
                }}),
                text: cell.node.innerText.slice(0, 5000),
            }});
        }});
        return out;
    }}""")


WIDGET_ERRORS = re.compile(r"Error displaying widget|Model not found|model not found|Could not create (a )?view",
                           re.I)


def inspect_outputs(report, cells):
    for cell in cells:
        where = f"cell {cell['index']} ({cell['source'][:60]!r})"
        if cell["executionCount"] is None:
            report.fail(f"{where} did not run")
        for out in cell["outputs"]:
            if out.get("output_type") == "error":
                tb = "\n".join(re.sub(r"\x1b\[[0-9;]*m", "", line) for line in out.get("traceback", [])[-3:])
                report.fail(f"{where} raised {out.get('ename')}: {out.get('evalue')}\n{tb}")
            elif out.get("output_type") == "stream" and out.get("name") == "stderr":
                report.notes.append(f"{where} wrote to stderr: {''.join(out.get('text', ''))[:200]!r}")
        for w in cell["widgets"]:
            if w is None:
                report.fail(f"{where}: a widget output was not rendered at all")
            elif WIDGET_ERRORS.search(w["text"]):
                report.fail(f"{where}: widget shows {w['text'].strip()[:200]!r}")
            elif w["views"] == 0 or w["width"] == 0 or w["height"] == 0:
                report.fail(f"{where}: widget output is empty ({w['width']:.0f}x{w['height']:.0f} px)")
        match = WIDGET_ERRORS.search(cell["text"])
        if match and not any(w and WIDGET_ERRORS.search(w["text"]) for w in cell["widgets"]):
            report.fail(f"{where}: output shows {match.group(0)!r}")


#: How long after Run All every canvas may take to show its first picture. The browser asks for each
#: first draw only when it shows the canvas, and those requests wait behind every queued cell; on two
#: CPUs shared with Chromium and JupyterLab, 15 s once proved too short for notebook 04's three explorers.
FIRST_PAINT_S = 30


#: The pictures of image widgets in an output.
IMAGE_FIGURES = ".jp-OutputArea-output img.widget-image"
#: Figures drawn on a canvas: ipympl's, and the course's explorers' (course_lib.figure_view).
CANVAS_FIGURES = ".jupyter-matplotlib-canvas-div canvas:first-child, canvas.course-figure"


def wait_figures_drawn(page, timeout_s=FIRST_PAINT_S):
    """Wait until every figure is painted: each ipympl canvas non-blank, each image widget's picture
    decoded; returns how many are still blank."""
    # A canvas whose figure never told the browser its size (still 0 x 0) counts as blank, if its output
    # is shown: a learner would see an empty figure there.
    js = """() => {
        const shown = (n) => { const r = n.closest('.jp-OutputArea-output').getBoundingClientRect();
                               return r.width > 0 && r.height > 0; };
        const canvases = [...document.querySelectorAll('""" + CANVAS_FIGURES + """')]
            .filter(shown)
            .filter(c => { if (!c.width || !c.height) return true;
                           const ctx = c.getContext('2d');
                           const d = ctx.getImageData(0, 0, c.width, c.height).data;
                           for (let i = 3; i < d.length; i += 4 * 97) if (d[i] !== 0) return false;
                           return true; });
        const images = [...document.querySelectorAll('""" + IMAGE_FIGURES + """')]
            .filter(shown).filter(i => !i.complete || !i.naturalWidth);
        return canvases.length + images.length; }"""
    deadline = time.monotonic() + timeout_s
    while True:
        blank = page.evaluate(js)
        if blank == 0 or time.monotonic() > deadline:
            return blank
        time.sleep(0.2)


def wait_widgets_rendered(page, timeout_s=15):
    """Wait until every widget output of the model has a rendered view (or shows an error)."""
    with contextlib.suppress(TimeoutError):
        _wait_js(page, f"""() => {{ {_PANEL_JS}
            return panel.content.widgets.every(cell => {{
                if (cell.model.type !== 'code') return true;
                const children = [...cell.outputArea.node.children].filter(
                    n => n.classList.contains('jp-OutputArea-child'));
                return cell.model.outputs.toJSON().every((o, k) => {{
                    if (!(o.data && o.data['application/vnd.jupyter.widget-view+json'])) return true;
                    const n = children[k];
                    return n && (n.querySelector('.jupyter-widgets, .widget-box, .jupyter-matplotlib')
                                 || /Error displaying widget/i.test(n.innerText));
                }});
            }}); }}""", timeout_s, "the widgets to render")


def check_notebook(page, lab, relpath, *, run_timeout_s=120, drag=False, drag_limit=6, screenshot_dir=None):
    """Open ``relpath`` (relative to the repository), run all cells, inspect what a learner sees.

    Returns a :class:`Report`. ``drag``: ``"required"`` drags three sliders per figure (the first,
    a middle and the last; up to ``drag_limit`` in all; :func:`drag_sliders`), the figure must respond
    within ``REPAINT_S``, and a notebook without such a slider fails; ``True`` drags one slider per
    figure (a middle one, up to 3; the figure must respond within ``REPAINT_OPTIONAL_S`` and change) if there
    are any; ``False`` does not drag.
    """
    report = Report(relpath)
    watch = ConsoleWatch(page)
    with _reporting(page, report, watch, screenshot_dir):
        open_notebook(page, lab, relpath)
        # What a learner sees before running anything: the committed outputs (widgets included).
        page.wait_for_timeout(500)
        saved = page.evaluate(f"() => {{ {_PANEL_JS} return panel.content.node.innerText; }}")
        match = WIDGET_ERRORS.search(saved)
        if match:
            report.fail(f"on opening, before running: the saved outputs show {match.group(0)!r} "
                        "(commit the notebook executed with its widget state, e.g. by nbconvert --execute)")
        load_errors = list(watch.errors)
        report.run_seconds = run_all(page, run_timeout_s)
        wait_widgets_rendered(page)
        blank = wait_figures_drawn(page)
        if blank:
            report.fail(f"{blank} figure(s) still blank {FIRST_PAINT_S} s after the run")
        inspect_outputs(report, cell_states(page))
        if drag == "required":
            drag_sliders(page, report, limit=drag_limit, within_s=REPAINT_S, per_cell=3)
        elif drag:  # enough to show every explorer responds, without trying all of its sliders
            drag_sliders(page, report, limit=min(drag_limit, 3), within_s=REPAINT_OPTIONAL_S, required=False,
                         per_cell=1)
        # Give late asynchronous errors (comm messages, widget views) a moment to surface.
        page.wait_for_timeout(300)
        for err in watch.errors:
            report.fail(("while opening: " if err in load_errors else "") + err)
    return report


@contextlib.contextmanager
def _reporting(page, report, watch, screenshot_dir):
    """Any exception in the block becomes a problem of ``report`` (with the page's errors so far);
    a screenshot is taken into ``screenshot_dir`` (if given) whatever happens."""
    try:
        yield
    except Exception as err:  # noqa: BLE001 -- any failure is reported with the notebook's name
        report.fail(f"{type(err).__name__}: {err}")
        report.problems.extend(e for e in watch.errors if e not in report.problems)
    finally:
        if screenshot_dir is not None:
            _screenshot(page, report, screenshot_dir)


#: Problems that only say something came too late (the figure did not repaint or was not painted in
#: time), as opposed to something a learner sees go wrong whatever the wait (an error, a broken widget).
LATE = re.compile(r"did not respond within|still blank|changed its figure within")


def only_late(report):
    """True if ``report`` failed, and only because a figure answered too late (see :data:`LATE`)."""
    return bool(report.problems) and all(LATE.search(p) for p in report.problems)


def _screenshot(page, report, directory):
    with contextlib.suppress(Exception):
        Path(directory).mkdir(parents=True, exist_ok=True)
        shot = Path(directory) / (report.notebook.replace("/", "__").removesuffix(".ipynb") + ".png")
        page.screenshot(path=str(shot))
        report.screenshot = str(shot.relative_to(ROOT) if shot.is_relative_to(ROOT) else shot)


# ------------------------------------------------------------------------------------------------ sliders
_HOOK_JS = r"""
() => {
    // Wrap the 2-D canvas calls that paint images: record the time of the last draw, and let the
    // drag measurement look at each draw as it happens.
    if (window.__courseHooked) return;
    window.__courseHooked = true;
    for (const name of ['drawImage', 'putImageData']) {
        const orig = CanvasRenderingContext2D.prototype[name];
        CanvasRenderingContext2D.prototype[name] = function (...args) {
            const r = orig.apply(this, args);
            window.__courseLastDraw = performance.now();
            if (window.__courseDragHook) window.__courseDragHook(this.canvas);
            return r;
        };
    }
}
"""

_INSTRUMENT_JS = r"""
(cellIndex) => {
    const panel = window.jupyterapp.shell.currentWidget;
    const cellNode = panel.content.widgets[cellIndex].node;
    const hash = (c) => {
        if (!c.width || !c.height) return -1;          // not sized yet: no picture
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let h = 2166136261;
        for (let i = 0; i < d.length; i += 1) h = Math.imul(h ^ d[i], 16777619);
        return h >>> 0;
    };
    const targets = () => [...cellNode.querySelectorAll('""" + CANVAS_FIGURES + r"""')];
    const images = () => [...cellNode.querySelectorAll('.jp-OutputArea-output img')];
    const strHash = (str) => {
        let h = 2166136261;
        for (let i = 0; i < str.length; i += 1) h = Math.imul(h ^ str.charCodeAt(i), 16777619);
        return h >>> 0;
    };
    const snapshot = () => targets().map(hash).concat(images().map(i => strHash(i.src)));
    const base = JSON.stringify(snapshot());
    const state = window.__courseDrag = {t0: null, t1: null, tDraw: null, tAnswered: null, tSrc: null,
                                         decoding: false};
    const changed = () => JSON.stringify(snapshot()) !== base;
    const check = () => {
        const now = performance.now();      // before the comparison, whose hashing is not the page's work
        if (state.t0 === null || state.t1 !== null || state.decoding || !changed()) return;
        // A canvas changed when its new picture is drawn on it; an image when its new picture is
        // decoded (ready for the next frame, as a canvas drawn on is), not when its source is set.
        const fresh = images().filter(i => !i.complete || i.dataset.courseSeen !== i.src);
        if (!fresh.length) { state.t1 = now; return; }
        state.decoding = true;
        Promise.all(fresh.map(i => i.decode().catch(() => null))).then(() => {
            state.t1 = performance.now(); state.decoding = false; });
    };
    images().forEach(i => { i.dataset.courseSeen = i.src; });
    // When a new picture arrives: the moment an image's source is set (the rest is decoding it), or a
    // course figure (course_lib.figure_view) stamps the arrival of a new frame (the rest is decoding its
    // background, if it has a new one, and painting).
    const arrivals = new MutationObserver((records) => {
        if (state.t0 === null || state.tSrc !== null) return;
        if (records.some(r => r.attributeName === 'data-received') || changed()) state.tSrc = performance.now(); });
    images().forEach(i => arrivals.observe(i, {attributes: true, attributeFilter: ['src']}));
    targets().filter(c => c.classList.contains('course-figure'))
        .forEach(c => arrivals.observe(c, {attributes: true, attributeFilter: ['data-received']}));
    // An image whose picture a move leaves as it was is not sent again: the move was answered when the
    // kernel, busy with it, is idle again (the counterpart of a canvas redrawn with the same pixels).
    let busy = false;
    const onStatus = (_, status) => {
        if (state.t0 === null) return;
        if (status === 'busy') busy = true;
        else if (status === 'idle' && busy && state.tAnswered === null) state.tAnswered = performance.now();
    };
    panel.sessionContext.statusChanged.connect(onStatus);
    // Exact time of the first repaint: the canvas draw calls ipympl uses are hooked (_HOOK_JS) ...
    const canvases = new Set(targets());
    state.canvases = canvases.size;
    window.__courseDragHook = (c) => {
        if (!canvases.has(c)) return;
        if (state.t0 !== null && state.tDraw === null) state.tDraw = performance.now();
        check();
    };
    // ... and poll every frame for anything else (an <img> fallback re-rendered on release).
    const poll = () => { check(); if (state.t1 === null && window.__courseDrag === state) requestAnimationFrame(poll); };
    requestAnimationFrame(poll);
    const onInput = (e) => {
        if (state.t0 === null && (e.type !== 'pointermove' || e.buttons) ) state.t0 = performance.now();
    };
    for (const type of ['pointermove', 'pointerup', 'keydown'])
        document.addEventListener(type, onInput, {capture: true, once: false});
    state.remove = () => { for (const type of ['pointermove', 'pointerup', 'keydown'])
        document.removeEventListener(type, onInput, {capture: true});
        panel.sessionContext.statusChanged.disconnect(onStatus); arrivals.disconnect(); };
    return targets().length + images().length;
}
"""


def slider_targets(page):
    """Sliders whose cell output also holds a figure: (cell index, slider index in cell, label)."""
    return page.evaluate(f"""() => {{ {_PANEL_JS}
        const out = [];
        panel.content.widgets.forEach((cell, i) => {{
            if (cell.model.type !== 'code') return;
            const figures = cell.node.querySelectorAll(
                '{CANVAS_FIGURES}, .jp-OutputArea-output img').length;
            if (!figures) return;
            cell.node.querySelectorAll('.widget-slider').forEach((s, j) => {{
                const handle = s.querySelector('.noUi-handle');
                const disabled = s.querySelector('[disabled]') || (handle && handle.hasAttribute('disabled'));
                if (!handle || disabled) return;
                const label = (s.querySelector('.widget-label') || {{}}).innerText || `slider ${{j}}`;
                out.push({{cell: i, slider: j, label: label.trim()}});
            }});
        }});
        return out;
    }}""")


def _kernel_idle(page, timeout_s=30):
    _wait_js(page, f"""() => {{ {_PANEL_JS}
        const k = panel.sessionContext.session && panel.sessionContext.session.kernel;
        return k && k.status === 'idle'; }}""", timeout_s, "the kernel to be idle")


def _settle(page, quiet_ms=300, timeout_s=30):
    """Wait until the kernel is idle and no canvas has been drawn for ``quiet_ms`` (earlier moves are done).

    ipympl's ``draw_idle`` goes kernel -> browser -> kernel -> browser, with the kernel briefly
    idle in between, so an idle kernel alone does not mean the last repaint has arrived.
    """
    page.evaluate(_HOOK_JS)
    page.evaluate(f"""() => {{ {_PANEL_JS}
        if (window.__courseBusyHooked === panel) return;
        window.__courseBusyHooked = panel;
        window.__courseLastBusy = performance.now();
        panel.sessionContext.statusChanged.connect((_, status) => {{
            if (status !== 'idle') window.__courseLastBusy = performance.now(); }});
        panel.sessionContext.iopubMessage.connect(() => {{ window.__courseLastBusy = performance.now(); }});
    }}""")
    _wait_js(page, f"""() => {{ {_PANEL_JS}
        const k = panel.sessionContext.session && panel.sessionContext.session.kernel;
        const now = performance.now();
        return k && k.status === 'idle' && now - (window.__courseLastDraw || 0) > {quiet_ms}
            && now - window.__courseLastBusy > {quiet_ms}; }}""", timeout_s, "the figures to settle")


#: Drags of one slider before "the figure did not respond" is a failure. A first move may pay for a
#: cache miss; and one CI run on a loaded two-CPU machine saw two drags of a slider of notebook 07 go
#: unanswered for 5 s each, where five reruns answered them in 0.1-0.4 s. A broken slider never
#: responds, however often it is dragged (tests/browser/test_harness.py shows that it fails).
DRAG_ATTEMPTS = 3


def _readout(slider):
    readout = slider.locator(".widget-readout")
    return readout.first.inner_text() if readout.count() else ""


def _drag_once(page, cell, slider, within_s, toward=None, fraction=0.25):
    """Drag ``slider`` by ``fraction`` of its track; returns what happened within ``within_s`` seconds.

    ``toward``: +1 (right, or down) or -1; by default towards the middle of the track. ``t0``: first
    pointer move of the drag; ``t1``: first canvas draw (or image update) that left the figure
    different; ``tDraw``: first draw of the figure's canvas at all (times in ms, page clock); ``toward``:
    the direction it went.
    """
    handle, track = slider.locator(".noUi-handle").first, slider.locator(".noUi-base").first
    handle.scroll_into_view_if_needed()
    _settle(page)
    before = _readout(slider)
    if not page.evaluate(_INSTRUMENT_JS, cell):
        return None
    for _ in range(10):  # press where the handle is now (wait out anything still moving the page)
        hb, tb = handle.bounding_box(), track.bounding_box()
        x, y = hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2
        if page.evaluate("([x, y, h]) => h.contains(document.elementFromPoint(x, y))",
                         [x, y, handle.element_handle()]):
            break
        page.wait_for_timeout(200)
        handle.scroll_into_view_if_needed()
    if tb["height"] > tb["width"]:  # a vertical slider
        toward = toward or (-1 if y > tb["y"] + tb["height"] / 2 else 1)
        dx, dy = 0.0, toward * max(20.0, fraction * tb["height"])
    else:
        toward = toward or (-1 if x > tb["x"] + tb["width"] / 2 else 1)
        dx, dy = toward * max(20.0, fraction * tb["width"]), 0.0
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y + dy, steps=4)
    page.mouse.up()
    _wait_js(page, f"() => window.__courseDrag.t1 !== null || (window.__courseDrag.t0 !== null && "
                   f"performance.now() - window.__courseDrag.t0 > {within_s * 1000})",
             within_s + 5, "the drag to reach the page")
    state = page.evaluate("() => { const s = window.__courseDrag; s.remove(); window.__courseDragHook = null;"
                          " return {t0: s.t0, t1: s.t1, tSrc: s.tSrc, tDraw: s.tDraw === null && !s.canvases"
                          " ? s.tAnswered : s.tDraw}; }")
    state["moved"] = f"value {before} -> {_readout(slider)}" if before else "slider moved"
    state["toward"] = toward
    for k in ("t1", "tDraw"):  # what happened after the deadline (while we were looking) is too late
        if state["t0"] is None or (state[k] is not None and state[k] - state["t0"] > within_s * 1000):
            state[k] = None
    return state


#: How many drags of each slider are timed: its latency is their median. One drag on a shared two-core
#: machine measures that moment's load as much as the figure (in one run a slider answered in 116 ms
#: whose next drags took 40 ms); the first drag's latency is reported beside the median. The later
#: drags go on in the first one's direction, an eighth of the track each, so that every drag asks for
#: values the figure has not shown yet (going back would be answered from the explorers' caches).
TIMED_DRAGS = 3

#: Further sliders of a figure tried when none of those chosen changed its picture (a move may leave a
#: figure as it was, e.g. a learning rate on a plateau); only if none of them changes it either, it fails.
MORE_SLIDERS = 4


def drag_sliders(page, report, limit=12, within_s=1.0, required=True, per_cell=None):
    """Drag the sliders that drive a figure and time the figure's response.

    For each slider (at most ``per_cell`` per cell, spread over its sliders; ``limit`` in all) the
    figure must respond within ``within_s`` s: its pixels change (the latency from the first pointer
    move to that repaint is timed; the slider is then dragged until :data:`TIMED_DRAGS` drags have been
    made, going on in the same direction, and the median latency of those that changed the picture goes
    to ``report.latencies_ms``, the first one's to ``report.first_latencies_ms``), or at least it is repainted (a move that
    leaves the picture as it was, e.g. more steps of a run that has converged: noted, not a
    failure; for a figure shown as an image, which is then not sent again, the kernel having handled
    the move counts as that repaint). A slider whose figure does not respond in time is dragged again,
    up to ``DRAG_ATTEMPTS`` times in all (a first move may pay for a cache miss); no response to any of
    them is a failure. Each figure must change: if none of its chosen sliders changed it, up to
    ``MORE_SLIDERS`` others of that figure are dragged, and it fails if none of them changes it either.
    With ``required``, a notebook without any slider next to a figure fails.
    """
    found = slider_targets(page)
    if not found:
        if required:
            report.fail("no slider next to a figure to drag")
        return
    by_cell = {}
    for t in found:
        by_cell.setdefault(t["cell"], []).append(t)
    targets = []
    for sliders in by_cell.values():  # spread over each figure's sliders: first, ..., last
        k = len(sliders) if per_cell is None else min(per_cell, len(sliders))
        picks = sorted({round(i * (len(sliders) - 1) / (k - 1)) for i in range(k)} if k > 1
                       else {(len(sliders) - 1) // 2})
        targets += [sliders[i] for i in picks]
    targets = targets[:limit]
    seen, changed_cells = {}, set()
    for t in targets:
        if _drag_slider(page, report, t, seen, within_s):
            changed_cells.add(t["cell"])
    dragged = len(targets)
    for cell in sorted({t["cell"] for t in targets} - changed_cells):
        others = [t for t in by_cell[cell] if t not in targets][:MORE_SLIDERS]
        for t in others:
            dragged += 1
            if _drag_slider(page, report, t, seen, within_s):
                changed_cells.add(cell)
                break
        tried = sum(1 for t in targets if t["cell"] == cell) + len(others)
        if cell in changed_cells:
            report.notes.append(f"cell {cell}: its figure changed only for another of its sliders")
        else:
            report.fail(f"cell {cell}: none of the {tried} dragged slider(s) changed its figure within "
                        f"{within_s:g} s")
    if dragged < len(found):
        report.notes.append(f"dragged {dragged} of {len(found)} sliders")
    _settle(page)


def _drag_slider(page, report, t, seen, within_s):
    """Drag one slider (up to ``DRAG_ATTEMPTS`` times until its figure responds); True if the picture changed."""
    key = f"cell {t['cell']}: {t['label']}"
    seen[key] = seen.get(key, 0) + 1
    key += f" #{seen[key]}" if seen[key] > 1 else ""
    slider = page.locator(f".jp-Notebook .jp-Cell >> nth={t['cell']}").locator(".widget-slider").nth(t["slider"])
    attempts = []
    for _ in range(DRAG_ATTEMPTS):
        state = _drag_once(page, t["cell"], slider, within_s)
        if state is None:
            report.fail(f"{key}: no figure found in the cell")
            return False
        attempts.append(state)
        if state["t0"] is not None and (state["t1"] is not None or state["tDraw"] is not None):
            break
    else:
        if attempts[-1]["t0"] is None:
            report.fail(f"{key}: the drag never reached the page")
        else:
            report.fail(f"{key}: figure did not respond within {within_s:g} s of the drag, "
                        f"{len(attempts)} times ({'; then '.join(a['moved'] for a in attempts)})")
        return False
    if len(attempts) > 1:
        report.notes.append(f"{key}: {len(attempts) - 1} drag(s) got no repaint within {within_s:g} s "
                            f"({'; '.join(a['moved'] for a in attempts[:-1])}), drag {len(attempts)} did")
    if state["t1"] is None:
        report.notes.append(f"{key}: repainted after {state['tDraw'] - state['t0']:.0f} ms but the picture "
                            f"did not change ({state['moved']})")
        return False
    timed = [state]
    for _ in range(TIMED_DRAGS - 1):        # not timed: drags that leave the picture as it was (at a track's end)
        again = _drag_once(page, t["cell"], slider, within_s, toward=state["toward"], fraction=0.125)
        if again is not None and again["t0"] is not None and again["t1"] is not None:
            timed.append(again)
    # The median drag (the slower middle one of an even number), whose latency and arrival are reported
    # together, so that the two parts add up.
    middle = sorted(timed, key=lambda s: s["t1"] - s["t0"])[len(timed) // 2]
    report.first_latencies_ms[key] = round(state["t1"] - state["t0"], 1)
    report.latencies_ms[key] = round(middle["t1"] - middle["t0"], 1)
    report.timed_drags[key] = len(timed)
    if middle.get("tSrc") is not None and middle["tSrc"] <= middle["t1"]:
        report.arrivals_ms[key] = round(middle["tSrc"] - middle["t0"], 1)
    return True


# ------------------------------------------------------------------------------------------------ results
def read_results(path=RESULTS):
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return {}


def merge_results(section, values, path=RESULTS):
    """Set ``section`` of the benchmark results file, keeping every other section (file-locked)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(Path(tempfile.gettempdir()) / "course-results.json.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            data = json.loads(path.read_text()) if path.exists() and path.read_text().strip() else {}
        except json.JSONDecodeError:
            data = {}
        data[section] = values
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
        tmp.replace(path)


# ---------------------------------------------------------------------------------------------- exercises
GRADER_CHECK = re.compile(r"""grader\.check\(\s*["'](\w+)["']\s*\)""")


def _run_command(page, command, timeout_s):
    page.evaluate(f"""() => {{ window.__courseCmdDone = false;
        window.jupyterapp.commands.execute({json.dumps(command)})
            .finally(() => {{ window.__courseCmdDone = true; }}); }}""")
    _wait_js(page, f"""() => {{ {_PANEL_JS}
        const k = panel.sessionContext.session && panel.sessionContext.session.kernel;
        if (!window.__courseCmdDone || !k || k.status !== 'idle') return false;
        const cells = panel.content.model.cells;
        for (let i = 0; i < cells.length; i++)
            if (cells.get(i).type === 'code' && cells.get(i).executionState === 'running') return false;
        return true; }}""", timeout_s, f"{command} to finish")


def check_grader_feedback(page, lab, relpath, *, timeout_s=120, screenshot_dir=None):
    """Open an exercise notebook, run everything up to the first ``grader.check("qN")`` without answering
    and run that check: it must show otter's feedback for ``qN`` (failing tests), not an error."""
    report = Report(relpath)
    watch = ConsoleWatch(page)
    with _reporting(page, report, watch, screenshot_dir):
        open_notebook(page, lab, relpath)
        sources = page.evaluate(f"""() => {{ {_PANEL_JS}
            return panel.content.widgets.map(c => [c.model.type, c.model.sharedModel.getSource()]); }}""")
        found = [(i, GRADER_CHECK.search(src).group(1)) for i, (kind, src) in enumerate(sources)
                 if kind == "code" and GRADER_CHECK.search(src)]
        if not found:
            raise AssertionError('no grader.check("...") cell in the notebook')
        index, question = found[0]
        page.evaluate(f"() => {{ {_PANEL_JS} panel.content.activeCellIndex = {index}; }}")
        _run_command(page, "notebook:run-all-above", timeout_s)
        page.evaluate(f"() => {{ {_PANEL_JS} panel.content.activeCellIndex = {index}; }}")
        _run_command(page, "notebook:run-cell", timeout_s)
        cells = [c for c in cell_states(page) if c["index"] <= index]
        inspect_outputs(report, cells)
        check = next(c for c in cells if c["index"] == index)
        text = check["text"].split(check["source"], 1)[-1]
        if not re.search(rf"\b{question}\b.*results", text):
            report.fail(f'grader.check("{question}") showed no feedback for {question}: {text.strip()[:300]!r}')
        elif not re.search(r"❌|fail", text, re.I):
            report.fail(f'grader.check("{question}") on an unanswered question did not report a failing test: '
                        f"{text.strip()[:300]!r}")
        else:
            report.notes.append(f'grader.check("{question}") feedback: ' + " | ".join(
                line.strip() for line in text.strip().splitlines()[:6] if line.strip()))
        page.wait_for_timeout(300)
        report.problems.extend(watch.errors)
    return report
