r"""Stochastic gradient descent with optional momentum, dampening, Nesterov and weight decay.

Follows ``torch.optim.SGD`` (its single-tensor code path) exactly.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._core import add_weight_decay, flag, make_optimizer, non_negative, positive, unit_interval


class SGDState(NamedTuple):
    """``step``: updates done so far; ``momentum_buffer``: :math:`b_t` (zeros until the first step)."""

    step: int
    momentum_buffer: np.ndarray


def sgd_rule(p, g, state, *, lr, momentum, dampening, weight_decay, nesterov):
    r"""One SGD step on one array (torch's convention).

    .. math::

        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \\
        b_t &\leftarrow \begin{cases} g_t & t = 1 \\ \mu\, b_{t-1} + (1-\tau)\, g_t & t > 1 \end{cases} \\
        g_t &\leftarrow \begin{cases} g_t + \mu\, b_t & \text{Nesterov} \\ b_t & \text{otherwise} \end{cases} \\
        \theta_t &\leftarrow \theta_{t-1} - \eta\, g_t

    with :math:`\lambda` = ``weight_decay``, :math:`\mu` = ``momentum``,
    :math:`\tau` = ``dampening``, :math:`\eta` = ``lr``. With ``momentum=0`` the
    buffer is unused and this is plain gradient descent.
    """
    g = add_weight_decay(g, p, weight_decay)
    b = state.momentum_buffer
    if momentum:
        b = g if state.step == 0 else momentum * b + (1 - dampening) * g
        g = g + momentum * b if nesterov else b
    return p - lr * g, SGDState(state.step + 1, b)


def _init(p):
    return SGDState(0, np.zeros_like(p))


def sgd(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    r"""Stochastic gradient descent, exactly as ``torch.optim.SGD``.

    Parameters
    ----------
    lr : float
        Learning rate :math:`\eta > 0`.
    momentum : float
        Momentum factor :math:`\mu \ge 0` (0: no momentum).
    dampening : float
        Dampening :math:`\tau \in [0, 1]` of the gradient added to the buffer.
    weight_decay : float
        Coupled L2 penalty :math:`\lambda \ge 0`.
    nesterov : bool
        Use Nesterov's look-ahead form (needs ``momentum > 0`` and ``dampening == 0``).

    Notes
    -----
    The update rule is in :func:`sgd_rule`. Conventions differ between
    libraries: torch (and optax's ``trace``) accumulate :math:`b = \mu b + g` and
    step :math:`-\eta b`; Sutskever et al. (2013) write :math:`v = \mu v - \eta g`,
    :math:`\theta = \theta + v`, which gives the same iterates when :math:`\eta`
    is constant; fastai and Keras' older "damped" form use
    :math:`b = \beta b + (1-\beta) g` (torch's ``dampening=momentum``, apart from
    torch's undamped first step), equivalent to torch's form with learning rate
    :math:`\eta(1-\beta)`.
    """
    hp = dict(lr=positive("lr", lr), momentum=non_negative("momentum", momentum),
              dampening=unit_interval("dampening", dampening, closed=True),
              weight_decay=non_negative("weight_decay", weight_decay), nesterov=flag("nesterov", nesterov))
    if nesterov and (hp["momentum"] <= 0 or hp["dampening"] != 0):
        raise ValueError(
            f"nesterov=True needs momentum > 0 and dampening = 0, got momentum={hp['momentum']}, "
            f"dampening={hp['dampening']}")
    name = "nesterov" if nesterov else ("momentum" if hp["momentum"] else "sgd")
    return make_optimizer(name, hp, _init, sgd_rule)


def gd(lr):
    r"""Plain gradient descent :math:`\theta_t = \theta_{t-1} - \eta\, g_t` (``sgd`` without momentum)."""
    return sgd(lr=lr)._replace(name="gd")


def momentum(lr, momentum=0.9):
    r"""Heavy-ball momentum in torch's form: :math:`b_t = \mu b_{t-1} + g_t`, :math:`\theta_t = \theta_{t-1} - \eta b_t`."""
    return sgd(lr=lr, momentum=momentum)


def nesterov(lr, momentum=0.9):
    r"""Nesterov momentum in torch's form: :math:`\theta_t = \theta_{t-1} - \eta (g_t + \mu b_t)`."""
    return sgd(lr=lr, momentum=momentum, nesterov=True)
