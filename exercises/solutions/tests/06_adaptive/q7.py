from otter.test_files import test_case

OK_FORMAT = False

name = "q7"
points = 2

@test_case(points=None, hidden=False)
def test_l2_vs_decoupled_example(l2_vs_decoupled):
    from course_lib.checks import call, close, fail
    out = call('l2_vs_decoupled', l2_vs_decoupled, 0.1)
    if not (isinstance(out, tuple) and len(out) == 2):
        fail(f'l2_vs_decoupled should return a tuple (x_adam, x_adamw), got {out!r}')
    close('x_adam of l2_vs_decoupled(0.1)', out[0], 1 - 0.01 * 0.1 / (0.1 + 1e-08), rtol=1e-09)
    close('x_adamw of l2_vs_decoupled(0.1)', out[1], 0.999, rtol=1e-09)

@test_case(points=None, hidden=True)
def test_l2_vs_decoupled_other_decay(l2_vs_decoupled):
    import numpy as np
    from course_lib import optim
    from course_lib.checks import call, close
    for wd in (0.01, 0.5):
        x, g = (np.array([1.0]), np.array([0.0]))
        adam, adamw = (optim.adam(lr=0.01, weight_decay=wd), optim.adamw(lr=0.01, weight_decay=wd))
        got = call('l2_vs_decoupled', l2_vs_decoupled, wd)
        close(f'x_adam of l2_vs_decoupled({wd})', got[0], adam.update(x, g, adam.init(x))[0][0], rtol=1e-09)
        close(f'x_adamw of l2_vs_decoupled({wd})', got[1], adamw.update(x, g, adamw.init(x))[0][0], rtol=1e-09)

