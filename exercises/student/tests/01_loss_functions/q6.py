from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 2

@test_case(points=None, hidden=False)
def test_mse_gradient_sympy(dL_dw, dL_db):
    import sympy as sp
    from course_lib.checks import answered, fail
    w, b, x, y = sp.symbols('w b x y', real=True)
    for name, got, expected in (('dL_dw', dL_dw, 2 * x * (w * x + b - y)), ('dL_db', dL_db, 2 * (w * x + b - y))):
        answered(name, got)
        if sp.simplify(sp.sympify(got) - expected) != 0:
            fail(f'{name}: expected {sp.factor(expected)}, got {got}')

