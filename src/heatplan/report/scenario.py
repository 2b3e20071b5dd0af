"""Section 3 (Zielszenario): the seven Anlage-2 indicators per snapshot year, charts, variants.

The scenario indicators are municipal totals (``scenario_indicators``, written by
``heatplan scenario``); they carry no building-level figure.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from heatplan.areas.reference import carriers_table
from heatplan.plan import columns as col
from heatplan.publish.tables import SECTORS_DE
from heatplan.reference import table as reference_table
from heatplan.reference.emissions import DEFAULT_GRID_PATH, GRID_FILE
from heatplan.report import charts
from heatplan.report.fmt import Table, labels_de, number, percent
from heatplan.scenario.indicators import LABELS_DE
from heatplan.scenario.pathway import hydrogen_factor_g_per_kwh
from heatplan.scenario.settings import variant_settings
from heatplan.scenario.supply import catalogue_value

__all__ = [
    "VARIANT_DE",
    "hydrogen_basis_de",
    "indicator_value",
    "key_label",
    "scenario_section",
    "value_text",
]
#: sources.bib entries of the hydrogen sentence (electrolyser efficiency)
HYDROGEN_CITES = ("DEA_RenewableFuels", "PyPSATechData")

VARIANT_DE = labels_de("variant")
KEYS_DE = labels_de("indicator_key")


def key_label(key: str) -> str:
    """German text of an indicator key (``sector|carrier``, carrier, ``share:<key>``)."""
    if key.startswith("share:"):
        return f"Anteil {key_label(key.removeprefix('share:'))}"
    if "|" in key:
        sector, carrier = key.split("|", 1)
        return f"{SECTORS_DE.get(sector, sector)}: {key_label(carrier)}"
    carriers = carriers_table()["label_de"].to_dict()
    return KEYS_DE.get(key) or SECTORS_DE.get(key) or carriers.get(key, key)


def value_text(value: float, unit: str) -> str:
    """A scenario value as shown: shares in percent, everything else whole numbers."""
    return percent(value, 1) if unit == "-" else number(value, 0)


def _variant(indicators: pd.DataFrame) -> str:
    names = list(dict.fromkeys(indicators["variant"].astype(str)))
    return "base" if "base" in names else names[0]


def indicator_value(
    indicators: pd.DataFrame, *, variant: str, indicator: str, key: str, year: int
) -> float | None:
    """One stored value (None if absent)."""
    rows = indicators[
        (indicators["variant"] == variant)
        & (indicators["indicator"] == indicator)
        & (indicators["key"] == key)
        & (indicators["year"].astype(int) == year)
    ]
    return float(rows["value"].iloc[0]) if len(rows) else None


def _indicator_table(frame: pd.DataFrame, years: list[int]) -> Table:
    rows = []
    numeric = [False, False, False, *([True] * len(years))]
    for indicator in LABELS_DE:
        part = frame[frame["indicator"] == indicator]
        first = True
        for (key, unit), group in part.groupby(["key", "unit"], sort=False):
            by_year = dict(
                zip(group["year"].astype(int), group["value"].astype(float), strict=True)
            )
            values = [value_text(by_year[y], str(unit)) if y in by_year else "–" for y in years]
            label = f"({list(LABELS_DE).index(indicator) + 1}) {LABELS_DE[indicator]}"
            shown = {"-": "%", "buildings": "Gebäude"}.get(str(unit), str(unit))
            rows.append([label if first else "", key_label(str(key)), shown, *values])
            first = False
    columns = ["Indikator", "Aufschlüsselung", "Einheit", *[str(y) for y in years]]
    return Table(columns, rows, numeric, caption="Indikatoren des Zielszenarios (Anlage 2 III WPG)")


def _carrier_frame(frame: pd.DataFrame, base: pd.Series | None, base_year: int) -> pd.DataFrame:
    energy = frame[
        (frame["indicator"] == "final_energy") & frame["key"].str.contains("|", regex=False)
    ]
    carriers = energy["key"].str.split("|").str[1]
    wide = energy.assign(carrier=carriers).pivot_table(
        index="year", columns=col.CARRIER, values="value", aggfunc="sum"
    )
    wide.index = [str(int(y)) for y in wide.index]
    if base is not None and base.sum() > 0:  # an inventory without known carriers: no column
        wide = pd.concat([base.rename(f"Bestand {base_year}").to_frame().T, wide]).fillna(0.0)
    return wide.fillna(0.0)


def _ghg_frame(indicators: pd.DataFrame, base_t: float | None, base_year: int) -> pd.DataFrame:
    ghg = indicators[(indicators["indicator"] == "ghg_emissions") & (indicators["key"] == "total")]
    wide = ghg.pivot_table(index="year", columns="variant", values="value", aggfunc="sum")
    wide.columns = [VARIANT_DE.get(str(c), str(c)) for c in wide.columns]
    wide.index = wide.index.astype(int)
    if base_t and base_year < int(wide.index.min()):  # 0: the inventory knows no carriers
        wide.loc[base_year] = base_t
    return wide.sort_index()


def _variants_table(
    indicators: pd.DataFrame, costs: pd.DataFrame | None, years: list[int]
) -> Table:
    rows = []
    for variant in dict.fromkeys(indicators["variant"].astype(str)):
        cells = [VARIANT_DE.get(variant, variant)]
        for indicator, label in (
            ("final_energy", "Endenergie [MWh/a]"),
            ("ghg_emissions", "THG [t CO2e/a]"),
        ):
            values = [
                indicator_value(
                    indicators, variant=variant, indicator=indicator, key="total", year=y
                )
                for y in years
            ]
            rows.append([*cells, label, *[number(v) for v in values]])
            cells = [""]
        if costs is not None and "variant" in costs.columns:
            row = costs[costs["variant"].astype(str) == variant]
            cost = np.nan
            if len(row) and "total_cost_eur" in row.columns:
                cost = pd.to_numeric(row["total_cost_eur"], errors="coerce").iloc[0]
            if pd.notna(cost):
                total = number(cost / 1e6, 1)
                rows.append(
                    ["", "Gesamtkosten bis Zieljahr [Mio. EUR]", *[""] * (len(years) - 1), total]
                )
    columns = ["Variante", "Kennzahl", *[str(y) for y in years]]
    return Table(
        columns,
        rows,
        [False, False, *([True] * len(years))],
        caption="Varianten des Zielszenarios im Vergleich",
    )


#: German names of the grid emission paths (grid_emission_factors.csv) in public text.
GRID_PATHS_DE = labels_de("grid_path")
_MEASURED = ("final", "provisional", "estimate")


def _points_de(rows: pd.DataFrame) -> str:
    return ", ".join(f"{int(y)}: {number(v, 1 if v % 1 else 0)}" for y, v in rows.to_numpy())


def emission_basis_de(grid_path: str = DEFAULT_GRID_PATH) -> str:
    """The public German sentence on the emission basis and the grid path of the scenario."""
    rows = reference_table(GRID_FILE)
    rows = rows[rows["path"] == grid_path].sort_values("year")
    measured = rows["status"].isin(_MEASURED)
    return (
        "Treibhausgasemissionen als CO2-Äquivalente einschließlich Vorketten: Brennstoffe mit "
        "den Faktoren des GEG 2024 (Anlage 9), Netzstrom mit dem Strommix des Umweltbundesamts ("
        f"{_points_de(rows.loc[measured, ['year', 'g_per_kwh']])} g CO2e/kWh), danach Pfad "
        f"„{GRID_PATHS_DE.get(grid_path, grid_path)}“ ("
        f"{_points_de(rows.loc[~measured, ['year', 'g_per_kwh']])} g CO2e/kWh, dazwischen "
        "linear); Wärmenetze mit ihrem Erzeugungsmix auf derselben Grundlage. Auch Strom aus "
        "erneuerbaren Anlagen trägt Emissionen aus deren Bau und Betrieb; sie bleiben im "
        "Zieljahr als Restemission stehen, soweit der Pfad sie nicht zu null setzt."
    )


def hydrogen_years(indicators: pd.DataFrame) -> list[int]:
    """The snapshot years in which any variant supplies hydrogen (final energy > 0)."""
    rows = indicators[
        (indicators["indicator"] == "final_energy")
        & indicators["key"].astype(str).str.endswith("|hydrogen")
        & (pd.to_numeric(indicators["value"], errors="coerce") > 0)
    ]
    return sorted({int(y) for y in rows["year"]})


def hydrogen_basis_de(years: list[int], grid_path: str = DEFAULT_GRID_PATH) -> str:
    """The public German sentence on the emission factor of hydrogen in ``years``.

    The same factors the pathway counts (:func:`heatplan.scenario.pathway.hydrogen_factor_g_per_kwh`
    with the hydrogen variant's settings on ``grid_path``).
    """
    settings = variant_settings("hydrogen", grid_emission_path=grid_path)
    chosen = np.array(years, dtype=float)
    factors = hydrogen_factor_g_per_kwh(chosen, settings)
    efficiency = catalogue_value(settings.hydrogen_electrolysis_technology, "efficiency", chosen)
    efficiencies = ", ".join(f"{y}: {number(e, 2)}" for y, e in zip(years, efficiency, strict=True))
    values = ", ".join(f"{y}: {number(f, 1)}" for y, f in zip(years, factors, strict=True))
    limit = settings.hydrogen_renewable_max_g_per_kwh
    above = [str(y) for y, f in zip(years, factors, strict=True) if f > limit]
    warning = (
        f" In {', '.join(above)} über den {number(limit, 1)} g CO2e/kWh, die erneuerbarer "
        "Wasserstoff nach Richtlinie (EU) 2018/2001 Art. 25 Abs. 2 höchstens verursachen darf: "
        "kein grüner Wasserstoff."
        if above
        else ""
    )
    return (
        "Wasserstoff (im GEG ohne Faktor): Elektrolyse mit dem Netzstrom des Pfads "
        f"„{GRID_PATHS_DE.get(grid_path, grid_path)}“, Stromfaktor geteilt durch den Wirkungsgrad "
        f"des Elektrolyseurs (Danish Energy Agency; {efficiencies}), also {values} g CO2e/kWh "
        f"Wasserstoff (Heizwert), ohne Verdichtung, Transport und Importe.{warning}"
    )


def scenario_section(
    indicators: pd.DataFrame | None,
    costs: pd.DataFrame | None,
    *,
    base_by_carrier: pd.Series | None,
    base_ghg_t: float | None,
    base_year: int,
    grid_path: str = DEFAULT_GRID_PATH,
) -> dict[str, Any]:
    """Section 3 from ``scenario_indicators`` (None or empty: a note which step to run).

    ``base_by_carrier``: final energy of the inventory by carrier code [MWh/a], shown as the
    first column of the carrier chart; ``base_ghg_t``: its GHG emissions [t CO2e/a].
    """
    if indicators is None or indicators.empty:
        return {"empty": True}
    variant = _variant(indicators)
    frame = indicators[indicators["variant"].astype(str) == variant]
    years = sorted(frame["year"].astype(int).unique().tolist())
    labels = {str(k): str(v) for k, v in carriers_table()["label_de"].items()}
    labels["hydrogen"] = key_label("hydrogen")  # the scenario's carrier, not in carriers.csv
    section: dict[str, Any] = {
        "empty": False,
        "variant": VARIANT_DE.get(variant, variant),
        "years": years,
        "table": _indicator_table(frame, years),
        "emission_basis": emission_basis_de(grid_path),
        "charts": [
            charts.stacked(
                _carrier_frame(frame, base_by_carrier, base_year),
                unit="MWh/a",
                labels=labels,
                title="Endenergieverbrauch Wärme nach Energieträger",
            ),
            charts.lines(
                _ghg_frame(indicators, base_ghg_t, base_year),
                unit="t CO2e/a",
                title="Treibhausgasemissionen (Zielpfad)",
            ),
        ],
    }
    if indicators["variant"].nunique() > 1:
        section["variants"] = _variants_table(indicators, costs, years)
    with_hydrogen = hydrogen_years(indicators)
    section["cites"] = list(HYDROGEN_CITES) if with_hydrogen else []
    if with_hydrogen:
        section["hydrogen_basis"] = hydrogen_basis_de(with_hydrogen, grid_path)
    return section
