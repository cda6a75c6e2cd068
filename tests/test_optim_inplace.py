"""The in-place Adam fast path reproduces the readable rule bit for bit, with either engine, and refuses what it
cannot do."""

import importlib.util

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import optim
from course_lib.optim import inplace
from course_lib.optim.inplace import adam_update_inplace

CONFIGS = {
    "adam": dict(lr=1e-2),
    "adam, beta1 = 0.3 (the other rounding branch of the EMA)": dict(lr=1e-2, beta1=0.3),
    "adam, coupled weight decay": dict(lr=1e-2, weight_decay=0.1),
    "amsgrad": dict(lr=1e-2, amsgrad=True),
    "amsgrad, coupled weight decay": dict(lr=3e-2, amsgrad=True, weight_decay=0.05),
}
ADAMW = {
    "adamw": dict(lr=1e-2),
    "adamw, amsgrad": dict(lr=1e-2, amsgrad=True, weight_decay=0.2),
    "adamw, no decay": dict(lr=1e-2, weight_decay=0.0),
}
OPTS = {**{k: optim.adam(**v) for k, v in CONFIGS.items()}, **{k: optim.adamw(**v) for k, v in ADAMW.items()}}
HAVE_NUMBA = "numba" in inplace.available_engines()      # installed, and it imports
#: Both engines; the compiled one where Numba is installed (``make test`` installs it: the ``fast`` extra).
ENGINES = ["numpy", pytest.param("numba", marks=pytest.mark.skipif(not HAVE_NUMBA, reason="Numba is not installed, or does not import"))]


def _grads(rng, shape, steps):
    """Gradients whose scale changes from step to step, so v and v_max both move (AMSGrad's max matters)."""
    return [rng.standard_normal(shape) * rng.choice([0.01, 1.0, 30.0]) for _ in range(steps)]


def _both(opt, p0, grads, **kwargs):
    """Run the pure update and the in-place path side by side; return both final (params, state)."""
    pure = (p0, opt.init(p0))
    fast_p = {k: v.copy() for k, v in p0.items()} if isinstance(p0, dict) else p0.copy()
    fast = (fast_p, opt.init(fast_p))
    for g in grads:
        pure = opt.update(pure[0], g, pure[1])
        fast = adam_update_inplace(opt, fast[0], g, fast[1], **kwargs)
        assert fast[0] is fast_p, "the in-place path returns the very params object it updated"
    return pure, fast


def _assert_identical(pure_state, fast_state):
    assert fast_state.step == pure_state.step
    for field in ("m", "v", "v_max"):
        assert np.array_equal(getattr(fast_state, field), getattr(pure_state, field)), field


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", OPTS)
@pytest.mark.parametrize("size, chunk, threads", [
    (1, 4, 1),            # a single element
    (1000, 4096, 1),      # one partial chunk
    (10_007, 1000, 1),    # a prime size: ragged last chunk
    (10_007, 1000, 3),    # ragged spans over three threads
    (5, 2, 8),            # more threads than chunks: three spans
    (100_000, 4096, 2),   # two threads, many chunks each
])
def test_inplace_is_bit_identical_to_the_readable_rule(name, size, chunk, threads, engine):
    opt = OPTS[name]
    rng = np.random.default_rng(size + threads)
    p0 = rng.standard_normal(size)
    (p_pure, s_pure), (p_fast, s_fast) = _both(opt, p0, _grads(rng, size, 12), chunk=chunk, threads=threads,
                                               engine=engine)
    assert np.array_equal(p_fast, p_pure)
    _assert_identical(s_pure, s_fast)


@pytest.mark.parametrize("engine", ENGINES)
def test_inplace_handles_dicts_and_multidimensional_arrays(engine):
    opt = optim.adamw(lr=0.05, weight_decay=0.1, amsgrad=True)
    rng = np.random.default_rng(0)
    p0 = {"W": rng.standard_normal((37, 11)), "b": rng.standard_normal(11)}
    grads = [{k: rng.standard_normal(v.shape) for k, v in p0.items()} for _ in range(6)]
    (p_pure, s_pure), (p_fast, s_fast) = _both(opt, p0, grads, chunk=64, threads=2, engine=engine)
    for k in p0:
        assert p_fast[k].shape == p0[k].shape
        assert np.array_equal(p_fast[k], p_pure[k])
        _assert_identical(s_pure[k], s_fast[k])


@pytest.mark.parametrize("engine", ENGINES)
@settings(max_examples=40, deadline=None)
@given(lr=st.floats(1e-4, 1.0), beta1=st.floats(0.0, 0.99), beta2=st.floats(0.0, 0.9999),
       eps=st.sampled_from([0.0, 1e-8, 1e-3]), weight_decay=st.sampled_from([0.0, 0.01, 0.5]),
       amsgrad=st.booleans(), decoupled=st.booleans(), size=st.integers(1, 300), chunk=st.integers(1, 64),
       threads=st.integers(1, 4), seed=st.integers(0, 2**32 - 1))
def test_inplace_matches_for_any_hyperparameters(lr, beta1, beta2, eps, weight_decay, amsgrad, decoupled, size,
                                                  chunk, threads, seed, engine):
    make = optim.adamw if decoupled else optim.adam
    opt = make(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
    rng = np.random.default_rng(seed)
    p0 = rng.standard_normal(size)
    (p_pure, s_pure), (p_fast, s_fast) = _both(opt, p0, _grads(rng, size, 5), chunk=chunk, threads=threads,
                                               engine=engine)
    # eps = 0 with a zero gradient entry gives 0/0 in both paths; NaN must then appear in the same places
    assert np.array_equal(p_fast, p_pure, equal_nan=True)
    for field in ("m", "v", "v_max"):
        assert np.array_equal(getattr(s_fast, field), getattr(s_pure, field), equal_nan=True)


def test_a_mathematically_equal_but_differently_rounded_ema_is_caught(monkeypatch):
    """The comparison can fail: the textbook EMA beta*m + (1-beta)*g equals torch's lerp only up to rounding."""
    def textbook_ema(average, value, weight, keep, scratch):
        np.multiply(value, weight, out=scratch)
        np.multiply(average, keep, out=average)
        np.add(average, scratch, out=average)

    monkeypatch.setattr(inplace, "_ema_into", textbook_ema)
    rng = np.random.default_rng(3)
    p0 = rng.standard_normal(10_000)
    (p_pure, s_pure), (p_fast, s_fast) = _both(optim.adam(lr=1e-2), p0, _grads(rng, 10_000, 3), threads=2,
                                               engine="numpy")
    assert np.allclose(p_fast, p_pure, rtol=1e-12, atol=0)      # the same maths ...
    assert not np.array_equal(s_fast.m, s_pure.m)               # ... but not the same bits, and the test sees it


@pytest.mark.parametrize("engine", ENGINES)
def test_inplace_leaves_the_gradient_alone(engine):
    opt = optim.adam(lr=0.1, weight_decay=0.1)
    p, g = np.ones(50), np.linspace(-1, 1, 50)
    g_before = g.copy()
    adam_update_inplace(opt, p, g, opt.init(p), chunk=7, threads=2, engine=engine)
    assert np.array_equal(g, g_before)


@pytest.mark.parametrize("call, message", [
    (lambda p, g, s: adam_update_inplace(optim.sgd(lr=0.1), p, g, s), "opt must be built by optim.adam"),
    (lambda p, g, s: adam_update_inplace("adam", p, g, s), "opt must be built by optim.adam or optim.adamw, got 'adam'"),
    (lambda p, g, s: adam_update_inplace(optim.adam(), p, g, s, chunk=0), "chunk must be a positive integer, got 0"),
    (lambda p, g, s: adam_update_inplace(optim.adam(), p, g, s, threads=1.5), "threads must be a positive integer"),
    (lambda p, g, s: adam_update_inplace(optim.adam(), p, g, s, engine="torch"),
     "engine must be one of 'numpy', 'numba' or None, got 'torch'"),
    (lambda p, g, s: adam_update_inplace(optim.adam(), p.astype(np.float32), g, s, engine="numpy"),
     "params must be a float64 ndarray, got float32"),
    (lambda p, g, s: adam_update_inplace(optim.adam(), p.astype(np.float32), g, s), "params must be a float64 ndarray, got float32"),
    (lambda p, g, s: adam_update_inplace(optim.adam(), list(p), g, s), "params must be a float64 ndarray, got list"),
    (lambda p, g, s: adam_update_inplace(optim.adam(), p, g[:3], s), "grad has shape (3,) but params has shape (8,)"),
    (lambda p, g, s: adam_update_inplace(optim.adam(), p, g, s._replace(m=s.m[:2])), "state.m has shape (2,)"),
    (lambda p, g, s: adam_update_inplace(optim.adam(), p, g, (s.m, s.v)), "state must be the AdamState from opt.init"),
    (lambda p, g, s: adam_update_inplace(optim.adam(), np.zeros(16)[::2], g, s), "params must be C-contiguous"),
    (lambda p, g, s: adam_update_inplace(optim.adam(), p, g, s._replace(v=s.m)), "state.m and state.v share memory"),
    (lambda p, g, s: adam_update_inplace(optim.adam(), p, p, s), "params and grad share memory"),
    (lambda p, g, s: adam_update_inplace(optim.adam(), {"w": p}, g, {"w": s}), "grad must be a dict with the keys ['w']"),
    (lambda p, g, s: adam_update_inplace(optim.adam(), {"w": p}, {"w": g}, {"w": s._replace(v=s.v[:1])}),
     "state['w'].v has shape (1,) but params['w'] has shape (8,)"),
])
def test_inplace_rejects_bad_input_with_a_clear_message(call, message):
    p, g = np.ones(8), np.ones(8)
    s = optim.adam().init(p)
    with pytest.raises(ValueError) as err:
        call(p, g, s)
    assert message in str(err.value)


def test_inplace_refuses_read_only_params():
    p = np.ones(4)
    p.flags.writeable = False
    opt = optim.adam()
    with pytest.raises(ValueError, match="params is read-only"):
        adam_update_inplace(opt, p, np.ones(4), opt.init(np.ones(4)))


@pytest.mark.parametrize("engine", ENGINES)
def test_both_engines_check_their_input(engine):
    p = np.ones(8)
    s = optim.adam().init(p)
    with pytest.raises(ValueError, match=r"grad has shape \(3,\) but params has shape \(8,\)"):
        adam_update_inplace(optim.adam(), p, np.ones(3), s, engine=engine)


def test_the_default_engine_is_numba_where_it_is_installed(monkeypatch):
    assert inplace.default_engine() == ("numba" if HAVE_NUMBA else "numpy")
    assert inplace.available_engines() == (("numpy", "numba") if HAVE_NUMBA else ("numpy",))
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "numba" else real(name, *a))
    inplace._numba_problem.cache_clear()
    try:
        assert inplace.default_engine() == "numpy" and inplace.available_engines() == ("numpy",)
        p = np.ones(4)
        with pytest.raises(ValueError, match=r"engine 'numba' cannot run: Numba is not installed. Install it with pip"):
            adam_update_inplace(optim.adam(), p, np.ones(4), optim.adam().init(p), engine="numba")
    finally:
        inplace._numba_problem.cache_clear()


def test_a_numba_that_does_not_import_leaves_the_numpy_engine(tmp_path):
    """E.g. a Numba too old for the installed NumPy: the default is then the NumPy engine, and asking for Numba's
    says why it cannot run (instead of an ImportError from deep inside)."""
    import os
    import subprocess
    import sys

    (tmp_path / "numba").mkdir()
    (tmp_path / "numba" / "__init__.py").write_text("raise ImportError('Numba needs NumPy 1.0')\n")
    code = ("import numpy as np; from course_lib import optim; p = np.ones(3); s = optim.adam().init(p); "
            "print(optim.inplace.default_engine()); optim.adam_update_inplace(optim.adam(), p, np.ones(3), s); "
            "optim.adam_update_inplace(optim.adam(), p, np.ones(3), s, engine='numba')")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.stdout.split() == ["numpy"], done.stderr[-2000:]
    assert ("ValueError: engine 'numba' cannot run: Numba is installed but does not import "
            "(ImportError: Numba needs NumPy 1.0)") in done.stderr


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("opt", [optim.adam(lr=0.1, eps=0.0), optim.adam(lr=0.1, eps=0.0, amsgrad=True, weight_decay=0.5),
                                 optim.adamw(lr=0.1, eps=1e-8, amsgrad=True, weight_decay=0.1),
                                 optim.adam(lr=0.1, beta1=0.2, eps=0.0, amsgrad=True)],
                         ids=["adam, eps 0", "amsgrad, coupled decay, eps 0", "adamw, amsgrad", "amsgrad, beta1 0.2"])
def test_both_engines_follow_the_rule_through_zeros_nans_and_infinities(engine, opt):
    """A zero gradient with eps = 0 (0/0), NaN and inf in the parameters and the gradient, a NaN or a signed zero in
    AMSGrad's running maximum (np.maximum keeps a NaN, and gives the second of two equal zeros): the same numbers,
    NaN in the same places and zeros with the same sign."""
    p0 = np.array([0.0, -0.0, 1.0, np.nan, np.inf, -np.inf, 1e300, -2.0, 3.0, 0.5])
    g = np.array([0.0, 0.0, np.nan, 1.0, -np.inf, 2.0, 1e300, 0.0, 1.0, -1.0])
    state = opt.init(p0)
    state = state._replace(v=np.array([0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 4.0]),
                           v_max=np.array([-0.0, 0.0, np.nan, 0.0, 1.0, np.nan, 0.0, -0.0, np.nan, 1.0]))
    with np.errstate(all="ignore"):             # (0/0, inf - inf: the NaN is what is compared)
        pure = opt.update(p0, g, state)
        fast = adam_update_inplace(opt, p0.copy(), g, state._replace(m=state.m.copy(), v=state.v.copy(),
                                                                     v_max=state.v_max.copy()), engine=engine)
    for name, got, want in [("params", fast[0], pure[0]), ("m", fast[1].m, pure[1].m), ("v", fast[1].v, pure[1].v),
                            ("v_max", fast[1].v_max, pure[1].v_max)]:
        assert np.array_equal(got, want, equal_nan=True), (name, got, want)
        number = ~np.isnan(want)
        assert np.array_equal(np.signbit(got[number]), np.signbit(want[number])), (name, got, want)


#: Two threads stepping their own models with the numba engine at once; prints whether both got the rule's bits.
_TWO_THREADS = """
import threading
import numpy as np
from course_lib import optim

opt = optim.adam(lr=1e-2)
rng = np.random.default_rng(5)
starts = [rng.standard_normal(200_000) for _ in range(2)]
grads = [[rng.standard_normal(200_000) for _ in range(30)] for _ in range(2)]
same = [False, False]

def train(i):
    p, state = starts[i].copy(), opt.init(starts[i])
    pure = (starts[i], opt.init(starts[i]))
    for g in grads[i]:
        state = optim.adam_update_inplace(opt, p, g, state, engine="numba")[1]
        pure = opt.update(pure[0], g, pure[1])
    same[i] = np.array_equal(p, pure[0]) and np.array_equal(state.v, pure[1].v)

workers = [threading.Thread(target=train, args=(i,)) for i in range(2)]
for w in workers:
    w.start()
for w in workers:
    w.join()
import numba
print(numba.threading_layer(), same)
"""


@pytest.mark.skipif(not HAVE_NUMBA, reason="Numba is not installed, or does not import")
def test_the_numba_engine_can_be_used_from_two_threads_at_once():
    """Numba's default thread pool ("workqueue", where no OpenMP or TBB is found) ends the whole process when two
    threads launch a parallel loop at once: the engine makes the second wait. Run in a process of its own with that
    pool, as on a machine without the others: without the engine's lock, that process aborts and this test fails."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "NUMBA_THREADING_LAYER": "workqueue"}
    done = subprocess.run([sys.executable, "-c", _TWO_THREADS], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["workqueue", "[True,", "True]"], done.stdout


def test_numba_is_imported_only_when_its_engine_runs():
    """``import course_lib`` stays quick (``make bench``: goal <= 0.3 s): it does not import Numba, and neither does
    the NumPy engine when it is asked for."""
    import subprocess
    import sys

    code = ("import sys, numpy as np; from course_lib import optim; p = np.ones(3); "
            "optim.adam_update_inplace(optim.adam(), p, np.ones(3), optim.adam().init(p), engine='numpy'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('numba', 'llvmlite')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
