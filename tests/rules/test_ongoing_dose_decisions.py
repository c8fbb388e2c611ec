"""The combined dose decision of a started course pinned exactly (issue 7): the plan (action, dose,
days, frequency, rule, dialysis timing, resume plan) and every finding of ongoing_dose.py whole.

Written against the mutants that survived `python benchmarks/mutation.py ongoing_dose` (see
docs/mutation.md). Expected values come from the facts file: §1 schedules (days 1–21 of 28;
FL/MZL up to 12 cycles of 28 days; maintenance 10 mg, 15 mg allowed after 3 cycles), §2 (every
48 hours in severe renal impairment, after dialysis on dialysis days) and §3 (the reduction
steps: 5 mg lower each restart, MCL and FL never below 5 mg daily, maintenance 15/10/5 mg then
5 mg days 1–21; blistering or peeling skin holds until a clinician has seen it; angioedema and
hypersensitivity stop for good).
"""

from __future__ import annotations

import pytest

from lenaguard.knowledge import default_knowledge
from lenaguard.knowledge.topics.dose_modification import DoseModificationKnowledge
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.rules.dose.ongoing_dose import _decide, _restart, ongoing_dose
from lenaguard.rules.dose.timeline import (
    Restraint,
    build_timeline,
    ladder_for,
    ladder_position,
)
from lenaguard.vocab import DoseAction, Frequency, Severity
from tests.factories import make_case
from tests.rules.count_cases import counts, decide, ev, ids

# FL course started 2025-12-19: cycle n begins 28·(n−1) days later; cycle 4 runs 2026-03-13 to
# 2026-04-09 (dosing days 1–21: to 2026-04-02), cycle 12 begins 2026-10-23 (day 21: 2026-11-12).
FL_START = "2025-12-19"


def good_counts(date: str = "2026-11-18") -> list[dict]:
    return counts(150_000, 2_000, date=date)


def only(findings, finding_id: str):
    (found,) = [f for f in findings if f.id == finding_id]
    return found


def sections(item) -> list[str]:
    return [citation.section for citation in item.citations]


# --- stop plans ---------------------------------------------------------------------------------


def test_two_reasons_to_stop_are_both_given_in_order():
    plan, findings = decide(
        "mm_combination",
        [ev("2026-10-01", "start", 25)],
        good_counts(),
        other_toxicity={"grade": 2, "kind": "angioedema"},
        conditions={"lenalidomide_hypersensitivity": True},
    )
    assert (plan.action, plan.dose_mg, plan.days_on, plan.frequency) == (
        DoseAction.STOP,
        None,
        None,
        None,
    )
    assert plan.rule == "other_toxicity.contraindication.lenalidomide_hypersensitivity"
    assert plan.reason == (
        "Lenalidomide must not be given to a patient with severe hypersensitivity to it, such as "
        "angioedema, anaphylaxis, Stevens-Johnson syndrome or toxic epidermal necrolysis (USPI §4 "
        "Contraindications); Angioedema on lenalidomide means stopping it for good (USPI §2.5, "
        "§5.9; USPI §5.15, hypersensitivity)."
    )
    assert ids(findings) == [
        "toxicity.contraindication_lenalidomide_hypersensitivity",
        "toxicity.permanent_stop_angioedema",
    ]


def test_a_stopped_course_stays_stopped_with_its_date():
    plan, findings = decide(
        "mm_combination", [ev("2026-10-01", "start", 25), ev("2026-11-01", "stop")], good_counts()
    )
    assert (plan.action, plan.dose_mg, plan.resume) == (DoseAction.STOP, None, None)
    assert plan.rule == "dose_modification.course_stopped"
    assert plan.reason == (
        "The timeline records that lenalidomide was stopped on 2026-11-01; a new course starts "
        "with a new start event and the starting-dose rules."
    )
    assert findings == []


def test_a_course_that_never_started_is_refused():
    case = make_case(labs=good_counts())
    with pytest.raises(
        ValueError, match=r"^ongoing_dose needs a course that has started; use starting_dose$"
    ):
        ongoing_dose(case, default_knowledge())


# --- continue plans -----------------------------------------------------------------------------


def test_on_dialysis_a_continued_dose_is_taken_after_dialysis_and_a_hold_is_not():
    plan, _ = decide(
        "mm_combination",
        [ev("2026-10-01", "start", 5)],
        good_counts(),
        patient={"on_dialysis": True},
    )
    assert (plan.action, plan.dose_mg, plan.days_on) == (DoseAction.CONTINUE, 5, (1, 21))
    assert plan.after_dialysis is True
    plan, _ = decide(
        "mm_combination",
        [ev("2026-10-01", "start", 5)],
        counts(150_000, 500),
        patient={"on_dialysis": True},
    )
    assert (plan.action, plan.after_dialysis) == (DoseAction.HOLD, False)


def test_every_48_hours_continues_in_its_own_frequency_at_the_floor():
    plan, findings = decide(
        "mcl", [ev("2026-10-01", "start", 10, frequency="every_48h")], good_counts()
    )
    assert (plan.action, plan.dose_mg, plan.days_on, plan.frequency) == (
        DoseAction.CONTINUE,
        10,
        (1, 21),
        Frequency.EVERY_48H,
    )
    assert plan.reason == (
        "Current counts (platelets 150,000/mcL on 2026-11-18; anc 2,000/mcL on 2026-11-18) meet "
        "no interruption row of the label's table (USPI §2.3): continue 10 mg every 48 hours on "
        "days 1–21."
    )
    assert ids(findings) == ["dosing.at_lowest_dose", "dosing.reduction_steps_for_daily_dosing"]
    lowest = only(findings, "dosing.at_lowest_dose")
    assert (lowest.severity, lowest.blocking) == (Severity.INFO, False)
    assert (
        lowest.summary == "At the lowest dose of the label's table (5 mg once daily on days 1–21)."
    )
    assert lowest.inputs == {"dose_mg": 10, "floor_mg": 5}
    assert sections(lowest) == [
        "§2.3",
        "§2.1 Tables 1–2, §2.2, §2.3, §2.4, lowest dose of each table",
    ]
    daily = only(findings, "dosing.reduction_steps_for_daily_dosing")
    assert daily.inputs == {"frequency": "every_48h"}
    assert daily.detail.endswith(
        "lenaguard keeps the every 48 hours schedule and steps the dose down the same ladder, but "
        "never to a dose that gives less than the lowest step taken once daily (5 mg once daily on "
        "days 1–21); the prescriber should confirm."
    )


def test_without_any_current_count_the_course_continues_and_asks_for_one():
    plan, findings = decide(
        "mm_combination",
        [ev("2026-10-01", "start", 25), ev("2026-10-29", "dose_change", 20)],
        [],
    )
    assert (plan.action, plan.dose_mg, plan.days_on) == (DoseAction.CONTINUE, 20, (1, 21))
    assert plan.reason == (
        "No complete current blood count since 2026-10-29, so the interruption rows of the "
        "label's table (USPI §2.1 Table 1) cannot be checked: continue 20 mg once daily on days "
        "1–21 and obtain a blood count."
    )
    assert ids(findings) == ["input.cbc_needed"]


def test_with_one_count_of_two_the_course_continues_and_names_the_count_it_has():
    plan, _ = decide("mm_combination", [ev("2026-10-01", "start", 25)], counts(150_000, None))
    assert (plan.action, plan.dose_mg) == (DoseAction.CONTINUE, 25)
    assert plan.reason == (
        "No complete current blood count since 2026-10-01 (only platelets 150,000/mcL on "
        "2026-11-18), so the interruption rows of the label's table (USPI §2.1 Table 1) cannot be "
        "checked: continue 25 mg once daily on days 1–21 and obtain a blood count."
    )


# --- ladder notes -------------------------------------------------------------------------------


def test_a_start_dose_without_its_own_ladder_is_named_with_the_steps_used_instead():
    plan, findings = decide("fl", [ev("2026-10-01", "start", 15)], good_counts())
    assert (plan.action, plan.dose_mg) == (DoseAction.CONTINUE, 15)
    assert ids(findings) == ["dosing.no_reduction_steps_for_start_dose"]
    note = only(findings, "dosing.no_reduction_steps_for_start_dose")
    assert (note.severity, note.blocking) == (Severity.WARNING, False)
    assert (
        note.summary == "The label's table gives no reduction steps for a course started at 15 mg."
    )
    assert note.detail.startswith("lenaguard uses these steps instead: From a 20 mg start,")
    assert note.detail.endswith("The prescriber should confirm every reduction.")
    assert note.inputs == {"start_dose_mg": 15}


def test_a_start_dose_with_its_own_ladder_gets_no_note():
    _, findings = decide("fl", [ev("2026-10-01", "start", 20)], good_counts())
    assert ids(findings) == []


def test_a_dose_above_the_table_is_named():
    plan, findings = decide(
        "mm_maintenance",
        [ev("2026-10-01", "start", 10), ev("2026-10-20", "dose_change", 20)],
        good_counts(),
    )
    assert (plan.action, plan.dose_mg, plan.days_on) == (DoseAction.CONTINUE, 20, (1, 28))
    assert ids(findings) == ["dosing.dose_above_table"]
    above = only(findings, "dosing.dose_above_table")
    assert above.severity is Severity.WARNING
    assert above.summary == (
        "The current dose 20 mg once daily on days 1–28 is above the highest dose of the label's "
        "reduction table."
    )
    assert above.detail.endswith("Check the dose against the label.")
    assert above.inputs == {"dose_mg": 20, "days_on": [1, 28]}


def test_a_dose_above_the_table_is_named_in_its_own_frequency():
    # MDS: the table's top step is 10 mg daily; 25 mg every 48 hours is 12.5 mg a day.
    _, findings = decide(
        "mds_del5q", [ev("2026-10-01", "start", 25, frequency="every_48h")], good_counts()
    )
    assert ids(findings) == ["dosing.dose_above_table", "dosing.reduction_steps_for_daily_dosing"]
    assert only(findings, "dosing.dose_above_table").summary == (
        "The current dose 25 mg every 48 hours on days 1–28 is above the highest dose of the "
        "label's reduction table."
    )


# --- holds and restarts -------------------------------------------------------------------------


def test_a_held_course_at_the_floor_waits_for_the_prescriber():
    plan, findings = decide(
        "mcl",
        [ev("2026-10-01", "start", 5), ev("2026-11-01", "hold", reason="neutropenia")],
        good_counts(),
    )
    assert (plan.action, plan.dose_mg, plan.resume.dose_mg, plan.resume.days_on) == (
        DoseAction.HOLD,
        None,
        None,
        None,
    )
    assert plan.reason.endswith(
        ": the restart condition is met, but the restart dose is the prescriber's decision (the "
        "label gives no lower dose): keep lenalidomide interrupted."
    )
    assert ids(findings) == ["dosing.floor_reached", "toxicity.hold_continues"]
    floor = only(findings, "dosing.floor_reached")
    assert (floor.severity, floor.blocking) == (Severity.CRITICAL, False)
    assert floor.inputs == {"dose_mg": 5, "floor_mg": 5}
    assert sections(floor) == [
        "§2.3",
        "§2.1 Tables 1–2, §2.2, §2.3, §2.4, lowest dose of each table",
    ]
    waiting = only(findings, "toxicity.hold_continues")
    assert waiting.summary == (
        "Lenalidomide stays interrupted until the prescriber chooses the restart dose."
    )


def test_a_held_course_whose_count_is_still_low_stays_interrupted():
    plan, findings = decide(
        "mm_combination",
        [ev("2026-10-01", "start", 25), ev("2026-11-01", "hold", reason="neutropenia")],
        counts(150_000, 500),
    )
    assert plan.action is DoseAction.HOLD
    waiting = only(findings, "toxicity.hold_continues")
    assert (waiting.severity, waiting.blocking) == (Severity.CRITICAL, False)
    assert waiting.summary == "Lenalidomide stays interrupted."
    assert waiting.inputs == {"held_since": "2026-11-01"}


def test_blistering_skin_interrupts_with_no_restart_dose_and_no_days():
    plan, findings = decide(
        "mm_combination",
        [ev("2026-10-01", "start", 25)],
        good_counts(),
        symptoms=["blistering_rash"],
    )
    assert (plan.action, plan.rule) == (DoseAction.HOLD, "other_toxicity.suspected_severe_rash")
    assert (plan.resume.dose_mg, plan.resume.days_on) == (None, None)
    assert plan.resume.when == (
        "A clinician has examined the skin and excluded a severe skin reaction. Restart dose: the "
        "prescriber decides."
    )
    assert ids(findings) == ["toxicity.suspected_severe_rash"]


def test_a_held_every_48_hours_course_restarts_one_step_lower_every_48_hours():
    plan, findings = decide(
        "mcl",
        [
            ev("2026-10-01", "start", 25, frequency="every_48h"),
            ev("2026-11-01", "hold", reason="neutropenia"),
        ],
        good_counts(),
    )
    assert (plan.action, plan.dose_mg, plan.days_on, plan.frequency) == (
        DoseAction.RESUME,
        20,
        (1, 21),
        Frequency.EVERY_48H,
    )
    assert plan.reason.endswith(": restart at 20 mg every 48 hours on days 1–21.")
    restart = only(findings, "dosing.restart")
    assert restart.summary == "Restart lenalidomide at 20 mg every 48 hours on days 1–21."
    assert restart.inputs == {"restart_dose_mg": 20, "previous_dose_mg": 25}


# --- combining restraints (called directly with restraints built here) ---------------------------


def _restraint(rule: str, dose: float | None, days: tuple[int, int] | None, *, met: bool = True):
    return Restraint(
        rule=rule,
        reason=f"reason {rule}",
        when=f"when {rule}",
        met=met,
        dose_mg=dose,
        days_on=days,
        entries=(),
    )


def _maintenance_at_10(events: list[dict]):
    """Case, knowledge, timeline, ladder position and indication of a maintenance course."""
    kb = default_knowledge()
    case = make_case(indication="mm_maintenance", therapy={"events": events}, labs=good_counts())
    timeline = build_timeline(case)
    indication = kb.get(IndicationsKnowledge).entry(case.indication)
    table = kb.get(DoseModificationKnowledge).table(case.indication)
    ladder, covered = ladder_for(table, timeline.course.start_dose_mg)
    position = ladder_position(
        ladder, covered, timeline.course.dose_mg, None, indication.schedule, Frequency.DAILY
    )
    return case, kb, timeline, position, indication


def test_the_lowest_restart_wins_whatever_the_order_of_the_restraints():
    _, _, _, position, _ = _maintenance_at_10([ev("2026-10-01", "start", 10)])
    higher = _restraint("a", 10, (1, 28))
    lower = _restraint("b", 5, (1, 28))
    assert _restart([higher, lower], position) == (lower, 5, (1, 28), False)
    # Same dose, fewer days: the shorter schedule is lower.
    fewer_days = _restraint("c", 5, (1, 21))
    assert _restart([lower, fewer_days], position) == (fewer_days, 5, (1, 21), False)


def test_a_restraint_without_days_restarts_on_the_current_days():
    _, _, _, position, _ = _maintenance_at_10([ev("2026-10-01", "start", 10)])
    no_days = _restraint("a", 5, None)
    assert _restart([_restraint("b", 10, (1, 28)), no_days], position) == (
        no_days,
        5,
        (1, 28),
        False,
    )


def test_an_open_restart_dose_leaves_dose_and_days_to_the_prescriber():
    _, _, _, position, _ = _maintenance_at_10([ev("2026-10-01", "start", 10)])
    first_open = _restraint("open", None, None)
    assert _restart([_restraint("b", 5, (1, 21)), first_open], position) == (
        first_open,
        None,
        None,
        False,
    )


def test_a_held_course_restarts_at_the_lowest_dose_and_names_every_reason():
    case, kb, timeline, position, indication = _maintenance_at_10(
        [ev("2026-10-01", "start", 10), ev("2026-11-01", "hold", reason="other_toxicity")]
    )
    restraints = [_restraint("a", 10, None), _restraint("b", 5, None)]
    plan, findings = _decide(case, kb, timeline, position, indication, restraints)
    assert (plan.action, plan.dose_mg, plan.days_on, plan.rule) == (
        DoseAction.RESUME,
        5,
        (1, 28),
        "b",
    )
    assert plan.reason == "Reason a; reason b: restart at 5 mg once daily on days 1–28."
    assert [f.id for f in findings] == ["dosing.restart"]


def test_a_held_course_with_its_condition_met_but_no_dose_waits_for_the_prescriber():
    case, kb, timeline, position, indication = _maintenance_at_10(
        [ev("2026-10-01", "start", 10), ev("2026-11-01", "hold", reason="other_toxicity")]
    )
    plan, findings = _decide(
        case, kb, timeline, position, indication, [_restraint("open", None, None)]
    )
    assert (plan.action, plan.rule, plan.resume.dose_mg) == (DoseAction.HOLD, "open", None)
    assert plan.reason == (
        "Reason open: the restart condition is met, but the restart dose is the prescriber's "
        "decision: keep lenalidomide interrupted."
    )
    assert plan.resume.when == "When open. Restart dose: the prescriber decides."
    assert [f.id for f in findings] == ["toxicity.hold_continues"]


# --- limited courses (FL, MZL: up to 12 cycles) -----------------------------------------------


def test_the_last_cycle_is_named_with_the_cycles_completed():
    plan, findings = decide(
        "fl", [ev(FL_START, "start", 20)], good_counts("2026-10-30"), as_of="2026-11-01"
    )
    assert (plan.action, plan.dose_mg) == (DoseAction.CONTINUE, 20)
    assert ids(findings) == ["dosing.last_cycle"]
    last = only(findings, "dosing.last_cycle")
    assert (last.severity, last.blocking) == (Severity.INFO, False)
    assert last.summary == "Cycle 12 is the last cycle the label gives (up to 12 cycles)."
    assert last.inputs == {"cycles_completed": 11}


def test_the_last_cycle_held_through_its_last_dosing_day_is_named_on_that_day():
    events = [ev(FL_START, "start", 20), ev("2026-10-23", "hold", reason="neutropenia")]
    _, findings = decide("fl", events, good_counts("2026-11-10"), as_of="2026-11-12")
    missed = only(findings, "dosing.cycles_without_lenalidomide")
    assert missed.inputs == {"cycles_without_lenalidomide": [12]}
    assert missed.summary == (
        "No lenalidomide was taken in cycle 12: the course was interrupted on all of its dosing "
        "days."
    )
    # The day before, the cycle still has a dosing day ahead: nothing to name.
    _, findings = decide("fl", events, good_counts("2026-11-10"), as_of="2026-11-11")
    assert "dosing.cycles_without_lenalidomide" not in ids(findings)


def test_cycles_missed_are_counted_from_cycle_11_on_and_not_before():
    # Cycle 4 held whole (from its day 1 to day 22). On 2026-10-22 (cycle 11, 10 cycles done)
    # the missed cycles are not yet counted; on 2026-11-01 (cycle 12, 11 done) they are.
    events = [
        ev(FL_START, "start", 20),
        ev("2026-03-13", "hold", reason="neutropenia"),
        ev("2026-04-03", "resume", 15),
    ]
    _, findings = decide("fl", events, good_counts("2026-10-20"), as_of="2026-10-22")
    assert "dosing.cycles_without_lenalidomide" not in ids(findings)
    _, findings = decide("fl", events, good_counts("2026-10-30"), as_of="2026-11-01")
    missed = only(findings, "dosing.cycles_without_lenalidomide")
    assert missed.inputs == {"cycles_without_lenalidomide": [4]}


@pytest.mark.parametrize(
    ("held_on", "resumed_on", "missed"),
    [
        ("2026-03-13", "2026-04-03", [4]),  # from day 1 to the day after day 21
        ("2026-03-14", "2026-04-20", []),  # day 1 was a dosing day
        ("2026-03-13", "2026-04-02", []),  # day 21 was a dosing day
    ],
)
def test_a_cycle_counts_as_missed_only_when_every_dosing_day_was_held(held_on, resumed_on, missed):
    events = [
        ev(FL_START, "start", 20),
        ev(held_on, "hold", reason="neutropenia"),
        ev(resumed_on, "resume", 15),
    ]
    _, findings = decide("fl", events, good_counts())
    found = [f for f in findings if f.id == "dosing.cycles_without_lenalidomide"]
    assert [f.inputs["cycles_without_lenalidomide"] for f in found] == ([missed] if missed else [])


def test_two_missed_cycles_are_listed_together():
    events = [
        ev(FL_START, "start", 20),
        ev("2026-03-13", "hold", reason="neutropenia"),
        ev("2026-05-01", "resume", 15),
    ]
    plan, findings = decide("fl", events, good_counts())
    assert (plan.action, plan.rule) == (DoseAction.STOP, "dose_modification.fl.course_complete")
    missed = only(findings, "dosing.cycles_without_lenalidomide")
    assert missed.inputs == {"cycles_without_lenalidomide": [4, 5]}
    assert missed.summary == (
        "No lenalidomide was taken in 2 cycles: the course was interrupted on all of their dosing "
        "days."
    )
    assert missed.detail == (
        "Cycles without lenalidomide: 4, 5. lenaguard counts cycles on the calendar from the "
        "course start on 2025-12-19; interruptions do not move the count. Of the 12 cycles the "
        "label gives, the patient has taken lenalidomide in at most 10. Whether to give the missed "
        "cycles is the prescriber's decision."
    )


def test_earlier_courses_are_each_counted_with_their_begun_cycles():
    # A 10-day course (1 cycle begun); a course with a hold inside it, 2025-06-01 to 2025-10-01
    # (122 days: 5 cycles begun); this course from 2026-05-01, in cycle 8: 6 + 8 = 14 > 12.
    events = [
        ev("2025-04-01", "start", 20),
        ev("2025-04-11", "stop"),
        ev("2025-06-01", "start", 20),
        ev("2025-07-01", "hold", reason="neutropenia"),
        ev("2025-07-20", "resume", 15),
        ev("2025-10-01", "stop"),
        ev("2026-05-01", "start", 20),
    ]
    plan, findings = decide("fl", events, good_counts())
    assert (plan.action, plan.dose_mg) == (DoseAction.CONTINUE, 20)
    assert ids(findings) == ["dosing.earlier_courses_count"]
    earlier = only(findings, "dosing.earlier_courses_count")
    assert (earlier.severity, earlier.blocking) == (Severity.WARNING, False)
    assert earlier.inputs == {"earlier_cycles": 6, "cycles_completed": 7}
    assert earlier.summary == (
        "Counting the 6 cycle(s) of earlier courses, this is cycle 14 of lenalidomide; the label "
        "gives up to 12 cycles."
    )
    assert earlier.detail == (
        "Earlier courses: started 2025-04-01, stopped 2025-04-11 (1 cycle(s) begun); started "
        "2025-06-01, stopped 2025-10-01 (5 cycle(s) begun). This course started on 2026-05-01 and "
        "is in cycle 8. The label gives lenalidomide for up to 12 cycles; lenaguard counts the "
        "cycles of the current course only. If this course continues the same treatment, count "
        "the earlier cycles too: the prescriber decides."
    )


def test_a_missed_cycle_is_judged_on_the_course_s_own_dosing_days():
    # Days 8–28 (a schedule the prescriber chose): a hold from day 3 to the day after day 28 of
    # cycle 4 covers every dosing day of that cycle.
    events = [
        ev(FL_START, "start", 20, days_on=[8, 28]),
        ev("2026-03-15", "hold", reason="neutropenia"),
        ev("2026-04-10", "resume", 15, days_on=[8, 28]),
    ]
    _, findings = decide("fl", events, good_counts())
    missed = only(findings, "dosing.cycles_without_lenalidomide")
    assert missed.inputs == {"cycles_without_lenalidomide": [4]}
