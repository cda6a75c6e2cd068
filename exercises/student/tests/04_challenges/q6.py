from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 2

@test_case(points=None, hidden=False)
def test_monkey_derivatives(monkey_grad0, monkey_hess0, monkey_class):
    import numpy as np
    from course_lib.checks import allclose, equal
    allclose('monkey_grad0', monkey_grad0, np.zeros(2))
    allclose('monkey_hess0', monkey_hess0, np.zeros((2, 2)))
    equal('monkey_class', monkey_class, 'degenerate', hint='every Hessian eigenvalue is 0')

@test_case(points=None, hidden=False)
def test_monkey_down(monkey_down):
    import numpy as np
    from course_lib import objectives
    from course_lib.checks import array, fail
    d = array('monkey_down', monkey_down, (2,))
    if np.linalg.norm(d) == 0:
        fail('monkey_down must not be the zero vector')
    u = d / np.linalg.norm(d)
    f = objectives.monkey_saddle()
    values = [f(t * u) / t ** 3 for t in (0.001, 0.01, 0.1)]
    if not max(values) < -1e-06:
        fail(f'f(t*d) should be negative for small t > 0, but f(t*d)/t**3 = {values[0]:.3g} for d = {d.tolist()}')

