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

@test_case(points=None, hidden=True)
def test_logsumexp_extremes(logsumexp):
    import numpy as np
    from course_lib import losses
    from course_lib.checks import call, close
    for z in (np.array([-1000.0, -1001.0]), np.array([5000.0, -5000.0, 0.0]), np.random.default_rng(4).normal(size=30)):
        close(f'logsumexp({np.round(z[:3], 2).tolist()}...)', call('logsumexp', logsumexp, z), float(losses.logsumexp(z)))

