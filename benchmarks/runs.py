"""How long :func:`course_lib.run` takes: a 500-step 2-D run per optimizer, and ``run_many`` with 100 starts."""

from __future__ import annotations

import numpy as np

from course_lib import objectives, optim, run, run_many

from .timing import clock_wall_cpu_ms, summary

#: Learning rates at which every optimizer completes 500 steps on Rosenbrock from (-1.5, 2) without diverging.
LEARNING_RATES = {"gd": 1e-3, "sgd": 1e-3, "momentum": 1e-4, "nesterov": 1e-4, "adagrad": 0.5, "rmsprop": 1e-2,
                  "adadelta": 1.0, "adam": 1e-2, "adamw": 1e-2, "nadam": 1e-2, "adamax": 1e-2}


def bench(steps=500, starts=100, repeats=15, seed=0):
    """Time ``run`` and ``run_many`` for every optimizer; returns the ``run`` section of the results."""
    f = objectives.rosenbrock()
    x0 = np.array([-1.5, 2.0])
    x0s = np.random.default_rng(seed).uniform([-2, -1], [2, 3], size=(starts, 2))
    single, many = {}, {}
    for name, lr in LEARNING_RATES.items():
        opt = optim.OPTIMIZERS[name](lr=lr)
        single[name] = _wall_and_cpu(lambda: run(opt, f, x0, steps), repeats)
        many[name] = _wall_and_cpu(lambda: run_many(opt, f, x0s, steps), max(3, repeats // 3))
    return {"objective": f.name, "steps": steps, "starts": starts,
            "run": single, "run_many": many}


def _wall_and_cpu(fn, repeats):
    fn()                                                     # warm-up
    times = [clock_wall_cpu_ms(fn)[1:] for _ in range(repeats)]
    return {**summary([w for w, _ in times]), "cpu_median_ms": summary([c for _, c in times])["median_ms"]}


def rows(section):
    """Table rows: optimizer, run() median, p90 and CPU median, the same for run_many() (ms)."""
    return [[name, r["median_ms"], r["p90_ms"], r["cpu_median_ms"], m["median_ms"], m["p90_ms"], m["cpu_median_ms"]]
            for (name, r), m in zip(section["run"].items(), section["run_many"].values())]


def headers(section):
    return ["optimizer", f"run {section['steps']} steps med", "p90", "CPU med",
            f"run_many {section['starts']}x{section['steps']} med", "p90", "CPU med"]
