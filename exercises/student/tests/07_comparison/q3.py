from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 2

@test_case(points=None, hidden=False)
def test_sensitivity_gd_beale(sensitivity):
    import numpy as np
    from course_lib import objectives, optim, run
    from course_lib.checks import call, fail
    f, lrs = (objectives.beale(), [0.001, 0.01, 0.5])
    expected = []
    for lr in lrs:
        t = run(optim.gd(lr=lr), f, [1.0, 1.5], steps=200)
        expected.append(t.fun if t.success else np.inf)
    got = np.asarray(call('sensitivity', sensitivity, lambda lr: optim.gd(lr=lr), f, [1.0, 1.5], lrs, 200), float)
    if got.shape != (3,) or not np.allclose(got, expected, rtol=1e-09):
        fail(f'sensitivity of GD on Beale for lrs {lrs}: expected {np.array(expected)}, got {got}')

