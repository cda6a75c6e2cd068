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

