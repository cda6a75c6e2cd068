from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 2

@test_case(points=None, hidden=False)
def test_adagrad_step_size_examples(adagrad_step_size):
    from course_lib.checks import call, close
    close('adagrad_step_size(0.1, 1)', call('adagrad_step_size', adagrad_step_size, 0.1, 1), 0.1)
    close('adagrad_step_size(0.1, 100)', call('adagrad_step_size', adagrad_step_size, 0.1, 100), 0.01)

@test_case(points=None, hidden=True)
def test_adagrad_step_size_simulated(adagrad_step_size):
    import numpy as np
    from course_lib import optim
    from course_lib.checks import call, close
    for lr, g in [(0.5, 3.0), (0.01, -0.2)]:
        opt = optim.adagrad(lr=lr)
        x, state, steps = (np.zeros(1), opt.init(np.zeros(1)), [])
        for _ in range(30):
            new, state = opt.update(x, np.array([g]), state)
            steps.append(abs(float(new[0] - x[0])))
            x = new
        for t in (1, 9, 30):
            close(f'adagrad_step_size({lr}, {t}, g={g})', call('adagrad_step_size', adagrad_step_size, lr, t, g=g), steps[t - 1], rtol=1e-06)

