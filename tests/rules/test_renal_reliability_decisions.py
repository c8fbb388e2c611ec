"""Acute kidney injury and an out-of-date creatinine pinned exactly (issue 7): which creatinine
pair is the rise (criterion, the two results, days apart), the findings whole, and the caveats
that keep a renal starting dose from being settled.

Written against the mutants that survived `python benchmarks/mutation.py renal_reliability` (see
docs/mutation.md). Facts §2 and the knowledge's own reading of KDIGO 2012: a creatinine at least
1.5 × the lowest of the 7 days before, or a rise of at least 0.3 mg/dL within 48 hours (results
up to 2 dates apart); a creatinine over 30 days old is out of date (lenaguard's own limit).
"""

from __future__ import annotations

import datetime as dt

from lenaguard.knowledge import default_knowledge
from lenaguard.knowledge.topics.renal import RenalKnowledge
from lenaguard.rules.dose import renal_reliability
from lenaguard.rules.dose.renal_reliability import acute_kidney_injury, creatinine_age_days
from lenaguard.vocab import Severity
from tests.factories import lab, make_case

KB = default_knowledge()
RENAL = KB.get(RenalKnowledge)
AS_OF = dt.date(2026, 11, 20)
MAN_68 = {"sex": "male", "age_years": 68, "weight_kg": 80, "height_cm": 175}


def scr(value: float, days_before: int, **extra) -> dict:
    date = (AS_OF - dt.timedelta(days=days_before)).isoformat()
    return lab("creatinine", value, "mg/dL", date=date, **extra)


def case(labs, *, started: bool = False, **patient):
    data = {"patient": {**MAN_68, **patient}, "labs": labs}
    if started:
        start = (AS_OF - dt.timedelta(days=40)).isoformat()
        data["therapy"] = {"events": [{"date": start, "event": "start", "dose_mg": 25}]}
    return make_case(**data)


def rise_of(*labs) -> tuple | None:
    rise = acute_kidney_injury(case(list(labs)), RENAL)
    if rise is None:
        return None
    return (
        rise.criterion,
        rise.earlier.canonical_value,
        rise.earlier.date,
        rise.later.canonical_value,
        rise.later.date,
        rise.days_apart,
    )


def day(days_before: int) -> dt.date:
    return AS_OF - dt.timedelta(days=days_before)


# --- which rise -------------------------------------------------------------------------------


def test_a_ratio_against_yesterday_is_a_ratio_rise_one_day_apart():
    assert rise_of(scr(1.0, 1), scr(1.6, 0)) == ("ratio", 1.0, day(1), 1.6, day(0), 1)


def test_a_same_day_pair_is_an_absolute_rise_not_a_ratio():
    assert rise_of(scr(1.0, 0, time="08:00"), scr(1.6, 0, time="20:00")) == (
        "absolute",
        1.0,
        day(0),
        1.6,
        day(0),
        0,
    )


def test_an_older_result_first_does_not_hide_a_rise_within_two_days():
    # 1.4 against 1.0 the day before: ratio 1.4 (< 1.5), rise 0.4 (≥ 0.3) in one day.
    assert rise_of(scr(1.0, 20), scr(1.0, 1), scr(1.4, 0)) == (
        "absolute",
        1.0,
        day(1),
        1.4,
        day(0),
        1,
    )


def test_of_two_equal_rises_the_first_found_is_kept_and_a_larger_one_replaces_it():
    assert rise_of(scr(1.0, 2), scr(1.0, 1), scr(1.4, 0)) == (
        "absolute",
        1.0,
        day(2),
        1.4,
        day(0),
        2,
    )
    # 2.0 against 1.6 (two days before) and 1.5 (the day before): the larger rise wins.
    assert rise_of(scr(1.6, 2), scr(1.5, 1), scr(2.0, 0)) == (
        "absolute",
        1.5,
        day(1),
        2.0,
        day(0),
        1,
    )


def test_a_result_dated_today_counts():
    assert rise_of(scr(1.0, 3), scr(1.6, 0))[0] == "ratio"


def test_a_rise_up_to_the_seventh_day_before_the_latest_result_is_found():
    # The rise ends 7 days before a normal latest result: still inside the window.
    assert rise_of(scr(1.0, 8), scr(1.6, 7), scr(1.0, 0)) == ("ratio", 1.0, day(8), 1.6, day(7), 1)


def test_without_any_creatinine_there_is_no_age():
    assert creatinine_age_days(make_case(labs=[])) is None


# --- findings and caveats ---------------------------------------------------------------------


def test_the_aki_finding_before_the_first_dose_holds_the_starting_dose():
    outcome, caveats = renal_reliability.evaluate(case([scr(1.0, 1), scr(1.6, 0)]), KB)
    (finding,) = outcome.findings
    assert (finding.id, finding.severity, finding.blocking) == (
        "renal.acute_kidney_injury",
        Severity.CRITICAL,
        True,
    )
    assert (
        " The renal starting dose is not settled on this clearance: repeat the creatinine and "
        "choose the dose once it is stable. "
    ) in finding.detail
    assert finding.summary.endswith("; CrCl is unreliable, review the dose.")
    assert finding.inputs == {
        "criterion": "ratio",
        "earlier_mg_dl": 1.0,
        "earlier_date": day(1).isoformat(),
        "later_mg_dl": 1.6,
        "later_date": day(0).isoformat(),
        "days_apart": 1,
    }
    (caveat,) = caveats
    assert (caveat.finding_id, caveat.settle_when) == (
        "renal.acute_kidney_injury",
        "a repeat creatinine is stable and its cause has been looked for",
    )


def test_the_aki_finding_on_treatment_asks_for_a_dose_review():
    outcome, _ = renal_reliability.evaluate(case([scr(1.0, 1), scr(1.6, 0)], started=True), KB)
    (finding,) = outcome.findings
    assert (
        " Review the current dose against kidney function once the creatinine is stable. "
    ) in finding.detail
    assert "not settled" not in finding.detail


def test_an_old_creatinine_before_the_first_dose_in_a_child():
    outcome, caveats = renal_reliability.evaluate(case([scr(1.0, 80)], age_years=15), KB)
    (finding,) = outcome.findings
    assert (finding.id, finding.severity, finding.blocking) == (
        "renal.creatinine_out_of_date",
        Severity.WARNING,
        True,
    )
    assert finding.summary == (
        "Latest creatinine is 80 days old (limit 30): the renal starting dose cannot be settled "
        "on it."
    )
    assert finding.detail.startswith(f"Latest creatinine on {day(80).isoformat()}. ")
    assert finding.detail.endswith(" Get a current creatinine before the starting dose is chosen.")
    assert finding.inputs == {
        "creatinine_date": day(80).isoformat(),
        "age_days": 80,
        "max_age_days": 30,
        "course_started": False,
    }
    assert [(c.finding_id, c.reason, c.settle_when) for c in caveats] == [
        (
            "renal.crcl_not_validated_in_children",
            "the patient is under 18, and Cockcroft-Gault is not validated in children",
            "the clinician has assessed kidney function and confirmed the dose",
        ),
        (
            "renal.creatinine_out_of_date",
            "the latest creatinine is over 30 days old",
            "a current creatinine is on file",
        ),
    ]


def test_an_old_creatinine_on_treatment_asks_for_a_repeat_without_blocking():
    outcome, _ = renal_reliability.evaluate(case([scr(1.0, 45)], started=True), KB)
    (finding,) = outcome.findings
    assert (finding.severity, finding.blocking) == (Severity.WARNING, False)
    assert finding.summary == (
        "Latest creatinine is 45 days old (limit 30): repeat it to review the dose against kidney "
        "function."
    )
    assert finding.detail.endswith(
        " On a course under way the dose follows tolerance, but the review of the dose against "
        "kidney function rests on this value."
    )
    assert finding.inputs["course_started"] is True
