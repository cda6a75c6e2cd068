from otter.test_files import test_case

OK_FORMAT = False

name = "q7"
points = 2

@test_case(points=None, hidden=False)
def test_escape_direction_examples(escape_direction):
    import numpy as np
    from course_lib.checks import allclose, call, equal
    allclose('escape_direction(diag(2, -2))', call('escape_direction', escape_direction, np.diag([2.0, -2.0])), [0.0, 1.0])
    equal('escape_direction(diag(1, 2))', call('escape_direction', escape_direction, np.diag([1.0, 2.0])), 'none')

