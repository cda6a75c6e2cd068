from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 2

@test_case(points=None, hidden=False)
def test_escape_steps_example(escape_steps):
    from course_lib.checks import call, equal
    equal('escape_steps(1e-8, 0.1)', call('escape_steps', escape_steps, 1e-08, 0.1), 102)

