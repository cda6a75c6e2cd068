from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 2

@test_case(points=None, hidden=False)
def test_gd_optimal_example(gd_optimal):
    from course_lib.checks import call, close, fail
    out = call('gd_optimal', gd_optimal, 1.0, 10.0)
    if not (isinstance(out, tuple) and len(out) == 2):
        fail(f'gd_optimal should return a tuple (lr, rate), got {out!r}')
    close('lr of gd_optimal(1, 10)', out[0], 2 / 11)
    close('rate of gd_optimal(1, 10)', out[1], 9 / 11)

