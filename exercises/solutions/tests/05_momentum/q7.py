from otter.test_files import test_case

OK_FORMAT = False

name = "q7"
points = 2

@test_case(points=None, hidden=False)
def test_critical_beta_example(critical_beta):
    from course_lib.checks import call, close
    close('critical_beta(0.04, 1)', call('critical_beta', critical_beta, 0.04, 1.0), 0.64)

@test_case(points=None, hidden=True)
def test_critical_beta_double_eigenvalue(critical_beta):
    import numpy as np
    from course_lib import rates
    from course_lib.checks import call, close
    for lr, lam in [(0.01, 25.0), (0.2, 0.5), (0.001, 100.0)]:
        beta = call('critical_beta', critical_beta, lr, lam)
        close(f'critical_beta({lr}, {lam})', beta, rates.critical_momentum(lr, lam))
        eig = np.linalg.eigvals(rates.momentum_matrix(lr, float(beta), lam))
        close(f'gap between the two eigenvalues at critical_beta({lr}, {lam})', abs(eig[0] - eig[1]), 0.0, atol=1e-06)

