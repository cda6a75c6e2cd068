from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 2

@test_case(points=None, hidden=False)
def test_adagrad_step_size_examples(adagrad_step_size):
    from course_lib.checks import call, close
    close('adagrad_step_size(0.1, 1)', call('adagrad_step_size', adagrad_step_size, 0.1, 1), 0.1)
    close('adagrad_step_size(0.1, 100)', call('adagrad_step_size', adagrad_step_size, 0.1, 100), 0.01)

