"""assess: how topic outcomes combine — blocking, ordering, verified-only, contraindications."""

from __future__ import annotations

from lenaguard.assess import assess
from lenaguard.knowledge import Status, default_knowledge
from tests.factories import lab, make_case

BASE_LABS = [
    lab("creatinine", 1.0, "mg/dL"),
    lab("anc", 2500, "/uL"),
    lab("platelets", 200000, "/uL"),
]


def test_a_recorded_contraindication_blocks_before_the_first_dose():
    case = make_case(labs=BASE_LABS, conditions={"lenalidomide_hypersensitivity": True})
    result = assess(case, default_knowledge())
    assert not result.ready_to_prescribe
    assert "toxicity.contraindication_lenalidomide_hypersensitivity" in result.blocking


def test_unknown_contraindications_are_asked_for_before_the_first_dose():
    result = assess(make_case(labs=BASE_LABS), default_knowledge())
    ids = {finding.id for finding in result.findings}
    assert "input.lenalidomide_hypersensitivity_unknown" in ids
    assert result.ready_to_prescribe


def test_a_critical_symptom_blocks_the_prescription():
    case = make_case(labs=BASE_LABS, symptoms=["chest_pain"])
    result = assess(case, default_knowledge())
    assert not result.ready_to_prescribe
    assert any(item.startswith("symptom.") for item in result.blocking)


def test_findings_come_critical_first():
    case = make_case(labs=BASE_LABS, symptoms=["chest_pain", "constipation"])
    order = {"critical": 0, "warning": 1, "info": 2}
    severities = [order[f.severity.value] for f in assess(case, default_knowledge()).findings]
    assert severities == sorted(severities)


def test_verified_only_keeps_firm_rules_and_lists_the_rest():
    case = make_case(labs=BASE_LABS, symptoms=["fever"])
    everything = assess(case, default_knowledge())
    verified = assess(case, default_knowledge(), verified_only=True)
    unverified = {f.id for f in everything.findings if f.status is Status.UNVERIFIED}
    assert unverified, "the example should contain unverified findings"
    assert {f.id for f in verified.findings} == {f.id for f in everything.findings} - unverified
    assert unverified <= {item.id for item in verified.omitted if item.kind == "finding"}
    assert verified.dose is not None and verified.dose.status is not Status.UNVERIFIED


def test_a_stop_decision_blocks():
    case = make_case(
        labs=BASE_LABS,
        therapy={
            "events": [{"date": "2026-11-02", "event": "start", "dose_mg": 25}],
            "other_toxicity": {"grade": 3, "kind": "angioedema"},
        },
    )
    result = assess(case, default_knowledge())
    assert result.dose is not None and result.dose.action.value == "stop"
    assert not result.ready_to_prescribe


def test_the_calendar_marks_weekly_cbcs_in_the_first_cycle():
    # Facts §4 (mm_combination): CBC every 7 days in cycles 1–2; baseline before the first dose.
    result = assess(make_case(labs=BASE_LABS), default_knowledge())
    cbc_days = [day.cycle_day for day in result.calendar if "cbc" in day.tests_due]
    assert cbc_days == [1, 8, 15, 22]


def test_the_calendar_marks_weekly_cbcs_while_held():
    case = make_case(
        labs=[
            lab("creatinine", 1.0, "mg/dL"),
            lab("anc", 2500, "/uL"),
            lab("platelets", 24000, "/uL"),
        ],
        therapy={"events": [{"date": "2026-10-23", "event": "start", "dose_mg": 25}]},
    )
    result = assess(case, default_knowledge())
    assert result.dose.action.value == "hold"
    dates = [day.date for day in result.calendar if "cbc" in day.tests_due]
    gaps = {(later - earlier).days for earlier, later in zip(dates, dates[1:], strict=False)}
    assert gaps == {7}
