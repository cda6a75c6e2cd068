"""Data-parallel SGD and gradient compression with residuals."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from course_lib import data, distributed as D, models, optim

grads = arrays(np.float64, st.integers(1, 30), elements=st.floats(-10, 10, allow_nan=False))


@settings(max_examples=50, deadline=None)
@given(st.lists(grads, min_size=1, max_size=8), st.floats(0, 5), st.booleans())
def test_residuals_conserve_the_gradient_sum(seq, tau, quantize):
    """sum of sent + final residual == sum of gradients: compression delays, never loses."""
    n = len(seq[0])
    seq = [np.resize(g, n) for g in seq]
    c = D.threshold(tau if not quantize else tau + 0.1, quantize=quantize)
    residual, total_sent = np.zeros(n), np.zeros(n)
    for g in seq:
        sent, residual = D.compress(c, residual, g)
        total_sent += sent
    np.testing.assert_allclose(total_sent + residual, np.sum(seq, axis=0), rtol=1e-12, atol=1e-9)


def test_threshold_sends_exactly_the_entries_past_tau():
    c = D.threshold(0.5)
    sent, residual = D.compress(c, np.array([0.3, 0.0, -0.2, 0.0]), np.array([0.3, 0.4, -0.4, 0.1]))
    np.testing.assert_allclose(sent, [0.6, 0.0, -0.6, 0.0])
    np.testing.assert_allclose(residual, [0.0, 0.4, 0.0, 0.1])
    # Strom's quantized form sends +-tau and keeps the excess
    sent, residual = D.compress(D.threshold(0.5, quantize=True), np.zeros(3), np.array([1.2, -0.7, 0.1]))
    np.testing.assert_allclose(sent, [0.5, -0.5, 0.0])
    np.testing.assert_allclose(residual, [0.7, -0.2, 0.1])
    # without error feedback the unsent part is dropped
    sent, residual = D.compress(D.threshold(0.5, error_feedback=False), np.zeros(2), np.array([0.4, 0.9]))
    np.testing.assert_allclose(sent, [0.0, 0.9])
    np.testing.assert_array_equal(residual, 0)


def test_top_k_keeps_the_largest_entries():
    sent, residual = D.compress(D.top_k(0.25), np.zeros(8), np.array([0.1, -5, 0.2, 3, 0, 0, 0, 0.5]))
    np.testing.assert_allclose(sent, [0, -5, 0, 3, 0, 0, 0, 0])
    np.testing.assert_allclose(sent + residual, [0.1, -5, 0.2, 3, 0, 0, 0, 0.5])


def test_message_bytes():
    g = {"W": np.array([[0.0, 1.0], [2.0, 0.0]]), "b": np.array([0.0])}
    assert D.message_bytes(D.dense(), g) == 5 * 4
    assert D.message_bytes(D.threshold(0.1), g) == 2 * 8
    assert D.message_bytes(D.threshold(0.1, quantize=True), g) == 2 * 4
    full = {"W": np.ones((2, 2)), "b": np.ones(1)}
    assert D.message_bytes(D.threshold(0.1), full) == 5 * 4   # sparse would be larger: send dense


def test_tau_zero_is_plain_data_parallel_sgd(digits):
    model = models.softmax_regression(64, 10)
    plain = D.data_parallel_sgd(model, digits, D.dense(), workers=3, steps=30)
    zero = D.data_parallel_sgd(model, digits, D.threshold(0.0), workers=3, steps=30)
    np.testing.assert_array_equal(plain.loss, zero.loss)
    for k in plain.params:
        np.testing.assert_array_equal(plain.params[k], zero.params[k])
    assert plain.bytes_sent[-1] == zero.bytes_sent[-1] == 30 * plain.dense_bytes_per_step
    assert plain.dense_bytes_per_step == 3 * (64 * 10 + 10) * 4


def test_one_dense_worker_is_minibatch_sgd(digits):
    """K = 1 with dense messages is ordinary SGD on the worker's minibatches."""
    model = models.softmax_regression(64, 10)
    h = D.data_parallel_sgd(model, digits, D.dense(), workers=1, steps=20, batch_size=8, seed=5)
    rng = np.random.default_rng(5)
    idx = D.shard(len(digits.X_train), 1, rng)[0]
    params, opt = model.init_params(5), optim.sgd(lr=0.1)
    state = opt.init(params)
    for _ in range(20):
        batch = rng.choice(idx, size=8, replace=False)
        _, g = model.loss_and_grad(params, digits.X_train[batch], digits.y_train[batch])
        params, state = opt.update(params, g, state)
    for k in params:
        np.testing.assert_allclose(h.params[k], params[k], rtol=1e-12)


def test_threshold_saves_bytes_and_still_trains(digits):
    model = models.softmax_regression(64, 10)
    plain = D.data_parallel_sgd(model, digits, D.dense(), workers=4, steps=150)
    sparse = D.data_parallel_sgd(model, digits, D.threshold(0.05), workers=4, steps=150)
    assert sparse.bytes_sent[-1] < 0.5 * plain.bytes_sent[-1]
    assert sparse.loss[-1] < 1.1 * plain.loss[-1]
    assert sparse.loss[-1] < 0.25 * sparse.loss[0]


def test_without_residuals_small_gradients_are_never_sent(digits):
    model = models.softmax_regression(64, 10)
    kept = D.data_parallel_sgd(model, digits, D.threshold(0.05), workers=4, steps=150)
    dropped = D.data_parallel_sgd(model, digits, D.threshold(0.05, error_feedback=False), workers=4, steps=150)
    assert dropped.loss[-1] > 1.2 * kept.loss[-1]
    assert np.all(dropped.residual_norm == 0) and np.all(kept.residual_norm > 0)


@pytest.mark.parametrize("call, message", [
    (lambda: D.threshold(-0.1), "tau must be non-negative, got -0.1"),
    (lambda: D.threshold(0, quantize=True), "tau must be positive, got 0.0"),
    (lambda: D.top_k(1.5), r"fraction must be in \(0, 1\], got 1.5"),
    (lambda: D.top_k(0), "fraction must be positive"),
])
def test_bad_compressors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_bad_training_arguments(digits):
    model = models.softmax_regression(64, 10)
    with pytest.raises(ValueError, match="workers must be a positive integer, got 0"):
        D.data_parallel_sgd(model, digits, D.dense(), workers=0)
    with pytest.raises(ValueError, match="compressor must be"):
        D.data_parallel_sgd(model, digits, "dense")
    with pytest.raises(ValueError, match="workers must be at most the number of training samples"):
        D.data_parallel_sgd(model, digits, D.dense(), workers=10**6)


def _data_parallel_sgd_worker_by_worker(model, data, compressor, workers, steps, batch_size, seed, lr=0.1):
    """The readable rule: every worker draws its minibatch, computes its gradient and compresses it in turn."""
    X, y = data.X_train, data.y_train
    rng = np.random.default_rng(seed)
    shards = D.shard(len(X), workers, rng)
    params, opt = model.init_params(seed), optim.sgd(lr=lr)
    state = opt.init(params)
    residuals = [{k: np.zeros_like(v) for k, v in params.items()} for _ in range(workers)]
    loss, sent_bytes, fraction, res_norm = [model.loss(params, X, y)], [0], [], []
    for _ in range(steps):
        messages = []
        for k, idx in enumerate(shards):
            batch = rng.choice(idx, size=batch_size, replace=False)
            _, grad = model.loss_and_grad(params, X[batch], y[batch])
            sent, residuals[k] = D.compress(compressor, residuals[k], grad)
            messages.append(sent)
        params, state = opt.update(params, {key: sum(m[key] for m in messages) / workers for key in params}, state)
        loss.append(model.loss(params, X, y))
        sent_bytes.append(sent_bytes[-1] + sum(D.message_bytes(compressor, m) for m in messages))
        fraction.append(np.mean([np.divide(*D.entries_sent(compressor, m)) for m in messages]))
        res_norm.append(np.sqrt(sum(np.sum(r[key] ** 2) for r in residuals for key in r)))
    return loss, sent_bytes, fraction, res_norm, params


def _assert_same_run(h, loss, params):
    """``h`` is the readable loop's run: its losses to rounding (they are evaluated features first,
    Model.path_loss: the same sums in another order), its parameters bit for bit."""
    np.testing.assert_allclose(h.loss, loss, rtol=1e-14)
    for k in params:
        np.testing.assert_array_equal(h.params[k], params[k])


@pytest.mark.parametrize("compressor, workers", [
    (D.dense(), 1), (D.dense(), 3), (D.threshold(0.2), 4), (D.threshold(0.2, error_feedback=False), 4),
    (D.threshold(0.3, quantize=True), 2), (D.top_k(0.05), 4), (D.top_k(0.01, error_feedback=False), 3),
])
def test_all_workers_at_once_give_what_one_worker_after_another_gives(digits, compressor, workers):
    """data_parallel_sgd computes the workers' gradients as one stack, compresses them together and takes
    the losses along the path at the end: the same run as the readable loop over workers, step by step."""
    model = models.softmax_regression(64, 10)
    h = D.data_parallel_sgd(model, digits, compressor, workers=workers, steps=25, batch_size=8, seed=3)
    loss, sent_bytes, fraction, res_norm, params = _data_parallel_sgd_worker_by_worker(
        model, digits, compressor, workers, steps=25, batch_size=8, seed=3)
    _assert_same_run(h, loss, params)
    np.testing.assert_array_equal(h.bytes_sent, sent_bytes)
    np.testing.assert_array_equal(h.sent_fraction, fraction)
    # the residuals' squares are summed per parameter array over all workers, not per worker: rounding only
    np.testing.assert_allclose(h.residual_norm, res_norm, rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("compressor", [D.dense(), D.threshold(0.5), D.threshold(0.5, quantize=True),
                                        D.top_k(0.2), D.top_k(0.2, error_feedback=False)])
def test_compressing_a_stack_of_workers_is_compressing_each(compressor):
    rng = np.random.default_rng(0)
    grad = {"W": rng.normal(size=(3, 4, 5)), "b": rng.normal(size=(3, 5))}
    residual = {k: 0.3 * rng.normal(size=v.shape) for k, v in grad.items()}
    sent, new_residual = D.compress_workers(compressor, residual, grad)
    counts, total = D.entries_sent(compressor, sent, stacked=True)
    costs = D.message_bytes(compressor, sent, stacked=True)
    assert total == 25 and counts.shape == costs.shape == (3,)
    for i in range(3):
        one_sent, one_residual = D.compress(compressor, {k: r[i] for k, r in residual.items()},
                                            {k: g[i] for k, g in grad.items()})
        for k in grad:
            np.testing.assert_array_equal(sent[k][i], one_sent[k])
            np.testing.assert_array_equal(new_residual[k][i], one_residual[k])
        assert (counts[i], total) == D.entries_sent(compressor, one_sent)
        assert costs[i] == D.message_bytes(compressor, one_sent)


def test_a_minibatch_is_at_most_the_smallest_shard(digits):
    """With more samples asked than a shard holds, every worker draws as many as the smallest shard has."""
    model = models.softmax_regression(64, 10)
    n = len(digits.X_train)
    h = D.data_parallel_sgd(model, digits, D.dense(), workers=8, steps=3, batch_size=10 * n)
    loss, *_, params = _data_parallel_sgd_worker_by_worker(model, digits, D.dense(), 8, steps=3, batch_size=n // 8,
                                                           seed=0)
    _assert_same_run(h, loss, params)


def test_compress_workers_takes_plain_stacked_arrays():
    rng = np.random.default_rng(1)
    grad, residual = rng.normal(size=(3, 10)), np.zeros((3, 10))
    for compressor in (D.threshold(0.8), D.top_k(0.3)):
        sent, new_residual = D.compress_workers(compressor, residual, grad)
        for i in range(3):
            one_sent, one_residual = D.compress(compressor, residual[i], grad[i])
            np.testing.assert_array_equal(sent[i], one_sent)
            np.testing.assert_array_equal(new_residual[i], one_residual)


def test_a_compressor_of_ones_own_is_applied_worker_by_worker(digits):
    """A Compressor built without stacks is never handed a stack of workers as one message."""
    scaled_sign = D.Compressor("scaled sign", lambda a: np.sign(a) * np.abs(a).mean())
    assert not scaled_sign.stacks and D.threshold(0.1).stacks and D.dense().stacks and D.top_k(0.1).stacks
    g = np.array([[1.0, -1.0], [10.0, -10.0]])
    sent, _ = D.compress_workers(scaled_sign, np.zeros_like(g), g)
    np.testing.assert_array_equal(sent, [[1.0, -1.0], [10.0, -10.0]])
    model = models.softmax_regression(64, 10)
    h = D.data_parallel_sgd(model, digits, scaled_sign, workers=4, steps=10, batch_size=8, seed=2)
    loss, *_, params = _data_parallel_sgd_worker_by_worker(model, digits, scaled_sign, 4, steps=10, batch_size=8,
                                                           seed=2)
    _assert_same_run(h, loss, params)


def test_a_dense_message_costs_four_bytes_an_entry_whatever_its_compressor_says():
    half = D.Compressor("fp16, dense", lambda a: a, bytes_per_entry=2, sparse=False)
    g = np.ones((3, 10))
    assert D.message_bytes(half, g[0]) == 40
    np.testing.assert_array_equal(D.message_bytes(half, g, stacked=True), [40, 40, 40])


@pytest.mark.parametrize("shape", [(640,), (4, 640), (3, 10), (7,)])
@pytest.mark.parametrize("fraction", [0.002, 0.01, 0.3, 1.0])
def test_top_k_keeps_what_a_stable_sort_keeps(shape, fraction):
    """top_k selects by partition, not by sorting: the same entries as a stable argsort of each row takes,
    ties with the k-th largest magnitude going to the first entries by position."""
    rng = np.random.default_rng(len(shape) * 1000 + int(fraction * 1000))
    select = D.top_k(fraction).select
    for trial in range(12):
        a = rng.normal(size=shape)
        if trial % 2:
            a = np.round(a)                      # many ties, zeros among them
        if trial % 3 == 2:
            a.flat[::5] = [np.nan, np.inf, -np.inf, -0.0][trial % 4]     # NaN ranks last, as in a sort
        rows = np.atleast_2d(a)
        k = int(np.ceil(fraction * rows.shape[1]))
        expected = np.zeros_like(rows)
        for i, row in enumerate(rows):
            keep = np.argsort(-np.abs(row), kind="stable")[:k]
            expected[i, keep] = row[keep]
        sent = select(a)
        assert sent.shape == a.shape
        np.testing.assert_array_equal(sent, expected.reshape(a.shape))
        assert np.all(np.count_nonzero(np.atleast_2d(sent), axis=1) <= k)


EVERY_KIND = [D.dense(), D.threshold(0.2), D.threshold(0.2, error_feedback=False), D.threshold(0.3, quantize=True),
              D.top_k(0.05), D.top_k(0.01, error_feedback=False),
              D.Compressor("scaled sign", lambda a: np.sign(a) * np.abs(a).mean())]
SIDE_BY_SIDE = {
    # name: (model, data set (None: digits), compressors, optimizer, steps)
    "softmax, sgd": (models.softmax_regression(64, 10), None, EVERY_KIND, optim.sgd(lr=0.1), 15),
    "softmax, adam": (models.softmax_regression(64, 10), None, EVERY_KIND, optim.adam(lr=0.01), 15),
    # one output: a chunk of a single parameter set takes another BLAS routine (a matrix-vector product),
    # so each run's path must be cut into the chunks data_parallel_sgd cuts it into
    **{f"linear regression, {steps} steps": (models.linear_regression(10), data.diabetes(),
                                              [D.dense(), D.top_k(0.25), D.threshold(0.5)], optim.sgd(lr=0.1), steps)
       for steps in (8, 24, 48)},
}


@pytest.mark.parametrize("case", SIDE_BY_SIDE)
def test_runs_side_by_side_are_each_compressors_own_run(digits, case):
    """data_parallel_runs trains every compressor on the same minibatches with stacked parameters: each run
    is the one data_parallel_sgd gives for its compressor alone, bit for bit."""
    model, split, compressors, opt, steps = SIDE_BY_SIDE[case]
    split = digits if split is None else split
    runs = D.data_parallel_runs(model, split, compressors, workers=3, steps=steps, batch_size=8, opt=opt, seed=4)
    assert len(runs) == len(compressors)
    for compressor, h in zip(compressors, runs):
        alone = D.data_parallel_sgd(model, split, compressor, workers=3, steps=steps, batch_size=8, opt=opt, seed=4)
        assert h.label == alone.label and h.dense_bytes_per_step == alone.dense_bytes_per_step
        for field in ("loss", "bytes_sent", "sent_fraction", "residual_norm"):
            np.testing.assert_array_equal(getattr(h, field), getattr(alone, field), err_msg=field)
        for k in alone.params:
            np.testing.assert_array_equal(h.params[k], alone.params[k])


def test_bad_runs_side_by_side(digits):
    model = models.softmax_regression(64, 10)
    for bad in (None, "dense", 3):
        with pytest.raises(ValueError, match="compressors must be a non-empty sequence"):
            D.data_parallel_runs(model, digits, bad)
    with pytest.raises(ValueError, match="compressors must be a non-empty sequence"):
        D.data_parallel_runs(model, digits, [])
    with pytest.raises(ValueError, match="compressors must be a non-empty sequence"):
        D.data_parallel_runs(model, digits, D.dense())
    with pytest.raises(ValueError, match="compressor must be dense.*got 'top_k'"):
        D.data_parallel_runs(model, digits, [D.dense(), "top_k"])


def test_a_compressor_of_ones_own_sees_each_parameter_array_in_its_shape(digits):
    """Without stacks, select gets the accumulated gradient of one worker with its parameter's shape (e.g. to
    send the row of W with the largest norm); with stacks, flat messages."""
    shapes = []

    def largest_row(a):
        shapes.append(a.shape)
        if a.ndim < 2:
            return a
        keep = np.zeros_like(a)
        i = np.argmax(np.linalg.norm(a, axis=1))
        keep[i] = a[i]
        return keep

    rows = D.Compressor("largest row", largest_row)
    model = models.softmax_regression(64, 10)
    h = D.data_parallel_sgd(model, digits, rows, workers=2, steps=3, batch_size=8)
    assert set(shapes) == {(64, 10), (10,)}
    np.testing.assert_allclose(h.sent_fraction, (10 + 10) / 650)
    flat = D.Compressor("flat", lambda a: shapes.append(a.shape) or a, stacks=True)
    shapes.clear()
    D.compress(flat, np.zeros((64, 10)), np.ones((64, 10)))
    D.compress_workers(flat, np.zeros((3, 64, 10)), np.ones((3, 64, 10)))
    assert shapes == [(640,), (3, 640)]


def test_compress_takes_plain_numbers():
    assert D.compress(D.threshold(0.1), 0.0, 0.5) == (0.5, 0.0)
    sent, residual = D.compress(D.top_k(0.5), [0.0, 0.0], [0.3, -0.4])
    np.testing.assert_array_equal(sent, [0.0, -0.4])
    np.testing.assert_array_equal(residual, [0.3, 0.0])


def test_bytes_of_a_step_are_whole_bytes_for_any_price_per_entry(digits):
    """A compressor may price an entry at a fraction of a byte (e.g. 4.125): each step's messages still cost
    whole bytes, their sum rounded down. The readable loop rounds each worker's message down instead, so
    a step may count up to one byte less per worker there."""
    odd = D.Compressor("threshold, odd price", D.threshold(0.2).select, bytes_per_entry=4.125, stacks=True)
    model = models.softmax_regression(64, 10)
    h = D.data_parallel_sgd(model, digits, odd, workers=3, steps=6, batch_size=8)
    _, sent_bytes, *_ = _data_parallel_sgd_worker_by_worker(model, digits, odd, 3, steps=6, batch_size=8, seed=0)
    step, readable_step = np.diff(h.bytes_sent), np.diff(sent_bytes)
    assert np.all(step == np.floor(step)) and np.all(step > 0)
    assert np.all((readable_step <= step) & (step < readable_step + 3))


def test_the_callback_sees_every_step_and_can_stop_the_training(digits):
    model = models.softmax_regression(64, 10)
    seen = []
    with_callback = D.data_parallel_runs(model, digits, [D.dense(), D.top_k(0.1)], workers=3, steps=11,
                                         callback=seen.append)
    without = D.data_parallel_runs(model, digits, [D.dense(), D.top_k(0.1)], workers=3, steps=11)
    assert seen == list(range(1, 12))
    for a, b in zip(with_callback, without):              # watching changes nothing
        np.testing.assert_array_equal(a.loss, b.loss)
        np.testing.assert_array_equal(a.params["W"], b.params["W"])

    class Stop(Exception):
        pass

    def stop_after_three(t):
        if t == 3:
            raise Stop("stop")

    with pytest.raises(Stop, match="stop"):
        D.data_parallel_sgd(model, digits, D.dense(), steps=11, callback=stop_after_three)
    with pytest.raises(ValueError, match="callback must be callable, got 'print'"):
        D.data_parallel_sgd(model, digits, D.dense(), callback="print")
