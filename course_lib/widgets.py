"""Interactive explorers for JupyterLab: sliders wired to the pure functions of :mod:`course_lib.explore`.

* :class:`OptimizerExplorer` -- optimizers on a 2-D objective, with sliders for
  their hyperparameters (lr on a log scale, betas, momentum, eps), the number
  of steps and the start point; paths on a contour plot and loss curves.
* :class:`FunctionExplorer` -- a 1-D function, a point on it, the tangent there
  and one gradient-descent step.
* :class:`LandscapeExplorer` -- the loss landscape of a 2-parameter model next
  to the model's fit for the chosen parameters.
* :class:`CriticalPointClassifier` -- type a formula, see its critical points
  classified.

Each explorer creates its figure once. A slider move computes a new frame
(:mod:`course_lib.explore`), copies it into the existing artists with
``set_data`` and redraws only those artists over a cached background
(blitting, :mod:`course_lib.painter`). When a panel's limits have to change,
only that panel is redrawn, or the whole figure where that is not safe.

The figure reaches the browser as a :class:`~course_lib.figure_view.FigureView`:
a picture of its still part, sent only when that changes, and the moving
artists as drawing commands (:mod:`course_lib.scene`), which the browser draws
over it. That is the quickest way from a drag to a new picture
(``benchmarks/results.json``, section "browser"), and it needs no matplotlib
backend. On a high-density screen the figure is drawn at the screen's
resolution (:meth:`Explorer.set_pixel_ratio`). An explorer whose moving
artists a scene cannot hold, or that does not blit, sends a PNG of its whole
canvas instead, as it does where anywidget is not installed (:func:`new_view`).
With ``canvas=True`` the figure is an ipympl canvas (``%matplotlib widget``):
slower to repaint, but with ipympl's toolbar to pan and zoom.

An explorer whose moves compute for long (:attr:`Explorer.prefetch`) computes
the slider settings next to the one on show ahead, on a background thread that
gives way to every move and every cell (:mod:`course_lib.idle`).

Display an explorer by making it the last expression of a cell.
"""

from __future__ import annotations

import contextlib
import functools
import html
import math
import warnings

import ipywidgets as W
import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from . import critical, explore, idle, plotting, png, style
from .painter import Painter
from .scene import Scene, Unsupported, record
from .explore import SliderSpec

__all__ = ["ipympl_active", "new_figure", "new_view", "PictureView", "live_canvas_class", "ipympl_frame",
           "make_slider", "Painter", "Explorer", "control_column", "control_row", "series_controls",
           "OptimizerExplorer", "FunctionExplorer", "LandscapeExplorer", "CriticalPointClassifier", "report_html",
           "critical_figure"]


def ipympl_active():
    """True if matplotlib's backend is ipympl (``%matplotlib widget`` / ``%matplotlib ipympl``)."""
    backend = matplotlib.get_backend().lower()
    return "ipympl" in backend or backend == "widget"


def new_figure(figsize, dpi=100, canvas=False):
    """A figure outside pyplot, on an ipympl canvas widget if ``canvas``, else on a plain Agg canvas.

    Either way its renderer shares the course's mathtext parser (:func:`course_lib.style.share_mathtext`).
    """
    fig = Figure(figsize=figsize, dpi=dpi)
    if canvas:
        try:
            from ipympl.backend_nbagg import Canvas, FigureManager
        except ImportError as err:
            raise ValueError("an ipympl canvas (canvas=True) needs ipympl: pip install ipympl, or leave canvas=False "
                             "to show the figure in the course's own view") from err
        live = live_canvas_class(Canvas)(fig)
        FigureManager(live, 0)
        live.header_visible = False
        live.footer_visible = False
        live.resizable = False
        live.toolbar_visible = "fade-in-fade-out"
    else:
        FigureCanvasAgg(fig)
    style.share_mathtext(fig.canvas)
    return fig


@functools.lru_cache(maxsize=None)
def live_canvas_class(canvas_class):
    """ipympl's ``Canvas`` (passed in), sending every frame as a PNG from :func:`course_lib.png.encode_rgba`.

    After each slider move the kernel sends the browser a PNG of the canvas
    (only the changed pixels, the rest transparent: ipympl's "diff" frames).
    matplotlib makes it with Pillow, whose row filtering costs 10-40 ms per
    frame here; :func:`~course_lib.png.encode_rgba` makes the same picture
    several times faster. Everything else is ipympl's.
    """

    class LiveCanvas(canvas_class):
        def get_diff_image(self):
            """matplotlib's ``get_diff_image`` (full or diff frame, as ipympl expects), encoded fast."""
            if not self._png_is_old:
                return None
            mode, image, self._last_buff = ipympl_frame(np.asarray(self.get_renderer().buffer_rgba()),
                                                        self._last_buff, self._force_full)
            self.set_image_mode(mode)
            self._force_full = False
            self._png_is_old = False
            return png.encode_rgba(image)

    LiveCanvas.__name__ = LiveCanvas.__qualname__ = f"Live{canvas_class.__name__}"
    return LiveCanvas


def ipympl_frame(pixels, last, force_full=False):
    """The picture ipympl sends for the canvas ``pixels`` after the frame ``last`` (matplotlib's rule).

    A "full" frame is the whole canvas; a "diff" frame keeps only the pixels that
    changed and leaves the rest transparent, for the browser to draw over the
    previous picture. A full frame is sent first, after a resize, when forced, or
    when the canvas has transparent pixels (which a diff could not overlay).

    Parameters
    ----------
    pixels : ndarray of uint8, shape (height, width, 4)
        The canvas now.
    last : ndarray of uint32, shape (height, width), or None
        The previous frame, one uint32 per pixel (as returned here).
    force_full : bool
        Send the whole canvas.

    Returns
    -------
    mode : {"full", "diff"}
    image : ndarray of uint8, shape (height, width, 4)
    buff : ndarray of uint32
        This frame, to pass as ``last`` next time.
    """
    buff = pixels.view(np.uint32).squeeze(2)     # one uint32 per pixel: compare whole pixels at once
    if force_full or last is None or buff.shape != last.shape or (pixels[:, :, 3] != 255).any():
        mode, output = "full", buff
    else:
        mode, output = "diff", np.where(buff != last, buff, 0)
    return mode, output.view(np.uint8).reshape((*output.shape, 4)), buff.copy()


def _blas_controller():
    """A threadpoolctl controller of the BLAS libraries NumPy has loaded, or None without threadpoolctl."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController()


def new_view():
    """The explorers' default view: a :class:`~course_lib.figure_view.FigureView`, or, where anywidget is not
    installed, a :class:`PictureView` (whole pictures, slower), with a warning that says how to get the first."""
    try:
        from .figure_view import FigureView
    except ImportError:
        warnings.warn("anywidget is not installed, so the explorers send a whole picture after every move, which "
                      "repaints more slowly: pip install anywidget (or make venv)", stacklevel=3)
        return PictureView()
    return FigureView()


class PictureView(W.Image):
    """An image widget with the interface of a :class:`~course_lib.figure_view.FigureView` that shows whole
    pictures only: :meth:`show` takes an empty scene and the picture as its background."""

    #: It cannot draw a scene: explorers draw their moving artists into the picture themselves.
    draws_scenes = False

    def __init__(self):
        super().__init__(format="png")

    def show(self, scene, alt, background=None):
        """Show ``background`` (the whole picture, RGBA); ``scene`` must be empty. ``alt`` goes to the status line."""
        if scene.ops:
            raise ValueError(f"a PictureView shows whole pictures and cannot draw a scene of {len(scene.ops)} ops")
        if background is not None:
            self.value = png.encode_rgba(background)


def control_row(widgets):
    """The explorers' controls: ``widgets`` side by side, wrapping onto more lines in a narrow window."""
    return W.HBox(list(widgets), layout=W.Layout(flex_flow="row wrap"))


def series_controls(controls, series):
    """The controls of an explorer of optimizer runs: a "run" column, then one column per optimizer."""
    runs = control_column("run", [controls[k] for k in ("steps", "x0", "y0")])
    return [runs, *(control_column(s.key, [controls[f"{s.key}.{k}"] for k in s.sliders]) for s in series)]


def make_slider(spec, continuous_update=True):
    """The ipywidgets slider of a :class:`~course_lib.explore.SliderSpec` (``FloatLogSlider`` for log scales)."""
    common = dict(description=spec.label, continuous_update=continuous_update,
                  style={"description_width": "initial"}, layout=W.Layout(width="300px"))
    step = spec.slider_step         # (so that its positions are those of spec.positions())
    if spec.integer:
        return W.IntSlider(value=int(spec.value), min=int(spec.low), max=int(spec.high), step=step, **common)
    if spec.log:
        return W.FloatLogSlider(value=spec.value, base=10, min=math.log10(spec.low), max=math.log10(spec.high),
                                step=step, readout_format=".2e", **common)
    return W.FloatSlider(value=spec.value, min=spec.low, max=spec.high, step=step, readout_format=".4g", **common)


#: CSS that hides text from view but not from screen readers.
_VISUALLY_HIDDEN = ("position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; "
                    "clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0")


class Explorer:
    """The base of every explorer: sliders -> ``compute(values)`` -> ``render(frame)`` -> display.

    A subclass builds its figure, then calls :meth:`_finish` with its control box, and provides
    ``compute(values) -> frame`` (pure: what to draw), ``_apply(frame) -> bool`` (``set_data`` on its
    artists; True if an axis changed), ``_moving_artists()`` and ``_describe(frame)`` (the alt text).
    """

    #: Whether a move that changes a panel's limits (:meth:`_move_axes`) redraws just that panel (see
    #: :meth:`Painter.refresh`) rather than the whole figure. Off in an explorer whose panels cost as
    #: much to measure and redraw alone as the whole figure does.
    one_panel_redraws = True

    #: Whether the explorer computes ahead, on a background thread, the frames of the slider settings
    #: next to the one on show (:func:`explore.nearby_values`, nearest first), so that a move there is
    #: answered from its caches. It starts when a browser shows the figure, and again after each move of
    #: a slider (by the learner, or by code setting a slider's value; :meth:`update` never starts it);
    #: it stops when the browser no longer shows the figure (its cell re-run or cleared), and gives way
    #: to every move and every cell (see :mod:`course_lib.idle`). For an explorer whose moves compute
    #: longer than a drag can wait (notebook 08's explorers train two models per move), and whose
    #: ``compute`` caches what it computes.
    prefetch = False
    #: With :attr:`prefetch`: at most this many settings are computed ahead of one setting ...
    prefetch_limit = 128
    #: ... starting this many seconds after the move, when a drag has usually sent its next value, the
    #: first this many before those of the other explorers (which go on, taking turns, afterwards).
    prefetch_delay = 0.05
    prefetch_first = 4

    #: One computation at a time in the whole kernel, and a move before any computing ahead, which runs
    #: on its background thread (:class:`course_lib.idle.Turns`; JupyterLab may deliver slider moves on
    #: a thread of their own too, a kernel subshell).
    _turns = idle.Turns()

    def __init__(self, specs, figsize, canvas, blit):
        self.specs = dict(specs)
        self.figure = new_figure(figsize, canvas=bool(canvas))
        self.controls = {k: make_slider(s) for k, s in self.specs.items()}
        self.status = W.HTML()
        self.view = None if canvas else new_view()            # None: the ipympl canvas is the view
        self._dpi = self.figure.dpi     # the figure's own resolution (it is drawn at `ratio` times that)
        self._size = self.figure.canvas.get_width_height()     # its size in CSS pixels, whatever the ratio
        self.ratio = 1.0                # pixels per CSS pixel the figure is drawn at
        self._sent = None           # the painter's background version last sent to the view
        self.frame = None
        self._blit = blit
        self._holding = False
        self._moved_axes = []
        self._shown = None          # the slider values of the frame on show
        self._before = None         # ... and of the one before
        self._blas = _blas_controller()     # limits BLAS to one thread in compute (None: no threadpoolctl)

    def _finish(self, controls):
        """Call at the end of a subclass's ``__init__``, once its artists exist, with the controls to show."""
        self.painter = Painter(self.figure, self._moving_artists(), self._blit)
        # With a view that draws the moving artists itself, the kernel no longer draws them.
        self.painter.defer = self.view is not None and self._blit and self.view.draws_scenes
        view = self.figure.canvas if self.view is None else self.view
        self.widget = W.VBox([control_row(controls), view, self.status])
        for w in self.controls.values():
            w.observe(self._on_change, names="value")
        if self.view is not None and self.view.has_trait("device_pixel_ratio"):
            self.view.observe(self._on_pixel_ratio, names="device_pixel_ratio")
            self.view.observe(self._on_shown, names="shown")
        self._run_ahead()
        self._refresh()
        if self.one_panel_redraws:
            self.painter.measure()      # now, while the cell runs, rather than on the first slider move

    def _run_ahead(self):
        """With a ``steps`` slider: compute the frame at its maximum once, while the cell runs (before the first
        frame, which is then answered from the cache too).

        The runs (and whatever the explorer derives per step) are then cached as far as the slider goes,
        and every position of it is answered from the cache (:meth:`explore.RunCache.run`), including the
        first drag upwards, which would otherwise run the optimizers during the drag.
        """
        steps = self.specs.get("steps")
        values = self.values()
        if steps is not None and values["steps"] < steps.high:
            with self._turns.foreground(), self._one_blas_thread():
                self.compute({**values, "steps": steps.high})

    def _contour_and_panels(self, panels, grid, levels, **margins):
        """Lay out the figure as a contour of the objective and ``panels`` panels beside it; return the axes."""
        self.figure.subplots_adjust(**margins)
        axes = self.figure.subplots(1, 1 + panels)
        plotting.plot_contour(self.objective, axes[0], self.window, n=grid, levels=levels)
        return axes

    @staticmethod
    def _log_y(ax):
        """Put ``ax``'s y axis on a log scale, with a tick and a label at each decade and no minor ticks.

        A move that changes the panel's limits redraws it, ticks and all. Over the many decades a loss
        panel spans (three at least, :func:`course_lib.explore.log_limits`), matplotlib's minor ticks
        (up to eight a decade) made that redraw cost half as much again (``make bench``, the line "Log
        loss panel"), and the labelled decades are what a loss curve is read by.
        """
        ax.set_yscale("log")
        ax.yaxis.set_minor_locator(NullLocator())

    def _move_axes(self, ax, ylim, xlim):
        """Set ``ax``'s limits to ``ylim`` and ``xlim``; True if either changed (a redraw of ``ax`` is then due).

        With :attr:`one_panel_redraws`, the axes is remembered, so that :meth:`render` can redraw just
        this panel (see :meth:`Painter.refresh`) when nothing else changed.
        """
        changed = tuple(ylim) != tuple(ax.get_ylim()) or tuple(xlim) != tuple(ax.get_xlim())
        if changed:
            if self.one_panel_redraws:
                self.painter.before_move(ax)
                self._moved_axes.append(ax)
            ax.set_ylim(*ylim)
            ax.set_xlim(*xlim)
        return changed

    # -- the values of the sliders -------------------------------------------------------------
    def values(self):
        """The current slider values, by key."""
        return {k: self.specs[k].snap(w.value) for k, w in self.controls.items()}

    def update(self, **values):
        """Set some sliders (checked against their ranges), redraw once, return the new frame."""
        checked = {k: v for k, v in explore.check_values(self.specs, values).items() if k in values}
        self._holding = True
        try:
            for k, v in checked.items():
                self.controls[k].value = v
        finally:
            self._holding = False
        return self._refresh()

    def _on_change(self, change):
        # A browser showing the sliders for the first time puts each on its step grid and sends the
        # value back (0.9 returns as 0.9000000000000001): nothing to redraw when the snapped values,
        # which are what the frame is computed from, are those already shown.
        if not self._holding and self.values() != self._shown:
            self._turns.cancel(self)        # what was queued around the setting before is no use now
            self._refresh()
            self._queue_ahead(moved=True)

    def _on_shown(self, change):
        # The browser counts the views of the figure on its pages: one more (someone reads), or none left.
        if change["new"] > change["old"]:
            self._queue_ahead(moved=False)
        elif change["new"] <= 0:
            self._turns.cancel(self)

    def _queue_ahead(self, moved):
        """With :attr:`prefetch`, queue the frames of the settings next to the one on show (up to
        :attr:`prefetch_limit`) for the background thread, in place of those still queued.

        Called when a browser shows the figure (``moved`` False) and after each move (``moved`` True: then
        after :attr:`prefetch_delay` seconds, further on in the direction of the move first). Each is
        computed by :meth:`compute_ahead`, with BLAS on one thread, and dropped: what stays is what
        ``compute`` caches.
        """
        if not self.prefetch or self._shown is None:
            return
        settings = explore.nearby_values(self.specs, self._shown, previous=self._before if moved else None)
        self._turns.submit(self, [(self._setting(values), functools.partial(self._compute_ahead_task, values))
                                  for values in settings[:self.prefetch_limit]],
                           delay=self.prefetch_delay if moved else 0.0, first=self.prefetch_first if moved else 0)

    def _compute_ahead_task(self, values, check):
        with self._one_blas_thread():
            self.compute_ahead(values, check)

    def _setting(self, values):
        """What computing ``values`` is called while it runs ahead (:meth:`course_lib.idle.Turns.foreground`)."""
        return self, tuple(sorted(values.items()))

    def compute_ahead(self, values, check):
        """Compute ahead, on the background thread, what ``compute(values)`` caches (see :attr:`prefetch`).

        ``check()`` raises :class:`course_lib.idle.GiveWay` when a slider move waits or a cell runs: an
        explorer whose computation takes steps calls it between them, and the computation is tried again
        later. By default ``compute(values)``, in one piece.
        """
        self.compute(values)

    def _on_pixel_ratio(self, change):
        # The browser reports its screen's pixels per CSS pixel: draw the figure at that resolution.
        self.set_pixel_ratio(change["new"])

    def set_pixel_ratio(self, ratio):
        """Draw the figure at ``ratio`` pixels per CSS pixel (clamped by :func:`course_lib.style.pixel_ratio`).

        The view calls it with its screen's ``devicePixelRatio``, so that a high-density screen shows
        the figure as sharp as it can: at a ratio of 2, every pixel of the background is a pixel of the
        screen. The figure keeps its size in CSS pixels; it is redrawn once, and the moves after that
        blit as before. Returns True if the resolution changed.

        Only a :class:`~course_lib.figure_view.FigureView` shows other ratios than 1: an ipympl canvas
        (``canvas=True``) follows the screen by itself, and a :class:`PictureView` shows its pictures
        pixel for pixel. For those, any ratio but 1 is a ValueError.
        """
        ratio = style.pixel_ratio(ratio)
        if ratio == self.ratio:
            return False
        if self.view is None or not self.view.has_trait("device_pixel_ratio"):
            shown_by = "an ipympl canvas, which follows the screen by itself" if self.view is None else \
                f"a {type(self.view).__name__}, which shows pictures pixel for pixel"
            raise ValueError(f"this explorer's figure is shown by {shown_by}: it cannot be drawn at ratio {ratio}")
        with self._turns.foreground():          # (see _refresh)
            self.ratio = ratio
            self.figure.set_dpi(self._dpi * ratio)
            self.painter.refresh(full=True)
            if self.one_panel_redraws:
                self.painter.measure()      # as in _finish: not on the first move that redraws a panel
            self._send()
        return True

    # -- one update: compute, copy into the artists, redraw what changed -------------------------
    def _refresh(self):
        # In its turn from start to end: JupyterLab may deliver a slider move on a thread of its own (a
        # kernel subshell) while a cell updates the same explorer, and matplotlib draws for one thread.
        values = self.values()
        with self._turns.foreground(self._setting(values)):
            self._before, self._shown = self._shown, values
            with self._one_blas_thread():
                frame = self.compute(self._shown)
            self.render(frame)
            if self.view is not None:
                self._send()
        return frame

    def _one_blas_thread(self):
        """A context in which NumPy's BLAS uses one thread, for :meth:`compute`.

        An explorer's matrix products are small, so a second BLAS thread gains nothing; while the browser
        shares the machine (a learner's JupyterLab), it waits for a core, and the move waits with it. In
        the browser test on two cores, notebook 08's moves computed in a median 150 ms with one thread
        against 210 ms with two. Without threadpoolctl (installed with scikit-learn) BLAS is left as it is.
        """
        return contextlib.nullcontext() if self._blas is None else self._blas.limit(limits=1, user_api="blas")

    def _send(self):
        """Show the new frame in the view: the moving artists as a scene, over the background if it changed
        (or, when they cannot be recorded as a scene, the whole picture)."""
        painter = self.painter
        if painter.defer:
            try:
                scene = record(self.figure, painter.artists)
            except Unsupported:
                painter.defer = False           # from now on, the kernel draws the whole picture
            else:
                fresh = painter.version != self._sent
                self._sent = painter.version
                self.view.show(scene, self.alt, painter.background() if fresh else None, **self._resolution())
                return
        self._sent = None
        self.view.show(Scene([], b"", b""), self.alt, painter.rgba(), **self._resolution())

    def _resolution(self):
        """How the view is to show the pictures: at ``ratio`` pixels per CSS pixel, in the figure's CSS size.

        Nothing at a ratio of 1, every view's default: a :class:`PictureView`, which takes no other
        (:meth:`set_pixel_ratio` refuses it one), gets nothing it does not know.
        """
        return {"ratio": self.ratio, "size": self._size} if self.ratio != 1 else {}

    @property
    def alt(self):
        """The alt text of the picture on show: a description of the current frame."""
        return style.get_alt(self.figure)

    def render(self, frame):
        """Show ``frame``: ``set_data`` on the artists, then redraw them (``"blit"``), the panels whose limits
        changed (``"axes"``) or everything (``"full"``)."""
        self.frame = frame
        self._moved_axes = []
        full = self._apply(frame)
        style.set_alt(self.figure, self._describe(frame))
        # The text first, the picture last: the browser then paints the picture as soon as it is decoded,
        # instead of after re-rendering the status line that would otherwise arrive behind it.
        self.status.value = self._status_html(frame)
        self.last_redraw = self.painter.refresh(full, self._moved_axes)
        return self.last_redraw

    def _status_html(self, frame):
        """The status line, followed by the figure's alt text, hidden from view but read by screen readers
        (an ipympl canvas carries no alt text of its own; the figure view's canvas has it as its label)."""
        lines = [html.escape(line) for line in frame.message.splitlines()]
        described = f'<span style="{_VISUALLY_HIDDEN}">Figure: {html.escape(self.alt)}</span>'
        return ('<div aria-live="polite" style="font-family: monospace; font-size: 85%">' + "<br>".join(lines)
                + described + "</div>")

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # -- to be provided by each explorer ---------------------------------------------------------
    def _moving_artists(self):
        raise NotImplementedError

    def compute(self, values):
        """The frame (what to draw) for the slider ``values``; plain computation, no drawing."""
        raise NotImplementedError

    def _apply(self, frame):
        """Copy ``frame`` into the artists; return True if an axis changed (a full redraw is needed)."""
        raise NotImplementedError

    def _describe(self, frame):
        raise NotImplementedError


def control_column(title, widgets):
    """A titled column of controls."""
    return W.VBox([W.HTML(f"<b>{html.escape(title)}</b>"), *widgets])


# The names other course modules first subclassed and used; kept so their code keeps working.
_Explorer = Explorer
_column = control_column


def _legend_rows_bottom(n_entries, ncol, row_height=0.055, base=0.14):
    """The bottom margin that leaves room for a figure legend of ``n_entries`` in ``ncol`` columns."""
    return base + row_height * -(-n_entries // ncol)


class OptimizerExplorer(Explorer):
    """Optimizers on a 2-D objective, with live sliders for their hyperparameters, the steps and the start.

    Parameters
    ----------
    objective : Objective
        A 2-D objective.
    optimizers : sequence of str or (str, dict)
        E.g. ``["gd", ("momentum", {"lr": 0.01}), ("adam", {"lr": 0.1})]``; see
        :func:`course_lib.explore.series_specs`.
    steps, max_steps : int
        Default and maximum of the steps slider. Fewer steps make each update cheaper.
    x0 : (float, float), optional
        Default start point (default: upper left of the window).
    window : ((xmin, xmax), (ymin, ymax)), optional
        The view (default: the objective's window).
    sliders : dict of str -> SliderSpec, optional
        Replace the ranges of some hyperparameter sliders.
    title : str, optional
        Title of the contour panel; say what to notice.
    canvas : bool
        False (default): a :class:`~course_lib.figure_view.FigureView`, in which the browser draws the
        moving artists over a picture of the rest (the quicker way);
        True: an ipympl canvas, with its toolbar to pan and zoom (needs ipympl).
    blit : bool
        Redraw only the moving artists (default); False redraws the whole figure each time.
    grid, levels : int
        Resolution and number of levels of the (static) contour.

    Examples
    --------
    >>> ex = OptimizerExplorer(objectives.rosenbrock(), ["gd", ("adam", {"lr": 0.1})], x0=(-1.5, 2))
    >>> frame = ex.update(**{"adam.lr": 0.5})     # what a slider move does
    >>> ex                                        # display it (last expression of a cell)  # doctest: +SKIP
    """

    def __init__(self, objective, optimizers=("gd", "momentum", "adam"), *, steps=100, max_steps=500, x0=None,
                 window=None, sliders=None, title=None, canvas=False, blit=True, figsize=(10, 4.6),
                 grid=150, levels=20):
        self.objective = objective
        self.window = explore.window_2d(objective, window)
        self.series = explore.series_specs(optimizers, sliders)
        self.cache = explore.RunCache()
        self.scale = explore.loss_scale(objective, self.window)
        super().__init__(explore.explorer_sliders(objective, self.series, steps, max_steps, x0, self.window),
                         figsize, canvas, blit)
        self._build_figure(title, grid, levels)
        self._finish(series_controls(self.controls, self.series))

    def _build_figure(self, title, grid, levels):
        fig = self.figure
        n = len(self.series)
        ncol = min(5, n + 2)
        self.ax_path, self.ax_loss = self._contour_and_panels(1, grid, levels, left=0.06, right=0.98, top=0.92,
                                                              wspace=0.22, bottom=_legend_rows_bottom(n + 2, ncol))
        self.ax_path.set_title(title or f"{self.objective.name}: move the sliders")
        styles = style.styles_for([s.name for s in self.series])
        self.paths = [plotting.add_path_artists(self.ax_path, st, s.key) for s, st in zip(self.series, styles)]
        self.start = plotting.add_start_artist(self.ax_path)
        self.loss_lines = [self.ax_loss.plot([], [], **st.kwargs(), markersize=5)[0] for st in styles]
        self.loss_cuts = [self.ax_loss.plot([], [], linestyle="none", marker="x", markersize=12, markeredgewidth=3,
                                            color=st.color, clip_on=False)[0] for st in styles]
        if self.scale == "log":
            self._log_y(self.ax_loss)
        self.ax_loss.set_xlabel("step $t$")
        self.ax_loss.set_ylabel("$f(x_t)$")
        self.ax_loss.set_title("Loss per step")
        # The legend names the series by key and stays in the cached background: re-rendering its text
        # at every slider move would cost more than everything else. The hyperparameters are on the
        # sliders and in the status lines under the figure.
        self.legend = fig.legend(handles=[p.line for p in self.paths] + plotting.legend_proxies(),
                                 loc="lower center", ncol=ncol, fontsize="small", frameon=False)
        self.warning = self.ax_path.text(0.02, 0.02, "", transform=self.ax_path.transAxes, fontsize="small",
                                         va="bottom", ha="left",
                                         bbox=dict(facecolor="white", alpha=0.85, edgecolor="none"))

    def _moving_artists(self):
        return [a for p in self.paths for a in p] + [self.start] + self.loss_lines + self.loss_cuts + [self.warning]

    def compute(self, values):
        return explore.explorer_frame(self.objective, self.series, values, self.window, self.cache,
                                      horizon=self.specs["steps"].high)

    def _apply(self, frame):
        lim_y = self.ax_loss.get_ylim()
        new_y, shown = explore.loss_view(frame.paths, self.scale, lim_y)
        for arts, line, cut, p, y in zip(self.paths, self.loss_lines, self.loss_cuts, frame.paths, shown):
            plotting.set_path(arts, p)
            line.set_data(p.steps, y)
            line.set_markevery(plotting.marks_every(len(y)))
            cut.set_data(p.steps[-1:] if p.diverged else [], y[-1:] if p.diverged else [])
        self.start.set_data(frame.start[:1], frame.start[1:])
        self.warning.set_text(frame.warnings)
        steps = max((len(p.steps) - 1 for p in frame.paths), default=1)
        new_x = explore.step_limits(steps, self.ax_loss.get_xlim(), self.specs["steps"].high)
        return self._move_axes(self.ax_loss, new_y, new_x)

    def _describe(self, frame):
        return explore.describe_frame(self.objective.name, frame)


class FunctionExplorer(Explorer):
    """A 1-D function with a point, the tangent there and one gradient-descent step (sliders: x and lr).

    Parameters
    ----------
    objective : Objective
        A 1-D objective, e.g. ``objectives.parabola()``.
    x, lr : float, optional
        Starting slider values (default: x at 80 % of the window, lr 0.1).
    window : ((xmin, xmax),), optional
        The plotted interval (default: the objective's window).
    lr_slider : SliderSpec, optional
        Replace the learning-rate slider's range.
    title, canvas, blit
        As for :class:`OptimizerExplorer` (``title`` names the figure's main panel).
    """

    def __init__(self, objective, x=None, lr=0.1, *, window=None, lr_slider=None, title=None, canvas=False,
                 blit=True, figsize=(6.5, 4.5), n=400):
        self.objective = objective
        lo, hi = explore.window_1d(objective, window)
        self.window = ((lo, hi),)
        x = lo + 0.8 * (hi - lo) if x is None else x
        specs = {"x": SliderSpec("x", lo, hi, x, description="x"),
                 "lr": (lr_slider or explore.HYPERPARAM_SLIDERS["lr"]).with_value(lr)}
        super().__init__(specs, figsize, canvas, blit)
        self._build_figure(title, n)
        self._finish([self.controls["x"], self.controls["lr"]])

    def _build_figure(self, title, n):
        (lo, hi), = self.window
        fig = self.figure
        fig.subplots_adjust(left=0.12, right=0.97, top=0.9, bottom=0.12)
        ax = self.ax = fig.subplots()
        xs = np.linspace(lo, hi, n)
        with np.errstate(all="ignore"):
            ys = self.objective(xs[:, None])
        ok = np.isfinite(ys)
        if not ok.any():
            raise ValueError(f"f = {self.objective.name} is not finite anywhere in the window {self.window}")
        curve_style = style.series_style(0)
        ax.plot(xs[ok], ys[ok], color=curve_style.color, linewidth=2, label=f"f(x) = {self.objective.name}")
        y_lo, y_hi = float(ys[ok].min()), float(ys[ok].max())
        pad = 0.08 * (y_hi - y_lo or 1.0)
        ax.set_xlim(lo, hi)
        ax.set_ylim(y_lo - pad, y_hi + pad)
        ax.set_xlabel("$x$")
        ax.set_ylabel("$f(x)$")
        ax.set_title(title or "One gradient step: $x \\leftarrow x - \\eta f'(x)$")
        accent = style.series_style(1)
        self.tangent, = ax.plot([], [], color=style.PALETTE[2], linestyle="--", linewidth=1.5, label="tangent")
        self.point, = ax.plot([], [], linestyle="none", marker="o", markersize=9, color="black", label="x")
        self.next_point, = ax.plot([], [], linestyle="none", marker="D", markersize=8, markerfacecolor="white",
                                   markeredgecolor=accent.color, markeredgewidth=2, label="x − η f'(x)")
        self.arrow = ax.annotate("", xy=(0, 0), xytext=(0, 0),
                                 arrowprops=dict(arrowstyle="-|>", color=accent.color, linewidth=2,
                                                 shrinkA=4, shrinkB=4))
        ax.legend(loc="lower right", fontsize="small")

    def _moving_artists(self):
        # The message (slope, step, change of f) goes in the status line under the figure, not in it:
        # rendering a sentence of text at every slider move would cost more than the rest of the frame.
        return [self.tangent, self.point, self.next_point, self.arrow]

    def compute(self, values):
        return explore.tangent_frame(self.objective, values["x"], values["lr"], self.window)

    def _apply(self, frame):
        self.tangent.set_data(frame.tangent[:, 0], frame.tangent[:, 1])
        self.point.set_data(frame.point[:1], frame.point[1:])
        self.next_point.set_data(frame.step_to[:1], frame.step_to[1:])
        self.arrow.xy = tuple(frame.step_to)
        self.arrow.set_position(tuple(frame.point))
        self.arrow.set_visible(bool(np.linalg.norm(frame.step_to - frame.point) > 0))
        return False

    def _describe(self, frame):
        return (f"Plot of f(x) = {self.objective.name} with the point x = {frame.point[0]:.3g}, its tangent "
                f"and an arrow for one gradient step. {frame.message}.")


class LandscapeExplorer(Explorer):
    """The loss landscape of a 2-parameter model beside the model's fit (sliders: the two parameters).

    Parameters
    ----------
    loss : callable
        ``loss(w1, w2)`` on arrays of equal shape (vectorised), for the contour.
    fit : callable
        ``fit(w1, w2) -> (loss, (x, y))`` for one pair of parameters: the loss
        and the fitted curve to draw.
    window : ((w1min, w1max), (w2min, w2max))
        The parameter ranges (of the sliders and the contour).
    start : (float, float), optional
        Default parameters (default: the window's centre).
    data : (array, array), optional
        The data points, scattered under the fitted curve.
    names : (str, str)
        The parameters' names.
    data_labels : (str, str)
        Axis labels of the fit panel.
    log : bool, optional
        Log-spaced contour levels (default: if the loss spans more than 3 decades).
    title, canvas, blit
        As for :class:`OptimizerExplorer` (``title`` names the figure's main panel).
    """

    def __init__(self, loss, fit, window, *, start=None, data=None, names=("w₁", "w₂"), data_labels=("x", "y"),
                 title=None, log=None, canvas=False, blit=True, figsize=(10, 4.3), grid=80, levels=20):
        window = tuple((float(lo), float(hi)) for lo, hi in window)
        if len(window) != 2 or not all(lo < hi for lo, hi in window):
            raise ValueError(f"window must be ((w1min, w1max), (w2min, w2max)) with min < max, got {window!r}")
        self.fit, self.names, self.window = fit, tuple(names), window
        start = [(lo + hi) / 2 for lo, hi in window] if start is None else start
        specs = {f"w{i + 1}": SliderSpec(f"w{i + 1}", lo, hi, float(s), description=name)
                 for i, ((lo, hi), s, name) in enumerate(zip(window, start, self.names))}
        super().__init__(specs, figsize, canvas, blit)
        self._build_figure(loss, data, data_labels, title, log, grid, levels)
        self._finish([self.controls["w1"], self.controls["w2"]])

    def _build_figure(self, loss, data, data_labels, title, log, grid, levels):
        fig = self.figure
        fig.subplots_adjust(left=0.07, right=0.98, top=0.9, bottom=0.14, wspace=0.25)
        self.ax_loss, self.ax_fit = fig.subplots(1, 2)
        W1, W2, L = explore.loss_grid(loss, self.window, grid)
        finite = L[np.isfinite(L)]
        if not finite.size:
            raise ValueError("loss(w1, w2) is not finite anywhere in the window")
        log = bool(finite.min() > 0 and finite.max() / finite.min() > 1e3) if log is None else log
        lv = plotting.contour_levels(L, levels, log)
        norm = matplotlib.colors.LogNorm(lv[0], lv[-1]) if log else None
        self.ax_loss.contour(W1, W2, L, levels=lv, cmap=style.CONTOUR_CMAP, norm=norm, linewidths=0.8)
        k = np.nanargmin(L)
        self.ax_loss.plot(W1.flat[k], W2.flat[k], linestyle="none", marker="*", markersize=13, color="black",
                          markerfacecolor="white", label="lowest loss on the grid")
        self.ax_loss.set_xlabel(self.names[0])
        self.ax_loss.set_ylabel(self.names[1])
        self.ax_loss.set_title(title or "Loss landscape")
        st = style.series_style(0)
        self.marker, = self.ax_loss.plot([], [], linestyle="none", marker="o", markersize=10, color=st.color,
                                         markeredgecolor="black", label="current parameters")
        self.ax_loss.legend(loc="upper right", fontsize="small")
        if data is not None:
            dx, dy = (np.asarray(a, float) for a in data)
            self.ax_fit.plot(dx, dy, linestyle="none", marker="o", markersize=4, color=style.PALETTE[2],
                             alpha=0.7, label="data")
            pad_x, pad_y = 0.05 * np.ptp(dx) or 1.0, 0.1 * np.ptp(dy) or 1.0
            self.ax_fit.set_xlim(dx.min() - pad_x, dx.max() + pad_x)
            self.ax_fit.set_ylim(dy.min() - pad_y, dy.max() + pad_y)
        else:
            frame = explore.fit_frame(self.fit, *[(lo + hi) / 2 for lo, hi in self.window], self.names)
            self.ax_fit.set_xlim(*explore.linear_limits(frame.curve[:, 0]))
            self.ax_fit.set_ylim(*explore.linear_limits(frame.curve[:, 1]))
        self.curve, = self.ax_fit.plot([], [], color=st.color, linewidth=2, label="model")
        self.ax_fit.set_xlabel(data_labels[0])
        self.ax_fit.set_ylabel(data_labels[1])
        self.ax_fit.set_title("Fit")
        self.ax_fit.legend(loc="upper left", fontsize="small")
        self.text = self.ax_fit.text(0.98, 0.02, "", transform=self.ax_fit.transAxes, ha="right", va="bottom",
                                     fontsize="small", bbox=dict(facecolor="white", alpha=0.85, edgecolor="none"))

    def _moving_artists(self):
        return [self.marker, self.curve, self.text]

    def compute(self, values):
        return explore.fit_frame(self.fit, values["w1"], values["w2"], self.names)

    def _apply(self, frame):
        self.marker.set_data(frame.params[:1], frame.params[1:])
        self.curve.set_data(frame.curve[:, 0], frame.curve[:, 1])
        self.text.set_text(frame.message)
        return False

    def _describe(self, frame):
        return f"Contour map of the loss over ({', '.join(self.names)}) with the current parameters marked, " \
               f"and the fitted curve over the data. {frame.message}."


# ---------------------------------------------------------------------------
# The critical-point classifier
# ---------------------------------------------------------------------------

#: How each kind of critical point is marked (shape, not only colour, tells them apart).
_KIND_MARKERS = {"minimum": "o", "maximum": "^", "saddle": "X", "degenerate": "s", "not critical": "."}


def report_html(report):
    """An HTML table of a :class:`~course_lib.critical.CriticalReport`."""
    pad = 'style="padding: 0.1em 1.2em 0.1em 0; text-align: left"'
    head = "".join(f"<th {pad}>{h}</th>" for h in ("point", "kind", "Hessian eigenvalues", "found by"))
    rows = "".join("<tr>" + "".join(f"<td {pad}>{html.escape(c)}</td>" for c in row) + "</tr>"
                   for row in critical.report_rows(report))
    return (f'<div aria-live="polite"><p>{html.escape(report.message)}</p>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>")


def critical_figure(report, window, grid=120, levels=20):
    """A contour plot of the report's function with its critical points marked by kind."""
    fig = Figure(figsize=(5.5, 4.5), layout="constrained")
    FigureCanvasAgg(fig)
    ax = plotting.plot_contour(report.objective, fig.add_subplot(), window, n=grid, levels=levels, minima=False)
    for i, (kind, marker) in enumerate(_KIND_MARKERS.items()):
        pts = np.array([p.point for p in report.points if p.kind == kind]).reshape(-1, 2)
        if len(pts):
            ax.plot(pts[:, 0], pts[:, 1], linestyle="none", marker=marker, markersize=10,
                    color=style.PALETTE[i], markeredgecolor="black", label=kind)
    ax.set_title(f"Critical points of f = {report.objective.name}")
    if report.points:
        ax.legend(loc="upper right", fontsize="small")
    return fig


class CriticalPointClassifier:
    """Type a formula in x and y; see its critical points, classified by the Hessian's eigenvalues.

    Parameters
    ----------
    expression : str
        The formula shown at first.
    window : ((xmin, xmax), (ymin, ymax))
        Where to look and what to plot.
    time_budget : float
        Seconds ``sympy.solve`` may take before only Newton's method is used.
    """

    def __init__(self, expression="x**3 - 3*x*y**2", window=((-2, 2), (-2, 2)), time_budget=2.0):
        self.window, self.time_budget = window, time_budget
        self.text = W.Text(value=expression, description="f(x, y) =", continuous_update=False,
                           style={"description_width": "initial"}, layout=W.Layout(width="420px"))
        self.button = W.Button(description="Classify", button_style="primary")
        self.result = W.HTML()
        self.image = W.HTML()
        self.report = None
        self.button.on_click(lambda _: self.classify())
        self.text.observe(lambda _: self.classify(), names="value")
        self.widget = W.VBox([W.HBox([self.text, self.button]), self.result, self.image])
        self.classify()

    def classify(self, expression=None):
        """Classify ``expression`` (default: the text box); show the result; return the report or None."""
        if expression is not None:
            self.text.value = expression          # triggers classify() through the observer
            return self.report
        try:
            self.report = critical.find_critical_points(self.text.value, self.window, self.time_budget)
        except ValueError as err:
            self.report = None
            self.result.value = f'<p role="alert"><b>Cannot use this formula:</b> {html.escape(str(err))}</p>'
            self.image.value = ""
            return None
        self.result.value = report_html(self.report)
        fig = critical_figure(self.report, self.window)
        kinds = ", ".join(f"{p.kind} at ({p.point[0]:.3g}, {p.point[1]:.3g})" for p in self.report.points)
        self.image.value = style.figure_html(fig, f"Contour plot of f = {self.report.objective.name}. "
                                                  f"{self.report.message}. {kinds or 'No critical points'}.")
        return self.report

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
