"""Regional geology: groundwater well doublets and deep geothermal (Upper Rhine Graben)."""

from __future__ import annotations

import pytest

from heatplan.potentials.geology import (
    deep_doublet_kw,
    groundwater_doublet_kw,
    region_parameters,
    regional_potentials,
)
from heatplan.tech.heatpump import cop_lorenz

#: rho x cp of water [kWh/(m³ K)] (IAPWS-95; data/wastewater_parameters.csv).
RHO_CP = 1.164
ETA = 0.56


def test_groundwater_doublet_by_hand() -> None:
    # 10 l/s = 36 m³/h cooled 6 K (Baden-Württemberg rule): 36 x 1.164 x 6 = 251.42 kW source
    got = groundwater_doublet_kw(
        10.0, 12.0, max_cooling_k=6.0, min_outlet_c=5.0, supply_temp_c=80.0,
        return_temp_c=50.0, volumetric_heat_capacity_kwh_per_m3_k=RHO_CP, efficiency=ETA,
    )  # fmt: skip
    cop = float(cop_lorenz(50.0, 80.0, 12.0, 6.0, efficiency=ETA))
    assert got["source_heat_kw"] == pytest.approx(36 * 1.164 * 6)
    assert got["heat_kw"] == pytest.approx(36 * 1.164 * 6 * cop / (cop - 1))
    # 9 °C groundwater may only go down to 5 °C: 4 K
    cold = groundwater_doublet_kw(
        10.0, 9.0, max_cooling_k=6.0, min_outlet_c=5.0, supply_temp_c=80.0,
        return_temp_c=50.0, volumetric_heat_capacity_kwh_per_m3_k=RHO_CP, efficiency=ETA,
    )  # fmt: skip
    assert cold["cooling_k"] == pytest.approx(4.0)


def test_deep_doublet_by_hand() -> None:
    # Landau order of magnitude: 70 l/s = 252 m³/h from 160 °C to 50 + 5 °C: 252 x 1.164 x 105
    assert deep_doublet_kw(
        70.0,
        160.0,
        return_temp_c=50.0,
        approach_k=5.0,
        volumetric_heat_capacity_kwh_per_m3_k=RHO_CP,
    ) == pytest.approx(252 * 1.164 * 105)
    assert (
        deep_doublet_kw(
            70.0,
            40.0,
            return_temp_c=50.0,
            approach_k=5.0,
            volumetric_heat_capacity_kwh_per_m3_k=RHO_CP,
        )
        == 0.0
    )


def test_upper_rhine_graben_rows_are_flagged_regional_estimates() -> None:
    values = region_parameters("oberrheingraben")
    assert values["groundwater_max_cooling_k"] <= 6.0  # water authorities' limit
    rows = {r["kind"]: r for r in regional_potentials(
        "oberrheingraben", supply_temp_c=80.0, return_temp_c=50.0, rho_cp=RHO_CP
    )}  # fmt: skip
    assert set(rows) == {"groundwater_heat_pump", "deep_geothermal"}
    for row in rows.values():
        assert "regional estimate" in str(row["reason"])
        assert float(row["heat_mwh_per_a"]) > 0  # type: ignore[arg-type]
    deep = rows["deep_geothermal"]
    hours = values["deep_full_load_hours_h_per_a"]
    assert deep["heat_mwh_per_a"] == pytest.approx(float(deep["capacity_kw"]) * hours / 1000)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown geology region"):
        region_parameters("atlantis")
