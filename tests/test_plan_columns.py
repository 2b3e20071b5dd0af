"""The shared column names of :mod:`heatplan.plan.columns`: described in ``attributes.csv``."""

from __future__ import annotations

import pytest

from heatplan.plan import columns
from heatplan.plan.frames import ATTRIBUTES_FILE
from heatplan.reference import table

#: Unit of a column by the end of its name, longest first ("" : no unit).
UNIT_BY_SUFFIX = (
    ("_mwh_per_ha_a", "MWh/(ha·a)"),
    ("_eur_per_mwh", "EUR/MWh"),
    ("_kwh_per_m_a", "kWh/(m·a)"),
    ("_kwh_per_a", "kWh/a"),
    ("_mwh_per_a", "MWh/a"),
    ("_t_per_a", "t/a"),
    ("_m2", "m2"),
    ("_year", "a"),
    ("_id", ""),
)

CONSTANTS = {
    name: value
    for name, value in vars(columns).items()
    if name.isupper() and not name.startswith("_")
}


def unit_of_name(column: str) -> str:
    """The unit a column's name promises ("" for a name without a unit suffix)."""
    return next((unit for suffix, unit in UNIT_BY_SUFFIX if column.endswith(suffix)), "")


def test_there_are_constants() -> None:
    assert {"BUILDING_ID", "AREA_ID", "HEAT_DEMAND_KWH_PER_A", "CO2_T_PER_A"} <= set(CONSTANTS)
    assert columns.HEAT_DEMAND_KWH_PER_A == "heat_demand_kwh_per_a"


def test_every_constant_is_named_after_its_column() -> None:
    wrong = {name: value for name, value in CONSTANTS.items() if name.lower() != value}
    assert not wrong, wrong


def test_no_two_constants_share_a_value() -> None:
    values = list(CONSTANTS.values())
    assert len(values) == len(set(values))


@pytest.mark.parametrize("name", sorted(CONSTANTS))
def test_every_constant_is_described_with_the_unit_of_its_name(name: str) -> None:
    attributes = table(ATTRIBUTES_FILE, as_text=True)
    column = CONSTANTS[name]
    rows = attributes[attributes["name"] == column]
    assert not rows.empty, f"{column} is not described in {ATTRIBUTES_FILE}"
    assert set(rows["unit"]) == {unit_of_name(column)}, rows[["table", "unit"]]
    assert (rows["description"].str.strip() != "").all()
    assert set(rows["dtype"]) <= {"str", "int", "float", "bool"}


@pytest.mark.parametrize(
    ("column", "unit"),
    [
        ("heat_demand_kwh_per_a", "kWh/a"),
        ("heat_demand_mwh_per_a", "MWh/a"),
        ("co2_t_per_a", "t/a"),
        ("heated_area_m2", "m2"),
        ("line_density_kwh_per_m_a", "kWh/(m·a)"),
        ("heat_density_mwh_per_ha_a", "MWh/(ha·a)"),
        ("building_id", ""),
        ("carrier", ""),
    ],
)
def test_unit_of_name(column: str, unit: str) -> None:
    assert unit_of_name(column) == unit
