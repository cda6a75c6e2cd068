from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 3

@test_case(points=None, hidden=False)
def test_noisy_saddle_std_example(noisy_saddle_std):
    import numpy as np
    from course_lib.checks import call, close
    a = 1.2
    close('noisy_saddle_std(0.1, 0.01, 30)', call('noisy_saddle_std', noisy_saddle_std, 0.1, 0.01, 30), 0.1 * 0.01 * np.sqrt((a ** 60 - 1) / (a ** 2 - 1)))

