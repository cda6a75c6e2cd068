from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 2

@test_case(points=None, hidden=False)
def test_contraction_examples(contraction_factor):
    from course_lib.checks import call, close
    close('contraction_factor(0.05)', call('contraction_factor', contraction_factor, 0.05), 0.9)
    close('contraction_factor(0.9)', call('contraction_factor', contraction_factor, 0.9), -0.8)

