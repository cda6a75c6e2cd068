from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 1

@test_case(points=None, hidden=False)
def test_mae_example(mae):
    import numpy as np
    from course_lib.checks import call, close
    close('mae([1, 2, 3], [1, 0, 0])', call('mae', mae, np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 0.0])), 5 / 3)

