from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 3

@test_case(points=None, hidden=False)
def test_measured_rates(measured_momentum, measured_gd, speedup):
    import numpy as np
    from course_lib import objectives, optim, rates, run
    from course_lib.checks import close
    f = objectives.quadratic(1, 100)
    lr, beta, _ = rates.momentum_optimal(1, 100)
    m = rates.measured_rate(run(optim.momentum(lr, momentum=beta), f, [1.0, 1.0], steps=300))
    g = rates.measured_rate(run(optim.gd(rates.gd_optimal(1, 100)[0]), f, [1.0, 1.0], steps=300))
    close('measured_momentum', measured_momentum, m, rtol=1e-06, hint='predicted 9/11 = 0.818')
    close('measured_gd', measured_gd, g, rtol=1e-06, hint='predicted 99/101 = 0.980')
    close('speedup', speedup, np.log(m) / np.log(g), rtol=1e-06)

