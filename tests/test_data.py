"""Tests of course_lib.data: seeded, standardized, stratified splits; synthetic data; minibatches."""

import subprocess
import sys

import numpy as np
import pytest

from course_lib import data


def _same_split(a, b):
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in ("X_train", "y_train", "X_test", "y_test"))


# ---------------------------------------------------------------------------
# Real data sets
# ---------------------------------------------------------------------------

def test_digits_split_sizes_classes_and_metadata(digits):
    assert len(digits.y_train) + len(digits.y_test) == 1797
    assert len(digits.y_test) == pytest.approx(0.25 * 1797, abs=10)
    assert digits.X_train.shape[1] == digits.n_features == len(digits.feature_names) == 64
    assert digits.task == "classification" and digits.n_classes == 10
    assert digits.y_train.dtype.kind == "i" and set(digits.y_test) == set(range(10))
    assert "load_digits" in digits.description


def test_splits_are_deterministic_given_the_seed(digits):
    assert _same_split(digits, data.digits(seed=0))
    assert not _same_split(digits, data.digits(seed=1))


def test_features_are_standardized_with_training_statistics_only(digits):
    np.testing.assert_allclose(digits.X_train.mean(axis=0), 0, atol=1e-12)
    std = digits.X_train.std(axis=0)
    np.testing.assert_allclose(std[std > 0], 1)
    # Undoing the transform gives back raw pixels (integers 0..16) for both parts, and the stored mean is the
    # mean of the raw *training* pixels: the test set did not influence the preprocessing.
    raw_train = digits.X_train * digits.x_scale + digits.x_mean
    raw_test = digits.X_test * digits.x_scale + digits.x_mean
    for raw in (raw_train, raw_test):
        np.testing.assert_allclose(raw, np.round(raw), atol=1e-9)
        assert raw.min() > -1e-9 and raw.max() < 16 + 1e-9
    np.testing.assert_allclose(digits.x_mean, raw_train.mean(axis=0))
    assert not np.allclose(digits.X_test.mean(axis=0), 0, atol=1e-3)


def test_classification_splits_are_stratified(digits):
    train, test = np.bincount(digits.y_train), np.bincount(digits.y_test)
    np.testing.assert_allclose(test / (train + test), 0.25, atol=0.01)


def test_digits_subset_is_relabelled_in_the_given_order():
    d = data.digits(classes=(8, 3))
    assert d.target_names == ("8", "3") and d.n_classes == 2
    assert set(d.y_train) == {0, 1}
    assert len(d.y_train) + len(d.y_test) == 174 + 183       # eights and threes in load_digits


def test_diabetes_regression_target_and_feature_selection(diabetes):
    assert diabetes.task == "regression" and diabetes.n_features == 10
    assert len(diabetes.y_train) + len(diabetes.y_test) == 442
    assert diabetes.y_train.mean() == pytest.approx(0, abs=1e-12)
    assert diabetes.y_train.std() == pytest.approx(1)
    original = diabetes.y_mean + diabetes.y_scale * np.concatenate([diabetes.y_train, diabetes.y_test])
    np.testing.assert_allclose(original, np.round(original), atol=1e-9)      # progress scores are integers
    assert 25 <= original.min() and original.max() <= 346
    bmi = data.diabetes(features=["bmi"], standardize_target=False)
    assert bmi.feature_names == ("bmi",) and bmi.X_train.shape[1] == 1
    assert bmi.y_mean == 0 and bmi.y_scale == 1 and bmi.y_train.mean() > 100
    with pytest.raises(ValueError, match="no classes"):
        bmi.n_classes


# ---------------------------------------------------------------------------
# Synthetic data
# ---------------------------------------------------------------------------

def test_noisy_line_without_noise_lies_on_the_line_except_for_the_outliers():
    d = data.noisy_line(n=50, slope=-1.5, intercept=2.0, noise=0.0, n_outliers=4, outlier_shift=7.0, seed=3)
    x = np.concatenate([d.X_train[:, 0], d.X_test[:, 0]])
    y = np.concatenate([d.y_train, d.y_test])
    off = y - (-1.5 * x + 2.0)
    assert np.sum(np.isclose(off, 7.0)) == 4 and np.sum(np.isclose(off, 0.0)) == 46
    assert -3 <= x.min() and x.max() <= 3
    assert _same_split(d, data.noisy_line(n=50, slope=-1.5, intercept=2.0, noise=0.0, n_outliers=4,
                                          outlier_shift=7.0, seed=3))


def test_noisy_line_slope_is_recovered_by_least_squares():
    d = data.noisy_line(n=400, slope=2.0, intercept=1.0, noise=0.5, seed=0)
    slope, intercept = np.polyfit(d.X_train[:, 0], d.y_train, 1)
    assert slope == pytest.approx(2.0, abs=0.1) and intercept == pytest.approx(1.0, abs=0.1)


def test_two_blobs_are_balanced_and_the_requested_distance_apart():
    d = data.two_blobs(n=2000, distance=4.0, spread=0.5, seed=1)
    X = np.concatenate([d.X_train, d.X_test])
    y = np.concatenate([d.y_train, d.y_test])
    assert np.bincount(y).tolist() == [1000, 1000]
    gap = X[y == 1].mean(axis=0) - X[y == 0].mean(axis=0)
    assert np.linalg.norm(gap) == pytest.approx(4.0, rel=0.03)
    assert X[y == 0].std(axis=0) == pytest.approx([0.5, 0.5], rel=0.1)


# ---------------------------------------------------------------------------
# Minibatches
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("n, batch_size", [(10, 3), (12, 4), (5, 8), (7, None)])
def test_each_epoch_visits_every_sample_once_and_keeps_the_last_partial_batch(n, batch_size):
    X, y = np.arange(n)[:, None] * 10.0, np.arange(n)
    rng = np.random.default_rng(0)
    orders = []
    for _ in range(3):
        batches = list(data.minibatches(X, y, batch_size, rng))
        sizes = [len(b) for _, b in batches]
        assert len(batches) == data.n_batches(n, batch_size)
        assert sizes[:-1] == [batch_size or n] * (len(sizes) - 1) and 0 < sizes[-1] <= (batch_size or n)
        order = np.concatenate([b for _, b in batches])
        assert sorted(order) == list(range(n))
        np.testing.assert_array_equal(np.concatenate([xb for xb, _ in batches])[:, 0], order * 10.0)
        orders.append(order.tolist())
    assert orders[0] != orders[1] or n < 3      # a new shuffle every epoch


def test_minibatches_are_reproducible_from_a_seed():
    X, y = np.zeros((20, 1)), np.arange(20)
    first = [b.tolist() for _, b in data.minibatches(X, y, 6, 42)]
    assert first == [b.tolist() for _, b in data.minibatches(X, y, 6, 42)]
    assert first != [b.tolist() for _, b in data.minibatches(X, y, 6, 43)]


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("batch_size", [0, -2, 1.5, True, "8"])
def test_bad_batch_sizes_are_errors_at_once(batch_size):
    with pytest.raises(ValueError, match="batch_size"):
        data.minibatches(np.zeros((4, 1)), np.zeros(4), batch_size, 0)


def test_other_bad_arguments_are_errors():
    with pytest.raises(ValueError, match="same number"):
        data.minibatches(np.zeros((4, 1)), np.zeros(3), 2, 0)
    with pytest.raises(ValueError, match="test_size"):
        data.digits(test_size=1.0)
    with pytest.raises(ValueError, match="features"):
        data.diabetes(features=["height"])
    with pytest.raises(ValueError, match="classes"):
        data.digits(classes=(3, 3))
    with pytest.raises(ValueError, match="classes"):
        data.digits(classes=(3, 11))
    with pytest.raises(ValueError, match="n_outliers"):
        data.noisy_line(n=5, n_outliers=6)
    with pytest.raises(ValueError, match="spread"):
        data.two_blobs(spread=0)
    with pytest.raises(ValueError, match="shape"):
        data.make_split(np.zeros(5), np.zeros(5), test_size=0.2, seed=0, feature_names=["x"], description="")
    with pytest.raises(ValueError, match="empty"):
        data.make_split(np.zeros((3, 1)), np.zeros(3), test_size=0.1, seed=0, feature_names=["x"], description="")


def test_bundled_files_are_read_exactly_as_scikit_learn_reads_them():
    from sklearn.datasets import load_diabetes, load_digits

    raw = load_diabetes(scaled=False)
    assert list(raw.feature_names) == list(data.DIABETES_FEATURES)
    assert np.array_equal(data.load_bundled_csv("diabetes_data_raw.csv.gz"), raw.data)
    assert np.array_equal(data.load_bundled_csv("diabetes_target.csv.gz"), raw.target)
    sk = load_digits()
    table = data.load_bundled_csv("digits.csv.gz", delimiter=",")
    assert np.array_equal(table[:, :-1], sk.data) and np.array_equal(table[:, -1].astype(int), sk.target)
    assert list(data.digits().feature_names) == list(sk.feature_names)


def test_loading_the_real_data_does_not_import_scikit_learn():
    code = ("import sys; from course_lib import data; data.digits(); data.diabetes(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy', 'pandas')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_missing_data_file_is_a_clear_error():
    with pytest.raises(ValueError, match="data file nope.csv.gz is missing"):
        data.bundled_file("nope.csv.gz")
