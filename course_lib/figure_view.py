"""The explorers' figure in the browser: a still background picture, and the moving artists drawn over it there.

After a slider move an explorer used to send a PNG of its whole canvas: the
kernel blitted the moving artists and encoded every pixel, and the browser
decoded every pixel again. A :class:`FigureView` instead receives the moving
artists as drawing commands (a :class:`course_lib.scene.Scene`, a few kilobytes)
and draws them over its background on a ``<canvas>``, in about a millisecond.
The background (contours, axes, labels: a PNG made by :mod:`course_lib.png`) is
sent only when it changes: when a panel's limits move, or the figure is redrawn.

The browser half is ``figure_view.js``, loaded by `anywidget <https://anywidget.dev>`_
from this package (nothing is fetched from the network). The browser tells the
kernel its screen's pixels per CSS pixel (``device_pixel_ratio``, 2 on most
high-density screens), and the explorer draws its figure at that resolution
(:meth:`course_lib.widgets.Explorer.set_pixel_ratio`): background and moving
artists are as sharp as the screen allows. It also tells the kernel how many
views of the figure are on a page (``shown``). The canvas carries the figure's alt text as its
``aria-label``.
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

from . import png

__all__ = ["FigureView"]


class FigureView(anywidget.AnyWidget):
    """A figure shown as a background picture plus a :class:`~course_lib.scene.Scene` drawn over it.

    Attributes (synchronised with the browser)
    ------------------------------------------
    background : bytes
        PNG of the still part of the figure.
    width, height : int
        The figure's size in CSS pixels (its pixel size at its dpi, divided by ``ratio``).
    ratio : float
        Pixels of the background (and units of the scene's coordinates) per CSS pixel: 1, or the
        screen's ``device_pixel_ratio`` once the explorer has drawn its figure at that resolution.
    device_pixel_ratio : float
        Set by the browser: the screen's physical pixels per CSS pixel (``window.devicePixelRatio``,
        2 on most high-density screens; it changes with the browser's zoom).
    ops, coords, codes
        The scene (see :mod:`course_lib.scene`).
    alt : str
        The figure's description, for screen readers.
    frame : int
        Counts the frames shown; the browser redraws when it changes.
    shown : int
        Set by the browser: how many views of the figure are on a page (an explorer computes ahead what
        its sliders are likely to ask for while there are any, :attr:`course_lib.widgets.Explorer.prefetch`).

    Examples
    --------
    >>> import numpy as np
    >>> from course_lib.scene import Scene
    >>> view = FigureView()
    >>> view.show(Scene([], b"", b""), alt="an empty figure", background=np.full((2, 3, 4), 255, np.uint8))
    >>> view.width, view.height, view.frame, view.background[:4]
    (3, 2, 1, b'\\x89PNG')
    """

    #: It draws scenes (see :class:`course_lib.widgets.PictureView`, the fallback without anywidget).
    draws_scenes = True
    _esm = Path(__file__).with_name("figure_view.js")
    background = traitlets.Bytes(b"").tag(sync=True)
    width = traitlets.Int(0).tag(sync=True)
    height = traitlets.Int(0).tag(sync=True)
    ratio = traitlets.Float(1.0).tag(sync=True)
    device_pixel_ratio = traitlets.Float(1.0).tag(sync=True)
    ops = traitlets.List([]).tag(sync=True)
    coords = traitlets.Bytes(b"").tag(sync=True)
    codes = traitlets.Bytes(b"").tag(sync=True)
    alt = traitlets.Unicode("").tag(sync=True)
    frame = traitlets.Int(0).tag(sync=True)
    shown = traitlets.Int(0).tag(sync=True)

    def show(self, scene, alt, background=None, ratio=1.0, size=None):
        """Show ``scene`` (over a new ``background``, an RGBA array, if given) in one message to the browser.

        ``ratio``: the background's pixels per CSS pixel (the figure drawn at ``ratio`` times its dpi);
        the scene's coordinates are in the same pixels. It can change only with a new background.
        ``size``: ``(width, height)`` of the figure in CSS pixels; by default the background's size
        divided by ``ratio`` (a figure drawn at 133 dpi is 611 pixels high where at 100 dpi it is 460, and
        611 / 1.33 rounds to 459: an explorer gives its size).
        """
        if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or not 1 <= ratio < float("inf"):
            raise ValueError(f"ratio must be a number >= 1 (pixels per CSS pixel), got {ratio!r}")
        if background is None and ratio != self.ratio:
            raise ValueError(f"ratio {ratio} needs a new background: the one on show has ratio {self.ratio}")
        with self.hold_sync():
            if background is not None:
                height, width = background.shape[:2]
                size = (round(width / ratio), round(height / ratio)) if size is None else size
                self.width, self.height = map(int, size)
                self.ratio = ratio
                self.background = png.encode_rgba(background)
            self.ops, self.coords, self.codes = scene.ops, scene.coords, scene.codes
            self.alt = alt
            self.frame += 1
