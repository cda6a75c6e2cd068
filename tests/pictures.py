"""Helpers for tests that compare pictures: decode a PNG, and measure how far two pictures of a figure agree."""

from __future__ import annotations

import io

import numpy as np

#: A pixel differs when one of its channels differs by more than this many levels (of 255).
CHANNEL_TOLERANCE = 64


def decode_png(data):
    """PNG bytes as an RGBA uint8 array."""
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


def differs(a, b, tolerance=CHANNEL_TOLERANCE):
    """Per pixel of two RGBA pictures: whether one of its channels differs by more than ``tolerance``."""
    return np.abs(a.astype(int) - b.astype(int)).max(axis=2) > tolerance


def agreement(got, want, background, tolerance=CHANNEL_TOLERANCE):
    """How far ``got`` agrees with ``want``, two pictures of a figure's moving artists over ``background``.

    Returns
    -------
    match : float
        The fraction of the pixels the artists paint in ``want`` (where it differs from ``background``)
        that ``got`` has the same.
    elsewhere : float
        The fraction of the other pixels that ``got`` has different.
    painted : int
        How many pixels the artists paint in ``want``.
    """
    painted, wrong = differs(background, want, tolerance), differs(got, want, tolerance)
    return 1 - wrong[painted].mean(), wrong[~painted].mean(), int(painted.sum())
