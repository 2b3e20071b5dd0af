"""The town plant is sized and dispatched once per load (issue 20): the demo's second § 18
decision, with the grid check, asks for the plant of the first and gets the same figures."""

from __future__ import annotations

import pandas as pd
import pytest
from tests.test_dispatch_reserve import _winter_fortnight

from heatplan.network import generation as gen
from heatplan.project.config import Municipality, ProjectConfig


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The loss figure of every real sizing; an empty memo to start with."""
    monkeypatch.setattr(gen, "_PLANTS", gen.OrderedDict())
    calls: list[float] = []
    real = gen._generation_options

    def sized(config, load_kw, loss, temperature, **options):  # type: ignore[no-untyped-def]
        calls.append(loss)
        return real(config, load_kw, loss, temperature, **options)

    monkeypatch.setattr(gen, "_generation_options", sized)
    return calls


def _same(a: gen.Generation, b: gen.Generation) -> None:
    assert a.min_renewable_share == b.min_renewable_share
    assert a.result.total_cost_eur_per_a == b.result.total_cost_eur_per_a
    assert a.result.capacity == b.result.capacity
    pd.testing.assert_frame_equal(a.result.dispatch, b.result.dispatch)


def test_the_same_load_is_dispatched_once_with_the_same_plants(counted: list[float]) -> None:
    temperature, load = _winter_fortnight()
    config = ProjectConfig(municipality=Municipality(name="Test"))
    first = gen.generation_options(config, load, 10.0, temperature, year=2025)
    again = gen.generation_options(config, load.copy(), 10.0, temperature.copy(), year=2025)
    assert counted == [10.0]
    fresh = gen._generation_options(config, load, 10.0, temperature, year=2025)
    assert len(first) == len(again) == len(fresh) == 2  # the WPG and the BEW plant
    for a, b, c in zip(first, again, fresh, strict=True):
        _same(a, b)
        _same(a, c)
    # a copy each time: what one caller changes, the next does not see
    first[0].result.dispatch.iloc[0, 0] = -1.0
    third = gen.generation_options(config, load, 10.0, temperature, year=2025)
    _same(third[0], fresh[0])


def test_another_load_loss_year_or_setting_is_sized_anew(counted: list[float]) -> None:
    temperature, load = _winter_fortnight()
    config = ProjectConfig(municipality=Municipality(name="Test"))
    gen.generation_options(config, load, 10.0, temperature, year=2025)
    gen.generation_options(config, load * 1.01, 10.0, temperature, year=2025)
    gen.generation_options(config, load, 11.0, temperature, year=2025)
    gen.generation_options(config, load, 10.0, temperature, year=2030)
    hotter = config.model_copy(
        update={"network": config.network.model_copy(update={"supply_temp_c": 90.0})}
    )
    gen.generation_options(hotter, load, 10.0, temperature, year=2025)
    assert len(counted) == 5
    assert len(gen._PLANTS) == gen._PLANTS_KEPT  # the oldest was let go
