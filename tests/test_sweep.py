"""course_lib.sweep: many learning rates in one vectorised run, each row identical to its own run."""

import numpy as np
import pytest

from course_lib import objectives, optim, run
from course_lib.sweep import RULES, log_grid, lr_sweep, with_lrs

LRS = [1e-4, 3e-3, 0.1, 2.0, 50.0]      # from crawling to diverging on Rosenbrock
OPTIMIZERS = {name: make(lr=1e-3) for name, make in optim.OPTIMIZERS.items()}
OPTIMIZERS.update({
    "amsgrad": optim.adam(amsgrad=True, beta2=0.99),
    "adamw-decay": optim.adamw(weight_decay=0.3),
    "adagrad-options": optim.adagrad(lr_decay=0.01, initial_accumulator_value=0.1, weight_decay=0.01),
    "rmsprop-options": optim.rmsprop(momentum=0.5, centered=True),
    "nadam-decoupled": optim.nadam(weight_decay=0.1, decoupled_weight_decay=True),
})


@pytest.mark.parametrize("key", sorted(OPTIMIZERS))
def test_each_row_is_exactly_its_own_run(key):
    opt = OPTIMIZERS[key]
    f = objectives.rosenbrock()
    swept = lr_sweep(opt, f, [-1.5, 2.0], LRS, steps=120)
    assert len(swept) == len(LRS)
    for lr, traj in zip(LRS, swept):
        alone = run(_single(opt, lr), f, [-1.5, 2.0], steps=120)
        assert traj.nit == alone.nit and traj.message == alone.message and traj.success == alone.success
        assert traj.label == alone.label or opt.name in ("gd", "momentum", "nesterov")   # built via sgd here
        np.testing.assert_array_equal(traj.xs, alone.xs)         # bit for bit, diverged rows included
        np.testing.assert_array_equal(traj.fs, alone.fs)


def _single(opt, lr):
    """The same optimizer built by its own constructor with learning rate ``lr``."""
    hp = {k: v for k, v in opt.hyperparams.items() if k != "decoupled"}
    name = opt.name
    if name in ("gd", "momentum", "nesterov", "sgd"):
        return optim.sgd(**{**hp, "lr": lr})
    if name == "amsgrad":
        return optim.adam(**{**hp, "lr": lr})
    if name == "nadam":
        hp["decoupled_weight_decay"] = opt.hyperparams["decoupled"]
    return optim.OPTIMIZERS[name](**{**hp, "lr": lr})


def test_rows_diverge_and_converge_independently():
    trajs = lr_sweep(optim.gd(lr=1.0), objectives.parabola(), [10.0], [0.2, 1.1, 0.05], steps=300)
    assert [t.success for t in trajs] == [True, False, True]
    assert trajs[1].message == run(optim.gd(lr=1.1), objectives.parabola(), [10.0], steps=300).message
    assert trajs[0].nit == trajs[2].nit == 300 and abs(trajs[0].x[0]) < abs(trajs[2].x[0])


def test_labels_name_each_learning_rate():
    trajs = lr_sweep(optim.adam(lr=1.0, beta2=0.99), objectives.beale(), [1.0, 1.5], [0.01, 0.5], steps=3)
    assert [t.label for t in trajs] == [optim.adam(lr=0.01, beta2=0.99).label(), optim.adam(lr=0.5, beta2=0.99).label()]


def test_every_optimizer_name_has_a_rule():
    for make in optim.OPTIMIZERS.values():
        assert make(lr=0.1).name in RULES
    assert optim.adam(amsgrad=True).name in RULES


@pytest.mark.parametrize("lrs, match", [
    ([], "non-empty"), ([[0.1, 0.2]], "1-D"), ([0.1, -1.0], "positive and finite, got -1.0"),
    ([np.nan], "positive and finite"), ("fast", "positive numbers"),
])
def test_with_lrs_rejects_bad_learning_rates(lrs, match):
    with pytest.raises(ValueError, match=match):
        with_lrs(optim.adam(), lrs)


def test_with_lrs_checks_its_inputs():
    with pytest.raises(ValueError, match="course_lib.optim optimizer"):
        with_lrs("adam", [0.1])
    with pytest.raises(ValueError, match="no update rule is known for the optimizer 'lion'"):
        with_lrs(optim.adam()._replace(name="lion"), [0.1])
    opt = with_lrs(optim.adam(), [0.1, 0.2])
    assert opt.hyperparams["lr"] == (0.1, 0.2) and opt.hyperparams["beta1"] == 0.9
    with pytest.raises(ValueError, match=r"shape \(2, d\)"):
        opt.update(np.zeros((3, 2)), np.zeros((3, 2)), opt.init(np.zeros((3, 2))))
    with pytest.raises(ValueError, match="grad has shape"):
        opt.update(np.zeros((2, 2)), np.zeros((2, 3)), opt.init(np.zeros((2, 2))))
    with pytest.raises(ValueError, match=r"x0 must have shape \(2,\)"):
        lr_sweep(optim.adam(), objectives.beale(), [1.0], [0.1])
    with pytest.raises(ValueError, match="Objective"):
        lr_sweep(optim.adam(), lambda x: x, [1.0], [0.1])


def test_log_grid():
    np.testing.assert_array_equal(log_grid(1e-3, 1, per_decade=1), [1e-3, 1e-2, 1e-1, 1.0])
    grid = log_grid(1e-4, 10, per_decade=2)
    assert len(grid) == 11 and grid[0] == 1e-4 and grid[-1] == 10.0 and grid[1] == 3.16e-4
    assert np.all(np.diff(grid) > 0)
    with pytest.raises(ValueError, match="0 < low < high"):
        log_grid(1.0, 0.1)
    with pytest.raises(ValueError, match="per_decade"):
        log_grid(0.1, 1.0, per_decade=0)
