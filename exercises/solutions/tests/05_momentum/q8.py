from otter.test_files import test_case

OK_FORMAT = False

name = "q8"
points = 3

@test_case(points=None, hidden=False)
def test_momentum_converges_examples(momentum_converges):
    from course_lib.checks import call, equal
    for lr, beta, lam, expected in [(0.1, 0.9, 10.0, True), (0.3, 0.0, 10.0, False), (0.3, 0.9, 10.0, True), (0.4, 0.9, 10.0, False), (0.1, 1.0, 1.0, False)]:
        equal(f'momentum_converges({lr}, {beta}, {lam})', call('momentum_converges', momentum_converges, lr, beta, lam), expected)

@test_case(points=None, hidden=True)
def test_momentum_converges_vs_spectral_radius(momentum_converges):
    import numpy as np
    from course_lib import rates
    from course_lib.checks import call, equal
    for lr in (0.05, 0.15, 0.25, 0.35, 0.45):
        for beta in (0.0, 0.3, 0.6, 0.95):
            radius = rates.momentum_rate(lr, beta, [10.0])
            if abs(radius - 1) < 1e-06:
                continue
            equal(f'momentum_converges({lr}, {beta}, 10) (spectral radius {radius:.3f})', call('momentum_converges', momentum_converges, lr, beta, 10.0), bool(radius < 1))

