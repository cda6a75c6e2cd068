from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 1

@test_case(points=None, hidden=False)
def test_mse_example(mse):
    import numpy as np
    from course_lib.checks import call, close
    close('mse([1, 2, 3], [1, 0, 0])', call('mse', mse, np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 0.0])), 13 / 3)

