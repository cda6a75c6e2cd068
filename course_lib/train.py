r"""Train a model on a data set with minibatches: :func:`fit` and its :class:`History`.

One epoch shuffles the training set, cuts it into batches of ``batch_size``
samples and takes one optimizer step per batch:

.. math::

    \text{for each batch } \mathcal{B}: \quad
    g = \nabla_\theta \frac{1}{|\mathcal{B}|}\sum_{i \in \mathcal{B}} \ell(f_\theta(x_i), y_i), \qquad
    \theta \leftarrow \text{opt.update}(\theta, g).

With ``batch_size=None`` every step uses the whole training set (gradient
descent). Like :func:`course_lib.run.run`, a run that diverges stops and says so
in its history instead of raising.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .data import Split, minibatches, n_batches
from .models import Model
from .optim import Optimizer

__all__ = ["History", "EpochStats", "fit", "evaluate"]


@dataclass(eq=False)
class History:
    """The record of one training run.

    Attributes
    ----------
    step_loss : ndarray, shape (steps,)
        The minibatch loss at every step, before that step's update.
    train_loss, test_loss : ndarray, shape (epochs + 1,)
        The loss on the whole training and test sets after each epoch; entry 0
        is before training.
    train_accuracy, test_accuracy : ndarray or None
        The same for accuracy (classifiers only; None for regression).
    params : dict
        The parameters when training stopped (after divergence they may hold inf or NaN).
    epochs, steps : int
        The number of epochs and steps completed with a finite loss.
    steps_per_epoch : int
        Batches per epoch, to place epoch boundaries on a per-step plot.
    success : bool
        False if training diverged.
    message : str
        Why training stopped.
    label : str
        The optimizer (and batch size), for legends.
    seconds : float
        Wall-clock time of the run (never printed, so outputs stay deterministic).
    """

    step_loss: np.ndarray
    train_loss: np.ndarray
    test_loss: np.ndarray
    train_accuracy: np.ndarray | None
    test_accuracy: np.ndarray | None
    params: dict
    epochs: int
    steps: int
    steps_per_epoch: int
    success: bool
    message: str
    label: str
    seconds: float

    @property
    def diverged(self):
        """True if training stopped because the loss became infinite or NaN."""
        return not self.success

    def __repr__(self):
        acc = f", test accuracy {self.test_accuracy[-1]:.1%}" if self.test_accuracy is not None else ""
        return (f"History({self.label}: {self.epochs} epochs, {self.steps} steps, "
                f"train loss {self.train_loss[-1]:.4g}, test loss {self.test_loss[-1]:.4g}{acc}, "
                f"message={self.message!r})")


class EpochStats(NamedTuple):
    """Loss and accuracy (None for regression) on the training and test sets at one moment."""

    train_loss: float
    train_accuracy: float | None
    test_loss: float
    test_accuracy: float | None


def evaluate(model, params, data):
    """The mean loss of ``model`` on the training and test parts of ``data``, and its accuracy on them."""
    def loss_and_accuracy(X, y):
        return model.loss(params, X, y), (model.accuracy(params, X, y) if model.is_classifier else None)

    return EpochStats(*loss_and_accuracy(data.X_train, data.y_train), *loss_and_accuracy(data.X_test, data.y_test))


def _report(every, epoch, epochs, stats):
    """Print one deterministic line of progress every ``every`` epochs (and after the last), e.g.
    ``epoch  3/10  train loss 0.1234  test loss 0.2345  train acc 96.1%  test acc 95.3%``."""
    if not every or (epoch % every and epoch != epochs):
        return
    line = (f"epoch {epoch:>{len(str(epochs))}}/{epochs}  "
            f"train loss {stats.train_loss:.4g}  test loss {stats.test_loss:.4g}")
    if stats.train_accuracy is not None:
        line += f"  train acc {stats.train_accuracy:.1%}  test acc {stats.test_accuracy:.1%}"
    print(line, flush=True)


def _run_epoch(model, opt, params, state, data, batch_size, rng, step_loss):
    """One pass over the shuffled training set, one step per batch; appends each minibatch loss to ``step_loss``.

    Returns ``(params, state, failure)``, where ``failure`` is "" or says which step's loss was not finite.
    """
    for X_batch, y_batch in minibatches(data.X_train, data.y_train, batch_size, rng):
        loss, grads = model.loss_and_grad(params, X_batch, y_batch)
        if not np.isfinite(loss):
            return params, state, f"the minibatch loss of step {len(step_loss) + 1} is {loss}"
        step_loss.append(loss)
        params, state = opt.update(params, grads, state)
    return params, state, ""


def _check_fit_args(model, opt, data, epochs, batch_size, progress):
    if not isinstance(model, Model):
        raise ValueError(f"model must be a course_lib.models model such as models.mlp(...), got {model!r}")
    if not isinstance(opt, Optimizer):
        raise ValueError(f"opt must be a course_lib.optim optimizer such as optim.sgd(lr=0.1), got {opt!r}")
    if not isinstance(data, Split):
        raise ValueError(f"data must be a course_lib.data.Split such as data.digits(), got {type(data).__name__}")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
    if not isinstance(progress, (bool, int, np.integer)) or progress < 0:
        raise ValueError(f"progress must be True, False or a positive number of epochs, got {progress!r}")
    return n_batches(len(data.y_train), batch_size)


def fit(model, opt, data, epochs=10, batch_size=32, seed=0, params=None, progress=False, label=None):
    r"""Train ``model`` on ``data.X_train, data.y_train`` with ``opt`` and minibatches.

    Parameters
    ----------
    model : Model
        E.g. ``models.softmax_regression(64, 10)``.
    opt : Optimizer
        E.g. ``optim.sgd(lr=0.1)``.
    data : Split
        E.g. ``data.digits()``; the test part is only evaluated, never trained on.
    epochs : int
        Passes over the training set.
    batch_size : int or None
        Samples per step; None for full-batch gradient descent.
    seed : int
        Seeds the initial parameters (``model.init_params(seed)``) and, through
        an independent stream, the shuffling: the same seed gives the same run.
    params : dict, optional
        Starting parameters instead of ``model.init_params(seed)``.
    progress : bool or int
        Print one line of losses (and accuracies) every epoch (True) or every
        ``progress`` epochs; quiet by default. The text depends only on the
        numbers, so notebook outputs are stable.
    label : str, optional
        Legend label; by default the optimizer's label and the batch size.

    Returns
    -------
    History
        If a minibatch loss or the training loss becomes infinite or NaN,
        training stops there with ``success=False`` and a message saying when.

    Examples
    --------
    >>> from course_lib import data, models, optim
    >>> h = fit(models.softmax_regression(64, 10), optim.sgd(lr=0.1), data.digits(), epochs=3)
    >>> h.success, len(h.train_loss), h.steps == 3 * h.steps_per_epoch
    (True, 4, True)
    """
    steps_per_epoch = _check_fit_args(model, opt, data, epochs, batch_size, progress)
    every = int(progress)
    params = model.init_params(seed) if params is None else {k: np.array(v, dtype=float) for k, v in params.items()}
    shuffle_rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])   # independent of the init
    state = opt.init(params)
    step_loss, failure, start = [], "", time.perf_counter()
    with np.errstate(all="ignore"):      # overflow is expected when a run diverges; it is reported below
        stats = [evaluate(model, params, data)]
        if not np.isfinite(stats[0].train_loss):
            raise ValueError(f"the training loss is {stats[0].train_loss} at the starting parameters")
        _report(every, 0, epochs, stats[0])
        for epoch in range(1, epochs + 1):
            params, state, failure = _run_epoch(model, opt, params, state, data, batch_size, shuffle_rng, step_loss)
            now = None if failure else evaluate(model, params, data)
            if now is not None and not np.isfinite(now.train_loss):
                failure = f"the training loss is {now.train_loss}"
            if failure:
                failure = f"diverged in epoch {epoch}: {failure}"
                break
            stats.append(now)
            _report(every, epoch, epochs, now)
    if every and failure:
        print(failure, flush=True)
    columns = {name: np.array(values, dtype=float) if values[0] is not None else None
               for name, values in zip(EpochStats._fields, zip(*stats))}
    return History(step_loss=np.array(step_loss, dtype=float), params=params, epochs=len(stats) - 1,
                   steps=len(step_loss), steps_per_epoch=steps_per_epoch, success=not failure,
                   message=failure or f"completed {epochs} epochs",
                   label=label or f"{opt.label()}, batch {batch_size or 'full'}",
                   seconds=time.perf_counter() - start, **columns)
