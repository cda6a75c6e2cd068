from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 3

@test_case(points=None, hidden=False)
def test_adam_one_step(adam_step):
    import numpy as np
    from course_lib import optim
    from course_lib.checks import allclose, call, fail
    x, m, v, g = (np.array([1.0, -2.0]), np.array([0.1, 0.2]), np.array([0.01, 0.3]), np.array([3.0, -0.5]))
    opt = optim.adam(lr=0.1)
    expected, state = opt.update(x, g, opt.init(x)._replace(step=2, m=m, v=v))
    out = call('adam_step', adam_step, x, m, v, 3, g, lr=0.1)
    if not (isinstance(out, tuple) and len(out) == 3):
        fail(f'adam_step should return a tuple (new_x, new_m, new_v), got {out!r}')
    allclose('new_m of adam_step at t=3', out[1], state.m)
    allclose('new_v of adam_step at t=3', out[2], state.v)
    allclose('new_x of adam_step at t=3 (check the bias correction)', out[0], expected, rtol=1e-09)

