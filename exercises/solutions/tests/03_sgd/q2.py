from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 2

@test_case(points=None, hidden=False)
def test_grads_example(full_grad, minibatch_grad):
    import numpy as np
    from course_lib.checks import allclose, call
    X, y, w = (np.array([[1.0, 0.0], [1.0, 2.0], [0.0, 1.0]]), np.array([1.0, 0.0, 2.0]), np.array([1.0, -1.0]))
    allclose('full_grad on a 3x2 example', call('full_grad', full_grad, w, X, y), [-2 / 3, -10 / 3])
    allclose('minibatch_grad(..., idx=[1])', call('minibatch_grad', minibatch_grad, w, X, y, [1]), [-2.0, -4.0])

@test_case(points=None, hidden=True)
def test_grads_finite_differences(full_grad, minibatch_grad):
    import numpy as np
    from course_lib.checks import allclose, call
    rng = np.random.default_rng(8)
    X, y, w = (rng.normal(size=(40, 5)), rng.normal(size=40), rng.normal(size=5))
    loss = lambda w, rows: np.mean((X[rows] @ w - y[rows]) ** 2)
    rows = np.array([3, 3, 17, 25, 0])
    for name, f, args, r in (('full_grad', full_grad, (w, X, y), np.arange(40)), ('minibatch_grad', minibatch_grad, (w, X, y, rows), rows)):
        numeric = np.array([(loss(w + 1e-06 * e, r) - loss(w - 1e-06 * e, r)) / 2e-06 for e in np.eye(5)])
        allclose(f'{name} on random data (vs finite differences)', call(name, f, *args), numeric, rtol=1e-05, atol=1e-07)

