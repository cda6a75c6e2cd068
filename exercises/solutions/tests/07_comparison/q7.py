from otter.test_files import test_case

OK_FORMAT = False

name = "q7"
points = 3

@test_case(points=None, hidden=False)
def test_race_table(race_table, real_contenders):
    import numpy as np
    from course_lib import data, models, train
    from course_lib.checks import answered, close, fail
    answered('race_table', race_table)
    if real_contenders is None:
        fail('run the set-up cells first')
    if not isinstance(race_table, dict) or set(race_table) != set(real_contenders):
        fail(f'race_table should be a dict with the keys {sorted(real_contenders)}, got {race_table!r}')
    digits, model = (data.digits(), models.softmax_regression(64, 10))
    for name, opt in real_contenders.items():
        acc = [model.accuracy(train.fit(model, opt, digits, epochs=2, batch_size=32, seed=s).params, digits.X_test, digits.y_test) for s in (0, 1, 2)]
        close(f'mean test accuracy of {name}', race_table[name][0], np.mean(acc))
        close(f'std of the test accuracy of {name}', race_table[name][1], np.std(acc, ddof=1), atol=1e-09)

