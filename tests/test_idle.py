"""Computing ahead on a background thread (course_lib.idle.Turns): order, giving way, cells, errors.

The background thread is real; every wait has a generous timeout (a broken Turns fails a test rather than
hanging it), and no test asserts a duration.
"""

import threading
import time

import pytest

from course_lib import idle

TIMEOUT = 30


def recorder(log, name):
    """A task (with its key) that appends its name to ``log``."""
    return name, lambda check: log.append(name)


def held(turns):
    """Hold the background thread (as a running cell does) while queues are set up."""
    turns.cell_started()
    return turns


def in_thread(fn):
    """Run ``fn`` on a thread of its own; return the thread, started."""
    thread = threading.Thread(target=fn, daemon=True)
    thread.start()
    return thread


def test_tasks_run_in_order_on_a_thread_of_their_own():
    turns, log, threads = idle.Turns(pause=0), [], []
    tasks = [recorder(log, i) for i in range(3)]
    tasks.append(("thread", lambda check: threads.append(threading.current_thread())))
    assert not turns.busy
    turns.submit("a", tasks)
    assert turns.wait_idle(TIMEOUT)
    assert log == [0, 1, 2] and turns.done == 4 and not turns.busy
    assert threads[0] is not threading.current_thread() and threads[0].daemon


def test_queues_take_turns_and_a_moved_one_goes_first():
    turns, log = held(idle.Turns(pause=0)), []
    turns.submit("a", [recorder(log, f"a{i}") for i in range(3)])
    turns.submit("b", [recorder(log, f"b{i}") for i in range(2)])
    turns.submit("c", [recorder(log, f"c{i}") for i in range(4)], first=2)
    turns.cell_finished()
    assert turns.wait_idle(TIMEOUT)
    assert log == ["c0", "c1", "a0", "b0", "c2", "a1", "b1", "c3", "a2"]


def test_a_new_queue_replaces_the_old_one_and_cancel_forgets_it():
    turns, log = held(idle.Turns(pause=0)), []
    turns.submit("a", [recorder(log, "old")])
    turns.submit("a", [recorder(log, "new")])
    turns.submit("b", [recorder(log, "cancelled")])
    turns.cancel("b")
    turns.cell_finished()
    assert turns.wait_idle(TIMEOUT) and log == ["new"]


def test_cancelling_the_last_queue_wakes_whoever_waits_for_the_end():
    turns, ended = held(idle.Turns(pause=0)), []
    turns.submit("a", [recorder([], "never")])
    waiter = in_thread(lambda: ended.append(turns.wait_idle(TIMEOUT)))
    time.sleep(0.1)
    turns.cancel("a")
    waiter.join(TIMEOUT)
    assert ended == [True]


def test_a_delayed_queue_lets_the_others_go_first():
    turns, log = held(idle.Turns(pause=0)), []
    turns.submit("later", [recorder(log, "later")], delay=1.0)
    turns.submit("now", [recorder(log, "now")])
    turns.cell_finished()
    assert turns.wait_idle(TIMEOUT) and log == ["now", "later"]


def long_task(log, started, checks):
    """A task that checks between steps until it gives way the first time, and ends at once the second."""
    def task(check):
        log.append("started")
        started.set()
        deadline = time.monotonic() + 20
        while log.count("started") == 1 and time.monotonic() < deadline:
            checks.append(1)
            check()
            time.sleep(0.001)
        log.append("finished")
    return task


def test_background_work_gives_way_to_a_move_and_is_tried_again():
    turns, log, started = idle.Turns(pause=0), [], threading.Event()
    turns.submit("explorer", [("tau=0.3", long_task(log, started, []))])
    assert started.wait(TIMEOUT)
    with turns.foreground("tau=0.2"):       # a slider move to another setting: the work gives way
        log.append("move")
    assert turns.wait_idle(TIMEOUT)
    assert log == ["started", "move", "started", "finished"] and turns.done == 1 and turns.error is None


def test_a_move_that_asks_for_what_runs_ahead_waits_for_it():
    turns, log, started = idle.Turns(pause=0), [], threading.Event()

    def task(check):
        log.append("started")
        started.set()
        for _ in range(200):            # long enough for the move below to come while it runs
            check()                     # (a GiveWay here would fail the test: the task starts twice)
            time.sleep(0.001)
        log.append("trained ahead")

    turns.submit("explorer", [("tau=0.3", task), ("tau=0.4", lambda check: log.append("next task"))])
    assert started.wait(TIMEOUT)
    with turns.foreground("tau=0.3"):           # the same setting: it is nearly done, wait for it
        log.append("move")
    assert turns.wait_idle(TIMEOUT)
    # ... and no other task slips in before the move
    assert log == ["started", "trained ahead", "move", "next task"] and turns.done == 2


def test_a_move_for_the_same_setting_does_not_shield_the_work_from_another_move():
    turns, log, started, checks = idle.Turns(pause=0), [], threading.Event(), []
    turns.submit("explorer", [("tau=0.3", long_task(log, started, checks))])
    assert started.wait(TIMEOUT)

    def move(key):
        with turns.foreground(key):
            log.append(key)

    same = in_thread(lambda: move("tau=0.3"))
    other = in_thread(lambda: move("tau=0.1"))
    same.join(TIMEOUT)
    other.join(TIMEOUT)
    assert turns.wait_idle(TIMEOUT)
    assert log.count("started") == 2 and log[-1] == "finished" and {"tau=0.3", "tau=0.1"} <= set(log)


def test_the_background_waits_without_trying_while_a_move_computes(monkeypatch):
    turns, attempts = idle.Turns(pause=0), []
    run = turns._run

    def counting_run(*args):
        attempts.append(1)
        return run(*args)

    monkeypatch.setattr(turns, "_run", counting_run)
    with turns.foreground("a move"):
        turns.submit("explorer", [recorder([], "ahead")])
        time.sleep(0.3)                 # a long move: the queued task is not even tried
        assert attempts == []
    assert turns.wait_idle(TIMEOUT) and attempts == [1] and turns.done == 1


def test_a_running_cell_holds_background_work():
    turns, log = held(idle.Turns(pause=0)), []
    turns.cell_started()                # a cell that runs another (%run): two cells at once
    turns.submit("a", [recorder(log, "ahead")])
    turns.cell_finished()
    assert not turns.wait_idle(0.3) and log == []       # still queued while the outer cell runs
    with pytest.raises(idle.GiveWay):
        turns.check(7)                                  # work that had started gives way
    turns.cell_finished()
    assert turns.wait_idle(TIMEOUT) and log == ["ahead"]


@pytest.mark.parametrize("error", [ZeroDivisionError("division by zero"), SystemExit(3)])
def test_a_failing_task_ends_its_queue_and_is_kept(error):
    turns, log = idle.Turns(pause=0), []

    def fails(check):
        raise error

    turns.submit("a", [recorder(log, 1), ("fails", fails), recorder(log, 2)])
    assert turns.wait_idle(TIMEOUT)
    assert log == [1] and turns.error is error and turns.done == 1
    turns.submit("a", [recorder(log, 3)])           # the thread goes on
    assert turns.wait_idle(TIMEOUT) and log == [1, 3]


def test_the_foreground_is_reentrant():
    turns, done = idle.Turns(), []

    def nested():
        with turns.foreground():
            with turns.foreground():
                turns.check()       # nobody else waits: no GiveWay
                done.append(True)

    in_thread(nested).join(TIMEOUT)
    assert done == [True] and not turns._waiting and not turns._holding


def test_cells_are_watched_in_ipython(monkeypatch):
    registered = []

    class Events:
        def register(self, event, callback):
            registered.append((event, callback))

    class Shell:
        events = Events()

    import IPython
    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell())
    turns = idle.Turns(pause=0)
    turns.submit("a", [])
    turns.submit("a", [])
    assert registered == [("pre_run_cell", turns.cell_started), ("post_run_cell", turns.cell_finished)]
    assert turns.wait_idle(TIMEOUT)


@pytest.mark.parametrize("make, message", [
    (lambda: idle.Turns(pause=-1), "pause must be non-negative, got -1"),
    (lambda: idle.Turns(pause=True), "pause must be a number, got True"),
    (lambda: idle.Turns().submit("a", [], delay="soon"), "delay must be a number, got 'soon'"),
    (lambda: idle.Turns().submit("a", [], first=True), "first must be a whole number of tasks >= 0, got True"),
    (lambda: idle.Turns().submit("a", [], first=-1), "first must be a whole number of tasks >= 0, got -1"),
])
def test_bad_arguments_are_refused_by_name(make, message):
    with pytest.raises(ValueError, match=message):
        make()
