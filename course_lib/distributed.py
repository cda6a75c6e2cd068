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

from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

from .optim import Optimizer, sgd
from .optim._core import flag, non_negative, positive, positive_int

__all__ = ["Compressor", "dense", "threshold", "top_k", "compress", "compress_workers", "entries_sent",
           "message_bytes", "shard", "DistributedHistory", "data_parallel_sgd"]

FLOAT_BYTES = 4   # gradients travel as float32
INDEX_BYTES = 4   # a sparse entry also needs its 32-bit index


class Compressor(NamedTuple):
    """What a worker sends: ``select(a) -> s`` picks the message from the accumulated gradient ``a``.

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
    per_entry : bool
        True if ``select`` decides each entry on its own value alone, so that it gives every
        worker's message at once from a stack of accumulated gradients (see :func:`compress_workers`);
        False (the default, always safe) to pick each worker's message on its own.
    """

    name: str
    select: Callable[[np.ndarray], np.ndarray]
    error_feedback: bool = True
    bytes_per_entry: int = FLOAT_BYTES + INDEX_BYTES
    sparse: bool = True
    per_entry: bool = False


def dense():
    """Send the whole gradient every step: plain data-parallel SGD."""
    return Compressor("dense", lambda a: a, error_feedback=True, bytes_per_entry=FLOAT_BYTES, sparse=False,
                      per_entry=True)


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
                      per_entry=True)


def top_k(fraction, error_feedback=True):
    r"""Send the :math:`\lceil f n \rceil` entries of largest :math:`|a_i|` (ties broken by position).

    The count is taken per parameter array of size :math:`n` (each layer sends its own top
    fraction), so a model with several arrays sends slightly more than :math:`f` of all entries.
    """
    fraction = positive("fraction", fraction)
    if fraction > 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    error_feedback = flag("error_feedback", error_feedback)

    def select(a):
        k = int(np.ceil(fraction * a.size))
        keep = np.argsort(-np.abs(a), axis=None, kind="stable")[:k]
        sent = np.zeros(a.size)
        sent[keep] = a.ravel()[keep]
        return sent.reshape(a.shape)

    return Compressor(f"top-k({100 * fraction:g}%{'' if error_feedback else ', no residual'})", select, error_feedback)


def compress(compressor, residual, grad):
    r"""One worker's step: :math:`a = r + g`, :math:`s = C(a)`, :math:`r' = a - s` (or 0 without error feedback).

    ``residual`` and ``grad`` are dicts of arrays (or arrays). Returns ``(sent, new_residual)``.
    """
    if isinstance(grad, dict):
        pairs = {k: compress(compressor, residual[k], grad[k]) for k in grad}
        return {k: p[0] for k, p in pairs.items()}, {k: p[1] for k, p in pairs.items()}
    a = residual + grad
    sent = compressor.select(a)
    return sent, (a - sent if compressor.error_feedback else np.zeros_like(a))


def compress_workers(compressor, residual, grad):
    """:func:`compress` for every worker at once: ``residual`` and ``grad`` hold stacked arrays (or dicts of them).

    Each array has the workers along its first axis; so do the returned ``(sent, new_residual)``.
    A compressor that decides entry by entry (``per_entry``: dense, threshold) compresses the whole
    stack in one call; any other (top-k, which ranks the entries of one message) each worker's own.
    """
    if compressor.per_entry:
        return compress(compressor, residual, grad)
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


def data_parallel_sgd(model, data, compressor, workers=4, steps=200, batch_size=16, opt=None, seed=0):
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

    Returns
    -------
    DistributedHistory
    """
    for name, value in (("workers", workers), ("steps", steps), ("batch_size", batch_size)):
        positive_int(name, value)
    if not isinstance(compressor, Compressor):
        raise ValueError(f"compressor must be dense(), threshold(tau) or top_k(fraction), got {compressor!r}")
    opt = sgd(lr=0.1) if opt is None else opt
    if not isinstance(opt, Optimizer):
        raise ValueError(f"opt must be a course_lib.optim optimizer, got {opt!r}")
    X, y = data.X_train, data.y_train
    if workers > len(X):
        raise ValueError(f"workers must be at most the number of training samples ({len(X)}), got {workers}")
    batch_size = min(batch_size, len(X) // workers)            # every worker draws as many: a stack
    rng = np.random.default_rng(seed)
    shards = shard(len(X), workers, rng)
    params = model.init_params(seed)
    state = opt.init(params)
    residual = {k: np.zeros((workers, *v.shape)) for k, v in params.items()}     # each worker's, stacked
    path, sent_bytes, fraction, res_norm = [params], [0], [], []
    for _ in range(steps):
        batches = np.array([rng.choice(idx, size=batch_size, replace=False) for idx in shards])
        _, grads = model.loss_and_grad(params, X[batches], y[batches])      # every worker's gradient at once
        sent, residual = compress_workers(compressor, residual, grads)
        params, state = opt.update(params, {k: s.mean(axis=0) for k, s in sent.items()}, state)
        path.append(params)
        n_sent, total = entries_sent(compressor, sent, stacked=True)
        sent_bytes.append(sent_bytes[-1] + int(_cost(compressor, n_sent, total).sum()))
        fraction.append(float(np.mean(n_sent / total)))
        res_norm.append(float(np.sqrt(sum(np.sum(r ** 2) for r in residual.values()))))
    loss = model.path_loss(path, X, y)
    dense_step = workers * message_bytes(dense(), params)
    return DistributedHistory(loss, np.array(sent_bytes, dtype=float), np.array(fraction),
                              np.array(res_norm), params, dense_step, f"{compressor.name}, K={workers}")
