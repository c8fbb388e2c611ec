"""The pregnancy tests on the calendar: not only the next one, every one in the four weeks.

Facts file §5: weekly for the first 4 weeks of treatment, then every 4 weeks with regular
menses, every 2 weeks with irregular (or unknown) menses; testing goes on during an
interruption. A patient's handout and the workbench calendar show each date, so a woman never
reads one test where the schedule asks for several. No pregnancy test is projected after a
stop, nor for a start that is not going ahead.
"""

from __future__ import annotations

import datetime as dt

from lenaguard.assess import assess
from lenaguard.knowledge import default_knowledge
from lenaguard.vocab import DoseAction
from tests.factories import make_case
from tests.rules.pregnancy_cases import FRP_HISTORY, day, female, preg

KB = default_knowledge()


def _pregnancy_days(data: dict) -> tuple[DoseAction, list[dt.date]]:
    assessment = assess(make_case(**data), KB)
    assert assessment.dose is not None
    days = [d.date for d in assessment.calendar if "pregnancy_test" in d.tests_due]
    return assessment.dose.action, days


def _on_treatment(start_offset: int, last_test_offset: int, regular: bool | None) -> dict:
    """As of 2026-11-20; a course started `start_offset` days before; one negative test
    `last_test_offset` days after the start."""
    as_of = dt.date(2026, 11, 20)
    start = as_of - dt.timedelta(days=start_offset)
    return female(
        [preg(day(last_test_offset, start), sensitivity=25)],
        reproductive={**FRP_HISTORY, "menses_regular": regular},
        as_of=as_of,
        therapy={"events": [{"date": start.isoformat(), "event": "start", "dose_mg": 25}]},
    )


def test_the_first_month_shows_a_test_every_week():
    # started 2026-11-13 (7 days ago), last negative today: weekly until 2026-12-11
    action, days = _pregnancy_days(_on_treatment(7, 7, regular=True))
    assert action is DoseAction.CONTINUE
    assert days == [dt.date(2026, 11, 27), dt.date(2026, 12, 4), dt.date(2026, 12, 11)]


def test_after_the_first_month_regular_menses_every_4_weeks():
    # started 2026-09-25; last negative 2026-10-30 (day 35, the weekly phase over): due
    # 2026-11-27, then 4 weeks later (2026-12-25) is past the calendar's last day 2026-12-17
    action, days = _pregnancy_days(_on_treatment(56, 35, regular=True))
    assert action is DoseAction.CONTINUE
    assert days == [dt.date(2026, 11, 27)]


def test_testing_goes_on_during_a_hold():
    # the test due today holds the course (blocking) and the schedule goes on from today
    action, days = _pregnancy_days(_on_treatment(7, 0, regular=True))
    assert action is DoseAction.HOLD
    assert days == [
        dt.date(2026, 11, 20),
        dt.date(2026, 11, 27),
        dt.date(2026, 12, 4),
        dt.date(2026, 12, 11),
    ]


def test_after_the_first_month_irregular_menses_every_2_weeks():
    # last negative 2026-11-06 (day 42 of a course started 2026-09-25): 2-weekly
    action, days = _pregnancy_days(_on_treatment(56, 42, regular=False))
    assert days == [dt.date(2026, 11, 20), dt.date(2026, 12, 4)]


def test_unknown_regularity_takes_the_stricter_2_weeks():
    _, days = _pregnancy_days(_on_treatment(56, 42, regular=None))
    assert days == [dt.date(2026, 11, 20), dt.date(2026, 12, 4)]


def test_the_weekly_phase_switches_to_the_later_interval_on_the_calendar():
    # started 2026-10-23; weekly until 2026-11-20; last negative 2026-11-13 (day 21): due
    # 2026-11-20, the last of the weekly phase; from there every 2 weeks (irregular)
    _, days = _pregnancy_days(_on_treatment(28, 21, regular=False))
    assert days == [dt.date(2026, 11, 20), dt.date(2026, 12, 4)]


def test_a_course_stopped_has_no_projected_tests():
    data = _on_treatment(7, 7, regular=True)
    data["therapy"]["events"].append({"date": "2026-11-19", "event": "stop"})
    action, days = _pregnancy_days(data)
    assert not action.gives_drug and action is not DoseAction.HOLD
    assert len(days) <= 1  # at most a monitoring item itself, never a weekly series


def test_a_woman_starting_today_with_both_tests_sees_each_weekly_test():
    # examples/frp-ready.yaml: both pretreatment tests negative, starting on 2026-11-20
    from pathlib import Path

    from lenaguard.caseio import parse_case_text

    text = (Path(__file__).resolve().parents[2] / "examples" / "frp-ready.yaml").read_text()
    assessment = assess(parse_case_text(text, today=dt.date(2026, 11, 20), kb=KB), KB)
    assert assessment.dose is not None and assessment.dose.action is DoseAction.START
    days = [d.date for d in assessment.calendar if "pregnancy_test" in d.tests_due]
    assert days == [dt.date(2026, 11, 27), dt.date(2026, 12, 4), dt.date(2026, 12, 11)]


def test_the_schedule_is_given_only_once_treatment_can_go_ahead():
    from lenaguard.rules.safety.pregnancy import evaluate

    # before the first prescription with no pretreatment test: no schedule yet
    waiting = evaluate(make_case(**female([])), KB)
    assert waiting.repeating == []
    # on treatment: weekly for the weekly phase, then 4 weeks with regular menses
    started = evaluate(make_case(**_on_treatment(7, 7, regular=True)), KB)
    (schedule,) = started.repeating
    assert schedule.test == "pregnancy_test"
    assert schedule.faster_until == dt.date(2026, 12, 11)
    assert (schedule.first_interval_days, schedule.later_interval_days) == (7, 28)
    irregular = evaluate(make_case(**_on_treatment(7, 7, regular=False)), KB)
    assert irregular.repeating[0].later_interval_days == 14
