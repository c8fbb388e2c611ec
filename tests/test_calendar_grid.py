"""The calendar as weeks: every calendar day in exactly one cell, on its weekday."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from lenaguard.calendar_grid import weeks
from lenaguard.rules.base.results import CalendarDay


def _day(date: dt.date, dose: float | None = 10.0) -> CalendarDay:
    return CalendarDay(
        date=date, cycle=1, cycle_day=1, dose_mg=dose, note="dose" if dose else "rest"
    )


def test_a_calendar_starting_on_a_wednesday_gets_two_blank_cells_first():
    start = dt.date(2026, 12, 2)  # a Wednesday
    grid = weeks([_day(start + dt.timedelta(days=n)) for n in range(28)])
    assert len(grid) == 5
    assert [cell.day is None for cell in grid[0][:3]] == [True, True, False]
    assert grid[0][2].date == start
    assert grid[-1][1].date == start + dt.timedelta(days=27)
    assert all(cell.day is None for cell in grid[-1][2:])


def test_an_empty_calendar_has_no_weeks():
    assert weeks([]) == []


@given(
    start=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)),
    length=st.integers(min_value=1, max_value=60),
)
def test_every_day_lies_in_one_cell_on_its_weekday(start, length):
    days = [_day(start + dt.timedelta(days=n), None if n % 4 == 0 else 5.0) for n in range(length)]
    grid = weeks(days)
    cells = [cell for week in grid for cell in week]
    assert all(len(week) == 7 for week in grid)
    assert all(cell.date.weekday() == index % 7 for index, cell in enumerate(cells))
    assert [cell.day for cell in cells if cell.day is not None] == days
    assert sum(cell.takes_dose for cell in cells) == sum(d.dose_mg is not None for d in days)
