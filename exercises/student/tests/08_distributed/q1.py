from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 1

@test_case(points=None, hidden=False)
def test_dense_bytes_example(dense_bytes_per_step):
    from course_lib.checks import call, equal
    equal('dense_bytes_per_step(1000, 4)', call('dense_bytes_per_step', dense_bytes_per_step, 1000, 4), 16000)

