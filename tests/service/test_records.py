"""A patient's workflow records through HTTP, on SQLite and PostgreSQL: pregnancy tests,
counselling, surveys and insurance — dated, attributed, audited, listed newest first, and
recorded only by whoever may."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from lenaguard.workflow.audit.models import AuditEntry
from lenaguard.workflow.audit.service import chain_for_patient
from lenaguard.workflow.records.models import Counselling, Insurance, PregnancyTest, Survey
from tests.service.test_patients import (
    FERTILE,
    audit_entries,
    audit_intact,
    count,
    make_clinic,
    years_ago,
)

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def clinic(service):
    return make_clinic(service)


@pytest.fixture
def woman(clinic) -> dict:
    """A woman of reproductive potential of the first prescriber, at the first pharmacy."""
    patient = clinic.enroll(
        sex="female", birth_date=str(years_ago(clinic.today, 34)), reproductive=FERTILE
    )
    clinic.choose_pharmacy(patient["id"])
    return patient


def moment(day: dt.date, hour: int = 10) -> str:
    return dt.datetime.combine(day, dt.time(hour, 0), NEW_YORK).isoformat()


def test_pregnancy_tests_are_recorded_attributed_and_listed_newest_first(clinic, woman):
    url = f"/api/v1/patients/{woman['id']}/pregnancy-tests"
    days = [clinic.today - dt.timedelta(days=n) for n in (12, 1, 5)]
    for day in days:
        response = clinic.client.post(
            url,
            json={"taken_at": moment(day), "result": "negative", "sensitivity_miu_ml": 25},
            headers=clinic.nurse,
        )
        assert response.status_code == 201, response.text
        assert response.json()["recorded_by"].startswith("usr_")
    listed = clinic.client.get(url, headers=clinic.pharmacist).json()
    taken = [dt.datetime.fromisoformat(item["taken_at"]) for item in listed["items"]]
    assert [t.astimezone(NEW_YORK).date() for t in taken] == sorted(days, reverse=True)
    assert listed["total"] == 3
    page = clinic.client.get(url, params={"limit": 1, "offset": 1}, headers=clinic.prescriber)
    assert [item["taken_at"] for item in page.json()["items"]] == [listed["items"][1]["taken_at"]]
    assert page.json()["next_offset"] == 2


def test_pregnancy_tests_only_for_a_category_that_requires_them(clinic):
    man = clinic.enroll()
    response = clinic.client.post(
        f"/api/v1/patients/{man['id']}/pregnancy-tests",
        json={"taken_at": moment(clinic.today), "result": "negative"},
        headers=clinic.prescriber,
    )
    assert response.status_code == 422
    assert [item["code"] for item in response.json()["unmet"]] == ["pregnancy_tests_not_applicable"]
    assert count(clinic.service.database, PregnancyTest) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"taken_at": "2026-11-20T10:00:00", "result": "negative"}, "taken_at"),
        ({"taken_at": "2026-11-20T10:00:00Z", "result": "unclear"}, "result"),
        ({"taken_at": "2026-11-20T10:00:00Z", "result": "negative", "lab": "x"}, "lab"),
        (
            {"taken_at": "2026-11-20T10:00:00Z", "result": "negative", "sensitivity_miu_ml": 0},
            "sensitivity_miu_ml",
        ),
        ({"result": "negative"}, "taken_at"),
    ],
)
def test_an_invalid_pregnancy_test_names_the_field(clinic, woman, body, field):
    response = clinic.client.post(
        f"/api/v1/patients/{woman['id']}/pregnancy-tests", json=body, headers=clinic.prescriber
    )
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert count(clinic.service.database, PregnancyTest) == 0


def test_a_test_in_the_future_is_refused(clinic, woman):
    future = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    response = clinic.client.post(
        f"/api/v1/patients/{woman['id']}/pregnancy-tests",
        json={"taken_at": future.isoformat(), "result": "negative"},
        headers=clinic.prescriber,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "taken_at"
    assert count(clinic.service.database, PregnancyTest) == 0


def test_counselling_and_its_refusals(clinic, woman):
    url = f"/api/v1/patients/{woman['id']}/counselling"
    for kind, days in (("rems_education", 3), ("contraception", 1)):
        response = clinic.client.post(
            url,
            json={"kind": kind, "given_on": str(clinic.today - dt.timedelta(days=days))},
            headers=clinic.prescriber,
        )
        assert response.status_code == 201
    listed = clinic.client.get(url, headers=clinic.patient_user(woman["id"])).json()["items"]
    assert [item["kind"] for item in listed] == ["contraception", "rems_education"]
    tomorrow = clinic.client.post(
        url,
        json={"kind": "contraception", "given_on": str(clinic.today + dt.timedelta(days=1))},
        headers=clinic.prescriber,
    )
    assert (tomorrow.status_code, tomorrow.json()["errors"][0]["field"]) == (422, "given_on")
    wrong_kind = clinic.client.post(
        url, json={"kind": "diet", "given_on": str(clinic.today)}, headers=clinic.prescriber
    )
    assert (wrong_kind.status_code, wrong_kind.json()["errors"][0]["field"]) == (422, "kind")
    assert count(clinic.service.database, Counselling) == 2


def test_surveys_by_whom(clinic, woman):
    url = f"/api/v1/patients/{woman['id']}/surveys"
    herself = clinic.patient_user(woman["id"])
    now = moment(clinic.today - dt.timedelta(days=1))
    patient_survey = {"respondent": "patient", "taken_at": now}
    prescriber_survey = {"respondent": "prescriber", "taken_at": now}
    assert clinic.client.post(url, json=patient_survey, headers=herself).status_code == 201
    assert clinic.client.post(url, json=prescriber_survey, headers=clinic.nurse).status_code == 201
    assert (
        clinic.client.post(url, json=prescriber_survey, headers=clinic.prescriber).status_code
        == 201
    )
    other = clinic.enroll(clinic.other_prescriber)
    refused = {
        "patient takes the prescriber survey": (herself, prescriber_survey),
        "pharmacist": (clinic.pharmacist, patient_survey),
        "nurse not assigned": (clinic.other_nurse, prescriber_survey),
        "other patient": (clinic.patient_user(other["id"]), patient_survey),
    }
    for label, (headers, body) in refused.items():
        assert clinic.client.post(url, json=body, headers=headers).status_code == 403, label
    denied = clinic.client.post(
        url, json=patient_survey, headers=clinic.patient_user(other["id"])
    ).json()
    unknown = clinic.client.post(
        "/api/v1/patients/pat_0000000000000000/surveys",
        json=patient_survey,
        headers=clinic.patient_user(other["id"]),
    ).json()
    assert denied == unknown
    assert count(clinic.service.database, Survey) == 3
    listed = clinic.client.get(url, headers=herself).json()
    assert sorted(item["respondent"] for item in listed["items"]) == [
        "patient",
        "prescriber",
        "prescriber",
    ]


def test_insurance_current_is_the_newest_and_corrections_are_new_records(clinic, woman):
    url = f"/api/v1/patients/{woman['id']}/insurance"
    assert clinic.client.get(url + "/current", headers=clinic.prescriber).status_code == 404
    first = {"payer": "Acme Health", "member_id": "A-1", "prior_authorization": "pending"}
    second = {**first, "prior_authorization": "approved"}
    assert clinic.client.post(url, json=first, headers=clinic.nurse).status_code == 201
    assert clinic.client.post(url, json=second, headers=clinic.prescriber).status_code == 201
    current = clinic.client.get(url + "/current", headers=clinic.pharmacist)
    assert current.status_code == 200
    assert current.json()["prior_authorization"] == "approved"
    history = clinic.client.get(url, headers=clinic.prescriber).json()["items"]
    assert [item["prior_authorization"] for item in history] == ["approved", "pending"]
    bad = clinic.client.post(
        url, json={**first, "prior_authorization": "maybe"}, headers=clinic.prescriber
    )
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "prior_authorization")
    blank = clinic.client.post(url, json={**first, "payer": " "}, headers=clinic.prescriber)
    assert (blank.status_code, blank.json()["errors"][0]["field"]) == (422, "payer")
    assert count(clinic.service.database, Insurance) == 2


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("pregnancy-tests", {"taken_at": "2026-11-20T10:00:00Z", "result": "negative"}),
        ("counselling", {"kind": "contraception", "given_on": "2026-11-20"}),
        ("insurance", {"payer": "P", "member_id": "M", "prior_authorization": "pending"}),
    ],
)
def test_pharmacists_and_patients_read_but_do_not_write_clinic_records(clinic, woman, path, body):
    url = f"/api/v1/patients/{woman['id']}/{path}"
    entries = count(clinic.service.database, AuditEntry)
    for headers in (clinic.pharmacist, clinic.patient_user(woman["id"])):
        assert clinic.client.post(url, json=body, headers=headers).status_code == 403
        assert clinic.client.get(url, headers=headers).status_code == 200
    for headers in (clinic.other_pharmacist, clinic.other_prescriber, clinic.other_nurse):
        assert clinic.client.post(url, json=body, headers=headers).status_code == 403
        assert clinic.client.get(url, headers=headers).status_code == 403
    # two audited reads, nothing written
    assert count(clinic.service.database, AuditEntry) == entries + 2


def test_every_record_write_and_read_is_audited(clinic, woman):
    base = f"/api/v1/patients/{woman['id']}"
    day = clinic.today - dt.timedelta(days=1)
    clinic.client.post(
        base + "/pregnancy-tests",
        json={"taken_at": moment(day), "result": "negative"},
        headers=clinic.nurse,
    )
    clinic.client.post(
        base + "/counselling",
        json={"kind": "rems_education", "given_on": str(day)},
        headers=clinic.nurse,
    )
    clinic.client.post(
        base + "/surveys",
        json={"respondent": "patient", "taken_at": moment(day)},
        headers=clinic.patient_user(woman["id"]),
    )
    clinic.client.post(
        base + "/insurance",
        json={"payer": "P", "member_id": "M", "prior_authorization": "approved"},
        headers=clinic.admin,
    )
    clinic.client.get(base + "/pregnancy-tests", headers=clinic.pharmacist)
    entries = audit_entries(clinic.service.database, chain_for_patient(woman["id"]))
    tail = [(e.action, e.entity, e.actor_role) for e in entries][-5:]
    assert tail == [
        ("create", "pregnancy_test", "nurse"),
        ("create", "counselling", "nurse"),
        ("create", "survey", "patient"),
        ("create", "insurance", "admin"),
        ("read", "pregnancy_test", "pharmacist"),
    ]
    created = entries[-5]
    assert created.after["result"] == "negative"
    assert created.after["recorded_by"] == created.actor_id
    assert audit_intact(clinic.service.database)


# ---------------------------------------------------------------- every patient route × every role

ALL = {"admin", "prescriber", "nurse", "patient", "pharmacist"}
CLINIC = {"admin", "prescriber", "nurse"}
OTHERS = ("other prescriber", "nurse not assigned", "other patient", "other pharmacist")


def _routes(day: dt.date, pharmacy_id: str) -> list[tuple[str, str, dict | None, set[str]]]:
    """(method, path under the patient, JSON body, the roles allowed) for every patient route."""
    yesterday = str(day - dt.timedelta(days=1))
    return [
        ("GET", "", None, ALL),
        ("POST", "/agreements", {"signer": "patient", "signed_on": yesterday}, CLINIC),
        ("PUT", "/pharmacy", {"pharmacy_id": pharmacy_id}, CLINIC | {"patient"}),
        ("GET", "/case", None, ALL),
        ("GET", "/case/versions", None, ALL),
        ("POST", "/assess", None, ALL),
        (
            "POST",
            "/pregnancy-tests",
            {"taken_at": moment(day - dt.timedelta(days=1)), "result": "negative"},
            CLINIC,
        ),
        ("GET", "/pregnancy-tests", None, ALL),
        ("POST", "/counselling", {"kind": "contraception", "given_on": yesterday}, CLINIC),
        ("GET", "/counselling", None, ALL),
        (
            "POST",
            "/surveys",
            {"respondent": "patient", "taken_at": moment(day - dt.timedelta(days=1))},
            ALL - {"pharmacist"},
        ),
        (
            "POST",
            "/surveys",
            {"respondent": "prescriber", "taken_at": moment(day - dt.timedelta(days=1))},
            CLINIC,
        ),
        ("GET", "/surveys", None, ALL),
        (
            "POST",
            "/insurance",
            {"payer": "P", "member_id": "M", "prior_authorization": "approved"},
            CLINIC,
        ),
        ("GET", "/insurance", None, ALL),
        ("GET", "/insurance/current", None, ALL),
    ]


def test_every_patient_route_for_every_role(clinic, woman):
    from tests.service.test_patients import case_yaml, put_case

    assert put_case(clinic, woman["id"], case_yaml(clinic.today)).status_code == 200
    clinic.client.post(
        f"/api/v1/patients/{woman['id']}/insurance",
        json={"payer": "P", "member_id": "M", "prior_authorization": "pending"},
        headers=clinic.prescriber,
    )
    other = clinic.enroll(clinic.other_prescriber)
    callers = {
        "admin": clinic.admin,
        "prescriber": clinic.prescriber,
        "nurse": clinic.nurse,
        "patient": clinic.patient_user(woman["id"]),
        "pharmacist": clinic.pharmacist,
        "other prescriber": clinic.other_prescriber,
        "nurse not assigned": clinic.other_nurse,
        "other patient": clinic.patient_user(other["id"]),
        "other pharmacist": clinic.other_pharmacist,
    }
    unknown_id = "pat_0000000000000000"
    for method, path, body, allowed in _routes(clinic.today, clinic.pharmacy_id):
        for role, headers in callers.items():
            label = f"{method} {path or '/'} as {role}"
            response = clinic.client.request(
                method, f"/api/v1/patients/{woman['id']}{path}", json=body, headers=headers
            )
            if role in allowed:
                ok = {200, 201} | ({409} if path == "/agreements" else set())
                assert response.status_code in ok, (label, response.text)
            else:
                assert response.status_code == 403, label
            if role in OTHERS:
                unknown = clinic.client.request(
                    method, f"/api/v1/patients/{unknown_id}{path}", json=body, headers=headers
                )
                assert response.json() == unknown.json(), label
    assert audit_intact(clinic.service.database)
