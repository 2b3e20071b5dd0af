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
