from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 2

@test_case(points=None, hidden=False)
def test_nesterov_one_step(nesterov_step):
    import numpy as np
    from course_lib import optim
    from course_lib.checks import allclose, call, fail
    x, b, g = (np.array([1.0, -2.0]), np.array([0.5, 0.5]), np.array([2.0, 1.0]))
    expected, state = optim.sgd_rule(x, g, optim.sgd(lr=0.1).init(x)._replace(step=1, momentum_buffer=b), lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.0, nesterov=True)
    out = call('nesterov_step', nesterov_step, x, b, g, lr=0.1, mu=0.9)
    if not (isinstance(out, tuple) and len(out) == 2):
        fail(f'nesterov_step should return a tuple (new_x, new_b), got {out!r}')
    allclose('new_b of nesterov_step([1, -2], b=[0.5, 0.5], grad=[2, 1], lr=0.1, mu=0.9)', out[1], state.momentum_buffer)
    allclose('new_x of the same step', out[0], expected)

