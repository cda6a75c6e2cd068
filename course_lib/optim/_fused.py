r"""Adam's step as one compiled loop over the elements: the ``"numba"`` engine of :func:`~course_lib.optim.adam_update_inplace`.

The NumPy engine makes thirteen passes over each chunk of the arrays, one per
operation. Here `Numba <https://numba.pydata.org>`_ compiles the same
operations into a single loop, split over threads, so each element is read
and written once: the seven streams Adam needs and nothing more.

Every line of :func:`adam_elements` is an operation of
:func:`~course_lib.optim.adam_rule` (and of the NumPy engine), on the same
operands, in the same order, with the same scalars computed in Python, so the
rounding is the same: ``tests/test_optim_inplace.py`` checks the result bit for
bit. Numba's ``fastmath`` stays off, so no multiply and add is fused into one
differently rounded instruction.

This module is imported only when the engine is used: Numba is optional
(``pip install -e '.[fast]'``).
"""

from __future__ import annotations

import threading

import numba
import numpy as np

__all__ = ["adam_elements", "run"]

#: Numba's default thread pool ("workqueue") serves one parallel loop at a time in a process, and ends the
#: process if a second thread launches one meanwhile; this lock makes a second caller wait instead.
_POOL = threading.Lock()


@numba.njit(parallel=True, cache=True)
def adam_elements(p, g, m, v, v_max, wd, decay_factor, decoupled, weight, keep, beta2, one_minus_beta2, amsgrad,
                  bias_correction2_sqrt, eps, step_size):
    r"""Adam, AMSGrad or AdamW on every element, written into ``p``, ``m``, ``v`` and ``v_max``.

    The scalars are those the NumPy engine passes to its operations: ``decay_factor`` is
    :math:`1 - \eta\lambda`, ``weight`` is :math:`1-\beta_1` and ``keep`` is :math:`1 - (1-\beta_1)`,
    computed in Python as :func:`~course_lib.optim._core.ema` computes them.
    """
    for i in numba.prange(p.size):
        theta, grad = p[i], g[i]
        if wd != 0.0 and decoupled:           # theta <- theta (1 - lr lambda)               (AdamW)
            theta = theta * decay_factor
        elif wd != 0.0:                       # g <- g + lambda theta                         (Adam)
            grad = grad + theta * wd
        diff = grad - m[i]                    # m <- beta1 m + (1 - beta1) g, rounded as torch's lerp
        if weight < 0.5:
            mi = m[i] + diff * weight
        else:
            mi = grad - diff * keep
        vi = v[i] * beta2 + grad * one_minus_beta2 * grad     # v <- beta2 v + (1 - beta2) g g
        second = vi
        if amsgrad:                           # v_max <- max(v_max, v), NaN kept as np.maximum keeps it
            largest = v_max[i]
            if not (largest >= vi or largest != largest):
                largest = vi
            v_max[i] = largest
            second = largest
        denom = np.sqrt(second) / bias_correction2_sqrt + eps  # sqrt(v) / sqrt(1 - beta2^t) + eps
        p[i] = theta - mi * step_size / denom                   # theta - lr / (1 - beta1^t) m / denom
        m[i] = mi
        v[i] = vi


def run(p, g, m, v, v_max, hp, factors, threads):
    """:func:`adam_elements` on flat arrays with the hyperparameters ``hp`` and step scalars ``factors``, on
    at most ``threads`` threads (and no more than Numba's pool has)."""
    weight = 1 - hp["beta1"]
    with _POOL:
        before = numba.get_num_threads()
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        try:
            adam_elements(p, g, m, v, v_max, float(hp["weight_decay"]), 1 - hp["lr"] * hp["weight_decay"],
                          bool(hp["decoupled"]), weight, 1 - weight, hp["beta2"], 1 - hp["beta2"],
                          bool(hp["amsgrad"]), factors["bias_correction2_sqrt"], hp["eps"], factors["step_size"])
        finally:
            numba.set_num_threads(before)
