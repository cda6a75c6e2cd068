r"""Live sliders for compressed data-parallel SGD: the threshold :math:`\tau` (or top-k fraction) and :math:`K`.

One slider setting trains the same model three times, side by side, with
:func:`course_lib.distributed.data_parallel_runs` and :math:`K` workers:

* **dense** -- every worker sends its whole gradient (plain data-parallel SGD);
* **residual kept** -- each worker sends the compressed accumulated gradient
  and keeps the rest (error feedback, as Strom 2015 does);
* **residual dropped** -- the same compressor, but what is not sent is lost.

:func:`compression_frame` computes the three loss curves and the cumulative
bytes sent, with no widgets and no drawing, so it can be tested headless;
:class:`CompressionExplorer` only wires the sliders to it and copies the
curves into a persistent figure with ``set_data`` (the pattern of
:mod:`course_lib.widgets`). Each slider move trains two models (the dense run
of each :math:`K` is cached): keep ``steps`` small (60--100) so it stays fast.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import NamedTuple

import numpy as np

from . import distributed, optim, style, widgets
from .explore import SliderSpec

__all__ = ["KINDS", "CURVE_KEYS", "Curve", "CompressionFrame", "HistoryCache", "compression_sliders",
           "make_compressor", "compression_runs", "compression_frame", "describe_compression", "CompressionExplorer"]

#: The compressors the explorer offers, by kind: the name of the slider that sets their parameter.
KINDS = {"threshold": "tau", "top_k": "fraction"}

#: The three runs of a frame, in drawing order, with their legend entries.
CURVE_KEYS = ("dense", "residual kept", "residual dropped")
LEGEND = ("dense: every entry, every step", "compressed, residual kept", "compressed, residual dropped")


class Curve(NamedTuple):
    """One run of a frame.

    Attributes
    ----------
    key : str
        One of ``"dense"``, ``"residual kept"``, ``"residual dropped"``.
    label : str
        The run and :math:`K`, e.g. ``"threshold τ=0.1, residual kept, K=4"``.
    loss : ndarray, shape (steps + 1,)
        Training loss before each step and after the last.
    megabytes : ndarray, shape (steps + 1,)
        Cumulative megabytes (:math:`10^6` bytes) sent by all workers; 0 at the start.
    sent_fraction : float
        The fraction of gradient entries sent per step, averaged over steps and workers.
    """

    key: str
    label: str
    loss: np.ndarray
    megabytes: np.ndarray
    sent_fraction: float


class CompressionFrame(NamedTuple):
    """One state of the explorer: the slider values, the three :class:`Curve` objects and a status message."""

    kind: str
    value: float
    workers: int
    curves: tuple
    message: str


def _check_kind(kind):
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}, got {kind!r}")
    return kind


def compression_sliders(kind, value=None, workers=4, max_workers=8):
    """The two sliders of the explorer: the compressor's parameter and the number of workers.

    Parameters
    ----------
    kind : {"threshold", "top_k"}
        ``"threshold"``: a linear slider ``tau`` on :math:`[0, 0.5]` in steps of 0.01 (0 sends
        everything); ``"top_k"``: a log slider ``fraction`` on :math:`[0.001, 1]` in steps of
        0.05 decades (12 %). Coarse enough for the explorer to train every position of the slider
        ahead, fine enough to see the curves move smoothly.
    value : float, optional
        The compressor's starting value (default 0.1 for ``tau``, 0.01 for ``fraction``): a position of its slider.
    workers, max_workers : int
        Starting value and maximum of the ``workers`` slider (minimum 1).

    Returns
    -------
    dict of str -> SliderSpec
    """
    if _check_kind(kind) == "threshold":
        spec = SliderSpec("tau", 0.0, 0.5, 0.1, description="threshold τ", step=0.01)
    else:
        spec = SliderSpec("fraction", 0.001, 1.0, 0.01, log=True, description="top-k fraction", step=0.05)
    if value is not None:
        spec = spec.with_value(value)
    return {spec.name: spec,
            "workers": SliderSpec("workers", 1, max_workers, workers, integer=True, description="workers K")}


def make_compressor(kind, value, error_feedback=True):
    """``distributed.threshold(value)`` or ``distributed.top_k(value)``, with or without the residual."""
    if _check_kind(kind) == "threshold":
        return distributed.threshold(value, error_feedback=error_feedback)
    return distributed.top_k(value, error_feedback=error_feedback)


class HistoryCache:
    """The last ``maxsize`` runs by ``(kind, value, error_feedback, workers)``: moving one slider back is free.

    The default holds what notebook 08's two explorers train ahead around one setting each (every other
    position of the compressor's slider, two runs each, and each other number of workers, three runs
    each: 121 and 141 runs of about 8 kB), with the notebook's own runs. It may be used from several
    threads (an explorer trains ahead on one of its own).
    """

    def __init__(self, maxsize=512):
        if isinstance(maxsize, bool) or not isinstance(maxsize, int) or maxsize < 1:
            raise ValueError(f"maxsize must be a positive integer, got {maxsize!r}")
        self.maxsize = maxsize
        self._runs = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get_all(self, keys, compute):
        """The cached values of ``keys``, in order; those not cached come from one call ``compute(missing)``.

        ``compute`` gets the list of keys not in the cache and returns their values in the same order
        (e.g. runs trained side by side, :func:`~course_lib.distributed.data_parallel_runs`); they are stored.
        """
        with self._lock:
            found = {key: self._runs[key] for key in keys if key in self._runs}
        missing = [key for key in dict.fromkeys(keys) if key not in found]
        if missing:             # (computed outside the lock: another thread may use the cache meanwhile)
            values = list(compute(missing))
            if len(values) != len(missing):
                raise ValueError(f"compute returned {len(values)} values for {len(missing)} keys")
            found.update(zip(missing, values))
        with self._lock:
            self.hits += len(keys) - len(missing)
            self.misses += len(missing)
            for key in keys:                  # the newest last; the oldest beyond maxsize are dropped
                self._runs[key] = found[key]
                self._runs.move_to_end(key)
            while len(self._runs) > self.maxsize:
                self._runs.popitem(last=False)
        return [found[key] for key in keys]


def compression_runs(model, data, kind, value, workers, *, steps=80, batch_size=16, lr=0.1, seed=0, cache=None,
                     callback=None):
    r"""Train ``model`` three times with ``workers`` workers: dense, compressed with and without residual.

    Parameters
    ----------
    model : Model
        E.g. ``models.softmax_regression(64, 10)``.
    data : Split
        Its training part is sharded across the workers.
    kind : {"threshold", "top_k"}
        The compressor.
    value : float
        Its parameter: :math:`\tau \ge 0` or the fraction in :math:`(0, 1]`.
    workers : int
        The number of workers :math:`K`.
    steps, batch_size, lr, seed : int, int, float, int
        As in :func:`~course_lib.distributed.data_parallel_sgd` (the server takes SGD steps of size ``lr``).
    cache : HistoryCache, optional
        Reuse runs already computed (the dense run does not depend on ``kind`` and ``value``).
    callback : callable, optional
        Passed to :func:`~course_lib.distributed.data_parallel_runs` (called after each step; an
        exception it raises stops the training, and nothing is cached).

    Returns
    -------
    dict of str -> DistributedHistory
        By :data:`CURVE_KEYS`: ``"dense"``, ``"residual kept"``, ``"residual dropped"``.
    """
    cache = HistoryCache() if cache is None else cache
    compressors = {"dense": (("dense", 0.0, True), distributed.dense()),
                   "residual kept": ((kind, float(value), True), make_compressor(kind, value, True)),
                   "residual dropped": ((kind, float(value), False), make_compressor(kind, value, False))}
    keys = {(id(model), id(data), *ckey, int(workers), steps, batch_size, lr, seed): compressor
            for ckey, compressor in compressors.values()}

    def train(missing):       # the runs not cached yet, side by side on the same minibatches
        return distributed.data_parallel_runs(model, data, [keys[key] for key in missing], workers=workers,
                                              steps=steps, batch_size=batch_size, opt=optim.sgd(lr=lr), seed=seed,
                                              callback=callback)

    return dict(zip(compressors, cache.get_all(list(keys), train)))


def compression_frame(model, data, kind, value, workers, *, steps=80, batch_size=16, lr=0.1, seed=0, cache=None,
                      callback=None):
    r"""The three runs of :func:`compression_runs` as loss curves against steps and megabytes sent.

    Parameters are those of :func:`compression_runs`.

    Returns
    -------
    CompressionFrame
        The curves in the order ``dense``, ``residual kept``, ``residual dropped``.
    """
    runs = compression_runs(model, data, kind, value, workers, steps=steps, batch_size=batch_size, lr=lr, seed=seed,
                            cache=cache, callback=callback)
    name = f"threshold τ={value:.3g}" if kind == "threshold" else f"top-k f={value:.3g}"
    labels = {"dense": f"dense, K={workers}", "residual kept": f"{name}, residual kept, K={workers}",
              "residual dropped": f"{name}, residual dropped, K={workers}"}
    curves = [Curve(key, labels[key], np.asarray(h.loss, float), h.bytes_sent / 1e6, float(h.sent_fraction.mean()))
              for key, h in runs.items()]
    dense_mb = curves[0].megabytes[-1]
    lines = [f"{curves[0].label}: loss {curves[0].loss[-1]:.4f} after {dense_mb:.3g} MB"]
    for c in curves[1:]:
        ratio = dense_mb / c.megabytes[-1] if c.megabytes[-1] > 0 else np.inf
        lines.append(f"{c.label}: loss {c.loss[-1]:.4f} after {c.megabytes[-1]:.3g} MB "
                     f"({ratio:.3g}x fewer bytes, {c.sent_fraction:.1%} of entries per step)")
    return CompressionFrame(kind, float(value), int(workers), tuple(curves), "\n".join(lines))


def describe_compression(frame):
    """Alt text for the explorer's figure: what is drawn and how each run ended."""
    name = KINDS[frame.kind]
    runs = "; ".join(f"{c.key}: final loss {c.loss[-1]:.3g} after {c.megabytes[-1]:.3g} MB" for c in frame.curves)
    return (f"Training loss against step and against megabytes sent for data-parallel SGD with K = {frame.workers} "
            f"workers, dense and {frame.kind} compression ({name} = {frame.value:.3g}) with the residual kept "
            f"or dropped. {runs}.")


class CompressionExplorer(widgets._Explorer):
    """Sliders for the compressor's parameter and the number of workers; loss vs step and vs bytes sent.

    Parameters
    ----------
    model : Model
        The model every worker trains.
    data : Split
        The training data, sharded across the workers.
    kind : {"threshold", "top_k"}
        Strom's threshold (slider ``tau``) or top-k sparsification (slider ``fraction``).
    value : float, optional
        Starting value of the compressor's slider.
    workers, max_workers : int
        Starting value and maximum of the ``workers`` slider.
    steps, batch_size, lr, seed
        Passed to :func:`compression_frame`. Every slider move trains two
        models of ``steps`` steps: keep it small.
    cache : HistoryCache, optional
        Runs already computed (e.g. by :func:`compression_runs` in the notebook) are not trained again.
    canvas : bool
        As for :class:`~course_lib.widgets.OptimizerExplorer`: a figure view (default) or an ipympl canvas.
        Either way the figure follows a drag, as in every explorer, although every move trains two
        models: the browser sends a slider's next value only once the kernel has answered the last one
        (ipywidgets keeps one message in flight and merges the rest), so a drag never queues more than
        one training behind the one running.
    blit : bool
        Redraw only the curves (default).

    Once a browser shows the figure, and after each move, the explorer trains the runs of the slider
    positions nearest the one on show, on a background thread that gives way to every move and cell
    (:attr:`Explorer.prefetch <course_lib.widgets.Explorer.prefetch>`): every position of the compressor's
    slider, and each other number of workers: for the threshold, 57 settings of two or three runs, a few
    seconds' work. A move to one of them is then answered from the cache, some thirty times as fast as
    training its runs (``make bench``, the line "Notebook 08's threshold explorer").

    Examples
    --------
    >>> ex = CompressionExplorer(models.softmax_regression(64, 10), data.digits(), "threshold")
    >>> frame = ex.update(tau=0.3, workers=8)    # what a slider move does
    >>> ex                                       # display it (last expression of a cell)  # doctest: +SKIP
    """

    # No move changes an axis (the bytes axis is set wide enough in _build_figure), so there is no
    # panel to redraw alone, nor to measure for it while the cell runs.
    one_panel_redraws = False
    # A move trains two models (about 60 ms here, twice that while a browser shares the machine): the
    # runs of the slider positions around the one on show are trained ahead, and a move there is then
    # answered from the cache.
    prefetch = True

    def __init__(self, model, data, kind="threshold", *, value=None, workers=4, max_workers=8, steps=80,
                 batch_size=16, lr=0.1, seed=0, cache=None, title=None, canvas=False, blit=True,
                 figsize=(10, 4.4)):
        self.model, self.data, self.kind = model, data, _check_kind(kind)
        self.run_args = dict(steps=steps, batch_size=batch_size, lr=lr, seed=seed)
        self.cache = cache if cache is not None else HistoryCache()
        super().__init__(compression_sliders(kind, value, workers, max_workers), figsize, canvas, blit)
        self._build_figure(title)
        self._finish([self.controls[KINDS[kind]], self.controls["workers"]])

    def _build_figure(self, title):
        fig = self.figure
        fig.subplots_adjust(left=0.08, right=0.98, top=0.88, bottom=0.2, wspace=0.22)
        self.ax_step, self.ax_bytes = fig.subplots(1, 2, sharey=True)
        styles = [style.series_style(i) for i in range(len(CURVE_KEYS))]
        self.step_lines = [self.ax_step.plot([], [], **st.kwargs(), label=label)[0]
                           for st, label in zip(styles, LEGEND)]
        self.byte_lines = [self.ax_bytes.plot([], [], **st.kwargs())[0] for st in styles]
        steps = self.run_args["steps"]
        self.ax_step.set_xlim(0, steps)
        self.ax_step.set_xlabel("step $t$")
        self.ax_step.set_ylabel("training loss (whole training set)")
        self.ax_step.set_title("Loss per step")
        self.ax_bytes.set_xscale("log")
        # Room for every run the sliders can ask for, from one entry sent once by one worker to dense
        # training with the most workers: a slider move then never changes the axis (which would redraw
        # the whole figure, several times the cost of redrawing the curves alone).
        one_entry = make_compressor(self.kind, 1.0).bytes_per_entry
        most = self.controls["workers"].max * self.model.n_params * distributed.FLOAT_BYTES * steps
        self.ax_bytes.set_xlim(one_entry / 2e6, 2 * most / 1e6)
        self.ax_bytes.set_xlabel("megabytes sent by all workers (log scale)")
        self.ax_bytes.set_title("Loss per megabyte sent: left is cheaper")
        initial = self.model.loss(self.model.init_params(self.run_args["seed"]), self.data.X_train,
                                  self.data.y_train)
        self.ax_step.set_ylim(0, np.ceil(2.1 * initial) / 2)      # the loss starts at `initial` for every K
        fig.suptitle(title or f"Data-parallel SGD with {self.kind.replace('_', '-')} compression: move the sliders")
        fig.legend(handles=self.step_lines, loc="lower center", ncol=3, frameon=False)

    def _moving_artists(self):
        return self.step_lines + self.byte_lines

    def compute(self, values, callback=None):
        """The frame of the slider ``values`` (``callback``: see :func:`compression_runs`)."""
        return compression_frame(self.model, self.data, self.kind, values[KINDS[self.kind]], values["workers"],
                                 cache=self.cache, callback=callback, **self.run_args)

    def compute_ahead(self, values, check):
        """:meth:`compute` for the computing ahead: the training gives way to a slider move after any step."""
        self.compute(values, callback=check)

    def _apply(self, frame):
        steps = np.arange(len(frame.curves[0].loss))
        for curve, s_line, b_line in zip(frame.curves, self.step_lines, self.byte_lines):
            s_line.set_data(steps, curve.loss)
            s_line.set_markevery(max(1, len(steps) // 8))
            b_line.set_data(curve.megabytes[1:], curve.loss[1:])      # 0 bytes has no place on a log axis
            b_line.set_markevery(max(1, len(steps) // 8))
        return False          # the axes hold every run the sliders can ask for (see _build_figure)

    def _describe(self, frame):
        return describe_compression(frame)

