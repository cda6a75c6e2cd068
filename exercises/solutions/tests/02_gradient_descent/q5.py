from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 2

@test_case(points=None, hidden=False)
def test_max_stable_lr_diagonal(max_stable_lr):
    import numpy as np
    from course_lib.checks import call, close
    close('max_stable_lr(diag(0.2, 4))', call('max_stable_lr', max_stable_lr, np.diag([0.2, 4.0])), 0.5)

@test_case(points=None, hidden=True)
def test_max_stable_lr_rotated(max_stable_lr):
    import numpy as np
    from course_lib import objectives
    from course_lib.checks import call, close
    H = objectives.quadratic(1, 10, angle=0.4).hess(np.zeros(2))
    close('max_stable_lr(H) for a rotated quadratic with eigenvalues 1 and 10', call('max_stable_lr', max_stable_lr, H), 0.2)
    rng = np.random.default_rng(3)
    A = rng.normal(size=(4, 4))
    H = A @ A.T + np.eye(4)
    close('max_stable_lr(H) for a random 4x4 H', call('max_stable_lr', max_stable_lr, H), 2 / np.linalg.eigvalsh(H).max())

