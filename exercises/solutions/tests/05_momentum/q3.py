from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 2

@test_case(points=None, hidden=False)
def test_conventions_examples(sutskever_to_torch, damped_equivalent_lr):
    from course_lib.checks import call, close
    close('sutskever_to_torch(-0.2, lr=0.1)', call('sutskever_to_torch', sutskever_to_torch, -0.2, lr=0.1), 2.0)
    close('damped_equivalent_lr(0.1, beta=0.9)', call('damped_equivalent_lr', damped_equivalent_lr, 0.1, beta=0.9), 0.01)

@test_case(points=None, hidden=True)
def test_damped_equivalence_by_simulation(sutskever_to_torch, damped_equivalent_lr):
    import numpy as np
    from course_lib import objectives, optim, run
    from course_lib.checks import allclose, call, close
    close('sutskever_to_torch(0.3, lr=0.05)', call('sutskever_to_torch', sutskever_to_torch, 0.3, lr=0.05), -6.0)
    f, lr, beta = (objectives.quadratic(1, 10), 0.5, 0.8)
    x, b, xs = (np.array([1.0, 1.0]), np.zeros(2), [np.array([1.0, 1.0])])
    for _ in range(25):
        b = beta * b + (1 - beta) * f.grad(x)
        x = x - lr * b
        xs.append(x)
    lr_torch = call('damped_equivalent_lr', damped_equivalent_lr, lr, beta=beta)
    got = run(optim.momentum(lr=float(lr_torch), momentum=beta), f, [1.0, 1.0], steps=25).xs
    allclose('torch momentum with damped_equivalent_lr(0.5, 0.8) vs the damped form', got, np.array(xs))

