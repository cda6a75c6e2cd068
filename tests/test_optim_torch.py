"""course_lib.optim is torch.optim: stored torch trajectories always, a live torch run when torch is installed."""

import json

import numpy as np
import pytest

import torch_reference as ref

TOLERANCE = 1e-10   # max |ours - torch| / (1 + |torch|) over every step and entry
CASE_IDS = [c[0] for c in ref.CASES]


@pytest.fixture(scope="module")
def stored():
    data = np.load(ref.DATA)
    return {k: data[k] for k in data.files}


def relative_error(ours, theirs):
    return max(float(np.max(np.abs(ours[k] - theirs[k]) / (1 + np.abs(theirs[k])))) for k in theirs)


def test_stored_data_matches_the_cases(stored):
    """The reference file was generated from exactly the cases below; regenerate it if they change."""
    meta = json.loads(str(stored["meta"]))
    assert meta["steps"] == ref.STEPS >= 100
    assert meta["cases"] == {c: [n, kw] for c, n, kw in ref.CASES}
    for case, _, _ in ref.CASES:
        for k, shape in ref.SHAPES.items():
            assert stored[f"{case}/{k}"].shape == (ref.STEPS + 1, *shape)


@pytest.mark.parametrize("case, name, kwargs", ref.CASES, ids=CASE_IDS)
def test_matches_stored_torch_trajectory(stored, case, name, kwargs):
    theirs = {k: stored[f"{case}/{k}"] for k in ref.SHAPES}
    ours = ref.course_trajectory(name, kwargs)
    assert relative_error(ours, theirs) <= TOLERANCE
    # the trajectory really moved: a comparison of two standing-still runs would prove nothing
    assert max(np.abs(theirs[k][-1] - theirs[k][0]).max() for k in theirs) > 0.1


@pytest.mark.parametrize("case, name, kwargs", ref.CASES, ids=CASE_IDS)
def test_matches_live_torch(case, name, kwargs):
    pytest.importorskip("torch")
    assert relative_error(ref.course_trajectory(name, kwargs), ref.torch_trajectory(name, kwargs)) <= TOLERANCE


def test_every_optimizer_and_option_is_covered():
    """Each constructor's every keyword argument is exercised by some case with a non-default value."""
    import inspect

    from course_lib import optim

    for name in ref.TORCH_CLASS:
        params = inspect.signature(optim.OPTIMIZERS[name]).parameters
        used = {k for _, n, kw in ref.CASES if n == name for k, v in kw.items() if v != params[k].default}
        missing = set(params) - used
        assert not missing, f"{name}: no reference case sets {sorted(missing)}"


def test_the_comparison_can_fail(stored):
    """A tiny change to one hyperparameter is caught: the oracle comparison has teeth."""
    theirs = {k: stored[f"adam/{k}"] for k in ref.SHAPES}
    ours = ref.course_trajectory("adam", dict(lr=0.01, eps=1e-7))
    assert relative_error(ours, theirs) > TOLERANCE
