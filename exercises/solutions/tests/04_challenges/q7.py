from otter.test_files import test_case

OK_FORMAT = False

name = "q7"
points = 2

@test_case(points=None, hidden=False)
def test_condition_number_diagonal(condition_number):
    import numpy as np
    from course_lib.checks import call, close
    close('condition_number(diag(0.2, 4))', call('condition_number', condition_number, np.diag([0.2, 4.0])), 20.0)

@test_case(points=None, hidden=True)
def test_condition_number_rotated(condition_number):
    import numpy as np
    from course_lib import objectives
    from course_lib.checks import call, close
    H = objectives.narrow_valley().hess(np.zeros(2))
    close('condition_number of the narrow valley (eigenvalues 0.05 and 5)', call('condition_number', condition_number, H), 100.0)
    rng = np.random.default_rng(5)
    A = rng.normal(size=(4, 4))
    H = A @ A.T + 0.1 * np.eye(4)
    eig = np.linalg.eigvalsh(H)
    close('condition_number of a random 4x4 H', call('condition_number', condition_number, H), eig[-1] / eig[0])

