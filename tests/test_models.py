"""Tests of course_lib.models: backprop against finite differences and torch, shapes, landscapes, errors."""

from functools import partial

import numpy as np
import pytest

from course_lib import losses, models, optim

N_IN, N = 3, 7

MODELS = {
    "linear (mse)": (models.linear_regression(N_IN), "real"),
    "linear (mae)": (models.linear_regression(N_IN, loss=losses.mae), "real"),
    "linear (huber)": (models.linear_regression(N_IN, loss=partial(losses.huber, delta=0.3)), "real"),
    "logistic": (models.logistic_regression(N_IN), "binary"),
    "softmax": (models.softmax_regression(N_IN, 4), "classes"),
    "mlp tanh": (models.mlp(N_IN, 5, 4), "classes"),
    "mlp relu, two hidden layers": (models.mlp(N_IN, (6, 5), 3, activation="relu"), "classes"),
    "mlp regression": (models.mlp(N_IN, 4, 1, task="regression"), "real"),
    "mlp regression, 2 outputs": (models.mlp(N_IN, 4, 2, task="regression", activation="relu"), "real2"),
}


def _problem(model, target, seed=0):
    """Random data for ``model`` and non-trivial parameters (non-zero biases too)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, N_IN))
    y = {"real": rng.normal(size=N), "real2": rng.normal(size=(N, 2)), "binary": rng.integers(0, 2, N),
         "classes": rng.integers(0, model.sizes[-1], N)}[target]
    params = {k: v + 0.1 * rng.normal(size=v.shape) for k, v in model.init_params(seed).items()}
    return params, X, y


@pytest.mark.parametrize("name", MODELS)
def test_backprop_matches_finite_differences(name):
    model, target = MODELS[name]
    params, X, y = _problem(model, target)
    loss, grads = model.loss_and_grad(params, X, y)
    numeric = models.numerical_gradient(lambda p: model.loss(p, X, y), params)
    assert loss == model.loss(params, X, y)
    assert grads.keys() == params.keys()
    for k in params:
        assert grads[k].shape == params[k].shape
        np.testing.assert_allclose(grads[k], numeric[k], rtol=1e-6, atol=1e-8, err_msg=k)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_mlp_loss_and_gradient_match_torch_autograd(activation):
    torch = pytest.importorskip("torch")
    model = models.mlp(N_IN, (6, 5), 4, activation=activation)
    params, X, y = _problem(model, "classes", seed=1)
    loss, grads = model.loss_and_grad(params, X, y)
    t = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    phi = {"tanh": torch.tanh, "relu": torch.relu}[activation]
    h = torch.tensor(X)
    h = phi(h @ t["W1"] + t["b1"])
    h = phi(h @ t["W2"] + t["b2"])
    t_loss = torch.nn.functional.cross_entropy(h @ t["W3"] + t["b3"], torch.tensor(y))
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-12)
    for k in params:
        np.testing.assert_allclose(grads[k], t[k].grad.numpy(), rtol=1e-10, atol=1e-14, err_msg=k)


def test_numerical_gradient_of_a_known_function():
    x = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(models.numerical_gradient(lambda v: np.sum(v**3), x), 3 * x**2, rtol=1e-8)
    g = models.numerical_gradient(lambda p: p["a"] @ p["b"], {"a": x, "b": 2 * x})
    np.testing.assert_allclose(g["a"], 2 * x, rtol=1e-8)
    np.testing.assert_allclose(g["b"], x, rtol=1e-8)
    with pytest.raises(ValueError, match="eps"):
        models.numerical_gradient(np.sum, x, eps=0)


# ---------------------------------------------------------------------------
# Structure, initialisation and the optimizer interface
# ---------------------------------------------------------------------------

def test_parameter_names_shapes_and_counts():
    assert models.linear_regression(4).param_shapes() == {"W": (4, 1), "b": (1,)}
    net = models.mlp(64, (32, 16), 10)
    assert net.param_shapes() == {"W1": (64, 32), "b1": (32,), "W2": (32, 16), "b2": (16,),
                                  "W3": (16, 10), "b3": (10,)}
    assert net.n_params == 64 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10
    assert net.label() == "mlp(64-32-16-10, tanh, cross_entropy)"
    assert models.linear_regression(2, loss=partial(losses.huber, delta=0.5)).label() == \
        "linear_regression(2-1, huber(delta=0.5))"


def test_init_params_is_seeded_and_scaled():
    net = models.mlp(400, 300, 10, activation="relu", seed=3)
    a, b, c = net.init_params(), net.init_params(3), net.init_params(4)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["W1"], c["W1"])
    assert np.all(a["b1"] == 0)
    assert a["W1"].std() == pytest.approx(np.sqrt(1 / 400), rel=0.02)     # reads the data: LeCun
    assert a["W2"].std() == pytest.approx(np.sqrt(2 / 300), rel=0.05)     # reads a ReLU output: He


@pytest.mark.parametrize("name", MODELS)
def test_an_optimizer_step_on_the_params_dict_lowers_the_loss(name):
    model, target = MODELS[name]
    params, X, y = _problem(model, target, seed=2)
    opt = optim.sgd(lr=1e-2)
    before, grads = model.loss_and_grad(params, X, y)
    new, _ = opt.update(params, grads, opt.init(params))
    assert model.loss(new, X, y) < before
    assert model.loss(params, X, y) == before          # nothing was mutated


def test_predictions_labels_and_accuracy():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    soft = models.softmax_regression(2, 3)
    params = {"W": np.array([[1.0, 0.0, -1.0], [0.0, 1.0, 0.0]]), "b": np.zeros(3)}
    assert soft.predict(params, X).shape == (3, 3)
    np.testing.assert_array_equal(soft.predict_labels(params, X), [0, 1, 2])
    assert soft.accuracy(params, X, [0, 1, 1]) == pytest.approx(2 / 3)
    logit = models.logistic_regression(2)
    p = {"W": np.array([[1.0], [0.0]]), "b": np.zeros(1)}
    assert logit.predict(p, X).shape == (3,)
    np.testing.assert_array_equal(logit.predict_labels(p, X), [1, 0, 0])
    lin = models.linear_regression(2)
    assert lin.predict(p, X).shape == (3,) and not lin.is_classifier
    with pytest.raises(ValueError, match="regression"):
        lin.accuracy(p, X, [1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="shape"):
        soft.accuracy(params, X, [0, 1])


# ---------------------------------------------------------------------------
# The 2-parameter landscape of y = w x + b
# ---------------------------------------------------------------------------

def _line_data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=40)
    return x, 1.5 * x - 0.5 + 0.3 * rng.normal(size=40)


@pytest.mark.parametrize("loss", [losses.mse, losses.mae, partial(losses.huber, delta=0.2)])
def test_line_loss_grid_equals_the_linear_model_everywhere(loss):
    x, y = _line_data()
    W, B = np.meshgrid(np.linspace(-1, 3, 6), np.linspace(-2, 1, 5))
    Z = models.line_loss_grid(x, y, W, B, loss=loss)
    model = models.linear_regression(1, loss=loss)
    assert Z.shape == W.shape
    for w, b, z in zip(W.ravel(), B.ravel(), Z.ravel()):
        assert z == pytest.approx(model.loss({"W": np.array([[w]]), "b": np.array([b])}, x[:, None], y), rel=1e-12)


def test_line_mse_objective_matches_the_model_and_knows_its_minimum():
    x, y = _line_data(1)
    f = models.line_mse_objective(x, y)
    model = models.linear_regression(1)
    point = np.array([0.7, 0.2])
    value, grads = model.loss_and_grad({"W": np.array([[0.7]]), "b": np.array([0.2])}, x[:, None], y)
    assert f(point) == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(f.grad(point), [grads["W"][0, 0], grads["b"][0]], rtol=1e-10)
    w_star, b_star = f.minima[0]
    np.testing.assert_allclose(np.polyfit(x, y, 1), [w_star, b_star], rtol=1e-10)
    np.testing.assert_allclose(f.grad(f.minima[0]), 0, atol=1e-10)
    (w0, w1), (b0, b1) = f.window
    assert w0 < w_star < w1 and b0 < b_star < b1


def test_line_helpers_reject_bad_data():
    with pytest.raises(ValueError, match="same length"):
        models.line_loss_grid(np.zeros(3), np.zeros(4), 0.0, 0.0)
    with pytest.raises(ValueError, match="margin"):
        models.line_mse_objective(np.arange(3.0), np.arange(3.0), margin=0)


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------

def test_bad_constructor_arguments_are_errors():
    with pytest.raises(ValueError, match="activation"):
        models.mlp(2, 3, 2, activation="sigmoid")
    with pytest.raises(ValueError, match="task"):
        models.mlp(2, 3, 2, task="ranking")
    with pytest.raises(ValueError, match="hidden layer"):
        models.mlp(2, (), 2)
    with pytest.raises(ValueError, match="n_hidden"):
        models.mlp(2, (3, 0), 2)
    with pytest.raises(ValueError, match="n_classes"):
        models.softmax_regression(2, 1)
    with pytest.raises(ValueError, match="n_in"):
        models.linear_regression(0)


def test_bad_params_and_data_are_errors():
    model = models.mlp(3, 4, 2)
    params = model.init_params()
    X, y = np.zeros((5, 3)), np.zeros(5, dtype=int)
    with pytest.raises(ValueError, match="keys"):
        model.loss(dict(params, extra=np.zeros(1)), X, y)
    with pytest.raises(ValueError, match=r"params\['W2'\] must have shape"):
        model.loss(dict(params, W2=np.zeros((2, 4))), X, y)
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 3\)"):
        model.loss(params, np.zeros((5, 2)), y)
    with pytest.raises(ValueError, match="class label"):
        model.loss(params, X, np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="0 .. 1"):
        model.loss(params, X, np.full(5, 2))


@pytest.mark.parametrize("name", MODELS)
def test_a_stack_of_data_sets_gives_what_a_loop_over_them_gives(name):
    """loss_and_grad on X of shape (n_sets, n, n_in): each set's loss and gradient, as if computed alone."""
    model, target = MODELS[name]
    sets = [_problem(model, target, seed=s) for s in range(3)]
    params = sets[0][0]
    X = np.stack([s[1] for s in sets])
    y = np.stack([s[2] for s in sets])
    loss, grads = model.loss_and_grad(params, X, y)
    assert loss.shape == (3,)
    np.testing.assert_allclose(model.loss(params, X, y), loss, rtol=1e-15)
    np.testing.assert_array_equal(model.predict(params, X)[1], model.predict(params, X[1]))
    for i in range(3):
        alone, alone_grads = model.loss_and_grad(params, X[i], y[i])
        assert loss[i] == pytest.approx(alone, rel=1e-13)
        for k in params:
            assert grads[k].shape == (3, *params[k].shape)
            np.testing.assert_allclose(grads[k][i], alone_grads[k], rtol=1e-12, atol=1e-15, err_msg=k)


@pytest.mark.parametrize("name", MODELS)
def test_a_stack_of_parameter_sets_gives_what_a_loop_over_them_gives(name):
    """Parameters with a leading axis (e.g. the points of an optimizer's path) on one data set, and the
    two stacks together: (runs, 1, ...) parameters against (workers, n, n_in) data give every pair."""
    model, target = MODELS[name]
    sets = [_problem(model, target, seed=s) for s in range(3)]
    X, y = sets[0][1], sets[0][2]
    stack = {k: np.stack([s[0][k] for s in sets]) for k in sets[0][0]}
    np.testing.assert_allclose(model.loss(stack, X, y), [model.loss(s[0], X, y) for s in sets], rtol=1e-13)
    loss, grads = model.loss_and_grad(stack, X, y)
    for i, s in enumerate(sets):
        alone, alone_grads = model.loss_and_grad(s[0], X, y)
        assert loss[i] == pytest.approx(alone, rel=1e-13)
        for k in grads:
            np.testing.assert_allclose(grads[k][i], alone_grads[k], rtol=1e-12, atol=1e-15, err_msg=k)
    runs = {k: v[:2, None] for k, v in stack.items()}
    Xs, ys = np.stack([s[1] for s in sets]), np.stack([s[2] for s in sets])
    loss, grads = model.loss_and_grad(runs, Xs, ys)
    assert loss.shape == (2, 3)
    for r in range(2):
        for w in range(3):
            alone, alone_grads = model.loss_and_grad(sets[r][0], Xs[w], ys[w])
            assert loss[r, w] == pytest.approx(alone, rel=1e-13)
            for k in grads:
                np.testing.assert_allclose(grads[k][r, w], alone_grads[k], rtol=1e-12, atol=1e-15, err_msg=k)


@pytest.mark.parametrize("name", MODELS)
def test_the_loss_alone_is_the_value_loss_and_grad_gives(name):
    """Model.loss skips the gradient (a classifier's head sums its terms without forming the softmax):
    the same numbers, bit for bit, for one parameter set and for a stack."""
    model, target = MODELS[name]
    sets = [_problem(model, target, seed=s) for s in range(3)]
    params, X, y = sets[0]
    assert model.loss(params, X, y) == model.loss_and_grad(params, X, y)[0]
    stack = {k: np.stack([s[0][k] for s in sets]) for k in params}
    np.testing.assert_array_equal(model.loss(stack, X, y), model.loss_and_grad(stack, X, y)[0])
    assert isinstance(model.loss(params, X, y), float)


@pytest.mark.parametrize("name", MODELS)
def test_outputs_features_first_are_the_predictions(name):
    """The features-first forward pass (one product per layer for the whole stack, the classes first in
    memory) gives predict's numbers to rounding, in predict's shape, for every model kind."""
    model, target = MODELS[name]
    sets = [_problem(model, target, seed=s) for s in range(5)]
    X = sets[0][1]
    stack = {k: np.stack([s[0][k] for s in sets]) for k in sets[0][0]}
    got = model.outputs_features_first(stack, X)
    want = model.predict(stack, X)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-14)
    with pytest.raises(ValueError, match="one data set and a stack of parameter sets"):
        model.outputs_features_first(sets[0][0], X)                  # not a stack
    with pytest.raises(ValueError, match="one data set and a stack of parameter sets"):
        model.outputs_features_first(stack, np.stack([X] * 5))        # a stack of data sets
    w, b = model.layer_names()[0]
    for uneven in ({**stack, w: stack[w][:1]}, {k: v[:0] for k, v in stack.items()}):   # 1 and 5 sets; none
        with pytest.raises(ValueError, match="the same length >= 1 on every parameter"):
            model.outputs_features_first(uneven, X)


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("chunk", [1, 3, 8, 50])
def test_path_loss_is_the_loss_at_each_point_to_rounding(name, chunk):
    """path_loss evaluates features first, chunk by chunk: the loss at each point, to rounding."""
    model, target = MODELS[name]
    sets = [_problem(model, target, seed=s) for s in range(11)]
    X, y = sets[0][1], sets[0][2]
    path = [s[0] for s in sets]
    np.testing.assert_allclose(model.path_loss(path, X, y, chunk=chunk), [model.loss(p, X, y) for p in path],
                               rtol=1e-14, atol=1e-15)
    with pytest.raises(ValueError, match="X must be one data set"):
        model.path_loss(path, np.stack([X, X]), y)
    with pytest.raises(ValueError, match="chunk must be an integer >= 1, got 0"):
        model.path_loss(path, X, y, chunk=0)
    with pytest.raises(ValueError, match="path must hold at least one parameter set"):
        model.path_loss([], X, y)


def test_a_stack_of_biases_alone_broadcasts():
    """Only the bias stacked (e.g. one weight matrix, several biases): every set's loss, as for any stack."""
    for model in (models.softmax_regression(3, 2), models.linear_regression(3), models.mlp(3, 4, 2)):
        params = model.init_params(0)
        X = np.random.default_rng(0).normal(size=(6, 3))
        y = np.array([0, 1, 1, 0, 1, 0]) if model.is_classifier else X[:, 0]
        last_bias = model.layer_names()[-1][1]
        stacked = {**params, last_bias: np.stack([params[last_bias], params[last_bias] + 1])}
        expected = [model.loss({**params, last_bias: b}, X, y) for b in stacked[last_bias]]
        np.testing.assert_allclose(model.loss(stacked, X, y), expected, rtol=1e-14)


def test_stacks_that_do_not_fit_are_errors():
    model = models.softmax_regression(3, 4)
    params = model.init_params()
    with pytest.raises(ValueError, match=r"y must hold the targets of one data set, shape \(5,\), or of each set of "
                                         r"the stack \(2,\), shape \(2, 5\); got shape \(3, 5\)"):
        model.loss(params, np.zeros((2, 5, 3)), np.zeros((3, 5), dtype=int))
    with pytest.raises(ValueError, match=r"shape \(5,\), or of each set .* got shape \(3,\)"):
        model.loss(params, np.zeros((2, 5, 3)), np.zeros(3, dtype=int))
    two = models.mlp(3, 4, 2, task="regression")
    with pytest.raises(ValueError, match=r"shape \(5, 2\), or of each set of the stack \(2,\), shape \(2, 5, 2\); "
                                         r"got shape \(2, 5\)"):
        two.loss(two.init_params(), np.zeros((2, 5, 3)), np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 3\), or \(n_sets, n_samples, 3\)"):
        model.loss(params, np.zeros(3), np.zeros(1, dtype=int))
    with pytest.raises(ValueError, match=r"stack axes of params and X must broadcast together, got "
                                         r"params\['W'\]: \(2,\), params\['b'\]: \(\), X: \(3,\)"):
        model.loss(dict(params, W=np.stack([params["W"]] * 2)), np.zeros((3, 5, 3)), np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match=r"params\['W'\] must have shape \(3, 4\), or \(n_sets, 3, 4\) for a stack, "
                                         r"got \(2, 4, 3\)"):
        model.loss(dict(params, W=np.zeros((2, 4, 3))), np.zeros((5, 3)), np.zeros(5, dtype=int))


def test_parameters_given_as_lists_still_work():
    model = models.linear_regression(1)
    assert model.loss({"W": [[2.0]], "b": [1.0]}, [[0.0], [1.0]], [1.0, 3.0]) == 0.0
    loss, grads = model.loss_and_grad({"W": [[2.0]], "b": [1.0]}, [[0.0], [1.0]], [1.0, 4.0])
    assert loss == 0.5 and grads["W"].shape == (1, 1) and grads["b"].shape == (1,)
