from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 3

@test_case(points=None, hidden=False)
def test_cross_entropy_examples(cross_entropy):
    import numpy as np
    from course_lib.checks import call, close
    z, y = (np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]]), np.array([0, 2]))
    expected = (np.log(np.exp(2) + 2) - 2 + np.log(3)) / 2
    close('cross_entropy([[2, 0, 0], [0, 0, 0]], [0, 2])', call('cross_entropy', cross_entropy, z, y), expected)
    close('cross_entropy([[1000, 0]], [1]) (huge logits)', call('cross_entropy', cross_entropy, np.array([[1000.0, 0.0]]), np.array([1])), 1000.0)

@test_case(points=None, hidden=True)
def test_cross_entropy_random(cross_entropy):
    import numpy as np
    from course_lib import losses
    from course_lib.checks import call, close
    rng = np.random.default_rng(5)
    z, y = (50 * rng.normal(size=(25, 4)), rng.integers(0, 4, size=25))
    close('cross_entropy on random (25, 4) logits', call('cross_entropy', cross_entropy, z, y), losses.cross_entropy(z, y).value)

