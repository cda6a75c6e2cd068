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

@test_case(points=None, hidden=True)
def test_sparse_bytes_vs_course_lib(sparse_bytes):
    import numpy as np
    from course_lib import distributed
    from course_lib.checks import call, equal
    rng = np.random.default_rng(19)
    for density in (0.0, 0.1, 0.45, 0.6):
        sent = np.where(rng.uniform(size=(10, 10)) < density, rng.normal(size=(10, 10)), 0.0)
        equal(f'sparse_bytes of a 10x10 message with {np.count_nonzero(sent)} non-zeros', call('sparse_bytes', sparse_bytes, sent), distributed.message_bytes(distributed.threshold(0.1), sent))

