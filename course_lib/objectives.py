"""Objective functions with exact, sympy-derived gradients and Hessians.

An :class:`Objective` wraps a sympy expression. Its gradient and Hessian are
derived symbolically once, compiled with :func:`sympy.lambdify`, and evaluated
on NumPy arrays whose **last axis** is the dimension ``d``::

    >>> f = rosenbrock()
    >>> f(np.array([1.0, 1.0]))
    0.0
    >>> f.grad(np.array([0.0, 0.0]))
    array([-2.,  0.])

A whole grid evaluates in one call: stack a meshgrid on the last axis,
``f(np.stack([X, Y], axis=-1))`` has the shape of ``X``.

The constructors at the bottom of this module build the course's test
functions exactly as the syllabus defines them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy as sp

__all__ = [
    "Objective",
    "CLASSES",
    "parabola",
    "wiggly_1d",
    "quadratic",
    "rosenbrock",
    "beale",
    "himmelblau",
    "saddle",
    "monkey_saddle",
    "many_minima",
    "plateau",
    "narrow_valley",
]

#: The answers of :meth:`Objective.classify`.
CLASSES = ("minimum", "maximum", "saddle", "degenerate", "not critical")


def _as_points(x, d, name="x"):
    """Return ``x`` as a float array whose last axis has length ``d``."""
    try:
        x = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be an array of numbers, got {x!r}") from err
    if x.ndim == 0 or x.shape[-1] != d:
        raise ValueError(
            f"{name} must have its last axis of length {d} (the objective's dimension), "
            f"got shape {x.shape}"
        )
    return x


def _stack_last(values, batch_shape):
    """Stack lambdify outputs (arrays or constants) on a new last axis of an array of ``batch_shape``."""
    out = np.empty(batch_shape + (len(values),))
    for i, v in enumerate(values):
        out[..., i] = v
    return out


@dataclass(eq=False)
class Objective:
    r"""A differentiable function :math:`f:\mathbb{R}^d \to \mathbb{R}` given by a sympy expression.

    Parameters
    ----------
    expr : sympy.Expr or str
        The function. A string is parsed with :func:`sympy.sympify`.
    symbols : sequence of sympy.Symbol or str
        The variables, in the order of the last axis of the inputs.
    name : str, optional
        A short name for legends and titles.
    minima : sequence of array_like, optional
        Known (global or local) minimisers, for plots and tests.
    window : tuple of (low, high) pairs, optional
        A sensible plotting window, one pair per variable.
    log_scale : bool, optional
        Whether contour plots should use logarithmically spaced levels
        (for functions with a huge dynamic range such as Rosenbrock).

    Notes
    -----
    The gradient :math:`\nabla f = (\partial f / \partial x_i)_i` and Hessian
    :math:`H = (\partial^2 f / \partial x_i \partial x_j)_{ij}` are derived with
    :func:`sympy.diff` at construction and compiled once with
    :func:`sympy.lambdify`, so evaluation costs no symbolic work.
    """

    expr: sp.Expr
    symbols: tuple
    name: str = "f"
    minima: tuple = ()
    window: tuple | None = None
    log_scale: bool = False
    gradient_expr: tuple = field(init=False, repr=False)
    hessian_expr: sp.Matrix = field(init=False, repr=False)

    def __post_init__(self):
        if isinstance(self.symbols, (str, sp.Symbol)):
            self.symbols = (self.symbols,)
        self.symbols = tuple(sp.Symbol(s) if isinstance(s, str) else s for s in self.symbols)
        if not self.symbols or not all(isinstance(s, sp.Symbol) for s in self.symbols):
            raise ValueError(f"symbols must be a non-empty sequence of sympy symbols, got {self.symbols!r}")
        self.expr = sp.sympify(self.expr)
        unknown = self.expr.free_symbols - set(self.symbols)
        if unknown:
            names = ", ".join(sorted(str(s) for s in unknown))
            raise ValueError(f"the expression uses symbols that are not variables: {names}")
        self.gradient_expr = tuple(sp.diff(self.expr, s) for s in self.symbols)
        self.hessian_expr = sp.hessian(self.expr, self.symbols)
        self.minima = tuple(np.asarray(m, dtype=float) for m in self.minima)
        self._f = sp.lambdify(self.symbols, self.expr, "numpy")
        self._g = sp.lambdify(self.symbols, list(self.gradient_expr), "numpy")
        self._h = sp.lambdify(self.symbols, list(self.hessian_expr), "numpy")

    @property
    def dim(self):
        """The number of variables ``d``."""
        return len(self.symbols)

    def latex(self):
        """The expression as a LaTeX string."""
        return sp.latex(self.expr)

    def _repr_latex_(self):
        return f"$\\displaystyle f({', '.join(map(sp.latex, self.symbols))}) = {self.latex()}$"

    def _columns(self, x):
        x = _as_points(x, self.dim)
        return x, tuple(x[..., i] for i in range(self.dim))

    def __call__(self, x):
        """Evaluate :math:`f(x)`: a float for ``x`` of shape ``(d,)``, else shape ``x.shape[:-1]``."""
        x, cols = self._columns(x)
        value = np.broadcast_to(np.asarray(self._f(*cols), dtype=float), x.shape[:-1])
        return float(value) if x.ndim == 1 else np.array(value)

    def grad(self, x):
        r"""The gradient :math:`\nabla f(x)`, with the same shape as ``x``."""
        x, cols = self._columns(x)
        return _stack_last(self._g(*cols), x.shape[:-1])

    def _grad_rows(self, x):
        """:meth:`grad` for a float array of shape ``(n, d)``, without input checks (the inner loop of ``run``)."""
        return _stack_last(self._g(*x.T), x.shape[:-1])

    def hess(self, x):
        """The Hessian: shape ``(d, d)`` for ``x`` of shape ``(d,)``, else ``x.shape + (d,)``."""
        x, cols = self._columns(x)
        flat = _stack_last(self._h(*cols), x.shape[:-1])
        return flat.reshape(x.shape + (self.dim,))

    def classify(self, x, tol=1e-8):
        """Classify the point ``x`` from the gradient and the Hessian eigenvalues.

        Parameters
        ----------
        x : array_like, shape (d,)
            The point.
        tol : float
            Gradient norms and eigenvalues smaller than ``tol`` (in absolute
            value) count as zero.

        Returns
        -------
        str
            ``"not critical"`` if :math:`\\|\\nabla f(x)\\| > tol`; otherwise, with
            :math:`\\lambda_i` the Hessian eigenvalues, ``"minimum"`` if all
            :math:`\\lambda_i > 0`, ``"maximum"`` if all :math:`\\lambda_i < 0`,
            ``"saddle"`` if some are positive and some negative, and
            ``"degenerate"`` otherwise (a zero eigenvalue and no sign change:
            second-order information does not decide, as for the monkey saddle
            at the origin).
        """
        x = _as_points(x, self.dim)
        if x.ndim != 1:
            raise ValueError(f"classify takes one point of shape ({self.dim},), got shape {x.shape}")
        if not tol > 0:
            raise ValueError(f"tol must be positive, got {tol}")
        if np.linalg.norm(self.grad(x)) > tol:
            return "not critical"
        eig = np.linalg.eigvalsh(self.hess(x))
        positive, negative = np.any(eig > tol), np.any(eig < -tol)
        if positive and negative:
            return "saddle"
        if np.all(eig > tol):
            return "minimum"
        if np.all(eig < -tol):
            return "maximum"
        return "degenerate"

    def grid(self, n=200, window=None):
        """Evaluate on an ``n`` x ``n`` grid over a 2-D window.

        Returns
        -------
        X, Y, Z : ndarray, shape (n, n)
            Meshgrid coordinates and function values, ready for ``contour``.
        """
        if self.dim != 2:
            raise ValueError(f"grid needs a 2-D objective, {self.name} has dimension {self.dim}")
        (x0, x1), (y0, y1) = window or self.window or ((-2, 2), (-2, 2))
        X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
        return X, Y, self(np.stack([X, Y], axis=-1))


# ---------------------------------------------------------------------------
# The course's test functions
# ---------------------------------------------------------------------------

def _xy():
    return sp.symbols("x y", real=True)


def parabola(a=1):
    r"""The 1-D parabola :math:`f(x) = a x^2` (minimum at 0, :math:`L = 2a`)."""
    x = sp.Symbol("x", real=True)
    return Objective(sp.sympify(a) * x**2, (x,), name="parabola", minima=[(0.0,)], window=((-10, 10),))


def wiggly_1d():
    r"""A 1-D function with a local and a global minimum: :math:`f(x) = x \cos(\pi x)` on [-1, 2]."""
    x = sp.Symbol("x", real=True)
    expr = x * sp.cos(sp.pi * x)
    minima = [(float(sp.nsolve(sp.diff(expr, x), x, guess)),) for guess in (-0.3, 1.1)]
    return Objective(expr, (x,), name="x cos(πx)", minima=minima, window=((-1.0, 2.0),))


def quadratic(lam1=1, lam2=10, angle=0):
    r"""The quadratic :math:`f(x, y) = \tfrac12(\lambda_1 u^2 + \lambda_2 v^2)`, optionally rotated.

    Here :math:`(u, v)` are :math:`(x, y)` rotated by ``angle`` radians, so the
    Hessian has eigenvalues :math:`\lambda_1, \lambda_2` and condition number
    :math:`\kappa = \max\lambda / \min\lambda`. With ``angle=0`` it is
    :math:`\tfrac12(\lambda_1 x^2 + \lambda_2 y^2)` exactly.
    """
    x, y = _xy()
    c, s = sp.cos(angle), sp.sin(angle)
    u, v = c * x + s * y, -s * x + c * y
    lam1, lam2 = sp.nsimplify(lam1), sp.nsimplify(lam2)
    expr = sp.Rational(1, 2) * (lam1 * u**2 + lam2 * v**2)
    return Objective(sp.expand(expr), (x, y), name=f"quadratic(λ={lam1}, {lam2})",
                     minima=[(0.0, 0.0)], window=((-5, 5), (-5, 5)))


def rosenbrock(a=1, b=100):
    r"""Rosenbrock's banana :math:`f(x, y) = (a - x)^2 + b (y - x^2)^2`, minimum :math:`(a, a^2)`."""
    x, y = _xy()
    a, b = sp.nsimplify(a), sp.nsimplify(b)
    return Objective((a - x) ** 2 + b * (y - x**2) ** 2, (x, y), name="Rosenbrock",
                     minima=[(float(a), float(a) ** 2)], window=((-2, 2), (-1, 3)), log_scale=True)


def beale():
    r"""Beale's function :math:`(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2`, minimum (3, 0.5)."""
    x, y = _xy()
    expr = sum((c - x + x * y**k) ** 2 for c, k in
               ((sp.Rational(3, 2), 1), (sp.Rational(9, 4), 2), (sp.Rational(21, 8), 3)))
    return Objective(expr, (x, y), name="Beale", minima=[(3.0, 0.5)],
                     window=((-4.5, 4.5), (-4.5, 4.5)), log_scale=True)


def himmelblau():
    r"""Himmelblau's function :math:`(x^2 + y - 11)^2 + (x + y^2 - 7)^2`, with four minima, one at (3, 2)."""
    x, y = _xy()
    expr = (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2
    guesses = ((3, 2), (-2.8, 3.1), (-3.8, -3.3), (3.6, -1.8))
    minima = [_newton_minimum(expr, (x, y), g) for g in guesses]
    return Objective(expr, (x, y), name="Himmelblau", minima=minima,
                     window=((-5, 5), (-5, 5)), log_scale=True)


def saddle():
    r"""The saddle :math:`f(x, y) = x^2 - y^2`: critical point at 0 with Hessian diag(2, -2)."""
    x, y = _xy()
    return Objective(x**2 - y**2, (x, y), name="saddle x²−y²", window=((-2, 2), (-2, 2)))


def monkey_saddle():
    r"""The monkey saddle :math:`f(x, y) = x^3 - 3xy^2`: gradient and Hessian both vanish at 0."""
    x, y = _xy()
    return Objective(x**3 - 3 * x * y**2, (x, y), name="monkey saddle", window=((-1.5, 1.5), (-1.5, 1.5)))


def many_minima(depth=1):
    r"""A bowl covered in dents: :math:`f(x, y) = (x^2 + y^2)/10 + d(\sin^2 x + \sin^2 y)`.

    The global minimum is at the origin; for ``depth`` :math:`d \ge 0.2` there
    are shallow local minima near :math:`(k\pi, l\pi)` with :math:`|k|, |l| \le 1`,
    where a small learning rate gets stuck.
    """
    x, y = _xy()
    d = sp.nsimplify(depth)
    expr = (x**2 + y**2) / 10 + d * (sp.sin(x) ** 2 + sp.sin(y) ** 2)
    candidates = [(i * np.pi, j * np.pi) for i in (-1, 0, 1) for j in (-1, 0, 1)]
    minima = []
    for guess in candidates:
        point = _newton_minimum(expr, (x, y), guess)
        if point is not None and not any(np.allclose(point, m, atol=1e-6) for m in minima):
            minima.append(point)
    return Objective(expr, (x, y), name="many minima", minima=minima, window=((-5, 5), (-5, 5)))


def plateau(width=1):
    r"""A flat plateau around a single well: :math:`f(x, y) = 1 - e^{-(x^2 + y^2)/w^2}`.

    Far from the origin the gradient is nearly zero in every direction, so
    gradient descent started there barely moves.
    """
    x, y = _xy()
    w = sp.nsimplify(width)
    return Objective(1 - sp.exp(-(x**2 + y**2) / w**2), (x, y), name="plateau",
                     minima=[(0.0, 0.0)], window=((-4, 4), (-4, 4)))


def narrow_valley():
    r"""A long, narrow, tilted valley: the quadratic with :math:`\lambda = (0.05, 5)` rotated by 30°."""
    f = quadratic(sp.Rational(1, 20), 5, angle=sp.pi / 6)
    f.name = "narrow valley"
    return f


def _newton_minimum(expr, symbols, guess, steps=50):
    """Refine ``guess`` to a nearby critical point with sympy's ``nsolve``; None if it is not a minimum."""
    grad = [sp.diff(expr, s) for s in symbols]
    try:
        sol = sp.nsolve(grad, symbols, guess, tol=1e-20, prec=30, maxsteps=steps)
    except (ValueError, ZeroDivisionError):
        return None
    point = tuple(float(v) for v in sol)
    hess = np.array(sp.hessian(expr, symbols).subs(dict(zip(symbols, point))), dtype=float)
    return point if np.all(np.linalg.eigvalsh(hess) > 0) else None
