"""DWD TRY 2010 reading (demandlib files), region lookup, user temperature files, degree days."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from heatplan.demand.degree_days import climate_factor, heating_degree_days
from heatplan.inputs.weather import read_hourly_temperature
from heatplan.reference.weather import _parsed_try, read_try, region_for_point, try_path


def test_read_try_shape_and_first_row() -> None:
    frame = read_try(try_path(1))
    assert len(frame) == 8760
    first = frame.iloc[0]  # TRY2010_01: ' 1 1 1 1 1 3 280 3.9 -0.2 ...  B=0 D=0'
    assert (first["month"], first["day"], first["hour"]) == (1, 1, 1)
    assert first["temp_air_c"] == pytest.approx(-0.2)
    assert first["wind_speed_m_per_s"] == pytest.approx(3.9)
    assert (frame["ghi_w_per_m2"] >= frame["dhi_w_per_m2"]).all()


def test_region_for_point() -> None:
    assert region_for_point(11.59, 50.93) == 9  # Jena
    assert region_for_point(8.58, 53.54) == 1  # Bremerhaven, TRY01 station
    with pytest.raises(ValueError, match="outside"):
        region_for_point(2.35, 48.86)  # Paris


def test_try_degree_days_plausible() -> None:
    hdd = heating_degree_days(read_hourly_temperature(try_path(4)))
    assert 3000 < hdd < 4500  # German G20/15 is about 3,500 K·d (VDI 3807-1)


def test_degree_days_scalar_array_series() -> None:
    day = [10.0] * 24 + [16.0] * 24 + [-5.0] * 24
    expected = (20 - 10) + (20 + 5)
    assert heating_degree_days(day) == expected
    assert heating_degree_days(np.array(day)) == expected
    index = pd.date_range("2021-01-01", periods=72, freq="h")
    assert heating_degree_days(pd.Series(day, index=index)) == expected
    assert climate_factor(3500.0, 3500.0) == 1.0
    np.testing.assert_allclose(climate_factor(3500.0, np.array([3000.0, 3500.0])), [7 / 6, 1.0])


def test_csv_errors_name_row_and_field(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "t.csv"
    path.write_text("timestamp,temp_air_c\n2021-01-01 00:00,1.5\n2021-01-01 01:00,warm\n")
    with pytest.raises(ValueError, match=r"row 3, field temp_air_c"):
        read_hourly_temperature(path)
    path.write_text("time,t\n")
    with pytest.raises(ValueError, match="missing column"):
        read_hourly_temperature(path)


def test_csv_reads_series(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "t.csv"
    path.write_text("timestamp,temp_air_c\n2021-01-01 01:00,2.0\n2021-01-01 00:00,1.0\n")
    series = read_hourly_temperature(path)
    assert list(series) == [1.0, 2.0]


def test_csv_in_german_format(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Semicolons, decimal comma and dd.mm.yyyy timestamps (a German logger export)."""
    path = tmp_path / "t.csv"
    path.write_text(
        "Zeitstempel;Temperatur [°C]\n01.03.2021 01:00;-2,5\n01.03.2021 00:00;1,25\n",
        encoding="cp1252",
    )
    series = read_hourly_temperature(path)
    assert list(series) == [1.25, -2.5]
    assert series.index[0] == pd.Timestamp("2021-03-01 00:00")  # 1 March, not 3 January


def test_read_try_parses_once_and_hands_out_copies(tmp_path: Path) -> None:
    """A national run reads the same TRY for every municipality: parsed once per process, each
    caller gets its own frame, and a changed file is read again."""
    first = read_try(try_path(4))
    first.loc[0, "temp_air_c"] = 99.0  # a caller changing its copy
    hits = _parsed_try.cache_info().hits
    second = read_try(try_path(4))
    assert _parsed_try.cache_info().hits == hits + 1  # not parsed again
    assert second is not first and second.loc[0, "temp_air_c"] != 99.0
    copy = tmp_path / "try.dat"
    shutil.copy(try_path(4), copy)
    assert read_try(copy).equals(second)
    text = copy.read_text(encoding="latin-1").splitlines()
    changed = [*text[:-1], text[-1] + " 1"]  # a broken last row: a new parse must see it
    copy.write_text("\n".join(changed) + "\n", encoding="latin-1")
    os.utime(copy, ns=(1, 1))  # another modification time, even on a coarse clock
    with pytest.raises(ValueError, match="data row 8760"):
        read_try(copy)
