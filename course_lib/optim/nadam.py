r"""NAdam: Adam with a Nesterov look-ahead on the first moment and a momentum schedule.

Follows ``torch.optim.NAdam`` exactly.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._core import ema, flag, make_optimizer, non_negative
from .adam import adam_hyperparams, decay_weights


class NAdamState(NamedTuple):
    """``mu_product``: :math:`\\prod_{s \\le t} \\mu_s`; ``m``, ``v``: the moments."""

    step: int
    mu_product: float
    m: np.ndarray
    v: np.ndarray


def nadam_rule(p, g, state, *, lr, beta1, beta2, eps, weight_decay, momentum_decay, decoupled):
    r"""One NAdam step on one array.

    .. math::

        \mu_t &= \beta_1\bigl(1 - \tfrac12\, 0.96^{\,t\psi}\bigr), \quad
        \mu_{t+1} = \beta_1\bigl(1 - \tfrac12\, 0.96^{\,(t+1)\psi}\bigr) \\
        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \quad v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\
        d_t &= \sqrt{v_t / (1-\beta_2^t)} + \epsilon \\
        \theta_t &= \theta_{t-1}
            - \eta\,\frac{1-\mu_t}{1-\prod_{s\le t}\mu_s}\,\frac{g_t}{d_t}
            - \eta\,\frac{\mu_{t+1}}{1-\prod_{s\le t+1}\mu_s}\,\frac{m_t}{d_t}

    with :math:`\psi` = ``momentum_decay``; weight decay as in :func:`adam_rule`.
    """
    t = state.step + 1
    p, g = decay_weights(p, g, lr, weight_decay, decoupled)
    mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    mu_product = state.mu_product * mu
    m = ema(state.m, g, beta1)
    v = beta2 * state.v + (1 - beta2) * g * g
    d = np.sqrt(v / (1 - beta2**t)) + eps
    p = p - lr * (1 - mu) / (1 - mu_product) * g / d
    p = p - lr * mu_next / (1 - mu_product * mu_next) * m / d
    return p, NAdamState(t, mu_product, m, v)


def _init(p):
    return NAdamState(0, 1.0, np.zeros_like(p), np.zeros_like(p))


def nadam(lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
          decoupled_weight_decay=False):
    r"""NAdam (Dozat, 2016), exactly as ``torch.optim.NAdam``.

    Parameters
    ----------
    lr, beta1, beta2, eps, weight_decay
        As in :func:`adam` (note the default ``lr=2e-3``).
    momentum_decay : float
        :math:`\psi \ge 0`, how fast the momentum schedule :math:`\mu_t` rises to :math:`\beta_1`.
    decoupled_weight_decay : bool
        Decay weights the AdamW way.

    Notes
    -----
    optax's ``nadam`` uses a constant :math:`\mu_t = \beta_1`, the limit
    :math:`\psi \to \infty` of torch's schedule.
    """
    hp = adam_hyperparams(lr, beta1, beta2, eps, weight_decay)
    hp.update(momentum_decay=non_negative("momentum_decay", momentum_decay),
              decoupled=flag("decoupled_weight_decay", decoupled_weight_decay))
    return make_optimizer("nadam", hp, _init, nadam_rule)
