r"""Adam, AMSGrad and AdamW: momentum plus RMSProp plus bias correction.

Follows ``torch.optim.Adam`` / ``torch.optim.AdamW`` exactly (``betas`` split
into ``beta1`` and ``beta2``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._core import add_weight_decay, ema, flag, make_optimizer, non_negative, positive, unit_interval


class AdamState(NamedTuple):
    """``m``: first moment :math:`m_t`; ``v``: second moment :math:`v_t`; ``v_max``: :math:`\\max_{s\\le t} v_s` (AMSGrad)."""

    step: int
    m: np.ndarray
    v: np.ndarray
    v_max: np.ndarray


def decay_weights(p, g, lr, weight_decay, decoupled):
    r"""Apply weight decay the coupled (:math:`g + \lambda\theta`) or decoupled (:math:`\theta(1-\eta\lambda)`) way."""
    if decoupled:
        return p * (1 - lr * weight_decay) if weight_decay else p, g
    return p, add_weight_decay(g, p, weight_decay)


def adam_rule(p, g, state, *, lr, beta1, beta2, eps, weight_decay, amsgrad, decoupled):
    r"""One Adam step on one array.

    .. math::

        \theta &\leftarrow \theta(1 - \eta\lambda) \ \text{(decoupled, AdamW)}
            \quad\text{or}\quad g_t \leftarrow g_t + \lambda\theta \ \text{(coupled, Adam)} \\
        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\
        v_t &= \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\
        \hat v_t &= \max(\hat v_{t-1}, v_t) \ \text{(AMSGrad)}, \text{ else } v_t \\
        \theta_t &= \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\,
            \frac{m_t}{\sqrt{\hat v_t}/\sqrt{1-\beta_2^t} + \epsilon}

    The last line is :math:`\theta - \eta\,\hat m_t/(\sqrt{\hat v_t}+\epsilon)` with the
    bias-corrected moments :math:`\hat m_t = m_t/(1-\beta_1^t)`,
    :math:`\hat v_t = v_t/(1-\beta_2^t)`, written in torch's order of operations.
    """
    t = state.step + 1
    p, g = decay_weights(p, g, lr, weight_decay, decoupled)
    m = ema(state.m, g, beta1)
    v = beta2 * state.v + (1 - beta2) * g * g
    v_max = np.maximum(state.v_max, v) if amsgrad else state.v_max
    denom = np.sqrt(v_max if amsgrad else v) / (1 - beta2**t) ** 0.5 + eps
    return p - lr / (1 - beta1**t) * m / denom, AdamState(t, m, v, v_max)


def _init(p):
    return AdamState(0, np.zeros_like(p), np.zeros_like(p), np.zeros_like(p))


def adam_hyperparams(lr, beta1, beta2, eps, weight_decay):
    """Validate the hyperparameters shared by the Adam family."""
    return dict(lr=positive("lr", lr), beta1=unit_interval("beta1", beta1), beta2=unit_interval("beta2", beta2),
                eps=non_negative("eps", eps), weight_decay=non_negative("weight_decay", weight_decay))


def adam(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, amsgrad=False):
    r"""Adam (Kingma & Ba, 2015), exactly as ``torch.optim.Adam``; AMSGrad with ``amsgrad=True``.

    Parameters
    ----------
    lr : float
        Learning rate :math:`\eta > 0`.
    beta1, beta2 : float
        Decay rates :math:`\beta_1, \beta_2 \in [0, 1)` of the first and second moments
        (torch's ``betas=(beta1, beta2)``).
    eps : float
        :math:`\epsilon \ge 0`, added outside the square root of the *bias-corrected* :math:`v`.
    weight_decay : float
        Coupled L2 penalty :math:`\lambda \ge 0` (added to the gradient; see :func:`adamw`).
    amsgrad : bool
        Use the running maximum of :math:`v_t` (Reddi et al., 2018).

    Notes
    -----
    optax's ``adam`` agrees (with ``eps_root=0``); some implementations add
    :math:`\epsilon` to the *uncorrected* :math:`\sqrt{v_t}`, i.e. use
    :math:`\epsilon\sqrt{1-\beta_2^t}`, which matters early in training when
    :math:`v_t` is tiny.
    """
    hp = adam_hyperparams(lr, beta1, beta2, eps, weight_decay)
    hp.update(amsgrad=flag("amsgrad", amsgrad), decoupled=False)
    return make_optimizer("amsgrad" if hp["amsgrad"] else "adam", hp, _init, adam_rule)


def adamw(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2, amsgrad=False):
    r"""AdamW (Loshchilov & Hutter, 2019), exactly as ``torch.optim.AdamW``: decoupled weight decay.

    The weights shrink by :math:`\theta \leftarrow \theta(1 - \eta\lambda)` before
    the Adam step, instead of :math:`\lambda\theta` being added to the gradient,
    where Adam's normalisation would rescale it per parameter. Parameters as
    :func:`adam`; note the default ``weight_decay=1e-2``.
    """
    hp = adam_hyperparams(lr, beta1, beta2, eps, weight_decay)
    hp.update(amsgrad=flag("amsgrad", amsgrad), decoupled=True)
    return make_optimizer("adamw", hp, _init, adam_rule)
