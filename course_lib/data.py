r"""Data sets: two real ones that ship with scikit-learn, small synthetic ones, and minibatches.

Every loader returns a :class:`Split`: a seeded train/test split whose
features are standardized with statistics of the *training* part only (the
test set plays the role of data the model has never seen, so it must not leak
into the preprocessing):

.. math:: x' = \frac{x - \mu_\text{train}}{\sigma_\text{train}}

* :func:`diabetes`: regression, 442 patients, 10 features (``sklearn.datasets.load_diabetes``).
* :func:`digits`: classification, 1797 handwritten 8x8 digits (``sklearn.datasets.load_digits``).
* :func:`noisy_line` and :func:`two_blobs`: synthetic 1-D regression and 2-D classification demos.

Both real data sets are files inside the scikit-learn package: nothing is
ever downloaded. They are read straight from those files (the same arrays as
``load_diabetes(scaled=False)`` and ``load_digits()``; a test checks it),
without importing scikit-learn, which would take a second or two. :func:`minibatches` cuts one epoch into shuffled batches.
"""

from __future__ import annotations

import gzip
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["Split", "standardize", "make_split", "diabetes", "digits", "noisy_line", "two_blobs", "n_batches",
           "minibatches"]


@dataclass(frozen=True, eq=False)
class Split:
    """A train/test split of a data set.

    Attributes
    ----------
    X_train, y_train, X_test, y_test : ndarray
        Features of shape ``(n, d)`` and targets of shape ``(n,)`` (integer
        class labels for classification).
    feature_names : tuple of str
        One name per column of ``X``.
    description : str
        Where the data come from and what was done to them.
    task : str
        ``"regression"`` or ``"classification"``.
    target_names : tuple of str
        The class names (classification), else empty.
    x_mean, x_scale : ndarray, shape (d,)
        The training statistics used to standardize the features
        (0 and 1 when they were not standardized).
    y_mean, y_scale : float
        The same for a regression target: predictions in the original units are
        ``y_mean + y_scale * prediction``.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    feature_names: tuple
    description: str
    task: str = "regression"
    target_names: tuple = ()
    x_mean: np.ndarray = field(default=None, repr=False)
    x_scale: np.ndarray = field(default=None, repr=False)
    y_mean: float = 0.0
    y_scale: float = 1.0

    @property
    def n_features(self):
        """The number of features ``d``."""
        return self.X_train.shape[1]

    @property
    def n_classes(self):
        """The number of classes (classification only)."""
        if self.task != "classification":
            raise ValueError("a regression data set has no classes")
        return len(self.target_names)

    def __repr__(self):
        return (f"Split({self.task}: {len(self.y_train)} train / {len(self.y_test)} test samples, "
                f"{self.n_features} features)")


# ---------------------------------------------------------------------------
# Splitting and standardizing
# ---------------------------------------------------------------------------

def standardize(train, test):
    r"""Standardize the columns of ``train`` and ``test`` with the mean and standard deviation of ``train``.

    Returns
    -------
    train_std, test_std : ndarray
        :math:`(x - \mu)/\sigma` column by column.
    mean, scale : ndarray
        :math:`\mu` and :math:`\sigma` of the training columns; a constant
        column (such as a pixel that is blank in every image) gets
        :math:`\sigma = 1`, so it becomes 0 instead of NaN.
    """
    train, test = np.asarray(train, dtype=float), np.asarray(test, dtype=float)
    mean = train.mean(axis=0)
    scale = train.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    return (train - mean) / scale, (test - mean) / scale, mean, scale


def _test_indices(y, test_size, rng, stratify):
    """Indices of the test samples: a random ``test_size`` fraction, of every class separately if ``stratify``."""
    groups = [np.flatnonzero(y == c) for c in np.unique(y)] if stratify else [np.arange(len(y))]
    picked = [rng.permutation(g)[: int(round(test_size * len(g)))] for g in groups]
    return np.sort(np.concatenate(picked))


def make_split(X, y, *, test_size, seed, feature_names, description, task="regression", target_names=(),
               standardize_x=True, standardize_y=False):
    """Split ``(X, y)`` at random into train and test parts and standardize them with training statistics.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Features.
    y : array_like, shape (n,)
        Targets.
    test_size : float
        The fraction of samples in the test part, in (0, 1). For classification
        the split is stratified: every class keeps its proportion in both parts.
    seed : int
        The same seed gives the same split.
    feature_names, description, task, target_names
        Stored in the :class:`Split`.
    standardize_x, standardize_y : bool
        Whether to standardize the features and (regression only) the target.

    Returns
    -------
    Split
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or y.shape != (len(X),):
        raise ValueError(f"X must have shape (n, d) and y shape (n,), got {X.shape} and {y.shape}")
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be in (0, 1), got {test_size}")
    if task not in ("regression", "classification"):
        raise ValueError(f"task must be 'regression' or 'classification', got {task!r}")
    classify = task == "classification"
    test = np.zeros(len(y), dtype=bool)
    test[_test_indices(y, test_size, np.random.default_rng(seed), stratify=classify)] = True
    if test.all() or not test.any():
        raise ValueError(f"test_size={test_size} leaves an empty train or test part for {len(y)} samples")
    X_train, X_test, y_train, y_test = X[~test], X[test], y[~test], y[test]
    x_mean, x_scale = np.zeros(X.shape[1]), np.ones(X.shape[1])
    if standardize_x:
        X_train, X_test, x_mean, x_scale = standardize(X_train, X_test)
    y_mean, y_scale = 0.0, 1.0
    if classify:
        y_train, y_test = y_train.astype(int), y_test.astype(int)
    elif standardize_y:
        y_train, y_test, (y_mean,), (y_scale,) = standardize(y_train[:, None], y_test[:, None])
        y_train, y_test = y_train[:, 0], y_test[:, 0]
    else:
        y_train, y_test = y_train.astype(float), y_test.astype(float)
    return Split(X_train, y_train, X_test, y_test, tuple(feature_names), description, task, tuple(target_names),
                 x_mean, x_scale, float(y_mean), float(y_scale))


# ---------------------------------------------------------------------------
# Real data sets (bundled with scikit-learn: no download)
# ---------------------------------------------------------------------------

#: The feature names of the diabetes data, as scikit-learn gives them.
DIABETES_FEATURES = ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")


def bundled_file(name):
    """The path of ``name`` among scikit-learn's bundled data files, found without importing scikit-learn."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise ValueError("the real data sets ship with scikit-learn, which is not installed: "
                         "pip install scikit-learn (or make venv)")
    path = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data" / name
    if not path.is_file():
        raise ValueError(f"scikit-learn's data file {name} is missing from {path.parent}; reinstall scikit-learn")
    return path


def load_bundled_csv(name, delimiter=None):
    """Read one of scikit-learn's gzip-compressed CSV files, as ``sklearn.datasets`` itself does."""
    with gzip.open(bundled_file(name), mode="rt", encoding="utf-8") as f:
        return np.loadtxt(f, delimiter=delimiter)

def diabetes(features=None, test_size=0.2, seed=0, standardize_target=True):
    """The diabetes regression data set (Efron et al., 2004), bundled with scikit-learn.

    442 patients; 10 baseline measurements (age, sex, body-mass index ``bmi``,
    blood pressure ``bp`` and six blood serum values ``s1`` .. ``s6``); the target
    is a measure of disease progression one year later.

    Parameters
    ----------
    features : sequence of str, optional
        The columns to keep, e.g. ``["bmi"]`` for a 1-feature model; all by default.
    test_size : float
        The fraction of patients held out for testing.
    seed : int
        The seed of the split.
    standardize_target : bool
        Standardize the target too (with training statistics); ``y_mean`` and
        ``y_scale`` of the result convert back to the original units.

    Returns
    -------
    Split
    """
    names = list(DIABETES_FEATURES)
    chosen = names if features is None else list(features)
    unknown = sorted(set(chosen) - set(names))
    if unknown or not chosen:
        raise ValueError(f"features must be a non-empty selection of {names}, got {chosen}")
    X = load_bundled_csv("diabetes_data_raw.csv.gz")[:, [names.index(f) for f in chosen]]
    description = ("diabetes (scikit-learn's load_diabetes, raw units): disease progression of 442 patients "
                   f"from {', '.join(chosen)}; features {'and target ' if standardize_target else ''}"
                   "standardized with training statistics")
    return make_split(X, load_bundled_csv("diabetes_target.csv.gz"), test_size=test_size, seed=seed, feature_names=chosen,
                      description=description, standardize_y=standardize_target)


def digits(classes=None, test_size=0.25, seed=0):
    """The handwritten digits data set (UCI optical recognition), bundled with scikit-learn.

    1797 grey-scale images of 8 x 8 pixels (64 features, values 0 .. 16) of the
    digits 0 .. 9. Pixels are standardized with training statistics; the split
    keeps the class proportions.

    Parameters
    ----------
    classes : sequence of int, optional
        Keep only these digits, relabelled ``0 .. len(classes) - 1`` in the
        order given (e.g. ``(3, 8)`` for a binary problem where 8 is class 1).
        All ten by default.
    test_size : float
        The fraction of images held out for testing.
    seed : int
        The seed of the split.

    Returns
    -------
    Split
        ``target_names`` are the digits as strings; ``feature_names`` are ``"pixel_r_c"``.
    """
    table = load_bundled_csv("digits.csv.gz", delimiter=",")     # 64 pixels, then the digit
    pixels, target = table[:, :-1], table[:, -1].astype(int)
    chosen = list(range(10)) if classes is None else [int(c) for c in classes]
    if len(set(chosen)) != len(chosen) or len(chosen) < 2 or not set(chosen) <= set(range(10)):
        raise ValueError(f"classes must be at least two distinct digits from 0 .. 9, got {classes}")
    keep = np.isin(target, chosen)
    relabel = np.full(10, -1)
    relabel[chosen] = np.arange(len(chosen))
    description = (f"digits (scikit-learn's load_digits): 8x8 images of the digits {chosen}, "
                   "pixels standardized with training statistics")
    return make_split(pixels[keep], relabel[target[keep]], test_size=test_size, seed=seed,
                      feature_names=[f"pixel_{r}_{c}" for r in range(8) for c in range(8)], description=description, task="classification",
                      target_names=[str(c) for c in chosen])


# ---------------------------------------------------------------------------
# Synthetic data for 1-D and 2-D demos
# ---------------------------------------------------------------------------

def noisy_line(n=100, slope=2.0, intercept=1.0, noise=1.0, x_range=(-3.0, 3.0), n_outliers=0, outlier_shift=10.0,
               test_size=0.2, seed=0):
    r"""Points on a line with Gaussian noise: :math:`y = a x + c + \sigma\varepsilon`, :math:`x \sim U(x_\text{range})`.

    Not standardized, so the true ``slope`` :math:`a` and ``intercept`` :math:`c`
    are what a fit should recover.

    Parameters
    ----------
    n : int
        The number of points (train and test together).
    slope, intercept : float
        The true line.
    noise : float
        The noise level :math:`\sigma \ge 0`.
    x_range : (float, float)
        Where the :math:`x` values are drawn uniformly.
    n_outliers : int
        How many random points get ``outlier_shift`` added to :math:`y`, to
        compare MSE with MAE and Huber.
    outlier_shift : float
        How far the outliers are moved.
    test_size, seed
        As in :func:`make_split`; ``seed`` also seeds the points.

    Returns
    -------
    Split
        One feature ``"x"``.
    """
    if not 0 <= n_outliers <= n:
        raise ValueError(f"n_outliers must be between 0 and n = {n}, got {n_outliers}")
    if not noise >= 0:
        raise ValueError(f"noise must be non-negative, got {noise}")
    rng = np.random.default_rng(seed)
    x = rng.uniform(*x_range, size=n)
    y = slope * x + intercept + noise * rng.standard_normal(n)
    y[rng.choice(n, size=n_outliers, replace=False)] += outlier_shift
    description = (f"synthetic: y = {slope:g} x + {intercept:g} + {noise:g} ε, ε ~ N(0, 1), "
                   f"x ~ U{tuple(x_range)}, {n_outliers} outliers shifted by {outlier_shift:g}")
    return make_split(x[:, None], y, test_size=test_size, seed=seed, feature_names=["x"], description=description,
                      standardize_x=False)


def two_blobs(n=200, distance=3.0, spread=1.0, test_size=0.2, seed=0):
    r"""Two Gaussian clouds in the plane, class 0 and class 1, for 2-D classification demos.

    The centres are :math:`\pm\frac{d}{2\sqrt2}(1, 1)`, a distance :math:`d` apart;
    each point adds :math:`s\,\varepsilon`, :math:`\varepsilon \sim \mathcal{N}(0, I_2)`.

    Parameters
    ----------
    n : int
        The number of points (half per class, train and test together).
    distance : float
        The distance :math:`d` between the centres: the larger :math:`d/s`, the easier.
    spread : float
        The standard deviation :math:`s > 0` of each cloud.
    test_size, seed
        As in :func:`make_split`; ``seed`` also seeds the points.

    Returns
    -------
    Split
        Features ``"x1"``, ``"x2"`` (not standardized), labels 0 and 1.
    """
    if not spread > 0:
        raise ValueError(f"spread must be positive, got {spread}")
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    centres = np.where(y[:, None] == 1, 1.0, -1.0) * distance / (2 * np.sqrt(2))
    X = centres + spread * rng.standard_normal((n, 2))
    description = f"synthetic: two Gaussian blobs of spread {spread:g}, centres {distance:g} apart"
    return make_split(X, y, test_size=test_size, seed=seed, feature_names=["x1", "x2"], description=description,
                      task="classification", target_names=["0", "1"], standardize_x=False)


# ---------------------------------------------------------------------------
# Minibatches
# ---------------------------------------------------------------------------

def n_batches(n, batch_size):
    r"""The number of batches :math:`\lceil n/B \rceil` in one epoch of ``n`` samples; ``batch_size=None`` means one.

    Raises ValueError unless ``batch_size`` is a positive integer or None.
    """
    if batch_size is None:
        return 1
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer (or None for full batches), got {batch_size!r}")
    return -(-n // batch_size)


def minibatches(X, y, batch_size, rng):
    r"""One epoch of minibatches: shuffle the samples, then cut them into consecutive batches.

    Every sample appears in exactly one batch; the last batch keeps the
    remainder when ``batch_size`` does not divide the number of samples.

    Parameters
    ----------
    X, y : ndarray
        Features and targets with the same first dimension ``n``.
    batch_size : int or None
        Samples per batch; None for one batch of all samples (full-batch gradient descent).
    rng : numpy.random.Generator or int
        The source of the shuffle. Pass the *same* Generator every epoch, so
        that each epoch has a new order and the whole run is reproducible.

    Returns
    -------
    iterator of (X_batch, y_batch)
        :math:`\lceil n / B \rceil` batches.
    """
    n = len(X)
    if len(y) != n:
        raise ValueError(f"X and y must have the same number of samples, got {n} and {len(y)}")
    batch_size = n if n_batches(n, batch_size) == 1 else batch_size
    order = np.random.default_rng(rng).permutation(n)      # drawn now: the checks above ran eagerly too
    return ((X[idx], y[idx]) for idx in np.array_split(order, range(batch_size, n, batch_size)))
