from otter.test_files import test_case

OK_FORMAT = False

name = "q7"
points = 2

@test_case(points=None, hidden=False)
def test_condition_number_diagonal(condition_number):
    import numpy as np
    from course_lib.checks import call, close
    close('condition_number(diag(0.2, 4))', call('condition_number', condition_number, np.diag([0.2, 4.0])), 20.0)

