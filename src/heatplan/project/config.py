"""The project configuration file ``heatplan.toml`` (pydantic model, TOML on disk)."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Literal

import tomli_w
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from pyproj import CRS
from pyproj.exceptions import CRSError

from heatplan import FORMAT_VERSION
from heatplan.errors import ProjectError

CONFIG_NAME = "heatplan.toml"


class Municipality(BaseModel):
    name: str = Field(description="Name of the municipality")
    key: str = Field(
        default="", description="Amtlicher Gemeindeschlüssel (AGS, 8 digits) or EU LAU code"
    )
    inhabitants: int | None = Field(
        default=None,
        ge=0,
        description="Registered inhabitants on 1 January 2024 (WPG § 4: deadlines and the "
        "simplified procedure of § 22 below 10,000); empty: unknown",
    )


class ProjectSettings(BaseModel):
    crs: str = Field(default="EPSG:25832", description="Working CRS (default ETRS89 / UTM 32N)")
    target_year: int = Field(default=2045, description="Target year of the plan (WPG §1: 2045)")
    snapshot_years: list[int] = Field(
        default=[2030, 2035, 2040], description="Snapshot years (WPG §18(3))"
    )
    price_year: int = Field(default=2025, description="Price base year of all money values [EUR]")
    store: str = Field(
        default="plan.gpkg",
        description="Store URL: a GeoPackage path relative to the project, or postgresql://...",
    )
    weather_region: int | Literal["auto"] = Field(
        default="auto",
        description="DWD test-reference-year region 1..15 (TRY 2010) or 'auto' (from location)",
    )
    profile_year: int = Field(
        default=2025, description="Calendar year used to lay out hourly profiles (holidays)"
    )
    geology_region: str = Field(
        default="",
        description="Geological region of data/geology_regions.csv (e.g. oberrheingraben) for "
        "the regional groundwater and deep geothermal estimates; empty: none",
    )
    holiday_subdivision: str = Field(
        default="", description="German state code for holidays (e.g. BW, TH); empty: national"
    )
    missing_floors: Literal["unknown", "median"] | float = Field(
        default="unknown",
        description="Storeys of footprints with neither floors nor height: 'unknown' (heated "
        "area and typology demand stay unknown), 'median' (median storeys of the project's "
        "buildings that have them) or a number; estimates are flagged in heated_area_source",
    )

    @field_validator("crs")
    @classmethod
    def _crs_is_known(cls, value: str) -> str:
        try:
            crs = CRS.from_user_input(value)
        except CRSError as exc:
            raise ValueError(f"unknown CRS {value!r}: {exc}") from exc
        if not crs.is_projected:
            raise ValueError(f"CRS {value!r} is not projected; use metres (e.g. EPSG:25832)")
        return value

    @field_validator("weather_region")
    @classmethod
    def _region_range(cls, value: int | str) -> int | str:
        if isinstance(value, int) and not 1 <= value <= 15:
            raise ValueError("weather_region must be 1..15 (DWD TRY 2010 regions) or 'auto'")
        return value


class PotentialSettings(BaseModel):
    """Inputs of the Potenzialanalyse (WPG §16) that are not layers of the store."""

    network_supply_temp_c: float | None = Field(
        default=None,
        description="Supply temperature of heat networks the potentials are rated for [°C]; "
        "empty: the default of data/wastewater_parameters.csv",
    )
    network_return_temp_c: float | None = Field(
        default=None, description="Return temperature [°C]; empty: supply minus the default spread"
    )
    green_cuttings_t_per_a: float = Field(default=0.0, ge=0, description="Green cuttings [t/a]")
    wood_waste_t_per_a: float = Field(default=0.0, ge=0, description="Wood waste [t/a]")
    biowaste_t_per_a: float = Field(default=0.0, ge=0, description="Biowaste [t/a]")
    sludge_t_dm_per_a: float = Field(
        default=0.0, ge=0, description="Sewage sludge [t dry matter/a]"
    )


class EconomicSettings(BaseModel):
    """Money assumptions of full-cost comparisons; empty: data/economic_parameters.csv."""

    interest_rate: float | None = Field(
        default=None, ge=0, lt=1, description="Real imputed interest rate [1/a]"
    )
    observation_period_a: float | None = Field(
        default=None, gt=0, description="Observation period of the VDI 2067 annuity [a]"
    )
    energy_price_change_rate: float | None = Field(
        default=None, gt=-1, description="Yearly real change of energy prices [1/a]"
    )
    with_funding: bool = Field(
        default=True,
        description="Count federal funding (BEW for networks by its rules: Modul 2 grant at "
        ">= 75 % renewable and waste heat, Modul 4 for heat pumps and solar thermal; BEG for "
        "buildings)",
    )
    decentral_costs: Literal["installed_cost_de", "technology_catalogue"] = Field(
        default="installed_cost_de",
        description="Installed cost of a building's own heating: German manufacturers' list "
        "prices and installer offers of 2023 (Moritz et al. 2024, data/decentral_costs_de.csv), "
        "or the technology catalogue (Danish Energy Agency)",
    )
    plant_catalogue: Literal["dea_2020", "kww_1.1"] = Field(
        default="dea_2020",
        description="Catalogue edition of heat-network plant investments: the Danish Energy "
        "Agency's technology data (PyPSA technology-data, EUR of 2020) or the KWW Technikkatalog "
        "Wärmeplanung v1.1, whose cost curves a·P^b price the large air heat pump and the gas "
        "boiler at their size (data/catalogue_editions.csv; curves quoted second-hand, not "
        "verified offline); the other values stay the Danish Energy Agency's",
    )
    co2_price_path: Literal["low", "central", "high"] | None = Field(
        default="central",
        description="CO2 price path of household fuel prices in the buildings' full cost "
        "(data/co2_price_paths.csv: BEHG to 2026, then ETS2 low/central/high); none: today's "
        "prices with energy_price_change_rate",
    )
    perspective: Literal["owner", "economic"] = Field(
        default="owner",
        description="Whose full cost decides an area's type: the building owner's (gross prices "
        "incl. VAT, taxes and levies, BEG/BEW funding; a heat network's price incl. VAT) or the "
        "economic one (net of VAT and of funding; the CO2 price stays as a real cost). Both are "
        "stored with the areas; the reason names the other where it ranks the options otherwise",
    )
    heat_pump_tariff: Literal[
        "cheapest", "module_1", "module_2", "module_3", "heat_pump_tariff"
    ] = Field(
        default="cheapest",
        description="Electricity price of building heat pumps under § 14a EnWG "
        "(data/heat_pump_tariffs.csv): module_1 flat network-fee reduction on the household "
        "meter, module_2 60 % off the network fee's energy price on a separate meter, module_3 "
        "time-variable fee with module 1, cheapest: the cheaper of modules 1 and 2 per "
        "building, heat_pump_tariff: the published average heat-pump tariff",
    )


class EmissionSettings(BaseModel):
    """Emission accounting: one basis (CO2e incl. upstream chains), a choice of grid path."""

    grid_path: Literal["projection", "ksg_target", "frozen"] = Field(
        default="projection",
        description="Grid electricity emission factor by year (data/grid_emission_factors.csv, "
        "g CO2e/kWh incl. upstream chains like the GEG factors of carriers.csv): UBA's measured "
        "values, then projection (a sourced projection that keeps the upstream emissions of "
        "renewable plants), ksg_target (straight to 0 in 2045) or frozen (the 2024 estimate held)",
    )


class NetworkSettings(BaseModel):
    """Heat-network design inputs; empty values: data/network_parameters.csv."""

    supply_temp_c: float | None = Field(default=None, description="Design supply [°C]")
    return_temp_c: float | None = Field(default=None, description="Design return [°C]")
    connection_rate: float = Field(
        default=1.0,
        gt=0,
        le=1,
        description="Share of the selected buildings that connect (largest demand first)",
    )
    surface: Literal["unpaved", "paved", "road"] = Field(
        default="road", description="Surface the trenches are dug in (sets the trench cost)"
    )
    n1_reserve: bool | None = Field(
        default=None,
        description="Add a reserve boiler so the generation covers the peak load with its "
        "largest unit out (n-1), its cost in the network's; empty: data/network_reserve.csv",
    )
    connection_ramp: dict[int, float] = Field(
        default_factory=dict,
        description="Phased expansion: year -> share of the buildings connected by then "
        "(largest demand first), e.g. {2030 = 0.4, 2035 = 0.7, 2040 = 0.9}; the route and "
        "pipes are designed for the final connection rate",
    )

    @field_validator("connection_ramp")
    @classmethod
    def _ramp_shares(cls, value: dict[int, float]) -> dict[int, float]:
        bad = {year: share for year, share in value.items() if not 0 < share <= 1}
        if bad:
            raise ValueError(f"connection shares must be in (0, 1]; got {bad}")
        return dict(sorted(value.items()))


class PlanSettings(BaseModel):
    """What the published plan says about itself (XWärmeplan WP_Plan)."""

    name: str = Field(default="", description="Title; empty: 'Kommunale Wärmeplanung <town>'")
    description: str = Field(default="", description="Short description of the plan")
    start_decision_date: dt.date | None = Field(
        default=None, description="Council decision to draw up the plan (WPG § 13), YYYY-MM-DD"
    )
    adoption_date: dt.date | None = Field(
        default=None, description="Council decision on the plan (or its planned date), YYYY-MM-DD"
    )
    draft: bool = Field(
        default=False, description="The plan is a draft (reports say ENTWURF on the cover)"
    )
    language: Literal["de", "en"] = Field(
        default="de",
        description="Language of the public outputs (XLSX export): de (German) or en (English)",
    )
    legal_basis: Literal["1000", "2000", "3000"] = Field(
        default="1000",
        description="XWärmeplan code: 1000 WPG, 2000 state law, 3000 Kommunalrichtlinie",
    )
    procedure: Literal["standard", "simplified"] = Field(
        default="standard",
        description="'simplified': the procedure a Land may provide under WPG § 22 for "
        "municipalities with fewer than 10,000 inhabitants (municipality.inhabitants); it "
        "applies the Eignungsprüfung's § 14 (3) Nr. 2 test (see hydrogen_prospect) and the "
        "report states the procedure's rules",
    )
    hydrogen_prospect: bool | None = Field(
        default=None,
        description="Whether hydrogen for building heat through the local gas grid is in prospect "
        "(WPG § 14 (3) Nr. 2). false: an area with a gas network can still be very unlikely to "
        "suit a hydrogen network and so take the shortened procedure; empty: true in the "
        "standard procedure (a gas network keeps an area in the full procedure), false in the "
        "simplified one",
    )
    saving_share_min: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="WPG § 18 (5): smallest saving potential share of an area's heat demand; "
        "empty: data/wpg_procedures.csv",
    )
    saving_density_vs_town_min: float | None = Field(
        default=None,
        ge=0,
        description="WPG § 18 (5): smallest saving potential per hectare as a multiple of the "
        "municipality's; empty: data/wpg_procedures.csv",
    )

    def hydrogen_in_prospect(self) -> bool:
        """The § 14 (3) Nr. 2 premise: the setting, else true unless simplified."""
        if self.hydrogen_prospect is not None:
            return self.hydrogen_prospect
        return self.procedure != "simplified"


def simplified_possible(inhabitants: int | None) -> bool:
    """Whether a municipality of ``inhabitants`` may use the simplified procedure (WPG § 22):
    fewer than the limit of data/wpg_procedures.csv (unknown: no)."""
    from heatplan.reference import parameter

    limit = parameter("wpg_procedures.csv", "simplified_procedure_inhabitants_below")
    return inhabitants is not None and inhabitants < limit


def _classification_parameter_names() -> frozenset[str]:
    from heatplan.reference import table

    return frozenset(table("classification_parameters.csv")["parameter"].astype(str))


class ProjectConfig(BaseModel):
    format_version: int = FORMAT_VERSION
    municipality: Municipality
    project: ProjectSettings = ProjectSettings()
    potentials: PotentialSettings = PotentialSettings()
    economics: EconomicSettings = EconomicSettings()
    emissions: EmissionSettings = EmissionSettings()
    network: NetworkSettings = NetworkSettings()
    plan: PlanSettings = PlanSettings()
    classify: dict[str, float] = Field(
        default_factory=dict,
        description="Weights and thresholds of the area classification (WPG § 18 (1)): each key "
        "overrides the row of that name in classification_parameters.csv, where every default "
        "has its source, e.g. weight_cost = 0.6",
    )

    @field_validator("classify")
    @classmethod
    def _known_classify_parameters(cls, value: dict[str, float]) -> dict[str, float]:
        if not value:  # nothing to check: no reference table (and no pandas) to read
            return value
        known = _classification_parameter_names()
        unknown = sorted(set(value) - known)
        if unknown:
            raise ValueError(f"unknown parameter(s) {unknown}; known: {', '.join(sorted(known))}")
        return value

    @model_validator(mode="after")
    def _simplified_needs_a_small_town(self) -> ProjectConfig:
        people = self.municipality.inhabitants
        known = people is not None
        if self.plan.procedure == "simplified" and known and not simplified_possible(people):
            raise ValueError(
                "plan.procedure = 'simplified' needs fewer than 10,000 inhabitants "
                f"(WPG § 4 (3), § 22); municipality.inhabitants = {people:,}"
            )
        return self

    def store_url(self, project_dir: Path) -> str:
        store = self.project.store
        if "://" in store:
            return store
        return str((project_dir / store).resolve())


def load_config(project_dir: Path) -> ProjectConfig:
    """Read ``heatplan.toml`` of a project directory, with a clear error when it is unusable."""
    path = Path(project_dir) / CONFIG_NAME
    if not path.is_file():
        raise ProjectError(
            f"{path} not found: {project_dir} is not a heatplan project "
            f"(create one with `heatplan init {project_dir}`)"
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProjectError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return ProjectConfig.model_validate(raw)
    except ValidationError as exc:
        raise ProjectError(f"{path}: {validation_problems(exc)}") from exc


def validation_problems(exc: ValidationError) -> str:
    """One line naming each invalid setting and what is wrong with it."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())


def write_config(project_dir: Path, config: ProjectConfig) -> Path:
    path = Path(project_dir) / CONFIG_NAME
    path.write_text(
        tomli_w.dumps(config.model_dump(mode="json", exclude_none=True)), encoding="utf-8"
    )
    return path
