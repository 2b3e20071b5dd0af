"""Console output for the CLI: JSON for scripts, rich text and progress for people."""

from __future__ import annotations

import contextlib
import json
import logging
import math
import sys
from collections.abc import Callable, Iterator
from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

# Lines are never broken by rich (soft wrap): a message stays one line for a
# script or a test reading it, whatever the terminal width; the terminal wraps.
err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    numpy = sys.modules.get("numpy")  # a numpy value exists only where numpy is imported
    if numpy is not None and isinstance(value, numpy.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "to_dict"):
        return _plain(value.to_dict())
    return value


def emit_json(document: dict[str, Any]) -> None:
    """Print one JSON document on stdout (the ``--json`` contract)."""
    sys.stdout.write(json.dumps(_plain(document), ensure_ascii=False, indent=2, default=str))
    sys.stdout.write("\n")


@contextlib.contextmanager
def progress(enabled: bool, *, animated: bool = True) -> Iterator[Callable[[str], None]]:
    """A spinner with the current step's name on stderr; silent when disabled (``--json``).

    Without a terminal the names are printed one per line, unless the log shows them already
    (``--verbose``: the steps log each stage). ``animated=False``: the spinner and the elapsed
    time move only when a stage starts, so that no display thread runs (a step that forks its
    workers, the disclosure audit, runs in one process beside a thread).
    """
    if not enabled or not err.is_terminal:
        shown = enabled and not logging.getLogger("heatplan").isEnabledFor(logging.INFO)
        yield lambda msg: err.print(f"[dim]… {msg}[/dim]") if shown else None
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        auto_refresh=animated,
    ) as bar:
        task = bar.add_task("starting", total=None)
        yield lambda msg: bar.update(task, description=msg, refresh=not animated)


def fmt_energy(kwh: float) -> str:
    """Energy with a readable unit (kWh/a .. GWh/a)."""
    if kwh >= 1e6:
        return f"{kwh / 1e6:,.2f} GWh/a"
    if kwh >= 1e3:
        return f"{kwh / 1e3:,.1f} MWh/a"
    return f"{kwh:,.0f} kWh/a"
