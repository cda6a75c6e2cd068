from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 2

@test_case(points=None, hidden=False)
def test_steps_to_reach_examples(steps_to_reach):
    import numpy as np
    from course_lib.checks import call, equal
    fs = np.array([5.0, 3.0, 1.0, 0.5, 0.2])
    equal('steps_to_reach([5, 3, 1, 0.5, 0.2], 0.6)', call('steps_to_reach', steps_to_reach, fs, 0.6), 3)
    equal('steps_to_reach([5, 3, 1, 0.5, 0.2], 0.1)', call('steps_to_reach', steps_to_reach, fs, 0.1), -1)

