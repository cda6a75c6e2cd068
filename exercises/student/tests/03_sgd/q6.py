from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 2

@test_case(points=None, hidden=False)
def test_robbins_monro_public(robbins_monro):
    from course_lib.checks import answered, equal, fail
    answered('robbins_monro', robbins_monro)
    keys = {'constant', '1/t', '1/sqrt(t)', '1/t**2', 't**-0.75'}
    if not isinstance(robbins_monro, dict) or set(robbins_monro) != keys:
        fail(f'robbins_monro should be a dict with the keys {sorted(keys)}, got {robbins_monro!r}')
    equal('robbins_monro["constant"]', robbins_monro['constant'], False, hint='the sum of squares is infinite')
    equal('robbins_monro["1/t**2"]', robbins_monro['1/t**2'], False, hint='the sum itself is finite')

