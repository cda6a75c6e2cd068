from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 2

@test_case(points=None, hidden=False)
def test_momentum_optimal_example(momentum_optimal):
    from course_lib.checks import call, close, fail
    out = call('momentum_optimal', momentum_optimal, 1.0, 100.0)
    if not (isinstance(out, tuple) and len(out) == 3):
        fail(f'momentum_optimal should return a tuple (lr, beta, rate), got {out!r}')
    close('lr of momentum_optimal(1, 100)', out[0], (2 / 11) ** 2)
    close('beta of momentum_optimal(1, 100)', out[1], (9 / 11) ** 2)
    close('rate of momentum_optimal(1, 100)', out[2], 9 / 11)

