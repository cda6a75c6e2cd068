from otter.test_files import test_case

OK_FORMAT = False

name = "q7"
points = 2

@test_case(points=None, hidden=False)
def test_escape_direction_examples(escape_direction):
    import numpy as np
    from course_lib.checks import allclose, call, equal
    allclose('escape_direction(diag(2, -2))', call('escape_direction', escape_direction, np.diag([2.0, -2.0])), [0.0, 1.0])
    equal('escape_direction(diag(1, 2))', call('escape_direction', escape_direction, np.diag([1.0, 2.0])), 'none')

@test_case(points=None, hidden=True)
def test_escape_direction_rotated(escape_direction):
    import numpy as np
    from course_lib.checks import allclose, call
    rng = np.random.default_rng(4)
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    H = Q @ np.diag([-3.0, 1.0, -0.5]) @ Q.T
    v = Q[:, 0] * np.sign(Q[np.flatnonzero(np.abs(Q[:, 0]) > 1e-08)[0], 0])
    allclose('escape_direction(H) for a rotated H with eigenvalues (-3, 1, -0.5)', call('escape_direction', escape_direction, (H + H.T) / 2), v, rtol=1e-06, atol=1e-09)

