"""Calendar arithmetic on the ground floor."""

from __future__ import annotations

import datetime as dt

import pytest

from lenaguard.dates import add_months


def test_add_months_refuses_a_negative_count():
    with pytest.raises(ValueError, match="months"):
        add_months(dt.date(2026, 8, 31), -1)


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (dt.date(2026, 8, 31), 0, dt.date(2026, 8, 31)),
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
        (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),
    ],
)
def test_add_months_moves_forward_and_clamps(start, months, expected):
    assert add_months(start, months) == expected
