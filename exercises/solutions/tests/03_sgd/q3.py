from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 2

@test_case(points=None, hidden=False)
def test_monte_carlo_mean(mc_mean, mc_error, X, y):
    import numpy as np
    from course_lib.checks import allclose, close, fail
    if X is None or y is None:
        fail('run the set-up cell at the top of the notebook first')
    n, d = X.shape
    rng, w = (np.random.default_rng(0), np.zeros(d))
    grads = []
    for _ in range(2000):
        i = rng.integers(0, n, size=8)
        grads.append(2 / 8 * X[i].T @ (X[i] @ w - y[i]))
    expected, full = (np.mean(grads, axis=0), 2 / n * X.T @ (X @ w - y))
    allclose('mc_mean', mc_mean, expected, rtol=1e-09, atol=1e-12)
    close('mc_error', mc_error, np.linalg.norm(expected - full) / np.linalg.norm(full), rtol=1e-06)

