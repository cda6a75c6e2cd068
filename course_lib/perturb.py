r"""Perturbed gradient descent: escape saddle points with an occasional random kick (Jin et al., 2017).

Gradient descent started exactly at a saddle point never moves, and started
near one it can linger for a long time, because the gradient is tiny there.
Perturbed gradient descent adds a small random kick whenever the gradient is
small and no kick has happened recently:

.. math::

    \theta_{t+1} = \mathrm{step}(\theta_t, g_t) + \begin{cases}
        \xi_t,\ \xi_t \sim \mathrm{Uniform}(B_r) & \text{if } \|g_t\| < g_{\text{thres}}
            \text{ and } t - t_{\text{kick}} \ge t_{\text{wait}} \\
        0 & \text{otherwise}
    \end{cases}

where :math:`B_r` is the ball of radius :math:`r`. Near a saddle the kick has a
component along a direction of negative curvature, which the following gradient
steps amplify; near a minimum the kick is undone by the next steps.

:func:`perturbed` wraps any optimizer of :mod:`course_lib.optim`, so it works
with :func:`course_lib.run.run` and :func:`course_lib.run.run_many` (rows of a
batch are kicked independently).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .optim import Optimizer
from .optim._core import non_negative, positive

__all__ = ["PerturbedState", "perturbed", "uniform_ball"]


class PerturbedState(NamedTuple):
    """``inner``: the wrapped optimizer's state; ``step``: steps taken; ``last_kick``: step of the last kick per row."""

    inner: object
    step: int
    last_kick: np.ndarray


def uniform_ball(rng, shape, radius):
    r"""Points drawn uniformly from the ball of ``radius`` in :math:`\mathbb{R}^d`, ``d = shape[-1]``.

    A Gaussian direction normalised to unit length, scaled by :math:`r\,U^{1/d}`.
    """
    direction = rng.standard_normal(shape)
    direction /= np.linalg.norm(direction, axis=-1, keepdims=True)
    return direction * radius * rng.uniform(size=shape[:-1] + (1,)) ** (1 / shape[-1])


def perturbed(opt, radius=0.1, threshold=1e-3, wait=10, seed=0):
    r"""Wrap ``opt`` so that it adds a random kick when the gradient is small.

    Parameters
    ----------
    opt : Optimizer
        The optimizer to wrap, e.g. ``optim.gd(lr=0.1)``.
    radius : float
        The kick is uniform in the ball of this radius :math:`r > 0`.
    threshold : float
        Kick when :math:`\|g_t\| <` ``threshold`` (:math:`g_{\text{thres}} \ge 0`).
    wait : int
        At least this many steps between two kicks (:math:`t_{\text{wait}} \ge 1`).
    seed : int
        Seed of the kicks; the same seed gives the same run.

    Notes
    -----
    ``params`` must be an array whose last axis is the dimension (one point or
    a batch of points, as :func:`~course_lib.run.run` uses). Jin et al. kick
    before the gradient step; here the kick is added after it, which differs
    only by a step of size :math:`\eta\|g_t\| < \eta\,g_{\text{thres}}`.
    """
    if not isinstance(opt, Optimizer):
        raise ValueError(f"opt must be a course_lib.optim optimizer, got {opt!r}")
    radius = positive("radius", radius)
    threshold = non_negative("threshold", threshold)
    if isinstance(wait, bool) or not isinstance(wait, (int, np.integer)) or wait < 1:
        raise ValueError(f"wait must be a positive integer, got {wait!r}")

    def init(params):
        if isinstance(params, dict):
            raise ValueError("perturbed() takes array parameters (a point or a batch of points), not a dict")
        p = np.asarray(params, dtype=float)
        return PerturbedState(opt.init(p), 0, np.full(p.shape[:-1], -wait))

    def update(params, grad, state):
        new, inner = opt.update(params, grad, state.inner)
        t = state.step
        kick = (np.linalg.norm(grad, axis=-1) < threshold) & (t - state.last_kick >= wait)
        if np.any(kick):
            rng = np.random.default_rng([seed, t])
            new = new + np.where(kick[..., None], uniform_ball(rng, new.shape, radius), 0.0)
        return new, PerturbedState(inner, t + 1, np.where(kick, t, state.last_kick))

    hp = dict(opt.hyperparams, radius=radius, threshold=threshold, wait=int(wait), seed=seed)
    return Optimizer(f"perturbed {opt.name}", hp, init, update)
