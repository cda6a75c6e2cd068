from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 2

@test_case(points=None, hidden=False)
def test_regime_x_squared(regime):
    from course_lib.checks import call, equal
    for lr, expected in [(0.05, 'monotone'), (0.2, 'monotone'), (0.9, 'oscillating'), (1.1, 'divergent')]:
        equal(f'regime({lr})', call('regime', regime, lr), expected)

