"""The social figure: warm rent per m² and month of the rent-controlled flats with each concept.

Warm rent = cold rent + modernisation levy + heating and hot-water costs; the tenant-electricity
saving is shown next to it, not inside. The rules applied (quarter_rent_rules.csv):

* heat pump: the landlord's investment after funding, less the flat maintenance share, is levied
  at 10 % a year (BGB § 559e Abs. 1, 2), capped at 0.50 EUR/(m² month) (§ 559e Abs. 3); the
  tenants pay its electricity and maintenance as heating costs (BetrKV § 2 Nr. 4 a);
* heat network: no levy; the heat price is passed on as heating costs (heat supply contracting,
  BGB § 556c — its cost-neutrality test is not checked here);
* gas today: gas and boiler maintenance as heating costs, no levy.

For publicly funded (rent-controlled) flats the funding contract and Land law may restrict the
levy further; that is not modelled — the § 559e figure is an upper bound.
"""

from __future__ import annotations

from dataclasses import dataclass

from heatplan.quarter.tariffs import RentRules

MONTHS_PER_A = 12.0


@dataclass(frozen=True)
class WarmRent:
    """Warm rent per m² and month and its parts [EUR/(m² month)]."""

    cold_rent: float
    levy: float
    heating: float

    @property
    def warm_rent(self) -> float:
        """Cold rent + levy + heating and hot water."""
        return self.cold_rent + self.levy + self.heating


def levy_eur_per_m2_month(levy_base_eur: float, area_m2: float, rules: RentRules) -> float:
    """Monthly modernisation levy per m² under BGB § 559e (share, maintenance deduction, cap)."""
    if levy_base_eur <= 0:
        return 0.0
    yearly = levy_base_eur * (1.0 - rules.maintenance_share) * rules.levy_share_per_a
    return min(yearly / area_m2 / MONTHS_PER_A, rules.cap_eur_per_m2_month)


def per_m2_month(cost_eur_per_a: float, area_m2: float) -> float:
    """A yearly cost spread over the living area [EUR/(m² month)]."""
    return cost_eur_per_a / area_m2 / MONTHS_PER_A
