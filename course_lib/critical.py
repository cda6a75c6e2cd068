r"""Find and classify the critical points of a formula typed by a learner.

:func:`parse_expression` reads a string such as ``"x^3 - 3 x y^2"`` safely:
before anything is parsed the text is checked against a small vocabulary
(numbers, ``x``, ``y``, ``+ - * / ^ ( )`` and a few functions), so attribute
access, double underscores, ``import`` or unknown names are refused with a
message saying why. :func:`sympy.parsing.sympy_parser.parse_expr` then runs
with a ``global_dict`` holding only sympy's number and arithmetic types (no
Python builtins), and constants too large to compute (``9^9^9``) are refused
before sympy evaluates them.

:func:`find_critical_points` solves :math:`\nabla f = 0` with :func:`sympy.solve`
in a separate process under a time budget (some systems make ``solve`` run for
minutes), and always adds Newton's method on :math:`\nabla f` from a grid of
starts, which also covers what ``solve`` cannot do. Each point is classified
by :meth:`course_lib.objectives.Objective.classify` (signs of the Hessian
eigenvalues).
"""

from __future__ import annotations

import math
import multiprocessing
import re
import warnings
from typing import NamedTuple

import numpy as np
import sympy as sp
from sympy.parsing.sympy_parser import (convert_xor, implicit_multiplication_application, parse_expr,
                                        standard_transformations)

from .objectives import Objective

__all__ = ["SAFE_FUNCTIONS", "parse_expression", "as_objective", "solve_with_budget", "newton_critical_points",
           "CriticalPoint", "CriticalReport", "find_critical_points", "report_rows"]

#: The functions and constants a learner may use, by the name they type.
SAFE_FUNCTIONS = {
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh,
    "atan": sp.atan, "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "pi": sp.pi, "E": sp.E,
}

# What the parser's generated code may call: sympy's number and arithmetic types only, no builtins.
_PARSER_GLOBALS = {"Integer": sp.Integer, "Float": sp.Float, "Rational": sp.Rational,
                   "Add": sp.Add, "Mul": sp.Mul, "Pow": sp.Pow}
_TRANSFORMATIONS = standard_transformations + (implicit_multiplication_application, convert_xor)
_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z_]\w*")
_ALLOWED_CHARACTERS = re.compile(r"[0-9A-Za-z\s+\-*/^().]*")


def _symbols(variables):
    return tuple(sp.Symbol(v, real=True) for v in variables)


def _check_text(text, variables, max_length):
    """Refuse, before any parsing, every string outside the formula vocabulary."""
    if not isinstance(text, str):
        raise ValueError(f"the expression must be a string, got {type(text).__name__}")
    text = text.strip()
    example = " - ".join(f"{v}**2" for v in variables)
    if not text:
        raise ValueError(f"the expression is empty: type a formula in {', '.join(variables)}, e.g. {example}")
    if len(text) > max_length:
        raise ValueError(f"the expression is too long ({len(text)} characters, at most {max_length})")
    if "__" in text:
        raise ValueError(f"double underscores are not allowed in a formula: {text!r}")
    for word in ("import", "lambda"):
        if re.search(rf"\b{word}\b", text):
            raise ValueError(f"{word!r} is not allowed in a formula: {text!r}")
    if re.search(r"\.\s*[A-Za-z_]", text):
        raise ValueError(f"attribute access (a dot before a name) is not allowed: {text!r}; "
                         "write decimals as 0.5 or 1e-3")
    if not _ALLOWED_CHARACTERS.fullmatch(text):
        bad = next(c for c in text if not _ALLOWED_CHARACTERS.fullmatch(c))
        raise ValueError(f"the character {bad!r} is not allowed in {text!r}; use numbers, "
                         f"{', '.join(variables)}, + - * / ^ ( ) and the functions {', '.join(SAFE_FUNCTIONS)}")
    allowed = set(variables) | set(SAFE_FUNCTIONS)
    for name in _NAME.findall(_NUMBER.sub(" ", text)):
        if name not in allowed:
            hint = ""
            if name == "e":
                hint = " (Euler's number is E)"
            elif set(name) <= set(variables):
                hint = " (write products with * or a space, e.g. x*y or x y)"
            raise ValueError(f"unknown name {name!r} in {text!r}{hint}; the allowed names are "
                             f"{', '.join(sorted(allowed))}")
    return text


def _magnitude(node, max_exponent, max_magnitude):
    """An upper bound of ``|node|`` for a constant subtree (inf if too large), refusing huge powers.

    Works bottom-up in floating point on the *unevaluated* tree, so sympy never
    has to compute a number like ``9**9**9`` to find out that it is too large.
    """
    if node.is_Number or node in (sp.pi, sp.E):
        try:
            return abs(float(node))
        except OverflowError:
            return math.inf
    bounds = [_magnitude(a, max_exponent, max_magnitude) for a in node.args]
    if any(b > max_magnitude for b in bounds):
        return math.inf
    if node.is_Add:
        return math.fsum(bounds)
    if node.is_Mul:
        return math.prod(bounds)
    if node.is_Pow:
        base, exponent = bounds
        if exponent > max_exponent:
            return math.inf
        try:
            return max(base, 1 / base if base else 0.0) ** exponent
        except (OverflowError, ZeroDivisionError):
            return math.inf
    try:                                  # a function of bounded constants (exp(3), sin(2), ...)
        return abs(complex(node.evalf(15)))
    except (TypeError, ValueError, OverflowError):
        return math.inf


def _check_tree(node, text):
    """Every part of the parsed formula must be a value (``sin`` alone, or ``sin sin``, is not)."""
    if not isinstance(node, sp.Expr):
        raise ValueError(f"{text!r} is not a formula with a value (did you forget the brackets of a function?)")
    for arg in node.args:
        _check_tree(arg, text)


def _check_sizes(expr, text, max_exponent, max_magnitude):
    for node in sp.preorder_traversal(expr):
        if node.is_Pow and not node.exp.free_symbols:
            if _magnitude(node.exp, max_exponent, max_magnitude) > max_exponent:
                raise ValueError(f"the exponent {node.exp} in {text!r} is too large (at most {max_exponent})")
        if not node.free_symbols and _magnitude(node, max_exponent, max_magnitude) > max_magnitude:
            raise ValueError(f"the number {node} in {text!r} is too large to work with")


def parse_expression(text, variables=("x", "y"), max_length=200, max_exponent=100, max_magnitude=1e100):
    """Read a formula typed by a learner, safely.

    Parameters
    ----------
    text : str
        E.g. ``"x**2 - y**2"``, ``"x^3 - 3x y^2"`` or ``"sin(x) cos(y)"``: ``^`` means
        power and a space or juxtaposition means product.
    variables : tuple of str
        The variable names.
    max_length : int
        Longer strings are refused.
    max_exponent, max_magnitude : float
        Constant exponents and constants larger than these are refused, so that
        no input can make sympy compute an enormous number.

    Returns
    -------
    sympy.Expr
        In the real symbols named by ``variables``.

    Raises
    ------
    ValueError
        With a message for the learner, for anything that is not a finite
        formula of ``variables`` and the functions in :data:`SAFE_FUNCTIONS`.
    """
    text = _check_text(text, variables, max_length)
    local = {**SAFE_FUNCTIONS, **dict(zip(variables, _symbols(variables)))}

    def parse(evaluate):
        with warnings.catch_warnings():     # e.g. sympy's deprecation note for "x*()": the tree check refuses it
            warnings.simplefilter("ignore")
            return parse_expr(text, local_dict=dict(local), global_dict={"__builtins__": {}, **_PARSER_GLOBALS},
                              transformations=_TRANSFORMATIONS, evaluate=evaluate)

    try:
        raw = parse(evaluate=False)
    except Exception as err:  # noqa: BLE001 -- the text is vetted; any parser failure (sympy raises SyntaxError,
        # TokenError, TypeError, even IndexError for ")(") means the learner's formula is malformed
        raise ValueError(f"could not read {text!r} as a formula ({type(err).__name__}): check the brackets "
                         "and operators") from err
    _check_tree(raw, text)
    _check_sizes(raw, text, max_exponent, max_magnitude)
    expr = parse(evaluate=True)
    if expr.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise ValueError(f"{text!r} is not finite (a division by zero?)")
    if not expr.free_symbols:
        raise ValueError(f"{text!r} is a constant: the formula must depend on {' or '.join(variables)}")
    return expr


def as_objective(expr, variables=("x", "y"), **kwargs):
    """An :class:`Objective` of a typed formula (a string, parsed by :func:`parse_expression`) or a sympy expression."""
    if isinstance(expr, str):
        name = expr.strip()
        expr = parse_expression(expr, variables, **kwargs)
    else:
        name = str(expr)
    return Objective(expr, _symbols(variables), name=name)


# ---------------------------------------------------------------------------
# sympy.solve under a time budget
# ---------------------------------------------------------------------------

def _solve_worker(conn, equations, symbols):
    """Run in the child process: send ``("ok", solutions)`` or ``("error", reason)``."""
    try:
        conn.send(("ok", sp.solve(equations, symbols, dict=True)))
    except Exception as err:   # any failure of solve is reported; the parent falls back to Newton's method
        conn.send(("error", f"sympy.solve failed: {type(err).__name__}: {err}"))
    finally:
        conn.close()


def solve_with_budget(equations, symbols, seconds):
    """``sympy.solve(equations, symbols, dict=True)`` in a child process, stopped after ``seconds``.

    Returns
    -------
    (status, payload)
        ``("ok", list of dict)``, ``("timeout", reason)`` or ``("error", reason)``.
    """
    if not (isinstance(seconds, (int, float)) and math.isfinite(seconds) and seconds > 0):
        raise ValueError(f"the time budget must be a positive number of seconds, got {seconds!r}")
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_solve_worker, args=(sender, equations, symbols), daemon=True)
    proc.start()
    sender.close()
    try:
        if receiver.poll(seconds):
            return receiver.recv()
        return "timeout", f"sympy.solve took longer than {seconds:g} s"
    except EOFError:
        return "error", "the solver process stopped without an answer"
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join()
        receiver.close()


# ---------------------------------------------------------------------------
# Newton's method on the gradient, from a grid of starts
# ---------------------------------------------------------------------------

def newton_critical_points(objective, window, grid=12, steps=100, tol=1e-8, dedupe=1e-6):
    r"""Critical points of ``objective`` in ``window`` by Newton's method on :math:`\nabla f = 0`.

    All ``grid`` x ``grid`` starts iterate at once:
    :math:`x \leftarrow x - H(x)^{+}\nabla f(x)` (pseudo-inverse, so singular
    Hessians such as the monkey saddle's do not stop it). Points with
    :math:`\|\nabla f\| < tol` inside the window are kept, without duplicates.

    Returns
    -------
    ndarray, shape (k, 2)
    """
    (a0, a1), (b0, b1) = window
    X, Y = np.meshgrid(np.linspace(a0, a1, grid), np.linspace(b0, b1, grid))
    P = np.column_stack([X.ravel(), Y.ravel()])
    with np.errstate(all="ignore"):
        for _ in range(steps):
            G, H = objective.grad(P), objective.hess(P)
            ok = np.all(np.isfinite(G), axis=1) & np.all(np.isfinite(H), axis=(1, 2))
            P = P[ok]
            if not len(P):
                break
            step = np.einsum("nij,nj->ni", np.linalg.pinv(H[ok]), G[ok])
            P = P - step
        G = objective.grad(P) if len(P) else np.empty((0, 2))
        size = max(a1 - a0, b1 - b0)
        keep = (np.all(np.isfinite(P), axis=1) & np.all(np.isfinite(G), axis=1)
                & (np.linalg.norm(G, axis=1) < tol)
                & (P[:, 0] >= a0) & (P[:, 0] <= a1) & (P[:, 1] >= b0) & (P[:, 1] <= b1))
    return _unique(P[keep], dedupe * size)


def _unique(points, radius, existing=()):
    kept = [np.asarray(p, float) for p in existing]
    new = []
    for p in points:
        if all(np.linalg.norm(p - q) > radius for q in kept):
            kept.append(p)
            new.append(p)
    return np.array(new).reshape(-1, 2)


# ---------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------

class CriticalPoint(NamedTuple):
    """A critical ``point``, its ``kind`` (one of :data:`course_lib.objectives.CLASSES`), the Hessian
    ``eigenvalues`` there, and how it was ``found`` ("sympy.solve" or "Newton")."""

    point: tuple
    kind: str
    eigenvalues: tuple
    found: str


class CriticalReport(NamedTuple):
    """The answer of :func:`find_critical_points`: the ``objective``, its ``points`` and a ``message``."""

    objective: Objective
    points: tuple
    message: str


def _symbolic_points(solutions, symbols):
    """Real, isolated points from ``solve``'s answer, and a description of any curves of solutions."""
    points, families = [], []
    for sol in solutions:
        values = [sol.get(s) for s in symbols]
        if any(v is None or v.free_symbols for v in values):
            families.append(", ".join(f"{k} = {v}" for k, v in sol.items()) or "every point")
            continue
        numeric = [complex(v.evalf(30)) for v in values]
        if all(abs(z.imag) < 1e-12 and math.isfinite(z.real) for z in numeric):
            points.append(tuple(z.real for z in numeric))
    return points, families


def _snap(point, eps=1e-12):
    return tuple(0.0 if abs(v) < eps else float(v) for v in point)


def find_critical_points(expr, window=((-3, 3), (-3, 3)), time_budget=2.0, grid=12, tol=1e-8, max_points=20,
                         variables=("x", "y")):
    r"""Find the critical points (:math:`\nabla f = 0`) of a 2-D formula in ``window`` and classify each.

    Parameters
    ----------
    expr : str, sympy.Expr or Objective
        The function; strings go through :func:`parse_expression`.
    window : ((xmin, xmax), (ymin, ymax))
        Where to look (symbolic solutions outside it are counted, not listed).
    time_budget : float
        Seconds :func:`sympy.solve` may take before only the numeric search is used.
    grid : int
        Newton's method starts from a ``grid`` x ``grid`` grid over the window.
    tol : float
        Gradient norms and eigenvalues below ``tol`` count as zero.
    max_points : int
        List at most this many points.

    Returns
    -------
    CriticalReport
    """
    objective = expr if isinstance(expr, Objective) else as_objective(expr, variables)
    if objective.dim != 2:
        raise ValueError(f"find_critical_points needs a function of two variables, got dimension {objective.dim}")
    status, payload = solve_with_budget(list(objective.gradient_expr), list(objective.symbols), time_budget)
    notes = []
    symbolic, families = _symbolic_points(payload, objective.symbols) if status == "ok" else ([], [])
    if status != "ok":
        notes.append(f"{payload}; using Newton's method only")
    inside = [p for p in symbolic if all(lo <= v <= hi for v, (lo, hi) in zip(p, window))]
    if len(inside) < len(symbolic):
        notes.append(f"{len(symbolic) - len(inside)} more outside the window")
    if families:
        notes.append(f"infinitely many critical points ({'; '.join(families)}), some shown")
    size = max(hi - lo for lo, hi in window)
    numeric = _unique(newton_critical_points(objective, window, grid, tol=tol), 1e-6 * size, inside)
    found = [(p, "sympy.solve") for p in inside] + [(tuple(p), "Newton") for p in numeric]
    points = []
    for p, how in found[:max_points]:
        p = _snap(p)
        eig = tuple(float(e) for e in np.linalg.eigvalsh(objective.hess(np.array(p))))
        points.append(CriticalPoint(p, objective.classify(p, tol=tol), eig, how))
    if len(found) > max_points:
        notes.append(f"showing {max_points} of {len(found)}")
    head = f"{len(points)} critical point{'s' * (len(points) != 1)} of f = {objective.name} in the window"
    return CriticalReport(objective, tuple(points), head + ("; " + "; ".join(notes) if notes else ""))


def report_rows(report, digits=4):
    """The report as rows of strings: point, kind, Hessian eigenvalues, how it was found."""
    fmt = f"{{:.{digits}g}}"
    return [("(" + ", ".join(fmt.format(v) for v in p.point) + ")", p.kind,
             ", ".join(fmt.format(0.0 if abs(e) < 1e-12 else e) for e in p.eigenvalues), p.found)
            for p in report.points]
