r"""Learning-rate sweeps: one optimizer at many learning rates, run side by side in one vectorised run.

Comparing optimizers fairly means tuning each one's learning rate, and a
sensitivity map needs the final loss at every rate of a log grid. Running each
rate separately costs one Python loop per rate. Every update rule of
:mod:`course_lib.optim` is elementwise, so it works just as well when the
learning rate is a column :math:`(\eta_1, \dots, \eta_n)^\top` and the parameters are
``n`` rows, row :math:`i` stepping with :math:`\eta_i`:

.. math::

    \theta^{(i)}_{t} = \text{rule}\bigl(\theta^{(i)}_{t-1}, \nabla f(\theta^{(i)}_{t-1});\ \eta = \eta_i\bigr),
    \qquad i = 1, \dots, n.

:func:`with_lrs` builds that optimizer from the library's own rule (no second
copy of any algorithm) and :func:`lr_sweep` runs it with
:func:`course_lib.run.run_many`, so every row is exactly the run
``run(make(lr=lrs[i]), ...)`` would give -- to the last bit, since each row
sees the same floating-point operations -- and a row that diverges stops on its
own, as in ``run``.
"""

from __future__ import annotations

import inspect
from functools import partial

import numpy as np

from . import optim
from .objectives import Objective
from .run import run_many

__all__ = ["RULES", "with_lrs", "lr_sweep", "log_grid"]

#: The update rule behind each optimizer name (``Optimizer.name``).
RULES = {
    "sgd": optim.sgd_rule, "gd": optim.sgd_rule, "momentum": optim.sgd_rule, "nesterov": optim.sgd_rule,
    "adagrad": optim.adagrad_rule, "rmsprop": optim.rmsprop_rule, "adadelta": optim.adadelta_rule,
    "adam": optim.adam_rule, "amsgrad": optim.adam_rule, "adamw": optim.adam_rule,
    "nadam": optim.nadam_rule, "adamax": optim.adamax_rule,
}


def _check_lrs(lrs):
    try:
        lrs = np.asarray(lrs, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"lrs must be a 1-D array of positive numbers, got {lrs!r}") from err
    if lrs.ndim != 1 or not lrs.size:
        raise ValueError(f"lrs must be a non-empty 1-D array of learning rates, got shape {lrs.shape}")
    bad = lrs[~(np.isfinite(lrs) & (lrs > 0))]
    if bad.size:
        raise ValueError(f"every learning rate must be positive and finite, got {bad[0]}")
    return lrs


def with_lrs(opt, lrs):
    """A copy of ``opt`` that steps row ``i`` of its parameters with learning rate ``lrs[i]``.

    Parameters
    ----------
    opt : Optimizer
        A validated optimizer, e.g. ``optim.adam(lr=1e-3, beta2=0.99)``; every
        hyperparameter except ``lr`` is kept.
    lrs : array_like, shape (n,)
        Positive learning rates.

    Returns
    -------
    Optimizer
        Its ``update`` takes parameters of shape ``(n, d)`` (one row per rate)
        and applies ``opt``'s own rule with the column ``lrs[:, None]`` as the
        learning rate. ``hyperparams["lr"]`` holds the tuple of rates.
    """
    if not isinstance(opt, optim.Optimizer):
        raise ValueError(f"opt must be a course_lib.optim optimizer such as optim.adam(lr=0.1), got {opt!r}")
    if opt.name not in RULES:
        raise ValueError(f"no update rule is known for the optimizer {opt.name!r}; known: {sorted(RULES)}")
    lrs = _check_lrs(lrs)
    rule = RULES[opt.name]
    accepted = inspect.signature(rule).parameters
    hyperparams = {k: v for k, v in opt.hyperparams.items() if k in accepted}   # drop init-only ones
    step = partial(rule, **{**hyperparams, "lr": lrs[:, None]})

    def update(params, grad, state):
        params, grad = np.asarray(params, dtype=float), np.asarray(grad, dtype=float)
        if params.ndim != 2 or params.shape[0] != lrs.size:
            raise ValueError(f"params must have shape ({lrs.size}, d), one row per learning rate, "
                             f"got {params.shape}")
        if grad.shape != params.shape:
            raise ValueError(f"grad has shape {grad.shape} but the parameters have shape {params.shape}")
        return step(params, grad, state)

    return opt._replace(update=update, hyperparams={**opt.hyperparams, "lr": tuple(lrs.tolist())})


def lr_sweep(opt, objective, x0, lrs, steps=100, *, tol=None, max_norm=1e6):
    """Run ``opt`` from ``x0`` once per learning rate in ``lrs``, all at once.

    Parameters
    ----------
    opt : Optimizer
        The optimizer; its own ``lr`` is replaced by each of ``lrs``.
    objective : Objective
        The function to minimise.
    x0 : array_like, shape (d,)
        The common starting point.
    lrs : array_like, shape (n,)
        The learning rates.
    steps, tol, max_norm
        As in :func:`course_lib.run.run`.

    Returns
    -------
    list of Trajectory
        One per learning rate, in order, each identical to
        ``run(<opt with lr=lrs[i]>, objective, x0, steps)`` and labelled like it
        (``"adam(lr=0.01, ...)"``).
    """
    if not isinstance(objective, Objective):
        raise ValueError(f"objective must be a course_lib.objectives.Objective, got {objective!r}")
    if np.shape(x0) != (objective.dim,):
        raise ValueError(f"x0 must have shape ({objective.dim},), got {np.shape(x0)}")
    swept = with_lrs(opt, lrs)
    lrs = swept.hyperparams["lr"]
    starts = np.tile(np.asarray(x0, dtype=float), (len(lrs), 1))
    trajs = run_many(swept, objective, starts, steps, tol=tol, max_norm=max_norm)
    for traj, lr in zip(trajs, lrs):
        traj.label = opt._replace(hyperparams={**opt.hyperparams, "lr": lr}).label()
    return trajs


def log_grid(low, high, per_decade=2):
    """Learning rates from ``low`` to ``high`` (both included), ``per_decade`` per factor of ten, rounded to 3 digits.

    >>> log_grid(1e-3, 1, per_decade=1)
    array([0.001, 0.01 , 0.1  , 1.   ])
    """
    if not (np.isfinite(low) and np.isfinite(high) and 0 < low < high):
        raise ValueError(f"need 0 < low < high, got low={low}, high={high}")
    if isinstance(per_decade, bool) or not isinstance(per_decade, (int, np.integer)) or per_decade < 1:
        raise ValueError(f"per_decade must be a positive integer, got {per_decade!r}")
    n = int(round(np.log10(high / low) * per_decade)) + 1
    return np.array([float(f"{v:.3g}") for v in np.geomspace(low, high, n)])
