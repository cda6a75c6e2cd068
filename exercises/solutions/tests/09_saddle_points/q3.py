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

@test_case(points=None, hidden=True)
def test_perturbed_gd_himmelblau_maximum(perturbed_gd):
    import numpy as np
    from course_lib import objectives, optim, run
    from course_lib.checks import allclose, call
    from course_lib.perturb import perturbed
    f = objectives.himmelblau()
    x0 = np.array([-0.270844590667348, -0.923038556479981])
    expected = run(perturbed(optim.gd(0.01), 0.1, 0.001, 5, 3), f, x0, steps=150).xs
    got = call('perturbed_gd', perturbed_gd, f.grad, x0, lr=0.01, steps=150, radius=0.1, threshold=0.001, wait=5, seed=3)
    allclose("perturbed_gd from Himmelblau's local maximum (lr=0.01, radius=0.1, wait=5, seed=3)", got, expected, rtol=1e-09, atol=1e-12)

