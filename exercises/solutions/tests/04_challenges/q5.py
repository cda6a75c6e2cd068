from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 3

@test_case(points=None, hidden=False)
def test_critical_points_example(critical_points):
    import sympy as sp
    from course_lib.checks import call, fail
    x, y = sp.symbols('x y', real=True)
    got = call('critical_points', critical_points, x ** 3 - 3 * x + y ** 2, [x, y])
    expected = [((-1.0, 0.0), 'saddle'), ((1.0, 0.0), 'minimum')]
    try:
        same = [(tuple((round(float(c), 9) for c in p)), lab) for p, lab in got] == expected
    except (TypeError, ValueError):
        same = False
    if not same:
        fail(f'critical_points(x**3 - 3*x + y**2, [x, y]): expected {expected}, got {got}')

@test_case(points=None, hidden=True)
def test_critical_points_more(critical_points):
    import sympy as sp
    from course_lib.checks import call, fail
    x, y = sp.symbols('x y', real=True)
    cases = [(x ** 2 - y ** 2, [((0.0, 0.0), 'saddle')]), (-x ** 2 - y ** 2 + x * y, [((0.0, 0.0), 'maximum')]), (x ** 4 + y ** 4 - 2 * x ** 2, [((-1.0, 0.0), 'degenerate'), ((0.0, 0.0), 'degenerate'), ((1.0, 0.0), 'degenerate')]), ((x ** 2 - 1) ** 2 + y ** 2, [((-1.0, 0.0), 'minimum'), ((0.0, 0.0), 'saddle'), ((1.0, 0.0), 'minimum')]), (x ** 3 - 3 * x * y ** 2, [((0.0, 0.0), 'degenerate')])]
    for expr, expected in cases:
        got = call('critical_points', critical_points, expr, [x, y])
        try:
            same = [(tuple((round(float(c), 9) for c in p)), lab) for p, lab in got] == expected
        except (TypeError, ValueError):
            same = False
        if not same:
            fail(f'critical_points({expr}, [x, y]): expected {expected}, got {got}')

