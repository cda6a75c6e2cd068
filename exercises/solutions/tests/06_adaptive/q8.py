from otter.test_files import test_case

OK_FORMAT = False

name = "q8"
points = 3

@test_case(points=None, hidden=False)
def test_adamax_one_step(adamax_step):
    import numpy as np
    from course_lib import optim
    from course_lib.checks import allclose, call, fail
    x, m, u, g = (np.array([1.0, -2.0]), np.array([0.1, 0.2]), np.array([2.0, 0.3]), np.array([3.0, -0.5]))
    opt = optim.adamax(lr=0.1)
    expected, state = opt.update(x, g, opt.init(x)._replace(step=1, m=m, u=u))
    out = call('adamax_step', adamax_step, x, m, u, 2, g, lr=0.1)
    if not (isinstance(out, tuple) and len(out) == 3):
        fail(f'adamax_step should return a tuple (new_x, new_m, new_u), got {out!r}')
    allclose('new_u of adamax_step at t=2', out[2], state.u)
    allclose('new_x of adamax_step at t=2', out[0], expected, rtol=1e-09)

@test_case(points=None, hidden=True)
def test_adamax_trajectory(adamax_step):
    import numpy as np
    from course_lib import objectives, optim, run
    from course_lib.checks import allclose, call
    f = objectives.himmelblau()
    expected = run(optim.adamax(lr=0.05), f, [0.0, 0.0], steps=80).xs
    x, m, u, xs = (np.zeros(2), np.zeros(2), np.zeros(2), [np.zeros(2)])
    for t in range(1, 81):
        x, m, u = call('adamax_step', adamax_step, x, m, u, t, f.grad(x), lr=0.05)
        xs.append(np.asarray(x, dtype=float))
    allclose('80 AdaMax steps on Himmelblau (lr=0.05)', np.array(xs), expected, rtol=1e-08)

