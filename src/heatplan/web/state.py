"""What one running web app holds: the project, its settings, caches, accounts, rate limits."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heatplan.steps.web_public import PublicData, load_public, web_settings
from heatplan.web.auth import Accounts, RateLimiter
from heatplan.web.edition import DownloadFolders, Edition, EditionBuilder


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
    """The project, its settings, the public edition (built off the request path) and accounts.

    ``load`` makes the public data of the plan (tests pass a counting or blocking one).
    """

    project_dir: Path
    settings: Settings
    load: Callable[[Path], PublicData] = load_public
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    accounts: Accounts = field(init=False)
    limiter: RateLimiter = field(init=False)
    editions: EditionBuilder = field(init=False)
    downloads: DownloadFolders = field(init=False)

    def __post_init__(self) -> None:
        self.accounts = Accounts(
            self.project_dir,
            session_s=self.settings.session_minutes * 60,
            clock=self.settings.clock,
        )
        self.limiter = RateLimiter(
            self.settings.login_limit, self.settings.login_window_s, clock=self.settings.clock
        )
        self.downloads = DownloadFolders(self.project_dir)
        self.editions = EditionBuilder(
            self.project_dir, load=self.load, on_new=self.downloads.edition_changed
        )

    def edition(self) -> Edition:
        """The current public edition (the first one is waited for)."""
        return self.editions.current()

    def data(self) -> PublicData:
        """The public data of the current edition."""
        return self.edition().data

    def invalidate(self) -> None:
        """The plan was written: build the next edition (in the background)."""
        self.editions.poke(force=True)
