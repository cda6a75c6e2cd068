r"""Adadelta: RMSProp whose step size is the RMS of past *updates*, so units match.

Follows ``torch.optim.Adadelta`` exactly.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._core import add_weight_decay, make_optimizer, non_negative, positive, unit_interval


class AdadeltaState(NamedTuple):
    """``square_avg``: :math:`v_t` (squared gradients); ``acc_delta``: :math:`u_t` (squared updates)."""

    step: int
    square_avg: np.ndarray
    acc_delta: np.ndarray


def adadelta_rule(p, g, state, *, lr, rho, eps, weight_decay):
    r"""One Adadelta step on one array.

    .. math::

        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \\
        v_t &= \rho\, v_{t-1} + (1-\rho)\, g_t^2 \\
        \Delta_t &= \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\
        u_t &= \rho\, u_{t-1} + (1-\rho)\, \Delta_t^2 \\
        \theta_t &= \theta_{t-1} - \eta\, \Delta_t
    """
    g = add_weight_decay(g, p, weight_decay)
    v = rho * state.square_avg + (1 - rho) * g * g
    delta = np.sqrt(state.acc_delta + eps) / np.sqrt(v + eps) * g
    u = rho * state.acc_delta + (1 - rho) * delta * delta
    return p - lr * delta, AdadeltaState(state.step + 1, v, u)


def _init(p):
    return AdadeltaState(0, np.zeros_like(p), np.zeros_like(p))


def adadelta(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
    r"""Adadelta (Zeiler, 2012), exactly as ``torch.optim.Adadelta``.

    Parameters
    ----------
    lr : float
        A factor :math:`\eta > 0` on the update (1 in the paper).
    rho : float
        Decay :math:`\rho \in [0, 1]` of both running averages.
    eps : float
        :math:`\epsilon \ge 0`, inside both square roots; it also sets the size
        of the very first steps, since :math:`u_0 = 0`.
    weight_decay : float
        Coupled L2 penalty :math:`\lambda \ge 0`.
    """
    hp = dict(lr=positive("lr", lr), rho=unit_interval("rho", rho, closed=True), eps=non_negative("eps", eps),
              weight_decay=non_negative("weight_decay", weight_decay))
    return make_optimizer("adadelta", hp, _init, adadelta_rule)
