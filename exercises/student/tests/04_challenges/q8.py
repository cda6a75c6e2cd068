from otter.test_files import test_case

OK_FORMAT = False

name = "q8"
points = 3

@test_case(points=None, hidden=False)
def test_stuck(stuck_at, is_global):
    from course_lib import objectives, optim, run
    from course_lib.checks import allclose, equal
    expected = run(optim.gd(lr=0.1), objectives.many_minima(), [3.0, 3.0], steps=500).x
    allclose('stuck_at', stuck_at, expected, rtol=1e-06, atol=1e-08, hint='run(optim.gd(lr=0.1), objectives.many_minima(), [3.0, 3.0], steps=500).x')
    equal('is_global', is_global, False, hint='the run stops in a local minimum far from (0, 0)')

@test_case(points=None, hidden=False)
def test_plateau(plateau_grad_norm):
    import numpy as np
    from course_lib import objectives
    from course_lib.checks import close
    close('plateau_grad_norm', plateau_grad_norm, float(np.linalg.norm(objectives.plateau().grad(np.array([3.0, 0.0])))), rtol=1e-06)

