"""German electricity tariff and cost parameters of a site from ``data/site_tariffs.csv`` and
``data/site_costs.csv`` (each row with its unit, year and source)."""

from __future__ import annotations

from dataclasses import dataclass

from heatplan.reference._files import cached_table
from heatplan.tech.economics import annuity_factor

TARIFF_FILE = "site_tariffs.csv"
COST_FILE = "site_costs.csv"
#: The two grid-fee cases of StromNEV § 17 (2) (utilisation hours below / from 2,500 h a year).
GRID_CASES = ("below_2500_h", "from_2500_h")
#: Price components paid on every imported kWh besides the grid fee.
PER_KWH_COMPONENTS = (
    "energy_price_eur_per_mwh",
    "electricity_tax_eur_per_mwh",
    "concession_fee_eur_per_mwh",
    "kwkg_levy_eur_per_mwh",
    "offshore_levy_eur_per_mwh",
    "stromnev_19_levy_eur_per_mwh",
)


@dataclass(frozen=True)
class GridTariff:
    """What a kWh and a kW of annual peak import cost, and what a fed-in kWh earns (net of VAT)."""

    case: str
    import_eur_per_kwh: float
    demand_eur_per_kw_a: float
    feed_in_eur_per_kwh: float
    #: § 14a EnWG module 2: less on each kWh of a controllable heat pump or charger [EUR/kWh].
    controllable_reduction_eur_per_kwh: float = 0.0
    #: The grid fee's energy price alone (the part § 19 (2) StromNEV compares) [EUR/kWh].
    grid_energy_eur_per_kwh: float = 0.0


@dataclass(frozen=True)
class Costs:
    """Annualised cost per unit of size and battery physics."""

    pv_eur_per_kwp: float
    pv_eur_per_kwp_a: float
    battery_eur_per_kwh: float
    battery_eur_per_kwh_a: float
    battery_eur_per_kw: float
    battery_eur_per_kw_a: float
    charge_efficiency: float
    discharge_efficiency: float
    max_c_rate_per_h: float
    pv_m2_per_kwp: float
    pv_annuity_per_a: float
    battery_annuity_per_a: float


def _value(parameter: str, case: str = "any") -> float:
    frame = cached_table(TARIFF_FILE)
    rows = frame[(frame["parameter"] == parameter) & (frame["case"] == case)]
    if len(rows) != 1:
        cases = sorted(frame.loc[frame["parameter"] == parameter, "case"])
        raise ValueError(
            f"{TARIFF_FILE}: no single row {parameter!r}, case {case!r}; cases: {cases}"
        )
    return float(rows["value"].iloc[0])


def utilisation_switch_h_per_a() -> float:
    """Utilisation hours [h/a] from which the second grid-fee pair applies (StromNEV § 17 (2))."""
    return _value("utilisation_hours_switch_h_per_a")


def grid_tariff(
    case: str, feed_in_case: str = "up_to_100_kwp", *, enwg_14a_module_2: bool = False
) -> GridTariff:
    """The tariff of grid-fee ``case`` (:data:`GRID_CASES`) and EEG feed-in ``feed_in_case``;
    ``enwg_14a_module_2``: the heat pump's and chargers' kWh pay 40 % of the grid energy price
    (§ 14a EnWG module 2, site_tariffs.csv ``controllable_module_2_reduction``)."""
    if case not in GRID_CASES:
        raise ValueError(f"grid-fee case {case!r}: choose {', '.join(GRID_CASES)}")
    per_mwh = sum(_value(name) for name in PER_KWH_COMPONENTS)
    grid_mwh = _value("grid_energy_price_eur_per_mwh", case)
    per_mwh += grid_mwh
    reduction = _value("controllable_module_2_reduction") if enwg_14a_module_2 else 0.0
    return GridTariff(
        case=case,
        import_eur_per_kwh=per_mwh / 1000.0,
        demand_eur_per_kw_a=_value("grid_demand_price_eur_per_kw_a", case),
        feed_in_eur_per_kwh=_value("eeg_feed_in_eur_per_mwh", feed_in_case) / 1000.0,
        controllable_reduction_eur_per_kwh=reduction * grid_mwh / 1000.0,
        grid_energy_eur_per_kwh=grid_mwh / 1000.0,
    )


def gas_price_eur_per_kwh() -> float:
    """Natural gas for a business, net of VAT, incl. levies and CO2 price [EUR/kWh Hi]."""
    return _value("gas_price_eur_per_mwh") / 1000.0


def _cost(parameter: str) -> float:
    frame = cached_table(COST_FILE).set_index("parameter")
    return float(frame["value"].astype(float)[parameter])


def _per_year(investment: float, lifetime_a: float, om_fraction: float, rate: float) -> float:
    return investment * (annuity_factor(interest_rate=rate, period_a=lifetime_a) + om_fraction)


def interest_rate() -> float:
    """The project's imputed interest rate [1/a] (economic_parameters.csv)."""
    frame = cached_table("economic_parameters.csv").set_index("parameter")
    return float(frame["value"].astype(float)["interest_rate"])


def site_costs(rate: float | None = None) -> Costs:
    """Costs per kWp, kWh and kW, annualised with the VDI 2067-1 annuity over each lifetime plus
    the yearly operating share (no replacement within the lifetime, no residual value)."""
    rate = interest_rate() if rate is None else rate
    pv, battery_kwh, battery_kw = (
        _cost("pv_eur_per_kwp"),
        _cost("battery_eur_per_kwh"),
        _cost("battery_eur_per_kw"),
    )
    pv_life, bat_life = _cost("pv_lifetime_a"), _cost("battery_lifetime_a")
    pv_om, bat_om = _cost("pv_om_fraction_per_a"), _cost("battery_om_fraction_per_a")
    return Costs(
        pv_eur_per_kwp=pv,
        pv_eur_per_kwp_a=_per_year(pv, pv_life, pv_om, rate),
        battery_eur_per_kwh=battery_kwh,
        battery_eur_per_kwh_a=_per_year(battery_kwh, bat_life, bat_om, rate),
        battery_eur_per_kw=battery_kw,
        battery_eur_per_kw_a=_per_year(battery_kw, bat_life, bat_om, rate),
        charge_efficiency=_cost("battery_charge_efficiency"),
        discharge_efficiency=_cost("battery_discharge_efficiency"),
        max_c_rate_per_h=_cost("battery_max_c_rate_per_h"),
        pv_m2_per_kwp=_cost("pv_m2_per_kwp"),
        pv_annuity_per_a=float(annuity_factor(interest_rate=rate, period_a=pv_life)),
        battery_annuity_per_a=float(annuity_factor(interest_rate=rate, period_a=bat_life)),
    )


@dataclass(frozen=True)
class HeatCosts:
    """Annualised cost per unit of heat and cold sizes and the physics defaults of
    ``site_costs.csv`` (investment per unit for the payback)."""

    heat_pump_eur_per_kw: float
    heat_pump_eur_per_kw_a: float
    store_eur_per_kwh: float
    store_eur_per_kwh_a: float
    boiler_eur_per_kw: float
    boiler_eur_per_kw_a: float
    chiller_eur_per_kw: float
    chiller_eur_per_kw_a: float
    network_eur_per_kw: float
    network_eur_per_kw_a: float
    boiler_efficiency: float
    store_loss_per_h: float
    heat_pump_lorenz_efficiency: float
    heat_pump_source_cooling_k: float
    chiller_lorenz_efficiency: float
    chiller_min_condensing_air_c: float
    chiller_condenser_air_rise_k: float
    heat_sink_return_c: float
    heat_sink_supply_c: float
    cold_supply_c: float
    cold_return_c: float
    ev_charging_efficiency: float


def heat_costs(rate: float | None = None) -> HeatCosts:
    """The heat, cold and EV rows of ``site_costs.csv``, annualised as :func:`site_costs`."""
    rate = interest_rate() if rate is None else rate

    def unit(name: str) -> tuple[float, float]:
        investment = _cost(f"{name}_eur_per_{'kwh' if name == 'store' else 'kw'}")
        life, om = _cost(f"{name}_lifetime_a"), _cost(f"{name}_om_fraction_per_a")
        return investment, _per_year(investment, life, om, rate)

    hp, store, boiler = unit("heat_pump"), unit("store"), unit("boiler")
    chiller = unit("chiller")
    network_investment = _cost("network_connection_eur_per_kw")
    network = _per_year(
        network_investment,
        _cost("network_connection_lifetime_a"),
        _cost("network_connection_om_fraction_per_a"),
        rate,
    )
    return HeatCosts(
        heat_pump_eur_per_kw=hp[0],
        heat_pump_eur_per_kw_a=hp[1],
        store_eur_per_kwh=store[0],
        store_eur_per_kwh_a=store[1],
        boiler_eur_per_kw=boiler[0],
        boiler_eur_per_kw_a=boiler[1],
        chiller_eur_per_kw=chiller[0],
        chiller_eur_per_kw_a=chiller[1],
        network_eur_per_kw=network_investment,
        network_eur_per_kw_a=network,
        boiler_efficiency=_cost("boiler_efficiency"),
        store_loss_per_h=_cost("store_loss_per_h"),
        heat_pump_lorenz_efficiency=_cost("heat_pump_lorenz_efficiency"),
        heat_pump_source_cooling_k=_cost("heat_pump_source_cooling_k"),
        chiller_lorenz_efficiency=_cost("chiller_lorenz_efficiency"),
        chiller_min_condensing_air_c=_cost("chiller_min_condensing_air_c"),
        chiller_condenser_air_rise_k=_cost("chiller_condenser_air_rise_k"),
        heat_sink_return_c=_cost("heat_sink_return_c"),
        heat_sink_supply_c=_cost("heat_sink_supply_c"),
        cold_supply_c=_cost("cold_supply_c"),
        cold_return_c=_cost("cold_return_c"),
        ev_charging_efficiency=_cost("ev_charging_efficiency"),
    )
