"""Computing ahead: what a learner is likely to ask for next, while nobody waits for anything else.

A slider move in notebook 08 trains two models; on a small machine shared with the
browser that takes longer than a drag can wait. But a learner reads before moving
a slider, and moves it a little at a time: the settings next to the one on show
can be computed in between, and a move there is then answered from a cache.

:class:`Turns` does that computing on a thread of its own, and makes it give way:

* one computation at a time, and the learner's first: a slider move computes in
  the :meth:`~Turns.foreground`, which waits for its turn; work queued with
  :meth:`~Turns.submit` runs in the background, and calls a ``check`` between its
  steps, which raises :class:`GiveWay` as soon as a move waits (the move then
  waits for one step, not for the whole task) or a cell runs (the notebook's own
  cells never wait for it either); the task is tried again later;
* two computations at once would share the interpreter lock, and both would take
  about twice as long. JupyterLab may deliver slider moves on a thread of their own
  (a kernel subshell), so the moves themselves may come from two threads.

Nothing starts it but a browser showing an explorer, or a slider move: a script,
a test or a headless ``nbval`` run, where no learner waits, computes nothing ahead.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import OrderedDict

__all__ = ["Turns", "GiveWay"]


class GiveWay(Exception):
    """Raised inside background work (by the ``check`` it is given) when a move waits or a cell runs."""


def _seconds(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < float("inf"):
        raise ValueError(f"{name} must be a number of seconds >= 0, got {value!r}")
    return float(value)


class _Queue:
    """The tasks of one :meth:`Turns.submit`: an iterator of ``(key, task)``, and the one that gave way last."""

    def __init__(self, tasks, delay, first):
        self.tasks = iter(tasks)
        self.again = None
        self.not_before = time.monotonic() + delay
        self.first = first          # tasks still to run before the other queues' turns

    def next_task(self):
        task, self.again = self.again or next(self.tasks, None), None
        return task


class Turns:
    """One computation at a time, the learner's first; work queued for later runs on a background thread.

    Parameters
    ----------
    pause : float
        Seconds the background thread waits after each task, and after giving way, before the next.

    Attributes
    ----------
    done : int
        How many background tasks have run to their end.
    error : Exception or None
        What the last background task that failed raised. A failed task ends its queue: the same work
        done when asked for (a slider move) raises it where it can be seen.

    Examples
    --------
    >>> turns = Turns()
    >>> ran = []
    >>> with turns.foreground():
    ...     ran.append("a move")                  # a slider move's computation
    >>> turns.submit("explorer", [("a setting", lambda check: ran.append("ahead"))])
    True
    >>> turns.wait_idle(timeout=10)
    True
    >>> ran
    ['a move', 'ahead']
    """

    def __init__(self, pause=0.02):
        self.pause = _seconds("pause", pause)
        self.done = 0
        self.error = None
        self._turn = threading.RLock()      # re-entrant: a computation may ask for another on its thread
        self._state = threading.Condition()
        self._waiting = 0                   # foreground computations waiting for their turn
        self._cell_running = False
        self._queues = OrderedDict()        # owner -> _Queue, in the order they are served
        self._running = False               # a background task runs now ...
        self._running_key = None            # ... computing this
        self._thread = None
        self._watching_cells = False

    # -- the foreground ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def foreground(self, key=None):
        """Compute when it is our turn: after the computation running now, or the step of background work.

        If background work computes ``key`` now (what the foreground is about to compute, see
        :meth:`submit`), the foreground waits for it to end, instead of stopping it and starting over.
        """
        with self._state:
            ahead = key is not None and self._running and key == self._running_key
            self._waiting += not ahead
        try:
            self._turn.acquire()
        finally:
            with self._state:
                self._waiting -= not ahead
                self._state.notify_all()
        try:
            yield
        finally:
            self._turn.release()

    def check(self, *step):
        """Raise :class:`GiveWay` if a foreground computation waits or a cell runs (``step`` is ignored, so that
        it can be passed as a callback that gets the step number)."""
        if self._waiting or self._cell_running:
            raise GiveWay()

    # -- the background ----------------------------------------------------------------------------
    def submit(self, owner, tasks, delay=0.0, first=0):
        """Queue ``tasks`` for the background thread, in place of those ``owner`` queued before; True.

        ``tasks`` holds pairs ``(key, task)``: ``key`` names what the task computes (anything hashable,
        e.g. an explorer's slider settings; see :meth:`foreground`), and the task is called as
        ``task(check)``, calling ``check()`` between its steps. The first starts
        ``delay`` seconds from now at the earliest. The queues take turns, a task each, in the order they
        came, except that the ``first`` tasks of this queue run before any other's (those of the explorer
        whose slider just moved: where the learner is likely to go next).
        """
        if isinstance(first, bool) or not isinstance(first, int) or first < 0:
            raise ValueError(f"first must be a whole number of tasks >= 0, got {first!r}")
        queue = _Queue(tasks, _seconds("delay", delay), first)
        self._watch_cells()
        with self._state:
            self._queues.pop(owner, None)
            self._queues[owner] = queue
            if first:
                self._queues.move_to_end(owner, last=False)
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="course_lib computing ahead", daemon=True)
                self._thread.start()
            self._state.notify_all()
        return True

    def cancel(self, owner):
        """Forget the tasks ``owner`` queued (one running now finishes)."""
        with self._state:
            self._queues.pop(owner, None)

    @property
    def busy(self):
        """True while background tasks are queued or running."""
        with self._state:
            return bool(self._queues) or self._running

    def wait_idle(self, timeout=None):
        """Wait until no background task is queued or running; False if ``timeout`` seconds passed first."""
        with self._state:
            return self._state.wait_for(lambda: not self._queues and not self._running, timeout)

    def cell_started(self, *args):
        """A notebook cell starts: background work gives way until :meth:`cell_finished`."""
        self._cell_running = True

    def cell_finished(self, *args):
        """The cell has finished: background work may go on."""
        with self._state:
            self._cell_running = False
            self._state.notify_all()

    def _watch_cells(self):
        """In IPython, call :meth:`cell_started` and :meth:`cell_finished` around every cell."""
        if self._watching_cells:
            return
        self._watching_cells = True
        try:
            from IPython import get_ipython
        except ImportError:
            return
        shell = get_ipython()
        if shell is not None:
            shell.events.register("pre_run_cell", self.cell_started)
            shell.events.register("post_run_cell", self.cell_finished)

    def _free(self):
        return not self._waiting and not self._cell_running

    def _serve(self):
        while True:
            with self._state:
                self._state.wait_for(lambda: self._queues and self._free())
                now = time.monotonic()
                ready = [(owner, queue) for owner, queue in self._queues.items() if queue.not_before <= now]
                if not ready:
                    self._state.wait(min(queue.not_before for queue in self._queues.values()) - now)
                    continue
                owner, queue = next(((o, q) for o, q in ready if q.first), ready[0])
                item = queue.next_task()
                if item is None:
                    del self._queues[owner]
                    self._state.notify_all()
                    continue
                queue.first = max(queue.first - 1, 0)
                if not queue.first:
                    self._queues.move_to_end(owner)     # the other queues' turn next
                self._running, self._running_key = True, item[0]
            self._run(owner, queue, item)
            with self._state:
                self._running, self._running_key = False, None
                self._state.notify_all()
            time.sleep(self.pause)      # (the loop of the thread that handles messages may need the GIL)

    def _run(self, owner, queue, item):
        """Run one task in its turn. If the turn is taken, or the task gives way, it is tried again later."""
        if not self._turn.acquire(blocking=False):
            queue.again = item
            return
        try:
            item[1](self.check)
        except GiveWay:
            queue.again = item
        except Exception as err:    # noqa: BLE001 (kept in `error`, see the class docstring)
            self.error = err
            with self._state:
                if self._queues.get(owner) is queue:
                    del self._queues[owner]
        else:
            self.done += 1
        finally:
            self._turn.release()
