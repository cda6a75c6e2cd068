from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 1

@test_case(points=None, hidden=False)
def test_mse_example(mse):
    import numpy as np
    from course_lib.checks import call, close
    close('mse([1, 2, 3], [1, 0, 0])', call('mse', mse, np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 0.0])), 13 / 3)

@test_case(points=None, hidden=True)
def test_mse_random(mse):
    import numpy as np
    from course_lib import losses
    from course_lib.checks import call, close
    rng = np.random.default_rng(1)
    p, t = (rng.normal(size=(20, 3)), rng.normal(size=(20, 3)))
    close('mse on random (20, 3) arrays', call('mse', mse, p, t), losses.mse(p, t).value)

