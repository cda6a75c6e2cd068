r"""Per-parameter step sizes of adaptive optimizers, and an explorer that plots them live.

An adaptive optimizer moves each parameter :math:`i` by a *direction* (the
gradient :math:`g_i`, or a moving average of it such as Adam's :math:`\hat m_i`)
times a per-parameter factor, its **effective learning rate**:

.. math::

    \text{Adagrad: } \frac{\eta}{\sqrt{G_{t,i}} + \epsilon}, \qquad
    \text{RMSProp: } \frac{\eta}{\sqrt{v_{t,i}} + \epsilon}, \qquad
    \text{Adam: } \frac{\eta}{\sqrt{\hat v_{t,i}} + \epsilon}, \qquad
    \text{AdaMax: } \frac{\eta}{u_{t,i}}, \qquad
    \text{GD, momentum: } \eta.

:func:`effective_lr` reads this factor from the optimizer's state after a step
(the rules themselves live in :mod:`course_lib.optim`; tests check that each
step of every rule equals :math:`-\text{factor} \times \text{direction}`).
:func:`effective_lr_history` replays a run and records the factor at every
step; :func:`stepsize_frame` is the pure computation behind
:class:`StepSizeExplorer`, whose sliders (learning rate, :math:`\beta_1`,
:math:`\beta_2`, :math:`\epsilon`, ...) redraw the paths and the effective
learning rate of each coordinate.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import explore, optim, plotting, style, widgets
from .run import Trajectory

__all__ = ["DIRECTIONS", "effective_lr", "effective_lr_history", "StepSizeFrame", "stepsize_frame",
           "StepSizeExplorer"]

#: What each optimizer's effective learning rate multiplies.
DIRECTIONS = {
    "gd": "g", "sgd": "g", "momentum": "b (momentum buffer)", "nesterov": "g + μb",
    "adagrad": "g", "rmsprop": "g", "adadelta": "g",
    "adam": "m̂", "amsgrad": "m̂", "adamw": "m̂", "adamax": "m̂", "nadam": "a mix of g and m",
}


def _bias_corrected_root(v, beta2, t):
    return np.sqrt(v / (1 - beta2**t))


def effective_lr(opt, before, after):
    r"""The per-parameter factor of the step that took the optimizer's state from ``before`` to ``after``.

    Parameters
    ----------
    opt : Optimizer
        The optimizer that made the step (its name and hyperparameters say which rule).
    before, after : state
        Its state before and after the step (``opt.update`` returns ``after``).

    Returns
    -------
    ndarray
        The factor for every parameter, with the shape of the parameters:
        :math:`\eta/(\sqrt{G_t}+\epsilon)` (Adagrad, with its ``lr_decay``),
        :math:`\eta/(\sqrt{v_t}+\epsilon)` (RMSProp; centered: :math:`\sqrt{v_t-\bar g_t^2}`),
        :math:`\eta\sqrt{u_{t-1}+\epsilon}/\sqrt{v_t+\epsilon}` (Adadelta),
        :math:`\eta/(\sqrt{\hat v_t}+\epsilon)` (Adam, AdamW, AMSGrad with :math:`\max_s v_s`; NAdam),
        :math:`\eta/u_t` (AdaMax) and :math:`\eta` (GD and the momentum methods).
        :data:`DIRECTIONS` says what the factor multiplies.
    """
    if not isinstance(opt, optim.Optimizer):
        raise ValueError(f"opt must be a course_lib.optim optimizer, got {opt!r}")
    hp, name = opt.hyperparams, opt.name
    if name in ("gd", "sgd", "momentum", "nesterov"):
        return np.full_like(after.momentum_buffer, hp["lr"], dtype=float)
    if name == "adagrad":
        return hp["lr"] / (1 + (after.step - 1) * hp["lr_decay"]) / (np.sqrt(after.sum) + hp["eps"])
    if name == "rmsprop":
        v = after.square_avg - after.grad_avg**2 if hp["centered"] else after.square_avg
        return hp["lr"] / (np.sqrt(v) + hp["eps"])
    if name == "adadelta":
        return hp["lr"] * np.sqrt(before.acc_delta + hp["eps"]) / np.sqrt(after.square_avg + hp["eps"])
    if name in ("adam", "amsgrad", "adamw"):
        v = after.v_max if hp["amsgrad"] else after.v
        return hp["lr"] / (_bias_corrected_root(v, hp["beta2"], after.step) + hp["eps"])
    if name == "nadam":
        return hp["lr"] / (_bias_corrected_root(after.v, hp["beta2"], after.step) + hp["eps"])
    if name == "adamax":
        return hp["lr"] / after.u
    raise ValueError(f"no effective learning rate is defined for the optimizer {name!r}")


def effective_lr_history(opt, traj):
    """The effective learning rate of every parameter at every step of a run.

    Replays ``traj`` (a noise-free run of ``opt``, as :func:`course_lib.run.run`
    returns it) step by step and records :func:`effective_lr`.

    Returns
    -------
    ndarray, shape (traj.nit, d)
        Row ``k`` is the factor used in step ``k + 1`` (from ``xs[k]`` to ``xs[k + 1]``).

    Raises
    ------
    ValueError
        If replaying does not reproduce the run (it was made with another
        optimizer or with gradient noise).
    """
    if not isinstance(traj, Trajectory):
        raise ValueError(f"traj must be a Trajectory from course_lib.run, got {traj!r}")
    state = opt.init(traj.xs[0])
    sizes = np.empty((traj.nit, traj.xs.shape[1]))
    for k in range(traj.nit):
        x_next, new_state = opt.update(traj.xs[k], traj.grads[k], state)
        if not np.array_equal(x_next, traj.xs[k + 1]):
            raise ValueError(f"replaying {opt.label()} does not reproduce step {k + 1} of the run "
                             f"'{traj.label}': was it made with this optimizer and without grad_noise?")
        sizes[k] = effective_lr(opt, state, new_state)
        state = new_state
    return sizes


class StepSizeFrame(NamedTuple):
    """One state of :class:`StepSizeExplorer`: the optimizer explorer's :class:`~course_lib.explore.Frame`
    (paths, messages) and, per optimizer, its effective learning rates (shape ``(steps, 2)``)."""

    frame: explore.Frame
    sizes: tuple

    @property
    def message(self):
        """Each run's status line, followed by its last effective learning rates."""
        lines = []
        for path, eff in zip(self.frame.paths, self.sizes):
            last = (f"; last effective lr: x {eff[-1, 0]:.3g}, y {eff[-1, 1]:.3g}" if len(eff) else "")
            lines.append(path.status + last)
        return "\n".join(lines)


def stepsize_frame(objective, series, values, window=None, cache=None, horizon=None):
    """Run the optimizers for one setting of the sliders; return their paths and effective learning rates.

    Parameters are those of :func:`course_lib.explore.explorer_frame`. An
    optimizer whose settings are invalid gets an empty ``(0, 2)`` array.
    """
    cache = cache or explore.RunCache()
    frame = explore.explorer_frame(objective, series, values, window, cache, horizon=horizon)
    values = {**{f"{s.key}.{k}": spec.value for s in series for k, spec in s.sliders.items()}, **values}
    sizes = []
    for s in series:
        try:
            opt = optim.OPTIMIZERS[s.name](**{**s.fixed, **{k: values[f"{s.key}.{k}"] for k in s.sliders}})
        except ValueError:
            sizes.append(np.empty((0, 2)))
            continue
        traj = cache.run(opt, objective, frame.start, int(values["steps"]), horizon)   # the run just drawn
        sizes.append(cache.per_step(effective_lr_history, opt, objective, frame.start, traj))
    return StepSizeFrame(frame, tuple(sizes))


class StepSizeExplorer(widgets._Explorer):
    r"""Adaptive optimizers on a 2-D objective: their paths, and each coordinate's effective learning rate.

    The same sliders as :class:`course_lib.widgets.OptimizerExplorer` (every
    hyperparameter with a slider, the steps and the start); the two right-hand
    panels show :func:`effective_lr` of the :math:`x` and the :math:`y`
    coordinate at every step, on a log scale.

    Parameters
    ----------
    objective : Objective
        A 2-D objective.
    optimizers : sequence of str or (str, dict)
        As for ``OptimizerExplorer``, e.g. ``[("adam", {"lr": 0.1}), "adagrad"]``.
    steps, max_steps, x0, window, sliders, title, canvas, blit, figsize, grid, levels
        As for ``OptimizerExplorer``.
    """

    # Its two log-scaled panels redrawn alone measured as slow as the whole figure (134-190 against
    # 135-161 ms): a move that changes their limits redraws everything.
    one_panel_redraws = False

    def __init__(self, objective, optimizers=("adagrad", "rmsprop", "adam"), *, steps=100, max_steps=500, x0=None,
                 window=None, sliders=None, title=None, canvas=False, blit=True, figsize=(10.2, 4.3), grid=120,
                 levels=20):
        self.objective = objective
        self.window = explore.window_2d(objective, window)
        self.series = explore.series_specs(optimizers, sliders)
        self.cache = explore.RunCache()
        super().__init__(explore.explorer_sliders(objective, self.series, steps, max_steps, x0, self.window),
                         figsize, canvas, blit)
        self._build_figure(title, grid, levels)
        self._finish(widgets.series_controls(self.controls, self.series))

    def _build_figure(self, title, grid, levels):
        fig = self.figure
        n = len(self.series)
        ncol = min(5, n + 2)
        self.ax_path, self.ax_x, self.ax_y = self._contour_and_panels(
            2, grid, levels, left=0.06, right=0.98, top=0.9, wspace=0.32, bottom=widgets._legend_rows_bottom(n + 2, ncol))
        self.ax_path.set_title(title or f"{self.objective.name}: move the sliders")
        styles = style.styles_for([s.name for s in self.series])
        self.paths = [plotting.add_path_artists(self.ax_path, st, s.key) for s, st in zip(self.series, styles)]
        self.start = plotting.add_start_artist(self.ax_path)
        xl, yl = plotting.axis_labels(self.objective)
        self.size_lines = []
        for ax, coord in ((self.ax_x, xl), (self.ax_y, yl)):
            self._log_y(ax)
            ax.set_xlabel("step $t$")
            ax.set_ylabel("effective learning rate")
            ax.set_title(f"Effective lr of {coord}")
            self.size_lines.append([ax.plot([], [], **st.kwargs(), markersize=5)[0] for st in styles])
        self.legend = fig.legend(handles=[p.line for p in self.paths] + plotting.legend_proxies(),
                                 loc="lower center", ncol=ncol, fontsize="small", frameon=False)

    def _moving_artists(self):
        return [a for p in self.paths for a in p] + [self.start] + [line for lines in self.size_lines
                                                                     for line in lines]

    def compute(self, values):
        return stepsize_frame(self.objective, self.series, values, self.window, self.cache,
                              horizon=self.specs["steps"].high)

    def _apply(self, frame):
        for arts, p in zip(self.paths, frame.frame.paths):
            plotting.set_path(arts, p)
        self.start.set_data(frame.frame.start[:1], frame.frame.start[1:])
        changed = False
        steps = max((len(s) for s in frame.sizes), default=1)
        for i, (ax, lines) in enumerate(zip((self.ax_x, self.ax_y), self.size_lines)):
            for line, eff in zip(lines, frame.sizes):
                t = np.arange(1, len(eff) + 1)
                line.set_data(t, eff[:, i])
                line.set_markevery(plotting.marks_every(len(t)))
            values = np.concatenate([eff[:, i] for eff in frame.sizes]) if frame.sizes else np.empty(0)
            y_lim = explore.log_limits(values, ax.get_ylim(), dynamic_range=1e8, pad_decades=1)
            x_lim = explore.step_limits(steps, ax.get_xlim(), self.specs["steps"].high)
            changed = self._move_axes(ax, y_lim, x_lim) or changed
        return changed

    def _describe(self, frame):
        x, y = frame.frame.start
        return (f"Left: contour map of {self.objective.name} with the paths of {len(self.series)} optimizer(s) "
                f"started at ({x:.3g}, {y:.3g}). Middle and right: the effective learning rate of the x and the "
                f"y coordinate at every step, on a log scale. " + "; ".join(frame.message.splitlines()) + ".")
