from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 2

@test_case(points=None, hidden=False)
def test_gd_quadratic_converging(gd_quadratic):
    import numpy as np
    from course_lib import objectives, optim, run
    from course_lib.checks import allclose, call
    H, x0 = (np.diag([0.2, 4.0]), np.array([1.0, 1.0]))
    expected = run(optim.gd(lr=0.4), objectives.quadratic(0.2, 4), x0, steps=20).xs
    allclose('gd_quadratic(diag(0.2, 4), [1, 1], lr=0.4, steps=20)', call('gd_quadratic', gd_quadratic, H, x0, lr=0.4, steps=20), expected)

