from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 2

@test_case(points=None, hidden=False)
def test_moments_examples(moments_constant_grad):
    from course_lib.checks import call, close, fail
    out = call('moments_constant_grad', moments_constant_grad, 2.0, 0.9, 1)
    if not (isinstance(out, tuple) and len(out) == 2):
        fail(f'moments_constant_grad should return a tuple (m_t, m_hat_t), got {out!r}')
    close('m_t of moments_constant_grad(2, 0.9, 1)', out[0], 0.2)
    close('m_hat_t of moments_constant_grad(2, 0.9, 1)', out[1], 2.0)

@test_case(points=None, hidden=True)
def test_moments_vs_adam_state(moments_constant_grad):
    import numpy as np
    from course_lib import optim
    from course_lib.checks import call, close
    for g, beta1, t in [(-0.5, 0.9, 5), (3.0, 0.5, 3), (1.0, 0.99, 20)]:
        opt = optim.adam(lr=0.1, beta1=beta1)
        x, state = (np.zeros(1), opt.init(np.zeros(1)))
        for _ in range(t):
            x, state = opt.update(x, np.array([g]), state)
        m, m_hat = call('moments_constant_grad', moments_constant_grad, g, beta1, t)
        close(f'm_t of moments_constant_grad({g}, {beta1}, {t})', m, state.m[0])
        close(f'm_hat_t of moments_constant_grad({g}, {beta1}, {t})', m_hat, g)

