r"""A figure's moving artists as drawing commands that a browser replays on a ``<canvas>``.

An explorer's picture is a still background (contours, axes, labels) and a few
moving artists (paths, loss curves, markers, an arrow). Sending a new PNG of the
whole figure after every slider move costs the kernel a blit and an encoding,
and the browser a decoding of every pixel. Here matplotlib draws the moving
artists into a :class:`SceneRenderer` instead, which keeps each drawing command
(a path with its colours, line width, dashes and clip rectangle) rather than
pixels: a few kilobytes that the browser draws in a millisecond
(:mod:`course_lib.figure_view`). Text is drawn as the outlines of its glyphs,
as matplotlib's PDF and SVG backends can, so it needs no font in the browser.

Coordinates are canvas pixels: :math:`x` to the right and :math:`y` *down*
from the top left corner, :math:`(x, y_\text{canvas}) = (x, H - y_\text{display})`
for a figure :math:`H` pixels high. A length in points becomes
:math:`\ell\,\mathrm{dpi}/72` pixels. Paths are prepared as matplotlib's Agg
renderer prepares them before it paints: lines are clipped one pixel outside
the canvas and simplified, horizontal and vertical edges are snapped to the
pixel grid, clip rectangles are rounded to whole pixels and markers are centred
on pixel centres. So the browser draws the same shapes in the same places.

A :class:`Scene` holds

* ``ops``: one dict per command, in drawing order, with ``kind`` (``"path"`` or
  ``"markers"``), ``fill`` and ``stroke`` colours as ``[r, g, b, a]`` (0-1, or
  None), ``width`` (pixels), ``dash`` (pixels, or None) and ``dash_offset``,
  ``cap``, ``join``, ``clip`` (``[x, y, width, height]`` or None) and ``n``, the
  number of its vertices; a ``"markers"`` op also has ``count``, the number of
  copies of its shape, whose positions follow its vertices;
* ``coords``: every vertex of every op, as little-endian float32 ``x, y`` pairs;
* ``codes``: one :class:`matplotlib.path.Path` code per vertex (uint8; markers'
  positions have none).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.path import Path
from matplotlib.transforms import Affine2D, Bbox, IdentityTransform

__all__ = ["Scene", "SceneRenderer", "Unsupported", "record", "replay", "PADDING", "MARKER_MARGIN"]

#: How far (pixels) outside the canvas a line is still followed before it is clipped, as Agg clips it: the
#: clip keeps a diverging run's huge coordinates out of float32, and dashes keep matplotlib's phase.
PADDING = 1.0
#: Markers whose centre lies farther (pixels) outside the canvas are left out: none of them would show.
MARKER_MARGIN = 64.0
#: Coordinates of filled shapes (which cannot be clipped as lines are) are held within this many pixels.
_LIMIT = 1e6
_CAPS = {"butt": "butt", "round": "round", "projecting": "square"}      # matplotlib's cap -> a canvas's
_MPL_CAPS = {canvas: mpl for mpl, canvas in _CAPS.items()}


class Unsupported(ValueError):
    """A moving artist draws something a scene cannot hold (an image, a hatch, a clip path ...)."""


@dataclasses.dataclass
class Scene:
    """Drawing commands for a browser: see the module's description of ``ops``, ``coords`` and ``codes``."""

    ops: list
    coords: bytes
    codes: bytes

    def points(self):
        """The vertices as an ``(n, 2)`` float32 array of canvas pixels."""
        return np.frombuffer(self.coords, dtype="<f4").reshape(-1, 2)


class SceneRenderer(RendererBase):
    """A matplotlib renderer that records paths instead of painting pixels.

    Text metrics come from ``renderer`` (the figure's Agg renderer), so text is laid out exactly as
    matplotlib lays it out in the picture.
    """

    def __init__(self, renderer, width, height, dpi):
        super().__init__()
        self._metrics = renderer
        self.width, self.height, self.dpi = width, height, dpi
        self._flip = Affine2D().scale(1, -1).translate(0, height)      # display -> canvas pixels
        self.ops, self._coords, self._codes = [], [], []

    # -- what matplotlib asks of every renderer ----------------------------------------------------
    def flipy(self):
        return False                                     # y up, as in display coordinates

    def get_canvas_width_height(self):
        return self.width, self.height

    def points_to_pixels(self, points):
        return points * self.dpi / 72

    def get_text_width_height_descent(self, s, prop, ismath):
        return self._metrics.get_text_width_height_descent(s, prop, ismath)

    # -- the drawing calls -------------------------------------------------------------------------
    def draw_path(self, gc, path, transform, rgbFace=None):
        """Record ``path`` under ``transform``, filled with ``rgbFace`` and stroked as ``gc`` says."""
        style = self._style(gc, rgbFace)
        if style is None:
            return
        line = rgbFace is None      # only lines are clipped and simplified, as Agg does
        clip = (-PADDING, -PADDING, self.width + PADDING, self.height + PADDING) if line else None
        path = path.cleaned(transform + self._flip, remove_nans=True, clip=clip,
                            simplify=line and path.should_simplify, curves=True,
                            snap=gc.get_snap(), stroke_width=self.points_to_pixels(gc.get_linewidth()))
        keep = path.codes != Path.STOP
        vertices, codes = path.vertices[keep], path.codes[keep]
        if len(vertices):
            self._add("path", style, np.clip(vertices, -_LIMIT, _LIMIT), codes)

    def draw_markers(self, gc, marker_path, marker_trans, path, trans, rgbFace=None):
        """Record one marker shape and the positions (the vertices of ``path``) where it is drawn."""
        style = self._style(gc, rgbFace)
        if style is None:
            return
        at = (trans + self._flip).transform(path.vertices)
        inside = np.all(np.isfinite(at), axis=1)
        inside &= (at[:, 0] > -MARKER_MARGIN) & (at[:, 0] < self.width + MARKER_MARGIN)
        inside &= (at[:, 1] > -MARKER_MARGIN) & (at[:, 1] < self.height + MARKER_MARGIN)
        if not inside.any():
            return
        shape = marker_path.cleaned(marker_trans + Affine2D().scale(1, -1), curves=True)   # y down
        keep = shape.codes != Path.STOP
        style["count"] = int(inside.sum())
        # Agg rounds each marker's position to a whole pixel, so that equal markers look alike. Drawn from
        # that pixel's centre, a browser's canvas paints what Agg paints (tests/browser/test_figure_view.py;
        # Agg's own snapping of the shape, tried as well, matched worse).
        self._add("markers", style, np.concatenate([shape.vertices[keep], np.floor(at[inside] + 0.5) + 0.5]),
                  shape.codes[keep])

    def draw_image(self, gc, x, y, im):
        raise Unsupported("a scene cannot hold an image; draw it in the figure's background")

    def draw_gouraud_triangles(self, gc, triangles_array, colors_array, transform):
        raise Unsupported("a scene cannot hold Gouraud-shaded triangles")

    def draw_tex(self, gc, x, y, s, prop, angle, *, mtext=None):
        raise Unsupported("a scene cannot hold usetex text")

    # -- helpers -------------------------------------------------------------------------------------
    def _style(self, gc, rgbFace):
        """The op's paint, from the graphics context (None: nothing would show)."""
        if gc.get_hatch() is not None:
            raise Unsupported(f"a scene cannot hold a hatch ({gc.get_hatch()!r})")
        if gc.get_clip_path()[0] is not None:
            raise Unsupported("a scene cannot hold a clip path (only a clip rectangle)")
        if gc.get_sketch_params() is not None:
            raise Unsupported("a scene cannot hold sketched (xkcd-style) lines")
        width = self.points_to_pixels(gc.get_linewidth())
        stroke = list(gc.get_rgb()) if width > 0 else None
        fill = None
        if rgbFace is not None:
            fill = [*rgbFace[:3], gc.get_alpha() if gc.get_forced_alpha() else (rgbFace[3] if len(rgbFace) > 3
                                                                                 else 1.0)]
        if (stroke is None or stroke[3] == 0) and (fill is None or fill[3] == 0):
            return None
        offset, dashes = gc.get_dashes()
        return {"fill": _rounded(fill), "stroke": _rounded(stroke), "width": round(width, 3),
                "dash": None if dashes is None else [round(self.points_to_pixels(d), 3) for d in dashes],
                "dash_offset": round(self.points_to_pixels(offset or 0.0), 3),
                "cap": _CAPS[gc.get_capstyle()], "join": gc.get_joinstyle(),
                "clip": self._pixel_clip(gc.get_clip_rectangle())}

    def _pixel_clip(self, box):
        """A clip rectangle (display coordinates) as ``[x, y, width, height]`` in whole canvas pixels, rounded
        and held to the canvas as Agg holds it; None for no clipping."""
        if box is None:
            return None
        left, right = (min(max(int(np.floor(v + 0.5)), 0), self.width) for v in (box.x0, box.x1))
        top, bottom = (min(max(int(np.floor(self.height - v + 0.5)), 0), self.height) for v in (box.y1, box.y0))
        return [left, top, right - left, bottom - top]

    def _add(self, kind, style, vertices, codes):
        self.ops.append({"kind": kind, "n": len(vertices), **style})
        self._coords.append(np.asarray(vertices, dtype="<f4"))
        self._codes.append(np.asarray(codes, dtype=np.uint8))

    def scene(self):
        """What was recorded, as a :class:`Scene`."""
        coords = np.concatenate(self._coords) if self._coords else np.zeros((0, 2), "<f4")
        codes = np.concatenate(self._codes) if self._codes else np.zeros(0, np.uint8)
        return Scene(self.ops, coords.tobytes(), codes.tobytes())


def _rounded(color):
    return None if color is None else [round(float(c), 4) for c in color]


def record(figure, artists):
    """The drawing commands of the visible ``artists`` of ``figure`` (in order), as a :class:`Scene`.

    Parameters
    ----------
    figure : Figure
        A figure on an Agg-based canvas, drawn at least once (its layout is what the artists use).
    artists : list of Artist
        What to record, e.g. an explorer's moving artists.

    Raises
    ------
    Unsupported
        If an artist draws an image, a hatch, a clip path, sketched lines or usetex text.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from matplotlib.backends.backend_agg import FigureCanvasAgg
    >>> fig = Figure(figsize=(2, 1), dpi=100); _ = FigureCanvasAgg(fig)
    >>> ax = fig.add_axes((0, 0, 1, 1), xlim=(0, 2), ylim=(0, 1))
    >>> line, = ax.plot([0, 2], [0, 1], linewidth=1.44)
    >>> fig.canvas.draw()
    >>> scene = record(fig, [line])
    >>> scene.ops[0]["kind"], scene.ops[0]["width"], scene.points().tolist()
    ('path', 2.0, [[0.0, 100.0], [200.0, 0.0]])
    """
    width, height = figure.canvas.get_width_height(physical=True)
    agg = figure.canvas.get_renderer()
    renderer = SceneRenderer(agg, width, height, figure.dpi)
    for artist in artists:
        if artist.get_visible():
            artist.draw(renderer)
    return renderer.scene()


def replay(scene, background, dpi=100):
    """Draw ``scene`` over ``background`` (RGBA, ``(height, width, 4)``) with matplotlib's Agg; return the pixels.

    What the browser does with a scene (``figure_view.js``), done by the renderer that draws the figure
    itself: the tests use it to check that a scene reproduces matplotlib's own picture.
    """
    height, width = background.shape[:2]
    renderer = RendererAgg(width, height, dpi)
    np.asarray(renderer.buffer_rgba())[:] = background
    points, codes = scene.points().astype(float), np.frombuffer(scene.codes, np.uint8)
    to_display = Affine2D().scale(1, -1).translate(0, height)          # canvas pixels -> display (y up)
    v = c = 0
    for op in scene.ops:
        shape = op["n"] - op.get("count", 0)
        path = Path(points[v:v + shape], codes[c:c + shape])
        path.should_simplify = False                                    # simplified already, if at all
        gc = renderer.new_gc()
        gc.set_linewidth(op["width"] * 72 / dpi)
        gc.set_foreground(op["stroke"] or (0, 0, 0, 0), isRGBA=True)
        gc.set_dashes(op["dash_offset"] * 72 / dpi, None if op["dash"] is None else [d * 72 / dpi for d in op["dash"]])
        gc.set_capstyle(_MPL_CAPS[op["cap"]])
        gc.set_joinstyle(op["join"])
        gc.set_snap(False)                                              # the scene is snapped already
        if op["clip"]:
            x, y, w, h = op["clip"]
            gc.set_clip_rectangle(Bbox.from_bounds(x, height - y - h, w, h))
        if op["kind"] == "markers":
            at = points[v + shape:v + op["n"]] - 0.5     # whole pixels again, which Agg keeps as they are
            renderer.draw_markers(gc, path, Affine2D().scale(1, -1), Path(to_display.transform(at)),
                                  IdentityTransform(), op["fill"])
        else:
            renderer.draw_path(gc, path, to_display, op["fill"])
        v, c = v + op["n"], c + shape
    return np.asarray(renderer.buffer_rgba()).copy()
