"""Files written whole or not at all: the writer fills a temporary file beside the target, which
then replaces the target in one step (``os.replace``, atomic on one file system).

A writer that fails leaves no half-written file and no temporary one: an older file at the
target stays as it was. Used by every public output (report HTML and PDF, XLSX, GeoPackage).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["partial_path", "replacing", "write_text"]


def partial_path(path: Path) -> Path:
    """The temporary file beside ``path``: hidden, named by this process, same suffix.

    >>> partial_path(Path("out/plan.pdf")).name == f".plan.{os.getpid()}.partial.pdf"
    True
    """
    return path.with_name(f".{path.stem}.{os.getpid()}.partial{path.suffix}")


@contextmanager
def replacing(path: Path | str) -> Iterator[Path]:
    """A temporary path to write ``path``'s content to; it replaces ``path`` when the block
    ends without an error and is removed in any case.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "plan.html"
    >>> with replacing(target) as partial:
    ...     _ = partial.write_text("<html></html>", encoding="utf-8")
    >>> target.read_text(encoding="utf-8"), sorted(p.name for p in target.parent.iterdir())
    ('<html></html>', ['plan.html'])
    """
    path = Path(path)
    partial = partial_path(path)
    partial.unlink(missing_ok=True)  # left by a killed run of this process id
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def write_text(path: Path | str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` whole or not at all."""
    with replacing(path) as partial:
        partial.write_text(text, encoding="utf-8")
