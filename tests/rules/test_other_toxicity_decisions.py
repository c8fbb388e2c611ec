"""Other-toxicity decisions pinned exactly (issue 7): the plan (hold, stop, continue; restart dose,
days and rule), the exact finding set, and what the decisive findings say and ask for.

Written against the mutants that survived `python benchmarks/mutation.py other_toxicity` (see
docs/mutation.md). Expected values come from the facts file §3 'Other toxicity': grade 3–4
holds, restart one step lower at grade 2 or lower; tumor flare (MCL/FL/MZL) holds at grade 3–4
and grade 1–2 may continue; hepatotoxicity holds until back to baseline; blistering or peeling
skin holds until a clinician has seen it; contraindications stop; high tumor burden is watched
in the first cycle (28 days).
"""

from __future__ import annotations

import pytest

from lenaguard.findings import RecordField
from lenaguard.knowledge import default_knowledge
from lenaguard.rules.dose.other_toxicity import contraindication_findings
from lenaguard.vocab import DoseAction
from tests.factories import lab, make_case
from tests.rules.count_cases import counts, decide, ev, ids

START_25 = [ev("2026-10-01", "start", 25)]
HELD_FOR_TOXICITY = [*START_25, ev("2026-11-01", "hold", reason="other_toxicity")]


def good_counts() -> list[dict]:
    return counts(150_000, 2_000)


def finding(findings, finding_id: str):
    (found,) = [f for f in findings if f.id == finding_id]
    return found


def liver(test: str, value: float, date: str = "2026-11-18", upper: float | None = 40) -> dict:
    extra = {} if upper is None else {"reference_range": {"low": 0, "high": upper}}
    return lab(test, value, "U/L", date=date, **extra)


# --- grade holds --------------------------------------------------------------------------------


def test_grade_3_interrupts_with_a_reason_that_ends_at_its_source():
    plan, findings = decide(
        "mm_combination", START_25, good_counts(), other_toxicity={"grade": 3, "kind": "other"}
    )
    assert (plan.action, plan.rule) == (DoseAction.HOLD, "other_toxicity.grade_hold")
    assert (plan.resume.dose_mg, plan.resume.days_on) == (20, (1, 21))
    assert plan.reason == (
        "Related toxicity grade 3 is recorded (USPI §2.5, other grade 3/4 toxicities): interrupt "
        "lenalidomide."
    )
    assert ids(findings) == ["toxicity.grade_hold_interrupt"]
    interrupt = finding(findings, "toxicity.grade_hold_interrupt")
    assert interrupt.inputs == {"kind": "other", "grade": 3}
    assert interrupt.detail.endswith(
        "Restart once toxicity at grade 2 or lower (physician's discretion)."
    )


def test_the_restart_after_a_maintenance_hold_takes_the_days_of_the_lower_step():
    """Maintenance at 5 mg on days 1–28: one step down is 5 mg on days 1–21 (Table 2)."""
    plan, _ = decide(
        "mm_maintenance",
        [ev("2026-10-01", "start", 5)],
        good_counts(),
        other_toxicity={"grade": 3, "kind": "other"},
    )
    assert plan.action is DoseAction.HOLD
    assert (plan.resume.dose_mg, plan.resume.days_on) == (5, (1, 21))


def test_a_hold_without_a_grade_keeps_the_restart_step_and_its_days():
    events = [ev("2026-10-01", "start", 5), ev("2026-11-01", "hold", reason="other_toxicity")]
    plan, findings = decide("mm_maintenance", events, good_counts())
    assert (plan.action, plan.rule) == (DoseAction.HOLD, "other_toxicity.grade_hold")
    assert (plan.resume.dose_mg, plan.resume.days_on) == (5, (1, 21))
    assert ids(findings) == ["input.other_toxicity_grade_needed", "toxicity.hold_continues"]
    needed = finding(findings, "input.other_toxicity_grade_needed")
    assert needed.summary == "Record the current grade of the toxicity that led to the hold."
    assert needed.detail.endswith(
        "The case has no therapy.other_toxicity, so lenaguard cannot tell whether the toxicity "
        "has improved enough to restart."
    )
    assert plan.resume.when.startswith(
        "The current grade of the toxicity is recorded and allows a restart."
    )


def test_a_hold_without_a_grade_at_the_lowest_dose_reaches_the_floor():
    events = [
        ev("2026-09-01", "start", 25),
        ev("2026-10-01", "dose_change", 2.5),
        ev("2026-11-01", "hold", reason="other_toxicity"),
    ]
    plan, findings = decide("mm_combination", events, good_counts())
    assert (plan.resume.dose_mg, plan.resume.days_on) == (None, None)
    assert ids(findings) == [
        "dosing.floor_reached",
        "input.other_toxicity_grade_needed",
        "toxicity.hold_continues",
    ]


def test_a_grade_dated_on_the_day_of_the_last_event_is_not_outdated():
    toxicity = {"grade": 3, "kind": "other", "date": "2026-11-01"}
    _, findings = decide(
        "mm_combination", HELD_FOR_TOXICITY, good_counts(), other_toxicity=toxicity
    )
    assert ids(findings) == ["toxicity.hold_continues"]


def test_a_grade_dated_before_the_last_event_is_flagged_with_both_dates():
    toxicity = {"grade": 3, "kind": "other", "date": "2026-10-30"}
    _, findings = decide(
        "mm_combination", HELD_FOR_TOXICITY, good_counts(), other_toxicity=toxicity
    )
    outdated = finding(findings, "input.other_toxicity_outdated")
    assert outdated.summary == "The recorded toxicity grade predates the last timeline event."
    assert outdated.detail == (
        "therapy.other_toxicity is dated 2026-10-30, before the last event on 2026-11-01. "
        "lenaguard acts on it; update it if the grade has changed."
    )


# --- tumor flare --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "found"),
    [
        (0, []),
        (1, ["toxicity.tumor_flare_continue"]),
        (2, ["toxicity.tumor_flare_continue"]),
        (3, ["toxicity.tumor_flare_interrupt"]),
    ],
)
def test_tumor_flare_may_continue_only_at_grades_1_and_2(grade, found):
    plan, findings = decide(
        "mcl", START_25, good_counts(), other_toxicity={"grade": grade, "kind": "tumor_flare"}
    )
    assert plan.action is (DoseAction.HOLD if grade == 3 else DoseAction.CONTINUE)
    assert ids(findings) == found
    if grade in (1, 2):
        assert finding(findings, "toxicity.tumor_flare_continue").inputs == {
            "kind": "tumor_flare",
            "grade": grade,
        }


def test_a_tumor_flare_hold_explains_its_restart_dose_in_the_reason():
    plan, findings = decide(
        "mcl", START_25, good_counts(), other_toxicity={"grade": 3, "kind": "tumor_flare"}
    )
    assert (plan.rule, plan.resume.dose_mg) == ("other_toxicity.tumor_flare", 20)
    assert plan.reason == (
        "Related tumor flare grade 3 is recorded (USPI §5.11); the tumor flare text gives no "
        "restart dose, so lenaguard uses the next lower dose of the rule for other related "
        "toxicity of grade 3 or higher (USPI §2.5, other grade 3/4 toxicities): interrupt "
        "lenalidomide."
    )
    assert finding(findings, "toxicity.tumor_flare_interrupt").inputs == {
        "kind": "tumor_flare",
        "grade": 3,
    }


def test_a_rash_to_consider_names_its_kind_and_grade():
    _, findings = decide(
        "mm_combination", START_25, good_counts(), other_toxicity={"grade": 2, "kind": "rash"}
    )
    assert ids(findings) == ["toxicity.rash_consider_interrupting"]
    assert finding(findings, "toxicity.rash_consider_interrupting").inputs == {
        "kind": "rash",
        "grade": 2,
    }


# --- stops and contraindications ----------------------------------------------------------------


def test_a_permanent_stop_names_the_kind_and_grade():
    plan, findings = decide(
        "mm_combination", START_25, good_counts(), other_toxicity={"grade": 2, "kind": "sjs"}
    )
    assert (plan.action, plan.rule) == (DoseAction.STOP, "other_toxicity.permanent_stop.sjs")
    assert ids(findings) == ["toxicity.permanent_stop_sjs"]
    stop = finding(findings, "toxicity.permanent_stop_sjs")
    assert stop.blocking is True
    assert stop.summary == (
        "Stop lenalidomide for good: Stevens-Johnson syndrome is recorded (grade 2 now)."
    )
    assert stop.inputs == {"kind": "sjs", "grade": 2}


def test_a_recorded_contraindication_stops_and_says_so():
    plan, findings = decide(
        "mm_combination",
        START_25,
        good_counts(),
        conditions={"lenalidomide_hypersensitivity": True},
    )
    assert (plan.action, plan.rule) == (
        DoseAction.STOP,
        "other_toxicity.contraindication.lenalidomide_hypersensitivity",
    )
    assert ids(findings) == ["toxicity.contraindication_lenalidomide_hypersensitivity"]
    found = finding(findings, "toxicity.contraindication_lenalidomide_hypersensitivity")
    assert found.blocking is True
    assert found.summary == "Do not give lenalidomide: a contraindication is recorded."
    assert found.inputs == {"lenalidomide_hypersensitivity": True}


def test_an_unknown_condition_on_a_started_course_is_not_asked_for_again():
    plan, findings = decide(
        "mm_combination",
        START_25,
        good_counts(),
        conditions={"lenalidomide_hypersensitivity": None},
    )
    assert plan.action is DoseAction.CONTINUE
    assert ids(findings) == []


def test_before_the_first_dose_only_unknown_conditions_are_asked_for():
    unknown = make_case(conditions={"lenalidomide_hypersensitivity": None})
    (found,) = contraindication_findings(unknown, default_knowledge(), started=False)
    assert found.id == "input.lenalidomide_hypersensitivity_unknown"
    assert found.inputs == {"lenalidomide_hypersensitivity": None}
    assert found.remedy == RecordField(field="conditions.lenalidomide_hypersensitivity")
    recorded = make_case(conditions={"lenalidomide_hypersensitivity": False})
    assert contraindication_findings(recorded, default_knowledge(), started=False) == []


# --- reported blistering or peeling skin --------------------------------------------------------


def test_blistering_skin_keeps_a_held_course_held_even_when_the_counts_recovered():
    events = [*START_25, ev("2026-11-01", "hold", reason="neutropenia")]
    plan, findings = decide(
        "mm_combination",
        events,
        good_counts(),
        other_toxicity={"grade": 0},
        symptoms=["blistering_rash", "peeling_skin"],
    )
    assert (plan.action, plan.rule) == (DoseAction.HOLD, "other_toxicity.suspected_severe_rash")
    assert plan.reason.startswith(
        "The patient reports blistering rash, peeling skin (USPI §2.5, §5.9)"
    )
    assert plan.resume.when.startswith(
        "A clinician has examined the skin and excluded a severe skin reaction."
    )
    assert ids(findings) == ["toxicity.hold_continues", "toxicity.suspected_severe_rash"]
    rash = finding(findings, "toxicity.suspected_severe_rash")
    assert rash.summary == "Hold lenalidomide: the patient reports blistering rash, peeling skin."
    assert rash.inputs == {"symptoms": ["blistering_rash", "peeling_skin"]}


# --- liver enzymes and tumor burden -------------------------------------------------------------


def test_a_raised_ast_is_flagged_without_an_alt():
    labs = [*good_counts(), liver("ast", 80)]
    plan, findings = decide("mm_combination", START_25, labs)
    assert plan.action is DoseAction.CONTINUE
    assert ids(findings) == ["toxicity.liver_enzymes_raised"]
    raised = finding(findings, "toxicity.liver_enzymes_raised")
    assert raised.summary == "Liver enzymes above the laboratory's upper limit on lenalidomide."
    assert raised.detail.startswith("AST 80 U/L on 2026-11-18. ")
    assert raised.detail.endswith(
        "If the prescriber judges it related, record therapy.other_toxicity with kind "
        "hepatotoxicity and its grade."
    )
    assert raised.inputs == {"ast": 80}


def test_a_raised_enzyme_on_the_first_day_counts_and_one_without_a_range_does_not():
    labs = [*good_counts(), liver("alt", 80, date="2026-10-01"), liver("ast", 90, upper=None)]
    _, findings = decide("mm_combination", START_25, labs)
    raised = finding(findings, "toxicity.liver_enzymes_raised")
    assert raised.detail.startswith("ALT 80 U/L on 2026-10-01. ")
    assert raised.inputs == {"alt": 80}


def test_recorded_hepatotoxicity_replaces_the_raised_enzyme_flag():
    labs = [*good_counts(), liver("alt", 80)]
    plan, findings = decide(
        "mm_combination", START_25, labs, other_toxicity={"grade": 1, "kind": "hepatotoxicity"}
    )
    assert (plan.action, plan.rule) == (DoseAction.HOLD, "other_toxicity.hepatotoxicity")
    assert ids(findings) == ["toxicity.hepatotoxicity_interrupt"]


def test_high_tumor_burden_is_watched():
    _, findings = decide(
        "mm_combination", START_25, good_counts(), conditions={"high_tumor_burden": True}
    )
    assert ids(findings) == ["toxicity.tumor_lysis_risk"]
    risk = finding(findings, "toxicity.tumor_lysis_risk")
    assert risk.summary == "High tumor burden: watch closely for tumor lysis syndrome."
    assert risk.inputs == {"high_tumor_burden": True}


@pytest.mark.parametrize(("start", "found"), [("2026-10-24", True), ("2026-10-23", False)])
def test_an_unknown_tumor_burden_is_asked_for_in_the_first_28_days_only(start, found):
    """2026-11-20 is day 28 of a course started 2026-10-24 and day 29 of one from 2026-10-23."""
    _, findings = decide("mm_combination", [ev(start, "start", 25)], good_counts())
    if not found:
        assert ids(findings) == []
        return
    assert ids(findings) == ["input.high_tumor_burden_unknown"]
    unknown = finding(findings, "input.high_tumor_burden_unknown")
    assert unknown.summary == "Tumor burden not recorded (conditions.high_tumor_burden)."
    assert unknown.inputs == {"high_tumor_burden": None}


def test_both_raised_enzymes_are_listed():
    labs = [*good_counts(), liver("alt", 80), liver("ast", 90)]
    _, findings = decide("mm_combination", START_25, labs)
    raised = finding(findings, "toxicity.liver_enzymes_raised")
    assert raised.detail.startswith("ALT 80 U/L on 2026-11-18; AST 90 U/L on 2026-11-18. ")
    assert raised.inputs == {"alt": 80, "ast": 90}


def test_a_hold_whose_toxicity_improved_names_the_kind_in_its_reason():
    plan, findings = decide(
        "mm_combination",
        HELD_FOR_TOXICITY,
        good_counts(),
        other_toxicity={"grade": 1, "kind": "rash"},
    )
    assert (plan.action, plan.dose_mg, plan.days_on) == (DoseAction.RESUME, 20, (1, 21))
    assert plan.reason.startswith(
        "Lenalidomide held since 2026-11-01 for other toxicity; rash is now grade 1 (USPI §2.5, "
        "other grade 3/4 toxicities): restart at 20 mg once daily on days 1–21"
    )
    assert ids(findings) == ["dosing.restart"]


def test_a_grade_3_toxicity_of_no_stated_kind_interrupts():
    plan, findings = decide("mm_combination", START_25, good_counts(), other_toxicity={"grade": 3})
    assert (plan.action, plan.rule) == (DoseAction.HOLD, "other_toxicity.grade_hold")
    assert finding(findings, "toxicity.grade_hold_interrupt").inputs == {"kind": None, "grade": 3}
