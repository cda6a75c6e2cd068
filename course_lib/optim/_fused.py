r"""Adam's step as one compiled loop over the elements: the ``"numba"`` engine of :func:`~course_lib.optim.adam_update_inplace`.

The NumPy engine makes thirteen passes over each chunk of the arrays, one per
operation. Here `Numba <https://numba.pydata.org>`_ compiles the same
operations into a single loop, split over threads, so each element is read
and written once: the seven streams Adam needs and nothing more.

Every line of :func:`adam_elements` is an operation of
:func:`~course_lib.optim.adam_rule` (and of the NumPy engine), on the same
operands, in the same order, with the same scalars computed in Python, so the
rounding is the same: ``tests/test_optim_inplace.py`` checks the result bit for
bit (a NaN's sign bit aside, which no IEEE operation fixes). Numba's
``fastmath`` stays off, so no multiply and add is fused into one differently
rounded instruction.

This module is imported only when the engine is used: Numba is optional
(``pip install -e '.[fast]'``).
"""

from __future__ import annotations

import threading

import numba
import numpy as np

__all__ = ["adam_elements", "run"]

#: Numba's default thread pool ("workqueue", used where neither OpenMP nor TBB is found) serves one parallel loop
#: at a time in a process, and ends the process if a second thread launches one meanwhile. This lock makes a
#: second caller of :func:`run` wait instead (with the other pools too, which would not need it); it does not
#: cover other Numba code a program may run in parallel loops of its own.
_POOL = threading.Lock()


@numba.njit(parallel=True, cache=True)
def adam_elements(p, g, m, v, v_max, wd, decoupled, decay_factor, weight, keep, beta2, one_minus_beta2, amsgrad,
                  eps, step_size, bias_correction2_sqrt):
    r"""Adam, AMSGrad or AdamW on every element, written into ``p``, ``m``, ``v`` and ``v_max``.

    Parameters
    ----------
    p, g, m, v, v_max : ndarray
        Flat float64 arrays of one size: the parameters, the gradient (only read), the moments and
        AMSGrad's running maximum of ``v``.
    wd, decoupled, decay_factor, weight, keep, beta2, one_minus_beta2, amsgrad, eps, step_size, bias_correction2_sqrt
        The step's scalars, as :func:`course_lib.optim.inplace._step_scalars` computes them for both engines:
        :math:`\lambda`, AdamW or not, :math:`1-\eta\lambda`, :math:`w = 1-\beta_1`, :math:`1-w`,
        :math:`\beta_2`, :math:`1-\beta_2`, AMSGrad or not, :math:`\epsilon`, :math:`\eta/(1-\beta_1^t)` and
        :math:`\sqrt{1-\beta_2^t}`.
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
        if amsgrad:                           # v_max <- max(v_max, v), as np.maximum: a NaN wins, a tie gives v
            largest = v_max[i]
            if not (largest > vi or largest != largest):
                largest = vi
            v_max[i] = largest
            second = largest
        denom = np.sqrt(second) / bias_correction2_sqrt + eps  # sqrt(v) / sqrt(1 - beta2^t) + eps
        p[i] = theta - mi * step_size / denom                   # theta - lr / (1 - beta1^t) m / denom
        m[i] = mi
        v[i] = vi


def run(p, g, m, v, v_max, scalars, threads):
    """:func:`adam_elements` on flat arrays with the step's ``scalars`` (a dict by the names of its parameters),
    on at most ``threads`` threads (and no more than Numba's pool has).

    The first call in a process compiles the loop, or loads it from Numba's cache on disk.
    """
    with _POOL:
        before = numba.get_num_threads()        # (a setting of this thread's own)
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        try:
            adam_elements(p, g, m, v, v_max, scalars["wd"], scalars["decoupled"], scalars["decay_factor"],
                          scalars["weight"], scalars["keep"], scalars["beta2"], scalars["one_minus_beta2"],
                          scalars["amsgrad"], scalars["eps"], scalars["step_size"], scalars["bias_correction2_sqrt"])
        finally:
            numba.set_num_threads(before)
