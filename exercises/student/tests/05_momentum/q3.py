from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 2

@test_case(points=None, hidden=False)
def test_conventions_examples(sutskever_to_torch, damped_equivalent_lr):
    from course_lib.checks import call, close
    close('sutskever_to_torch(-0.2, lr=0.1)', call('sutskever_to_torch', sutskever_to_torch, -0.2, lr=0.1), 2.0)
    close('damped_equivalent_lr(0.1, beta=0.9)', call('damped_equivalent_lr', damped_equivalent_lr, 0.1, beta=0.9), 0.01)

