"""Tests of the explorers: the pure update functions (course_lib.explore) at every slider extreme, and the
widgets that wire them (course_lib.widgets), headless."""

import html
import re

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from course_lib import explore, objectives, optim, run, scene, widgets
from course_lib.explore import SliderSpec
from pictures import decode_png

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def slider_values(spec):
    """Hypothesis values for one slider: its two ends, and random positions (log-uniform on a log scale)."""
    ends = st.sampled_from([spec.low, spec.high])
    if spec.integer:
        inner = st.integers(int(spec.low), int(spec.high))
    elif spec.log:
        inner = st.floats(np.log10(spec.low), np.log10(spec.high)).map(lambda e: spec.snap(10.0 ** e))
    else:
        inner = st.floats(spec.low, spec.high)
    return st.one_of(ends, inner)


def all_values(specs):
    return st.fixed_dictionaries({k: slider_values(s) for k, s in specs.items()})


def assert_frame_is_drawable(frame, window, margin=1.0):
    box = explore.expand_window(window, margin)
    for p in frame.paths:
        assert np.all(np.isfinite(p.xy)) and np.all(np.isfinite(p.end))
        assert np.all(np.isfinite(p.losses)) and len(p.losses) == len(p.steps)
        for v, (lo, hi) in zip(p.xy.T, box):
            assert np.all((v >= lo - 1e-9) & (v <= hi + 1e-9))
        if p.diverged:
            assert "diverged" in p.status and "diverged" in p.brief
    assert len(frame.message.splitlines()) == len(frame.paths)


# ---------------------------------------------------------------------------
# Slider specs
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, match", [
    (dict(low=1.0, high=0.0, value=0.5), "low must be below high"),
    (dict(low=0.0, high=1.0, value=2.0), "outside"),
    (dict(low=0.0, high=1.0, value=0.5, log=True), "log-scale"),
    (dict(low=0.0, high=np.inf, value=0.5), "finite"),
    (dict(low=0.0, high=1.0, value=0.5, step=0.0), r"step must be a number in \(0, 1\], got 0.0"),
    (dict(low=0.0, high=1.0, value=0.5, step=2.0), r"step must be a number in \(0, 1\], got 2.0"),
    (dict(low=0.01, high=1.0, value=0.5, log=True, step=3.0), r"step must be a number in \(0, 2\], got 3.0"),
    (dict(low=0.0, high=1.0, value=0.5, step=True), "step must be a number"),
    (dict(low=0, high=10, value=5, integer=True, step=0.5), "an integer slider needs an integer step, got 0.5"),
])
def test_slider_spec_validates(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SliderSpec("s", **kwargs)


def test_slider_spec_check_and_snap():
    lr = explore.HYPERPARAM_SLIDERS["lr"]
    assert lr.check(0.5) == 0.5
    with pytest.raises(ValueError, match=r"lr must be in \[0.0001, 10\], got 11"):
        lr.check(11)
    with pytest.raises(ValueError, match="must be a number"):
        lr.check("0.1")
    assert lr.snap(10.000000001) == 10.0 and lr.snap(9.99999e-5) == 1e-4     # browser rounding past the ends
    assert lr.snap(0.0123456) == 0.0123
    steps = SliderSpec("steps", 1, 500, 100, integer=True)
    assert steps.snap(99.6) == 100 and isinstance(steps.snap(3.0), int)
    # what a browser sends back after putting a value on the slider's step grid
    assert explore.HYPERPARAM_SLIDERS["momentum"].snap(0.9000000000000001) == 0.9
    assert lr.snap(0.03162277660168379) == lr.snap(0.0316227766016838)
    assert SliderSpec("x", -2, 2, 0).snap(-1.8199999999999998) == -1.82
    with pytest.raises(ValueError, match="integer"):
        steps.check(2.5)


@pytest.mark.parametrize("name", sorted(optim.OPTIMIZERS))
def test_every_optimizer_accepts_both_ends_of_each_of_its_sliders(name):
    specs = explore.hyperparam_sliders(name)
    assert "lr" in specs
    defaults = {k: s.value for k, s in specs.items()}
    for key, spec in specs.items():
        for end in (spec.low, spec.high):
            optim.OPTIMIZERS[name](**{**defaults, key: end})      # raises if a slider end is invalid


def test_hyperparam_sliders_use_constructor_defaults_and_overrides():
    adam = explore.hyperparam_sliders("adam")
    assert {k: s.value for k, s in adam.items()} == {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    assert adam["lr"].log and adam["eps"].log and not adam["beta1"].log
    assert explore.hyperparam_sliders("gd")["lr"].value == explore.HYPERPARAM_SLIDERS["lr"].value
    assert explore.hyperparam_sliders("nesterov")["momentum"].low > 0
    narrow = explore.hyperparam_sliders("gd", {"lr": 0.2}, {"lr": SliderSpec("lr", 0.01, 1.0, 0.1, log=True)})
    assert (narrow["lr"].low, narrow["lr"].value) == (0.01, 0.2)
    with pytest.raises(ValueError, match="unknown optimizer 'lion'"):
        explore.hyperparam_sliders("lion")
    with pytest.raises(ValueError, match=r"lr must be in"):
        explore.hyperparam_sliders("gd", {"lr": 100.0})


def test_series_specs_keys_fixed_values_and_errors():
    specs = explore.series_specs(["gd", ("gd", {"lr": 0.5}), ("adamw", {"lr": 0.1, "weight_decay": 0.1})])
    assert [s.key for s in specs] == ["gd", "gd_2", "adamw"]
    assert specs[1].sliders["lr"].value == 0.5
    assert specs[2].fixed == {"weight_decay": 0.1}
    with pytest.raises(ValueError, match="non-empty list"):
        explore.series_specs("adam")
    with pytest.raises(ValueError, match="must be a dict"):
        explore.series_specs([("adam", 0.1)])


def test_check_values_names_the_bad_key_or_value():
    specs = explore.explorer_sliders(objectives.rosenbrock(), explore.series_specs(["gd"]))
    assert set(specs) == {"gd.lr", "steps", "x0", "y0"}
    with pytest.raises(ValueError, match="unknown slider"):
        explore.check_values(specs, {"gd.momentum": 0.9})
    with pytest.raises(ValueError, match="x0 must be in"):
        explore.check_values(specs, {"x0": 99.0})


# ---------------------------------------------------------------------------
# Runs and the cache: checked against run() itself
# ---------------------------------------------------------------------------

def test_truncate_equals_a_shorter_run():
    f = objectives.rosenbrock()
    opt = optim.adam(lr=0.1)
    long, short = run(opt, f, [-1.5, 2.0], 80), run(opt, f, [-1.5, 2.0], 30)
    cut = explore.truncate(long, 30)
    assert np.array_equal(cut.xs, short.xs) and cut.message == short.message and cut.success
    diverged = run(optim.gd(lr=0.01), f, [-1.5, 2.0], 80)
    assert explore.truncate(diverged, 80) is diverged


def test_run_cache_reuses_longer_and_diverged_runs_and_looks_ahead():
    f = objectives.rosenbrock()
    cache = explore.RunCache()
    opt = optim.gd(lr=1e-3)
    first = cache.run(opt, f, [-1.5, 2.0], 50)
    again = cache.run(optim.gd(lr=1e-3), f, [-1.5, 2.0], 20)
    assert (cache.hits, cache.misses) == (1, 1)
    assert np.array_equal(again.xs, first.xs[:21])
    longer = cache.run(opt, f, [-1.5, 2.0], 60, horizon=200)        # steps slider moved up: run to the horizon
    assert longer.nit == 60 and np.array_equal(longer.xs, run(opt, f, [-1.5, 2.0], 60).xs)
    cache.run(opt, f, [-1.5, 2.0], 150, horizon=200)
    assert cache.misses == 2
    bad = optim.gd(lr=0.01)
    cache.run(bad, f, [-1.5, 2.0], 10)
    assert cache.run(bad, f, [-1.5, 2.0], 500).diverged and cache.misses == 3
    with pytest.raises(ValueError, match="maxsize"):
        explore.RunCache(0)


def test_run_cache_computes_per_step_rows_once_for_the_whole_run():
    """What the step-size explorer derives from each run (its effective learning rates): computed for the
    whole cached run, sliced for shorter requests, and recomputed only for changed settings."""
    from course_lib.stepsize import effective_lr_history

    f, start = objectives.rosenbrock(), [-1.5, 2.0]
    cache, calls = explore.RunCache(), []

    def rows(opt, traj):
        calls.append(traj.nit)
        return effective_lr_history(opt, traj)

    adam = optim.adam(lr=0.05)
    first = cache.per_step(rows, adam, f, start, cache.run(adam, f, start, 40))
    longer = cache.run(adam, f, start, 90, horizon=100)            # the steps slider moved up: run to 100
    again = cache.per_step(rows, optim.adam(lr=0.05), f, start, longer)
    assert calls == [40, 100] and len(again) == 90                 # rows for the whole run, at once
    np.testing.assert_array_equal(again, effective_lr_history(adam, longer))
    np.testing.assert_array_equal(first, again[:40])
    shorter = cache.per_step(rows, adam, f, start, cache.run(adam, f, start, 60, horizon=100))
    assert calls == [40, 100] and np.array_equal(shorter, again[:60])
    other = optim.adam(lr=0.06)
    cache.per_step(rows, other, f, start, cache.run(other, f, start, 40))
    assert calls == [40, 100, 40]


# ---------------------------------------------------------------------------
# The optimizer explorer's frame, over every slider's range
# ---------------------------------------------------------------------------

ALL_SERIES = explore.series_specs(sorted(optim.OPTIMIZERS))
EXPLORED = {name: objectives.__dict__[name]() for name in ("rosenbrock", "saddle", "beale")}


@pytest.mark.parametrize("name", sorted(EXPLORED))
@FAST
@given(data=st.data())
def test_explorer_frame_is_always_drawable(name, data):
    f = EXPLORED[name]
    specs = explore.explorer_sliders(f, ALL_SERIES, steps=20, max_steps=60)
    values = data.draw(all_values(specs))
    frame = explore.explorer_frame(f, ALL_SERIES, values)
    assert_frame_is_drawable(frame, explore.window_2d(f))
    assert np.allclose(frame.start, [values["x0"], values["y0"]])
    assert [p.key for p in frame.paths] == [s.key for s in ALL_SERIES]


def test_explorer_frame_reports_divergence_without_raising():
    f = objectives.rosenbrock()
    series = explore.series_specs([("gd", {"lr": 10.0}), ("adam", {"lr": 0.1})])
    frame = explore.explorer_frame(f, series, {"steps": 50, "x0": 2.0, "y0": -1.0})
    gd, adam = frame.paths
    assert gd.diverged and not adam.diverged
    assert frame.warnings.splitlines() == [gd.brief] and gd.brief.startswith("gd: diverged at step")
    assert "adam(lr=0.1" in adam.status


def test_explorer_frame_reports_invalid_combinations():
    series = explore.series_specs(["sgd"])
    specs = {"lr": series[0].sliders["lr"]}
    bad = series[0]._replace(sliders=specs, fixed={"nesterov": True})     # nesterov with momentum 0: rejected
    frame = explore.explorer_frame(objectives.rosenbrock(), [bad], {"steps": 10})
    assert "invalid settings" in frame.warnings and "nesterov=True needs momentum > 0" in frame.message
    with pytest.raises(ValueError, match="steps"):
        explore.explorer_frame(objectives.rosenbrock(), series, {"steps": -1})


def test_describe_frame_names_objective_start_and_outcomes():
    f = objectives.rosenbrock()
    series = explore.series_specs([("gd", {"lr": 10.0})])
    frame = explore.explorer_frame(f, series, {"steps": 5, "x0": 1.0, "y0": 2.0})
    text = explore.describe_frame(f.name, frame)
    assert "Rosenbrock" in text and "(1, 2)" in text and "diverged" in text


# ---------------------------------------------------------------------------
# Axis limits
# ---------------------------------------------------------------------------

positive = st.floats(1e-20, 1e20)


@settings(max_examples=100, deadline=None)
@given(st.lists(positive, min_size=1, max_size=20), st.one_of(st.none(), st.tuples(positive, positive)))
def test_log_limits_hold_the_data_and_are_stable(values, current):
    current = None if current is None or current[0] >= current[1] else current
    lo, hi = explore.log_limits(values, current)
    assert 0 < lo < hi and hi >= max(values)
    assert lo <= max(min(values), max(values) / 1e12) * (1 + 1e-12)
    assert explore.log_limits(values, (lo, hi)) == (lo, hi)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-1e12, 1e12), min_size=1, max_size=20))
@example([-1e12, -999999999999.9999])        # a span of one float64 step: the grid once rounded to lo == hi
@example([0.0, 5e-324])                       # a subnormal span: its power of ten is 0
def test_linear_limits_hold_the_data_and_are_stable(values):
    lo, hi = explore.linear_limits(values)
    assert lo < hi and lo <= min(values) and hi >= max(values)
    assert explore.linear_limits(values, (lo, hi)) == (lo, hi)


@given(st.integers(0, 10**6), st.one_of(st.none(), st.integers(1, 10**6)))
def test_step_limits_are_nice_and_hold_the_steps(steps, most):
    most = None if most is None else max(most, steps)          # the slider's maximum holds its value
    lo, hi = explore.step_limits(steps, most=most)
    assert lo == 0 and hi >= steps and (hi == explore.nice_ceil(hi) or hi == most)
    if most is not None and steps < most:
        assert hi > steps                                      # room to drag the slider up
    assert explore.step_limits(steps, (lo, hi), most) == (lo, hi)


def test_step_limits_leave_room_above_a_round_number_of_steps():
    assert [explore.step_limits(s, most=500)[1] for s in (100, 150, 200, 300, 500)] == [200, 200, 500, 500, 500]
    assert explore.step_limits(200, most=300) == (0.0, 300.0)
    assert explore.step_limits(200) == (0.0, 200.0)              # no slider: the steps fill the axis


def test_nice_ceil():
    assert [explore.nice_ceil(v) for v in (1, 1.5, 3, 7, 10, 101)] == [1, 2, 5, 10, 10, 200]
    with pytest.raises(ValueError, match="positive"):
        explore.nice_ceil(0)


def test_loss_view_follows_the_start_and_clips_diverged_curves():
    f = objectives.rosenbrock()
    series = explore.series_specs([("gd", {"lr": 10.0}), ("adam", {"lr": 0.1})])
    frame = explore.explorer_frame(f, series, {"steps": 50})
    (lo, hi), shown = explore.loss_view(frame.paths, "log")
    start = frame.paths[1].losses[0]
    assert hi >= start and hi < 100 * start                      # the exploding run does not set the top
    assert all(np.all((y >= lo) & (y <= hi)) for y in shown)
    assert shown[0][-1] == hi                                    # the diverged curve ends at the top edge


def test_a_log_loss_panel_keeps_its_bottom_while_a_run_slows_down():
    """A slider that slows the fastest run moves its curve, not the axis, until its lowest loss has risen by
    more than LOSS_SLACK_DECADES decades (then the panel closes in, leaving room below)."""
    from types import SimpleNamespace

    def paths(lowest):
        return [SimpleNamespace(losses=np.array([10.0, 1.0, lowest]), diverged=False)]

    limits, _ = explore.loss_view(paths(1e-11), "log")
    assert limits == (1e-11, 100.0)                  # the bottom at the floor: 1e12 below the top
    for lowest in (1e-10, 1e-8, 1e-6):
        assert explore.loss_view(paths(lowest), "log", limits)[0] == limits
    moved, _ = explore.loss_view(paths(1e-4), "log", limits)
    assert moved[0] > limits[0] and moved[0] <= 1e-4 and moved[1] == limits[1]


# ---------------------------------------------------------------------------
# The 1-D explorer and the landscape explorer
# ---------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(x=st.floats(-10, 10), lr=slider_values(explore.HYPERPARAM_SLIDERS["lr"]))
def test_tangent_frame_is_one_gradient_step(x, lr):
    f = objectives.parabola()
    fr = explore.tangent_frame(f, x, lr)
    assert np.all(np.isfinite(fr.tangent)) and np.all(np.isfinite(fr.step_to))
    assert fr.slope == pytest.approx(2 * x)
    assert fr.x_next == pytest.approx(x - lr * 2 * x)
    assert -10 <= fr.step_to[0] <= 10
    slope = (fr.tangent[1, 1] - fr.tangent[0, 1]) / (fr.tangent[1, 0] - fr.tangent[0, 0])
    assert slope == pytest.approx(2 * x, abs=1e-9)
    if x > 0:
        assert "moves left" in fr.message
    if not -10 <= fr.x_next <= 10:
        assert "jumps out of the window" in fr.message


def test_tangent_frame_overshoot_and_errors():
    f = objectives.parabola()
    assert "overshoot" in explore.tangent_frame(f, 5.0, 1.05).message
    assert "f goes down by 64: 100 → 36" in explore.tangent_frame(f, 10.0, 0.2).message
    out = explore.tangent_frame(f, 10.0, 1.1).message
    assert "overshoot" in out and "jumps out of the window to x = -12" in out
    with pytest.raises(ValueError, match="lr must be a positive number"):
        explore.tangent_frame(f, 1.0, 0.0)
    with pytest.raises(ValueError, match="x must be a finite number"):
        explore.tangent_frame(f, np.nan, 0.1)
    with pytest.raises(ValueError, match="1-D objective"):
        explore.tangent_frame(objectives.rosenbrock(), 1.0, 0.1)


def test_fit_frame_drops_non_finite_points_and_reports_a_non_finite_loss():
    def fit(w1, w2):
        x = np.array([-1.0, 0.0, 1.0])
        return np.divide(w1, w2), (x, np.log(x + w1))

    fr = explore.fit_frame(fit, 1.0, 2.0)
    assert fr.loss == 0.5 and np.all(np.isfinite(fr.curve)) and len(fr.curve) == 2
    assert "loss = 0.5" in fr.message
    assert "not finite" in explore.fit_frame(fit, 1.0, 0.0).message
    with pytest.raises(ValueError, match=r"must return \(loss, \(x, y\)\)"):
        explore.fit_frame(lambda a, b: a + b, 1.0, 2.0)


def test_loss_grid_checks_vectorisation():
    W1, W2, L = explore.loss_grid(lambda a, b: np.log(a) + b, ((-1, 1), (0, 1)), n=5)
    assert L.shape == (5, 5) and np.isnan(L[0, 0]) and np.isfinite(L[0, -1])
    with pytest.raises(ValueError, match="one value per point"):
        explore.loss_grid(lambda a, b: 1.0, ((0, 1), (0, 1)), n=5)


# ---------------------------------------------------------------------------
# The widgets, headless (Agg canvas, image fallback)
# ---------------------------------------------------------------------------

def _image_alt(html):
    return re.search(r'alt="([^"]*)"', html).group(1)


def _all_finite(artists):
    return all(np.all(np.isfinite(np.asarray(a.get_xydata(), float))) for a in artists if hasattr(a, "get_xydata"))


@pytest.fixture(scope="module")
def explorer():
    ex = widgets.OptimizerExplorer(objectives.rosenbrock(), ["gd", ("momentum", {"lr": 1e-3}), ("adam", {"lr": 0.1})],
                                   steps=30, max_steps=80, x0=(-1.5, 2.0))
    yield ex
    plt.close("all")


def test_explorer_builds_the_right_sliders(explorer):
    c = explorer.controls
    assert isinstance(c["gd.lr"], W.FloatLogSlider) and isinstance(c["steps"], W.IntSlider)
    assert isinstance(c["adam.beta2"], W.FloatSlider)
    assert 10 ** c["adam.eps"].min == pytest.approx(1e-10) and 10 ** c["adam.eps"].max == pytest.approx(1.0)
    assert all(w.continuous_update for w in c.values())                 # a new picture while dragging
    assert (c["x0"].min, c["x0"].max) == (-2.0, 2.0) and c["x0"].value == -1.5
    assert explorer.view is not None and explorer.status.value


def test_a_new_explorer_has_run_as_far_as_its_steps_slider_goes():
    """The first drag of the steps slider upwards runs no optimizer: the explorer ran them to the slider's
    maximum while its cell ran, and the frames it shows are those of shorter runs, as before."""
    f = objectives.rosenbrock()
    ex = widgets.OptimizerExplorer(f, [("momentum", {"lr": 1e-3}), ("adam", {"lr": 0.1})], steps=30, max_steps=80,
                                   x0=(-1.5, 2.0), grid=30)
    misses = ex.cache.misses
    assert misses == 2                                 # 80 steps of each optimizer; the 30 shown are their start
    for steps in (31, 55, 80, 12):
        frame = ex.update(steps=steps)
        assert [len(p.steps) for p in frame.paths] == [steps + 1] * 2
    assert ex.cache.misses == misses
    np.testing.assert_array_equal(frame.paths[1].losses, run(optim.adam(lr=0.1), f, [-1.5, 2.0], 12).fs)
    plt.close(ex.figure)


@FAST
@given(data=st.data())
def test_explorer_survives_every_slider_extreme(explorer, data):
    values = data.draw(all_values(explorer.specs))
    frame = explorer.update(**values)
    assert_frame_is_drawable(frame, explorer.window)
    assert _all_finite(explorer.painter.artists)
    assert explorer.last_redraw in ("blit", "axes", "full")
    alt = explorer.alt
    assert alt.startswith("Contour map of Rosenbrock") and alt.count("after") + alt.count("diverged") >= 3
    status = [line for line in re.sub("<[^>]+>", "\n", explorer.status.value).splitlines() if line.strip()]
    assert len(status) == 4 and status[-1] == "Figure: " + html.escape(alt)    # the alt text, for screen readers


def test_the_view_shows_the_canvas_and_the_status_its_alt_text(explorer):
    """The default view gets the painter's background and the scene of the moving artists (that the two
    together make matplotlib's picture is tested in tests/test_scene.py and, in the browser, in
    tests/browser/test_figure_view.py); the alt text goes with them and, hidden from view, ends the status
    line (a live region that screen readers read); all follow a move."""
    def shown():
        view = explorer.view
        assert view in explorer.widget.children and explorer.figure.canvas not in explorer.widget.children
        described = re.search(r'<span style="([^"]*)">Figure: ([^<]*)</span></div>$', explorer.status.value)
        assert "clip: rect(0, 0, 0, 0)" in described.group(1) and 'aria-live="polite"' in explorer.status.value
        assert view.alt == explorer.alt
        background = decode_png(view.background)
        return scene.Scene(view.ops, view.coords, view.codes), background, described.group(2)

    explorer.update(**{"gd.lr": 1e-3})
    before, background, alt = shown()
    np.testing.assert_array_equal(background, explorer.painter.background())
    assert alt == html.escape(explorer.alt) and alt.startswith("Contour map of Rosenbrock")
    explorer.update(**{"gd.lr": 2e-3})
    after, _, alt_after = shown()
    assert before.coords != after.coords and alt_after == html.escape(explorer.alt) != alt
    assert after == scene.record(explorer.figure, explorer.painter.artists)


def test_the_browser_putting_sliders_on_their_grid_causes_no_redraw():
    """A browser shows the sliders and sends back each value it rounded onto the step grid: no new frame."""
    ex = widgets.OptimizerExplorer(objectives.rosenbrock(), [("gd", {"lr": 0.0316227766016838}), "momentum"],
                                   steps=30, x0=(-1.82, 2.0), grid=30)
    frames = []
    ex.compute = lambda values, compute=ex.compute: frames.append(values) or compute(values)
    for key, value in {"gd.lr": 0.03162277660168379, "momentum.momentum": 0.9000000000000001,
                       "x0": -1.8199999999999998}.items():
        ex.controls[key].value = value
    assert frames == []
    ex.controls["momentum.momentum"].value = 0.5                       # a real move still redraws
    assert len(frames) == 1 and frames[0]["momentum.momentum"] == 0.5
    plt.close("all")


def test_explorer_update_checks_values(explorer):
    with pytest.raises(ValueError, match="unknown slider"):
        explorer.update(lr=0.1)
    with pytest.raises(ValueError, match="steps must be in"):
        explorer.update(steps=10_000)


def test_blitting_draws_what_a_full_redraw_draws():
    f = objectives.rosenbrock()
    kwargs = dict(steps=40, x0=(-1.5, 2.0), grid=40)
    fast = widgets.OptimizerExplorer(f, ["gd", ("adam", {"lr": 0.1})], blit=True, **kwargs)
    slow = widgets.OptimizerExplorer(f, ["gd", ("adam", {"lr": 0.1})], blit=False, **kwargs)
    for ex in (fast, slow):
        ex.update(**{"adam.lr": 0.5})
        ex.update(**{"adam.lr": 0.05})                                # a very different path: no ghost may remain
    assert fast.last_redraw == "blit" and slow.last_redraw == "full"
    a, b = fast.painter.rgba(), slow.painter.rgba()
    assert a.shape == b.shape
    assert np.mean(np.any(a != b, axis=-1)) < 0.002                   # only where paths cross static markers


def test_a_canvas_without_ipympl_is_a_clear_error(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_ipympl(name, *args, **kwargs):
        if name.startswith("ipympl"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ipympl)
    with pytest.raises(ValueError, match=r"canvas=True\) needs ipympl: pip install ipympl, or leave canvas=False"):
        widgets.FunctionExplorer(objectives.parabola(), canvas=True)
    ex = widgets.FunctionExplorer(objectives.parabola())                # the default needs no ipympl
    assert bytes(ex.view.background[:8]) == b"\x89PNG\r\n\x1a\n" and ex.figure.canvas not in ex.widget.children
    plt.close("all")


@pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning")   # ipympl's Toolbar
def test_explorer_with_ipympl_canvas():
    ex = widgets.OptimizerExplorer(objectives.saddle(), ["gd"], steps=10, canvas=True, grid=30)
    assert type(ex.figure.canvas).__name__ == "LiveCanvas" and ex.view is None
    assert ex.figure.canvas in ex.widget.children
    ex.update(**{"gd.lr": 0.2})
    ex.figure.canvas.draw()          # what the browser does after draw_idle (here there is no browser)
    ex.update(**{"gd.lr": 0.21})
    assert ex.last_redraw == "blit"
    assert "application/vnd.jupyter.widget-view+json" in ex._repr_mimebundle_()
    assert all(w.continuous_update for w in ex.controls.values())


@pytest.mark.parametrize("x, lr", [(-10.0, 1e-4), (10.0, 10.0), (0.0, 0.1), (10.0, 1.1)])
def test_function_explorer_extremes(x, lr):
    ex = widgets.FunctionExplorer(objectives.parabola())
    frame = ex.update(x=x, lr=lr)
    assert _all_finite([ex.tangent, ex.point, ex.next_point])
    assert ex.arrow.get_visible() == (x != 0.0)
    assert html.escape(frame.message) in ex.status.value
    assert ex.alt.startswith("Plot of f(x) = parabola")
    plt.close("all")


def test_landscape_explorer_draws_the_fit_and_survives_bad_regions():
    x = np.linspace(0.1, 2, 20)
    y = 2 * x + 1

    def loss(w1, w2):
        w1, w2 = np.asarray(w1)[..., None], np.asarray(w2)[..., None]
        return np.mean((w1 * x + w2 - y) ** 2, axis=-1)

    def fit(w1, w2):
        grid = np.linspace(0, 2, 5)
        return (float(loss(w1, w2)) if w2 > -2.9 else np.inf), (grid, np.log(grid) * 0 + w1 * grid + w2)

    ex = widgets.LandscapeExplorer(loss, fit, ((0, 4), (-3, 3)), data=(x, y), names=("slope", "intercept"))
    assert ex.ax_loss.get_xlabel() == "slope" and ex.controls["w1"].description == "slope"
    frame = ex.update(w1=2.0, w2=1.0)
    assert frame.loss == pytest.approx(0.0)
    assert np.array_equal(ex.curve.get_xdata(), [0.5, 1.0, 1.5, 2.0])      # the NaN at x = 0 is left out
    frame = ex.update(w1=4.0, w2=-3.0)
    assert "not finite" in frame.message and _all_finite([ex.marker, ex.curve])
    with pytest.raises(ValueError, match="window"):
        widgets.LandscapeExplorer(loss, fit, ((1, 0), (0, 1)))
    plt.close("all")


def test_critical_point_classifier_widget():
    cp = widgets.CriticalPointClassifier("x**2 - y**2", time_budget=5.0)
    assert "saddle" in cp.result.value and "<table>" in cp.result.value and "<th" in cp.result.value
    assert "saddle at (0, 0)" in _image_alt(cp.image.value)
    assert cp.classify("x^3 - 3 x y^2").points[0].kind == "degenerate"
    assert cp.classify("x.__class__") is None
    assert "Cannot use this formula" in cp.result.value and "double underscores" in cp.result.value
    assert cp.image.value == ""


def test_slider_positions_are_the_values_a_browser_sends():
    lr, momentum = explore.HYPERPARAM_SLIDERS["lr"], explore.HYPERPARAM_SLIDERS["momentum"]
    assert lr.slider_step == pytest.approx(5 / 200) and momentum.slider_step == 1e-4     # the defaults
    positions = lr.positions()
    assert len(positions) == 201 and positions[0] == 1e-4 and positions[-1] == 10.0 and 0.01 in positions
    assert positions == sorted(positions) and all(lr.snap(v) == v for v in positions)
    assert len(momentum.positions()) == 9901 and momentum.positions()[-1] == 0.99
    tau = SliderSpec("tau", 0.0, 0.5, 0.1, step=0.01)
    assert tau.positions() == [round(0.01 * i, 2) for i in range(51)]
    # a last step shorter than the others: the track still ends at `high`, as the browser's does
    assert SliderSpec("x", 0.0, 1.0, 0.5, step=0.3).positions() == [0.0, 0.3, 0.6, 0.9, 1.0]
    assert SliderSpec("k", 1, 8, 4, integer=True).positions() == list(range(1, 9))
    f = SliderSpec("f", 0.001, 1.0, 0.01, log=True, step=0.05)
    assert len(f.positions()) == 61 and {0.001, 0.002, 0.01, 0.1, 1.0} <= set(f.positions())
    # the browser's slider has the same grid
    for spec in (lr, tau, f):
        w = widgets.make_slider(spec)
        assert w.step == pytest.approx(spec.slider_step) and w.min == pytest.approx(spec._ends()[0])


def test_nearby_values_nearest_first_one_slider_at_a_time():
    specs = {"tau": SliderSpec("tau", 0.0, 0.5, 0.1, step=0.01),
             "workers": SliderSpec("workers", 1, 8, 4, integer=True)}
    here = {"tau": 0.3, "workers": 4}
    near = explore.nearby_values(specs, here)
    assert len(near) == 50 + 7 and here not in near and len({tuple(v.items()) for v in near}) == len(near)
    assert all(sum(v[k] != here[k] for k in here) == 1 for v in near)       # one slider moved
    assert near[:2] == [{"tau": 0.29, "workers": 4}, {"tau": 0.31, "workers": 4}]
    # a step of K is a seventh of its track: it comes after seven steps of tau either way
    assert near.index({"tau": 0.3, "workers": 3}) == 14 and near.index({"tau": 0.3, "workers": 5}) == 15
    # after a move downwards, the positions further down come first (at a quarter of their distance)
    down = [v["tau"] for v in explore.nearby_values(specs, here, previous={"tau": 0.35, "workers": 4})]
    assert down[:4] == [0.29, 0.28, 0.27, 0.26] and set(down[4:6]) == {0.25, 0.31}
    assert explore.nearby_values(specs, here, keys=["workers"])[0] == {"tau": 0.3, "workers": 3}
    with pytest.raises(ValueError, match=r"unknown slider\(s\) \['lr'\]"):
        explore.nearby_values(specs, here, keys=["lr"])
    with pytest.raises(ValueError, match=r"tau must be in \[0, 0.5\], got nan"):
        explore.nearby_values(specs, {"tau": float("nan"), "workers": 4})
    with pytest.raises(ValueError, match="workers must be a number, got True"):
        explore.nearby_values(specs, here, previous={"tau": 0.3, "workers": True})
    with pytest.raises(ValueError, match="ahead must be a number >= 1, got 0.5"):
        explore.nearby_values(specs, here, ahead=0.5)


def test_make_slider_matches_the_spec():
    s = widgets.make_slider(SliderSpec("eps", 1e-10, 1.0, 1e-8, log=True), continuous_update=False)
    assert isinstance(s, W.FloatLogSlider) and s.value == pytest.approx(1e-8) and not s.continuous_update
    s = widgets.make_slider(SliderSpec("beta2", 0.0, 0.9999, 0.999))
    assert isinstance(s, W.FloatSlider) and s.step <= 1e-4 and s.max == 0.9999


def test_log_limits_hold_values_whose_log10_rounds_to_a_whole_decade():
    """log10(1.0000000000000001e-20) rounds to -20.0 exactly, yet 1e-20 is below the value."""
    for value in (1.0000000000000001e-20, 1.0000000000000002, 9.999999999999999e-6):
        lo, hi = explore.log_limits([value])
        assert lo <= value <= hi


@pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning")   # ipympl's Toolbar
def test_live_canvas_frames_are_the_pictures_matplotlib_would_send():
    """Full and diff frames: the same pixels and image modes as with ipympl's own canvas."""
    from ipympl.backend_nbagg import Canvas

    explorers = [widgets.OptimizerExplorer(objectives.rosenbrock(), ["gd", ("adam", {"lr": 0.1})], steps=30,
                                           x0=(-1.5, 2.0), canvas=True, grid=30) for _ in range(2)]
    live, plain = (ex.figure.canvas for ex in explorers)
    assert isinstance(live, widgets.live_canvas_class(Canvas)) and isinstance(live, Canvas)
    plain.__class__ = Canvas                         # the same figure on ipympl's canvas, matplotlib's encoder
    sent = {"live": [], "plain": []}
    for name, canvas in (("live", live), ("plain", plain)):
        canvas.send_binary = lambda data, c=canvas, out=sent[name]: out.append((c._current_image_mode, decode_png(data)))
    for x0 in (-1.5, -1.2, 0.5, 1.0):
        for ex in explorers:
            ex.update(x0=x0)
            if ex.last_redraw == "full":
                ex.figure.canvas.draw()              # what the browser's draw request makes ipympl do
    modes = [m for m, _ in sent["live"]]
    assert modes == [m for m, _ in sent["plain"]] and modes[0] == "full" and "diff" in modes
    for (_, a), (_, b) in zip(sent["live"], sent["plain"]):
        assert np.array_equal(a, b)


@pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning")   # ipympl's Toolbar
def test_a_full_redraw_of_a_figure_on_screen_is_sent_at_once():
    """Before the first draw the browser is left to ask for it; afterwards no round trip is waited for."""
    ex = widgets.OptimizerExplorer(objectives.saddle(), ["gd"], steps=10, canvas=True, grid=30)
    canvas = ex.figure.canvas
    calls = []
    original_draw, original_idle = canvas.draw, canvas.draw_idle
    canvas.draw = lambda: (calls.append("draw"), original_draw())[1]
    canvas.draw_idle = lambda: (calls.append("draw_idle"), original_idle())[1]
    assert ex.painter.refresh(full=True) == "full" and calls == ["draw_idle"]   # not drawn yet: leave it to the browser
    original_draw()                                                              # the browser's first draw
    calls.clear()
    assert ex.painter.refresh(full=True) == "full" and calls == ["draw"]


@pytest.mark.parametrize("make", ["optimizer", "sgd", "saddle"])
def test_redrawing_one_panel_paints_what_a_full_redraw_paints(make):
    """Moves that change the loss panel's limits redraw only that panel: the pixels must match a full redraw.

    (The step-size and distributed explorers redraw in full: there, redrawing their log-scaled panels
    alone measured as slow as redrawing the whole figure, or slower: 140 against 86 ms.)
    """
    from course_lib import saddle_explorer, sgd_explorer

    def build(blit):
        if make == "optimizer":
            return widgets.OptimizerExplorer(objectives.rosenbrock(), ["gd", ("adam", {"lr": 0.1})], steps=40,
                                             max_steps=400, x0=(-1.5, 2.0), grid=40, blit=blit)
        if make == "sgd":
            rng = np.random.default_rng(0)
            x = rng.uniform(-2, 2, 60)
            return sgd_explorer.MinibatchExplorer(x, 1.5 * x - 0.5 + 0.3 * rng.standard_normal(60), blit=blit, grid=40)
        return saddle_explorer.EscapeExplorer(objectives.saddle(), steps=60, grid=40, blit=blit)

    fast, full = build(True), build(False)
    keys = [k for k in fast.specs if k in ("steps", "x0", "y0", "batch", "lr", "gd.lr")] or list(fast.specs)
    rng = np.random.default_rng(1)
    kinds = []
    for _ in range(20):
        key = keys[rng.integers(len(keys))]
        spec = fast.specs[key]
        value = spec.snap(10 ** rng.uniform(np.log10(spec.low), np.log10(spec.high)) if spec.log
                          else rng.uniform(spec.low, spec.high))
        for ex in (fast, full):
            ex.update(**{key: value})
        kinds.append(fast.last_redraw)
        a, b = fast.painter.rgba(), full.painter.rgba()
        assert np.mean(np.any(a != b, axis=-1)) < 0.002, f"after {key}={value}: {kinds}"   # as for blitting
    if make != "saddle":                 # (the escape explorer's loss panel rarely needs new limits)
        assert "axes" in kinds, kinds


@pytest.mark.parametrize("measured", [True, False])
def test_the_first_one_panel_redraw_measures_only_the_moved_panel(monkeypatch, measured):
    """An explorer measures its panels' extents while its cell runs, so the first move that changes the loss
    panel's limits measures only that panel's new extent (without it, the old extents too)."""
    from matplotlib.axes import Axes

    if not measured:
        monkeypatch.setattr(widgets.Painter, "measure", lambda self: None)
    ex = widgets.OptimizerExplorer(objectives.rosenbrock(), ["gd", ("adam", {"lr": 0.1})], steps=40,
                                   max_steps=400, x0=(-1.5, 2.0), grid=40)
    measured_axes = []
    original = Axes.get_tightbbox
    monkeypatch.setattr(Axes, "get_tightbbox",
                        lambda self, *a, **k: (measured_axes.append(self), original(self, *a, **k))[1])
    ex.update(steps=400)
    assert ex.last_redraw == "axes"
    # without: the loss panel where it was, where it is now, then the contour panel it must not overlap
    expected = [ex.ax_loss] if measured else [ex.ax_loss, ex.ax_loss, ex.ax_path]
    assert measured_axes == expected, measured_axes


def test_an_explorer_computes_its_frames_with_one_blas_thread(monkeypatch):
    """While the browser shares the machine, a second BLAS thread only waits for a core: compute runs with
    one, and BLAS is as it was afterwards. Without threadpoolctl an explorer still works."""
    import sys

    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas_threads():
        return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]

    if not blas_threads():
        pytest.skip("threadpoolctl finds no BLAS library in this NumPy")
    seen = []
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):    # two, whatever this machine has
        before = blas_threads()
        assert set(before) == {2}
        for missing in (False, True):
            if missing:
                monkeypatch.setitem(sys.modules, "threadpoolctl", None)
            ex = widgets.FunctionExplorer(objectives.parabola())
            real = ex.compute
            ex.compute = lambda values, real=real: seen.append(blas_threads()) or real(values)
            ex.update(x=1.0)
            assert ex.frame.point[0] == 1.0 and blas_threads() == before
    assert seen[0] == [1] * len(before) and seen[1] == before
    plt.close("all")


def test_a_log_loss_panel_has_a_tick_at_each_decade_and_no_minor_ones():
    from matplotlib.ticker import NullLocator

    from course_lib import data, sgd_explorer, stepsize

    ex = widgets.OptimizerExplorer(objectives.rosenbrock(), ["gd", "adam"], steps=30)
    assert ex.scale == "log" and ex.ax_loss.get_yscale() == "log"
    assert isinstance(ex.ax_loss.yaxis.get_minor_locator(), NullLocator)    # cheaper to redraw (make bench)
    lo, hi = ex.ax_loss.get_ylim()
    ticks = [t for t in ex.ax_loss.get_yticks() if lo <= t <= hi]
    assert len(ticks) >= 3 and all(np.log10(t) == round(np.log10(t)) for t in ticks)
    split = data.noisy_line(n=60, slope=1.5, intercept=-0.5, noise=0.8, seed=3)
    lr_panels = stepsize.StepSizeExplorer(objectives.quadratic(0.05, 5), ["adam"], steps=20, max_steps=40)
    for axes in (sgd_explorer.MinibatchExplorer(split.X_train[:, 0], split.y_train).ax_loss, lr_panels.ax_x,
                 lr_panels.ax_y):
        assert axes.get_yscale() == "log" and isinstance(axes.yaxis.get_minor_locator(), NullLocator)
    plt.close("all")


def test_an_update_draws_in_its_turn(monkeypatch):
    """A slider move may come on a thread of its own (a kernel subshell) while a cell updates the explorer:
    the whole update, drawing included, holds the explorers' turn, and another thread waits for it."""
    import threading

    ex = widgets.FunctionExplorer(objectives.parabola(), x=1.0, lr=0.3)
    render, seen = ex.render, []

    def try_the_turn():
        seen.append(ex._turns._turn.acquire(blocking=False))
        if seen[-1]:
            ex._turns._turn.release()

    def from_another_thread():
        other = threading.Thread(target=try_the_turn)
        other.start()
        other.join()

    def render_and_look(frame):
        from_another_thread()
        return render(frame)

    monkeypatch.setattr(ex, "render", render_and_look)
    ex.update(x=0.5)
    assert seen == [False]
    refresh = ex.painter.refresh
    monkeypatch.setattr(ex.painter, "refresh", lambda *a, **k: (from_another_thread(), refresh(*a, **k))[1])
    ex.set_pixel_ratio(2)                       # the redraw at another resolution holds the turn too
    assert seen == [False, False]
    plt.close("all")


def test_an_explorer_computes_ahead_what_a_move_then_finds_in_its_cache():
    ex = widgets.OptimizerExplorer(objectives.rosenbrock(), ["gd"], steps=20, max_steps=40)
    assert not ex.prefetch                      # its moves are quick: it does not queue any
    values = {**ex.values(), "gd.lr": 0.002}
    ex.compute_ahead(values, lambda *step: None)
    misses = ex.cache.misses
    ex.update(**{"gd.lr": 0.002})
    assert ex.cache.misses == misses
    plt.close("all")
