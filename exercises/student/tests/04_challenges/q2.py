from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 2

@test_case(points=None, hidden=False)
def test_hessian_saddle(hessian):
    import sympy as sp
    from course_lib.checks import call, fail
    x, y = sp.symbols('x y', real=True)
    got = sp.Matrix(call('hessian', hessian, x ** 2 - y ** 2, [x, y]))
    if got.shape != (2, 2) or sp.simplify(got - sp.diag(2, -2)) != sp.zeros(2, 2):
        fail(f'hessian(x**2 - y**2, [x, y]): expected Matrix([[2, 0], [0, -2]]), got {got}')

