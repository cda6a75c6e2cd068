from otter.test_files import test_case

OK_FORMAT = False

name = "q7"
points = 2

@test_case(points=None, hidden=False)
def test_critical_beta_example(critical_beta):
    from course_lib.checks import call, close
    close('critical_beta(0.04, 1)', call('critical_beta', critical_beta, 0.04, 1.0), 0.64)

