r"""Small models in NumPy with hand-written backpropagation: linear, logistic and softmax regression, an MLP.

A model is a stack of affine layers with an activation between them and a
loss *head* on top. Linear, logistic and softmax regression are the stack with
no hidden layer; an MLP has one or more. The model holds no parameters: they
are a dict of arrays that you pass in, so a :mod:`course_lib.optim` optimizer
drives them directly::

    >>> from course_lib import optim
    >>> model = mlp(n_in=4, n_hidden=8, n_out=3, seed=0)
    >>> params = model.init_params(seed=0)
    >>> sorted(params)
    ['W1', 'W2', 'b1', 'b2']
    >>> opt = optim.sgd(lr=0.1)
    >>> state = opt.init(params)
    >>> X, y = np.ones((5, 4)), np.array([0, 1, 2, 1, 0])
    >>> loss, grads = model.loss_and_grad(params, X, y)
    >>> params, state = opt.update(params, grads, state)

The forward pass, with :math:`h_0 = X` and :math:`L` layers, is

.. math::

    a_l = h_{l-1} W_l + b_l, \qquad h_l = \phi(a_l) \quad (l < L), \qquad \text{output} = a_L,

and the backward pass runs the chain rule from :math:`\delta_L = \partial\mathcal{L}/\partial a_L`
(the loss head's gradient) down:

.. math::

    \frac{\partial\mathcal{L}}{\partial W_l} = h_{l-1}^\top \delta_l, \qquad
    \frac{\partial\mathcal{L}}{\partial b_l} = \textstyle\sum_i (\delta_l)_i, \qquad
    \delta_{l-1} = (\delta_l W_l^\top) \odot \phi'(a_{l-1}).

:func:`line_loss_grid` and :func:`line_mse_objective` give the loss landscape
of the 2-parameter model :math:`\hat y = wx + b`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Callable, NamedTuple

import numpy as np
import sympy as sp

from . import losses
from .objectives import Objective

#: Parameter sets per evaluation in :meth:`Model.path_loss`: each evaluation's arrays stay in the CPU cache
#: (one evaluation of a whole path of 81 points measured slower than eleven of at most 8).
PATH_CHUNK = 8

__all__ = [
    "Activation", "ACTIVATIONS", "Head", "Model",
    "linear_regression", "logistic_regression", "softmax_regression", "mlp",
    "line_loss_grid", "line_mse_objective", "numerical_gradient",
]


# ---------------------------------------------------------------------------
# Activations and loss heads
# ---------------------------------------------------------------------------

class Activation(NamedTuple):
    r"""An activation :math:`h = \phi(a)` and its derivative written in terms of the output :math:`h`."""

    name: str
    fn: Callable
    grad_from_output: Callable


def _tanh_grad(h):
    r""":math:`\tanh'(a) = 1 - \tanh^2(a) = 1 - h^2`."""
    return 1 - h**2


def _relu(a):
    r""":math:`\operatorname{relu}(a) = \max(a, 0)`."""
    return np.maximum(a, 0.0)


def _relu_grad(h):
    r""":math:`\operatorname{relu}'(a) = [a > 0] = [h > 0]` (0 at the kink, as in torch)."""
    return (h > 0).astype(float)


#: The hidden-layer activations by name.
ACTIVATIONS = {
    "tanh": Activation("tanh", np.tanh, _tanh_grad),
    "relu": Activation("relu", _relu, _relu_grad),
}


class Head(NamedTuple):
    """What sits on the last layer's output :math:`a_L`: the loss, and how to turn outputs into classes.

    Attributes
    ----------
    task : str
        ``"regression"``, ``"binary"`` or ``"multiclass"``.
    loss : callable
        ``loss(output, y) -> losses.Loss``, the mean over the samples; a stack of data sets
        calls it with ``reduction="none"`` and takes each set's mean of those terms.
    scalar : bool
        True if the last layer has one unit whose output is returned with shape ``(n,)``.
    decide : callable or None
        ``decide(output) -> class labels`` for classifiers, None for regression.
    terms : callable or None
        ``terms(output, y) -> per-sample losses`` without the gradient, where that saves work
        (:func:`losses.cross_entropy_terms`); None: ``loss(output, y, reduction="none").value``.
        :meth:`Model.loss` uses it.
    """

    task: str
    loss: Callable
    scalar: bool
    decide: Callable | None
    terms: Callable | None = None


def _positive_logit(z):
    """Class 1 where :math:`\\sigma(z) > 1/2`, i.e. :math:`z > 0`."""
    return (z > 0).astype(int)


def _argmax(z):
    """The class with the largest logit."""
    return np.argmax(z, axis=-1)


#: The head of every classifier with several classes: cross-entropy on the logits, the largest one decides.
_MULTICLASS = Head("multiclass", losses.cross_entropy, scalar=False, decide=_argmax,
                   terms=losses.cross_entropy_terms)


def _loss_name(loss):
    """A readable name for a loss callable (functools.partial included), for labels."""
    if isinstance(loss, partial):
        args = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in loss.keywords.items())
        return f"{_loss_name(loss.func)}({args})" if args else _loss_name(loss.func)
    return getattr(loss, "__name__", type(loss).__name__)


# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------

def _integer(name, value, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


@dataclass(frozen=True)
class Model:
    """A feed-forward network: affine layers ``sizes[0] -> sizes[1] -> ... -> sizes[-1]`` and a loss head.

    Build one with :func:`linear_regression`, :func:`logistic_regression`,
    :func:`softmax_regression` or :func:`mlp`. Every method is pure: the
    parameters are passed in, never stored.

    Attributes
    ----------
    name : str
        E.g. ``"mlp"``.
    sizes : tuple of int
        Layer widths, input first.
    head : Head
        The loss head.
    activation : Activation or None
        The hidden-layer activation (None without hidden layers).
    seed : int
        The default seed of :meth:`init_params`.
    """

    name: str
    sizes: tuple
    head: Head
    activation: Activation | None = None
    seed: int = 0

    # -- structure ---------------------------------------------------------------
    @property
    def n_layers(self):
        """The number of affine layers :math:`L` (1 for the linear models)."""
        return len(self.sizes) - 1

    @property
    def is_classifier(self):
        """True for logistic and softmax regression and classification MLPs."""
        return self.head.decide is not None

    def layer_names(self):
        """``[("W", "b")]`` for one layer, else ``[("W1", "b1"), ("W2", "b2"), ...]``."""
        if self.n_layers == 1:
            return [("W", "b")]
        return [(f"W{l}", f"b{l}") for l in range(1, self.n_layers + 1)]

    def param_shapes(self):
        """The shape of every parameter, by name."""
        shapes = {}
        for (w, b), fan_in, fan_out in zip(self.layer_names(), self.sizes[:-1], self.sizes[1:]):
            shapes[w], shapes[b] = (fan_in, fan_out), (fan_out,)
        return shapes

    @property
    def n_params(self):
        """The total number of scalar parameters."""
        return sum(int(np.prod(s)) for s in self.param_shapes().values())

    def label(self):
        """A short description such as ``"mlp(64-32-10, tanh, cross_entropy)"``."""
        act = f", {self.activation.name}" if self.activation is not None else ""
        return f"{self.name}({'-'.join(map(str, self.sizes))}{act}, {_loss_name(self.head.loss)})"

    def __repr__(self):
        return f"Model({self.label()}, {self.n_params} parameters)"

    # -- parameters -----------------------------------------------------------------
    def init_params(self, seed=None):
        r"""Random weights and zero biases.

        Each :math:`W_l` is drawn from :math:`\mathcal{N}(0,\, g/n_{l-1})`, with
        :math:`n_{l-1}` its fan-in and gain :math:`g = 2` when its input is a
        ReLU output (He et al., 2015), else :math:`g = 1` (LeCun): the layer
        outputs then keep roughly unit variance from layer to layer.

        Parameters
        ----------
        seed : int or numpy.random.SeedSequence, optional
            Defaults to the model's ``seed``; the same seed gives the same parameters.
        """
        rng = np.random.default_rng(self.seed if seed is None else seed)
        relu = self.activation is not None and self.activation.name == "relu"
        params = {}
        for l, (w, b) in enumerate(self.layer_names()):
            fan_in, fan_out = self.sizes[l], self.sizes[l + 1]
            gain = 2.0 if relu and l > 0 else 1.0        # layer 0 reads the data, not a ReLU output
            params[w] = rng.normal(0.0, np.sqrt(gain / fan_in), size=(fan_in, fan_out))
            params[b] = np.zeros(fan_out)
        return params

    def _check(self, params, X):
        """``X`` as floats, after checking it and ``params``; any leading (stack) axes must broadcast together."""
        shapes = self.param_shapes()
        if not isinstance(params, dict) or params.keys() != shapes.keys():
            have = sorted(params) if isinstance(params, dict) else type(params).__name__
            raise ValueError(f"params must be a dict with the keys {sorted(shapes)}, got {have}")
        stacks = {}
        for k, shape in shapes.items():
            have = np.shape(params[k])
            if have[len(have) - len(shape):] != shape:
                raise ValueError(f"params[{k!r}] must have shape {shape}, or (n_sets, {', '.join(map(str, shape))}) "
                                 f"for a stack, got {have}")
            stacks[f"params[{k!r}]"] = have[:len(have) - len(shape)]
        X = np.asarray(X, dtype=float)
        if X.ndim < 2 or X.shape[-1] != self.sizes[0]:
            raise ValueError(f"X must have shape (n_samples, {self.sizes[0]}), or (n_sets, n_samples, "
                             f"{self.sizes[0]}) for a stack of data sets, got {X.shape}")
        stacks["X"] = X.shape[:-2]
        try:
            np.broadcast_shapes(*stacks.values())
        except ValueError:
            raise ValueError("the stack axes of params and X must broadcast together, got "
                             + ", ".join(f"{k}: {v}" for k, v in stacks.items())) from None
        return X

    # -- forward and backward ----------------------------------------------------------
    def forward(self, params, X):
        r"""The forward pass: the list :math:`[h_0 = X, h_1, \dots, h_{L-1}, a_L]` of layer outputs.

        .. math:: a_l = h_{l-1} W_l + b_l, \qquad h_l = \phi(a_l) \ (l < L)

        Stacks (leading axes of ``X`` or of the parameters) broadcast as in NumPy: ``X`` of shape
        ``(n_sets, n, n_in)`` gives each data set's outputs, a stack of parameter sets each set's outputs.
        """
        hs = [self._check(params, X)]
        for l, (w, b) in enumerate(self.layer_names(), start=1):
            a = hs[-1] @ params[w] + np.expand_dims(params[b], -2)     # the bias, added to every sample's row
            hs.append(self.activation.fn(a) if l < self.n_layers else a)
        return hs

    def backward(self, params, hs, delta):
        r"""The backward pass: the chain rule from ``delta`` :math:`= \delta_L = \partial\mathcal{L}/\partial a_L` down.

        .. math::

            \frac{\partial\mathcal{L}}{\partial W_l} = h_{l-1}^\top \delta_l, \qquad
            \frac{\partial\mathcal{L}}{\partial b_l} = \textstyle\sum_i (\delta_l)_i, \qquad
            \delta_{l-1} = (\delta_l W_l^\top) \odot \phi'(a_{l-1})

        Parameters
        ----------
        params : dict
            The parameters.
        hs : list of ndarray
            The layer outputs from :meth:`forward`.
        delta : ndarray, shape (n, n_out), or (n_sets, n, n_out) for a stack
            The gradient of the loss with respect to the last layer's output (for a stack, each
            set's gradients are summed over its own samples only).
        """
        grads = {}
        for l in range(self.n_layers, 0, -1):
            w, b = self.layer_names()[l - 1]
            grads[w] = np.swapaxes(hs[l - 1], -1, -2) @ delta     # h^T delta, for each set of a stack
            grads[b] = delta.sum(axis=-2)
            if l > 1:
                delta = (delta @ np.swapaxes(params[w], -1, -2)) * self.activation.grad_from_output(hs[l - 1])
        return {k: grads[k] for k in self.param_shapes()}

    def _output(self, a_L):
        return a_L[..., 0] if self.head.scalar else a_L

    def _head_loss(self, output, y):
        """The head's mean loss and its gradient with respect to ``output``; for a stack, one mean per set.

        ``y`` holds the targets of one data set (shared by every set of the stack) or of each set.
        """
        stack = self._stack_axes(output)
        if not stack:
            return self.head.loss(output, y)
        terms, d_terms = self.head.loss(*self._one_big_set(output, y, stack), reduction="none")
        terms = terms.reshape(*stack, -1)           # one row of per-sample (or per-entry) losses per set
        return losses.Loss(terms.mean(axis=-1), d_terms.reshape(output.shape) / terms.shape[-1])

    def _head_value(self, output, y):
        """The head's mean loss alone (for a stack, one mean per set): its ``terms`` skip the gradient.

        ``terms`` takes the stack as it is (see :func:`losses.cross_entropy_terms`), with ``y`` checked here.
        """
        if self.head.terms is None:
            return self._head_loss(output, y).value
        stack = self._stack_axes(output)
        terms = self.head.terms(output, self._stacked_targets(output, y, stack))
        return terms.mean(axis=-1) if stack else float(np.mean(terms))

    def _stack_axes(self, output):
        """The leading (stack) axes of ``output``: those before the dimensions of one data set's output."""
        return output.shape[:output.ndim - (1 if self.head.scalar else 2)]

    def _stacked_targets(self, output, y, stack):
        """``y`` checked against a stack of outputs and broadcast to one set of targets per set (``y`` as it is
        without a stack)."""
        if not stack:
            return y
        one_set = output.ndim - len(stack)                          # output dimensions of one data set
        y_one_set = one_set - (self.head.task == "multiclass")    # class labels: one number per sample
        want = output.shape[len(stack):len(stack) + y_one_set]      # the targets of one data set
        y = np.asarray(y)
        try:
            if y.shape[max(y.ndim - y_one_set, 0):] != want:
                raise ValueError
            return np.broadcast_to(y, stack + want)
        except ValueError:
            raise ValueError(f"y must hold the targets of one data set, shape {want}, or of each set of the "
                             f"stack {stack}, shape {stack + want}; got shape {np.shape(y)}") from None

    def _one_big_set(self, output, y, stack):
        """A stack of outputs as one data set of all their samples, with ``y`` (checked) for each: ``(output, y)``."""
        if not stack:
            return output, y
        y = self._stacked_targets(output, y, stack)
        return output.reshape(-1, *output.shape[len(stack) + 1:]), y.reshape(-1, *y.shape[len(stack) + 1:])

    def predict(self, params, X):
        """The model output the loss sees: predictions (regression) or logits (classifiers).

        Shape ``(n,)`` for one output unit (linear and logistic regression), else ``(n, n_out)``;
        a stack of data sets, ``X`` of shape ``(n_sets, n, n_in)``, keeps its leading axis.
        """
        return self._output(self.forward(params, X)[-1])

    def loss(self, params, X, y):
        """The mean loss on ``(X, y)`` (forward pass only); for stacks, an array of one mean per set.

        E.g. the parameters of several runs stacked along a first axis, on one data set: each run's
        loss, in one call (:meth:`path_loss` evaluates a whole path of them faster, to rounding). A head
        with ``terms`` (cross-entropy) gives the value without forming the gradient: the same number
        ``loss_and_grad`` gives.
        """
        return self._head_value(self.predict(params, X), y)

    def loss_and_grad(self, params, X, y):
        """The mean loss on ``(X, y)`` and its gradient: a dict with the keys and shapes of ``params``.

        For a stack of data sets, ``X`` of shape ``(n_sets, n_samples, n_in)`` and ``y`` with
        ``(n_sets, n_samples)`` leading, it is what a loop over the sets would give, in one pass: the
        losses, shape ``(n_sets,)``, and each gradient with a leading axis of ``n_sets`` (e.g. the
        gradients of the minibatches of several workers, :func:`course_lib.distributed.data_parallel_sgd`).
        A stack of parameter sets (a leading axis on every parameter) works the same way, and the two
        stacks broadcast against each other as NumPy arrays do; every gradient then has the stacks'
        leading axes (e.g. ``(n_sets, *shape)``), whichever parameters they came from.
        """
        hs = self.forward(params, X)
        value, d_output = self._head_loss(self._output(hs[-1]), y)
        delta = d_output[..., None] if self.head.scalar else d_output
        return value, self.backward(params, hs, delta)

    def path_loss(self, path, X, y, chunk=PATH_CHUNK):
        r"""The mean loss on ``(X, y)`` at each parameter set of ``path`` (a list of dicts), e.g. a run's steps.

        ``[self.loss(p, X, y) for p in path]``, evaluated for stacks of ``chunk`` parameter sets at once
        with the features first (:meth:`outputs_features_first`), in about two thirds of the time. The
        numbers agree to rounding: each product adds the same terms in another order, so an output may
        differ in its last bit, and a loss by about :math:`10^{-16}` times the size of the outputs. How
        the path is cut into chunks can change such a last bit too: evaluate paths that must agree bit
        for bit with the same ``chunk``, on their own. Returns an array with one loss per point of the path.

        ``X`` is one data set, shape ``(n_samples, n_in)``.
        """
        chunk = _integer("chunk", chunk)
        if not len(path):
            raise ValueError("path must hold at least one parameter set, got an empty path")
        X = np.asarray(X, dtype=float)
        if X.ndim != 2:
            raise ValueError(f"X must be one data set, shape (n_samples, {self.sizes[0]}), got shape {X.shape}")
        XT = np.ascontiguousarray(X.T)
        values = []
        for i in range(0, len(path), chunk):
            stack = {k: np.stack([p[k] for p in path[i:i + chunk]]) for k in path[0]}
            values.append(self._head_value(self.outputs_features_first(stack, X, XT), y))
        return np.concatenate(values)

    def outputs_features_first(self, params, X, XT=None):
        r""":meth:`predict` for a stack of parameter sets on one data set, computed with the features first.

        Each layer is :math:`a_l^\top = W_l^\top h_{l-1}^\top + b_l \mathbf{1}^\top`: for a stack of :math:`S`
        sets, the first layer is one matrix product, :math:`(S\,n_1 \times n_0)` by :math:`(n_0 \times n)`,
        instead of :math:`S` thin ones, and the classes come out first, as a softmax wants them
        (:func:`losses.cross_entropy_terms` sums over them along whole rows). The result has the shape
        ``predict`` gives, ``(S, n)`` or ``(S, n, n_out)``, as a view of that memory; its numbers
        equal ``predict``'s to rounding.

        Parameters
        ----------
        params : dict
            A stack of parameter sets: every array with one leading axis of the same length :math:`S \ge 1`.
        X : ndarray, shape (n, n_in)
            One data set.
        XT : ndarray, shape (n_in, n), optional
            ``X.T`` as a contiguous array, if already made (:meth:`path_loss` makes it once).

        Returns
        -------
        ndarray, shape (S, n) or (S, n, n_out)
            What :meth:`predict` gives for the stack (a view of memory with the outputs first).
        """
        X = self._check(params, X)
        stacks = {np.shape(params[k])[:-len(shape)] for k, shape in self.param_shapes().items()}
        stack = stacks.pop() if len(stacks) == 1 else ()
        if X.ndim != 2 or len(stack) != 1 or stack[0] < 1:
            raise ValueError("outputs_features_first takes one data set and a stack of parameter sets (one "
                             "leading axis of the same length >= 1 on every parameter)")
        hT = np.ascontiguousarray(X.T) if XT is None else XT
        for l, (w, b) in enumerate(self.layer_names(), start=1):
            W = np.swapaxes(params[w], -1, -2)                        # (S, n_out, n_in)
            if hT.ndim == 2:        # the data, shared by the whole stack: one product for every set
                aT = (W.reshape(-1, W.shape[-1]) @ hT).reshape(*W.shape[:-1], -1)
            else:
                aT = W @ hT
            aT += params[b][..., None]                               # the bias, added to every sample's column
            hT = self.activation.fn(aT) if l < self.n_layers else aT
        return self._output(np.swapaxes(hT, -1, -2))

    # -- classifiers --------------------------------------------------------------------
    def predict_labels(self, params, X):
        """The predicted class of each row of ``X`` (classifiers only)."""
        if not self.is_classifier:
            raise ValueError(f"{self.name} is a regression model: it predicts numbers, not classes")
        return self.head.decide(self.predict(params, X))

    def accuracy(self, params, X, y):
        """The fraction of rows of ``X`` whose predicted class equals ``y`` (classifiers only)."""
        labels = self.predict_labels(params, X)
        y = np.asarray(y)
        if y.shape != labels.shape:
            raise ValueError(f"y must have shape {labels.shape}, got {y.shape}")
        return float(np.mean(labels == y))


# ---------------------------------------------------------------------------
# Constructors
# ---------------------------------------------------------------------------

def linear_regression(n_in, loss=losses.mse, seed=0):
    r"""Linear regression :math:`\hat y = X W + b` (``W`` of shape ``(n_in, 1)``), fitted by minimising ``loss``.

    Parameters
    ----------
    n_in : int
        The number of features.
    loss : callable
        A regression loss from :mod:`course_lib.losses`: ``losses.mse`` (least
        squares), ``losses.mae``, or e.g. ``functools.partial(losses.huber, delta=0.5)``.
    seed : int
        The default seed of :meth:`Model.init_params`.
    """
    head = Head("regression", loss, scalar=True, decide=None)
    return Model("linear_regression", (_integer("n_in", n_in), 1), head, seed=seed)


def logistic_regression(n_in, seed=0):
    r"""Logistic regression :math:`p(y = 1 \mid x) = \sigma(xW + b)`, binary cross-entropy loss on labels 0/1."""
    head = Head("binary", losses.binary_cross_entropy, scalar=True, decide=_positive_logit)
    return Model("logistic_regression", (_integer("n_in", n_in), 1), head, seed=seed)


def softmax_regression(n_in, n_classes, seed=0):
    r"""Softmax (multinomial logistic) regression :math:`p(y \mid x) = \operatorname{softmax}(xW + b)`.

    ``n_classes`` :math:`= K` logits per sample, cross-entropy loss on integer labels :math:`0, \dots, K-1`.
    """
    return Model("softmax_regression", (_integer("n_in", n_in), _integer("n_classes", n_classes, 2)), _MULTICLASS,
                 seed=seed)


def mlp(n_in, n_hidden, n_out, activation="tanh", task="classification", seed=0):
    r"""A multilayer perceptron with one or more hidden layers.

    Parameters
    ----------
    n_in : int
        The number of features.
    n_hidden : int or sequence of int
        The width of the hidden layer, or of each hidden layer (e.g. ``(32, 16)``).
    n_out : int
        The number of classes (``task="classification"``, softmax and
        cross-entropy) or of regression targets (``task="regression"``, MSE;
        with ``n_out=1`` the output has shape ``(n,)``).
    activation : {"tanh", "relu"}
        The hidden-layer activation :math:`\phi`.
    task : {"classification", "regression"}
        Which head to put on top.
    seed : int
        The default seed of :meth:`Model.init_params`.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    hidden = (n_hidden,) if isinstance(n_hidden, (int, np.integer)) else tuple(n_hidden)
    if not hidden:
        raise ValueError("an MLP needs at least one hidden layer; use softmax_regression or linear_regression")
    hidden = tuple(_integer("n_hidden", h) for h in hidden)
    if task == "classification":
        n_out = _integer("n_out (the number of classes)", n_out, 2)
        head = _MULTICLASS
    elif task == "regression":
        n_out = _integer("n_out", n_out)
        head = Head("regression", losses.mse, scalar=n_out == 1, decide=None)
    else:
        raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
    return Model("mlp", (_integer("n_in", n_in), *hidden, n_out), head, ACTIVATIONS[activation], seed)


# ---------------------------------------------------------------------------
# Checking backpropagation
# ---------------------------------------------------------------------------

def numerical_gradient(f, params, eps=1e-6):
    r"""The gradient of the scalar function ``f(params)`` by central finite differences, to check backpropagation.

    .. math::

        \frac{\partial f}{\partial \theta_j} \approx
        \frac{f(\theta + \varepsilon e_j) - f(\theta - \varepsilon e_j)}{2\varepsilon}

    The error is :math:`O(\varepsilon^2)` plus rounding of order
    :math:`10^{-16} |f| / \varepsilon`, so in float64 :math:`\varepsilon \approx 10^{-6}`
    gives about 8 correct digits. It costs two evaluations of ``f`` per
    parameter: fine for checking small models, hopeless for training big ones,
    which is why we backpropagate.

    Parameters
    ----------
    f : callable
        ``f(params) -> float``.
    params : ndarray or dict of ndarray
        Where to differentiate; never modified.
    eps : float
        The step :math:`\varepsilon > 0`.

    Returns
    -------
    ndarray or dict of ndarray
        Same structure and shapes as ``params``.
    """
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps}")
    if isinstance(params, dict):
        return {k: numerical_gradient(lambda v, k=k: f({**params, k: v}), v, eps) for k, v in params.items()}
    theta = np.array(params, dtype=float)
    grad = np.zeros_like(theta)
    for j in np.ndindex(theta.shape):
        step = np.zeros_like(theta)
        step[j] = eps
        grad[j] = (f(theta + step) - f(theta - step)) / (2 * eps)
    return grad


# ---------------------------------------------------------------------------
# The 2-parameter model y = w x + b, for loss landscapes
# ---------------------------------------------------------------------------

#: How many prediction values :func:`line_loss_grid` holds in memory at once (speed only, not results).
_GRID_CHUNK = 2**20


def _line_data(x, y):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.ndim != 1 or x.shape != y.shape or x.size == 0:
        raise ValueError(f"x and y must be non-empty 1-D arrays of the same length, got shapes {x.shape}, {y.shape}")
    return x, y


def line_loss_grid(x, y, w, b, loss=losses.mse):
    r"""The loss of the line :math:`\hat y = wx + b` on data ``(x, y)`` for many :math:`(w, b)` at once.

    .. math:: L(w, b) = \frac1n \sum_{i=1}^n \ell(w x_i + b,\; y_i)

    Parameters
    ----------
    x, y : array_like, shape (n,)
        One feature and the targets.
    w, b : array_like
        Slopes and intercepts of any shapes that broadcast together, e.g. the
        two arrays of ``np.meshgrid``.
    loss : callable
        A regression loss of :mod:`course_lib.losses` (``mse``, ``mae``, a
        ``partial`` of ``huber``); called with ``reduction="none"``.

    Returns
    -------
    ndarray
        :math:`L(w, b)`, with the broadcast shape of ``w`` and ``b``. Equals
        ``linear_regression(1, loss).loss`` at each point.
    """
    x, y = _line_data(x, y)
    w, b = np.broadcast_arrays(np.asarray(w, dtype=float), np.asarray(b, dtype=float))
    w_flat, b_flat = w.ravel(), b.ravel()
    out = np.empty(w_flat.size)
    chunk = max(1, _GRID_CHUNK // x.size)
    for start in range(0, w_flat.size, chunk):
        ws, bs = w_flat[start:start + chunk, None], b_flat[start:start + chunk, None]
        pred = ws * x + bs
        out[start:start + chunk] = loss(pred, np.broadcast_to(y, pred.shape), reduction="none").value.mean(axis=1)
    return out.reshape(w.shape)


def line_mse_objective(x, y, margin=2.0):
    r"""The MSE of the line :math:`\hat y = wx + b` on data ``(x, y)`` as an :class:`~course_lib.objectives.Objective`.

    Expanding the square gives a quadratic in :math:`(w, b)` whose coefficients
    are averages over the data (:math:`\overline{x^2} = \frac1n\sum_i x_i^2` etc.):

    .. math::

        L(w, b) = \overline{(wx + b - y)^2}
                = \overline{x^2}\,w^2 + 2\bar x\,wb + b^2 - 2\,\overline{xy}\,w - 2\bar y\, b + \overline{y^2},

    so :func:`course_lib.run.run` can optimise it and the plotting tools can draw it.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        One feature and the targets.
    margin : float
        The plotting window is the least-squares solution :math:`(w^*, b^*)`
        plus or minus ``margin`` natural units: :math:`\sigma_y/\sigma_x` for
        :math:`w`, :math:`\sigma_y` for :math:`b`.

    Returns
    -------
    Objective
        With ``minima`` holding the least-squares solution :math:`(w^*, b^*)`.
    """
    x, y = _line_data(x, y)
    if not (np.isfinite(margin) and margin > 0):
        raise ValueError(f"margin must be positive, got {margin}")
    w, b = sp.symbols("w b", real=True)
    xx, xm, xy, ym, yy = (sp.Float(float(np.mean(v))) for v in (x * x, x, x * y, y, y * y))
    expr = xx * w**2 + 2 * xm * w * b + b**2 - 2 * xy * w - 2 * ym * b + yy
    (w_star, b_star), *_ = np.linalg.lstsq(np.column_stack([x, np.ones_like(x)]), y, rcond=None)
    w_star, b_star = float(w_star), float(b_star)
    sx, sy = np.std(x) or 1.0, np.std(y) or 1.0
    half_w, half_b = float(margin * sy / sx), float(margin * sy)
    window = ((w_star - half_w, w_star + half_w), (b_star - half_b, b_star + half_b))
    return Objective(expr, (w, b), name="MSE of y = wx + b", minima=[(w_star, b_star)], window=window)
