"""course_lib.stepsize: every step of every optimizer is -(effective lr) x (its direction); the explorer, headless."""

import html
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_lib import explore, objectives, optim, run
from course_lib.stepsize import (DIRECTIONS, StepSizeExplorer, effective_lr, effective_lr_history,
                                 stepsize_frame)

FAST = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _nadam_direction(opt, state, g):
    """NAdam's step is -(lr/d) * (c1 g + c2 m): its coefficients from the momentum schedule (torch's NAdam)."""
    hp, t = opt.hyperparams, state.step
    mu = hp["beta1"] * (1 - 0.5 * 0.96 ** (t * hp["momentum_decay"]))
    mu_next = hp["beta1"] * (1 - 0.5 * 0.96 ** ((t + 1) * hp["momentum_decay"]))
    return (1 - mu) / (1 - state.mu_product) * g + mu_next / (1 - state.mu_product * mu_next) * state.m


def direction(opt, before, after, g):
    """What the effective learning rate multiplies, from the state after the step."""
    hp = opt.hyperparams
    if opt.name in ("gd", "sgd", "adagrad", "rmsprop", "adadelta"):
        return g
    if opt.name == "momentum":
        return after.momentum_buffer
    if opt.name == "nesterov":
        return g + hp["momentum"] * after.momentum_buffer
    if opt.name in ("adam", "amsgrad", "adamw", "adamax"):
        return after.m / (1 - hp["beta1"] ** after.step)
    if opt.name == "nadam":
        return _nadam_direction(opt, after, g)
    raise AssertionError(opt.name)


CASES = [optim.gd(lr=1e-3), optim.momentum(lr=1e-3), optim.nesterov(lr=1e-3, momentum=0.8),
         optim.adagrad(lr=0.3), optim.adagrad(lr=0.3, lr_decay=0.05, initial_accumulator_value=0.5),
         optim.rmsprop(lr=0.01), optim.rmsprop(lr=0.01, alpha=0.9, centered=True, eps=1e-3),
         optim.adadelta(), optim.adadelta(lr=0.5, rho=0.5), optim.adam(lr=0.05), optim.adam(lr=0.05, amsgrad=True),
         optim.adam(lr=0.05, eps=0.1, beta2=0.9), optim.nadam(lr=0.05), optim.nadam(lr=0.05, momentum_decay=0.5),
         optim.adamax(lr=0.05), optim.adamax(lr=0.05, beta2=0.5)]


@pytest.mark.parametrize("opt", CASES, ids=lambda o: o.label())
def test_every_step_is_minus_effective_lr_times_direction(opt):
    f = objectives.rosenbrock()
    x = np.array([-1.5, 2.0])
    state = opt.init(x)
    for _ in range(40):
        g = f.grad(x)
        new_x, new_state = opt.update(x, g, state)
        step = -effective_lr(opt, state, new_state) * direction(opt, state, new_state, g)
        np.testing.assert_allclose(new_x - x, step, rtol=1e-10, atol=1e-14)
        x, state = new_x, new_state


def test_adamw_is_the_decay_plus_minus_effective_lr_times_m_hat():
    opt = optim.adamw(lr=0.05, weight_decay=0.5)
    f = objectives.beale()
    x, state = np.array([1.0, 1.5]), opt.init(np.array([1.0, 1.5]))
    for _ in range(20):
        new_x, new_state = opt.update(x, f.grad(x), state)
        decayed = x * (1 - 0.05 * 0.5)
        np.testing.assert_allclose(new_x - decayed, -effective_lr(opt, state, new_state) *
                                   direction(opt, state, new_state, None), rtol=1e-10, atol=1e-14)
        x, state = new_x, new_state


def test_adagrad_rate_only_shrinks_and_rmsprop_can_recover():
    f, x0 = objectives.rosenbrock(), [-1.5, 2.0]
    ada = effective_lr_history(optim.adagrad(lr=0.5), run(optim.adagrad(lr=0.5), f, x0, 300))
    rms = effective_lr_history(optim.rmsprop(lr=0.01), run(optim.rmsprop(lr=0.01), f, x0, 300))
    assert ada.shape == rms.shape == (300, 2)
    assert np.all(np.diff(ada, axis=0) <= 0)                 # G only grows
    assert np.any(np.diff(rms, axis=0) > 0)                  # v forgets: the rate climbs back
    gd = effective_lr_history(optim.gd(lr=1e-3), run(optim.gd(lr=1e-3), f, x0, 10))
    np.testing.assert_array_equal(gd, np.full((10, 2), 1e-3))


def test_effective_lr_of_the_first_adam_step_is_lr_over_abs_g():
    opt = optim.adam(lr=0.1, eps=0.0)
    x, g = np.array([1.0, 2.0]), np.array([0.5, -4.0])
    _, after = opt.update(x, g, opt.init(x))
    np.testing.assert_allclose(effective_lr(opt, opt.init(x), after), 0.1 / np.abs(g), rtol=1e-12)


def test_history_refuses_a_run_it_cannot_replay():
    f = objectives.rosenbrock()
    noisy = run(optim.adam(lr=0.05), f, [-1.5, 2.0], 20, grad_noise=1.0, seed=0)
    with pytest.raises(ValueError, match="does not reproduce step 1"):
        effective_lr_history(optim.adam(lr=0.05), noisy)
    with pytest.raises(ValueError, match="Trajectory"):
        effective_lr_history(optim.adam(lr=0.05), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="course_lib.optim optimizer"):
        effective_lr("adam", None, None)
    with pytest.raises(ValueError, match="no effective learning rate"):
        effective_lr(optim.adam()._replace(name="lion"), None, None)
    assert set(DIRECTIONS) >= set(optim.OPTIMIZERS) | {"amsgrad"}


SERIES = explore.series_specs([("adagrad", {"lr": 0.5}), "rmsprop", ("adam", {"lr": 0.1}), "adadelta", "adamax"])


@FAST
@given(data=st.data())
def test_stepsize_frame_at_every_slider_extreme(data):
    f = objectives.rosenbrock()
    specs = explore.explorer_sliders(f, SERIES, steps=20, max_steps=40)
    values = data.draw(st.fixed_dictionaries({k: st.sampled_from([s.low, s.value, s.high]) for k, s in specs.items()}))
    frame = stepsize_frame(f, SERIES, values)
    assert len(frame.sizes) == len(SERIES) == len(frame.frame.paths)
    for path, eff in zip(frame.frame.paths, frame.sizes):
        assert eff.shape == (len(path.steps) - 1, 2)
        assert np.all(eff > 0)
    assert len(frame.message.splitlines()) == len(SERIES)


def test_stepsize_frame_matches_a_direct_run_and_reports_invalid_settings():
    f = objectives.beale()
    series = explore.series_specs([("adam", {"lr": 0.05})])
    frame = stepsize_frame(f, series, {"steps": 30, "x0": 1.0, "y0": 1.5})
    opt = optim.adam(lr=0.05)
    np.testing.assert_array_equal(frame.sizes[0], effective_lr_history(opt, run(opt, f, [1.0, 1.5], 30)))
    assert "last effective lr: x" in frame.message
    sgd = explore.series_specs(["sgd"])[0]
    bad = sgd._replace(fixed={"nesterov": True})                      # nesterov without momentum: rejected
    frame = stepsize_frame(f, [bad], {"steps": 5})
    assert frame.sizes[0].shape == (0, 2) and "invalid settings" in frame.frame.warnings


@pytest.fixture(scope="module")
def explorer():
    ex = StepSizeExplorer(objectives.quadratic(0.05, 5), [("adagrad", {"lr": 0.5}), ("adam", {"lr": 0.1})],
                          steps=40, max_steps=80, x0=(4.0, 1.0), grid=40)
    yield ex
    plt.close("all")


def test_explorer_draws_paths_and_both_coordinates(explorer):
    assert {"adagrad.lr", "adam.lr", "adam.beta1", "adam.beta2", "adam.eps", "steps"} <= set(explorer.controls)
    frame = explorer.update(**{"adam.beta2": 0.9, "steps": 60})
    for lines, i in zip(explorer.size_lines, (0, 1)):
        for line, eff in zip(lines, frame.sizes):
            np.testing.assert_array_equal(line.get_ydata(), eff[:, i])
            assert len(line.get_xdata()) == 60
    for ax in (explorer.ax_x, explorer.ax_y):
        lo, hi = ax.get_ylim()
        data = np.concatenate([line.get_ydata() for line in ax.get_lines()])
        assert lo <= data.min() and data.max() <= hi
    alt = explorer.alt
    assert alt.startswith("Left: contour map of quadratic") and alt.count("last effective lr") == 2
    status = [line for line in re.sub("<[^>]+>", "\n", explorer.status.value).splitlines() if line.strip()]
    assert len(status) == 3 and status[-1] == "Figure: " + html.escape(alt)    # the alt text, for screen readers


def test_explorer_picture_changes_with_a_slider(explorer):
    before = explorer.view.coords
    explorer.update(**{"adam.lr": 0.3})
    assert explorer.view.coords != before and explorer.last_redraw in ("blit", "full")


def test_a_new_explorer_has_its_effective_rates_as_far_as_its_steps_slider_goes():
    """Dragging the steps slider up recomputes neither runs nor effective learning rates."""
    ex = StepSizeExplorer(objectives.quadratic(0.05, 5), [("adagrad", {"lr": 0.5}), ("adam", {"lr": 0.1})],
                          steps=40, max_steps=80, x0=(4.0, 1.0), grid=30)
    misses, computed = ex.cache.misses, len(ex.cache._per_step)
    frame = ex.update(steps=80)
    assert ex.cache.misses == misses and len(ex.cache._per_step) == computed
    assert [len(s) for s in frame.sizes] == [80, 80]
    plt.close(ex.figure)


def test_new_limits_redraw_the_whole_figure():
    """Its log panels cost as much to redraw alone as the figure: limit changes are full redraws."""
    ex = StepSizeExplorer(objectives.quadratic(0.05, 5), ["adam"], steps=40, max_steps=80, x0=(4.0, 1.0),
                          grid=30, title="paths")     # a title that stays in its panel
    kinds, limits = [], []
    for steps in (80, 10, 80):                       # step axis (0, 50) -> (0, 100) -> (0, 20) -> (0, 100)
        ex.update(steps=steps)
        kinds.append(ex.last_redraw)
        limits.append(ex.ax_x.get_xlim())
    assert limits == [(0, 100), (0, 20), (0, 100)] and ex.ax_y.get_xlim() == (0, 100)
    assert kinds == ["full"] * 3
    plt.close("all")


@pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning")   # ipympl's Toolbar
def test_explorer_with_ipympl_canvas():
    ex = StepSizeExplorer(objectives.saddle(), ["adam"], steps=10, canvas=True, grid=30)
    from ipympl.backend_nbagg import Canvas

    assert isinstance(ex.figure.canvas, Canvas) and ex.view is None
    ex.update(**{"adam.lr": 0.011})
    ex.figure.canvas.draw()          # what the browser does after draw_idle (here there is no browser)
    ex.update(**{"adam.lr": 0.0111})
    assert ex.last_redraw == "blit"
    assert "application/vnd.jupyter.widget-view+json" in ex._repr_mimebundle_()
    plt.close("all")
