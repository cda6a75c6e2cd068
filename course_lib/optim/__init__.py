"""Optimizers as pure ``init``/``update`` pairs, identical to ``torch.optim``.

Every optimizer is built by a constructor that validates its hyperparameters
and returns an :class:`Optimizer`::

    >>> opt = adam(lr=0.1)
    >>> params = np.array([1.0, -2.0])
    >>> state = opt.init(params)
    >>> params, state = opt.update(params, 2 * params, state)   # one step on |x|^2
    >>> params
    array([ 0.9, -1.9])

``params`` is an ndarray or a dict of name -> ndarray. ``update`` never mutates
its inputs. Names, defaults and semantics follow torch's single-tensor code
paths, with torch's ``betas`` split into ``beta1`` and ``beta2``.

For models with millions of parameters, :func:`adam_update_inplace` takes the
same Adam step bit for bit, but in place and on several threads: with NumPy chunk
by chunk, or, where Numba is installed, in one compiled loop (see
:mod:`course_lib.optim.inplace`).
"""

from ._core import Optimizer, make_optimizer
from .adadelta import adadelta, adadelta_rule
from .adagrad import adagrad, adagrad_rule
from .adam import adam, adam_rule, adamw
from .adamax import adamax, adamax_rule
from .inplace import adam_update_inplace
from .nadam import nadam, nadam_rule
from .rmsprop import rmsprop, rmsprop_rule
from .sgd import gd, momentum, nesterov, sgd, sgd_rule
from .stateful import StatefulOptimizer

#: Every constructor by name, for menus and tests.
OPTIMIZERS = {
    "gd": gd, "sgd": sgd, "momentum": momentum, "nesterov": nesterov,
    "adagrad": adagrad, "rmsprop": rmsprop, "adadelta": adadelta,
    "adam": adam, "adamw": adamw, "nadam": nadam, "adamax": adamax,
}

__all__ = [
    "Optimizer", "make_optimizer", "StatefulOptimizer", "OPTIMIZERS", "adam_update_inplace",
    "sgd", "gd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "nadam", "adamax",
    "sgd_rule", "adagrad_rule", "rmsprop_rule", "adadelta_rule", "adam_rule", "nadam_rule", "adamax_rule",
]
