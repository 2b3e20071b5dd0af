"""Thermal storage: standing heat losses of tanks and pits (pure, vectorised).

Two ways to state a loss: a small tank by its energy label (standing loss S = offset + coefficient
x V^0.4 in W, the class limits of Regulation (EU) No 812/2013 in ``storage_loss_classes.csv``,
measured per EN 12897 at a 45 K difference) or a heat-loss coefficient U x A; a large store by the
share of its content lost per day (take it from the store's data sheet).

References
----------
.. [1] Commission Delegated Regulation (EU) No 812/2013, Annex II (energy efficiency classes of
   hot water storage tanks).
"""

from __future__ import annotations

import numpy as np

from heatplan.tech._arrays import Numeric, require, shaped_like


def labelled_tank_loss_w(
    volume_l: Numeric,
    temp_difference_k: Numeric,
    *,
    offset_w: float,
    coefficient_w_per_l04: float,
    test_temp_difference_k: float,
) -> Numeric:
    """Standing heat loss of a hot-water tank from its energy label [W].

    S_test = offset + coefficient x V^0.4 at the test difference (EN 12897: 65 °C water, 20 °C
    air, 45 K), scaled linearly to the actual difference between tank and surroundings.

    Parameters
    ----------
    volume_l : numeric
        Tank volume V [l], > 0.
    temp_difference_k : numeric
        Mean tank temperature minus ambient temperature [K], >= 0.
    offset_w, coefficient_w_per_l04, test_temp_difference_k : float
        Class limit of ``storage_loss_classes.csv`` [W], [W/l^0.4], [K].

    Returns
    -------
    numeric
        Heat loss [W] (an upper bound: the label states the class limit).

    Examples
    --------
    >>> round(labelled_tank_loss_w(300.0, 45.0, offset_w=16.66, coefficient_w_per_l04=8.33,
    ...       test_temp_difference_k=45.0), 1)
    98.2
    """
    volume = require("volume_l", volume_l, lambda x: (x > 0) & np.isfinite(x), "> 0 [l]")
    delta = require("temp_difference_k", temp_difference_k, lambda x: x >= 0, ">= 0 [K]")
    test = require("test_temp_difference_k", test_temp_difference_k, lambda x: x > 0, "> 0 [K]")
    loss = (offset_w + coefficient_w_per_l04 * volume**0.4) * delta / test
    return shaped_like(loss, volume_l, temp_difference_k)


def ua_heat_loss_w(
    area_m2: Numeric, temp_difference_k: Numeric, *, u_w_per_m2k: Numeric
) -> Numeric:
    """Heat loss through a store's envelope, Q = U x A x dT [W].

    Parameters
    ----------
    area_m2 : numeric
        Envelope area [m²], >= 0 (see :func:`cylinder_area_m2`).
    temp_difference_k : numeric
        Store temperature minus surroundings [K], >= 0.
    u_w_per_m2k : numeric
        Heat-loss coefficient of the insulated wall [W/(m²·K)], > 0, from the data sheet.
    """
    area = require("area_m2", area_m2, lambda x: x >= 0, ">= 0 [m²]")
    delta = require("temp_difference_k", temp_difference_k, lambda x: x >= 0, ">= 0 [K]")
    u = require("u_w_per_m2k", u_w_per_m2k, lambda x: x > 0, "> 0 [W/(m²·K)]")
    return shaped_like(u * area * delta, area_m2, temp_difference_k, u_w_per_m2k)


def cylinder_area_m2(volume_m3: Numeric, *, height_to_diameter: Numeric) -> Numeric:
    """Whole surface (wall, top and bottom) of an upright cylinder of ``volume_m3`` [m²].

    Parameters
    ----------
    volume_m3 : numeric
        Volume [m³], > 0.
    height_to_diameter : numeric
        Slenderness h/d [-], > 0.

    Examples
    --------
    >>> round(cylinder_area_m2(1000.0, height_to_diameter=1.0), 1)
    553.6
    """
    volume = require("volume_m3", volume_m3, lambda x: x > 0, "> 0 [m³]")
    ratio = require("height_to_diameter", height_to_diameter, lambda x: x > 0, "> 0")
    diameter = (4.0 * volume / (np.pi * ratio)) ** (1.0 / 3.0)
    area = np.pi * diameter**2 / 2.0 + np.pi * diameter * ratio * diameter
    return shaped_like(area, volume_m3, height_to_diameter)


def standing_loss_kwh(
    stored_kwh: Numeric, *, loss_share_per_day: Numeric, hours: Numeric = 24.0
) -> Numeric:
    """Heat lost by a store holding ``stored_kwh`` over ``hours`` without charging.

    The content decays geometrically: lost = E x (1 - (1 - s)^(hours / 24)).

    Parameters
    ----------
    stored_kwh : numeric
        Heat stored above the reference temperature [kWh], >= 0.
    loss_share_per_day : numeric
        Share of the content lost per day [1/d], 0..1, from the store's data sheet.
    hours : numeric
        Duration [h], >= 0.

    Examples
    --------
    >>> round(standing_loss_kwh(1000.0, loss_share_per_day=0.01, hours=48.0), 2)
    19.9
    """
    stored = require("stored_kwh", stored_kwh, lambda x: x >= 0, ">= 0 [kWh]")
    share = require(
        "loss_share_per_day", loss_share_per_day, lambda x: (x >= 0) & (x <= 1), "in 0..1"
    )
    span = require("hours", hours, lambda x: x >= 0, ">= 0 [h]")
    lost = stored * (1.0 - (1.0 - share) ** (span / 24.0))
    return shaped_like(lost, stored_kwh, loss_share_per_day, hours)
