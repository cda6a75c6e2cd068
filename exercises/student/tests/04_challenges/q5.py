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

