r"""Adagrad: a per-parameter learning rate from the running *sum* of squared gradients.

Follows ``torch.optim.Adagrad`` exactly.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import numpy as np

from ._core import add_weight_decay, make_optimizer, non_negative, positive


class AdagradState(NamedTuple):
    """``step``: updates done; ``sum``: :math:`G_t`, the accumulated squared gradients."""

    step: int
    sum: np.ndarray


def adagrad_rule(p, g, state, *, lr, lr_decay, weight_decay, eps):
    r"""One Adagrad step on one array.

    .. math::

        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \\
        \tilde\eta_t &= \frac{\eta}{1 + (t-1)\,\delta} \\
        G_t &= G_{t-1} + g_t^2 \\
        \theta_t &= \theta_{t-1} - \tilde\eta_t\, \frac{g_t}{\sqrt{G_t} + \epsilon}

    :math:`G_t` only grows, so the effective rate :math:`\tilde\eta_t/(\sqrt{G_t}+\epsilon)`
    of every parameter decays towards zero.
    """
    t = state.step + 1
    g = add_weight_decay(g, p, weight_decay)
    clr = lr / (1 + (t - 1) * lr_decay)
    G = state.sum + g * g
    return p - clr * g / (np.sqrt(G) + eps), AdagradState(t, G)


def _init(p, initial_accumulator_value):
    return AdagradState(0, np.full_like(p, initial_accumulator_value))


def adagrad(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    r"""Adagrad (Duchi et al., 2011), exactly as ``torch.optim.Adagrad``.

    Parameters
    ----------
    lr : float
        Learning rate :math:`\eta > 0`.
    lr_decay : float
        :math:`\delta \ge 0`; the rate at step t is :math:`\eta / (1 + (t-1)\delta)`.
    weight_decay : float
        Coupled L2 penalty :math:`\lambda \ge 0`.
    initial_accumulator_value : float
        :math:`G_0 \ge 0`, the starting value of the sum of squares.
    eps : float
        :math:`\epsilon \ge 0`, added *outside* the square root.

    Notes
    -----
    optax's ``adagrad`` differs: it puts :math:`\epsilon` inside the square
    root, :math:`g/\sqrt{G + \epsilon}`, and starts the accumulator at 0.1.
    """
    hp = dict(lr=positive("lr", lr), lr_decay=non_negative("lr_decay", lr_decay),
              weight_decay=non_negative("weight_decay", weight_decay), eps=non_negative("eps", eps))
    g0 = non_negative("initial_accumulator_value", initial_accumulator_value)
    return make_optimizer("adagrad", hp, partial(_init, initial_accumulator_value=g0), adagrad_rule,
                          init_hyperparams={"initial_accumulator_value": g0})
