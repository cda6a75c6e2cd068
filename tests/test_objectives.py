"""Every objective's value, gradient and Hessian against finite differences; shapes; classification."""

import numpy as np
import pytest
import sympy as sp

from course_lib import objectives as O

CONSTRUCTORS = [O.parabola, O.wiggly_1d, O.quadratic, O.rosenbrock, O.beale, O.himmelblau, O.saddle,
                O.monkey_saddle, O.many_minima, O.plateau, O.narrow_valley,
                lambda: O.quadratic(0.2, 4, angle=0.3), lambda: O.rosenbrock(a=2, b=10)]
IDS = ["parabola", "wiggly_1d", "quadratic", "rosenbrock", "beale", "himmelblau", "saddle", "monkey_saddle",
       "many_minima", "plateau", "narrow_valley", "rotated_quadratic", "rosenbrock_a2_b10"]


def random_points(f, n=25, seed=0):
    rng = np.random.default_rng(seed)
    lo, hi = np.array(f.window, dtype=float).T
    return rng.uniform(lo, hi, size=(n, f.dim))


def central_diff(fun, x, h):
    """Central differences of fun (scalar- or array-valued) at x along each coordinate, stacked last."""
    cols = []
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = h
        cols.append((np.asarray(fun(x + e)) - np.asarray(fun(x - e))) / (2 * h))
    return np.stack(cols, axis=-1)


@pytest.mark.parametrize("make", CONSTRUCTORS, ids=IDS)
def test_gradient_and_hessian_match_finite_differences(make):
    f = make()
    for x in random_points(f):
        scale = 1 + np.abs(f.grad(x)).max()
        np.testing.assert_allclose(f.grad(x), central_diff(f, x, 1e-6), rtol=1e-5, atol=1e-5 * scale)
        hscale = 1 + np.abs(f.hess(x)).max()
        np.testing.assert_allclose(f.hess(x), central_diff(f.grad, x, 1e-6), rtol=1e-5, atol=1e-5 * hscale)
        np.testing.assert_allclose(f.hess(x), f.hess(x).T)


@pytest.mark.parametrize("make", CONSTRUCTORS, ids=IDS)
def test_value_matches_the_sympy_expression(make):
    f = make()
    for x in random_points(f, n=5, seed=1):
        exact = float(f.expr.subs(dict(zip(f.symbols, x))))
        assert f(x) == pytest.approx(exact, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("make", CONSTRUCTORS, ids=IDS)
def test_batched_shapes(make):
    f = make()
    pts = random_points(f, n=12).reshape(3, 4, f.dim)
    assert isinstance(f(pts[0, 0]), float)
    assert f(pts).shape == (3, 4)
    assert f.grad(pts).shape == pts.shape
    assert f.hess(pts).shape == (3, 4, f.dim, f.dim)
    assert f.hess(pts[0, 0]).shape == (f.dim, f.dim)
    np.testing.assert_allclose(f(pts)[1, 2], f(pts[1, 2]))
    np.testing.assert_allclose(f.grad(pts)[2, 3], f.grad(pts[2, 3]))
    np.testing.assert_allclose(f.hess(pts)[0, 1], f.hess(pts[0, 1]))


@pytest.mark.parametrize("make", CONSTRUCTORS, ids=IDS)
def test_known_minima_are_minima(make):
    f = make()
    for m in f.minima:
        assert f.classify(m, tol=1e-6) == "minimum", (f.name, m)


def test_minima_exactly_as_the_syllabus_says():
    assert O.rosenbrock()(np.array([1.0, 1.0])) == 0.0
    np.testing.assert_allclose(O.rosenbrock().minima, [[1.0, 1.0]])
    np.testing.assert_allclose(O.beale().minima, [[3.0, 0.5]])
    assert O.beale()(np.array([3.0, 0.5])) == 0.0
    himmelblau = O.himmelblau()
    assert len(himmelblau.minima) == 4
    np.testing.assert_allclose(himmelblau.minima[0], [3.0, 2.0])
    for m in himmelblau.minima:
        assert himmelblau(m) == pytest.approx(0.0, abs=1e-20)
    assert len(O.many_minima().minima) == 9


def test_expressions_are_the_syllabus_formulas():
    x, y = sp.symbols("x y", real=True)
    assert sp.simplify(O.rosenbrock().expr - ((1 - x) ** 2 + 100 * (y - x**2) ** 2)) == 0
    assert sp.simplify(O.himmelblau().expr - ((x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2)) == 0
    beale = (sp.Rational(3, 2) - x + x * y) ** 2 + (sp.Rational(9, 4) - x + x * y**2) ** 2 \
        + (sp.Rational(21, 8) - x + x * y**3) ** 2
    assert sp.simplify(O.beale().expr - beale) == 0
    assert sp.simplify(O.saddle().expr - (x**2 - y**2)) == 0
    assert sp.simplify(O.monkey_saddle().expr - (x**3 - 3 * x * y**2)) == 0
    assert sp.simplify(O.quadratic(3, 7).expr - (3 * x**2 + 7 * y**2) / 2) == 0


def test_saddle_hessian_and_eigenvectors():
    f = O.saddle()
    H = f.hess(np.zeros(2))
    np.testing.assert_array_equal(H, np.diag([2.0, -2.0]))
    np.testing.assert_array_equal(H @ [1, 0], [2, 0])     # curvature up along x
    np.testing.assert_array_equal(H @ [0, 1], [0, -2])    # a way down along y
    assert f.hessian_expr == sp.Matrix([[2, 0], [0, -2]])


def test_monkey_saddle_gradient_and_degenerate_hessian():
    f = O.monkey_saddle()
    x, y = f.symbols
    assert [sp.expand(g) for g in f.gradient_expr] == [3 * x**2 - 3 * y**2, -6 * x * y]
    np.testing.assert_array_equal(f.hess(np.zeros(2)), np.zeros((2, 2)))


@pytest.mark.parametrize("make, point, expected", [
    (O.saddle, (0, 0), "saddle"),
    (O.monkey_saddle, (0, 0), "degenerate"),
    (O.rosenbrock, (1, 1), "minimum"),
    (O.rosenbrock, (0, 0), "not critical"),
    (lambda: O.Objective("-(x**2 + y**2)", "x y".split()), (0, 0), "maximum"),
    (lambda: O.Objective("x**4 + y**2", "x y".split()), (0, 0), "degenerate"),
    (lambda: O.Objective("x**2 - y**4", "x y".split()), (0, 0), "degenerate"),
    (lambda: O.Objective("x**2 - y**2 + z**4", "x y z".split()), (0, 0, 0), "saddle"),
    (O.himmelblau, (-0.270845, -0.923039), "maximum"),
])
def test_classify(make, point, expected):
    assert make().classify(np.array(point, dtype=float), tol=1e-4) == expected


def test_objective_from_strings_and_latex():
    f = O.Objective("x**2 + 3*x*y", ["x", "y"], name="mine")
    assert f.dim == 2
    assert f.latex() == "x^{2} + 3 x y"
    assert "x^{2}" in f._repr_latex_()
    np.testing.assert_allclose(f.grad([1.0, 2.0]), [8.0, 3.0])


def test_grid_evaluates_in_one_call():
    f = O.rosenbrock()
    X, Y, Z = f.grid(50)
    assert X.shape == Y.shape == Z.shape == (50, 50)
    assert Z[10, 20] == pytest.approx(f([X[10, 20], Y[10, 20]]))
    with pytest.raises(ValueError, match="grid needs a 2-D objective"):
        O.parabola().grid()


@pytest.mark.parametrize("bad, message", [
    (np.zeros(3), r"last axis of length 2 .* got shape \(3,\)"),
    (np.float64(1.0), r"got shape \(\)"),
    ("abc", "x must be an array of numbers"),
])
def test_bad_points_raise_clear_errors(bad, message):
    with pytest.raises(ValueError, match=message):
        O.rosenbrock()(bad)


def test_bad_construction():
    with pytest.raises(ValueError, match="symbols that are not variables: z"):
        O.Objective("x + z", ["x"])
    with pytest.raises(ValueError, match="symbols must be a non-empty sequence"):
        O.Objective("x", [])
    with pytest.raises(ValueError, match="tol must be positive"):
        O.saddle().classify([0, 0], tol=0)
    with pytest.raises(ValueError, match="classify takes one point"):
        O.saddle().classify(np.zeros((2, 2)))
