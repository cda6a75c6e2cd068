import sys
from pathlib import Path

import pytest

# make tests/torch_reference.py importable as a plain module
sys.path.insert(0, str(Path(__file__).parent))


# the bundled datasets, loaded once for every test module that asks for them
@pytest.fixture(scope="session")
def digits():
    from course_lib import data

    return data.digits(seed=0)


@pytest.fixture(scope="session")
def diabetes():
    from course_lib import data

    return data.diabetes(seed=0)
