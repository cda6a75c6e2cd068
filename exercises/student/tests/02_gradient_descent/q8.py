from otter.test_files import test_case

OK_FORMAT = False

name = "q8"
points = 3

@test_case(points=None, hidden=False)
def test_steps_needed_examples(steps_needed):
    from course_lib.checks import call, equal
    equal('steps_needed(0.2, 0.4, 1.0, 1e-6)', call('steps_needed', steps_needed, 0.2, 0.4, 1.0, 1e-06), 166)
    equal('steps_needed(4, 0.4, 1.0, 1e-6)', call('steps_needed', steps_needed, 4.0, 0.4, 1.0, 1e-06), 28)

@test_case(points=None, hidden=False)
def test_slow_coordinate(slow_coordinate):
    from course_lib.checks import equal
    equal('slow_coordinate', slow_coordinate, 1, hint='compare |1 - 0.4*0.2| with |1 - 0.4*4|')

