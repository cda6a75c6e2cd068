r"""Random Hessians: how often is a critical point in :math:`d` dimensions a minimum?

A critical point is a minimum when all :math:`d` eigenvalues of its Hessian are
positive. For a random symmetric matrix :math:`H = (A + A^\top)/2`, with the
entries of :math:`A` independent standard normals, that happens with a
probability that falls off faster than :math:`2^{-d}` (for :math:`d = 2` it is
exactly :math:`(2 - \sqrt 2)/4 \approx 0.146`): in many dimensions, almost every
critical point is a saddle. Notebooks 04 and 09 count it by Monte Carlo with
:func:`positive_definite_count`.
"""

from __future__ import annotations

import numpy as np

from .optim._core import positive_int

__all__ = ["random_symmetric", "positive_definite_count"]


def random_symmetric(d, samples, rng):
    r"""``samples`` random symmetric :math:`d \times d` matrices :math:`(A + A^\top)/2`, :math:`A_{ij} \sim N(0, 1)`.

    Parameters
    ----------
    d, samples : int
        The size of each matrix and how many to draw.
    rng : numpy.random.Generator
        The source of the entries, e.g. ``np.random.default_rng(0)``.

    Returns
    -------
    ndarray, shape (samples, d, d)
    """
    d, samples = positive_int("d", d), positive_int("samples", samples)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy Generator such as np.random.default_rng(0), got {rng!r}")
    A = rng.standard_normal((samples, d, d))
    return (A + np.swapaxes(A, 1, 2)) / 2


def positive_definite_count(d, samples, rng):
    r"""How many of ``samples`` matrices from :func:`random_symmetric` have all eigenvalues :math:`> 0`.

    ``count / samples`` estimates the probability that a random critical point in
    :math:`d` dimensions is a minimum, with standard error
    :math:`\sqrt{p(1-p)/\text{samples}}`.

    Examples
    --------
    >>> count = positive_definite_count(2, 20_000, np.random.default_rng(0))
    >>> bool(abs(count / 20_000 - (2 - np.sqrt(2)) / 4) < 0.01)     # exact for d = 2: (2 - sqrt 2) / 4
    True
    """
    smallest = np.linalg.eigvalsh(random_symmetric(d, samples, rng))[:, 0]   # eigenvalues come in ascending order
    return int(np.sum(smallest > 0))
