"""Perturbed gradient descent escapes saddles that plain gradient descent cannot."""

import numpy as np
import pytest

from course_lib import objectives, optim, run, run_many
from course_lib.perturb import perturbed, uniform_ball


def test_plain_gd_at_a_saddle_never_moves_but_perturbed_gd_escapes():
    f = objectives.Objective("x**2 - y**2 + y**4 / 4", ["x", "y"])     # saddle at 0, minima at (0, +-sqrt(2))
    stuck = run(optim.gd(0.1), f, [0.0, 0.0], steps=200)
    assert np.all(stuck.xs == 0)
    escaped = run(perturbed(optim.gd(0.1), radius=0.01, threshold=1e-3, seed=1), f, [0.0, 0.0], steps=200)
    assert abs(escaped.x[1]) == pytest.approx(np.sqrt(2), abs=1e-2)
    assert f.classify(escaped.x, tol=1e-2) == "minimum"


def test_kicks_happen_only_when_the_gradient_is_small_and_not_too_often():
    f = objectives.parabola()
    opt = perturbed(optim.gd(0.1), radius=0.5, threshold=0.5, wait=5, seed=0)
    state = opt.init(np.array([10.0]))
    x, kicks = np.array([10.0]), []
    for t in range(40):
        g = f.grad(x)
        new, state = opt.update(x, g, state)
        plain, _ = optim.gd(0.1).update(x, g, optim.gd(0.1).init(x))
        if not np.allclose(new, plain):
            kicks.append(t)
            assert np.linalg.norm(g) < 0.5 and np.linalg.norm(new - plain) <= 0.5
        x = new
    assert kicks and all(b - a >= 5 for a, b in zip(kicks, kicks[1:]))
    assert kicks[0] > 10       # far from the minimum the gradient is large: no kicks


def test_batches_are_kicked_independently_and_seeded():
    f = objectives.saddle()
    starts = np.zeros((5, 2))
    opt = perturbed(optim.gd(0.05), radius=1e-3, threshold=1e-2, seed=7)
    a = run_many(opt, f, starts, steps=50, max_norm=1e3)
    b = run_many(opt, f, starts, steps=50, max_norm=1e3)
    for ta, tb in zip(a, b):
        np.testing.assert_array_equal(ta.xs, tb.xs)
    finals = np.array([t.x for t in a])
    assert len({tuple(np.round(p, 12)) for p in finals}) == 5
    assert np.all(np.abs(finals[:, 1]) > 1e-3)   # every run leaves along the negative-curvature direction y


def test_uniform_ball_is_uniform_in_the_ball():
    pts = uniform_ball(np.random.default_rng(0), (20000, 2), 2.0)
    r = np.linalg.norm(pts, axis=1)
    assert r.max() <= 2.0
    assert np.mean(r < 1.0) == pytest.approx(0.25, abs=0.02)     # area fraction of the inner disc


@pytest.mark.parametrize("kwargs, message", [
    (dict(radius=0), "radius must be positive"),
    (dict(threshold=-1), "threshold must be non-negative"),
    (dict(wait=0), "wait must be a positive integer, got 0"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        perturbed(optim.gd(0.1), **kwargs)
    with pytest.raises(ValueError, match="opt must be a course_lib.optim optimizer"):
        perturbed("gd")
