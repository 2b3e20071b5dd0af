"""What one running web app holds: the project, its settings, caches, accounts, rate limits."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heatplan.steps import web as store_io
from heatplan.steps.web_public import PublicData, load_public, web_settings
from heatplan.web.auth import Accounts, RateLimiter
from heatplan.web.geojson import LayerCache


@dataclass
class Settings:
    """Settings of the web app (defaults from the ``[web]`` table of ``heatplan.toml``).

    Parameters
    ----------
    basemap_style : str or None
        URL of a MapLibre style for the background map; None: no basemap (GeoJSON only).
    session_minutes : float
        Lifetime of a planner's session [min].
    login_limit, login_window_s : int, float
        Failed logins allowed per client address and user name in the window [count, s].
    secure_cookies : bool
        Send the session cookie only over HTTPS (set True behind a TLS proxy).
    clock : callable
        Seconds since the epoch (tests replace it to let sessions expire).
    """

    basemap_style: str | None = None
    session_minutes: float = 480.0
    login_limit: int = 5
    login_window_s: float = 300.0
    secure_cookies: bool = False
    attribution: str = "heatplan"
    clock: Callable[[], float] = time.time

    @classmethod
    def from_project(cls, project_dir: Path) -> Settings:
        web = web_settings(project_dir)
        known = {"basemap_style", "session_minutes", "login_limit", "login_window_s",
                 "secure_cookies", "attribution"}  # fmt: skip
        return cls(**{k: v for k, v in web.items() if k in known})


@dataclass
class AppState:
    project_dir: Path
    settings: Settings
    layers: LayerCache = field(default_factory=LayerCache)
    _data: PublicData | None = None
    _version: str = ""
    _checked: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    accounts: Accounts = field(init=False)
    limiter: RateLimiter = field(init=False)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.accounts = Accounts(
            self.project_dir,
            session_s=self.settings.session_minutes * 60,
            clock=self.settings.clock,
        )
        self.limiter = RateLimiter(
            self.settings.login_limit, self.settings.login_window_s, clock=self.settings.clock
        )

    def version(self) -> str:
        """The store's version, looked at no more than once a second."""
        now = time.monotonic()
        if now - self._checked > 1.0 or not self._version:
            self._checked = now
            return store_io.store_version(self.project_dir)
        return self._version

    def data(self) -> PublicData:
        """The public edition of the current store version (rebuilt after any write)."""
        version = self.version()
        with self._lock:
            if self._data is None or version != self._version:
                self._data = load_public(self.project_dir)
                self._version = version
                self.layers.reset()
            return self._data

    def cached(self) -> PublicData | None:
        """The public edition without looking at the store, if it was looked at within 1 s."""
        if self._data is not None and self._version and time.monotonic() - self._checked <= 1.0:
            return self._data
        return None

    def invalidate(self) -> None:
        with self._lock:
            self._checked = 0.0
            self._version = ""
