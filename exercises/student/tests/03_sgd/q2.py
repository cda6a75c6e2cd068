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

