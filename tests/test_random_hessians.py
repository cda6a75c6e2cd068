"""course_lib.random_hessians: the Monte Carlo count of positive definite random symmetric matrices."""

import numpy as np
import pytest

from course_lib import random_hessians as rh


def test_random_symmetric_is_symmetric_with_the_stated_entries():
    H = rh.random_symmetric(3, 4000, np.random.default_rng(0))
    assert H.shape == (4000, 3, 3) and np.array_equal(H, np.swapaxes(H, 1, 2))
    # diagonal entries are N(0, 1); off-diagonal ones are the mean of two: N(0, 1/2)
    assert abs(H[:, 0, 0].var() - 1.0) < 0.08 and abs(H[:, 0, 1].var() - 0.5) < 0.04


def test_count_equals_a_direct_eigenvalue_check():
    rng_a, rng_b = np.random.default_rng(7), np.random.default_rng(7)
    count = rh.positive_definite_count(4, 500, rng_a)
    H = rh.random_symmetric(4, 500, rng_b)
    assert count == sum(bool(np.all(np.linalg.eigvalsh(h) > 0)) for h in H)


@pytest.mark.parametrize("d, exact", [(1, 0.5), (2, (2 - np.sqrt(2)) / 4)])
def test_the_fraction_matches_the_exact_probability(d, exact):
    samples = 40_000
    p = rh.positive_definite_count(d, samples, np.random.default_rng(d)) / samples
    assert abs(p - exact) < 4 * np.sqrt(exact * (1 - exact) / samples)


def test_the_fraction_falls_faster_than_two_to_the_minus_d():
    rng = np.random.default_rng(1)
    fractions = [rh.positive_definite_count(d, 20_000, rng) / 20_000 for d in (1, 2, 3, 4)]
    assert all(b < a for a, b in zip(fractions, fractions[1:]))
    assert fractions[3] < 2.0**-4


@pytest.mark.parametrize("args, message", [
    ((0, 10), "d must be a positive integer, got 0"),
    ((2.5, 10), "d must be a positive integer, got 2.5"),
    ((2, -1), "samples must be a positive integer, got -1"),
    ((2, True), "samples must be a positive integer, got True"),
])
def test_bad_sizes_are_named(args, message):
    with pytest.raises(ValueError, match=message):
        rh.positive_definite_count(*args, np.random.default_rng(0))


def test_a_seed_instead_of_a_generator_is_refused():
    with pytest.raises(ValueError, match="rng must be a numpy Generator"):
        rh.random_symmetric(2, 10, 0)
