from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 2

@test_case(points=None, hidden=False)
def test_steps_to_reach_examples(steps_to_reach):
    import numpy as np
    from course_lib.checks import call, equal
    fs = np.array([5.0, 3.0, 1.0, 0.5, 0.2])
    equal('steps_to_reach([5, 3, 1, 0.5, 0.2], 0.6)', call('steps_to_reach', steps_to_reach, fs, 0.6), 3)
    equal('steps_to_reach([5, 3, 1, 0.5, 0.2], 0.1)', call('steps_to_reach', steps_to_reach, fs, 0.1), -1)

@test_case(points=None, hidden=True)
def test_steps_to_reach_runs(steps_to_reach):
    import numpy as np
    from course_lib import objectives, optim, run
    from course_lib.checks import call, equal
    for opt in (optim.adam(lr=0.05), optim.momentum(lr=0.001, momentum=0.9)):
        fs = run(opt, objectives.beale(), [1.0, 1.5], steps=500).fs
        for target in (1.0, 0.01, 1e-12, 100.0):
            below = np.flatnonzero(fs < target)
            equal(f'steps_to_reach for {opt.label()} on Beale, target {target}', call('steps_to_reach', steps_to_reach, fs, target), int(below[0]) if below.size else -1)

