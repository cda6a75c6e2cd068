from otter.test_files import test_case

OK_FORMAT = False

name = "q8"
points = 3

@test_case(points=None, hidden=False)
def test_momentum_converges_examples(momentum_converges):
    from course_lib.checks import call, equal
    for lr, beta, lam, expected in [(0.1, 0.9, 10.0, True), (0.3, 0.0, 10.0, False), (0.3, 0.9, 10.0, True), (0.4, 0.9, 10.0, False), (0.1, 1.0, 1.0, False)]:
        equal(f'momentum_converges({lr}, {beta}, {lam})', call('momentum_converges', momentum_converges, lr, beta, lam), expected)

