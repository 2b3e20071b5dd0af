"""The public data built in a worker process, so the build does not slow the server's requests.

Making the public data (:func:`heatplan.web.public_data.load_public`) is seconds of pandas and
shapely work; in a thread of the server it would hold the GIL for much of that time and every
request answered meanwhile would wait for it. :func:`load_in_worker` runs it in one worker
process per server (spawned: the server runs threads, and fork would copy their locks) and gets
the finished data back as a pickle of about a megabyte. The worker ends with the server: at the
app's shutdown (:func:`stop_worker`) or, if the server dies without one, by itself.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from heatplan.web.public_data import PublicData, load_public

log = logging.getLogger(__name__)
#: Longest a build may take before the worker is given up and a new one started [s] (heatplan
#: choice: the slowest build measured, a 20,000-building town, takes under a minute).
BUILD_TIMEOUT_S = 900.0
#: How often the worker looks whether the server still runs [s].
PARENT_CHECK_S = 2.0

_POOL: ProcessPoolExecutor | None = None
_GUARD = threading.Lock()


def _watch_parent(parent_pid: int) -> None:
    """In the worker: end when the server process is gone (killed without a shutdown)."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_S)
        os._exit(0)

    threading.Thread(target=watch, name="heatplan-worker-watch", daemon=True).start()


def _pool() -> ProcessPoolExecutor:
    global _POOL
    with _GUARD:
        if _POOL is None:
            _POOL = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_watch_parent,
                initargs=(os.getpid(),),
            )
        return _POOL


def stop_worker() -> None:
    """End the worker process, after the build it may be running (the next build starts a new
    one)."""
    global _POOL
    with _GUARD:
        pool, _POOL = _POOL, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def load_in_worker(project_dir: Path) -> PublicData:
    """:func:`load_public` run in the worker process (a new one if the last one failed)."""
    pool = _pool()
    try:
        return pool.submit(load_public, project_dir).result(timeout=BUILD_TIMEOUT_S)
    except (BrokenProcessPool, FutureTimeout):
        log.error("the worker building the public edition failed or hangs: starting a new one")
        with _GUARD:
            global _POOL
            if _POOL is pool:
                _POOL = None
        pool.shutdown(wait=False, cancel_futures=True)
        raise
