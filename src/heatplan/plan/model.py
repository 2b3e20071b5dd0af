"""The :class:`Plan`: a municipal heat plan in memory — its frames and its resolved settings.

A plan holds the town's inputs (buildings, streets, registers …) and what the stages made of
them (blocks, segments, 100 m cells, potentials, areas, scenario …) as pandas/geopandas frames
named as in ``heatplan/data/frames.csv``, plus the project settings (:class:`ProjectConfig`,
the model of ``heatplan.toml``). Stages (:mod:`heatplan.stages`) take a plan and return a new
one; they never open a store or a file. The store sits at the edges: :meth:`Plan.from_store`
reads a GeoPackage or PostGIS project, :meth:`Plan.to_store` writes what a stage made in one
transaction (all or nothing), like the command-line steps do.

The design follows PyPSA's ``Network`` and pandapipes' ``net``: named tables described once as
data, and functions over them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from heatplan.errors import ProjectError
from heatplan.plan.frames import frame_info, frame_infos, making_stage
from heatplan.project.config import Municipality, ProjectConfig, ProjectSettings, load_config
from heatplan.project.store import META_TABLE, open_store

__all__ = ["Plan"]


class Plan:
    """A heat plan in memory: frames by name and the project settings.

    Parameters
    ----------
    settings
        The project settings; default: those of ``heatplan.toml`` for an unnamed town.
    frames
        Frames by name (names of ``frames.csv``: ``buildings``, ``streets``, ``areas`` …).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> houses = gpd.GeoDataFrame(
    ...     {"building_id": ["a", "b"], "use": ["sfh", "mfh"]},
    ...     geometry=[shapely.Point(0, 0), shapely.Point(50, 0)], crs="EPSG:25832")
    >>> plan = Plan.from_frames(buildings=houses, municipality="Musterstadt")
    >>> plan.names, len(plan.buildings), plan.settings.municipality.name
    (['buildings'], 2, 'Musterstadt')
    >>> plan.has("areas")
    False
    """

    def __init__(
        self,
        settings: ProjectConfig | None = None,
        frames: Mapping[str, pd.DataFrame] | None = None,
        *,
        source: str = "",
    ) -> None:
        self.settings = settings if settings is not None else _default_settings("unnamed")
        #: Where the plan was read from (a store location), or "" for a plan built in memory.
        self.source = source
        self._frames: dict[str, pd.DataFrame] = {}
        #: Frames set or replaced since the plan was read (what :meth:`to_store` writes).
        self.changed: set[str] = set()
        for name, frame in (frames or {}).items():
            self._set(name, frame)

    # --- building ----------------------------------------------------------------------------
    @classmethod
    def from_frames(
        cls,
        *,
        settings: ProjectConfig | None = None,
        municipality: str | None = None,
        crs: str | None = None,
        **frames: pd.DataFrame,
    ) -> Plan:
        """A plan from frames in memory (no project folder): ``Plan.from_frames(buildings=…)``.

        Without ``settings``, the defaults of ``heatplan.toml`` apply, for ``municipality``
        and in ``crs`` (default: the CRS of the buildings, else EPSG:25832).
        """
        if settings is None:
            crs = crs or _frame_crs(frames.get("buildings")) or ProjectSettings().crs
            settings = _default_settings(municipality or "unnamed", crs)
        return cls(settings, frames)

    @classmethod
    def from_store(
        cls,
        url: str | Path,
        *,
        settings: ProjectConfig | None = None,
        frames: Iterable[str] | None = None,
    ) -> Plan:
        """The plan in a project store (GeoPackage path or ``postgresql://`` URL).

        ``frames`` limits what is read (default: every frame of ``frames.csv`` the store has);
        names the store lacks are skipped. Without ``settings``, the defaults apply in the
        store's CRS.
        """
        store = open_store(str(url))
        if not store.has(META_TABLE):
            raise ProjectError(f"{store.location} is not a heatplan project store")
        if settings is None:
            meta = store.meta()
            settings = _default_settings("unnamed", meta.get("crs", ProjectSettings().crs))
        wanted = list(frame_infos()) if frames is None else [frame_info(n).name for n in frames]
        read = {name: store.read(name) for name in wanted if store.has(name)}
        plan = cls(settings, read, source=str(store.location))
        plan.changed = set()  # as stored
        return plan

    @classmethod
    def from_project(cls, project_dir: str | Path, *, frames: Iterable[str] | None = None) -> Plan:
        """The plan of a project folder: settings from ``heatplan.toml``, frames from its store."""
        settings = load_config(Path(project_dir))
        url = settings.store_url(Path(project_dir))
        return cls.from_store(url, settings=settings, frames=frames)

    def to_store(
        self, url: str | Path, *, step: str, frames: Iterable[str] | None = None
    ) -> list[str]:
        """Write ``frames`` (default: the changed ones) to the store in one transaction.

        A new GeoPackage is created (in the plan's CRS). The step is logged in the store's run
        log. Returns the names written; afterwards nothing counts as changed.
        """
        names = sorted(self.changed) if frames is None else [frame_info(n).name for n in frames]
        store = open_store(str(url))
        if not store.has(META_TABLE):
            store.create(crs=self.settings.project.crs)
        with store.transaction(step=step) as writer:
            for name in names:
                writer.write(name, self.frame(name))
        self.changed -= set(names)
        return names

    # --- reading -----------------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        """The names of the frames the plan holds, in the order of ``frames.csv``."""
        return [name for name in frame_infos() if name in self._frames]

    def has(self, name: str) -> bool:
        """True when the plan holds frame ``name`` (possibly empty)."""
        return name in self._frames

    def get(self, name: str) -> pd.DataFrame | None:
        """Frame ``name`` or None when the plan lacks it."""
        frame_info(name)
        return self._frames.get(name)

    def frame(self, name: str) -> pd.DataFrame:
        """Frame ``name``; a :class:`ProjectError` naming the command that makes it otherwise."""
        frame = self.get(name)
        if frame is None:
            raise ProjectError(f"the plan has no {name}: run `{making_stage(name)}` first")
        return frame

    def layer(self, name: str) -> gpd.GeoDataFrame | None:
        """Frame ``name`` if the plan holds it as a GeoDataFrame (with geometry), else None."""
        frame = self.get(name)
        return frame if isinstance(frame, gpd.GeoDataFrame) else None

    # --- changing ----------------------------------------------------------------------------
    def with_frames(self, **frames: pd.DataFrame) -> Plan:
        """A new plan with ``frames`` set (others shared with this plan, not copied)."""
        new = Plan(self.settings, self._frames, source=self.source)
        new.changed = set(self.changed)
        for name, frame in frames.items():
            new._set(name, frame)
        return new

    def without(self, *names: str) -> Plan:
        """A new plan without the frames ``names``."""
        kept = {n: f for n, f in self._frames.items() if n not in names}
        new = Plan(self.settings, kept, source=self.source)
        new.changed = self.changed - set(names)
        return new

    def copy(self) -> Plan:
        """A deep copy: frames and settings can be changed without touching this plan."""
        frames = {name: frame.copy() for name, frame in self._frames.items()}
        new = Plan(self.settings.model_copy(deep=True), frames, source=self.source)
        new.changed = set(self.changed)
        return new

    def _set(self, name: str, frame: pd.DataFrame) -> None:
        info = frame_info(name)
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"frame {name!r} must be a pandas DataFrame, got {type(frame)!r}")
        if info.stage != "import" and info.key and len(frame) and info.key not in frame.columns:
            raise ValueError(f"frame {name!r} needs its key column {info.key!r}")
        self._frames[name] = frame
        self.changed.add(name)

    # --- the main frames ---------------------------------------------------------------------
    @property
    def buildings(self) -> gpd.GeoDataFrame:
        """One row per building (``attributes.csv``, table ``buildings``)."""
        return self.frame("buildings")

    @property
    def blocks(self) -> gpd.GeoDataFrame:
        """Blocks with their aggregates (after the inventory)."""
        return self.frame("blocks")

    @property
    def street_segments(self) -> gpd.GeoDataFrame:
        """Street segments with line density (after the inventory)."""
        return self.frame("street_segments")

    @property
    def grid_100m(self) -> gpd.GeoDataFrame:
        """100 m cells with demand and heat density (after the inventory)."""
        return self.frame("grid_100m")

    @property
    def potentials(self) -> gpd.GeoDataFrame:
        """Every potential of the town (after the potentials stage)."""
        return self.frame("potentials")

    @property
    def areas(self) -> gpd.GeoDataFrame:
        """Supply areas (after the areas stage; classified after classify)."""
        return self.frame("areas")

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}: {len(self._frames[name])}" for name in self.names)
        town = self.settings.municipality.name
        return f"<Plan {town!r} ({sizes or 'no frames'})>"


def _default_settings(municipality: str, crs: str | None = None) -> ProjectConfig:
    project = ProjectSettings(crs=crs) if crs else ProjectSettings()
    return ProjectConfig(municipality=Municipality(name=municipality), project=project)


def _frame_crs(frame: pd.DataFrame | None) -> str | None:
    if isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None:
        return str(frame.crs.to_string())
    return None
