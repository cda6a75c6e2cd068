"""Assertions for the exercise tests: each failure says what was expected and what was got.

The tests of ``exercises/`` (run by ``grader.check("q1")`` and by the autograder)
call these instead of bare ``assert`` so that every message has the same shape::

    >>> close("eta_max", 0.4, 0.5)
    Traceback (most recent call last):
    AssertionError: eta_max: expected 0.5, got 0.4

An unanswered question (a ``...`` placeholder, or a function stub that returns
``None``) gets its own message, so a learner knows what is left to do.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["answered", "number", "close", "array", "allclose", "function", "call", "equal", "fail"]


def fail(message):
    """Raise the :class:`AssertionError` that the test reports."""
    raise AssertionError(message)


def answered(name, value):
    """Fail if ``value`` is still the ``...`` placeholder (or ``None``); return it otherwise."""
    if value is ... or value is None:
        fail(f"{name} is not answered yet: replace the ... with your answer")
    return value


def number(name, value):
    """``value`` as a float; fail unless it is one real, finite number."""
    answered(name, value)
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        fail(f"{name} should be a number, got {type(value).__name__}: {_show(value)}")
    value = float(value)
    if not np.isfinite(value):
        fail(f"{name} should be a finite number, got {value}")
    return value


def close(name, got, expected, rtol=1e-6, atol=1e-9, hint=""):
    """Fail unless the number ``got`` is within ``atol + rtol*|expected|`` of ``expected``."""
    got = number(name, got)
    if not abs(got - expected) <= atol + rtol * abs(expected):
        fail(f"{name}: expected {expected:.8g}, got {got:.8g}" + (f" ({hint})" if hint else ""))
    return got


def array(name, value, shape=None):
    """``value`` as a float array; fail unless it is one (of ``shape``, if given) with finite entries."""
    answered(name, value)
    try:
        out = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        fail(f"{name} should be an array of numbers, got {type(value).__name__}: {_show(value)}")
    if shape is not None and out.shape != tuple(shape):
        fail(f"{name} should have shape {tuple(shape)}, got shape {out.shape}: {_show(value)}")
    if not np.all(np.isfinite(out)):
        fail(f"{name} should be finite, got {_show(out)}")
    return out


def allclose(name, got, expected, rtol=1e-7, atol=1e-10, hint=""):
    """Fail unless the array ``got`` has the shape of ``expected`` and matches it entry by entry."""
    expected = np.asarray(expected, dtype=float)
    got = array(name, got, expected.shape)
    if not np.allclose(got, expected, rtol=rtol, atol=atol):
        worst = np.max(np.abs(got - expected))
        fail(f"{name}: expected {_show(expected)}, got {_show(got)} (largest difference {worst:.3g})"
             + (f"; {hint}" if hint else ""))
    return got


def equal(name, got, expected, hint=""):
    """Fail unless ``got == expected`` (for labels, booleans, integers, tuples)."""
    answered(name, got)
    if isinstance(expected, bool) and not isinstance(got, (bool, np.bool_)):
        fail(f"{name} should be True or False, got {type(got).__name__}: {_show(got)}")
    if isinstance(expected, str) and not isinstance(got, str):
        fail(f"{name} should be a string such as {expected!r}, got {type(got).__name__}: {_show(got)}")
    if not got == expected:
        fail(f"{name}: expected {expected!r}, got {_show(got)}" + (f" ({hint})" if hint else ""))
    return got


def function(name, f):
    """Fail unless ``f`` is a function."""
    answered(name, f)
    if not callable(f):
        fail(f"{name} should be a function, got {type(f).__name__}: {_show(f)}")
    return f


def call(name, f, *args, **kwargs):
    """Call ``f(*args, **kwargs)``; fail with a readable message if it raises or returns ``None``."""
    function(name, f)
    shown = ", ".join([*(_show(a, 40) for a in args), *(f"{k}={_show(v, 40)}" for k, v in kwargs.items())])
    try:
        out = f(*args, **kwargs)
    except Exception as err:  # noqa: BLE001 - the learner's error becomes the test's message
        fail(f"{name}({shown}) raised {type(err).__name__}: {err}")
    if out is None or out is ...:
        fail(f"{name}({shown}) returned {out!r}: replace the ... with your code and return the result")
    return out


def _show(value, limit=120):
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=6, threshold=8, separator=", ")
    else:
        text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
