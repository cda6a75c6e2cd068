from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 2

@test_case(points=None, hidden=False)
def test_regime_x_squared(regime):
    from course_lib.checks import call, equal
    for lr, expected in [(0.05, 'monotone'), (0.2, 'monotone'), (0.9, 'oscillating'), (1.1, 'divergent')]:
        equal(f'regime({lr})', call('regime', regime, lr), expected)

@test_case(points=None, hidden=True)
def test_regime_other_a(regime):
    from course_lib.checks import call, equal
    for lr, expected in [(0.01, 'monotone'), (0.1, 'monotone'), (0.15, 'oscillating'), (0.2, 'divergent'), (0.3, 'divergent')]:
        equal(f'regime({lr}, a=5)', call('regime', regime, lr, a=5.0), expected)

