"""Tests of course_lib.train.fit: learning on real data, history, determinism, divergence, progress text."""

import warnings

import numpy as np
import pytest

from course_lib import models, optim, train


@pytest.mark.parametrize("model, opt", [
    (models.softmax_regression(64, 10), optim.sgd(lr=0.1)),
    (models.softmax_regression(64, 10), optim.adam(lr=1e-2)),
    (models.mlp(64, 32, 10), optim.sgd(lr=0.1)),
    (models.mlp(64, 32, 10, activation="relu"), optim.adam(lr=1e-2)),
], ids=["softmax-sgd", "softmax-adam", "mlp-sgd", "mlp-adam"])
def test_fit_learns_the_digits_in_a_few_epochs(digits, model, opt):
    h = train.fit(model, opt, digits, epochs=3, batch_size=32, seed=0)
    assert h.success and h.message == "completed 3 epochs"
    assert h.train_loss[0] > 2.0                              # about log(10) at the start
    assert h.train_loss[-1] < 0.3 * h.train_loss[0]
    assert np.all(np.diff(h.train_loss) < 0)
    assert h.test_accuracy[-1] > 0.9 and h.train_accuracy[-1] > 0.9


def test_history_shapes_and_bookkeeping(digits):
    h = train.fit(models.softmax_regression(64, 10), optim.sgd(lr=0.1), digits, epochs=4, batch_size=100)
    assert h.steps_per_epoch == int(np.ceil(len(digits.y_train) / 100)) == 14
    assert h.steps == 4 * 14 and h.step_loss.shape == (56,)
    for curve in (h.train_loss, h.test_loss, h.train_accuracy, h.test_accuracy):
        assert curve.shape == (5,)
    assert set(h.params) == {"W", "b"} and h.epochs == 4
    assert h.label == "sgd(lr=0.1), batch 100"
    assert "test accuracy" in repr(h)


def test_regression_history_has_no_accuracy(diabetes):
    h = train.fit(models.linear_regression(10), optim.sgd(lr=0.01), diabetes, epochs=5)
    assert h.train_accuracy is None and h.test_accuracy is None
    assert h.train_loss[-1] < 0.5 * h.train_loss[0]


def test_fit_is_deterministic_given_the_seed(digits):
    def run(seed):
        return train.fit(models.mlp(64, 16, 10), optim.sgd(lr=0.1), digits, epochs=2, batch_size=64, seed=seed)

    a, b, c = run(0), run(0), run(1)
    np.testing.assert_array_equal(a.step_loss, b.step_loss)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    assert not np.array_equal(a.step_loss, c.step_loss)


def test_full_batch_fit_is_plain_gradient_descent(diabetes):
    model, opt = models.linear_regression(10), optim.gd(lr=0.1)
    h = train.fit(model, opt, diabetes, epochs=5, batch_size=None, seed=2)
    params, state = model.init_params(2), opt.init(model.init_params(2))
    for _ in range(5):
        _, grads = model.loss_and_grad(params, diabetes.X_train, diabetes.y_train)
        params, state = opt.update(params, grads, state)
    assert h.steps == h.epochs == 5 and h.label == "gd(lr=0.1), batch full"
    for k in params:
        np.testing.assert_allclose(h.params[k], params[k], rtol=1e-12, atol=1e-14)   # same sums, other order


def test_fit_starts_from_given_params_without_mutating_them(diabetes):
    model = models.linear_regression(10)
    start = {"W": np.ones((10, 1)), "b": np.array([3.0])}
    h = train.fit(model, optim.sgd(lr=0.01), diabetes, epochs=1, params=start)
    assert h.train_loss[0] == pytest.approx(model.loss(start, diabetes.X_train, diabetes.y_train))
    np.testing.assert_array_equal(start["W"], 1.0)


def test_divergence_stops_training_with_a_message_not_a_crash(diabetes, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no overflow warnings escape either
        h = train.fit(models.linear_regression(10), optim.sgd(lr=2.0), diabetes, epochs=100, progress=True)
    assert not h.success and h.diverged
    assert h.message.startswith("diverged in epoch ") and "not finite" not in h.message
    assert h.epochs < 100 and len(h.train_loss) == h.epochs + 1
    assert np.all(np.isfinite(h.step_loss)) and np.all(np.isfinite(h.train_loss))
    assert capsys.readouterr().out.strip().endswith(h.message)


def test_progress_text_is_deterministic_and_quiet_by_default(digits, capsys):
    def run(progress):
        train.fit(models.softmax_regression(64, 10), optim.sgd(lr=0.1), digits, epochs=5, progress=progress)
        return capsys.readouterr().out

    assert run(False) == ""
    lines = run(2).splitlines()
    assert [line.split()[1] for line in lines] == ["0/5", "2/5", "4/5", "5/5"]
    assert lines[0].startswith("epoch 0/5  train loss 2.") and "test acc" in lines[0]
    every_epoch = run(True).splitlines()
    assert len(every_epoch) == 6 and [every_epoch[i] for i in (0, 2, 4, 5)] == lines
    assert run(2).splitlines() == lines


def test_bad_arguments_are_errors(digits):
    model, opt = models.softmax_regression(64, 10), optim.sgd(lr=0.1)
    with pytest.raises(ValueError, match="model"):
        train.fit("softmax", opt, digits)
    with pytest.raises(ValueError, match="opt"):
        train.fit(model, 0.1, digits)
    with pytest.raises(ValueError, match="Split"):
        train.fit(model, opt, (digits.X_train, digits.y_train))
    with pytest.raises(ValueError, match="epochs"):
        train.fit(model, opt, digits, epochs=-1)
    with pytest.raises(ValueError, match="batch_size"):
        train.fit(model, opt, digits, batch_size=0)
    with pytest.raises(ValueError, match="progress"):
        train.fit(model, opt, digits, progress=-1)
    with pytest.raises(ValueError, match="input|shape"):
        train.fit(models.softmax_regression(10, 10), opt, digits)
    with pytest.raises(ValueError, match="starting parameters"):
        train.fit(model, opt, digits, params={"W": np.full((64, 10), np.nan), "b": np.zeros(10)})
