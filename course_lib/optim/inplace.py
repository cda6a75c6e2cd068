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
    The same bits too, except that a NaN may come out with the other sign bit.
    Numba is optional (``pip install -e '.[fast]'``); where it is installed and
    imports, this is the default. On a million parameters it took a fifth of the
    NumPy engine's time on two threads, under a third on one (``make bench``). The
    first call in a process compiles the loop (about a second), or loads it from
    Numba's cache on disk.

It is meant for models with millions of parameters; on the small problems of
the notebooks the pure :meth:`Optimizer.update` is just as fast and easier to
read.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import threading

import numpy as np

from ._core import _check_same_keys, positive_int
from .adam import AdamState

__all__ = ["adam_update_inplace", "default_threads", "default_engine", "available_engines", "ADAM_FAMILY",
           "DEFAULT_CHUNK", "ENGINES"]

#: Adam-family optimizers this fast path implements (``Optimizer.name``).
ADAM_FAMILY = ("adam", "amsgrad", "adamw")
#: Elements per chunk: 32768 float64 = 256 KiB per buffer, so a chunk of every array fits in L2 cache.
DEFAULT_CHUNK = 1 << 15
#: The ways :func:`adam_update_inplace` can compute the step (see the module's docstring).
ENGINES = ("numpy", "numba")


def default_threads():
    """The number of CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def available_engines():
    """The engines that can run here: ``"numpy"``, and ``"numba"`` where Numba is installed and imports.

    The first call imports Numba (a fraction of a second); ``import course_lib`` does not.
    """
    return ENGINES if _numba_problem() is None else ("numpy",)


def default_engine():
    """``"numba"`` where it can run (:func:`available_engines`), else ``"numpy"``."""
    return "numba" if "numba" in available_engines() else "numpy"


@functools.cache
def _numba_problem():
    """Why the ``"numba"`` engine cannot run here (Numba missing, or failing to import), or None if it can."""
    if importlib.util.find_spec("numba") is None:
        return "Numba is not installed"
    try:
        importlib.import_module(f"{__package__}._fused")    # imports Numba; its loop compiles on its first call
    except Exception as err:  # noqa: BLE001 - e.g. a Numba too old for this NumPy: the NumPy engine still works
        return f"Numba is installed but does not import ({type(err).__name__}: {err})"
    return None


def _engine(engine):
    """The engine to use: ``engine``, checked, or the default."""
    if engine is None:
        return default_engine()
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(map(repr, ENGINES))} or None, got {engine!r}")
    if engine == "numba" and _numba_problem():
        raise ValueError(f"engine 'numba' cannot run: {_numba_problem()}. Install it with pip install -e '.[fast]' "
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
        :func:`default_engine`. Both give the same bits (but for the sign bit of a NaN).

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
    step = _fused_step if _engine(engine) == "numba" else _numpy_step
    hp = opt.hyperparams
    if isinstance(params, dict):
        _check_same_keys(params, grad, state)
        new = {k: _update_array(params[k], grad[k], state[k], hp, step, chunk, threads, f"[{k!r}]") for k in params}
        return params, new
    return params, _update_array(params, grad, state, hp, step, chunk, threads, "")


def _update_array(p, g, state, hp, step, chunk, threads, where):
    """Check one array and its state, then take the step with an engine's ``step`` function."""
    _check_arrays(p, g, state, where)
    t = state.step + 1
    step(*(a.reshape(-1) for a in (p, g, state.m, state.v, state.v_max)), _step_scalars(hp, t), chunk, threads)
    return AdamState(t, state.m, state.v, state.v_max)


def _step_scalars(hp, t):
    r"""Every scalar of step ``t``, computed in Python once, as :func:`~course_lib.optim.adam_rule` and
    :func:`~course_lib.optim._core.ema` compute them, for both engines.

    ``step_size`` is :math:`\eta/(1-\beta_1^t)`, ``bias_correction2_sqrt`` :math:`\sqrt{1-\beta_2^t}`,
    ``decay_factor`` :math:`1-\eta\lambda` (AdamW), ``weight`` :math:`1-\beta_1` and ``keep``
    :math:`1-(1-\beta_1)` (the EMA's two rounding branches), ``one_minus_beta2`` :math:`1-\beta_2`.
    """
    weight = 1 - hp["beta1"]
    return {"wd": float(hp["weight_decay"]), "decoupled": bool(hp["decoupled"]),
            "decay_factor": 1 - hp["lr"] * hp["weight_decay"], "weight": weight, "keep": 1 - weight,
            "beta2": hp["beta2"], "one_minus_beta2": 1 - hp["beta2"], "amsgrad": bool(hp["amsgrad"]),
            "eps": hp["eps"], "step_size": hp["lr"] / (1 - hp["beta1"] ** t),
            "bias_correction2_sqrt": (1 - hp["beta2"] ** t) ** 0.5}


def _fused_step(p, g, m, v, v_max, scalars, chunk, threads):
    """The ``"numba"`` engine on flat arrays (``chunk`` is the NumPy engine's: a compiled loop needs none)."""
    from . import _fused                    # imports Numba: only when this engine is used

    _fused.run(p, g, m, v, v_max, scalars, threads)


def _numpy_step(p, g, m, v, v_max, scalars, chunk, threads):
    """The ``"numpy"`` engine on flat arrays: one contiguous span per thread (no thread gets less than a chunk)."""
    size = p.size
    threads = max(1, min(threads, -(-size // chunk)))
    spans = [(size * i // threads, size * (i + 1) // threads) for i in range(threads)]
    spans = [s for s in spans if s[1] > s[0]]
    arrays = (p, g, m, v, v_max)
    workers = [threading.Thread(target=_update_span, args=(*arrays, lo, hi, chunk, scalars)) for lo, hi in spans[1:]]
    for w in workers:
        w.start()
    try:
        if spans:
            _update_span(*arrays, *spans[0], chunk, scalars)
    finally:
        for w in workers:
            w.join()


def _update_span(p, g, m, v, v_max, lo, hi, chunk, scalars):
    """Adam on elements ``lo:hi``, ``chunk`` at a time, with three scratch buffers of this thread's own."""
    size = min(chunk, hi - lo)
    scratch = (np.empty(size), np.empty(size), np.empty(size))
    for s in range(lo, hi, chunk):
        e = min(s + chunk, hi)
        a, b, c = (buf[: e - s] for buf in scratch)
        _adam_chunk(p[s:e], g[s:e], m[s:e], v[s:e], v_max[s:e], a, b, c, scalars)


def _adam_chunk(p, g, m, v, v_max, a, b, c, s):
    r"""``adam_rule`` on one chunk, written into ``p``, ``m``, ``v``, ``v_max`` (scratch: ``a``, ``b``, ``c``),
    with the step's scalars ``s`` (:func:`_step_scalars`).

    Each line is the readable rule's operation with its operands in the same
    order, so the rounding is the same.
    """
    if s["wd"] and s["decoupled"]:              # theta <- theta (1 - lr lambda)            (AdamW)
        np.multiply(p, s["decay_factor"], out=p)
    elif s["wd"]:                               # g <- g + lambda theta                      (Adam)
        np.multiply(p, s["wd"], out=c)
        g = np.add(g, c, out=c)
    _ema_into(m, g, s["weight"], s["keep"], a)  # m <- beta1 m + (1 - beta1) g, rounded as torch's lerp
    np.multiply(v, s["beta2"], out=v)           # v <- beta2 v + (1 - beta2) g g
    np.multiply(g, s["one_minus_beta2"], out=b)
    np.multiply(b, g, out=b)
    np.add(v, b, out=v)
    if s["amsgrad"]:                            # v_max <- max(v_max, v)                      (AMSGrad)
        np.maximum(v_max, v, out=v_max)
    np.sqrt(v_max if s["amsgrad"] else v, out=a)    # denom = sqrt(v) / sqrt(1 - beta2^t) + eps
    np.divide(a, s["bias_correction2_sqrt"], out=a)
    np.add(a, s["eps"], out=a)
    np.multiply(m, s["step_size"], out=b)       # theta <- theta - lr / (1 - beta1^t) m / denom
    np.divide(b, a, out=b)
    np.subtract(p, b, out=p)


def _ema_into(average, value, weight, keep, scratch):
    r""":func:`~course_lib.optim._core.ema` in place: :math:`a + w(x-a)`, or :math:`x - (1-w)(x-a)` when
    :math:`w \ge 0.5`, for the weight :math:`w = 1-\beta` and ``keep`` :math:`= 1 - w`."""
    np.subtract(value, average, out=scratch)
    if weight < 0.5:
        np.multiply(scratch, weight, out=scratch)
        np.add(average, scratch, out=average)
    else:
        np.multiply(scratch, keep, out=scratch)
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

