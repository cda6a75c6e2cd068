from otter.test_files import test_case

OK_FORMAT = False

name = "q7"
points = 2

@test_case(points=None, hidden=False)
def test_mse_line_grad_example(mse_line_grad):
    import numpy as np
    from course_lib.checks import call, close, fail
    x, y = (np.array([0.0, 1.0, 2.0]), np.array([1.0, 2.0, 2.0]))
    out = call('mse_line_grad', mse_line_grad, 1.0, 0.0, x, y)
    if not (isinstance(out, tuple) and len(out) == 2):
        fail(f'mse_line_grad should return a tuple (dL_dw, dL_db), got {out!r}')
    close('dL_dw of mse_line_grad(1, 0, [0, 1, 2], [1, 2, 2])', out[0], -2 / 3)
    close('dL_db of the same call', out[1], -4 / 3)

@test_case(points=None, hidden=True)
def test_mse_line_grad_finite_differences(mse_line_grad):
    import numpy as np
    from course_lib.checks import call, close
    rng = np.random.default_rng(6)
    x, y = (rng.normal(size=30), rng.normal(size=30))
    loss = lambda w, b: np.mean((w * x + b - y) ** 2)
    w, b, h = (0.7, -0.3, 1e-06)
    gw, gb = call('mse_line_grad', mse_line_grad, w, b, x, y)
    close('dL_dw on random data', gw, (loss(w + h, b) - loss(w - h, b)) / (2 * h), rtol=1e-05)
    close('dL_db on random data', gb, (loss(w, b + h) - loss(w, b - h)) / (2 * h), rtol=1e-05)

