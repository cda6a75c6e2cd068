"""Tests of course_lib.style: colour-blind-safe palette, distinct styles, alt text."""

import base64
import io
import re

import matplotlib.pyplot as plt
import matplotlib.style as mstyle
import numpy as np
import pytest
from matplotlib.colors import to_hex

from course_lib import optim, style


def test_palette_is_exactly_matplotlibs_tableau_colorblind10():
    oracle = {to_hex(c).upper() for c in mstyle.library["tableau-colorblind10"]["axes.prop_cycle"].by_key()["color"]}
    assert len(style.PALETTE) == len(oracle) == 10
    assert {c.upper() for c in style.PALETTE} == oracle


def test_first_sixty_series_all_look_different():
    styles = [style.series_style(i) for i in range(60)]
    assert len(set(styles)) == 60
    assert style.series_style(60) == style.series_style(0)


def test_series_sharing_a_colour_differ_in_line_style_or_marker():
    for i in range(60):
        for j in range(i + 1, 60):
            a, b = style.series_style(i), style.series_style(j)
            if a.color == b.color:
                assert (a.linestyle, a.marker) != (b.linestyle, b.marker)


@pytest.mark.parametrize("bad", [-1, 1.5, "0", True, None])
def test_series_style_rejects_bad_index(bad):
    with pytest.raises(ValueError, match="series index"):
        style.series_style(bad)


def test_every_course_optimizer_has_its_own_fixed_style():
    assert set(optim.OPTIMIZERS) | {"amsgrad"} == set(style.OPTIMIZER_ORDER)
    styles = {name: style.optimizer_style(name) for name in style.OPTIMIZER_ORDER}
    assert len(set(styles.values())) == len(styles)
    assert len({s.marker for s in styles.values()}) == len(styles)       # shape alone tells them apart


def test_optimizer_style_reads_labels_and_is_stable_for_unknown_names():
    assert style.optimizer_style("adam(lr=0.1, beta1=0.9)") == style.optimizer_style("adam")
    assert style.optimizer_style(optim.adam(lr=0.1).label()) == style.optimizer_style("adam")
    assert style.optimizer_style("lion") == style.optimizer_style("lion(lr=1e-4)")
    assert style.optimizer_style("lion").kwargs().keys() == {"color", "linestyle", "marker"}
    with pytest.raises(ValueError, match="must not be empty"):
        style.optimizer_style("(lr=1)")
    with pytest.raises(ValueError, match="must be a string"):
        style.optimizer_style(3)


def test_styles_for_uses_optimizer_styles_only_when_names_are_distinct():
    assert style.styles_for(["gd(lr=0.1)", "adam(lr=0.1)"]) == [style.optimizer_style("gd"),
                                                                style.optimizer_style("adam")]
    same = style.styles_for(["gd(lr=0.1)", "gd(lr=0.5)", "gd(lr=1.1)"])
    assert len(set(same)) == 3
    assert same == [style.series_style(i) for i in range(3)]


def test_context_applies_palette_and_line_styles():
    with style.context():
        fig, ax = plt.subplots()
        first, second = ax.plot([0, 1])[0], ax.plot([1, 0])[0]
    plt.close(fig)
    assert to_hex(first.get_color()).upper() == style.PALETTE[0]
    assert first.get_linestyle() != second.get_linestyle()


@pytest.mark.parametrize("alt", ["", "   ", None, 3])
def test_empty_or_missing_alt_text_is_refused(alt):
    fig, ax = plt.subplots()
    try:
        with pytest.raises(ValueError, match="alt text"):
            style.show(fig, alt)
        with pytest.raises(ValueError, match="alt text"):
            style.set_alt(fig, alt)
        assert style.get_alt(fig) is None
    finally:
        plt.close(fig)


def test_show_displays_an_img_with_alt_text_and_closes_the_figure(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append((obj, raw)))
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    alt = 'A line falling from 1 to 0; note the "slope" <-1>'
    style.show(fig, alt)
    assert not plt.fignum_exists(fig.number)
    assert style.get_alt(fig) == alt
    (bundle, raw), = shown
    assert raw and bundle["text/plain"] == alt
    img = bundle["text/html"]
    assert 'alt="A line falling from 1 to 0; note the &quot;slope&quot; &lt;-1&gt;"' in img
    data = re.search(r'base64,([^"]+)"', img).group(1)
    assert base64.b64decode(data).startswith(b"\x89PNG")


def _demo_figure(make, layout):
    fig = make(figsize=(5, 3), layout=layout)
    ax = fig.add_subplot()
    ax.plot([0, 1, 2], [2, 0, 1], label="$x^2$")
    ax.set_title("a title with $\\eta$")
    ax.set_xlabel("step $t$")
    ax.legend()
    return fig


@pytest.mark.parametrize("layout", ["constrained", None, "tight"])
@pytest.mark.parametrize("dpi", [None, 72])
@pytest.mark.parametrize("maker", ["pyplot", "Figure"])
def test_png_bytes_equal_savefig_and_leave_the_figure_as_it_was(layout, dpi, maker):
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    make = plt.figure if maker == "pyplot" else Figure
    expected_fig, fig = _demo_figure(make, layout), _demo_figure(make, layout)
    buf = io.BytesIO()
    expected_fig.savefig(buf, format="png", dpi=dpi or "figure")
    canvas, fig_dpi = fig.canvas, fig.dpi
    assert style.png_bytes(fig, dpi) == buf.getvalue()
    assert fig.canvas is canvas and fig.dpi == fig_dpi
    plt.close("all")


def test_png_bytes_on_an_ipympl_canvas_sends_no_picture_to_the_browser(monkeypatch):
    """On ipympl's canvas: the bytes of savefig, and no image (at most a busy cursor) goes to the browser."""
    pytest.importorskip("ipympl")
    from ipympl.backend_nbagg import Canvas, FigureManager
    from matplotlib.figure import Figure

    fig, reference = _demo_figure(Figure, "constrained"), _demo_figure(Figure, "constrained")
    canvas = Canvas(fig)
    FigureManager(canvas, 0)
    sent = []
    monkeypatch.setattr(canvas, "send_json", lambda content: sent.append(content))
    monkeypatch.setattr(canvas, "send_binary", lambda data: sent.append(data))
    buf = io.BytesIO()
    reference.savefig(buf, format="png")
    assert style.png_bytes(fig) == buf.getvalue()
    assert fig.canvas is canvas
    assert all(isinstance(m, dict) and m["type"] == "cursor" for m in sent), sent


def test_figures_share_one_mathtext_parser_and_look_the_same():
    """Every course figure's renderer parses formulas with one shared parser, so a formula is parsed once per
    kernel, not once per figure; the pictures are those of matplotlib's own per-renderer parsers."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    def figure():
        fig = Figure(figsize=(4, 3), dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        ax.semilogy([1, 2, 3], [1e-6, 1e-2, 10])
        ax.set_xlabel("step $t$")
        ax.set_ylabel(r"$f(x_t) - f^\star$")
        return fig

    shared, own = figure(), figure()
    style.share_mathtext(shared.canvas)
    assert shared.canvas.get_renderer().mathtext_parser is style.share_mathtext(figure().canvas).get_renderer().mathtext_parser
    assert own.canvas.get_renderer().mathtext_parser is not shared.canvas.get_renderer().mathtext_parser
    shared.canvas.draw()
    own.canvas.draw()
    assert np.array_equal(np.asarray(shared.canvas.buffer_rgba()), np.asarray(own.canvas.buffer_rgba()))
    parses = style._mathtext_parser("vector")._parse_cached.cache_info().misses
    again = figure()
    style.share_mathtext(again.canvas).draw()                  # the same formulas: nothing parsed again
    assert style._mathtext_parser("vector")._parse_cached.cache_info().misses == parses
