from otter.test_files import test_case

OK_FORMAT = False

name = "q7"
points = 3

@test_case(points=None, hidden=False)
def test_gd_until_parabola(gd_until):
    import numpy as np
    from course_lib import objectives, optim, run
    from course_lib.checks import allclose, call, equal
    t = run(optim.gd(lr=0.1), objectives.parabola(), [10.0], steps=1000, tol=0.001)
    out = call('gd_until', gd_until, lambda x: 2 * x, np.array([10.0]), lr=0.1, tol=0.001, max_steps=1000)
    assert isinstance(out, tuple) and len(out) == 2, f'gd_until should return a tuple (x, k), got {out!r}'
    equal('k (steps taken) on x**2 from 10 with lr=0.1, tol=1e-3', int(out[1]), t.nit)
    allclose('x (last iterate)', out[0], t.x)

