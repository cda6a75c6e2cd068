"""Blitting: redraw only what moves over a cached copy of the rest of the figure.

A :class:`Painter` is what keeps the explorers' sliders and the race animation's
frames cheap: the static part of a figure (contours, axes, labels) is drawn once
and copied; each update restores that copy, draws the moving artists on it and
shows the result. When one panel's limits change, only that panel is redrawn.
"""

from __future__ import annotations

import matplotlib.colors
import numpy as np
from matplotlib.axes import Axes
from matplotlib.transforms import Bbox

__all__ = ["Painter"]


class Painter:
    """Redraw only what moves: blit the ``artists`` over a background cached at the last full draw.

    Parameters
    ----------
    fig : Figure
        A figure on an Agg-based canvas (Agg or ipympl).
    artists : list of Artist
        What changes between frames; they are drawn only by the painter.
    blit : bool
        False: every refresh is a full redraw (the simple, slower way).

    Attributes
    ----------
    defer : bool
        False (default): every refresh draws the moving artists on the canvas. True: only the background
        is kept up to date, and the artists are drawn when :meth:`rgba` asks for the picture (a browser
        draws them from a :mod:`course_lib.scene` instead, over :meth:`background`).
    version : int
        Counts the backgrounds cached so far (full draws and one-panel redraws): a new number means
        that :meth:`background` changed.
    """

    def __init__(self, fig, artists, blit=True):
        self.figure, self.canvas = fig, fig.canvas
        self.artists = list(artists)
        self.blit = bool(blit)
        for a in self.artists:
            a.set_animated(self.blit)
        self.defer = False
        self.version = 0
        self._background = None
        self._bounds = None
        self._stale = False     # with `defer`: the canvas does not show the artists' latest state
        self._extents = {}      # axes -> (its limits and the figure size, the extent of its static content)
        self._before = {}       # axes -> its extent before the limits changed (see `before_move`)
        self.canvas.mpl_connect("draw_event", self._on_draw)

    def _on_draw(self, event):
        """After a full draw: keep the background, then draw the moving artists on top."""
        if not self.blit or event is None or event.canvas is not self.canvas or self.canvas.is_saving():
            return      # (savefig draws the moving artists too: that is no background to keep)
        self._new_background()
        self._bounds = self.figure.bbox.bounds
        self._extents.clear()           # anything may have changed: measure again when needed
        self._show_artists()

    def _new_background(self):
        # The whole canvas: the figure's bbox can be a fraction of a pixel short of it (4.6 in at 100 dpi
        # is 459.99999999999994 px), and the region would then leave out the top row.
        width, height = self.canvas.get_width_height(physical=True)
        self._background = self.canvas.copy_from_bbox(Bbox.from_bounds(0, 0, width, height))
        self.version += 1

    def _show_artists(self):
        """Draw the moving artists over the canvas (the background), now or, with :attr:`defer`, when asked."""
        self._stale = self.defer
        if not self.defer:
            self._draw_artists()

    def _draw_artists(self):
        for a in self.artists:
            if a.get_visible():
                self.figure.draw_artist(a)

    def extent(self, ax):
        """The region of ``ax``'s static content (ticks, labels, title; not the moving artists), in pixels.

        Measured once per state of its limits: measuring lays out its ticks, about as costly as drawing it.
        """
        key = (tuple(ax.get_xlim()), tuple(ax.get_ylim()), self.figure.bbox.bounds)
        known = self._extents.get(ax)
        if known is None or known[0] != key:
            renderer = self.canvas.get_renderer()
            static = [a for a in ax.get_default_bbox_extra_artists() if not a.get_animated()]
            known = self._extents[ax] = (key, ax.get_tightbbox(renderer, bbox_extra_artists=static).padded(2))
        return known[1]

    def measure(self):
        """Measure the extent of every axes now, as the first one-panel redraw (:meth:`refresh` with ``axes``)
        would, so that the first redraw costs no more than later ones (``make bench``, "first one-panel redraw").

        Call it after the figure's first full draw, before the first move; a later full draw forgets the
        extents, and they are measured again when needed.
        """
        if self.blit and self._background is not None:
            for ax in self.figure.axes:
                self.extent(ax)

    def before_move(self, ax):
        """Call before changing ``ax``'s limits: where its content is now, which a one-panel redraw
        (:meth:`refresh` with ``axes``) must erase as well as where it will be."""
        if self.blit and self._background is not None and ax not in self._before:
            self._before[ax] = self.extent(ax)

    def refresh(self, full=False, axes=()):
        """Show the artists' new state.

        Returns ``"blit"`` if only the moving artists changed (redrawn over the background, or with
        :attr:`defer` left to be drawn when asked), ``"axes"`` if the static part of
        ``axes`` (whose limits changed, given with ``full``) was redrawn in place, and ``"full"`` after a
        redraw of the whole figure.
        """
        before, self._before = self._before, {}
        if full and axes and self._redraw_axes(axes, before):
            return "axes"
        if not self.blit or full or self._background is None or self._bounds != self.figure.bbox.bounds:
            shown = self._background is not None
            self._background = None
            # Once the figure has been drawn (it is on screen), redraw it now: ipympl's draw_idle would
            # first ask the browser, which asks back, one round trip later. Before that, leave the first
            # draw to the browser, which requests it when it shows the canvas.
            self.canvas.draw() if shown else self.canvas.draw_idle()
            return "full"
        if self.defer:
            self._stale = True
        else:
            self._blit_artists()
        return "blit"

    def _blit_artists(self):
        self.canvas.restore_region(self._background)
        self._draw_artists()
        self.canvas.blit(self.figure.bbox)

    def _redraw_axes(self, axes, before):
        """Redraw only ``axes`` over the cached background: erase their regions, draw them, keep the result
        as the new background and show the moving artists over it (blitted, or with :attr:`defer` later).

        A full redraw repaints every panel (contours included) to move one panel's limits. Here the
        region of each axes (ticks, labels and title included), where its content was (``before``, from
        :meth:`before_move`) and where it is now, is painted with the figure's colour and the axes is
        drawn again. Done only when that is exactly what a full redraw would paint: the figure has no
        layout engine (so nothing else moves), each axes' old region is known, and no other axes, legend
        or text reaches into the erased regions. Returns False (nothing done) otherwise.
        """
        fig, canvas = self.figure, self.canvas
        if (not self.blit or self._background is None or self._bounds != fig.bbox.bounds
                or fig.get_layout_engine() is not None or any(ax not in before for ax in axes)):
            return False
        renderer = canvas.get_renderer()
        regions = [Bbox.union([before[ax], self.extent(ax)]) for ax in axes]
        others = [a for a in fig.get_children() if a is not fig.patch and a not in axes and a.get_visible()]
        for artist in others:
            if isinstance(artist, Axes):
                extent = self.extent(artist)
            else:
                extent = artist.get_tightbbox(renderer) if hasattr(artist, "get_tightbbox") else None
            if extent is not None and any(extent.overlaps(r) for r in regions):
                return False
        canvas.restore_region(self._background)
        pixels = np.asarray(renderer.buffer_rgba())         # a writable view of the canvas
        height, width = pixels.shape[:2]
        face = np.round(np.array(matplotlib.colors.to_rgba(fig.get_facecolor())) * 255).astype(np.uint8)
        for r in regions:
            x0, x1 = max(0, int(np.floor(r.x0))), min(width, int(np.ceil(r.x1)))
            y0, y1 = max(0, int(np.floor(height - r.y1))), min(height, int(np.ceil(height - r.y0)))
            pixels[y0:y1, x0:x1] = face
        for ax in axes:
            fig.draw_artist(ax)                               # its animated artists are skipped
        self._new_background()
        self._show_artists()
        if not self.defer:
            canvas.blit(fig.bbox)
        return True

    def rgba(self):
        """The current pixels, moving artists included (after :meth:`refresh`)."""
        if self._stale:
            self._stale = False
            self._blit_artists()
        return np.asarray(self.canvas.buffer_rgba())

    def background(self):
        """The cached background (the figure without its moving artists), as an RGBA array; None before
        the first full draw or without blitting."""
        return None if self._background is None else np.asarray(self._background)
