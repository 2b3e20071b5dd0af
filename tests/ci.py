"""Tests that need an installed tool: skipped on a developer's machine without it, failed in CI.

CI (``CI=true``) runs ``scripts/test.sh``, which installs everything the suite needs; a test that
silently skipped there would hide a broken install step.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def required(missing: str | None, hint: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a test that needs a tool; ``missing`` says why it is absent (None: present)."""

    def mark(test: Callable[..., Any]) -> Callable[..., Any]:
        if missing is None:
            return test

        @functools.wraps(test)
        def refused(*args: Any, **kwargs: Any) -> None:
            if IN_CI:
                pytest.fail(f"{missing}: CI must have it ({hint})", pytrace=False)
            pytest.skip(f"{missing} ({hint})")

        return refused

    return mark
