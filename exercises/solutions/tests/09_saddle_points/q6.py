from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 3

@test_case(points=None, hidden=False)
def test_noisy_saddle_std_example(noisy_saddle_std):
    import numpy as np
    from course_lib.checks import call, close
    a = 1.2
    close('noisy_saddle_std(0.1, 0.01, 30)', call('noisy_saddle_std', noisy_saddle_std, 0.1, 0.01, 30), 0.1 * 0.01 * np.sqrt((a ** 60 - 1) / (a ** 2 - 1)))

@test_case(points=None, hidden=True)
def test_noisy_saddle_std_vs_simulation(noisy_saddle_std):
    import numpy as np
    from course_lib import objectives, optim, run_many
    from course_lib.checks import call, close
    for lr, sigma, k in [(0.05, 0.1, 20), (0.2, 0.001, 10)]:
        a = 1 + 2 * lr
        close(f'noisy_saddle_std({lr}, {sigma}, {k})', call('noisy_saddle_std', noisy_saddle_std, lr, sigma, k), lr * sigma * np.sqrt((a ** (2 * k) - 1) / (a ** 2 - 1)))
    ts = run_many(optim.gd(lr=0.1), objectives.saddle(), np.zeros((4000, 2)), steps=15, grad_noise=0.01, seed=1)
    measured = float(np.std([t.xs[15, 1] for t in ts]))
    close('noisy_saddle_std(0.1, 0.01, 15) against 4000 simulated runs', call('noisy_saddle_std', noisy_saddle_std, 0.1, 0.01, 15), measured, rtol=0.06)

