"""The course's one plotting style: colour-blind-safe colours *and* distinct line styles and markers.

No information may ride on colour alone, so every series gets a colour from
matplotlib's ``tableau-colorblind10`` palette **and** its own line style and
marker. An optimizer keeps the same look in every notebook::

    >>> optimizer_style("adam").kwargs()
    {'color': '#C85200', 'linestyle': ':', 'marker': 'D'}

Surfaces use the perceptually uniform ``viridis`` (filled) and ``cividis``
(contour lines). :func:`context` applies the course's rc settings, and
:func:`show` displays a figure together with its alt text.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import math
import zlib
from typing import NamedTuple

import matplotlib as mpl
from cycler import cycler

__all__ = [
    "PALETTE", "LINESTYLES", "MARKERS", "OPTIMIZER_ORDER", "SURFACE_CMAP", "CONTOUR_CMAP",
    "SeriesStyle", "series_style", "optimizer_style", "styles_for", "optimizer_name",
    "rc_params", "context", "use", "check_alt", "set_alt", "get_alt", "png_bytes", "figure_html", "show",
    "MAX_PIXEL_RATIO", "pixel_ratio",
]

#: The ``tableau-colorblind10`` colours, ordered so the first few series get the strongest contrast
#: against a white background (the light greys come last). ``tests/test_style.py`` checks that this
#: is exactly matplotlib's palette.
PALETTE = ("#006BA4", "#FF800E", "#595959", "#C85200", "#5F9ED1",
           "#898989", "#A2C8EC", "#FFBC79", "#ABABAB", "#CFCFCF")
#: Line styles, cycled independently of the colours.
LINESTYLES = ("-", "--", "-.", ":")
#: Markers: twelve, one per optimizer of the course.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "<", ">", "p")
#: The course's optimizers in the order that fixes their look; the most compared ones come first.
OPTIMIZER_ORDER = ("gd", "momentum", "nesterov", "adam", "rmsprop", "adagrad",
                   "sgd", "adadelta", "adamw", "nadam", "adamax", "amsgrad")
#: Colour map for surfaces and filled contours.
SURFACE_CMAP = "viridis"
#: Colour map for contour lines behind trajectories (no greens that clash with the palette).
CONTOUR_CMAP = "cividis"
#: The most pixels per CSS pixel an explorer draws its figure at (phones reach 3; more would only cost time).
MAX_PIXEL_RATIO = 3.0


class SeriesStyle(NamedTuple):
    """How one series is drawn: ``color``, ``linestyle`` and ``marker``."""

    color: str
    linestyle: str
    marker: str

    def kwargs(self):
        """The style as keyword arguments for :meth:`matplotlib.axes.Axes.plot`."""
        return self._asdict()


def series_style(i):
    """The style of the ``i``-th series (``i >= 0``); the first 60 series all look different.

    Colour, line style and marker cycle with co-prime-ish periods (10, 4, 12),
    so two series that share a colour still differ in line style or marker.
    """
    if isinstance(i, bool) or not isinstance(i, int) or i < 0:
        raise ValueError(f"the series index must be a non-negative integer, got {i!r}")
    return SeriesStyle(PALETTE[i % len(PALETTE)], LINESTYLES[i % len(LINESTYLES)], MARKERS[i % len(MARKERS)])


def optimizer_name(label):
    """The optimizer name at the start of a label: ``"adam(lr=0.1)"`` -> ``"adam"``."""
    if not isinstance(label, str):
        raise ValueError(f"an optimizer label must be a string, got {label!r}")
    return label.split("(", 1)[0].strip()


def optimizer_style(name):
    """The style of an optimizer, the same in every figure of the course.

    Parameters
    ----------
    name : str
        An optimizer name such as ``"adam"``, or a label such as ``"adam(lr=0.1)"``.
        Names outside :data:`OPTIMIZER_ORDER` get a style derived from a hash of
        the name, so they too are stable across runs.
    """
    name = optimizer_name(name)
    if not name:
        raise ValueError("an optimizer name must not be empty")
    if name in OPTIMIZER_ORDER:
        return series_style(OPTIMIZER_ORDER.index(name))
    return series_style(len(OPTIMIZER_ORDER) + zlib.crc32(name.encode()) % len(OPTIMIZER_ORDER))


def styles_for(labels):
    """Styles for a list of series labels.

    If every label names a different optimizer, each gets its course-wide
    :func:`optimizer_style`; otherwise (e.g. one optimizer at several learning
    rates) the series are styled by position with :func:`series_style`, so
    they stay distinguishable.
    """
    labels = list(labels)
    names = [optimizer_name(label) for label in labels]
    if len(set(names)) == len(names) and all(names):
        return [optimizer_style(n) for n in names]
    return [series_style(i) for i in range(len(labels))]


def rc_params():
    """The course's matplotlib rc settings: palette with line styles, colour map, readable fonts."""
    styles = [series_style(i) for i in range(len(PALETTE) * len(LINESTYLES))]
    return {
        # colour and line style cycle together; markers are left to the plotting functions, which
        # place them sparsely (``markevery``) -- a marker at each of 500 points would hide the line
        "axes.prop_cycle": cycler(color=[s.color for s in styles], linestyle=[s.linestyle for s in styles]),
        "lines.markersize": 5,
        "image.cmap": SURFACE_CMAP,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.titlesize": "medium",
        # titles sit just above their axes. Left at None, matplotlib measures every tick label at each
        # draw to lift a title above a top axis, which no course figure has; ``make bench`` times what
        # that costs an explorer's redraw of a panel whose limits changed ("title placement").
        "axes.titley": 1.0,
        "axes.labelsize": "medium",
        "legend.fontsize": "small",
        "legend.framealpha": 0.9,
        "figure.dpi": 100,
    }


def context():
    """A context manager applying :func:`rc_params` (``with style.context(): ...``)."""
    return mpl.rc_context(rc_params())


def use():
    """Apply :func:`rc_params` for the rest of the session (the first cell of each notebook)."""
    mpl.rcParams.update(rc_params())


# ---------------------------------------------------------------------------
# Alt text
# ---------------------------------------------------------------------------

_ALT_ATTRIBUTE = "course_alt_text"


def check_alt(alt):
    """Return ``alt`` stripped; raise ValueError unless it is a non-empty string."""
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"alt text must be a non-empty description of the figure, got {alt!r}")
    return alt.strip()


def set_alt(fig, alt):
    """Store the alt text on ``fig`` (read it back with :func:`get_alt`); returns ``fig``."""
    setattr(fig, _ALT_ATTRIBUTE, check_alt(alt))
    return fig


def get_alt(fig):
    """The alt text stored on ``fig`` by :func:`set_alt` or :func:`show`, or None."""
    return getattr(fig, _ALT_ATTRIBUTE, None)


@functools.lru_cache(maxsize=None)
def _mathtext_parser(output_type):
    """The one mathtext parser (and so the one cache of parsed formulas) of every course figure."""
    from matplotlib.mathtext import MathTextParser

    return MathTextParser({"vector": "path", "raster": "agg"}.get(output_type, output_type))


def share_mathtext(canvas):
    """Let ``canvas``'s renderer use the mathtext parser that every course figure shares; returns ``canvas``.

    matplotlib gives each new renderer a parser of its own, whose cache of parsed
    formulas (axis labels such as ``$f(x_t)$``, the ``$10^{-3}$`` of log axes)
    starts empty: every new figure parses all its formulas again, a few
    milliseconds each. With one parser for all of them, a formula is parsed once
    per kernel (the parser keeps the 50 most recent). The parsed result depends only on the
    formula, the resolution, the font and the antialiasing, which are all part of the
    cache's key, so the pictures are the same (``tests/test_style.py``).
    """
    renderer = canvas.get_renderer()
    own = getattr(renderer, "mathtext_parser", None)
    output_type = getattr(own, "_output_type", None)
    if output_type is not None:
        renderer.mathtext_parser = _mathtext_parser(output_type)
    return canvas


def pixel_ratio(ratio):
    """The resolution to draw a figure at for a screen of ``ratio`` physical pixels per CSS pixel.

    The browser's ``window.devicePixelRatio``: 1 on a plain screen, 2 on most high-density ones, and
    anything in between (1.25, 1.5, 1.1 when zoomed in). Rounded to two decimals and kept within
    ``[1, MAX_PIXEL_RATIO]``: below 1 (zoomed out) the figure is drawn at its own resolution. Anything
    that is not a finite positive number (the browser's value is not checked there) counts as 1.
    """
    try:
        ratio = float(ratio)
    except (TypeError, ValueError):
        return 1.0
    if not math.isfinite(ratio) or ratio <= 1:
        return 1.0
    return min(round(ratio, 2), MAX_PIXEL_RATIO)


def png_bytes(fig, dpi=None):
    """``fig`` as PNG bytes, the same as ``fig.savefig(buf, format="png", dpi=dpi or "figure")``, drawn once.

    ``savefig`` draws a figure with a layout engine (``layout="constrained"``) twice:
    a dry run to lay it out, then the real draw, which lays it out again. Printing
    through the Agg canvas directly draws it once, layout included: the same
    pixels at about two thirds of the cost (``tests/test_style.py`` compares them).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas, original_dpi = fig.canvas, fig.dpi
    buf = io.BytesIO()
    try:
        if dpi is not None:
            fig.dpi = dpi
        # ipympl's and the inline backend's canvases are Agg canvases: print through Agg's own draw
        # (not ipympl's, which would also send the picture to the browser); any other canvas is swapped
        # for an Agg one for the duration, as savefig does
        agg = canvas if isinstance(canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        FigureCanvasAgg.print_png(share_mathtext(agg), buf)
    finally:
        if fig.canvas is not canvas:
            fig.set_canvas(canvas)
        fig.dpi = original_dpi
    return buf.getvalue()


def figure_html(fig, alt, dpi=None):
    """An ``<img>`` tag holding ``fig`` as a base64 PNG, with ``alt`` as its alt attribute."""
    alt = check_alt(alt)
    data = base64.b64encode(png_bytes(fig, dpi)).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}"/>'


def show(fig, alt, dpi=None):
    """Display ``fig`` in Jupyter as an image with alt text, and close it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    alt : str
        What the figure shows and what to notice, for readers who cannot see
        it. Must not be empty.
    dpi : float, optional
        Resolution of the PNG (default: the figure's).

    Notes
    -----
    The output is an HTML ``<img alt=...>`` (plus the alt text as the plain
    text version), because JupyterLab ignores alt metadata on ``image/png``
    outputs. The figure is closed so the inline backend does not show it a
    second time.
    """
    from IPython.display import display

    set_alt(fig, alt)
    display({"text/html": figure_html(fig, alt, dpi), "text/plain": get_alt(fig)}, raw=True)
    if fig.canvas.manager is not None:
        import matplotlib.pyplot as plt
        plt.close(fig)
