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

@test_case(points=None, hidden=True)
def test_huber_random_and_delta(huber):
    import numpy as np
    from course_lib import losses
    from course_lib.checks import call, close
    rng = np.random.default_rng(3)
    p, t = (3 * rng.normal(size=40), rng.normal(size=40))
    for delta in (1.0, 0.3, 5.0):
        close(f'huber(..., delta={delta}) on random arrays', call('huber', huber, p, t, delta=delta), losses.huber(p, t, delta=delta).value)

