from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 2

@test_case(points=None, hidden=False)
def test_slope(slope_at_1):
    from course_lib.checks import close
    close('slope_at_1', slope_at_1, 2.0, hint="f'(x) = 2x, evaluated at x = 1")

@test_case(points=None, hidden=False)
def test_direction(gd_moves):
    from course_lib.checks import equal
    equal('gd_moves', gd_moves, 'left', hint='the slope at x = 1 is positive, so x must decrease')

