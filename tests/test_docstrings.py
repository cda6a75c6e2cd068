"""Every example in course_lib's docstrings runs and prints what it says."""

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import course_lib
from course_lib import data, models, objectives, optim, run, run_many

MODULES = sorted(m.name for m in pkgutil.walk_packages(course_lib.__path__, "course_lib.")
                 if not m.name.endswith("__main__"))
# names the examples may use without importing them
NAMES = dict(np=np, objectives=objectives, optim=optim, run=run, run_many=run_many, models=models, data=data)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name, globs={**vars(module), **NAMES}):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} docstring examples failed in {name}"


def test_examples_exist():
    """The collection is not empty: the core modules do carry examples."""
    finder = doctest.DocTestFinder(exclude_empty=True)
    assert sum(len(t.examples) for t in finder.find(importlib.import_module("course_lib.run"))) >= 2
