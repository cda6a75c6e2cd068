"""course_lib.scene and course_lib.figure_view: the moving artists recorded as drawing commands reproduce
matplotlib's picture, and an explorer sends them (with its background only when that changes)."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from course_lib import objectives, scene, widgets
from pictures import agreement, decode_png


def _compare(explorer):
    """How far the explorer's scene, replayed by Agg, agrees with matplotlib's picture (:func:`agreement`)."""
    background, want = explorer.painter.background(), explorer.painter.rgba()
    return agreement(scene.replay(scene.record(explorer.figure, explorer.painter.artists), background,
                                  dpi=explorer.figure.dpi), want, background)


@pytest.fixture(scope="module")
def rosenbrock():
    ex = widgets.OptimizerExplorer(objectives.rosenbrock(), ["gd", "momentum", ("adam", {"lr": 0.1})], x0=(-1.5, 2),
                                   grid=40)
    yield ex
    plt.close("all")


def test_a_replayed_scene_is_matplotlibs_picture(rosenbrock):
    """Paths, dashes, markers, clipping: replayed by Agg, the scene paints the artists' pixels as matplotlib did."""
    rosenbrock.update(**{"gd.lr": 1e-3, "momentum.lr": 1e-3, "steps": 120})
    assert not rosenbrock.warning.get_text()
    match, elsewhere, painted = _compare(rosenbrock)
    # Agg snaps square markers to the pixel grid; the scene leaves that to the browser's canvas, which
    # matches matplotlib's picture better without it (tests/browser/test_figure_view.py).
    assert painted > 3000 and match > 0.97 and elsewhere < 1e-3, (match, elsewhere, painted)


def test_text_is_drawn_as_the_outlines_of_its_glyphs(rosenbrock):
    """The warning of diverged runs, on a translucent box: the same glyphs, anti-aliased without hinting."""
    rosenbrock.update(**{"gd.lr": 0.01, "momentum.lr": 0.01, "steps": 120})
    assert "diverged" in rosenbrock.warning.get_text()
    match, elsewhere, _ = _compare(rosenbrock)
    assert match > 0.75 and elsewhere < 2e-3, (match, elsewhere)


def test_an_arrow_and_markers_of_the_function_explorer():
    ex = widgets.FunctionExplorer(objectives.parabola(), x=1.5, lr=0.3)
    match, elsewhere, painted = _compare(ex)
    assert painted > 300 and match > 0.97 and elsewhere < 1e-4, (match, elsewhere, painted)
    plt.close("all")


def _figure(**line):
    fig = Figure(figsize=(2, 1), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1), xlim=(0, 2), ylim=(0, 1))
    artist, = ax.plot([0, 1, 2], [0, 1, 0], **line)
    fig.canvas.draw()
    return fig, artist


def test_an_ops_paint_is_matplotlibs_in_pixels():
    fig, line = _figure(linewidth=2.16, linestyle="--", color="#0072b2", alpha=0.5)
    [op] = scene.record(fig, [line]).ops
    assert op["kind"] == "path" and op["fill"] is None
    assert op["width"] == pytest.approx(3.0)                       # 2.16 pt at 100 dpi
    assert op["stroke"] == pytest.approx([0, 0x72 / 255, 0xB2 / 255, 0.5], abs=1e-4)
    assert op["dash"] == pytest.approx([d * 100 / 72 for d in line._dash_pattern[1]], abs=1e-3)
    assert op["cap"] == "butt" and op["clip"] == [0.0, 0.0, 200.0, 100.0]


def test_markers_are_one_shape_and_its_positions_on_pixel_centres():
    fig, line = _figure(linestyle="none", marker="s", markersize=7.2)
    [op] = scene.record(fig, [line]).ops
    assert op["kind"] == "markers" and op["count"] == 3
    points = scene.record(fig, [line]).points()
    shape, at = points[:op["n"] - 3], points[op["n"] - 3:]
    assert np.ptp(shape[:, 0]) == pytest.approx(10.0)              # a 7.2 pt square is 10 px wide
    np.testing.assert_array_equal(at, [[0.5, 100.5], [100.5, 0.5], [200.5, 100.5]])


def test_a_diverging_line_stays_finite_and_close_to_the_canvas():
    fig, line = _figure()
    line.set_data([0.5, 1.0, 2.0], [0.5, 1e300, np.nan])
    sc = scene.record(fig, [line])
    points = sc.points()
    assert np.isfinite(points).all() and np.abs(points).max() <= 200 + scene.PADDING
    assert points[0] == pytest.approx([50, 50])                    # the visible part is where it was


def test_what_a_scene_cannot_hold_is_a_clear_error():
    fig, _ = _figure()
    image = fig.axes[0].imshow(np.eye(3), extent=(0, 1, 0, 1))
    with pytest.raises(scene.Unsupported, match="image"):
        scene.record(fig, [image])
    patch = fig.axes[0].bar([1], [0.5], hatch="//")[0]
    with pytest.raises(scene.Unsupported, match="hatch"):
        scene.record(fig, [patch])


def test_an_explorer_sends_its_background_only_when_it_changes(rosenbrock):
    view = rosenbrock.view
    assert view in rosenbrock.widget.children and view.width == 1000 and view.height == 460
    sent, moves = [], []
    record_sent = lambda change: sent.append(change["name"])              # noqa: E731
    view.observe(record_sent, names=["background", "frame"])
    try:
        for values in ({"adam.lr": 0.11}, {"adam.lr": 0.12}, {"steps": 400}, {"adam.lr": 0.13}, {"steps": 60}):
            sent.clear()
            rosenbrock.update(**values)
            moves.append((rosenbrock.last_redraw, list(sent)))
    finally:
        view.unobserve(record_sent, names=["background", "frame"])
    # A blit sends the new frame's scene alone; a move that redraws a panel sends the background first.
    assert all(sent == (["frame"] if redraw == "blit" else ["background", "frame"]) for redraw, sent in moves), moves
    assert {redraw for redraw, _ in moves} >= {"blit", "axes"}, moves
    np.testing.assert_array_equal(decode_png(view.background), rosenbrock.painter.background())


def test_the_kernel_draws_the_moving_artists_only_when_asked():
    """With a view that draws them, a move costs the kernel no drawing; rgba() still gives the whole picture."""
    kwargs = dict(steps=40, x0=(-1.5, 2.0), grid=40)
    deferred = widgets.OptimizerExplorer(objectives.rosenbrock(), ["gd"], **kwargs)
    drawn = widgets.OptimizerExplorer(objectives.rosenbrock(), ["gd"], canvas=False, blit=True, **kwargs)
    drawn.painter.defer = False
    calls = []
    real = deferred.figure.draw_artist
    deferred.figure.draw_artist = lambda a: calls.append(a) or real(a)
    for ex in (deferred, drawn):
        ex.update(**{"gd.lr": 2e-3})
    assert deferred.painter.defer and not set(calls) & set(deferred.painter.artists)
    np.testing.assert_array_equal(deferred.painter.rgba(), drawn.painter.rgba())
    plt.close("all")


def test_an_explorer_whose_artists_a_scene_cannot_hold_sends_whole_pictures(monkeypatch):
    def unsupported(figure, artists):
        raise scene.Unsupported("a scene cannot hold this")

    monkeypatch.setattr(widgets, "record", unsupported)
    ex = widgets.FunctionExplorer(objectives.parabola())
    ex.update(x=1.0)
    assert not ex.painter.defer and ex.view.ops == []
    np.testing.assert_array_equal(decode_png(ex.view.background), ex.painter.rgba())
    plt.close("all")


def test_without_blitting_the_view_shows_whole_pictures():
    ex = widgets.FunctionExplorer(objectives.parabola(), blit=False)
    ex.update(x=1.0)
    assert not ex.painter.defer and ex.view.ops == [] and ex.last_redraw == "full"
    np.testing.assert_array_equal(decode_png(ex.view.background), ex.painter.rgba())
    plt.close("all")


def test_level_lines_are_snapped_to_the_pixel_grid_as_agg_snaps_them():
    """A 1-pixel horizontal line lies on a row of pixel centres (sharp, as in matplotlib's picture)."""
    fig, line = _figure(linewidth=0.72)                           # 0.72 pt = 1 px at 100 dpi
    line.set_data([0.2, 1.8], [0.503, 0.503])
    points = scene.record(fig, [line]).points()
    np.testing.assert_array_equal(points, [[20.5, 50.5], [180.5, 50.5]])   # not (20, 49.7) and (180, 49.7)
    line.set_data([0.2, 1.8], [0.503, 0.6])                       # a slanted line is not snapped
    assert scene.record(fig, [line]).points()[0, 1] == pytest.approx(49.7, abs=1e-4)


def test_saving_the_figure_does_not_change_the_background(rosenbrock, tmp_path):
    """savefig draws the moving artists as well; that picture must not become the background the view shows."""
    before, version = rosenbrock.painter.background().copy(), rosenbrock.painter.version
    rosenbrock.figure.savefig(tmp_path / "explorer.png")
    assert rosenbrock.painter.version == version
    np.testing.assert_array_equal(rosenbrock.painter.background(), before)


def test_without_anywidget_an_explorer_shows_whole_pictures_and_says_how_to_do_better(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "course_lib.figure_view", None)         # as if anywidget were missing
    with pytest.warns(UserWarning, match="anywidget is not installed.*pip install anywidget"):
        ex = widgets.FunctionExplorer(objectives.parabola())
    assert isinstance(ex.view, widgets.PictureView) and ex.view in ex.widget.children and not ex.painter.defer
    ex.update(x=1.0)
    np.testing.assert_array_equal(decode_png(ex.view.value), ex.painter.rgba())
    with pytest.raises(ValueError, match="cannot draw a scene of 1 ops"):
        ex.view.show(scene.Scene([{"kind": "path"}], b"", b""), "alt")
    plt.close("all")


def test_on_a_high_density_screen_the_figure_is_drawn_at_the_screens_resolution():
    """The browser reports devicePixelRatio 2: the explorer redraws its figure once at twice its dpi (the
    picture matplotlib draws at 200 dpi), the view keeps its size in CSS pixels, the scene is in the new
    pixels, and the moves after that blit as before. Back at 1, it is the picture it was."""
    ex = widgets.OptimizerExplorer(objectives.rosenbrock(), ["gd", "momentum"], x0=(-1.5, 2), grid=40)
    ex.update(**{"gd.lr": 1e-3, "steps": 120})
    view = ex.view
    at_one, frame = ex.painter.background().copy(), view.frame
    scene_at_one = scene.record(ex.figure, ex.painter.artists)
    view.device_pixel_ratio = 2.0                                 # what figure_view.js sends
    assert ex.ratio == 2.0 and view.ratio == 2.0 and view.frame == frame + 1
    assert (view.width, view.height) == (1000, 460)
    assert decode_png(view.background).shape == (920, 2000, 4)
    # the same background and scene as the same explorer built at 200 dpi
    fresh = widgets.OptimizerExplorer(objectives.rosenbrock(), ["gd", "momentum"], x0=(-1.5, 2), grid=40)
    fresh.update(**{"gd.lr": 1e-3, "steps": 120})
    fresh.figure.set_dpi(200)
    fresh.figure.canvas.draw()
    np.testing.assert_array_equal(ex.painter.background(), fresh.painter.background())
    at_two, want = scene.record(ex.figure, ex.painter.artists), scene.record(fresh.figure, fresh.painter.artists)
    assert at_two == want and at_two.points()[0, 0] == pytest.approx(2 * scene_at_one.points()[0, 0])
    assert len(ex.painter._extents) == len(ex.figure.axes)        # measured again, as when it was built
    ex.update(**{"gd.lr": 1.1e-3})
    assert ex.last_redraw == "blit" and view.ratio == 2.0
    view.device_pixel_ratio = 1.33                                # a fractional ratio keeps the CSS size
    assert decode_png(view.background).shape == (611, 1330, 4) and (view.width, view.height) == (1000, 460)
    view.device_pixel_ratio = 1.0
    assert ex.ratio == 1.0 and decode_png(view.background).shape == (460, 1000, 4)
    ex.update(**{"gd.lr": 1e-3})
    np.testing.assert_array_equal(ex.painter.background(), at_one)
    plt.close("all")


@pytest.mark.parametrize("reported, drawn", [(2, 2.0), (1.5, 1.5), (1.333333, 1.33), (0.5, 1.0), (1.0, 1.0),
                                             (10.0, 3.0), (float("nan"), 1.0), (float("inf"), 1.0), (-2, 1.0)])
def test_the_screens_ratio_is_rounded_and_kept_within_reason(reported, drawn):
    from course_lib import style

    assert style.pixel_ratio(reported) == drawn
    ex = widgets.FunctionExplorer(objectives.parabola())
    version = ex.painter.version
    ex.view.device_pixel_ratio = reported
    assert ex.ratio == drawn and ex.view.ratio == drawn
    assert ex.painter.version == version + (drawn != 1.0)         # redrawn only when the resolution changes
    assert ex.figure.dpi == pytest.approx(100 * drawn)
    plt.close("all")


def test_only_a_figure_view_is_drawn_at_another_ratio(monkeypatch):
    """An ipympl canvas follows the screen by itself and a PictureView shows pictures pixel for pixel: asking
    them for another ratio is a clear error that changes nothing."""
    import sys

    pytest.importorskip("ipympl")
    canvas = widgets.FunctionExplorer(objectives.parabola(), canvas=True)
    monkeypatch.setitem(sys.modules, "course_lib.figure_view", None)          # as if anywidget were missing
    with pytest.warns(UserWarning, match="anywidget is not installed"):
        picture = widgets.FunctionExplorer(objectives.parabola())
    for ex, match in ((canvas, "an ipympl canvas, which follows the screen by itself"),
                      (picture, "a PictureView, which shows pictures pixel for pixel")):
        assert ex.set_pixel_ratio(1) is False
        with pytest.raises(ValueError, match=f"shown by {match}: it cannot be drawn at ratio 2.0"):
            ex.set_pixel_ratio(2)
        assert ex.ratio == 1.0 and ex.figure.dpi == 100
        ex.update(x=1.0)                                          # and it still works
    plt.close("all")


def test_a_view_refuses_a_ratio_it_cannot_show():
    from course_lib.figure_view import FigureView

    view, empty = FigureView(), scene.Scene([], b"", b"")
    for bad in (0.5, 0, -1, float("nan"), float("inf"), "2", True):
        with pytest.raises(ValueError, match="ratio must be a number >= 1"):
            view.show(empty, "alt", np.full((4, 6, 4), 255, np.uint8), ratio=bad)
    view.show(empty, "alt", np.full((4, 6, 4), 255, np.uint8), ratio=2)
    assert (view.width, view.height, view.ratio) == (3, 2, 2.0)
    view.show(empty, "alt", np.full((5, 7, 4), 255, np.uint8), ratio=1.5, size=(5, 4))   # the size given
    assert (view.width, view.height, view.ratio) == (5, 4, 1.5)
    with pytest.raises(ValueError, match="ratio 1 needs a new background: the one on show has ratio 1.5"):
        view.show(empty, "alt", ratio=1)


def test_the_view_tells_the_kernel_when_a_browser_shows_it():
    from course_lib import figure_view
    from course_lib.figure_view import FigureView

    view = FigureView()
    assert view.shown == 0 and view.trait_metadata("shown", "sync")      # synchronised with the browser
    script = (Path(figure_view.__file__).parent / "figure_view.js").read_text()
    # one more view on render, one fewer when it is removed (the function render returns)
    assert "countShown(+1);" in script and script.count("countShown(-1);") == 1
    assert script.index("countShown(-1);") > script.index("return () => {")
