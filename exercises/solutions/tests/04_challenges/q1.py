from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 2

@test_case(points=None, hidden=False)
def test_gradient_saddle(gradient):
    import sympy as sp
    from course_lib.checks import call, fail
    x, y = sp.symbols('x y', real=True)
    got = call('gradient', gradient, x ** 2 - y ** 2, [x, y])
    expected = [2 * x, -2 * y]
    if len(got) != 2 or any((sp.simplify(sp.sympify(g) - e) != 0 for g, e in zip(got, expected))):
        fail(f'gradient(x**2 - y**2, [x, y]): expected {expected}, got {got}')

@test_case(points=None, hidden=True)
def test_gradient_rosenbrock_monkey(gradient):
    import sympy as sp
    from course_lib import objectives
    from course_lib.checks import call, fail
    for f in (objectives.rosenbrock(), objectives.monkey_saddle(), objectives.beale()):
        got = call('gradient', gradient, f.expr, list(f.symbols))
        expected = list(f.gradient_expr)
        if len(got) != 2 or any((sp.simplify(sp.sympify(g) - e) != 0 for g, e in zip(got, expected))):
            fail(f'gradient of {f.name}: expected {expected}, got {got}')

