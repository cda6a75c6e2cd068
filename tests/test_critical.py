"""Tests of course_lib.critical: safe parsing of typed formulas, finding and classifying critical points."""

import re

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import critical, objectives

x, y = sp.symbols("x y", real=True)


@pytest.mark.parametrize("text, expected", [
    ("x**2 - y**2", x**2 - y**2),
    ("x^3 - 3 x y^2", x**3 - 3 * x * y**2),
    ("2x y + sin(x) cos(y)", 2 * x * y + sp.sin(x) * sp.cos(y)),
    ("exp(-x^2 - y^2) / 2", sp.exp(-x**2 - y**2) / 2),
    ("0.5*x + 1e-3*y + pi*E", sp.Float(0.5) * x + sp.Float(1e-3) * y + sp.pi * sp.E),
    ("sqrt(x^2 + 1) + log(y^2 + 1)", sp.sqrt(x**2 + 1) + sp.log(y**2 + 1)),
])
def test_formulas_parse_to_the_sympy_expressions(text, expected):
    assert sp.simplify(critical.parse_expression(text) - expected) == 0


@pytest.mark.parametrize("text, message", [
    ("", "the expression is empty"),
    ("   ", "the expression is empty"),
    ("__import__('os').system('echo hacked')", "double underscores"),
    ("x.__class__", "double underscores"),
    ("import os", "'import' is not allowed"),
    ("lambda: x", "'lambda' is not allowed"),
    ("x.real", "attribute access"),
    ("x; y", "the character ';' is not allowed"),
    ("x[0]", "the character '[' is not allowed"),
    ("'x'", "the character \"'\" is not allowed"),
    ("open(x)", "unknown name 'open'"),
    ("eval(x)", "unknown name 'eval'"),
    ("xy", "unknown name 'xy' in 'xy' (write products"),
    ("e^x", "Euler's number is E"),
    ("x +* y", "could not read 'x +* y' as a formula"),
    ("(x + y", "could not read"),
    ("sin", "not a formula with a value"),
    ("sin sin", "not a formula with a value"),
    ("3 + 4", "is a constant"),
    ("1/0 + x", "not finite"),
    ("9^9^9", "the exponent 9**9 in '9^9^9' is too large"),
    ("x^(10^10)", "too large"),
    ("exp(10^5) * x", "too large to work with"),
    ("x" * 201, "too long"),
])
def test_invalid_formulas_get_a_clear_message(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        critical.parse_expression(text)


def test_non_string_input_is_refused():
    with pytest.raises(ValueError, match="must be a string, got int"):
        critical.parse_expression(3)


DANGEROUS = "xy()+-*/^.0123456789 _eEimportsincolambda'\"[];:,!@#=<>{}\\"


TOKENS = ["x", "y", "2", "9", "0.5", "E", "pi", "^", "**", "*", "/", "+", "-", "(", ")", " ", ".", "sin", "exp",
          "log", "sqrt", "__", "import", "os"]


@settings(max_examples=250, deadline=None)
@given(st.one_of(st.text(alphabet=DANGEROUS, max_size=30),
                 st.lists(st.sampled_from(TOKENS), max_size=14).map("".join)))
def test_any_string_gives_a_formula_or_a_value_error(text):
    try:
        expr = critical.parse_expression(text)
    except ValueError as err:
        assert str(err)
    else:
        assert isinstance(expr, sp.Expr) and expr.free_symbols <= {x, y}


@pytest.mark.parametrize("text, kind, eigenvalues", [
    ("x^2 + y^2", "minimum", (2, 2)),
    ("x^2 - y^2", "saddle", (-2, 2)),
    ("-x^2 - 3y^2", "maximum", (-6, -2)),
    ("x^3 - 3 x y^2", "degenerate", (0, 0)),
])
def test_the_origin_is_classified_by_the_hessian(text, kind, eigenvalues):
    report = critical.find_critical_points(text, time_budget=5.0)
    (point,) = report.points
    assert point.point == (0.0, 0.0) and point.kind == kind
    assert np.allclose(point.eigenvalues, eigenvalues) and point.found == "sympy.solve"


def test_without_sympy_newton_still_classifies_the_monkey_saddle():
    report = critical.find_critical_points("x^3 - 3x y^2", time_budget=1e-3)
    assert "using Newton's method only" in report.message
    (point,) = report.points
    assert point.kind == "degenerate" and point.found == "Newton" and np.allclose(point.point, 0, atol=1e-12)


def test_himmelblau_has_four_minima_one_maximum_and_four_saddles():
    f = objectives.himmelblau()
    report = critical.find_critical_points(f, window=((-5, 5), (-5, 5)), time_budget=0.5)
    kinds = sorted(p.kind for p in report.points)
    assert kinds == ["maximum"] + ["minimum"] * 4 + ["saddle"] * 4
    minima = np.array([p.point for p in report.points if p.kind == "minimum"])
    for m in f.minima:                                         # the library's own minima are the oracle
        assert np.min(np.linalg.norm(minima - m, axis=1)) < 1e-8


def test_a_line_of_critical_points_is_reported_as_such():
    report = critical.find_critical_points("x^2", window=((-1, 1), (-1, 1)), max_points=5)
    assert "infinitely many critical points (x = 0)" in report.message and "showing 5 of" in report.message
    assert len(report.points) == 5 and all(p.kind == "degenerate" and p.point[0] == 0 for p in report.points)


def test_symbolic_points_outside_the_window_are_counted():
    report = critical.find_critical_points("(x - 5)^2 + y^2", window=((-1, 1), (-1, 1)))
    assert report.points == () and "1 more outside the window" in report.message


def test_report_rows_and_errors():
    report = critical.find_critical_points("x^2 - y^2")
    assert critical.report_rows(report) == [("(0, 0)", "saddle", "-2, 2", "sympy.solve")]
    with pytest.raises(ValueError, match="two variables"):
        critical.find_critical_points(objectives.parabola())
    with pytest.raises(ValueError, match="time budget"):
        critical.solve_with_budget([x], [x], 0)


def test_solve_with_budget_reports_timeouts_and_failures():
    assert critical.solve_with_budget([x - 1], [x], 5.0) == ("ok", [{x: 1}])
    status, reason = critical.solve_with_budget([x - 1], [x], 1e-6)
    assert status == "timeout" and "longer than" in reason
    status, reason = critical.solve_with_budget([sp.sin(x) + x * sp.exp(y) + y ** 7 * sp.cos(x * y)], [x, y], 0.5)
    assert status in ("ok", "error", "timeout")                    # never an exception in the caller


def test_newton_finds_the_critical_points_of_a_quartic():
    f = critical.as_objective("x^4 - 2x^2 + y^2")
    points = critical.newton_critical_points(f, ((-2, 2), (-2, 2)))
    assert sorted(map(tuple, np.round(points, 10))) == [(-1.0, 0.0), (0.0, 0.0), (1.0, 0.0)]
