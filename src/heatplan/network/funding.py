"""BEW funding of a new heat network, credited by the guideline's own rules.

Richtlinie für die Bundesförderung für effiziente Wärmenetze (BEW) vom 1. August 2022,
BAnz AT 18.08.2022 B1; every figure is a row of ``funding.csv`` (programme ``BEW``) with its
source and a note where it could not be checked against the primary text offline.

- **Modul 2** (systemische Förderung, Neubau): a new network must be fed with at least 75 %
  renewable energy and waste heat; then 40 % of the eligible investment is granted. The BEW caps
  the funding at the funding gap (Wirtschaftlichkeitslücke): what the network costs beyond the
  revenue it can earn. Given the customers' alternative (the decentral full cost), the revenue
  is that price net of VAT, and :func:`cap_at_funding_gap` scales the grant and the Modul 4
  payments down to the gap; without it the cap is not applied (:data:`GAP_NOTE`).
- **Modul 4** (Betriebskostenförderung): for 10 years from commissioning, for electric heat
  pumps (SCOP >= 2.5; a rate per kWh of ambient or waste heat by the SCOP, at most 90 % of
  the electricity cost on grid power) and solar thermal (1 ct/kWh fed in); only for plants
  funded in Modul 2 (or 3, not modelled), so only when Modul 2 is credited.

Existing networks (Transformationsplan, Modul 2 for transformation; Modul 3 single measures) are
not modelled yet: every network costed here is a new one (WPG § 30).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from heatplan.reference.catalogue import funding
from heatplan.tech.economics import annuity_factor

BEW = "BEW"
#: The Modul 2 grant is not capped at the funding gap: heatplan models no revenues.
GAP_NOTE = (
    "BEW Modul 2/4: Förderung nicht auf die Wirtschaftlichkeitslücke begrenzt "
    "(Erlöse des Betreibers nicht modelliert; Vereinfachung)"
)
#: The funding was capped at the funding gap against the customers' alternative.
GAP_CAPPED_NOTE = (
    "BEW: Förderung auf die Wirtschaftlichkeitslücke begrenzt ({share} der Förderung nach "
    "Fördersätzen; Erlös zum Preis der dezentralen Alternative, {price} EUR/MWh netto)"
)
#: The funding stays within the funding gap against the customers' alternative.
GAP_WITHIN_NOTE = (
    "BEW: Förderung innerhalb der Wirtschaftlichkeitslücke (Erlös zum Preis der dezentralen "
    "Alternative, {price} EUR/MWh netto)"
)
#: Only new networks are modelled.
TRANSFORMATION_NOTE = (
    "BEW Transformation von Bestandsnetzen (Transformationsplan): nicht modelliert"
)


def _bew(measure: str) -> float:
    return funding(BEW, measure)


def _percent(share: float) -> str:
    return f"{share * 100:.0f} %"


@dataclass(frozen=True)
class ModuleCredit:
    """One BEW module: credited or not, how much in the network's yearly cost, and why."""

    module: str
    credited: bool
    eur_per_a: float
    reason: str


def new_network_min_share() -> float:
    """The BEW's least share of renewable heat and waste heat for a new network (Modul 2) [-]."""
    return _bew("new_network_min_renewable_waste_heat_share")


def module_2_check(renewable_waste_heat_share: float) -> ModuleCredit:
    """Is a new network eligible for Modul 2? (share of renewable energy and waste heat [-]).

    Examples
    --------
    >>> module_2_check(0.68).reason
    'BEW Modul 2: 68 % erneuerbare Wärme und Abwärme < 75 %'
    >>> module_2_check(0.80).credited
    True
    """
    need = _bew("new_network_min_renewable_waste_heat_share")
    share = float(renewable_waste_heat_share)
    ok = share + 1e-9 >= need
    sign = ">=" if ok else "<"
    reason = f"BEW Modul 2: {_percent(share)} erneuerbare Wärme und Abwärme {sign} {_percent(need)}"
    return ModuleCredit("module_2", ok, 0.0, reason)


def module_2_grant_share(eligible: bool) -> float:
    """Share of the eligible investment granted in Modul 2 [-] (0 when not eligible)."""
    return _bew("module_2_network_investment") if eligible else 0.0


def heat_pump_grid_rate_eur_per_mwh_ambient(scop: float) -> float:
    """Modul 4 rate of a heat pump on grid power [EUR per MWh of ambient or waste heat].

    (5.5 - (6.8 - 17/SCOP) x 0.75) x SCOP/(SCOP - 1) ct/kWh, at most 9.2 ct/kWh.

    Examples
    --------
    >>> round(heat_pump_grid_rate_eur_per_mwh_ambient(3.0), 3)
    69.75
    """
    base = _bew("module_4_heat_pump_grid_base_ct_per_kwh")
    offset = _bew("module_4_heat_pump_grid_scop_offset_ct_per_kwh")
    numerator = _bew("module_4_heat_pump_grid_scop_numerator_ct_per_kwh")
    weight = _bew("module_4_heat_pump_weight")
    ct_per_kwh = (base - (offset - numerator / scop) * weight) * scop / (scop - 1.0)
    return min(ct_per_kwh * 10.0, _bew("module_4_heat_pump_max_eur_per_mwh"))


def heat_pump_direct_rate_eur_per_mwh_ambient(scop: float) -> float:
    """Modul 4 rate of a heat pump on power not from the grid [EUR/MWh ambient heat].

    3 - (8/2.5 - 8/SCOP) x 0.75 ct/kWh (not verified offline, see ``funding.csv``).
    """
    base = _bew("module_4_heat_pump_direct_base_ct_per_kwh")
    numerator = _bew("module_4_heat_pump_direct_scop_numerator_ct_per_kwh")
    least = _bew("module_4_heat_pump_min_scop")
    weight = _bew("module_4_heat_pump_weight")
    return (base - (numerator / least - numerator / scop) * weight) * 10.0


def module_4_heat_pump(
    *,
    heat_mwh_per_a: float,
    scop: float,
    electricity_eur_per_mwh: float,
    grid_electricity: bool = True,
) -> ModuleCredit:
    """Modul 4 payment of one electric heat pump in a year of the 10 [EUR/a].

    The paid heat is the ambient or waste heat, heat x (1 - 1/SCOP); on grid power the payment
    is at most 90 % of the electricity cost, heat / SCOP x price.
    """
    least = _bew("module_4_heat_pump_min_scop")
    if heat_mwh_per_a <= 0.0:
        return ModuleCredit("module_4_heat_pump", False, 0.0, "BEW Modul 4: keine Wärmepumpe")
    if scop + 1e-9 < least:
        reason = f"BEW Modul 4 Wärmepumpe: SCOP {scop:.2f} < {least:g}"
        return ModuleCredit("module_4_heat_pump", False, 0.0, reason)
    ambient = heat_mwh_per_a * (1.0 - 1.0 / scop)
    if grid_electricity:
        rate = heat_pump_grid_rate_eur_per_mwh_ambient(scop)
        cap = _bew("module_4_heat_pump_max_share_of_electricity_cost")
        limit = cap * heat_mwh_per_a / scop * electricity_eur_per_mwh
        paid = min(rate * ambient, limit)
        how = "Netzstrom" + (", 90 % der Stromkosten" if rate * ambient > limit else "")
    else:
        rate = heat_pump_direct_rate_eur_per_mwh_ambient(scop)
        paid, how = rate * ambient, "Strom ohne Netz"
    reason = (
        f"BEW Modul 4 Wärmepumpe: SCOP {scop:.2f} >= {least:g}, "
        f"{rate:.1f} EUR/MWh Umweltwärme ({how})"
    )
    return ModuleCredit("module_4_heat_pump", True, float(paid), reason)


def module_4_solar_thermal(heat_mwh_per_a: float) -> ModuleCredit:
    """Modul 4 payment for solar heat fed into the network in a year of the 10 [EUR/a]."""
    if heat_mwh_per_a <= 0.0:
        return ModuleCredit("module_4_solar_thermal", False, 0.0, "BEW Modul 4: keine Solarthermie")
    rate = _bew("module_4_solar_thermal_eur_per_mwh")
    reason = f"BEW Modul 4 Solarthermie: {rate:g} EUR/MWh eingespeiste Wärme"
    return ModuleCredit("module_4_solar_thermal", True, float(rate * heat_mwh_per_a), reason)


def spread_over_period(
    yearly_eur: float, *, paid_a: float, interest_rate: float, observation_period_a: float
) -> float:
    """Annuity over the observation period T of a payment made in the first ``paid_a`` years.

    Same present value: yearly x a(T) / a(n), a the annuity factor, n = min(paid_a, T).

    Examples
    --------
    >>> round(spread_over_period(100.0, paid_a=10, interest_rate=0.0, observation_period_a=20))
    50
    """
    years = min(paid_a, observation_period_a)
    whole = annuity_factor(interest_rate=interest_rate, period_a=observation_period_a)
    paid = annuity_factor(interest_rate=interest_rate, period_a=years)
    return float(yearly_eur * np.asarray(whole) / np.asarray(paid))


@dataclass(frozen=True)
class GenerationFigures:
    """What the BEW rules need of a network's generation (from its dispatch)."""

    renewable_waste_heat_share: float
    heat_pump_heat_mwh_per_a: float = 0.0
    heat_pump_scop: float = 0.0
    solar_thermal_heat_mwh_per_a: float = 0.0
    electricity_eur_per_mwh: float = 0.0
    grid_electricity: bool = True


@dataclass(frozen=True)
class BewFunding:
    """The BEW modules credited to one network and why the others are not."""

    investment_grant_share: float
    modules: tuple[ModuleCredit, ...]
    notes: tuple[str, ...] = field(default=(GAP_NOTE, TRANSFORMATION_NOTE))
    #: Share of the funding by the programme's rates left after the cap at the funding gap
    #: (:func:`cap_at_funding_gap`; 1: not capped).
    gap_factor: float = 1.0

    @property
    def capped(self) -> bool:
        """Whether the cap at the funding gap cut the funding."""
        return self.gap_factor < 1.0

    @property
    def operating_credit_eur_per_a(self) -> float:
        """Modul 4 credit in the network's yearly cost (annuity over the observation period)."""
        return sum(m.eur_per_a for m in self.modules if m.module.startswith("module_4"))

    def to_dict(self, delivered_mwh_per_a: float) -> dict[str, Any]:
        per_mwh = 1.0 / delivered_mwh_per_a if delivered_mwh_per_a > 0 else float("nan")
        return {
            "investment_grant_share": self.investment_grant_share,
            "modules": [asdict(m) | {"eur_per_mwh": m.eur_per_a * per_mwh} for m in self.modules],
            "notes": list(self.notes),
        }


def no_funding(
    reason: str = "Förderung ausgeschaltet ([economics] with_funding = false)",
) -> BewFunding:
    """No BEW module at all (funding switched off)."""
    return BewFunding(0.0, (ModuleCredit("module_2", False, 0.0, reason),), ())


def bew_funding(
    generation: GenerationFigures,
    *,
    eligible_investment_grant_eur_per_a: float,
    interest_rate: float,
    observation_period_a: float,
) -> BewFunding:
    """Modul 2 and 4 for a new network; Modul 4 only when Modul 2 is credited.

    ``eligible_investment_grant_eur_per_a`` is what the 40 % grant saves in the network's
    yearly cost (the caller costs the investment); Modul 4 payments are spread over the
    observation period with :func:`spread_over_period`.
    """
    check = module_2_check(generation.renewable_waste_heat_share)
    share = module_2_grant_share(check.credited)
    module_2 = ModuleCredit(
        "module_2",
        check.credited,
        eligible_investment_grant_eur_per_a if share else 0.0,
        check.reason,
    )
    if not check.credited:
        refused = ModuleCredit(
            "module_4", False, 0.0, "BEW Modul 4: nur für in Modul 2 geförderte Anlagen"
        )
        return BewFunding(0.0, (module_2, refused))
    yearly = (
        module_4_heat_pump(
            heat_mwh_per_a=generation.heat_pump_heat_mwh_per_a,
            scop=generation.heat_pump_scop,
            electricity_eur_per_mwh=generation.electricity_eur_per_mwh,
            grid_electricity=generation.grid_electricity,
        ),
        module_4_solar_thermal(generation.solar_thermal_heat_mwh_per_a),
    )
    paid_a = _bew("module_4_duration_a")
    spread = tuple(
        ModuleCredit(
            m.module,
            m.credited,
            spread_over_period(
                m.eur_per_a,
                paid_a=paid_a,
                interest_rate=interest_rate,
                observation_period_a=observation_period_a,
            ),
            m.reason,
        )
        for m in yearly
    )
    return BewFunding(share, (module_2, *spread))


def funding_gap_eur_per_a(
    *, unfunded_cost_eur_per_a: float, delivered_mwh_per_a: float, revenue_eur_per_mwh: float
) -> float:
    """The funding gap [EUR/a]: the network's yearly full cost without funding beyond what its
    heat earns at ``revenue_eur_per_mwh`` (never negative).

    Examples
    --------
    >>> funding_gap_eur_per_a(
    ...     unfunded_cost_eur_per_a=200_000, delivered_mwh_per_a=1_000, revenue_eur_per_mwh=150
    ... )
    50000.0
    """
    return float(max(0.0, unfunded_cost_eur_per_a - delivered_mwh_per_a * revenue_eur_per_mwh))


def cap_at_funding_gap(
    bew: BewFunding, *, gap_eur_per_a: float, revenue_eur_per_mwh: float
) -> tuple[BewFunding, float]:
    """``bew`` with every credited module scaled by one factor so the funding does not exceed
    the funding gap, and the factor [-] (1: not capped).

    BEW Nr. 5 limits the grant to the funding gap (Wirtschaftlichkeitslücke) shown in the
    application; heatplan estimates it from the yearly full cost and the customers' alternative.
    """
    total = sum(m.eur_per_a for m in bew.modules if m.credited)
    others = tuple(n for n in bew.notes if n != GAP_NOTE)
    if total <= 0:
        return replace(bew, notes=others), 1.0
    price = f"{revenue_eur_per_mwh:.0f}"
    if total <= gap_eur_per_a:
        return replace(bew, notes=(GAP_WITHIN_NOTE.format(price=price), *others)), 1.0
    factor = max(0.0, gap_eur_per_a) / total
    modules = tuple(replace(m, eur_per_a=m.eur_per_a * factor) for m in bew.modules)
    note = GAP_CAPPED_NOTE.format(share=f"{factor * 100:.0f} %", price=price)
    capped = BewFunding(
        bew.investment_grant_share * factor, modules, (note, *others), gap_factor=factor
    )
    return capped, factor
