from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 2

@test_case(points=None, hidden=False)
def test_basin_counts(basin_counts):
    import numpy as np
    from course_lib import objectives, optim, run_many
    from course_lib.checks import allclose
    f = objectives.himmelblau()
    X, Y = np.meshgrid(np.linspace(-5, 5, 21), np.linspace(-5, 5, 21))
    ends = np.array([t.x for t in run_many(optim.gd(lr=0.01), f, np.stack([X.ravel(), Y.ravel()], axis=-1), steps=2000)])
    nearest = np.argmin(np.linalg.norm(ends[:, None, :] - np.array(f.minima)[None], axis=-1), axis=1)
    allclose('basin_counts', basin_counts, np.bincount(nearest, minlength=4), hint='the counts add up to 441')

