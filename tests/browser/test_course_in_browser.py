"""Every notebook of the course, opened and run in JupyterLab in Chromium, the way a learner does.

For each ``notebooks/*.ipynb``: run all cells and wait for the kernel to be idle; no cell may raise, no
widget may fail to render ("Error displaying widget", "Model not found"), no uncaught JavaScript error
may reach the console, every figure must be painted. In the gradient-descent, momentum and
adaptive-methods notebooks (``02_*``, ``05_*``, ``06_*``), which must have a slider next to a figure,
three sliders of each figure (six in all) are dragged: the figure must respond within 1 s and change
for at least one of them. In the others one slider per figure (up to 3) is dragged and the figure must
respond within 5 s and change (if the chosen sliders leave a figure as it was, up to four more of its
sliders are tried). The drag -> repaint latency of each is reported (goal <= 100 ms). A notebook whose
only problems are figures answering late (``browser_harness.LATE``) is run once more, in a new tab and
kernel, and passes if that run is clean; the first run's problems are printed and kept in the notes.

``COURSE_BROWSER_NOTEBOOKS=some/dir`` checks the notebooks of another folder instead (used to show that a
broken notebook fails: ``COURSE_BROWSER_NOTEBOOKS=tests/browser/fixtures make test-browser``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import browser_harness as bh
from browser_harness import MEASURED

NOTEBOOK_DIR = os.environ.get("COURSE_BROWSER_NOTEBOOKS", "notebooks")
NOTEBOOKS = sorted(p.relative_to(bh.ROOT).as_posix() for p in (bh.ROOT / NOTEBOOK_DIR).glob("*.ipynb"))
# Notebooks that must have a slider moving a figure: gradient descent, momentum, adaptive methods.
DRAG_PREFIXES = ("02", "05", "06")
EXERCISES = sorted(p.relative_to(bh.ROOT).as_posix() for p in (bh.ROOT / "exercises" / "student").glob("*.ipynb"))

RUN_TIMEOUT_S = float(os.environ.get("COURSE_BROWSER_RUN_TIMEOUT", 120))


def _params(paths, none_reason):
    if paths:
        return [pytest.param(p, id=Path(p).stem) for p in paths]
    return [pytest.param(None, id="none", marks=pytest.mark.skip(reason=none_reason))]


@pytest.mark.parametrize("notebook", _params(NOTEBOOKS, f"no notebooks in {NOTEBOOK_DIR}/ yet"))
def test_notebook_runs_cleanly_in_jupyterlab(context, page, lab, notebook):
    drag = "required" if Path(notebook).name.startswith(DRAG_PREFIXES) else True
    report = bh.check_notebook(page, lab, notebook, drag=drag, run_timeout_s=RUN_TIMEOUT_S,
                               screenshot_dir=bh.ARTIFACTS)
    if bh.only_late(report):
        # Only lateness (see bh.LATE), which load on a shared two-CPU machine can cause: run the notebook
        # once more in a new tab and a new kernel. A figure that is broken is late every time and still
        # fails; the first run's problems stay in the output either way.
        first = report.summary()
        print(f"rerun: only late figures in the first run:\n{first}")
        page.close()
        lab.shutdown_kernels()
        page = context.new_page()
        try:
            report = bh.check_notebook(page, lab, notebook, drag=drag, run_timeout_s=RUN_TIMEOUT_S,
                                       screenshot_dir=bh.ARTIFACTS)
        finally:
            page.close()
        report.notes.append("passed on a rerun; the first run: " + "; ".join(first.splitlines()[1:])
                            if report.ok else "failed twice; the first run: " + "; ".join(first.splitlines()[1:]))
    MEASURED["notebooks"][notebook] = bh.measurement(report)
    MEASURED["notes"].extend(f"{notebook}: {note}" for note in report.notes)
    for slider, ms in report.latencies_ms.items():
        print(f"{notebook}: {slider}: drag -> repaint {ms:.1f} ms")
    for note in report.notes:
        print(f"note: {note}")
    assert report.ok, report.summary()


@pytest.mark.parametrize("exercise", _params(EXERCISES[:1], "no exercise notebooks in exercises/student/ yet"))
def test_grader_check_gives_feedback_on_an_unanswered_question(page, lab, exercise):
    report = bh.check_grader_feedback(page, lab, exercise, screenshot_dir=bh.ARTIFACTS)
    MEASURED["notes"].extend(f"{exercise}: {note}" for note in report.notes)
    assert report.ok, report.summary()
