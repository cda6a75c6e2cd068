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

