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

@test_case(points=None, hidden=True)
def test_adam_trajectory(adam_step):
    import numpy as np
    from course_lib import objectives, optim, run
    from course_lib.checks import allclose, call
    f = objectives.beale()
    expected = run(optim.adam(lr=0.05, beta1=0.8, beta2=0.99), f, [1.0, 1.5], steps=80).xs
    x, m, v, xs = (np.array([1.0, 1.5]), np.zeros(2), np.zeros(2), [np.array([1.0, 1.5])])
    for t in range(1, 81):
        x, m, v = call('adam_step', adam_step, x, m, v, t, f.grad(x), lr=0.05, beta1=0.8, beta2=0.99)
        xs.append(np.asarray(x, dtype=float))
    allclose('80 Adam steps on Beale (lr=0.05, beta1=0.8, beta2=0.99)', np.array(xs), expected, rtol=1e-08)

