"""Tests of course_lib.losses: gradients against finite differences and torch, stability, sympy derivations."""

import warnings
from functools import partial

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import losses, models

REGRESSION = {"mse": losses.mse, "mae": losses.mae, "huber": partial(losses.huber, delta=0.7)}


def _regression_pair(shape, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=shape), rng.normal(size=shape)


def _logits_and_labels(n=6, k=4, seed=0, scale=3.0):
    rng = np.random.default_rng(seed)
    return scale * rng.normal(size=(n, k)), rng.integers(0, k, size=n)


# ---------------------------------------------------------------------------
# Gradients against central finite differences
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", REGRESSION)
@pytest.mark.parametrize("shape", [(7,), (5, 3)])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_regression_loss_gradient_matches_finite_differences(name, shape, reduction):
    loss = REGRESSION[name]
    pred, target = _regression_pair(shape)
    value, grad = loss(pred, target, reduction=reduction)
    numeric = models.numerical_gradient(lambda p: loss(p, target, reduction=reduction).value, pred)
    assert grad.shape == pred.shape
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_binary_cross_entropy_gradient_matches_finite_differences(reduction):
    rng = np.random.default_rng(1)
    z, y = 3 * rng.normal(size=9), rng.integers(0, 2, size=9).astype(float)
    _, grad = losses.binary_cross_entropy(z, y, reduction=reduction)
    numeric = models.numerical_gradient(lambda v: losses.binary_cross_entropy(v, y, reduction=reduction).value, z)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_cross_entropy_gradient_matches_finite_differences(reduction):
    z, c = _logits_and_labels()
    _, grad = losses.cross_entropy(z, c, reduction=reduction)
    numeric = models.numerical_gradient(lambda v: losses.cross_entropy(v, c, reduction=reduction).value, z)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", ["mse", "mae", "huber", "bce", "ce"])
def test_reduction_none_gives_per_sample_terms_that_sum_to_the_total(name):
    if name == "bce":
        loss, (pred, target) = losses.binary_cross_entropy, (np.linspace(-3, 3, 8), np.arange(8) % 2)
    elif name == "ce":
        loss, (pred, target) = losses.cross_entropy, _logits_and_labels()
    else:
        loss, (pred, target) = REGRESSION[name], _regression_pair((8,))
    each, total, mean = (loss(pred, target, reduction=r) for r in ("none", "sum", "mean"))
    assert each.value.shape == (len(pred),)
    np.testing.assert_allclose(each.value.sum(), total.value)
    np.testing.assert_allclose(each.grad, total.grad)
    np.testing.assert_allclose(mean.value, total.value / each.value.size)


def test_huber_is_half_mse_inside_delta_and_shifted_mae_outside():
    delta = 0.5
    r = np.array([-2.0, -0.3, 0.0, 0.2, 0.5, 3.0])
    h = losses.huber(r, np.zeros_like(r), delta=delta, reduction="none")
    inside = np.abs(r) <= delta
    np.testing.assert_allclose(h.value[inside], 0.5 * r[inside] ** 2)
    np.testing.assert_allclose(h.value[~inside], delta * np.abs(r[~inside]) - delta**2 / 2)
    np.testing.assert_allclose(h.grad, np.clip(r, -delta, delta))


def test_known_values():
    assert losses.mse([1.0, 2.0], [1.0, 0.0]).value == 2.0
    assert losses.mae([1.0, -2.0], [0.0, 0.0]).value == 1.5
    assert losses.binary_cross_entropy([0.0], [1.0]).value == pytest.approx(np.log(2))
    assert losses.cross_entropy(np.zeros((2, 5)), [0, 4]).value == pytest.approx(np.log(5))


# ---------------------------------------------------------------------------
# Numerical stability
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("big", [1e3, 1e10, 1e300])
def test_cross_entropy_is_exact_and_warning_free_for_huge_logits(big):
    z = np.array([[big, 0.0, -big], [big, 0.0, -big], [0.0, 0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        each = losses.cross_entropy(z, [0, 2, 1], reduction="none")
    np.testing.assert_allclose(each.value, [0.0, 2 * big, np.log(3)], rtol=1e-15, atol=0)
    np.testing.assert_allclose(each.grad[0], [0.0, 0.0, 0.0], atol=1e-300)
    np.testing.assert_allclose(each.grad[1], [1.0, 0.0, -1.0])
    assert np.isfinite(each.grad).all()


@pytest.mark.parametrize("big", [40.0, 1e3, 1e300])
def test_binary_cross_entropy_is_exact_and_warning_free_for_huge_logits(big):
    z = np.array([big, big, -big, -big])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        each = losses.binary_cross_entropy(z, [1.0, 0.0, 0.0, 1.0], reduction="none")
    right = np.exp(-big)      # log(1 + e^-big) = e^-big to double precision here
    np.testing.assert_allclose(each.value, [right, big, right, big], rtol=1e-12)
    np.testing.assert_allclose(each.grad, [0.0, 1.0, 0.0, -1.0], atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(shift=st.floats(-1e4, 1e4), seed=st.integers(0, 2**16))
def test_softmax_and_cross_entropy_ignore_a_common_shift_of_the_logits(shift, seed):
    z, c = _logits_and_labels(seed=seed)
    a, b = losses.cross_entropy(z, c), losses.cross_entropy(z + shift, c)
    tol = 1e-12 * (1 + abs(shift))           # the shift itself is only known to its last bit
    assert b.value == pytest.approx(a.value, abs=50 * tol)
    np.testing.assert_allclose(b.grad, a.grad, atol=50 * tol)
    np.testing.assert_allclose(losses.softmax(z).sum(axis=1), 1.0)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**16))
def test_stable_formulas_agree_with_the_naive_ones_where_those_are_safe(seed):
    z, c = _logits_and_labels(seed=seed)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    naive_ce = -np.mean(np.log(p[np.arange(len(c)), c]))
    assert losses.cross_entropy(z, c).value == pytest.approx(naive_ce, rel=1e-12)
    s = 1 / (1 + np.exp(-z[:, 0]))
    y = (c % 2).astype(float)
    naive_bce = -np.mean(y * np.log(s) + (1 - y) * np.log(1 - s))
    assert losses.binary_cross_entropy(z[:, 0], y).value == pytest.approx(naive_bce, rel=1e-10)


@pytest.mark.parametrize("k", [2, 7, 8, 10, 33])
def test_cross_entropy_agrees_with_the_row_by_row_formula_to_rounding(k):
    """The classes-first sums add in another order than a sum along each row: equal to rounding, any K."""
    rng = np.random.default_rng(k)
    z, c = 3 * rng.normal(size=(500, k)), rng.integers(0, k, 500)
    log_p = z - losses.logsumexp(z)[:, None]                       # row by row, as the formula reads
    value, grad = losses.cross_entropy(z, c)
    assert value == pytest.approx(-np.mean(log_p[np.arange(500), c]), rel=1e-14)
    np.testing.assert_allclose(grad, (np.exp(log_p) - losses.one_hot(c, k)) / 500, rtol=1e-13, atol=1e-18)


@pytest.mark.parametrize("k", [2, 10, 33])
def test_cross_entropy_terms_are_the_loss_terms_bit_for_bit(k):
    """The value alone (no softmax formed) is the same number as cross_entropy's, huge logits included."""
    rng = np.random.default_rng(k)
    z, c = 3 * rng.normal(size=(300, k)), rng.integers(0, k, 300)
    z[0, 0] = 1e300
    z[1:60:7] = 0.0                                       # exact zeros, and logits far above the rest
    z[2:60:9, c[2:60:9]] = 1e3
    assert (losses.cross_entropy_terms(z, c).tobytes()
            == losses.cross_entropy(z, c, reduction="none").value.tobytes())    # down to the sign of a zero
    with pytest.raises(ValueError, match="class labels must be integers in 0 .. 1, got 2"):
        losses.cross_entropy_terms(np.zeros((2, 2)), [0, 2])
    with pytest.raises(ValueError, match="logits must have shape"):
        losses.cross_entropy_terms(np.zeros(3), [0, 1, 1])


def test_cross_entropy_terms_of_a_stack_are_each_sets_terms_bit_for_bit():
    """A stack of sets of logits, with one set of labels for all or one per set, and logits whose memory has the
    classes first (as Model.path_loss makes them): each set's terms, bit for bit, as it alone gives them."""
    rng = np.random.default_rng(7)
    z, c = 4 * rng.normal(size=(3, 50, 6)), rng.integers(0, 6, (3, 50))
    classes_first = np.swapaxes(np.ascontiguousarray(np.swapaxes(z, -1, -2)), -1, -2)     # same numbers
    for logits in (z, classes_first):
        shared = losses.cross_entropy_terms(logits, c[0])
        own = losses.cross_entropy_terms(logits, c)
        assert shared.shape == own.shape == (3, 50)
        for i in range(3):
            assert shared[i].tobytes() == losses.cross_entropy_terms(z[i], c[0]).tobytes()
            assert own[i].tobytes() == losses.cross_entropy_terms(z[i], c[i]).tobytes()
    with pytest.raises(ValueError, match=r"target must hold one class label per row of logits, shape \(50,\) "
                                         r"or \(3, 50\), got shape \(2, 50\)"):
        losses.cross_entropy_terms(z, c[:2])


# ---------------------------------------------------------------------------
# torch as an independent oracle (skipped without torch)
# ---------------------------------------------------------------------------

def _torch_value_and_grad(fn, pred, *args, **kwargs):
    torch = pytest.importorskip("torch")
    t = torch.tensor(pred, dtype=torch.float64, requires_grad=True)
    out = fn(t, *args, **kwargs)
    out.backward()
    return out.item(), t.grad.numpy()


@pytest.mark.parametrize("name", ["mse", "mae", "huber"])
def test_regression_losses_match_torch(name):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    pred, target = _regression_pair((6, 2), seed=3)
    target_t = torch.tensor(target, dtype=torch.float64)
    ours, theirs = {
        "mse": (losses.mse, partial(F.mse_loss, target=target_t)),
        "mae": (losses.mae, partial(F.l1_loss, target=target_t)),
        "huber": (partial(losses.huber, delta=0.7), partial(F.huber_loss, target=target_t, delta=0.7)),
    }[name]
    value, grad = ours(pred, target)
    t_value, t_grad = _torch_value_and_grad(theirs, pred)
    assert value == pytest.approx(t_value, rel=1e-12)
    np.testing.assert_allclose(grad, t_grad, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("scale", [3.0, 1e4])
def test_classification_losses_match_torch(scale):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    z, c = _logits_and_labels(n=8, k=5, seed=4, scale=scale)
    value, grad = losses.cross_entropy(z, c)
    t_value, t_grad = _torch_value_and_grad(F.cross_entropy, z, torch.tensor(c))
    assert value == pytest.approx(t_value, rel=1e-12)
    np.testing.assert_allclose(grad, t_grad, atol=1e-15)
    y = np.linspace(0, 1, 8)         # soft labels are allowed, as in torch
    value, grad = losses.binary_cross_entropy(z[:, 0], y)
    t_value, t_grad = _torch_value_and_grad(F.binary_cross_entropy_with_logits, z[:, 0],
                                            torch.tensor(y, dtype=torch.float64))
    assert value == pytest.approx(t_value, rel=1e-12)
    np.testing.assert_allclose(grad, t_grad, atol=1e-15)


# ---------------------------------------------------------------------------
# sympy derivations
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(losses.DERIVATIONS))
def test_sympy_derivative_equals_the_closed_form(name):
    d = losses.derivation(name)
    assert d.check()
    assert len(d.grad) == len(d.closed_form) == len(d.wrt)
    assert d._repr_latex_().startswith("$")


@pytest.mark.parametrize("name", ["mse", "mae", "huber", "binary_cross_entropy"])
def test_sympy_derivation_matches_the_numeric_loss(name):
    d = losses.derivation(name)
    extra = {"huber": {"delta": 0.7}}.get(name, {})
    ours = getattr(losses, name)
    pred, target = _regression_pair((9,), seed=5)
    if name == "binary_cross_entropy":
        target = (target > 0).astype(float)
    args = [pred, target] + list(extra.values())
    loss_fn, grad_fn = sp.lambdify(d.symbols, d.loss), sp.lambdify(d.symbols, d.grad[0])
    numeric = ours(pred, target, reduction="none", **extra)
    np.testing.assert_allclose(loss_fn(*args), numeric.value, rtol=1e-12)
    np.testing.assert_allclose(grad_fn(*args), numeric.grad, rtol=1e-12, atol=1e-15)


def test_sympy_cross_entropy_matches_the_numeric_loss():
    k = 4
    d = losses.derivation("cross_entropy", n_classes=k)
    z, c = _logits_and_labels(n=5, k=k, seed=6)
    onehot = losses.one_hot(c, k)
    numeric = losses.cross_entropy(z, c, reduction="none")
    for i in range(len(c)):
        point = dict(zip(d.symbols, [*z[i], *onehot[i]]))
        assert float(d.loss.subs(point)) == pytest.approx(numeric.value[i], rel=1e-12)
        np.testing.assert_allclose([float(g.subs(point)) for g in d.grad], numeric.grad[i], atol=1e-12)


def test_sympy_linear_mse_gradient_matches_the_linear_model():
    d = losses.derivation("linear_mse")
    w, b, n, x, y = d.symbols
    rng = np.random.default_rng(7)
    xs, ys, (w0, b0) = rng.normal(size=5), rng.normal(size=5), rng.normal(size=2)
    point = {w: w0, b: b0, **{x[i + 1]: xs[i] for i in range(5)}, **{y[i + 1]: ys[i] for i in range(5)}}

    def at_point(expr):
        return float(expr.subs(n, 5).doit().subs(point))

    model = models.linear_regression(1)
    value, grads = model.loss_and_grad({"W": np.array([[w0]]), "b": np.array([b0])}, xs[:, None], ys)
    assert at_point(d.loss) == pytest.approx(value, rel=1e-12)
    assert at_point(d.grad[0]) == pytest.approx(grads["W"][0, 0], rel=1e-12)
    assert at_point(d.grad[1]) == pytest.approx(grads["b"][0], rel=1e-12)


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("loss", [losses.mse, losses.mae, losses.huber, losses.binary_cross_entropy])
def test_shape_mismatch_is_an_error(loss):
    with pytest.raises(ValueError, match="shape"):
        loss(np.zeros((4, 1)), np.zeros(4))
    with pytest.raises(ValueError, match="empty"):
        loss([], [])


@pytest.mark.parametrize("bad", [2.0, -1.0, np.nan])
def test_binary_labels_must_be_in_the_unit_interval(bad):
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        losses.binary_cross_entropy([0.0, 1.0], [0.0, bad])


@pytest.mark.parametrize("labels, match", [([0, 3], "0 .. 2"), ([0, -1], "0 .. 2"), ([0.5, 1], "integers"),
                                           ([0, 1, 2], "shape"), (["a", "b"], "integers")])
def test_bad_class_labels_are_errors(labels, match):
    with pytest.raises(ValueError, match=match):
        losses.cross_entropy(np.zeros((2, 3)), labels)


def test_other_bad_arguments_are_errors():
    with pytest.raises(ValueError, match="shape"):
        losses.cross_entropy(np.zeros(3), [0, 1, 2])
    for delta in (0, -1.0, np.inf, np.nan, True):
        with pytest.raises(ValueError, match="delta"):
            losses.huber([1.0], [0.0], delta=delta)
    with pytest.raises(ValueError, match="reduction"):
        losses.mse([1.0], [0.0], reduction="average")
    with pytest.raises(ValueError, match="unknown loss"):
        losses.derivation("hinge")
    with pytest.raises(ValueError, match="n_classes"):
        losses.derivation("cross_entropy", n_classes=1)
    with pytest.raises(ValueError, match="numbers"):
        losses.mse(["a"], [1.0])
