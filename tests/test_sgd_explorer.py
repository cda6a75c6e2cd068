"""Tests of course_lib.sgd_explorer: minibatch SGD recorded step by step, its explorer's pure frame
function at every slider extreme, and the widget headless."""

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import data, explore, models, optim, sgd_explorer as se
from course_lib.run import run

FAST = settings(max_examples=20, deadline=None)


@pytest.fixture(scope="module")
def line():
    split = data.noisy_line(n=60, slope=1.5, intercept=-0.5, noise=0.8, seed=3)
    return split.X_train[:, 0], split.y_train


def _params(w, b):
    return {"W": np.array([[w]]), "b": np.array([b])}


# ---------------------------------------------------------------------------
# step_size and flatten
# ---------------------------------------------------------------------------

def test_step_size_constant_and_decaying():
    assert se.step_size(0.3, 1000) == 0.3
    assert se.step_size(0.3, 0, decay=10) == 0.3
    assert se.step_size(0.3, 10, decay=10) == pytest.approx(0.15)
    assert se.step_size(0.3, 90, decay=10) == pytest.approx(0.03)
    with pytest.raises(ValueError, match="lr must be positive, got -0.1"):
        se.step_size(-0.1, 0)
    with pytest.raises(ValueError, match="decay must be positive, got 0"):
        se.step_size(0.1, 0, decay=0)


def test_flatten_follows_the_dict_order():
    p = {"W": np.arange(6.0).reshape(3, 2), "b": np.array([7.0, 8.0])}
    np.testing.assert_array_equal(se.flatten(p), [0, 1, 2, 3, 4, 5, 7, 8])
    np.testing.assert_array_equal(se.flatten(np.array([[1.0, 2.0]])), [1.0, 2.0])


# ---------------------------------------------------------------------------
# sgd_path
# ---------------------------------------------------------------------------

def test_full_batch_is_gradient_descent_on_the_sympy_objective(line):
    """An external oracle: the least-squares loss written as a sympy expression, differentiated by sympy."""
    x, y = line
    path = se.sgd_path(models.linear_regression(1), x[:, None], y, 0.1, None, 40, params=_params(-1.0, 2.0))
    traj = run(optim.gd(lr=0.1), models.line_mse_objective(x, y), [-1.0, 2.0], steps=40)
    np.testing.assert_allclose(path.thetas, traj.xs, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(path.losses, traj.fs, rtol=1e-10)
    assert path.success and path.nit == 40 and path.message == "completed 40 steps"
    np.testing.assert_array_equal(path.samples, np.arange(41) * len(y))


def test_one_sgd_step_uses_one_sample(line):
    x, y = line
    model = models.linear_regression(1)
    path = se.sgd_path(model, x[:, None], y, 0.05, 1, 1, seed=4, params=_params(0.3, 0.1))
    candidates = []
    for i in range(len(y)):
        _, g = model.loss_and_grad(_params(0.3, 0.1), x[i:i + 1, None], y[i:i + 1])
        candidates.append(np.array([0.3, 0.1]) - 0.05 * se.flatten(g))
    assert min(np.abs(c - path.thetas[1]).max() for c in candidates) < 1e-14
    assert path.samples.tolist() == [0, 1]


def test_epochs_count_samples_and_the_last_smaller_batch():
    X, y = np.arange(10.0)[:, None] / 10, np.arange(10.0) / 10
    path = se.sgd_path(models.linear_regression(1), X, y, 0.01, 3, 8, seed=0)
    assert path.samples.tolist() == [0, 3, 6, 9, 10, 13, 16, 19, 20]
    replaced = se.sgd_path(models.linear_regression(1), X, y, 0.01, 3, 4, seed=0, replace=True)
    assert replaced.samples.tolist() == [0, 3, 6, 9, 12]


def test_same_seed_same_path_other_seed_other_path(line):
    x, y = line
    model = models.linear_regression(1)
    a, b, c = (se.sgd_path(model, x[:, None], y, 0.05, 2, 30, seed=s) for s in (1, 1, 2))
    np.testing.assert_array_equal(a.thetas, b.thetas)
    assert not np.allclose(a.thetas[1:], c.thetas[1:])


def test_sgd_is_gradient_descent_on_average(line):
    """Unbiased: the mean of one minibatch step over many independent draws is one gradient-descent step."""
    x, y = line
    model = models.linear_regression(1)
    start = _params(-1.0, 2.0)
    gd = se.sgd_path(model, x[:, None], y, 0.1, None, 1, params=start).thetas[1]
    steps = np.array([se.sgd_path(model, x[:, None], y, 0.1, 4, 1, seed=s, params=start, replace=True).thetas[1]
                      for s in range(3000)])
    spread = steps.std(axis=0) / np.sqrt(len(steps))
    assert np.all(np.abs(steps.mean(axis=0) - gd) < 4 * spread)
    assert np.all(spread > 0)


def test_decay_schedule_is_recorded_and_used(line):
    x, y = line
    path = se.sgd_path(models.linear_regression(1), x[:, None], y, 0.2, None, 5, decay=2.0,
                       params=_params(0.0, 0.0))
    np.testing.assert_allclose(path.lrs, [0.2 / (1 + t / 2) for t in range(5)])
    model = models.linear_regression(1)
    theta = np.array([0.0, 0.0])
    for t in range(5):                       # gradient descent with the same schedule, step by step
        _, g = model.loss_and_grad(_params(*theta), x[:, None], y)
        theta = theta - 0.2 / (1 + t / 2) * se.flatten(g)
    np.testing.assert_allclose(path.thetas[-1], theta, rtol=1e-12)


def test_divergence_stops_before_non_finite_values(line):
    x, y = line
    path = se.sgd_path(models.linear_regression(1), x[:, None], y, 50.0, 1, 500, seed=0)
    assert not path.success and path.message.startswith(f"diverged at step {path.nit + 1}: ")
    assert np.all(np.isfinite(path.thetas)) and np.all(np.isfinite(path.losses))
    assert np.linalg.norm(path.thetas[-1]) <= 1e6
    assert len(path.thetas) == len(path.losses) == len(path.samples) == len(path.lrs) + 1


def test_track_loss_false_skips_the_loss(line):
    x, y = line
    a = se.sgd_path(models.linear_regression(1), x[:, None], y, 0.05, 4, 20, seed=0)
    b = se.sgd_path(models.linear_regression(1), x[:, None], y, 0.05, 4, 20, seed=0, track_loss=False)
    assert b.losses is None
    np.testing.assert_array_equal(a.thetas, b.thetas)


@pytest.mark.parametrize("change, match", [
    (dict(steps=-1), "steps must be a non-negative integer"),
    (dict(batch_size=0), "batch_size must be a positive integer"),
    (dict(lr=0.0), "lr must be positive, got 0"),
    (dict(decay=-3.0), "decay must be positive"),
    (dict(max_norm=0), "max_norm must be positive"),
])
def test_sgd_path_validates_before_work(line, change, match):
    x, y = line
    args = {**dict(lr=0.1, batch_size=2, steps=3), **change}
    with pytest.raises(ValueError, match=match):
        se.sgd_path(models.linear_regression(1), x[:, None], y, **args)
    with pytest.raises(ValueError, match="X must have shape"):
        se.sgd_path(models.linear_regression(1), x, y, 0.1, 2, 3)


# ---------------------------------------------------------------------------
# line_sgd_path: sgd_path for a line, from per-batch sums
# ---------------------------------------------------------------------------

def _equal_runs(fast, slow):
    """``fast`` (line_sgd_path) is ``slow`` (sgd_path without the loss) up to rounding."""
    assert (fast.nit, fast.success, fast.message) == (slow.nit, slow.success, slow.message)
    np.testing.assert_allclose(fast.thetas, slow.thetas, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(fast.samples, slow.samples)
    np.testing.assert_array_equal(fast.lrs, slow.lrs)
    assert fast.losses is None and slow.losses is None
    for k in ("W", "b"):
        np.testing.assert_allclose(fast.params[k], slow.params[k], rtol=1e-9, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(lr=st.floats(-3, np.log10(4.0)).map(lambda e: 10.0 ** e), batch=st.one_of(st.none(), st.integers(1, 70)),
       steps=st.integers(0, 300), seed=st.integers(0, 20), replace=st.booleans(),
       start=st.tuples(st.floats(-5, 5), st.floats(-5, 5)))
def test_line_sgd_path_is_sgd_path_of_a_line(line, lr, batch, steps, seed, replace, start):
    """Over (and beyond) the explorer's sliders, diverging runs included: the same batches, the same steps,
    the same step of divergence and message."""
    x, y = line
    fast = se.line_sgd_path(x, y, lr, batch, steps, seed=seed, start=start, replace=replace)
    slow = se.sgd_path(models.linear_regression(1), x[:, None], y, lr, batch, steps, seed=seed,
                       params=_params(*start), replace=replace, track_loss=False)
    _equal_runs(fast, slow)


def test_line_sgd_path_stops_where_sgd_path_does(line):
    x, y = line
    for lr, batch, max_norm in ((50.0, 1, 1e6), (3.0, None, 1e6), (0.5, 4, 3.0)):
        fast = se.line_sgd_path(x, y, lr, batch, 500, seed=2, start=(1.0, -1.0), max_norm=max_norm)
        slow = se.sgd_path(models.linear_regression(1), x[:, None], y, lr, batch, 500, seed=2,
                           params=_params(1.0, -1.0), max_norm=max_norm, track_loss=False)
        assert not fast.success and fast.message.startswith("diverged at step")
        _equal_runs(fast, slow)


@pytest.mark.parametrize("change, match", [
    (dict(steps=-1), "steps must be a non-negative integer"),
    (dict(batch_size=0), "batch_size must be a positive integer"),
    (dict(lr=0.0), "lr must be positive, got 0"),
    (dict(max_norm=0), "max_norm must be positive"),
])
def test_line_sgd_path_validates_as_sgd_path_does(line, change, match):
    x, y = line
    with pytest.raises(ValueError, match=match):
        se.line_sgd_path(x, y, **{**dict(lr=0.1, batch_size=2, steps=3), **change})
    with pytest.raises(ValueError, match="X must have shape"):
        se.line_sgd_path(x, y[:-1], 0.1, 2, 3)
    for start, targets in (((np.nan, 0.0), y), ((1e200, 1e200), y), ((0.0, 0.0), np.where(x > 0, np.nan, y))):
        for run_it in (lambda: se.line_sgd_path(x, targets, 0.1, 2, 3, start=start),
                       lambda: se.sgd_path(models.linear_regression(1), x[:, None], targets, 0.1, 2, 3,
                                           params=_params(*start))):
            with np.errstate(all="ignore"), pytest.raises(ValueError, match="the training loss is (nan|inf) at "
                                                                           "the starting parameters"):
                run_it()


# ---------------------------------------------------------------------------
# The explorer's frame, at every slider extreme
# ---------------------------------------------------------------------------

def _slider(spec):
    return st.one_of(st.sampled_from([spec.low, spec.high]),
                     st.integers(int(spec.low), int(spec.high)) if spec.integer else
                     st.floats(np.log10(spec.low), np.log10(spec.high)).map(lambda e: spec.snap(10.0 ** e)))


@FAST
@given(values=st.fixed_dictionaries({k: _slider(s) for k, s in se.EXPLORER_SLIDERS.items()}))
def test_line_fit_frame_is_always_drawable(line, values):
    x, y = line
    objective = models.line_mse_objective(x, y)
    window = explore.window_2d(objective)
    frame = se.line_fit_frame(x, y, start=(window[0][0], window[1][1]), objective=objective, **values)
    box = explore.expand_window(window, 1.0)
    assert [p.key for p in frame.paths] == ["sgd", "gd"]
    assert len(frame.message.splitlines()) == 2
    for p in frame.paths:
        assert np.all(np.isfinite(p.xy)) and np.all(np.isfinite(p.end))
        assert np.all(np.isfinite(p.losses)) and np.all(p.losses >= 0) and len(p.losses) == len(p.steps)
        for v, (lo, hi) in zip(p.xy.T, box):
            assert np.all((v >= lo - 1e-9) & (v <= hi + 1e-9))
        assert p.steps[-1] <= values["epochs"] + 1e-12
        if not p.diverged:
            assert p.steps[-1] == pytest.approx(values["epochs"])


def test_line_fit_frame_gd_matches_run_and_sgd_is_noisier(line):
    x, y = line
    objective = models.line_mse_objective(x, y)
    frame = se.line_fit_frame(x, y, 1, 0.05, 4, 0, start=(-1.0, 2.0), objective=objective)
    sgd, gd = frame.paths
    traj = run(optim.gd(lr=0.05), objective, [-1.0, 2.0], steps=4)
    np.testing.assert_allclose(gd.losses, traj.fs - objective(np.array(objective.minima[0])), atol=1e-12)
    assert len(sgd.losses) == 4 * len(y) + 1 and len(gd.losses) == 5
    assert "SGD (B = 1, η = 0.05)" in frame.message and "GD (full batch, η = 0.05)" in frame.message
    assert sgd.losses[-1] < gd.losses[-1]          # at equal cost SGD has gone much further here


# ---------------------------------------------------------------------------
# The widget, headless
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def explorer(line):
    ex = se.MinibatchExplorer(*line)
    yield ex
    plt.close("all")


def test_explorer_sliders_and_first_frame(explorer):
    c = explorer.controls
    assert isinstance(c["batch_size"], W.IntSlider) and isinstance(c["lr"], W.FloatLogSlider)
    assert c["batch_size"].max == 48                  # capped at the number of training samples
    assert explorer.frame is not None and "SGD (B = 4" in explorer.status.value
    assert explorer.alt.startswith("Contour map of the mean squared error")


def test_explorer_follows_its_sliders_and_survives_extremes(explorer):
    frame = explorer.update(batch_size=1, lr=2.0, epochs=10)
    assert frame.paths[0].diverged and "diverged" in explorer.status.value
    before = explorer.view.coords
    frame = explorer.update(batch_size=48, lr=1e-3, epochs=1, seed=20)
    assert not any(p.diverged for p in frame.paths) and explorer.view.coords != before
    lo, hi = explorer.ax_loss.get_ylim()
    assert all(np.all((line.get_ydata() >= lo) & (line.get_ydata() <= hi)) for line in explorer.loss_lines)
    with pytest.raises(ValueError, match="batch_size must be in"):
        explorer.update(batch_size=0)


def test_explorer_rejects_unknown_sliders(line):
    with pytest.raises(ValueError, match="unknown slider"):
        se.MinibatchExplorer(*line, sliders={"momentum": explore.SliderSpec("momentum", 0, 1, 0.5)})
