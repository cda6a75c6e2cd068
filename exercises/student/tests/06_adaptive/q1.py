from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 2

@test_case(points=None, hidden=False)
def test_adagrad_one_step(adagrad_step):
    import numpy as np
    from course_lib import optim
    from course_lib.checks import allclose, call, fail
    x, G, g = (np.array([1.0, -2.0]), np.array([4.0, 0.25]), np.array([3.0, -0.5]))
    opt = optim.adagrad(lr=0.1)
    expected, state = opt.update(x, g, opt.init(x)._replace(sum=G))
    out = call('adagrad_step', adagrad_step, x, G, g, lr=0.1)
    if not (isinstance(out, tuple) and len(out) == 2):
        fail(f'adagrad_step should return a tuple (new_x, new_G), got {out!r}')
    allclose('new_G of adagrad_step([1, -2], G=[4, 0.25], grad=[3, -0.5], lr=0.1)', out[1], state.sum)
    allclose('new_x of the same step', out[0], expected)

