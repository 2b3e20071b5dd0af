"""Regenerate ``src/heatplan/data/tabula_residential.csv`` from tdmat's TABULA WebTool export.

Source: IWU TABULA DE building typology (Loga et al. 2015) as exported in the package ``tdmat``
(``tdmat/_data/Tabula/Calc_Building_Set.csv``, Latin-1). Rows used: the German generic
("Gen") example buildings of the national typology, existing state (``ReEx.001.001``):
``DE.N.<SFH|TH|MFH|AB>.<class>.Gen.ReEx.001.001``. Where TABULA has no building of a type in an
age class (terraced houses before 1860, apartment blocks from 1979), the row is filled from the
neighbouring TABULA type (TH <- SFH, AB <- MFH) and the source column says so.

Run: python scripts/extract_tabula.py
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "src" / "heatplan" / "data" / "tabula_residential.csv"
SUBSTITUTE = {"th": "sfh", "ab": "mfh"}
TYPES = ["sfh", "th", "mfh", "ab"]


def load_generic() -> pd.DataFrame:
    spec = importlib.util.find_spec("tdmat")  # not imported: tdmat reads its data on import
    assert spec is not None and spec.origin is not None, "tdmat is not installed"
    path = Path(spec.origin).parent / "_data" / "Tabula" / "Calc_Building_Set.csv"
    raw = pd.read_csv(path, encoding="latin-1", low_memory=False)
    code = raw["Code_BuildingVariant"].astype(str)
    parts = code.str.extract(r"^DE\.N\.(SFH|TH|MFH|AB)\.(\d\d)\.Gen\.ReEx\.001\.001$")
    rows = raw[parts[0].notna()].copy()
    rows["use"] = parts.loc[rows.index, 0].str.lower()
    rows["tabula_class"] = "DE." + parts.loc[rows.index, 1]
    return rows


def build_table(rows: pd.DataFrame, age_classes: pd.DataFrame) -> pd.DataFrame:
    found = rows.set_index(["use", "tabula_class"])
    out = []
    for _, age in age_classes[age_classes["tabula_class"].notna()].iterrows():
        for use in TYPES:
            key, note = (use, age["tabula_class"]), ""
            if key not in found.index:
                key = (SUBSTITUTE[use], age["tabula_class"])
                note = f"; no TABULA {use.upper()} in this class: values of the {key[0].upper()}"
            row = found.loc[key]
            out.append(
                {
                    "use": use,
                    "age_class": age["age_class"],
                    "space_heating_kwh_per_m2_a": float(row["q_h_nd"]),
                    "hot_water_kwh_per_m2_a": float(row["q_w_nd"]),
                    "reference_area_m2": float(row["A_C_Ref"]),
                    "unit": "kWh/(m2 a) of reference area A_C_Ref",
                    "source": f"IWU TABULA DE {row['Code_BuildingVariant']} q_h_nd, q_w_nd "
                    f"(Loga et al. 2015, via tdmat 0.1.0){note}",
                }
            )
    return pd.DataFrame(out)


def main() -> None:
    age_classes = pd.read_csv(ROOT / "src" / "heatplan" / "data" / "age_classes.csv")
    table = build_table(load_generic(), age_classes)
    table.to_csv(TARGET, index=False)
    print(f"wrote {len(table)} rows to {TARGET}")


if __name__ == "__main__":
    main()
