from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 1

@test_case(points=None, hidden=False)
def test_average_example(average_messages):
    import numpy as np
    from course_lib.checks import allclose, call
    msgs = [np.array([1.0, 0.0]), np.array([3.0, 2.0]), np.array([2.0, -2.0])]
    allclose('average_messages([[1, 0], [3, 2], [2, -2]])', call('average_messages', average_messages, msgs), [2.0, 0.0])

@test_case(points=None, hidden=True)
def test_average_random(average_messages):
    import numpy as np
    from course_lib.checks import allclose, call
    msgs = list(np.random.default_rng(2).normal(size=(5, 3, 4)))
    allclose('average_messages of five random 3x4 arrays', call('average_messages', average_messages, msgs), np.mean(msgs, axis=0))

