from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 2

@test_case(points=None, hidden=False)
def test_sparse_bytes_examples(sparse_bytes):
    import numpy as np
    from course_lib.checks import call, equal
    equal('sparse_bytes([0, 0.5, 0, 0, -1, 0])', call('sparse_bytes', sparse_bytes, np.array([0, 0.5, 0, 0, -1, 0])), 16)
    equal('sparse_bytes([1, 2, 3])', call('sparse_bytes', sparse_bytes, np.array([1.0, 2.0, 3.0])), 12)

