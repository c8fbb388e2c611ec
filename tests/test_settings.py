"""Settings come from the environment, resolved in one place."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lenaguard.errors import InputError
from lenaguard.settings import Settings


def test_lenaguard_home_wins_over_xdg(tmp_path):
    settings = Settings.from_env(
        {"LENAGUARD_HOME": str(tmp_path / "lg"), "XDG_DATA_HOME": "/xdg", "TZ": "UTC"}
    )
    assert settings.home == tmp_path / "lg"
    assert settings.database_url == f"sqlite:///{tmp_path / 'lg' / 'lenaguard.sqlite3'}"


def test_xdg_data_home_then_the_home_directory():
    assert Settings.from_env({"XDG_DATA_HOME": "/xdg", "TZ": "UTC"}).home == Path("/xdg/lenaguard")
    assert Settings.from_env({"TZ": "UTC"}).home == Path.home() / ".local/share/lenaguard"


def test_a_database_url_replaces_the_sqlite_default():
    url = "postgresql+psycopg://clinic@db:5432/lenaguard"
    assert Settings.from_env({"LENAGUARD_DATABASE_URL": url, "TZ": "UTC"}).database_url == url


def test_the_clinic_date_counts_in_the_clinic_time_zone():
    settings = Settings.from_env({"LENAGUARD_TIMEZONE": "America/New_York"})
    late_evening = dt.datetime(2026, 12, 1, 4, 30, tzinfo=dt.UTC)  # 23:30 on Nov 30 in New York
    assert settings.clinic_date(late_evening) == dt.date(2026, 11, 30)
    tokyo = Settings.from_env({"LENAGUARD_TIMEZONE": "Asia/Tokyo"})
    assert tokyo.clinic_date(late_evening) == dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    "name, value",
    [
        ("LENAGUARD_TIMEZONE", "Mars/Olympus"),
        ("LENAGUARD_TOKEN_DAYS", "0"),
        ("LENAGUARD_TOKEN_DAYS", "ninety"),
        ("LENAGUARD_MAX_REQUEST_BYTES", "-5"),
    ],
)
def test_bad_values_name_the_variable(name, value):
    with pytest.raises(InputError) as raised:
        Settings.from_env(
            {name: value, "TZ": "UTC", **({} if name == "LENAGUARD_TIMEZONE" else {})}
        )
    assert raised.value.problems[0].field == name
