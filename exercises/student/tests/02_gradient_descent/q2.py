from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 2

@test_case(points=None, hidden=False)
def test_gd_step_scalar(gd_step):
    from course_lib.checks import call, close
    close('gd_step(1.0, 2.0, lr=0.1)', call('gd_step', gd_step, 1.0, 2.0, lr=0.1), 0.8, hint='descent subtracts lr * grad; adding it is gradient ascent')

@test_case(points=None, hidden=False)
def test_gd_step_array(gd_step):
    import numpy as np
    from course_lib import optim
    from course_lib.checks import allclose, call
    x, g = (np.array([1.0, 2.0]), np.array([2.0, -4.0]))
    expected, _ = optim.gd(lr=0.25).update(x, g, optim.gd(lr=0.25).init(x))
    allclose('gd_step([1, 2], [2, -4], lr=0.25)', call('gd_step', gd_step, x, g, lr=0.25), expected)

