r"""Minibatch SGD step by step, and an explorer with sliders for the batch size and the learning rate.

:func:`sgd_path` runs minibatch SGD on a :mod:`course_lib.models` model and keeps
every iterate and the full training loss after every step (:func:`course_lib.train.fit`
keeps only per-epoch statistics). Each step is

.. math::

    g_t = \nabla_\theta \frac{1}{B}\sum_{i \in \mathcal{B}_t} \ell_i(\theta_t), \qquad
    \theta_{t+1} = \theta_t - \eta_t\, g_t, \qquad \eta_t = \frac{\eta_0}{1 + t/\tau},

with :math:`\tau = \infty` (a constant step) unless a ``decay`` is given. The batches
:math:`\mathcal{B}_t` are either reshuffled epochs (:func:`course_lib.data.minibatches`,
as in ``fit``) or independent draws with replacement (the setting of the
Robbins–Monro theory). The update itself is :func:`course_lib.optim.sgd`.

:func:`line_fit_frame` is the pure update of :class:`MinibatchExplorer`: SGD and
full-batch gradient descent fitting a line :math:`\hat y = wx + b`, the two paths
on the contour map of the loss over :math:`(w, b)`, and their losses against the
number of passes over the data. It never raises for slider values in range and
never returns NaN, so it is tested headless at every slider extreme. It runs both
with :func:`line_sgd_path`, which gives what :func:`sgd_path` gives for a line,
from five sums per batch, in a fraction of the time a slider move may take.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from . import data, explore, models, optim, plotting, style
from .explore import SliderSpec
from .losses import mse
from .widgets import _column, _Explorer

__all__ = ["step_size", "flatten", "SGDPath", "sgd_path", "line_sgd_path", "EXPLORER_SLIDERS", "LineFitFrame",
           "line_fit_frame", "MinibatchExplorer"]


def step_size(lr, t, decay=None):
    r"""The step size :math:`\eta_t = \eta_0 / (1 + t/\tau)` of step ``t`` (0-based); ``decay=None`` means constant.

    For :math:`\tau < \infty` it satisfies the Robbins–Monro conditions
    :math:`\sum_t \eta_t = \infty` (the steps can travel any distance) and
    :math:`\sum_t \eta_t^2 < \infty` (the noise they inject adds up to a finite amount).
    """
    lr = optim._core.positive("lr", lr)
    if decay is None:
        return lr
    return lr / (1 + t / optim._core.positive("decay", decay))


def flatten(params):
    """The parameters as one vector, concatenated in the dict's order (the order of ``model.param_shapes()``)."""
    if isinstance(params, dict):
        return np.concatenate([np.ravel(v) for v in params.values()])
    return np.ravel(params).astype(float)


class SGDPath(NamedTuple):
    """A recorded SGD run.

    Attributes
    ----------
    thetas : ndarray, shape (nit + 1, P)
        The flattened parameters (:func:`flatten`) before the first step and after each step.
    losses : ndarray, shape (nit + 1,), or None
        The loss on the whole training set at each of them (None if not tracked).
    samples : ndarray, shape (nit + 1,)
        How many per-sample gradients had been computed: divide by ``n`` for passes over the data.
    lrs : ndarray, shape (nit,)
        The step size of each step.
    nit : int
        Steps taken.
    success : bool
        False if the run diverged.
    message : str
        Why it stopped, e.g. ``"completed 500 steps"`` or ``"diverged at step 7: ..."``.
    params : dict
        The last finite parameters, in the model's dict form.
    """

    thetas: np.ndarray
    losses: np.ndarray
    samples: np.ndarray
    lrs: np.ndarray
    nit: int
    success: bool
    message: str
    params: dict


def _batches(X, y, batch_size, replace, rng):
    """An endless stream of minibatches: the full batch, reshuffled epochs, or independent draws with replacement."""
    if batch_size is None:
        while True:
            yield X, y
    if replace:
        while True:
            idx = rng.integers(0, len(y), size=batch_size)
            yield X[idx], y[idx]
    while True:
        yield from data.minibatches(X, y, batch_size, rng)


def sgd_path(model, X, y, lr, batch_size, steps, *, seed=0, params=None, decay=None, replace=False,
             max_norm=1e6, track_loss=True):
    r"""Run ``steps`` steps of minibatch SGD on ``model`` and record every iterate and the training loss.

    Parameters
    ----------
    model : Model
        E.g. ``models.linear_regression(10)``.
    X, y : ndarray
        The training set.
    lr : float
        The step size :math:`\eta_0 > 0`.
    batch_size : int or None
        Samples per step; None for the full batch (gradient descent).
    steps : int
        The number of steps.
    seed : int
        Seeds the initial parameters (``model.init_params(seed)``, unless ``params``
        is given) and, through an independent stream, the batches.
    params : dict, optional
        Starting parameters.
    decay : float, optional
        :math:`\tau` of the schedule :math:`\eta_t = \eta_0/(1 + t/\tau)` (:func:`step_size`);
        None keeps the step constant.
    replace : bool
        Draw every batch independently with replacement instead of reshuffled epochs
        (ignored for the full batch).
    max_norm : float
        A run whose parameters leave :math:`\|\theta\| \le` ``max_norm`` or whose loss is not
        finite has diverged and stops before that step.
    track_loss : bool
        Evaluate the training loss after every step (a forward pass over the whole
        training set). False skips it, for speed: ``losses`` is then None and only
        the parameters are checked for divergence.

    Returns
    -------
    SGDPath
    """
    X, y = _check_run(X, y, lr, batch_size, steps, decay, max_norm)
    params = model.init_params(seed) if params is None else {k: np.array(v, dtype=float) for k, v in params.items()}
    rng = _batch_rng(seed)
    opt = optim.sgd(lr=lr)
    state = opt.init(params)
    thetas, losses, lrs = [flatten(params)], [_finite_start(model.loss(params, X, y))], []
    samples, message = [0], f"completed {steps} steps"
    batches = _batches(X, y, batch_size, replace, rng)
    with np.errstate(all="ignore"):
        for t in range(steps):
            X_b, y_b = next(batches)
            _, grads = model.loss_and_grad(params, X_b, y_b)
            eta = step_size(lr, t, decay)
            new, state = (opt if decay is None else optim.sgd(lr=eta)).update(params, grads, state)
            theta = flatten(new)
            loss = model.loss(new, X, y) if track_loss else 0.0
            diverged = _divergence(t, np.all(np.isfinite(theta)), float(np.linalg.norm(theta)), max_norm,
                                   np.isfinite(loss))
            if diverged:
                message = diverged
                break
            params = new
            thetas.append(theta)
            losses.append(loss)
            lrs.append(eta)
            samples.append(samples[-1] + len(y_b))
    return SGDPath(np.array(thetas), np.array(losses, dtype=float) if track_loss else None,
                   np.array(samples, dtype=float),
                   np.array(lrs, dtype=float), len(thetas) - 1, not message.startswith("diverged"), message, params)


def _check_run(X, y, lr, batch_size, steps, decay, max_norm):
    """The checks of :func:`sgd_path`'s arguments, before any work; returns ``X`` and ``y`` as arrays."""
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or len(X) != len(y) or not len(y):
        raise ValueError(f"X must have shape (n, d) and y shape (n,) with n > 0, got {X.shape} and {y.shape}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    data.n_batches(len(y), batch_size)                     # validates batch_size
    step_size(lr, 0, decay)                                # validates lr and decay
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    return X, y


def _batch_rng(seed):
    """The stream the batches are drawn from: spawned from ``seed``, independent of the initial parameters."""
    return np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])


def _finite_start(loss):
    """``loss``, the training loss at the starting parameters, if it is finite; a ValueError otherwise."""
    if not np.isfinite(loss):
        raise ValueError(f"the training loss is {loss} at the starting parameters")
    return loss


def _divergence(t, finite, norm, max_norm, loss_finite=True):
    """The message of a run that diverged at step ``t`` (0-based), or ``""`` if that step was fine: θ must be
    ``finite``, its ``norm`` at most ``max_norm``, and the training loss finite."""
    why = ("θ is not finite" if not finite else
           f"|θ| = {norm:.2g} exceeds max_norm = {max_norm:g}" if norm > max_norm else
           "the training loss is not finite" if not loss_finite else "")
    return f"diverged at step {t + 1}: {why}" if why else ""


def line_sgd_path(x, y, lr, batch_size, steps, *, seed=0, start=(0.0, 0.0), replace=False, max_norm=1e6):
    r"""What :func:`sgd_path` gives for the line :math:`\hat y = wx + b` (``models.linear_regression(1)``,
    without tracking the loss), computed from five sums per batch instead of a model's forward and backward pass.

    The mean squared error of a batch :math:`\mathcal{B}` has the gradient

    .. math::

        \frac{\partial L_\mathcal{B}}{\partial w} = \frac{2}{|\mathcal{B}|}\Big(w \sum x_i^2 + b \sum x_i
            - \sum x_i y_i\Big), \qquad
        \frac{\partial L_\mathcal{B}}{\partial b} = \frac{2}{|\mathcal{B}|}\Big(w \sum x_i + b\,|\mathcal{B}|
            - \sum y_i\Big),

    with every sum over :math:`i \in \mathcal{B}`. The sums of all batches are taken at once, and a step
    is then a few operations on numbers. The batches, the step :math:`\theta_{t+1} = \theta_t - \eta\, g_t`
    and the test for divergence are those of :func:`sgd_path`, so the two agree up to rounding
    (``tests/test_sgd_explorer.py`` compares them over the explorer's sliders).

    Parameters
    ----------
    x, y : array_like, shape (n,)
        The feature and the targets.
    lr, batch_size, steps, seed, replace, max_norm
        As for :func:`sgd_path` (a constant step size).
    start : (float, float)
        The starting :math:`(w, b)`.

    Returns
    -------
    SGDPath
        With ``losses`` None and ``thetas`` of shape ``(nit + 1, 2)``: :math:`(w, b)` at every step.
    """
    X, y = _check_run(np.asarray(x, dtype=float)[:, None], np.asarray(y, dtype=float), lr, batch_size, steps,
                      None, max_norm)
    w, b = float(start[0]), float(start[1])
    with np.errstate(all="ignore"):
        _finite_start(mse(w * X[:, 0] + b, y).value)
    batches = _batches(X[:, 0], y, batch_size, replace, _batch_rng(seed))
    drawn = [next(batches) for _ in range(steps)]
    sizes = np.array([len(yb) for _, yb in drawn], dtype=float)
    if steps:
        xs, ys = np.concatenate([xb for xb, _ in drawn]), np.concatenate([yb for _, yb in drawn])
        starts = np.concatenate([[0], np.cumsum(sizes[:-1])]).astype(int)
        sums = [np.add.reduceat(v, starts).tolist() for v in (xs * xs, xs, xs * ys, ys)]
    else:
        sums = [[]] * 4
    thetas, message = [(w, b)], f"completed {steps} steps"
    for t, (size, sxx, sx, sxy, sy) in enumerate(zip(sizes.tolist(), *sums)):
        scale = 2.0 / size
        w, b = w - lr * scale * (w * sxx + b * sx - sxy), b - lr * scale * (w * sx + b * size - sy)
        diverged = _divergence(t, math.isfinite(w) and math.isfinite(b), math.hypot(w, b), max_norm)
        if diverged:
            message = diverged
            break
        thetas.append((w, b))
    nit = len(thetas) - 1
    w, b = thetas[-1]
    return SGDPath(np.array(thetas, dtype=float), None, np.concatenate([[0.0], np.cumsum(sizes[:nit])]),
                   np.full(nit, float(lr)), nit, not message.startswith("diverged"), message,
                   {"W": np.array([[w]]), "b": np.array([b])})


# ---------------------------------------------------------------------------
# The explorer: SGD and GD fitting a line y = w x + b
# ---------------------------------------------------------------------------

#: The explorer's sliders, by key.
EXPLORER_SLIDERS = {
    "batch_size": SliderSpec("batch_size", 1, 64, 4, integer=True, description="batch size B"),
    "lr": SliderSpec("lr", 1e-3, 2.0, 0.1, log=True, description="lr η"),
    "epochs": SliderSpec("epochs", 1, 10, 3, integer=True, description="epochs"),
    "seed": SliderSpec("seed", 0, 20, 0, integer=True, description="seed"),
}


class LineFitFrame(NamedTuple):
    """One state of :class:`MinibatchExplorer`.

    ``paths`` are two :class:`~course_lib.explore.PathData` (SGD first, then full-batch GD)
    whose ``steps`` hold passes over the data and whose ``losses`` hold :math:`L - L^*`;
    ``message`` has one status line per path.
    """

    start: np.ndarray
    paths: tuple
    message: str


def _line_path(key, label, run, objective, window, f_star, n):
    xy, end, left_view = explore.visible_path(run.thetas, window, margin=1.0)
    gap = np.maximum(objective(run.thetas) - f_star, 0.0)
    if run.success:
        where = "; left the plotted window" if left_view else ""
        status = (f"{label}: L − L* = {gap[-1]:.3g} after {run.nit} steps "
                  f"({run.samples[-1] / n:.3g} passes over the data){where}")
        brief = f"{key}: left the window" if left_view else ""
    else:
        status, brief = f"{label}: {run.message}", f"{key}: diverged at step {run.nit + 1}"
    return explore.PathData(key, label, xy, end, not run.success, left_view, run.samples / n, gap, status, brief)


def line_fit_frame(x, y, batch_size, lr, epochs, seed, start=(0.0, 0.0), objective=None, window=None):
    r"""SGD (batch size :math:`B`) and gradient descent (full batch), both with step :math:`\eta`, fitting
    :math:`\hat y = wx + b` by least squares for ``epochs`` passes over the data.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        One feature and the targets.
    batch_size, lr, epochs, seed
        The slider values (``seed`` seeds the batches).
    start : (float, float)
        The starting :math:`(w, b)` of both runs.
    objective : Objective, optional
        :func:`course_lib.models.line_mse_objective` of the data (computed if not given).
    window : ((wmin, wmax), (bmin, bmax)), optional
        Paths are cut where they leave this window grown by its size on every side
        (default: the objective's window).

    Returns
    -------
    LineFitFrame
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    objective = objective or models.line_mse_objective(x, y)
    window = explore.window_2d(objective, window)
    n = len(y)
    batch_size = min(int(batch_size), n)
    f_star = objective(np.asarray(objective.minima[0]))
    sgd_run = line_sgd_path(x, y, lr, batch_size, int(epochs) * -(-n // batch_size), seed=seed, start=start)
    gd_run = line_sgd_path(x, y, lr, None, int(epochs), start=start)
    paths = (_line_path("sgd", f"SGD (B = {batch_size}, η = {lr:g})", sgd_run, objective, window, f_star, n),
             _line_path("gd", f"GD (full batch, η = {lr:g})", gd_run, objective, window, f_star, n))
    return LineFitFrame(np.array(start, dtype=float), paths, "\n".join(p.status for p in paths))


class MinibatchExplorer(_Explorer):
    """SGD against full-batch gradient descent fitting a line, with sliders for the batch size, η, epochs and seed.

    Left: the paths of both runs over the contour map of the mean squared error
    :math:`L(w, b)`. Right: :math:`L - L^*` against passes over the data, so that
    both runs are compared at equal cost (one pass = ``n`` per-sample gradients).

    Parameters
    ----------
    x, y : array_like, shape (n,)
        One feature and the targets, e.g. a standardized column of :func:`course_lib.data.diabetes`.
    start : (float, float), optional
        The starting :math:`(w, b)` (default: upper left of the window).
    names : (str, str)
        Axis labels of the parameters.
    title : str, optional
        Title of the contour panel.
    canvas : bool
        As for :class:`~course_lib.widgets.OptimizerExplorer`: a figure view (default) or an ipympl canvas.
    sliders : dict of str -> SliderSpec, optional
        Replace some of :data:`EXPLORER_SLIDERS` (e.g. another default learning rate).
    """

    def __init__(self, x, y, *, start=None, names=("$w$", "$b$"), title=None, canvas=False, blit=True,
                 sliders=None, figsize=(9, 4.2), grid=120, levels=20):
        self.x, self.y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        self.objective = models.line_mse_objective(self.x, self.y)
        self.window = explore.window_2d(self.objective)
        self.start = explore.default_start(self.window) if start is None else np.asarray(start, dtype=float)
        specs = {**EXPLORER_SLIDERS, **(sliders or {})}
        unknown = set(specs) - set(EXPLORER_SLIDERS)
        if unknown:
            raise ValueError(f"unknown slider(s) {sorted(unknown)}; the sliders are {sorted(EXPLORER_SLIDERS)}")
        specs["batch_size"] = SliderSpec("batch_size", 1, min(specs["batch_size"].high, len(self.y)),
                                         min(specs["batch_size"].value, len(self.y)), integer=True,
                                         description=specs["batch_size"].description)
        super().__init__(specs, figsize, canvas, blit)
        self._build_figure(names, title, grid, levels)
        self._finish([_column("SGD", [self.controls[k] for k in ("batch_size", "lr")]),
                      _column("run", [self.controls[k] for k in ("epochs", "seed")])])

    def _build_figure(self, names, title, grid, levels):
        self.ax_path, self.ax_loss = self._contour_and_panels(1, grid, levels, left=0.07, right=0.98, top=0.92,
                                                              bottom=0.21, wspace=0.25)
        self.ax_path.set_xlabel(names[0])
        self.ax_path.set_ylabel(names[1])
        self.ax_path.set_title(title or "Least-squares line fit: SGD vs GD")
        styles = (style.series_style(1), style.series_style(0))     # high contrast: orange dashed, blue solid
        labels = ("SGD (minibatch)", "GD (full batch)")
        self.paths = [plotting.add_path_artists(self.ax_path, st, lab) for st, lab in zip(styles, labels)]
        self.start_marker = plotting.add_start_artist(self.ax_path)
        self.loss_lines = [self.ax_loss.plot([], [], **st.kwargs(), markersize=5)[0] for st in styles]
        self._log_y(self.ax_loss)
        self.ax_loss.set_xlabel("passes over the data (epochs)")
        self.ax_loss.set_ylabel("$L(w, b) - L^*$")
        self.ax_loss.set_title("Loss gap at equal cost")
        self.legend = self.figure.legend(handles=[p.line for p in self.paths] + plotting.legend_proxies(),
                                         loc="lower center", ncol=4, fontsize="small", frameon=False)

    def _moving_artists(self):
        return [a for p in self.paths for a in p] + [self.start_marker] + self.loss_lines

    def compute(self, values):
        return line_fit_frame(self.x, self.y, values["batch_size"], values["lr"], values["epochs"], values["seed"],
                              self.start, self.objective, self.window)

    def _apply(self, frame):
        lim_y = self.ax_loss.get_ylim()
        values = np.concatenate([p.losses for p in frame.paths])
        new_y = explore.log_limits(values[values > 0], lim_y if lim_y[0] > 0 else None)
        for arts, line, p in zip(self.paths, self.loss_lines, frame.paths):
            plotting.set_path(arts, p)
            shown = np.clip(p.losses, *new_y)
            line.set_data(p.steps, shown)
            line.set_markevery(plotting.marks_every(len(shown)))
        self.start_marker.set_data(frame.start[:1], frame.start[1:])
        epochs = max(float(p.steps[-1]) for p in frame.paths)
        new_x = (0.0, float(max(1, math.ceil(epochs))))
        return self._move_axes(self.ax_loss, new_y, new_x)

    def _describe(self, frame):
        w, b = frame.start
        runs = "; ".join(p.status for p in frame.paths)
        return (f"Contour map of the mean squared error of the line y = w x + b over (w, b), with the paths of "
                f"SGD and of full-batch gradient descent started at ({w:.3g}, {b:.3g}), and their loss gap "
                f"against passes over the data. {runs}.")
