from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 2

@test_case(points=None, hidden=False)
def test_seed_stats_example(seed_stats):
    import numpy as np
    from course_lib import objectives, optim, run
    from course_lib.checks import call, close, fail
    f = objectives.quadratic(1, 10)
    finals = [run(optim.sgd(lr=0.05), f, [1.0, 1.0], steps=100, grad_noise=0.5, seed=s).fun for s in range(5)]
    out = call('seed_stats', seed_stats, optim.sgd(lr=0.05), f, [1.0, 1.0], 100, 0.5, range(5))
    if not (isinstance(out, tuple) and len(out) == 2):
        fail(f'seed_stats should return a tuple (mean, std), got {out!r}')
    close('mean of seed_stats(sgd(0.05), quadratic(1, 10), ..., grad_noise=0.5, seeds 0-4)', out[0], np.mean(finals))
    close('std of the same call (ddof=1)', out[1], np.std(finals, ddof=1))

@test_case(points=None, hidden=True)
def test_seed_stats_adam(seed_stats):
    import numpy as np
    from course_lib import objectives, optim, run
    from course_lib.checks import call, close
    f = objectives.rosenbrock()
    finals = [run(optim.adam(lr=0.02), f, [-1.0, 1.0], steps=200, grad_noise=2.0, seed=s).fun for s in (3, 5, 8)]
    mean, std = call('seed_stats', seed_stats, optim.adam(lr=0.02), f, [-1.0, 1.0], 200, 2.0, [3, 5, 8])
    close('mean of seed_stats for Adam on Rosenbrock', mean, np.mean(finals))
    close('std of seed_stats for Adam on Rosenbrock', std, np.std(finals, ddof=1))

