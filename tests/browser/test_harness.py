"""The browser harness itself: it passes a working notebook, fails loudly on broken ones, cleans up.

The fixture notebooks in ``fixtures/`` are not part of the course; ``make test`` never collects them.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request

import pytest

import browser_harness as bh
from browser_harness import MEASURED

FIXTURES = "tests/browser/fixtures"


def check(page, lab, name, drag=True):
    report = bh.check_notebook(page, lab, f"{FIXTURES}/{name}.ipynb", drag=drag, screenshot_dir=bh.ARTIFACTS)
    print(report.summary())
    return report


@pytest.mark.parametrize("name, label, images", [
    ("slider_figure", "amplitude", 0),       # an ipympl canvas (explorers with canvas=True)
    ("image_slider", "level", 1),            # an image widget (explorers without anywidget: PictureView)
])
def test_a_working_slider_figure_passes_and_its_repaint_is_timed(page, lab, name, label, images):
    report = check(page, lab, name, drag="required")
    MEASURED["fixture"][report.notebook] = bh.measurement(report)
    assert report.ok, report.summary()
    [(slider, ms)] = report.latencies_ms.items()
    print(f"fixture slider {slider!r}: drag -> repaint {ms:.1f} ms")
    assert label in slider
    assert 0 < ms < 1000
    assert page.locator(bh.IMAGE_FIGURES).count() == images, "the check for blank figures sees each image"
    if images:                                   # an image's latency splits into its arrival, then decoding
        assert 0 < report.arrivals_ms[slider] <= ms, report.arrivals_ms
    else:
        assert not report.arrivals_ms


def _edited_fixture(lab, fixture, cell, old, new, name):
    """Fixture ``fixture`` with ``old`` replaced by ``new`` in cell ``cell``, written as ``name`` into the served copy."""
    import nbformat

    nb = nbformat.read(str(bh.ROOT / FIXTURES / f"{fixture}.ipynb"), as_version=4)
    assert old in nb.cells[cell].source, f"{old!r} is not in cell {cell} of {fixture}"
    nb.cells[cell].source = nb.cells[cell].source.replace(old, new)
    nbformat.write(nb, str(lab.root / name))
    return name


@pytest.mark.parametrize("fixture, cell, update, label", [
    # a canvas: the callback runs and ipympl redraws, but the picture stays as it was
    ("slider_figure", 2, 'line.set_data(x, change["new"] * np.sin(x))', "amplitude"),
    # an image: the kernel answers each move (busy, then idle) but no new picture comes
    ("image_slider", 1, 'image.value = picture(change["new"])', "level"),
])
def test_a_slider_that_leaves_its_figure_unchanged_fails(page, lab, fixture, cell, update, label):
    """Noted per slider ("repainted ... but the picture did not change"); the figure fails because none
    of its sliders changes it, which counts as lateness (the course test runs it once more)."""
    name = _edited_fixture(lab, fixture, cell, update, "pass", f"{fixture}_unchanged.ipynb")
    report = bh.check_notebook(page, lab, name, drag="required")
    assert not report.ok
    assert any("none of the 1 dragged slider(s) changed its figure" in p for p in report.problems), report.summary()
    assert any(label in n and "repainted after" in n and "did not change" in n for n in report.notes), report.notes
    assert bh.only_late(report), "it is run once more by the course test, and fails again"


def test_an_image_widget_without_a_picture_counts_as_blank(page, lab):
    name = _edited_fixture(lab, "image_slider", 1, 'W.Image(value=picture(1.0), format="png")',
                           'W.Image(value=b"", format="png")', "image_slider_blank.ipynb")
    bh.open_notebook(page, lab, name)
    bh.run_all(page, 60)
    bh.wait_widgets_rendered(page)
    assert bh.wait_figures_drawn(page, timeout_s=2) == 1


def test_a_figure_view_without_a_picture_counts_as_blank(page, lab):
    """The explorers' view (course_lib.figure_view), sized but never given a picture, is a blank figure."""
    name = bh.write_notebook(lab, "figure_view_blank.ipynb", [
        "from course_lib.figure_view import FigureView\nview = FigureView(width=200, height=100)\nview"])
    bh.open_notebook(page, lab, name)
    bh.run_all(page, 60)
    bh.wait_widgets_rendered(page)
    assert page.locator("canvas.course-figure").count() == 1
    assert bh.wait_figures_drawn(page, timeout_s=2) == 1


def test_a_widget_that_cannot_render_fails(page, lab):
    report = check(page, lab, "broken_widget")
    assert not report.ok
    text = report.summary()
    assert text.startswith(f"{FIXTURES}/broken_widget.ipynb:"), "the failure names the notebook"
    assert "Error displaying widget" in text
    assert "console error" in text and "no-such-widget-module" in text, "the JavaScript error is reported"


def test_a_slider_that_does_not_move_its_figure_fails(page, lab):
    report = check(page, lab, "broken_slider", drag="required")
    assert not report.ok
    assert any("amplitude" in p and f"did not respond within 1 s of the drag, {bh.DRAG_ATTEMPTS} times" in p
               for p in report.problems), report.summary()
    assert any("dragged slider(s) changed its figure" in p for p in report.problems), report.summary()
    assert bh.only_late(report), "a figure that never answers is late: the course test runs it once more"


def test_only_lateness_earns_a_rerun():
    late = bh.Report("n.ipynb", problems=["cell 3: lr: figure did not respond within 5 s of the drag, 3 times (...)",
                                          f"2 figure(s) still blank {bh.FIRST_PAINT_S} s after the run"])
    assert bh.only_late(late)
    for problem in ("cell 4: output shows 'Error displaying widget'", "console error: TypeError: x is undefined",
                    "TimeoutError: timed out after 120 s waiting for the run to finish"):
        assert not bh.only_late(bh.Report("n.ipynb", problems=[*late.problems, problem])), problem
    assert not bh.only_late(bh.Report("n.ipynb"))


def test_a_cell_that_raises_fails_with_its_error(page, lab):
    report = check(page, lab, "broken_cell")
    assert not report.ok
    assert any("ZeroDivisionError: division by zero" in p and "1 / 0" in p for p in report.problems), \
        report.summary()
    assert any("did not run" in p for p in report.problems), "cells after the error are reported as not run"


def test_a_notebook_without_kernelspec_is_reported(page, lab):
    # JupyterLab asks "Select Kernel" before anything can run: a learner is stuck, so is the harness.
    import nbformat

    nb = nbformat.read(str(bh.ROOT / FIXTURES / "broken_cell.ipynb"), as_version=4)
    nb.metadata = {}
    target = lab.root / "no_kernelspec.ipynb"
    nbformat.write(nb, str(target))
    report = bh.check_notebook(page, lab, "no_kernelspec.ipynb")
    assert not report.ok
    assert any("dialog blocks the notebook" in p for p in report.problems), report.summary()


def test_the_server_and_its_kernels_stop():
    with bh.Lab() as lab:
        kernel = lab.api("POST", "/api/kernels")
        assert kernel["execution_state"] in ("starting", "idle", "busy")
        server = lab.proc.pid
        processes = [server] + bh._descendants(server)
        assert len(processes) >= 2, "the kernel runs as a child of the server"
        url, served = lab.url, lab.root
        assert served.exists()
    for pid in processes:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "/api/status", timeout=2)
    assert not served.exists(), "the temporary copy of the course is removed"


def test_a_kernel_that_dies_is_reported(page, lab):
    import nbformat

    nb = nbformat.read(str(bh.ROOT / FIXTURES / "broken_cell.ipynb"), as_version=4)
    nb.cells[2].source = "import os\nos._exit(1)"
    nbformat.write(nb, str(lab.root / "kernel_dies.ipynb"))
    report = bh.check_notebook(page, lab, "kernel_dies.ipynb", run_timeout_s=60)
    assert not report.ok
    assert any("kernel died" in p for p in report.problems), report.summary()


def test_saved_outputs_that_fail_to_display_on_opening_are_reported(page, lab):
    # What a learner sees before running anything counts too: here the committed widget state names a
    # front-end module that does not exist. (Without any widget state JupyterLab quietly shows the
    # text fallback instead, which is fine.)
    import nbformat

    model_id = "0123456789abcdef0123456789abcdef"
    nb = nbformat.read(str(bh.ROOT / FIXTURES / "broken_widget.ipynb"), as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("execute_result", execution_count=1, data={
        "text/plain": "Broken()",
        "application/vnd.jupyter.widget-view+json": {"model_id": model_id, "version_major": 2,
                                                     "version_minor": 0}})]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "version_major": 2, "version_minor": 0, "state": {model_id: {
            "model_name": "NoSuchModel", "model_module": "no-such-widget-module",
            "model_module_version": "^1.0.0", "state": {}}}}}
    nbformat.write(nb, str(lab.root / "saved_broken_widget.ipynb"))
    report = bh.check_notebook(page, lab, "saved_broken_widget.ipynb")
    assert any(p.startswith("on opening, before running") for p in report.problems), report.summary()
    assert any(p.startswith("while opening: console error") for p in report.problems), report.summary()
