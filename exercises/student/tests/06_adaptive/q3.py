from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 2

@test_case(points=None, hidden=False)
def test_rmsprop_one_step(rmsprop_step):
    import numpy as np
    from course_lib import optim
    from course_lib.checks import allclose, call, fail
    x, v, g = (np.array([1.0, -2.0]), np.array([4.0, 0.25]), np.array([3.0, -0.5]))
    opt = optim.rmsprop(lr=0.01)
    expected, state = opt.update(x, g, opt.init(x)._replace(square_avg=v))
    out = call('rmsprop_step', rmsprop_step, x, v, g, lr=0.01)
    if not (isinstance(out, tuple) and len(out) == 2):
        fail(f'rmsprop_step should return a tuple (new_x, new_v), got {out!r}')
    allclose('new_v of rmsprop_step([1, -2], v=[4, 0.25], grad=[3, -0.5], lr=0.01)', out[1], state.square_avg)
    allclose('new_x of the same step', out[0], expected)

