"""Planner accounts: argon2 passwords, server-side sessions, CSRF tokens.

Failed logins are throttled by :mod:`heatplan.web.throttle`.

Accounts live in the store table ``users`` (username, password_hash, role, created_utc,
disabled), sessions in ``sessions`` (token_hash, username, created_utc, expires_utc,
csrf_token) — only SHA-256 hashes of the session and CSRF tokens are stored, so a copy of the
store opens no session. The CSRF token of a session is derived from its token
(``sha256("csrf:" + token)``): a page of another site can neither read the cookie nor compute
it. Every change is written to ``audit_log`` (:func:`heatplan.steps.web.audit`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from heatplan.errors import HeatplanError
from heatplan.steps import web as data

ROLES = ("viewer", "editor", "admin")
SESSION_COOKIE = "heatplan_session"
CSRF_HEADER = "X-CSRF-Token"
_HASHER = PasswordHasher()
#: A well-formed hash of a random password: verifying unknown users costs the same time.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (with its salt and parameters)."""
    if len(password) < 8:
        raise HeatplanError("password: at least 8 characters, please")
    return _HASHER.hash(password)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(session_token: str) -> str:
    """The CSRF token of a session (sent by the page in the ``X-CSRF-Token`` header)."""
    return hashlib.sha256(f"csrf:{session_token}".encode()).hexdigest()


def role_at_least(role: str, needed: str) -> bool:
    return ROLES.index(role) >= ROLES.index(needed) if role in ROLES else False


def add_user(project_dir: Path, username: str, password: str, role: str) -> dict[str, str]:
    """Create or replace the account ``username`` with ``role`` (viewer, editor, admin)."""
    if role not in ROLES:
        raise HeatplanError(f"--role {role!r}: choose one of {', '.join(ROLES)}")
    if not username.strip() or any(c.isspace() for c in username):
        raise HeatplanError(f"user name {username!r}: one word without spaces, please")
    row = {
        "username": username,
        "password_hash": hash_password(password),
        "role": role,
        "created_utc": data.utc_now(),
        "disabled": False,
    }

    def write(writer: data.Writer) -> None:
        users = data.read_table(writer, "users", data.USER_COLUMNS)
        users = users[users["username"] != username]
        users = pd.concat([users, pd.DataFrame([row])], ignore_index=True)
        users["disabled"] = users["disabled"].map(_flag).astype(bool)
        writer.write("users", users)
        data.append_audit(writer, username="cli", action="user_add", target=username, detail=role)

    data.write_step(project_dir, "users", write)
    return {"username": username, "role": role}


def list_users(project_dir: Path) -> list[dict[str, str]]:
    users = data.read_store_table(project_dir, "users", data.USER_COLUMNS)
    return [
        {"username": str(r.username), "role": str(r.role), "created_utc": str(r.created_utc)}
        for r in users.itertuples(index=False)
    ]


@dataclass
class Session:
    username: str
    role: str
    expires: float
    token: str = ""

    @property
    def csrf(self) -> str:
        return csrf_token(self.token)


class Accounts:
    """Logins and sessions of one project (sessions cached in memory, kept in the store)."""

    def __init__(
        self, project_dir: Path, *, session_s: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.project_dir = Path(project_dir)
        self.session_s = session_s
        self.clock = clock
        self._cache: dict[str, Session] = {}
        self._lock = threading.Lock()

    def verify(self, username: str, password: str) -> str | None:
        """The user's role if the password is right and the account enabled, else None."""
        users = data.read_store_table(self.project_dir, "users", data.USER_COLUMNS)
        match = users[users["username"] == username]
        stored = str(match["password_hash"].iloc[0]) if len(match) else _DUMMY_HASH
        try:
            _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if not len(match) or _flag(match["disabled"].iloc[0]):
            return None
        return str(match["role"].iloc[0])

    def login(self, username: str, role: str, ip: str) -> Session:
        """Open a session (and drop the expired ones from the store)."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        session = Session(username, role, now + self.session_s, token)
        row = {
            "token_hash": token_hash(token),
            "username": username,
            "created_utc": _iso(now),
            "expires_utc": _iso(session.expires),
            "csrf_token": token_hash(session.csrf),
        }

        def write(writer: data.Writer) -> None:
            sessions = data.read_table(writer, "sessions", data.SESSION_COLUMNS)
            alive = sessions[sessions["expires_utc"].astype(str) > _iso(now)]
            writer.write("sessions", pd.concat([alive, pd.DataFrame([row])], ignore_index=True))
            data.append_audit(writer, username=username, action="login", target="", ip=ip)

        data.write_step(self.project_dir, "login", write)
        with self._lock:
            self._cache[row["token_hash"]] = session
        return session

    def session(self, token: str | None) -> Session | None:
        """The live session of a cookie token, or None (unknown or expired)."""
        if not token:
            return None
        key = token_hash(token)
        with self._lock:
            session = self._cache.get(key)
        if session is None:
            session = self._load(key, token)
        if session is None or session.expires <= self.clock():
            return None
        return session

    def _load(self, key: str, token: str) -> Session | None:
        sessions = data.read_store_table(self.project_dir, "sessions", data.SESSION_COLUMNS)
        match = sessions[sessions["token_hash"] == key]
        if not len(match):
            return None
        row = match.iloc[0]
        users = data.read_store_table(self.project_dir, "users", data.USER_COLUMNS)
        user = users[users["username"] == row["username"]]
        if not len(user) or _flag(user["disabled"].iloc[0]):
            return None
        expires = datetime.fromisoformat(str(row["expires_utc"])).timestamp()
        session = Session(str(row["username"]), str(user["role"].iloc[0]), expires, token)
        with self._lock:
            self._cache[key] = session
        return session

    def logout(self, token: str, ip: str) -> None:
        key = token_hash(token)
        with self._lock:
            session = self._cache.pop(key, None)

        def write(writer: data.Writer) -> None:
            sessions = data.read_table(writer, "sessions", data.SESSION_COLUMNS)
            writer.write("sessions", sessions[sessions["token_hash"] != key])
            name = session.username if session else ""
            data.append_audit(writer, username=name, action="logout", target="", ip=ip)

        data.write_step(self.project_dir, "logout", write)


def check_csrf(session: Session, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(session.csrf, str(sent))


def _iso(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).isoformat(timespec="seconds")


def _flag(value: object) -> bool:
    """A stored flag (1/0, true/false, as number or text; missing: False)."""
    return str(value).strip().lower() in ("1", "1.0", "true", "yes")
