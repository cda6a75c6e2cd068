"""The explorers' figures in the browser: what the canvas shows is what matplotlib draws.

An explorer sends its moving artists as drawing commands (``course_lib.scene``), which the browser
replays over the background picture (``course_lib/figure_view.js``). Here a notebook builds explorers
in states that use every kind of command (lines, dashes, markers, an arrow, translucent text boxes,
text) and shows them in JupyterLab; the test builds the same explorers (the notebook's cell, run here),
and compares matplotlib's own picture of each, and the same scene replayed by matplotlib's Agg renderer
(``scene.replay``), with the browser's canvas, pixel by pixel. On a screen with two pixels per CSS pixel
(``device_scale_factor=2``) the browser reports that to the kernel, the explorers draw their figures at
twice their dpi, and the canvas shows those pixels one for one (the explorers here are told the same ratio).
"""

from __future__ import annotations

import base64
import contextlib

import numpy as np
import pytest

import browser_harness as bh
from course_lib import scene
from pictures import agreement, decode_png

# A pixel differs when one of its channels differs by more than pictures.CHANNEL_TOLERANCE levels.
#: Against the same scene replayed by Agg: of the pixels the moving artists paint, at least this fraction
#: must come out the same in the browser (measured: 0.997 and 1.0; the rest are edge pixels that the two
#: renderers anti-alias a little differently). Dashes drawn solid, a translucent box drawn opaque,
#: missing text or an artist moved by one pixel each bring it under 0.9.
MIN_SCENE_MATCH = 0.97
#: Against the replay: at most this mean difference (levels of 255, over the colour channels of every pixel
#: the scene touches at all). Measured 3.4-3.6; translucent boxes drawn opaque give 5.5, which the
#: fraction above does not see.
MAX_MEAN_DIFFERENCE = 4.5
#: Against matplotlib's own picture, which also hints the glyphs of its text and snaps square markers to
#: the pixel grid: at least this fraction (measured: 0.82 with the warning text, 1.0 without text).
MIN_PICTURE_MATCH = 0.75
#: Everywhere else at most this fraction may differ: nothing is drawn where nothing should be, beyond
#: the fringes of anti-aliased edges (measured: about 0.0013).
MAX_DIFFERING_ELSEWHERE = 0.003

SETUP = """\
from course_lib import objectives, widgets

explorers = {
    "paths, markers, diverged runs and their warning text": widgets.OptimizerExplorer(
        objectives.rosenbrock(), ["gd", "momentum", ("adam", {"lr": 0.1})], x0=(-1.5, 2)),
    "tangent, point markers and the arrow": widgets.FunctionExplorer(objectives.parabola(), x=1.5, lr=0.3),
}
explorers["paths, markers, diverged runs and their warning text"].update(**{"gd.lr": 0.01, "steps": 120})
"""


def _canvases(page):
    """The pixels of every course figure on the page, read back from the canvas as PNG."""
    urls = page.evaluate("() => [...document.querySelectorAll('canvas.course-figure')].map(c => c.toDataURL())")
    return [decode_png(base64.b64decode(u.split(",", 1)[1])) for u in urls]


@contextlib.contextmanager
def _page_on_a_screen(browser, lab, scale):
    """A tab on a screen of ``scale`` pixels per CSS pixel (whatever COURSE_BROWSER_SCALE says); its kernels
    are stopped afterwards."""
    context = browser.new_context(viewport=bh.VIEWPORT, device_scale_factor=scale)
    try:
        yield context.new_page()
    finally:
        context.close()
        lab.shutdown_kernels()


def _expected(scale):
    """The notebook's explorers built here and told the screen's ratio, as the browser tells the kernel's:
    for each, matplotlib's picture, its scene replayed by Agg over the background, and the background."""
    namespace = {}
    exec(SETUP, namespace)                  # noqa: S102 -- the notebook's own first cell
    pictures, replayed, backgrounds = [], [], []
    for ex in namespace["explorers"].values():
        ex.view.device_pixel_ratio = scale
        backgrounds.append(ex.painter.background().copy())
        pictures.append(ex.painter.rgba().copy())
        replayed.append(scene.replay(scene.record(ex.figure, ex.painter.artists), backgrounds[-1], dpi=ex.figure.dpi))
    return pictures, replayed, backgrounds


@pytest.fixture(params=[1, 2], ids=["1x", "2x"])
def shown(request, browser, lab):
    """What the browser shows of the explorers on a screen of 1 or 2 pixels per CSS pixel, and what it should."""
    scale = request.param
    with _page_on_a_screen(browser, lab, scale) as page:
        name = bh.write_notebook(lab, f"figure_view_{scale}x.ipynb",
                                 [SETUP, *(f"list(explorers.values())[{i}]" for i in range(2))])
        bh.open_notebook(page, lab, name)
        bh.run_all(page, 120)
        bh.wait_widgets_rendered(page)
        assert bh.wait_figures_drawn(page) == 0
        bh._wait_js(page, "() => { const c = [...document.querySelectorAll('canvas.course-figure')];"
                          f" return c.length === 2 && c.every(x => x.dataset.ratio === '{scale}'); }}",
                    30, f"the explorers to show their figures drawn at {scale} pixels per CSS pixel")
        bh._settle(page)
        drawn = _canvases(page)
    return (*_expected(scale), drawn)


def test_the_browser_draws_each_explorer_as_matplotlib_does(shown):
    pictures, replayed, backgrounds, drawn = shown
    assert len(drawn) == len(pictures)
    for picture, replay, background, got in zip(pictures, replayed, backgrounds, drawn):
        assert got.shape == picture.shape
        scene_match, scene_elsewhere, painted = agreement(got, replay, background)
        match, elsewhere, _ = agreement(got, picture, background)
        touched = np.abs(replay.astype(int) - background.astype(int)).max(axis=2) > 0
        mean_diff = np.abs(got[touched].astype(int) - replay[touched].astype(int))[:, :3].mean()
        print(f"{picture.shape[1]} x {picture.shape[0]} figure, {painted} pixels painted by its moving artists: "
              f"{scene_match:.1%} the same as Agg's replay of the scene ({scene_elsewhere:.3%} of the others "
              f"differ; mean difference {mean_diff:.2f} levels), {match:.1%} the same as matplotlib's picture "
              f"({elsewhere:.3%})")
        assert painted > 300, "the test figures show their moving artists"
        assert scene_match >= MIN_SCENE_MATCH and scene_elsewhere <= MAX_DIFFERING_ELSEWHERE
        assert mean_diff <= MAX_MEAN_DIFFERENCE
        assert match >= MIN_PICTURE_MATCH and elsewhere <= MAX_DIFFERING_ELSEWHERE
