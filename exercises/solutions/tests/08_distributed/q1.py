from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 1

@test_case(points=None, hidden=False)
def test_dense_bytes_example(dense_bytes_per_step):
    from course_lib.checks import call, equal
    equal('dense_bytes_per_step(1000, 4)', call('dense_bytes_per_step', dense_bytes_per_step, 1000, 4), 16000)

@test_case(points=None, hidden=True)
def test_dense_bytes_models(dense_bytes_per_step):
    from course_lib import models
    from course_lib.checks import call, equal
    for model, workers in ((models.softmax_regression(64, 10), 8), (models.mlp(64, 32, 10), 3)):
        equal(f'dense_bytes_per_step({model.n_params}, {workers})', call('dense_bytes_per_step', dense_bytes_per_step, model.n_params, workers), 4 * model.n_params * workers)

