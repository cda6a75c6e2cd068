from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 2

@test_case(points=None, hidden=False)
def test_logsumexp_examples(logsumexp):
    import numpy as np
    from course_lib.checks import call, close
    close('logsumexp([1, 2, 3])', call('logsumexp', logsumexp, np.array([1.0, 2.0, 3.0])), float(np.log(np.exp(1) + np.exp(2) + np.exp(3))))
    close('logsumexp([1000, 1000])', call('logsumexp', logsumexp, np.array([1000.0, 1000.0])), 1000 + np.log(2))

