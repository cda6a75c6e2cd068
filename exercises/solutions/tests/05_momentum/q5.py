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

@test_case(points=None, hidden=True)
def test_momentum_optimal_more(momentum_optimal):
    from course_lib import rates
    from course_lib.checks import call, close
    for lo, hi in [(0.5, 8.0), (0.05, 5.0), (2.0, 2.5)]:
        got = call('momentum_optimal', momentum_optimal, lo, hi)
        for name, g, e in zip(('lr', 'beta', 'rate'), got, rates.momentum_optimal(lo, hi)):
            close(f'{name} of momentum_optimal({lo}, {hi})', g, e, atol=1e-12)

