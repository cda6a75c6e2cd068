from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 2

@test_case(points=None, hidden=False)
def test_variance_ratio(var_1, var_16, variance_ratio, X, y):
    import numpy as np
    from course_lib.checks import close, fail
    if X is None or y is None:
        fail('run the set-up cell at the top of the notebook first')
    n, d = X.shape
    w, full = (np.zeros(d), 2 / n * X.T @ (X @ np.zeros(d) - y))

    def variance(B, seed):
        rng = np.random.default_rng(seed)
        return np.mean([np.sum((2 / B * X[i].T @ (X[i] @ w - y[i]) - full) ** 2) for i in (rng.integers(0, n, size=B) for _ in range(2000))])
    v1, v16 = (variance(1, 0), variance(16, 1))
    close('var_1', var_1, v1, rtol=1e-06)
    close('var_16', var_16, v16, rtol=1e-06)
    close('variance_ratio', variance_ratio, v1 / v16, rtol=1e-06, hint='about 16')

