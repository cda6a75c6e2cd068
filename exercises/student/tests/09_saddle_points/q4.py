from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 2

@test_case(points=None, hidden=False)
def test_basin_examples(basin):
    from course_lib.checks import call, equal
    equal('basin([3.5, 2.5])', call('basin', basin, [3.5, 2.5]), 0)
    equal('basin([-3.0, 3.0])', call('basin', basin, [-3.0, 3.0]), 1)

