r"""Loss functions: a number that says how far the predictions are from the targets, and its gradient.

Every loss takes the model's output (predictions :math:`\hat y` or logits
:math:`z`) and the targets, and returns a :class:`Loss` named tuple
``(value, grad)``: the loss and its gradient with respect to the model output,
computed together as in a forward and a backward pass::

    >>> value, grad = mse(np.array([1.0, 2.0]), np.array([1.0, 0.0]))
    >>> value, grad
    (2.0, array([0., 2.]))

``reduction`` follows ``torch.nn.functional``: ``"mean"`` (the default) and
``"sum"`` give a float and the gradient of that float; ``"none"`` gives the loss
of every element (every sample, for cross-entropy) and the derivative of each
with respect to its own input, for plots of the loss against the residual.

:func:`derivation` gives the same losses as sympy expressions, with their
derivatives derived symbolically, for display and checking in the notebooks.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import sympy as sp

__all__ = [
    "Loss", "REDUCTIONS", "mse", "mae", "huber", "binary_cross_entropy", "cross_entropy", "cross_entropy_terms",
    "softplus", "sigmoid", "logsumexp", "log_softmax", "softmax", "one_hot",
    "Derivation", "DERIVATIONS", "derivation",
]

#: The accepted values of ``reduction``, as in ``torch.nn.functional``.
REDUCTIONS = ("mean", "sum", "none")


class Loss(NamedTuple):
    """The value of a loss and its gradient with respect to the model output.

    Attributes
    ----------
    value : float or ndarray
        The loss: a float, or one value per element (sample) with ``reduction="none"``.
    grad : ndarray
        :math:`\\partial \\text{value} / \\partial \\text{output}`, with the shape of the output.
    """

    value: float | np.ndarray
    grad: np.ndarray


# ---------------------------------------------------------------------------
# Input checks and the reduction shared by every loss
# ---------------------------------------------------------------------------

def _as_float(x, name):
    try:
        x = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be an array of numbers, got {type(x).__name__}") from err
    if x.size == 0:
        raise ValueError(f"{name} is empty: a loss needs at least one prediction")
    return x


def _same_shape(pred, target, pred_name="pred"):
    """Both as float arrays of the same shape (no broadcasting: (n, 1) against (n,) is a bug, not a wish)."""
    pred, target = _as_float(pred, pred_name), _as_float(target, "target")
    if pred.shape != target.shape:
        raise ValueError(f"{pred_name} has shape {pred.shape} but target has shape {target.shape}; "
                         "they must be equal")
    return pred, target


def _reduce(terms, dterms, reduction):
    r"""Combine per-element losses :math:`\ell_i` and derivatives :math:`\ell_i'` as ``reduction`` says.

    ``"mean"``: :math:`\frac1N\sum_i \ell_i` with gradient :math:`\ell_i'/N`;
    ``"sum"``: :math:`\sum_i \ell_i` with gradient :math:`\ell_i'`;
    ``"none"``: :math:`\ell_i` and :math:`\ell_i'` themselves.
    """
    if reduction == "mean":
        return Loss(float(np.mean(terms)), dterms / terms.size)
    if reduction == "sum":
        return Loss(float(np.sum(terms)), dterms)
    if reduction == "none":
        return Loss(terms, dterms)
    raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")


# ---------------------------------------------------------------------------
# Regression losses
# ---------------------------------------------------------------------------

def mse(pred, target, reduction="mean"):
    r"""Mean squared error.

    .. math::

        L = \frac1N \sum_{i=1}^N (\hat y_i - y_i)^2, \qquad
        \frac{\partial L}{\partial \hat y_i} = \frac2N (\hat y_i - y_i)

    Parameters
    ----------
    pred, target : array_like
        Predictions :math:`\hat y` and targets :math:`y`, of the same shape.
    reduction : {"mean", "sum", "none"}
        See the module docstring.

    Returns
    -------
    Loss
        Same as ``torch.nn.functional.mse_loss``.
    """
    pred, target = _same_shape(pred, target)
    r = pred - target
    return _reduce(r**2, 2 * r, reduction)


def mae(pred, target, reduction="mean"):
    r"""Mean absolute error.

    .. math::

        L = \frac1N \sum_{i=1}^N |\hat y_i - y_i|, \qquad
        \frac{\partial L}{\partial \hat y_i} = \frac1N \operatorname{sign}(\hat y_i - y_i)

    At :math:`\hat y_i = y_i` the loss has a kink; like torch's ``l1_loss`` we use
    the subgradient :math:`\operatorname{sign}(0) = 0`. Parameters as :func:`mse`.
    """
    pred, target = _same_shape(pred, target)
    r = pred - target
    return _reduce(np.abs(r), np.sign(r), reduction)


def huber(pred, target, delta=1.0, reduction="mean"):
    r"""Huber loss: quadratic for small residuals, linear (like MAE) for large ones.

    With :math:`r_i = \hat y_i - y_i`,

    .. math::

        \ell_\delta(r) = \begin{cases} \tfrac12 r^2 & |r| \le \delta \\
            \delta\,(|r| - \tfrac12\delta) & |r| > \delta \end{cases}, \qquad
        \ell_\delta'(r) = \operatorname{clip}(r, -\delta, \delta),

    and :math:`L = \frac1N\sum_i \ell_\delta(r_i)`. Both pieces and their slopes
    meet at :math:`|r| = \delta`, so the loss is smooth, but an outlier pulls on
    the fit with a force of at most :math:`\delta`.

    Parameters
    ----------
    pred, target : array_like
        Predictions and targets of the same shape.
    delta : float
        The threshold :math:`\delta > 0` between the two regimes.
    reduction : {"mean", "sum", "none"}
        See the module docstring.

    Returns
    -------
    Loss
        Same as ``torch.nn.functional.huber_loss`` (which equals
        ``smooth_l1_loss`` times :math:`\delta`).
    """
    if isinstance(delta, bool) or not (isinstance(delta, (int, float, np.integer, np.floating))
                                       and np.isfinite(delta) and delta > 0):
        raise ValueError(f"delta must be a positive number, got {delta!r}")
    pred, target = _same_shape(pred, target)
    r = pred - target
    small = np.abs(r) <= delta
    terms = np.where(small, 0.5 * r**2, delta * (np.abs(r) - 0.5 * delta))
    return _reduce(terms, np.clip(r, -delta, delta), reduction)


# ---------------------------------------------------------------------------
# Classification losses, from logits
# ---------------------------------------------------------------------------

def softplus(z):
    r""":math:`\operatorname{softplus}(z) = \log(1 + e^z)`, without overflow for large :math:`z`."""
    return np.logaddexp(0.0, z)


def sigmoid(z):
    r"""The logistic function :math:`\sigma(z) = 1/(1 + e^{-z}) = e^{-\operatorname{softplus}(-z)}`, overflow-free."""
    return np.exp(-softplus(-np.asarray(z, dtype=float)))


def binary_cross_entropy(logits, target, reduction="mean"):
    r"""Binary cross-entropy of labels :math:`y \in \{0, 1\}` given logits :math:`z` (``p = σ(z)``).

    .. math::

        \ell(z, y) = -y \log\sigma(z) - (1-y)\log(1 - \sigma(z))
                   = y\,\operatorname{softplus}(-z) + (1-y)\operatorname{softplus}(z), \qquad
        \frac{\partial\ell}{\partial z} = \sigma(z) - y

    The second form uses :math:`-\log\sigma(z) = \operatorname{softplus}(-z)` and
    :math:`-\log(1-\sigma(z)) = \operatorname{softplus}(z)`; it never forms
    :math:`\log 0`, so it is exact even for logits of :math:`\pm 10^{300}`.

    Parameters
    ----------
    logits : array_like
        The scores :math:`z`, any shape.
    target : array_like
        Labels of the same shape, in :math:`[0, 1]` (hard labels 0 and 1, or
        probabilities, as torch's ``binary_cross_entropy_with_logits`` allows).
    reduction : {"mean", "sum", "none"}
        See the module docstring.

    Returns
    -------
    Loss
    """
    z, y = _same_shape(logits, target, "logits")
    if not np.all((y >= 0) & (y <= 1)):
        bad = y[~((y >= 0) & (y <= 1))]
        raise ValueError(f"binary labels must lie in [0, 1], got for example {bad[0]}")
    return _reduce(y * softplus(-z) + (1 - y) * softplus(z), sigmoid(z) - y, reduction)


def logsumexp(z, axis=-1):
    r""":math:`\log\sum_j e^{z_j}` along ``axis``, as :math:`m + \log\sum_j e^{z_j - m}` with :math:`m = \max_j z_j`.

    Shifting by the maximum makes every exponent :math:`\le 0`, so nothing
    overflows; the largest term is :math:`e^0 = 1`, so the sum is at least 1
    and its logarithm never underflows to :math:`-\infty`.
    """
    z = np.asarray(z, dtype=float)
    m = np.max(z, axis=axis, keepdims=True)
    return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(z - m), axis=axis))


def log_softmax(z, axis=-1):
    r""":math:`\log\operatorname{softmax}(z)_k = z_k - \log\sum_j e^{z_j}`, stable for huge logits."""
    z = np.asarray(z, dtype=float)
    return z - np.expand_dims(logsumexp(z, axis=axis), axis)


def softmax(z, axis=-1):
    r""":math:`\operatorname{softmax}(z)_k = e^{z_k} / \sum_j e^{z_j}`, stable for huge logits."""
    return np.exp(log_softmax(z, axis=axis))


def one_hot(labels, n_classes):
    """The one-hot matrix of integer ``labels``: row ``i`` is 1 in column ``labels[i]`` and 0 elsewhere."""
    return (np.asarray(labels)[:, None] == np.arange(n_classes)).astype(float)


def _class_labels(target, n, n_classes, stack=()):
    """Check that ``target`` holds ``n`` integer class labels in ``0 .. n_classes - 1``; return them as ints.

    With ``stack`` (the leading axes of a stack of logits), it may also hold a set of labels for each:
    shape ``(*stack, n)``.
    """
    y = np.asarray(target)
    if y.shape != (n,) and y.shape != (*stack, n):
        shapes = f"({n},)" + (f" or {(*stack, n)}" if stack else "")
        raise ValueError(f"target must hold one class label per row of logits, shape {shapes}, got shape {y.shape}")
    if not np.issubdtype(y.dtype, np.number) or np.issubdtype(y.dtype, np.complexfloating):
        raise ValueError(f"class labels must be integers, got dtype {y.dtype}")
    valid = np.isfinite(y) & (y == np.round(y)) & (y >= 0) & (y < n_classes)
    if not valid.all():
        raise ValueError(f"class labels must be integers in 0 .. {n_classes - 1}, got {y[~valid][0].item()!r}")
    return y.astype(int)


def cross_entropy(logits, target, reduction="mean"):
    r"""Categorical cross-entropy of class labels given logits, through a stable log-softmax.

    For a sample with logits :math:`z \in \mathbb{R}^K` and class :math:`c`,

    .. math::

        \ell(z, c) = -\log\operatorname{softmax}(z)_c = \log\sum_{j=1}^K e^{z_j} - z_c, \qquad
        \frac{\partial\ell}{\partial z_k} = \operatorname{softmax}(z)_k - [k = c],

    and :math:`L = \frac1N\sum_i \ell(z_i, c_i)` (the mean is over samples, not
    over the :math:`N \times K` logits). The log-sum-exp is evaluated by
    :func:`logsumexp`, so logits of :math:`10^{300}` are fine. It sums over the
    classes with the classes first (faster for few classes); a sum along each
    row adds in another order, so the two agree to rounding (about :math:`10^{-16}`).

    Parameters
    ----------
    logits : array_like, shape (N, K)
        One row of scores per sample.
    target : array_like of int, shape (N,)
        Class labels in :math:`0, \dots, K-1`.
    reduction : {"mean", "sum", "none"}
        See the module docstring; ``"none"`` gives one loss per sample and the
        gradient of each with respect to its row of logits.

    Returns
    -------
    Loss
        Same as ``torch.nn.functional.cross_entropy`` with class-index targets.
    """
    z, labels = _classes_first(logits, target)
    at = (labels, np.arange(len(labels)))      # where each sample's target logit is
    log_p = log_softmax(z, axis=0)
    terms = -log_p[at]
    grad = np.exp(log_p)              # softmax(z)
    grad[at] -= 1                     # minus the one-hot target
    return _reduce(terms, grad.T, reduction)


def cross_entropy_terms(logits, target):
    r"""The per-sample cross-entropy alone, no gradient: :math:`\ell(z_i, c_i) = \log\sum_j e^{z_{ij}} - z_{i c_i}`.

    The same numbers as ``cross_entropy(logits, target, reduction="none").value``, bit for bit, for
    less work: no softmax is formed. For evaluating a loss where no gradient is wanted (e.g.
    :meth:`course_lib.models.Model.loss` along a path of parameters).

    Parameters
    ----------
    logits : array_like, shape (N, K), or (..., N, K) for a stack of sets of logits
        One row of scores per sample. The sums run over the classes with the classes first; logits
        whose memory already has them first (``np.swapaxes`` of a ``(..., K, N)`` array, as
        :meth:`~course_lib.models.Model.path_loss` makes them) are used as they are, without a copy.
    target : array_like of int, shape (N,), or (..., N) with the stack's leading axes
        Class labels in :math:`0, \dots, K-1` (one set shared by the whole stack, or one per set).

    Returns
    -------
    ndarray, shape (N,) or (..., N)
        Each sample's loss: for a stack, each set's are the numbers its logits alone give, bit for bit.
    """
    z, labels = _classes_first(logits, target, stacks=True)
    labels = np.broadcast_to(labels, (*z.shape[:-2], z.shape[-1]))
    picked = np.take_along_axis(z, labels[..., None, :], axis=-2)[..., 0, :]
    return -(picked - logsumexp(z, axis=-2))       # as -log_softmax(z) reads it, down to the sign of a zero


def _classes_first(logits, target, stacks=False):
    """The checked logits with the classes first, shape (K, N) (``stacks``: also (..., K, N)), C-contiguous,
    and the checked class labels.

    NumPy reduces over a short last axis row by row, but over the first axis it runs along whole
    rows: with one row of N scores per class the sums over the classes are about twice as fast.
    Logits whose memory already has the classes first are not copied.
    """
    z = _as_float(logits, "logits")
    if z.ndim != 2 and not (stacks and z.ndim > 2):
        raise ValueError(f"logits must have shape (n_samples, n_classes){', or a stack of those' if stacks else ''}"
                         f", got shape {z.shape}")
    n, k = z.shape[-2:]
    labels = _class_labels(target, n, k, stack=z.shape[:-2])
    return np.ascontiguousarray(np.swapaxes(z, -1, -2)), labels


# ---------------------------------------------------------------------------
# Symbolic derivations, for display
# ---------------------------------------------------------------------------

class Derivation(NamedTuple):
    r"""A loss written in sympy, its derivatives derived by sympy, and the closed forms the code uses.

    Attributes
    ----------
    name : str
        The loss, e.g. ``"mse"``.
    loss : sympy.Expr
        The loss of one sample (or, for ``"linear_mse"``, of the whole data set).
    wrt : tuple of sympy.Symbol
        The variables it is differentiated with respect to.
    grad : tuple of sympy.Expr
        :math:`\partial\,\text{loss}/\partial v` for each :math:`v` in ``wrt``, by :func:`sympy.diff`.
    closed_form : tuple of sympy.Expr
        The textbook form of each derivative, the one the NumPy code in this module implements.
    symbols : tuple of sympy.Symbol
        Every symbol of ``loss``, in a fixed order, for :func:`sympy.lambdify`.
    given : dict
        Substitutions that hold for every valid target (e.g. one-hot labels sum to 1),
        applied by :meth:`check`.
    """

    name: str
    loss: sp.Expr
    wrt: tuple
    grad: tuple
    closed_form: tuple
    symbols: tuple
    given: dict

    def check(self):
        """True if sympy proves ``grad == closed_form`` (after substituting ``given``)."""
        return all(sp.simplify((g - c).subs(self.given)) == 0 for g, c in zip(self.grad, self.closed_form))

    def _repr_latex_(self):
        lines = [rf"\ell &= {sp.latex(self.loss)}"]
        lines += [rf"\frac{{\partial \ell}}{{\partial {sp.latex(v)}}} &= {sp.latex(c)}"
                  for v, c in zip(self.wrt, self.closed_form)]
        return r"$\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}$"


def _prediction_symbols():
    return sp.Symbol(r"\hat{y}", real=True), sp.Symbol("y", real=True)


def _derive(name, loss, wrt, closed_form, symbols, given=None):
    """Differentiate ``loss`` by sympy and package it with the closed forms it should equal."""
    wrt = tuple(wrt)
    return Derivation(name, loss, wrt, tuple(sp.diff(loss, v) for v in wrt), tuple(closed_form), tuple(symbols),
                      given or {})


def _derive_mse():
    yhat, y = _prediction_symbols()
    return _derive("mse", (yhat - y) ** 2, [yhat], [2 * (yhat - y)], [yhat, y])


def _derive_mae():
    yhat, y = _prediction_symbols()
    return _derive("mae", sp.Abs(yhat - y), [yhat], [sp.sign(yhat - y)], [yhat, y])


def _derive_huber():
    yhat, y = _prediction_symbols()
    delta = sp.Symbol("delta", positive=True)
    r = yhat - y
    loss = sp.Piecewise((r**2 / 2, sp.Abs(r) <= delta), (delta * (sp.Abs(r) - delta / 2), True))
    clip = sp.Piecewise((r, sp.Abs(r) <= delta), (delta * sp.sign(r), True))
    return _derive("huber", loss, [yhat], [clip], [yhat, y, delta])


def _derive_binary_cross_entropy():
    z, y = sp.symbols("z y", real=True)
    sigma = 1 / (1 + sp.exp(-z))
    loss = -y * sp.log(sigma) - (1 - y) * sp.log(1 - sigma)
    return _derive("binary_cross_entropy", loss, [z], [sigma - y], [z, y])


def _derive_cross_entropy(n_classes):
    """One-hot labels :math:`y_j` (summing to 1) instead of a class index, so that sympy can differentiate."""
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 2:
        raise ValueError(f"n_classes must be an integer >= 2, got {n_classes!r}")
    z = sp.symbols(f"z_1:{n_classes + 1}", real=True)
    y = sp.symbols(f"y_1:{n_classes + 1}", real=True)
    normaliser = sum(sp.exp(zj) for zj in z)
    loss = -sum(yj * sp.log(sp.exp(zj) / normaliser) for yj, zj in zip(y, z))
    closed = [sp.exp(zk) / normaliser - yk for zk, yk in zip(z, y)]
    return _derive("cross_entropy", loss, z, closed, z + y, {y[-1]: 1 - sum(y[:-1])})


def _derive_linear_mse():
    r"""MSE of the line :math:`\hat y = w x + b` on :math:`n` samples, differentiated w.r.t. :math:`w` and :math:`b`."""
    w, b = sp.symbols("w b", real=True)
    n = sp.Symbol("n", integer=True, positive=True)
    i = sp.Idx("i")
    x, y = sp.IndexedBase("x", real=True), sp.IndexedBase("y", real=True)
    residual = w * x[i] + b - y[i]
    loss = sp.Sum(residual**2, (i, 1, n)) / n
    closed = [2 / n * sp.Sum(residual * x[i], (i, 1, n)), 2 / n * sp.Sum(residual, (i, 1, n))]
    return _derive("linear_mse", loss, [w, b], closed, [w, b, n, x, y])


#: The losses :func:`derivation` knows, by name.
DERIVATIONS = {
    "mse": _derive_mse,
    "mae": _derive_mae,
    "huber": _derive_huber,
    "binary_cross_entropy": _derive_binary_cross_entropy,
    "cross_entropy": _derive_cross_entropy,
    "linear_mse": _derive_linear_mse,
}


def derivation(name, n_classes=3):
    r"""A loss as a sympy expression, with its derivatives derived by sympy.

    Parameters
    ----------
    name : str
        One of ``"mse"``, ``"mae"``, ``"huber"`` and ``"binary_cross_entropy"``
        (per-sample losses of :math:`\hat y` or :math:`z`), ``"cross_entropy"``
        (per-sample, with one-hot targets :math:`y_j`), or ``"linear_mse"``: the
        mean squared error of the line :math:`\hat y = wx + b` on :math:`n`
        samples, differentiated with respect to :math:`w` and :math:`b`.
    n_classes : int
        The number of classes :math:`K` for ``"cross_entropy"``.

    Returns
    -------
    Derivation
        Displays as LaTeX in a notebook; :meth:`Derivation.check` confirms that
        sympy's derivative equals the closed form used in the NumPy code.

    Examples
    --------
    >>> d = derivation("binary_cross_entropy")
    >>> d.closed_form
    (-y + 1/(1 + exp(-z)),)
    >>> d.check()
    True
    """
    if name not in DERIVATIONS:
        raise ValueError(f"unknown loss {name!r}; choose one of {sorted(DERIVATIONS)}")
    return DERIVATIONS[name](n_classes) if name == "cross_entropy" else DERIVATIONS[name]()
