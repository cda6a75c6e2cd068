"""The escape explorer: the pure frame function at the slider extremes, and the widget, headless."""

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib import objectives, optim, run, saddle_explorer as SE
from course_lib.perturb import perturbed


@pytest.fixture(scope="module")
def floored_saddle():
    """A saddle at 0 with minima at (0, +-sqrt(2)), where f = -1."""
    return objectives.Objective("x**2 - y**2 + y**4 / 4", ["x", "y"], name="floored saddle",
                                window=((-2, 2), (-2, 2)))


def test_sliders():
    s = SE.escape_sliders()
    assert set(s) == {"radius", "threshold", "noise"}
    assert s["radius"].log and s["threshold"].log and not s["noise"].log and s["noise"].low == 0.0
    assert SE.escape_sliders(radius=0.5).get("radius").value == 0.5


def test_escape_step_and_kick_steps(floored_saddle):
    t = run(optim.gd(0.1), floored_saddle, [0.0, 1e-3], steps=60)
    k = SE.escape_step(t, (0, 0), 0.5)
    assert np.linalg.norm(t.xs[k]) > 0.5 and np.all(np.linalg.norm(t.xs[:k], axis=1) <= 0.5)
    assert SE.escape_step(t, (0, 0), 10.0) is None
    assert len(SE.kick_steps(t, 0.1)) == 0
    with pytest.raises(ValueError, match="radius must be positive"):
        SE.escape_step(t, (0, 0), 0)
    kicked = run(perturbed(optim.gd(0.1), radius=0.1, threshold=1e-3, wait=10, seed=3), floored_saddle,
                 [0.0, 0.0], steps=60)
    steps = SE.kick_steps(kicked, 0.1)
    assert steps[0] == 0 and np.all(np.diff(steps) >= 10)
    assert np.all(np.linalg.norm(kicked.grads[steps], axis=1) < 1e-3)


def test_at_the_saddle_gd_never_moves_and_the_others_escape(floored_saddle):
    frame = SE.escape_frame(floored_saddle, dict(radius=0.1, threshold=1e-3, noise=0.05), steps=150)
    gd, pgd, noisy = frame.paths
    assert np.all(gd.xy == 0) and frame.escapes[0] is None
    assert "gd: never moved" in frame.message.splitlines()[0]
    assert frame.escapes[1] is not None and frame.escapes[2] is not None
    assert pgd.losses[-1] == pytest.approx(-1, abs=0.01) and noisy.losses[-1] == pytest.approx(-1, abs=0.01)
    assert len(frame.kicks) >= 1 and "kick" in frame.message.splitlines()[1]


def test_zero_noise_and_unreachable_threshold_do_not_move(floored_saddle):
    frame = SE.escape_frame(floored_saddle, dict(radius=0.1, threshold=1e-6, noise=0.0), start=(0.5, 0.0),
                            steps=30)
    np.testing.assert_array_equal(frame.paths[2].xy, frame.paths[0].xy)   # sigma = 0 is plain gd
    assert len(frame.kicks) == 0                       # the gradient at (0.5, 0) is far above 1e-6


def test_more_kicks_with_a_larger_threshold(floored_saddle):
    few = SE.escape_frame(floored_saddle, dict(radius=0.1, threshold=1e-6, noise=0.0), steps=150)
    many = SE.escape_frame(floored_saddle, dict(radius=0.1, threshold=1.0, noise=0.0), steps=150)
    assert len(many.kicks) > len(few.kicks)


def test_bad_values(floored_saddle):
    with pytest.raises(ValueError, match="radius must be in"):
        SE.escape_frame(floored_saddle, dict(radius=2.0))
    with pytest.raises(ValueError, match="unknown slider"):
        SE.escape_frame(floored_saddle, dict(lr=0.1))
    with pytest.raises(ValueError, match="start must be a point"):
        SE.escape_frame(floored_saddle, {}, start=(0, 0, 0))


@pytest.mark.parametrize("objective", ["floored", "monkey"])
def test_explorer_survives_slider_extremes(floored_saddle, objective):
    f = floored_saddle if objective == "floored" else objectives.monkey_saddle()
    ex = SE.EscapeExplorer(f, steps=120, grid=40)
    assert all(isinstance(ex.controls[k], W.FloatLogSlider) for k in ("radius", "threshold"))
    assert isinstance(ex.controls["noise"], W.FloatSlider)
    for values in (dict(radius=1e-4, threshold=1e-6, noise=0.0), dict(radius=1.0, threshold=1.0, noise=0.5),
                   dict(radius=0.01, threshold=1e-2, noise=0.1)):
        frame = ex.update(**values)
        assert ex.last_redraw in ("blit", "axes", "full")
        for a in ex.painter.artists:
            if hasattr(a, "get_xydata"):
                assert np.all(np.isfinite(np.asarray(a.get_xydata(), float)))
        lo, hi = ex.ax_loss.get_ylim()
        for p, line in zip(frame.paths, ex.loss_lines):
            assert np.all((line.get_ydata() >= lo) & (line.get_ydata() <= hi))
            drawn = np.atleast_1d(f(p.xy))            # f along the drawn path, also of a run that ran off the map
            assert lo <= drawn.min() and drawn.max() <= hi
        assert ex.alt.startswith(f"Contour map of {f.name}") and "kick" in ex.alt
        assert ex.status.value.count("<br>") == 2
    plt.close("all")


def test_explorer_with_ipympl_canvas(floored_saddle):
    ex = SE.EscapeExplorer(floored_saddle, steps=50, canvas=True, grid=30)
    assert ex.view is None and ex.figure.canvas in ex.widget.children
    ex.figure.canvas.draw()
    ex.update(radius=0.05)
    assert ex.last_redraw == "blit"
