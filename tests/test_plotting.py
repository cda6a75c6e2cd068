"""Tests of course_lib.plotting: what is drawn, labels, titles, legends, diverged runs, the race animation."""

import io
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.colors import LogNorm

from course_lib import explore, objectives, optim, plotting, run, style


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def rosen():
    return objectives.rosenbrock()


@pytest.fixture(scope="module")
def runs(rosen):
    """Two runs that finish and one that diverges (gd with a far too large step on Rosenbrock)."""
    x0 = [-1.5, 2.0]
    return [run(optim.gd(lr=1e-3), rosen, x0, 60), run(optim.adam(lr=0.1), rosen, x0, 60),
            run(optim.momentum(lr=0.01), rosen, x0, 60)]


def _legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_runs_fixture_has_a_diverged_run(runs):
    assert [t.diverged for t in runs] == [False, False, True]


# ---------------------------------------------------------------------------
# Contours
# ---------------------------------------------------------------------------

def test_log_contour_levels_are_geometric_and_span_the_positive_values():
    Z = np.array([[0.0, 1e-3], [2.0, 1e4]])
    lv = plotting.contour_levels(Z, 9, log=True)
    assert lv[0] == pytest.approx(1e-3) and lv[-1] == pytest.approx(1e4)
    assert np.allclose(lv[1:] / lv[:-1], lv[1] / lv[0])


def test_linear_contour_levels_ignore_non_finite_values():
    lv = plotting.contour_levels(np.array([-1.0, np.nan, 3.0, np.inf]), 5)
    assert np.allclose(lv, [-1, 0, 1, 2, 3])


@pytest.mark.parametrize("Z, n, log, match", [(np.array([-1.0, 0.0]), 5, True, "positive"),
                                              (np.array([np.nan]), 5, False, "no finite"),
                                              (np.array([1.0, 2.0]), 1, False, "levels")])
def test_contour_levels_reject_impossible_requests(Z, n, log, match):
    with pytest.raises(ValueError, match=match):
        plotting.contour_levels(Z, n, log)


def test_contour_is_log_scaled_exactly_when_the_objective_asks(rosen):
    ax = plotting.plot_contour(rosen, n=40)
    assert isinstance(ax.collections[0].norm, LogNorm)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x$", "$y$")
    assert ax.get_xlim() == rosen.window[0] and ax.get_ylim() == rosen.window[1]
    saddle_ax = plotting.plot_contour(objectives.saddle(), n=40)
    assert not isinstance(saddle_ax.collections[0].norm, LogNorm)


# ---------------------------------------------------------------------------
# Trajectories
# ---------------------------------------------------------------------------

def test_trajectory_plot_has_labels_title_legend_and_distinct_styles(rosen, runs):
    fig, ax = plotting.plot_trajectories(rosen, runs, title="Adam reaches the valley first")
    assert ax.get_title() == "Adam reaches the valley first"
    assert ax.get_xlabel() == "$x$"
    texts = _legend_texts(ax)
    for t in runs:
        assert t.label in texts
    assert {"start", "known minimum", "diverged (path cut)"} <= set(texts)
    lines = [ln for ln in ax.get_lines() if ln.get_label() in {t.label for t in runs}]
    looks = {(ln.get_color(), ln.get_linestyle(), ln.get_marker()) for ln in lines}
    assert len(looks) == 3
    assert len({ln.get_marker() for ln in lines}) == 3            # not only colour tells them apart


def test_diverged_run_is_cut_in_view_and_marked_with_x(rosen, runs):
    fig, ax = plotting.plot_trajectories(rosen, runs)
    (xlo, xhi), (ylo, yhi) = rosen.window
    crosses = [ln for ln in ax.get_lines() if ln.get_marker() == "x" and len(ln.get_xdata())]
    assert len(crosses) == 1
    (cx,), (cy,) = crosses[0].get_data()
    assert xlo <= cx <= xhi and ylo <= cy <= yhi
    for ln in ax.get_lines():
        assert np.all(np.isfinite(np.asarray(ln.get_xydata(), float)))


def test_default_title_and_single_trajectory(rosen, runs):
    fig, ax = plotting.plot_trajectories(rosen, runs[0])
    assert ax.get_title() == "Rosenbrock: 1 run"
    assert "diverged (path cut)" not in _legend_texts(ax)


def test_non_trajectories_are_refused(rosen):
    with pytest.raises(ValueError, match="Trajectory"):
        plotting.plot_trajectories(rosen, [1, 2])
    with pytest.raises(ValueError, match="Trajectory"):
        plotting.plot_losses(3)


WINDOW = ((-2.0, 2.0), (-1.0, 3.0))
coords = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(coords, coords), min_size=1, max_size=30), st.floats(0, 2))
def test_visible_path_is_a_finite_prefix_inside_the_grown_window(points, margin):
    xs = np.array(points, float)
    xs[0] = [0.0, 1.0]                                     # runs start inside the view
    xy, end, left = explore.visible_path(xs, WINDOW, margin)
    box = explore.expand_window(WINDOW, margin)
    assert np.all(np.isfinite(xy)) and 1 <= len(xy) <= len(xs)
    assert np.array_equal(xy[:-1], xs[: len(xy) - 1])                # only the last point may be moved
    assert all(lo - 1e-9 <= v <= hi + 1e-9 for p in xy for v, (lo, hi) in zip(p, box))
    assert all(lo - 1e-9 <= v <= hi + 1e-9 for v, (lo, hi) in zip(end, WINDOW))
    inside = all(lo <= v <= hi for p in xs for v, (lo, hi) in zip(p, WINDOW))
    assert left == (not inside)


def test_segment_exit_lands_on_the_edge():
    assert np.allclose(explore.segment_exit([0, 0], [10, 0], WINDOW), [2, 0])
    assert np.allclose(explore.segment_exit([0, 0], [4, 6], WINDOW), [2, 3])
    assert np.allclose(explore.segment_exit([0, 0], [1, 1], WINDOW), [1, 1])     # already inside


# ---------------------------------------------------------------------------
# Surface, loss curves, small multiples, learning-rate map
# ---------------------------------------------------------------------------

def test_surface_is_3d_with_labels_and_log_height(rosen, runs):
    fig, ax = plotting.plot_surface(rosen, runs, n=20)
    assert ax.name == "3d"
    assert "log" in ax.get_zlabel() and ax.get_title() == "Surface of Rosenbrock"
    fig, ax = plotting.plot_surface(objectives.saddle(), n=20, title="A saddle")
    assert ax.get_zlabel() == "$f$" and ax.get_title() == "A saddle"


def test_flat_titles_sit_just_above_their_axes_and_3d_titles_clear_the_box():
    """The course style fixes titles at the top of flat axes (no costly placement at each draw); a 3-D
    axes keeps matplotlib's automatic placement, which lifts the title above its box."""
    with style.context():
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.set_title("flat")
        fig3d, ax3d = plotting.plot_surface(objectives.saddle(), n=10, title="3-D")
        for f in (fig, fig3d):
            f.canvas.draw()
        assert ax.title.get_position()[1] == 1.0
        assert ax3d.title.get_window_extent(fig3d.canvas.get_renderer()).y0 >= ax3d.bbox.y1     # above the box
        ax_top = fig.add_axes((0.1, 0.1, 0.3, 0.3))
        ax_top.xaxis.tick_top()                          # no course figure has a top axis: not lifted
        ax_top.set_title("top ticks")
        fig.canvas.draw()
        assert ax_top.title.get_position()[1] == 1.0
    plt.close("all")


def test_loss_curves_use_log_scale_and_mark_divergence(runs):
    fig, ax = plotting.plot_losses(runs)
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "step $t$" and ax.get_title() == "Loss per step"
    assert "diverged (path cut)" in _legend_texts(ax)
    curve = next(ln for ln in ax.get_lines() if ln.get_label() == runs[0].label)
    assert len(curve.get_xdata()) == runs[0].nit + 1


def test_loss_curves_switch_to_symlog_for_negative_values_and_subtract_f_star():
    f = objectives.saddle()
    t = run(optim.gd(lr=0.1), f, [1.0, 0.5], 20)
    fig, ax = plotting.plot_losses(t)
    assert ax.get_yscale() == "symlog"
    fig, ax = plotting.plot_losses(t, log=False, f_star=-1.0)
    assert ax.get_yscale() == "linear" and ax.get_ylabel() == "$f(x_t) - f^*$"
    assert np.allclose(ax.get_lines()[0].get_ydata(), t.fs + 1.0)


def test_small_multiples_grid_titles_and_hidden_cells(rosen, runs):
    panels = [(rosen, runs), (objectives.saddle(), run(optim.gd(lr=0.1), objectives.saddle(), [1, 0.1], 10)),
              (objectives.beale(), runs[1:2])]
    fig, axes = plotting.small_multiples(panels, ncols=2, titles=["a", "b", "c"], suptitle="Three races", levels=5)
    assert axes.shape == (2, 2)
    assert [ax.get_title() for ax in axes.flat[:3]] == ["a", "b", "c"]
    assert not axes.flat[3].get_visible()
    assert fig.get_suptitle() == "Three races"


@pytest.mark.parametrize("kwargs, match", [(dict(panels=[]), "at least one"),
                                           (dict(ncols=0), "ncols"), (dict(titles=["only one", "two"]), "titles")])
def test_small_multiples_rejects_bad_arguments(rosen, runs, kwargs, match):
    args = {"panels": [(rosen, runs)], **kwargs}
    with pytest.raises(ValueError, match=match):
        plotting.small_multiples(**args)


def test_lr_sensitivity_marks_diverged_learning_rates_at_the_top(rosen):
    lrs = np.array([1e-4, 1e-3, 1e-2])
    table = {name: [run(optim.OPTIMIZERS[name](lr=lr), rosen, [-1.5, 2.0], 30) for lr in lrs]
             for name in ("gd", "adam")}
    assert table["gd"][-1].diverged and not any(t.diverged for t in table["adam"])
    fig, ax = plotting.plot_lr_sensitivity(lrs, table)
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "learning rate $\\eta$"
    assert ax.get_title() == "Final loss vs learning rate"
    assert {"gd", "adam", "diverged (path cut)"} <= set(_legend_texts(ax))
    gd_line = next(ln for ln in ax.get_lines() if ln.get_label() == "gd")
    assert np.isnan(gd_line.get_ydata()[-1])                         # no fake loss for a diverged run
    crosses = [ln for ln in ax.get_lines() if ln.get_marker() == "x" and len(ln.get_xdata())]
    assert len(crosses) == 1 and crosses[0].get_xdata()[0] == lrs[-1] and crosses[0].get_ydata()[0] == 0.97


@pytest.mark.parametrize("lrs, runs_of, match", [([0.1, -1], 2, "positive"), ([0.1, 0.2], 1, "has 1 runs"),
                                                 ([], 0, "non-empty")])
def test_lr_sensitivity_rejects_inconsistent_input(rosen, runs, lrs, runs_of, match):
    with pytest.raises(ValueError, match=match):
        plotting.plot_lr_sensitivity(lrs, {"gd": runs[:runs_of]})


# ---------------------------------------------------------------------------
# The race animation
# ---------------------------------------------------------------------------

def test_race_animation_renders_to_html_with_alt_text(rosen, runs):
    html = plotting.race_html(rosen, runs, alt="Three optimizers race on Rosenbrock; momentum diverges.",
                              frames=3, figsize=(3, 2.5), dpi=40, grid=30)
    assert html.startswith('<figure aria-label="Three optimizers race on Rosenbrock; momentum diverges.">')
    assert "<figcaption>" in html
    assert len(re.findall(r"frames\[\d+\] = \"data:image/png;base64", html)) == 3
    assert "http" not in html.replace("http://www.w3.org", "")       # plays offline: nothing from a CDN
    assert 'class="fa' not in html and html.count('aria-label="Play"') == 1
    assert plt.get_fignums() == []                                    # nothing left for pyplot to show


def test_race_animation_legend_names_hyperparameters_and_follows_the_steps(rosen, runs):
    anim = plotting.race_animation(rosen, runs, frames=4, grid=30)
    anim._draw_was_started = True              # this test inspects frames without rendering a movie
    ax = anim._fig.axes[0]
    texts = _legend_texts(ax)
    assert "adam(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-08)" in texts
    anim._func(1)                                                      # a middle frame
    adam_line = next(ln for ln in ax.get_lines() if ln.get_label().startswith("adam"))
    assert 1 < len(adam_line.get_xdata()) < runs[1].nit + 1
    assert "step" in ax.get_title()


def test_race_needs_alt_text_and_runs(rosen, runs):
    with pytest.raises(ValueError, match="alt text"):
        plotting.race_html(rosen, runs, alt=" ")
    with pytest.raises(ValueError, match="at least one"):
        plotting.race_animation(rosen, [])
    with pytest.raises(ValueError, match="frames"):
        plotting.race_animation(rosen, runs, frames=0)


def test_path_styles_follow_the_course_style(rosen, runs):
    fig, ax = plotting.plot_trajectories(rosen, runs)
    adam = next(ln for ln in ax.get_lines() if ln.get_label() == runs[1].label)
    assert adam.get_marker() == style.optimizer_style("adam").marker


def test_race_frames_are_the_pixels_of_a_full_draw(rosen, runs):
    """Blitting the moving artists over the first full draw gives exactly what drawing everything gives."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    # the fixture's runs (one diverges: the cut mark) plus one that ends on the minimum marker, so the frames
    # have paths crossing every kind of artist that sits above them
    arriving = run(optim.momentum(lr=1e-3, momentum=0.9), rosen, [-1.5, 2.0], 2000)
    race = plotting._race(rosen, [*runs, arriving], frames=4, window=None, title=None, figsize=(4, 3), dpi=50,
                          margin=1.0, grid=30)
    pngs = plotting.race_frames(race)
    assert len(pngs) == race.frames == 4
    canvas = FigureCanvasAgg(race.figure)
    for k, png in enumerate(pngs):
        race.draw(k)
        canvas.draw()
        full = np.asarray(canvas.buffer_rgba())
        blitted = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
        assert blitted.shape == full.shape
        assert np.array_equal(blitted, full), f"frame {k}: {np.mean(np.any(blitted != full, axis=-1)):.2%} pixels differ"
    assert len({png for png in pngs}) == 4                   # and the frames do change
