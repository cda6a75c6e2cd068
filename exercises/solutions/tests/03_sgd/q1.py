from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 2

@test_case(points=None, hidden=False)
def test_random_search_steps(random_search_step):
    import numpy as np
    from course_lib import objectives
    from course_lib.checks import allclose, call
    f = objectives.quadratic(1, 10)
    rng, ref = (np.random.default_rng(0), np.random.default_rng(0))
    x = expected = np.array([2.0, 1.0])
    for k in range(20):
        candidate = expected + 0.5 * ref.standard_normal(2)
        expected = candidate if f(candidate) < f(expected) else expected
        x = call('random_search_step', random_search_step, f, np.asarray(x, dtype=float), 0.5, rng)
        allclose(f'x after {k + 1} random-search steps (sigma=0.5, rng=np.random.default_rng(0))', x, expected)

@test_case(points=None, hidden=True)
def test_random_search_rosenbrock(random_search_step):
    import numpy as np
    from course_lib import objectives
    from course_lib.checks import allclose, call
    f = objectives.rosenbrock()
    rng, ref = (np.random.default_rng(42), np.random.default_rng(42))
    x = expected = np.array([-1.0, 1.0])
    for _ in range(50):
        candidate = expected + 0.1 * ref.standard_normal(2)
        expected = candidate if f(candidate) < f(expected) else expected
        x = call('random_search_step', random_search_step, f, np.asarray(x, dtype=float), 0.1, rng)
    allclose('x after 50 random-search steps on Rosenbrock (sigma=0.1, seed 42)', x, expected)

