from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 3

@test_case(points=None, hidden=False)
def test_classify_diagonal(classify):
    import numpy as np
    from course_lib.checks import call, equal
    cases = [([2, -2], 'saddle'), ([1, 3], 'minimum'), ([-1, -2], 'maximum'), ([0, 0], 'degenerate'), ([1, 0], 'degenerate')]
    for eig, expected in cases:
        equal(f'classify(diag({eig[0]}, {eig[1]}))', call('classify', classify, np.diag(np.array(eig, float))), expected)

@test_case(points=None, hidden=True)
def test_classify_rotated(classify):
    import numpy as np
    from course_lib.checks import call, equal
    rng = np.random.default_rng(11)
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    cases = [([1, 0, -1], 'saddle'), ([0.5, 2, 3], 'minimum'), ([-4, -0.001, -2], 'maximum'), ([0, 1, 2], 'degenerate'), ([-1, -2, 0], 'degenerate'), ([1e-12, 5, 1], 'degenerate')]
    for eig, expected in cases:
        H = Q @ np.diag(eig) @ Q.T
        H = (H + H.T) / 2
        equal(f'classify(H) for a rotated 3x3 H with eigenvalues {eig}', call('classify', classify, H), expected)

