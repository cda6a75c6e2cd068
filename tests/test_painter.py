"""course_lib.painter: redrawing one panel must paint exactly what a full redraw paints."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from course_lib.painter import Painter


def _figure():
    """A static panel and a log-scaled panel with one moving line, as an explorer lays them out."""
    fig = Figure(figsize=(8, 3), dpi=100)
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=0.1, right=0.97, wspace=0.6, bottom=0.2)
    static, moving = fig.subplots(1, 2)
    static.plot([0, 1], [0, 1])
    static.set_title("static panel")
    line, = moving.plot([1, 2, 3], [1e-3, 1e-1, 1e1])
    moving.set_yscale("log")
    moving.set_ylabel("loss (log scale)")
    painter = Painter(fig, [line])
    fig.canvas.draw()
    return fig, moving, painter


def _pixels(fig):
    return np.asarray(fig.canvas.buffer_rgba()).copy()


@pytest.mark.parametrize("limits", [[(1e-30, 1e30), (1e-1, 1e1)],      # tick labels shrink: the label moves right
                                    [(1e-1, 1e1), (1e-30, 1e30)],      # ... and grow
                                    [(1e-12, 1e3), (0.5, 2.0), (1e-5, 1e5)]])
def test_a_one_panel_redraw_equals_a_full_redraw(limits):
    """Wherever the panel's labels were before is erased too: no trace of the old tick labels or axis label."""
    (fig, ax, painter), (ref, ref_ax, _) = _figure(), _figure()
    for lim in limits:
        painter.before_move(ax)
        ax.set_ylim(*lim)
        assert painter.refresh(True, [ax]) == "axes"
        ref_ax.set_ylim(*lim)
        ref.canvas.draw()
        assert np.array_equal(_pixels(fig), _pixels(ref)), f"after ylim {lim}"


def test_without_the_old_region_the_whole_figure_is_redrawn():
    fig, ax, painter = _figure()
    ax.set_ylim(1e-2, 1e2)                          # moved without before_move: where it was is unknown
    assert painter.refresh(True, [ax]) == "full"


def test_a_panel_that_would_erase_another_is_not_redrawn_alone():
    fig, ax, painter = _figure()
    other = fig.axes[0]
    other.set_title("a title long enough to reach over into the next panel " * 2)
    fig.canvas.draw()
    painter.before_move(ax)
    ax.set_ylim(1e-2, 1e2)
    assert painter.refresh(True, [ax]) == "full"
