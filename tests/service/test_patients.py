"""Patients through HTTP, on SQLite and PostgreSQL: enrollment with the computed risk category,
agreements, the chosen pharmacy, who sees whom, the stored versioned case, the merged case and
its assessment, and the audit entries every write and read leaves."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import func, select

from lenaguard.workflow.audit.models import AuditEntry
from lenaguard.workflow.audit.service import chain_for_patient, verify
from lenaguard.workflow.patients.models import CaseVersion, Patient
from lenaguard.workflow.patients.service import merged_case

FERTILE = {
    "hysterectomy": False,
    "bilateral_oophorectomy": False,
    "months_since_last_menses": 0,
    "menses_regular": True,
}


def years_ago(today: dt.date, years: int) -> dt.date:
    """A birth date giving `years` whole years today (the birthday ten days ago)."""
    day = today - dt.timedelta(days=10)
    if (day.month, day.day) == (2, 29):
        day -= dt.timedelta(days=1)
    return day.replace(year=day.year - years)


def count(database, table) -> int:
    with database.transaction() as session:
        return session.execute(select(func.count()).select_from(table)).scalar_one()


def audit_entries(database, chain: str) -> list[AuditEntry]:
    with database.transaction() as session:
        return list(
            session.execute(
                select(AuditEntry).where(AuditEntry.chain == chain).order_by(AuditEntry.seq)
            ).scalars()
        )


def audit_intact(database) -> bool:
    with database.transaction() as session:
        _checked, problems = verify(session)
    return problems == []


@dataclass
class Clinic:
    """Two prescribers (each with a nurse), two certified pharmacies (each with a pharmacist),
    an admin: made through the API."""

    service: object
    today: dt.date
    admin: dict
    prescriber_id: str
    prescriber: dict
    nurse: dict
    other_prescriber_id: str
    other_prescriber: dict
    other_nurse: dict
    pharmacy_id: str
    pharmacist: dict
    other_pharmacy_id: str
    other_pharmacist: dict

    @property
    def client(self):
        return self.service.client

    def enroll(self, headers: dict | None = None, **fields) -> dict:
        body = {"name": "Pat Example", "sex": "male", "birth_date": str(years_ago(self.today, 60))}
        body.update(fields)
        response = self.client.post(
            "/api/v1/patients", json=body, headers=headers or self.prescriber
        )
        assert response.status_code == 201, response.text
        return response.json()

    def patient_user(self, patient_id: str, name: str = "The Patient") -> dict:
        return self.service.user("patient", name, patient_id=patient_id)

    def choose_pharmacy(self, patient_id: str, pharmacy_id: str | None = None) -> None:
        response = self.client.put(
            f"/api/v1/patients/{patient_id}/pharmacy",
            json={"pharmacy_id": pharmacy_id or self.pharmacy_id},
            headers=self.prescriber,
        )
        assert response.status_code == 200, response.text


def _party(service, admin, kind: str, name: str, today: dt.date, **extra) -> str:
    body = {"name": name, "certified_on": str(today - dt.timedelta(days=30)), **extra}
    response = service.client.post(f"/api/v1/{kind}", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def make_clinic(service) -> Clinic:
    today = service.settings.clinic_today()
    admin = service.user("admin", "Admin")
    first = _party(service, admin, "prescribers", "Dr. First", today)
    second = _party(service, admin, "prescribers", "Dr. Second", today)
    pharmacy = _party(service, admin, "pharmacies", "Pharmacy One", today)
    other_pharmacy = _party(service, admin, "pharmacies", "Pharmacy Two", today)
    return Clinic(
        service=service,
        today=today,
        admin=admin,
        prescriber_id=first,
        prescriber=service.user("prescriber", "Dr. First", prescriber_id=first),
        nurse=service.user("nurse", "Nurse First", acting_for=[first]),
        other_prescriber_id=second,
        other_prescriber=service.user("prescriber", "Dr. Second", prescriber_id=second),
        other_nurse=service.user("nurse", "Nurse Second", acting_for=[second]),
        pharmacy_id=pharmacy,
        pharmacist=service.user("pharmacist", "Pharmacist One", pharmacy_id=pharmacy),
        other_pharmacy_id=other_pharmacy,
        other_pharmacist=service.user("pharmacist", "Pharmacist Two", pharmacy_id=other_pharmacy),
    )


@pytest.fixture
def clinic(service) -> Clinic:
    return make_clinic(service)


def case_yaml(today: dt.date, *, anc: float = 2.9, extra: str = "") -> str:
    """A case file without the workflow-owned fields, labs two days before `today`."""
    labs_on = today - dt.timedelta(days=2)
    return f"""\
indication: mm_combination
patient:
  id: chart-17
  weight_kg: 64
  height_cm: 166
labs:
  - {{test: creatinine, value: 0.8, unit: mg/dL, date: {labs_on}}}
  - {{test: anc, value: {anc}, unit: 10^3/uL, date: {labs_on}}}
  - {{test: platelets, value: 185, unit: 10^3/uL, date: {labs_on}}}
{extra}"""


def put_case(clinic: Clinic, patient_id: str, text: str, headers: dict | None = None):
    return clinic.client.put(
        f"/api/v1/patients/{patient_id}/case",
        content=text.encode(),
        headers={"content-type": "application/yaml", **(headers or clinic.prescriber)},
    )


# ---------------------------------------------------------------- enrollment


CATEGORIES = [
    ("male", 60, None, "adult_male", 1),
    ("male", 12, None, "male_child", 2),
    ("female", 38, FERTILE, "adult_female_reproductive_potential", 1),
    ("female", 61, {"hysterectomy": True}, "adult_female_not_reproductive_potential", 1),
    ("female", 15, FERTILE, "female_child_reproductive_potential", 2),
    ("female", 14, {"bilateral_oophorectomy": True}, "female_child_not_reproductive_potential", 2),
]


@pytest.mark.parametrize(("sex", "age", "reproductive", "category", "signatures"), CATEGORIES)
def test_enrollment_computes_the_risk_category_and_the_agreements(
    clinic, sex, age, reproductive, category, signatures
):
    fields = {"sex": sex, "birth_date": str(years_ago(clinic.today, age))}
    if reproductive is not None:
        fields["reproductive"] = reproductive
    if age < 18:
        fields["guardian_name"] = "A. Guardian"
    patient = clinic.enroll(**fields)
    assert patient["risk_category"]["category"] == category
    assert patient["risk_category"]["as_of"] == str(clinic.today)
    assert patient["age_years"] == age
    assert patient["enrolled_on"] == str(clinic.today)
    assert patient["prescriber_id"] == clinic.prescriber_id
    assert len(patient["agreements"]) == signatures
    assert patient["agreements_complete"] is False
    assert all(agreement["signed_on"] is None for agreement in patient["agreements"])


def test_an_incomplete_history_is_presumed_of_reproductive_potential(clinic):
    patient = clinic.enroll(
        sex="female", birth_date=str(years_ago(clinic.today, 50)), reproductive={}
    )
    category = patient["risk_category"]
    assert category["category"] == "adult_female_reproductive_potential"
    assert category["presumed"] is True
    assert any("hysterectomy" in item for item in category["would_change"])


def test_the_category_cannot_be_typed_in(clinic):
    response = clinic.client.post(
        "/api/v1/patients",
        json={
            "name": "X",
            "sex": "male",
            "birth_date": str(years_ago(clinic.today, 60)),
            "risk_category": "adult_male",
        },
        headers=clinic.prescriber,
    )
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["risk_category"]


def test_a_child_needs_a_guardian_and_nothing_is_stored_without_one(clinic):
    response = clinic.client.post(
        "/api/v1/patients",
        json={"name": "Kid", "sex": "male", "birth_date": str(years_ago(clinic.today, 12))},
        headers=clinic.prescriber,
    )
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["guardian_name"]
    assert count(clinic.service.database, Patient) == 0


def test_an_uncertified_prescriber_cannot_enroll(clinic):
    expired = {
        "certified_on": "2020-01-01",
        "certification_expires_on": str(clinic.today - dt.timedelta(days=1)),
    }
    response = clinic.client.post(
        f"/api/v1/prescribers/{clinic.prescriber_id}/certification",
        json=expired,
        headers=clinic.admin,
    )
    assert response.status_code == 200
    assert response.json()["certified_today"] is False
    entries_before = count(clinic.service.database, AuditEntry)
    response = clinic.client.post(
        "/api/v1/patients",
        json={"name": "X", "sex": "male", "birth_date": str(years_ago(clinic.today, 60))},
        headers=clinic.prescriber,
    )
    assert response.status_code == 422
    body = response.json()
    assert [item["code"] for item in body["unmet"]] == ["prescriber_not_certified"]
    assert [error["field"] for error in body["errors"]] == ["prescriber_id"]
    assert count(clinic.service.database, Patient) == 0
    assert count(clinic.service.database, AuditEntry) == entries_before


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"sex": "male", "reproductive": FERTILE}, ["reproductive"]),
        ({"birth_date": "2199-01-01"}, ["birth_date"]),
        ({"birth_date": "1850-01-01"}, ["birth_date"]),
        ({"sex": "other"}, ["sex"]),
        ({"name": ""}, ["name"]),
        ({"name": "x" * 201}, ["name"]),
        (
            {"reproductive": {"hysterectomy": "maybe"}, "sex": "female"},
            ["reproductive.hysterectomy"],
        ),
        ({"reproductive": {"uterus": False}, "sex": "female"}, ["reproductive.uterus"]),
    ],
)
def test_invalid_enrollment_names_the_field_and_stores_nothing(clinic, fields, named):
    body = {"name": "X", "sex": "male", "birth_date": str(years_ago(clinic.today, 60)), **fields}
    response = clinic.client.post("/api/v1/patients", json=body, headers=clinic.prescriber)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == named
    assert count(clinic.service.database, Patient) == 0


def test_who_may_enroll_for_whom(clinic):
    own = clinic.enroll(clinic.nurse, prescriber_id=clinic.prescriber_id)
    assert own["prescriber_id"] == clinic.prescriber_id
    by_admin = clinic.enroll(clinic.admin, prescriber_id=clinic.other_prescriber_id)
    assert by_admin["prescriber_id"] == clinic.other_prescriber_id
    body = {"name": "X", "sex": "male", "birth_date": str(years_ago(clinic.today, 60))}
    refused = {
        "nurse for a prescriber not theirs": (
            clinic.nurse,
            {**body, "prescriber_id": clinic.other_prescriber_id},
            403,
        ),
        "prescriber for another": (
            clinic.prescriber,
            {**body, "prescriber_id": clinic.other_prescriber_id},
            403,
        ),
        "pharmacist": (clinic.pharmacist, {**body, "prescriber_id": clinic.prescriber_id}, 403),
        "patient": (
            clinic.patient_user(own["id"]),
            {**body, "prescriber_id": clinic.prescriber_id},
            403,
        ),
        "nurse without a prescriber": (clinic.nurse, body, 422),
        "admin, unknown prescriber": (clinic.admin, {**body, "prescriber_id": "prs_nobody"}, 422),
    }
    for label, (headers, request, status) in refused.items():
        response = clinic.client.post("/api/v1/patients", json=request, headers=headers)
        assert response.status_code == status, label
    assert count(clinic.service.database, Patient) == 2


# ---------------------------------------------------------------- agreements and pharmacy


def test_agreements_for_a_child_need_the_guardian_too(clinic):
    patient = clinic.enroll(birth_date=str(years_ago(clinic.today, 12)), guardian_name="Mum")
    url = f"/api/v1/patients/{patient['id']}/agreements"
    signed = clinic.client.post(
        url, json={"signer": "patient", "signed_on": str(clinic.today)}, headers=clinic.nurse
    )
    assert signed.status_code == 200
    assert signed.json()["agreements_complete"] is False
    signed = clinic.client.post(
        url,
        json={"signer": "parent_or_guardian", "signed_on": str(clinic.today)},
        headers=clinic.prescriber,
    )
    assert signed.json()["agreements_complete"] is True
    assert {a["signer"]: a["signed_on"] for a in signed.json()["agreements"]} == {
        "patient": str(clinic.today),
        "parent_or_guardian": str(clinic.today),
    }
    again = clinic.client.post(
        url, json={"signer": "patient", "signed_on": str(clinic.today)}, headers=clinic.prescriber
    )
    assert again.status_code == 409


def test_an_adult_needs_no_guardian_signature_and_no_future_date(clinic):
    patient = clinic.enroll()
    url = f"/api/v1/patients/{patient['id']}/agreements"
    guardian = clinic.client.post(
        url,
        json={"signer": "parent_or_guardian", "signed_on": str(clinic.today)},
        headers=clinic.prescriber,
    )
    assert guardian.status_code == 422
    assert guardian.json()["errors"][0]["field"] == "signer"
    future = clinic.client.post(
        url,
        json={"signer": "patient", "signed_on": str(clinic.today + dt.timedelta(days=1))},
        headers=clinic.prescriber,
    )
    assert future.status_code == 422
    assert future.json()["errors"][0]["field"] == "signed_on"
    pharmacist = clinic.client.post(
        url, json={"signer": "patient", "signed_on": str(clinic.today)}, headers=clinic.pharmacist
    )
    assert pharmacist.status_code == 403
    with clinic.service.database.transaction() as session:
        assert session.get(Patient, patient["id"]).agreement_signed_on is None


def test_the_chosen_pharmacy_must_be_certified_and_lets_its_pharmacist_see_the_patient(clinic):
    patient = clinic.enroll()
    url = f"/api/v1/patients/{patient['id']}"
    assert clinic.client.get(url, headers=clinic.pharmacist).status_code == 403
    uncertified = clinic.client.post(
        "/api/v1/pharmacies", json={"name": "Not Yet"}, headers=clinic.admin
    ).json()["id"]
    refused = clinic.client.put(
        f"{url}/pharmacy", json={"pharmacy_id": uncertified}, headers=clinic.prescriber
    )
    assert refused.status_code == 422
    assert [item["code"] for item in refused.json()["unmet"]] == ["pharmacy_not_certified"]
    unknown = clinic.client.put(
        f"{url}/pharmacy", json={"pharmacy_id": "phm_nothing"}, headers=clinic.prescriber
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "pharmacy_id"
    by_pharmacist = clinic.client.put(
        f"{url}/pharmacy", json={"pharmacy_id": clinic.pharmacy_id}, headers=clinic.other_pharmacist
    )
    assert by_pharmacist.status_code == 403
    with clinic.service.database.transaction() as session:
        assert session.get(Patient, patient["id"]).pharmacy_id is None
    chosen = clinic.client.put(
        f"{url}/pharmacy",
        json={"pharmacy_id": clinic.pharmacy_id},
        headers=clinic.patient_user(patient["id"]),
    )
    assert chosen.status_code == 200
    assert chosen.json()["pharmacy_id"] == clinic.pharmacy_id
    assert clinic.client.get(url, headers=clinic.pharmacist).status_code == 200
    assert clinic.client.get(url, headers=clinic.other_pharmacist).status_code == 403


# ---------------------------------------------------------------- who sees whom


def test_a_patient_is_visible_only_to_their_people_and_a_denial_reveals_nothing(clinic):
    patient = clinic.enroll(name="Visible Patient")
    clinic.choose_pharmacy(patient["id"])
    other = clinic.enroll(clinic.other_prescriber, name="Other Patient")
    allowed = {
        "prescriber": clinic.prescriber,
        "nurse": clinic.nurse,
        "patient": clinic.patient_user(patient["id"]),
        "pharmacist": clinic.pharmacist,
        "admin": clinic.admin,
    }
    denied = {
        "other prescriber": clinic.other_prescriber,
        "nurse not assigned": clinic.other_nurse,
        "other patient": clinic.patient_user(other["id"]),
        "pharmacist of another pharmacy": clinic.other_pharmacist,
    }
    url = f"/api/v1/patients/{patient['id']}"
    for label, headers in allowed.items():
        response = clinic.client.get(url, headers=headers)
        assert response.status_code == 200, label
        assert response.json()["name"] == "Visible Patient"
    for label, headers in denied.items():
        response = clinic.client.get(url, headers=headers)
        unknown = clinic.client.get("/api/v1/patients/pat_0000000000000000", headers=headers)
        assert response.status_code == 403, label
        assert response.json() == unknown.json(), label
        for path in ("/case", "/case/versions", "/pregnancy-tests", "/surveys", "/insurance"):
            assert (
                clinic.client.get(url + path, headers=headers).json()
                == clinic.client.get(
                    "/api/v1/patients/pat_0000000000000000" + path, headers=headers
                ).json()
            ), (label, path)
    assert (
        clinic.client.get("/api/v1/patients/pat_0000000000000000", headers=clinic.admin).status_code
        == 404
    )


def test_lists_show_only_the_patients_one_may_see(clinic):
    mine = [clinic.enroll(name=f"Mine {n}")["id"] for n in range(3)]
    theirs = clinic.enroll(clinic.other_prescriber, name="Theirs")["id"]
    clinic.choose_pharmacy(mine[0])

    def ids(headers, **params):
        response = clinic.client.get("/api/v1/patients", headers=headers, params=params)
        assert response.status_code == 200
        return response.json()

    assert {p["id"] for p in ids(clinic.prescriber)["items"]} == set(mine)
    assert {p["id"] for p in ids(clinic.nurse)["items"]} == set(mine)
    assert {p["id"] for p in ids(clinic.other_nurse)["items"]} == {theirs}
    assert {p["id"] for p in ids(clinic.pharmacist)["items"]} == {mine[0]}
    assert ids(clinic.other_pharmacist)["items"] == []
    assert {p["id"] for p in ids(clinic.patient_user(theirs))["items"]} == {theirs}
    assert ids(clinic.admin)["total"] == 4
    first = ids(clinic.prescriber, limit=2)
    assert (len(first["items"]), first["total"], first["next_offset"]) == (2, 3, 2)
    rest = ids(clinic.prescriber, limit=2, offset=2)
    assert (len(rest["items"]), rest["next_offset"]) == (1, None)
    assert {p["id"] for p in first["items"] + rest["items"]} == set(mine)


# ---------------------------------------------------------------- the stored case


def test_the_case_round_trips_and_every_version_is_kept(clinic):
    patient = clinic.enroll(
        sex="female", birth_date=str(years_ago(clinic.today, 38)), reproductive=FERTILE
    )
    first = put_case(clinic, patient["id"], case_yaml(clinic.today))
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 1
    stored = first.json()["case"]
    assert stored == yaml.safe_load(case_yaml(clinic.today)) | {
        "labs": [
            {**lab, "date": str(lab["date"])}
            for lab in yaml.safe_load(case_yaml(clinic.today))["labs"]
        ]
    }
    got = clinic.client.get(f"/api/v1/patients/{patient['id']}/case", headers=clinic.nurse)
    assert got.json()["case"] == stored and got.json()["version"] == 1
    second_case = {**stored, "symptoms": ["fatigue"], "as_of": "2026-01-01"}
    second = clinic.client.put(
        f"/api/v1/patients/{patient['id']}/case", json=second_case, headers=clinic.nurse
    )
    assert second.status_code == 200, second.text
    assert second.json()["version"] == 2
    assert "as_of" not in second.json()["case"]
    assert second.json()["case"]["symptoms"] == ["fatigue"]
    versions = clinic.client.get(
        f"/api/v1/patients/{patient['id']}/case/versions", headers=clinic.prescriber
    ).json()
    assert [v["version"] for v in versions["items"]] == [2, 1]
    assert versions["items"][1]["case"] == stored
    current = clinic.client.get(f"/api/v1/patients/{patient['id']}/case", headers=clinic.prescriber)
    assert current.json()["version"] == 2


def test_a_case_may_not_state_what_the_workflow_records(clinic):
    patient = clinic.enroll()
    extra = "  - {test: pregnancy, result: negative, date: 2026-11-01}\n"
    text = case_yaml(clinic.today, extra=extra).replace(
        "  weight_kg: 64", "  sex: female\n  birth_date: 1980-01-01\n  weight_kg: 64"
    )
    response = put_case(clinic, patient["id"], text)
    assert response.status_code == 422
    fields = [error["field"] for error in response.json()["errors"]]
    assert fields == ["patient.sex", "patient.birth_date", "labs.3"]
    assert count(clinic.service.database, CaseVersion) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("anc, value: 2.9", "anc, value: -1"), "labs.1.value"),
        (("indication: mm_combination", "indication: headache"), "indication"),
        (("  height_cm: 166", "  height_cm: 166\n  shoe_size: 9"), "patient.shoe_size"),
    ],
)
def test_an_invalid_case_is_refused_naming_the_field_and_nothing_is_stored(clinic, change, field):
    patient = clinic.enroll()
    assert put_case(clinic, patient["id"], case_yaml(clinic.today)).status_code == 200
    response = put_case(clinic, patient["id"], case_yaml(clinic.today).replace(*change))
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]
    assert count(clinic.service.database, CaseVersion) == 1


def test_a_case_needs_a_readable_body(clinic):
    patient = clinic.enroll()
    url = f"/api/v1/patients/{patient['id']}/case"
    wrong_type = clinic.client.put(
        url, content=b"x", headers={"content-type": "text/plain", **clinic.prescriber}
    )
    assert wrong_type.status_code == 422
    assert wrong_type.json()["errors"][0]["field"] == "content-type"
    a_list = clinic.client.put(url, json=[1, 2], headers=clinic.prescriber)
    assert a_list.status_code == 422
    assert count(clinic.service.database, CaseVersion) == 0


def test_only_clinic_staff_store_a_case(clinic):
    patient = clinic.enroll()
    clinic.choose_pharmacy(patient["id"])
    for headers in (clinic.pharmacist, clinic.patient_user(patient["id"]), clinic.other_prescriber):
        assert put_case(clinic, patient["id"], case_yaml(clinic.today), headers).status_code == 403
    assert count(clinic.service.database, CaseVersion) == 0
    assert put_case(clinic, patient["id"], case_yaml(clinic.today), clinic.admin).status_code == 200


def test_no_case_yet_is_a_404_for_the_case_and_a_422_for_the_assessment(clinic):
    patient = clinic.enroll()
    url = f"/api/v1/patients/{patient['id']}"
    assert clinic.client.get(url + "/case", headers=clinic.prescriber).status_code == 404
    response = clinic.client.post(url + "/assess", headers=clinic.prescriber)
    assert response.status_code == 422
    assert [item["code"] for item in response.json()["unmet"]] == ["case_missing"]


# ---------------------------------------------------------------- the merged case


def test_a_test_at_2330_new_york_time_is_that_clinic_date_in_the_merged_case(clinic):
    assert clinic.service.settings.timezone_name == "America/New_York"
    patient = clinic.enroll(
        sex="female", birth_date=str(years_ago(clinic.today, 38)), reproductive=FERTILE
    )
    assert put_case(clinic, patient["id"], case_yaml(clinic.today)).status_code == 200
    day = clinic.today - dt.timedelta(days=3)
    taken = dt.datetime.combine(day, dt.time(23, 30), ZoneInfo("America/New_York"))
    response = clinic.client.post(
        f"/api/v1/patients/{patient['id']}/pregnancy-tests",
        json={"taken_at": taken.isoformat(), "result": "negative", "sensitivity_miu_ml": 25},
        headers=clinic.nurse,
    )
    assert response.status_code == 201, response.text
    stored = dt.datetime.fromisoformat(response.json()["taken_at"])
    assert stored.astimezone(dt.UTC).date() == day + dt.timedelta(days=1)
    with clinic.service.database.transaction() as session:
        row = session.get(Patient, patient["id"])
        merged = merged_case(session, row, as_of=clinic.today, settings=clinic.service.settings)
        before = merged_case(
            session, row, as_of=day - dt.timedelta(days=1), settings=clinic.service.settings
        )
    pregnancy = [lab for lab in merged["labs"] if lab["test"] == "pregnancy"]
    assert pregnancy == [
        {
            "test": "pregnancy",
            "result": "negative",
            "date": str(day),
            "time": "23:30:00",
            "sensitivity_miu_ml": 25.0,
        }
    ]
    assert [lab for lab in before["labs"] if lab["test"] == "pregnancy"] == []
    assert merged["patient"]["sex"] == "female"
    assert merged["patient"]["birth_date"] == patient["birth_date"]
    assert merged["patient"]["reproductive"] == FERTILE
    assert merged["patient"]["id"] == patient["id"]
    assert merged["as_of"] == str(clinic.today)


def test_the_patient_assessment_is_the_assessment_of_the_merged_case(clinic):
    patient = clinic.enroll(
        sex="female", birth_date=str(years_ago(clinic.today, 38)), reproductive=FERTILE
    )
    assert put_case(clinic, patient["id"], case_yaml(clinic.today, anc=0.4)).status_code == 200
    taken = dt.datetime.combine(
        clinic.today - dt.timedelta(days=1), dt.time(9, 0), ZoneInfo("America/New_York")
    )
    clinic.client.post(
        f"/api/v1/patients/{patient['id']}/pregnancy-tests",
        json={"taken_at": taken.isoformat(), "result": "negative", "sensitivity_miu_ml": 25},
        headers=clinic.nurse,
    )
    as_of = str(clinic.today)
    mine = clinic.client.post(
        f"/api/v1/patients/{patient['id']}/assess",
        params={"as_of": as_of},
        headers=clinic.prescriber,
    )
    assert mine.status_code == 200, mine.text
    with clinic.service.database.transaction() as session:
        merged = merged_case(
            session,
            session.get(Patient, patient["id"]),
            as_of=clinic.today,
            settings=clinic.service.settings,
        )
    direct = clinic.client.post(
        "/api/v1/assess", json=merged, params={"as_of": as_of}, headers=clinic.prescriber
    )
    assert direct.status_code == 200
    assert mine.json() == direct.json()
    assert mine.json()["dose"]["action"] in {"hold", "do_not_start"}
    verified = clinic.client.post(
        f"/api/v1/patients/{patient['id']}/assess",
        params={"as_of": as_of, "verified_only": "true"},
        headers=clinic.prescriber,
    )
    direct_verified = clinic.client.post(
        "/api/v1/assess",
        json=merged,
        params={"as_of": as_of, "verified_only": "true"},
        headers=clinic.prescriber,
    )
    assert verified.json() == direct_verified.json()
    other = clinic.client.post(
        f"/api/v1/patients/{patient['id']}/assess", headers=clinic.other_prescriber
    )
    assert other.status_code == 403


# ---------------------------------------------------------------- audit


def test_writes_and_reads_are_audited_and_the_log_verifies(clinic):
    patient = clinic.enroll()
    chain = chain_for_patient(patient["id"])
    put_case(clinic, patient["id"], case_yaml(clinic.today))
    put_case(clinic, patient["id"], case_yaml(clinic.today, anc=2.5))
    clinic.client.get(f"/api/v1/patients/{patient['id']}", headers=clinic.nurse)
    clinic.client.get(f"/api/v1/patients/{patient['id']}/case", headers=clinic.prescriber)
    clinic.client.post(f"/api/v1/patients/{patient['id']}/assess", headers=clinic.prescriber)
    entries = audit_entries(clinic.service.database, chain)
    assert [(e.action, e.entity) for e in entries] == [
        ("create", "patient"),
        ("create", "case"),
        ("update", "case"),
        ("read", "patient"),
        ("read", "case"),
        ("read", "assessment"),
    ]
    assert entries[0].after["name"] == "Pat Example"
    assert entries[1].before is None and entries[1].after["version"] == 1
    assert entries[2].before["version"] == 1 and entries[2].after["version"] == 2
    assert entries[2].before["case"]["labs"][1]["value"] == 2.9
    assert entries[2].after["case"]["labs"][1]["value"] == 2.5
    assert {e.actor_role for e in entries[3:5]} == {"nurse", "prescriber"}
    assert audit_intact(clinic.service.database)
