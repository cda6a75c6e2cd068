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

@test_case(points=None, hidden=True)
def test_gd_optimal_more(gd_optimal):
    from course_lib import rates
    from course_lib.checks import call, close
    for lo, hi in [(0.2, 4.0), (0.05, 5.0), (3.0, 3.0)]:
        lr, rate = call('gd_optimal', gd_optimal, lo, hi)
        exp_lr, exp_rate = rates.gd_optimal(lo, hi)
        close(f'lr of gd_optimal({lo}, {hi})', lr, exp_lr)
        close(f'rate of gd_optimal({lo}, {hi})', rate, exp_rate, atol=1e-12)

