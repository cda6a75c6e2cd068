from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 1

@test_case(points=None, hidden=False)
def test_final_loss(final_loss):
    from course_lib import objectives, optim, run
    from course_lib.checks import call, close, equal
    f = objectives.beale()
    close('final_loss(optim.adam(lr=0.01), beale, [1, 1.5], 1000)', call('final_loss', final_loss, optim.adam(lr=0.01), f, [1.0, 1.5], 1000), run(optim.adam(lr=0.01), f, [1.0, 1.5], steps=1000).fun)
    equal('final_loss(optim.gd(lr=1.1), parabola, [10], 500) (diverges)', call('final_loss', final_loss, optim.gd(lr=1.1), objectives.parabola(), [10.0], 500), float('inf'))

@test_case(points=None, hidden=True)
def test_final_loss_rosenbrock(final_loss):
    from course_lib import objectives, optim, run
    from course_lib.checks import call, close, equal
    f = objectives.rosenbrock()
    close('final_loss on Rosenbrock with Nesterov', call('final_loss', final_loss, optim.nesterov(lr=0.001), f, [-1.5, 2.0], 300), run(optim.nesterov(lr=0.001), f, [-1.5, 2.0], steps=300).fun)
    equal('final_loss for a diverging GD on Rosenbrock', call('final_loss', final_loss, optim.gd(lr=0.01), f, [-1.5, 2.0], 300), float('inf'))

