"""What one running web app holds: the project, its settings, caches, accounts, rate limits."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from starlette.requests import Request

from heatplan.reference import parameter
from heatplan.web import throttle
from heatplan.web.auth import Accounts
from heatplan.web.edition import DownloadFolders, Edition, EditionBuilder
from heatplan.web.limits import MAX_BODY_BYTES
from heatplan.web.participation import DisplayPeriod, display_period
from heatplan.web.public_data import PublicData, web_settings
from heatplan.web.worker import load_in_worker


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
    login_account_limit, login_account_window_s : int, float
        Failed logins allowed per account from any address in the window [count, s].
    login_source_limit, login_source_window_s : int, float
        Failed logins allowed per client address across accounts in the window [count, s]
        (defaults and sources: :mod:`heatplan.web.throttle`).
    trusted_proxies : tuple of str
        Addresses or networks of reverse proxies whose ``X-Forwarded-For`` is believed;
        empty: the socket's peer address counts.
    max_body_bytes : int
        Largest request body; larger ones get HTTP 413 [bytes].
    secure_cookies : bool
        Send the session cookie only over HTTPS (set True behind a TLS proxy).
    participation_start, participation_end : str or None
        First and last day (ISO dates) of the draft's public display (WPG § 13), when the map
        takes comments; None: no display (:mod:`heatplan.web.participation`).
    comments_per_window, comments_window_s : int, float
        Comments one client address may send in the window [count, s]
        (defaults: ``data/participation.csv``).
    clock : callable
        Seconds since the epoch (tests replace it to let sessions expire).
    """

    basemap_style: str | None = None
    session_minutes: float = 480.0
    login_limit: int = throttle.PAIR.limit
    login_window_s: float = throttle.PAIR.window_s
    login_account_limit: int = throttle.ACCOUNT.limit
    login_account_window_s: float = throttle.ACCOUNT.window_s
    login_source_limit: int = throttle.SOURCE.limit
    login_source_window_s: float = throttle.SOURCE.window_s
    trusted_proxies: tuple[str, ...] = ()
    max_body_bytes: int = MAX_BODY_BYTES
    secure_cookies: bool = False
    participation_start: str | None = None
    participation_end: str | None = None
    comments_per_window: int = field(
        default_factory=lambda: int(parameter("participation.csv", "comments_per_window"))
    )
    comments_window_s: float = field(
        default_factory=lambda: parameter("participation.csv", "comments_window_s")
    )
    attribution: str = "heatplan"
    clock: Callable[[], float] = time.time

    @classmethod
    def from_project(cls, project_dir: Path) -> Settings:
        web = dict(web_settings(project_dir))
        known = {f.name for f in fields(cls)} - {"clock"}
        proxies = web.get("trusted_proxies", ())
        web["trusted_proxies"] = (proxies,) if isinstance(proxies, str) else tuple(proxies)
        return cls(**{k: v for k, v in web.items() if k in known})


def login_throttle(settings: Settings) -> throttle.LoginThrottle:
    return throttle.LoginThrottle(
        pair=throttle.Window(settings.login_limit, settings.login_window_s),
        account=throttle.Window(settings.login_account_limit, settings.login_account_window_s),
        source=throttle.Window(settings.login_source_limit, settings.login_source_window_s),
        clock=settings.clock,
    )


@dataclass
class AppState:
    """The project, its settings, the public edition (built off the request path) and accounts.

    ``load`` makes the public data of the plan (tests pass a counting or blocking one).
    """

    project_dir: Path
    settings: Settings
    load: Callable[[Path], PublicData] = load_in_worker
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    accounts: Accounts = field(init=False)
    limiter: throttle.LoginThrottle = field(init=False)
    proxies: tuple[throttle.IPNetwork, ...] = field(init=False)
    editions: EditionBuilder = field(init=False)
    downloads: DownloadFolders = field(init=False)
    period: DisplayPeriod = field(init=False)
    comment_throttle: throttle.PostThrottle = field(init=False)

    def __post_init__(self) -> None:
        self.period = display_period(
            self.settings.participation_start, self.settings.participation_end
        )
        self.comment_throttle = throttle.PostThrottle(
            throttle.Window(self.settings.comments_per_window, self.settings.comments_window_s),
            clock=self.settings.clock,
        )
        self.accounts = Accounts(
            self.project_dir,
            session_s=self.settings.session_minutes * 60,
            clock=self.settings.clock,
        )
        self.limiter = login_throttle(self.settings)
        self.proxies = throttle.parse_proxies(self.settings.trusted_proxies)
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

    def client(self, request: Request) -> str:
        """The client's address (``X-Forwarded-For`` only from a trusted proxy)."""
        peer = request.client.host if request.client else "?"
        forwarded = request.headers.get("x-forwarded-for")
        return throttle.client_address(peer, forwarded, self.proxies)

    def invalidate(self) -> None:
        """The plan was written: build the next edition (in the background)."""
        self.editions.poke(force=True)
