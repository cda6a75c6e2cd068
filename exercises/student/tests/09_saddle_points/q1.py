from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 1

@test_case(points=None, hidden=False)
def test_stuck_at_saddle(final_point, moved):
    import numpy as np
    from course_lib.checks import allclose, equal
    allclose('final_point', final_point, np.zeros(2), hint='the gradient at the saddle is exactly zero')
    equal('moved', moved, False)

