"""Every route × every role: the routes not covered by the per-domain tables, and a guard that
no route of the API is left out of some table.

Patient routes are tabled in test_records.py (`test_every_patient_route_for_every_role`),
dispensing, readiness and the lists of a patient's authorizations and dispenses in
test_dispensing.py (`test_every_dispensing_route_for_every_role`); the rest is here. Allowed
callers get their answer; everyone else a 403 (never a 401 or a 404 that would tell a record
exists).
"""

from __future__ import annotations

import datetime as dt

import pytest

from lenaguard.rules.safety.rems import RemsRiskCategory
from tests.service import builders as b

ROLES = (
    "admin",
    "prescriber",
    "nurse",
    "other_nurse",
    "other_prescriber",
    "pharmacist",
    "other_pharmacist",
    "patient",
)
EVERYONE = frozenset(ROLES)
ADMIN = frozenset({"admin"})

# (method, path template, body maker, allowed roles, success status)
TABLE = [
    ("POST", "/api/v1/prescribers", lambda w: {"name": "Dr New"}, ADMIN, 201),
    ("GET", "/api/v1/prescribers", None, EVERYONE, 200),
    (
        "GET",
        "/api/v1/prescribers/{prescriber_id}",
        None,
        frozenset({"admin", "prescriber", "nurse"}),
        200,
    ),
    (
        "POST",
        "/api/v1/prescribers/{prescriber_id}/certification",
        lambda w: {"certified_on": "2020-01-01"},
        ADMIN,
        200,
    ),
    ("POST", "/api/v1/pharmacies", lambda w: {"name": "New Rx"}, ADMIN, 201),
    ("GET", "/api/v1/pharmacies", None, EVERYONE, 200),
    ("GET", "/api/v1/pharmacies/{pharmacy_id}", None, EVERYONE - {"other_pharmacist"}, 200),
    (
        "POST",
        "/api/v1/pharmacies/{pharmacy_id}/certification",
        lambda w: {"certified_on": "2020-01-01"},
        ADMIN,
        200,
    ),
    (
        "POST",
        "/api/v1/patients",
        lambda w: {
            "name": "New Patient",
            "sex": "male",
            "birth_date": "1960-01-01",
            "prescriber_id": w["prescriber_id"],
        },
        frozenset({"admin", "prescriber", "nurse"}),
        201,
    ),
    ("GET", "/api/v1/patients", None, EVERYONE, 200),
    (
        "PUT",
        "/api/v1/patients/{patient_id}/case",
        lambda w: w["case"],
        frozenset({"admin", "prescriber", "nurse"}),
        200,
    ),
    ("GET", "/api/v1/worklist", None, EVERYONE, 200),
]

COVERED_ELSEWHERE = {
    "test_records.py": [
        ("GET", "/api/v1/patients/{patient_id}"),
        ("POST", "/api/v1/patients/{patient_id}/agreements"),
        ("PUT", "/api/v1/patients/{patient_id}/pharmacy"),
        ("GET", "/api/v1/patients/{patient_id}/case"),
        ("GET", "/api/v1/patients/{patient_id}/case/versions"),
        ("POST", "/api/v1/patients/{patient_id}/assess"),
        *[
            (method, f"/api/v1/patients/{{patient_id}}/{record}")
            for record in ("pregnancy-tests", "counselling", "surveys", "insurance")
            for method in ("GET", "POST")
        ],
        ("GET", "/api/v1/patients/{patient_id}/insurance/current"),
    ],
    "test_dispensing.py": [
        ("POST", "/api/v1/authorizations"),
        ("POST", "/api/v1/authorizations/{number}/confirmations"),
        ("POST", "/api/v1/dispenses"),
        ("GET", "/api/v1/patients/{patient_id}/authorizations"),
        ("GET", "/api/v1/patients/{patient_id}/dispenses"),
        ("GET", "/api/v1/patients/{patient_id}/readiness"),
    ],
    "test_app_basics.py": [("POST", "/api/v1/assess")],  # any valid token; stores nothing
    "test_ask_api.py": [("POST", "/api/v1/ask")],  # any valid token; stores nothing
}


def test_every_api_route_is_in_a_role_table(service):
    published = {
        (method.upper(), path)
        for path, operations in service.client.get("/openapi.json").json()["paths"].items()
        if path.startswith("/api/")
        for method in operations
    }
    tabled = {(method, path) for method, path, *_ in TABLE}
    for routes in COVERED_ELSEWHERE.values():
        tabled |= set(routes)
    assert published == tabled


@pytest.fixture
def world(service):
    clinic = b.clinic(service)
    today = service.settings.clinic_today()
    patient = b.ready_patient(
        service,
        clinic,
        RemsRiskCategory.ADULT_MALE,
        today=today,
        when=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5),
    )
    clinic.headers["patient"] = b.patient_headers(service, patient.id)
    return {
        "clinic": clinic,
        "prescriber_id": clinic.prescriber.id,
        "pharmacy_id": clinic.pharmacy.id,
        "patient_id": patient.id,
        "case": b.case_data(today),
    }


@pytest.mark.parametrize(
    "method, template, body, allowed, success",
    TABLE,
    ids=[f"{method} {template}" for method, template, *_ in TABLE],
)
def test_each_role_is_allowed_or_refused(service, world, method, template, body, allowed, success):
    path = template.format(**world)
    for role in ROLES:
        headers = world["clinic"].headers[role]
        response = service.client.request(
            method, path, json=body(world) if body else None, headers=headers
        )
        expected = success if role in allowed else 403
        assert response.status_code == expected, (role, response.text[:300])
