from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 2

@test_case(points=None, hidden=False)
def test_best_lr(best_lr, n_diverged):
    import numpy as np
    from course_lib import objectives, optim, run
    from course_lib.checks import close, equal
    lrs, f = (np.logspace(-5, -2, 7), objectives.rosenbrock())
    losses = []
    for lr in lrs:
        t = run(optim.gd(lr=lr), f, [-1.5, 2.0], steps=500)
        losses.append(t.fun if t.success else np.inf)
    close('best_lr', best_lr, lrs[int(np.argmin(losses))])
    equal('n_diverged', n_diverged, int(np.sum(np.isinf(losses))))

