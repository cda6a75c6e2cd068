r"""AdaMax: Adam with the infinity norm in place of the root mean square.

Follows ``torch.optim.Adamax`` exactly.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._core import add_weight_decay, ema, make_optimizer
from .adam import adam_hyperparams


class AdamaxState(NamedTuple):
    """``m``: first moment :math:`m_t`; ``u``: the exponentially weighted infinity norm :math:`u_t`."""

    step: int
    m: np.ndarray
    u: np.ndarray


def adamax_rule(p, g, state, *, lr, beta1, beta2, eps, weight_decay):
    r"""One AdaMax step on one array.

    .. math::

        g_t &\leftarrow g_t + \lambda\,\theta_{t-1} \\
        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\
        u_t &= \max\bigl(\beta_2 u_{t-1},\ |g_t| + \epsilon\bigr) \\
        \theta_t &= \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\,\frac{m_t}{u_t}
    """
    t = state.step + 1
    g = add_weight_decay(g, p, weight_decay)
    m = ema(state.m, g, beta1)
    u = np.maximum(beta2 * state.u, np.abs(g) + eps)
    return p - lr / (1 - beta1**t) * m / u, AdamaxState(t, m, u)


def _init(p):
    return AdamaxState(0, np.zeros_like(p), np.zeros_like(p))


def adamax(lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    r"""AdaMax (Kingma & Ba, 2015, section 7), exactly as ``torch.optim.Adamax``.

    Parameters as :func:`adam` (note the default ``lr=2e-3``). torch adds
    :math:`\epsilon` inside the max, so :math:`u_t \ge \epsilon` and the
    division is always safe.
    """
    return make_optimizer("adamax", adam_hyperparams(lr, beta1, beta2, eps, weight_decay), _init, adamax_rule)
