from otter.test_files import test_case

OK_FORMAT = False

name = "q8"
points = 3

@test_case(points=None, hidden=False)
def test_digits_accuracy(digits_params):
    import numpy as np
    from course_lib import data
    from course_lib.checks import answered, array, fail
    answered('digits_params', digits_params)
    if not isinstance(digits_params, dict) or not {'W', 'b'} <= set(digits_params):
        fail(f"digits_params should be a dict with the keys 'W' and 'b', got {type(digits_params).__name__}")
    W, b = (array("digits_params['W']", digits_params['W'], (64, 10)), array("digits_params['b']", digits_params['b'], (10,)))
    split = data.digits()
    accuracy = float(np.mean(np.argmax(split.X_test @ W + b, axis=1) == split.y_test))
    if accuracy < 0.9:
        fail(f'test accuracy: expected at least 0.9, got {accuracy:.3f}')

