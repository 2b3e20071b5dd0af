"""The public edition of the plan, built once per plan revision off the request path.

Requests are answered from the last complete :class:`Edition`. When the plan revision
(:func:`heatplan.steps.web.plan_revision`: logins, logouts and audit entries do not count) has
changed, one background thread builds the next edition while requests keep getting the current
one, and swaps it in when it is complete. Only the very first edition is waited for.

By default the public data is made in a worker process (:mod:`heatplan.web.worker`).
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from heatplan.steps import web as store_io
from heatplan.web.geojson import LayerCache
from heatplan.web.legend import LAYERS
from heatplan.web.public_data import PublicData
from heatplan.web.worker import load_in_worker

log = logging.getLogger(__name__)
#: Editions whose download folders are kept (the current one and the one before: a download
#: that started just before a swap can still finish).
KEEP_DOWNLOAD_EDITIONS = 2
#: How often requests may make the builder look at the store's revision [s].
CHECK_INTERVAL_S = 1.0
#: How long a request waits for the very first edition before it gets HTTP 503 [s].
FIRST_EDITION_WAIT_S = 120.0


class EditionNotReady(Exception):
    """The first public edition is still being built (the server just started)."""


@dataclass
class Edition:
    """One public edition: the published tables and their prepared map layers."""

    version: str
    data: PublicData
    layers: LayerCache = field(default_factory=LayerCache)


class EditionBuilder:
    """Holds the current edition and builds the next one in a single background thread.

    ``load`` makes the public data (default :func:`load_in_worker`), ``revision`` reads the plan's
    revision (default :func:`heatplan.steps.web.plan_revision`). ``builds`` counts the editions
    made. ``on_new`` is called (in the builder thread) with each new edition.
    """

    def __init__(
        self,
        project_dir: Path,
        *,
        load: Callable[[Path], PublicData] = load_in_worker,
        revision: Callable[[Path], str] = store_io.plan_revision,
        on_new: Callable[[Edition], None] | None = None,
        check_interval_s: float = CHECK_INTERVAL_S,
    ) -> None:
        self.project_dir = project_dir
        self.load = load
        self.revision = revision
        self.on_new = on_new
        self.check_interval_s = check_interval_s
        self.builds = 0
        self._edition: Edition | None = None
        self._error: Exception | None = None
        self._failed_revision = ""
        self._pending = False
        self._worker: threading.Thread | None = None
        self._checked_s = -float("inf")
        self._cond = threading.Condition()

    # --- for requests --------------------------------------------------------------------
    def current(self, wait_s: float = FIRST_EDITION_WAIT_S) -> Edition:
        """The last complete edition; the first one is waited for up to ``wait_s``
        (:class:`EditionNotReady` after that; the build's error if it failed)."""
        self.poke(force=False)
        deadline = time.monotonic() + wait_s
        with self._cond:
            while self._edition is None:
                if self._error is not None and not self._pending and self._worker is None:
                    raise self._error
                left = deadline - time.monotonic()
                if left <= 0:
                    raise EditionNotReady("the public map data is being prepared: try again soon")
                self._cond.wait(timeout=min(left, 1.0))
            return self._edition

    def peek(self) -> Edition | None:
        """The current edition without waiting (None before the first is built)."""
        self.poke(force=False)
        return self._edition

    def poke(self, *, force: bool = True) -> None:
        """Make the builder look at the store's revision (at most once per check interval
        unless ``force``); never blocks."""
        now = time.monotonic()
        with self._cond:
            if not force and now - self._checked_s < self.check_interval_s:
                return
            self._checked_s = now
            self._pending = True
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._run, name="heatplan-edition", daemon=True
                )
                self._worker.start()

    def wait_idle(self, timeout_s: float = 600.0) -> bool:
        """Wait until no check or build is pending (for tests and the benchmark)."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while self._worker is not None or self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(timeout=min(left, 1.0))
            return True

    # --- the builder thread --------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._pending:
                    self._worker = None
                    self._cond.notify_all()
                    return
                self._pending = False
            try:
                self._check()
            except Exception:  # e.g. in on_new: the builder must stay ready for the next one
                log.exception("after building the public edition of %s", self.project_dir)

    def _check(self) -> None:
        try:
            revision = self.revision(self.project_dir)
        except Exception as exc:  # the store is unreadable right now: keep the last edition
            self._failed(exc, "")
            return
        current = self._edition
        if current is not None and revision in (current.version, self._failed_revision):
            return  # unchanged, or this revision failed to build before
        try:
            edition = Edition(revision, self.load(self.project_dir))
            warm(edition)
        except Exception as exc:
            self._failed(exc, revision)
            return
        with self._cond:
            self._edition = edition
            self._error = None
            self.builds += 1
            self._cond.notify_all()
        if self.on_new is not None:
            self.on_new(edition)

    def _failed(self, exc: Exception, revision: str) -> None:
        """Keep serving the last edition; say why in the log."""
        log.error("public edition of %s not built: %s", self.project_dir, exc)
        with self._cond:
            self._error = exc
            self._failed_revision = revision
            self._cond.notify_all()


def warm(edition: Edition) -> None:
    """Prepare the map layers of a new edition before it is served (reprojected, simplified
    per zoom band, features serialised), so the first requests after a swap stay fast."""
    for source in sorted({source for source, _, _, _ in LAYERS.values()}):
        frame = edition.data.tables.get(source)
        if frame is not None and len(frame):
            edition.layers.layer(source, frame)


class DownloadFolders:
    """Download files per edition under ``.heatplan-cache/web/<version>/``; old ones removed."""

    def __init__(self, project_dir: Path, keep: int = KEEP_DOWNLOAD_EDITIONS) -> None:
        self.root = project_dir / ".heatplan-cache" / "web"
        self.keep = keep
        self._recent: list[str] = []
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def folder(self, version: str) -> Path:
        return self.root / version

    def lock(self, key: str) -> threading.Lock:
        """One lock per file: two requests never export the same file at once."""
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def edition_changed(self, edition: Edition) -> None:
        """Remember the new edition and delete the folders of all but the last ``keep``."""
        with self._guard:
            if edition.version not in self._recent:
                self._recent.append(edition.version)
            self._recent = self._recent[-self.keep :]
            kept = set(self._recent)
            self._locks = {k: v for k, v in self._locks.items() if k.split("/")[0] in kept}
        if not self.root.is_dir():
            return
        for folder in self.root.iterdir():
            if folder.is_dir() and folder.name not in kept:
                shutil.rmtree(folder, ignore_errors=True)
