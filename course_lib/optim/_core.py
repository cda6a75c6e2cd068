"""The machinery every optimizer shares: the ``Optimizer`` pair, parameter trees, validation.

An optimizer is a pair of pure functions in the style of optax::

    opt = adam(lr=0.1)
    state = opt.init(params)
    new_params, new_state = opt.update(params, grad, state)

Each algorithm is written once, as a *rule* for a single array (the analogue of
torch's ``_single_tensor_*`` functions). :func:`make_optimizer` lifts the rule to
``params`` that are either one ndarray or a dict of name -> ndarray.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any, Callable, NamedTuple

import numpy as np


class Optimizer(NamedTuple):
    """A pure optimizer: ``init(params) -> state`` and ``update(params, grad, state) -> (params, state)``.

    Attributes
    ----------
    name : str
        The algorithm, e.g. ``"adam"``.
    hyperparams : dict
        The validated hyperparameters, for legends and reports.
    init : callable
        ``init(params) -> state``.
    update : callable
        ``update(params, grad, state) -> (new_params, new_state)``. Never
        mutates its arguments.
    """

    name: str
    hyperparams: dict
    init: Callable[[Any], Any]
    update: Callable[[Any, Any, Any], tuple]

    def label(self):
        """A compact legend label such as ``"adam(lr=0.1, beta1=0.9)"`` naming the non-default values."""
        shown = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                          for k, v in self.hyperparams.items() if v not in (0, False) or k == "lr")
        return f"{self.name}({shown})"


def as_array(x, name):
    """Return ``x`` as a float64 array (a copy is never needed: rules never write in place)."""
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be an array of numbers, got {type(x).__name__}") from err
    return arr


def make_optimizer(name, hyperparams, init_leaf, rule, init_hyperparams=None):
    """Build an :class:`Optimizer` from a per-array ``init_leaf`` and ``rule``.

    Parameters
    ----------
    name : str
        The algorithm's name.
    hyperparams : dict
        Keyword arguments passed to ``rule`` (already validated).
    init_leaf : callable
        ``init_leaf(p) -> state`` for one array ``p``.
    rule : callable
        ``rule(p, g, state, **hyperparams) -> (p, state)`` for one array.
    init_hyperparams : dict, optional
        Hyperparameters used only by ``init_leaf`` (already bound into it), to
        be recorded in :attr:`Optimizer.hyperparams` too.
    """
    step = partial(rule, **hyperparams)

    def init(params):
        if isinstance(params, dict):
            return {k: init_leaf(as_array(v, f"params[{k!r}]")) for k, v in params.items()}
        return init_leaf(as_array(params, "params"))

    def update(params, grad, state):
        if isinstance(params, dict):
            _check_same_keys(params, grad, state)
            new = {k: step(as_array(params[k], f"params[{k!r}]"),
                           _grad_like(grad[k], params[k], f"grad[{k!r}]"), state[k]) for k in params}
            return {k: v[0] for k, v in new.items()}, {k: v[1] for k, v in new.items()}
        return step(as_array(params, "params"), _grad_like(grad, params, "grad"), state)

    return Optimizer(name, {**hyperparams, **(init_hyperparams or {})}, init, update)


def _grad_like(grad, params, name):
    g = as_array(grad, name)
    if g.shape != np.shape(params):
        raise ValueError(f"{name} has shape {g.shape} but the parameters have shape {np.shape(params)}")
    return g


def _check_same_keys(params, grad, state):
    for what, tree in (("grad", grad), ("state", state)):
        if not isinstance(tree, dict) or tree.keys() != params.keys():
            have = sorted(tree) if isinstance(tree, dict) else type(tree).__name__
            raise ValueError(f"{what} must be a dict with the keys {sorted(params)}, got {have}")


# ---------------------------------------------------------------------------
# Validation: every constructor checks its hyperparameters up front.
# ---------------------------------------------------------------------------

def _number(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def positive(name, value):
    """Check ``value > 0`` (and finite); return it as a float."""
    value = _number(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return value


def positive_int(name, value):
    """Check that ``value`` is an integer ``>= 1`` (``True`` is not one); return it as an int."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def non_negative(name, value):
    """Check ``value >= 0`` (and finite); return it as a float."""
    value = _number(name, value)
    if value < 0:
        raise ValueError(f"{name} must be non-negative, got {value}")
    return value


def unit_interval(name, value, closed=False):
    """Check ``0 <= value < 1`` (``<= 1`` when ``closed``); return it as a float."""
    value = _number(name, value)
    if not (0 <= value <= 1 if closed else 0 <= value < 1):
        raise ValueError(f"{name} must be in [0, 1{']' if closed else ')'}, got {value}")
    return value


def flag(name, value):
    """Check that ``value`` is a bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def add_weight_decay(g, p, weight_decay):
    r"""Coupled (L2) weight decay, as torch applies it: :math:`g \leftarrow g + \lambda p`."""
    return g + weight_decay * p if weight_decay else g


def ema(average, value, beta):
    r"""The exponential moving average :math:`\beta\,a + (1-\beta)\,x`, rounded as torch rounds it.

    torch updates its first moments with ``average.lerp_(value, 1 - beta)``,
    which computes :math:`a + (1-\beta)(x - a)` (or :math:`x - \beta(x - a)`
    when :math:`1 - \beta \ge 0.5`). The result equals
    :math:`\beta a + (1-\beta)x` up to rounding; matching torch's rounding keeps
    long trajectories identical to the last bit instead of drifting apart.
    """
    weight = 1 - beta
    return average + weight * (value - average) if weight < 0.5 else value - (value - average) * (1 - weight)
