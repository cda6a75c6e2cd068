r"""RMSProp: Adagrad with an exponential moving *average* of squared gradients instead of a sum.

Follows ``torch.optim.RMSprop`` exactly.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._core import add_weight_decay, ema, flag, make_optimizer, non_negative, positive


class RMSpropState(NamedTuple):
    """``square_avg``: :math:`v_t`; ``grad_avg``: :math:`\\bar g_t` (centered only); ``momentum_buffer``: :math:`b_t`."""

    step: int
    square_avg: np.ndarray
    grad_avg: np.ndarray
    momentum_buffer: np.ndarray


def rmsprop_rule(p, g, state, *, lr, alpha, eps, weight_decay, momentum, centered):
    r"""One RMSProp step on one array.

    .. math::

        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \\
        v_t &= \alpha\, v_{t-1} + (1-\alpha)\, g_t^2 \\
        \bar g_t &= \alpha\, \bar g_{t-1} + (1-\alpha)\, g_t, \quad
        s_t = \sqrt{v_t - \bar g_t^2} + \epsilon \ \text{(centered)}, \text{ else } s_t = \sqrt{v_t} + \epsilon \\
        b_t &= \mu\, b_{t-1} + g_t / s_t, \quad \theta_t = \theta_{t-1} - \eta\, b_t \ \text{(momentum)},
        \text{ else } \theta_t = \theta_{t-1} - \eta\, g_t / s_t
    """
    g = add_weight_decay(g, p, weight_decay)
    v = alpha * state.square_avg + (1 - alpha) * g * g
    g_avg = ema(state.grad_avg, g, alpha) if centered else state.grad_avg
    s = np.sqrt(v - g_avg * g_avg if centered else v) + eps
    if momentum > 0:
        b = momentum * state.momentum_buffer + g / s
        return p - lr * b, RMSpropState(state.step + 1, v, g_avg, b)
    return p - lr * g / s, RMSpropState(state.step + 1, v, g_avg, state.momentum_buffer)


def _init(p):
    return RMSpropState(0, np.zeros_like(p), np.zeros_like(p), np.zeros_like(p))


def rmsprop(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    r"""RMSProp (Hinton, 2012), exactly as ``torch.optim.RMSprop``.

    Parameters
    ----------
    lr : float
        Learning rate :math:`\eta > 0`.
    alpha : float
        Smoothing constant :math:`\alpha \in [0, 1)` of the average of squares.
    eps : float
        :math:`\epsilon \ge 0`, added outside the square root.
    weight_decay : float
        Coupled L2 penalty :math:`\lambda \ge 0`.
    momentum : float
        Momentum :math:`\mu \ge 0` on the normalised step.
    centered : bool
        Divide by an estimate of the gradient's standard deviation instead of its RMS.

    Notes
    -----
    The only change from Adagrad is the cache: an exponential moving average
    :math:`v_t` instead of the growing sum :math:`G_t`, so old gradients are
    forgotten and the rate no longer decays to zero. Keras calls ``alpha``
    ``rho``; optax puts :math:`\epsilon` outside the root too but starts
    :math:`v_0` at 0 as torch does.
    """
    hp = dict(lr=positive("lr", lr), alpha=non_negative("alpha", alpha), eps=non_negative("eps", eps),
              weight_decay=non_negative("weight_decay", weight_decay),
              momentum=non_negative("momentum", momentum), centered=flag("centered", centered))
    if hp["alpha"] >= 1:
        raise ValueError(f"alpha must be in [0, 1), got {hp['alpha']}")
    return make_optimizer("rmsprop", hp, _init, rmsprop_rule)
