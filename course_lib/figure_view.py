"""The explorers' figure in the browser: a still background picture, and the moving artists drawn over it there.

After a slider move an explorer used to send a PNG of its whole canvas: the
kernel blitted the moving artists and encoded every pixel, and the browser
decoded every pixel again. A :class:`FigureView` instead receives the moving
artists as drawing commands (a :class:`course_lib.scene.Scene`, a few kilobytes)
and draws them over its background on a ``<canvas>``, in about a millisecond.
The background (contours, axes, labels: a PNG made by :mod:`course_lib.png`) is
sent only when it changes: when a panel's limits move, or the figure is redrawn.

The browser half is ``figure_view.js``, loaded by `anywidget <https://anywidget.dev>`_
from this package (nothing is fetched from the network). On a high-density
screen the moving artists are drawn at the screen's resolution. The canvas
carries the figure's alt text as its ``aria-label``.
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
        The figure's size in CSS pixels (its pixel size at its dpi).
    ops, coords, codes
        The scene (see :mod:`course_lib.scene`).
    alt : str
        The figure's description, for screen readers.
    frame : int
        Counts the frames shown; the browser redraws when it changes.

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
    ops = traitlets.List([]).tag(sync=True)
    coords = traitlets.Bytes(b"").tag(sync=True)
    codes = traitlets.Bytes(b"").tag(sync=True)
    alt = traitlets.Unicode("").tag(sync=True)
    frame = traitlets.Int(0).tag(sync=True)

    def show(self, scene, alt, background=None):
        """Show ``scene`` (over a new ``background``, an RGBA array, if given) in one message to the browser."""
        with self.hold_sync():
            if background is not None:
                self.height, self.width = background.shape[:2]
                self.background = png.encode_rgba(background)
            self.ops, self.coords, self.codes = scene.ops, scene.coords, scene.codes
            self.alt = alt
            self.frame += 1
