from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 2

@test_case(points=None, hidden=False)
def test_minibatch_variance_example(minibatch_variance):
    import numpy as np
    from course_lib.checks import call, close
    X, y = (np.array([[1.0, 0.0], [1.0, 2.0], [0.0, 1.0]]), np.array([1.0, 0.0, 2.0]))
    w, ref = (np.array([1.0, -1.0]), np.random.default_rng(3))
    full = 2 / 3 * X.T @ (X @ w - y)
    expected = np.mean([np.sum((2 / 2 * X[i].T @ (X[i] @ w - y[i]) - full) ** 2) for i in (ref.integers(0, 3, size=2) for _ in range(5))])
    got = call('minibatch_variance', minibatch_variance, w, X, y, 2, 5, np.random.default_rng(3))
    close('minibatch_variance on a 3x2 example, B=2, 5 draws, seed 3', got, expected)

