"""The whole course: notebook execution times, ``import course_lib``, and an Adam step at scale.

* **Notebooks** -- each ``notebooks/*.ipynb`` executed headless by nbclient in a fresh kernel, from the
  kernel's start to the last cell's reply (its three slowest cells named; the kernel's shutdown is timed
  apart, see :func:`notebook_times`), and the whole course as their sum. Goals: each notebook <= 15 s,
  the course <= 60 s.
* **Import** -- ``import course_lib`` in a fresh interpreter (median of several), with the modules that
  cost the most according to ``python -X importtime``. Goal <= 0.3 s. Submodules other than ``optim`` and
  ``run`` load on first use, so the time of ``from course_lib import objectives`` (which needs sympy) is
  reported next to it.
* **Adam step** -- one ``course_lib.optim.adam`` update on 1 M and 10 M float64 parameters, against the
  memory-bandwidth bound (Adam streams 7 arrays: reads p, g, m, v and writes p, m, v; at the
  ``numpy.copyto`` bandwidth measured at the same size) and against ``torch.optim.Adam`` on the CPU
  (``foreach=True``, the single-tensor path and ``fused=True``, on torch's threads and on one thread)
  when torch is installed. Goal: >= 0.5x the bound. The course's paths are timed: the pure
  ``opt.update`` (the readable rule, a fresh array per operation) and the fast path
  :func:`course_lib.optim.adam_update_inplace` (the same operations in place, on one thread and on all
  CPUs) with each of its engines that can run here: ``numpy`` (chunk by chunk, a pass per operation)
  and, where Numba is installed, ``numba`` (one compiled loop), after checking here too that every
  engine reproduces the rule bit for bit. The goal is judged on the fast path with its default engine
  (:func:`course_lib.optim.inplace.default_engine`), the one meant for large models.

``python -m benchmarks.course`` runs this part alone (``--quick`` for a smoke run that writes nothing).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from .timing import RESULTS, machine, merge_results, reference_ms, repeat_ms, table

ROOT = Path(__file__).resolve().parents[1]
GOALS = {"notebook_s": 15.0, "course_s": 60.0, "import_s": 0.3, "adam_vs_bound": 0.5}
STREAMS = 7  # Adam: read p, g, m, v; write p, m, v


# ------------------------------------------------------------------------------------------- notebooks
def notebook_times(notebooks=None, timeout=600):
    """Execute each notebook with nbclient in a fresh kernel.

    ``seconds`` runs from the request to start the kernel to the reply of the last cell: what a learner
    waits for with "Restart kernel and run all cells". The kernel's shutdown after the last cell is timed
    apart (``teardown_seconds``): nobody waits for it, and it now and then stalls for about 2.5 s (the
    kernel does not exit at once and jupyter_client waits half its ``shutdown_wait_time`` before killing
    it), which would otherwise add seconds of noise unrelated to the notebook. ``wall_seconds`` is both.

    ``kernel_cpu_seconds`` is the CPU time (user + system) the kernel process used, start to exit (all its
    threads). It leaves out the time the kernel waited for a core that other processes were using, so a
    wall-clock time well above it points at a busy machine rather than a slower notebook; a slower core
    (e.g. a virtual machine whose host is busy) makes both grow.
    """
    import resource
    import nbclient
    import nbformat

    paths = sorted((ROOT / "notebooks").glob("*.ipynb")) if notebooks is None else [Path(p) for p in notebooks]
    out = {}
    for path in paths:
        nb = nbformat.read(str(path), as_version=4)
        executed = []
        client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                         resources={"metadata": {"path": str(path.parent)}},
                                         on_cell_executed=lambda **_: executed.append(time.perf_counter()))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        error = ""
        try:
            client.execute()
        except Exception as err:  # noqa: BLE001 -- a failing notebook is reported, the rest still timed
            error = f"{type(err).__name__}: {str(err).strip().splitlines()[-1][:200] if str(err).strip() else ''}"
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)     # the kernel has exited and been waited for
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        run = (executed[-1] if executed else start + wall) - start
        cells = _cell_seconds(nb)
        slowest = sorted(cells, key=lambda c: -c[1])[:3]
        out[path.stem] = {"seconds": round(run, 2), "cells_seconds": round(sum(t for _, t, _ in cells), 2),
                          "teardown_seconds": round(wall - run, 2), "wall_seconds": round(wall, 2),
                          "kernel_cpu_seconds": round(cpu, 2),
                          "slowest_cells": [{"cell": i, "seconds": round(t, 2), "source": src}
                                            for i, t, src in slowest],
                          "error": error}
    return out


def _cell_seconds(nb):
    """(index, seconds, first source line) of each executed cell, from nbclient's timing metadata."""
    from datetime import datetime

    def when(stamp):
        return datetime.fromisoformat(stamp.replace("Z", "+00:00"))

    out = []
    for i, cell in enumerate(nb.cells):
        timing = cell.get("metadata", {}).get("execution", {})
        start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
        if start and end:
            first = next((line for line in cell.source.splitlines()
                          if line.strip() and not line.startswith("#")), "")
            out.append((i, (when(end) - when(start)).total_seconds(), first[:70]))
    return out


# ---------------------------------------------------------------------------------------------- import
_IMPORT_SNIPPET = "import time; t = time.perf_counter(); {} ; print(time.perf_counter() - t)"
IMPORTS = {"package": "import course_lib", "with_objectives": "from course_lib import objectives"}


def import_time(repeats=7):
    """Each of ``IMPORTS`` in ``repeats`` fresh interpreters: median seconds; the heaviest imports of the package."""
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}

    def once(statement):
        return float(subprocess.run([sys.executable, "-c", _IMPORT_SNIPPET.format(statement)], check=True,
                                    capture_output=True, text=True, env=env, cwd=ROOT).stdout)

    times = {name: [once(statement) for _ in range(repeats)] for name, statement in IMPORTS.items()}
    trace = subprocess.run([sys.executable, "-X", "importtime", "-c", IMPORTS["package"]], check=True,
                           capture_output=True, text=True, env=env, cwd=ROOT).stderr
    top = {}
    for line in trace.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        # cumulative time of each top-level package (wherever first imported) and of course_lib's modules
        if m and ("." not in m.group(3) or m.group(3).startswith("course_lib.")) and m.group(3) != "course_lib":
            top[m.group(3)] = max(top.get(m.group(3), 0), int(m.group(1)))
    heaviest = sorted(top.items(), key=lambda kv: -kv[1])[:6]
    return {"median_s": round(statistics.median(times["package"]), 3),
            "runs_s": [round(t, 3) for t in times["package"]],
            "with_objectives_median_s": round(statistics.median(times["with_objectives"]), 3),
            "heaviest_ms": {name: round(us / 1e3, 1) for name, us in heaviest}}


# ------------------------------------------------------------------------------------------------ Adam
def copy_bandwidth(n, repeats):
    """Bytes per second of ``numpy.copyto`` on ``n`` float64 (one read and one write stream)."""
    src, dst = np.random.default_rng(1).standard_normal(n), np.empty(n)
    ms = statistics.median(repeat_ms(lambda: np.copyto(dst, src), repeats, warmup=2))
    return 2 * n * 8 / (ms / 1e3)


def engines():
    """The engines of ``adam_update_inplace`` that can run here, the default one first."""
    from course_lib.optim import inplace

    default = inplace.default_engine()
    return [default] + [e for e in inplace.available_engines() if e != default]


def _fast_path_is_identical(n=100_003, steps=3):
    """``adam_update_inplace`` with each engine against the pure update bit for bit, at a benchmark-like size
    (also unit-tested)."""
    return all(_engine_is_identical(engine, n, steps) for engine in engines())


def _engine_is_identical(engine, n, steps):
    from course_lib import optim

    rng = np.random.default_rng(2)
    p0, g = rng.standard_normal(n), rng.standard_normal(n)
    for opt in (optim.adam(lr=1e-2), optim.adam(lr=1e-2, beta1=0.3), optim.adamw(lr=1e-2, amsgrad=True)):
        ref, fast_p = (p0, opt.init(p0)), p0.copy()
        fast = (fast_p, opt.init(fast_p))
        for _ in range(steps):
            ref = opt.update(*ref[:1], g, ref[1])
            fast = optim.adam_update_inplace(opt, fast[0], g, fast[1], engine=engine)
        if not all(np.array_equal(a, b) for a, b in [(fast[0], ref[0]), (fast[1].m, ref[1].m),
                                                      (fast[1].v, ref[1].v), (fast[1].v_max, ref[1].v_max)]):
            return False
    return True


def adam_step(n, repeats, torch_too=True):
    """Median milliseconds of one Adam update on ``n`` float64 parameters, next to its bounds."""
    from course_lib import optim

    rng = np.random.default_rng(0)
    p0, g = rng.standard_normal(n), rng.standard_normal(n)
    hp = dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)
    opt = optim.adam(**hp)
    box = {"p": p0.copy(), "state": opt.init(p0)}

    def step():
        box["p"], box["state"] = opt.update(box["p"], g, box["state"])

    course = statistics.median(repeat_ms(step, repeats, warmup=2))

    threads = optim.inplace.default_threads()
    fast, run_on = {}, engines()
    for engine in run_on:
        for t in sorted({1, threads}):
            p, state = p0.copy(), opt.init(p0)
            box = {"state": state}

            def fast_step(t=t, p=p, box=box, engine=engine):
                box["state"] = optim.adam_update_inplace(opt, p, g, box["state"], threads=t, engine=engine)[1]

            fast[engine, t] = statistics.median(repeat_ms(fast_step, repeats, warmup=2))   # (numba compiles first)

    bandwidth = copy_bandwidth(n, repeats)
    bound = STREAMS * n * 8 / bandwidth * 1e3
    result = {"n": n, "course_lib_ms": round(course, 3), "bound_ms": round(bound, 3),
              "copyto_GBps": round(bandwidth / 1e9, 2), "course_lib_vs_bound": round(bound / course, 3),
              "inplace_threads": threads, "inplace_engine": run_on[0]}
    for i, engine in enumerate(run_on):          # the default engine's keys have no engine in their name
        name = "inplace" if i == 0 else f"inplace_{engine}"
        result.update({f"{name}_1thread_ms": round(fast[engine, 1], 3),
                       f"{name}_1thread_vs_bound": round(bound / fast[engine, 1], 3),
                       f"{name}_ms": round(fast[engine, threads], 3),
                       f"{name}_vs_bound": round(bound / fast[engine, threads], 3)})
    if torch_too:
        result.update(_torch_adam(p0, g, hp, repeats))
        for key in [k for k in result if k.startswith("torch_") and k.endswith("_ms")]:
            result[key.replace("_ms", "_vs_bound")] = round(bound / result[key], 3)
    return result


TORCH_VARIANTS = {"foreach": {"foreach": True}, "single_tensor": {"foreach": False}, "fused": {"fused": True}}


def _torch_adam(p0, g, hp, repeats):
    """torch.optim.Adam's CPU step: foreach, single-tensor and fused, on torch's threads and on one thread
    (NumPy uses one)."""
    try:
        import torch
    except ImportError:
        return {"torch": "not installed"}
    default_threads = torch.get_num_threads()
    out = {"torch": torch.__version__, "torch_threads": default_threads}
    for threads, suffix in ((default_threads, ""), (1, "_1thread")):
        torch.set_num_threads(threads)
        try:
            for name, options in TORCH_VARIANTS.items():
                p = torch.tensor(p0, dtype=torch.float64, requires_grad=True)
                p.grad = torch.tensor(g, dtype=torch.float64)
                try:
                    opt = torch.optim.Adam([p], lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"],
                                           **options)
                    out[f"torch_{name}{suffix}_ms"] = round(statistics.median(repeat_ms(opt.step, repeats, 2)), 3)
                except (RuntimeError, TypeError):  # e.g. no fused CPU Adam in an old torch
                    pass
        finally:
            torch.set_num_threads(default_threads)
    return out


# ---------------------------------------------------------------------------------------------- report
def bench(quick=False, notebooks=None):
    """Everything above; returns the ``course`` section of ``results.json``."""
    repeats = 5 if quick else 21
    sizes = (1_000_000,) if quick else (1_000_000, 10_000_000)
    if notebooks is None and quick:  # a smoke run executes the first notebook only
        notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))[:1]
    env = machine()                               # its reference workload is timed before the notebooks run
    nbs = notebook_times(notebooks)
    env["reference_ms_after"] = reference_ms()    # and after: the machine may have changed speed meanwhile
    section = {"goals": GOALS, "machine": env,
               "notebooks": nbs,
               "course_s": round(sum(r["seconds"] for r in nbs.values()), 2),
               "course_kernel_cpu_s": round(sum(r["kernel_cpu_seconds"] for r in nbs.values()), 2),
               "import": import_time(3 if quick else 9),
               "adam": {f"{n // 1_000_000}M": adam_step(n, repeats) for n in sizes},
               "adam_inplace_identical_to_rule": _fast_path_is_identical()}
    return section


def report(section):
    """The printed tables, and the list of missed goals."""
    from course_lib.optim import inplace

    lines, missed = [], []
    nbs = section["notebooks"]
    env = section["machine"]
    lines.append(f"Machine: {env['cpus']} CPUs, load average {env['load_average_1_5_15_min']}, reference workload "
                 f"{env['reference_ms']:.1f} ms before the notebooks and {env['reference_ms_after']:.1f} ms after "
                 f"(the same work in every run: a larger number means a slower machine, not slower code)\n")
    lines.append(f"Notebooks, executed headless by nbclient in a fresh kernel each (s; goal <= "
                 f"{GOALS['notebook_s']:g} s each, <= {GOALS['course_s']:g} s for the course)\n")
    if nbs:
        rows = [[name, r["seconds"], r["cells_seconds"], r["teardown_seconds"], r["kernel_cpu_seconds"],
                 "ERROR: " + r["error"] if r["error"] else ("" if r["seconds"] <= GOALS["notebook_s"] else "over goal"),
                 ", ".join(f"#{c['cell']} {c['seconds']:.1f}" for c in r["slowest_cells"])]
                for name, r in nbs.items()]
        rows.append(["whole course", section["course_s"], round(sum(r["cells_seconds"] for r in nbs.values()), 2),
                     round(sum(r["teardown_seconds"] for r in nbs.values()), 2), section["course_kernel_cpu_s"],
                     "" if section["course_s"] <= GOALS["course_s"] else "over goal", ""])
        lines.append(table(rows, ["notebook", "run s", "cells s", "teardown s", "kernel CPU s", "",
                                  "slowest cells (s)"]))
        lines.append("run = kernel start + every cell (the goal's measure); cells = the cells alone; teardown = "
                     "the kernel's shutdown afterwards, not counted; kernel CPU = the CPU time the kernel used "
                     "(all threads; without the waits for a core that other processes held)")
        missed += [f"notebook {n} ({r['seconds']} s)" for n, r in nbs.items() if r["seconds"] > GOALS["notebook_s"]]
        missed += [f"notebook {n} failed" for n, r in nbs.items() if r["error"]]
        if section["course_s"] > GOALS["course_s"]:
            missed.append(f"course ({section['course_s']} s)")
    else:
        lines.append("(no notebooks in notebooks/ yet)")
    imp = section["import"]
    lines.append(f"\nimport course_lib: median {imp['median_s'] * 1e3:.0f} ms of {len(imp['runs_s'])} fresh "
                 f"interpreters (goal <= {GOALS['import_s'] * 1e3:.0f} ms); heaviest: "
                 + ", ".join(f"{k} {v:.0f} ms" for k, v in imp["heaviest_ms"].items())
                 + f"\nfrom course_lib import objectives (loads sympy): median "
                 f"{imp['with_objectives_median_s'] * 1e3:.0f} ms")
    if imp["median_s"] > GOALS["import_s"]:
        missed.append(f"import ({imp['median_s']} s)")
    lines.append(f"\nAdam step, float64 (ms; bound = {STREAMS} streams at the bandwidth of numpy.copyto on one "
                 f"thread, which a compiled loop on several threads can beat; ratio = bound / time, goal >= "
                 f"{GOALS['adam_vs_bound']:g})\n")
    rows = []
    for size, r in sorted(section["adam"].items(), key=lambda kv: kv[1]["n"]):
        same = ("bit-identical to the pure update" if section["adam_inplace_identical_to_rule"]
                else "DIFFERS from the pure update")
        rows.append([f"{size} course_lib: pure opt.update", r["course_lib_ms"], f"{r['course_lib_vs_bound']:.2f}",
                     "readable rule, new arrays"])
        default = r.get("inplace_engine", "numpy")      # (results written before there were engines: numpy)
        for engine in [default] + [e for e in inplace.ENGINES if e != default and f"inplace_{e}_ms" in r]:
            name = "inplace" if engine == default else f"inplace_{engine}"
            label = f"{size} course_lib: adam_update_inplace, {engine}" + (" (default)" if engine == default else "")
            rows.append([label, r[f"{name}_1thread_ms"], f"{r[f'{name}_1thread_vs_bound']:.2f}", f"1 thread, {same}"])
            if r["inplace_threads"] > 1:
                rows.append([label, r[f"{name}_ms"], f"{r[f'{name}_vs_bound']:.2f}",
                             f"{r['inplace_threads']} threads (default)"])
        for name in TORCH_VARIANTS:
            for suffix, threads in (("", r.get("torch_threads")), ("_1thread", 1)):
                key = f"torch_{name}{suffix}_ms"
                if key in r:
                    rows.append([f"{size} torch Adam {name.replace('_', '-')}", r[key],
                                 f"{r[key.replace('_ms', '_vs_bound')]:.2f}", f"{threads} thread{'s' * (threads != 1)}"])
        rows.append([f"{size} bandwidth bound", r["bound_ms"], "1.00", f"copyto {r['copyto_GBps']} GB/s"])
        if r["inplace_vs_bound"] < GOALS["adam_vs_bound"]:
            missed.append(f"Adam {size} ({r['inplace_vs_bound']:.2f}x the bound with adam_update_inplace, "
                          f"{r.get('inplace_engine', 'numpy')} engine)")
    lines.append(table(rows, ["case", "median ms", "vs bound", ""]))
    return "\n".join(lines), missed


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.course", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short smoke run; results.json is not written")
    args = parser.parse_args(argv)
    section = bench(quick=args.quick)
    text, missed = report(section)
    print(text)
    print("\nCourse goals met." if not missed else "\nCourse goals missed: " + "; ".join(missed))
    if not args.quick:
        merge_results({"course": section})
        print(f"\nWritten to {RESULTS}")


if __name__ == "__main__":
    main()
