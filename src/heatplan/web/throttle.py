"""Login throttling against guessing and password spraying, and the client address behind proxies.

Failed logins are counted in three sliding windows, and a login is refused (HTTP 429) while any
of them is full:

- per client address and user name (:data:`PAIR`): one person mistyping, one script guessing;
- per account, from any address (:data:`ACCOUNT`): guessing one password from many addresses;
- per client address, across all accounts (:data:`SOURCE`): password spraying, a few common
  passwords tried against many accounts.

The client address is the socket's peer; ``X-Forwarded-For`` is believed only when that peer
is one of ``[web] trusted_proxies`` (else anyone could name any address and escape the limits).
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from heatplan.errors import HeatplanError

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Window:
    """At most ``limit`` failed logins in ``window_s`` seconds [count, s]."""

    limit: int
    window_s: float


#: Per address and user name: 5 failures in 5 minutes (BSI IT-Grundschutz-Kompendium, Edition
#: 2023, ORP.4.A13: delay further attempts after each failed one and block after a set number).
PAIR = Window(5, 300.0)
#: Per account from any address: 100 failures a day (NIST SP 800-63B (2017) § 5.2.2: no more
#: than 100 consecutive failed attempts on a single account). A success clears it.
ACCOUNT = Window(100, 86_400.0)
#: Per address across accounts: 20 failures an hour (heatplan choice: an office behind one NAT
#: may mistype now and then; a sprayer gets a few hundred guesses a day, not thousands).
SOURCE = Window(20, 3_600.0)
#: Keys kept before expired ones are swept (bounds the memory an attacker can make us use).
SWEEP_KEYS = 10_000


class SlidingWindow:
    """Failure times per key within the last ``window.window_s`` seconds."""

    def __init__(self, window: Window, clock: Callable[[], float]) -> None:
        self.window = window
        self.clock = clock
        self._failures: dict[object, deque[float]] = {}

    def _recent(self, key: object) -> deque[float]:
        start = self.clock() - self.window.window_s
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= start:
            failures.popleft()
        return failures

    def full(self, key: object) -> bool:
        return len(self._recent(key)) >= self.window.limit

    def fail(self, key: object) -> None:
        self._recent(key).append(self.clock())
        if len(self._failures) > SWEEP_KEYS:
            self._sweep()

    def clear(self, key: object) -> None:
        self._failures.pop(key, None)

    def _sweep(self) -> None:
        for key in list(self._failures):
            if not self._recent(key):
                del self._failures[key]


class LoginThrottle:
    """The three windows of failed logins (see the module's description)."""

    def __init__(
        self,
        *,
        pair: Window = PAIR,
        account: Window = ACCOUNT,
        source: Window = SOURCE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.pair = SlidingWindow(pair, clock)
        self.account = SlidingWindow(account, clock)
        self.source = SlidingWindow(source, clock)
        self._lock = threading.Lock()

    def blocked(self, address: str, username: str) -> bool:
        with self._lock:
            return (
                self.pair.full((address, username))
                or self.account.full(username)
                or self.source.full(address)
            )

    def fail(self, address: str, username: str) -> None:
        with self._lock:
            self.pair.fail((address, username))
            self.account.fail(username)
            self.source.fail(address)

    def succeeded(self, address: str, username: str) -> None:
        """A right password: the account's failures end (the address's count stays)."""
        with self._lock:
            self.pair.clear((address, username))
            self.account.clear(username)


def parse_proxies(entries: Iterable[str]) -> tuple[IPNetwork, ...]:
    """``[web] trusted_proxies`` (addresses or networks such as ``10.0.0.0/8``) parsed."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            raise HeatplanError(
                f"[web] trusted_proxies: {entry!r} is not an IP address or network "
                "(e.g. 127.0.0.1 or 10.0.0.0/8)"
            ) from None
    return tuple(networks)


def _trusted(address: str, proxies: tuple[IPNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(peer: str, forwarded_for: str | None, proxies: tuple[IPNetwork, ...]) -> str:
    """The client's address: ``peer``, or from ``X-Forwarded-For`` when ``peer`` is a trusted
    proxy — the right-most entry that is not itself a trusted proxy (entries further left
    were written by the client and prove nothing)."""
    if not forwarded_for or not _trusted(peer, proxies):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop[:64]
    return hops[0][:64] if hops else peer


class PostThrottle:
    """Public POSTs (comments on the draft plan) per client address in a sliding window.

    ``allow(address)`` counts the request and says whether it is within the limit; a refused
    request is not counted (a client that waits gets through again).
    """

    def __init__(self, window: Window, clock: Callable[[], float] = time.time) -> None:
        self.window = SlidingWindow(window, clock)
        self._lock = threading.Lock()

    def allow(self, address: str) -> bool:
        with self._lock:
            if self.window.full(address):
                return False
            self.window.fail(address)
            return True
