"""Every REMS page route × every role, as tests/service/test_route_roles.py does for the API.

Allowed callers get the page (a form posted empty comes back 422 with its problems: nothing is
stored); everyone else the same 403 page, whether the record exists or not. A guard fails for
any page route under /patients, /worklist or /confirmations missing from the table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute

from lenaguard.rules.safety.rems import RemsRiskCategory
from lenaguard.web.auth import PageRoute
from tests.service import builders as b
from tests.service.conftest import Service
from tests.service.test_route_roles import EVERYONE, ROLES  # the API's callers, the same eight

STAFF = EVERYONE - {"patient"}
SEES_PATIENT = frozenset({"admin", "prescriber", "nurse", "pharmacist", "patient"})
RECORDS = frozenset({"admin", "prescriber", "nurse"})
ENROLLS = frozenset({"admin", "prescriber", "nurse", "other_nurse", "other_prescriber"})
AUTHORIZES = frozenset({"prescriber", "nurse"})
PHARMACISTS = frozenset({"pharmacist", "other_pharmacist"})
RECORD_FORM = "/patients/{patient_id}/{kind}/new"
PHARMACY = "/patients/{patient_id}/pharmacy"

# (method, route path, concrete path, allowed roles, their status; 403 for everyone else)
TABLE: list[tuple[str, str, str, frozenset[str], int | dict[str, int]]] = [
    ("GET", "/patients", "/patients", EVERYONE, {"patient": 303}),
    ("GET", "/patients/new", "/patients/new", ENROLLS, 200),
    ("POST", "/patients/new", "/patients/new", ENROLLS, 422),
    ("GET", "/patients/{patient_id}", "/patients/{patient_id}", SEES_PATIENT, 200),
    (
        "GET",
        "/patients/{patient_id}/readiness",
        "/patients/{patient_id}/readiness",
        SEES_PATIENT,
        200,
    ),
    *[
        (method, RECORD_FORM, f"/patients/{{patient_id}}/{kind}/new", RECORDS, status)
        for kind in ("agreements", "pregnancy-tests", "counselling", "insurance")
        for method, status in (("GET", 200), ("POST", 422))
    ],
    *[
        (method, RECORD_FORM, "/patients/{patient_id}/surveys/new", RECORDS | {"patient"}, status)
        for method, status in (("GET", 200), ("POST", 422))
    ],
    *[
        (method, PHARMACY, PHARMACY, RECORDS | {"patient"}, status)  # not the pharmacist
        for method, status in (("GET", 200), ("POST", 422))
    ],
    *[
        (
            method,
            "/patients/{patient_id}/authorizations/new",
            "/patients/{patient_id}/authorizations/new",
            AUTHORIZES,
            status,
        )
        for method, status in (("GET", 200), ("POST", 422))
    ],
    ("GET", "/confirmations/new", "/confirmations/new", PHARMACISTS, 200),
    ("POST", "/confirmations/new", "/confirmations/new", PHARMACISTS, 422),
    ("GET", "/confirmations/{number}", "/confirmations/{number}", frozenset({"pharmacist"}), 200),
    (
        "POST",
        "/confirmations/{number}/dispense",
        "/confirmations/{number}/dispense",
        frozenset({"pharmacist"}),
        422,
    ),
    ("GET", "/worklist", "/worklist", STAFF, 200),
]

COVERED_ELSEWHERE = {
    ("GET", "/patients/{patient_id}/assessment"),  # the workbench's tests
    ("GET", "/patients/{patient_id}/handout"),  # the handout's tests
    ("GET", "/patients/{patient_id}/handout.ics"),
}
GUARDED = ("/patients", "/worklist", "/confirmations")


def app_routes(routes: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(full path, route) of every route, including those of included routers (newer FastAPI
    versions keep an included router as one entry of `app.routes`)."""
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            context = getattr(route, "include_context", None)
            inner = prefix + (getattr(context, "prefix", "") or "")
            yield from app_routes(original.routes, inner)
        elif hasattr(route, "path"):
            yield prefix + route.path, route


def test_every_rems_page_route_is_in_the_role_table(pages):
    routes = {
        (method, path)
        for path, route in app_routes(pages.app.routes)
        if isinstance(route, APIRoute) and isinstance(route, PageRoute)
        for method in route.methods
        if path.startswith(GUARDED)
    }
    tabled = {(method, path) for method, path, *_ in TABLE}
    assert routes - COVERED_ELSEWHERE == tabled


@pytest.fixture
def world(pages):
    service = Service(pages.client(), pages.database, pages.settings)
    clinic = b.clinic(service)
    now = dt.datetime.now(dt.UTC)
    today = pages.settings.clinic_date(now)
    patient = b.ready_patient(
        service,
        clinic,
        RemsRiskCategory.ADULT_MALE,
        today=today,
        when=now - dt.timedelta(minutes=5),
    )
    clinic.headers["patient"] = b.patient_headers(service, patient.id)
    issued = b.authorize(service, patient.id, clinic.headers["prescriber"])
    assert issued.status_code == 201, issued.text
    confirmed = service.client.post(
        f"/api/v1/authorizations/{issued.json()['number']}/confirmations",
        headers=clinic.headers["pharmacist"],
    )
    assert confirmed.status_code == 201, confirmed.text
    return service, clinic, {"patient_id": patient.id, "number": confirmed.json()["number"]}


@pytest.mark.parametrize(
    "method, _route, template, allowed, success",
    TABLE,
    ids=[f"{method} {path}" for method, _route, path, *_ in TABLE],
)
def test_each_role_gets_the_page_or_a_403(world, method, _route, template, allowed, success):
    service, clinic, ids = world
    path = template.format(**ids)
    for role in ROLES:
        answer = service.client.request(method, path, data={}, headers=clinic.headers[role])
        if role not in allowed:
            expected = 403
        elif isinstance(success, dict):
            expected = success.get(role, 200)
        else:
            expected = success
        assert answer.status_code == expected, (role, answer.text[-400:])
        if expected == 403:
            assert "You may not see this page or record, or it does not exist." in answer.text


def test_an_unknown_patient_gets_the_same_403_as_anothers(world):
    service, clinic, ids = world
    for path in (
        "/patients/pat_doesnotexist",
        "/patients/pat_doesnotexist/readiness",
        "/patients/pat_doesnotexist/counselling/new",
        "/patients/pat_doesnotexist/pharmacy",
        "/patients/pat_doesnotexist/authorizations/new",
    ):
        unknown = service.client.get(path, headers=clinic.headers["nurse"])
        foreign = service.client.get(
            path.replace("pat_doesnotexist", ids["patient_id"]),
            headers=clinic.headers["other_nurse"],
        )
        assert unknown.status_code == foreign.status_code == 403, path
