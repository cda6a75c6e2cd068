r"""Convergence theory of gradient descent, heavy-ball and Nesterov momentum on quadratics.

On :math:`f(x) = \tfrac12 x^\top H x` with Hessian eigenvalues
:math:`\mu = \lambda_{\min} \le \dots \le \lambda_{\max} = L`, each eigen-direction
evolves on its own, so everything reduces to scalar recurrences:

* gradient descent: :math:`x_{k+1} = (1 - \eta\lambda)\, x_k`;
* momentum (torch's form, equivalently Polyak's heavy ball
  :math:`x_{k+1} = x_k - \eta\nabla f(x_k) + \beta(x_k - x_{k-1})`):

  .. math::

      \begin{pmatrix} x_{k+1} \\ x_k \end{pmatrix} =
      \underbrace{\begin{pmatrix} 1 + \beta - \eta\lambda & -\beta \\ 1 & 0 \end{pmatrix}}_{T(\lambda)}
      \begin{pmatrix} x_k \\ x_{k-1} \end{pmatrix}.

The *rate* is the factor by which the error shrinks per step in the long run:
the spectral radius of the iteration, maximised over the eigenvalues. The
closed forms here are derived step by step with sympy in the momentum notebook
and checked against :func:`measured_rate` of real runs in the tests.
"""

from __future__ import annotations

import numpy as np

from .optim._core import non_negative, positive

__all__ = [
    "gd_rate", "gd_optimal", "momentum_matrix", "momentum_rate", "momentum_optimal",
    "critical_momentum", "momentum_stable", "nesterov_matrix", "nesterov_rate", "measured_rate",
]


def _eigenvalues(lams):
    lams = np.atleast_1d(np.asarray(lams, dtype=float))
    if lams.size == 0 or not np.all(np.isfinite(lams)) or np.any(lams <= 0):
        raise ValueError(f"eigenvalues must be positive and finite, got {lams.tolist()}")
    return lams


def gd_rate(lr, lams):
    r"""The rate :math:`\max_i |1 - \eta\lambda_i|` of gradient descent (converges iff < 1, i.e. :math:`\eta < 2/L`)."""
    return float(np.max(np.abs(1 - positive("lr", lr) * _eigenvalues(lams))))


def gd_optimal(lam_min, lam_max):
    r"""The best constant learning rate and its rate for gradient descent.

    .. math:: \eta^* = \frac{2}{\mu + L}, \qquad
              \rho^* = \frac{L - \mu}{L + \mu} = \frac{\kappa - 1}{\kappa + 1}, \quad \kappa = L/\mu.

    Returns
    -------
    lr, rate : float
    """
    mu, L = _eigenvalues([lam_min, lam_max])
    return 2 / (mu + L), (L - mu) / (L + mu)


def momentum_matrix(lr, beta, lam):
    r"""The 2 x 2 iteration matrix :math:`T(\lambda)` of heavy-ball momentum along one eigen-direction."""
    return np.array([[1 + beta - lr * lam, -beta], [1.0, 0.0]])


def _worst_radius(matrix, lr, momentum, lams):
    """The largest spectral radius of ``matrix(lr, momentum, lam)`` over the eigenvalues ``lams``."""
    positive("lr", lr)
    return float(max(np.max(np.abs(np.linalg.eigvals(matrix(lr, momentum, lam)))) for lam in _eigenvalues(lams)))


def momentum_rate(lr, beta, lams):
    r"""The rate :math:`\max_i \rho(T(\lambda_i))` of heavy-ball momentum (spectral radius)."""
    return _worst_radius(momentum_matrix, lr, non_negative("beta", beta), lams)


def momentum_optimal(lam_min, lam_max):
    r"""The optimal heavy-ball parameters and rate on a quadratic (Polyak, 1964).

    .. math::

        \eta^* = \Bigl(\frac{2}{\sqrt{L} + \sqrt{\mu}}\Bigr)^2, \qquad
        \beta^* = \Bigl(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\Bigr)^2, \qquad
        \rho^* = \frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}.

    Returns
    -------
    lr, beta, rate : float
    """
    mu, L = _eigenvalues([lam_min, lam_max])
    root_kappa = np.sqrt(L / mu)
    rate = (root_kappa - 1) / (root_kappa + 1)
    return float((2 / (np.sqrt(L) + np.sqrt(mu))) ** 2), float(rate**2), float(rate)


def critical_momentum(lr, lam):
    r"""The momentum :math:`\beta = (1 - \sqrt{\eta\lambda})^2` that critically damps the direction :math:`\lambda`.

    For :math:`\eta\lambda \le 1`, smaller :math:`\beta` gives two real eigenvalues
    (an overdamped, monotone approach) and larger :math:`\beta` a complex pair of modulus
    :math:`\sqrt\beta` (oscillation); at the critical value the two meet.
    """
    return float((1 - np.sqrt(positive("lr", lr) * _eigenvalues(lam)[0])) ** 2)


def momentum_stable(lr, beta, lam):
    r"""Whether momentum converges along :math:`\lambda`: :math:`0 < \eta\lambda < 2 + 2\beta` (for :math:`0 \le \beta < 1`)."""
    h = positive("lr", lr) * _eigenvalues(lam)[0]
    return bool(0 <= non_negative("beta", beta) < 1 and 0 < h < 2 + 2 * beta)


def nesterov_matrix(lr, mu, lam):
    r"""The 2 x 2 iteration matrix of Nesterov momentum (torch's form) along one eigen-direction.

    With :math:`g = \lambda p`, torch's update :math:`b' = \mu b + g`,
    :math:`p' = p - \eta(g + \mu b')` is linear in :math:`(p, b)`:

    .. math::

        \begin{pmatrix} p' \\ b' \end{pmatrix} =
        \begin{pmatrix} 1 - \eta\lambda(1 + \mu) & -\eta\mu^2 \\ \lambda & \mu \end{pmatrix}
        \begin{pmatrix} p \\ b \end{pmatrix},

    whose characteristic polynomial is :math:`z^2 - (1+\mu)(1-\eta\lambda)\,z + \mu(1-\eta\lambda)`
    (derived with sympy in the momentum notebook).
    """
    return np.array([[1 - lr * lam * (1 + mu), -lr * mu**2], [lam, mu]])


def nesterov_rate(lr, mu, lams):
    r"""The rate :math:`\max_i \rho(N(\lambda_i))` of Nesterov momentum (spectral radius of :func:`nesterov_matrix`)."""
    return _worst_radius(nesterov_matrix, lr, non_negative("mu", mu), lams)


def measured_rate(traj, x_star=None, skip=0.5):
    r"""The empirical rate :math:`(\|e_k\| / \|e_j\|)^{1/(k-j)}` over the last part of a run.

    Parameters
    ----------
    traj : Trajectory
        A run; its error is :math:`e_k = x_k - x^*`.
    x_star : array_like, optional
        The minimiser (default: the origin).
    skip : float
        The fraction of the run to skip as transient before measuring.

    Notes
    -----
    Oscillating errors make single-step ratios noisy, so the rate is the
    geometric mean over the measured stretch. Points whose error has reached
    the floating-point floor (below 1e-300) are left out.
    """
    if not 0 <= skip < 1:
        raise ValueError(f"skip must be in [0, 1), got {skip}")
    err = np.linalg.norm(traj.xs - (0 if x_star is None else np.asarray(x_star, dtype=float)), axis=-1)
    floor = np.flatnonzero(err < 1e-300)
    err = err[: floor[0]] if floor.size else err
    j = int(skip * (len(err) - 1))
    k = len(err) - 1
    if k - j < 1:
        raise ValueError(f"the run is too short to measure a rate ({len(traj.xs)} points)")
    return float((err[k] / err[j]) ** (1 / (k - j)))
