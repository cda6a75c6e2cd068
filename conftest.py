"""Names every docstring example in course_lib may use without importing them (pytest --doctest-modules)."""

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace):
    from course_lib import data, models, objectives, optim, run, run_many

    doctest_namespace.update(np=np, objectives=objectives, optim=optim, run=run, run_many=run_many,
                             models=models, data=data)
