r"""Fast PNG encoding of RGBA pixel buffers, for pictures that must reach the browser quickly.

An explorer sends a PNG of its canvas to the browser after every slider move.
Pillow's encoder spends most of its time choosing a *filter* for every row
(a predictor that helps compression); on a 1000 x 460 canvas that alone takes
10-40 ms. A figure is mostly flat colour (and ipympl's "diff" frames mostly
zeros), which compresses well without any predictor, so :func:`encode_rgba`
writes every row with filter type 0 ("None") and deflates the result at zlib's
fastest level. The file is a little larger than Pillow's at its default level,
but it is made several times faster, and it is an ordinary PNG that any decoder
reads back exactly (``tests/test_png.py`` checks it). zlib's run-length
strategy, tried as well, was about as fast on the explorers' frames but made
files a fifth to a half larger. A figure is opaque: when every pixel's alpha is
255 the file stores only red, green and blue (colour type 2), a quarter less
to compress, send and decode, and decoders read back the same opaque pixels.

At the default level the deflating is done by Intel's ISA-L library (the
``isal`` package, a dependency of the course) when it is installed: the same
format, files of about the same size, made about seven times faster than by
Python's ``zlib`` (``make bench``: "deflate"). Without it, ``zlib`` does the
work. ``make bench`` reports the time and size of each explorer's frames.

The PNG format (ISO/IEC 15948): an 8-byte signature, then chunks, each
``length | type | data | CRC-32(type + data)``; ``IHDR`` holds width, height,
bit depth 8 and colour type 6 (RGBA) or 2 (RGB); ``IDAT`` holds the zlib stream
of the rows, each prefixed by its filter byte; ``IEND`` closes the file.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

try:  # ISA-L's deflate: the same zlib format, several times faster (optional; zlib does the same job)
    from isal import isal_zlib
except ImportError:  # pragma: no cover - depends on the installation
    isal_zlib = None

__all__ = ["encode_rgba", "scanlines", "deflate", "DEFAULT_LEVEL", "ISAL_LEVEL"]

#: zlib level used by :func:`encode_rgba`: 1 is the fastest that still compresses.
DEFAULT_LEVEL = 1
#: ISA-L's level (0-3) standing in for :data:`DEFAULT_LEVEL`: as fast as its level 0 on the explorers'
#: frames, and files as small as zlib's level 1 (level 0 made them a fifth larger).
ISAL_LEVEL = 1
_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_RGB, _RGBA, _BIT_DEPTH = 2, 6, 8


def _chunk(kind, data):
    """One PNG chunk: length, type, data and the CRC-32 of type and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_rgba(pixels, level=DEFAULT_LEVEL):
    """Encode an RGBA image as PNG bytes, fast (no row filters, zlib level 1 by default).

    An opaque image (every alpha 255) is stored as RGB, which decodes to the same pixels.

    Parameters
    ----------
    pixels : array_like of uint8, shape (height, width, 4)
        The image, top row first (e.g. ``canvas.buffer_rgba()`` of an Agg canvas).
    level : int
        zlib compression level, 0 (store) .. 9.

    Returns
    -------
    bytes
        A PNG file.

    Examples
    --------
    >>> png = encode_rgba(np.zeros((2, 3, 4), dtype=np.uint8))
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n", png[12:16]
    (True, b'IHDR')
    """
    pixels = np.asarray(pixels)
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 4:
        raise ValueError(f"pixels must be a uint8 array of shape (height, width, 4), "
                         f"got {pixels.dtype} of shape {pixels.shape}")
    height, width = pixels.shape[:2]
    if not (height and width):
        raise ValueError(f"a PNG needs at least one pixel, got shape {pixels.shape}")
    if isinstance(level, bool) or not isinstance(level, (int, np.integer)) or not 0 <= level <= 9:
        raise ValueError(f"level must be an integer from 0 to 9, got {level!r}")
    rows = scanlines(pixels)
    stream = deflate(rows, int(level))
    opaque = rows.shape[1] == 1 + 3 * width
    header = struct.pack(">IIBBBBB", width, height, _BIT_DEPTH, _RGB if opaque else _RGBA, 0, 0, 0)
    return _SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", stream) + _chunk(b"IEND", b"")


def scanlines(pixels):
    """The rows of a PNG's image data for RGBA ``pixels``: each row prefixed by filter byte 0 ("None"),
    as RGB when every pixel is opaque (alpha need not be stored), else as RGBA.

    Returns
    -------
    ndarray of uint8, shape (height, 1 + 3 * width) or (height, 1 + 4 * width)
    """
    height, width = pixels.shape[:2]
    channels = 3 if np.all(pixels[:, :, 3] == 255) else 4
    rows = np.zeros((height, 1 + channels * width), dtype=np.uint8)
    rows[:, 1:] = pixels[:, :, :channels].reshape(height, channels * width)
    return rows


def deflate(data, level=DEFAULT_LEVEL, fast=None):
    """``data`` as a zlib stream (the format of a PNG's image data) at zlib's compression ``level``.

    Parameters
    ----------
    data : bytes-like
    level : int
        0 (store) .. 9 (smallest).
    fast : bool, optional
        Use ISA-L (the ``isal`` package) rather than Python's ``zlib``. Default: when it is installed and
        ``level`` is :data:`DEFAULT_LEVEL`, for which ISA-L's level :data:`ISAL_LEVEL` stands in.

    Examples
    --------
    >>> raw = bytes(1000)
    >>> zlib.decompress(deflate(raw)) == raw == zlib.decompress(deflate(raw, fast=False))
    True
    """
    fast = isal_zlib is not None and level == DEFAULT_LEVEL if fast is None else bool(fast)
    if fast:
        if isal_zlib is None:
            raise ValueError("fast=True needs the isal package: pip install isal")
        return isal_zlib.compress(data, ISAL_LEVEL)
    compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS, 9, zlib.Z_DEFAULT_STRATEGY)
    return compressor.compress(data) + compressor.flush()
