"""POST /api/v1/authorizations: every REMS requirement checked, a unique number or every unmet
requirement (on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from lenaguard.caseio import default_knowledge
from lenaguard.knowledge.topics.rems import RemsKnowledge
from lenaguard.rules.safety.rems import RemsRiskCategory
from lenaguard.workflow.audit.models import AuditEntry
from lenaguard.workflow.audit.service import chain_for_patient
from lenaguard.workflow.dispensing import service as dispensing
from lenaguard.workflow.dispensing.models import Authorization
from lenaguard.workflow.parties.models import Prescriber
from tests.service import builders as b

TODAY = dt.date(2026, 11, 20)
NOW = b.at(TODAY, 10)
FRP = RemsRiskCategory.ADULT_FEMALE_REPRODUCTIVE_POTENTIAL
VALIDITY = default_knowledge().get(RemsKnowledge).authorization_validity
MAX_SUPPLY = default_knowledge().get(RemsKnowledge).prescription_limits.max_days_supply


def _request(patient_id: str, **changes) -> dict:
    body = {
        "patient_id": patient_id,
        "indication": "mm_combination",
        "dose_mg": 25,
        "days_supply": MAX_SUPPLY,
    }
    body.update(changes)
    return body


def _authorize(service, clinic, patient_id, who="prescriber", **changes):
    return service.client.post(
        "/api/v1/authorizations", json=_request(patient_id, **changes), headers=clinic.headers[who]
    )


def _codes(response) -> list[str]:
    assert response.status_code == 422, response.text
    return [item["code"] for item in response.json()["unmet"]]


def _stored(service) -> int:
    with service.database.transaction() as session:
        return session.execute(select(func.count()).select_from(Authorization)).scalar_one()


@pytest.fixture
def clinic(service):
    clinic = b.clinic(service)
    clinic.moment(NOW)
    return clinic


@pytest.mark.parametrize("category", b.CATEGORIES, ids=str)
def test_a_ready_patient_gets_a_number_with_category_and_expiry(service, clinic, category):
    patient = b.ready_patient(service, clinic, category, today=TODAY)
    response = _authorize(service, clinic, patient.id)
    assert response.status_code == 201, response.text
    body = response.json()
    assert len(body["number"]) == dispensing.AUTHORIZATION_DIGITS and body["number"].isdigit()
    assert body["risk_category"] == category.value
    assert body["issued_on"] == TODAY.isoformat()
    if category.reproductive_potential:  # 7 days from the last test (today), today = day one
        days = VALIDITY.reproductive_potential_days_from_last_test
    else:
        days = VALIDITY.other_days_from_issue
    assert body["expires_on"] == (TODAY + dt.timedelta(days=days - 1)).isoformat()
    assert body["days_on"] == [1, 21] and body["cycle_days"] == 28
    assert body["quantity"] == 21 and body["status"] == "valid"
    with service.database.transaction() as session:
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.chain == chain_for_patient(patient.id))
        ).scalar_one()
    assert (entry.action, entry.entity, entry.after["number"]) == (
        "create",
        "authorization",
        body["number"],
    )


def test_frp_expiry_runs_from_the_last_test_not_the_issue_date(service, clinic):
    patient = b.ready_patient(service, clinic, FRP, today=TODAY)
    # the second test is dated the day before: still within 24 hours of a 10:00 prescription
    with service.database.transaction() as session:
        from lenaguard.workflow.records.models import PregnancyTest

        latest = session.execute(
            select(PregnancyTest).order_by(PregnancyTest.taken_at.desc()).limit(1)
        ).scalar_one()
        latest.taken_at = b.at(TODAY - dt.timedelta(days=1), 16)
    body = _authorize(service, clinic, patient.id).json()
    days = VALIDITY.reproductive_potential_days_from_last_test
    assert body["expires_on"] == (TODAY + dt.timedelta(days=days - 2)).isoformat()


EVERY_UNMET = {
    RemsRiskCategory.ADULT_FEMALE_REPRODUCTIVE_POTENTIAL: [
        "patient_agreement_missing",
        "rems_education_counselling_missing",
        "contraception_counselling_missing",
        "pregnancy_test_missing",
        "case_missing",
        "patient_survey_missing",
        "prescriber_survey_missing",
    ],
    RemsRiskCategory.FEMALE_CHILD_REPRODUCTIVE_POTENTIAL: [
        "patient_agreement_missing",
        "guardian_agreement_missing",
        "rems_education_counselling_missing",
        "contraception_counselling_missing",
        "pregnancy_test_missing",
        "case_missing",
        "patient_survey_missing",
        "prescriber_survey_missing",
    ],
    RemsRiskCategory.ADULT_FEMALE_NOT_REPRODUCTIVE_POTENTIAL: [
        "patient_agreement_missing",
        "rems_education_counselling_missing",
        "patient_survey_missing",
        "prescriber_survey_missing",
    ],
    RemsRiskCategory.FEMALE_CHILD_NOT_REPRODUCTIVE_POTENTIAL: [
        "patient_agreement_missing",
        "guardian_agreement_missing",
        "rems_education_counselling_missing",
        "patient_survey_missing",
        "prescriber_survey_missing",
    ],
    RemsRiskCategory.ADULT_MALE: [
        "patient_agreement_missing",
        "rems_education_counselling_missing",
        "contraception_counselling_missing",
        "patient_survey_missing",
        "prescriber_survey_missing",
    ],
    RemsRiskCategory.MALE_CHILD: [
        "patient_agreement_missing",
        "guardian_agreement_missing",
        "rems_education_counselling_missing",
        "contraception_counselling_missing",
        "patient_survey_missing",
        "prescriber_survey_missing",
    ],
}


@pytest.mark.parametrize("category", b.CATEGORIES, ids=str)
def test_a_refusal_lists_every_unmet_requirement_and_stores_nothing(service, clinic, category):
    patient = b.enroll(service, clinic, category, today=TODAY, signed=False)
    response = _authorize(
        service, clinic, patient.id, days_supply=MAX_SUPPLY + 1, refills=1, telephone=True
    )
    assert _codes(response) == [
        *EVERY_UNMET[category],
        "rems_days_supply",
        "rems_refills",
        "rems_telephone",
    ]
    assert response.headers["content-type"] == "application/problem+json"
    assert all(item["message"] for item in response.json()["unmet"])
    assert _stored(service) == 0
    with service.database.transaction() as session:
        assert session.execute(select(AuditEntry)).first() is None


def test_an_uncertified_prescriber_is_an_unmet_requirement(service, clinic):
    patient = b.ready_patient(service, clinic, RemsRiskCategory.ADULT_MALE, today=TODAY)
    with service.database.transaction() as session:
        prescriber = session.get(Prescriber, clinic.prescriber.id)
        prescriber.certification_expires_on = TODAY - dt.timedelta(days=1)
    assert _codes(_authorize(service, clinic, patient.id)) == ["prescriber_not_certified"]


def test_a_positive_pregnancy_test_is_unmet(service, clinic):
    patient = b.ready_patient(service, clinic, FRP, today=TODAY)
    b.add(service, b.pregnancy_test(clinic, patient, b.at(TODAY, 9), result="positive"))
    codes = _codes(_authorize(service, clinic, patient.id))
    assert codes[0] == "pregnancy_test_positive"
    assert _stored(service) == 0


def test_the_assessments_blocking_pregnancy_findings_are_unmet(service, clinic):
    """Only one negative test (today): the REMS's first test 10-14 days before is missing."""
    patient = b.enroll(service, clinic, FRP, today=TODAY)
    b.add(
        service,
        *b.counselled(clinic, patient, TODAY),
        b.survey(clinic, patient, "patient", b.at(TODAY, 9)),
        b.survey(clinic, patient, "prescriber", b.at(TODAY, 9)),
        b.stored_case(clinic, patient, TODAY),
        b.pregnancy_test(clinic, patient, b.at(TODAY, 8)),
    )
    assert _codes(_authorize(service, clinic, patient.id)) == ["pregnancy.first_test_missing"]


def test_a_pregnancy_test_older_than_the_validity_is_unmet(service, clinic):
    patient = b.ready_patient(service, clinic, FRP, today=TODAY)
    later = TODAY + dt.timedelta(days=VALIDITY.reproductive_potential_days_from_last_test)
    clinic.moment(b.at(later, 10))
    b.add(
        service,
        b.survey(clinic, patient, "patient", b.at(later, 9)),
        b.survey(clinic, patient, "prescriber", b.at(later, 9)),
    )
    codes = _codes(_authorize(service, clinic, patient.id))
    assert codes[0] == "pregnancy_test_too_old"
    assert "pregnancy.second_test_missing" in codes or "pregnancy.first_test_missing" in codes


def test_surveys_before_every_prescription_must_be_newer_than_the_last_authorization(
    service, clinic
):
    patient = b.ready_patient(service, clinic, RemsRiskCategory.ADULT_MALE, today=TODAY)
    assert _authorize(service, clinic, patient.id).status_code == 201
    clinic.moment(NOW + dt.timedelta(hours=1))
    assert _codes(_authorize(service, clinic, patient.id)) == [
        "patient_survey_missing",
        "prescriber_survey_missing",
    ]
    b.add(
        service,
        b.survey(clinic, patient, "patient", NOW + dt.timedelta(minutes=30)),
        b.survey(clinic, patient, "prescriber", NOW + dt.timedelta(minutes=40)),
    )
    assert _authorize(service, clinic, patient.id).status_code == 201


def test_a_periodic_survey_falls_due_after_its_interval(service, clinic):
    category = RemsRiskCategory.ADULT_FEMALE_NOT_REPRODUCTIVE_POTENTIAL
    patient = b.ready_patient(service, clinic, category, today=TODAY)
    assert _authorize(service, clinic, patient.id).status_code == 201
    months = default_knowledge().get(RemsKnowledge).surveys.periodic_every_months
    due = dt.date(
        TODAY.year + (TODAY.month + months - 1) // 12,
        (TODAY.month + months - 1) % 12 + 1,
        TODAY.day,
    )
    for day, expected in ((due - dt.timedelta(days=1), []), (due, ["patient_survey_due"])):
        clinic.moment(b.at(day, 10))
        b.add(service, b.survey(clinic, patient, "prescriber", b.at(day, 9)))
        response = _authorize(service, clinic, patient.id)
        if expected:
            assert _codes(response) == expected
        else:
            assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"dose_mg": 7}, "dose_mg"),
        ({"days_on": [1, 29]}, "days_on"),
        ({"days_on": [5, 2]}, "days_on"),
    ],
)
def test_a_dose_that_is_no_capsule_strength_or_a_schedule_outside_the_cycle_is_422(
    service, clinic, changes, field
):
    patient = b.ready_patient(service, clinic, RemsRiskCategory.ADULT_MALE, today=TODAY)
    response = _authorize(service, clinic, patient.id, **changes)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert _stored(service) == 0


def test_the_request_is_validated_field_by_field(service, clinic):
    response = service.client.post(
        "/api/v1/authorizations",
        json={"patient_id": "x", "indication": "cll", "dose_mg": 10, "days_supply": 0, "x": 1},
        headers=clinic.headers["prescriber"],
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"indication", "days_supply", "x"}


def test_the_nurse_may_request_and_the_days_on_default_to_the_indication(service, clinic):
    patient = b.ready_patient(service, clinic, RemsRiskCategory.ADULT_MALE, today=TODAY)
    response = _authorize(
        service, clinic, patient.id, who="nurse", indication="mm_maintenance", dose_mg=10
    )
    assert response.status_code == 201
    assert response.json()["days_on"] == [1, 28] and response.json()["quantity"] == 28


@pytest.mark.parametrize("who", ["other_prescriber", "pharmacist", "admin"])
def test_only_the_patients_prescriber_or_nurse_may_request(service, clinic, who):
    patient = b.ready_patient(service, clinic, RemsRiskCategory.ADULT_MALE, today=TODAY)
    response = _authorize(service, clinic, patient.id, who=who)
    assert response.status_code == 403
    assert _stored(service) == 0


def test_an_unknown_patient_and_another_prescribers_patient_get_the_same_403(service, clinic):
    theirs = b.ready_patient(
        service,
        clinic,
        RemsRiskCategory.ADULT_MALE,
        today=TODAY,
        prescriber=clinic.other_prescriber,
    )
    other = _authorize(service, clinic, theirs.id)
    unknown = _authorize(service, clinic, "pat_0000000000000000")
    assert other.status_code == unknown.status_code == 403
    assert other.json() == unknown.json()


def test_a_number_clash_is_retried_with_a_fresh_number(service, clinic, monkeypatch):
    first = b.ready_patient(service, clinic, RemsRiskCategory.ADULT_MALE, today=TODAY)
    second = b.ready_patient(service, clinic, RemsRiskCategory.MALE_CHILD, today=TODAY)
    numbers = iter(["1000000001", "1000000001", "1000000002"])
    monkeypatch.setattr(dispensing, "new_number", lambda digits: next(numbers))
    assert _authorize(service, clinic, first.id).json()["number"] == "1000000001"
    assert _authorize(service, clinic, second.id).json()["number"] == "1000000002"
    assert _stored(service) == 2
