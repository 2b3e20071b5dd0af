"""District-heating pipes: flow, friction, pressure drop, heat loss, pump power (pure, vectorised).

Water properties are CoolProp's (IAPWS-95, saturated liquid at the given temperature; the
effect of the network pressure on a liquid is below 0.1 % and is neglected), tabulated in 0.5 K
steps by ``scripts/water_table.py`` (:mod:`heatplan.tech._water`) and interpolated: within 1e-4
of CoolProp (viscosity near 0 °C; density and heat capacity within 2e-6), without its 2 s of
import in every process that lays out a network. Friction follows Colebrook-White, solved by
fixed-point iteration on 1/sqrt(f); the explicit Swamee-Jain formula is given as a check (tests
compare both and Moody-chart values). Pressure drop per metre is Darcy-Weisbach. Every function
takes scalars, numpy arrays or pandas Series.

References
----------
.. [1] VDI-Wärmeatlas, 11th ed. (2013), chapter Lab: Druckverlust in durchströmten Rohren
   (Colebrook-White 1/sqrt(f) = -2 lg(2.51 / (Re sqrt(f)) + k / (3.71 d)); laminar f = 64 / Re).
.. [2] Swamee, P. K., Jain, A. K. (1976), Explicit equations for pipe-flow problems, J. Hydraul.
   Div. ASCE 102(5):657-664.
.. [3] Bell, I. H. et al. (2014), CoolProp, Ind. Eng. Chem. Res. 53(6):2498-2508.
.. [4] Winter, W., Haslauer, T., Obernberger, I. (2001), Untersuchungen der Gleichzeitigkeit in
   kleinen und mittleren Nahwärmenetzen, Euroheat & Power 9/10.
.. [5] Affinity laws of centrifugal pumps: flow ~ n, head ~ n², power ~ n³ (e.g. Gülich, J. F.
   (2010), Centrifugal Pumps, 2nd ed., Springer, section 3.4).
"""

from __future__ import annotations

import numpy as np

from heatplan.tech import _water
from heatplan.tech._arrays import Numeric, require, shaped_like

#: Zero degrees Celsius in kelvin (SI Brochure, 9th ed. 2019).
KELVIN_OFFSET = 273.15
#: Upper end of laminar pipe flow, Re < 2300 (VDI-Wärmeatlas, Lab [1]).
LAMINAR_REYNOLDS = 2300.0
#: Constants of the Colebrook-White equation in the form of VDI-Wärmeatlas [1].
COLEBROOK_LAMINAR_TERM = 2.51
COLEBROOK_ROUGHNESS_DIVISOR = 3.71
#: Pascal per bar and watts per kilowatt (SI).
PA_PER_BAR = 1e5
W_PER_KW = 1e3


#: Saturated liquid water by property (CoolProp's short names), interpolated in
#: :mod:`heatplan.tech._water` (0.5 K steps, within 1e-4 of CoolProp).
_WATER = {
    "D": np.asarray(_water.DENSITY_KG_PER_M3),
    "C": np.asarray(_water.HEAT_CAPACITY_J_PER_KGK),
    "V": np.asarray(_water.VISCOSITY_PA_S),
}
_WATER_TEMP_C = np.asarray(_water.TEMP_C)


def _water_property(prop: str, temp_c: Numeric) -> Numeric:
    temp = require("temp_c", temp_c, lambda x: (x > 0) & (x < 200), "between 0 and 200 °C")
    return shaped_like(np.interp(temp, _WATER_TEMP_C, _WATER[prop]), temp_c)


def water_density_kg_per_m3(temp_c: Numeric) -> Numeric:
    """Density of liquid water [kg/m³] at ``temp_c`` [°C] (CoolProp, IAPWS-95 [3]).

    >>> round(water_density_kg_per_m3(80.0), 1)
    971.8
    """
    return _water_property("D", temp_c)


def water_heat_capacity_j_per_kgk(temp_c: Numeric) -> Numeric:
    """Isobaric heat capacity of liquid water [J/(kg·K)] at ``temp_c`` [°C] (CoolProp [3])."""
    return _water_property("C", temp_c)


def water_viscosity_pa_s(temp_c: Numeric) -> Numeric:
    """Dynamic viscosity of liquid water [Pa·s] at ``temp_c`` [°C] (CoolProp [3])."""
    return _water_property("V", temp_c)


def mass_flow_kg_per_s(
    heat_load_kw: Numeric, temp_supply_c: Numeric, temp_return_c: Numeric
) -> Numeric:
    """Mass flow that carries ``heat_load_kw`` between supply and return, m = Q / (cp dT).

    Parameters
    ----------
    heat_load_kw : numeric
        Heat load [kW], >= 0.
    temp_supply_c, temp_return_c : numeric
        Supply and return temperature [°C]; supply above return. cp at their mean.

    Returns
    -------
    numeric
        Mass flow [kg/s].

    Examples
    --------
    >>> round(mass_flow_kg_per_s(1000.0, 80.0, 50.0), 3)
    7.96
    """
    load = require("heat_load_kw", heat_load_kw, lambda x: x >= 0, ">= 0 [kW]")
    supply = np.asarray(temp_supply_c, dtype=float)
    spread = require(
        "supply - return",
        supply - np.asarray(temp_return_c, float),
        lambda x: x > 0,
        "> 0 [K] (supply above return)",
    )
    cp = water_heat_capacity_j_per_kgk((supply + np.asarray(temp_return_c, float)) / 2.0)
    flow = load * W_PER_KW / (np.asarray(cp) * spread)
    return shaped_like(flow, heat_load_kw, temp_supply_c, temp_return_c)


def velocity_m_per_s(
    mass_flow_kg_per_s: Numeric, diameter_mm: Numeric, density_kg_per_m3: Numeric
) -> Numeric:
    """Mean flow velocity v = m / (rho A) [m/s] in a pipe of inner diameter ``diameter_mm`` [mm].

    ``mass_flow_kg_per_s`` [kg/s] may be negative (reverse flow); ``density_kg_per_m3`` [kg/m³].
    """
    diameter = require("diameter_mm", diameter_mm, lambda x: x > 0, "> 0 [mm]") / 1000.0
    area = np.pi * diameter**2 / 4.0
    flow = np.asarray(mass_flow_kg_per_s, dtype=float)
    velocity = flow / (np.asarray(density_kg_per_m3, dtype=float) * area)
    return shaped_like(velocity, mass_flow_kg_per_s, diameter_mm)


def reynolds_number(
    velocity_m_per_s: Numeric,
    diameter_mm: Numeric,
    density_kg_per_m3: Numeric,
    viscosity_pa_s: Numeric,
) -> Numeric:
    """Reynolds number Re = rho |v| d / mu [-] (velocity [m/s], diameter [mm], [kg/m³], [Pa·s])."""
    diameter = require("diameter_mm", diameter_mm, lambda x: x > 0, "> 0 [mm]") / 1000.0
    speed = np.abs(np.asarray(velocity_m_per_s, dtype=float))
    re = np.asarray(density_kg_per_m3, float) * speed * diameter / np.asarray(viscosity_pa_s, float)
    return shaped_like(re, velocity_m_per_s, diameter_mm)


def friction_factor_colebrook(
    reynolds: Numeric, relative_roughness: Numeric, *, tolerance: float = 1e-12, max_iter: int = 100
) -> Numeric:
    """Darcy friction factor f [-] from Colebrook-White (turbulent) or 64/Re (laminar) [1].

    The implicit equation 1/sqrt(f) = -2 lg(2.51/(Re sqrt(f)) + (k/d)/3.71) is solved by
    fixed-point iteration on x = 1/sqrt(f), which contracts for all Re > 2300.

    Parameters
    ----------
    reynolds : numeric
        Reynolds number [-], > 0.
    relative_roughness : numeric
        Roughness over inner diameter k/d [-], >= 0.

    Examples
    --------
    >>> round(friction_factor_colebrook(1e5, 1e-4), 4)
    0.0185
    """
    re = require("reynolds", reynolds, lambda x: x > 0, "> 0")
    rough = require("relative_roughness", relative_roughness, lambda x: x >= 0, ">= 0")
    re, rough = np.broadcast_arrays(re, rough)
    x = np.full(re.shape, 1.0 / np.sqrt(0.02))
    for _ in range(max_iter):
        new = -2.0 * np.log10(COLEBROOK_LAMINAR_TERM * x / re + rough / COLEBROOK_ROUGHNESS_DIVISOR)
        done = np.max(np.abs(new - x), initial=0.0) < tolerance
        x = new
        if done:
            break
    f = np.where(re < LAMINAR_REYNOLDS, 64.0 / re, 1.0 / x**2)
    return shaped_like(f, reynolds, relative_roughness)


def friction_factor_swamee_jain(reynolds: Numeric, relative_roughness: Numeric) -> Numeric:
    """Darcy friction factor [-] from the explicit Swamee-Jain approximation [2].

    f = 0.25 / lg(k/(3.7 d) + 5.74 / Re^0.9)^2, within about 1 % of Colebrook-White for
    5e3 < Re < 1e8 and 1e-6 < k/d < 1e-2; laminar flow (Re < 2300) gives 64/Re.
    """
    re = require("reynolds", reynolds, lambda x: x > 0, "> 0")
    rough = require("relative_roughness", relative_roughness, lambda x: x >= 0, ">= 0")
    turbulent = 0.25 / np.log10(rough / 3.7 + 5.74 / re**0.9) ** 2
    f = np.where(re < LAMINAR_REYNOLDS, 64.0 / re, turbulent)
    return shaped_like(f, reynolds, relative_roughness)


def pressure_gradient_pa_per_m(
    mass_flow_kg_per_s: Numeric,
    diameter_mm: Numeric,
    roughness_mm: Numeric,
    *,
    density_kg_per_m3: Numeric,
    viscosity_pa_s: Numeric,
) -> Numeric:
    """Frictional pressure drop per metre, Darcy-Weisbach dp/L = f rho v² / (2 d) [Pa/m].

    Parameters
    ----------
    mass_flow_kg_per_s : numeric
        Mass flow [kg/s]; the sign is ignored, zero flow gives zero.
    diameter_mm, roughness_mm : numeric
        Inner diameter and absolute roughness k [mm].
    density_kg_per_m3, viscosity_pa_s : numeric
        Water density [kg/m³] and dynamic viscosity [Pa·s].

    Examples
    --------
    >>> rho, mu = water_density_kg_per_m3(80.0), water_viscosity_pa_s(80.0)
    >>> m = rho * 3.14159265 * 0.1071**2 / 4  # 1 m/s in DN100
    >>> round(pressure_gradient_pa_per_m(m, 107.1, 0.1, density_kg_per_m3=rho,
    ...                                  viscosity_pa_s=mu), 0)
    92.0
    """
    rough = require("roughness_mm", roughness_mm, lambda x: x >= 0, ">= 0 [mm]")
    velocity = np.abs(
        np.asarray(velocity_m_per_s(mass_flow_kg_per_s, diameter_mm, density_kg_per_m3))
    )
    diameter = np.asarray(diameter_mm, dtype=float)
    moving = velocity > 0
    re = np.asarray(
        reynolds_number(
            np.where(moving, velocity, 1.0), diameter, density_kg_per_m3, viscosity_pa_s
        )
    )
    f = np.asarray(friction_factor_colebrook(re, rough / diameter))
    gradient = np.where(
        moving,
        f * np.asarray(density_kg_per_m3, float) * velocity**2 / (2.0 * diameter / 1000.0),
        0.0,
    )
    return shaped_like(gradient, mass_flow_kg_per_s, diameter_mm)


def heat_loss_w_per_m(
    u_w_per_mk: Numeric, temp_supply_c: Numeric, temp_return_c: Numeric, temp_ground_c: Numeric
) -> Numeric:
    """Heat loss of a supply and a return pipe per trench metre, q' = U'(Ts-Tg) + U'(Tr-Tg) [W/m].

    ``u_w_per_mk`` is the heat-loss coefficient of one pipe [W/(m·K)] (catalogue value, buried);
    temperatures in [°C]. Negative results (medium colder than the ground) are heat gains.

    >>> round(heat_loss_w_per_m(0.2543, 80.0, 50.0, 10.0), 2)
    27.97
    """
    u = require("u_w_per_mk", u_w_per_mk, lambda x: x >= 0, ">= 0 [W/(m·K)]")
    ground = np.asarray(temp_ground_c, dtype=float)
    loss = u * (
        (np.asarray(temp_supply_c, float) - ground) + (np.asarray(temp_return_c, float) - ground)
    )
    return shaped_like(loss, u_w_per_mk, temp_supply_c, temp_return_c, temp_ground_c)


def pump_power_kw(
    mass_flow_kg_per_s: Numeric,
    pressure_lift_bar: Numeric,
    *,
    density_kg_per_m3: Numeric,
    efficiency: Numeric,
) -> Numeric:
    """Electrical pump power P = V dp / eta [kW] for ``pressure_lift_bar`` [bar] at [kg/s].

    ``density_kg_per_m3`` [kg/m³] converts mass to volume flow; ``efficiency`` [-] in (0, 1].

    >>> round(pump_power_kw(10.0, 3.0, density_kg_per_m3=1000.0, efficiency=0.75), 2)
    4.0
    """
    flow = require("mass_flow_kg_per_s", mass_flow_kg_per_s, lambda x: x >= 0, ">= 0 [kg/s]")
    lift = require("pressure_lift_bar", pressure_lift_bar, lambda x: x >= 0, ">= 0 [bar]")
    eta = require("efficiency", efficiency, lambda x: (x > 0) & (x <= 1), "in (0, 1]")
    power = flow / np.asarray(density_kg_per_m3, float) * lift * PA_PER_BAR / eta / W_PER_KW
    return shaped_like(power, mass_flow_kg_per_s, pressure_lift_bar)


def part_load_pump_energy_kwh(design_power_kw: float, load_share: Numeric) -> float:
    """Energy of a speed-controlled circulation pump over a load series [kWh].

    At constant supply/return spread the flow follows the load, and for a system curve through
    the origin (pressure drop ~ flow²) the affinity laws give P = P_design x (flow share)³ [5].
    ``load_share`` is the network load of each hour over its design load [-] (clipped to 0..1);
    each value stands for one hour.

    >>> part_load_pump_energy_kwh(10.0, [1.0, 0.5, 0.0])
    11.25
    """
    power = require("design_power_kw", design_power_kw, lambda x: x >= 0, ">= 0 [kW]")
    share = np.clip(np.asarray(load_share, dtype=float), 0.0, 1.0)
    return float(np.asarray(power) * np.sum(share**3))


def simultaneity_factor(n_buildings: Numeric, *, a: float, b: float, c: float, d: float) -> Numeric:
    """Simultaneity factor of ``n_buildings`` connected consumers, f = a + b / (1 + (n/c)^d) [4].

    Capped at 1 (one building peaks with its own peak load); the coefficients are those of
    ``network_parameters.csv`` (Winter et al. 2001). ``n_buildings`` [-] >= 0.
    """
    n = require("n_buildings", n_buildings, lambda x: x >= 0, ">= 0")
    factor = np.minimum(a + b / (1.0 + (n / c) ** d), 1.0)
    return shaped_like(factor, n_buildings)


def max_mass_flow_kg_per_s(
    diameter_mm: Numeric,
    roughness_mm: Numeric,
    *,
    max_velocity_m_per_s: Numeric,
    max_pressure_gradient_pa_per_m: float,
    density_kg_per_m3: float,
    viscosity_pa_s: float,
    max_iter: int = 50,
) -> Numeric:
    """Largest mass flow [kg/s] a pipe may carry within both the velocity and gradient limits.

    The gradient-limited velocity solves f(Re(v)) rho v² / (2 d) = limit by fixed-point iteration
    (v = sqrt(2 d limit / (f rho)), f from Colebrook-White at that v).

    Parameters
    ----------
    diameter_mm, roughness_mm : numeric
        Inner diameter and roughness [mm].
    max_velocity_m_per_s : numeric
        Velocity limit [m/s], per pipe.
    max_pressure_gradient_pa_per_m : float
        Limit of the frictional pressure drop [Pa/m].
    density_kg_per_m3, viscosity_pa_s : float
        Water properties [kg/m³], [Pa·s] at the governing temperature.
    """
    diameter = require("diameter_mm", diameter_mm, lambda x: x > 0, "> 0 [mm]") / 1000.0
    rough = require("roughness_mm", roughness_mm, lambda x: x >= 0, ">= 0 [mm]") / 1000.0
    limit = require(
        "max_pressure_gradient_pa_per_m",
        max_pressure_gradient_pa_per_m,
        lambda x: x > 0,
        "> 0 [Pa/m]",
    )
    f = np.full(diameter.shape, 0.02)
    for _ in range(max_iter):
        speed = np.sqrt(2.0 * diameter * limit / (f * density_kg_per_m3))
        re = density_kg_per_m3 * speed * diameter / viscosity_pa_s
        f = np.asarray(friction_factor_colebrook(re, rough / diameter))
    speed = np.sqrt(2.0 * diameter * limit / (f * density_kg_per_m3))
    speed = np.minimum(speed, np.asarray(max_velocity_m_per_s, dtype=float))
    flow = speed * density_kg_per_m3 * np.pi * diameter**2 / 4.0
    return shaped_like(flow, diameter_mm, roughness_mm)


def select_pipe_index(mass_flow_kg_per_s: Numeric, capacity_kg_per_s: np.ndarray) -> np.ndarray:
    """Index of the smallest catalogue pipe whose capacity carries each mass flow (-1: none).

    ``capacity_kg_per_s`` [kg/s] is ordered from the smallest to the largest pipe and must not
    decrease (see :func:`max_mass_flow_kg_per_s`); the search is one ``numpy.searchsorted``.
    """
    capacity = np.asarray(capacity_kg_per_s, dtype=float)
    if np.any(np.diff(capacity) < 0):
        raise ValueError(
            "capacity_kg_per_s must not decrease from the smallest to the largest "
            f"pipe; got {np.round(capacity, 3).tolist()}"
        )
    flow = require("mass_flow_kg_per_s", mass_flow_kg_per_s, lambda x: x >= 0, ">= 0 [kg/s]")
    index = np.searchsorted(capacity, np.atleast_1d(flow), side="left")
    return np.where(index >= capacity.size, -1, index).astype(int)
