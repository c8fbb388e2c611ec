"""The dosing calendar's edge decisions pinned (issue 7): one-day cycles are valid, and a date
before the course start is never a dosing day.

Written against the mutants that survived `python benchmarks/mutation.py schedule` (see
docs/mutation.md). The conventions are those of rules/dose/schedule.py: cycles counted from the
course start, day 1 = the first dose.
"""

from __future__ import annotations

import datetime as dt

import pytest

from lenaguard.knowledge.topics.indications import CycleSchedule
from lenaguard.rules.dose.schedule import cycle_position, is_dosing_day
from lenaguard.vocab import Frequency

START = dt.date(2026, 1, 5)


def test_a_one_day_cycle_is_a_cycle_and_a_zero_day_cycle_is_refused():
    assert cycle_position(START, START + dt.timedelta(days=3), 1) == (4, 1)
    with pytest.raises(ValueError, match="cycle_days must be positive, got 0"):
        cycle_position(START, START, 0)


@pytest.mark.parametrize("frequency", [Frequency.DAILY, Frequency.EVERY_48H])
def test_the_day_before_the_start_is_no_dosing_day(frequency):
    schedule = CycleSchedule(days_on=(1, 28), cycle_days=28)
    assert is_dosing_day(START, START - dt.timedelta(days=1), schedule, frequency) is False
    assert is_dosing_day(START, START, schedule, frequency) is True
