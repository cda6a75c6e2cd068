r"""Data-parallel SGD with simulated workers, and gradient compression with residuals.

With :math:`K` workers, each holds a shard of the training data, computes a
minibatch gradient :math:`g^{(k)}_t` and sends it; the server averages what
arrives and takes one optimizer step. Sending a dense gradient every step costs
:math:`K \cdot n \cdot 4` bytes (float32) per step for :math:`n` parameters: the
communication bottleneck of distributed training.

Compression with **residuals** (error feedback; Strom 2015 for the threshold
rule): each worker adds the new gradient to what it has not sent yet,

.. math::

    a_t = r_{t-1} + g_t, \qquad s_t = C(a_t), \qquad r_t = a_t - s_t,

sends only :math:`s_t` and keeps :math:`r_t`. Nothing is lost, only delayed:
:math:`\sum_{t \le T} s_t + r_T = \sum_{t \le T} g_t` exactly. The compressors:

* :func:`threshold` — send the entries with :math:`|a_i| \ge \tau` (Strom 2015
  sends :math:`\pm\tau` and keeps the excess; ``quantize=True``);
* :func:`top_k` — send the largest fraction of entries by magnitude;
* :func:`dense` — send everything (plain data-parallel SGD).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

from .models import PATH_CHUNK
from .optim import Optimizer, sgd
from .optim._core import flag, non_negative, positive, positive_int

__all__ = ["Compressor", "dense", "threshold", "top_k", "compress", "compress_workers", "entries_sent",
           "message_bytes", "shard", "DistributedHistory", "data_parallel_sgd",
           "data_parallel_runs"]

FLOAT_BYTES = 4   # gradients travel as float32
INDEX_BYTES = 4   # a sparse entry also needs its 32-bit index


class Compressor(NamedTuple):
    """What a worker sends: ``select(a) -> s`` picks the message from the accumulated gradient ``a``.

    ``a`` has the shape of the parameter array; a compressor with ``stacks`` gets it flattened
    instead (one message, 1-D) or a 2-D stack of flat messages, one per row.

    Attributes
    ----------
    name : str
        For legends, e.g. ``"threshold(tau=0.01)"``.
    select : callable
        ``select(a) -> s`` with ``s`` the same shape as ``a``, zero where nothing is sent.
    error_feedback : bool
        Keep the unsent part as a residual for the next step (True), or drop it.
    bytes_per_entry : int
        Bytes per sent entry in a sparse message (value and index, or index and sign).
    sparse : bool
        False for a dense message (every entry, values only).
    stacks : bool
        True if ``select`` takes flat messages: a 1-D array, or a 2-D array with one message per
        row, each picked from its row alone; every worker's message is then compressed in one call
        (:func:`compress_workers`). False (the default, always safe): ``select`` gets each worker's
        accumulated gradient on its own, with the shape of its parameter array.
    """

    name: str
    select: Callable[[np.ndarray], np.ndarray]
    error_feedback: bool = True
    bytes_per_entry: int = FLOAT_BYTES + INDEX_BYTES
    sparse: bool = True
    stacks: bool = False


def dense():
    """Send the whole gradient every step: plain data-parallel SGD."""
    return Compressor("dense", lambda a: a, error_feedback=True, bytes_per_entry=FLOAT_BYTES, sparse=False,
                      stacks=True)


def threshold(tau, quantize=False, error_feedback=True):
    r"""Send entry :math:`i` only when the accumulated :math:`|a_i| \ge \tau`.

    Parameters
    ----------
    tau : float
        The threshold :math:`\tau \ge 0`. With :math:`\tau = 0` everything is sent.
    quantize : bool
        Send :math:`\tau\,\mathrm{sign}(a_i)` instead of :math:`a_i` (Strom 2015:
        one sign bit packed with the index, so 4 bytes per entry); needs :math:`\tau > 0`.
    error_feedback : bool
        Keep the residual (True, as Strom does) or drop it (to see what goes wrong).
    """
    tau = positive("tau", tau) if quantize else non_negative("tau", tau)
    quantize, error_feedback = flag("quantize", quantize), flag("error_feedback", error_feedback)

    def select(a):
        passed = np.abs(a) >= tau
        return np.where(passed, tau * np.sign(a) if quantize else a, 0.0)

    name = f"threshold(tau={tau:g}{', quantized' if quantize else ''}{'' if error_feedback else ', no residual'})"
    return Compressor(name, select, error_feedback, INDEX_BYTES if quantize else FLOAT_BYTES + INDEX_BYTES,
                      stacks=True)


def top_k(fraction, error_feedback=True):
    r"""Send the :math:`\lceil f n \rceil` entries of largest :math:`|a_i|` (ties broken by position).

    The same entries as ``np.argsort(-np.abs(a), kind="stable")[:k]`` picks, found without sorting:
    a partition finds the :math:`k`-th largest magnitude in linear time. Its ``select`` takes one
    flat message, or a 2-D array of messages, one per row (``stacks``).

    The count is taken per parameter array of size :math:`n` (each layer sends its own top
    fraction), so a model with several arrays sends slightly more than :math:`f` of all entries.
    """
    fraction = positive("fraction", fraction)
    if fraction > 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    error_feedback = flag("error_feedback", error_feedback)

    def select(a):
        rows = np.atleast_2d(a)                             # one message per row
        size = np.where(np.isnan(rows), -1.0, np.abs(rows))  # a NaN ranks last, as in a sort
        k = int(np.ceil(fraction * rows.shape[1]))
        kth = np.partition(size, -k, axis=1)[:, [-k]]       # each row's k-th largest |a_i|
        above, tied = size > kth, size == kth
        # the entries above it, then of those tied with it the first by position, until k are kept
        keep = above | (tied & (np.cumsum(tied, axis=1) <= k - above.sum(axis=1, keepdims=True)))
        return np.where(keep, rows, 0.0).reshape(a.shape)

    name = f"top-k({100 * fraction:g}%{'' if error_feedback else ', no residual'})"
    return Compressor(name, select, error_feedback, stacks=True)


def compress(compressor, residual, grad, workers=False):
    r"""One worker's step: :math:`a = r + g`, :math:`s = C(a)`, :math:`r' = a - s` (or 0 without error feedback).

    ``residual`` and ``grad`` are dicts of arrays (or arrays). Returns ``(sent, new_residual)``.
    With ``workers=True`` each array holds one worker's along its first axis (see :func:`compress_workers`).
    """
    if isinstance(grad, dict):
        pairs = {k: compress(compressor, residual[k], grad[k], workers) for k in grad}
        return {k: p[0] for k, p in pairs.items()}, {k: p[1] for k, p in pairs.items()}
    a = np.add(residual, grad)
    if compressor.stacks:              # select takes flat messages: one, or one per row for the workers
        sent = compressor.select(a.reshape(len(a), -1) if workers else a.ravel()).reshape(a.shape)
    else:
        sent = compressor.select(a)
    return sent, (a - sent if compressor.error_feedback else np.zeros_like(a))


def compress_workers(compressor, residual, grad):
    """:func:`compress` for every worker at once: ``residual`` and ``grad`` hold stacked arrays (or dicts of them).

    Each array has the workers along its first axis; so do the returned ``(sent, new_residual)``.
    A compressor whose ``select`` takes one message per row (``stacks``: dense, threshold, top-k)
    compresses every worker's message in one call; any other, each worker's on its own.
    """
    if compressor.stacks:
        return compress(compressor, residual, grad, workers=True)
    workers = len(next(iter(grad.values()))) if isinstance(grad, dict) else len(grad)
    pairs = [compress(compressor, _worker(residual, i), _worker(grad, i)) for i in range(workers)]
    return _stack([p[0] for p in pairs]), _stack([p[1] for p in pairs])


def _worker(tree, i):
    """Worker ``i``'s part of a stacked array or dict of stacked arrays."""
    return {k: v[i] for k, v in tree.items()} if isinstance(tree, dict) else tree[i]


def _stack(trees):
    """The workers' arrays (or dicts of arrays) stacked along a new first axis."""
    return {k: np.stack([t[k] for t in trees]) for k in trees[0]} if isinstance(trees[0], dict) else np.stack(trees)


def entries_sent(compressor, sent, stacked=False):
    """How many entries a message carries, and how many the gradient has: ``(sent, total)``.

    With ``stacked=True``, ``sent`` holds one message per worker along the first axis of each
    array, and the first number is an array: the entries of each worker's message.
    """
    arrays = list(sent.values()) if isinstance(sent, dict) else [sent]
    rows = [np.reshape(a, (len(a) if stacked else 1, -1)) for a in arrays]      # one row per message
    total = sum(r.shape[1] for r in rows)
    counts = sum(np.count_nonzero(r, axis=1) for r in rows) if compressor.sparse else np.full(len(rows[0]), total)
    return (counts if stacked else int(counts[0])), total


def message_bytes(compressor, sent, stacked=False):
    """Bytes of one worker's message: dense values, or (index, value) pairs, whichever a sender would pick.

    With ``stacked=True``: the bytes of each worker's message, as for :func:`entries_sent`.
    """
    cost = _cost(compressor, *entries_sent(compressor, sent, stacked))
    return cost if stacked else int(cost)


def _cost(compressor, n_sent, total):
    """Bytes of messages of ``n_sent`` entries (a number or an array) out of ``total``: see :func:`message_bytes`."""
    dense_bytes = total * FLOAT_BYTES
    return (np.minimum(n_sent * compressor.bytes_per_entry, dense_bytes) if compressor.sparse
            else np.full(np.shape(n_sent), dense_bytes))


def shard(n, workers, rng):
    """Split the indices ``0..n-1`` at random into ``workers`` shards of (almost) equal size."""
    return np.array_split(rng.permutation(n), workers)


@dataclass(eq=False)
class DistributedHistory:
    r"""The record of a data-parallel run.

    Attributes
    ----------
    loss : ndarray, shape (steps + 1,)
        Training loss on the whole training set before each step and after the last.
    bytes_sent : ndarray, shape (steps + 1,)
        Cumulative bytes sent by all workers (0 at the start).
    sent_fraction : ndarray, shape (steps,)
        Fraction of gradient entries sent per step, averaged over workers.
    params : dict
        The final parameters.
    residual_norm : ndarray, shape (steps,)
        Norm of all workers' residuals after each step.
    dense_bytes_per_step : int
        What one step costs without compression: :math:`K \cdot n \cdot 4` bytes.
    label : str
    """

    loss: np.ndarray
    bytes_sent: np.ndarray
    sent_fraction: np.ndarray
    residual_norm: np.ndarray
    params: dict
    dense_bytes_per_step: int
    label: str


def data_parallel_sgd(model, data, compressor, workers=4, steps=200, batch_size=16, opt=None, seed=0, callback=None):
    r"""Train ``model`` with ``workers`` simulated workers that send compressed gradients.

    Each step, worker :math:`k` draws ``batch_size`` samples from its own shard,
    computes :math:`g^{(k)}`, and sends :math:`s^{(k)}` from :func:`compress`;
    the server applies ``opt`` to the average :math:`\frac1K\sum_k s^{(k)}`. The workers'
    gradients are computed together, as one stack of minibatches (:meth:`Model.loss_and_grad`),
    and compressed together (:func:`compress_workers`); the parameters of every step are kept
    and the training loss is evaluated along them at the end (:meth:`Model.path_loss`).

    Parameters
    ----------
    model : Model
        E.g. ``models.softmax_regression(64, 10)``.
    data : Split
        The training part is sharded across workers.
    compressor : Compressor
        :func:`dense`, :func:`threshold` or :func:`top_k`.
    workers : int
        The number of workers :math:`K \ge 1`.
    steps, batch_size : int
        Steps to take, and samples per worker per step (cut to the smallest shard,
        ``len(data.X_train) // workers``, if it holds fewer).
    opt : Optimizer, optional
        The server's optimizer; default ``sgd(lr=0.1)``.
    seed : int
        Seeds the initial parameters, the shards and the minibatches.
    callback : callable, optional
        Called as ``callback(t)`` after step ``t`` (1 to ``steps``) with the step's number. An exception
        it raises stops the training and reaches the caller: an explorer computing ahead gives way to a
        slider move this way.

    Returns
    -------
    DistributedHistory

    See Also
    --------
    data_parallel_runs : several compressors trained side by side on the same minibatches.
    """
    return data_parallel_runs(model, data, [compressor], workers, steps, batch_size, opt, seed, callback)[0]


def data_parallel_runs(model, data, compressors, workers=4, steps=200, batch_size=16, opt=None, seed=0,
                       callback=None):
    r"""Train ``model`` once per compressor, side by side: each run is :func:`data_parallel_sgd` with its compressor.

    The runs share everything but the compressor: the start, the shards and every minibatch.
    So they are taken in lockstep: the parameters of all runs form one stack (a leading axis of
    ``len(compressors)``), and each step computes every run's gradient on every worker's
    minibatch in one :meth:`Model.loss_and_grad` call and updates every run in one ``opt.update``
    (each rule of :mod:`course_lib.optim` works entry by entry, so the runs do not mix).
    Comparing compressors costs much less than training each on its own.

    Parameters
    ----------
    compressors : sequence of Compressor
        One run per compressor.
    model, data, workers, steps, batch_size, opt, seed, callback
        As for :func:`data_parallel_sgd`.

    Returns
    -------
    list of DistributedHistory
        One per compressor, in their order: the run :func:`data_parallel_sgd` gives for it.
    """
    for name, value in (("workers", workers), ("steps", steps), ("batch_size", batch_size)):
        positive_int(name, value)
    if isinstance(compressors, (Compressor, str)) or not isinstance(compressors, Sequence) or not compressors:
        raise ValueError(f"compressors must be a non-empty sequence of compressors, got {compressors!r}")
    for compressor in compressors:
        if not isinstance(compressor, Compressor):
            raise ValueError(f"compressor must be dense(), threshold(tau) or top_k(fraction), got {compressor!r}")
    opt = sgd(lr=0.1) if opt is None else opt
    if not isinstance(opt, Optimizer):
        raise ValueError(f"opt must be a course_lib.optim optimizer, got {opt!r}")
    if callback is not None and not callable(callback):
        raise ValueError(f"callback must be callable, got {callback!r}")
    X, y = data.X_train, data.y_train
    if workers > len(X):
        raise ValueError(f"workers must be at most the number of training samples ({len(X)}), got {workers}")
    batch_size = min(batch_size, len(X) // workers)            # every worker draws as many: a stack
    rng = np.random.default_rng(seed)
    shards = shard(len(X), workers, rng)
    start = model.init_params(seed)
    runs = len(compressors)
    # Run r's parameters are params[k][r, 0]; the axis of length 1 broadcasts them over the workers.
    params = {k: np.repeat(v[None, None], runs, axis=0) for k, v in start.items()}
    state = opt.init(params)
    residuals = [{k: np.zeros((workers, *v.shape)) for k, v in start.items()} for _ in compressors]
    # The training loss along each run's path, a chunk of the path at a time as soon as it is complete:
    # the chunks data_parallel_sgd cuts (so the same bits), and no step waits long for the next callback.
    losses, pending = [[] for _ in compressors], [params]

    def evaluate(points):
        for r in range(runs):
            losses[r].append(model.path_loss([{k: v[r, 0] for k, v in p.items()} for p in points], X, y,
                                             chunk=PATH_CHUNK))

    n_sent = np.zeros((runs, steps, workers), dtype=int)     # entries in each worker's message, each step
    res_squares = np.zeros((runs, steps))                     # squared norm of all workers' residuals
    for t in range(steps):
        batches = np.array([rng.choice(idx, size=batch_size, replace=False) for idx in shards])
        _, grads = model.loss_and_grad(params, X[batches], y[batches])   # grads[k][r, w]: run r, worker w
        average = {k: np.empty_like(v) for k, v in params.items()}
        for r, compressor in enumerate(compressors):
            sent, residuals[r] = compress_workers(compressor, residuals[r], {k: g[r] for k, g in grads.items()})
            for k, s in sent.items():
                average[k][r, 0] = s.mean(axis=0)
            n_sent[r, t], total = entries_sent(compressor, sent, stacked=True)
            res_squares[r, t] = sum(np.sum(v ** 2) for v in residuals[r].values())
        params, state = opt.update(params, average, state)
        pending.append(params)
        if len(pending) == PATH_CHUNK:
            evaluate(pending)
            pending = []
        if callback is not None:
            callback(t + 1)
    if pending:
        evaluate(pending)
    loss = [np.concatenate(parts) for parts in losses]
    dense_step = workers * message_bytes(dense(), start)
    step_bytes = [_cost(c, n_sent[r], total).sum(axis=1).astype(int) for r, c in enumerate(compressors)]
    return [DistributedHistory(loss[r], np.concatenate([[0.0], np.cumsum(step_bytes[r])]),
                               (n_sent[r] / total).mean(axis=1), np.sqrt(res_squares[r]),
                               {k: v[r, 0].copy() for k, v in params.items()}, dense_step, f"{c.name}, K={workers}")
            for r, c in enumerate(compressors)]
