from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 2

@test_case(points=None, hidden=False)
def test_topk_example(topk_send):
    import numpy as np
    from course_lib.checks import allclose, call
    r, g = (np.array([0.3, 0.0, -0.2, 0.0]), np.array([0.3, 0.1, -0.5, 2.0]))
    sent, res = call('topk_send', topk_send, r, g, 2)
    allclose('sent of topk_send(r=[0.3, 0, -0.2, 0], g=[0.3, 0.1, -0.5, 2], k=2)', sent, [0, 0, -0.7, 2.0])
    allclose('new_residual of the same call', res, [0.6, 0.1, 0, 0])

@test_case(points=None, hidden=True)
def test_topk_vs_course_lib(topk_send):
    import numpy as np
    from course_lib import distributed
    from course_lib.checks import allclose, call
    rng = np.random.default_rng(23)
    r, g = (rng.normal(size=40), rng.normal(size=40))
    sent, res = call('topk_send', topk_send, r, g, 10)
    exp_sent, exp_res = distributed.compress(distributed.top_k(0.25), r, g)
    allclose('sent for random 40-entry arrays, k=10', sent, exp_sent)
    allclose('new_residual for random 40-entry arrays, k=10', res, exp_res)

