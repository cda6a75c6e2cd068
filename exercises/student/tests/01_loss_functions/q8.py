from otter.test_files import test_case

OK_FORMAT = False

name = "q8"
points = 3

@test_case(points=None, hidden=False)
def test_line_fit(w_fit, b_fit, mse_fit):
    import numpy as np
    from course_lib import data
    from course_lib.checks import close
    split = data.diabetes(features=['bmi'])
    x, y = (split.X_train[:, 0], split.y_train)
    slope, intercept = np.polyfit(x, y, 1)
    close('w_fit', w_fit, slope, rtol=1e-06, atol=1e-08, hint='least squares gives the same line')
    close('b_fit', b_fit, intercept, rtol=1e-06, atol=1e-08)
    close('mse_fit', mse_fit, float(np.mean((slope * x + intercept - y) ** 2)), rtol=1e-06)

