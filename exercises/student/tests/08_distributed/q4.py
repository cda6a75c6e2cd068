from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 2

@test_case(points=None, hidden=False)
def test_strom_send_example(strom_send):
    import numpy as np
    from course_lib.checks import allclose, call
    r, g = (np.array([0.3, 0.0, -0.2, 0.0]), np.array([0.3, 0.1, -0.5, 2.0]))
    sent, res = call('strom_send', strom_send, r, g, 0.5)
    allclose('sent of strom_send(r=[0.3, 0, -0.2, 0], g=[0.3, 0.1, -0.5, 2], tau=0.5)', sent, [0.5, 0, -0.5, 0.5])
    allclose('new_residual of the same call', res, [0.1, 0.1, -0.2, 1.5])

