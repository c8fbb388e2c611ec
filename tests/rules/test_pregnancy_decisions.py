"""Pregnancy-prevention decisions pinned exactly (issue 7): which finding blocks the prescription,
which dose action it requires (stop for a pregnancy, hold for a missed period on therapy), the
test dates it asks for, the exact finding set, and what each decisive finding says.

Written against the mutants that survived `python benchmarks/mutation.py pregnancy` (see
docs/mutation.md). Expected values come from the facts file §5: tests 10–14 days and within
24 hours before the first prescription; weekly for the first 4 weeks on treatment, then every 4
weeks with regular menses or every 2 weeks with irregular or unknown menses; sensitivity 50
mIU/mL or better; contraception from 4 weeks before to 4 weeks after; MedWatch
1-800-FDA-1088, manufacturer 1-888-423-5436. Label texts are read from the knowledge entries.
"""

from __future__ import annotations

import datetime as dt

import pytest

from lenaguard.knowledge.topics.pregnancy import PregnancyKnowledge
from lenaguard.rules.safety.pregnancy import InitialTestsOutcome, decide_initial_pregnancy_tests
from lenaguard.vocab import DoseAction, Severity
from tests.factories import make_case
from tests.rules.pregnancy_cases import FRP_HISTORY, KB, active, day, female, get, preg, run

FACTS = KB.get(PregnancyKnowledge)
REPORT_TO = "Report to: FDA MedWatch 1-800-FDA-1088; manufacturer 1-888-423-5436."
ALWAYS = [
    "pregnancy.blood_donation",
    "pregnancy.rems_authorization",
    "pregnancy.rems_category",
    "pregnancy.rems_prescription_limits",
    "pregnancy.rems_surveys",
]
"""Findings every female case gets (category, blood donation, REMS prescription conditions)."""
POSTMENOPAUSAL = {**FRP_HISTORY, "months_since_last_menses": 24}


def finding_ids(outcome) -> list[str]:
    return sorted(finding.id for finding in outcome.findings)


def decision(finding) -> tuple:
    """What a finding decides: severity, blocking, the dose action it requires, tests it asks."""
    return (
        finding.severity,
        finding.blocking,
        finding.requires_dose_action,
        [(due.test, due.by) for due in finding.tests_due],
    )


def items(outcome) -> list[tuple[dt.date, str]]:
    return [(item.due, item.reason) for item in outcome.monitoring]


def stopped(start: int, stop: int) -> dict:
    return {
        "events": [
            {"date": day(start), "event": "start", "dose_mg": 25},
            {"date": day(stop), "event": "stop"},
        ]
    }


def positive(offset: int) -> dict:
    return preg(day(offset), "positive", 25)


def negative(offset: int, sensitivity: float | None = 25) -> dict:
    return preg(day(offset), "negative", sensitivity)


# ---------------------------------------------------------------- pregnancy


def test_pregnancy_on_therapy_requires_a_stop_and_names_all_its_evidence():
    data = female(
        [negative(-30), positive(-2)],
        therapy=active(-20),
        conditions={"pregnant": True},
        symptoms=["missed_period"],
    )
    outcome = run(data)
    # Pregnancy on record: no test cadence, missed-period steps or contraception reminder.
    assert finding_ids(outcome) == sorted([*ALWAYS, "pregnancy.pregnancy_on_therapy"])
    found = get(outcome, "pregnancy.pregnancy_on_therapy")
    assert decision(found) == (Severity.CRITICAL, True, DoseAction.STOP, [])
    assert found.summary == "Pregnancy during lenalidomide: stop it now, refer and report"
    assert found.detail == (
        "Evidence: conditions.pregnant is true; positive test on 2026-11-18 (sensitivity 25 "
        f"mIU/mL); missed period reported. {FACTS.pregnancy_on_therapy.text} {REPORT_TO}"
    )
    assert found.inputs == {
        "conditions.pregnant": True,
        "positive_tests": [{"date": "2026-11-18", "result": "positive", "sensitivity_miu_ml": 25}],
        "course": "active",
    }
    assert [(c.source, c.section) for c in found.citations] == [
        ("uspi", "§5.1 Embryo-Fetal Toxicity"),
        ("uspi", "§8.1 Pregnancy"),
        ("uspi", "§4 Contraindications"),
        ("uspi", "Boxed warning: embryo-fetal toxicity"),
    ]
    assert outcome.monitoring == []


def test_a_positive_test_during_the_course_counts_even_after_a_later_negative_one():
    """Course from day -60: a positive on day -30 (over 14 days ago) then a negative on -10."""
    outcome = run(female([positive(-30), negative(-10)], therapy=active(-60)))
    found = get(outcome, "pregnancy.pregnancy_on_therapy")
    assert decision(found) == (Severity.CRITICAL, True, DoseAction.STOP, [])
    assert found.inputs["positive_tests"] == [
        {"date": "2026-10-21", "result": "positive", "sensitivity_miu_ml": 25}
    ]


def test_a_pregnancy_in_a_patient_classed_as_unable_asks_to_check_the_history():
    data = female([positive(-2)], reproductive=POSTMENOPAUSAL, age=62, therapy=active(-20))
    found = get(run(data), "pregnancy.pregnancy_on_therapy")
    assert decision(found) == (Severity.CRITICAL, True, DoseAction.STOP, [])
    assert found.detail.endswith(
        f"{REPORT_TO} The case classes this patient as not able to become pregnant (sex female; "
        "age 62 years: adult (child category below 18 years); no menses for 24 months: "
        "naturally postmenopausal (at least 24 consecutive months); confirm this is natural "
        "menopause, since absent periods caused by cancer treatment (chemotherapy, transplant) "
        "do not count, and record patient.reproductive.amenorrhea_natural): check the "
        "reproductive history."
    )


def test_pregnancy_before_treatment_requires_a_stop_and_lists_every_positive_test():
    outcome = run(female([positive(-5), positive(-2)]))
    assert finding_ids(outcome) == sorted([*ALWAYS, "pregnancy.pregnancy_contraindicated"])
    found = get(outcome, "pregnancy.pregnancy_contraindicated")
    assert decision(found) == (Severity.CRITICAL, True, DoseAction.STOP, [])
    assert found.summary == "Pregnancy: lenalidomide is contraindicated, do not prescribe"
    assert found.detail == (
        "Evidence: positive test on 2026-11-15 (sensitivity 25 mIU/mL); positive test on "
        f"2026-11-18 (sensitivity 25 mIU/mL). {FACTS.contraindication.text} Any later start "
        "again needs two new negative pregnancy tests."
    )
    assert found.inputs == {
        "conditions.pregnant": False,
        "positive_tests": [
            {"date": "2026-11-15", "result": "positive", "sensitivity_miu_ml": 25},
            {"date": "2026-11-18", "result": "positive", "sensitivity_miu_ml": 25},
        ],
        "course": "not_started",
    }


def test_a_positive_test_on_the_first_day_of_a_stopped_course_is_an_exposure():
    outcome = run(female([positive(-12)], therapy=stopped(-12, -5)))
    found = get(outcome, "pregnancy.pregnancy_contraindicated")
    assert decision(found) == (Severity.CRITICAL, True, DoseAction.STOP, [])
    assert found.detail == (
        f"Evidence: positive test on 2026-11-08 (sensitivity 25 mIU/mL). "
        f"{FACTS.contraindication.text} Any later start again needs two new negative pregnancy "
        "tests. The pregnancy may have begun during the last course: "
        f"{FACTS.pregnancy_on_therapy.text} {REPORT_TO}"
    )
    assert ("uspi", "§8.1 Pregnancy") in [(c.source, c.section) for c in found.citations]


def test_a_positive_test_before_a_stopped_course_is_no_exposure():
    outcome = run(female([positive(-13)], therapy=stopped(-12, -5)))
    found = get(outcome, "pregnancy.pregnancy_contraindicated")
    assert "may have begun during the last course" not in found.detail
    assert ("uspi", "§8.1 Pregnancy") not in [(c.source, c.section) for c in found.citations]


# ---------------------------------------------------------------- missed period


def test_a_missed_period_on_therapy_requires_a_hold_and_a_test_today():
    outcome = run(female([], therapy=active(-20), symptoms=["missed_period"]))
    assert finding_ids(outcome) == sorted(
        [*ALWAYS, "pregnancy.contraception", "pregnancy.missed_period", "pregnancy.test_overdue"]
    )
    found = get(outcome, "pregnancy.missed_period")
    assert decision(found) == (Severity.CRITICAL, True, DoseAction.HOLD, [])
    assert found.summary == (
        "Missed period: interrupt lenalidomide; pregnancy test needed today (2026-11-20), and "
        "counselling"
    )
    assert found.detail.startswith(
        f"{FACTS.missed_period.text} A pregnancy test is needed now (2026-11-20). Tell the "
        "patient: "
    )
    assert found.inputs == {"symptoms": ["missed_period"], "course": "active"}
    # The missed-period entry and the patient instruction of the symptoms topic.
    assert [(c.source, c.section) for c in found.citations] == [
        ("uspi", "§5.1 Embryo-Fetal Toxicity"),
        ("uspi", "§8.3 Pregnancy Testing"),
        ("uspi", "Boxed warning (embryo-fetal toxicity)"),
        ("uspi", "§5.1 (pregnancy testing: missed period or abnormal bleeding)"),
        ("lenalidomide_rems", "pregnancy testing"),
    ]
    # Both test reasons fall due today: one monitoring item, both reasons.
    assert items(outcome) == [
        (
            dt.date(2026, 11, 20),
            "missed period: pregnancy test and counselling; pregnancy test on treatment: none "
            "recorded",
        )
    ]
    merged = outcome.monitoring[0]
    assert [(c.source, c.section) for c in merged.citations] == [
        ("uspi", "§5.1 Embryo-Fetal Toxicity"),
        ("uspi", "§8.3 Pregnancy Testing"),
    ]


def test_a_missed_period_before_treatment_blocks_without_a_dose_action():
    data = female([negative(-12), negative(0)], symptoms=["missed_period"])
    outcome = run(data)
    found = get(outcome, "pregnancy.missed_period")
    assert decision(found) == (Severity.CRITICAL, True, None, [])
    assert found.summary == (
        "Missed period: exclude pregnancy before any prescription; negative test today "
        "(2026-11-20), counselling and evaluation still needed"
    )
    assert found.detail.startswith(
        f"{FACTS.missed_period.text} A negative test is recorded today (2026-11-20); finish the "
        "evaluation and counselling, then remove missed_period from the case's symptoms."
    )
    # Tested today: no missed-period test date, only the first weekly test.
    assert items(outcome) == [
        (dt.date(2026, 11, 27), "first weekly pregnancy test if lenalidomide starts on 2026-11-20")
    ]


def test_a_missed_period_before_any_test_merges_its_test_with_the_first_test_of_the_day():
    """Not started, no tests: the missed-period test and the first of the two tests before the
    first prescription are both due today: one item, both reasons, both sets of citations."""
    outcome = run(female([], symptoms=["missed_period"]))
    today, later = outcome.monitoring
    assert (today.due, today.reason) == (
        dt.date(2026, 11, 20),
        "missed period: pregnancy test and counselling; first of the two pregnancy tests before "
        "the first prescription (10–14 days before prescribing)",
    )
    assert [(c.source, c.section) for c in today.citations] == [
        ("uspi", "§5.1 Embryo-Fetal Toxicity"),
        ("uspi", "§8.3 Pregnancy Testing"),
        ("lenalidomide_rems", "Prescriber requirements before treatment initiation"),
    ]
    assert later.due == dt.date(2026, 11, 30)


def test_a_missed_period_in_a_patient_classed_as_unable_blocks_until_resolved():
    outcome = run(female([], reproductive=POSTMENOPAUSAL, age=62, symptoms=["missed_period"]))
    assert finding_ids(outcome) == sorted([*ALWAYS, "pregnancy.missed_period_not_frp"])
    found = get(outcome, "pregnancy.missed_period_not_frp")
    assert decision(found) == (Severity.CRITICAL, True, None, [])
    assert found.summary == (
        "Missed period reported by a patient classed as not able to become pregnant: resolve "
        "the record before prescribing"
    )
    basis = outcome.rems_category_basis
    assert found.detail == (
        f"Category basis: {'; '.join(basis)}. A missed period implies recent menstrual cycles, "
        "so the history or the reported symptom is wrong. If she could be pregnant, correct the "
        f"history: pregnancy tests and counselling then apply. {FACTS.missed_period.text} If the "
        "symptom was recorded in error, remove missed_period from the case."
    )
    assert found.inputs == {"symptoms": ["missed_period"], "basis": basis}
    assert [(c.source, c.section) for c in found.citations] == [
        ("uspi", "§8.3 Females and Males of Reproductive Potential (older label version)"),
        ("uspi", "§5.1 Embryo-Fetal Toxicity"),
        ("uspi", "§8.3 Pregnancy Testing"),
    ]


# ---------------------------------------------------------------- tests on treatment


@pytest.mark.parametrize(
    ("reproductive", "last", "due", "words"),
    [
        (FRP_HISTORY, -10, dt.date(2026, 12, 8), "every 4 weeks (menses regular)"),
        (
            {**FRP_HISTORY, "menses_regular": False},
            -10,
            dt.date(2026, 11, 24),
            "every 2 weeks (menses irregular)",
        ),
    ],
    ids=["regular", "irregular"],
)
def test_after_the_weekly_phase_the_next_test_follows_menstrual_regularity(
    reproductive, last, due, words
):
    """Course from 2026-09-21 (weekly until 2026-10-19); last negative test 2026-11-10."""
    outcome = run(female([negative(last)], reproductive=reproductive, therapy=active(-60)))
    found = get(outcome, "pregnancy.test_schedule")
    assert decision(found) == (Severity.INFO, False, None, [("pregnancy_test", due)])
    assert found.summary == f"Next pregnancy test due {due.isoformat()}"
    assert found.detail == (
        "Last negative test 2026-11-10. Schedule: weekly for the first 4 weeks from the start on "
        f"2026-09-21 (until 2026-10-19), then {words}."
    )
    assert found.inputs == {
        "course": "active",
        "course_start": "2026-09-21",
        "menses_regular": reproductive["menses_regular"],
        "last_negative_test": {
            "date": "2026-11-10",
            "result": "negative",
            "sensitivity_miu_ml": 25,
        },
    }
    assert items(outcome) == [
        (due, f"pregnancy test on treatment, {words}; last negative 2026-11-10")
    ]


def test_in_the_weekly_phase_the_next_test_is_a_week_after_the_last():
    outcome = run(female([negative(-3)], therapy=active(-10)))
    found = get(outcome, "pregnancy.test_schedule")
    assert decision(found) == (
        Severity.INFO,
        False,
        None,
        [("pregnancy_test", dt.date(2026, 11, 24))],
    )
    assert items(outcome) == [
        (
            dt.date(2026, 11, 24),
            "pregnancy test on treatment, weekly phase; last negative 2026-11-17",
        )
    ]


def test_an_overdue_test_blocks_and_is_asked_for_today():
    reproductive = {**FRP_HISTORY, "menses_regular": False}
    outcome = run(female([negative(-20)], reproductive=reproductive, therapy=active(-60)))
    found = get(outcome, "pregnancy.test_overdue")
    assert decision(found) == (
        Severity.CRITICAL,
        True,
        None,
        [("pregnancy_test", dt.date(2026, 11, 20))],
    )
    assert found.summary == (
        "Pregnancy test overdue since 2026-11-14: a negative test is needed by 2026-11-20 before "
        "lenalidomide continues"
    )
    assert found.detail == (
        f"{FACTS.ongoing_tests.text} Last negative test 2026-10-31. Schedule: weekly for the "
        "first 4 weeks from the start on 2026-09-21 (until 2026-10-19), then every 2 weeks "
        "(menses irregular)."
    )
    assert found.inputs["last_negative_test"] == {
        "date": "2026-10-31",
        "result": "negative",
        "sensitivity_miu_ml": 25,
    }


def test_unknown_regularity_during_an_interruption_takes_the_stricter_interval():
    """No reproductive history (presumed able): every 2 weeks; due today during a hold."""
    therapy = {
        "events": [
            {"date": day(-60), "event": "start", "dose_mg": 25},
            {"date": day(-5), "event": "hold", "reason": "other_toxicity"},
        ]
    }
    outcome = run(female([negative(-14)], reproductive=None, therapy=therapy))
    found = get(outcome, "pregnancy.test_overdue")
    assert decision(found) == (
        Severity.CRITICAL,
        True,
        None,
        [("pregnancy_test", dt.date(2026, 11, 20))],
    )
    assert found.summary == (
        "Pregnancy test due today: a negative test is needed by 2026-11-20 before lenalidomide "
        "continues"
    )
    assert found.detail.endswith(
        "then every 2 weeks (menstrual regularity unknown, so the stricter interval for "
        "irregular menses is used (record patient.reproductive.menses_regular)). Testing "
        "continues during the interruption since 2026-11-15."
    )
    assert found.inputs["menses_regular"] is None
    assert found.inputs["course"] == "held"


def test_no_counted_test_on_treatment_blocks_and_names_the_test_not_counted():
    """The only negative test's assay detects 100 mIU/mL (worse than 50): it does not count."""
    outcome = run(female([negative(-3, sensitivity=100)], therapy=active(-10)))
    assert finding_ids(outcome) == sorted(
        [
            *ALWAYS,
            "pregnancy.contraception",
            "pregnancy.test_not_sensitive_enough",
            "pregnancy.test_overdue",
        ]
    )
    overdue = get(outcome, "pregnancy.test_overdue")
    assert decision(overdue) == (Severity.CRITICAL, True, None, [])
    assert overdue.summary == (
        "No negative pregnancy test recorded: a test is needed now (2026-11-20) before "
        "lenalidomide continues"
    )
    assert overdue.detail == (
        f"{FACTS.ongoing_tests.text} Schedule: weekly for the first 4 weeks from the start on "
        "2026-11-10 (until 2026-12-08), then every 4 weeks (menses regular)."
    )
    assert overdue.inputs == {
        "course": "active",
        "course_start": "2026-11-10",
        "menses_regular": True,
        "last_negative_test": None,
    }
    weak = get(outcome, "pregnancy.test_not_sensitive_enough")
    assert weak.inputs == {
        "tests": [{"date": "2026-11-17", "result": "negative", "sensitivity_miu_ml": 100}]
    }
    assert items(outcome) == [(dt.date(2026, 11, 20), "pregnancy test on treatment: none recorded")]


# ---------------------------------------------------------------- tests before the first prescription


def test_tests_not_counted_and_tests_without_a_stated_sensitivity_are_named():
    """An insensitive negative on the first day of the first window (day -14) is not counted;
    the first test used (day -12) states no sensitivity."""
    outcome = run(female([negative(-14, 100), negative(-12, None), negative(0)]))
    assert get(outcome, "pregnancy.pretreatment_tests_complete").summary == (
        "Two negative pregnancy tests before the first prescription: 2026-11-08 and 2026-11-20"
    )
    weak = get(outcome, "pregnancy.test_not_sensitive_enough")
    assert decision(weak) == (Severity.WARNING, False, None, [])
    assert weak.summary == (
        "Negative pregnancy test(s) not counted: assay less sensitive than 50 mIU/mL"
    )
    assert weak.detail == (
        "Not counted: negative test on 2026-11-06 (sensitivity 100 mIU/mL). "
        f"{FACTS.test_sensitivity.comparison}"
    )
    assert weak.inputs == {
        "tests": [{"date": "2026-11-06", "result": "negative", "sensitivity_miu_ml": 100}]
    }
    unknown = get(outcome, "pregnancy.test_sensitivity_unknown")
    assert decision(unknown) == (Severity.WARNING, False, None, [])
    assert unknown.summary == (
        "Pregnancy test sensitivity not recorded: confirm the assay detects hCG at 50 mIU/mL or "
        "less"
    )
    assert unknown.detail == (
        "Counted, sensitivity not stated: negative test on 2026-11-08. Record "
        f"sensitivity_miu_ml. {FACTS.test_sensitivity.comparison}"
    )
    assert unknown.inputs == {
        "tests": [{"date": "2026-11-08", "result": "negative", "sensitivity_miu_ml": None}]
    }


def test_several_tests_not_counted_or_without_sensitivity_are_listed_one_by_one():
    outcome = run(
        female([negative(-14, 60), negative(-13, 80), negative(-12, None), negative(0, None)])
    )
    assert get(outcome, "pregnancy.test_not_sensitive_enough").detail.startswith(
        "Not counted: negative test on 2026-11-06 (sensitivity 60 mIU/mL); negative test on "
        "2026-11-07 (sensitivity 80 mIU/mL). "
    )
    assert get(outcome, "pregnancy.test_sensitivity_unknown").detail.startswith(
        "Counted, sensitivity not stated: negative test on 2026-11-08; negative test on "
        "2026-11-20. "
    )


@pytest.mark.parametrize(
    ("second", "severity", "confirm"),
    [
        (
            -1,
            Severity.WARNING,
            " The second test is dated the day before: confirm it was taken within 24 hours "
            "before prescribing (the case holds dates, not times).",
        ),
        (0, Severity.INFO, ""),
    ],
    ids=["second the day before", "second today"],
)
def test_complete_tests_ask_to_confirm_the_hour_only_of_a_second_test_the_day_before(
    second, severity, confirm
):
    outcome = run(female([negative(-12), negative(second)]))
    found = get(outcome, "pregnancy.pretreatment_tests_complete")
    assert decision(found) == (severity, False, None, [])
    assert found.detail == (
        "The first is 10–14 days before prescribing and the second within 24 hours before "
        f"prescribing on 2026-11-20.{confirm}"
    )
    assert found.inputs["prescribing_date"] == "2026-11-20"
    assert found.inputs["first_window"] == ["2026-11-06", "2026-11-10"]
    assert found.inputs["second_window"] == ["2026-11-19", "2026-11-20"]


def test_a_missing_second_test_names_the_two_days_it_may_carry():
    outcome = run(female([negative(-12)]))
    found = get(outcome, "pregnancy.second_test_missing")
    assert decision(found) == (Severity.CRITICAL, True, None, [])
    assert found.summary == (
        "Second negative pregnancy test needed on 2026-11-20 or 2026-11-19 (within 24 hours "
        "before prescribing on 2026-11-20)"
    )
    assert found.inputs["pregnancy_tests"] == [
        {"date": "2026-11-08", "result": "negative", "sensitivity_miu_ml": 25}
    ]


def test_a_missing_first_test_names_its_knowledge_entry_and_blocks():
    case = make_case(**female([]))
    initial = decide_initial_pregnancy_tests(case, KB)
    assert initial.outcome is InitialTestsOutcome.FIRST_MISSING
    assert initial.entries == (FACTS.initial_tests,)
    found = get(run(female([])), "pregnancy.first_test_missing")
    # the first test is due now: the card's one-click fix orders it for the assessment date
    assert decision(found) == (Severity.CRITICAL, True, None, [("pregnancy_test", case.as_of)])
    assert found.inputs["pregnancy_tests"] == []


# ---------------------------------------------------------------- contraception, breastfeeding


def test_contraception_on_therapy_is_a_reminder():
    found = get(run(female([negative(-3)], therapy=active(-10))), "pregnancy.contraception")
    assert decision(found) == (Severity.INFO, False, None, [])
    assert found.summary == (
        "Contraception: two reliable methods at once (or abstinence) throughout treatment, "
        "interruptions and 4 weeks after the last dose"
    )
    assert found.inputs == {"course": "active"}


@pytest.mark.parametrize(
    ("stop", "continuing"),
    [
        # stopped 4 weeks ago: the 4 weeks after the last dose end today
        (-28, " After the last course (stopped 2026-10-23), continue until at least 2026-11-20."),
        (-42, ""),
    ],
    ids=["stopped 4 weeks ago", "stopped 6 weeks ago"],
)
def test_contraception_before_a_restart_carries_the_weeks_after_the_last_course(stop, continuing):
    outcome = run(female([negative(-12), negative(0)], therapy=stopped(-90, stop)))
    found = get(outcome, "pregnancy.contraception")
    assert decision(found) == (Severity.WARNING, False, None, [])
    assert found.summary == (
        "Confirm contraception before prescribing: two reliable methods at once (or abstinence) "
        "in use since 2026-10-23 or earlier"
    )
    assert found.detail.endswith(f"{FACTS.contraception.infertility}{continuing}")
    assert found.inputs == {"course": "stopped", "in_use_since": "2026-10-23"}


def test_a_female_not_breastfeeding_gets_no_breastfeeding_finding():
    outcome = run(female([negative(-12), negative(0)]))
    assert finding_ids(outcome) == sorted(
        [*ALWAYS, "pregnancy.contraception", "pregnancy.pretreatment_tests_complete"]
    )


def test_an_unknown_history_says_what_would_change_the_category():
    outcome = run(female([negative(-12), negative(0)], reproductive=None))
    assert outcome.reproductive_potential_presumed is True
    assert outcome.would_change == [
        "patient.reproductive.hysterectomy: a hysterectomy (true)",
        "patient.reproductive.bilateral_oophorectomy: removal of both ovaries (true)",
        "patient.reproductive.months_since_last_menses: natural menopause with no menses for at "
        "least 24 consecutive months",
    ]
