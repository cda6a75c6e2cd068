from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 2

@test_case(points=None, hidden=False)
def test_adamw_one_step(adamw_step):
    import numpy as np
    from course_lib import optim
    from course_lib.checks import allclose, call, fail
    x, m, v, g = (np.array([1.0, -2.0]), np.zeros(2), np.zeros(2), np.array([3.0, -0.5]))
    opt = optim.adamw(lr=0.1, weight_decay=0.5)
    expected, _ = opt.update(x, g, opt.init(x))
    out = call('adamw_step', adamw_step, x, m, v, 1, g, lr=0.1, weight_decay=0.5)
    if not (isinstance(out, tuple) and len(out) == 3):
        fail(f'adamw_step should return a tuple (new_x, new_m, new_v), got {out!r}')
    allclose('new_x of adamw_step([1, -2], grad=[3, -0.5], t=1, lr=0.1, weight_decay=0.5)', out[0], expected, rtol=1e-09)

@test_case(points=None, hidden=True)
def test_adamw_trajectory(adamw_step):
    import numpy as np
    from course_lib import objectives, optim, run
    from course_lib.checks import allclose, call
    f = objectives.quadratic(1, 10, angle=0.3)
    expected = run(optim.adamw(lr=0.1, weight_decay=0.2), f, [2.0, -3.0], steps=60).xs
    x, m, v, xs = (np.array([2.0, -3.0]), np.zeros(2), np.zeros(2), [np.array([2.0, -3.0])])
    for t in range(1, 61):
        x, m, v = call('adamw_step', adamw_step, x, m, v, t, f.grad(x), lr=0.1, weight_decay=0.2)
        xs.append(np.asarray(x, dtype=float))
    allclose('60 AdamW steps (lr=0.1, weight_decay=0.2)', np.array(xs), expected, rtol=1e-08)

