from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 3

@test_case(points=None, hidden=False)
def test_perturbed_gd_saddle(perturbed_gd):
    import numpy as np
    from course_lib import objectives, optim, run
    from course_lib.checks import allclose, call, fail
    from course_lib.perturb import perturbed
    f = objectives.saddle()
    expected = run(perturbed(optim.gd(0.1), 0.001, 0.001, 10, 0), f, [0.0, 0.0], steps=40).xs
    got = call('perturbed_gd', perturbed_gd, f.grad, np.zeros(2), lr=0.1, steps=40, radius=0.001, threshold=0.001, wait=10, seed=0)
    allclose('perturbed_gd on the saddle from (0, 0): lr=0.1, 40 steps, radius=threshold=1e-3, wait=10, seed=0', got, expected, rtol=1e-09, atol=1e-12)
    if not abs(float(np.asarray(got)[-1][1])) > 0.1:
        fail('perturbed gradient descent should have left the saddle along y')

