from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 2

@test_case(points=None, hidden=False)
def test_contraction_examples(contraction_factor):
    from course_lib.checks import call, close
    close('contraction_factor(0.05)', call('contraction_factor', contraction_factor, 0.05), 0.9)
    close('contraction_factor(0.9)', call('contraction_factor', contraction_factor, 0.9), -0.8)

@test_case(points=None, hidden=True)
def test_contraction_other_a(contraction_factor):
    from course_lib import objectives, optim, run
    from course_lib.checks import call, close
    for a, lr in [(3.0, 0.1), (0.5, 1.5), (10.0, 0.01)]:
        x1 = run(optim.gd(lr=lr), objectives.parabola(a), [1.0], steps=1).x[0]
        close(f'contraction_factor({lr}, a={a})', call('contraction_factor', contraction_factor, lr, a=a), x1)

