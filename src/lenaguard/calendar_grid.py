"""The assessment's calendar laid out as weeks, for the pages and the patient handout.

`Assessment.calendar` is a list of days (dose, rest, held, …, with the tests due). A page shows
it as a grid of weeks starting on Monday, with blank cells before the first day and after the
last, so every surface draws the same days the same way from the same decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from lenaguard.rules.base.results import CalendarDay

__all__ = ["WEEKDAYS", "GridCell", "weeks"]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class GridCell:
    """One cell of the grid: a calendar day, or a blank (`day` None) outside the calendar."""

    date: dt.date
    day: CalendarDay | None

    @property
    def takes_dose(self) -> bool:
        return self.day is not None and self.day.dose_mg is not None


def weeks(days: Sequence[CalendarDay]) -> list[list[GridCell]]:
    """The days in weeks of seven cells, Monday first; [] for an empty calendar."""
    if not days:
        return []
    by_date = {day.date: day for day in days}
    first = min(by_date)
    last = max(by_date)
    start = first - dt.timedelta(days=first.weekday())
    end = last + dt.timedelta(days=6 - last.weekday())
    cells = [
        GridCell(
            date=start + dt.timedelta(days=offset),
            day=by_date.get(start + dt.timedelta(days=offset)),
        )
        for offset in range((end - start).days + 1)
    ]
    return [cells[index : index + 7] for index in range(0, len(cells), 7)]
