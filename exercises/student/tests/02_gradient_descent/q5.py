from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 2

@test_case(points=None, hidden=False)
def test_max_stable_lr_diagonal(max_stable_lr):
    import numpy as np
    from course_lib.checks import call, close
    close('max_stable_lr(diag(0.2, 4))', call('max_stable_lr', max_stable_lr, np.diag([0.2, 4.0])), 0.5)

