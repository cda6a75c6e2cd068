"""Static figures and animations of optimization runs.

Every function takes finished :class:`~course_lib.run.Trajectory` objects (one
or a list) and draws them; nothing here runs an optimizer. Each returns the
figure and its axes, with labelled axes, a title and a legend. Series look the
same across the course (:mod:`course_lib.style`), and a diverged run is drawn
as a path cut where it leaves the view, marked with a large ``x``.

Display a figure with its alt text through :func:`course_lib.style.show`.
"""

from __future__ import annotations

import base64
import html
import inspect
import io
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import animation
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from . import style
from .painter import Painter
from .explore import path_data, visible_path
from .run import Trajectory

__all__ = [
    "as_trajectories", "axis_labels", "contour_levels", "plot_contour", "PathArtists", "add_path_artists",
    "marks_every", "set_path", "legend_proxies", "add_start_artist", "plot_trajectories", "plot_surface", "plot_losses",
    "small_multiples", "plot_lr_sensitivity", "race_animation", "race_html",
]


def as_trajectories(trajectories):
    """Return a list of trajectories from one :class:`Trajectory` or an iterable of them."""
    if isinstance(trajectories, Trajectory):
        return [trajectories]
    try:
        trajs = list(trajectories)
    except TypeError as err:
        raise ValueError(f"expected a Trajectory or a list of them, got {trajectories!r}") from err
    bad = [t for t in trajs if not isinstance(t, Trajectory)]
    if bad:
        raise ValueError(f"expected Trajectory objects, got {bad[0]!r}")
    return trajs


def _labels(trajs):
    return [t.label or f"run {i + 1}" for i, t in enumerate(trajs)]


def _figure_axes(ax, figsize, **subplot_kw):
    if ax is not None:
        return ax.figure, ax
    fig = plt.figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot(**subplot_kw)


def _window(objective, window):
    return window or objective.window or ((-2, 2), (-2, 2))


def axis_labels(objective):
    """Axis labels naming the objective's variables, e.g. ``("$x$", "$y$")``."""
    import sympy as sp
    return tuple(f"${sp.latex(s)}$" for s in objective.symbols)


def contour_levels(Z, n=20, log=False):
    """``n`` contour levels spanning ``Z``: geometric (log-spaced) if ``log``, else evenly spaced.

    Log levels start at the smallest positive value of ``Z`` (and need one).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"the number of levels must be an integer >= 2, got {n!r}")
    z = np.asarray(Z, dtype=float)
    z = z[np.isfinite(z)]
    if log:
        z = z[z > 0]
        if not z.size:
            raise ValueError("log-spaced contour levels need positive values of the objective")
        lo, hi = z.min(), z.max()
        return np.geomspace(lo, hi if hi > lo else lo * 10, n)
    if not z.size:
        raise ValueError("the objective has no finite values in the window")
    lo, hi = z.min(), z.max()
    return np.linspace(lo, hi if hi > lo else lo + 1, n)


def plot_contour(objective, ax=None, window=None, n=200, levels=20, filled=False, minima=True):
    """Contour lines (or filled contours) of a 2-D objective, log-spaced when ``objective.log_scale``.

    Parameters
    ----------
    objective : Objective
        A 2-D objective.
    ax : Axes, optional
        Where to draw (default: a new figure).
    window : ((xmin, xmax), (ymin, ymax)), optional
        Default: the objective's window.
    n : int
        Grid points per axis.
    levels : int
        Number of contour levels.
    filled : bool
        Filled contours (``viridis``) instead of lines (``cividis``).
    minima : bool
        Mark the objective's known minima with black stars.

    Returns
    -------
    Axes
    """
    fig, ax = _figure_axes(ax, (5.5, 4.5))
    window = _window(objective, window)
    X, Y, Z = objective.grid(n, window)
    lv = contour_levels(Z, levels, objective.log_scale)
    norm = LogNorm(lv[0], lv[-1]) if objective.log_scale else None
    if filled:
        ax.contourf(X, Y, Z, levels=lv, cmap=style.SURFACE_CMAP, norm=norm, extend="both", zorder=1)
    else:
        ax.contour(X, Y, Z, levels=lv, cmap=style.CONTOUR_CMAP, norm=norm, linewidths=0.8, alpha=0.6, zorder=1)
    if minima and objective.minima:
        m = np.array(objective.minima)
        ax.plot(m[:, 0], m[:, 1], linestyle="none", marker="*", markersize=13, color="black",
                markerfacecolor="white", markeredgewidth=1.2, label="known minimum", zorder=4)
    (x0, x1), (y0, y1) = window
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    if 0.25 <= (y1 - y0) / (x1 - x0) <= 4:
        ax.set_aspect("equal", adjustable="box")
    xl, yl = axis_labels(objective)
    ax.set_xlabel(xl)
    ax.set_ylabel(yl)
    ax.grid(False)
    return ax


class PathArtists(NamedTuple):
    """The artists of one path: the ``line`` (with markers), its ``end`` marker, and the ``cut`` mark (``x``)."""

    line: Line2D
    end: Line2D
    cut: Line2D


def add_path_artists(ax, series_style, label):
    """Add the (empty) artists of one path to ``ax``; fill them with :func:`set_path`."""
    line, = ax.plot([], [], **series_style.kwargs(), markersize=5, linewidth=1.6,
                    label=label, zorder=3)
    end, = ax.plot([], [], linestyle="none", marker=series_style.marker, color=series_style.color,
                   markersize=10, markeredgecolor="black", zorder=5)
    cut, = ax.plot([], [], linestyle="none", marker="x", color=series_style.color, markersize=13,
                   markeredgewidth=3, zorder=6)
    return PathArtists(line, end, cut)


def marks_every(n, marks=8):
    """``markevery`` for a line of ``n`` points: about ``marks`` markers, spaced by index.

    An integer is much cheaper to draw than matplotlib's distance-based
    float ``markevery``, which matters when a slider redraws the line.
    """
    return max(1, n // marks)


def set_path(artists, path):
    """Copy a :class:`~course_lib.explore.PathData` into its artists (``set_data``; nothing is redrawn)."""
    artists.line.set_data(path.xy[:, 0], path.xy[:, 1])
    artists.line.set_markevery(marks_every(len(path.xy)))
    artists.line.set_label(path.label)
    ran = len(path.steps) > 0
    end = path.end if (ran and path.diverged) else path.xy[-1]
    artists.cut.set_data([end[0]] if ran and path.diverged else [], [end[1]] if ran and path.diverged else [])
    artists.end.set_data([end[0]] if ran and not path.diverged else [], [end[1]] if ran and not path.diverged else [])


def legend_proxies(start=True, diverged=True):
    """Legend entries for the start marker and the diverged mark, which every series shares."""
    handles = []
    if start:
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=8, color="black",
                              markerfacecolor="none", markeredgewidth=1.5, label="start"))
    if diverged:
        handles.append(Line2D([], [], linestyle="none", marker="x", markersize=10, color="black",
                              markeredgewidth=2.5, label="diverged (path cut)"))
    return handles


def add_start_artist(ax):
    """The (empty) marker of the starting points: a black hollow circle."""
    start, = ax.plot([], [], linestyle="none", marker="o", markersize=8, color="black", markerfacecolor="none",
                     markeredgewidth=1.5, zorder=7)
    return start


def plot_trajectories(objective, trajectories, ax=None, window=None, title=None, levels=20, legend=True,
                      margin=1.0):
    """Contour of ``objective`` with the paths of several runs, their starts, ends and the known minima.

    A run that diverged is cut where it leaves the view (or at its last
    finite point) and marked there with a large ``x``.

    Parameters
    ----------
    objective : Objective
        The 2-D objective the runs minimised.
    trajectories : Trajectory or list of Trajectory
        The runs; their labels go into the legend.
    ax : Axes, optional
        Where to draw (default: a new figure).
    window : ((xmin, xmax), (ymin, ymax)), optional
        The view (default: the objective's window).
    title : str, optional
        Default: "<objective>: <n> runs".
    levels : int
        Number of contour levels.
    legend : bool
        Draw a legend.
    margin : float
        Paths are cut where they leave the window grown by this fraction.

    Returns
    -------
    fig, ax
    """
    trajs = as_trajectories(trajectories)
    window = _window(objective, window)
    ax = plot_contour(objective, ax, window, levels=levels)
    labels = _labels(trajs)
    paths = [path_data(t, window, label, margin)._replace(label=label) for t, label in zip(trajs, labels)]
    for path, st in zip(paths, style.styles_for(labels)):
        set_path(add_path_artists(ax, st, path.label), path)
    starts = np.array([p.xy[0] for p in paths]) if paths else np.empty((0, 2))
    add_start_artist(ax).set_data(starts[:, 0], starts[:, 1])
    ax.set_title(title or f"{objective.name}: {len(trajs)} run{'s' * (len(trajs) != 1)}")
    if legend:
        handles = ax.get_legend_handles_labels()[0]
        ax.legend(handles=handles + legend_proxies(diverged=any(p.diverged for p in paths)), loc="best")
    return ax.figure, ax


def _surface_height(values, f_min, log):
    """The plotted height: ``f``, or ``log10(1 + f - f_min)`` for objectives with a huge range."""
    values = np.asarray(values, dtype=float)
    if not log:
        return values
    with np.errstate(all="ignore"):
        return np.log10(1 + np.maximum(values - f_min, 0))


def plot_surface(objective, trajectories=(), ax=None, window=None, n=60, title=None, elev=35, azim=-60):
    """A 3-D surface of a 2-D objective (``viridis``), with runs drawn on it.

    For objectives with ``log_scale`` the height is :math:`\\log_{10}(1 + f - f_{min})`.

    Returns
    -------
    fig, ax
    """
    trajs = as_trajectories(trajectories)
    with _automatic_title():
        fig, ax = _figure_axes(ax, (6, 5), projection="3d")
    window = _window(objective, window)
    X, Y, Z = objective.grid(n, window)
    f_min = float(np.nanmin(Z))
    H = _surface_height(Z, f_min, objective.log_scale)
    ax.plot_surface(X, Y, H, cmap=style.SURFACE_CMAP, alpha=0.75, linewidth=0, antialiased=False)
    labels = _labels(trajs)
    for t, label, st in zip(trajs, labels, style.styles_for(labels)):
        xy, end, _ = visible_path(t.xs, window, margin=0.0)
        h = _surface_height(objective(xy), f_min, objective.log_scale)
        ax.plot(xy[:, 0], xy[:, 1], h, **st.kwargs(), markevery=marks_every(len(xy)), label=label, zorder=5)
        if t.diverged:
            ax.plot([end[0]], [end[1]], _surface_height([objective(end)], f_min, objective.log_scale),
                    linestyle="none", marker="x", markersize=12, markeredgewidth=3, color=st.color)
    xl, yl = axis_labels(objective)
    ax.set_xlabel(xl)
    ax.set_ylabel(yl)
    ax.set_zlabel(r"$\log_{10}(1 + f - f_{min})$" if objective.log_scale else "$f$")
    ax.view_init(elev=elev, azim=azim)
    with _automatic_title():
        ax.set_title(title or f"Surface of {objective.name}")
    if trajs:
        ax.legend(loc="upper left")
    return fig, ax


def _automatic_title():
    """A context in which axes and titles get matplotlib's automatic title placement.

    A 3-D box reaches above its axes area; matplotlib lifts the title clear of it only when
    ``axes.titley`` is None, whereas the course's style fixes titles just above flat axes.
    """
    return plt.rc_context({"axes.titley": None})


def _value_scale(ax, values, log):
    """Log scale if asked and every value is positive, symlog if asked but some are not, else linear."""
    v = np.concatenate([np.ravel(x) for x in values]) if values else np.empty(0)
    v = v[np.isfinite(v)]
    if not log:
        return "linear"
    if v.size and np.all(v > 0):
        ax.set_yscale("log")
        return "log"
    positive = np.abs(v[v != 0])
    ax.set_yscale("symlog", linthresh=float(positive.min()) if positive.size else 1.0)
    return "symlog"


def plot_losses(trajectories, ax=None, log=True, f_star=None, title=None):
    """The loss per step of several runs (the suboptimality :math:`f - f^*` when ``f_star`` is given).

    Parameters
    ----------
    trajectories : Trajectory or list of Trajectory
        The runs.
    ax : Axes, optional
        Where to draw.
    log : bool
        Logarithmic y axis (symlog if some values are not positive).
    f_star : float, optional
        The optimal value, subtracted from every loss.
    title : str, optional
        Default: "Loss per step".

    Returns
    -------
    fig, ax
    """
    trajs = as_trajectories(trajectories)
    fig, ax = _figure_axes(ax, (5.5, 4))
    shift = 0.0 if f_star is None else float(f_star)
    ys = [np.asarray(t.fs, float) - shift for t in trajs]
    _value_scale(ax, ys, log)
    labels = _labels(trajs)
    for t, y, label, st in zip(trajs, ys, labels, style.styles_for(labels)):
        ax.plot(np.arange(t.nit + 1), y, **st.kwargs(), markevery=marks_every(len(y)), label=label)
        if t.diverged:
            ax.plot([t.nit], [y[-1]], linestyle="none", marker="x", markersize=12, markeredgewidth=3, color=st.color)
    ax.set_xlabel("step $t$")
    ax.set_ylabel("$f(x_t)$" if f_star is None else "$f(x_t) - f^*$")
    ax.set_title(title or "Loss per step")
    handles = ax.get_legend_handles_labels()[0]
    if handles:
        ax.legend(handles=handles + legend_proxies(start=False, diverged=any(t.diverged for t in trajs)))
    return fig, ax


def small_multiples(panels, ncols=2, titles=None, suptitle=None, panel_size=(4.5, 4), **kwargs):
    """One contour-and-paths panel per ``(objective, trajectories)`` pair, on a grid.

    Parameters
    ----------
    panels : sequence of (Objective, Trajectory or list of Trajectory)
        What each panel shows.
    ncols : int
        Panels per row.
    titles : sequence of str, optional
        One per panel (default: each objective's name).
    suptitle : str, optional
        Title of the whole figure (default: "Small multiples: <n> panels").
    panel_size : (float, float)
        Size of one panel in inches.
    **kwargs
        Passed to :func:`plot_trajectories` (``levels``, ``margin``, ...).

    Returns
    -------
    fig, axes : Figure, ndarray of Axes (unused cells are hidden)
    """
    panels = list(panels)
    if not panels:
        raise ValueError("small_multiples needs at least one (objective, trajectories) panel")
    if isinstance(ncols, bool) or not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise ValueError(f"ncols must be a positive integer, got {ncols!r}")
    if titles is not None and len(titles) != len(panels):
        raise ValueError(f"titles must have one entry per panel ({len(panels)}), got {len(titles)}")
    ncols = min(ncols, len(panels))
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_size[0] * ncols, panel_size[1] * nrows),
                             squeeze=False, layout="constrained")
    for i, (ax, (objective, trajs)) in enumerate(zip(axes.flat, panels)):
        plot_trajectories(objective, trajs, ax=ax, title=titles[i] if titles else objective.name, **kwargs)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    fig.suptitle(suptitle or f"Small multiples: {len(panels)} panels")
    return fig, axes


def plot_lr_sensitivity(lrs, runs, ax=None, f_star=None, title=None):
    """Final loss against learning rate, one line per optimizer; diverged runs marked ``x`` at the top.

    Parameters
    ----------
    lrs : array_like, shape (m,)
        The learning rates, all positive.
    runs : mapping of str -> sequence of Trajectory
        For each optimizer (its name is the legend label), the ``m`` runs,
        one per learning rate, computed beforehand.
    ax : Axes, optional
        Where to draw.
    f_star : float, optional
        The optimal value; the y axis then shows :math:`f - f^*`.
    title : str, optional
        Default: "Final loss vs learning rate".

    Returns
    -------
    fig, ax
    """
    lrs = np.asarray(lrs, dtype=float)
    if lrs.ndim != 1 or not lrs.size or not np.all(np.isfinite(lrs) & (lrs > 0)):
        raise ValueError(f"lrs must be a non-empty 1-D array of positive numbers, got {lrs!r}")
    if not isinstance(runs, Mapping) or not runs:
        raise ValueError(f"runs must be a non-empty mapping of optimizer name -> list of Trajectory, got {runs!r}")
    table = {name: as_trajectories(ts) for name, ts in runs.items()}
    for name, ts in table.items():
        if len(ts) != len(lrs):
            raise ValueError(f"runs[{name!r}] has {len(ts)} runs but there are {len(lrs)} learning rates")
    fig, ax = _figure_axes(ax, (6, 4))
    shift = 0.0 if f_star is None else float(f_star)
    finals = {name: np.array([t.fun - shift for t in ts]) for name, ts in table.items()}
    diverged = {name: np.array([t.diverged for t in ts]) for name, ts in table.items()}
    _value_scale(ax, [finals[n][~diverged[n]] for n in table], True)
    ax.set_xscale("log")
    top = ax.get_xaxis_transform()          # x in data, y in axes coordinates
    for name, st in zip(table, style.styles_for(list(table))):
        ok = ~diverged[name]
        y = np.where(ok, finals[name], np.nan)     # gaps where runs diverged
        ax.plot(lrs, y, **st.kwargs(), markevery=1, label=name)
        ax.plot(lrs[~ok], np.full((~ok).sum(), 0.97), transform=top, linestyle="none", marker="x",
                markersize=10, markeredgewidth=2.5, color=st.color, clip_on=False)
    ax.set_xlabel("learning rate $\\eta$")
    ax.set_ylabel("final $f$" if f_star is None else "final $f - f^*$")
    ax.set_title(title or "Final loss vs learning rate")
    handles = ax.get_legend_handles_labels()[0]
    ax.legend(handles=handles + legend_proxies(start=False, diverged=any(d.any() for d in diverged.values())))
    return fig, ax


class Race(NamedTuple):
    """The figure of a race and how to show one frame of it (shared by :func:`race_animation` and :func:`race_html`).

    ``draw(k)`` puts frame ``k`` into the artists; ``moving`` lists every artist
    that changes between frames or must stay on top of them (the paths, the
    start markers, the legend and the title), in drawing order.
    """

    figure: Figure
    frames: int
    draw: object
    moving: list


def _race(objective, trajectories, frames, window, title, figsize, dpi, margin, grid):
    trajs = as_trajectories(trajectories)
    if not trajs:
        raise ValueError("race_animation needs at least one trajectory")
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) or frames < 1:
        raise ValueError(f"frames must be a positive integer, got {frames!r}")
    # A figure outside pyplot keeps the base canvas, whose draw_idle does nothing: matplotlib's saving
    # loop then renders each frame once (in savefig) instead of twice.
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    ax = plot_contour(objective, fig.add_subplot(), window, n=grid)
    window = _window(objective, window)
    labels = _labels(trajs)
    paths = [path_data(t, window, label, margin)._replace(label=label) for t, label in zip(trajs, labels)]
    artists = [add_path_artists(ax, st, p.label) for p, st in zip(paths, style.styles_for(labels))]
    starts = np.array([p.xy[0] for p in paths])
    add_start_artist(ax).set_data(starts[:, 0], starts[:, 1])
    ax.legend(handles=ax.get_legend_handles_labels()[0]
                       + legend_proxies(diverged=any(p.diverged for p in paths)), loc="upper right", fontsize="x-small")
    ax.set_title(title or f"{objective.name}: optimizers racing")
    fig.draw_without_rendering()          # lay the figure out once, then freeze the layout for every frame
    fig.set_layout_engine("none")
    shown = np.unique(np.round(np.linspace(0, max(t.nit for t in trajs), frames)).astype(int))
    heading = title or f"{objective.name}: optimizers racing"

    def draw(k):
        step = int(shown[k])
        for a, p in zip(artists, paths):
            set_path(a, p._replace(xy=p.xy[: step + 1], diverged=False) if step + 1 < len(p.xy) else p)
        ax.set_title(f"{heading} — step {step}")
        return [x for a in artists for x in a]

    # what a frame changes, and everything drawn on top of it (markers, legend, title), in Axes.draw's order
    lowest = min(x.get_zorder() for a in artists for x in a)
    moving = [a for a in sorted(ax.get_children(), key=lambda a: a.get_zorder())
              if a.get_zorder() >= lowest and a is not ax.patch]
    return Race(fig, len(shown), draw, moving)


def race_animation(objective, trajectories, frames=24, interval=150, window=None, title=None, figsize=(6, 5),
                   dpi=72, margin=1.0, grid=80):
    """An animation of several optimizers racing on one contour plot.

    Rendering is kept cheap: only ``frames`` frames are drawn (the runs are
    subsampled evenly in steps), the contour uses a ``grid`` x ``grid`` grid,
    and the layout is computed once. The legend names each run's
    hyperparameters.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        Render it with ``anim.to_jshtml()`` (or use :func:`race_html`, which
        renders the same frames faster). Its figure is not managed by pyplot,
        so it is never shown twice.
    """
    race = _race(objective, trajectories, frames, window, title, figsize, dpi, margin, grid)
    return animation.FuncAnimation(race.figure, race.draw, frames=race.frames, interval=interval, blit=False,
                                   repeat=False)


def race_frames(race):
    """The PNG of every frame of a :class:`Race`: the static part is drawn once, then each frame is blitted.

    Drawing the whole figure for every frame (as ``Animation.save`` does) repeats
    the contour, the ticks and the layout each time; here a
    :class:`~course_lib.painter.Painter` draws only ``race.moving`` over a copy of
    the first full draw. The pixels are those of a full draw
    (``tests/test_plotting.py`` compares them).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = FigureCanvasAgg(race.figure)
    painter = Painter(race.figure, race.moving)
    try:
        canvas.draw()                                      # everything but the moving artists, kept by the painter
        pngs = []
        for k in range(race.frames):
            race.draw(k)
            painter.refresh()
            buf = io.BytesIO()
            Image.fromarray(painter.rgba()).save(buf, format="png")
            pngs.append(buf.getvalue())
    finally:
        for artist in race.moving:
            artist.set_animated(False)
    return pngs


class _PngFramesWriter(animation.HTMLWriter):
    """matplotlib's HTML player, fed finished PNG frames instead of calling ``savefig`` for each."""

    def add_png(self, png):
        """Embed one frame (matplotlib's own size limit, ``animation.embed_limit``, still applies)."""
        frame = base64.encodebytes(png).decode("ascii")
        self._total_bytes += len(frame)
        if self._total_bytes >= self._bytes_limit:
            raise ValueError(f"the animation exceeds matplotlib's animation.embed_limit "
                             f"({self._bytes_limit / 2**20:g} MB): use fewer frames, a smaller figure or a lower dpi")
        self._saved_frames.append(frame)


def _player_html(fig, pngs, interval, default_mode):
    """The JS player of ``Animation.to_jshtml`` around ready-made PNG frames."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "race.html")
        writer = _PngFramesWriter(fps=1000 / interval, embed_frames=True, default_mode=default_mode)
        writer.setup(fig, path, dpi=fig.dpi)
        for png in pngs:
            writer.add_png(png)
        writer.finish()
        return path.read_text()


#: Text symbols for the animation player's buttons (matplotlib's player asks for Font Awesome icons from a
#: CDN, which offline learners do not have; every button keeps its title and aria-label).
_PLAYER_SYMBOLS = {"fa-minus": "−", "fa-fast-backward": "|◀", "fa-step-backward": "◁",
                   "fa-play fa-flip-horizontal": "◀", "fa-pause": "❚❚", "fa-play": "▶", "fa-step-forward": "▷",
                   "fa-fast-forward": "▶|", "fa-plus": "+"}


def _offline_player(player):
    """matplotlib's JS player without its CDN stylesheet, with text symbols instead of icon fonts."""
    player = re.sub(r'<link rel="stylesheet"\s+href="https?://[^"]*font-awesome[^"]*">', "", player)

    def symbol(match):
        return f'<span aria-hidden="true">{_PLAYER_SYMBOLS.get(match.group(1), "•")}</span>'

    return re.sub(r'<i class="fa ([^"]+)"></i>', symbol, player)


#: The keyword defaults of :func:`race_animation`, which :func:`race_html` shares.
_RACE_DEFAULTS = {name: p.default for name, p in inspect.signature(race_animation).parameters.items()
                  if p.default is not inspect.Parameter.empty}


def race_html(objective, trajectories, alt, **kwargs):
    """The race of :func:`race_animation` as self-contained HTML/JS (plays in JupyterLab and on static pages).

    Parameters
    ----------
    objective, trajectories, **kwargs
        As for :func:`race_animation`.
    alt : str
        What the animation shows, for readers who cannot see it (required, non-empty).

    Returns
    -------
    str
        A ``<figure>`` with ``alt`` as its accessible label and caption;
        display it with ``IPython.display.HTML``. It needs no network: the
        player's buttons are text symbols, not icons from a CDN.
    """
    alt = style.check_alt(alt)
    options = {**_RACE_DEFAULTS, **kwargs}
    interval = options.pop("interval")
    race = _race(objective, trajectories, **options)
    player = _offline_player(_player_html(race.figure, race_frames(race), interval, default_mode="once"))
    label = html.escape(alt, quote=True)
    return f'<figure aria-label="{label}">{player}<figcaption>{html.escape(alt)}</figcaption></figure>'
