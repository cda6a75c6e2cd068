r"""A fast path for Adam on large arrays: the same step as :func:`~course_lib.optim.adam_rule`, in place.

The readable rule builds every intermediate of

.. math::

    m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
    v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \qquad
    \theta_t = \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\,\frac{m_t}{\sqrt{v_t}/\sqrt{1-\beta_2^t} + \epsilon}

as a fresh full-size array: about thirteen passes over main memory plus new
allocations per step. :func:`adam_update_inplace` performs *the same
operations on the same operands in the same order* -- so the result is
identical to the last bit (``tests/test_optim_inplace.py`` checks it with
``np.array_equal``) -- with one of two engines:

``"numpy"``
    writes NumPy's operations with ``out=`` into the parameters, the moments
    and small scratch buffers, so nothing is allocated per step; works
    ``chunk`` elements at a time, so the temporaries stay in the CPU cache; and
    splits the array into one contiguous span per thread (NumPy releases the GIL
    inside its loops, so the spans run in parallel). It still makes thirteen
    passes over each chunk.
``"numba"``
    the same operations in one loop over the elements, compiled by Numba
    (:mod:`course_lib.optim._fused`), so each element is read and written once.
    Numba is optional (``pip install -e '.[fast]'``); where it is installed,
    this is the default. On a million parameters it took a quarter of the NumPy
    engine's time (``make bench``).

It is meant for models with millions of parameters; on the small problems of
the notebooks the pure :meth:`Optimizer.update` is just as fast and easier to
read.
"""

from __future__ import annotations

import importlib.util
import os
import threading

import numpy as np

from ._core import _check_same_keys, positive_int
from .adam import AdamState

__all__ = ["adam_update_inplace", "default_threads", "default_engine", "ADAM_FAMILY", "DEFAULT_CHUNK", "ENGINES"]

#: Adam-family optimizers this fast path implements (``Optimizer.name``).
ADAM_FAMILY = ("adam", "amsgrad", "adamw")
#: Elements per chunk: 32768 float64 = 256 KiB per buffer, so a chunk of every array fits in L2 cache.
DEFAULT_CHUNK = 1 << 15
#: The ways :func:`adam_update_inplace` can compute the step (see the module's docstring).
ENGINES = ("numpy", "numba")


def default_threads():
    """The number of CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def default_engine():
    """``"numba"`` where Numba is installed, else ``"numpy"`` (found without importing it)."""
    return "numba" if importlib.util.find_spec("numba") is not None else "numpy"


def _engine(engine):
    """The engine to use: ``engine``, checked, or the default; the ``"numba"`` engine needs Numba installed."""
    if engine is None:
        return default_engine()
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(map(repr, ENGINES))} or None, got {engine!r}")
    if engine == "numba" and importlib.util.find_spec("numba") is None:
        raise ValueError("engine 'numba' needs Numba, which is not installed: pip install -e '.[fast]' "
                         "(or pip install numba), or use engine='numpy'")
    return engine


def adam_update_inplace(opt, params, grad, state, *, chunk=DEFAULT_CHUNK, threads=None, engine=None):
    r"""``opt.update(params, grad, state)`` for Adam, AMSGrad or AdamW, written into ``params`` and ``state``.

    Parameters
    ----------
    opt : Optimizer
        Built by :func:`~course_lib.optim.adam` (with or without ``amsgrad``) or
        :func:`~course_lib.optim.adamw`.
    params : ndarray or dict of ndarray
        Writable, C-contiguous float64 arrays; **overwritten** with the new parameters.
    grad : ndarray or dict of ndarray
        The gradient, same shapes; only read.
    state : AdamState or dict of AdamState
        From ``opt.init(params)`` or a previous step; its ``m``, ``v`` and
        ``v_max`` arrays are **overwritten**.
    chunk : int
        Elements processed per NumPy call (the ``"numpy"`` engine).
    threads : int, optional
        Threads to split each array over (with the ``"numpy"`` engine, at most one
        per ``chunk`` elements); by default :func:`default_threads`.
    engine : {"numpy", "numba"}, optional
        How to compute the step (see the module's docstring); by default
        :func:`default_engine`. Both give the same bits.

    Returns
    -------
    params, state
        The same ``params`` object (updated) and the new state, whose step
        counter is one higher and whose arrays are those of ``state``.

    Examples
    --------
    >>> from course_lib import optim
    >>> opt = optim.adam(lr=0.1)
    >>> p = np.array([1.0, -2.0])
    >>> pure, _ = opt.update(p, 2 * p, opt.init(p))
    >>> fast, _ = adam_update_inplace(opt, p.copy(), 2 * p, opt.init(p))
    >>> np.array_equal(pure, fast)
    True
    """
    if getattr(opt, "name", None) not in ADAM_FAMILY:
        raise ValueError(f"opt must be built by optim.adam or optim.adamw, got {opt.label() if hasattr(opt, 'label') else repr(opt)}")
    chunk = positive_int("chunk", chunk)
    threads = positive_int("threads", default_threads() if threads is None else threads)
    update = _update_fused if _engine(engine) == "numba" else _update_array
    hp = opt.hyperparams
    if isinstance(params, dict):
        _check_same_keys(params, grad, state)
        new = {k: update(params[k], grad[k], state[k], hp, chunk, threads, f"[{k!r}]") for k in params}
        return params, new
    return params, update(params, grad, state, hp, chunk, threads, "")


def _update_fused(p, g, state, hp, chunk, threads, where):
    """The ``"numba"`` engine on one array (``chunk`` is the NumPy engine's; a compiled loop needs none)."""
    from . import _fused                    # imports Numba: only when this engine is used

    _check_arrays(p, g, state, where)
    t = state.step + 1
    _fused.run(*(a.reshape(-1) for a in (p, g, state.m, state.v, state.v_max)), hp, _step_factors(hp, t), threads)
    return AdamState(t, state.m, state.v, state.v_max)


def _update_array(p, g, state, hp, chunk, threads, where):
    """The ``"numpy"`` engine on one array."""
    _check_arrays(p, g, state, where)
    t = state.step + 1
    factors = _step_factors(hp, t)
    size = p.size
    threads = max(1, min(threads, -(-size // chunk)))      # no thread gets less than a chunk of work
    spans = [(size * i // threads, size * (i + 1) // threads) for i in range(threads)]
    spans = [s for s in spans if s[1] > s[0]]
    flat = [a.reshape(-1) for a in (p, g, state.m, state.v, state.v_max)]
    workers = [threading.Thread(target=_update_span, args=(*flat, lo, hi, chunk, hp, factors))
               for lo, hi in spans[1:]]
    for w in workers:
        w.start()
    try:
        if spans:
            _update_span(*flat, *spans[0], chunk, hp, factors)
    finally:
        for w in workers:
            w.join()
    return AdamState(t, state.m, state.v, state.v_max)


def _step_factors(hp, t):
    r"""The scalars of step ``t``: :math:`\eta/(1-\beta_1^t)` and :math:`\sqrt{1-\beta_2^t}`, as ``adam_rule`` computes them."""
    return {"step_size": hp["lr"] / (1 - hp["beta1"] ** t), "bias_correction2_sqrt": (1 - hp["beta2"] ** t) ** 0.5}


def _update_span(p, g, m, v, v_max, lo, hi, chunk, hp, factors):
    """Adam on elements ``lo:hi``, ``chunk`` at a time, with two scratch buffers of this thread's own."""
    size = min(chunk, hi - lo)
    scratch = (np.empty(size), np.empty(size), np.empty(size))
    for s in range(lo, hi, chunk):
        e = min(s + chunk, hi)
        a, b, c = (buf[: e - s] for buf in scratch)
        _adam_chunk(p[s:e], g[s:e], m[s:e], v[s:e], v_max[s:e], a, b, c, hp, factors)


def _adam_chunk(p, g, m, v, v_max, a, b, c, hp, f):
    r"""``adam_rule`` on one chunk, written into ``p``, ``m``, ``v``, ``v_max`` (scratch: ``a``, ``b``, ``c``).

    Each line is the readable rule's operation with its operands in the same
    order, so the rounding is the same.
    """
    lr, beta1, beta2, eps, wd = hp["lr"], hp["beta1"], hp["beta2"], hp["eps"], hp["weight_decay"]
    if wd and hp["decoupled"]:                  # theta <- theta (1 - lr lambda)            (AdamW)
        np.multiply(p, 1 - lr * wd, out=p)
    elif wd:                                    # g <- g + lambda theta                      (Adam)
        np.multiply(p, wd, out=c)
        g = np.add(g, c, out=c)
    _ema_into(m, g, beta1, a)                   # m <- beta1 m + (1 - beta1) g, rounded as torch's lerp
    np.multiply(v, beta2, out=v)                # v <- beta2 v + (1 - beta2) g g
    np.multiply(g, 1 - beta2, out=b)
    np.multiply(b, g, out=b)
    np.add(v, b, out=v)
    if hp["amsgrad"]:                           # v_max <- max(v_max, v)                      (AMSGrad)
        np.maximum(v_max, v, out=v_max)
    np.sqrt(v_max if hp["amsgrad"] else v, out=a)   # denom = sqrt(v) / sqrt(1 - beta2^t) + eps
    np.divide(a, f["bias_correction2_sqrt"], out=a)
    np.add(a, eps, out=a)
    np.multiply(m, f["step_size"], out=b)       # theta <- theta - lr / (1 - beta1^t) m / denom
    np.divide(b, a, out=b)
    np.subtract(p, b, out=p)


def _ema_into(average, value, beta, scratch):
    r""":func:`~course_lib.optim._core.ema` in place: :math:`a + (1-\beta)(x-a)`, or :math:`x - \beta(x-a)` when :math:`1-\beta \ge 0.5`."""
    weight = 1 - beta
    np.subtract(value, average, out=scratch)
    if weight < 0.5:
        np.multiply(scratch, weight, out=scratch)
        np.add(average, scratch, out=average)
    else:
        np.multiply(scratch, 1 - weight, out=scratch)
        np.subtract(value, scratch, out=average)


def _check_arrays(p, g, state, where):
    if not isinstance(state, AdamState):
        raise ValueError(f"state{where} must be the AdamState from opt.init, got {type(state).__name__}")
    named = {f"params{where}": p, f"grad{where}": g, f"state{where}.m": state.m, f"state{where}.v": state.v,
             f"state{where}.v_max": state.v_max}
    for name, arr in named.items():
        if not isinstance(arr, np.ndarray) or arr.dtype != np.float64:
            kind = arr.dtype if isinstance(arr, np.ndarray) else type(arr).__name__
            raise ValueError(f"{name} must be a float64 ndarray, got {kind}")
        if arr.shape != p.shape:
            raise ValueError(f"{name} has shape {arr.shape} but params{where} has shape {p.shape}")
        if not arr.flags.c_contiguous:
            raise ValueError(f"{name} must be C-contiguous (use np.ascontiguousarray)")
    for name in (f"params{where}", f"state{where}.m", f"state{where}.v", f"state{where}.v_max"):
        if not named[name].flags.writeable:
            raise ValueError(f"{name} is read-only; the in-place step writes into it")
    written = [f"params{where}", f"state{where}.m", f"state{where}.v", f"state{where}.v_max"]
    for i, x in enumerate(written):
        for y in [*written[i + 1:], f"grad{where}"]:
            if np.shares_memory(named[x], named[y]):
                raise ValueError(f"{x} and {y} share memory; the in-place step needs separate arrays")

