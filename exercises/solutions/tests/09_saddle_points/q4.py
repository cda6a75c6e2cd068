from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 2

@test_case(points=None, hidden=False)
def test_basin_examples(basin):
    from course_lib.checks import call, equal
    equal('basin([3.5, 2.5])', call('basin', basin, [3.5, 2.5]), 0)
    equal('basin([-3.0, 3.0])', call('basin', basin, [-3.0, 3.0]), 1)

@test_case(points=None, hidden=True)
def test_basin_random_starts(basin):
    import numpy as np
    from course_lib import objectives, optim, run_many
    from course_lib.checks import call, equal
    f = objectives.himmelblau()
    starts = np.random.default_rng(9).uniform(-4.5, 4.5, size=(6, 2))
    for x0, t in zip(starts, run_many(optim.gd(lr=0.01), f, starts, steps=2000)):
        expected = int(np.argmin([np.linalg.norm(t.x - m) for m in f.minima]))
        equal(f'basin({np.round(x0, 3).tolist()})', call('basin', basin, x0), expected)

