"""Grade a folder of exercise submissions with otter-grader and write a gradebook.

Usage::

    python -m course_lib.grade SUBMISSIONS --out grades.csv [--timeout 120] [--jobs 2]

``SUBMISSIONS`` holds one folder per student, each with that student's
notebooks named after the exercise sets: ``SUBMISSIONS/<student>/<NN_topic>.ipynb``.
Every notebook is graded by ``otter run`` against ``exercises/autograder/<NN_topic>.zip``
(public *and* hidden tests) and becomes one row of the CSV:

``student, exercise, q1, q2, ..., total, max, note``

One column per question (empty when that exercise has no such question);
``note`` is empty for a normal grade and otherwise says why the row scores 0
(``"timed out after 120 s"``, ``"not a valid notebook: ..."``, ...). Next to the
CSV, ``<out>-feedback/<student>/<NN_topic>.txt`` holds every test's result and
message and the errors the notebook's cells raised.

Guarantees: each submission runs in its own process, on a temporary copy, with
a time limit, so an infinite loop, ``sys.exit``, a crashing kernel or a broken
file costs only its own row; submissions are never modified; the CSV and the
feedback folder are replaced atomically; rows are sorted, so re-running gives
the same files. A kernel that dies before it answers its first request (two
kernels starting at once can race for the same network port), or does not
answer it in time, has run none of the student's code, so that submission is
started again: at most ``start_attempts`` times in all (``--start-attempts``,
default 3). Its feedback file lists each failed start.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import NamedTuple

__all__ = ["grade", "Submission", "Row", "find_submissions", "autograder_dir", "question_points", "main"]

#: Where ``make exercises`` puts the autograder archives (one ``<NN_topic>.zip`` per set).
DEFAULT_AUTOGRADER_DIR = Path(__file__).resolve().parents[1] / "exercises" / "autograder"
DEFAULT_TIMEOUT = 120.0
DEFAULT_START_ATTEMPTS = 3


class Submission(NamedTuple):
    """One notebook to grade: ``path`` is ``<root>/<student>/<file>``; ``exercise`` names its autograder."""

    student: str
    exercise: str
    path: Path
    problem: str = ""   # non-empty if the submission cannot be graded at all (e.g. unknown exercise)


class Row(NamedTuple):
    """One gradebook row. ``scores`` maps question -> points; ``note`` explains a failed grading."""

    student: str
    exercise: str
    scores: dict
    total: float
    max: float | None
    note: str
    feedback: str


class GradeError(Exception):
    """A problem with the command-line arguments; printed without a traceback."""


# ---------------------------------------------------------------------------
# Finding the autograders and the submissions
# ---------------------------------------------------------------------------

def autograder_dir(path=None):
    """Return the folder of autograder zips, checking that it has some."""
    path = Path(path) if path is not None else DEFAULT_AUTOGRADER_DIR
    if not path.is_dir():
        raise GradeError(f"autograder folder not found: {path} (run `make exercises` to create it)")
    if not sorted(path.glob("*.zip")):
        raise GradeError(f"no autograder archives (*.zip) in {path} (run `make exercises` to create them)")
    return path


def question_points(zip_path):
    """The questions of an autograder archive and their points, in natural order: ``{"q1": 2.0, ...}``."""
    points = {}
    with zipfile.ZipFile(zip_path) as zf:
        for name in zf.namelist():
            if re.fullmatch(r"tests/[^/]+\.py", name):
                source = zf.read(name).decode()
                question = re.search(r'^name\s*=\s*["\'](.+?)["\']', source, re.M)
                total = re.search(r"^points\s*=\s*([0-9.]+)", source, re.M)
                if question:
                    points[question.group(1)] = float(total.group(1)) if total else float(
                        len(re.findall(r"^@test_case", source, re.M)))
    return dict(sorted(points.items(), key=lambda kv: _natural_key(kv[0])))


def _natural_key(name):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def find_submissions(root, exercises):
    """List ``root/<student>/<file>.ipynb`` as :class:`Submission` objects, sorted by student and exercise.

    A file is matched to an exercise by its name (``02_gradient_descent.ipynb``), or, failing that,
    by its two-digit prefix (``02_gradient_descent (1).ipynb``). Checkpoint and hidden folders are skipped.
    """
    root = Path(root)
    if not root.is_dir():
        raise GradeError(f"submissions folder not found: {root}")
    by_number = {}
    for name in exercises:
        by_number.setdefault(name[:2], []).append(name)
    found = []
    for student_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for nb in sorted(student_dir.glob("*.ipynb")):
            if nb.name.startswith("."):
                continue
            stem = nb.stem
            if stem in exercises:
                found.append(Submission(student_dir.name, stem, nb))
            elif re.match(r"\d\d", stem) and len(by_number.get(stem[:2], [])) == 1:
                found.append(Submission(student_dir.name, by_number[stem[:2]][0], nb))
            else:
                found.append(Submission(student_dir.name, stem, nb, problem=(
                    f"unknown exercise: no autograder for {nb.name!r}; name the notebook after its set, "
                    f"e.g. {sorted(exercises)[0]}.ipynb")))
    return found


# ---------------------------------------------------------------------------
# Grading one submission (in a child process)
# ---------------------------------------------------------------------------

def _notebook_problem(path):
    """Return why ``path`` is not a gradable notebook, or ``""`` if it is one."""
    import nbformat

    try:
        nb = nbformat.read(str(path), as_version=4)
        nbformat.validate(nb)
    except Exception as err:  # noqa: BLE001 - any failure to read is reported in the row
        message = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return f"not a valid notebook: {message[:200]}"
    return ""


def _prepare_copy(path, workdir):
    """Copy the submission into ``workdir`` with a kernelspec this environment has; return the copy's path."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    copy = Path(workdir) / "submission" / path.name
    copy.parent.mkdir()
    nbformat.write(nb, str(copy))
    return copy


#: Modules the grading kernel does not need that cost seconds to import. jsonschema (imported by
#: ``import otter`` through nbformat) loads ``rfc3987_syntax`` if it is installed, and that module
#: builds a parser grammar at import time: about 2 s of every kernel's start, for IRI format checks
#: that grading never uses. jsonschema imports it optionally, so a stub that raises ImportError,
#: first on the kernel's PYTHONPATH, only switches that check off.
_SKIPPED_IMPORTS = ("rfc3987_syntax",)


def _skip_slow_imports(workdir):
    """Put stubs of :data:`_SKIPPED_IMPORTS` first on the PYTHONPATH that the grading kernel inherits."""
    stubs = Path(workdir) / "stubs"
    stubs.mkdir(exist_ok=True)
    for name in _SKIPPED_IMPORTS:
        (stubs / f"{name}.py").write_text(f'raise ImportError("{name} is not needed to grade notebooks")\n')
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(stubs), os.environ.get("PYTHONPATH")) if p)


class _SkipImports:
    """A ``sys.meta_path`` finder that makes importing :data:`_SKIPPED_IMPORTS` fail, for this process."""

    def find_spec(self, name, path=None, target=None):
        if name in _SKIPPED_IMPORTS:
            raise ImportError(f"{name} is not needed to grade notebooks")
        return None


def _import_otter():
    """Import otter's runner (once, before forking the grading processes), skipping the slow optional imports."""
    finder = _SkipImports()
    sys.meta_path.insert(0, finder)
    try:
        import otter.run  # noqa: F401
    finally:
        sys.meta_path.remove(finder)


def _grade_in_child(notebook, autograder, result_file, log_file):
    """The body of a grading process: run otter on ``notebook``, write a JSON summary to ``result_file``."""
    os.setsid()   # a process group of its own, so the parent can stop it and its helpers together
    _skip_slow_imports(Path(result_file).parent)
    fd = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.chdir(Path(notebook).parent)
    summary = {}
    try:
        import otter.run

        results = otter.run.main(str(notebook), autograder=str(autograder), output_dir=None, no_logo=True)
        if results.has_catastrophic_failure():
            summary["error"] = f"grading failed: {_one_line(results.catastrophic_error)}"
            summary["never_ready"] = _start_failure(results.catastrophic_error)
        summary["scores"] = {name: float(tf.score) for name, tf in results.results.items()}
        summary["possible"] = {name: float(tf.possible) for name, tf in results.results.items()}
        summary["report"] = results.summary()
        summary["cell_errors"] = _cell_errors(results.notebook)
    except BaseException as err:  # noqa: BLE001 - every failure becomes a row, never a crash
        summary["error"] = _describe_failure(err)
        summary["never_ready"] = _start_failure(err)
    Path(result_file).write_text(json.dumps(summary))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


#: How jupyter_client says that a kernel never became ready, so that none of the notebook's code ran:
#: the kernel process ended while the client waited (for instance because another process took one of
#: the ports it was given, between their choice and its bind: "Address already in use"), or it did not
#: answer within the start-up timeout (a heavily loaded machine).
_NEVER_READY = ("Kernel died before replying to kernel_info", "Kernel didn't respond in")


def _start_failure(err):
    """``err`` in one line if it says the kernel never became ready (:data:`_NEVER_READY`), else ``""``."""
    return _one_line(err) if isinstance(err, RuntimeError) and any(s in str(err) for s in _NEVER_READY) else ""


def _one_line(err):
    text = str(err).strip()
    return f"{type(err).__name__}: {text.splitlines()[0][:200]}" if text else type(err).__name__


def _describe_failure(err):
    name = type(err).__name__
    if name == "DeadKernelError":
        return "the kernel died while running the notebook (os._exit, a crash or out of memory)"
    if isinstance(err, SystemExit):
        return f"the notebook stopped the grader with sys.exit({err.code!r})"
    return f"grading failed: {_one_line(err)}"


def _cell_errors(nb):
    """The errors raised by the notebook's own cells: ``["cell 7: NameError: name 'x' is not defined", ...]``."""
    errors = []
    for i, cell in enumerate(getattr(nb, "cells", None) or []):
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            if out.get("output_type") == "error":
                errors.append(f"cell {i}: {out.get('ename')}: {str(out.get('evalue', ''))[:300]}")
    return errors


def _descendants(pid):
    """All processes descended from ``pid`` (Linux ``/proc``; ``psutil`` elsewhere if installed)."""
    try:
        import psutil

        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except Exception:  # noqa: BLE001 - psutil missing or the process gone
        pass
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _kill_tree(pid):
    """Stop a grading process, its process group and every descendant (the kernel runs in its own session)."""
    victims = _descendants(pid)
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
    for p in [pid, *victims]:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass


class _Job:
    """A running grading process for one submission."""

    def __init__(self, context, submission, autograder, workdir):
        self.submission = submission
        self.workdir = Path(workdir)
        self.result_file = self.workdir / "result.json"
        self.log_file = self.workdir / "log.txt"
        copy = _prepare_copy(submission.path, workdir)
        self.process = context.Process(target=_grade_in_child,
                                       args=(str(copy), str(autograder), str(self.result_file), str(self.log_file)))
        self.started = time.monotonic()
        self.process.start()

    def elapsed(self):
        return time.monotonic() - self.started


def _row(submission, points, summary, note=""):
    """Turn a child's summary (or a failure ``note``) into a :class:`Row` and its feedback text."""
    maximum = sum(points.values()) if points else None
    scores = {q: 0.0 for q in points}
    lines = [f"student:  {submission.student}", f"exercise: {submission.exercise}",
             f"file:     {submission.path.name}"]
    if not note and summary.get("error"):
        note = summary["error"]
    if not note:
        for q, s in summary.get("scores", {}).items():
            scores[q] = round(s, 6)
        missing = sorted(set(points) - set(summary.get("scores", {})), key=_natural_key)
        if missing:
            note = f"no result for {', '.join(missing)}"
    total = round(sum(scores.values()), 6)
    lines.append(f"score:    {_fmt(total)} / {_fmt(maximum) if maximum is not None else '?'}")
    if note:
        lines.append(f"note:     {note}")
    for attempt, error in enumerate(summary.get("failed_starts", ()), start=1):
        lines.append(f"start {attempt}: the kernel never became ready, no code ran ({error}); started again")
    lines.append("")
    for q in points:
        lines.append(f"  {q}: {_fmt(scores[q])} / {_fmt(points[q])}")
    if summary.get("report"):
        lines += ["", "Test results (public and hidden)", "--------------------------------", summary["report"]]
    if summary.get("cell_errors"):
        lines += ["", "Errors raised by the notebook's cells", "-------------------------------------",
                  *summary["cell_errors"]]
    return Row(submission.student, submission.exercise, scores, total, maximum, note, "\n".join(lines) + "\n")


def _fmt(x):
    return f"{x:g}"


def grade(root, *, autograders=None, timeout=DEFAULT_TIMEOUT, jobs=1, start_attempts=DEFAULT_START_ATTEMPTS,
          progress=None):
    """Grade every ``root/<student>/<NN_topic>.ipynb``; return the rows, sorted by student and exercise.

    Parameters
    ----------
    root : path
        The submissions folder.
    autograders : path, optional
        The folder of autograder zips (default: the repository's ``exercises/autograder``).
    timeout : float
        Seconds one notebook may run before it is stopped and scored 0.
    jobs : int
        How many submissions to grade at once.
    start_attempts : int
        How many times a submission is started when its kernel dies before running any of its code.
    progress : callable, optional
        Called with a one-line message as each submission finishes.
    """
    if not (isinstance(timeout, (int, float)) and timeout > 0):
        raise GradeError(f"timeout must be a positive number of seconds, got {timeout!r}")
    for name, value in (("jobs", jobs), ("start_attempts", start_attempts)):
        if isinstance(value, bool) or not (isinstance(value, int) and value >= 1):
            raise GradeError(f"{name} must be a positive integer, got {value!r}")
    ag_dir = autograder_dir(autograders)
    zips = {z.stem: z for z in sorted(ag_dir.glob("*.zip"))}
    points = {name: question_points(z) for name, z in zips.items()}
    submissions = find_submissions(root, zips)
    # Importing otter once here lets every forked grading process start at once; with the
    # spawn method (no fork, or threads already running) each process imports it itself.
    use_fork = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    if use_fork and submissions:
        _import_otter()
    context = multiprocessing.get_context("fork" if use_fork else "spawn")

    rows, running = {}, []
    with tempfile.TemporaryDirectory(prefix="course-grade-") as tmp:
        try:
            _schedule(submissions, points, zips, context, Path(tmp), timeout, jobs, start_attempts, rows, running,
                      progress)
        finally:   # interrupted (Ctrl-C): the grading processes have their own sessions, so stop them here
            for _, job in running:
                _kill_tree(job.process.pid)
    return [rows[i] for i in sorted(rows)]


def _schedule(submissions, points, zips, context, tmp, timeout, jobs, start_attempts, rows, running, progress):
    """Run at most ``jobs`` grading processes at a time; fill ``rows`` (index -> Row) as they finish.

    A submission whose kernel never became ready (its summary's ``never_ready``, see :func:`_start_failure`)
    goes back to the front of the queue until it has been started ``start_attempts`` times;
    ``failed_starts`` keeps each earlier start's error for its feedback.
    """
    pending = [(i, sub, []) for i, sub in enumerate(submissions)]
    while pending or running:
        while pending and len(running) < jobs:
            i, sub, failed_starts = pending.pop(0)
            problem = sub.problem or _notebook_problem(sub.path)
            if problem:
                rows[i] = _row(sub, points.get(sub.exercise, {}), {}, problem)
                _report(progress, rows[i])
                continue
            workdir = tmp / f"{i:04d}-{len(failed_starts) + 1}"
            workdir.mkdir()
            running.append((i, _Job(context, sub, zips[sub.exercise], workdir), failed_starts))
        time.sleep(0.05)
        for entry in list(running):
            i, job, failed_starts = entry
            if job.process.is_alive() and job.elapsed() <= timeout:
                continue
            running.remove(entry)
            if job.process.is_alive():
                _kill_tree(job.process.pid)
                job.process.join()
                summary = {"error": f"timed out after {timeout:g} s"}
            else:
                job.process.join()
                summary = _summary(job)
            if summary.get("never_ready"):
                if len(failed_starts) + 1 < start_attempts:
                    pending.insert(0, (i, job.submission, [*failed_starts, summary["never_ready"]]))
                    continue
                starts = f"{start_attempts} start{'s' if start_attempts > 1 else ''}"
                summary["error"] = (f"the kernel never became ready to run the notebook ({starts}; the last: "
                                    f"{summary['never_ready']})")
            summary["failed_starts"] = failed_starts
            rows[i] = _row(job.submission, points[job.submission.exercise], summary)
            _report(progress, rows[i])


def _summary(job):
    """The summary a finished grading process wrote, or an error saying it wrote none."""
    try:
        return json.loads(job.result_file.read_text())
    except (OSError, ValueError):
        return {"error": f"the grading process ended without a result (exit code {job.process.exitcode})"}


def _report(progress, row):
    if progress:
        score = f"{_fmt(row.total)}/{_fmt(row.max)}" if row.max is not None else "-"
        progress(f"{row.student}/{row.exercise}: {score}{'  (' + row.note + ')' if row.note else ''}")


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

def csv_text(rows):
    """The gradebook as CSV text: ``student, exercise, <questions...>, total, max, note``."""
    questions = sorted({q for r in rows for q in r.scores}, key=_natural_key)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "exercise", *questions, "total", "max", "note"])
    for r in rows:
        writer.writerow([r.student, r.exercise, *(_fmt(r.scores[q]) if q in r.scores else "" for q in questions),
                         _fmt(r.total), "" if r.max is None else _fmt(r.max), r.note])
    return out.getvalue()


def _write_atomic(path, text):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_feedback(rows, folder):
    """Write ``folder/<student>/<exercise>.txt`` for every row, replacing ``folder`` as a whole."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    new = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
    for r in rows:
        target = new / _safe(r.student) / f"{_safe(r.exercise)}.txt"
        target.parent.mkdir(exist_ok=True)
        target.write_text(r.feedback, encoding="utf-8")
    new.chmod(0o755)
    old = None
    if folder.exists():
        old = folder.parent / f".{folder.name}.old-{os.getpid()}"
        os.replace(folder, old)
    os.replace(new, folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _safe(name):
    return re.sub(r"[^\w.\- ]", "_", name)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m course_lib.grade",
        description="Grade SUBMISSIONS/<student>/<NN_topic>.ipynb with otter-grader and write a gradebook CSV "
                    "(student, exercise, one column per question, total, max, note) and one feedback file "
                    "per submission.")
    parser.add_argument("submissions", help="folder with one sub-folder of notebooks per student")
    parser.add_argument("--out", default="grades.csv", help="the gradebook to write (default: grades.csv)")
    parser.add_argument("--feedback", default=None,
                        help="folder for the per-submission feedback files (default: <out>-feedback next to --out)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"seconds one notebook may run before it scores 0 (default: {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="submissions graded at once (default: 2, or 1 on a one-core machine)")
    parser.add_argument("--start-attempts", type=int, default=DEFAULT_START_ATTEMPTS,
                        help="times a submission is started when its kernel dies before running any code "
                             f"(default: {DEFAULT_START_ATTEMPTS})")
    parser.add_argument("--autograders", default=None,
                        help=f"folder of autograder zips (default: {DEFAULT_AUTOGRADER_DIR})")
    parser.add_argument("--quiet", action="store_true", help="print only the summary line")
    args = parser.parse_args(argv)

    out = Path(args.out)
    feedback = Path(args.feedback) if args.feedback else out.with_name(out.stem + "-feedback")
    try:
        if out.is_dir():
            raise GradeError(f"--out must be a file name, but {out} is a folder")
        if not args.timeout > 0:
            raise GradeError(f"--timeout must be a positive number of seconds, got {args.timeout:g}")
        if args.jobs < 1:
            raise GradeError(f"--jobs must be at least 1, got {args.jobs}")
        if args.start_attempts < 1:
            raise GradeError(f"--start-attempts must be at least 1, got {args.start_attempts}")
        submissions = Path(args.submissions).resolve()
        if out.resolve().is_relative_to(submissions) or feedback.resolve().is_relative_to(submissions):
            raise GradeError("--out and --feedback must be outside the submissions folder, which is never modified")
        start = time.monotonic()
        # Stopped with SIGTERM (or Ctrl-C): raise, so that grade() stops its grading processes before exiting.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
        rows = grade(args.submissions, autograders=args.autograders, timeout=args.timeout, jobs=args.jobs,
                     start_attempts=args.start_attempts,
                     progress=None if args.quiet else print)
    except GradeError as err:
        parser.exit(2, f"{parser.prog}: error: {err}\n")
    if not rows:
        parser.exit(1, f"{parser.prog}: error: no notebooks found in {args.submissions} "
                       f"(expected {args.submissions}/<student>/<NN_topic>.ipynb)\n")
    _write_atomic(out, csv_text(rows))
    write_feedback(rows, feedback)
    failed = sum(1 for r in rows if r.note)
    print(f"graded {len(rows)} notebooks in {time.monotonic() - start:.1f} s -> {out} "
          f"(feedback in {feedback}/){f'; {failed} with a note' if failed else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
