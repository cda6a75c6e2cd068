"""The exercise sets and their grader: up to date, fair, robust.

Grading is slow (every notebook starts a kernel), so one module-scoped run of
``python -m course_lib.grade`` grades every solution and every untouched student
notebook together, plus a few broken submissions; a second, short run checks
the time limit, and a third makes kernels die as they start.
"""

import csv
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from course_lib import checks, exercises, grade

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
SETS = [p.stem for p in exercises.masters(EXERCISES)]
POINTS = {name: grade.question_points(EXERCISES / "autograder" / f"{name}.zip") for name in SETS}
SHORT_TIMEOUT = 5


def _notebook(path, cells):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def _digests(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _grade(submissions, out, timeout, *options, jobs=2, env=None):
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "course_lib.grade", str(submissions), "--out", str(out),
                           "--timeout", str(timeout), "--jobs", str(jobs), "--quiet", *options],
                          capture_output=True, text=True, timeout=900, env=env)
    elapsed = time.monotonic() - start
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(out, newline="") as f:
        rows = list(csv.reader(f))
    return {"header": rows[0], "rows": {(r[0], r[1]): dict(zip(rows[0], r)) for r in rows[1:]},
            "elapsed": elapsed, "stdout": proc.stdout, "feedback": out.with_name(out.stem + "-feedback")}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade every solution, every untouched student notebook and two notebooks that kill their kernel."""
    tmp = tmp_path_factory.mktemp("grading")
    subs = tmp / "submissions"
    for name in SETS:
        (subs / "solved").mkdir(parents=True, exist_ok=True)
        (subs / "untouched").mkdir(parents=True, exist_ok=True)
        shutil.copy(EXERCISES / "solutions" / f"{name}.ipynb", subs / "solved")
        shutil.copy(EXERCISES / "student" / f"{name}.ipynb", subs / "untouched")
    _notebook(subs / "crasher" / f"{SETS[0]}.ipynb", ["import os\nos._exit(1)"])
    _notebook(subs / "quitter" / f"{SETS[1]}.ipynb", ["import sys\nsys.exit(3)", "x = 1"])
    _notebook(subs / "lost" / "notes.ipynb", ["x = 1"])
    before = _digests(subs)
    result = _grade(subs, tmp / "out" / "grades.csv", timeout=600)
    result.update(submissions=subs, before=before)
    return result


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    """A submission that loops forever and one that is not a notebook, graded with a short time limit."""
    tmp = tmp_path_factory.mktemp("limits")
    subs = tmp / "submissions"
    _notebook(subs / "looper" / f"{SETS[0]}.ipynb", ["while True:\n    pass"])
    (subs / "mangled").mkdir(parents=True)
    (subs / "mangled" / f"{SETS[1]}.ipynb").write_text('{"cells": [')
    return _grade(subs, tmp / "grades.csv", timeout=SHORT_TIMEOUT)


#: Put first on a grading run's PYTHONPATH, this makes the first N kernels that start die at once, the way a
#: kernel dies that lost its port to another process, with N read from (and counted down in) a file.
_DYING_KERNELS = """\
import os, sys
_counter = os.environ.get("COURSE_TEST_DYING_KERNELS")
if _counter and "ipykernel_launcher" in sys.orig_argv:
    with open(_counter) as f:
        _left = int(f.read())
    if _left > 0:
        with open(_counter, "w") as f:
            f.write(str(_left - 1))
        os._exit(1)
"""


@pytest.fixture(scope="module")
def restarted(tmp_path_factory):
    """Two solutions graded one at a time, with two attempts each, while the first three kernels die at start.

    "doomed" comes first and loses both of its attempts; "unlucky" loses its first and is graded on its second.
    """
    tmp = tmp_path_factory.mktemp("restarts")
    subs = tmp / "submissions"
    for student in ("doomed", "unlucky"):
        (subs / student).mkdir(parents=True)
        shutil.copy(EXERCISES / "solutions" / f"{SETS[0]}.ipynb", subs / student)
    (tmp / "site" / "sitecustomize.py").parent.mkdir()
    (tmp / "site" / "sitecustomize.py").write_text(_DYING_KERNELS)
    (tmp / "dying").write_text("3")
    env = dict(os.environ, COURSE_TEST_DYING_KERNELS=str(tmp / "dying"),
               PYTHONPATH=os.pathsep.join(p for p in (str(tmp / "site"), os.environ.get("PYTHONPATH")) if p))
    result = _grade(subs, tmp / "grades.csv", 600, "--start-attempts", "2", jobs=1, env=env)
    result["kernels_left_to_die"] = int((tmp / "dying").read_text())
    return result


# ---------------------------------------------------------------------------
# Content
# ---------------------------------------------------------------------------

def test_every_notebook_01_to_09_has_an_exercise_set_of_5_to_9_questions():
    assert [name[:2] for name in SETS] == [f"{i:02d}" for i in range(1, 10)]
    for name, points in POINTS.items():
        assert 5 <= len(points) <= 9, (name, list(points))
        assert list(points) == [f"q{i}" for i in range(1, len(points) + 1)], name
    assert sum(len(p) for p in POINTS.values()) >= 60


def test_hidden_tests_exist_and_stay_out_of_the_student_version():
    for name in SETS:
        student = "".join(p.read_text() for p in (EXERCISES / "student" / "tests" / name).glob("*.py"))
        solution = "".join(p.read_text() for p in (EXERCISES / "solutions" / "tests" / name).glob("*.py"))
        assert "hidden=True" not in student, name
        assert solution.count("hidden=True") >= 3, f"{name} has too few hidden tests"
        assert re.search(r"hidden=False", student), f"{name} has no public tests"


def test_student_notebooks_have_placeholders_and_no_solutions():
    for name in SETS:
        nb = nbformat.read(str(EXERCISES / "student" / f"{name}.ipynb"), as_version=4)
        answers = [c for c in nb.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
        assert answers and all("..." in c.source for c in answers), name
        text = "\n".join(c.source for c in nb.cells)
        assert "SOLUTION" not in text and "BEGIN TESTS" not in text, name
        assert f'tests_dir="tests/{name}"' in nb.cells[0].source, name


def test_generated_files_are_up_to_date():
    assert exercises.stale_files(EXERCISES) == [], "run `make exercises` and commit the result"


def test_the_staleness_check_sees_a_changed_test(tmp_path):
    copy = tmp_path / "exercises"
    shutil.copytree(EXERCISES, copy)
    assert exercises.snapshot(copy) == exercises.snapshot(EXERCISES)
    test_file = copy / "student" / "tests" / SETS[0] / "q1.py"
    test_file.write_text(test_file.read_text() + "\n# edited by hand\n")
    changed, committed = exercises.snapshot(copy), exercises.snapshot(EXERCISES)
    assert [k for k in changed if changed[k] != committed.get(k)] == [f"student/tests/{SETS[0]}/q1.py"]


# ---------------------------------------------------------------------------
# Grading
# ---------------------------------------------------------------------------

def test_csv_has_the_documented_columns(graded):
    width = max(len(p) for p in POINTS.values())
    assert graded["header"] == ["student", "exercise", *[f"q{i}" for i in range(1, width + 1)],
                                "total", "max", "note"]
    assert list(graded["rows"]) == sorted(graded["rows"])


def test_every_solution_scores_full_marks(graded):
    for name in SETS:
        row = graded["rows"][("solved", name)]
        assert row["note"] == "", row
        assert float(row["total"]) == float(row["max"]) == sum(POINTS[name].values()), row
        for q, points in POINTS[name].items():
            assert float(row[q]) == points, (name, q, row)


def test_every_untouched_student_notebook_scores_zero_without_crashing(graded):
    for name in SETS:
        row = graded["rows"][("untouched", name)]
        assert row["note"] == "" and float(row["total"]) == 0, row
        assert float(row["max"]) == sum(POINTS[name].values())
        feedback = (graded["feedback"] / "untouched" / f"{name}.txt").read_text()
        assert "Errors raised by the notebook's cells" not in feedback, feedback
        assert "not answered yet" in feedback or "returned None" in feedback


def test_feedback_says_what_was_expected(graded):
    feedback = (graded["feedback"] / "untouched" / "02_gradient_descent.txt").read_text()
    assert "q2: 0 / 2" in feedback
    assert "gd_step(1.0, 2.0, lr=0.1) returned None" in feedback
    solved = (graded["feedback"] / "solved" / "02_gradient_descent.txt").read_text()
    assert "score:    18 / 18" in solved


def test_a_dying_kernel_and_sys_exit_become_rows(graded):
    crash = graded["rows"][("crasher", SETS[0])]
    assert float(crash["total"]) == 0 and "kernel died" in crash["note"], crash
    quit_ = graded["rows"][("quitter", SETS[1])]
    assert float(quit_["total"]) == 0 and quit_["note"] == "", quit_
    feedback = (graded["feedback"] / "quitter" / f"{SETS[1]}.txt").read_text()
    assert "Errors raised by the notebook's cells" in feedback and "SystemExit: 3" in feedback, feedback


def test_an_unknown_notebook_gets_a_clear_row(graded):
    row = graded["rows"][("lost", "notes")]
    assert row["note"].startswith("unknown exercise"), row
    assert row["max"] == "" and row["q1"] == ""


def test_submissions_are_never_modified(graded):
    assert _digests(graded["submissions"]) == graded["before"]


def test_an_infinite_loop_is_cut_off_at_the_limit(limited):
    row = limited["rows"][("looper", SETS[0])]
    assert row["note"] == f"timed out after {SHORT_TIMEOUT} s", row
    assert float(row["total"]) == 0 and float(row["max"]) == sum(POINTS[SETS[0]].values())
    assert limited["elapsed"] < SHORT_TIMEOUT + 60
    if sys.platform.startswith("linux"):   # nothing of the stopped submission keeps running
        leftovers = []
        for cwd in Path("/proc").glob("[0-9]*/cwd"):
            try:
                if "course-grade-" in os.readlink(cwd):
                    leftovers.append(cwd.parent.name)
            except OSError:
                continue
        assert not leftovers, f"processes left running in a grading folder: {leftovers}"


def test_a_malformed_notebook_yields_a_clear_row(limited):
    row = limited["rows"][("mangled", SETS[1])]
    assert row["note"].startswith("not a valid notebook:"), row
    assert float(row["total"]) == 0 and float(row["max"]) == sum(POINTS[SETS[1]].values())


def test_a_kernel_that_dies_before_running_any_code_is_started_again(restarted):
    assert restarted["kernels_left_to_die"] == 0
    row = restarted["rows"][("unlucky", SETS[0])]
    assert row["note"] == "" and float(row["total"]) == float(row["max"]) == sum(POINTS[SETS[0]].values()), row
    feedback = (restarted["feedback"] / "unlucky" / f"{SETS[0]}.txt").read_text()
    assert feedback.count("the kernel never became ready") == 1, feedback
    assert "start 1: the kernel never became ready, no code ran (RuntimeError: Kernel died before replying " \
           "to kernel_info); started again" in feedback, feedback


@pytest.mark.parametrize("message, retried", [
    ("Kernel died before replying to kernel_info", True),
    ("Kernel didn't respond in 60 seconds", True),
    ("Kernel died", False),                          # while running the notebook: its code may have run
])
def test_only_a_kernel_that_never_became_ready_is_started_again(message, retried):
    assert bool(grade._start_failure(RuntimeError(message))) == retried
    assert not grade._start_failure(ValueError("Kernel died before replying to kernel_info"))


def test_a_kernel_that_never_starts_gives_a_row_after_the_last_attempt(restarted):
    row = restarted["rows"][("doomed", SETS[0])]
    assert row["note"] == ("the kernel never became ready to run the notebook (2 starts; the last: "
                           "RuntimeError: Kernel died before replying to kernel_info)"), row
    assert float(row["total"]) == 0 and float(row["max"]) == sum(POINTS[SETS[0]].values())
    feedback = (restarted["feedback"] / "doomed" / f"{SETS[0]}.txt").read_text()
    assert "start 1: the kernel never became ready" in feedback and "start 2:" not in feedback, feedback


@pytest.mark.parametrize("args, message", [
    (["{missing}"], "submissions folder not found"),
    (["{subs}", "--timeout", "0"], "--timeout must be a positive number"),
    (["{subs}", "--jobs", "0"], "--jobs must be at least 1"),
    (["{subs}", "--start-attempts", "0"], "--start-attempts must be at least 1"),
    (["{subs}", "--out", "{subs}/grades.csv"], "must be outside the submissions folder"),
    (["{subs}", "--autograders", "{missing}"], "autograder folder not found"),
    (["{empty}"], "no notebooks found"),
])
def test_bad_arguments_fail_with_a_clear_message(tmp_path, capsys, args, message):
    subs, empty = tmp_path / "subs", tmp_path / "empty"
    _notebook(subs / "ann" / f"{SETS[0]}.ipynb", ["x = 1"])
    empty.mkdir()
    paths = {"missing": tmp_path / "nowhere", "subs": subs, "empty": empty}
    with pytest.raises(SystemExit) as exit_info:
        grade.main([a.format(**paths) for a in args] + (["--out", str(tmp_path / "g.csv")] if "--out" not in args
                                                         else []))
    assert exit_info.value.code in (1, 2)
    assert message in capsys.readouterr().err
    assert not (tmp_path / "g.csv").exists()


@pytest.mark.parametrize("option, value", [("timeout", -1), ("jobs", 0), ("jobs", True), ("start_attempts", 0),
                                           ("start_attempts", 1.5), ("start_attempts", True)])
def test_grade_names_a_bad_option_and_its_value(tmp_path, option, value):
    with pytest.raises(grade.GradeError, match=rf"^{option} must be a positive .*, got {value}$"):
        grade.grade(tmp_path, **{option: value})


# ---------------------------------------------------------------------------
# The assertion helpers the exercise tests use
# ---------------------------------------------------------------------------

def test_checks_say_what_was_expected_and_what_was_got():
    with pytest.raises(AssertionError, match=r"^eta: expected 0\.5, got 0\.4$"):
        checks.close("eta", 0.4, 0.5)
    with pytest.raises(AssertionError, match="not answered yet"):
        checks.close("eta", ..., 0.5)
    with pytest.raises(AssertionError, match="should be a number, got str"):
        checks.number("eta", "0.5")
    with pytest.raises(AssertionError, match=r"should have shape \(2,\), got shape \(3,\)"):
        checks.allclose("x", [1, 2, 3], [1, 2])
    with pytest.raises(AssertionError, match="largest difference 1"):
        checks.allclose("x", [1, 3], [1, 2])
    with pytest.raises(AssertionError, match=r"f\(1\) returned None: replace the \.\.\."):
        checks.call("f", lambda x: None, 1)
    with pytest.raises(AssertionError, match=r"f\(1\) raised ZeroDivisionError"):
        checks.call("f", lambda x: x / 0, 1)
    with pytest.raises(AssertionError, match="should be True or False"):
        checks.equal("flag", 1, True)
    assert checks.close("eta", 0.5 + 1e-12, 0.5) == pytest.approx(0.5)
    assert checks.equal("label", "saddle", "saddle") == "saddle"
