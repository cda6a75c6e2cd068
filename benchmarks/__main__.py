"""``python -m benchmarks`` (``make bench``): time the explorers and the runs, write ``results.json``, print tables.

Options: ``--quick`` for a short smoke run (fewer updates, nothing written).
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("MPLBACKEND", "Agg")

from . import course, explorers, runs  # noqa: E402 - the backend must be chosen before matplotlib is imported
from .timing import RESULTS, machine, merge_results, table  # noqa: E402

#: The goal of issue 3: one slider update (compute + redraw) within this many milliseconds (median).
GOAL_MS = 30.0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short smoke run; results.json is not written")
    args = parser.parse_args(argv)
    updates, repeats = (5, 2) if args.quick else (60, 15)
    section_explorers = explorers.bench(updates=updates, rebuild_updates=min(updates, 20))
    titles = explorers.title_placement(rounds=2 if args.quick else 6)
    first = explorers.first_panel_redraw(rounds=2 if args.quick else 6)
    minor = explorers.log_minor_ticks(rounds=2 if args.quick else 6)
    deflate = explorers.deflate_backends()
    ahead = explorers.trained_ahead(moves=3 if args.quick else 8)
    section_runs = runs.bench(repeats=repeats)
    env = machine()
    print(f"Explorer updates (ms; {updates} slider positions per explorer; {env['cpus']} CPUs, "
          f"load average {env['load_average_1_5_15_min']}, reference workload {env['reference_ms']:.1f} ms, "
          f"matplotlib {env['matplotlib']}; "
          f"goal: update median <= {GOAL_MS:g} ms)\n")
    print(table(explorers.rows(section_explorers), explorers.HEADERS))
    print(f"\nOptimization runs on {section_runs['objective']} (ms)\n")
    print(table(runs.rows(section_runs), runs.headers(section_runs)))
    print(f"\nTitle placement: OptimizerExplorer's one-panel redraws take {titles['auto']['median_ms']} ms "
          f"(median of {titles['auto']['n']}) with matplotlib's automatic title placement, "
          f"{titles['fixed']['median_ms']} ms with the course's titles fixed above the axes (axes.titley = 1)")
    print(f"First one-panel redraw of a new OptimizerExplorer: {first['measured']['median_ms']} ms (median of "
          f"{first['measured']['n']}) with its panels measured while its cell ran (Painter.measure), "
          f"{first['not_measured']['median_ms']} ms without")
    print(f"Log loss panel: OptimizerExplorer's one-panel redraws take {minor['major']['median_ms']} ms "
          f"(median of {minor['major']['n']}) with a tick at each decade, as the explorers draw it, "
          f"{minor['minor']['median_ms']} ms with matplotlib's minor ticks too")
    print("Deflating one explorer frame (PNG rows, RGB): "
          + "; ".join(f"{k} {v['median_ms']} ms, {v['kB']} kB" for k, v in deflate.items()))
    print(f"Notebook 08's threshold explorer: a move trained when asked {ahead['asked']['median_ms']} ms, "
          f"one trained ahead {ahead['ahead']['median_ms']} ms (medians of {ahead['asked']['n']}); training "
          f"ahead the {ahead['settings']} settings next to the one on show took {ahead['all_ahead_s']} s")
    missed = [name for name, r in section_explorers.items() if r["blit"]["total"]["median_ms"] > GOAL_MS]
    print("\nGoal met by every explorer." if not missed else f"\nGoal missed by: {', '.join(missed)}")
    if not args.quick:
        merge_results({"explorers": {"machine": env, "goal_ms": GOAL_MS, "results": section_explorers,
                                     "title_placement": titles, "first_panel_redraw": first,
                                     "deflate": deflate, "trained_ahead": ahead,
                                     "log_minor_ticks": minor},
                       "run": {"machine": env, **section_runs}})
        print(f"\nWritten to {RESULTS}")
    print()
    course.main(["--quick"] if args.quick else [])  # notebooks, import time, Adam at scale (benchmarks/course.py)


if __name__ == "__main__":
    main()
