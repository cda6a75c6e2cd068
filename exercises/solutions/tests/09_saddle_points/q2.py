from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 2

@test_case(points=None, hidden=False)
def test_escape_steps_example(escape_steps):
    from course_lib.checks import call, equal
    equal('escape_steps(1e-8, 0.1)', call('escape_steps', escape_steps, 1e-08, 0.1), 102)

@test_case(points=None, hidden=True)
def test_escape_steps_vs_run(escape_steps):
    import numpy as np
    from course_lib import objectives, optim, run
    from course_lib.checks import call, equal
    for y0, lr in [(0.001, 0.05), (-1e-12, 0.2), (0.5, 0.01)]:
        t = run(optim.gd(lr=lr), objectives.saddle(), [0.0, y0], steps=5000)
        k = int(np.argmax(np.abs(t.xs[:, 1]) > 1))
        equal(f'escape_steps({y0}, {lr})', call('escape_steps', escape_steps, y0, lr), k)

