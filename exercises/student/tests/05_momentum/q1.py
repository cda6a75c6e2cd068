from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 2

@test_case(points=None, hidden=False)
def test_heavy_ball_one_step(heavy_ball_step):
    import numpy as np
    from course_lib.checks import allclose, call, fail
    x, b, g = (np.array([1.0, -2.0]), np.array([0.5, 0.5]), np.array([2.0, 1.0]))
    out = call('heavy_ball_step', heavy_ball_step, x, b, g, lr=0.1, mu=0.9)
    if not (isinstance(out, tuple) and len(out) == 2):
        fail(f'heavy_ball_step should return a tuple (new_x, new_b), got {out!r}')
    allclose('new_b of heavy_ball_step([1, -2], b=[0.5, 0.5], grad=[2, 1], lr=0.1, mu=0.9)', out[1], [2.45, 1.45])
    allclose('new_x of the same step', out[0], [0.755, -2.145])

