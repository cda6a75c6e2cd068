"""The quadratic convergence theory in course_lib.rates against sympy, brute force and measured runs."""

import numpy as np
import pytest
import sympy as sp

from course_lib import objectives, optim, rates, run


def test_gd_optimal_is_the_best_constant_lr():
    lr, rate = rates.gd_optimal(1.0, 10.0)
    assert lr == pytest.approx(2 / 11) and rate == pytest.approx(9 / 11)
    grid = np.linspace(0.01, 0.2, 2000)
    best = min(rates.gd_rate(h, [1.0, 10.0]) for h in grid)
    assert rate <= best + 1e-12 and rates.gd_rate(lr, [1.0, 10.0]) == pytest.approx(rate)


def test_momentum_optimal_matches_the_spectral_radius_and_beats_a_grid():
    lr, beta, rate = rates.momentum_optimal(1.0, 100.0)
    assert rate == pytest.approx(9 / 11)                      # (sqrt(100) - 1) / (sqrt(100) + 1)
    assert beta == pytest.approx((9 / 11) ** 2) and lr == pytest.approx((2 / 11) ** 2)
    assert rates.momentum_rate(lr, beta, [1.0, 100.0]) == pytest.approx(rate, rel=1e-6)
    best = min(rates.momentum_rate(h, b, [1.0, 100.0])
               for h in np.linspace(0.01, 0.05, 60) for b in np.linspace(0.3, 0.95, 60))
    assert rate <= best + 1e-9


@pytest.mark.parametrize("lam_max", [10.0, 100.0])
def test_measured_rates_match_the_predictions(lam_max):
    f = objectives.quadratic(1, lam_max)
    lr, gd_rate = rates.gd_optimal(1, lam_max)
    t = run(optim.gd(lr), f, [1.0, 1.0], steps=300)
    assert rates.measured_rate(t) == pytest.approx(gd_rate, rel=0.02)
    lr, beta, m_rate = rates.momentum_optimal(1, lam_max)
    t = run(optim.momentum(lr, beta), f, [1.0, 1.0], steps=300)
    # at the optimum T(mu) and T(L) have a double eigenvalue: the error decays like k rho^k, so allow 5%
    assert rates.measured_rate(t) == pytest.approx(m_rate, rel=0.05)
    assert m_rate < gd_rate


def test_gd_diverges_beyond_two_over_L():
    f = objectives.quadratic(0.2, 4)          # 0.1 x^2 + 2 y^2: L = 4, so eta < 0.5
    assert run(optim.gd(0.4), f, [3.0, 1.0], steps=300).success
    assert rates.gd_rate(0.4, [0.2, 4]) < 1 < rates.gd_rate(0.6, [0.2, 4])
    assert not run(optim.gd(0.6), f, [3.0, 1.0], steps=300).success


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_momentum_stability_region(beta):
    lam = 1.0
    edge = (2 + 2 * beta) / lam
    for lr, stable in [(edge * 0.98, True), (edge * 1.02, False)]:
        assert rates.momentum_stable(lr, beta, lam) is stable
        assert (rates.momentum_rate(lr, beta, lam) < 1) is stable
        t = run(optim.momentum(lr, beta) if beta else optim.gd(lr), objectives.parabola(0.5), [1.0], steps=3000)
        assert t.success is stable


def test_critical_damping_gives_a_double_eigenvalue():
    lr, lam = 0.04, 1.0
    beta = rates.critical_momentum(lr, lam)
    assert beta == pytest.approx(0.64)
    eig = np.linalg.eigvals(rates.momentum_matrix(lr, beta, lam))
    assert eig[0] == pytest.approx(eig[1], abs=1e-6) and abs(eig[0].imag) < 1e-6
    assert np.all(np.abs(np.linalg.eigvals(rates.momentum_matrix(lr, beta + 0.05, lam)).imag) > 0)
    assert np.all(np.linalg.eigvals(rates.momentum_matrix(lr, beta - 0.05, lam)).imag == 0)


def test_the_closed_forms_with_sympy():
    eta, beta, lam = sp.symbols("eta beta lambda", positive=True)
    z = sp.Symbol("z")
    T = sp.Matrix([[1 + beta - eta * lam, -beta], [1, 0]])
    charpoly = sp.expand(T.charpoly(z).as_expr())
    assert charpoly == sp.expand(z**2 - (1 + beta - eta * lam) * z + beta)
    # double root <=> discriminant zero <=> beta = (1 - sqrt(eta lam))^2 (the branch with eta lam <= 1)
    disc = (1 + beta - eta * lam) ** 2 - 4 * beta
    assert sp.simplify(disc.subs(beta, (1 - sp.sqrt(eta * lam)) ** 2)) == 0
    # GD: |1 - eta mu| = |1 - eta L| balances at eta = 2 / (mu + L)
    mu, L = sp.symbols("mu L", positive=True)
    assert sp.solve(sp.Eq(1 - eta * mu, eta * L - 1), eta) == [2 / (L + mu)]


@pytest.mark.parametrize("lr, mu", [(0.0198, 0.0), (0.01, 0.818), (0.012, 0.5), (0.005, 0.95)])
def test_nesterov_rate_matches_measured_runs(lr, mu):
    f = objectives.quadratic(1, 100)                   # eigenvalues 1 and 100, as in the momentum notebook
    predicted = rates.nesterov_rate(lr, mu, [1.0, 100.0])
    t = run(optim.nesterov(lr, mu) if mu else optim.gd(lr), f, [-1.0, 0.1], steps=600)
    assert predicted < 1 and rates.measured_rate(t) == pytest.approx(predicted, rel=0.03)
    if mu == 0:                                        # no momentum: gradient descent
        assert predicted == pytest.approx(rates.gd_rate(lr, [1.0, 100.0]))


def test_nesterov_matrix_is_torchs_update_and_its_polynomial():
    eta, mu, lam, p, b, z = sp.symbols("eta mu lambda p b z")
    new_b = mu * b + lam * p
    new_p = p - eta * (lam * p + mu * new_b)
    N = sp.Matrix([new_p, new_b]).jacobian([p, b])
    assert sp.simplify(sp.Matrix(rates.nesterov_matrix(eta, mu, lam)) - N) == sp.zeros(2, 2)
    assert sp.expand(N.charpoly(z).as_expr()) == sp.expand(z**2 - (1 + mu) * (1 - eta * lam) * z + mu * (1 - eta * lam))
    # and a step of the library's optimizer is that matrix applied to (p, b) (f = lam p^2 / 2, so g = lam p)
    opt, lam_, p0 = optim.nesterov(lr=0.1, momentum=0.7), 2.0, np.array([1.5])
    p1, state = opt.update(p0, lam_ * p0, opt.init(p0))
    b1 = state.momentum_buffer.copy()
    p2, state = opt.update(p1, lam_ * p1, state)
    np.testing.assert_allclose([p2[0], state.momentum_buffer[0]],
                               rates.nesterov_matrix(0.1, 0.7, lam_) @ np.array([p1[0], b1[0]]), rtol=1e-14)


def test_bad_input():
    with pytest.raises(ValueError, match="eigenvalues must be positive"):
        rates.gd_rate(0.1, [0.0, 1.0])
    with pytest.raises(ValueError, match="lr must be positive, got -1"):
        rates.momentum_rate(-1, 0.5, [1.0])
    with pytest.raises(ValueError, match="beta must be non-negative, got -0.5"):
        rates.momentum_rate(0.1, -0.5, [1.0])
    with pytest.raises(ValueError, match="mu must be non-negative, got -0.5"):
        rates.nesterov_rate(0.1, -0.5, [1.0])
    with pytest.raises(ValueError, match="eigenvalues must be positive"):
        rates.nesterov_rate(0.1, 0.5, [-1.0])
    with pytest.raises(ValueError, match="skip must be in"):
        rates.measured_rate(run(optim.gd(0.1), objectives.parabola(), [1.0], steps=5), skip=1.0)
