"""Economics after VDI 2067-1 (annuity method): annuity and price-dynamic factors, annualised
investment with replacements and residual value, annual cost and levelised cost of heat.

Every money function takes keyword-only arguments (a swapped pair of floats is a silent bug)
and says what a cost is: ``investment_eur`` is the overnight investment at the start of the
observation period, ``*_eur_per_a`` are annualised amounts (annuities),
``fixed_om_share_per_a`` is the fixed operation and maintenance cost per year as a share of the
investment. Rates are fractions per
year (0.03 for 3 %); VDI 2067 writes the factors ``q = 1 + interest_rate`` and
``r = 1 + price_change_rate``. Prices are those of the first year of operation.

References
----------
.. [1] VDI 2067 Blatt 1:2012-09, Wirtschaftlichkeit gebäudetechnischer Anlagen -- Grundlagen und
   Kostenberechnung (annuity method, sections on capital-, demand- and operation-related costs).
"""

from __future__ import annotations

import numpy as np

from heatplan.tech._arrays import Numeric, require, shaped_like


def _interest(interest_rate: Numeric) -> np.ndarray:
    return require("interest_rate", interest_rate, lambda x: x > -1.0, "a fraction > -1 per year")


def _years(name: str, values: Numeric) -> np.ndarray:
    return require(name, values, lambda x: (x > 0) & np.isfinite(x), "a finite number > 0 [a]")


def annuity_factor(*, interest_rate: Numeric, period_a: Numeric) -> Numeric:
    """Annuity (capital recovery) factor a = (q - 1) / (1 - q^-T), q = 1 + interest_rate.

    Parameters
    ----------
    interest_rate : numeric
        Imputed interest rate [1/a], e.g. 0.03. Zero gives a = 1/T.
    period_a : numeric
        Observation period T [a].

    Returns
    -------
    numeric
        Annuity factor [1/a].

    Examples
    --------
    >>> round(annuity_factor(interest_rate=0.03, period_a=20), 5)
    0.06722
    >>> annuity_factor(interest_rate=0.0, period_a=20)
    0.05
    """
    i = _interest(interest_rate)
    t = _years("period_a", period_a)
    q = 1.0 + i
    zero = np.isclose(i, 0.0, rtol=0.0, atol=1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(zero, 1.0 / t, (q - 1.0) / (1.0 - q ** (-t)))
    return shaped_like(factor, interest_rate, period_a)


def price_dynamic_factor(
    *, interest_rate: Numeric, price_change_rate: Numeric, period_a: Numeric
) -> Numeric:
    """Price-dynamic present-value factor b = (1 - (r/q)^T) / (q - r) of VDI 2067-1.

    With r = q the formula is 0/0; its limit is b = T/q.

    Parameters
    ----------
    interest_rate : numeric
        Imputed interest rate [1/a]; q = 1 + interest_rate.
    price_change_rate : numeric
        Yearly price change [1/a], e.g. 0.02; r = 1 + price_change_rate.
    period_a : numeric
        Observation period T [a].

    Returns
    -------
    numeric
        Present value of a payment stream that starts at 1 and changes by r each year [a].
        a x b is the factor that turns a first-year payment into its annuity.

    Examples
    --------
    >>> round(price_dynamic_factor(interest_rate=0.03, price_change_rate=0.03, period_a=20), 4)
    19.4175
    """
    q = 1.0 + _interest(interest_rate)
    r = 1.0 + require("price_change_rate", price_change_rate, lambda x: x > -1.0, "> -1 per year")
    t = _years("period_a", period_a)
    same = np.isclose(q, r, rtol=0.0, atol=1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(same, t / q, (1.0 - (r / q) ** t) / (q - r))
    return shaped_like(factor, interest_rate, price_change_rate, period_a)


def replacements_within(*, lifetime_a: Numeric, observation_period_a: Numeric) -> Numeric:
    """Number n of replacement investments within the observation period (VDI 2067-1).

    n = ceil(T / T_N) - 1: a plant with T_N = T is never replaced; T_N = 15 a in T = 20 a once.
    """
    life = _years("lifetime_a", lifetime_a)
    period = _years("observation_period_a", observation_period_a)
    count = np.maximum(np.ceil(np.round(period / life, 9)) - 1.0, 0.0)
    return shaped_like(count, lifetime_a, observation_period_a)


def annualised_investment_eur_per_a(
    *,
    investment_eur: Numeric,
    lifetime_a: Numeric,
    interest_rate: Numeric,
    observation_period_a: Numeric,
    investment_price_change_rate: Numeric = 0.0,
    funding_share: Numeric = 0.0,
) -> Numeric:
    """Capital-related annuity A_N,K of VDI 2067-1: (A0 + A1 + ... + An - R_W - F) x a.

    Replacements A_k = A0 r^(k T_N) / q^(k T_N) fall within the observation period T; the residual
    value R_W = A0 r^(n T_N) ((n+1) T_N - T) / T_N / q^T is the linearly depreciated value of
    the last investment at the end of T. A grant F = funding_share x A0 is paid at the start and
    reduces the first investment only (replacements are paid in full).

    Parameters
    ----------
    investment_eur : numeric
        Overnight investment A0 at the start [EUR].
    lifetime_a : numeric
        Service life T_N of the plant [a].
    interest_rate : numeric
        Imputed interest rate [1/a].
    observation_period_a : numeric
        Observation period T [a].
    investment_price_change_rate : numeric
        Yearly change of the price of a replacement [1/a]; 0 keeps prices constant.
    funding_share : numeric
        Grant as a share of A0 [-], 0..1 (e.g. BEW, BEG; see ``funding.csv``).

    Returns
    -------
    numeric
        Annualised investment [EUR/a].

    Examples
    --------
    >>> round(annualised_investment_eur_per_a(investment_eur=1000.0, lifetime_a=20,
    ...       interest_rate=0.03, observation_period_a=20), 2)
    67.22
    """
    a0 = require("investment_eur", investment_eur, lambda x: x >= 0, ">= 0 [EUR]")
    life = _years("lifetime_a", lifetime_a)
    period = _years("observation_period_a", observation_period_a)
    grant = require("funding_share", funding_share, lambda x: (x >= 0) & (x <= 1), "in 0..1")
    q = 1.0 + _interest(interest_rate)
    r = 1.0 + require(
        "investment_price_change_rate", investment_price_change_rate, lambda x: x > -1.0, "> -1"
    )
    n = np.asarray(replacements_within(lifetime_a=life, observation_period_a=period))
    step = (r / q) ** life
    with np.errstate(divide="ignore", invalid="ignore"):
        series = np.where(np.isclose(step, 1.0), n, step * (1.0 - step**n) / (1.0 - step))
    residual = r ** (n * life) * ((n + 1.0) * life - period) / life / q**period
    factor = np.asarray(annuity_factor(interest_rate=q - 1.0, period_a=period))
    annual = a0 * (1.0 + series - residual - grant) * factor
    return shaped_like(
        annual, investment_eur, lifetime_a, interest_rate, observation_period_a, funding_share
    )


def annual_cost_eur_per_a(
    *,
    investment_eur: Numeric,
    lifetime_a: Numeric,
    interest_rate: Numeric,
    observation_period_a: Numeric,
    fixed_om_share_per_a: Numeric,
    energy_cost_eur_per_a: Numeric,
    price_change_rate: Numeric,
    om_price_change_rate: Numeric = 0.0,
    investment_price_change_rate: Numeric = 0.0,
    funding_share: Numeric = 0.0,
) -> Numeric:
    """Total annuity of a plant after VDI 2067-1: capital + operation + demand-related costs.

    A_N = A_N,K + A_B1 x a x b_B + A_V1 x a x b_V with the operation-related first-year cost
    A_B1 = fixed_om_share_per_a x investment_eur (on the unfunded investment) and the
    demand-related first-year cost A_V1 = energy_cost_eur_per_a.

    Parameters
    ----------
    investment_eur : numeric
        Overnight investment [EUR].
    lifetime_a, interest_rate, observation_period_a, investment_price_change_rate, funding_share
        As in :func:`annualised_investment_eur_per_a`.
    fixed_om_share_per_a : numeric
        Fixed operation and maintenance per year as a share of the investment [1/a].
    energy_cost_eur_per_a : numeric
        Energy (fuel, electricity) cost in the first year [EUR/a].
    price_change_rate : numeric
        Yearly change of energy prices [1/a].
    om_price_change_rate : numeric
        Yearly change of operation and maintenance prices [1/a]; 0 keeps them constant.

    Returns
    -------
    numeric
        Annual cost (annuity) [EUR/a].
    """
    om_share = require("fixed_om_share_per_a", fixed_om_share_per_a, lambda x: x >= 0, ">= 0")
    energy = require("energy_cost_eur_per_a", energy_cost_eur_per_a, lambda x: x >= 0, ">= 0")
    capital = annualised_investment_eur_per_a(
        investment_eur=investment_eur,
        lifetime_a=lifetime_a,
        interest_rate=interest_rate,
        observation_period_a=observation_period_a,
        investment_price_change_rate=investment_price_change_rate,
        funding_share=funding_share,
    )
    a = np.asarray(annuity_factor(interest_rate=interest_rate, period_a=observation_period_a))
    b_om = price_dynamic_factor(
        interest_rate=interest_rate,
        price_change_rate=om_price_change_rate,
        period_a=observation_period_a,
    )
    b_energy = price_dynamic_factor(
        interest_rate=interest_rate,
        price_change_rate=price_change_rate,
        period_a=observation_period_a,
    )
    om = om_share * np.asarray(investment_eur, dtype=float) * a * np.asarray(b_om)
    total = np.asarray(capital) + om + energy * a * np.asarray(b_energy)
    return shaped_like(
        total, investment_eur, fixed_om_share_per_a, energy_cost_eur_per_a, price_change_rate
    )


def lcoh_eur_per_mwh(
    *,
    investment_eur: Numeric,
    lifetime_a: Numeric,
    interest_rate: Numeric,
    observation_period_a: Numeric,
    fixed_om_share_per_a: Numeric,
    energy_cost_eur_per_a: Numeric,
    price_change_rate: Numeric,
    heat_mwh_per_a: Numeric,
    funding_share: Numeric = 0.0,
) -> Numeric:
    """Levelised cost of heat: annual cost (VDI 2067-1 annuity) per MWh of heat delivered.

    Parameters
    ----------
    heat_mwh_per_a : numeric
        Heat delivered per year [MWh/a], > 0.
    others
        As in :func:`annual_cost_eur_per_a`.

    Returns
    -------
    numeric
        Levelised cost of heat [EUR/MWh].

    Examples
    --------
    >>> round(lcoh_eur_per_mwh(investment_eur=100_000.0, lifetime_a=20, interest_rate=0.03,
    ...       observation_period_a=20, fixed_om_share_per_a=0.02, energy_cost_eur_per_a=5_000.0,
    ...       price_change_rate=0.0, heat_mwh_per_a=100.0), 2)
    137.22
    """
    heat = require("heat_mwh_per_a", heat_mwh_per_a, lambda x: x > 0, "> 0 [MWh/a]")
    cost = annual_cost_eur_per_a(
        investment_eur=investment_eur,
        lifetime_a=lifetime_a,
        interest_rate=interest_rate,
        observation_period_a=observation_period_a,
        fixed_om_share_per_a=fixed_om_share_per_a,
        energy_cost_eur_per_a=energy_cost_eur_per_a,
        price_change_rate=price_change_rate,
        funding_share=funding_share,
    )
    return shaped_like(np.asarray(cost) / heat, cost, heat_mwh_per_a)


def cost_curve_eur(capacity: Numeric, *, a: Numeric, b: Numeric) -> Numeric:
    """Investment from a power-law cost curve, Invest = a x P^b (KWW Technikkatalog form).

    Parameters
    ----------
    capacity : numeric
        Size P in the unit the curve was fitted for (kW_th, kW_e or kWh_th), >= 0.
    a : numeric
        Scale [EUR per unit^b], > 0.
    b : numeric
        Exponent [-], 0 < b <= 1 (economies of scale; b = 1 is a constant specific investment).

    Returns
    -------
    numeric
        Overnight investment [EUR].
    """
    size = require("capacity", capacity, lambda x: (x >= 0) & np.isfinite(x), ">= 0")
    scale = require("a", a, lambda x: x > 0, "> 0")
    exponent = require("b", b, lambda x: (x > 0) & (x <= 1), "in (0, 1]")
    return shaped_like(scale * size**exponent, capacity, a, b)


def funded_investment_eur(
    *, investment_eur: Numeric, funding_share: Numeric, eligible_cost_eur: Numeric = np.inf
) -> Numeric:
    """Investment left to the owner after a grant of ``funding_share`` on the eligible costs.

    Parameters
    ----------
    investment_eur : numeric
        Overnight investment [EUR].
    funding_share : numeric
        Funding rate on eligible costs [-], 0..1.
    eligible_cost_eur : numeric
        Cap on the eligible costs [EUR] (e.g. BEG: 30,000 EUR for the first dwelling).

    Returns
    -------
    numeric
        Investment net of the grant [EUR].
    """
    gross = require("investment_eur", investment_eur, lambda x: x >= 0, ">= 0 [EUR]")
    share = require("funding_share", funding_share, lambda x: (x >= 0) & (x <= 1), "in 0..1")
    cap = require("eligible_cost_eur", eligible_cost_eur, lambda x: x >= 0, ">= 0 [EUR]")
    net = gross - share * np.minimum(gross, cap)
    return shaped_like(net, investment_eur, funding_share, eligible_cost_eur)


def beg_eligible_cost_eur(
    dwellings: Numeric,
    *,
    first_eur: float,
    second_to_sixth_eur: float,
    from_seventh_eur: float,
) -> Numeric:
    """Eligible-cost cap of a building with ``dwellings`` units under the BEG EM staircase.

    The first dwelling counts ``first_eur``, the second to sixth ``second_to_sixth_eur`` each,
    every further one ``from_seventh_eur`` (values in ``funding.csv``).
    """
    units = require(
        "dwellings", dwellings, lambda x: (x >= 1) & (x == np.floor(x)), "an integer >= 1"
    )
    middle = np.clip(units - 1.0, 0.0, 5.0)
    rest = np.maximum(units - 6.0, 0.0)
    cap = first_eur + middle * second_to_sixth_eur + rest * from_seventh_eur
    return shaped_like(cap, dwellings)
