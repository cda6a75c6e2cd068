"""How long one slider move of each explorer takes, compared with rebuilding the figure.

For every explorer a seeded sequence of slider *drags* is replayed (one slider
at a time moves through ten positions towards a random target, sometimes an
end of its range). Each update is timed in phases:

``compute``  the pure frame function (runs the optimizers, cached per optimizer)
``draw``     ``set_data`` on the artists and the redraw on the Agg canvas: with blitting, of the
             background only when a panel's limits changed (the browser draws the moving artists)
``send``     what the explorer's view (``course_lib.figure_view``) is given: the moving artists recorded
             as a scene (``course_lib.scene``), plus a PNG of the background when it changed; without
             blitting, a PNG of the whole canvas. ``sent kB`` is its size.
``image view``  compute + draw + what an image of the whole canvas would cost instead (the moving artists
             drawn by the kernel, then a PNG of every pixel, ``image kB``): how the explorers showed
             their figures before they sent scenes
``diff png`` the PNG an ipympl canvas (``canvas=True``) sends instead: only the pixels that changed
             (``course_lib.png``); ``diff png mpl`` the same frame encoded the way matplotlib would
             (Pillow, default compression)

``update`` is compute + draw + send in wall-clock time, all the kernel does for one move (the goal of
30 ms applies to it); ``update CPU`` the same in CPU time of the process, which stays meaningful when
other work shares the machine.

and three ways of redrawing are compared on the same drags: ``blit`` (the
explorers' default), ``draw_idle`` (``set_data`` then a full redraw) and
``rebuild`` (a new figure per update: the naive approach).
"""

from __future__ import annotations

import contextlib
import json
import math

import numpy as np

from course_lib import objectives, png, style, widgets

from .timing import IpymplEncoder, clock_ms, clock_wall_cpu_ms, summary


def drags(specs, updates, rng, positions=10, p_extreme=0.3):
    """Slider values for ``updates`` updates: drags of one slider at a time, by ``positions`` steps."""
    values = {k: s.value for k, s in specs.items()}
    out = []
    while len(out) < updates:
        key = list(specs)[rng.integers(len(specs))]
        spec = specs[key]
        scale = (math.log10, lambda v: 10.0 ** v) if spec.log else (float, float)
        lo, hi = scale[0](spec.low), scale[0](spec.high)
        target = (lo, hi)[rng.integers(2)] if rng.random() < p_extreme else rng.uniform(lo, hi)
        for u in np.linspace(scale[0](values[key]), target, positions + 1)[1:]:
            values = {**values, key: spec.snap(scale[1](u))}
            out.append(values)
    return out[:updates]


def _landscape_problem(n=60, seed=0):
    """A small linear-regression problem y = w1 x + w2 + noise, for the landscape explorer."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, n)
    y = 1.5 * x - 0.5 + 0.4 * rng.standard_normal(n)

    def loss(w1, w2):
        w1, w2 = np.asarray(w1, float)[..., None], np.asarray(w2, float)[..., None]
        return np.mean((w1 * x + w2 - y) ** 2, axis=-1)

    grid = np.linspace(-2.2, 2.2, 50)

    def fit(w1, w2):
        return float(loss(w1, w2)), (grid, w1 * grid + w2)

    return loss, fit, (x, y)


#: Notebook 07's Beale explorer: the four optimizers it shows first, at the learning rates its sweep tunes.
BEALE_RUNS = [("gd", {"lr": 0.0316}), ("momentum", {"lr": 0.00316}), ("rmsprop", {"lr": 0.0316}),
              ("adam", {"lr": 3.16})]


def cases():
    """The explorers to measure: name -> factory(blit, values) building one explorer (headless, Agg)."""
    f = objectives.rosenbrock()
    three = ["gd", ("momentum", {"lr": 1e-3}), ("adam", {"lr": 0.1})]
    six = three + [("nesterov", {"lr": 1e-3}), ("rmsprop", {"lr": 0.01}), ("adagrad", {"lr": 0.5})]
    loss, fit, data = _landscape_problem()

    def optimizer_explorer(optimizers, objective=f, **options):
        def make(blit, values=None):
            ex = widgets.OptimizerExplorer(objective, optimizers, blit=blit, **{"x0": (-1.5, 2.0), **options})
            return ex if values is None else (ex.update(**values), ex)[1]
        return make

    def function_explorer(blit, values=None):
        ex = widgets.FunctionExplorer(objectives.parabola(), x=10.0, lr=0.2, blit=blit)
        return ex if values is None else (ex.update(**values), ex)[1]

    def landscape_explorer(blit, values=None):
        ex = widgets.LandscapeExplorer(loss, fit, ((-1, 4), (-3, 2)), data=data, blit=blit)
        return ex if values is None else (ex.update(**values), ex)[1]

    return {"OptimizerExplorer (Rosenbrock, 3 optimizers)": optimizer_explorer(three),
            "OptimizerExplorer (Rosenbrock, 6 optimizers)": optimizer_explorer(six),
            # Notebook 07's first explorer, at its tuned learning rates: four runs of 500 steps on Beale, whose
            # gradient costs several times Rosenbrock's (a move of the start recomputes all four runs).
            "OptimizerExplorer (Beale, 4 optimizers, 500 steps)": optimizer_explorer(
                BEALE_RUNS, objectives.beale(), x0=(1.0, 1.5), steps=500, max_steps=500),
            "FunctionExplorer (parabola)": function_explorer,
            "LandscapeExplorer (linear regression)": landscape_explorer}


def _sent_kB(view, background_before):
    """The size of what the view sends for one frame: the scene, and the background if it is new."""
    scene = len(json.dumps(view.ops)) + len(view.coords) + len(view.codes)
    return (scene + (len(view.background) if view.background is not background_before else 0)) / 1e3


def _time_updates(make, blit, sequence):
    ex = make(blit)
    encoders = {"png": IpymplEncoder("course"), "png_matplotlib": IpymplEncoder("matplotlib")}
    for encoder in encoders.values():
        encoder.encode(ex.painter.rgba())             # the first image ipympl sends is a full one
    phases = {"compute": [], "draw": [], "send": [], "total": [], "total_cpu": [], "picture": [],
              "image_view": [], "png": [], "png_matplotlib": []}
    redraws = {"blit": 0, "axes": 0, "full": 0}
    sent, sizes = [], []
    for values in sequence:
        frame, t_compute, c_compute = clock_wall_cpu_ms(ex.compute, values)
        how, t_draw, c_draw = clock_wall_cpu_ms(ex.render, frame)
        background = ex.view.background
        _, t_send, c_send = clock_wall_cpu_ms(ex._send)     # the scene (+ a new background), or the whole picture
        sent.append(_sent_kB(ex.view, background))
        # What an image of the whole canvas costs instead: the moving artists drawn by the kernel (if they
        # are not yet), then the PNG.
        image, t_picture = clock_ms(lambda: png.encode_rgba(ex.painter.rgba()))
        sizes.append(len(image) / 1e3)
        t_png = {k: clock_ms(e.encode, ex.painter.rgba())[1] for k, e in encoders.items()}
        redraws[how] += 1
        for k, t in zip(phases, (t_compute, t_draw, t_send, t_compute + t_draw + t_send,
                                 c_compute + c_draw + c_send, t_picture, t_compute + t_draw + t_picture,
                                 t_png["png"], t_png["png_matplotlib"])):
            phases[k].append(t)
    return {**{k: summary(v) for k, v in phases.items()}, "redraws": redraws,
            "sent_kB_median": round(float(np.median(sent)), 1),
            "image_png_kB_median": round(float(np.median(sizes)), 1)}


def _time_rebuild(make, sequence):
    total, total_cpu, png, png_mpl = [], [], [], []
    for values in sequence:
        ex, t, c = clock_wall_cpu_ms(make, False, values)
        total.append(t)
        total_cpu.append(c)
        png.append(clock_ms(IpymplEncoder("course").encode, ex.painter.rgba())[1])
        png_mpl.append(clock_ms(IpymplEncoder("matplotlib").encode, ex.painter.rgba())[1])
    return {"total": summary(total), "total_cpu": summary(total_cpu), "png": summary(png),
            "png_matplotlib": summary(png_mpl)}


def bench(updates=60, rebuild_updates=None, seed=0):
    """Time every explorer; returns the ``explorers`` section of the results."""
    results = {}
    with style.context():                             # the course's style, as every notebook uses it
        for name, make in cases().items():
            specs = make(True).specs
            sequence = drags(specs, updates, np.random.default_rng(seed))
            results[name] = {
                "updates": updates,
                "blit": _time_updates(make, True, sequence),
                "draw_idle": _time_updates(make, False, sequence),
                "rebuild": _time_rebuild(make, sequence[: rebuild_updates or updates]),
            }
    return results


def _panel_redraws_ms(variants, moves, rounds, first_only=False):
    """Median ms of OptimizerExplorer's one-panel redraws (moves that change the loss panel's limits) under
    each of ``variants`` (name -> context manager factory), the variants timed in turn, each on a new explorer.

    ``first_only``: each move is the first one of a new explorer; otherwise one explorer per round and
    variant makes all ``moves`` in a row.
    """
    make = cases()["OptimizerExplorer (Rosenbrock, 3 optimizers)"]
    ms = {name: [] for name in variants}
    with style.context():
        for _ in range(rounds):
            for batch in ([[values] for values in moves] if first_only else [moves]):
                for name, context in variants.items():
                    with context():
                        ex = make(True)
                        for values in batch:
                            frame = ex.compute({**ex.values(), **values})
                            how, elapsed = clock_ms(ex.render, frame)
                            if how == "axes":
                                ms[name].append(elapsed)
    return {k: summary(v) for k, v in ms.items()}


#: Moves of OptimizerExplorer on Rosenbrock that change its loss panel's limits (so redraw that panel).
PANEL_MOVES = [dict(steps=s) for s in (120, 300, 80, 400, 150, 60, 350, 100, 250, 90, 450, 70)] + \
              [dict(x0=x) for x in (-1.2, -0.5, -1.8, 0.3, -1.0, 1.0, -1.5)]


def title_placement(rounds=6):
    """Median ms of OptimizerExplorer's one-panel redraws (limits changed) with matplotlib's automatic title
    placement (``axes.titley`` None) and with the course's fixed one (1.0), the two timed in turn."""
    import matplotlib as mpl

    return _panel_redraws_ms({"auto": lambda: mpl.rc_context({"axes.titley": None}),
                              "fixed": lambda: mpl.rc_context({"axes.titley": 1.0})}, PANEL_MOVES, rounds)


def log_minor_ticks(rounds=6):
    """Median ms of OptimizerExplorer's one-panel redraws of its log loss panel with a tick at each decade only
    (``major``, what the explorers draw: :meth:`Explorer._log_y <course_lib.widgets.Explorer._log_y>`) and with
    matplotlib's minor ticks as well (``minor``), the two timed in turn."""
    from unittest import mock

    def with_minor(ax):
        ax.set_yscale("log")

    return _panel_redraws_ms({"major": contextlib.nullcontext,
                              "minor": lambda: mock.patch.object(widgets.Explorer, "_log_y", staticmethod(with_minor))},
                             PANEL_MOVES, rounds)


def first_panel_redraw(rounds=6):
    """Median ms of the first move that redraws OptimizerExplorer's loss panel alone, in a new explorer whose
    panel extents were measured while its cell ran (:meth:`Painter.measure`, what the explorers do) and in
    one where they were not (the first move then measures them), the two timed in turn."""
    from unittest import mock

    from course_lib.painter import Painter

    moves = [dict(steps=300), dict(steps=450), dict(y0=-0.5)]
    return _panel_redraws_ms({"measured": contextlib.nullcontext,
                              "not_measured": lambda: mock.patch.object(Painter, "measure", lambda self: None)},
                             moves, rounds, first_only=True)


def trained_ahead(moves=8):
    """Notebook 08's threshold explorer (digits, K = 4, 80 steps): the median ms of a move whose runs are
    trained when it comes (``asked``) and of one trained ahead (``ahead``, answered from the cache), and the
    seconds it takes to train ahead every setting next to the one on show (``all_ahead_s``), as the
    background thread does (one BLAS thread, no pause)."""
    from course_lib import data, distributed_explorer, explore, models

    model, digits = models.softmax_regression(64, 10), data.digits()
    with style.context():
        asking, ahead_of_time = (distributed_explorer.CompressionExplorer(model, digits, "threshold", value=0.5,
                                                                          steps=80, batch_size=16) for _ in range(2))
    settings = explore.nearby_values(asking.specs, asking.values())
    asked = [clock_ms(asking.update, **v)[1] for v in settings[:moves]]
    _, all_ahead = clock_ms(lambda: [ahead_of_time._compute_ahead_task(v, lambda *step: None) for v in settings])
    ahead = [clock_ms(ahead_of_time.update, **v)[1] for v in settings[:moves]]
    return {"asked": summary(asked), "ahead": summary(ahead), "settings": len(settings),
            "all_ahead_s": round(all_ahead / 1e3, 2)}


def deflate_backends(repeats=21):
    """Median ms and kB of deflating one OptimizerExplorer frame (its PNG rows, :func:`course_lib.png.scanlines`)
    with ISA-L (``isal``, when installed) and with Python's ``zlib``, both at the fastest level: what
    :func:`course_lib.png.deflate` chooses between."""
    with style.context():
        pixels = cases()["OptimizerExplorer (Rosenbrock, 3 optimizers)"](True).painter.rgba()
    rows = png.scanlines(pixels)
    out = {}
    for name, fast in (("isal", True), ("zlib", False)):
        if fast and png.isal_zlib is None:
            continue
        stream, _ = clock_ms(png.deflate, rows, png.DEFAULT_LEVEL, fast)
        times = [clock_ms(png.deflate, rows, png.DEFAULT_LEVEL, fast)[1] for _ in range(repeats)]
        out[name] = {**summary(times), "kB": round(len(stream) / 1e3, 1)}
    return out


def rows(section):
    """Table rows: explorer, method, then the medians (and the update's p90) in ms, and kB sent."""
    out = []
    for name, r in section.items():
        for method in ("blit", "draw_idle", "rebuild"):
            m = r[method]
            get = lambda k, q="median_ms": m[k][q] if k in m else "-"     # noqa: E731 - a tiny local accessor
            full = (f"{m['redraws']['full']} (+{m['redraws']['axes']} one panel)" if "redraws" in m else "all")
            out.append([name if method == "blit" else "", method, get("compute"), get("draw"), get("send"),
                        m["total"]["median_ms"], m["total"]["p90_ms"], m["total_cpu"]["median_ms"],
                        m.get("sent_kB_median", "-"), get("image_view"), m.get("image_png_kB_median", "-"),
                        m["png"]["median_ms"], m["png_matplotlib"]["median_ms"], full])
    return out


HEADERS = ["explorer", "redraw", "compute med", "draw med", "send med", "update med", "update p90",
           "update CPU med", "sent kB med", "image view med", "image kB", "diff png med", "diff png mpl med",
           "full redraws"]
