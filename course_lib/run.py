"""Run an optimizer on an objective and record the trajectory.

:func:`run` is the one entry point for a single start; :func:`run_many` runs
many starting points of one optimizer at once (vectorised, for basin maps and
sliders). Both return :class:`Trajectory` objects that, like scipy's
``OptimizeResult``, say whether they succeeded and why. A run that diverges
*stops*: no NaN or inf ever lands in a trajectory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .optim import Optimizer

__all__ = ["Trajectory", "run", "run_many"]

#: How many steps run between two checks for divergence and convergence (an implementation detail:
#: the result is the same for any value, only the speed changes).
_CHECK_EVERY = 25


@dataclass(eq=False)
class Trajectory:
    """The path of one optimization run.

    Attributes
    ----------
    xs : ndarray, shape (nit + 1, d)
        The iterates, starting point first. Only finite points.
    fs : ndarray, shape (nit + 1,)
        The objective at each iterate.
    grads : ndarray, shape (nit + 1, d)
        The exact gradient at each iterate (without any added noise).
    nit : int
        The number of steps taken.
    success : bool
        False if the run diverged.
    message : str
        Why the run stopped, e.g. ``"diverged at step 7: |x| = 2.1e+06 exceeds max_norm = 1e+06"``.
    label : str
        A legend label naming the optimizer and its hyperparameters.
    """

    xs: np.ndarray
    fs: np.ndarray
    grads: np.ndarray
    nit: int
    success: bool
    message: str
    label: str = ""

    @property
    def x(self):
        """The last iterate."""
        return self.xs[-1]

    @property
    def fun(self):
        """The objective at the last iterate."""
        return float(self.fs[-1])

    @property
    def diverged(self):
        """True if the run stopped because it diverged."""
        return not self.success

    def steps_to(self, target):
        r"""The first step :math:`t` with :math:`f(x_t) < \text{target}` (0 if the start already is), or None.

        Examples
        --------
        >>> from course_lib import objectives, optim
        >>> run(optim.gd(lr=0.25), objectives.parabola(), [1.0], steps=10).steps_to(1e-3)   # f = 4^-t
        5
        """
        if isinstance(target, bool) or not isinstance(target, (int, float, np.integer, np.floating)) \
                or np.isnan(target):
            raise ValueError(f"target must be a number, got {target!r}")
        below = np.flatnonzero(self.fs < target)
        return int(below[0]) if below.size else None

    def __repr__(self):
        return (f"Trajectory({self.label or 'run'}: nit={self.nit}, success={self.success}, "
                f"f={self.fun:.6g}, message={self.message!r})")


def _is_objective(obj):
    """``isinstance(obj, Objective)``, importing :mod:`course_lib.objectives` (and sympy) only when needed."""
    from .objectives import Objective  # an Objective argument means the module is loaded already: this is free

    return isinstance(obj, Objective)


def _check_run_args(opt, objective, x0, steps, grad_noise, tol, max_norm):
    if not isinstance(opt, Optimizer):
        raise ValueError(f"opt must be a course_lib.optim optimizer such as optim.gd(lr=0.1), got {opt!r}")
    if not _is_objective(objective):
        raise ValueError(f"objective must be a course_lib.objectives.Objective, got {objective!r}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    if not (np.isfinite(grad_noise) and grad_noise >= 0):
        raise ValueError(f"grad_noise must be a non-negative number, got {grad_noise}")
    if tol is not None and not (np.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be positive (or None), got {tol}")
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    x0 = np.array(x0, dtype=float)
    if x0.ndim != 2 or x0.shape[1] != objective.dim:
        raise ValueError(f"starting points must have shape (n, {objective.dim}), got {x0.shape}")
    if not np.all(np.isfinite(x0)):
        raise ValueError(f"starting points must be finite, got {x0.tolist()}")
    return x0


def run_many(opt, objective, x0s, steps=100, *, grad_noise=0.0, seed=None, tol=None, max_norm=1e6,
             label=None):
    r"""Run ``opt`` from each row of ``x0s`` at once.

    Parameters
    ----------
    opt : Optimizer
        The optimizer, e.g. ``optim.adam(lr=0.1)``.
    objective : Objective
        The function to minimise.
    x0s : array_like, shape (n, d)
        The starting points.
    steps : int
        The maximum number of steps.
    grad_noise : float
        Standard deviation :math:`\sigma` of Gaussian noise added to every
        gradient the optimizer sees, :math:`\tilde g = \nabla f + \sigma\xi`,
        :math:`\xi \sim N(0, I)`: a model of stochastic gradients.
    seed : int, optional
        Seed of the noise, for reproducible runs.
    tol : float, optional
        Stop a run once :math:`\|\nabla f(x)\| < tol`.
    max_norm : float
        A run whose iterate leaves the ball :math:`\|x\| \le` ``max_norm``, or
        becomes non-finite, has diverged and stops there.
    label : str, optional
        Legend label; by default the optimizer's :meth:`~course_lib.optim.Optimizer.label`.

    Returns
    -------
    list of Trajectory
        One per starting point.
    """
    X = _check_run_args(opt, objective, x0s, steps, grad_noise, tol, max_norm)
    n, d = X.shape
    noise = grad_noise * np.random.default_rng(seed).standard_normal((steps, n, d)) if grad_noise else None
    xs = np.empty((steps + 1, n, d))
    gs = np.empty((steps + 1, n, d))
    end = np.full(n, steps)          # index of the last valid iterate of each run
    why = [""] * n
    alive = np.ones(n, dtype=bool)
    state = opt.init(X)
    with np.errstate(all="ignore"):
        G = objective._grad_rows(X)
        xs[0], gs[0] = X, G
        checked = 0            # steps before this one have been checked for divergence and convergence
        for k in range(1, steps + 2):
            if k - checked == _CHECK_EVERY or k == steps + 1:
                _stop_finished(checked, xs[checked:k], gs[checked:k], max_norm, tol, alive, end, why)
                checked = k
                if not alive.any() or k == steps + 1:
                    break
            X, state = opt.update(X, G if noise is None else G + noise[k - 1], state)
            G = objective._grad_rows(X)
            xs[k], gs[k] = X, G
        last = int(end.max()) + 1 if n else 0
        fs = objective(xs[:last])        # f along every path in one call; steps after a run's end are ignored
        label = label or opt.label()
        return [_trajectory(xs[: end[i] + 1, i], gs[: end[i] + 1, i], fs[: end[i] + 1, i],
                            why[i] or f"completed {steps} steps", label) for i in range(n)]


def run(opt, objective, x0, steps=100, *, grad_noise=0.0, seed=None, tol=None, max_norm=1e6, label=None):
    """Run ``opt`` on ``objective`` from ``x0`` for at most ``steps`` steps.

    Parameters are those of :func:`run_many`, with a single starting point
    ``x0`` of shape ``(d,)``.

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> from course_lib import objectives, optim
    >>> t = run(optim.gd(lr=1.1), objectives.parabola(), [10.0], steps=500)
    >>> t.success, t.message
    (False, 'diverged at step 64: |x| = 1.2e+06 exceeds max_norm = 1e+06')
    """
    if _is_objective(objective) and np.shape(x0) != (objective.dim,):
        raise ValueError(f"x0 must have shape ({objective.dim},), got {np.shape(x0)}")
    return run_many(opt, objective, np.asarray(x0, dtype=float)[None], steps, grad_noise=grad_noise, seed=seed, tol=tol,
                    max_norm=max_norm, label=label)[0]


def _stop_finished(k0, xs, gs, max_norm, tol, alive, end, why):
    """Stop the runs that diverged or converged among steps ``k0 .. k0 + len(xs) - 1``.

    Checking a block of steps at once keeps the inner loop of :func:`run_many`
    cheap; the runs are cut at exactly the step where they diverged (their last
    iterate is the step before) or converged.
    """
    x_finite = np.isfinite(xs).all(axis=-1)
    x_norm = np.sqrt(np.einsum("kij,kij->ki", xs, xs))
    g_norm = np.sqrt(np.einsum("kij,kij->ki", gs, gs))
    bad = ~(x_finite & (x_norm <= max_norm) & np.isfinite(g_norm))
    done = bad | (g_norm < tol) if tol is not None else bad
    for i in np.flatnonzero(alive & done.any(axis=0)):
        b = int(np.argmax(done[:, i]))
        k = k0 + b
        if bad[b, i]:
            why[i] = f"diverged at step {k}: " + (
                "the iterate is not finite" if not x_finite[b, i] else
                f"|x| = {x_norm[b, i]:.2g} exceeds max_norm = {max_norm:g}" if not x_norm[b, i] <= max_norm else
                "the gradient is not finite")
            end[i] = k - 1
        else:
            why[i] = f"converged at step {k}: |grad| < tol = {tol:g}"
            end[i] = k
        alive[i] = False


def _trajectory(xs, grads, fs, message, label):
    """A finished path with its values ``fs = f(xs)``; cut it where f itself overflows."""
    if len(xs) == 0:   # the start itself was bad (e.g. a non-finite gradient there)
        raise ValueError(f"the objective cannot be evaluated at the starting point: {message}")
    finite = np.isfinite(fs)
    if not finite.all():
        k = int(np.argmin(finite))
        if k == 0:
            raise ValueError("the objective is not finite at the starting point")
        xs, grads, fs = xs[:k], grads[:k], fs[:k]
        message = f"diverged at step {k}: f(x) is not finite"
    success = not message.startswith("diverged")
    return Trajectory(xs=np.array(xs), fs=np.array(fs), grads=np.array(grads), nit=len(xs) - 1, success=success,
                      message=message, label=label)
