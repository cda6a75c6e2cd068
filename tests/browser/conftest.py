"""Browser tests: the course opened in a real JupyterLab in Chromium (``make test-browser``).

They run only when ``COURSE_BROWSER_TESTS=1`` (set by ``make test-browser``), in their own pytest run:
``make test`` never collects them, and never collects the fixture notebooks here either (one of them
is broken on purpose).
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

ENABLED = os.environ.get("COURSE_BROWSER_TESTS") == "1"

collect_ignore = ["fixtures"]
if not ENABLED:
    collect_ignore_glob = ["test_*.py"]

if ENABLED:
    import browser_harness as bh

    MEASURED = bh.MEASURED

    @pytest.fixture(scope="session")
    def lab():
        with bh.Lab() as server:
            yield server

    @pytest.fixture(scope="session")
    def browser():
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            b = bh.launch_browser(p)
            try:
                yield b
            finally:
                b.close()

    @pytest.fixture(scope="session")
    def context(browser):
        """One browser profile for the session, so JupyterLab's scripts come from the HTTP cache.

        ``COURSE_BROWSER_SCALE=2`` makes it a high-density screen (two pixels per CSS pixel), on which the
        explorers draw their figures at twice their resolution.
        """
        context = browser.new_context(viewport=bh.VIEWPORT, device_scale_factor=bh.device_scale())
        try:
            yield context
        finally:
            context.close()

    @pytest.fixture
    def page(context, lab):
        """A new tab per notebook; its kernels are stopped afterwards."""
        page = context.new_page()
        try:
            yield page
        finally:
            page.close()
            lab.shutdown_kernels()

    def _chromium_version():
        try:
            return subprocess.run([bh.CHROMIUM, "--version"], capture_output=True, text=True,
                                  timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return "unknown"

    def _reference_ms():
        """The benchmarks' reference workload (``benchmarks.timing.reference_ms``): how fast the machine was."""
        sys.path.insert(0, str(bh.ROOT))
        from benchmarks.timing import reference_ms

        return reference_ms()

    def pytest_sessionfinish(session, exitstatus):
        if not MEASURED["notebooks"] and not MEASURED["fixture"]:
            return
        # Keep the entries of notebooks this session did not run (e.g. `-k 02_`), unless they are gone.
        old = bh.read_results().get("browser", {})
        merged = {kind: {**{k: v for k, v in old.get(kind, {}).items() if (bh.ROOT / k).exists()},
                         **MEASURED[kind]} for kind in ("notebooks", "fixture")}
        section = {
            "goal_ms": 100.0,
            "what": "drag -> repaint latency per slider in JupyterLab + Chromium (first pointer move to the "
                    "first canvas draw that changed the figure's pixels; the median over the slider's timed "
                    "drags, the first drag alone beside it), and Run-All time per notebook",
            "machine": {"chromium": _chromium_version(), "python": platform.python_version(),
                        "cpus": os.cpu_count(), "loadavg_1min": round(os.getloadavg()[0], 2),
                        "date": time.strftime("%Y-%m-%d %H:%M"), "reference_ms": _reference_ms(),
                        "device_scale": bh.device_scale()},
            "notebooks": merged["notebooks"],
            "fixture": merged["fixture"],
        }
        course = [ms for entry in merged["notebooks"].values() for ms in entry["slider_latency_ms"].values()]
        if course:
            section["course_sliders"] = {"n": len(course), "median_ms": round(statistics.median(course), 1),
                                         "max_ms": max(course), "over_goal": sum(ms > 100 for ms in course),
                                         "timed_drags_per_slider": bh.TIMED_DRAGS}
            counts = [n for entry in merged["notebooks"].values() for n in entry.get("slider_timed_drags", {}).values()]
            if counts:
                section["course_sliders"]["sliders_timed_fewer_times"] = sum(n < bh.TIMED_DRAGS for n in counts)
            firsts = [ms for entry in merged["notebooks"].values()
                      for ms in entry.get("slider_first_drag_ms", {}).values()]
            if firsts:
                section["course_sliders"].update(first_drag_median_ms=round(statistics.median(firsts), 1),
                                                 first_drag_over_goal=sum(ms > 100 for ms in firsts))
        # Of each slider's latency (image widgets and course figures): until the new picture or frame
        # arrived, and the decoding and painting after it.
        parts = [(entry["slider_picture_arrived_ms"][k], ms) for entry in merged["notebooks"].values()
                 for k, ms in entry["slider_latency_ms"].items() if k in entry.get("slider_picture_arrived_ms", {})]
        if parts:
            section["course_sliders"].update(
                picture_arrived_median_ms=round(statistics.median(a for a, _ in parts), 1),
                painted_after_arrival_median_ms=round(statistics.median(ms - a for a, ms in parts), 1))
        bh.merge_results("browser", section)
        MEASURED["machine"] = section["machine"]

    def pytest_terminal_summary(terminalreporter):
        rows = []
        for name, entry in {**MEASURED["notebooks"], **MEASURED["fixture"]}.items():
            for slider, ms in entry.get("slider_latency_ms", {}).items():
                rows.append((name, slider, ms))
        tr = terminalreporter
        tr.section("browser: notebook run time (Run All Cells, s)")
        for name, entry in {**MEASURED["notebooks"], **MEASURED["fixture"]}.items():
            tr.write_line(f"{name:60s} {entry.get('run_s', float('nan')):8.2f}")
        tr.section("browser: drag -> repaint latency (ms, goal <= 100)")
        if not rows:
            tr.write_line("no slider was dragged")
        entries = {**MEASURED["notebooks"], **MEASURED["fixture"]}
        arrived = {(name, slider): ms for name, entry in entries.items()
                   for slider, ms in entry.get("slider_picture_arrived_ms", {}).items()}
        first = {(name, slider): ms for name, entry in entries.items()
                 for slider, ms in entry.get("slider_first_drag_ms", {}).items()}
        if rows:
            tr.write_line(f"{'':45s} {'':40s} {'repaint':>8s} {'arrived':>8s} {'painted':>8s} {'1st drag':>8s}")
        for name, slider, ms in rows:
            flag = "" if ms <= 100 else "   (over the 100 ms goal)"
            parts = (f" {arrived[name, slider]:8.1f} {ms - arrived[name, slider]:8.1f}" if (name, slider) in arrived
                     else " " * 18)
            parts += f" {first[name, slider]:8.1f}" if (name, slider) in first else " " * 9
            tr.write_line(f"{name:45s} {slider:40s} {ms:8.1f}{parts}{flag}")
        if rows:
            tr.write_line(f"repaint: the median over up to {bh.TIMED_DRAGS} drags of the slider (those that changed "
                          "the picture) of the time from the first pointer move to the repaint; arrived: when the new "
                          "picture (an image widget) or frame (a course figure) of that median drag reached the page "
                          "(drag -> kernel -> browser); painted: the browser decoding and painting it, until the "
                          "repaint; 1st drag: the first drag's repaint alone")
        if MEASURED["notes"]:
            tr.section("browser: notes")
            for note in MEASURED["notes"]:
                tr.write_line(note)
        if MEASURED.get("machine"):
            env = MEASURED["machine"]
            tr.write_line(f"machine: {env['cpus']} CPUs, load average {env['loadavg_1min']}, reference workload "
                          f"{env['reference_ms']:.1f} ms (benchmarks.timing.reference_ms: the same work in every "
                          "run; a larger number means a slower machine)")
        tr.write_line(f"written to {bh.RESULTS.relative_to(bh.ROOT)} under \"browser\"; "
                      f"screenshots in {bh.ARTIFACTS.relative_to(bh.ROOT)}/")
