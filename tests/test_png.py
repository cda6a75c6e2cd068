"""course_lib.png writes PNG files that decoders read back exactly."""

import io

import numpy as np
import pytest
from PIL import Image

from course_lib import png as png_module
from course_lib.png import deflate, encode_rgba


def _read(png, mode="RGBA"):
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.mode == mode
    return np.asarray(image.convert("RGBA"))


@pytest.fixture(params=["isal", "zlib"])
def deflater(request, monkeypatch):
    """Run a test with ISA-L doing the deflating (skipped where it is not installed) and with zlib."""
    if request.param == "isal" and png_module.isal_zlib is None:
        pytest.skip("isal is not installed")
    if request.param == "zlib":
        monkeypatch.setattr(png_module, "isal_zlib", None)
    return request.param


@pytest.mark.parametrize("shape", [(1, 1), (3, 7), (460, 1000), (17, 1)])
@pytest.mark.parametrize("level", [0, 1, 9])
def test_round_trip_is_exact(shape, level, deflater):
    rng = np.random.default_rng(sum(shape) + level)
    pixels = rng.integers(0, 256, (*shape, 4), dtype=np.uint8)
    pixels[: shape[0] // 2] = 0                       # a blank half, like ipympl's diff frames
    assert np.array_equal(_read(encode_rgba(pixels, level)), pixels)


def test_a_matplotlib_canvas_round_trips_and_blank_frames_are_small():
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(5, 3), dpi=100)
    fig.add_subplot().plot([0, 1, 2], [1, 0, 1])
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    assert np.array_equal(_read(encode_rgba(pixels), mode="RGB"), pixels)     # a figure is opaque
    blank = np.zeros_like(pixels)
    assert len(encode_rgba(blank)) < blank.nbytes / 100


@pytest.mark.parametrize("level", [0, 1])
def test_opaque_images_are_stored_without_alpha(level):
    rng = np.random.default_rng(level)
    pixels = rng.integers(0, 256, (40, 30, 4), dtype=np.uint8)
    pixels[..., 3] = 255
    opaque = encode_rgba(pixels, level)
    assert np.array_equal(_read(opaque, mode="RGB"), pixels)
    pixels[7, 3, 3] = 254                               # one pixel not quite opaque: alpha is kept
    translucent = encode_rgba(pixels, level)
    assert np.array_equal(_read(translucent), pixels)
    if level == 0:                                      # stored: exactly a quarter fewer pixel bytes
        assert len(translucent) - len(opaque) > 40 * 30 - 100


@pytest.mark.parametrize("pixels, level, message", [
    (np.zeros((2, 2, 3), np.uint8), 1, r"uint8 array of shape \(height, width, 4\), got uint8 of shape \(2, 2, 3\)"),
    (np.zeros((2, 2, 4), np.float64), 1, "got float64"),
    (np.zeros((0, 2, 4), np.uint8), 1, "at least one pixel"),
    (np.zeros((2, 2, 4), np.uint8), 10, "level must be an integer from 0 to 9, got 10"),
    (np.zeros((2, 2, 4), np.uint8), True, "level must be an integer"),
])
def test_bad_input_is_a_clear_error(pixels, level, message):
    with pytest.raises(ValueError, match=message):
        encode_rgba(pixels, level)


def test_the_default_level_deflates_with_isal_when_it_is_installed(deflater):
    import zlib

    raw = np.random.default_rng(3).integers(0, 4, 50_000, dtype=np.uint8).tobytes()
    stream = deflate(raw)
    assert zlib.decompress(stream) == raw
    assert stream == (deflate(raw, fast=True) if deflater == "isal" else deflate(raw, fast=False))
    if deflater == "isal":
        assert stream != deflate(raw, fast=False)                   # really ISA-L's stream, not zlib's
    assert deflate(raw, 6) == deflate(raw, 6, fast=False)          # other levels: always zlib


def test_fast_without_isal_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(png_module, "isal_zlib", None)
    with pytest.raises(ValueError, match="fast=True needs the isal package"):
        deflate(b"abc", fast=True)
