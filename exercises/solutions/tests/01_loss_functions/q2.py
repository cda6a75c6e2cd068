from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 1

@test_case(points=None, hidden=False)
def test_mae_example(mae):
    import numpy as np
    from course_lib.checks import call, close
    close('mae([1, 2, 3], [1, 0, 0])', call('mae', mae, np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 0.0])), 5 / 3)

@test_case(points=None, hidden=True)
def test_mae_random(mae):
    import numpy as np
    from course_lib import losses
    from course_lib.checks import call, close
    rng = np.random.default_rng(2)
    p, t = (rng.normal(size=50), rng.normal(size=50))
    close('mae on random arrays', call('mae', mae, p, t), losses.mae(p, t).value)

