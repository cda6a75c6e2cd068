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
  cells do not wait for it either); the task is tried again later. A move that
  asks for the very setting being computed waits for it to end instead;
* two computations at once would share the interpreter lock, and both would take
  about twice as long. JupyterLab may deliver slider moves on a thread of their own
  (a kernel subshell), so the moves themselves may come from two threads.

An explorer queues work when a browser shows it and when one of its sliders moves
(:attr:`course_lib.widgets.Explorer.prefetch`); it never does in a headless run.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter, OrderedDict

from .optim._core import non_negative

__all__ = ["Turns", "GiveWay"]


class GiveWay(Exception):
    """Raised inside background work (by the ``check`` it is given) when a move waits or a cell runs."""


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
    error : BaseException or None
        What the last background task that failed raised. A failed task ends its queue: the same work
        done when asked for (a slider move) raises it where it can be seen.

    Examples
    --------
    >>> turns = Turns()
    >>> ran = []
    >>> with turns.foreground():
    ...     ran.append("a move")                  # a slider move's computation
    >>> turns.submit("explorer", [("a setting", lambda check: ran.append("ahead"))])
    >>> turns.wait_idle(timeout=10)
    True
    >>> ran
    ['a move', 'ahead']
    """

    def __init__(self, pause=0.02):
        self.pause = non_negative("pause", pause)
        self.done = 0
        self.error = None
        self._turn = threading.RLock()      # re-entrant: a computation may ask for another on its thread
        self._state = threading.Condition()
        self._waiting = Counter()           # foreground computations waiting for the turn, by key
        self._holding = 0                   # ... and holding it (nested ones counted too)
        self._cells = 0                     # cells running
        self._queues = OrderedDict()        # owner -> _Queue, in the order they are served
        self._running_key = None            # what the background task running now computes
        self._running = False
        self._thread = None
        self._watching_cells = False

    # -- the foreground ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def foreground(self, key=None):
        """Compute when it is our turn: after the computation running now, or the step of background work.

        Parameters
        ----------
        key : hashable, optional
            What the foreground is about to compute. If background work computes that now (its key in
            :meth:`submit`), the foreground lets it end, instead of stopping it and starting over.
        """
        with self._state:
            self._waiting[key] += 1
        acquired = False
        try:
            self._turn.acquire()
            acquired = True
            with self._state:
                self._holding += 1
                self._forget_waiting(key)
                key = _DONE
            yield
        finally:
            with self._state:
                if key is not _DONE:
                    self._forget_waiting(key)
                elif acquired:
                    self._holding -= 1
                self._state.notify_all()
            if acquired:
                self._turn.release()

    def _forget_waiting(self, key):
        self._waiting[key] -= 1
        if not self._waiting[key]:
            del self._waiting[key]

    def check(self, *step):
        """Raise :class:`GiveWay` if a foreground computation waits for another setting, or a cell runs.

        ``step`` is ignored, so that it can be passed as a callback that gets the step number.
        """
        with self._state:
            give_way = self._cells or (self._waiting and set(self._waiting) != {self._running_key})
        if give_way:
            raise GiveWay()

    # -- the background ----------------------------------------------------------------------------
    def submit(self, owner, tasks, delay=0.0, first=0):
        """Queue ``tasks`` for the background thread, in place of those ``owner`` queued before.

        Parameters
        ----------
        owner : hashable
            Whose tasks they are (an explorer): its new queue replaces its old one.
        tasks : iterable of (key, callable)
            ``key`` names what the task computes (see :meth:`foreground`; ``None`` is not a key). The
            task is called as ``task(check)`` and calls ``check()`` between its steps.
        delay : float
            The first task starts this many seconds from now at the earliest.
        first : int
            This many tasks of the queue run before any other queue's (those of the explorer whose
            slider just moved: where the learner is likely to go next). Then the queues take turns, a
            task each, in the order they came.
        """
        if isinstance(first, bool) or not isinstance(first, int) or first < 0:
            raise ValueError(f"first must be a whole number of tasks >= 0, got {first!r}")
        queue = _Queue(tasks, non_negative("delay", delay), first)
        self._watch_cells()
        with self._state:
            self._queues.pop(owner, None)
            self._queues[owner] = queue
            if first:
                self._queues.move_to_end(owner, last=False)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="course_lib computing ahead", daemon=True)
                self._thread.start()
            self._state.notify_all()

    def cancel(self, owner):
        """Forget the tasks ``owner`` queued (one running now finishes)."""
        with self._state:
            self._queues.pop(owner, None)
            self._state.notify_all()

    @property
    def busy(self):
        """True while background tasks are queued or running."""
        with self._state:
            return not self._idle()

    def wait_idle(self, timeout=None):
        """Wait until no background task is queued or running; False if ``timeout`` seconds passed first.

        Background work waits while a cell runs and while a foreground computation holds the turn: call
        it from another thread than those (a test), or with a timeout.
        """
        with self._state:
            return self._state.wait_for(self._idle, timeout)

    def _idle(self):
        """Under ``_state``: no background task is queued or running."""
        return not self._queues and not self._running

    def cell_started(self, *args):
        """A notebook cell starts: background work gives way until :meth:`cell_finished`."""
        with self._state:
            self._cells += 1

    def cell_finished(self, *args):
        """The cell has finished: background work may go on (once every cell started has finished)."""
        with self._state:
            self._cells = max(self._cells - 1, 0)
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

    def _next(self):
        """Under ``_state``: the next ``(owner, queue, item)`` to run, None to wait (``_state`` is notified or the
        earliest delay ends), or a finished queue's removal (``()``)."""
        if not self._queues or not self._free():
            return None
        now = time.monotonic()
        ready = [(owner, queue) for owner, queue in self._queues.items() if queue.not_before <= now]
        if not ready:
            return None
        owner, queue = next(((o, q) for o, q in ready if q.first), ready[0])
        item = queue.next_task()
        if item is None:
            del self._queues[owner]
            self._state.notify_all()
            return ()
        return owner, queue, item

    def _free(self):
        """Under ``_state``: no move waits for the turn or holds it, and no cell runs."""
        return not (self._waiting or self._holding or self._cells)

    def _wait_time(self):
        """Under ``_state``: how long to wait for the earliest queue's delay; None (until notified) if not free."""
        delays = [q.not_before - time.monotonic() for q in self._queues.values()]
        return max(min(delays), 0.0) if delays and self._free() else None

    def _serve(self):
        while True:
            with self._state:
                chosen = self._next()
                while chosen is None:
                    self._state.wait(self._wait_time())
                    chosen = self._next()
                if not chosen:
                    continue
                owner, queue, item = chosen
                self._running, self._running_key = True, item[0]
            try:
                ran = self._run(owner, queue, item)
            finally:
                with self._state:
                    self._running, self._running_key = False, None
                    if ran and self._queues.get(owner) is queue:
                        queue.first = max(queue.first - 1, 0)
                        if not queue.first:
                            self._queues.move_to_end(owner)     # the other queues' turn next
                    self._state.notify_all()
            time.sleep(self.pause)      # (the thread that handles messages may need the interpreter lock)

    def _run(self, owner, queue, item):
        """Run one task in its turn; True if it ran to its end (or failed), False if it is to be tried again."""
        if not self._turn.acquire(blocking=False):
            queue.again = item
            return False
        try:
            item[1](self.check)
        except GiveWay:
            queue.again = item
            return False
        except BaseException as err:    # noqa: BLE001 (kept in `error`, see the class docstring)
            self.error = err
            with self._state:
                if self._queues.get(owner) is queue:
                    del self._queues[owner]
        else:
            self.done += 1
        finally:
            self._turn.release()
        return True


#: Marks a foreground that holds the turn (its key no longer counts as waiting).
_DONE = object()
