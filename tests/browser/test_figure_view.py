"""The explorers' figures in the browser: what the canvas shows is what matplotlib draws.

An explorer sends its moving artists as drawing commands (``course_lib.scene``), which the browser
replays over the background picture (``course_lib/figure_view.js``). Here a notebook builds explorers
in states that use every kind of command (lines, dashes, markers, an arrow, text with a box), saves
matplotlib's own picture of each, and the test compares it with the browser's canvas, pixel by pixel.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest

import browser_harness as bh

#: A pixel "differs" when one of its channels differs by more than this. Agg and Chromium's canvas
#: anti-alias edges a little differently, and Agg hints the glyphs of text: both stay well under this.
CHANNEL_TOLERANCE = 64
#: Of the pixels the moving artists paint (where matplotlib's picture differs from the background), at
#: least this fraction must come out the same in the browser; a missing, misplaced or miscoloured
#: artist fails it. (Measured: about 0.8; the rest are edge pixels, a fraction of a pixel apart.)
MIN_ARTIST_MATCH = 0.7
#: Everywhere else at most this fraction may differ: nothing is drawn where nothing should be, beyond
#: the fringes of anti-aliased edges (measured: about 0.0014).
MAX_DIFFERING_ELSEWHERE = 0.003

SETUP = """\
import numpy as np
from course_lib import objectives, widgets

explorers = {
    "paths, markers, diverged runs and their warning text": widgets.OptimizerExplorer(
        objectives.rosenbrock(), ["gd", "momentum", ("adam", {"lr": 0.1})], x0=(-1.5, 2)),
    "tangent, point markers and the arrow": widgets.FunctionExplorer(objectives.parabola(), x=1.5, lr=0.3),
}
explorers["paths, markers, diverged runs and their warning text"].update(**{"gd.lr": 0.01, "steps": 120})
"""

SAVE = """\
for i, ex in enumerate(explorers.values()):
    np.save(f"background_{i}.npy", ex.painter.background())
    np.save(f"figure_{i}.npy", ex.painter.rgba())
    print(i, ex.view.frame, len(ex.view.ops), "ops")
"""


def _canvases(page):
    """The pixels of every course figure on the page, read back from the canvas as PNG."""
    from PIL import Image

    urls = page.evaluate("() => [...document.querySelectorAll('canvas.course-figure')].map(c => c.toDataURL())")
    return [np.asarray(Image.open(io.BytesIO(base64.b64decode(u.split(",", 1)[1]))).convert("RGBA")) for u in urls]


@pytest.fixture
def shown(page, lab):
    import nbformat

    fixture = nbformat.read(str(bh.ROOT / "tests/browser/fixtures/image_slider.ipynb"), as_version=4)
    nb = nbformat.v4.new_notebook(metadata=fixture.metadata)
    nb.cells = [nbformat.v4.new_code_cell(SETUP),
                *(nbformat.v4.new_code_cell(f"list(explorers.values())[{i}]") for i in range(2)),
                nbformat.v4.new_code_cell(SAVE)]
    nbformat.write(nb, str(lab.root / "figure_view.ipynb"))
    bh.open_notebook(page, lab, "figure_view.ipynb")
    bh.run_all(page, 120)
    bh.wait_widgets_rendered(page)
    assert bh.wait_figures_drawn(page) == 0
    bh._settle(page)
    load = lambda name: [np.load(lab.root / f"{name}_{i}.npy") for i in range(2)]  # noqa: E731
    return load("figure"), load("background"), _canvases(page)


def _differs(a, b):
    """Per pixel: whether a channel differs by more than the tolerance."""
    return np.abs(a.astype(int) - b.astype(int)).max(axis=2) > CHANNEL_TOLERANCE


def test_the_browser_draws_each_explorer_as_matplotlib_does(shown):
    expected, backgrounds, drawn = shown
    assert len(drawn) == len(expected)
    for want, background, got in zip(expected, backgrounds, drawn):
        assert got.shape == want.shape
        painted, wrong = _differs(background, want), _differs(got, want)
        match, elsewhere = 1 - wrong[painted].mean(), wrong[~painted].mean()
        print(f"{want.shape[1]} x {want.shape[0]} figure: {match:.1%} of the {painted.sum()} pixels its moving "
              f"artists paint are the same in the browser; {elsewhere:.3%} of the others differ")
        assert painted.sum() > 300, "the test figures show their moving artists"
        assert match >= MIN_ARTIST_MATCH
        assert elsewhere <= MAX_DIFFERING_ELSEWHERE
