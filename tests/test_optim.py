"""Behaviour of course_lib.optim beyond the torch comparison: purity, validation, convergence, conventions."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import objectives, optim, run

ALL = list(optim.OPTIMIZERS)

# reasonable settings for the parabola 0.5 (x^2 + 4 y^2) from (3, -2): |grad| < 1e-6 within 3000 steps
PARABOLA = {
    "gd": dict(lr=0.1), "sgd": dict(lr=0.1), "momentum": dict(lr=0.05, momentum=0.5),
    "nesterov": dict(lr=0.05, momentum=0.5), "adagrad": dict(lr=0.5), "rmsprop": dict(lr=0.01),
    "adadelta": dict(lr=1.0, eps=1e-3), "adam": dict(lr=0.05), "adamw": dict(lr=0.05, weight_decay=0.0),
    "nadam": dict(lr=0.05), "adamax": dict(lr=0.05),
}
# reasonable settings and step budgets to reach Rosenbrock's minimum (1, 1) within 1e-2 from (-1, 1)
ROSENBROCK = {
    "gd": (dict(lr=1e-3), 30000), "sgd": (dict(lr=1e-3), 30000),
    "momentum": (dict(lr=1e-3, momentum=0.9), 5000), "nesterov": (dict(lr=1e-3, momentum=0.9), 5000),
    "adagrad": (dict(lr=0.5), 10000), "rmsprop": (dict(lr=1e-3), 12000), "adam": (dict(lr=0.02), 3000),
    "adamw": (dict(lr=0.02, weight_decay=0.0), 3000), "nadam": (dict(lr=0.005), 5000),
    "adamax": (dict(lr=0.05), 5000),
}


@pytest.mark.parametrize("name", ALL)
def test_update_is_pure(name):
    opt = optim.OPTIMIZERS[name](**PARABOLA[name])
    params = {"w": np.array([[1.0, -2.0], [0.5, 3.0]]), "b": np.array([0.1])}
    grad = {"w": np.array([[0.3, -0.1], [2.0, 0.0]]), "b": np.array([-1.0])}
    state = opt.init(params)
    snapshot = [{k: v.copy() for k, v in t.items()} for t in (params, grad)]
    state_snapshot = {k: [np.array(x, copy=True) for x in s] for k, s in state.items()}
    new_params, new_state = opt.update(params, grad, state)
    for before, after in zip(snapshot, (params, grad)):
        for k in before:
            np.testing.assert_array_equal(before[k], after[k])
    for k, s in state.items():
        for x, y in zip(state_snapshot[k], s):
            np.testing.assert_array_equal(x, np.asarray(y))
    assert new_params.keys() == params.keys()
    assert not np.array_equal(new_params["w"], params["w"])
    # the same call twice gives the same answer: no hidden state
    again, _ = opt.update(params, grad, state)
    np.testing.assert_array_equal(again["w"], new_params["w"])


@pytest.mark.parametrize("name", ALL)
def test_array_and_dict_params_agree(name):
    opt = optim.OPTIMIZERS[name](**PARABOLA[name])
    x = np.array([1.0, -2.0, 0.5])
    g = np.array([0.3, -0.1, 2.0])
    xa, sa = opt.update(x, g, opt.init(x))
    xd, sd = opt.update({"x": x}, {"x": g}, opt.init({"x": x}))
    np.testing.assert_array_equal(xa, xd["x"])


@pytest.mark.parametrize("name", ALL)
def test_converges_on_a_parabola(name):
    t = run(optim.OPTIMIZERS[name](**PARABOLA[name]), objectives.quadratic(1, 4), [3.0, -2.0], steps=3000, tol=1e-6)
    assert t.success and t.message.startswith("converged"), t
    assert np.linalg.norm(t.x) < 1e-5


@pytest.mark.parametrize("name", sorted(ROSENBROCK))
def test_converges_on_rosenbrock(name):
    kwargs, steps = ROSENBROCK[name]
    t = run(optim.OPTIMIZERS[name](**kwargs), objectives.rosenbrock(), [-1.0, 1.0], steps=steps)
    assert t.success
    assert np.linalg.norm(t.x - [1.0, 1.0]) < 1e-2, t


def test_adadelta_makes_progress_on_rosenbrock_but_stalls_in_the_valley():
    """A fact the course teaches: no Adadelta setting we tried reaches (1, 1) within 30 000 steps."""
    t = run(optim.adadelta(lr=1.0, rho=0.99), objectives.rosenbrock(), [-1.0, 1.0], steps=5000)
    assert t.success and t.fun < 0.5 * t.fs[0]
    assert np.linalg.norm(t.x - [1.0, 1.0]) > 0.1


INVALID = [
    ("sgd", dict(lr=-0.1), "lr must be positive, got -0.1"),
    ("sgd", dict(lr=float("nan")), "lr must be finite, got nan"),
    ("sgd", dict(lr=0.0), "lr must be positive, got 0.0"),
    ("sgd", dict(lr="0.1"), "lr must be a number, got '0.1'"),
    ("sgd", dict(lr=0.1, momentum=-0.5), "momentum must be non-negative, got -0.5"),
    ("sgd", dict(lr=0.1, dampening=1.5), "dampening must be in [0, 1], got 1.5"),
    ("sgd", dict(lr=0.1, weight_decay=-1), "weight_decay must be non-negative, got -1.0"),
    ("sgd", dict(lr=0.1, nesterov=True), "nesterov=True needs momentum > 0 and dampening = 0"),
    ("sgd", dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "nesterov=True needs momentum > 0"),
    ("sgd", dict(lr=0.1, nesterov="yes"), "nesterov must be True or False, got 'yes'"),
    ("gd", dict(lr=float("inf")), "lr must be finite, got inf"),
    ("momentum", dict(lr=0.1, momentum=-0.9), "momentum must be non-negative, got -0.9"),
    ("adagrad", dict(lr_decay=-1), "lr_decay must be non-negative"),
    ("adagrad", dict(initial_accumulator_value=-0.1), "initial_accumulator_value must be non-negative"),
    ("adagrad", dict(eps=-1e-10), "eps must be non-negative"),
    ("rmsprop", dict(alpha=1.0), "alpha must be in [0, 1), got 1.0"),
    ("rmsprop", dict(alpha=-0.1), "alpha must be non-negative"),
    ("rmsprop", dict(momentum=-1), "momentum must be non-negative"),
    ("rmsprop", dict(centered=1), "centered must be True or False"),
    ("adadelta", dict(rho=1.1), "rho must be in [0, 1], got 1.1"),
    ("adam", dict(beta1=1.0), "beta1 must be in [0, 1), got 1.0"),
    ("adam", dict(beta2=-0.1), "beta2 must be in [0, 1), got -0.1"),
    ("adam", dict(eps=-1e-8), "eps must be non-negative"),
    ("adam", dict(weight_decay=-0.01), "weight_decay must be non-negative"),
    ("adam", dict(amsgrad=None), "amsgrad must be True or False"),
    ("adamw", dict(weight_decay=float("nan")), "weight_decay must be finite"),
    ("nadam", dict(momentum_decay=-4e-3), "momentum_decay must be non-negative"),
    ("nadam", dict(decoupled_weight_decay="no"), "decoupled_weight_decay must be True or False"),
    ("adamax", dict(beta1=1.5), "beta1 must be in [0, 1), got 1.5"),
]


@pytest.mark.parametrize("name, kwargs, message", INVALID, ids=[f"{n}-{list(k)[-1]}" for n, k, _ in INVALID])
def test_invalid_hyperparameters_raise(name, kwargs, message):
    with pytest.raises(ValueError) as err:
        optim.OPTIMIZERS[name](**kwargs)
    assert message in str(err.value)


def test_update_rejects_mismatched_inputs():
    opt = optim.adam(lr=0.1)
    x = np.zeros(3)
    with pytest.raises(ValueError, match=r"grad has shape \(2,\) but the parameters have shape \(3,\)"):
        opt.update(x, np.zeros(2), opt.init(x))
    params = {"w": np.zeros(2)}
    with pytest.raises(ValueError, match="grad must be a dict with the keys \\['w'\\]"):
        opt.update(params, {"v": np.zeros(2)}, opt.init(params))
    with pytest.raises(ValueError, match="params must be an array of numbers"):
        opt.init("abc")


def test_aliases():
    assert optim.gd(0.1).hyperparams == optim.sgd(0.1).hyperparams
    assert optim.gd(0.1).name == "gd"
    assert optim.momentum(0.1).hyperparams == optim.sgd(0.1, momentum=0.9).hyperparams
    assert optim.nesterov(0.1, 0.8).hyperparams == optim.sgd(0.1, momentum=0.8, nesterov=True).hyperparams
    assert optim.adamw().hyperparams["weight_decay"] == 1e-2
    assert optim.adam().hyperparams["lr"] == 1e-3 and optim.nadam().hyperparams["lr"] == 2e-3


def test_label_names_hyperparameters():
    assert optim.gd(0.1).label() == "gd(lr=0.1)"
    assert optim.momentum(0.05, 0.9).label() == "momentum(lr=0.05, momentum=0.9)"
    assert "beta1=0.8" in optim.adam(lr=0.1, beta1=0.8).label()


@settings(max_examples=30, deadline=None)
@given(lr=st.floats(1e-4, 0.19), mu=st.floats(0.0, 0.99), steps=st.integers(1, 40))
def test_sutskever_and_torch_momentum_give_the_same_iterates(lr, mu, steps):
    """torch: b = mu b + g, x -= lr b. Sutskever: v = mu v - lr g, x += v. Same path (v = -lr b).

    lr <= 0.19 keeps lr * lambda_max <= 1.9 < 2 + 2 mu, so every drawn case converges and is compared.
    """
    f = objectives.quadratic(1, 10)
    x_torch = run(optim.momentum(lr, mu), f, [2.0, 1.0], steps=steps).xs
    x, v, path = np.array([2.0, 1.0]), np.zeros(2), [np.array([2.0, 1.0])]
    for _ in range(steps):
        v = mu * v - lr * f.grad(x)
        x = x + v
        path.append(x)
    assert len(x_torch) == steps + 1
    np.testing.assert_allclose(x_torch, path, rtol=1e-9, atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(lr=st.floats(1e-3, 0.1), beta=st.floats(0.05, 0.95), steps=st.integers(2, 40))
def test_damped_momentum_is_torch_momentum_with_a_rescaled_lr(lr, beta, steps):
    """fastai's b = beta b + (1 - beta) g with lr equals torch's b = beta b + g with lr (1 - beta), from b_0 = 0."""
    f = objectives.quadratic(1, 10)
    x, b, path = np.array([2.0, 1.0]), np.zeros(2), [np.array([2.0, 1.0])]
    for _ in range(steps):
        b = beta * b + (1 - beta) * f.grad(x)
        x = x - lr * b
        path.append(x)
    np.testing.assert_allclose(run(optim.momentum(lr * (1 - beta), beta), f, [2.0, 1.0], steps=steps).xs,
                               path, rtol=1e-9, atol=1e-12)
    # torch's own dampening differs only in its undamped first step (b_1 = g_1):
    damped = run(optim.sgd(lr, momentum=beta, dampening=beta), f, [2.0, 1.0], steps=steps).xs
    assert not np.allclose(damped, path)


def test_adam_bias_correction_makes_the_first_step_lr_sized():
    """With m_0 = v_0 = 0, the first Adam step is lr * g / (|g| + eps') -> about lr per coordinate."""
    opt = optim.adam(lr=0.1)
    x = np.array([5.0, -3.0])
    new, _ = opt.update(x, np.array([1e-3, -250.0]), opt.init(x))
    np.testing.assert_allclose(x - new, [0.1, -0.1], rtol=1e-4)


def test_adagrad_effective_rate_decays():
    opt = optim.adagrad(lr=1.0)
    x, state = np.array([0.0]), opt.init(np.array([0.0]))
    steps = []
    for _ in range(100):
        new, state = opt.update(x, np.array([1.0]), state)
        steps.append(float(x[0] - new[0]))
        x = new
    # constant gradient 1: step t is 1/sqrt(t)
    np.testing.assert_allclose(steps, [1 / math.sqrt(t) for t in range(1, 101)], rtol=1e-9)


def test_stateful_optimizer_keeps_history_and_never_touches_the_input():
    x0 = np.array([1.0, 2.0])
    stepper = optim.StatefulOptimizer(optim.gd(lr=0.25), x0)
    for _ in range(3):
        stepper.step(2 * stepper.params)
    np.testing.assert_array_equal(x0, [1.0, 2.0])
    assert stepper.steps == 3 and len(stepper.history) == 4
    np.testing.assert_allclose(stepper.params, x0 * 0.5**3)
    np.testing.assert_allclose(stepper.history[1], x0 * 0.5)
    assert "gd(lr=0.25)" in repr(stepper)
    with pytest.raises(ValueError, match="opt must be a course_lib.optim optimizer"):
        optim.StatefulOptimizer("adam", x0)
