from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 2

@test_case(points=None, hidden=False)
def test_curvatures(curv_e1, curv_e2):
    from course_lib.checks import close
    close('curv_e1', curv_e1, 2.0, hint='e1 @ H @ e1 with H = diag(2, -2)')
    close('curv_e2', curv_e2, -2.0, hint='e2 @ H @ e2 with H = diag(2, -2)')

@test_case(points=None, hidden=False)
def test_way_down(way_down):
    from course_lib.checks import equal
    equal('way_down', way_down, 'y', hint='the way down is along the direction of negative curvature')

