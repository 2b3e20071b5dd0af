"""Write ``src/heatplan/tech/_water.py``: saturated liquid water from 0.01 to 200 °C (CoolProp).

The pipes' water properties (:mod:`heatplan.tech.pipes`) are interpolated in this table instead
of importing CoolProp (about 2 s) in every process that lays out a network. Density and heat
capacity: IAPWS-95 (Wagner & Pruß 2002); viscosity: IAPWS 2008 (Huber et al. 2009); as
CoolProp evaluates them [Bell et al. 2014, Ind. Eng. Chem. Res. 53(6):2498-2508]. Linear
interpolation in 0.5 K steps stays within 5e-5 of CoolProp (tests/test_tech_pipes.py).

    python scripts/water_table.py
"""

from __future__ import annotations

from pathlib import Path

import CoolProp
import numpy as np
from CoolProp.CoolProp import PropsSI

OUT = Path(__file__).resolve().parents[1] / "src" / "heatplan" / "tech" / "_water.py"
#: 0.01 °C (the triple point), then every 0.5 K up to 200 °C.
TEMPS_C = np.concatenate([[0.01], np.arange(0.5, 200.0 + 0.25, 0.5)])


def column(prop: str) -> list[float]:
    return [float(PropsSI(prop, "T", t + 273.15, "Q", 0, "Water")) for t in TEMPS_C]


def literal(values: list[float]) -> str:
    rows = [", ".join(f"{v:.17g}" for v in values[i : i + 4]) for i in range(0, len(values), 4)]
    return "(\n" + "".join(f"    {row},\n" for row in rows) + ")"


def main() -> None:
    text = f'''"""Saturated liquid water, 0.01-200 °C, written by ``scripts/water_table.py``.

CoolProp {CoolProp.__version__}: density and isobaric heat capacity after IAPWS-95 (Wagner, W.,
Pruß, A. (2002), J. Phys. Chem. Ref. Data 31(2):387-535), dynamic viscosity after IAPWS 2008
(Huber, M. L. et al. (2009), J. Phys. Chem. Ref. Data 38(2):101-125).
"""

# fmt: off
#: Temperature [°C]: 0.01 (triple point), then 0.5 K steps to 200.
TEMP_C = {literal([float(t) for t in TEMPS_C])}
#: Density [kg/m³].
DENSITY_KG_PER_M3 = {literal(column("D"))}
#: Isobaric heat capacity [J/(kg·K)].
HEAT_CAPACITY_J_PER_KGK = {literal(column("C"))}
#: Dynamic viscosity [Pa·s].
VISCOSITY_PA_S = {literal(column("V"))}
'''
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT}: {len(TEMPS_C)} temperatures")


if __name__ == "__main__":
    main()
