"""Reference data: every default value has its source beside it."""

from __future__ import annotations

from importlib import resources

import pytest

from heatplan.reference import table

#: The schema tables describe frames and columns; they hold no values that need a source.
SCHEMA_TABLES = {"attributes.csv", "frames.csv"}
DATA_FILES = sorted(
    entry.name
    for entry in resources.files("heatplan.data").iterdir()
    if entry.name.endswith(".csv") and entry.name not in SCHEMA_TABLES
)


@pytest.mark.parametrize("name", DATA_FILES)
def test_every_row_has_a_source(name: str) -> None:
    frame = table(name, as_text=True)
    assert "source" in frame.columns, name
    empty = frame.index[frame["source"].str.strip() == ""].tolist()
    assert not empty, f"{name}: rows {empty} have no source"


def test_the_data_files_were_found() -> None:
    assert {"carriers.csv", "tabula_residential.csv", "units.csv"} <= set(DATA_FILES)
