"""Errors that reach the user as a clear message (no traceback)."""

from __future__ import annotations


class HeatplanError(Exception):
    """A user-facing error: the message says what was wrong, where, and how to fix it."""


class InputFileError(HeatplanError):
    """An input file cannot be used at all (unreadable, no usable rows, missing CRS...)."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class ProjectError(HeatplanError):
    """The project directory, its configuration or its store is missing or inconsistent."""


class ConflictError(HeatplanError):
    """Someone else changed the record since it was read (optimistic locking): nothing was saved.

    The caller re-reads the record (now at ``stored_revision``), merges and tries again.
    """

    def __init__(self, what: str, *, expected_revision: int, stored_revision: int) -> None:
        super().__init__(
            f"{what} was changed by someone else (you edited revision {expected_revision}, "
            f"the stored one is {stored_revision}); nothing was saved — reload and try again"
        )
        self.expected_revision = expected_revision
        self.stored_revision = stored_revision


class StoreBusyError(ProjectError):
    """Another step kept the project store busy for longer than a step waits."""
