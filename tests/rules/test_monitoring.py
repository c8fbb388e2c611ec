"""The monitoring calendar: CBC schedules per indication, interruptions, overdue counts, and the
other checks (liver enzymes, thyroid, renal baseline, digoxin level, PT/INR).

Expected dates are worked out by hand from the facts file §4 (course day 1 = the first dose;
cycles of 28 days, facts §1) and the conventions in docs/rules/schedule-and-monitoring.md.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lenaguard.knowledge import Status, default_knowledge
from lenaguard.knowledge.topics.monitoring import MonitoringKnowledge
from lenaguard.rules.dose.monitoring import cbc_next_due, evaluate, last_cbc_date
from lenaguard.vocab import Category, DoseAction, Indication, LabTest, Severity
from tests.factories import lab, make_case

KB = default_knowledge()
START = dt.date(2026, 1, 5)


def course_day(n: int, start: dt.date = START) -> dt.date:
    """Day n of the course (day 1 = the first dose)."""
    return start + dt.timedelta(days=n - 1)


def due_day(indication: Indication, as_of_day: int, last_cbc_day: int | None) -> int:
    """The course day the next CBC is due, for an active course started on START."""
    item = cbc_next_due(
        indication=indication,
        course_start=START,
        as_of=course_day(as_of_day),
        held_since=None,
        last_cbc=None if last_cbc_day is None else course_day(last_cbc_day),
        kb=KB,
    )
    return (item.due - START).days + 1


def next_item(indication: Indication, as_of_day: int, last_cbc_day: int | None):
    return cbc_next_due(
        indication=indication,
        course_start=START,
        as_of=course_day(as_of_day),
        held_since=None,
        last_cbc=None if last_cbc_day is None else course_day(last_cbc_day),
        kb=KB,
    )


# --- knowledge statuses exactly as the facts file §4 tags them ----------------------------------


def test_monitoring_entries_carry_the_facts_file_status():
    knowledge = KB.get(MonitoringKnowledge)
    by_indication = {
        indication: knowledge.cbc.schedule_for(indication).status for indication in Indication
    }
    assert by_indication == {
        Indication.MDS_DEL5Q: Status.LABEL,
        Indication.MM_COMBINATION: Status.UNVERIFIED,
        Indication.MM_MAINTENANCE: Status.UNVERIFIED,
        Indication.MCL: Status.UNVERIFIED,
        Indication.FL: Status.UNVERIFIED,
        Indication.MZL: Status.UNVERIFIED,
    }
    assert knowledge.cbc.interruption.status is Status.LABEL
    assert knowledge.liver_enzymes.status is Status.SECONDARY
    assert knowledge.thyroid.status is Status.UNVERIFIED
    assert knowledge.renal.status is Status.LABEL
    assert knowledge.digoxin.status is Status.SECONDARY  # facts §4: Giagounidis 2008, Table 3
    assert knowledge.pt_inr.status is Status.LABEL_OLD


def test_mds_schedule_cites_the_boxed_warning():
    schedule = KB.get(MonitoringKnowledge).cbc.schedule_for(Indication.MDS_DEL5Q)
    assert any("Boxed warning" in c.section for c in schedule.cite)


def test_no_fixed_interval_is_invented_for_liver_renal_thyroid_digoxin_or_inr():
    # facts §4: periodically / baseline / closely, no interval; §11 item 2: the sample
    # document's combined renal-and-liver interval matches no label version.
    knowledge = KB.get(MonitoringKnowledge)
    for entry in (
        knowledge.liver_enzymes,
        knowledge.thyroid,
        knowledge.renal,
        knowledge.digoxin,
        knowledge.pt_inr,
    ):
        assert entry.interval_days is None


# --- CBC schedules at their phase boundaries (facts §4) ----------------------------------------

MM = [Indication.MM_COMBINATION, Indication.MM_MAINTENANCE]


@pytest.mark.parametrize("indication", MM)
@pytest.mark.parametrize(
    ("as_of_day", "last_day", "expected"),
    [
        (2, 1, 8),  # every 7 days in cycle 1
        (30, 29, 36),  # cycle 2 day 1 -> day 8
        (44, 43, 50),  # the last weekly count: cycle 2 day 22
        (51, 50, 57),  # cycle 3 day 1
        (58, 57, 71),  # cycle 3 day 15
        (72, 71, 85),  # cycle 4 day 1: every 28 days from here
        (86, 85, 113),  # cycle 5 day 1
        (114, 113, 141),  # cycle 6 day 1
    ],
)
def test_myeloma_schedule(indication, as_of_day, last_day, expected):
    assert due_day(indication, as_of_day, last_day) == expected


def test_myeloma_count_due_today_on_a_scheduled_day():
    item = next_item(Indication.MM_COMBINATION, 57, 50)
    assert item.due == course_day(57)
    assert not item.reason.startswith("Overdue")
    assert "cycle 3, day 1" in item.reason
    assert item.status is Status.UNVERIFIED


@pytest.mark.parametrize(
    ("as_of_day", "last_day", "expected"),
    [
        (2, 1, 8),
        (44, 43, 50),  # week 7 -> week 8 (days 50-56) still weekly
        (50, 43, 50),  # the week-8 count itself
        (51, 50, 57),  # week 9 begins the monthly counts (every 28 days)
        (58, 57, 85),  # no weekly count in week 10 (day 64)
        (86, 85, 113),
    ],
)
def test_mds_weekly_for_8_weeks_then_every_28_days(as_of_day, last_day, expected):
    assert due_day(Indication.MDS_DEL5Q, as_of_day, last_day) == expected


def test_mds_item_is_label_status():
    assert next_item(Indication.MDS_DEL5Q, 2, 1).status is Status.LABEL


@pytest.mark.parametrize(
    ("as_of_day", "last_day", "expected"),
    [
        (16, 15, 22),  # weekly through cycle 1, day 22 included
        (23, 22, 29),  # cycle 2 day 1: every 2 weeks in cycles 2-4
        (30, 29, 43),  # cycle 2 day 15
        (44, 43, 57),  # cycle 3 day 1
        (86, 85, 99),  # cycle 4 day 15, the last two-weekly count
        (100, 99, 113),  # cycle 5 day 1: monthly from here
        (114, 113, 141),
    ],
)
def test_mcl_schedule(as_of_day, last_day, expected):
    assert due_day(Indication.MCL, as_of_day, last_day) == expected


@pytest.mark.parametrize("indication", [Indication.FL, Indication.MZL])
@pytest.mark.parametrize(
    ("as_of_day", "last_day", "expected"),
    [
        (2, 1, 8),
        (9, 8, 15),  # the third weekly count
        (16, 15, 29),  # no count on cycle 1 day 22: next is cycle 2 day 1
        (23, 15, 29),  # cycle 1 day 23 with the day-15 count: not overdue
        (30, 29, 43),
        (100, 99, 113),  # cycle 5 day 1: monthly from here
        (114, 113, 141),
    ],
)
def test_follicular_and_marginal_zone_schedule(indication, as_of_day, last_day, expected):
    assert due_day(indication, as_of_day, last_day) == expected


# --- overdue ------------------------------------------------------------------------------------


def test_a_missed_weekly_count_is_overdue_and_due_now():
    item = next_item(Indication.MM_COMBINATION, 10, 1)
    assert item.due == course_day(10)
    assert item.reason.startswith("Overdue")
    assert course_day(8).isoformat() in item.reason  # names the missed date


def test_a_count_one_interval_after_a_late_draw_is_due_that_day_not_overdue():
    # the day-1 count was drawn on day 2; one week later (day 9) it is due, not yet overdue
    item = next_item(Indication.MM_COMBINATION, 9, 2)
    assert item.due == course_day(9)
    assert not item.reason.startswith("Overdue")
    # one day later it is overdue
    assert next_item(Indication.MM_COMBINATION, 10, 2).reason.startswith("Overdue")


def test_an_early_draw_moves_the_next_count_earlier():
    # drawn on day 6 for day 8: the next is due one week after it (day 13), before day 15
    assert due_day(Indication.MM_COMBINATION, 9, 6) == 13


def test_missing_the_first_monthly_count_is_overdue_at_once():
    item = next_item(Indication.MM_COMBINATION, 86, 71)  # cycle 4 day 1 (day 85) not done
    assert item.due == course_day(86)
    assert item.reason.startswith("Overdue")


def test_monthly_phase_overdue_only_after_28_days():
    assert not next_item(Indication.MM_COMBINATION, 112, 85).reason.startswith("Overdue")
    assert due_day(Indication.MM_COMBINATION, 112, 85) == 113
    assert next_item(Indication.MM_COMBINATION, 114, 85).reason.startswith("Overdue")


def test_fl_missed_day_15_is_overdue_the_next_day():
    assert next_item(Indication.FL, 16, 8).reason.startswith("Overdue")
    assert not next_item(Indication.FL, 15, 8).reason.startswith("Overdue")


def test_no_cbc_on_record_during_treatment_is_overdue():
    item = next_item(Indication.MCL, 20, None)
    assert item.due == course_day(20)
    assert item.reason.startswith("Overdue")


# --- before the start and during an interruption -----------------------------------------------


@pytest.mark.parametrize("last", [None, dt.date(2026, 1, 1)])
def test_not_started_baseline_cbc_due_now(last):
    as_of = dt.date(2026, 1, 4)
    item = cbc_next_due(
        indication=Indication.MDS_DEL5Q,
        course_start=None,
        as_of=as_of,
        held_since=None,
        last_cbc=last,
        kb=KB,
    )
    assert item.due == as_of
    assert item.reason.startswith("Baseline")


def test_a_start_after_the_assessment_date_means_baseline_now():
    as_of = dt.date(2026, 1, 1)
    item = cbc_next_due(
        indication=Indication.MCL,
        course_start=dt.date(2026, 1, 10),
        as_of=as_of,
        held_since=None,
        last_cbc=None,
        kb=KB,
    )
    assert item.due == as_of
    assert item.reason.startswith("Baseline")


HOLD = dt.date(2026, 3, 2)


def held_item(as_of: dt.date, last: dt.date | None) -> object:
    return cbc_next_due(
        indication=Indication.MM_COMBINATION,
        course_start=START,
        as_of=as_of,
        held_since=HOLD,
        last_cbc=last,
        kb=KB,
    )


@pytest.mark.parametrize(
    ("as_of_offset", "last_offset", "due_offset"),
    [
        (0, 0, 7),  # weekly from the hold date
        (3, 3, 10),  # weekly from a later CBC
        (2, -10, 7),  # an older CBC: weekly from the hold date
        (7, 0, 7),  # due today
    ],
)
def test_interruption_weekly_from_the_later_of_hold_and_last_cbc(
    as_of_offset, last_offset, due_offset
):
    item = held_item(HOLD + dt.timedelta(days=as_of_offset), HOLD + dt.timedelta(days=last_offset))
    assert item.due == HOLD + dt.timedelta(days=due_offset)
    assert item.status is Status.LABEL
    assert not item.reason.startswith("Overdue")


def test_interruption_count_overdue_after_7_days():
    as_of = HOLD + dt.timedelta(days=8)
    item = held_item(as_of, HOLD)
    assert item.due == as_of
    assert item.reason.startswith("Overdue")


def test_interruption_without_any_cbc_is_due_now():
    item = held_item(HOLD + dt.timedelta(days=1), None)
    assert item.due == HOLD + dt.timedelta(days=1)
    assert item.reason.startswith("Overdue")


# --- evaluate(case) ------------------------------------------------------------------------------

AS_OF = dt.date(2026, 11, 20)


def on_course(
    day: int,
    *,
    indication: str = "mm_combination",
    labs: list | None = None,
    medications: list | None = None,
    events: list | None = None,
):
    """A case whose as_of is day `day` of a course that started 25 mg on the right date."""
    start = AS_OF - dt.timedelta(days=day - 1)
    return make_case(
        as_of=AS_OF.isoformat(),
        indication=indication,
        therapy={
            "events": events or [{"date": start.isoformat(), "event": "start", "dose_mg": 25}]
        },
        labs=labs or [],
        medications=medications or [],
    ), start


def days_before(n: int) -> str:
    return (AS_OF - dt.timedelta(days=n)).isoformat()


def items_by_test(outcome) -> dict[str, object]:
    return {item.test: item for item in outcome.monitoring}


def finding(outcome, finding_id: str):
    return next((f for f in outcome.findings if f.id == finding_id), None)


@pytest.mark.parametrize("test", ["anc", "platelets", "wbc", "hemoglobin"])
def test_any_blood_count_component_dates_the_cbc(test):
    unit = "g/dL" if test == "hemoglobin" else "/uL"
    case = make_case(labs=[lab(test, 10, unit, date=days_before(3)), lab("alt", 20, "U/L")])
    components = KB.get(MonitoringKnowledge).cbc.components
    assert set(components) == {LabTest.ANC, LabTest.PLATELETS, LabTest.WBC, LabTest.HEMOGLOBIN}
    assert last_cbc_date(case, components) == AS_OF - dt.timedelta(days=3)


def test_on_schedule_case_has_the_schedule_finding_and_no_overdue_warning():
    case, start = on_course(3, labs=[lab("anc", 2000, "/uL", date=days_before(2))])
    outcome = evaluate(case, KB)
    cbc = items_by_test(outcome)["cbc"]
    assert cbc.due == course_day(8, start)
    schedule = finding(outcome, "monitoring.cbc_schedule")
    assert schedule.severity is Severity.INFO
    assert schedule.category is Category.MONITORING
    assert schedule.status is Status.UNVERIFIED
    assert "every 7 days in cycles 1–2" in schedule.summary
    assert "on days 1 and 15 of cycle 3" in schedule.summary
    assert "every 28 days from cycle 4" in schedule.summary
    assert finding(outcome, "monitoring.cbc_overdue") is None


def test_mds_schedule_finding_is_label():
    case, _ = on_course(
        3, indication="mds_del5q", labs=[lab("anc", 2000, "/uL", date=days_before(2))]
    )
    schedule = finding(evaluate(case, KB), "monitoring.cbc_schedule")
    assert schedule.status is Status.LABEL
    assert "every 7 days in weeks 1–8" in schedule.summary
    assert "every 28 days from week 9" in schedule.summary


def test_overdue_cbc_gives_a_warning_finding():
    case, _ = on_course(12, labs=[lab("anc", 2000, "/uL", date=days_before(11))])
    outcome = evaluate(case, KB)
    warning = finding(outcome, "monitoring.cbc_overdue")
    assert warning is not None
    assert warning.severity is Severity.WARNING
    assert warning.category is Category.MONITORING
    assert items_by_test(outcome)["cbc"].due == AS_OF


def test_held_course_counts_weekly_from_the_hold():
    start = AS_OF - dt.timedelta(days=20)
    hold = AS_OF - dt.timedelta(days=3)
    case = make_case(
        therapy={
            "events": [
                {"date": start.isoformat(), "event": "start", "dose_mg": 25},
                {"date": hold.isoformat(), "event": "hold", "reason": "neutropenia"},
            ]
        },
        labs=[lab("anc", 800, "/uL", date=hold.isoformat())],
    )
    outcome = evaluate(case, KB)
    assert items_by_test(outcome)["cbc"].due == hold + dt.timedelta(days=7)
    schedule = finding(outcome, "monitoring.cbc_schedule")
    assert schedule.status is Status.LABEL
    assert "interrupted" in schedule.summary


def test_a_hold_decided_today_switches_to_weekly_counts():
    case, _ = on_course(10, labs=[lab("anc", 800, "/uL", date=AS_OF.isoformat())])
    outcome = evaluate(case, KB, action=DoseAction.HOLD)
    assert items_by_test(outcome)["cbc"].due == AS_OF + dt.timedelta(days=7)
    assert items_by_test(outcome)["cbc"].status is Status.LABEL


def test_resume_returns_to_the_indication_schedule():
    start = AS_OF - dt.timedelta(days=20)  # as_of is cycle 1 day 21
    hold = AS_OF - dt.timedelta(days=7)
    case = make_case(
        therapy={
            "events": [
                {"date": start.isoformat(), "event": "start", "dose_mg": 25},
                {"date": hold.isoformat(), "event": "hold", "reason": "thrombocytopenia"},
            ]
        },
        labs=[lab("platelets", 40000, "/uL", date=AS_OF.isoformat())],
    )
    outcome = evaluate(case, KB, action=DoseAction.RESUME)
    assert items_by_test(outcome)["cbc"].due == course_day(22, start)
    assert items_by_test(outcome)["cbc"].status is Status.UNVERIFIED


@pytest.mark.parametrize("how", ["timeline", "action"])
def test_stopped_course_has_no_treatment_monitoring(how):
    start = AS_OF - dt.timedelta(days=40)
    events = [{"date": start.isoformat(), "event": "start", "dose_mg": 25}]
    if how == "timeline":
        events.append({"date": days_before(5), "event": "stop"})
    case = make_case(
        therapy={"events": events},
        medications=[{"name": "digoxin"}, {"name": "warfarin"}],
    )
    outcome = evaluate(case, KB, action=DoseAction.STOP if how == "action" else None)
    assert outcome.monitoring == []
    assert "stopped" in finding(outcome, "monitoring.cbc_schedule").summary
    assert finding(outcome, "monitoring.cbc_overdue") is None


def test_not_started_case_lists_every_baseline_due_now():
    case = make_case()
    items = items_by_test(evaluate(case, KB, action=DoseAction.START))
    assert {test: item.due for test, item in items.items()} == {
        "cbc": AS_OF,
        "liver_enzymes": AS_OF,
        "tsh": AS_OF,
        "creatinine": AS_OF,
    }
    assert items["creatinine"].status is Status.LABEL
    assert items["liver_enzymes"].status is Status.SECONDARY
    assert items["tsh"].status is Status.UNVERIFIED


def test_not_started_case_with_baselines_on_record_needs_only_the_cbc():
    case = make_case(
        labs=[
            lab("alt", 20, "U/L", date=days_before(5)),
            lab("tsh", 1.5, "mIU/L", date=days_before(5)),
            lab("creatinine", 1.0, "mg/dL", date=days_before(5)),
        ]
    )
    assert set(items_by_test(evaluate(case, KB))) == {"cbc"}


def test_liver_enzymes_on_treatment_with_a_baseline_are_periodic_with_no_fixed_interval():
    case, start = on_course(
        3,
        labs=[
            lab("anc", 2000, "/uL", date=days_before(2)),
            lab("ast", 20, "U/L", date=(AS_OF - dt.timedelta(days=10)).isoformat()),
        ],
    )
    items = items_by_test(evaluate(case, KB))
    liver = items["liver_enzymes"]
    assert liver.due == items["cbc"].due == course_day(8, start)
    assert "no interval" in liver.reason
    assert "before the course start" not in liver.reason


def test_liver_enzymes_with_no_result_at_all_on_treatment_are_due_now():
    case, _ = on_course(3, labs=[lab("anc", 2000, "/uL", date=days_before(2))])
    assert items_by_test(evaluate(case, KB))["liver_enzymes"].due == AS_OF


def test_liver_enzymes_checked_only_after_the_start_say_the_baseline_is_missing():
    case, _ = on_course(
        10,
        labs=[
            lab("anc", 2000, "/uL", date=days_before(2)),
            lab("alt", 20, "U/L", date=days_before(2)),
        ],
    )
    liver = items_by_test(evaluate(case, KB))["liver_enzymes"]
    assert liver.due != AS_OF
    assert "before the course start" in liver.reason


def test_thyroid_baseline_missing_on_treatment_is_due_now():
    case, _ = on_course(3, labs=[lab("anc", 2000, "/uL", date=days_before(2))])
    tsh = items_by_test(evaluate(case, KB))["tsh"]
    assert tsh.due == AS_OF
    assert tsh.status is Status.UNVERIFIED


def test_missing_creatinine_on_treatment_is_due_now_to_review_the_dose():
    case, _ = on_course(30)
    item = items_by_test(evaluate(case, KB))["creatinine"]
    assert item.due == AS_OF
    assert "check now" in item.reason
    assert "first dose" not in item.reason


def test_creatinine_on_record_means_no_renal_item():
    case, _ = on_course(3, labs=[lab("creatinine", 1.0, "mg/dL", date=days_before(4))])
    assert "creatinine" not in items_by_test(evaluate(case, KB))


@pytest.mark.parametrize("name", ["digoxin", "Lanoxin"])
def test_digoxin_triggers_digoxin_levels(name):
    case, _ = on_course(3, medications=[{"name": name}])
    digoxin = items_by_test(evaluate(case, KB))["digoxin_level"]
    assert digoxin.status is Status.SECONDARY
    assert digoxin.due >= AS_OF


def test_no_digoxin_no_digoxin_levels():
    case, _ = on_course(3, medications=[{"name": "aspirin", "dose_mg": 81}])
    assert "digoxin_level" not in items_by_test(evaluate(case, KB))


@pytest.mark.parametrize(
    ("indication", "drug", "expected"),
    [
        ("mm_combination", "warfarin", True),
        ("mm_maintenance", "Coumadin", True),
        ("fl", "warfarin", False),
        ("mds_del5q", "warfarin", False),
        ("mm_combination", "apixaban", False),
    ],
)
def test_pt_inr_in_myeloma_patients_on_warfarin(indication, drug, expected):
    case, _ = on_course(3, indication=indication, medications=[{"name": drug}])
    items = items_by_test(evaluate(case, KB))
    assert ("pt_inr" in items) is expected
    if expected:
        assert items["pt_inr"].status is Status.LABEL_OLD


@pytest.mark.parametrize(
    ("indication", "medications", "expected"),
    [
        # facts §4/§6: PT/INR closely in MM patients on warfarin (the dexamethasone effect is
        # unknown); outside MM lenaguard lists it only when dexamethasone is taken as well, as
        # the interaction finding does.
        ("mcl", [{"name": "warfarin"}, {"name": "dexamethasone"}], True),
        ("fl", [{"name": "Coumadin"}, {"name": "dexamethasone"}], True),
        ("mcl", [{"name": "warfarin"}], False),
        ("mds_del5q", [{"name": "dexamethasone"}], False),
        ("mm_maintenance", [{"name": "warfarin"}], True),  # MM without dexamethasone: label
    ],
)
def test_pt_inr_outside_myeloma_only_with_dexamethasone(indication, medications, expected):
    case, _ = on_course(3, indication=indication, medications=medications)
    items = items_by_test(evaluate(case, KB))
    assert ("pt_inr" in items) is expected
    if expected:
        item = items["pt_inr"]
        assert item.status is Status.LABEL_OLD
        assert "no fixed interval" in item.reason
        outside = indication not in ("mm_combination", "mm_maintenance")
        assert ("dexamethasone is taken as well" in item.reason) is outside


def test_pt_inr_item_matches_the_warfarin_interaction_finding():
    """Whenever the interaction finding asks for PT/INR, the monitoring list has the item."""
    from lenaguard.assess import assess

    for indication in ("mm_combination", "mm_maintenance", "mcl", "fl", "mzl", "mds_del5q"):
        for meds in ([{"name": "warfarin"}], [{"name": "warfarin"}, {"name": "dexamethasone"}]):
            case, _ = on_course(3, indication=indication, medications=meds)
            assessment = assess(case, KB)
            warfarin = next(f for f in assessment.findings if f.id == "interaction.warfarin")
            asks = warfarin.severity is Severity.WARNING
            assert asks is ("pt_inr" in {i.test for i in assessment.monitoring}), (
                indication,
                meds,
            )


@pytest.mark.parametrize("indication", ["fl", "mzl"])
def test_the_count_after_the_last_fl_mzl_cycle_is_not_called_cycle_13(indication):
    # facts §1: FL/MZL up to 12 cycles; cycle 12 day 16 = course day 324
    case, start = on_course(
        324, indication=indication, labs=[lab("anc", 2000, "/uL", date=days_before(2))]
    )
    item = items_by_test(evaluate(case, KB))["cbc"]
    assert item.due == start + dt.timedelta(days=12 * 28)  # the day after cycle 12
    assert "cycle 13" not in item.reason
    assert "End-of-course count" in item.reason
    assert "up to 12 cycles" in item.reason


def test_the_myeloma_schedule_has_no_end_of_course_count():
    case, _ = on_course(324, labs=[lab("anc", 2000, "/uL", date=days_before(2))])
    item = items_by_test(evaluate(case, KB))["cbc"]
    assert "cycle 13, day 1" in item.reason


def test_no_message_repeats_the_sample_documents_combined_lab_interval():
    case, _ = on_course(
        3, labs=[lab("anc", 2000, "/uL", date=days_before(2))], medications=[{"name": "warfarin"}]
    )
    outcome = evaluate(case, KB)
    texts = [f.summary + f.detail for f in outcome.findings] + [
        i.reason for i in outcome.monitoring
    ]
    for text in texts:
        assert "two weeks for the first two cycles" not in text.lower()
        assert "every 2 weeks for the first 2 cycles" not in text.lower()


_SAMPLE_CLAIM = re.compile(r"(two|2) weeks.{0,60}first (two|2) cycles", re.IGNORECASE | re.DOTALL)


def test_no_example_assessment_or_knowledge_text_repeats_the_sample_lab_interval():
    """facts §11 item 2: "CBC, renal and liver labs every two weeks for the first two cycles"
    matches no label version; no message and no knowledge text may say it."""
    from lenaguard.assess import assess
    from lenaguard.caseio import load_case

    root = Path(__file__).resolve().parents[2]
    for path in sorted((root / "examples").glob("*.yaml")):
        assessment = assess(load_case(path), KB)
        texts = [f.summary + " " + f.detail for f in assessment.findings]
        texts += [item.reason for item in assessment.monitoring]
        if assessment.dose is not None:
            texts.append(assessment.dose.reason)
        for text in texts:
            assert not _SAMPLE_CLAIM.search(text), (path.name, text)
    for name in ("monitoring.yaml", "indications.yaml", "renal.yaml"):
        text = (root / "src/lenaguard/knowledge/data" / name).read_text(encoding="utf-8")
        assert not _SAMPLE_CLAIM.search(text), name
    renal = KB.get(MonitoringKnowledge).renal
    assert renal.during_therapy is False  # creatinine is a baseline, not a repeating lab
    assert renal.interval_days is None


# --- properties ---------------------------------------------------------------------------------

dates = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 31))


@settings(max_examples=200, deadline=None)
@given(
    indication=st.sampled_from(Indication),
    as_of=dates,
    start_offset=st.one_of(st.none(), st.integers(min_value=-30, max_value=900)),
    held_offset=st.one_of(st.none(), st.integers(min_value=0, max_value=60)),
    last_offset=st.one_of(st.none(), st.integers(min_value=-400, max_value=0)),
)
def test_cbc_due_date_is_never_before_the_assessment_date(
    indication, as_of, start_offset, held_offset, last_offset
):
    course_start = None if start_offset is None else as_of - dt.timedelta(days=start_offset)
    held_since = None if held_offset is None else as_of - dt.timedelta(days=held_offset)
    last = None if last_offset is None else as_of + dt.timedelta(days=last_offset)
    item = cbc_next_due(
        indication=indication,
        course_start=course_start,
        as_of=as_of,
        held_since=held_since,
        last_cbc=last,
        kb=KB,
    )
    assert item.due >= as_of
    assert item.test == "cbc"
    assert item.citations


@settings(max_examples=100, deadline=None)
@given(
    indication=st.sampled_from(Indication),
    start_days_ago=st.integers(min_value=0, max_value=500),
    story=st.sampled_from(["active", "held", "resumed", "stopped", "none"]),
    lab_days_ago=st.lists(st.integers(min_value=0, max_value=600), max_size=4),
    lab_test=st.sampled_from(["anc", "platelets", "alt", "tsh", "creatinine"]),
    meds=st.lists(st.sampled_from(["digoxin", "warfarin", "aspirin", "unknown drug"]), max_size=3),
    action=st.one_of(st.none(), st.sampled_from(DoseAction)),
)
def test_evaluate_never_raises_and_dates_nothing_in_the_past(
    indication, start_days_ago, story, lab_days_ago, lab_test, meds, action
):
    start = AS_OF - dt.timedelta(days=start_days_ago)
    middle = start + dt.timedelta(days=start_days_ago // 2)
    events = [{"date": start.isoformat(), "event": "start", "dose_mg": 10}]
    if story in ("held", "resumed"):
        events.append({"date": middle.isoformat(), "event": "hold", "reason": "other_toxicity"})
    if story == "resumed":
        events.append({"date": AS_OF.isoformat(), "event": "resume", "dose_mg": 5})
    if story == "stopped":
        events.append({"date": middle.isoformat(), "event": "stop"})
    units = {"anc": "/uL", "platelets": "/uL", "alt": "U/L", "tsh": "mIU/L", "creatinine": "mg/dL"}
    case = make_case(
        indication=indication.value,
        therapy=None if story == "none" else {"events": events},
        labs=[lab(lab_test, 1, units[lab_test], date=days_before(n)) for n in lab_days_ago],
        medications=[{"name": name} for name in meds],
    )
    outcome = evaluate(case, KB, action=action)
    assert all(item.due >= AS_OF for item in outcome.monitoring)
    assert finding(outcome, "monitoring.cbc_schedule") is not None
    overdue = finding(outcome, "monitoring.cbc_overdue")
    cbc = [item for item in outcome.monitoring if item.test == "cbc"]
    if overdue is not None:
        assert cbc and cbc[0].due == AS_OF
