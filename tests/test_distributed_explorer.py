"""The compression explorer: the pure frame function at the slider extremes, and the widget, headless."""

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib import data, distributed, distributed_explorer as DE, idle, models, objectives, widgets
from course_lib.widgets import OptimizerExplorer


@pytest.fixture(scope="module")
def problem():
    """A small classification problem: fast enough to train many times."""
    return models.softmax_regression(2, 2), data.two_blobs(n=120, distance=2.0, spread=1.5, seed=1)


def test_slider_grids_are_coarse_enough_to_train_every_position_ahead():
    tau = DE.compression_sliders("threshold")["tau"]
    assert tau.positions() == [round(0.01 * i, 2) for i in range(51)]
    fraction = DE.compression_sliders("top_k")["fraction"]
    positions = fraction.positions()
    assert len(positions) == 61 and positions[0] == 0.001 and positions[-1] == 1.0
    assert {0.002, 0.01, 0.1} <= set(positions)      # the notebook's values are positions of the slider
    for kind in DE.KINDS:                               # and so are the defaults
        spec = DE.compression_sliders(kind)[DE.KINDS[kind]]
        assert spec.value in spec.positions()
    # the default cache holds what both explorers train ahead around one setting each: every other position
    # of the compressor's slider (two runs each) and each other number of workers (three runs each)
    workers = DE.compression_sliders("threshold")["workers"]
    ahead = sum(2 * (len(DE.compression_sliders(kind)[DE.KINDS[kind]].positions()) - 1)
                + 3 * (len(workers.positions()) - 1) for kind in DE.KINDS)
    assert ahead <= DE.HistoryCache().maxsize


def test_sliders_per_kind():
    s = DE.compression_sliders("threshold")
    assert set(s) == {"tau", "workers"} and s["tau"].low == 0.0 and not s["tau"].log
    assert s["workers"].integer and (s["workers"].low, s["workers"].high, s["workers"].value) == (1, 8, 4)
    s = DE.compression_sliders("top_k", value=0.2, workers=2, max_workers=6)
    assert set(s) == {"fraction", "workers"} and s["fraction"].log and s["fraction"].value == 0.2
    assert s["workers"].high == 6
    with pytest.raises(ValueError, match="kind must be one of"):
        DE.compression_sliders("random")
    with pytest.raises(ValueError, match=r"tau must be in \[0, 0.5\], got 2.0"):
        DE.compression_sliders("threshold", value=2.0)


def test_make_compressor():
    c = DE.make_compressor("threshold", 0.1, error_feedback=False)
    assert c.name == "threshold(tau=0.1, no residual)" and not c.error_feedback
    assert DE.make_compressor("top_k", 0.5).error_feedback


def test_frame_curves_match_direct_runs(problem):
    model, split = problem
    frame = DE.compression_frame(model, split, "threshold", 0.2, 3, steps=15, batch_size=8)
    assert [c.key for c in frame.curves] == list(DE.CURVE_KEYS)
    direct = distributed.data_parallel_sgd(model, split, distributed.threshold(0.2), workers=3, steps=15,
                                           batch_size=8)
    np.testing.assert_array_equal(frame.curves[1].loss, direct.loss)
    np.testing.assert_array_equal(frame.curves[1].megabytes, direct.bytes_sent / 1e6)
    dense = frame.curves[0]
    assert dense.megabytes[-1] == pytest.approx(15 * 3 * model.n_params * 4 / 1e6)
    assert dense.sent_fraction == 1.0
    assert frame.message.splitlines()[1].startswith("threshold τ=0.2, residual kept, K=3: loss ")
    assert len(frame.message.splitlines()) == 3 and frame.curves[2].label == "threshold τ=0.2, residual dropped, K=3"


def test_tau_zero_equals_dense_and_top_k_one_too(problem):
    model, split = problem
    for kind, value in (("threshold", 0.0), ("top_k", 1.0)):
        frame = DE.compression_frame(model, split, kind, value, 2, steps=10)
        for c in frame.curves[1:]:
            np.testing.assert_array_equal(c.loss, frame.curves[0].loss)
            np.testing.assert_array_equal(c.megabytes, frame.curves[0].megabytes)


def test_dropping_the_residual_stalls_training(problem):
    model, split = problem
    frame = DE.compression_frame(model, split, "threshold", 0.3, 4, steps=40)
    dense, kept, dropped = frame.curves
    assert kept.megabytes[-1] < dense.megabytes[-1]
    assert kept.loss[-1] < dropped.loss[-1]
    assert np.all(np.diff(kept.megabytes) >= 0)


def test_cache_reuses_runs(problem):
    model, split = problem
    cache = DE.HistoryCache()
    DE.compression_frame(model, split, "threshold", 0.1, 2, steps=5, cache=cache)
    assert (cache.hits, cache.misses) == (0, 3)
    DE.compression_frame(model, split, "threshold", 0.2, 2, steps=5, cache=cache)   # dense run reused
    assert (cache.hits, cache.misses) == (1, 5)
    calls = []
    values = cache.get_all(["x", "y", "x"], lambda missing: calls.append(missing) or [m * 2 for m in missing])
    assert values == ["xx", "yy", "xx"] and calls == [["x", "y"]]           # one call for all that are missing
    assert cache.get_all(["y"], lambda missing: 1 / 0) == ["yy"]
    with pytest.raises(ValueError, match="compute returned 1 values for 2 keys"):
        cache.get_all(["p", "q"], lambda missing: [0])
    small = DE.HistoryCache(maxsize=1)
    for key, value, got in (("a", 1, 1), ("b", 2, 2), ("a", 3, 3)):           # "a" was dropped for "b"
        assert small.get_all([key], lambda missing, value=value: [value]) == [got]
    with pytest.raises(ValueError, match="maxsize"):
        DE.HistoryCache(0)


@pytest.mark.parametrize("kind, values", [
    ("threshold", [dict(tau=0.0, workers=1), dict(tau=0.5, workers=8), dict(tau=0.25)]),
    ("top_k", [dict(fraction=0.002, workers=8), dict(fraction=1.0, workers=1)]),
])
def test_explorer_survives_slider_extremes(problem, kind, values):
    model, split = problem
    ex = DE.CompressionExplorer(model, split, kind, steps=10)
    slider = ex.controls[DE.KINDS[kind]]
    assert isinstance(slider, W.FloatLogSlider if kind == "top_k" else W.FloatSlider)
    assert isinstance(ex.controls["workers"], W.IntSlider)
    limits = ex.ax_bytes.get_xlim()
    for v in values:
        frame = ex.update(**v)
        # the bytes axis holds every run the sliders can ask for: no move changes it and redraws everything
        assert ex.last_redraw == "blit" and ex.ax_bytes.get_xlim() == limits
        for line in ex.painter.artists:
            assert np.all(np.isfinite(np.asarray(line.get_xydata(), float)))
        for curve, s_line, b_line in zip(frame.curves, ex.step_lines, ex.byte_lines):
            np.testing.assert_array_equal(s_line.get_ydata(), curve.loss)
            np.testing.assert_array_equal(b_line.get_xdata(), curve.megabytes[1:])
        lo, hi = ex.ax_bytes.get_xlim()
        mb = np.concatenate([c.megabytes[1:] for c in frame.curves])
        assert lo <= mb[mb > 0].min() and mb.max() <= hi
        assert f"K = {frame.workers}" in ex.alt
        assert ex.status.value.count("<br>") == 2
    with pytest.raises(ValueError, match="must be in"):
        ex.update(workers=9)
    plt.close("all")


def test_explorer_blits_when_only_the_curves_change(problem):
    model, split = problem
    ex = DE.CompressionExplorer(model, split, "threshold", steps=10)
    ex.update(tau=0.11)
    assert ex.update(tau=0.12) and ex.last_redraw == "blit"


def test_explorer_with_ipympl_canvas(problem):
    model, split = problem
    ex = DE.CompressionExplorer(model, split, "top_k", steps=5, canvas=True)
    assert ex.view is None and ex.figure.canvas in ex.widget.children
    assert all(w.continuous_update for w in ex.controls.values())         # the figure follows a drag
    assert "application/vnd.jupyter.widget-view+json" in ex._repr_mimebundle_()


def test_runs_computed_in_a_notebook_are_reused_by_the_explorer(problem):
    model, split = problem
    cache = DE.HistoryCache()
    runs = DE.compression_runs(model, split, "top_k", 0.25, 2, steps=6, cache=cache)
    assert list(runs) == list(DE.CURVE_KEYS) and runs["residual dropped"].label.endswith("no residual), K=2")
    assert np.all(runs["residual dropped"].residual_norm == 0) and np.all(runs["residual kept"].residual_norm > 0)
    ex = DE.CompressionExplorer(model, split, "top_k", value=0.25, workers=2, steps=6, cache=cache)
    assert cache.misses == 3 and cache.hits == 3
    np.testing.assert_array_equal(ex.frame.curves[1].loss, runs["residual kept"].loss)


@pytest.fixture
def turns(monkeypatch):
    """A background thread of the test's own, so that no other test's work runs on it."""
    turns = idle.Turns(pause=0)
    monkeypatch.setattr(widgets.Explorer, "_turns", turns)
    yield turns
    turns.wait_idle(60)


def test_the_explorer_trains_ahead_once_a_browser_shows_it(problem, turns):
    model, split = problem
    ex = DE.CompressionExplorer(model, split, "threshold", value=0.3, steps=6)
    assert not turns.busy and turns._thread is None          # built in a script or headless: nothing ahead
    ex.view.shown += 1                                        # what the browser reports
    assert turns.wait_idle(60) and turns.error is None
    assert turns.done == 50 + 7                               # every other tau, and each other K, at this tau
    misses = ex.cache.misses
    for setting in (dict(tau=0.0), dict(tau=0.5), dict(tau=0.3, workers=8), dict(tau=0.31, workers=4)):
        frame = ex.update(**setting)
        fresh = DE.compression_frame(model, split, "threshold", frame.value, frame.workers, steps=6)
        for a, b in zip(frame.curves, fresh.curves):          # trained ahead = trained when asked
            np.testing.assert_array_equal(a.loss, b.loss)
            np.testing.assert_array_equal(a.megabytes, b.megabytes)
    assert ex.cache.misses == misses                          # every move answered from the cache


def test_a_slider_move_trains_ahead_from_there(problem, turns):
    model, split = problem
    ex = DE.CompressionExplorer(model, split, "top_k", value=0.1, steps=6)
    ex.controls["fraction"].value = 0.0891                    # a drag, as the browser sends it
    assert ex.frame.value == 0.0891 and turns.wait_idle(60) and turns.done == 60 + 7
    misses = ex.cache.misses
    turns.cell_started()            # (hold what these moves queue: the cache is to be asked alone)
    ex.controls["fraction"].value = 0.001
    ex.controls["fraction"].value = 0.0891
    ex.controls["workers"].value = 5
    assert ex.cache.misses == misses
    turns.cell_finished()
    assert turns.wait_idle(60)
    plain = OptimizerExplorer(objectives.rosenbrock(), ["gd"], steps=5)
    plain.view.shown += 1
    plain.controls["steps"].value = 4                         # an explorer that does not train ahead
    assert not plain.prefetch and not turns.busy
    plt.close("all")


def test_training_ahead_gives_way_and_caches_nothing_half_done(problem):
    model, split = problem
    ex = DE.CompressionExplorer(model, split, "threshold", value=0.3, steps=6)
    before = dict(ex.cache._runs)

    def give_way(step):
        if step == 3:
            raise idle.GiveWay()

    with pytest.raises(idle.GiveWay):
        ex.compute_ahead({"tau": 0.2, "workers": 4}, give_way)
    assert ex.cache._runs == before


def test_training_ahead_stops_when_no_browser_shows_the_figure(problem, turns):
    model, split = problem
    ex = DE.CompressionExplorer(model, split, "threshold", value=0.3, steps=6)
    turns.cell_started()            # (hold the work, to look at the queue)
    ex.view.shown = 1               # the browser shows the figure: its neighbourhood is queued ...
    assert turns.busy
    ex.view.shown = 0               # ... and its cell is re-run: nobody sees it any more
    assert not turns.busy
    turns.cell_finished()


def test_at_most_prefetch_limit_settings_are_trained_ahead(problem, turns, monkeypatch):
    model, split = problem
    monkeypatch.setattr(DE.CompressionExplorer, "prefetch_limit", 5)
    ex = DE.CompressionExplorer(model, split, "threshold", value=0.3, steps=6)
    ex.view.shown += 1
    assert turns.wait_idle(60) and turns.done == 5
    misses = ex.cache.misses
    ex.update(tau=0.28)                                 # among the five nearest
    ex.update(tau=0.1)                                  # not
    assert ex.cache.misses == misses + 2
