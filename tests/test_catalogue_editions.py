"""The catalogue edition of plant investments: a project setting, cost curves priced at size."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest
from tests.test_dispatch_reserve import _per_kw_gas_boiler_eur_per_a, _winter_fortnight

from heatplan.dispatch.portfolio import annual_capacity_cost, reprice, size_in_edition
from heatplan.network.generation import generation
from heatplan.project.config import EconomicSettings, Municipality, ProjectConfig
from heatplan.reference import catalogue

KWW = "kww_1.1"


def test_the_setting_offers_exactly_the_catalogue_editions() -> None:
    choices = typing.get_args(EconomicSettings.model_fields["plant_catalogue"].annotation)
    assert set(choices) == set(catalogue.editions())
    assert EconomicSettings().plant_catalogue == catalogue.DEFAULT_EDITION


def test_kww_gas_boiler_per_kw_is_the_secant_of_its_curve_by_hand() -> None:
    # 804 * P^0.72 EUR for P kW (technology_catalogue.csv): a 1 MW boiler 116,213 EUR, 116.2 EUR/kW;
    # a 4 MW boiler is cheaper per kW by 4^(0.72 - 1)
    small = catalogue.edition_investment_per_kw("gas_boiler_central", KWW, 1000.0)
    large = catalogue.edition_investment_per_kw("gas_boiler_central", KWW, 4000.0)
    assert small == pytest.approx(804.0 * 1000.0**0.72 / 1000.0, rel=1e-12)
    assert large == pytest.approx(small * 4.0 ** (0.72 - 1.0), rel=1e-12)


def test_the_default_edition_and_uncurved_technologies_keep_the_linear_price() -> None:
    assert catalogue.edition_curve("gas_boiler_central", catalogue.DEFAULT_EDITION) is None
    assert catalogue.edition_curve("electrode_boiler", KWW) is None
    base = annual_capacity_cost("electrode_boiler", year=2025)
    assert annual_capacity_cost("electrode_boiler", year=2025, edition=KWW, size_kw=500) == base
    # the default edition ignores the size: the DEA price is linear
    assert annual_capacity_cost("gas_boiler_central", year=2025, size_kw=800.0) == pytest.approx(
        _per_kw_gas_boiler_eur_per_a(), rel=1e-9
    )


def test_an_edition_curve_changes_only_the_investment_part() -> None:
    # annuity and fixed O&M scale with the investment: the ratio of the two editions' capacity
    # cost equals the ratio of their investments per kW
    size = 2000.0
    dea = annual_capacity_cost("gas_boiler_central", year=2025)
    kww = annual_capacity_cost("gas_boiler_central", year=2025, edition=KWW, size_kw=size)
    dea_invest = float(catalogue.size_investment_eur("gas_boiler_central", 1.0, year=2025))
    kww_invest = catalogue.edition_investment_per_kw("gas_boiler_central", KWW, size)
    assert kww_invest is not None
    assert kww / dea == pytest.approx(kww_invest / dea_invest, rel=1e-9)


def test_unknown_edition_is_named_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"kww_1\.1"):
        catalogue.edition_curve("gas_boiler_central", "kww_2")


def _config(edition: str) -> ProjectConfig:
    return ProjectConfig(
        municipality=Municipality(name="Test"),
        economics=EconomicSettings(plant_catalogue=edition, with_funding=False),  # type: ignore[arg-type]
    )


def test_a_network_plant_in_the_kww_edition_is_priced_at_the_sizes_it_got() -> None:
    temperature, load = _winter_fortnight()
    dea = generation(_config(catalogue.DEFAULT_EDITION), load, 10.0, temperature, year=2025)
    kww = generation(_config(KWW), load, 10.0, temperature, year=2025)
    assert kww.result.total_cost_eur_per_a != pytest.approx(dea.result.total_cost_eur_per_a)

    # the curves price the heat pump and the peak boiler anew; the electrode boiler, which the
    # edition has no curve for, keeps the Danish Energy Agency's price
    def per_kw(gen: object, name: str) -> float:
        units = [*gen.portfolio.heat_pumps, *gen.portfolio.boilers, *gen.portfolio.power_to_heat]  # type: ignore[attr-defined]
        return next(u.annualised_cost_eur_per_kw_a for u in units if u.name == name)

    assert per_kw(kww, "heat_pump") != pytest.approx(per_kw(dea, "heat_pump"))
    assert per_kw(kww, "gas_boiler") != pytest.approx(per_kw(dea, "gas_boiler"))
    assert per_kw(kww, "electrode_boiler") == per_kw(dea, "electrode_boiler")
    assert kww.reserve_kw > 0


def test_reprice_is_one_step_of_the_fixed_point() -> None:
    from heatplan.dispatch.portfolio import air_cop, network_portfolio

    temperature, load = _winter_fortnight()
    cop = air_cop(temperature, supply_temp_c=80.0, return_temp_c=50.0)
    portfolio = network_portfolio(load, cop=cop, year=2025, catalogue_edition=KWW)
    assert reprice(portfolio, {}, edition=KWW, year=2025) is None
    assert reprice(portfolio, {"gas_boiler": 900.0}, edition="dea_2020", year=2025) is None
    priced, result = size_in_edition(portfolio, edition=KWW, year=2025)
    boiler = next(b for b in priced.boilers if b.name == "gas_boiler")
    # priced at the first pass's size: the hand-computed secant of that size
    expected = annual_capacity_cost(
        "gas_boiler_central",
        year=2025,
        edition=KWW,
        size_kw=float(_first_pass(portfolio)["gas_boiler"]),
    )
    assert boiler.annualised_cost_eur_per_kw_a == pytest.approx(expected, rel=1e-9)
    assert result.capacity["gas_boiler"] > 0


def _first_pass(portfolio: object) -> dict[str, float]:
    from heatplan.dispatch.sizing import size_and_dispatch

    result, _ = size_and_dispatch(portfolio)  # type: ignore[arg-type]
    return dict(result.capacity)


def test_a_project_file_with_an_unknown_edition_names_the_choices(tmp_path: Path) -> None:
    from heatplan.errors import HeatplanError
    from heatplan.project.config import load_config

    (tmp_path / "heatplan.toml").write_text(
        '[municipality]\nname = "Test"\n\n[economics]\nplant_catalogue = "kww"\n', encoding="utf-8"
    )
    with pytest.raises(HeatplanError, match=r"plant_catalogue.*'dea_2020' or 'kww_1\.1'"):
        load_config(tmp_path)
