"""The one outcome of every import: counts, ignored columns, run id, notes — and its JSON keys.

Every ``heatplan import ...`` prints the same summary and, with ``--json``, one document with
the keys :data:`SUMMARY_KEYS` (README, "Importing a town's data"). Importers with more to say
(the cells of a Zensus file, the kinds of MaStR units) put it in ``details`` and one-line
``notes``; a result type of its own offers :meth:`ImportResult.summary` (the
:class:`ImportOutcome` protocol).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pandas as pd

REJECTIONS_TABLE = "import_rejections"
#: Rejection rows shown in the summary (all of them are in the table or the report CSV).
SHOWN_REJECTIONS = 5


@dataclass(frozen=True)
class ImportResult:
    """Outcome of one import: counts, the target layer, and where the rejections went."""

    #: Rows of the file stored (new and updated).
    imported: int
    #: Rows of the file rejected (each with file, row, field and reason in the rejections).
    rejected: int
    layer: str
    file: str
    rejections_table: str = REJECTIONS_TABLE
    #: Id of this import run, on each of its rejection rows and in ``import_runs``.
    run_id: str = ""
    mode: str = "add"
    #: Stored rows this import removed (``replace``: the layer's earlier rows).
    replaced: int = 0
    #: The CSV a failed import wrote its rejections to (the store was not touched).
    report: str | None = None
    #: Columns of the file the import did not use (reported in the summary).
    ignored_columns: tuple[str, ...] = ()
    #: Stored rows this import overwrote (``update``: same id or key).
    updated: int = 0
    #: One-line remarks of the importer (English, as the CLI; German terms quoted).
    notes: tuple[str, ...] = ()
    #: Importer-specific counts (cells of a Zensus file, kinds of MaStR units ...).
    details: dict[str, Any] = field(default_factory=dict)
    #: The first rejection rows (``file``, ``row``, ``field``, ``value``, ``reason``).
    first_rejections: tuple[dict[str, Any], ...] = ()

    @property
    def usable(self) -> bool:
        """False when nothing was imported (every row rejected)."""
        return self.imported > 0

    def summary(self) -> ImportResult:
        """The common summary (itself; subclasses fold their own fields into it)."""
        return self

    def to_dict(self) -> dict[str, Any]:
        """The CLI's ``--json`` document: the keys of :data:`SUMMARY_KEYS`, for every import."""
        summary = self.summary()
        data = {name: getattr(summary, name) for name in _FIELDS}
        data["ignored_columns"] = list(summary.ignored_columns)
        data["notes"] = list(summary.notes)
        data["first_rejections"] = list(summary.first_rejections)
        return {**data, "usable": summary.usable}


_FIELDS = tuple(f.name for f in fields(ImportResult))
#: Keys of every import's ``--json`` document.
SUMMARY_KEYS = (*_FIELDS, "usable")


class ImportOutcome(Protocol):
    """What every importer returns: a result that gives the common summary."""

    def summary(self) -> ImportResult: ...


def rejection_records(rejections: pd.DataFrame) -> tuple[dict[str, Any], ...]:
    """The first :data:`SHOWN_REJECTIONS` rejection rows as plain records."""
    columns = [c for c in ("file", "row", "field", "value", "reason") if c in rejections]
    head = rejections.head(SHOWN_REJECTIONS)[columns].astype(object)
    records = head.to_dict("records")
    return tuple({str(k): (None if v != v else v) for k, v in r.items()} for r in records)
