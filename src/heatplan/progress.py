"""Stage messages of the steps: logged with :mod:`logging` and shown on the caller's display.

A step names each stage it starts (``say("weather")``). The message goes to the step's logger
at INFO (the CLI shows it with ``--verbose``; a library user configures :mod:`logging` as they
like) and to the optional ``progress`` callable a caller passes (the CLI's spinner).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

__all__ = ["Progress", "stage_reporter"]

#: A progress display: takes the name of the stage a step starts.
Progress = Callable[[str], None]


def stage_reporter(log: logging.Logger, progress: Progress | None = None) -> Progress:
    """``say(stage)``: log ``stage`` at INFO on ``log``, then pass it to ``progress`` (if any).

    A step that runs other steps passes them its caller's ``progress``, not its own ``say``,
    so that each stage is logged once, by the step that runs it.

    Examples
    --------
    >>> shown: list[str] = []
    >>> say = stage_reporter(logging.getLogger("heatplan.example"), shown.append)
    >>> say("weather")
    >>> shown
    ['weather']
    """

    def say(stage: str) -> None:
        log.info("%s", stage)
        if progress is not None:
            progress(stage)

    return say
