from otter.test_files import test_case

OK_FORMAT = False

name = "q7"
points = 2

@test_case(points=None, hidden=False)
def test_sgd_epoch_diabetes(sgd_epoch, X, y):
    import numpy as np
    from course_lib.checks import allclose, call, fail
    if X is None or y is None:
        fail('run the set-up cell at the top of the notebook first')
    ref, w = (np.random.default_rng(0), np.zeros(X.shape[1]))
    perm = ref.permutation(len(y))
    for s in range(0, len(y), 32):
        i = perm[s:s + 32]
        w = w - 0.05 * 2 / len(i) * X[i].T @ (X[i] @ w - y[i])
    got = call('sgd_epoch', sgd_epoch, np.zeros(X.shape[1]), X, y, 0.05, 32, np.random.default_rng(0))
    allclose('sgd_epoch(zeros, X, y, lr=0.05, B=32, seed 0) on the diabetes data', got, w)

