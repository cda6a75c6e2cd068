"""Small timing helpers shared by the benchmarks: clocks, summaries, the results file, tables."""

from __future__ import annotations

import io
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).with_name("results.json")


def clock_ms(fn, *args, **kwargs):
    """Run ``fn`` once; return (result, elapsed milliseconds)."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, (time.perf_counter() - start) * 1e3


def clock_wall_cpu_ms(fn, *args, **kwargs):
    """Run ``fn`` once; return (result, wall-clock ms, CPU ms of this process).

    On a machine shared with other work the wall-clock time includes waiting
    for a core; the CPU time is what the code itself costs.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    return result, (time.perf_counter() - wall) * 1e3, (time.process_time() - cpu) * 1e3


def repeat_ms(fn, repeats, warmup=1):
    """Milliseconds of ``repeats`` calls of ``fn()`` after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    return [clock_ms(fn)[1] for _ in range(repeats)]


def summary(ms):
    """Median, 90th percentile and count of a list of milliseconds, rounded for the table."""
    ms = np.asarray(ms, dtype=float)
    return {"median_ms": round(float(np.median(ms)), 2), "p90_ms": round(float(np.percentile(ms, 90)), 2),
            "n": int(ms.size)}


class IpymplEncoder:
    """Encode the canvas the way ipympl sends it: a PNG of the pixels that changed since the last frame.

    Uses the explorers' own frame rule (:func:`course_lib.widgets.ipympl_frame`) on a plain Agg
    canvas, and encodes with either the course's encoder (``course_lib.png.encode_rgba``, what the explorers'
    live canvas sends) or matplotlib's (Pillow at its default compression).
    """

    def __init__(self, encoder="course"):
        self._last = None
        self.encoder = encoder

    def encode(self, rgba):
        from course_lib.widgets import ipympl_frame

        _, image, self._last = ipympl_frame(np.asarray(rgba), self._last)
        if self.encoder == "course":
            from course_lib.png import encode_rgba

            return len(encode_rgba(image))
        from PIL import Image

        with io.BytesIO() as png:
            Image.fromarray(image).save(png, format="png")
            return len(png.getvalue())


def _reference_work(samples):
    """A fixed single-threaded workload like a course cell's: an interpreter loop and small NumPy calls."""
    total = 0.0
    for i in range(200_000):
        total += i * 0.5
    for _ in range(4_000):
        total += float(np.exp(samples).sum())
    return total


def reference_ms(repeats=9):
    """The median milliseconds of :func:`_reference_work`: the same work in every run, whatever the code.

    The host of a virtual machine can make every process slower for a while; comparing this number
    between two runs of the benchmarks tells a slower machine from slower code.
    """
    samples = np.linspace(0.0, 1.0, 1000)
    return round(float(np.median(repeat_ms(lambda: _reference_work(samples), repeats))), 2)


def machine():
    """Where the numbers were measured, with the time of the reference workload (see :func:`reference_ms`)."""
    import matplotlib
    load = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None
    return {"python": platform.python_version(), "numpy": np.__version__, "matplotlib": matplotlib.__version__,
            "cpus": os.cpu_count(), "platform": platform.platform(terse=True),
            "date": time.strftime("%Y-%m-%d %H:%M"), "load_average_1_5_15_min": load,
            "reference_ms": reference_ms()}


def merge_results(sections, path=RESULTS):
    """Write ``sections`` into the JSON file at ``path``, keeping every other section already there."""
    data = json.loads(path.read_text()) if path.exists() else {}
    data.update(sections)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return data


def table(rows, headers):
    """A plain-text table (first column left-aligned, numbers right-aligned)."""
    cells = [[str(h) for h in headers]] + [[f"{c:.1f}" if isinstance(c, float) else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for k, r in enumerate(cells):
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
