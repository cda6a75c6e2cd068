"""A small stateful wrapper around a pure optimizer, for step-by-step use in notebooks."""

from __future__ import annotations

import numpy as np

from ._core import Optimizer


def _copy(params):
    if isinstance(params, dict):
        return {k: np.array(v, dtype=float) for k, v in params.items()}
    return np.array(params, dtype=float)


class StatefulOptimizer:
    """Hold parameters, optimizer state and the history of parameters.

    Parameters
    ----------
    opt : Optimizer
        A pure optimizer such as ``adam(lr=0.1)``.
    params : ndarray or dict of ndarray
        The starting parameters (copied; your array is never modified).

    Examples
    --------
    >>> from course_lib import optim
    >>> stepper = optim.StatefulOptimizer(optim.gd(lr=0.1), np.array([1.0]))
    >>> stepper.step(2 * stepper.params)      # gradient of x**2
    array([0.8])
    >>> len(stepper.history)
    2
    """

    def __init__(self, opt, params):
        if not isinstance(opt, Optimizer):
            raise ValueError(f"opt must be a course_lib.optim optimizer, got {type(opt).__name__}")
        self.opt = opt
        self.params = _copy(params)
        self.state = opt.init(self.params)
        self.history = [self.params]

    @property
    def steps(self):
        """The number of steps taken."""
        return len(self.history) - 1

    def step(self, grad):
        """Take one step with gradient ``grad`` and return the new parameters."""
        self.params, self.state = self.opt.update(self.params, grad, self.state)
        self.history.append(self.params)
        return self.params

    def __repr__(self):
        return f"StatefulOptimizer({self.opt.label()}, steps={self.steps})"
