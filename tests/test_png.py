"""course_lib.png writes PNG files that decoders read back exactly."""

import io

import numpy as np
import pytest
from PIL import Image

from course_lib.png import encode_rgba


def _read(png):
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.mode == "RGBA"
    return np.asarray(image)


@pytest.mark.parametrize("shape", [(1, 1), (3, 7), (460, 1000), (17, 1)])
@pytest.mark.parametrize("level", [0, 1, 9])
def test_round_trip_is_exact(shape, level):
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
    assert np.array_equal(_read(encode_rgba(pixels)), pixels)
    blank = np.zeros_like(pixels)
    assert len(encode_rgba(blank)) < blank.nbytes / 100


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
