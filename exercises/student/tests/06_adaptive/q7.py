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

