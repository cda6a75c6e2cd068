"""What the explorers compute and draw, as plain functions: no widgets, no matplotlib.

The widgets in :mod:`course_lib.widgets` only wire sliders to these functions
and copy their results into matplotlib artists, so everything here can be
tested headless, at every slider extreme:

* :class:`SliderSpec` describes one slider (range, default, log scale);
  :func:`hyperparam_sliders` gives the sliders of an optimizer.
* :func:`explorer_frame` runs the optimizers for one setting of the sliders and
  returns a :class:`Frame`: for each optimizer the path to draw (cut where it
  leaves the view, marked where it diverged), its loss curve and a status line.
* :func:`tangent_frame` (1-D function explorer) and :func:`fit_frame`
  (loss-landscape explorer) do the same for the smaller explorers.
* :func:`log_limits` and :func:`linear_limits` choose axis limits that change
  rarely, so most slider moves redraw only the changed lines.

A diverged run never raises here and never yields a NaN: :func:`course_lib.run.run`
already stops before non-finite values, and :func:`visible_path` cuts what is
left at the edge of the view.
"""

from __future__ import annotations

import inspect
import math
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from . import optim
from .run import Trajectory, run

__all__ = [
    "SliderSpec", "HYPERPARAM_SLIDERS", "OPTIMIZER_SLIDER_RANGES", "SeriesSpec", "PathData", "Frame",
    "TangentFrame", "FitFrame", "RunCache",
    "hyperparam_sliders", "series_specs", "explorer_sliders", "default_start", "nearby_values", "check_values",
    "window_2d", "window_1d", "truncate", "segment_exit", "expand_window", "visible_path", "path_data",
    "explorer_frame", "describe_frame", "log_limits", "nice_ceil", "linear_limits", "step_limits", "loss_view",
    "LOSS_SLACK_DECADES", "loss_scale", "tangent_frame", "fit_frame", "loss_grid",
]


# ---------------------------------------------------------------------------
# Sliders
# ---------------------------------------------------------------------------

#: What counts as a number for a slider's range, step or value (not bool, although bool is an int).
_NUMBER = (int, float, np.integer, np.floating)


@dataclass(frozen=True)
class SliderSpec:
    """One slider: the keyword it sets, its range and default, and how it moves.

    Attributes
    ----------
    name : str
        The keyword the value is passed as (``"lr"``, ``"beta1"``, ``"x0"``, ...).
    low, high : float
        The range; both ends are valid values.
    value : float
        The default.
    log : bool
        Move on a logarithmic scale (a ``FloatLogSlider``); needs ``low > 0``.
    integer : bool
        Integer values only (an ``IntSlider``).
    description : str
        The label next to the slider.
    step : float, optional
        The distance between two positions of the slider, in decades on a log scale (see
        :attr:`slider_step`, which gives the default). A coarser grid has fewer values to compute
        ahead (:func:`nearby_values`).
    """

    name: str
    low: float
    high: float
    value: float
    log: bool = False
    integer: bool = False
    description: str = ""
    step: float | None = None

    def __post_init__(self):
        for what in ("low", "high", "value"):
            v = getattr(self, what)
            if isinstance(v, bool) or not isinstance(v, _NUMBER) or not math.isfinite(v):
                raise ValueError(f"slider {self.name!r}: {what} must be a finite number, got {v!r}")
        if not self.low < self.high:
            raise ValueError(f"slider {self.name!r}: low must be below high, got {self.low} and {self.high}")
        if not self.low <= self.value <= self.high:
            raise ValueError(f"slider {self.name!r}: value {self.value} is outside [{self.low}, {self.high}]")
        if self.log and self.low <= 0:
            raise ValueError(f"slider {self.name!r}: a log-scale slider needs low > 0, got {self.low}")
        if self.step is not None:
            span = self._ends()[1] - self._ends()[0]
            if isinstance(self.step, bool) or not isinstance(self.step, _NUMBER) or not 0 < self.step <= span:
                raise ValueError(f"slider {self.name!r}: step must be a number in (0, {span:g}], got {self.step!r}")
            if self.integer and self.step != int(self.step):
                raise ValueError(f"slider {self.name!r}: an integer slider needs an integer step, got {self.step!r}")

    def _ends(self):
        """The ends of the track: ``low`` and ``high``, as powers of ten on a log scale."""
        return (math.log10(self.low), math.log10(self.high)) if self.log else (self.low, self.high)

    @property
    def slider_step(self):
        """The distance between two positions of the slider (on a log scale, in decades).

        ``step`` if given; otherwise 1 for an integer slider, 1/200 of the range's decades on a log
        scale, and the power of ten at or below 1/1000 of the range on a linear one.
        """
        if self.step is not None:
            return self.step
        if self.integer:
            return 1
        lo, hi = self._ends()
        return (hi - lo) / 200 if self.log else 10.0 ** math.floor(math.log10((hi - lo) / 1000))

    def positions(self):
        """Every value the slider can take, as :meth:`snap` gives them, from ``low`` to ``high``.

        The track runs from ``low`` in steps of :attr:`slider_step`, and ends at ``high`` (where the
        last step may be shorter), as a browser's slider does (ipywidgets' noUiSlider).

        Returns
        -------
        list of float (int for an integer slider)
            In increasing order, each once (on a log scale, steps finer than :meth:`snap`'s three
            significant digits give fewer values than positions).
        """
        lo, hi = self._ends()
        step = self.slider_step
        n = math.floor((hi - lo) / step * (1 + 1e-12))
        track = [lo + i * step for i in range(n + 1)]
        if hi - track[-1] > 1e-9 * step:
            track.append(hi)
        values = [self.snap(10.0 ** t if self.log else t) for t in track]
        return list(dict.fromkeys(values))

    @property
    def label(self):
        """The text next to the slider: the description, or the name."""
        return self.description or self.name

    def check(self, value):
        """Return ``value`` (as int or float) if it is in range, else raise ValueError naming it."""
        if isinstance(value, bool) or not isinstance(value, _NUMBER):
            raise ValueError(f"{self.name} must be a number, got {value!r}")
        if not (math.isfinite(value) and self.low <= value <= self.high):
            raise ValueError(f"{self.name} must be in [{self.low:g}, {self.high:g}], got {value!r}")
        if self.integer and value != int(value):
            raise ValueError(f"{self.name} must be an integer, got {value!r}")
        return int(value) if self.integer else float(value)

    def snap(self, value, digits=3, linear_digits=12):
        """A slider position as a clean value: clipped to the range (a browser may round past an end),
        rounded to an integer, on a log scale to ``digits`` significant digits, else to ``linear_digits``.

        The browser puts a slider on its step grid in floating point, so the 0.9 it was given comes
        back as 0.9000000000000001: both snap to the same value.
        """
        value = min(max(float(value), self.low), self.high)
        if self.integer:
            return int(round(value))
        value = float(f"{value:.{digits if self.log else linear_digits}g}")
        return min(max(value, self.low), self.high)

    def with_value(self, value):
        """A copy with another default ``value`` (checked against the range)."""
        return replace(self, value=self.check(value))


#: The sliders of the optimizers' hyperparameters, by keyword. A hyperparameter gets a slider in the
#: explorer when its optimizer's constructor takes that keyword.
HYPERPARAM_SLIDERS = {
    "lr": SliderSpec("lr", 1e-4, 10.0, 1e-2, log=True, description="lr η"),
    "momentum": SliderSpec("momentum", 0.0, 0.99, 0.9, description="momentum μ"),
    "beta1": SliderSpec("beta1", 0.0, 0.999, 0.9, description="β₁"),
    "beta2": SliderSpec("beta2", 0.0, 0.9999, 0.999, description="β₂"),
    "eps": SliderSpec("eps", 1e-10, 1.0, 1e-8, log=True, description="ε"),
    "alpha": SliderSpec("alpha", 0.0, 0.999, 0.99, description="α (RMSProp)"),
    "rho": SliderSpec("rho", 0.0, 1.0, 0.9, description="ρ (Adadelta)"),
}

#: Narrower ranges where an optimizer rejects part of the general one (Nesterov needs momentum > 0).
OPTIMIZER_SLIDER_RANGES = {
    "nesterov": {"momentum": SliderSpec("momentum", 0.01, 0.99, 0.9, description="momentum μ")},
}


def _constructor(name):
    if name not in optim.OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {sorted(optim.OPTIMIZERS)}")
    return optim.OPTIMIZERS[name]


def hyperparam_sliders(name, values=None, sliders=None):
    """The sliders of optimizer ``name``: one per hyperparameter its constructor takes.

    Parameters
    ----------
    name : str
        A key of :data:`course_lib.optim.OPTIMIZERS`, e.g. ``"adam"``.
    values : dict, optional
        Starting values; otherwise the constructor's default (or the slider's
        default when the constructor has none, as for ``gd``'s ``lr``).
    sliders : dict, optional
        Slider specs replacing those of :data:`HYPERPARAM_SLIDERS` and
        :data:`OPTIMIZER_SLIDER_RANGES` (to narrow or widen a range).

    Returns
    -------
    dict of str -> SliderSpec
    """
    params = inspect.signature(_constructor(name)).parameters
    table = {**HYPERPARAM_SLIDERS, **OPTIMIZER_SLIDER_RANGES.get(name, {}), **(sliders or {})}
    values = dict(values or {})
    specs = {}
    for key, spec in table.items():
        if key not in params:
            continue
        default = params[key].default
        start = values.pop(key, spec.value if default is inspect.Parameter.empty else default)
        specs[key] = spec.with_value(start)
    return specs


class SeriesSpec(NamedTuple):
    """One optimizer of an explorer: a unique ``key``, the optimizer ``name``, its ``sliders`` and ``fixed`` values."""

    key: str
    name: str
    sliders: dict
    fixed: dict


def series_specs(optimizers, sliders=None):
    """Describe the optimizers of an explorer.

    Parameters
    ----------
    optimizers : sequence of str or (str, dict)
        Optimizer names, each optionally with starting hyperparameters, e.g.
        ``["gd", ("adam", {"lr": 0.1})]``. Hyperparameters without a slider
        (``weight_decay``, ``amsgrad``, ...) stay fixed at the value given.
        The same optimizer may appear twice; its keys become ``gd``, ``gd_2``.
    sliders : dict, optional
        Slider specs overriding the defaults, as in :func:`hyperparam_sliders`.

    Returns
    -------
    tuple of SeriesSpec
    """
    if isinstance(optimizers, str) or not len(optimizers):
        raise ValueError(f"optimizers must be a non-empty list of names, got {optimizers!r}")
    specs, counts = [], {}
    for item in optimizers:
        name, values = (item, {}) if isinstance(item, str) else tuple(item)
        if not isinstance(values, dict):
            raise ValueError(f"the hyperparameters of {name!r} must be a dict, got {values!r}")
        counts[name] = counts.get(name, 0) + 1
        key = name if counts[name] == 1 else f"{name}_{counts[name]}"
        slid = hyperparam_sliders(name, values, sliders)
        fixed = {k: v for k, v in values.items() if k not in slid}
        specs.append(SeriesSpec(key, name, slid, fixed))
    return tuple(specs)


def default_start(window, fraction=(0.15, 0.85)):
    """A starting point at the given fractions of each axis of ``window`` (default: upper left)."""
    return np.array([lo + f * (hi - lo) for (lo, hi), f in zip(window, fraction)])


def explorer_sliders(objective, series, steps=100, max_steps=500, x0=None, window=None):
    """All sliders of the 2-D optimizer explorer, by value key.

    Keys are ``"<series key>.<hyperparameter>"`` (``"adam.lr"``), plus
    ``"steps"``, ``"x0"`` and ``"y0"`` (the start point, over the window).
    """
    window = window_2d(objective, window)
    start = default_start(window) if x0 is None else np.asarray(x0, dtype=float)
    if start.shape != (2,):
        raise ValueError(f"x0 must be a point (x, y), got {x0!r}")
    specs = {f"{s.key}.{k}": spec for s in series for k, spec in s.sliders.items()}
    specs["steps"] = SliderSpec("steps", 1, max_steps, steps, integer=True, description="steps")
    for i, (lo, hi) in enumerate(window):
        name = f"{'xy'[i]}0"
        specs[name] = SliderSpec(name, lo, hi, float(start[i]), description=f"start {name[0]}₀")
    return specs


def nearby_values(specs, values, keys=None, previous=None, ahead=4.0):
    """Slider settings near ``values``, nearest first: each moves one slider (of ``keys``, default all).

    A setting's distance is how far along its track the slider moved, as a fraction of the track,
    so that the one position of a coarse slider next to the current one (a number of workers, 1 to
    8) comes among a fine slider's many near ones. The current setting itself is not given, nor is
    any setting twice. An explorer computes them ahead while the learner reads
    (:attr:`course_lib.widgets.Explorer.prefetch`). Every position of every slider is looked at: meant
    for sliders with few positions (:attr:`SliderSpec.step`).

    Parameters
    ----------
    specs : dict of str -> SliderSpec
    values : dict
        The setting on show (checked against the specs, as :func:`check_values` does).
    keys : list of str, optional
        The sliders to move (default: all).
    previous : dict, optional
        The setting before ``values``: a slider that moved from there is likely to go on the same way
        (a drag does), so its positions further on count at ``1 / ahead`` of their distance.
    ahead : float
        See ``previous``; at least 1.

    Returns
    -------
    list of dict
        Complete settings: ``values`` with one slider moved.
    """
    keys = list(specs) if keys is None else list(keys)
    unknown = set(keys) - set(specs)
    if unknown:
        raise ValueError(f"unknown slider(s) {sorted(unknown)}; the sliders are {sorted(specs)}")
    if isinstance(ahead, bool) or not isinstance(ahead, _NUMBER) or not 1 <= ahead < math.inf:
        raise ValueError(f"ahead must be a number >= 1, got {ahead!r}")

    def snapped(given):
        return {k: specs[k].snap(v) for k, v in check_values(specs, given).items()}

    values = snapped(values)
    previous = None if previous is None else snapped(previous)
    near = []
    for key in keys:
        spec = specs[key]
        lo, hi = spec._ends()
        place = math.log10 if spec.log else float
        here = place(values[key])
        way = 0.0 if previous is None else np.sign(here - place(previous[key]))
        for v in spec.positions():
            if v != values[key]:
                step = (place(v) - here) / (hi - lo)
                near.append((abs(step) / (ahead if step * way > 0 else 1), {**values, key: v}))
    near.sort(key=lambda item: item[0])     # stable: equal distances keep the order of keys and positions
    return [setting for _, setting in near]


def check_values(specs, values):
    """Complete ``values`` with the specs' defaults and check each against its range; unknown keys raise."""
    unknown = set(values) - set(specs)
    if unknown:
        raise ValueError(f"unknown slider(s) {sorted(unknown)}; the sliders are {sorted(specs)}")
    return {k: spec.check(values.get(k, spec.value)) for k, spec in specs.items()}


# ---------------------------------------------------------------------------
# Runs, cached per optimizer
# ---------------------------------------------------------------------------

def truncate(traj, steps):
    """The first ``steps`` steps of ``traj`` (``traj`` itself if it has no more)."""
    if traj.nit <= steps:
        return traj
    return Trajectory(xs=traj.xs[: steps + 1], fs=traj.fs[: steps + 1], grads=traj.grads[: steps + 1],
                      nit=steps, success=True, message=f"completed {steps} steps", label=traj.label)


class RunCache:
    """Remember recent runs, so a slider that changes one optimizer re-runs only that one.

    A run of ``n`` steps also answers every request for fewer steps (by
    :func:`truncate`), and a run that diverged answers every longer request:
    the ``steps`` slider then costs no optimization at all.
    """

    def __init__(self, maxsize=128):
        if isinstance(maxsize, bool) or not isinstance(maxsize, int) or maxsize < 1:
            raise ValueError(f"maxsize must be a positive integer, got {maxsize!r}")
        self.maxsize = maxsize
        self._runs = OrderedDict()
        self._per_step = OrderedDict()
        self.hits = self.misses = 0

    @staticmethod
    def _key(opt, objective, x0):
        return id(objective), opt.name, tuple(sorted(opt.hyperparams.items())), tuple(np.asarray(x0, float))

    def run(self, opt, objective, x0, steps, horizon=None):
        """:func:`course_lib.run.run` of ``opt`` on ``objective`` from ``x0``, or its cached answer.

        If only a shorter run of the same settings is cached (the steps slider
        moved up), run ``horizon`` steps at once, so that the rest of the drag
        is answered from the cache.
        """
        key = self._key(opt, objective, x0)
        cached = self._runs.get(key)
        if cached is not None and (cached[0] >= steps or cached[1].diverged):
            self._runs.move_to_end(key)
            self.hits += 1
            return truncate(cached[1], steps)
        self.misses += 1
        todo = max(steps, horizon or 0) if cached is not None else steps
        traj = run(opt, objective, x0, todo)
        self._remember(self._runs, key, (todo, traj))
        return truncate(traj, steps)

    def _remember(self, table, key, value):
        """Keep ``value`` under ``key``, forgetting the least recently used entry beyond :attr:`maxsize`."""
        table[key] = value
        table.move_to_end(key)
        if len(table) > self.maxsize:
            table.popitem(last=False)

    def per_step(self, what, opt, objective, x0, traj):
        """``what(opt, traj)`` -- one row per step of ``traj``, a run this cache returned -- or its cached answer.

        The rows are computed once for the whole cached run and answer every shorter request (the
        first rows of a run do not depend on its length): like the runs, a slider that changes one
        optimizer recomputes only that one's rows, and the steps slider recomputes none.
        """
        run_key = self._key(opt, objective, x0)
        key = (what, *run_key)
        rows = self._per_step.get(key)
        if rows is None or len(rows) < traj.nit:
            cached = self._runs.get(run_key)          # the whole run, of which traj may be the first steps
            longest = cached[1] if cached is not None and cached[1].nit >= traj.nit else traj
            rows = what(opt, longest)
        self._remember(self._per_step, key, rows)
        return rows[:traj.nit]


# ---------------------------------------------------------------------------
# Paths: what part of a run to draw, and where to mark its end
# ---------------------------------------------------------------------------

def window_2d(objective, window=None):
    """The plotted window of a 2-D objective as ((xmin, xmax), (ymin, ymax)) floats (default: the objective's)."""
    if objective.dim != 2:
        raise ValueError(f"this needs a 2-D objective, {objective.name} has dimension {objective.dim}")
    window = window or objective.window or ((-2, 2), (-2, 2))
    window = tuple((float(lo), float(hi)) for lo, hi in window)
    if len(window) != 2 or not all(lo < hi for lo, hi in window):
        raise ValueError(f"window must be ((xmin, xmax), (ymin, ymax)) with min < max, got {window!r}")
    return window


def expand_window(window, margin):
    """``window`` grown by ``margin`` times its size on every side."""
    return tuple((lo - margin * (hi - lo), hi + margin * (hi - lo)) for lo, hi in window)


def _inside(points, window):
    lo = np.array([w[0] for w in window])
    hi = np.array([w[1] for w in window])
    return np.all((points >= lo) & (points <= hi), axis=-1)


def segment_exit(p, q, window):
    """Where the segment from ``p`` (inside ``window``) towards ``q`` first meets the window's edge."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    d = q - p
    t = 1.0
    for i, (lo, hi) in enumerate(window):
        if d[i] > 0 and q[i] > hi:
            t = min(t, (hi - p[i]) / d[i])
        elif d[i] < 0 and q[i] < lo:
            t = min(t, (lo - p[i]) / d[i])
    lo, hi = np.array(window, float).T
    return np.clip(p + max(t, 0.0) * d, lo, hi)       # no rounding past the edge


class PathData(NamedTuple):
    """What to draw for one run.

    Attributes
    ----------
    key, label : str
        The series key and its legend label (naming the hyperparameters).
    xy : ndarray, shape (k, 2)
        The path to draw: finite, cut where it first leaves the region around the view.
    end : ndarray, shape (2,)
        Where the end marker goes (for a diverged run: where it left the view, or its last point).
    diverged, left_view : bool
        Whether the run diverged; whether the drawn path leaves the view.
    steps, losses : ndarray, shape (nit + 1,)
        The loss curve (finite values).
    status : str
        One line saying how the run ended.
    brief : str
        A short warning for the figure ("adam: diverged at step 7"), empty if the run went well.
    """

    key: str
    label: str
    xy: np.ndarray
    end: np.ndarray
    diverged: bool
    left_view: bool
    steps: np.ndarray
    losses: np.ndarray
    status: str
    brief: str


def visible_path(xs, window, margin=1.0):
    """Cut a path where it first leaves ``window`` grown by ``margin`` (so no huge coordinates reach the plot).

    Returns
    -------
    xy : ndarray, shape (k, 2)
        The points up to the exit, the last one moved onto the grown window's edge.
    last_in_view : ndarray, shape (2,)
        The point where the path is last seen inside ``window`` itself: its last
        point if that is inside, else where it crosses the edge of the window.
    left_view : bool
        Whether the path goes outside ``window``.
    """
    xs = np.asarray(xs, dtype=float)
    box = expand_window(window, margin)
    outside_box = ~_inside(xs, box)
    cut = bool(outside_box[1:].any())
    if cut:
        k = 1 + int(np.argmax(outside_box[1:]))
        xy = np.vstack([xs[:k], segment_exit(xs[k - 1], xs[k], box)])
    else:
        xy = xs
    in_view = _inside(xy, window)
    left_view = cut or not in_view.all()
    if in_view[-1] or not in_view.any():
        return xy, xy[-1].copy(), left_view
    j = len(in_view) - 1 - int(np.argmax(in_view[::-1]))     # last point inside the view
    return xy, segment_exit(xy[j], xy[j + 1], window), left_view


def _status(traj, left_view):
    if traj.diverged:
        return f"{traj.label}: {traj.message}"
    where = "; left the plotted window" if left_view else ""
    return f"{traj.label}: f = {traj.fun:.3g} after {traj.nit} steps{where}"


def _brief(key, traj, left_view):
    if traj.diverged:
        return f"{key}: diverged at step {traj.nit + 1}"
    return f"{key}: left the window" if left_view else ""


def path_data(traj, window, key="", margin=1.0):
    """The :class:`PathData` of a trajectory of a 2-D objective."""
    if traj.xs.ndim != 2 or traj.xs.shape[1] != 2:
        raise ValueError(f"path_data needs a run of a 2-D objective, got iterates of shape {traj.xs.shape}")
    xy, end, left_view = visible_path(traj.xs, window, margin)
    key = key or traj.label
    return PathData(key, traj.label, xy, end, traj.diverged, left_view, np.arange(traj.nit + 1),
                    np.asarray(traj.fs, float), _status(traj, left_view), _brief(key, traj, left_view))


def _invalid_path(key, error, start):
    empty = np.empty(0)
    return PathData(key, f"{key} (invalid settings)", np.asarray(start, float)[None], np.asarray(start, float),
                    False, False, empty, empty, f"{key}: {error}", f"{key}: invalid settings")


class Frame(NamedTuple):
    """One state of the 2-D explorer: the start point, one :class:`PathData` per optimizer, messages.

    ``message`` has every status line; ``warnings`` the short notes about
    runs that diverged, left the window or could not start.
    """

    start: np.ndarray
    paths: tuple
    message: str
    warnings: str


def explorer_frame(objective, series, values, window=None, cache=None, margin=1.0, horizon=None):
    """Run every optimizer of the explorer for one setting of the sliders.

    Parameters
    ----------
    objective : Objective
        A 2-D objective.
    series : sequence of SeriesSpec
        The optimizers, from :func:`series_specs`.
    values : dict
        Slider values by key, as :func:`explorer_sliders` names them
        (missing ones take their defaults).
    window : pair of (low, high), optional
        The plotted window (default: the objective's).
    cache : RunCache, optional
        Reuse runs whose settings did not change.
    margin : float
        Paths are cut where they leave the window grown by this fraction.
    horizon : int, optional
        The most steps the explorer offers; see :meth:`RunCache.run`.

    Returns
    -------
    Frame
        Never raises for values inside the sliders' ranges: an optimizer that
        rejects a combination of values gets an empty path and a message.
    """
    window = window_2d(objective, window)
    values = {**{f"{s.key}.{k}": spec.value for s in series for k, spec in s.sliders.items()}, **values}
    steps = values.get("steps")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"values['steps'] must be a non-negative integer, got {steps!r}")
    start = default_start(window)
    start = np.array([float(values.get("x0", start[0])), float(values.get("y0", start[1]))])
    cache = cache or RunCache()
    paths = []
    for s in series:
        hp = {**s.fixed, **{k: values[f"{s.key}.{k}"] for k in s.sliders}}
        try:
            opt = optim.OPTIMIZERS[s.name](**hp)
        except ValueError as err:            # a combination the optimizer rejects: report, do not raise
            paths.append(_invalid_path(s.key, err, start))
            continue
        traj = cache.run(opt, objective, start, int(steps), horizon)
        paths.append(path_data(traj, window, s.key, margin))
    return Frame(start, tuple(paths), "\n".join(p.status for p in paths), "\n".join(p.brief for p in paths if p.brief))


def describe_frame(objective_name, frame):
    """Alt text for an explorer figure: what is drawn and how each run ended."""
    x, y = frame.start
    runs = "; ".join(p.status for p in frame.paths)
    return (f"Contour map of {objective_name} with the paths of {len(frame.paths)} optimizer(s) "
            f"started at ({x:.3g}, {y:.3g}), and their loss per step. {runs}.")


# ---------------------------------------------------------------------------
# Axis limits that change rarely
# ---------------------------------------------------------------------------

def _decade(value, rounding):
    """``rounding(log10(value))``, corrected where log10 rounds across a power of ten (1.0000000000000001e-20)."""
    k = rounding(math.log10(value))
    if rounding is math.ceil and 10.0 ** k < value:
        return k + 1
    if rounding is math.floor and 10.0 ** k > value:
        return k - 1
    return k


def log_limits(values, current=None, dynamic_range=1e12, slack_decades=3, pad_decades=2):
    """Decade-aligned limits for a log axis showing ``values``, keeping ``current`` while they fit.

    Parameters
    ----------
    values : array_like
        The data; non-positive and non-finite values are ignored.
    current : (float, float), optional
        The limits now. They are kept if they hold all the data and are at
        most ``slack_decades`` decades wider than needed, so that small
        changes redraw no axis.
    dynamic_range : float
        The lower limit is at least ``max / dynamic_range`` (a run that reaches
        f = 1e-30 does not squash the rest of the plot).
    pad_decades : int
        When the limits must change, the lower one goes this many decades
        further than needed, so that the next slider positions fit too.

    Returns
    -------
    (float, float)
    """
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v) & (v > 0)]
    if not v.size:
        return tuple(current) if current is not None else (1e-3, 1.0)
    hi = _decade(v.max(), math.ceil)
    floor = _decade(v.max() / dynamic_range, math.floor)
    lo = max(_decade(v.min(), math.floor), floor)
    lo = min(lo, hi - 1)
    if current is not None and current[0] > 0:
        c_lo, c_hi = math.log10(current[0]), math.log10(current[1])
        if c_lo <= lo and c_hi >= hi and c_hi - c_lo <= hi - lo + slack_decades:
            return tuple(current)
    return 10.0 ** max(lo - pad_decades, floor), 10.0 ** hi


def nice_ceil(value):
    """The smallest number of the form 1, 2 or 5 times a power of ten that is >= ``value`` (> 0)."""
    if not value > 0:
        raise ValueError(f"nice_ceil needs a positive number, got {value!r}")
    power = 10.0 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= value * (1 - 1e-12))


def linear_limits(values, current=None, slack=4.0, pad=0.25):
    """Limits on a "nice" grid for a linear axis showing ``values``, keeping ``current`` while they fit.

    ``current`` is kept if it holds the data and is at most ``slack`` times
    wider than needed; new limits leave ``pad`` times the data's span free on
    each side, so the next slider positions fit too. The span counts as at least
    ``1e-9`` of the values' magnitude, and at least ``1e-300``: a narrower grid
    would round to nothing (1e12 and 1e12 + 1e-4 differ by one float64 step;
    the powers of ten below 1e-323 are 0).
    """
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    if not v.size:
        return tuple(current) if current is not None else (0.0, 1.0)
    v_lo, v_hi = float(v.min()), float(v.max())
    magnitude = max(abs(v_lo), abs(v_hi))
    span = max(v_hi - v_lo, 1e-9 * magnitude, 1e-300) if v_hi > v_lo else max(magnitude, 1.0)
    if current is not None:
        c_lo, c_hi = current
        if c_lo <= v_lo and c_hi >= v_hi and (c_hi - c_lo) <= slack * span:
            return tuple(current)
    step = nice_ceil(span) / 10
    return math.floor((v_lo - pad * span) / step) * step, math.ceil((v_hi + pad * span) / step) * step


def step_limits(steps, current=None, most=None):
    """Limits of a step axis: ``(0, n)`` with ``n`` a 1-2-5 number >= ``steps``, kept while ``steps`` fits and uses
    at least a fifth of it.

    ``most`` is the most steps the axis may have to show (a steps slider's maximum). With it, new limits
    leave room when ``steps`` is itself a 1-2-5 number below ``most``: ``n`` is then the next one (at most
    ``most``), so the last step is not drawn on the panel's edge, and dragging the slider up from there
    moves no axis (which would redraw the panel).
    """
    steps = max(int(steps), 1)
    if current is not None and current[0] == 0 and steps <= current[1] <= 5 * steps:
        return tuple(current)
    n = nice_ceil(steps)
    if most is not None and n == steps < most:
        n = min(nice_ceil(1.5 * n), most)
    return 0.0, float(n)


#: How many decades wider than its losses need a log loss panel may be before it closes in on them (see
#: :func:`loss_view`). With 3, dragging notebook 05's Nesterov momentum redrew the loss panel twice in
#: ten moves in the browser (about 130 ms each, against 50 for a move that redraws the curves alone).
LOSS_SLACK_DECADES = 5


def loss_view(paths, scale, current=None, headroom=1.5):
    """Limits of the loss panel, and each run's losses clipped to them.

    The top follows the starting value (times ``headroom``), the bottom the
    lowest loss of the runs that did not diverge. Every run starts at the same
    value, so the limits stay put while one optimizer's slider moves; a curve
    that climbs above its start (an oscillating or diverging run) is clipped at
    the top edge, where the ``x`` of a diverged run then sits. A log axis keeps its
    bottom while the lowest loss rises by up to :data:`LOSS_SLACK_DECADES` decades: a
    slider that slows a run down then moves its curve, not the axis (whose redraw would
    cost many times as much).

    Returns
    -------
    limits : (float, float)
    shown : list of ndarray
    """
    starts = [p.losses[0] for p in paths if len(p.losses)]
    calm = [p.losses.min() for p in paths if len(p.losses) and not p.diverged]
    if not starts:
        limits = tuple(current) if current is not None else ((1e-3, 1.0) if scale == "log" else (0.0, 1.0))
        return limits, [p.losses for p in paths]
    top = max(starts)
    values = [top * headroom if top > 0 else top, *calm, *starts]
    limits = (log_limits(values, current, slack_decades=LOSS_SLACK_DECADES) if scale == "log"
              else linear_limits(values, current))
    return limits, [np.clip(p.losses, *limits) for p in paths]


def loss_scale(objective, window=None, n=50):
    """``"log"`` if the objective is non-negative over the window (or asks for it), else ``"linear"``."""
    if objective.log_scale:
        return "log"
    _, _, Z = objective.grid(n, window_2d(objective, window))
    return "log" if np.nanmin(Z) >= 0 else "linear"


# ---------------------------------------------------------------------------
# The 1-D function explorer: point, tangent, one gradient step
# ---------------------------------------------------------------------------

class TangentFrame(NamedTuple):
    """One state of the 1-D explorer.

    ``point`` = (x, f(x)); ``tangent`` = two points of the tangent line; the
    step arrow goes from ``point`` to ``step_to`` (the next iterate on the
    curve, or the edge of the window if the step leaves it); ``x_next`` is the
    next iterate :math:`x - \\eta f'(x)`.
    """

    point: np.ndarray
    slope: float
    tangent: np.ndarray
    x_next: float
    step_to: np.ndarray
    message: str


def window_1d(objective, window=None):
    """The plotted interval of a 1-D objective as (xmin, xmax) floats (default: the objective's)."""
    if objective.dim != 1:
        raise ValueError(f"the 1-D explorer needs a 1-D objective, {objective.name} has dimension {objective.dim}")
    (lo, hi), = window or objective.window or ((-5, 5),)
    if not lo < hi:
        raise ValueError(f"window must be ((xmin, xmax),) with xmin < xmax, got {window!r}")
    return float(lo), float(hi)


def tangent_frame(objective, x, lr, window=None, tangent_width=0.3):
    r"""The point :math:`(x, f(x))`, the tangent there, and one gradient-descent step :math:`x - \eta f'(x)`.

    Parameters
    ----------
    objective : Objective
        A 1-D objective.
    x : float
        The current point.
    lr : float
        The learning rate :math:`\eta > 0`.
    window : ((float, float),), optional
        The plotted interval (default: the objective's).
    tangent_width : float
        Length of the drawn tangent, as a fraction of the window.
    """
    lo, hi = window_1d(objective, window)
    if not (isinstance(x, _NUMBER) and math.isfinite(x)):
        raise ValueError(f"x must be a finite number, got {x!r}")
    if not (isinstance(lr, _NUMBER) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    with np.errstate(all="ignore"):
        fx = float(objective(np.array([x], float)))
        slope = float(objective.grad(np.array([x], float))[0])
        if not (math.isfinite(fx) and math.isfinite(slope)):
            point = np.array([x, 0.0])
            return TangentFrame(point, 0.0, np.vstack([point, point]), x, point,
                                f"f or f' is not finite at x = {x:.3g}")
        half = tangent_width * (hi - lo) / 2
        tangent = np.array([[x - half, fx - half * slope], [x + half, fx + half * slope]])
        x_next = x - lr * slope
        f_next = float(objective(np.array([x_next]))) if math.isfinite(x_next) else math.inf
    point = np.array([x, fx])
    direction = "left" if slope > 0 else "right" if slope < 0 else "nowhere (f'(x) = 0)"
    message = f"f'({x:.3g}) = {slope:.3g}, so the step −η·f'(x) = {-lr * slope:.3g} moves {direction}"
    if math.isfinite(f_next):
        change = (f"down by {fx - f_next:.2g}" if f_next < fx else
                  f"up by {f_next - fx:.2g} (overshoot!)" if f_next > fx else "nowhere")
        message += f"; f goes {change}: {fx:.4g} → {f_next:.4g}"
    else:
        message += "; f is not finite there"
    if lo <= x_next <= hi and math.isfinite(f_next):
        step_to = np.array([x_next, f_next])
    else:
        step_to = np.array([hi if x_next > hi else lo, fx])
        message += f"; the step jumps out of the window to x = {x_next:.3g}"
    return TangentFrame(point, slope, tangent, float(x_next), step_to, message)


# ---------------------------------------------------------------------------
# The loss-landscape explorer of a 2-parameter model
# ---------------------------------------------------------------------------

def loss_grid(loss, window, n=80):
    """Evaluate a vectorised ``loss(w1, w2)`` on an ``n`` x ``n`` grid over ``window``.

    Returns
    -------
    W1, W2, L : ndarray, shape (n, n)
        Non-finite losses are left out (NaN), so the contour skips them.
    """
    (a0, a1), (b0, b1) = window
    W1, W2 = np.meshgrid(np.linspace(a0, a1, n), np.linspace(b0, b1, n))
    with np.errstate(all="ignore"):
        L = np.asarray(loss(W1, W2), dtype=float)
    if L.shape != W1.shape:
        raise ValueError(f"loss(w1, w2) must accept arrays and return one value per point: "
                         f"expected shape {W1.shape}, got {L.shape}")
    return W1, W2, np.where(np.isfinite(L), L, np.nan)


class FitFrame(NamedTuple):
    """One state of the landscape explorer: the parameters, the loss there, the fitted curve, a message."""

    params: np.ndarray
    loss: float
    curve: np.ndarray
    message: str


def fit_frame(fit, w1, w2, names=("w₁", "w₂")):
    """Call ``fit(w1, w2) -> (loss, (x, y))`` and make its answer safe to draw.

    Non-finite points of the curve are dropped and a non-finite loss is
    reported in the message instead of being drawn.
    """
    with np.errstate(all="ignore"):
        result = fit(w1, w2)
    try:
        loss, (cx, cy) = result
        loss = float(loss)
        curve = np.column_stack([np.asarray(cx, float).ravel(), np.asarray(cy, float).ravel()])
    except (TypeError, ValueError) as err:
        raise ValueError(f"fit(w1, w2) must return (loss, (x, y)) with a scalar loss and x, y of equal "
                         f"length, got {result!r:.80}") from err
    curve = curve[np.all(np.isfinite(curve), axis=1)]
    where = f"{names[0]} = {w1:.3g}, {names[1]} = {w2:.3g}"
    message = f"loss = {loss:.4g} at {where}" if math.isfinite(loss) else f"the loss is not finite at {where}"
    return FitFrame(np.array([w1, w2], float), loss, curve, message)
