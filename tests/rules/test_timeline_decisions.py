"""What the timeline hands to the dose rules, pinned exactly (issue 7): each hold episode whole
(a stop ends the open hold), how dose intensity compares schedules, where a dose sits against the
top of the ladder, and which results make a run of low values.

Written against the mutants that survived `python benchmarks/mutation.py timeline` (see
docs/mutation.md). Expected values come from the facts file §1 (maintenance 10 mg on days 1–28
of 28-day cycles) and §3 (maintenance steps 15, 10, 5 mg, then 5 mg on days 1–21).
"""

from __future__ import annotations

import datetime as dt

from lenaguard.knowledge import default_knowledge
from lenaguard.knowledge.topics.dose_modification import DoseModificationKnowledge
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.rules.dose.timeline import (
    HoldEpisode,
    build_timeline,
    intensity,
    ladder_for,
    ladder_position,
    low_run,
    results_until,
)
from lenaguard.vocab import HoldReason, Indication, LabTest
from tests.factories import lab, make_case

D = dt.date


def test_a_stop_ends_the_open_hold_and_each_episode_keeps_what_was_given_before_it():
    events = [
        {"date": "2026-08-01", "event": "start", "dose_mg": 10, "days_on": [1, 28]},
        {"date": "2026-08-20", "event": "hold", "reason": "neutropenia"},
        {"date": "2026-09-01", "event": "resume", "dose_mg": 5, "days_on": [1, 21]},
        {"date": "2026-09-20", "event": "hold", "reason": "other_toxicity"},
        {"date": "2026-10-01", "event": "stop"},
    ]
    case = make_case(indication="mm_maintenance", therapy={"events": events})
    timeline = build_timeline(case)
    assert timeline.holds == (
        HoldEpisode(
            reason=HoldReason.NEUTROPENIA,
            held_on=D(2026, 8, 20),
            ended_on=D(2026, 9, 1),
            dose_before_mg=10,
            days_on_before=(1, 28),
            number=1,
        ),
        HoldEpisode(
            reason=HoldReason.OTHER_TOXICITY,
            held_on=D(2026, 9, 20),
            ended_on=D(2026, 10, 1),
            dose_before_mg=5,
            days_on_before=(1, 21),
            number=1,
        ),
    )
    assert timeline.current_hold is None


def test_a_stop_ends_a_single_open_hold():
    events = [
        {"date": "2026-08-01", "event": "start", "dose_mg": 25},
        {"date": "2026-08-20", "event": "hold", "reason": "thrombocytopenia"},
        {"date": "2026-08-25", "event": "stop"},
    ]
    (episode,) = build_timeline(make_case(therapy={"events": events})).holds
    assert (episode.held_on, episode.ended_on, episode.dose_before_mg, episode.number) == (
        D(2026, 8, 20),
        D(2026, 8, 25),
        25,
        1,
    )


def test_intensity_is_proportional_to_the_dosing_days():
    # The measure is proportional to mg per cycle: twice the dosing days, twice the measure.
    assert intensity(5, (1, 28)) == 2 * intensity(5, (1, 14))
    assert intensity(10, (1, 21)) == 2 * intensity(5, (1, 21))


def test_a_dose_above_the_top_step_is_marked_and_the_top_step_is_not():
    kb = default_knowledge()
    table = kb.get(DoseModificationKnowledge).table(Indication.MM_MAINTENANCE)
    schedule = kb.get(IndicationsKnowledge).entry(Indication.MM_MAINTENANCE).schedule
    ladder, covered = ladder_for(table, 10)
    above = ladder_position(ladder, covered, 20, None, schedule)
    assert (above.above_top, above.level, above.next_lower.dose_mg) == (True, None, 15)
    top = ladder_position(ladder, covered, 15, None, schedule)
    assert (top.above_top, top.level, top.next_lower.dose_mg) == (False, 0, 10)


def test_a_low_run_ends_at_the_given_result_even_when_later_results_are_low():
    case = make_case(
        labs=[
            lab("platelets", 20_000, "/uL", date="2026-11-10"),
            lab("platelets", 15_000, "/uL", date="2026-11-12"),
            lab("platelets", 10_000, "/uL", date="2026-11-14"),
        ]
    )
    results = results_until(case, LabTest.PLATELETS, D(2026, 11, 20))
    run = low_run(results, 0, lambda value: value < 30_000)
    assert [result.date for result in run] == [D(2026, 11, 10)]
    run = low_run(results, 1, lambda value: value < 30_000)
    assert [result.date for result in run] == [D(2026, 11, 10), D(2026, 11, 12)]
