from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 3

@test_case(points=None, hidden=False)
def test_threshold_send_example(threshold_send):
    import numpy as np
    from course_lib.checks import allclose, call, fail
    r, g = (np.array([0.3, 0.0, -0.2, 0.0]), np.array([0.3, 0.1, -0.5, 2.0]))
    out = call('threshold_send', threshold_send, r, g, 0.5)
    if not (isinstance(out, tuple) and len(out) == 2):
        fail(f'threshold_send should return a tuple (sent, new_residual), got {out!r}')
    allclose('sent of threshold_send(r=[0.3, 0, -0.2, 0], g=[0.3, 0.1, -0.5, 2], tau=0.5)', out[0], [0.6, 0.0, -0.7, 2.0])
    allclose('new_residual of the same call', out[1], [0.0, 0.1, 0.0, 0.0])

