from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 2

@test_case(points=None, hidden=False)
def test_huber_example(huber):
    import numpy as np
    from course_lib.checks import call, close
    p, t = (np.array([0.5, 3.0, -2.0]), np.zeros(3))
    close('huber([0.5, 3, -2], [0, 0, 0])', call('huber', huber, p, t), (0.125 + 2.5 + 1.5) / 3)

