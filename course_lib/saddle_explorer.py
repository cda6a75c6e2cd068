r"""Escaping a saddle, live: gradient descent, perturbed gradient descent, and gradient descent with noise.

From one start -- by default exactly at a saddle point, where the gradient is
zero -- :func:`escape_frame` runs three versions of gradient descent with
learning rate :math:`\eta`:

* **gd** -- plain gradient descent, :math:`x_{t+1} = x_t - \eta\nabla f(x_t)`;
* **perturbed gd** -- :func:`course_lib.perturb.perturbed` (Jin et al., 2017):
  a kick uniform in the ball of radius :math:`r` whenever
  :math:`\|\nabla f(x_t)\| < g_{\text{thres}}` and no kick happened in the last
  ``wait`` steps;
* **noisy gd** -- gradient descent on :math:`\nabla f(x_t) + \sigma\xi_t`,
  :math:`\xi_t \sim N(0, I)`: a model of the noise of SGD's minibatch gradients.

It reports for each run whether and when it left the ball of radius
``escape_radius`` around the start, and where the kicks landed. The sliders
are :math:`r`, :math:`g_{\text{thres}}` and :math:`\sigma`.
:class:`EscapeExplorer` wires them to :func:`escape_frame` and copies the
paths into a persistent figure with ``set_data`` (the pattern of
:mod:`course_lib.widgets`); everything it draws is computed here, headless.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from matplotlib.patches import Circle

from . import explore, optim, plotting, style, widgets
from .explore import SliderSpec
from .perturb import perturbed
from .run import run

__all__ = ["SERIES", "EscapeFrame", "escape_sliders", "escape_step", "kick_steps", "escape_frame",
           "describe_escape", "EscapeExplorer"]

#: The three runs of a frame, in drawing order.
SERIES = ("gd", "perturbed gd", "noisy gd")


def escape_sliders(radius=0.1, threshold=1e-3, noise=0.05):
    r"""The sliders: kick radius :math:`r`, gradient threshold :math:`g_{\text{thres}}` (both log), noise :math:`\sigma`.

    Returns
    -------
    dict of str -> SliderSpec
        Keys ``"radius"`` (:math:`[10^{-4}, 1]`), ``"threshold"`` (:math:`[10^{-6}, 1]`)
        and ``"noise"`` (:math:`[0, 0.5]`).
    """
    return {"radius": SliderSpec("radius", 1e-4, 1.0, radius, log=True, description="kick radius r"),
            "threshold": SliderSpec("threshold", 1e-6, 1.0, threshold, log=True, description="threshold g_thres"),
            "noise": SliderSpec("noise", 0.0, 0.5, noise, description="gradient noise σ")}


def escape_step(traj, center, radius):
    r"""The first step :math:`t` with :math:`\|x_t - c\| > \rho` (``center`` :math:`c`, ``radius`` :math:`\rho`), or None."""
    if not radius > 0:
        raise ValueError(f"radius must be positive, got {radius!r}")
    out = np.linalg.norm(traj.xs - np.asarray(center, float), axis=-1) > radius
    return int(np.argmax(out)) if out.any() else None


def kick_steps(traj, lr):
    r"""The steps :math:`t` at which a run of perturbed gradient descent was kicked.

    A step without a kick is exactly :math:`x_{t+1} = x_t - \eta\nabla f(x_t)`
    (``lr`` :math:`= \eta`); the kick of step :math:`t` landed at :math:`x_{t+1}`.
    """
    expected = traj.xs[:-1] - lr * traj.grads[:-1]
    gap = np.linalg.norm(traj.xs[1:] - expected, axis=-1)
    return np.flatnonzero(gap > 1e-12 * (1 + np.linalg.norm(traj.xs[1:], axis=-1)))


class EscapeFrame(NamedTuple):
    """One state of the escape explorer.

    Attributes
    ----------
    start : ndarray, shape (2,)
    paths : tuple of PathData
        One per run of :data:`SERIES` (see :func:`course_lib.explore.path_data`).
    kicks : ndarray, shape (m, 2)
        Where the kicks of perturbed gradient descent landed (inside the window grown by its margin).
    escapes : tuple of (int or None)
        Per run, the first step outside the escape ball, or None.
    message : str
        One status line per run.
    warnings : str
        Short notes about runs that diverged or left the window.
    """

    start: np.ndarray
    paths: tuple
    kicks: np.ndarray
    escapes: tuple
    message: str
    warnings: str


def _status(key, traj, escape, escape_radius, kicks=None):
    if traj.diverged:
        return f"{key}: {traj.message}"
    if np.all(traj.xs == traj.xs[0]):
        where = "never moved from the start"
    elif escape is None:
        where = f"still within {escape_radius:g} of the start"
    else:
        where = f"left the ball of radius {escape_radius:g} at step {escape}"
    kicked = "" if kicks is None else f"{len(kicks)} kick{'s' * (len(kicks) != 1)}, "
    return f"{key}: {kicked}{where}; f = {traj.fun:.4g} after {traj.nit} steps"


def escape_frame(objective, values, *, start=(0.0, 0.0), lr=0.1, steps=150, wait=10, seed=0, escape_radius=0.5,
                 window=None, cache=None, margin=1.0):
    r"""Run gd, perturbed gd and noisy gd from ``start`` for one setting of the sliders.

    Parameters
    ----------
    objective : Objective
        A 2-D objective, e.g. one with a saddle at ``start``.
    values : dict
        ``radius``, ``threshold`` and ``noise`` (missing ones take the defaults of :func:`escape_sliders`).
    start : (float, float)
        Where every run starts.
    lr : float
        The learning rate :math:`\eta` of all three runs.
    steps : int
        Steps per run.
    wait : int
        Perturbed gd: at least this many steps between two kicks.
    seed : int
        Seeds the kicks and the gradient noise.
    escape_radius : float
        A run has escaped once it is farther than this from ``start``.
    window : ((xmin, xmax), (ymin, ymax)), optional
        The plotted window (default: the objective's).
    cache : RunCache, optional
        Reuse the runs of gd and perturbed gd whose settings did not change.
    margin : float
        Paths are cut where they leave the window grown by this fraction.

    Returns
    -------
    EscapeFrame
    """
    specs = escape_sliders()
    values = explore.check_values(specs, values)
    window = explore.window_2d(objective, window)
    start = np.asarray(start, dtype=float)
    if start.shape != (2,):
        raise ValueError(f"start must be a point (x, y), got {start!r}")
    cache = cache or explore.RunCache()
    kicker = perturbed(optim.gd(lr), radius=values["radius"], threshold=values["threshold"], wait=wait, seed=seed)
    trajs = (cache.run(optim.gd(lr), objective, start, steps),
             cache.run(kicker, objective, start, steps),
             run(optim.gd(lr), objective, start, steps, grad_noise=values["noise"], seed=seed))
    labels = ("gd", f"perturbed gd (r={values['radius']:.3g}, g_thres={values['threshold']:.3g})",
              f"noisy gd (σ={values['noise']:.3g})")
    escapes = tuple(escape_step(t, start, escape_radius) for t in trajs)
    kicks = kick_steps(trajs[1], lr)
    landed = trajs[1].xs[kicks + 1].reshape(-1, 2)
    (x_lo, x_hi), (y_lo, y_hi) = explore.expand_window(window, margin)
    landed = landed[(landed[:, 0] >= x_lo) & (landed[:, 0] <= x_hi) & (landed[:, 1] >= y_lo) & (landed[:, 1] <= y_hi)]
    paths, lines = [], []
    for key, label, traj, escape in zip(SERIES, labels, trajs, escapes):
        path = explore.path_data(traj, window, key, margin)._replace(label=label)
        paths.append(path)
        lines.append(_status(label, traj, escape, escape_radius, kicks if key == "perturbed gd" else None))
    warnings = "\n".join(p.brief for p in paths if p.brief)
    return EscapeFrame(start, tuple(paths), landed, escapes, "\n".join(lines), warnings)


def describe_escape(objective_name, frame):
    """Alt text for the explorer's figure: what is drawn and how each run ended."""
    x, y = frame.start
    return (f"Contour map of {objective_name} with the paths of gradient descent, perturbed gradient descent "
            f"({len(frame.kicks)} kick(s) marked with plus signs) and gradient descent with noisy gradients, all "
            f"started at ({x:.3g}, {y:.3g}), and their f per step. {'; '.join(frame.message.splitlines())}.")


class EscapeExplorer(widgets._Explorer):
    r"""Sliders for the kick radius, the gradient threshold and the gradient noise; paths and f per step.

    Parameters
    ----------
    objective : Objective
        A 2-D objective with a saddle (e.g. at ``start``).
    start : (float, float)
        Where every run starts (default: the origin).
    lr, steps, wait, seed, escape_radius
        As in :func:`escape_frame`.
    radius, threshold, noise : float
        Starting values of the sliders.
    window : ((xmin, xmax), (ymin, ymax)), optional
        The view (default: the objective's window).
    title : str, optional
        Title of the contour panel; say what to notice.
    canvas : bool
        As for :class:`~course_lib.widgets.OptimizerExplorer`: a figure view (default) or an ipympl canvas.
    blit : bool
        Redraw only the moving artists (default).

    Examples
    --------
    >>> f = objectives.Objective("x**2 - y**2 + y**4 / 4", ["x", "y"], window=((-2, 2), (-2, 2)))
    >>> ex = EscapeExplorer(f)
    >>> frame = ex.update(radius=0.01, threshold=1e-4)     # what a slider move does
    >>> ex                                                # display it (last expression of a cell)  # doctest: +SKIP
    """

    def __init__(self, objective, start=(0.0, 0.0), *, lr=0.1, steps=150, wait=10, seed=0, escape_radius=0.5,
                 radius=0.1, threshold=1e-3, noise=0.05, window=None, title=None, canvas=False, blit=True,
                 figsize=(10, 4.6), grid=150, levels=20):
        self.objective = objective
        self.window = explore.window_2d(objective, window)
        self.start_point = np.asarray(start, dtype=float)
        self.run_args = dict(start=self.start_point, lr=lr, steps=steps, wait=wait, seed=seed,
                             escape_radius=escape_radius)
        self.cache = explore.RunCache()
        super().__init__(escape_sliders(radius, threshold, noise), figsize, canvas, blit)
        self._build_figure(title, grid, levels, escape_radius)
        self._finish([self.controls[k] for k in ("radius", "threshold", "noise")])

    def _build_figure(self, title, grid, levels, escape_radius):
        self.ax_path, self.ax_loss = self._contour_and_panels(1, grid, levels, left=0.06, right=0.98, top=0.92,
                                                              bottom=0.2, wspace=0.22)
        self.ax_path.add_patch(Circle(self.start_point, escape_radius, fill=False, linestyle=":", linewidth=1.2,
                                      edgecolor="black", label=f"escape ball (radius {escape_radius:g})"))
        self.ax_path.set_title(title or f"{self.objective.name}: move the sliders")
        styles = [style.series_style(i) for i in range(len(SERIES))]
        self.paths = [plotting.add_path_artists(self.ax_path, st, key) for key, st in zip(SERIES, styles)]
        self.kicks, = self.ax_path.plot([], [], linestyle="none", marker="P", markersize=9, color="black",
                                        markerfacecolor="white", zorder=8, label="kick landed")
        self.start = plotting.add_start_artist(self.ax_path)
        self.start.set_data(self.start_point[:1], self.start_point[1:])
        self.loss_lines = [self.ax_loss.plot([], [], **st.kwargs(), markersize=5)[0] for st in styles]
        self.ax_loss.set_xlabel("step $t$")
        self.ax_loss.set_ylabel("$f(x_t)$")
        self.ax_loss.set_title("f per step: a drop means the run escaped")
        handles = [p.line for p in self.paths] + [self.kicks] + plotting.legend_proxies()
        self.figure.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize="small", frameon=False)
        self.warning = self.ax_path.text(0.02, 0.02, "", transform=self.ax_path.transAxes, fontsize="small",
                                         va="bottom", ha="left",
                                         bbox=dict(facecolor="white", alpha=0.85, edgecolor="none"))

    def _moving_artists(self):
        return [a for p in self.paths for a in p] + [self.kicks] + self.loss_lines + [self.warning]

    def compute(self, values):
        return escape_frame(self.objective, values, window=self.window, cache=self.cache, **self.run_args)

    def _apply(self, frame):
        # The loss axis spans f along what the map shows (a run that ran off the map counts up to where it
        # left it); beyond that, and for the steps after a run diverged, the curve is clipped at the edge.
        lim_y = self.ax_loss.get_ylim()
        drawn = np.concatenate([np.atleast_1d(self.objective(p.xy)) for p in frame.paths])
        new_y = explore.linear_limits(drawn, lim_y)
        shown = [np.clip(p.losses, *new_y) for p in frame.paths]
        for arts, line, p, y in zip(self.paths, self.loss_lines, frame.paths, shown):
            plotting.set_path(arts, p)
            line.set_data(p.steps, y)
            line.set_markevery(plotting.marks_every(len(y)))
        self.kicks.set_data(frame.kicks[:, 0], frame.kicks[:, 1])
        self.warning.set_text(frame.warnings)
        new_x = explore.step_limits(self.run_args["steps"], self.ax_loss.get_xlim())
        return self._move_axes(self.ax_loss, new_y, new_x)

    def _describe(self, frame):
        return describe_escape(self.objective.name, frame)
