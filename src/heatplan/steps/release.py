"""The audited public release in the project store: audited once, read by every later process.

The public edition of a plan is one release of figures audited as a whole
(:func:`heatplan.publish.layers.public_layers`); on a large town the audit takes minutes. The
first process that needs it (``heatplan report``, ``heatplan export``, the web map) audits and
writes the release — the public layers and the :class:`~heatplan.publish.layers.Withheld`
account with the audit's report — to the table :data:`RELEASE_TABLE` of the project store, in
one transaction; every later process reads it back instead of auditing again.

The stored release is keyed by :func:`heatplan.publish.layers.release_key`: a digest of every
release input (:data:`~heatplan.publish.layers.RELEASE_INPUTS`: names, columns, types, values,
geometries), the protection share and the release rules' version. A process uses a stored
release only when the key of the frames it read equals the stored one, so any change of the
buildings, areas, totals … gives a new key and a new audit: a stored release is never stale.
What is stored is the public edition itself (no building-level layer), so the table holds
nothing the exports do not publish anyway.

Each layer is stored as GeoParquet (Apache Parquet with the GeoParquet 1.0 geometry metadata,
written by GeoPandas), base64-encoded in a text column so both stores keep it without a
binary type; a digest of each payload guards against a damaged row. A release that cannot be
read (missing, another key, damaged, written by an older format) is audited again; a release
that cannot be written (store busy, read-only) is only logged — the caller's output never
depends on the store.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import json
import logging
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from heatplan import __version__
from heatplan.errors import HeatplanError
from heatplan.project.store import Store, utc_now
from heatplan.publish.layers import (
    PUBLIC_LAYERS,
    RELEASE_INPUTS,
    Withheld,
    public_layers,
    release_key,
)
from heatplan.publish.release import PROTECTION_SHARE, ReleaseAudit
from heatplan.publish.rules import drop_confidential
from heatplan.steps.status import RELEASE_STEP, RELEASE_TABLE, WITHHELD_PART, plan_steps

__all__ = [
    "RELEASE_STEP",
    "RELEASE_TABLE",
    "RELEASE_WAIT_S",
    "project_release",
    "read_release",
    "write_release",
]

log = logging.getLogger(__name__)

#: Layout of :data:`RELEASE_TABLE`; a stored release of another format is audited again.
RELEASE_FORMAT = 1
#: Columns of :data:`RELEASE_TABLE`: one row per public layer and one :data:`WITHHELD_PART` row.
RELEASE_COLUMNS = (
    "part",
    "content_key",
    "rows",
    "payload",
    "made_utc",
    "heatplan_version",
    "plan_steps",
)
#: How long a process waits for another step's lock to store the release [s] (heatplan
#: choice: storing is an optimisation; an export does not wait a minute behind a long step).
RELEASE_WAIT_S = 5.0

Release = tuple[dict[str, pd.DataFrame], Withheld]


def project_release(
    store: Store,
    frames: Mapping[str, pd.DataFrame],
    *,
    protection_share: float = PROTECTION_SHARE,
) -> Release:
    """The audited release of ``frames`` as :func:`public_layers` gives it, from the store.

    The release is cut from the :data:`RELEASE_INPUTS` of ``frames``; other frames (scenario
    tables …) are only listed as not exported, as :func:`public_layers` does. A release stored
    for the same inputs is read back; otherwise the release is audited and stored.
    """
    inputs = {name: frames[name] for name in RELEASE_INPUTS if name in frames}
    key = release_key(inputs, protection_share)
    steps = _plan_steps(store)  # before the audit: a step that runs meanwhile counts as later
    release = read_release(store, key) if key is not None else None
    if release is not None:
        log.info("public release read from the project store (audited before, same inputs)")
    else:
        release = public_layers(inputs, protection_share=protection_share)
        if key is not None and write_release(store, key, release, plan_steps=steps):
            log.info("public release audited and stored for the next report, export, web map")
    return _for_frames(release, frames)


def _for_frames(release: Release, frames: Mapping[str, pd.DataFrame]) -> Release:
    """The release's account with the frames outside the release inputs added."""
    layers, withheld = release
    extra = [name for name in frames if name not in RELEASE_INPUTS]
    if not extra:
        return release
    confidential = dict(withheld.confidential_rows)
    for name in extra:
        _, rows = drop_confidential(frames[name])
        if rows:
            confidential[name] = rows
    not_exported = sorted({*withheld.not_exported, *(n for n in extra if n not in PUBLIC_LAYERS)})
    return layers, dataclasses.replace(
        withheld, confidential_rows=confidential, not_exported=not_exported
    )


def _plan_steps(store: Store) -> int:
    if not store.has("runs"):
        return 0
    return plan_steps(store.read("runs", columns=["step"])["step"].astype(str))


# --- reading -----------------------------------------------------------------------------
def read_release(store: Store, key: str) -> Release | None:
    """The release stored under ``key``; None when there is none, another one or a damaged one
    (logged: the caller audits again)."""
    if not store.has(RELEASE_TABLE):
        return None
    try:
        table = store.read(RELEASE_TABLE)
        keys = set(table["content_key"].astype(str))
        if keys != {key}:
            log.info("the stored public release is of other inputs: auditing again")
            return None
        return _decoded(table)
    except Exception as exc:  # any damage of a cache means: audit again
        log.warning("the stored public release cannot be used (%s): auditing again", exc)
        return None


def _decoded(table: pd.DataFrame) -> Release:
    parts = dict(zip(table["part"].astype(str), table["payload"].astype(str), strict=True))
    head = json.loads(parts.pop(WITHHELD_PART))
    if head.get("format") != RELEASE_FORMAT:
        raise ValueError(f"format {head.get('format')!r}, this release reads {RELEASE_FORMAT}")
    layouts: dict[str, dict[str, Any]] = head["layers"]
    if set(parts) != set(layouts):
        raise ValueError(f"layers {sorted(parts)} stored, {sorted(layouts)} listed")
    layers = {name: _layer(parts[name], layouts[name]) for name in head["order"]}
    return layers, _withheld(head["withheld"])


def _layer(payload: str, layout: dict[str, Any]) -> pd.DataFrame:
    data = base64.b64decode(payload.encode("ascii"), validate=True)
    if hashlib.blake2b(data, digest_size=16).hexdigest() != layout["digest"]:
        raise ValueError("a layer's payload does not match its digest")
    buffer = io.BytesIO(data)
    frame = gpd.read_parquet(buffer) if layout["geo"] else pd.read_parquet(buffer)
    if len(frame) != layout["rows"]:
        raise ValueError(f"{len(frame)} rows read, {layout['rows']} stored")
    for column, positions in layout["nan"].items():  # Parquet keeps one kind of empty text
        values = frame[column].to_numpy(dtype=object, copy=True)
        values[positions] = np.nan
        frame[column] = values
    return frame


def _withheld(record: dict[str, Any]) -> Withheld:
    audit = ReleaseAudit(**record.pop("audit"))
    return Withheld(**record, audit=audit)


# --- writing -----------------------------------------------------------------------------
def write_release(store: Store, key: str, release: Release, *, plan_steps: int = 0) -> bool:
    """Store ``release`` under ``key`` in one transaction; False (logged) when it cannot be."""
    try:
        table = _encoded(key, release, plan_steps)
    except Exception as exc:  # a layer Parquet cannot hold: keep it unstored
        log.warning("the public release cannot be stored (%s)", exc)
        return False
    try:
        with store.transaction(step=RELEASE_STEP, wait_s=RELEASE_WAIT_S) as writer:
            writer.write(RELEASE_TABLE, table)
    except (HeatplanError, OSError) as exc:
        log.warning("the public release was not stored (%s); the next process audits again", exc)
        return False
    return True


def _encoded(key: str, release: Release, plan_steps: int) -> pd.DataFrame:
    layers, withheld = release
    parts: list[tuple[str, int, str]] = []
    layouts: dict[str, dict[str, Any]] = {}
    for name, frame in layers.items():
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=True)
        data = buffer.getvalue()
        layouts[name] = {
            "geo": isinstance(frame, gpd.GeoDataFrame),
            "rows": len(frame),
            "digest": hashlib.blake2b(data, digest_size=16).hexdigest(),
            "nan": _nan_positions(frame),
        }
        parts.append((name, len(frame), base64.b64encode(data).decode("ascii")))
    head = {
        "format": RELEASE_FORMAT,
        "order": list(layers),
        "layers": layouts,
        "withheld": dataclasses.asdict(withheld),
    }
    parts.append((WITHHELD_PART, len(layers), json.dumps(head, default=_plain)))
    return pd.DataFrame(
        {
            "part": [p[0] for p in parts],
            "content_key": key,
            "rows": [p[1] for p in parts],
            "payload": [p[2] for p in parts],
            "made_utc": utc_now(),
            "heatplan_version": __version__,
            "plan_steps": plan_steps,
        },
        columns=list(RELEASE_COLUMNS),
    )


def _nan_positions(frame: pd.DataFrame) -> dict[str, list[int]]:
    """Rows of each text column holding NaN (Parquet gives every missing text back as None)."""
    found: dict[str, list[int]] = {}
    for column in frame.columns:
        if frame[column].dtype != object:
            continue
        nan = [i for i, v in enumerate(frame[column].tolist()) if isinstance(v, float) and v != v]
        if nan:
            found[str(column)] = nan
    return found


def _plain(value: Any) -> Any:
    """JSON for the numpy scalars of an audit's counts."""
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON")
