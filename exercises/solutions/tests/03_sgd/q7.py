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

@test_case(points=None, hidden=True)
def test_sgd_epoch_random(sgd_epoch):
    import numpy as np
    from course_lib.checks import allclose, call
    rng = np.random.default_rng(21)
    X, y, w0 = (rng.normal(size=(50, 3)), rng.normal(size=50), rng.normal(size=3))
    ref, w = (np.random.default_rng(7), w0.copy())
    perm = ref.permutation(50)
    for s in range(0, 50, 7):
        i = perm[s:s + 7]
        w = w - 0.1 * 2 / len(i) * X[i].T @ (X[i] @ w - y[i])
    allclose('sgd_epoch on random data, B=7 (uneven last batch)', call('sgd_epoch', sgd_epoch, w0, X, y, 0.1, 7, np.random.default_rng(7)), w)

