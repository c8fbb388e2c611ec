"""The blood-count findings a clinician reads, pinned whole (issue 7): a baseline assumed, fever
counted as a trigger, a low count to watch, bleeding when platelets have recovered.

Each test checks the whole finding (summary, detail, inputs, the blood count it asks for, its
citations) in one case, so a change to what it says or asks for fails here. Thresholds and
dates follow the facts file §3 (MDS Tables 3–4, mantle cell §2.3).
"""

from __future__ import annotations

import datetime as dt

from lenaguard.knowledge import Status
from lenaguard.vocab import DoseAction
from tests.factories import lab
from tests.rules.count_cases import counts, decide, ev, ids

MCL_START = [ev("2026-10-01", "start", 25)]
MDS_LATER = [ev("2026-08-01", "start", 10)]  # long past the first 4 weeks on 10 mg


def _finding(findings, finding_id: str):
    return next(f for f in findings if f.id == finding_id)


def _sources(finding) -> list[tuple[str, str]]:
    return [(c.source, c.section) for c in finding.citations]


def test_a_missing_baseline_is_named_with_the_row_used_instead():
    """MDS in its first 4 weeks, no count on or before the start: the highest-baseline rows."""
    _, findings = decide("mds_del5q", [ev("2026-10-24", "start", 10)], counts(49_999, 749))
    needed = _finding(findings, "input.platelets_baseline_needed")
    assert needed.summary == (
        "No pre-treatment Platelet count result: the row for the highest baseline is used."
    )
    assert needed.detail == (
        "The early rows of this table depend on the count before the first dose. None is "
        "recorded on or before 2026-10-24, so lenaguard uses the most cautious row: First 4 "
        "weeks on 10 mg, baseline platelets 100,000/mcL or more: a fall under 50,000/mcL "
        "interrupts; restart at 5 mg daily once back to 50,000/mcL or more. Add the baseline "
        "count."
    )
    assert needed.inputs == {"course_start": "2026-10-24"}
    assert _finding(findings, "input.anc_baseline_needed").inputs == {"course_start": "2026-10-24"}


def test_reported_fever_that_decides_an_interruption_asks_for_the_temperature():
    """Mantle cell, ANC 800 with fever reported: the fever row interrupts; fever is assumed."""
    plan, findings = decide("mcl", MCL_START, counts(150_000, 800), symptoms=["fever"])
    assert plan.rule == "dose_modification.mcl.anc"
    assert ids(findings) == ["toxicity.anc_fever_assumed", "toxicity.anc_interrupt"]
    fever = _finding(findings, "toxicity.anc_fever_assumed")
    assert fever.summary == (
        "Reported fever counted as fever of 38.5 °C or more: confirm the temperature."
    )
    assert fever.detail == (
        "The neutropenia rows of the MDS, mantle cell and follicular/marginal zone tables count "
        "fever as a temperature of 38.5 °C or higher. The case records fever as a symptom "
        "without a temperature; lenaguard treats it as meeting the label's threshold. Measure "
        "the temperature to confirm."
    )
    assert fever.inputs == {"symptoms": ["fever"]}
    assert fever.status is Status.UNVERIFIED
    # The row that fired and the fever definition, each with its own citations.
    assert _sources(fever) == [
        ("uspi", "§2.3, neutropenia"),
        ("uspi", "§2.2 Table 4"),
        ("uspi", "§2.3"),
        ("uspi", "§2.4"),
    ]


def test_a_low_anc_not_yet_7_days_is_watched_until_the_seventh_day():
    """Mantle cell: ANC under 1,000 since 2026-11-15, no fever: interrupt if still low on
    2026-11-22 (7 days) or if fever develops; a blood count is due by then."""
    labs = [lab("anc", 900, "/uL", date="2026-11-15"), *counts(150_000, 800)]
    plan, findings = decide("mcl", MCL_START, labs)
    assert (plan.action, plan.dose_mg) == (DoseAction.CONTINUE, 25)
    assert ids(findings) == ["toxicity.anc_low_watch"]
    watch = _finding(findings, "toxicity.anc_low_watch")
    assert watch.summary == (
        "ANC 800/mcL on 2026-11-18 is under 1,000/mcL: not yet a reason to interrupt; watch it."
    )
    assert watch.detail == (
        "Interrupt if it is still under 1,000/mcL on 2026-11-22 (low since 2026-11-15) or fever "
        "of 38.5 °C or more develops. The row interrupts when the count is under 1,000/mcL for "
        "at least 7 days; or under 1,000/mcL with fever of 38.5 °C or more; or under 500/mcL "
        "(USPI §2.3, neutropenia). Repeat the blood count."
    )
    assert watch.inputs == {"anc": 800.0, "date": "2026-11-18"}
    assert [(due.test, due.by) for due in watch.tests_due] == [("cbc", dt.date(2026, 11, 22))]


def test_low_platelets_without_transfusions_are_watched_with_no_date():
    """MDS after 4 weeks: platelets 40,000 interrupt only with platelet transfusions."""
    plan, findings = decide("mds_del5q", MDS_LATER, counts(40_000, 2_000))
    assert (plan.action, plan.dose_mg) == (DoseAction.CONTINUE, 10)
    assert ids(findings) == ["toxicity.platelets_low_watch"]
    watch = _finding(findings, "toxicity.platelets_low_watch")
    assert watch.summary == (
        "Platelet count 40,000/mcL on 2026-11-18 is under 50,000/mcL: not yet a reason to "
        "interrupt; watch it."
    )
    assert watch.detail == (
        "Interrupt if platelet transfusions are needed. The row interrupts when the count is "
        "under 30,000/mcL; or under 50,000/mcL with platelet transfusions (USPI §2.2 Table 3). "
        "Repeat the blood count."
    )
    assert watch.inputs == {"platelets": 40_000.0, "date": "2026-11-18"}
    assert watch.tests_due == []


def test_recovered_platelets_with_bleeding_keep_the_hold():
    """MDS, held for thrombocytopenia: platelets back to 35,000 but bleeding is reported."""
    events = [*MDS_LATER, ev("2026-11-01", "hold", reason="thrombocytopenia")]
    plan, findings = decide("mds_del5q", events, counts(35_000, 2_000), symptoms=["bleeding"])
    assert plan.action is DoseAction.HOLD
    assert (plan.resume.dose_mg, plan.resume.days_on) == (5, (1, 28))
    assert ids(findings) == ["toxicity.hold_continues", "toxicity.platelets_bleeding_on_recovery"]
    bleeding = _finding(findings, "toxicity.platelets_bleeding_on_recovery")
    assert bleeding.summary == (
        "Platelets have recovered but bleeding is reported: do not restart yet."
    )
    assert bleeding.detail == (
        "After 4 weeks on 10 mg, and on 5 mg: platelets under 30,000/mcL, or under 50,000/mcL "
        "with platelet transfusions, interrupt; restart one step lower (10 to 5 mg, 5 to 2.5 mg "
        "daily) once back to 30,000/mcL or more without hemostatic failure. The case reports "
        "bleeding; a clinician must judge whether hemostasis has failed before lenalidomide "
        "restarts."
    )
    assert bleeding.inputs == {"symptoms": ["bleeding"]}
