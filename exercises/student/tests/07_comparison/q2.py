from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 2

@test_case(points=None, hidden=False)
def test_beale_ranking(beale_ranking, contenders):
    from course_lib import objectives, run
    from course_lib.checks import equal, fail
    if contenders is None:
        fail('run the set-up cell at the top of the notebook first')
    f = objectives.beale()
    losses = {}
    for name, opt in contenders.items():
        t = run(opt, f, [1.0, 1.5], steps=1000)
        losses[name] = t.fun if t.success else float('inf')
    equal('beale_ranking', beale_ranking, sorted(losses, key=lambda k: (losses[k], k)))

