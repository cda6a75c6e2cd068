"""course_lib.run: trajectories, divergence, tolerance, noise, batches."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import Trajectory, objectives, optim, run, run_many


def test_trajectory_shapes_and_fields():
    f = objectives.rosenbrock()
    t = run(optim.adam(lr=0.05), f, [-1.0, 2.0], steps=200)
    assert isinstance(t, Trajectory)
    assert t.xs.shape == (201, 2) and t.fs.shape == (201,) and t.grads.shape == (201, 2)
    assert t.nit == 200 and t.success and t.message == "completed 200 steps"
    np.testing.assert_allclose(t.fs, f(t.xs))
    np.testing.assert_allclose(t.grads, f.grad(t.xs))
    assert t.fun == t.fs[-1] and np.array_equal(t.x, t.xs[-1])
    assert t.label == optim.adam(lr=0.05).label()


def test_gd_on_a_parabola_is_the_closed_form():
    """x_{k+1} = (1 - 2 lr) x_k on f = x^2: the exact geometric sequence."""
    t = run(optim.gd(lr=0.2), objectives.parabola(), [10.0], steps=30)
    np.testing.assert_allclose(t.xs[:, 0], 10.0 * 0.6 ** np.arange(31), rtol=1e-12)


@pytest.mark.parametrize("lr, converges", [(0.05, True), (0.2, True), (0.9, True), (1.1, False)])
def test_learning_rate_regimes_on_x_squared(lr, converges):
    t = run(optim.gd(lr=lr), objectives.parabola(), [10.0], steps=1000)
    assert t.success is converges
    if converges:
        assert abs(t.x[0]) < 1e-6
    else:
        assert t.message.startswith("diverged at step")


def test_divergence_stops_the_run_and_keeps_only_finite_points():
    t = run(optim.gd(lr=1.1), objectives.parabola(), [10.0], steps=500)
    assert not t.success and t.diverged
    k = int(t.message.split("step ")[1].split(":")[0])
    assert t.nit == k - 1 == len(t.xs) - 1
    assert "exceeds max_norm = 1e+06" in t.message
    assert np.all(np.isfinite(t.xs)) and np.all(np.isfinite(t.fs)) and np.all(np.abs(t.xs) <= 1e6)
    # the run really reached the boundary: one more step would have crossed it
    assert abs(t.x[0]) * 1.2 > 1e6


def test_divergence_at_overflow_is_reported():
    # -exp(x) overflows long before |x| reaches max_norm
    t = run(optim.sgd(lr=1e3), objectives.Objective("-exp(x)", ["x"]), [1.0], steps=50, max_norm=1e300)
    assert not t.success and t.message == "diverged at step 1: the gradient is not finite"
    assert t.nit == 0 and np.all(np.isfinite(t.xs)) and np.all(np.isfinite(t.fs))


def test_tol_stops_at_a_small_gradient():
    t = run(optim.gd(lr=0.1), objectives.parabola(), [10.0], steps=500, tol=1e-6)
    assert t.success and t.message.startswith("converged at step")
    assert np.linalg.norm(t.grads[-1]) < 1e-6 <= np.linalg.norm(t.grads[-2])
    assert t.nit < 500


def test_start_at_a_saddle_never_moves():
    t = run(optim.gd(lr=0.1), objectives.saddle(), [0.0, 0.0], steps=100)
    assert t.success and np.all(t.xs == 0.0)


def test_gradient_noise_is_seeded_and_unbiased():
    f = objectives.saddle()
    a = run(optim.gd(lr=0.01), f, [0.0, 0.0], steps=50, grad_noise=0.1, seed=3)
    b = run(optim.gd(lr=0.01), f, [0.0, 0.0], steps=50, grad_noise=0.1, seed=3)
    c = run(optim.gd(lr=0.01), f, [0.0, 0.0], steps=50, grad_noise=0.1, seed=4)
    np.testing.assert_array_equal(a.xs, b.xs)
    assert not np.array_equal(a.xs, c.xs)
    assert np.any(a.xs[-1] != 0)   # noise moves it off the saddle
    # grads records the exact gradient, not the noisy one
    np.testing.assert_allclose(a.grads, f.grad(a.xs))


def test_run_many_equals_separate_runs():
    f = objectives.himmelblau()
    starts = np.array([[0.0, 0.0], [-4.0, 4.0], [-3.0, -3.0], [4.0, -4.0], [50.0, 50.0]])
    opt = optim.momentum(lr=0.01, momentum=0.5)
    many = run_many(opt, f, starts, steps=300, tol=1e-8)
    for start, t in zip(starts, many):
        single = run(opt, f, start, steps=300, tol=1e-8)
        np.testing.assert_array_equal(t.xs, single.xs)
        assert t.message == single.message
    assert not many[-1].success           # the far start diverges
    assert all(t.success for t in many[:-1])


@settings(max_examples=40, deadline=None)
@given(lr=st.floats(1e-4, 10.0), x0=st.floats(-100, 100), steps=st.integers(0, 120),
       name=st.sampled_from(sorted(optim.OPTIMIZERS)))
def test_never_a_nan_whatever_the_settings(lr, x0, steps, name):
    opt = optim.OPTIMIZERS[name](lr=lr)
    t = run(opt, objectives.rosenbrock(), [x0, -x0 / 2], steps=steps)
    assert np.all(np.isfinite(t.xs)) and np.all(np.isfinite(t.fs)) and np.all(np.isfinite(t.grads))
    assert len(t.xs) == t.nit + 1 <= steps + 1
    assert t.success == (t.nit == steps)


@pytest.mark.parametrize("kwargs, message", [
    (dict(opt="adam"), "opt must be a course_lib.optim optimizer"),
    (dict(objective=lambda x: x), "objective must be a course_lib.objectives.Objective"),
    (dict(x0=[1.0, 2.0, 3.0]), r"x0 must have shape \(2,\), got \(3,\)"),
    (dict(x0=[np.nan, 1.0]), "starting points must be finite"),
    (dict(steps=-1), "steps must be a non-negative integer, got -1"),
    (dict(steps=2.5), "steps must be a non-negative integer, got 2.5"),
    (dict(grad_noise=-0.1), "grad_noise must be a non-negative number, got -0.1"),
    (dict(tol=0.0), "tol must be positive"),
    (dict(max_norm=0), "max_norm must be positive"),
])
def test_bad_arguments_raise_clear_errors(kwargs, message):
    args = dict(opt=optim.gd(lr=0.1), objective=objectives.rosenbrock(), x0=[0.0, 0.0])
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        run(args.pop("opt"), args.pop("objective"), args.pop("x0"), **args)


def test_steps_to_is_the_first_step_below_the_target():
    traj = run(optim.gd(lr=0.25), objectives.parabola(), [1.0], steps=10)      # f(x_t) = 4^-t
    assert traj.steps_to(1e-3) == 5 and traj.steps_to(4.0**-5) == 6           # strictly below
    assert traj.steps_to(2.0) == 0                                            # the start already is
    assert traj.steps_to(1e-30) is None                                       # never within 10 steps
    diverged = run(optim.gd(lr=1.5), objectives.parabola(), [1.0], steps=500)
    assert diverged.diverged and diverged.steps_to(0.5) is None
    for bad in ("0.1", None, float("nan"), True):
        with pytest.raises(ValueError, match="target must be a number"):
            traj.steps_to(bad)
