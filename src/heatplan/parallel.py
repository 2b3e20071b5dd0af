"""A second process for an independent part of a step (issue 20: a city plan on two cores).

Some steps hold parts that need nothing of each other: the classification sizes and dispatches
the town plant at the WPG share and at the BEW share (two linear programs of 8,760 hours), the
demo renders the PDF while it writes the exports. :class:`SecondCore` runs one such part in a
worker process while the step goes on with the other; the step gets the same result as if it
had run both parts itself (the worker runs the same function on the same inputs, sent and
returned as pickles).

The worker is a new interpreter (``python -c``), not a fork: HiGHS keeps worker threads and a
scheduler per thread, and a forked copy of a process with threads may hang on their locks. It
is started without :mod:`multiprocessing`'s spawn, which runs the caller's main script again
in the worker (a script without ``if __name__ == "__main__"`` would run twice); the worker
imports only heatplan, from the same folder as this process. A fresh interpreter needs its
imports (a second or two), so a step starts the worker early with the modules it will need
(``SecondCore(warm=...)``) and hands it work later, while its own first part is under way.

Without a second CPU (``os.sched_getaffinity``) or when the machine's other work keeps its CPUs
busy (load average), with ``HEATPLAN_WORKERS=1`` in the environment, or when the worker fails
(it cannot start, dies, or cannot send its result back), the part runs in the step's own
process: slower, never different. ``HEATPLAN_WORKERS=2`` uses the second process whatever the
load. A :class:`SecondCore` worker is itself the second process: it runs with
``HEATPLAN_WORKERS=1``, and while it runs, :func:`may_fork` (the rule for a step that forks a
copy of itself, e.g. the plan PDF's second half) answers no in the step's process too.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Generic, TypeVar

__all__ = ["WORKERS_ENV", "Part", "SecondCore", "may_fork", "workers"]

log = logging.getLogger(__name__)
T = TypeVar("T")
#: Environment variable: how many processes a step may use (1: the step's own only).
WORKERS_ENV = "HEATPLAN_WORKERS"
#: The worker's program: heatplan from this process's folder, then :func:`serve`.
_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from heatplan.parallel import serve; serve()"
#: What a worker that could not do its part raises here (the part then runs in this process).
_WORKER_FAILED = (OSError, EOFError, pickle.PickleError, AttributeError, ImportError)


#: Least CPU left free by the machine's other work (the CPUs this process may use less the
#: one-minute load average) for a second process to pay [CPUs] (heatplan choice: measured on
#: a 20,000-building town, the worker costs 3 CPU seconds of imports and pickles; on a
#: machine whose CPUs are busy with other work it only adds them).
MIN_FREE_CPUS = 0.5


def workers(*, own_load: float = 1.0) -> int:
    """Processes a step may use: ``HEATPLAN_WORKERS`` if set, else 2 where this process may
    run on two CPUs or more and the machine leaves at least :data:`MIN_FREE_CPUS` of them
    free besides this process's own (``os.getloadavg``, less ``own_load``: the CPUs this
    process and its own workers kept busy lately), else 1; 1 in a daemon process (a Dask
    worker, whose cluster already uses the cores)."""
    setting = os.environ.get(WORKERS_ENV, "").strip()
    if multiprocessing.current_process().daemon:  # a cluster's worker: its cores are taken
        return 1
    if setting:
        try:
            return max(1, int(setting))
        except ValueError:
            log.warning("%s=%r is no whole number: one process", WORKERS_ENV, setting)
            return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except OSError:  # no load average on this system
        busy = 0.0
    others = max(busy - own_load, 0.0)  # the machine's other work [CPUs]
    return 2 if cpus >= 2 and cpus - 1.0 - others >= MIN_FREE_CPUS else 1


def may_fork(*, own_load: float = 1.0) -> bool:
    """Whether a step may fork a second process now: :func:`workers` allows two (``own_load``:
    2 right after this process's own worker ended, whose work the load average still
    counts), this process runs no other thread (a forked copy of a process with threads may
    hang on their locks) and no :class:`SecondCore` worker of it is running (that worker has
    the second CPU)."""
    return (
        workers(own_load=own_load) >= 2
        and threading.active_count() == 1
        and not _RUNNING
        and "fork" in multiprocessing.get_all_start_methods()
    )


#: The :class:`SecondCore` workers of this process that are running.
_RUNNING: set[int] = set()


def serve() -> None:
    """The worker: import the modules named after the folder, then answer each task read from
    stdin — ``(function, args, kwargs)`` — with ``(True, result)`` or ``(False, exception)``
    on stdout, until stdin closes."""
    tasks, answers = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a print in a task must not end up in the answers
    # Ctrl-C stops the step, which ends the worker; the worker itself does not stop half-way
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in sys.argv[2:]:
        with contextlib.suppress(ImportError):  # a task needing it reports the error itself
            __import__(name)
    while True:
        try:
            function, args, kwargs = pickle.load(tasks)
        except EOFError:
            return
        try:
            answer: tuple[bool, Any] = (True, function(*args, **kwargs))
        except Exception as exc:  # sent back and raised in the step
            answer = (False, exc)
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an unpicklable result: the step computes it itself
            data = pickle.dumps((False, _Unsent(repr(exc))), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            answers.write(data)
            answers.flush()
        except OSError:  # the step has ended (or gave the part up): nobody reads the answer
            return


def _write_task(previous: threading.Thread | None, stream: IO[bytes], data: bytes) -> None:
    """In a thread of the step: write one task to the worker, after the one before."""
    if previous is not None:
        previous.join()
    with contextlib.suppress(OSError):  # the worker has ended: the step computes the part
        stream.write(data)
        stream.flush()


class _Unsent(Exception):
    """The worker could not send its result back."""


class SecondCore:
    """One worker process for one step (a context manager: it ends with the step).

    ``warm``: modules the worker imports at once, while the step does its own work.
    """

    def __init__(self, *, warm: tuple[str, ...] = (), start: bool = True) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._sent = self._received = 0
        self._answers: dict[int, tuple[bool, Any]] = {}
        # a task is written by a thread of its own, which ends when it is written: the worker
        # reads only after its imports, and a task larger than the pipe would hold the step
        # until then (no thread stays: a step's forked workers need a process without threads,
        # heatplan.publish.release)
        self._writer: threading.Thread | None = None
        if not start or workers() < 2:
            return
        folder = str(Path(__file__).resolve().parents[1])
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _BOOT, folder, *warm],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                # the worker is the second process: its parts start no third one
                env={**os.environ, WORKERS_ENV: "1"},
            )
        except OSError as exc:
            log.info("no second process (%s): one process", exc)
        else:
            _RUNNING.add(id(self))

    @classmethod
    def none(cls) -> SecondCore:
        """No worker: every part runs in the step's own process."""
        return cls(start=False)

    @property
    def available(self) -> bool:
        """Whether work handed over runs in the worker (else in the step's process)."""
        return self._process is not None

    def submit(self, function: Callable[..., T], /, *args: Any, **kwargs: Any) -> Part[T]:
        """Start ``function(*args, **kwargs)`` in the worker (or, without one, on
        :meth:`Part.result` in this process); ``function`` must be importable by name."""
        number = None
        if self._process is not None:
            try:
                data = pickle.dumps((function, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # e.g. a local function: this part runs here
                log.info("a part that cannot be sent runs here (%s)", exc)
                return Part(self, None, function, args, kwargs)
            stream: IO[bytes] = self._process.stdin  # type: ignore[assignment]
            self._writer = threading.Thread(
                target=_write_task,
                args=(self._writer, stream, data),
                name="heatplan-second-core",
                daemon=True,
            )
            self._writer.start()  # a worker that has died answers nothing: Part computes
            number, self._sent = self._sent, self._sent + 1
        return Part(self, number, function, args, kwargs)

    def _answer(self, number: int) -> tuple[bool, Any]:
        """The worker's answer to task ``number`` (answers come in the order of the tasks)."""
        while number not in self._answers:
            if self._process is None:
                raise EOFError("the second process has ended")
            stream: IO[bytes] = self._process.stdout  # type: ignore[assignment]
            try:
                self._answers[self._received] = pickle.load(stream)
            except Exception as exc:  # an answer that does not unpickle here: stop the worker
                self._stop()
                raise EOFError(f"the second process's answer is unreadable: {exc!r}") from exc
            self._received += 1
        return self._answers.pop(number)

    def _stop(self, *, kill: bool = False) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        _RUNNING.discard(id(self))
        if kill:  # the step failed or was interrupted: its parts are no longer wanted
            process.kill()
        if self._writer is not None:  # the tasks handed over are written (or the worker gone)
            self._writer.join()
            self._writer = None
        for stream in (process.stdin, process.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def close(self, *, kill: bool = False) -> None:
        """End the worker: it ends when its task input closes, after the task it is doing;
        with ``kill`` at once."""
        self._stop(kill=kill)

    def __enter__(self) -> SecondCore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close(kill=error is not None)


class Part(Generic[T]):
    """A part of a step handed to :class:`SecondCore`: its result, from the worker or, if the
    worker could not deliver it, computed here."""

    def __init__(
        self,
        core: SecondCore,
        number: int | None,
        function: Callable[..., T],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        self._core, self._number = core, number
        self._call = (function, args, kwargs)

    def result(self) -> T:
        """The part's return value; its exception is raised here as the function raised it."""
        function, args, kwargs = self._call
        if self._number is not None:
            try:
                done, value = self._core._answer(self._number)
            except _WORKER_FAILED as exc:
                log.info("the second process failed (%s): the part runs here", exc)
                self._core._stop()
            else:
                if done:
                    return value
                if not isinstance(value, _Unsent):
                    raise value
                log.info("the second process could not send its result (%s)", value)
        return function(*args, **kwargs)
