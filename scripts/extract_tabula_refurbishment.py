"""Regenerate ``src/heatplan/data/tabula_refurbishment.csv`` from tdmat's TABULA export.

For each building type and age class: the space-heating need q_h_nd of the TABULA refurbishment
packages 'usual' (``ReEx.001.002``) and 'advanced' (``ReEx.001.003``) over the existing state
(``ReEx.001.001``) of the German generic example buildings (IWU TABULA DE, Loga et al. 2015, as
exported in the package ``tdmat``). Types missing in an age class take the neighbouring type
(TH <- SFH, AB <- MFH), and the source column says so; ``any`` rows are unweighted means.

Run: python scripts/extract_tabula_refurbishment.py
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "src/heatplan/data/tabula_refurbishment.csv"
SUBSTITUTE = {"th": "sfh", "ab": "mfh"}
TYPES = ["sfh", "th", "mfh", "ab"]
VARIANTS = {"usual": "002", "advanced": "003"}
PATTERN = r"^DE\.N\.(SFH|TH|MFH|AB)\.(\d\d)\.Gen\.ReEx\.001\.(00[123])$"


def tabula_variants() -> pd.DataFrame:
    """The TABULA rows indexed by (use, tabula_class, variant suffix)."""
    spec = importlib.util.find_spec("tdmat")
    if spec is None or spec.origin is None:
        raise SystemExit("tdmat is not installed: bash scripts/bootstrap.sh first")
    path = Path(spec.origin).parent / "_data" / "Tabula" / "Calc_Building_Set.csv"
    raw = pd.read_csv(path, encoding="latin-1", low_memory=False)
    parts = raw["Code_BuildingVariant"].astype(str).str.extract(PATTERN)
    rows = raw[parts[0].notna()].copy()
    rows["use"] = parts.loc[rows.index, 0].str.lower()
    rows["tabula_class"] = "DE." + parts.loc[rows.index, 1]
    rows["variant"] = parts.loc[rows.index, 2]
    return rows.set_index(["use", "tabula_class", "variant"])


def _row(found: pd.DataFrame, use: str, age: pd.Series, variant: str) -> dict[str, object]:
    base_use, note = use, ""
    if (use, age["tabula_class"], "001") not in found.index:
        base_use = SUBSTITUTE[use]
        note = f"; no TABULA {use.upper()} in this class: values of the {base_use.upper()}"
    existing = found.loc[(base_use, age["tabula_class"], "001")]
    refurbished = found.loc[(base_use, age["tabula_class"], VARIANTS[variant])]
    factor = float(refurbished["q_h_nd"]) / float(existing["q_h_nd"])
    return {
        "use": use,
        "age_class": age["age_class"],
        "variant": variant,
        "space_heating_factor": round(factor, 12),
        "unit": "-",
        "source": (
            f"IWU TABULA DE q_h_nd {refurbished['Code_BuildingVariant']} "
            f"({float(refurbished['q_h_nd'])} kWh/(m2 a), refurbishment package "
            f"'{variant}') / {existing['Code_BuildingVariant']} "
            f"({float(existing['q_h_nd'])} kWh/(m2 a), existing state) "
            f"(Loga et al. 2015, via tdmat 0.1.0){note}"
        ),
    }


def _means(table: pd.DataFrame) -> list[dict[str, object]]:
    means: list[dict[str, object]] = []
    for variant in VARIANTS:
        sub = table[table["variant"] == variant]
        for age, group in sub.groupby("age_class", sort=False):
            means.append(
                {
                    "use": "any",
                    "age_class": age,
                    "variant": variant,
                    "space_heating_factor": round(group["space_heating_factor"].mean(), 12),
                    "unit": "-",
                    "source": "heatplan: unweighted mean of the sfh/th/mfh/ab factors of age "
                    f"class {age} in this file (IWU TABULA DE, Loga et al. 2015); used for "
                    "non-residential and unknown uses",
                }
            )
        means.append(
            {
                "use": "any",
                "age_class": "unknown",
                "variant": variant,
                "space_heating_factor": round(sub["space_heating_factor"].mean(), 12),
                "unit": "-",
                "source": "heatplan: unweighted mean of all sfh/th/mfh/ab factors in this file "
                "(IWU TABULA DE, Loga et al. 2015); used when the age class is unknown",
            }
        )
    return means


def main() -> None:
    found = tabula_variants()
    ages = pd.read_csv(ROOT / "src/heatplan/data/age_classes.csv")
    rows = [
        _row(found, use, age, variant)
        for _, age in ages[ages["tabula_class"].notna()].iterrows()
        for use in TYPES
        for variant in VARIANTS
    ]
    table = pd.DataFrame(rows)
    table = pd.concat([table, pd.DataFrame(_means(table))], ignore_index=True)
    table.to_csv(TARGET, index=False)
    print(f"{len(table)} rows -> {TARGET}")


if __name__ == "__main__":
    main()
